//! Stored commitment clocks and their statistics.

use crate::Utility;
use crate::commitment::Clock;
use crate::ids::{ClockId, CompanyId, DepartmentId};

/// A stored clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockRecord {
    pub id: ClockId,
    pub company_id: CompanyId,
    /// What the clock is attached to: `case` (later `work_order`, `outage`, `account`).
    pub subject: String,
    pub subject_id: i64,
    pub utility: Utility,
    pub department_id: Option<DepartmentId>,
    pub clock: Clock,
}

impl ClockRecord {
    /// `running`, `paused` or `stopped`.
    pub fn state(&self) -> &'static str {
        clock_state(&self.clock)
    }
}

/// `running`, `paused` or `stopped`: the state column of a stored clock.
pub fn clock_state(c: &Clock) -> &'static str {
    if c.is_stopped() {
        "stopped"
    } else if c.is_paused() {
        "paused"
    } else {
        "running"
    }
}

/// On-time figures for one commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockStats {
    pub rule_id: String,
    pub utility: Option<Utility>,
    pub department_id: Option<DepartmentId>,
    /// Clocks stopped in the period.
    pub stopped: u64,
    pub met: u64,
    pub breached: u64,
    /// Stopped clocks whose commitment no longer applied: counted apart, never as met.
    pub withdrawn: u64,
    /// Clocks still running or paused.
    pub open: u64,
    /// Open clocks already past due.
    pub overdue: u64,
}

/// How statistics are grouped beside the commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsGroup {
    Rule,
    RuleAndUtility,
    RuleAndDepartment,
}
