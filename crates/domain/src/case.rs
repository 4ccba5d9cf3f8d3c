//! The case (工单): kinds, channels, the readable number and the lifecycle.

use crate::utility::Utility;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a case is about (SPEC "The case").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 咨询
    Consultation,
    /// 查询 (bills, arrears, progress)
    BillingInquiry,
    /// 业务办理
    BusinessApplication,
    /// 报修
    Repair,
    /// 投诉
    Complaint,
    /// 举报 — the reporter's identity is protected.
    Report,
    /// 建议
    Suggestion,
    /// 表扬
    Praise,
    /// 骚扰/恶意来电
    Nuisance,
}

/// The finer kind of a business application or repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSubkind {
    /// 报装
    NewConnection,
    /// 增容
    CapacityChange,
    /// 变更
    ChangeOfUse,
    /// 报停复用
    StopResume,
    /// 过户
    OwnershipTransfer,
    /// 表内
    InsideMeter,
    /// 表外
    OutsideMeter,
    /// 抢修
    Emergency,
    /// 无气 / 停水 / 不热 / 停电: the caller reports no supply at all
    /// (grouped into suspected outages).
    NoSupply,
}

impl CaseKind {
    pub const ALL: [CaseKind; 9] = [
        Self::Consultation,
        Self::BillingInquiry,
        Self::BusinessApplication,
        Self::Repair,
        Self::Complaint,
        Self::Report,
        Self::Suggestion,
        Self::Praise,
        Self::Nuisance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Consultation => "consultation",
            Self::BillingInquiry => "billing_inquiry",
            Self::BusinessApplication => "business_application",
            Self::Repair => "repair",
            Self::Complaint => "complaint",
            Self::Report => "report",
            Self::Suggestion => "suggestion",
            Self::Praise => "praise",
            Self::Nuisance => "nuisance",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Consultation => "咨询",
            Self::BillingInquiry => "查询",
            Self::BusinessApplication => "业务办理",
            Self::Repair => "报修",
            Self::Complaint => "投诉",
            Self::Report => "举报",
            Self::Suggestion => "建议",
            Self::Praise => "表扬",
            Self::Nuisance => "骚扰来电",
        }
    }

    /// Whether `sub` refines this kind; kinds without subkinds accept none.
    pub fn accepts(self, sub: Option<CaseSubkind>) -> bool {
        use CaseSubkind::*;
        matches!(
            (self, sub),
            (_, None)
                | (
                    Self::BusinessApplication,
                    Some(NewConnection | CapacityChange | ChangeOfUse | StopResume | OwnershipTransfer)
                )
                | (Self::Repair, Some(InsideMeter | OutsideMeter | Emergency | NoSupply))
        )
    }
}

impl CaseSubkind {
    pub const ALL: [CaseSubkind; 9] = [
        Self::NewConnection,
        Self::CapacityChange,
        Self::ChangeOfUse,
        Self::StopResume,
        Self::OwnershipTransfer,
        Self::InsideMeter,
        Self::OutsideMeter,
        Self::Emergency,
        Self::NoSupply,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::NewConnection => "new_connection",
            Self::CapacityChange => "capacity_change",
            Self::ChangeOfUse => "change_of_use",
            Self::StopResume => "stop_resume",
            Self::OwnershipTransfer => "ownership_transfer",
            Self::InsideMeter => "inside_meter",
            Self::OutsideMeter => "outside_meter",
            Self::Emergency => "emergency",
            Self::NoSupply => "no_supply",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// How the customer reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Counter,
    Phone,
    Web,
    App,
    Open311,
    Letter,
}

impl Channel {
    pub const ALL: [Channel; 6] = [Self::Counter, Self::Phone, Self::Web, Self::App, Self::Open311, Self::Letter];
    pub fn code(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Phone => "phone",
            Self::Web => "web",
            Self::App => "app",
            Self::Open311 => "open311",
            Self::Letter => "letter",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Where a case stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Received,
    Transferred,
    Returned,
    InProgress,
    WaitingCustomer,
    WaitingWorkOrder,
    Answered,
    Callback,
    Closed,
}

/// A lifecycle step applied to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    Transfer,
    Return,
    Start,
    WaitCustomer,
    WaitWorkOrder,
    Resume,
    Answer,
    StartCallback,
    Close,
    Reopen,
}

/// A step that the case's current state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a case that is {from:?} cannot take the step {action:?}")]
pub struct TransitionError {
    pub from: CaseState,
    pub action: CaseAction,
}

impl CaseState {
    pub const ALL: [CaseState; 9] = [
        Self::Received,
        Self::Transferred,
        Self::Returned,
        Self::InProgress,
        Self::WaitingCustomer,
        Self::WaitingWorkOrder,
        Self::Answered,
        Self::Callback,
        Self::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Transferred => "transferred",
            Self::Returned => "returned",
            Self::InProgress => "in_progress",
            Self::WaitingCustomer => "waiting_customer",
            Self::WaitingWorkOrder => "waiting_work_order",
            Self::Answered => "answered",
            Self::Callback => "callback",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Received => "已受理",
            Self::Transferred => "已转办",
            Self::Returned => "已退单",
            Self::InProgress => "处理中",
            Self::WaitingCustomer => "等待用户",
            Self::WaitingWorkOrder => "等待派工",
            Self::Answered => "已答复",
            Self::Callback => "回访中",
            Self::Closed => "已办结",
        }
    }

    /// Open means someone still owes the customer something.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed)
    }

    /// The lifecycle: received → (transferred)* → in progress → (waiting)* →
    /// answered → callback → closed, with returns and reopening.
    pub fn after(self, action: CaseAction) -> Result<CaseState, TransitionError> {
        use CaseAction as A;
        use CaseState as S;
        let next = match (self, action) {
            (S::Received | S::Transferred | S::Returned | S::InProgress, A::Transfer) => S::Transferred,
            (S::Transferred | S::InProgress, A::Return) => S::Returned,
            (S::Received | S::Transferred | S::Returned, A::Start) => S::InProgress,
            (S::InProgress, A::WaitCustomer) => S::WaitingCustomer,
            (S::InProgress, A::WaitWorkOrder) => S::WaitingWorkOrder,
            (S::WaitingCustomer | S::WaitingWorkOrder, A::Resume) => S::InProgress,
            (S::Received | S::Transferred | S::InProgress | S::WaitingCustomer | S::WaitingWorkOrder, A::Answer) => {
                S::Answered
            }
            (S::Answered, A::StartCallback) => S::Callback,
            (S::Answered | S::Callback, A::Close) => S::Closed,
            (S::Answered | S::Callback | S::Closed, A::Reopen) => S::InProgress,
            (from, action) => return Err(TransitionError { from, action }),
        };
        Ok(next)
    }
}

/// Why a case number did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case number must look like GAS-20261123-000123")]
pub struct BadCaseNumber;

/// A readable case number: utility prefix, the day of receipt in Asia/Shanghai,
/// and the sequence within that utility and day, e.g. `GAS-20261123-000123`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    utility: Utility,
    day: jiff::civil::Date,
    seq: u32,
}

impl CaseNumber {
    pub const MAX_SEQ: u32 = 999_999;

    pub fn new(utility: Utility, day: jiff::civil::Date, seq: u32) -> Result<Self, BadCaseNumber> {
        if seq == 0 || seq > Self::MAX_SEQ || day.year() < 2000 {
            return Err(BadCaseNumber);
        }
        Ok(Self { utility, day, seq })
    }

    pub fn parse(raw: &str) -> Result<Self, BadCaseNumber> {
        let s = raw.trim();
        let mut parts = s.split('-');
        let (Some(prefix), Some(day), Some(seq), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(BadCaseNumber);
        };
        let utility = Utility::from_case_prefix(prefix).ok_or(BadCaseNumber)?;
        if day.len() != 8 || seq.len() != 6 || !day.bytes().chain(seq.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(BadCaseNumber);
        }
        let y: i16 = day[..4].parse().map_err(|_| BadCaseNumber)?;
        let m: i8 = day[4..6].parse().map_err(|_| BadCaseNumber)?;
        let d: i8 = day[6..].parse().map_err(|_| BadCaseNumber)?;
        let date = jiff::civil::Date::new(y, m, d).map_err(|_| BadCaseNumber)?;
        Self::new(utility, date, seq.parse().map_err(|_| BadCaseNumber)?)
    }

    pub fn utility(&self) -> Utility {
        self.utility
    }
    pub fn day(&self) -> jiff::civil::Date {
        self.day
    }
    pub fn seq(&self) -> u32 {
        self.seq
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:04}{:02}{:02}-{:06}",
            self.utility.case_prefix(),
            self.day.year(),
            self.day.month(),
            self.day.day(),
            self.seq
        )
    }
}

impl Serialize for CaseNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn case_numbers_print_and_parse() {
        let n = CaseNumber::new(Utility::Gas, date(2026, 11, 23), 123).unwrap();
        assert_eq!(n.to_string(), "GAS-20261123-000123");
        assert_eq!(CaseNumber::parse("GAS-20261123-000123").unwrap(), n);
        for bad in [
            "GAS-20261123-123",
            "OIL-20261123-000123",
            "GAS-20261323-000001",
            "GAS-20261123-000000",
            "GAS20261123000001",
            "GAS-20261123-000001-1",
            "",
        ] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_happy_path_runs_from_received_to_closed() {
        use CaseAction::*;
        let mut s = CaseState::Received;
        for a in [Transfer, Start, WaitCustomer, Resume, Answer, StartCallback, Close] {
            s = s.after(a).unwrap();
        }
        assert_eq!(s, CaseState::Closed);
        assert_eq!(s.after(Reopen).unwrap(), CaseState::InProgress);
    }

    #[test]
    fn illegal_steps_are_refused() {
        assert_eq!(
            CaseState::Closed.after(CaseAction::Transfer),
            Err(TransitionError { from: CaseState::Closed, action: CaseAction::Transfer })
        );
        assert!(CaseState::Received.after(CaseAction::Close).is_err());
        assert!(CaseState::Received.after(CaseAction::Return).is_err());
        assert!(CaseState::WaitingCustomer.after(CaseAction::Transfer).is_err());
    }

    #[test]
    fn every_state_except_closed_can_still_reach_closed() {
        // Breadth-first search over actions: no open state is a dead end.
        let actions = [
            CaseAction::Transfer,
            CaseAction::Return,
            CaseAction::Start,
            CaseAction::WaitCustomer,
            CaseAction::WaitWorkOrder,
            CaseAction::Resume,
            CaseAction::Answer,
            CaseAction::StartCallback,
            CaseAction::Close,
            CaseAction::Reopen,
        ];
        for start in CaseState::ALL {
            let mut seen = vec![start];
            let mut i = 0;
            while i < seen.len() {
                for a in actions {
                    if let Ok(n) = seen[i].after(a)
                        && !seen.contains(&n)
                    {
                        seen.push(n);
                    }
                }
                i += 1;
            }
            assert!(seen.contains(&CaseState::Closed), "{start:?} cannot reach closed");
        }
    }

    #[test]
    fn subkinds_belong_to_their_kind() {
        assert!(CaseKind::Repair.accepts(Some(CaseSubkind::Emergency)));
        assert!(!CaseKind::Repair.accepts(Some(CaseSubkind::NewConnection)));
        assert!(!CaseKind::Complaint.accepts(Some(CaseSubkind::InsideMeter)));
        assert!(CaseKind::Complaint.accepts(None));
    }
}
