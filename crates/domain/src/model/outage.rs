//! Outages and suspected outages.

use crate::Utility;
use crate::commitment::OutageKind;
use crate::ids::{CompanyId, NodeId, OutageId, StaffId, SuspectId};
use crate::outage::{Effect, OutageState, SuspectState};
use jiff::Timestamp;

/// A stored outage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub id: OutageId,
    pub company_id: CompanyId,
    pub utility: Utility,
    pub kind: OutageKind,
    pub effect: Effect,
    pub state: OutageState,
    pub node_id: NodeId,
    pub node_path: String,
    pub reason: String,
    pub area: String,
    pub starts_at: Timestamp,
    pub expected_restore_at: Timestamp,
    pub restored_at: Option<Timestamp>,
    pub announced_at: Option<Timestamp>,
    pub restore_notified_at: Option<Timestamp>,
    pub authority_reported_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub override_reason: Option<String>,
    pub override_by: Option<StaffId>,
    pub affected_count: u64,
    pub suspected_id: Option<SuspectId>,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An outage to insert.
#[derive(Debug, Clone)]
pub struct NewOutage {
    pub company_id: CompanyId,
    pub utility: Utility,
    pub kind: OutageKind,
    pub effect: Effect,
    pub state: OutageState,
    pub node_id: NodeId,
    pub node_path: String,
    pub reason: String,
    pub area: String,
    pub starts_at_us: i64,
    pub expected_restore_at_us: i64,
    pub suspected_id: Option<SuspectId>,
    pub created_by: Option<StaffId>,
    pub at_us: i64,
}

/// Filters for the outage list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct OutageFilter {
    pub company_id: Option<CompanyId>,
    pub utility: Option<Utility>,
    pub states: Vec<OutageState>,
    pub kind: Option<OutageKind>,
    pub node_id: Option<NodeId>,
    /// Only outages still running or ahead (not restored or cancelled).
    pub open_only: bool,
}

/// A stored suspected outage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    pub id: SuspectId,
    pub company_id: CompanyId,
    pub utility: Utility,
    pub node_id: NodeId,
    pub state: SuspectState,
    pub first_call_at: Timestamp,
    pub last_call_at: Timestamp,
    pub calls: u64,
    pub outage_id: Option<OutageId>,
    pub decided_by: Option<StaffId>,
    pub decided_at: Option<Timestamp>,
    pub note: Option<String>,
}

/// One published CAP 1.2 message of an outage's lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapMessage {
    pub id: i64,
    pub company_id: CompanyId,
    pub outage_id: OutageId,
    /// 1 for the Alert, then one more per message.
    pub seq: i64,
    pub identifier: String,
    pub sender: String,
    /// `Alert`, `Update` or `Cancel`.
    pub msg_type: String,
    pub sent: Timestamp,
    /// The CAP `<references>` value; empty for the Alert.
    pub refs: String,
    /// The outage as published (JSON), to rebuild the message from.
    pub snapshot: String,
}
