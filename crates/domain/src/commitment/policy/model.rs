//! The parsed, validated policy.

use serde::Serialize;

use crate::case::{CaseKind, CaseSubkind};
use crate::commitment::event::Event;
use crate::commitment::period::Period;
use crate::commitment::subject::{OutageKind, Subject};
use crate::commitment::upstream::{UPSTREAM, upstream_rule};
use crate::commitment::window::{DailyWindow, Season};
use crate::customer::{CustomerCategory, Zone};
use crate::role::Role;
use crate::utility::Utility;
use jiff::SignedDuration;

/// A company's service commitments, as data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// Bumped by the administrator on every change; clocks record the
    /// version they were started under.
    pub version: u32,
    pub company: String,
    /// The utilities the policy is written for (`utilities` at the top of
    /// the file, all four unless it says otherwise). Every case kind of
    /// each of them has a rule or an exemption (see
    /// [`Policy::check_coverage`]).
    pub utilities: Vec<Utility>,
    pub commitments: Vec<CommitmentRule>,
    /// Case kinds that deliberately run no clock (`[[exemptions]]`).
    pub exemptions: Vec<Exemption>,
}

/// An explicit "no rule" (`[[exemptions]]`): cases of these kinds (and, if
/// listed, subkinds) of these utilities run no commitment clock, on
/// purpose — praise and nuisance calls, say. No clock rule of the policy
/// may cover a case an exemption covers; exemptions may overlap each
/// other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exemption {
    /// Never empty; `"all"` in the file becomes all four.
    pub utilities: Vec<Utility>,
    /// Never empty.
    pub kinds: Vec<CaseKind>,
    /// Empty means any subkind, and none.
    pub subkinds: Vec<CaseSubkind>,
    pub reason_zh: String,
    pub reason_en: String,
}

impl Exemption {
    /// Whether a case of this utility, kind and subkind is exempt (for any
    /// customer category).
    pub fn covers_case(&self, utility: Utility, kind: CaseKind, subkind: Option<CaseSubkind>) -> bool {
        self.utilities.contains(&utility)
            && self.kinds.contains(&kind)
            && (self.subkinds.is_empty() || subkind.is_some_and(|s| self.subkinds.contains(&s)))
    }
}

/// One commitment (SPEC C1–C37), e.g. "a result within 3 working days".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentRule {
    /// The SPEC number, possibly with a letter (`C26a`).
    pub id: String,
    /// Version of the policy this rule came from.
    pub policy_version: u32,
    pub title_zh: String,
    pub title_en: String,
    /// Never empty; `"all"` in the file becomes all four.
    pub utilities: Vec<Utility>,
    /// `None` only for a season.
    pub applies_to: Option<Subject>,
    /// The event that starts the clock (`None` for measured figures and
    /// seasons). For an [`Timing::Interval`] rule it also ends the running
    /// clock and starts the next one.
    pub start: Option<Event>,
    /// Events that stop the clock: the commitment is then met or breached.
    pub stop: Vec<Event>,
    /// Events that pause the clock while the case waits on the customer.
    pub pause: Vec<Event>,
    /// Events that resume it.
    pub resume: Vec<Event>,
    pub timing: Timing,
    /// Deadlines outside this daily window move to its next opening.
    pub window: Option<DailyWindow>,
    /// On a rule `outage.restored` stops (C5): how long after the (latest)
    /// restore notice supply may come back (`restore_after_notice`).
    pub restore_after_notice: Option<jiff::SignedDuration>,
    /// Fractions of the allowed span at which to warn, strictly increasing
    /// within (0, 1); `[0.5, 0.8]` unless the file says otherwise.
    pub warn_at: Vec<f64>,
    /// Who is told on breach, in order.
    pub escalate_to: Vec<EscalationTarget>,
}

/// How a rule counts time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// Due this long after the start event (`duration`).
    Duration(Period),
    /// Due after a duration that depends on the premises' zone
    /// (`duration_by_zone`, C8).
    ByZone { urban: Period, rural: Period },
    /// Due this long *before* a reference instant, e.g. the planned start
    /// of an outage (`lead_time`, C3): started with
    /// [`Clock::start_before`](crate::commitment::Clock::start_before).
    LeadTime(Period),
    /// Recurring: due this long after the start event, which also stops
    /// the previous clock (`interval`, C6).
    Interval(Period),
    /// A figure that is measured and reported, not timed
    /// (`measured_only = true`, C27).
    Measured(Target),
    /// A yearly season other rules and screens refer to (`season`, C21).
    Season(Season),
    /// Due at an instant given from outside, not computed: the deadline an
    /// upstream platform (12345, 95598) set for a case it passed on.
    /// Started with [`Clock::start_fixed`](crate::commitment::Clock::start_fixed).
    /// Only the built-in [`UPSTREAM`](crate::commitment::UPSTREAM) rule has
    /// it; a policy file cannot say it.
    Fixed,
}

/// The measured target of a [`Timing::Measured`] rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A call is picked up within this many rings.
    Rings(u32),
}

/// Who hears of a breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationTarget {
    /// Everyone on duty in a role (e.g. the duty manager).
    Role(Role),
    /// The head of the department that owns the subject.
    DepartmentHead,
}

impl EscalationTarget {
    pub fn parse(s: &str) -> Option<Self> {
        if s == "department_head" {
            return Some(Self::DepartmentHead);
        }
        Role::ALL.into_iter().find(|r| r.code() == s).map(Self::Role)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Role(r) => r.code(),
            Self::DepartmentHead => "department_head",
        }
    }
}

impl CommitmentRule {
    /// Whether the rule runs a clock (as opposed to a measured figure or a
    /// season).
    pub fn is_clock(&self) -> bool {
        !self.measured_only() && !matches!(self.timing, Timing::Season(_))
    }

    /// Whether the rule is a measured figure only (C27).
    pub fn measured_only(&self) -> bool {
        matches!(self.timing, Timing::Measured(_))
    }

    /// The period the clock allows after its start, for the given zone.
    /// `None` for lead times, measured figures and seasons, and for a
    /// zone-dependent rule without a zone.
    pub fn period_for(&self, zone: Option<Zone>) -> Option<Period> {
        match (self.timing, zone) {
            (Timing::Duration(p) | Timing::Interval(p), _) => Some(p),
            (Timing::ByZone { urban, .. }, Some(Zone::Urban)) => Some(urban),
            (Timing::ByZone { rural, .. }, Some(Zone::Rural)) => Some(rural),
            _ => None,
        }
    }

    /// Whether the rule covers a case of this utility, kind, subkind and
    /// customer category.
    pub fn covers_case(
        &self,
        utility: Utility,
        kind: CaseKind,
        subkind: Option<CaseSubkind>,
        category: Option<CustomerCategory>,
    ) -> bool {
        self.utilities.contains(&utility)
            && self.applies_to.as_ref().is_some_and(|s| s.covers_case(kind, subkind, category))
    }

    /// Whether the rule covers an outage of this utility and kind, expected
    /// to last `expected`.
    pub fn covers_outage(&self, utility: Utility, kind: OutageKind, expected: SignedDuration) -> bool {
        self.utilities.contains(&utility) && self.applies_to.as_ref().is_some_and(|s| s.covers_outage(kind, expected))
    }

    /// Whether the rule covers an account of this utility and category.
    pub fn covers_account(&self, utility: Utility, category: CustomerCategory) -> bool {
        self.utilities.contains(&utility) && self.applies_to.as_ref().is_some_and(|s| s.covers_account(category))
    }
}

impl Policy {
    /// The rule with this id; [`UPSTREAM`](crate::commitment::UPSTREAM)
    /// is the built-in [`upstream_rule`](crate::commitment::upstream_rule).
    pub fn rule(&self, id: &str) -> Option<&CommitmentRule> {
        self.commitments.iter().find(|r| r.id == id).or_else(|| (id == UPSTREAM).then(upstream_rule))
    }

    /// The clock rules `event` starts.
    pub fn started_by(&self, event: Event) -> impl Iterator<Item = &CommitmentRule> {
        self.commitments.iter().filter(move |r| r.is_clock() && r.start == Some(event))
    }
}
