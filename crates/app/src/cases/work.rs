//! Working a case: start, reply, wait and resume, callback, close, reopen, notes.

use super::*;

impl App {
    /// Starts work on a case; the actor takes it if nobody holds it.
    #[tracing::instrument(skip(self, actor))]
    pub async fn start_case(&self, actor: &Actor, id: CaseId) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "work cases")?;
        let a = actor.clone();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            if case.state == CaseState::Returned
                && !(a.can(Permission::CaseDecide) || a.id() == case.first_responder_id)
            {
                return Err(AppError::Forbidden("decide on returned cases"));
            }
            let assignee = case.assignee_id.or(Some(a.id()));
            step(
                tx,
                &engine,
                a.id(),
                &case,
                Some(CaseAction::Start),
                "case.started",
                json!({}),
                Routing { department: None, assignee: Some(assignee) },
                at,
            )
            .await
        })
        .await
    }

    /// Sends a reply to the customer; a final reply answers the case.
    #[tracing::instrument(skip(self, actor, body))]
    pub async fn reply_case(&self, actor: &Actor, id: CaseId, body: String, final_answer: bool) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "reply to customers")?;
        let body = Body::parse("body", &body)?.into_inner();
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            if !case.state.is_open() {
                return Err(AppError::Transition(pledge_domain::TransitionError {
                    from: case.state,
                    action: CaseAction::Answer,
                }));
            }
            let action = final_answer.then_some(CaseAction::Answer);
            step(
                tx,
                &engine,
                who,
                &case,
                action,
                "case.replied",
                json!({"final": final_answer, "body": body}),
                Routing::KEEP,
                at,
            )
            .await
        })
        .await
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn wait_case(&self, actor: &Actor, id: CaseId, on: WaitFor) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "work cases")?;
        let who = actor.id();
        let (action, what) = match on {
            WaitFor::Customer => (CaseAction::WaitCustomer, "customer"),
            WaitFor::WorkOrder => (CaseAction::WaitWorkOrder, "work_order"),
        };
        self.on_case(actor, id, async move |tx, case, at, engine| {
            step(tx, &engine, who, &case, Some(action), "case.waiting", json!({"on": what}), Routing::KEEP, at).await
        })
        .await
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn resume_case(&self, actor: &Actor, id: CaseId) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "work cases")?;
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            step(tx, &engine, who, &case, Some(CaseAction::Resume), "case.resumed", json!({}), Routing::KEEP, at).await
        })
        .await
    }

    /// Begins the callback to the customer after an answer (回访).
    #[tracing::instrument(skip(self, actor))]
    pub async fn start_callback(&self, actor: &Actor, id: CaseId) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "call customers back")?;
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            step(
                tx,
                &engine,
                who,
                &case,
                Some(CaseAction::StartCallback),
                "case.callback_started",
                json!({}),
                Routing::KEEP,
                at,
            )
            .await
        })
        .await
    }

    #[tracing::instrument(skip(self, actor, summary))]
    pub async fn close_case(&self, actor: &Actor, id: CaseId, summary: Option<String>) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "close cases")?;
        let summary = summary.map(|s| Body::parse("summary", &s).map(Body::into_inner)).transpose()?;
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            step(
                tx,
                &engine,
                who,
                &case,
                Some(CaseAction::Close),
                "case.closed",
                json!({"summary": summary}),
                Routing::KEEP,
                at,
            )
            .await
        })
        .await
    }

    /// Reopens a case, e.g. after an unsatisfied callback.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn reopen_case(&self, actor: &Actor, id: CaseId, reason: String) -> AppResult<Case> {
        actor.require(Permission::CaseDecide, "reopen cases")?;
        let reason = Body::parse("reason", &reason)
            .map_err(|_| AppError::invalid("reason_required", "reason", "reopening needs a reason"))?
            .into_inner();
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            step(
                tx,
                &engine,
                who,
                &case,
                Some(CaseAction::Reopen),
                "case.reopened",
                json!({"reason": reason}),
                Routing::KEEP,
                at,
            )
            .await
        })
        .await
    }

    /// An internal note; customers never see it.
    #[tracing::instrument(skip(self, actor, body))]
    pub async fn note_case(&self, actor: &Actor, id: CaseId, body: String) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "write notes")?;
        let body = Body::parse("body", &body)?.into_inner();
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            step(tx, &engine, who, &case, None, "case.noted", json!({"body": body}), Routing::KEEP, at).await
        })
        .await
    }
}
