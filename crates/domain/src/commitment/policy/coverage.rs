//! Every case kind has its rule: exemptions (`[[exemptions]]`), the
//! coverage check, and the rules a case event starts (with the reopen
//! fallback).
//!
//! A case is *covered* when a clock rule started by `case.received` covers
//! it (so a clock starts the moment it is received) or an exemption says it
//! runs no clock. The check looks at every case kind of every utility the
//! policy serves, with no subkind and with each subkind the kind accepts,
//! and for a case without a customer as well as for each customer category:
//! a policy that splits a kind by subkind or category must still leave no
//! case of it without a deadline. Rules started by other events (C23's
//! `connection.contracted`, say) and reopen rules do not count, because a
//! case can be received and never reach them.

use std::fmt;

use serde::Serialize;
use toml::Spanned;

use super::model::{CommitmentRule, Exemption, Policy};
use super::parse::{Cx, line_at};
use super::raw::RawExemption;
use crate::case::{CaseKind, CaseSubkind};
use crate::commitment::errors::PolicyError;
use crate::commitment::event::Event;
use crate::customer::CustomerCategory;
use crate::utility::Utility;

/// No customer, then each customer category.
const CATEGORIES: [Option<CustomerCategory>; 3] =
    [None, Some(CustomerCategory::Residential), Some(CustomerCategory::NonResidential)];

/// Cases of one kind of one utility that no rule started by `case.received`
/// covers and no exemption exempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageGap {
    pub utility: Utility,
    pub kind: CaseKind,
    /// No case of the kind is covered at all; `subkind` and `category` are
    /// then `None`.
    pub whole_kind: bool,
    /// Otherwise the first uncovered case: its subkind (`None`: a case
    /// without one) …
    pub subkind: Option<CaseSubkind>,
    /// … and its customer's category (`None`: a case without a customer).
    pub category: Option<CustomerCategory>,
}

impl fmt::Display for CoverageGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (u, k) = (self.utility.code(), self.kind.code());
        if self.whole_kind {
            return write!(f, "no rule or exemption covers {u} {k} cases");
        }
        write!(f, "no rule or exemption covers {u} {k} cases with ")?;
        match self.subkind {
            Some(s) => write!(f, "subkind {}", s.code())?,
            None => f.write_str("no subkind")?,
        }
        match self.category {
            Some(c) => write!(f, " and a {} customer", c.code()),
            None => f.write_str(" and no customer"),
        }
    }
}

impl Policy {
    /// Whether a case of this utility, kind and subkind is exempt from
    /// every clock.
    pub fn is_exempt(&self, utility: Utility, kind: CaseKind, subkind: Option<CaseSubkind>) -> bool {
        self.exemptions.iter().any(|x| x.covers_case(utility, kind, subkind))
    }

    /// Every case kind of `utilities` that has neither a rule started by
    /// `case.received` nor an exemption, one gap per kind, in the order of
    /// [`Utility::ALL`] and [`CaseKind::ALL`].
    pub fn coverage_gaps(&self, utilities: &[Utility]) -> Vec<CoverageGap> {
        let mut gaps = Vec::new();
        for utility in Utility::ALL.into_iter().filter(|u| utilities.contains(u)) {
            for kind in CaseKind::ALL {
                let subkinds = std::iter::once(None)
                    .chain(CaseSubkind::ALL.into_iter().filter(|s| kind.accepts(Some(*s))).map(Some));
                let cases: Vec<_> = subkinds.flat_map(|s| CATEGORIES.map(|c| (s, c))).collect();
                let open: Vec<_> =
                    cases.iter().filter(|(s, c)| !self.covers_at_intake(utility, kind, *s, *c)).collect();
                match open.first() {
                    None => {}
                    Some(_) if open.len() == cases.len() => {
                        gaps.push(CoverageGap { utility, kind, whole_kind: true, subkind: None, category: None });
                    }
                    Some(&&(subkind, category)) => {
                        gaps.push(CoverageGap { utility, kind, whole_kind: false, subkind, category });
                    }
                }
            }
        }
        gaps
    }

    /// Refuses a policy that leaves a case kind of one of `utilities` (the
    /// ones the company serves) without a rule or an exemption, naming the
    /// first such gap ([`PolicyError::Uncovered`], code
    /// `policy_uncovered_case_kind`, line 1). [`Policy::from_toml`] already
    /// checks the policy's own [`utilities`](Policy::utilities).
    pub fn check_coverage(&self, utilities: &[Utility]) -> Result<(), PolicyError> {
        match self.coverage_gaps(utilities).into_iter().next() {
            Some(gap) => Err(PolicyError::Uncovered { line: 1, gap }),
            None => Ok(()),
        }
    }

    /// The clock rules `event` starts on a case of this utility, kind,
    /// subkind and customer category, in policy order.
    ///
    /// For `case.reopened` these are the policy's reopen rules (rules
    /// started by `case.reopened`) that cover the case; when none does, the
    /// case's own rules start again: those `case.received` starts for it.
    /// An exempt case starts nothing.
    pub fn case_rules_started_by(
        &self,
        event: Event,
        utility: Utility,
        kind: CaseKind,
        subkind: Option<CaseSubkind>,
        category: Option<CustomerCategory>,
    ) -> Vec<&CommitmentRule> {
        if self.is_exempt(utility, kind, subkind) {
            return Vec::new();
        }
        let covering = |ev| -> Vec<&CommitmentRule> {
            self.started_by(ev).filter(|r| r.covers_case(utility, kind, subkind, category)).collect()
        };
        match covering(event) {
            rules if !rules.is_empty() || event != Event::CaseReopened => rules,
            _ => covering(Event::CaseReceived),
        }
    }

    /// Whether a clock starts when such a case is received, or it is exempt.
    fn covers_at_intake(
        &self,
        utility: Utility,
        kind: CaseKind,
        subkind: Option<CaseSubkind>,
        category: Option<CustomerCategory>,
    ) -> bool {
        self.is_exempt(utility, kind, subkind)
            || self.started_by(Event::CaseReceived).any(|r| r.covers_case(utility, kind, subkind, category))
    }
}

/// Reads and validates the `[[exemptions]]`, then refuses an exemption that
/// a clock rule contradicts.
pub(super) fn exemptions(
    src: &str,
    raw: &[RawExemption],
    rules: &[CommitmentRule],
) -> Result<Vec<Exemption>, PolicyError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, x) in raw.iter().enumerate() {
        let label = format!("exemption {}", i + 1);
        let cx = Cx { src, rule: label.clone(), line: line_at(src, x.kinds.span().start) };
        let exemption = cx.exemption(x)?;
        for utility in &exemption.utilities {
            for kind in &exemption.kinds {
                let subkinds: Vec<Option<CaseSubkind>> = if exemption.subkinds.is_empty() {
                    std::iter::once(None).chain(CaseSubkind::ALL.map(Some)).collect()
                } else {
                    exemption.subkinds.iter().copied().map(Some).collect()
                };
                let ruled = rules.iter().filter(|r| r.is_clock()).find(|r| {
                    subkinds.iter().any(|s| CATEGORIES.iter().any(|c| r.covers_case(*utility, *kind, *s, *c)))
                });
                if let Some(rule) = ruled {
                    return Err(PolicyError::ExemptButRuled {
                        line: cx.line,
                        exemption: label,
                        utility: *utility,
                        kind: *kind,
                        rule: rule.id.clone(),
                    });
                }
            }
        }
        out.push(exemption);
    }
    Ok(out)
}

impl Cx<'_> {
    fn exemption(&self, raw: &RawExemption) -> Result<Exemption, PolicyError> {
        let utilities = self.utilities(&raw.utilities)?;
        let kinds = self.names(&Some(raw.kinds.get_ref().clone()), "case kind", CaseKind::parse)?;
        if kinds.is_empty() {
            return Err(self.missing(self.at(&raw.kinds), "at least one case kind"));
        }
        let subkinds = self.names(&raw.subkinds, "case subkind", CaseSubkind::parse)?;
        for (sub, spanned) in subkinds.iter().zip(raw.subkinds.iter().flatten()) {
            if !kinds.iter().any(|k| k.accepts(Some(*sub))) {
                return Err(self.unknown(self.at(spanned), "subkind of the listed case kinds", sub.code()));
            }
        }
        let reason = |value: &Spanned<String>, what| {
            let text = value.get_ref().trim();
            if text.is_empty() { Err(self.missing(self.at(value), what)) } else { Ok(text.to_string()) }
        };
        Ok(Exemption {
            utilities,
            kinds,
            subkinds,
            reason_zh: reason(&raw.reason_zh, "a reason_zh")?,
            reason_en: reason(&raw.reason_en, "a reason_en")?,
        })
    }
}
