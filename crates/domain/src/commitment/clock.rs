//! The commitment clock: a pure state machine over one deadline.
//!
//! A clock is started by its rule's start event and then told, in time
//! order, about pauses, resumptions, approved extensions and the stop. A
//! sweeper asks [`Clock::next_threshold`] for the next instant anything is
//! due (a warning at a fraction of the allowed span, then the breach),
//! indexes the clock by it, and calls [`Clock::fire`] once that instant has
//! come. Nothing here reads a clock: every instant is passed in.
//!
//! Rules of the state machine:
//!
//! * **Due time.** Minutes, hours and calendar days are elapsed time; working
//!   days are counted on the statutory calendar. A rule with a daily window
//!   moves a due time that falls outside it to the window's next opening.
//! * **Pause.** While paused (waiting on the customer) nothing fires. On
//!   resume, the due time moves later by the paused span — for working-day
//!   rules too: the elapsed pause is added as is, not recounted in working
//!   days — and the window is applied again. A clock cannot be paused once
//!   its due time has passed, so pausing never hides a breach that
//!   happened.
//! * **Extension.** Only an approved extension with an approver and a
//!   reason moves the deadline other than by a pause; it must move it
//!   later, and must be granted before the deadline has passed. Warnings
//!   already sent are not sent again after an extension.
//! * **Order.** Pause, resume, extend and stop must come in time order
//!   (each no earlier than the clock's last recorded step); firing a
//!   threshold is a notification and does not take part in that order.
//! * **Outcome.** A clock always ends, and how it ended is recorded
//!   ([`Ending`]): by one of its rule's stop events ([`Clock::stop`]), by
//!   the end of its subject — the case closed, cancelled or merged
//!   ([`Clock::end`] with [`Ending::SubjectEnded`]) — or withdrawn because
//!   the commitment no longer applies ([`Clock::withdraw`]). The first two
//!   are *met* if the clock ended at or before its due time, otherwise
//!   *breached*: the times decide, so a stop reported late can still show
//!   the commitment as met. A withdrawn clock is *withdrawn*, never met and
//!   never breached; it is counted apart. [`Clock::breached`] records that
//!   the breach threshold fired (the escalation went out).
//! * **Withdrawal.** Needs a reason and the staff member who decided
//!   (SPEC "Clock life": a duty manager or admin, i.e.
//!   [`Permission::ClockWithdraw`](crate::role::Permission::ClockWithdraw),
//!   checked by the application). Like a pause or an extension it must
//!   come before the deadline has passed: a breach that happened cannot be
//!   withdrawn.

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::errors::ClockError;
use super::period::Period;
use super::policy::{CommitmentRule, Timing, percent_of};
use super::window::DailyWindow;
use crate::calendar::WorkingCalendar;
use crate::customer::Zone;

/// Something a sweeper delivers: a warning at a percentage of the allowed
/// span, or the breach at the due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "percent", rename_all = "snake_case")]
pub enum Threshold {
    Warn(u8),
    Breach,
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Warn(p) => write!(f, "the {p} % warning"),
            Threshold::Breach => f.write_str("the breach"),
        }
    }
}

/// An approved move of the deadline (延期).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// The due time the approver granted (before any daily window).
    pub new_due: Timestamp,
    pub approver_id: String,
    pub reason: String,
    /// When it was approved.
    pub at: Timestamp,
}

/// How a stopped clock ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Ended at or before its due time.
    Met,
    /// Ended after its due time.
    Breached,
    /// The commitment no longer applied ([`Ending::Withdrawn`]): counted
    /// apart, never as met.
    Withdrawn,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Self::Met, Self::Breached, Self::Withdrawn];

    /// Stable code for storage and the API: `met`, `breached`, `withdrawn`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::Breached => "breached",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == s)
    }

    /// Whether this outcome counts as the commitment kept (only
    /// [`Outcome::Met`]).
    pub fn is_met(self) -> bool {
        self == Self::Met
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How a clock ended (SPEC "Clock life").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Ending {
    /// One of its rule's stop events happened (`case.answered`,
    /// `work_order.done`, …): met or breached by time.
    StopEvent,
    /// Its subject ended without a stop event of the rule: met or breached
    /// by time.
    SubjectEnded { how: SubjectEnd },
    /// The commitment no longer applies: withdrawn, never met.
    Withdrawn(Withdrawal),
}

impl Ending {
    /// Whether the outcome is decided by the end time against the due time
    /// (everything but a withdrawal).
    pub fn by_time(&self) -> bool {
        !matches!(self, Self::Withdrawn(_))
    }
}

/// How a clock's subject ended, when that ends the clock rather than one of
/// its rule's stop events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectEnd {
    /// The case was closed (closing ends every running clock on it).
    Closed,
    /// The subject was cancelled (an outage that will not happen).
    Cancelled,
    /// The case was merged into another (linked as its duplicate).
    Merged,
    /// The outage is over: supply is back.
    Restored,
}

impl SubjectEnd {
    pub const ALL: [SubjectEnd; 4] = [Self::Closed, Self::Cancelled, Self::Merged, Self::Restored];

    pub fn code(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
            Self::Merged => "merged",
            Self::Restored => "restored",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Why a clock was withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawKind {
    /// A duty manager's or admin's explicit decision (e.g. the repair
    /// turned out unnecessary).
    Decision,
    /// The outage the clock is about was cancelled.
    OutageCancelled,
    /// The case was linked as the duplicate of another case, which carries
    /// the commitment.
    Duplicate,
}

impl WithdrawKind {
    pub const ALL: [WithdrawKind; 3] = [Self::Decision, Self::OutageCancelled, Self::Duplicate];

    /// Stable code for storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Decision => "decision",
            Self::OutageCancelled => "outage_cancelled",
            Self::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Decision => "决定撤销",
            Self::OutageCancelled => "停供取消",
            Self::Duplicate => "重复工单",
        }
    }
}

/// A recorded withdrawal: why, who decided and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub kind: WithdrawKind,
    /// Never empty (trimmed).
    pub reason: String,
    /// The staff member who decided (a duty manager or admin), as text
    /// like [`Extension::approver_id`].
    pub by_id: String,
    pub at: Timestamp,
}

/// One running, paused or stopped commitment deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    pub rule_id: String,
    pub policy_version: u32,
    pub started_at: Timestamp,
    /// The deadline now in force (after pauses, extensions and the window).
    pub due_at: Timestamp,
    /// Set while paused.
    pub paused_at: Option<Timestamp>,
    /// Total time spent paused so far.
    pub paused_total: SignedDuration,
    /// Bit `i` is set once the warning at `warn_at[i]` has fired or been
    /// passed over by a later threshold.
    pub warned: u8,
    /// The breach threshold has fired.
    pub breached: bool,
    pub stopped_at: Option<Timestamp>,
    /// Approved extensions, oldest first.
    pub extended: Vec<Extension>,
    /// The rule's warning fractions, copied so the clock stands alone.
    pub warn_at: Vec<f64>,
    /// The rule's daily window, if any.
    pub window: Option<DailyWindow>,
    /// The deadline before the window moved it.
    pub base_due: Timestamp,
    /// The time of the last recorded step (start, pause, resume, extend,
    /// stop).
    pub updated_at: Timestamp,
    /// How the clock ended; `None` while it runs. A stopped clock stored
    /// before this field existed reads as [`Ending::StopEvent`] (see
    /// [`Clock::ending`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending: Option<Ending>,
    /// The code of the event that started the clock (`case.received`,
    /// `case.reopened` …), set by whoever starts it; `None` on clocks
    /// stored before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
}

impl Clock {
    /// Starts the clock of a duration, zone or interval rule at `at`.
    ///
    /// `zone` is needed by a `duration_by_zone` rule and ignored otherwise;
    /// `calendar` is used for working days, and an instant beyond its
    /// tables fails with [`ClockError::Calendar`].
    pub fn start(
        rule: &CommitmentRule,
        at: Timestamp,
        zone: Option<Zone>,
        calendar: &WorkingCalendar,
    ) -> Result<Clock, ClockError> {
        let period = match rule.timing {
            Timing::Measured(_) | Timing::Season(_) => {
                return Err(ClockError::NotAClock { rule: rule.id.clone() });
            }
            Timing::LeadTime(_) => {
                return Err(ClockError::WrongStart {
                    rule: rule.id.clone(),
                    reason: "a lead-time rule is started with start_before and the instant it leads",
                });
            }
            Timing::Fixed => {
                return Err(ClockError::WrongStart {
                    rule: rule.id.clone(),
                    reason: "a fixed-deadline rule is started with start_fixed and its due instant",
                });
            }
            _ => rule.period_for(zone).ok_or_else(|| ClockError::ZoneRequired { rule: rule.id.clone() })?,
        };
        Self::new(rule, at, period.after(at, calendar)?)
    }

    /// Starts the clock of a lead-time rule at `at`: due `lead_time` before
    /// `reference` (C3: 48 h before a planned outage starts, stopped by its
    /// announcement). If that moment has already passed, the clock starts
    /// overdue and its only threshold is the breach.
    pub fn start_before(rule: &CommitmentRule, at: Timestamp, reference: Timestamp) -> Result<Clock, ClockError> {
        let lead: Period = match rule.timing {
            Timing::LeadTime(lead) => lead,
            Timing::Measured(_) | Timing::Season(_) => {
                return Err(ClockError::NotAClock { rule: rule.id.clone() });
            }
            _ => {
                return Err(ClockError::WrongStart {
                    rule: rule.id.clone(),
                    reason: "only a lead-time rule is started with start_before",
                });
            }
        };
        Self::new(rule, at, lead.before(reference)?)
    }

    pub(super) fn new(rule: &CommitmentRule, at: Timestamp, base_due: Timestamp) -> Result<Clock, ClockError> {
        let due_at = place(rule.window, base_due)?;
        let warn_at = rule.warn_at.clone();
        // With nothing left to count down, only the breach remains.
        let warned = if due_at <= at { all_bits(warn_at.len()) } else { 0 };
        Ok(Clock {
            rule_id: rule.id.clone(),
            policy_version: rule.policy_version,
            started_at: at,
            due_at,
            paused_at: None,
            paused_total: SignedDuration::ZERO,
            warned,
            breached: false,
            stopped_at: None,
            extended: Vec::new(),
            warn_at,
            window: rule.window,
            base_due,
            updated_at: at,
            ending: None,
            started_by: None,
        })
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped_at.is_some()
    }

    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// `None` while the clock runs; withdrawn if it was withdrawn, else met
    /// if it ended at or before its due time and breached otherwise.
    pub fn outcome(&self) -> Option<Outcome> {
        let at = self.stopped_at?;
        Some(match self.ending {
            Some(Ending::Withdrawn(_)) => Outcome::Withdrawn,
            _ if at <= self.due_at => Outcome::Met,
            _ => Outcome::Breached,
        })
    }

    /// How the clock ended; `None` while it runs.
    pub fn ending(&self) -> Option<Ending> {
        self.stopped_at?;
        Some(self.ending.clone().unwrap_or(Ending::StopEvent))
    }

    /// The withdrawal, if the clock was withdrawn.
    pub fn withdrawal(&self) -> Option<&Withdrawal> {
        match &self.ending {
            Some(Ending::Withdrawn(w)) => Some(w),
            _ => None,
        }
    }

    /// Pauses the clock (the case waits on the customer).
    pub fn pause(&mut self, at: Timestamp) -> Result<(), ClockError> {
        self.ensure_running()?;
        self.ensure_order(at)?;
        if at > self.due_at {
            return Err(ClockError::Overdue { due_at: self.due_at, at });
        }
        self.paused_at = Some(at);
        self.updated_at = at;
        Ok(())
    }

    /// Resumes a paused clock; the due time moves later by the paused span.
    pub fn resume(&mut self, at: Timestamp) -> Result<(), ClockError> {
        self.ensure_not_stopped()?;
        if self.paused_at.is_none() {
            return Err(ClockError::NotPaused);
        }
        self.ensure_order(at)?;
        self.end_pause(at)?;
        self.updated_at = at;
        Ok(())
    }

    /// Stops the clock (one of its rule's stop events happened) and tells
    /// whether the commitment was met. A paused clock is resumed at `at`
    /// first. The same as [`Clock::end`] with [`Ending::StopEvent`].
    pub fn stop(&mut self, at: Timestamp) -> Result<Outcome, ClockError> {
        self.end(at, Ending::StopEvent)
    }

    /// Ends the clock at `at` the way `ending` says and returns the outcome:
    /// met or breached by time for [`Ending::StopEvent`] and
    /// [`Ending::SubjectEnded`] (due exactly at `at` is met), withdrawn for
    /// [`Ending::Withdrawn`] (see [`Clock::withdraw`] for its checks; its
    /// `at` is set to `at`). A paused clock is resumed at `at` first.
    pub fn end(&mut self, at: Timestamp, ending: Ending) -> Result<Outcome, ClockError> {
        self.ensure_not_stopped()?;
        self.ensure_order(at)?;
        // Worked on a copy so that a refusal leaves the clock as it was.
        let mut next = self.clone();
        if next.paused_at.is_some() {
            next.end_pause(at)?;
        }
        let ending = match ending {
            Ending::Withdrawn(w) => {
                // Against the due time in force once the pause (if any) is over.
                if at > next.due_at {
                    return Err(ClockError::Overdue { due_at: next.due_at, at });
                }
                let (reason, by_id) = (w.reason.trim(), w.by_id.trim());
                if reason.is_empty() || by_id.is_empty() {
                    return Err(ClockError::WithdrawalIncomplete);
                }
                Ending::Withdrawn(Withdrawal { kind: w.kind, reason: reason.to_string(), by_id: by_id.to_string(), at })
            }
            other => other,
        };
        next.stopped_at = Some(at);
        next.ending = Some(ending);
        next.updated_at = at;
        *self = next;
        Ok(self.outcome().expect("just ended"))
    }

    /// Withdraws the clock at `at`: the commitment no longer applies. The
    /// outcome is [`Outcome::Withdrawn`], never met. Needs a reason and the
    /// deciding staff member (the application checks that they hold
    /// [`Permission::ClockWithdraw`](crate::role::Permission::ClockWithdraw)),
    /// and must come no later than the due time: a breach that happened
    /// cannot be withdrawn ([`ClockError::Overdue`]).
    pub fn withdraw(&mut self, at: Timestamp, kind: WithdrawKind, reason: &str, by_id: &str) -> Result<(), ClockError> {
        let w = Withdrawal { kind, reason: reason.to_string(), by_id: by_id.to_string(), at };
        self.end(at, Ending::Withdrawn(w)).map(|_| ())
    }

    /// Records an approved extension and moves the deadline to `new_due`
    /// (then to the window's next opening, if the rule has one).
    pub fn extend(
        &mut self,
        new_due: Timestamp,
        approver_id: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<(), ClockError> {
        self.ensure_running()?;
        self.ensure_order(at)?;
        if at > self.due_at {
            return Err(ClockError::Overdue { due_at: self.due_at, at });
        }
        let (approver_id, reason) = (approver_id.trim(), reason.trim());
        if approver_id.is_empty() || reason.is_empty() {
            return Err(ClockError::ExtensionIncomplete);
        }
        if new_due <= self.due_at {
            return Err(ClockError::ExtensionNotLater { due_at: self.due_at, new_due });
        }
        self.base_due = new_due;
        self.due_at = place(self.window, new_due)?;
        self.extended.push(Extension { new_due, approver_id: approver_id.to_string(), reason: reason.to_string(), at });
        self.updated_at = at;
        Ok(())
    }

    /// Every threshold with its instant on the current span, in order:
    /// the warnings, then the breach at `due_at`.
    pub fn thresholds(&self) -> Vec<(Threshold, Timestamp)> {
        let mut out: Vec<_> = (0..self.warn_at.len())
            .map(|i| (Threshold::Warn(percent_of(self.warn_at[i])), self.warn_instant(i)))
            .collect();
        out.push((Threshold::Breach, self.due_at));
        out
    }

    /// The next threshold not yet fired and its instant, or `None` when the
    /// clock is stopped, paused or has fired everything.
    pub fn next_threshold(&self) -> Option<(Threshold, Timestamp)> {
        if self.is_stopped() || self.is_paused() || self.breached {
            return None;
        }
        let next = self.next_warning();
        if next < self.warn_at.len() {
            return Some((Threshold::Warn(percent_of(self.warn_at[next])), self.warn_instant(next)));
        }
        Some((Threshold::Breach, self.due_at))
    }

    /// Marks `threshold` as delivered at `at`. Each fires once; firing one
    /// passes over earlier warnings not yet fired. Fails if it (or a later
    /// one) already fired, if its instant has not come, or if the clock is
    /// stopped or paused.
    pub fn fire(&mut self, threshold: Threshold, at: Timestamp) -> Result<(), ClockError> {
        self.ensure_running()?;
        let (index, due) = match threshold {
            Threshold::Warn(p) => {
                let i = (0..self.warn_at.len())
                    .find(|&i| percent_of(self.warn_at[i]) == p)
                    .ok_or(ClockError::UnknownThreshold { threshold })?;
                (Some(i), self.warn_instant(i))
            }
            Threshold::Breach => (None, self.due_at),
        };
        let fired = self.breached || index.is_some_and(|i| i < self.next_warning());
        if fired {
            return Err(ClockError::AlreadyFired { threshold });
        }
        if at < due {
            return Err(ClockError::NotYet { threshold, due, at });
        }
        match index {
            Some(i) => self.warned |= all_bits(i + 1),
            None => {
                self.warned = all_bits(self.warn_at.len());
                self.breached = true;
            }
        }
        Ok(())
    }

    /// Index of the first warning after the last one fired.
    fn next_warning(&self) -> usize {
        (u8::BITS - self.warned.leading_zeros()) as usize
    }

    /// `started_at` plus the warning's fraction of the span to `due_at`,
    /// in whole seconds.
    fn warn_instant(&self, i: usize) -> Timestamp {
        let span = self.due_at.duration_since(self.started_at);
        let secs = (span.as_secs_f64() * self.warn_at[i]).floor() as i64;
        self.started_at.checked_add(SignedDuration::from_secs(secs)).unwrap_or(self.due_at)
    }

    fn end_pause(&mut self, at: Timestamp) -> Result<(), ClockError> {
        let paused_at = self.paused_at.take().expect("paused");
        let span = at.duration_since(paused_at);
        self.paused_total =
            self.paused_total.checked_add(span).ok_or_else(|| ClockError::arithmetic("pause too long"))?;
        self.base_due = self.base_due.checked_add(span).map_err(ClockError::arithmetic)?;
        self.due_at = place(self.window, self.base_due)?.max(self.due_at);
        Ok(())
    }

    fn ensure_not_stopped(&self) -> Result<(), ClockError> {
        match self.stopped_at {
            Some(stopped_at) => Err(ClockError::Stopped { stopped_at }),
            None => Ok(()),
        }
    }

    fn ensure_running(&self) -> Result<(), ClockError> {
        self.ensure_not_stopped()?;
        match self.paused_at {
            Some(paused_at) => Err(ClockError::Paused { paused_at }),
            None => Ok(()),
        }
    }

    fn ensure_order(&self, at: Timestamp) -> Result<(), ClockError> {
        if at < self.updated_at {
            return Err(ClockError::OutOfOrder { at, last: self.updated_at });
        }
        Ok(())
    }
}

/// The due time after the daily window, if any.
fn place(window: Option<DailyWindow>, due: Timestamp) -> Result<Timestamp, ClockError> {
    match window {
        Some(w) => w.next_allowed(due),
        None => Ok(due),
    }
}

/// The lowest `n` bits set.
fn all_bits(n: usize) -> u8 {
    if n >= 8 { u8::MAX } else { (1u8 << n) - 1 }
}
