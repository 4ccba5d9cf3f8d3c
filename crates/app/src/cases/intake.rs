//! Receiving a case (受理): validation, first-inquiry responsibility, the first clocks.

use super::*;

/// Receives a case inside `tx` at time `at`. Used by intake and by seeding (the demo loader).
pub(crate) async fn receive(
    tx: &mut Tx,
    engine: &Engine,
    actor: &Actor,
    input: &CaseInput,
    at: Timestamp,
) -> AppResult<CaseId> {
    let at_us = at.as_microsecond();
    let day = at.to_zoned(shanghai()).date();
    let number = tx.next_case_number(input.utility, day).await?;
    let on_spot = input.answered_on_spot.is_some();
    let notify_consent =
        !input.anonymous && input.notify_consent.unwrap_or(CaseInput::default_notify_consent(input.kind));
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
        notify_consent,
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
            "anonymous": input.anonymous, "notify_consent": notify_consent, "first_responder_id": actor.id(), "department_id": actor.staff.department_id,
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
    if let Some(due) = input.upstream.as_ref().and_then(|u| u.due) {
        start_upstream_clock(tx, &case, due, at, actor.id()).await?;
    }
    // Outages (C16): hang the case under a known outage, or route and group a no-supply call.
    crate::outages::intake::on_case_received(tx, engine, actor.id(), id, at).await?;
    if !on_spot {
        crate::notices::case_received(tx, id, Some(actor.id()), at_us).await?;
    }
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

/// The clock of the deadline an upstream platform (12345, 95598) set: rule
/// UPSTREAM, due at that instant, stored and ledgered like the case's own.
async fn start_upstream_clock(tx: &mut Tx, case: &Case, due: Timestamp, at: Timestamp, who: StaffId) -> AppResult<()> {
    let clock = pledge_domain::commitment::Clock::upstream(at, due)
        .map_err(|e| AppError::invalid("invalid_upstream_due", "upstream.due", e.to_string()))?;
    let id = tx.insert_clock(case.company_id, "case", case.id.get(), case.utility, case.department_id, &clock).await?;
    event(
        tx,
        Some(who),
        Some(case.id),
        "clock.started",
        json!({"clock_id": id, "rule_id": clock.rule_id, "due_at": clock.due_at, "policy_version": clock.policy_version}),
        at.as_microsecond(),
    )
    .await?;
    Ok(())
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
}
