//! Supply interruptions (停气 / 停水 / 停热 / 停电): planned and emergency
//! outages on a supply-network node, their lifecycle, and the commitment
//! rules that bind them (C3 lead time, C4 report, C5 restore window, C24).
//!
//! The rules come from the [`Policy`] wherever the policy says them:
//! the lead time is the `lead_time` of the rules an outage's
//! `outage.scheduled` starts (C3, C24a), and the restore window is the
//! `window` of the rules `outage.restored` stops (C5). Only the "notify
//! before restoring" step, which the policy has no event shape for, is a
//! fixed rule here ([`needs_restore_notice`]).

mod grouping;
#[cfg(test)]
mod tests;

pub use grouping::{BadGroupingRule, GroupingRule, SuspectState, path_ids};

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::commitment::{DailyWindow, Event, OutageKind, Policy, Timing};
use crate::text::{TextError, clean};
use crate::utility::Utility;

/// Whether supply stops or only its pressure drops (降压).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Stop,
    PressureReduction,
}

impl Effect {
    pub const ALL: [Effect; 2] = [Self::Stop, Self::PressureReduction];
    pub fn code(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::PressureReduction => "pressure_reduction",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }
    pub fn name_zh(self, utility: Utility) -> &'static str {
        match (self, utility) {
            (Self::PressureReduction, _) => "降压",
            (Self::Stop, Utility::Gas) => "停气",
            (Self::Stop, Utility::Water) => "停水",
            (Self::Stop, Utility::Heat) => "停热",
            (Self::Stop, Utility::Power) => "停电",
        }
    }
}

/// Where an outage stands.
///
/// planned: draft → announced → in progress → (restore notified) → restored;
/// emergency: in progress from the moment it is entered (announced while
/// running) → (restore notified) → restored. A draft or announced outage
/// may be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageState {
    Draft,
    Announced,
    InProgress,
    RestoreNotified,
    Restored,
    Cancelled,
}

impl OutageState {
    pub const ALL: [OutageState; 6] =
        [Self::Draft, Self::Announced, Self::InProgress, Self::RestoreNotified, Self::Restored, Self::Cancelled];
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Announced => "announced",
            Self::InProgress => "in_progress",
            Self::RestoreNotified => "restore_notified",
            Self::Restored => "restored",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Announced => "已公告",
            Self::InProgress => "停供中",
            Self::RestoreNotified => "已通知恢复",
            Self::Restored => "已恢复",
            Self::Cancelled => "已取消",
        }
    }
    /// Active: announced or running, so callers are matched to it and it
    /// blocks an overlapping duplicate. Drafts block duplicates too.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Announced | Self::InProgress | Self::RestoreNotified)
    }
    /// Not yet finished (restored or cancelled).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Restored | Self::Cancelled)
    }
    /// Published on the public page and feeds.
    pub fn is_public(self) -> bool {
        !matches!(self, Self::Draft)
    }
}

/// A step in an outage's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageAction {
    Announce,
    Update,
    Start,
    NotifyRestore,
    Restore,
    Cancel,
    ReportAuthority,
}

impl OutageAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Announce => "announce",
            Self::Update => "update",
            Self::Start => "start",
            Self::NotifyRestore => "restore_notice",
            Self::Restore => "restore",
            Self::Cancel => "cancel",
            Self::ReportAuthority => "report_authority",
        }
    }
    /// The commitment event the step raises.
    pub fn event(self) -> Option<Event> {
        Some(match self {
            Self::Announce => Event::OutageAnnounced,
            Self::Start => Event::OutageStarted,
            Self::NotifyRestore => Event::OutageCauseCleared,
            Self::Restore => Event::OutageRestored,
            Self::ReportAuthority => Event::OutageAuthorityReported,
            Self::Update | Self::Cancel => return None,
        })
    }
}

/// Why an outage step or value was refused; each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutageError {
    #[error("the expected restoration must be later than the start")]
    RestoreBeforeStart,
    #[error("an outage that is {from} cannot take the step {action}")]
    Transition { from: &'static str, action: &'static str },
    #[error(
        "{short_by_minutes} minutes too late: {rule} needs {utility} customers told {lead_hours} hours before the start; a duty manager may override with a reason"
    )]
    LeadTimeTooShort { rule: String, utility: &'static str, lead_hours: i64, short_by_minutes: i64 },
    #[error(
        "{rule}: {utility} is restored only between {window} (Asia/Shanghai); the restore time {at} is outside it, the next allowed time is {next}"
    )]
    RestoreTimeOutsideWindow { rule: String, utility: &'static str, window: String, at: String, next: String },
    #[error(
        "{rule}: {utility} may come back only {gap_minutes} minutes after the restore notice; the earliest restore is {earliest}"
    )]
    RestoreTooSoon { rule: String, utility: &'static str, gap_minutes: i64, earliest: String },
    #[error("gas is restored only between {from} and {to} (C5)")]
    OutsideRestoreWindow { from: String, to: String },
    #[error("customers must be told before gas is restored (C5): send the restore notice first")]
    RestoreNoticeFirst,
    #[error("only an emergency outage is reported to the authority")]
    NotEmergency,
    #[error("already reported to the authority")]
    AlreadyReported,
    #[error(transparent)]
    Text(#[from] TextError),
}

impl OutageError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::RestoreBeforeStart => "restore_before_start",
            Self::Transition { .. } => "illegal_outage_transition",
            Self::LeadTimeTooShort { .. } => "lead_time_too_short",
            Self::RestoreTimeOutsideWindow { .. } => "restore_outside_window",
            Self::RestoreTooSoon { .. } => "restore_too_soon",
            Self::OutsideRestoreWindow { .. } => "outside_restore_window",
            Self::RestoreNoticeFirst => "restore_notice_first",
            Self::NotEmergency => "not_emergency",
            Self::AlreadyReported => "already_reported",
            Self::Text(_) => "invalid_text",
        }
    }

    /// The Chinese message of a refusal under a commitment rule, naming the
    /// rule, the utility and the figure as the English one does; `None` for
    /// the others, whose Chinese text is fixed per code.
    pub fn message_zh(&self) -> Option<String> {
        let name = |u: &str| crate::Utility::parse(u).map(|u| u.name_zh()).unwrap_or("供应");
        Some(match self {
            Self::LeadTimeTooShort { rule, utility, lead_hours, short_by_minutes } => format!(
                "{rule}：{}用户须在停供开始前 {lead_hours} 小时得到通知，现已晚 {short_by_minutes} 分钟；须值班经理填写原因方可发布或变更，并计为承诺违约",
                name(utility)
            ),
            Self::RestoreTimeOutsideWindow { rule, utility, window, at, next } => format!(
                "{rule}：{}只能在 {}（北京时间）之间恢复供应，通知的恢复时间 {at} 不在此时段内，最早可定于 {next}",
                name(utility),
                window.replace(" and ", " 至 ")
            ),
            Self::RestoreTooSoon { rule, utility, gap_minutes, earliest } => {
                format!("{rule}：恢复通知发出 {gap_minutes} 分钟后方可恢复{}，最早 {earliest}", name(utility))
            }
            _ => return None,
        })
    }
}

/// When an outage runs: a start and an expected restoration strictly later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Schedule {
    starts_at: Timestamp,
    expected_restore_at: Timestamp,
}

impl Schedule {
    pub fn new(starts_at: Timestamp, expected_restore_at: Timestamp) -> Result<Self, OutageError> {
        if expected_restore_at <= starts_at {
            return Err(OutageError::RestoreBeforeStart);
        }
        Ok(Schedule { starts_at, expected_restore_at })
    }
    pub fn starts_at(&self) -> Timestamp {
        self.starts_at
    }
    pub fn expected_restore_at(&self) -> Timestamp {
        self.expected_restore_at
    }
    pub fn expected_length(&self) -> SignedDuration {
        self.expected_restore_at.duration_since(self.starts_at)
    }
    /// Whether two half-open spans `[start, restore)` share an instant.
    pub fn overlaps(&self, other: &Schedule) -> bool {
        self.starts_at < other.expected_restore_at && other.starts_at < self.expected_restore_at
    }
}

/// The reason (原因) shown to customers: one line, 1–200 characters.
pub fn reason(raw: &str) -> Result<String, OutageError> {
    Ok(clean("reason", raw, 200, false)?)
}

/// The area text (影响范围), e.g. streets and estates: 1–500 characters.
pub fn area(raw: &str) -> Result<String, OutageError> {
    Ok(clean("area", raw, 500, true)?)
}

/// The state after `action`, for an outage of `kind` that has or has not
/// been announced yet.
pub fn next_state(
    from: OutageState,
    action: OutageAction,
    kind: OutageKind,
    announced: bool,
) -> Result<OutageState, OutageError> {
    use OutageAction as A;
    use OutageState as S;
    let next = match (from, action) {
        (S::Draft, A::Announce) => S::Announced,
        // An emergency is running before anyone is told (C4a).
        (S::InProgress | S::RestoreNotified, A::Announce) if kind == OutageKind::Emergency && !announced => from,
        (S::Draft | S::Announced | S::InProgress, A::Update) => from,
        (S::Announced, A::Start) => S::InProgress,
        // A second notice corrects the first (a new time, told again).
        (S::InProgress | S::RestoreNotified, A::NotifyRestore) => S::RestoreNotified,
        (S::InProgress | S::RestoreNotified, A::Restore) => S::Restored,
        (S::Draft | S::Announced, A::Cancel) => S::Cancelled,
        (s, A::ReportAuthority) if s != S::Draft && s != S::Cancelled => from,
        (from, action) => return Err(OutageError::Transition { from: from.code(), action: action.code() }),
    };
    Ok(next)
}

/// A lead-time commitment an announcement at `now` would miss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadShortfall {
    pub rule_id: String,
    pub utility: Utility,
    pub lead: SignedDuration,
    /// How late the announcement is against the rule's due time.
    pub late_by: SignedDuration,
}

impl LeadShortfall {
    pub fn error(&self) -> OutageError {
        OutageError::LeadTimeTooShort {
            rule: self.rule_id.clone(),
            utility: self.utility.code(),
            lead_hours: self.lead.as_hours(),
            short_by_minutes: (self.late_by.as_secs() + 59) / 60,
        }
    }
}

/// The lead-time rules (C3, C24a) an announcement at `now` misses, read from
/// the policy: rules started by `outage.scheduled`, stopped by
/// `outage.announced`, with a `lead_time`, covering this outage.
pub fn lead_shortfalls(
    policy: &Policy,
    utility: Utility,
    kind: OutageKind,
    schedule: &Schedule,
    now: Timestamp,
) -> Vec<LeadShortfall> {
    policy
        .started_by(Event::OutageScheduled)
        .filter(|r| {
            r.stop.contains(&Event::OutageAnnounced) && r.covers_outage(utility, kind, schedule.expected_length())
        })
        .filter_map(|r| {
            let Timing::LeadTime(p) = r.timing else { return None };
            let lead = p.fixed()?;
            let due = schedule.starts_at.checked_sub(lead).ok()?;
            (now > due).then(|| LeadShortfall {
                rule_id: r.id.clone(),
                utility,
                lead,
                late_by: now.duration_since(due),
            })
        })
        .collect()
}

/// The daily window restoration must fall in (C5), from the policy: the
/// window of a rule `outage.restored` stops that covers this utility.
pub fn restore_window(policy: &Policy, utility: Utility) -> Option<DailyWindow> {
    policy
        .commitments
        .iter()
        .filter(|r| r.utilities.contains(&utility) && r.stop.contains(&Event::OutageRestored))
        .find_map(|r| r.window)
}

/// A local time as the refusals name it: `2026-10-10 08:00`.
fn local(t: Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// The rule `outage.restored` stops for this utility that carries a
/// window or a minimum gap after the notice (C5).
fn restore_rule(policy: &Policy, utility: Utility) -> Option<&crate::commitment::CommitmentRule> {
    policy.commitments.iter().find(|r| {
        r.utilities.contains(&utility)
            && r.stop.contains(&Event::OutageRestored)
            && (r.window.is_some() || r.restore_after_notice.is_some())
    })
}

/// Checks the time a restore notice promises (C5): inside the restore
/// window, or refused naming the next allowed time.
pub fn check_restore_notice(policy: &Policy, utility: Utility, restore_at: Timestamp) -> Result<(), OutageError> {
    let Some(rule) = restore_rule(policy, utility) else { return Ok(()) };
    let Some(w) = rule.window else { return Ok(()) };
    if w.contains(restore_at) {
        return Ok(());
    }
    Err(OutageError::RestoreTimeOutsideWindow {
        rule: rule.id.clone(),
        utility: utility.code(),
        window: format!("{} and {}", w.from.strftime("%H:%M"), w.to.strftime("%H:%M")),
        at: local(restore_at),
        next: w.next_allowed(restore_at).map(local).unwrap_or_default(),
    })
}

/// Whether customers must be told before supply comes back (C5, gas: a
/// gas appliance left open when the supply returns is a hazard).
pub fn needs_restore_notice(utility: Utility) -> bool {
    utility == Utility::Gas
}

/// Checks that restoring at `now` is allowed: after the restore notice
/// where one is needed, at least the policy's gap after the latest notice
/// (`notified_at`), and inside the restore window.
pub fn check_restore(
    policy: &Policy,
    utility: Utility,
    state: OutageState,
    notified_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), OutageError> {
    if needs_restore_notice(utility) && state != OutageState::RestoreNotified {
        return Err(OutageError::RestoreNoticeFirst);
    }
    if let Some(w) = restore_window(policy, utility)
        && !w.contains(now)
    {
        return Err(OutageError::OutsideRestoreWindow {
            from: w.from.strftime("%H:%M").to_string(),
            to: w.to.strftime("%H:%M").to_string(),
        });
    }
    if let (Some(rule), Some(at)) = (restore_rule(policy, utility), notified_at)
        && let Some(gap) = rule.restore_after_notice
        && let Ok(earliest) = at.checked_add(gap)
        && now < earliest
    {
        return Err(OutageError::RestoreTooSoon {
            rule: rule.id.clone(),
            utility: utility.code(),
            gap_minutes: gap.as_mins(),
            earliest: local(earliest),
        });
    }
    Ok(())
}
