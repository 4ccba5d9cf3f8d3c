//! Why a policy was refused, and why a clock refused an operation.

use jiff::Timestamp;

use super::clock::Threshold;
use super::policy::CoverageGap;
use crate::calendar::CalendarError;
use crate::case::CaseKind;
use crate::utility::Utility;

/// A refused policy file. Every variant carries the 1-based line of the
/// TOML source it is about, for the administrator editing the file; the
/// [`code`](PolicyError::code) is stable and meant for the API and logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not TOML, or TOML of the wrong shape (missing field, wrong type,
    /// unknown field).
    #[error("line {line}: the policy could not be read: {message}")]
    Syntax { line: usize, message: String },

    /// A second rule with an id already used.
    #[error("line {line}: the rule id {rule} is used twice")]
    DuplicateRule { line: usize, rule: String },

    /// An event name outside the known set.
    #[error("line {line}: rule {rule} names the unknown event {event:?}")]
    UnknownEvent { line: usize, rule: String, event: String },

    /// A utility other than gas, water, heat, power or "all".
    #[error("line {line}: rule {rule} names the unknown utility {utility:?} (gas, water, heat, power or all)")]
    UnknownUtility { line: usize, rule: String, utility: String },

    /// An unknown subject, case kind, subkind, customer category, outage
    /// kind or escalation target.
    #[error("line {line}: rule {rule} names the unknown {what} {value:?}")]
    UnknownKind { line: usize, rule: String, what: &'static str, value: String },

    /// An event that never reaches the rule's subject (an outage event on a
    /// case rule, say), so the clock could never start or stop.
    #[error("line {line}: rule {rule}: the event {event} never happens to a {subject}")]
    EventNotForSubject { line: usize, rule: String, event: String, subject: &'static str },

    /// A duration, lead time, interval or target of zero or less.
    #[error("line {line}: rule {rule}: {field} must be a positive whole number")]
    NotPositive { line: usize, rule: String, field: String },

    /// A duration with no unit or with several units.
    #[error("line {line}: rule {rule}: {field} needs exactly one of minutes, hours, working_days, calendar_days")]
    DurationUnits { line: usize, rule: String, field: String },

    /// A daily window that is not `HH:MM`, or whose end is not after its
    /// start.
    #[error("line {line}: rule {rule}: invalid window: {reason}")]
    InvalidWindow { line: usize, rule: String, reason: String },

    /// A season whose ends are not `MM-DD`, or are the same day.
    #[error("line {line}: rule {rule}: invalid season: {reason}")]
    InvalidSeason { line: usize, rule: String, reason: String },

    /// Warning fractions outside (0, 1), not strictly increasing, or more
    /// than eight.
    #[error("line {line}: rule {rule}: invalid warn_at: {reason}")]
    InvalidWarnAt { line: usize, rule: String, reason: String },

    /// The start event is also one of the stop events.
    #[error("line {line}: rule {rule}: {event} cannot both start and stop the clock")]
    StartIsStop { line: usize, rule: String, event: String },

    /// A field the rule needs is absent.
    #[error("line {line}: rule {rule} needs {what}")]
    Missing { line: usize, rule: String, what: &'static str },

    /// Fields that cannot go together.
    #[error("line {line}: rule {rule}: {reason}")]
    Conflict { line: usize, rule: String, reason: String },

    /// A rule id reserved for a built-in rule (`UPSTREAM`).
    #[error("line {line}: the rule id {rule} is reserved for the deadline an upstream platform sets")]
    ReservedRule { line: usize, rule: String },

    /// A case kind of a utility the policy serves that no rule started by
    /// `case.received` covers and no exemption exempts. The line is 1 (the
    /// file as a whole).
    #[error(
        "line {line}: {gap}: add a rule started by case.received that covers them, or an [[exemptions]] entry saying why they run no clock"
    )]
    Uncovered { line: usize, gap: CoverageGap },

    /// An exemption covering cases a clock rule also covers: the policy
    /// would both time them and say they run no clock.
    #[error(
        "line {line}: {exemption} exempts {} {} cases, but rule {rule} covers them",
        .utility.code(),
        .kind.code()
    )]
    ExemptButRuled { line: usize, exemption: String, utility: Utility, kind: CaseKind, rule: String },
}

impl PolicyError {
    /// Stable machine-readable code, e.g. `policy_unknown_event`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } => "policy_syntax",
            Self::DuplicateRule { .. } => "policy_duplicate_rule",
            Self::UnknownEvent { .. } => "policy_unknown_event",
            Self::UnknownUtility { .. } => "policy_unknown_utility",
            Self::UnknownKind { .. } => "policy_unknown_kind",
            Self::EventNotForSubject { .. } => "policy_event_not_for_subject",
            Self::NotPositive { .. } => "policy_not_positive",
            Self::DurationUnits { .. } => "policy_duration_units",
            Self::InvalidWindow { .. } => "policy_invalid_window",
            Self::InvalidSeason { .. } => "policy_invalid_season",
            Self::InvalidWarnAt { .. } => "policy_invalid_warn_at",
            Self::StartIsStop { .. } => "policy_start_is_stop",
            Self::Missing { .. } => "policy_missing",
            Self::Conflict { .. } => "policy_conflict",
            Self::ReservedRule { .. } => "policy_reserved_rule",
            Self::Uncovered { .. } => "policy_uncovered_case_kind",
            Self::ExemptButRuled { .. } => "policy_exempt_but_ruled",
        }
    }

    /// The 1-based line of the policy source the error is about.
    pub fn line(&self) -> usize {
        match self {
            Self::Syntax { line, .. }
            | Self::DuplicateRule { line, .. }
            | Self::UnknownEvent { line, .. }
            | Self::UnknownUtility { line, .. }
            | Self::UnknownKind { line, .. }
            | Self::EventNotForSubject { line, .. }
            | Self::NotPositive { line, .. }
            | Self::DurationUnits { line, .. }
            | Self::InvalidWindow { line, .. }
            | Self::InvalidSeason { line, .. }
            | Self::InvalidWarnAt { line, .. }
            | Self::StartIsStop { line, .. }
            | Self::Missing { line, .. }
            | Self::Conflict { line, .. }
            | Self::ReservedRule { line, .. }
            | Self::Uncovered { line, .. }
            | Self::ExemptButRuled { line, .. } => *line,
        }
    }
}

/// An operation a clock refused, or a deadline it could not compute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClockError {
    /// Counting working days ran outside the calendar's tables.
    #[error(transparent)]
    Calendar(#[from] CalendarError),

    /// The rule is a measured figure or a season, not a clock.
    #[error("rule {rule} is not a clock (it is a measured figure or a season)")]
    NotAClock { rule: String },

    /// The rule's duration depends on the zone and none was given.
    #[error("rule {rule} counts differently in urban and rural zones; the premises' zone is needed")]
    ZoneRequired { rule: String },

    /// `start` was used for a lead-time rule, or `start_before` for a rule
    /// that is not one.
    #[error("rule {rule}: {reason}")]
    WrongStart { rule: String, reason: &'static str },

    /// The clock has already stopped.
    #[error("the clock stopped at {stopped_at}")]
    Stopped { stopped_at: Timestamp },

    /// The clock is paused and must be resumed first.
    #[error("the clock is paused since {paused_at}")]
    Paused { paused_at: Timestamp },

    /// `resume` on a clock that is not paused.
    #[error("the clock is not paused")]
    NotPaused,

    /// An operation dated before the clock's last recorded operation.
    #[error("{at} is before the clock's last recorded step at {last}")]
    OutOfOrder { at: Timestamp, last: Timestamp },

    /// Pausing, extending or withdrawing after the deadline has passed: a
    /// breach that happened cannot be undone.
    #[error("the clock fell due at {due_at}; at {at} it can no longer be paused, extended or withdrawn")]
    Overdue { due_at: Timestamp, at: Timestamp },

    /// An extension that does not move the deadline later.
    #[error("an extension must move the deadline later than {due_at}, not to {new_due}")]
    ExtensionNotLater { due_at: Timestamp, new_due: Timestamp },

    /// An extension without an approver or a reason.
    #[error("an extension needs an approver and a reason")]
    ExtensionIncomplete,

    /// A withdrawal without a reason or the staff member who decided.
    #[error("a withdrawal needs a reason and the staff member who decided")]
    WithdrawalIncomplete,

    /// This threshold, or a later one, has already fired.
    #[error("{threshold} has already fired")]
    AlreadyFired { threshold: Threshold },

    /// The threshold is not due yet.
    #[error("{threshold} is due at {due}, not yet at {at}")]
    NotYet { threshold: Threshold, due: Timestamp, at: Timestamp },

    /// A warning percentage the clock's rule does not have.
    #[error("this clock has no {threshold}")]
    UnknownThreshold { threshold: Threshold },

    /// A date or time out of range.
    #[error("date arithmetic failed: {detail}")]
    Arithmetic { detail: String },
}

impl ClockError {
    /// Stable machine-readable code, e.g. `clock_overdue`. Calendar errors
    /// keep the calendar's own code (e.g. `calendar_not_covered`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Calendar(e) => e.code(),
            Self::NotAClock { .. } => "clock_not_a_clock",
            Self::ZoneRequired { .. } => "clock_zone_required",
            Self::WrongStart { .. } => "clock_wrong_start",
            Self::Stopped { .. } => "clock_stopped",
            Self::Paused { .. } => "clock_paused",
            Self::NotPaused => "clock_not_paused",
            Self::OutOfOrder { .. } => "clock_out_of_order",
            Self::Overdue { .. } => "clock_overdue",
            Self::ExtensionNotLater { .. } => "clock_extension_not_later",
            Self::ExtensionIncomplete => "clock_extension_incomplete",
            Self::WithdrawalIncomplete => "clock_withdrawal_incomplete",
            Self::AlreadyFired { .. } => "clock_already_fired",
            Self::NotYet { .. } => "clock_threshold_not_yet",
            Self::UnknownThreshold { .. } => "clock_unknown_threshold",
            Self::Arithmetic { .. } => "clock_arithmetic",
        }
    }

    pub(crate) fn arithmetic(e: impl std::fmt::Display) -> Self {
        Self::Arithmetic { detail: e.to_string() }
    }
}
