//! The ledger-append helper every use case writes its events with.

use crate::error::AppResult;
use pledge_domain::ids::*;
use pledge_domain::model::NewEvent;
use pledge_store::Tx;
use pledge_store::repo::*;

/// Appends one event to the ledger inside `tx`; returns its sequence number.
pub(crate) async fn event(
    tx: &mut Tx,
    actor: Option<StaffId>,
    case_id: Option<CaseId>,
    kind: &str,
    payload: serde_json::Value,
    at_us: i64,
) -> AppResult<EventId> {
    Ok(tx.append_event(NewEvent { case_id, actor_id: actor, kind, payload, at_us }).await?)
}
