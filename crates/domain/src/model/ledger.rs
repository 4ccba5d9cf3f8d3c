//! Ledger events as stored and as appended.

use crate::ids::{CaseId, EventId, StaffId};
use crate::ledger::Hash;
use jiff::Timestamp;

/// A ledger event as shown on a case's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seq: EventId,
    pub case_id: Option<CaseId>,
    pub actor_id: Option<StaffId>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub at: Timestamp,
}

/// The last event of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerHead {
    pub seq: i64,
    pub hash: Hash,
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub case_id: Option<CaseId>,
    pub actor_id: Option<StaffId>,
    pub kind: &'a str,
    pub payload: serde_json::Value,
    pub at_us: i64,
}
