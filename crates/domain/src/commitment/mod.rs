//! The commitment engine's pure core: service commitments (服务承诺) as a
//! validated [`Policy`], and the [`Clock`] that turns one commitment into an
//! enforced deadline for one case, work order, outage or account.
//!
//! * [`Policy::from_toml`] reads a policy file; [`Policy::shipped`] is the
//!   default policy, one rule per timed commitment of the specification
//!   (`crates/domain/policy/default.toml`).
//! * [`Clock::start`] / [`Clock::start_before`] compute a deadline; `pause`,
//!   `resume`, `extend` and `stop` move it through its life;
//!   [`Clock::next_threshold`] and [`Clock::fire`] drive warnings and the
//!   breach. [`Clock::end`] ends it when its subject ends (met or breached
//!   by time) and [`Clock::withdraw`] withdraws it (never met).
//! * [`Policy::check_coverage`] tells whether every case kind of the
//!   company's utilities has a rule or an explicit exemption, and
//!   [`Policy::case_rules_started_by`] which rules a case event starts
//!   (with the reopen fallback).
//! * [`Clock::upstream`] runs the deadline an upstream platform (12345,
//!   95598) set, under the built-in rule [`UPSTREAM`]; [`strictest`] picks
//!   the deadline a case shows.
//!
//! No I/O and no clock reads: every instant is passed in, and all local
//! time is Asia/Shanghai.

mod clock;
mod errors;
mod event;
mod period;
pub mod policy;
mod subject;
#[cfg(test)]
mod tests;
mod upstream;
mod window;

use std::sync::LazyLock;

use jiff::tz::TimeZone;

pub use clock::{Clock, Ending, Extension, Outcome, SubjectEnd, Threshold, WithdrawKind, Withdrawal};
pub use errors::{ClockError, PolicyError};
pub use event::{Event, SubjectKind};
pub use period::Period;
pub use policy::{CommitmentRule, CoverageGap, EscalationTarget, Exemption, Policy, Target, Timing};
pub use subject::{OutageKind, Subject};
pub use upstream::{UPSTREAM, strictest, upstream_rule};
pub use window::{DailyWindow, MonthDay, Season};

/// Asia/Shanghai, in which windows, calendar days and working days are
/// counted.
fn shanghai() -> TimeZone {
    static TZ: LazyLock<TimeZone> = LazyLock::new(|| {
        TimeZone::get(crate::calendar::TIME_ZONE).expect("the bundled time zone database has Asia/Shanghai")
    });
    TZ.clone()
}
