//! Extension requests (延期申请): a handler asks for a later deadline with a
//! reason; a duty manager approves (the clock moves, as in
//! [`App::extend_clock`]) or refuses. Requests and decisions are ledgered.

use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::{Actor, App};
use jiff::Timestamp;
use pledge_domain::Permission;
use pledge_domain::commitment::ClockError;
use pledge_domain::ids::*;
use pledge_domain::model::ExtensionRequest;
use pledge_domain::text::Body;
use pledge_store::StoreError;
use pledge_store::repo::*;
use serde_json::json;

impl App {
    /// Asks for a clock of a case to be extended to `new_due`.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn request_extension(
        &self,
        actor: &Actor,
        case_id: CaseId,
        clock_id: ClockId,
        new_due: Timestamp,
        reason: String,
    ) -> AppResult<ExtensionRequestId> {
        actor.require(Permission::CaseWork, "request extensions")?;
        let reason = Body::parse("reason", &reason)
            .map_err(|_| AppError::invalid("reason_required", "reason", "an extension needs a reason"))?
            .into_inner();
        let (who, now, company) = (actor.id(), self.now(), actor.staff.company_id);
        self.writer
            .write(async move |tx| {
                    let rec = tx.exec().clock(clock_id).await?;
                    if rec.subject != "case" || rec.subject_id != case_id.get() || rec.company_id != company {
                        return Err(AppError::NotFound("clock"));
                    }
                    if rec.clock.is_stopped() {
                        return Err(AppError::conflict("clock_stopped", "the clock has already stopped"));
                    }
                    if new_due <= rec.clock.due_at {
                        return Err(AppError::invalid("extension_not_later", "new_due", "the new deadline must be later than the current one"));
                    }
                    let at = now.as_microsecond();
                    let id = tx.insert_extension_request(company, case_id, clock_id, who, new_due.as_microsecond(), &reason, at).await?;
                    tx.touch_case(case_id, at).await?;
                    let state = tx.exec().case(case_id).await?.state;
                    event(tx, Some(who), Some(case_id), "clock.extension_requested",
                        json!({"request_id": id, "clock_id": clock_id, "to": new_due, "reason": reason, "state": state.code()}), at).await?;
                    Ok(id)
                })
            .await
    }

    /// Approves (moving the deadline) or refuses a pending request.
    #[tracing::instrument(skip(self, actor))]
    pub async fn decide_extension(
        &self,
        actor: &Actor,
        request_id: ExtensionRequestId,
        approve: bool,
    ) -> AppResult<ExtensionRequest> {
        actor.require(Permission::ExtensionApprove, "approve extensions")?;
        let (who, now, company) = (actor.id(), self.now(), actor.staff.company_id);
        self.writer
            .write(async move |tx| {
                    let req = tx.exec().extension_request(request_id).await?;
                    if req.company_id != company {
                        return Err(AppError::NotFound("extension request"));
                    }
                    let at = now.as_microsecond();
                    let state = if approve { "approved" } else { "refused" };
                    tx.decide_extension_request(request_id, state, who, at).await.map_err(|e| match e {
                        StoreError::Conflict(m) => AppError::conflict("already_decided", m),
                        other => other.into(),
                    })?;
                    let case_state = tx.exec().case(req.case_id).await?.state;
                    if approve {
                        let mut rec = tx.exec().clock(req.clock_id).await?;
                        let old_due = rec.clock.due_at;
                        rec.clock.extend(req.new_due, &who.to_string(), &req.reason, now).map_err(|e| match e {
                            ClockError::Calendar(c) => AppError::Invalid { code: c.code(), field: None, message: c.to_string() },
                            other => AppError::conflict("extension_refused", other.to_string()),
                        })?;
                        tx.update_clock(rec.id, rec.department_id, &rec.clock).await?;
                        let seq = event(tx, Some(who), Some(req.case_id), "clock.extended",
                            json!({"clock_id": rec.id, "rule_id": rec.clock.rule_id, "from": old_due, "to": rec.clock.due_at, "reason": req.reason, "request_id": request_id, "state": case_state.code()}), at).await?;
                        crate::notices::case_extended(tx, req.case_id, seq, old_due, &req.reason, Some(who), at).await?;
                    } else {
                        event(tx, Some(who), Some(req.case_id), "clock.extension_refused", json!({"request_id": request_id, "clock_id": req.clock_id, "state": case_state.code()}), at).await?;
                    }
                    tx.touch_case(req.case_id, at).await?;
                    Ok(())
                })
            .await?;
        Ok(self.store().read().extension_request(request_id).await?)
    }

    /// Decides a request made on case `case_id`; a request of another case is "not found".
    pub async fn decide_case_extension(
        &self,
        actor: &Actor,
        case_id: CaseId,
        request_id: ExtensionRequestId,
        approve: bool,
    ) -> AppResult<ExtensionRequest> {
        let req = self.store().read().extension_request(request_id).await?;
        if req.case_id != case_id {
            return Err(AppError::NotFound("extension request"));
        }
        self.decide_extension(actor, request_id, approve).await
    }

    /// Requests waiting for a decision, oldest first.
    pub async fn pending_extensions(&self, actor: &Actor, limit: u32) -> AppResult<Vec<ExtensionRequest>> {
        actor.require(Permission::CaseRead, "read cases")?;
        Ok(self.store().read().pending_extension_requests(actor.staff.company_id, limit).await?)
    }

    /// Every extension request made on a case.
    pub async fn extension_requests_of(&self, actor: &Actor, case_id: CaseId) -> AppResult<Vec<ExtensionRequest>> {
        actor.require(Permission::CaseRead, "read cases")?;
        Ok(self.store().read().extension_requests_of(case_id).await?)
    }
}
