//! One lifecycle step of a case inside a transaction, shared by the case,
//! work-order and outage use cases (and the demo loader).

use crate::engine::Engine;
use crate::error::{AppError, AppResult};
use crate::ledger::event;
use jiff::Timestamp;
use pledge_domain::case::CaseAction;
use pledge_domain::ids::*;
use pledge_domain::model::Case;
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::{Value, json};

/// Changes to department and assignee that go with a step.
#[derive(Debug, Clone, Copy)]
pub struct Routing {
    pub department: Option<Option<DepartmentId>>,
    pub assignee: Option<Option<StaffId>>,
}

impl Routing {
    pub const KEEP: Routing = Routing { department: None, assignee: None };
}

/// A case cannot be answered while a work order on it is still active: the
/// answer would end its commitments with no repair done (409 `active_work_order`).
pub(crate) async fn refuse_answer_with_active_work_order(tx: &mut Tx, case: &Case) -> AppResult<()> {
    let active: Vec<_> = tx.exec().work_orders_of(case.id).await?.into_iter().filter(|w| w.state.is_active()).collect();
    if let Some(w) = active.first() {
        return Err(AppError::conflict(
            "active_work_order",
            format!(
                "case {} cannot be answered while work order {} is {}; complete or cancel it first",
                case.number,
                w.id,
                w.state.code()
            ),
        ));
    }
    Ok(())
}

/// Applies one lifecycle step inside a transaction: checks the transition,
/// writes the case and appends the event with the resulting state.
#[allow(clippy::too_many_arguments)] // to become one typed argument with the repositories
pub(crate) async fn step(
    tx: &mut Tx,
    engine: &Engine,
    who: StaffId,
    case: &Case,
    action: Option<CaseAction>,
    kind: &str,
    mut payload: Value,
    routing: Routing,
    at: i64,
) -> AppResult<()> {
    let next = match action {
        Some(a) => case.state.after(a)?,
        None => case.state,
    };
    if action == Some(CaseAction::Answer) {
        refuse_answer_with_active_work_order(tx, case).await?;
    }
    let dept = routing.department.unwrap_or(case.department_id);
    let assignee = routing.assignee.unwrap_or(case.assignee_id);
    tx.update_case_routing(case.id, case.version, next, dept, assignee, at).await?;
    if let Value::Object(m) = &mut payload {
        m.insert("state".into(), json!(next.code()));
        if routing.department.is_some() {
            m.insert("department_id".into(), json!(dept));
        }
        if routing.assignee.is_some() {
            m.insert("assignee_id".into(), json!(assignee));
        }
    }
    let seq = event(tx, Some(who), Some(case.id), kind, payload.clone(), at).await?;
    if let Some(ev) = action.and_then(crate::commitments::event_for) {
        let after = tx.exec().case(case.id).await?;
        let at = Timestamp::from_microsecond(at).map_err(|e| AppError::Internal(e.to_string()))?;
        crate::commitments::on_case_event(tx, engine, &after, ev, at, Some(who)).await?;
    }
    if action == Some(CaseAction::Answer) {
        crate::notices::case_answered(tx, case.id, seq, payload["body"].as_str(), Some(who), at).await?;
    }
    Ok(())
}
