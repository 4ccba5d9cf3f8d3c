//! What case intake does about outages (C16):
//!
//! * a repair or consultation case for a customer under an active outage is
//!   hung under it, so the agent can tell the caller the cause, area and
//!   expected restoration, and the case is answered when supply returns;
//! * a "no supply" repair call with no known outage goes to the engineering
//!   department to investigate, and is gathered with other such calls below
//!   the same network node into a suspected outage.

use crate::case_flow::{Routing, step};
use crate::engine::Engine;
use crate::error::AppResult;
use crate::ledger::event;
use crate::routing::{RoutingPurpose, department_for};
use jiff::Timestamp;
use pledge_domain::case::{CaseAction, CaseKind, CaseSubkind};
use pledge_domain::ids::*;
use pledge_domain::model::Case;
use pledge_domain::outage::{SuspectState, path_ids};
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::json;

pub use crate::routing::ENGINEERING_CODE;

/// Runs inside intake's transaction, after the case is received.
pub(crate) async fn on_case_received(
    tx: &mut Tx,
    engine: &Engine,
    who: StaffId,
    case_id: CaseId,
    at: Timestamp,
) -> AppResult<()> {
    let case = tx.exec().case(case_id).await?;
    let Some(customer_id) = case.customer_id else { return Ok(()) };
    if !matches!(case.kind, CaseKind::Repair | CaseKind::Consultation) {
        return Ok(());
    }
    let at_us = at.as_microsecond();
    let known = tx.exec().active_outages_of_customer(customer_id).await?;
    if let Some(o) = known.iter().find(|o| o.utility == case.utility) {
        tx.link_outage_case(o.id, case.id, "hotline", at_us).await?;
        event(
            tx,
            Some(who),
            Some(case.id),
            "case.outage_linked",
            json!({"outage_id": o.id, "how": "hotline", "state": case.state.code()}),
            at_us,
        )
        .await?;
        return Ok(());
    }
    if case.kind != CaseKind::Repair || case.subkind != Some(CaseSubkind::NoSupply) {
        return Ok(());
    }
    let case = to_engineering(tx, engine, who, case, at_us).await?;
    group_call(tx, who, &case, customer_id, at).await
}

/// Transfers the case to the department the company's routing settings
/// name for engineering (else the one coded [`ENGINEERING_CODE`]), if any.
async fn to_engineering(tx: &mut Tx, engine: &Engine, who: StaffId, case: Case, at_us: i64) -> AppResult<Case> {
    let eng = department_for(&tx.exec(), case.company_id, case.utility, RoutingPurpose::Engineering).await?;
    let Some(eng) = eng else { return Ok(case) };
    if case.department_id == Some(eng) {
        return Ok(case);
    }
    let payload =
        json!({"reason": "no known outage explains the loss of supply; engineering investigates", "automatic": true});
    step(
        tx,
        engine,
        who,
        &case,
        Some(CaseAction::Transfer),
        "case.transferred",
        payload,
        Routing { department: Some(Some(eng)), assignee: Some(None) },
        at_us,
    )
    .await?;
    Ok(tx.exec().case(case.id).await?)
}

/// Adds a no-supply call to the open group below the customer's node at the
/// utility's grouping level, raising it once it has enough calls.
async fn group_call(tx: &mut Tx, who: StaffId, case: &Case, customer_id: CustomerId, at: Timestamp) -> AppResult<()> {
    let Some((supply_node, path)) = tx.exec().supply_node_of_customer(customer_id).await? else { return Ok(()) };
    let rule = tx.exec().grouping_rule(case.company_id, case.utility).await?;
    let node_id = match tx.exec().node_at_level(&path_ids(&path), rule.level).await? {
        Some(n) => n.id,
        None => supply_node,
    };
    let at_us = at.as_microsecond();
    let since = at.checked_sub(rule.window).unwrap_or(at).as_microsecond();
    let group = match tx.exec().open_suspect(case.company_id, node_id, since).await? {
        Some(g) => g,
        None => {
            let id = tx.insert_suspect(case.company_id, case.utility, node_id, at_us).await?;
            tx.exec().suspect(id).await?
        }
    };
    let calls = tx.add_suspect_case(group.id, case.id, at_us).await?;
    event(
        tx,
        Some(who),
        Some(case.id),
        "case.grouped",
        json!({"suspected_id": group.id, "node_id": node_id, "calls": calls, "state": case.state.code()}),
        at_us,
    )
    .await?;
    if group.state == SuspectState::Gathering && rule.raises(calls) {
        tx.set_suspect_state(group.id, SuspectState::Raised, None, None, None, at_us).await?;
        event(
            tx,
            None,
            None,
            "outage.suspected",
            json!({"suspected_id": group.id, "node_id": node_id, "calls": calls, "utility": case.utility.code()}),
            at_us,
        )
        .await?;
    }
    Ok(())
}
