//! Field service: a dispatcher raises a work order on a case and assigns a
//! crew; the crew reports setting off, arriving and finishing. The case waits
//! on its work orders meanwhile, and arrival and completion stop the case's
//! clocks that wait on them (C8 crew on site, C7 repaired within 24 hours).

use crate::case_flow::{Routing, step};
use crate::commitments::{ClockView, on_case_event};
use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::{Actor, App};
use jiff::Timestamp;
use pledge_domain::case::{CaseAction, CaseState};
use pledge_domain::commitment::Event;
use pledge_domain::ids::*;
use pledge_domain::model::{NewWorkOrder, Page, PageRequest, WorkOrder, WorkOrderChange, WorkOrderFilter};
use pledge_domain::text::{Body, Label};
use pledge_domain::work_order::{Fee, WorkOrderAction};
use pledge_domain::{Permission, Role};
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::{Value, json};

/// What a dispatcher enters to raise a work order.
#[derive(Debug, Clone)]
pub struct WorkOrderInput {
    pub instructions: String,
    /// The visit booked with the customer, if any.
    pub appointment: Option<(Timestamp, Timestamp)>,
    /// Assign a crew at once.
    pub crew_id: Option<StaffId>,
}

/// What the crew records on finishing.
#[derive(Debug, Clone)]
pub struct Completion {
    pub result: String,
    /// The fee stated to the customer, in fen.
    pub fee_fen: Option<i64>,
    /// The name the customer signed with.
    pub signed_by: Option<String>,
}

/// A work order with the clocks of its case that its steps stop.
#[derive(Debug, Clone)]
pub struct WorkOrderDetail {
    pub work_order: WorkOrder,
    pub clocks: Vec<ClockView>,
}

fn illegal(e: pledge_domain::work_order::WorkOrderTransitionError) -> AppError {
    AppError::conflict("illegal_transition", e.to_string())
}

/// The ledger kind of each step.
fn event_kind(a: WorkOrderAction) -> &'static str {
    match a {
        WorkOrderAction::Dispatch => "work_order.dispatched",
        WorkOrderAction::Depart => "work_order.departed",
        WorkOrderAction::Arrive => "work_order.arrived",
        WorkOrderAction::Complete => "work_order.completed",
        WorkOrderAction::Cancel => "work_order.cancelled",
    }
}

/// The column that records when each step happened.
fn stamp(a: WorkOrderAction) -> Option<&'static str> {
    match a {
        WorkOrderAction::Dispatch => Some("dispatched_at"),
        WorkOrderAction::Depart => Some("departed_at"),
        WorkOrderAction::Arrive => Some("on_site_at"),
        WorkOrderAction::Complete => Some("done_at"),
        WorkOrderAction::Cancel => None,
    }
}

/// Puts a case into "waiting on a work order", starting work on it first if
/// nobody has yet.
async fn case_waits(
    tx: &mut Tx,
    engine: &crate::engine::Engine,
    who: StaffId,
    case_id: CaseId,
    at: i64,
) -> AppResult<()> {
    let case = tx.exec().case(case_id).await?;
    match case.state {
        CaseState::WaitingWorkOrder => return Ok(()),
        CaseState::Received | CaseState::Transferred | CaseState::Returned => {
            let assignee = case.assignee_id.or(Some(who));
            step(
                tx,
                engine,
                who,
                &case,
                Some(CaseAction::Start),
                "case.started",
                json!({}),
                Routing { department: None, assignee: Some(assignee) },
                at,
            )
            .await?;
        }
        _ => {}
    }
    let case = tx.exec().case(case_id).await?;
    step(
        tx,
        engine,
        who,
        &case,
        Some(CaseAction::WaitWorkOrder),
        "case.waiting",
        json!({"on": "work_order"}),
        Routing::KEEP,
        at,
    )
    .await
}

/// When the last active work order of a case ends, work on the case resumes.
async fn case_resumes_if_done(
    tx: &mut Tx,
    engine: &crate::engine::Engine,
    who: StaffId,
    case_id: CaseId,
    at: i64,
) -> AppResult<()> {
    let others = tx.exec().work_orders_of(case_id).await?;
    if others.iter().any(|w| w.state.is_active()) {
        return Ok(());
    }
    let case = tx.exec().case(case_id).await?;
    if case.state == CaseState::WaitingWorkOrder {
        step(
            tx,
            engine,
            who,
            &case,
            Some(CaseAction::Resume),
            "case.resumed",
            json!({"after": "work_orders"}),
            Routing::KEEP,
            at,
        )
        .await?;
    }
    Ok(())
}

impl App {
    /// Checks that `crew_id` is an active field technician of the actor's company.
    async fn crew(&self, actor: &Actor, crew_id: StaffId) -> AppResult<()> {
        let s = self.store().read().staff(crew_id).await.map_err(|e| match e {
            pledge_store::StoreError::NotFound(_) => {
                AppError::invalid("unknown_crew", "crew_id", "no such staff member")
            }
            other => other.into(),
        })?;
        if s.company_id != actor.staff.company_id || !s.active || s.role != Role::FieldTechnician {
            return Err(AppError::invalid(
                "not_a_field_technician",
                "crew_id",
                "work orders go to active field technicians",
            ));
        }
        Ok(())
    }

    /// Raises a work order on a case (派工); the case then waits on it.
    #[tracing::instrument(skip(self, actor, input))]
    pub async fn create_work_order(
        &self,
        actor: &Actor,
        case_id: CaseId,
        input: WorkOrderInput,
    ) -> AppResult<WorkOrder> {
        actor.require(Permission::WorkOrderDispatch, "raise work orders")?;
        let instructions = Body::parse("instructions", &input.instructions)?.into_inner();
        if let Some((from, to)) = input.appointment
            && from >= to
        {
            return Err(AppError::invalid(
                "invalid_appointment",
                "appointment_to",
                "the appointment must end after it begins",
            ));
        }
        if let Some(c) = input.crew_id {
            self.crew(actor, c).await?;
        }
        let (company_id, who, at, engine) = (actor.staff.company_id, actor.id(), self.now(), self.engine());
        let id = self
            .writer
            .write(async move |tx| {
                let job = Job { instructions, appointment: input.appointment, crew_id: input.crew_id };
                raise(tx, &engine, company_id, who, case_id, job, at).await
            })
            .await?;
        Ok(self.store().read().work_order(id).await?)
    }

    /// Assigns (or reassigns) the crew.
    #[tracing::instrument(skip(self, actor))]
    pub async fn dispatch_work_order(&self, actor: &Actor, id: WorkOrderId, crew_id: StaffId) -> AppResult<WorkOrder> {
        actor.require(Permission::WorkOrderDispatch, "assign crews")?;
        self.crew(actor, crew_id).await?;
        self.work_order_step(
            actor,
            id,
            WorkOrderAction::Dispatch,
            WorkOrderChange { crew_id: Some(crew_id), ..Default::default() },
            json!({"crew_id": crew_id}),
        )
        .await
    }

    /// The crew sets off.
    #[tracing::instrument(skip(self, actor))]
    pub async fn depart_work_order(&self, actor: &Actor, id: WorkOrderId) -> AppResult<WorkOrder> {
        self.work_order_step(actor, id, WorkOrderAction::Depart, WorkOrderChange::default(), json!({})).await
    }

    /// The crew is on site: stops the "crew on site" clocks of the case.
    #[tracing::instrument(skip(self, actor))]
    pub async fn arrive_work_order(&self, actor: &Actor, id: WorkOrderId) -> AppResult<WorkOrder> {
        self.work_order_step(actor, id, WorkOrderAction::Arrive, WorkOrderChange::default(), json!({})).await
    }

    /// The job is done: stops the "repaired" clocks of the case, and the case
    /// goes back to its handler once no work order is left open.
    #[tracing::instrument(skip(self, actor, done))]
    pub async fn complete_work_order(&self, actor: &Actor, id: WorkOrderId, done: Completion) -> AppResult<WorkOrder> {
        let result = Body::parse("result", &done.result)?.into_inner();
        let fee = done
            .fee_fen
            .map(Fee::from_fen)
            .transpose()
            .map_err(|e| AppError::invalid("invalid_fee", "fee_fen", e.to_string()))?;
        let signed_by = done
            .signed_by
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Label::parse("signed_by", s).map(Label::into_inner))
            .transpose()?;
        let payload = json!({"result": result, "fee_fen": fee.map(Fee::fen), "signed_by": signed_by});
        let change =
            WorkOrderChange { fee_fen: fee.map(Fee::fen), result: Some(result), signed_by, ..Default::default() };
        self.work_order_step(actor, id, WorkOrderAction::Complete, change, payload).await
    }

    /// Calls a work order off, with the reason.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn cancel_work_order(&self, actor: &Actor, id: WorkOrderId, reason: String) -> AppResult<WorkOrder> {
        actor.require(Permission::WorkOrderDispatch, "cancel work orders")?;
        let reason = Body::parse("reason", &reason)?.into_inner();
        self.work_order_step(
            actor,
            id,
            WorkOrderAction::Cancel,
            WorkOrderChange { cancel_reason: Some(reason.clone()), ..Default::default() },
            json!({"reason": reason}),
        )
        .await
    }

    async fn work_order_step(
        &self,
        actor: &Actor,
        id: WorkOrderId,
        action: WorkOrderAction,
        change: WorkOrderChange,
        payload: Value,
    ) -> AppResult<WorkOrder> {
        actor.require(Permission::WorkOrderReport, "report on work orders")?;
        let (company_id, who, at, engine) = (actor.staff.company_id, actor.id(), self.now(), self.engine());
        // A technician reports on their own jobs only; dispatchers and managers on any.
        let own_only = !actor.can(Permission::WorkOrderDispatch);
        self.writer
            .write(async move |tx| {
                let wo = tx.exec().work_order(id).await?;
                if wo.company_id != company_id {
                    return Err(AppError::NotFound("work order"));
                }
                if own_only && wo.crew_id != Some(who) {
                    return Err(AppError::Forbidden("report on another crew's work order"));
                }
                apply(tx, &engine, who, &wo, action, change, payload, at).await
            })
            .await?;
        Ok(self.store().read().work_order(id).await?)
    }

    /// A work order and the clocks of its case that wait on work orders.
    #[tracing::instrument(skip(self, actor))]
    pub async fn work_order(&self, actor: &Actor, id: WorkOrderId) -> AppResult<WorkOrderDetail> {
        actor.require(Permission::CaseRead, "read work orders")?;
        let wo = self.store().read().work_order(id).await?;
        if wo.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("work order"));
        }
        let engine = self.engine();
        let clocks =
            self.case_clocks(actor, wo.case_id)
                .await?
                .into_iter()
                .filter(|c| {
                    engine.policy.rule(&c.rule_id).is_some_and(|r| {
                        r.stop.iter().any(|e| matches!(e, Event::WorkOrderOnSite | Event::WorkOrderDone))
                    })
                })
                .collect();
        Ok(WorkOrderDetail { work_order: wo, clocks })
    }

    /// Work orders of the actor's company; a technician sees the jobs assigned to them.
    #[tracing::instrument(skip(self, actor, filter))]
    pub async fn work_orders(
        &self,
        actor: &Actor,
        mut filter: WorkOrderFilter,
        page: PageRequest,
    ) -> AppResult<Page<WorkOrder>> {
        actor.require(Permission::CaseRead, "read work orders")?;
        filter.company_id = actor.staff.company_id;
        if actor.role() == Role::FieldTechnician {
            filter.crew_id = Some(actor.id());
        }
        Ok(self.store().read().work_orders(&filter, page).await?)
    }

    /// The work orders raised on a case.
    pub async fn case_work_orders(&self, actor: &Actor, case_id: CaseId) -> AppResult<Vec<WorkOrder>> {
        actor.require(Permission::CaseRead, "read work orders")?;
        let list = self.store().read().work_orders_of(case_id).await?;
        Ok(list.into_iter().filter(|w| w.company_id == actor.staff.company_id).collect())
    }
}

/// A validated work order about to be raised.
pub(crate) struct Job {
    pub(crate) instructions: String,
    pub(crate) appointment: Option<(Timestamp, Timestamp)>,
    pub(crate) crew_id: Option<StaffId>,
}

/// Raises a work order on a case inside the caller's transaction: the case
/// waits on it (work starts first if nobody had started), the order and its
/// ledger event are written, and a crew given is dispatched at once.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn raise(
    tx: &mut Tx,
    engine: &crate::engine::Engine,
    company_id: CompanyId,
    who: StaffId,
    case_id: CaseId,
    job: Job,
    at: Timestamp,
) -> AppResult<WorkOrderId> {
    let at_us = at.as_microsecond();
    let case = tx.exec().case(case_id).await?;
    if case.company_id != company_id {
        return Err(AppError::NotFound("case"));
    }
    if !case.state.is_open()
        || matches!(case.state, CaseState::Answered | CaseState::Callback | CaseState::WaitingCustomer)
    {
        return Err(AppError::Transition(pledge_domain::TransitionError {
            from: case.state,
            action: CaseAction::WaitWorkOrder,
        }));
    }
    case_waits(tx, engine, who, case_id, at_us).await?;
    let (from, to) = (job.appointment.map(|a| a.0.as_microsecond()), job.appointment.map(|a| a.1.as_microsecond()));
    let id = tx
        .insert_work_order(&NewWorkOrder {
            company_id,
            case_id,
            utility: case.utility,
            instructions: job.instructions.clone(),
            appointment_from_us: from,
            appointment_to_us: to,
            created_by: who,
            created_at_us: at_us,
        })
        .await?;
    event(
        tx,
        Some(who),
        Some(case_id),
        "work_order.created",
        json!({"work_order_id": id, "instructions": job.instructions, "appointment_from": job.appointment.map(|a| a.0),
               "appointment_to": job.appointment.map(|a| a.1), "state": "waiting_work_order"}),
        at_us,
    )
    .await?;
    let case = tx.exec().case(case_id).await?;
    on_case_event(tx, engine, &case, Event::WorkOrderCreated, at, Some(who)).await?;
    if let Some(crew) = job.crew_id {
        let wo = tx.exec().work_order(id).await?;
        apply(
            tx,
            engine,
            who,
            &wo,
            WorkOrderAction::Dispatch,
            WorkOrderChange { crew_id: Some(crew), ..Default::default() },
            json!({"crew_id": crew}),
            at,
        )
        .await?;
    }
    Ok(id)
}

/// One step on a work order inside the caller's transaction: the state
/// change, its ledger event on the case, the case clocks it stops, and the
/// case resuming when its last work order ends.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply(
    tx: &mut Tx,
    engine: &crate::engine::Engine,
    who: StaffId,
    wo: &WorkOrder,
    action: WorkOrderAction,
    mut change: WorkOrderChange,
    mut payload: Value,
    at: Timestamp,
) -> AppResult<()> {
    let next = wo.state.after(action).map_err(illegal)?;
    let at_us = at.as_microsecond();
    change.stamp = stamp(action);
    tx.update_work_order(wo.id, wo.version, next, &change, at_us).await?;
    if let Value::Object(m) = &mut payload {
        m.insert("work_order_id".into(), json!(wo.id));
        m.insert("work_order_state".into(), json!(next.code()));
    }
    event(tx, Some(who), Some(wo.case_id), event_kind(action), payload, at_us).await?;
    if let Some(ev) = action.commitment_event() {
        let case = tx.exec().case(wo.case_id).await?;
        on_case_event(tx, engine, &case, ev, at, Some(who)).await?;
    }
    if !next.is_active() {
        case_resumes_if_done(tx, engine, who, wo.case_id, at_us).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pledge_domain::work_order::WorkOrderState;

    #[test]
    fn every_step_is_ledgered_under_its_own_kind() {
        let all = [
            WorkOrderAction::Dispatch,
            WorkOrderAction::Depart,
            WorkOrderAction::Arrive,
            WorkOrderAction::Complete,
            WorkOrderAction::Cancel,
        ];
        let kinds: std::collections::HashSet<_> = all.into_iter().map(event_kind).collect();
        assert_eq!(kinds.len(), all.len());
        assert!(kinds.iter().all(|k| k.starts_with("work_order.")));
    }

    #[test]
    fn only_cancelling_leaves_no_timestamp() {
        assert_eq!(stamp(WorkOrderAction::Cancel), None);
        assert_eq!(stamp(WorkOrderAction::Arrive), Some("on_site_at"));
    }

    #[test]
    fn a_finished_job_is_no_longer_active() {
        assert!(!WorkOrderState::Done.is_active() && !WorkOrderState::Cancelled.is_active());
        assert!(WorkOrderState::OnSite.is_active());
    }
}
