//! Reading a policy file: TOML → [`RawPolicy`] → validated [`Policy`].
//!
//! Every refusal names the line of the value at fault, taken from the TOML
//! parser's spans (for syntax errors) or from the [`Spanned`] value being
//! checked (for everything else); when the fault is a field that is
//! missing, the line of the rule's `id` is given.

use std::collections::HashSet;

use toml::Spanned;

use super::coverage;
use super::model::{CommitmentRule, EscalationTarget, Policy, Timing};
use super::raw::{RawPolicy, RawRule};
use crate::commitment::errors::PolicyError;
use crate::commitment::event::Event;
use crate::commitment::subject::Subject;
use crate::commitment::upstream::UPSTREAM;
use crate::role::Role;
use crate::utility::Utility;

/// Warning fractions of a rule that does not set `warn_at`.
pub const DEFAULT_WARN_AT: [f64; 2] = [0.5, 0.8];
/// Most warnings a rule may have.
pub const MAX_WARNINGS: usize = 8;

/// An optional list of event names.
pub(super) type Events = Option<Spanned<Vec<Spanned<String>>>>;

/// Reads and validates `src`; with `coverage`, also refuses a case kind
/// left without a rule or an exemption.
pub(super) fn parse(src: &str, coverage: bool) -> Result<Policy, PolicyError> {
    let raw: RawPolicy = toml::from_str(src).map_err(|e| PolicyError::Syntax {
        line: e.span().map_or(1, |s| line_at(src, s.start)),
        message: e.message().trim().to_string(),
    })?;
    let utilities = match &raw.utilities {
        None => Utility::ALL.to_vec(),
        Some(value) => Cx { src, rule: "(policy)".into(), line: line_at(src, value.span().start) }.utilities(value)?,
    };
    let mut seen = HashSet::new();
    let mut commitments = Vec::with_capacity(raw.commitments.len());
    for rule in &raw.commitments {
        let cx = Cx { src, rule: rule.id.get_ref().trim().to_string(), line: line_at(src, rule.id.span().start) };
        if cx.rule.is_empty() {
            return Err(cx.missing(cx.line, "an id"));
        }
        if cx.rule.eq_ignore_ascii_case(UPSTREAM) {
            return Err(PolicyError::ReservedRule { line: cx.line, rule: cx.rule });
        }
        if !seen.insert(cx.rule.clone()) {
            return Err(PolicyError::DuplicateRule { line: cx.line, rule: cx.rule });
        }
        commitments.push(cx.rule(rule, raw.version)?);
    }
    let exemptions = coverage::exemptions(src, &raw.exemptions, &commitments)?;
    let policy = Policy { version: raw.version, company: raw.company, utilities, commitments, exemptions };
    if coverage {
        policy.check_coverage(&policy.utilities)?;
    }
    Ok(policy)
}

/// The 1-based line holding byte `offset` of `src`.
pub(super) fn line_at(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Validation context: the source and the rule being read.
pub(super) struct Cx<'a> {
    pub(super) src: &'a str,
    pub(super) rule: String,
    /// Line of the rule's `id`.
    pub(super) line: usize,
}

impl Cx<'_> {
    pub(super) fn at<T>(&self, value: &Spanned<T>) -> usize {
        line_at(self.src, value.span().start)
    }

    pub(super) fn missing(&self, line: usize, what: &'static str) -> PolicyError {
        PolicyError::Missing { line, rule: self.rule.clone(), what }
    }

    pub(super) fn conflict(&self, line: usize, reason: impl Into<String>) -> PolicyError {
        PolicyError::Conflict { line, rule: self.rule.clone(), reason: reason.into() }
    }

    pub(super) fn unknown(&self, line: usize, what: &'static str, value: &str) -> PolicyError {
        PolicyError::UnknownKind { line, rule: self.rule.clone(), what, value: value.to_string() }
    }

    fn rule(&self, raw: &RawRule, version: u32) -> Result<CommitmentRule, PolicyError> {
        let title_zh = self.text(&raw.title_zh, "a title_zh")?;
        let title_en = self.text(&raw.title_en, "a title_en")?;
        let utilities = self.utilities(&raw.utilities)?;
        let timing = self.timing(raw)?;
        let is_clock = !matches!(timing, Timing::Measured(_) | Timing::Season(_));

        let applies_to = match &raw.applies_to {
            Some(s) => Some(self.subject(s)?),
            None if matches!(timing, Timing::Season(_)) => None,
            None => return Err(self.missing(self.line, "applies_to")),
        };
        let subject = applies_to.as_ref().map(Subject::kind);
        let start = raw.start.as_ref().map(|e| self.event(e, subject)).transpose()?;
        let stop = self.events(&raw.stop, subject)?;
        let pause = self.events(&raw.pause, subject)?;
        let resume = self.events(&raw.resume, subject)?;

        if is_clock {
            self.check_clock_events(raw, &timing, start, &stop, &pause, &resume)?;
        } else {
            self.check_no_clock_fields(raw, &timing)?;
        }
        let window = match &raw.window {
            None => None,
            Some(w) if matches!(timing, Timing::Duration(_) | Timing::ByZone { .. }) => Some(self.window(w)?),
            Some(w) => {
                return Err(self.conflict(self.at(w), "a window applies only to a duration or duration_by_zone"));
            }
        };
        let restore_after_notice = match &raw.restore_after_notice {
            None => None,
            Some(p) if stop.contains(&Event::OutageRestored) => {
                let fixed = self.period("restore_after_notice", p)?.fixed();
                match fixed {
                    Some(d) if d.is_positive() => Some(d),
                    _ => {
                        return Err(
                            self.conflict(self.at(p), "restore_after_notice is a positive number of minutes or hours")
                        );
                    }
                }
            }
            Some(p) => {
                return Err(
                    self.conflict(self.at(p), "restore_after_notice applies only to a rule outage.restored stops")
                );
            }
        };
        let warn_at = match &raw.warn_at {
            Some(w) => self.warn_at(w)?,
            None if is_clock => DEFAULT_WARN_AT.to_vec(),
            None => Vec::new(),
        };
        let escalate_to = match &raw.escalate_to {
            Some(list) => list
                .get_ref()
                .iter()
                .map(|t| {
                    EscalationTarget::parse(t.get_ref())
                        .ok_or_else(|| self.unknown(self.at(t), "escalation target", t.get_ref()))
                })
                .collect::<Result<_, _>>()?,
            None if is_clock => vec![EscalationTarget::Role(Role::DutyManager), EscalationTarget::DepartmentHead],
            None => Vec::new(),
        };
        Ok(CommitmentRule {
            id: self.rule.clone(),
            policy_version: version,
            title_zh,
            title_en,
            utilities,
            applies_to,
            start,
            stop,
            pause,
            resume,
            timing,
            window,
            restore_after_notice,
            warn_at,
            escalate_to,
        })
    }

    fn text(&self, value: &Spanned<String>, what: &'static str) -> Result<String, PolicyError> {
        let text = value.get_ref().trim();
        if text.is_empty() {
            return Err(self.missing(self.at(value), what));
        }
        Ok(text.to_string())
    }

    pub(super) fn utilities(&self, value: &Spanned<toml::Value>) -> Result<Vec<Utility>, PolicyError> {
        let line = self.at(value);
        let unknown = |u: &str| PolicyError::UnknownUtility { line, rule: self.rule.clone(), utility: u.to_string() };
        let names: Vec<&str> = match value.get_ref() {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().ok_or_else(|| unknown(&format!("({})", v.type_str()))))
                .collect::<Result<_, _>>()?,
            other => return Err(unknown(&format!("({})", other.type_str()))),
        };
        if names == ["all"] {
            return Ok(Utility::ALL.to_vec());
        }
        if names.is_empty() {
            return Err(self.missing(line, "at least one utility"));
        }
        let mut out = Vec::new();
        for name in names {
            let u = Utility::parse(name).ok_or_else(|| unknown(name))?;
            if !out.contains(&u) {
                out.push(u);
            }
        }
        Ok(out)
    }
}

/// A warning fraction as a whole percentage.
pub(crate) fn percent_of(fraction: f64) -> u8 {
    (fraction * 100.0).round().clamp(0.0, 255.0) as u8
}
