//! Work orders (派工单): the field job a dispatcher raises on a case and a
//! crew carries out — dispatched, en route, on site, done. Arrival and
//! completion are the events that stop a repair case's clocks (C7, C8).

use crate::commitment::Event;
use serde::{Deserialize, Serialize};

/// Where a work order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderState {
    /// Raised, no crew yet.
    Open,
    /// A crew is assigned.
    Dispatched,
    /// The crew is on the way.
    EnRoute,
    /// The crew has arrived.
    OnSite,
    /// The job is finished.
    Done,
    /// Called off before the job was done.
    Cancelled,
}

/// Something done to a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkOrderAction {
    /// Assign (or reassign) a crew.
    Dispatch,
    /// The crew sets off.
    Depart,
    /// The crew arrives on site.
    Arrive,
    /// The crew finishes the job.
    Complete,
    /// Call the job off.
    Cancel,
}

impl WorkOrderAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Dispatch => "dispatch",
            Self::Depart => "depart",
            Self::Arrive => "arrive",
            Self::Complete => "complete",
            Self::Cancel => "cancel",
        }
    }

    /// The commitment event this action raises on the work order's case, if any.
    pub fn commitment_event(self) -> Option<Event> {
        match self {
            Self::Arrive => Some(Event::WorkOrderOnSite),
            Self::Complete => Some(Event::WorkOrderDone),
            Self::Dispatch | Self::Depart | Self::Cancel => None,
        }
    }
}

/// An action the work order's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a work order that is {} cannot be given the action {}", from.code(), action.code())]
pub struct WorkOrderTransitionError {
    pub from: WorkOrderState,
    pub action: WorkOrderAction,
}

impl WorkOrderState {
    pub const ALL: [WorkOrderState; 6] =
        [Self::Open, Self::Dispatched, Self::EnRoute, Self::OnSite, Self::Done, Self::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Dispatched => "dispatched",
            Self::EnRoute => "en_route",
            Self::OnSite => "on_site",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Open => "待派工",
            Self::Dispatched => "已派工",
            Self::EnRoute => "在途",
            Self::OnSite => "已到场",
            Self::Done => "已完工",
            Self::Cancelled => "已取消",
        }
    }

    /// Still needs doing.
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Done | Self::Cancelled)
    }

    /// The lifecycle: open → dispatched (→ reassigned)* → en route → on site → done;
    /// a crew may report arrival without a departure; cancelling is possible
    /// until the crew is on site.
    pub fn after(self, action: WorkOrderAction) -> Result<WorkOrderState, WorkOrderTransitionError> {
        use WorkOrderAction as A;
        use WorkOrderState as S;
        Ok(match (self, action) {
            (S::Open | S::Dispatched, A::Dispatch) => S::Dispatched,
            (S::Dispatched, A::Depart) => S::EnRoute,
            (S::Dispatched | S::EnRoute, A::Arrive) => S::OnSite,
            (S::OnSite, A::Complete) => S::Done,
            (S::Open | S::Dispatched | S::EnRoute, A::Cancel) => S::Cancelled,
            (from, action) => return Err(WorkOrderTransitionError { from, action }),
        })
    }
}

/// A fee stated to the customer, in fen (分); never negative, at most ¥1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Fee(i64);

/// Why a fee was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a fee is between 0 and 100000000 fen (¥1,000,000)")]
pub struct BadFee;

impl Fee {
    pub const MAX_FEN: i64 = 100_000_000;

    pub fn from_fen(fen: i64) -> Result<Fee, BadFee> {
        if (0..=Self::MAX_FEN).contains(&fen) { Ok(Fee(fen)) } else { Err(BadFee) }
    }

    pub fn fen(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WorkOrderAction as A;
    use WorkOrderState as S;

    const ACTIONS: [A; 5] = [A::Dispatch, A::Depart, A::Arrive, A::Complete, A::Cancel];

    #[test]
    fn the_usual_job_runs_from_open_to_done() {
        let mut s = S::Open;
        for a in [A::Dispatch, A::Depart, A::Arrive, A::Complete] {
            s = s.after(a).unwrap();
        }
        assert_eq!(s, S::Done);
    }

    #[test]
    fn a_crew_may_be_reassigned_until_it_sets_off() {
        assert_eq!(S::Dispatched.after(A::Dispatch), Ok(S::Dispatched));
        assert_eq!(
            S::EnRoute.after(A::Dispatch),
            Err(WorkOrderTransitionError { from: S::EnRoute, action: A::Dispatch })
        );
    }

    #[test]
    fn finished_and_cancelled_orders_accept_nothing() {
        for s in [S::Done, S::Cancelled] {
            for a in ACTIONS {
                assert!(s.after(a).is_err(), "{s:?} {a:?}");
            }
        }
    }

    #[test]
    fn a_job_under_way_on_site_cannot_be_cancelled() {
        assert!(S::OnSite.after(A::Cancel).is_err());
        assert_eq!(S::EnRoute.after(A::Cancel), Ok(S::Cancelled));
    }

    #[test]
    fn only_arrival_and_completion_raise_commitment_events() {
        let raised: Vec<_> = ACTIONS.into_iter().filter_map(A::commitment_event).collect();
        assert_eq!(raised, vec![Event::WorkOrderOnSite, Event::WorkOrderDone]);
    }

    #[test]
    fn every_state_code_parses_back() {
        for s in S::ALL {
            assert_eq!(S::parse(s.code()), Some(s));
        }
        assert_eq!(S::parse("finished"), None);
    }

    #[test]
    fn fees_are_bounded() {
        assert_eq!(Fee::from_fen(0).map(Fee::fen), Ok(0));
        assert_eq!(Fee::from_fen(Fee::MAX_FEN).map(Fee::fen), Ok(Fee::MAX_FEN));
        assert_eq!(Fee::from_fen(-1), Err(BadFee));
        assert_eq!(Fee::from_fen(Fee::MAX_FEN + 1), Err(BadFee));
    }
}
