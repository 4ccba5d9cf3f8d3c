//! Ledger events as stored and as appended.

use crate::ledger::Hash;
use jiff::Timestamp;

/// A ledger event as shown on a case's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub case_id: Option<i64>,
    pub actor_id: Option<i64>,
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
    pub case_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub kind: &'a str,
    pub payload: serde_json::Value,
    pub at_us: i64,
}
