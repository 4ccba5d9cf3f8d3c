//! Validation of what a rule applies to and of the events that drive its
//! clock.

use toml::Spanned;

use super::model::Timing;
use super::parse::{Cx, Events};
use super::raw::{RawRule, RawSubject};
use crate::case::{CaseKind, CaseSubkind};
use crate::commitment::errors::PolicyError;
use crate::commitment::event::{Event, SubjectKind};
use crate::commitment::subject::{OutageKind, Subject};
use crate::customer::CustomerCategory;

impl Cx<'_> {
    pub(super) fn subject(&self, value: &Spanned<RawSubject>) -> Result<Subject, PolicyError> {
        let raw = value.get_ref();
        let line = self.at(value);
        let kind = SubjectKind::parse(raw.subject.get_ref())
            .ok_or_else(|| self.unknown(self.at(&raw.subject), "subject", raw.subject.get_ref()))?;
        let allowed: &[&str] = match kind {
            SubjectKind::Case => &["kinds", "subkinds", "categories"],
            SubjectKind::Outage => &["kinds", "longer_than"],
            SubjectKind::Account => &["categories"],
            SubjectKind::WorkOrder | SubjectKind::Call => &[],
        };
        for (field, present) in [
            ("kinds", raw.kinds.is_some()),
            ("subkinds", raw.subkinds.is_some()),
            ("categories", raw.categories.is_some()),
            ("longer_than", raw.longer_than.is_some()),
        ] {
            if present && !allowed.contains(&field) {
                return Err(self.conflict(line, format!("a {} subject takes no {field}", kind.code())));
            }
        }
        let categories = self.names(&raw.categories, "customer category", CustomerCategory::parse)?;
        Ok(match kind {
            SubjectKind::Case => {
                let kinds = self.names(&raw.kinds, "case kind", CaseKind::parse)?;
                let subkinds = self.names(&raw.subkinds, "case subkind", CaseSubkind::parse)?;
                let candidates = if kinds.is_empty() { CaseKind::ALL.to_vec() } else { kinds.clone() };
                for (sub, spanned) in subkinds.iter().zip(raw.subkinds.iter().flatten()) {
                    if !candidates.iter().any(|k| k.accepts(Some(*sub))) {
                        return Err(self.unknown(self.at(spanned), "subkind of the listed case kinds", sub.code()));
                    }
                }
                Subject::Case { kinds, subkinds, categories }
            }
            SubjectKind::Outage => Subject::Outage {
                kinds: self.names(&raw.kinds, "outage kind", OutageKind::parse)?,
                longer_than: match &raw.longer_than {
                    None => None,
                    Some(p) => {
                        let period = self.period("applies_to.longer_than", p)?;
                        if period.fixed().is_none() {
                            return Err(self.conflict(self.at(p), "longer_than counts minutes, hours or calendar_days"));
                        }
                        Some(period)
                    }
                },
            },
            SubjectKind::Account => Subject::Account { categories },
            SubjectKind::WorkOrder => Subject::WorkOrder,
            SubjectKind::Call => Subject::Call,
        })
    }

    pub(super) fn names<T: PartialEq>(
        &self,
        list: &Option<Vec<Spanned<String>>>,
        what: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, PolicyError> {
        let mut out = Vec::new();
        for name in list.iter().flatten() {
            let value = parse(name.get_ref()).ok_or_else(|| self.unknown(self.at(name), what, name.get_ref()))?;
            if !out.contains(&value) {
                out.push(value);
            }
        }
        Ok(out)
    }

    pub(super) fn event(&self, name: &Spanned<String>, subject: Option<SubjectKind>) -> Result<Event, PolicyError> {
        let line = self.at(name);
        let event = Event::parse(name.get_ref()).ok_or_else(|| PolicyError::UnknownEvent {
            line,
            rule: self.rule.clone(),
            event: name.get_ref().clone(),
        })?;
        if let Some(subject) = subject
            && !event.reaches(subject)
        {
            return Err(PolicyError::EventNotForSubject {
                line,
                rule: self.rule.clone(),
                event: event.code().to_string(),
                subject: subject.code(),
            });
        }
        Ok(event)
    }

    pub(super) fn events(&self, list: &Events, subject: Option<SubjectKind>) -> Result<Vec<Event>, PolicyError> {
        let mut out = Vec::new();
        for name in list.iter().flat_map(|l| l.get_ref()) {
            let event = self.event(name, subject)?;
            if !out.contains(&event) {
                out.push(event);
            }
        }
        Ok(out)
    }

    /// Start, stop, pause and resume of a clock rule: each event has one
    /// role, and the lists the timing needs are there.
    pub(super) fn check_clock_events(
        &self,
        raw: &RawRule,
        timing: &Timing,
        start: Option<Event>,
        stop: &[Event],
        pause: &[Event],
        resume: &[Event],
    ) -> Result<(), PolicyError> {
        let list_line = |l: &Events| l.as_ref().map_or(self.line, |l| self.at(l));
        let Some(start) = start else {
            return Err(self.missing(self.line, "a start event"));
        };
        if stop.contains(&start) {
            return Err(PolicyError::StartIsStop {
                line: list_line(&raw.stop),
                rule: self.rule.clone(),
                event: start.code().to_string(),
            });
        }
        match timing {
            Timing::Interval(_) if !stop.is_empty() => {
                return Err(self.conflict(
                    list_line(&raw.stop),
                    "an interval rule restarts on its start event and lists no stop events",
                ));
            }
            Timing::Interval(_) => {}
            _ if stop.is_empty() => {
                return Err(self.missing(list_line(&raw.stop), "at least one stop event"));
            }
            _ => {}
        }
        if pause.is_empty() != resume.is_empty() {
            let line = list_line(if pause.is_empty() { &raw.resume } else { &raw.pause });
            return Err(self.conflict(line, "pause and resume go together"));
        }
        let roles =
            [("start", vec![start]), ("stop", stop.to_vec()), ("pause", pause.to_vec()), ("resume", resume.to_vec())];
        for (i, (role_a, a)) in roles.iter().enumerate() {
            for (role_b, b) in &roles[i + 1..] {
                if let Some(e) = a.iter().find(|e| b.contains(e)) {
                    let line = list_line(match *role_b {
                        "stop" => &raw.stop,
                        "pause" => &raw.pause,
                        _ => &raw.resume,
                    });
                    return Err(self.conflict(line, format!("{e} is listed both as {role_a} and as {role_b}")));
                }
            }
        }
        Ok(())
    }

    /// A measured figure or a season runs no clock, so clock fields are
    /// refused rather than silently ignored.
    pub(super) fn check_no_clock_fields(&self, raw: &RawRule, timing: &Timing) -> Result<(), PolicyError> {
        let what = if matches!(timing, Timing::Season(_)) { "a season" } else { "a measured_only rule" };
        let present = [
            ("start", raw.start.as_ref().map(|v| self.at(v))),
            ("stop", raw.stop.as_ref().map(|v| self.at(v))),
            ("pause", raw.pause.as_ref().map(|v| self.at(v))),
            ("resume", raw.resume.as_ref().map(|v| self.at(v))),
            ("warn_at", raw.warn_at.as_ref().map(|v| self.at(v))),
            ("escalate_to", raw.escalate_to.as_ref().map(|v| self.at(v))),
        ];
        if let Some((field, Some(line))) = present.into_iter().find(|(_, l)| l.is_some()) {
            return Err(self.conflict(line, format!("{what} runs no clock and takes no {field}")));
        }
        Ok(())
    }
}
