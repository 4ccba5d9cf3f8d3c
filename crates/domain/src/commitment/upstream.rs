//! Deadlines set upstream, and the stricter of several deadlines.
//!
//! A case passed on by the 12345 government hotline or the 95598 power
//! hotline may carry the deadline that platform set. It runs as a clock of
//! the built-in rule [`UPSTREAM`] (not in any policy file, so a company
//! cannot drop or reword it): due at that very instant, stopped when the
//! customer is answered, never paused — the upstream platform does not stop
//! counting while the case waits on the customer. The case shows the
//! stricter of that deadline and Pledge's own ([`strictest`]).

use std::sync::LazyLock;

use jiff::Timestamp;

use super::clock::Clock;
use super::errors::ClockError;
use super::event::Event;
use super::policy::{CommitmentRule, DEFAULT_WARN_AT, EscalationTarget, Timing};
use super::subject::Subject;
use crate::role::Role;
use crate::utility::Utility;

/// Id of the built-in rule of a deadline set by an upstream platform. A
/// policy file may not use it.
pub const UPSTREAM: &str = "UPSTREAM";

/// The built-in rule of upstream deadlines: any case of any utility,
/// [`Timing::Fixed`], stopped by `case.answered`, no pause, the default
/// warnings and escalation. Its `policy_version` is 0: it belongs to no
/// policy file. [`Policy::rule`](crate::commitment::Policy::rule) finds it
/// by its id, so clocks of it stop, fire and escalate like any other.
pub fn upstream_rule() -> &'static CommitmentRule {
    static RULE: LazyLock<CommitmentRule> = LazyLock::new(|| CommitmentRule {
        id: UPSTREAM.to_string(),
        policy_version: 0,
        title_zh: "上级平台（12345／95598）规定的办理时限".into(),
        title_en: "Deadline set by the upstream platform (12345 / 95598)".into(),
        utilities: Utility::ALL.to_vec(),
        applies_to: Some(Subject::Case { kinds: Vec::new(), subkinds: Vec::new(), categories: Vec::new() }),
        start: Some(Event::CaseReceived),
        stop: vec![Event::CaseAnswered],
        pause: Vec::new(),
        resume: Vec::new(),
        timing: Timing::Fixed,
        window: None,
        restore_after_notice: None,
        warn_at: DEFAULT_WARN_AT.to_vec(),
        escalate_to: vec![EscalationTarget::Role(Role::DutyManager), EscalationTarget::DepartmentHead],
    });
    &RULE
}

impl Clock {
    /// Starts the clock of a [`Timing::Fixed`] rule at `at`, due at `due`
    /// exactly. A `due` at or before `at` starts the clock overdue, with
    /// the breach as its only threshold.
    pub fn start_fixed(rule: &CommitmentRule, at: Timestamp, due: Timestamp) -> Result<Clock, ClockError> {
        if rule.timing != Timing::Fixed {
            return Err(ClockError::WrongStart {
                rule: rule.id.clone(),
                reason: "only a fixed-deadline rule (UPSTREAM) is started with start_fixed",
            });
        }
        Clock::new(rule, at, due)
    }

    /// The clock of the deadline an upstream platform set: rule
    /// [`UPSTREAM`], started at `at` (when the case is received), due at
    /// `due`.
    pub fn upstream(at: Timestamp, due: Timestamp) -> Result<Clock, ClockError> {
        Clock::start_fixed(upstream_rule(), at, due)
    }
}

/// The stricter deadline among a case's clocks: the running clock with the
/// earliest due time (the first of equals). Stopped clocks have no deadline
/// any more, and a paused clock has none in force while it waits on the
/// customer, so both are passed over; `None` when no clock runs.
pub fn strictest<'a>(clocks: impl IntoIterator<Item = &'a Clock>) -> Option<&'a Clock> {
    clocks.into_iter().filter(|c| !c.is_stopped() && !c.is_paused()).fold(None, |best, c| match best {
        Some(b) if b.due_at <= c.due_at => Some(b),
        _ => Some(c),
    })
}
