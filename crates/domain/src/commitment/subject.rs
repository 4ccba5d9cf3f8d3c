//! What a commitment applies to (`applies_to` in a policy file).

use jiff::SignedDuration;
use serde::Serialize;

use super::event::SubjectKind;
use super::period::Period;
use crate::case::{CaseKind, CaseSubkind};
use crate::customer::CustomerCategory;

/// Planned (计划) or emergency (突发/抢修) supply interruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageKind {
    Planned,
    Emergency,
    /// Temporary maintenance (临时检修) of the power network: a planned stop
    /// on short notice (24 h instead of 7 days). Power only.
    Temporary,
}

impl OutageKind {
    pub const ALL: [OutageKind; 3] = [Self::Planned, Self::Emergency, Self::Temporary];

    pub fn code(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Emergency => "emergency",
            Self::Temporary => "temporary",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Whether an outage of `utility` may be of this kind: `temporary`
    /// maintenance is a power term only.
    pub fn allowed_for(self, utility: crate::Utility) -> bool {
        self != Self::Temporary || utility == crate::Utility::Power
    }

    /// Planned ahead (with a notice period), as opposed to an emergency.
    pub fn is_planned(self) -> bool {
        self != Self::Emergency
    }
}

/// The thing a rule's clock is attached to, with the conditions it must
/// meet. An empty list means "any".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "subject", rename_all = "snake_case")]
pub enum Subject {
    /// A case of one of `kinds`, refined by one of `subkinds`, for a
    /// customer of one of `categories`.
    Case { kinds: Vec<CaseKind>, subkinds: Vec<CaseSubkind>, categories: Vec<CustomerCategory> },
    /// A work order.
    WorkOrder,
    /// An outage of one of `kinds` expected to last longer than
    /// `longer_than` (if set).
    Outage { kinds: Vec<OutageKind>, longer_than: Option<Period> },
    /// A customer account (its premises), e.g. for periodic inspections.
    Account { categories: Vec<CustomerCategory> },
    /// A telephone call to the hotline or a counter (measured figures).
    Call,
}

impl Subject {
    pub fn kind(&self) -> SubjectKind {
        match self {
            Self::Case { .. } => SubjectKind::Case,
            Self::WorkOrder => SubjectKind::WorkOrder,
            Self::Outage { .. } => SubjectKind::Outage,
            Self::Account { .. } => SubjectKind::Account,
            Self::Call => SubjectKind::Call,
        }
    }

    /// Whether a case of this kind, subkind and customer category is
    /// covered. A rule listing subkinds covers only cases that carry one of
    /// them.
    pub fn covers_case(
        &self,
        kind: CaseKind,
        subkind: Option<CaseSubkind>,
        category: Option<CustomerCategory>,
    ) -> bool {
        let Self::Case { kinds, subkinds, categories } = self else {
            return false;
        };
        any_or(kinds, Some(kind)) && any_or(subkinds, subkind) && any_or(categories, category)
    }

    /// Whether an outage of this kind, expected to last `expected`, is
    /// covered.
    pub fn covers_outage(&self, kind: OutageKind, expected: SignedDuration) -> bool {
        let Self::Outage { kinds, longer_than } = self else {
            return false;
        };
        let long_enough = match longer_than.and_then(Period::fixed) {
            Some(limit) => expected > limit,
            None => true,
        };
        any_or(kinds, Some(kind)) && long_enough
    }

    /// Whether an account of this category is covered.
    pub fn covers_account(&self, category: CustomerCategory) -> bool {
        match self {
            Self::Account { categories } => any_or(categories, Some(category)),
            _ => false,
        }
    }
}

/// An empty list accepts anything; otherwise the value must be present and
/// listed.
fn any_or<T: PartialEq>(list: &[T], value: Option<T>) -> bool {
    list.is_empty() || value.is_some_and(|v| list.contains(&v))
}
