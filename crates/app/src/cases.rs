//! Case use cases: intake with first-inquiry responsibility, transfer with the
//! three-copy complaint form, return, work, replies, callback, close, reopen,
//! notes, assignment and duplicate links. Every change is a ledger event whose
//! payload carries the case's state after it, so `audit verify` can replay.

pub use crate::case_flow::Routing;
pub(crate) use crate::case_flow::step;
use crate::engine::Engine;
use crate::error::{AppError, AppResult};
use crate::ledger::event;
pub use crate::registry::GENERAL_MANAGEMENT_CODE;
use crate::writer::TxFn3;
use crate::{Actor, App, shanghai};
use jiff::Timestamp;
use pledge_domain::case::{CaseAction, CaseKind, CaseState, CaseSubkind, Channel};
use pledge_domain::model::{Case, CaseFilter, CaseSort, Distribution, Event, NewCase, Page, PageRequest};
use pledge_domain::text::{Body, Label, mask_name};
use pledge_domain::{Permission, Phone, Utility};
use pledge_store::repo::*;
use pledge_store::{StoreError, Tx};
use serde_json::{Value, json};
use std::sync::Arc;

/// The three copies of a transferred complaint's form.
pub const FORM_COPIES: [&str; 3] = ["archive", "department", "management"];

/// An upstream platform's reference (12345, 95598 …) carried beside ours.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub platform: String,
    pub reference: String,
    pub due: Option<Timestamp>,
}

/// What a hall clerk or hotline agent records when receiving a customer.
#[derive(Debug, Clone)]
pub struct CaseInput {
    pub utility: Utility,
    pub kind: CaseKind,
    pub subkind: Option<CaseSubkind>,
    pub channel: Channel,
    pub subject: String,
    pub description: String,
    pub customer_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    pub upstream: Option<Upstream>,
    /// The answer given on the spot; the case is then closed at once.
    pub answered_on_spot: Option<String>,
}

/// A case with everything its page shows.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub case: Case,
    pub distributions: Vec<Distribution>,
    pub duplicates: Vec<Case>,
    pub timeline: Vec<Event>,
    /// Whether personal data on this case was hidden from the reader.
    pub masked: bool,
}

/// Whether a waiting step waits on the customer or on a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFor {
    Customer,
    WorkOrder,
}

/// Payload keys that identify a reporter or customer.
const IDENTITY_KEYS: [&str; 3] = ["contact_name", "contact_phone", "customer_id"];

fn may_see_identity(actor: &Actor, case: &Case) -> bool {
    case.kind != CaseKind::Report || actor.can(Permission::ReporterIdentityRead)
}

/// Hides a report's reporter from roles without the right.
pub fn mask_case(actor: &Actor, mut c: Case) -> (Case, bool) {
    if may_see_identity(actor, &c) {
        return (c, false);
    }
    c.contact_name = c.contact_name.as_deref().map(mask_name);
    c.contact_phone =
        c.contact_phone.as_deref().map(|p| Phone::parse(p).map(|p| p.masked()).unwrap_or_else(|_| "***".into()));
    c.customer_id = None;
    (c, true)
}

fn mask_event(mut e: Event) -> Event {
    if let Value::Object(m) = &mut e.payload {
        for k in IDENTITY_KEYS {
            if let Some(v) = m.get_mut(k)
                && !v.is_null()
            {
                *v = json!("***");
            }
        }
    }
    e
}

fn not_found_as(e: StoreError, code: &'static str, field: &'static str, msg: &'static str) -> AppError {
    match e {
        StoreError::NotFound(_) => AppError::invalid(code, field, msg),
        other => other.into(),
    }
}

/// Receives a case inside `tx` at time `at`. Used by intake and by seeding (the demo loader).
pub(crate) async fn receive(
    tx: &mut Tx,
    engine: &Engine,
    actor: &Actor,
    input: &CaseInput,
    at: Timestamp,
) -> AppResult<i64> {
    let at_us = at.as_microsecond();
    let day = at.to_zoned(shanghai()).date();
    let number = tx.next_case_number(input.utility, day).await?;
    let on_spot = input.answered_on_spot.is_some();
    let new = NewCase {
        company_id: actor.staff.company_id,
        utility: input.utility,
        kind: input.kind,
        subkind: input.subkind,
        channel: input.channel,
        state: CaseState::Received,
        subject: input.subject.clone(),
        description: input.description.clone(),
        customer_id: input.customer_id,
        contact_name: input.contact_name.clone(),
        contact_phone: input.contact_phone.clone(),
        anonymous: input.anonymous,
        first_responder_id: actor.id(),
        assignee_id: Some(actor.id()),
        department_id: actor.staff.department_id,
        upstream_platform: input.upstream.as_ref().map(|u| u.platform.clone()),
        upstream_ref: input.upstream.as_ref().map(|u| u.reference.clone()),
        upstream_due_us: input.upstream.as_ref().and_then(|u| u.due).map(|d| d.as_microsecond()),
        answered_on_spot: on_spot,
        created_at_us: at_us,
    };
    let id = tx.insert_case(&number, &new).await.map_err(|e| match e {
        StoreError::MissingReference(_) => AppError::invalid("unknown_customer", "customer_id", "no such customer"),
        other => other.into(),
    })?;
    event(
        tx,
        Some(actor.id()),
        Some(id),
        "case.received",
        json!({
            "number": number.to_string(), "kind": input.kind.code(), "subkind": input.subkind.map(|s| s.code()),
            "utility": input.utility.code(), "channel": input.channel.code(), "subject": input.subject,
            "customer_id": input.customer_id, "contact_name": input.contact_name, "contact_phone": input.contact_phone,
            "anonymous": input.anonymous, "first_responder_id": actor.id(), "department_id": actor.staff.department_id,
            "upstream_platform": new.upstream_platform, "upstream_ref": new.upstream_ref, "state": CaseState::Received.code(),
        }),
        at_us,
    )
    .await?;
    let case = tx.exec().case(id).await?;
    crate::commitments::on_case_event(
        tx,
        engine,
        &case,
        pledge_domain::commitment::Event::CaseReceived,
        at,
        Some(actor.id()),
    )
    .await?;
    // Outages (C16): hang the case under a known outage, or route and group a no-supply call.
    crate::outages::intake::on_case_received(tx, engine, actor.id(), id, at).await?;
    if let Some(answer) = &input.answered_on_spot {
        let case = tx.exec().case(id).await?;
        step(
            tx,
            engine,
            actor.id(),
            &case,
            Some(CaseAction::Answer),
            "case.replied",
            json!({"final": true, "body": answer, "on_spot": true}),
            Routing::KEEP,
            at_us,
        )
        .await?;
        let case = tx.exec().case(id).await?;
        step(
            tx,
            engine,
            actor.id(),
            &case,
            Some(CaseAction::Close),
            "case.closed",
            json!({"on_spot": true}),
            Routing::KEEP,
            at_us,
        )
        .await?;
    }
    Ok(id)
}

fn validate(input: &mut CaseInput) -> AppResult<()> {
    if !input.kind.accepts(input.subkind) {
        return Err(AppError::invalid(
            "subkind_mismatch",
            "subkind",
            format!("subkind does not belong to kind {}", input.kind.code()),
        ));
    }
    input.subject = Label::parse("subject", &input.subject)
        .map_err(|_| AppError::invalid("invalid_subject", "subject", "a subject of 1–100 characters is required"))?
        .into_inner();
    input.description = Body::parse("description", &input.description)?.into_inner();
    input.contact_name = input
        .contact_name
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|n| Label::parse("contact_name", n).map(Label::into_inner))
        .transpose()?;
    input.contact_phone = input
        .contact_phone
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|p| {
            Phone::parse(p)
                .map(|p| p.as_str().to_owned())
                .map_err(|e| AppError::invalid("invalid_phone", "contact_phone", e.to_string()))
        })
        .transpose()?;
    if let Some(a) = &input.answered_on_spot {
        input.answered_on_spot = Some(Body::parse("answered_on_spot", a)?.into_inner());
    }
    if let Some(u) = &mut input.upstream {
        u.platform = Label::parse("upstream.platform", &u.platform)?.into_inner();
        u.reference = Label::parse("upstream.reference", &u.reference)?.into_inner();
    }
    if input.anonymous && input.kind != CaseKind::Report {
        return Err(AppError::invalid("anonymous_not_allowed", "anonymous", "only reports (举报) may be anonymous"));
    }
    if input.anonymous && (input.contact_name.is_some() || input.contact_phone.is_some() || input.customer_id.is_some())
    {
        return Err(AppError::invalid(
            "anonymous_with_identity",
            "anonymous",
            "an anonymous report carries no name, phone or customer",
        ));
    }
    Ok(())
}

impl App {
    /// Receives a customer's matter (受理). The actor becomes the case's first
    /// responder for its whole life.
    #[tracing::instrument(skip_all, fields(kind = input.kind.code(), utility = input.utility.code()))]
    pub async fn create_case(&self, actor: &Actor, mut input: CaseInput) -> AppResult<Case> {
        actor.require(Permission::CaseCreate, "receive cases")?;
        validate(&mut input)?;
        let a = actor.clone();
        let at = self.now();
        let engine = self.engine();
        let id = self.writer.write(async move |tx| receive(tx, &engine, &a, &input, at).await).await?;
        let case = self.store().read().case(id).await?;
        Ok(mask_case(actor, case).0)
    }

    /// A case with its form copies, duplicates and timeline; reading personal data is logged.
    #[tracing::instrument(skip(self, actor))]
    pub async fn case(&self, actor: &Actor, id: i64) -> AppResult<CaseDetail> {
        actor.require(Permission::CaseRead, "read cases")?;
        let r = self.store().read();
        let case = r.case(id).await?;
        if case.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("case"));
        }
        let see = may_see_identity(actor, &case);
        let timeline = r.case_events(id).await?.into_iter().map(|e| if see { e } else { mask_event(e) }).collect();
        let distributions = r.distributions(id).await?;
        let duplicates = r.duplicates_of(id).await?.into_iter().map(|c| mask_case(actor, c).0).collect();
        if see && (case.customer_id.is_some() || case.contact_name.is_some() || case.contact_phone.is_some()) {
            let subject = if case.kind == CaseKind::Report { "case_reporter" } else { "case_contact" };
            self.log_access(actor, subject, vec![case.id], "read").await?;
        }
        let (case, masked) = mask_case(actor, case);
        Ok(CaseDetail { case, distributions, duplicates, timeline, masked })
    }

    #[tracing::instrument(skip(self, actor, filter))]
    pub async fn cases(
        &self,
        actor: &Actor,
        mut filter: CaseFilter,
        sort: CaseSort,
        page: PageRequest,
    ) -> AppResult<Page<Case>> {
        actor.require(Permission::CaseRead, "read cases")?;
        filter.company_id = Some(actor.staff.company_id);
        let p = self.store().read().cases(&filter, sort, page).await?;
        Ok(Page { items: p.items.into_iter().map(|c| mask_case(actor, c).0).collect(), total: p.total })
    }

    /// Runs `f` on the case inside a write, after checking it belongs to the actor's company.
    async fn on_case<F>(&self, actor: &Actor, id: i64, f: F) -> AppResult<Case>
    where
        F: AsyncFnOnce(&mut Tx, Case, i64, Arc<Engine>) -> AppResult<()>
            + for<'t> TxFn3<'t, Case, i64, Arc<Engine>, ()>
            + Send
            + 'static,
    {
        let company = actor.staff.company_id;
        let at = self.now().as_microsecond();
        let engine = self.engine();
        self.writer
            .write(async move |tx| {
                let case = tx.exec().case(id).await?;
                if case.company_id != company {
                    return Err(AppError::NotFound("case"));
                }
                f.call(tx, case, at, engine).await
            })
            .await?;
        let case = self.store().read().case(id).await?;
        Ok(mask_case(actor, case).0)
    }

    /// Transfers a case to the department whose remit it is (转办). A complaint
    /// gets the three-copy form: archive, receiving department, general management.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn transfer_case(
        &self,
        actor: &Actor,
        id: i64,
        department_id: i64,
        reason: Option<String>,
    ) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "transfer cases")?;
        let reason = reason.map(|r| Body::parse("reason", &r).map(Body::into_inner)).transpose()?;
        let r = self.store().read();
        let target = r
            .department(department_id)
            .await
            .map_err(|e| not_found_as(e, "unknown_department", "department_id", "no such department"))?;
        if target.company_id != actor.staff.company_id {
            return Err(AppError::invalid("unknown_department", "department_id", "no such department"));
        }
        let management = r
            .departments(Some(actor.staff.company_id))
            .await?
            .into_iter()
            .find(|d| d.code == GENERAL_MANAGEMENT_CODE)
            .map(|d| d.id);
        let a = actor.clone();
        self.on_case(actor, id, async move |tx, case, at, engine| {
                if case.state == CaseState::Returned && !(a.can(Permission::CaseDecide) || a.id() == case.first_responder_id) {
                    return Err(AppError::Forbidden("decide on returned cases"));
                }
                if case.department_id == Some(department_id) && case.state == CaseState::Transferred {
                    return Err(AppError::conflict("already_there", "the case is already with that department"));
                }
                let from = case.department_id.or(a.staff.department_id);
                let transfer_no = tx.exec().case_events(case.id).await?.iter().filter(|e| e.kind == "case.transferred").count() as i64 + 1;
                let payload = json!({"from_department_id": from, "to_department_id": department_id, "reason": reason, "transfer_no": transfer_no});
                step(tx, &engine, a.id(), &case, Some(CaseAction::Transfer), "case.transferred", payload, Routing { department: Some(Some(department_id)), assignee: Some(None) }, at).await?;
                if case.kind == CaseKind::Complaint {
                    for (copy, holder) in FORM_COPIES.into_iter().zip([from, Some(department_id), management]) {
                        tx.insert_distribution(case.id, transfer_no, copy, holder, at).await?;
                    }
                }
                Ok(())
            })
        .await
    }

    /// Acknowledges one copy of a complaint form, by its holder department
    /// (or a duty manager, supervisor or administrator).
    #[tracing::instrument(skip(self, actor))]
    pub async fn acknowledge_form_copy(
        &self,
        actor: &Actor,
        case_id: i64,
        distribution_id: i64,
    ) -> AppResult<Distribution> {
        actor.require(Permission::CaseWork, "acknowledge forms")?;
        let copies = self.store().read().distributions(case_id).await?;
        let d = copies.into_iter().find(|d| d.id == distribution_id).ok_or(AppError::NotFound("form copy"))?;
        let overseer = matches!(
            actor.role(),
            pledge_domain::Role::DutyManager | pledge_domain::Role::QualitySupervisor | pledge_domain::Role::Admin
        );
        if !overseer && d.holder_department_id.is_some() && d.holder_department_id != actor.staff.department_id {
            return Err(AppError::Forbidden("acknowledge another department's copy"));
        }
        let who = actor.id();
        self.on_case(actor, case_id, async move |tx, case, at, _engine| {
                    let d = tx.acknowledge_distribution(distribution_id, who, at).await.map_err(|e| match e {
                        StoreError::Conflict(m) => AppError::conflict("already_acknowledged", m),
                        other => other.into(),
                    })?;
                    tx.touch_case(case.id, at).await?;
                    event(tx, Some(who), Some(case.id), "case.form_acknowledged", json!({"distribution_id": d.id, "copy": d.copy, "transfer_no": d.transfer_no, "state": case.state.code()}), at).await?;
                    Ok(())
                })
        .await?;
        let copies = self.store().read().distributions(case_id).await?;
        copies.into_iter().find(|d| d.id == distribution_id).ok_or(AppError::NotFound("form copy"))
    }

    /// The receiving department returns a case outside its remit (退单), with a reason;
    /// it goes back to the department that sent it for the sender or duty manager to decide.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn return_case(&self, actor: &Actor, id: i64, reason: String) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "return cases")?;
        let reason = Body::parse("reason", &reason)
            .map_err(|_| AppError::invalid("reason_required", "reason", "a return needs a reason"))?
            .into_inner();
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            let events = tx.exec().case_events(case.id).await?;
            let back_to = events
                .iter()
                .rev()
                .find(|e| e.kind == "case.transferred")
                .and_then(|e| e.payload.get("from_department_id"))
                .and_then(Value::as_i64);
            let payload = json!({"reason": reason, "from_department_id": case.department_id});
            step(
                tx,
                &engine,
                who,
                &case,
                Some(CaseAction::Return),
                "case.returned",
                payload,
                Routing { department: Some(back_to), assignee: Some(None) },
                at,
            )
            .await
        })
        .await
    }

    /// Starts work on a case; the actor takes it if nobody holds it.
    #[tracing::instrument(skip(self, actor))]
    pub async fn start_case(&self, actor: &Actor, id: i64) -> AppResult<Case> {
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
    pub async fn reply_case(&self, actor: &Actor, id: i64, body: String, final_answer: bool) -> AppResult<Case> {
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
    pub async fn wait_case(&self, actor: &Actor, id: i64, on: WaitFor) -> AppResult<Case> {
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
    pub async fn resume_case(&self, actor: &Actor, id: i64) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "work cases")?;
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            step(tx, &engine, who, &case, Some(CaseAction::Resume), "case.resumed", json!({}), Routing::KEEP, at).await
        })
        .await
    }

    /// Begins the callback to the customer after an answer (回访).
    #[tracing::instrument(skip(self, actor))]
    pub async fn start_callback(&self, actor: &Actor, id: i64) -> AppResult<Case> {
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
    pub async fn close_case(&self, actor: &Actor, id: i64, summary: Option<String>) -> AppResult<Case> {
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
    pub async fn reopen_case(&self, actor: &Actor, id: i64, reason: String) -> AppResult<Case> {
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
    pub async fn note_case(&self, actor: &Actor, id: i64, body: String) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "write notes")?;
        let body = Body::parse("body", &body)?.into_inner();
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            step(tx, &engine, who, &case, None, "case.noted", json!({"body": body}), Routing::KEEP, at).await
        })
        .await
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn assign_case(&self, actor: &Actor, id: i64, staff_id: i64) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "assign cases")?;
        let target = self
            .store()
            .read()
            .staff(staff_id)
            .await
            .map_err(|e| not_found_as(e, "unknown_staff", "staff_id", "no such staff member"))?;
        if !target.active || target.company_id != actor.staff.company_id {
            return Err(AppError::invalid("unknown_staff", "staff_id", "no such active staff member"));
        }
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, engine| {
            if !case.state.is_open() {
                return Err(AppError::conflict("case_closed", "a closed case cannot be assigned; reopen it first"));
            }
            step(
                tx,
                &engine,
                who,
                &case,
                None,
                "case.assigned",
                json!({}),
                Routing { department: None, assignee: Some(Some(staff_id)) },
                at,
            )
            .await
        })
        .await
    }

    /// Links a repeat contact to the case that already covers the matter.
    #[tracing::instrument(skip(self, actor))]
    pub async fn link_duplicate(&self, actor: &Actor, id: i64, original_id: i64) -> AppResult<Case> {
        actor.require(Permission::CaseWork, "link cases")?;
        if id == original_id {
            return Err(AppError::invalid("self_link", "original_id", "a case cannot duplicate itself"));
        }
        let who = actor.id();
        self.on_case(actor, id, async move |tx, case, at, _engine| {
            let original = tx
                .exec()
                .case(original_id)
                .await
                .map_err(|e| not_found_as(e, "unknown_case", "original_id", "no such case"))?;
            if original.company_id != case.company_id {
                return Err(AppError::invalid("unknown_case", "original_id", "no such case"));
            }
            // Always point at the root so links never form chains or loops.
            let root = original.duplicate_of.unwrap_or(original.id);
            if root == case.id {
                return Err(AppError::invalid(
                    "link_loop",
                    "original_id",
                    "that case is already a duplicate of this one",
                ));
            }
            if case.duplicate_of.is_some() {
                return Err(AppError::conflict("already_linked", "this case is already linked to another"));
            }
            tx.set_duplicate_of(case.id, root, at).await?;
            event(
                tx,
                Some(who),
                Some(case.id),
                "case.linked_duplicate",
                json!({"duplicate_of": root, "state": case.state.code()}),
                at,
            )
            .await?;
            let root_case = tx.exec().case(root).await?;
            tx.touch_case(root, at).await?;
            event(
                tx,
                Some(who),
                Some(root),
                "case.duplicate_added",
                json!({"duplicate_id": case.id, "state": root_case.state.code()}),
                at,
            )
            .await?;
            Ok(())
        })
        .await
    }
}
