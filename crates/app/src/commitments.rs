//! The commitment engine in use: clocks start, pause, resume and stop as
//! cases move (inside the same transaction as the move), a sweeper fires
//! warnings and breaches exactly once and escalates breaches, and the
//! figures are read back as on-time rates and an at-risk list.

pub use crate::engine::Engine;
use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::{Actor, App};
use jiff::Timestamp;
use pledge_domain::case::CaseAction;
use pledge_domain::commitment::{Clock, ClockError, EscalationTarget, Event, Threshold};
use pledge_domain::ids::*;
use pledge_domain::model::{Case, ClockRecord, ClockStats, NewEvent, StatsGroup};
use pledge_domain::{Permission, Zone};
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::json;

/// The commitment event a case step raises, if any.
pub(crate) fn event_for(action: CaseAction) -> Option<Event> {
    Some(match action {
        CaseAction::Transfer => Event::CaseTransferred,
        CaseAction::Start => Event::CaseStarted,
        CaseAction::WaitCustomer => Event::CaseWaitingCustomer,
        CaseAction::Resume => Event::CaseResumed,
        CaseAction::Answer => Event::CaseAnswered,
        CaseAction::Close => Event::CaseClosed,
        CaseAction::Return | CaseAction::WaitWorkOrder | CaseAction::StartCallback | CaseAction::Reopen => return None,
    })
}

fn clock_error(e: ClockError) -> AppError {
    match e {
        ClockError::Calendar(c) => AppError::Invalid { code: c.code(), field: None, message: c.to_string() },
        other => AppError::Internal(other.to_string()),
    }
}

const CASE: &str = "case";

/// Applies `ev` to the clocks of `case` (already in its new state): stops,
/// pauses and resumes running ones, then starts the rules `ev` starts.
pub(crate) async fn on_case_event(
    tx: &mut Tx,
    engine: &Engine,
    case: &Case,
    ev: Event,
    at: Timestamp,
    actor: Option<StaffId>,
) -> AppResult<()> {
    let at_us = at.as_microsecond();
    // A case just received has no clocks yet: skip the lookup on the intake path.
    let existing =
        if ev == Event::CaseReceived { Vec::new() } else { tx.exec().clocks_of(CASE, case.id.get()).await? };
    for mut rec in existing {
        if rec.clock.is_stopped() {
            continue;
        }
        let Some(rule) = engine.policy.rule(&rec.clock.rule_id) else { continue };
        let (kind, payload) = if rule.stop.contains(&ev) {
            let outcome = rec.clock.stop(at).map_err(clock_error)?;
            (
                "clock.stopped",
                json!({"clock_id": rec.id, "rule_id": rule.id, "outcome": outcome, "due_at": rec.clock.due_at}),
            )
        } else if rule.pause.contains(&ev) && !rec.clock.is_paused() {
            rec.clock.pause(at).map_err(clock_error)?;
            ("clock.paused", json!({"clock_id": rec.id, "rule_id": rule.id}))
        } else if rule.resume.contains(&ev) && rec.clock.is_paused() {
            rec.clock.resume(at).map_err(clock_error)?;
            ("clock.resumed", json!({"clock_id": rec.id, "rule_id": rule.id, "due_at": rec.clock.due_at}))
        } else {
            if rec.department_id != case.department_id {
                tx.update_clock(rec.id, case.department_id, &rec.clock).await?;
            }
            continue;
        };
        tx.update_clock(rec.id, case.department_id, &rec.clock).await?;
        event(tx, actor, Some(case.id), kind, payload, at_us).await?;
    }
    let customer = match case.customer_id {
        Some(id) => Some(tx.exec().customer(id).await?),
        None => None,
    };
    let category = customer.as_ref().map(|c| c.category);
    let zone: Option<Zone> = customer.as_ref().and_then(|c| c.premises.as_ref()).map(|p| p.zone);
    for rule in engine.policy.started_by(ev) {
        if !rule.covers_case(case.utility, case.kind, case.subkind, category) {
            continue;
        }
        // A zone rule needs the premises' zone; without a customer, count as urban (the stricter).
        let clock = Clock::start(rule, at, zone.or(Some(Zone::Urban)), &engine.calendar).map_err(clock_error)?;
        let id =
            tx.insert_clock(case.company_id, CASE, case.id.get(), case.utility, case.department_id, &clock).await?;
        event(
            tx,
            actor,
            Some(case.id),
            "clock.started",
            json!({"clock_id": id, "rule_id": rule.id, "due_at": clock.due_at, "policy_version": clock.policy_version}),
            at_us,
        )
        .await?;
    }
    Ok(())
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub examined: u64,
    pub warned: u64,
    pub breached: u64,
}

/// One sweep over the clocks due at `now`, in one transaction: every due
/// threshold fires exactly once (the clock's state and its ledger event are
/// committed together, and the row is locked against other sweepers).
/// The clocks are read in one query and written back in multi-row
/// statements: ledger events, clock states and escalation jobs each go in
/// batches, so the cost per due clock is a share of a statement, not a
/// round trip of its own.
pub(crate) async fn sweep(tx: &mut Tx, engine: &Engine, now: Timestamp, limit: u32) -> AppResult<SweepReport> {
    let mut report = SweepReport::default();
    let now_us = now.as_microsecond();
    let mut recs = tx.claim_due_clocks(now_us, limit).await?;
    let mut fired = Fired::default();
    for rec in &mut recs {
        report.examined += 1;
        // Fire every threshold that has come due (a server that was down catches up here).
        while let Some((threshold, when)) = rec.clock.next_threshold() {
            if when > now {
                break;
            }
            rec.clock.fire(threshold, now).map_err(clock_error)?;
            fired.record(engine, rec, threshold, when);
            match threshold {
                Threshold::Warn(_) => report.warned += 1,
                Threshold::Breach => report.breached += 1,
            }
        }
    }
    let events: Vec<NewEvent> = fired
        .events
        .into_iter()
        .map(|(case_id, kind, payload)| NewEvent { case_id, actor_id: None, kind, payload, at_us: now_us })
        .collect();
    tx.append_events(&events).await?;
    let updates: Vec<(ClockId, Option<DepartmentId>, &Clock)> =
        recs.iter().map(|r| (r.id, r.department_id, &r.clock)).collect();
    tx.update_clocks(&updates).await?;
    // Delivery (e-mail, SMS, console) is a durable job committed with the breach.
    tx.enqueue_jobs("escalation.notify", &fired.escalations, now_us).await?;
    Ok(report)
}

/// What the thresholds fired in one sweep will write, in order.
#[derive(Default)]
struct Fired {
    /// (case, event kind, payload) for the ledger.
    events: Vec<(Option<CaseId>, &'static str, serde_json::Value)>,
    /// Payloads of the escalation jobs.
    escalations: Vec<serde_json::Value>,
}

impl Fired {
    fn record(&mut self, engine: &Engine, rec: &ClockRecord, threshold: Threshold, due: Timestamp) {
        let case_id = (rec.subject == CASE).then_some(CaseId(rec.subject_id));
        match threshold {
            Threshold::Warn(p) => {
                self.events.push((
                    case_id,
                    "clock.warned",
                    json!({"clock_id": rec.id, "rule_id": rec.clock.rule_id, "percent": p, "due_at": rec.clock.due_at}),
                ));
            }
            Threshold::Breach => {
                self.events.push((
                    case_id,
                    "clock.breached",
                    json!({"clock_id": rec.id, "rule_id": rec.clock.rule_id, "due_at": due}),
                ));
                let targets: Vec<&str> = engine
                    .policy
                    .rule(&rec.clock.rule_id)
                    .map(|r| {
                        r.escalate_to
                            .iter()
                            .map(|t| match t {
                                EscalationTarget::Role(role) => role.code(),
                                EscalationTarget::DepartmentHead => "department_head",
                            })
                            .collect()
                    })
                    .unwrap_or_else(|| vec!["duty_manager"]);
                let payload = json!({"clock_id": rec.id, "rule_id": rec.clock.rule_id, "subject": rec.subject, "subject_id": rec.subject_id,
                                     "department_id": rec.department_id, "to": targets});
                self.events.push((case_id, "clock.escalated", payload.clone()));
                self.escalations.push(payload);
            }
        }
    }
}

/// A clock as shown to staff.
#[derive(Debug, Clone)]
pub struct ClockView {
    pub id: ClockId,
    pub rule_id: String,
    pub title_zh: String,
    pub title_en: String,
    pub state: &'static str,
    pub clock: Clock,
}

impl App {
    /// Runs sweeps until no due clock is left (each sweep is one transaction of at most `batch` clocks),
    /// after picking up settings changed elsewhere.
    #[tracing::instrument(skip(self))]
    pub async fn sweep_clocks(&self, batch: u32) -> AppResult<SweepReport> {
        self.refresh_settings().await?;
        let mut total = SweepReport::default();
        loop {
            let engine = self.engine();
            let now = self.now();
            let r = self.writer.write(async move |tx| sweep(tx, &engine, now, batch).await).await?;
            total.examined += r.examined;
            total.warned += r.warned;
            total.breached += r.breached;
            if r.examined < batch as u64 {
                return Ok(total);
            }
        }
    }

    /// Starts a background task that sweeps every `every`, until the runtime stops.
    pub fn spawn_sweeper(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match app.sweep_clocks(1000).await {
                    Ok(r) if r.warned + r.breached > 0 => {
                        tracing::info!(warned = r.warned, breached = r.breached, "commitment sweep")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "commitment sweep failed; will retry"),
                }
            }
        })
    }

    /// The clocks of a case.
    pub async fn case_clocks(&self, actor: &Actor, case_id: CaseId) -> AppResult<Vec<ClockView>> {
        actor.require(Permission::CaseRead, "read cases")?;
        let recs = self.store().read().clocks_of(CASE, case_id.get()).await?;
        Ok(recs.into_iter().map(|r| self.view(r)).collect())
    }

    pub(crate) fn view(&self, r: ClockRecord) -> ClockView {
        let (title_zh, title_en) = self
            .engine()
            .policy
            .rule(&r.clock.rule_id)
            .map(|x| (x.title_zh.clone(), x.title_en.clone()))
            .unwrap_or_default();
        ClockView { id: r.id, rule_id: r.clock.rule_id.clone(), title_zh, title_en, state: r.state(), clock: r.clock }
    }

    /// An approved extension (延期): moves the deadline, recording approver and reason.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn extend_clock(
        &self,
        actor: &Actor,
        case_id: CaseId,
        clock_id: ClockId,
        new_due: Timestamp,
        reason: String,
    ) -> AppResult<ClockView> {
        actor.require(Permission::ExtensionApprove, "approve extensions")?;
        let reason = pledge_domain::text::Body::parse("reason", &reason)
            .map_err(|_| AppError::invalid("reason_required", "reason", "an extension needs a reason"))?
            .into_inner();
        let (who, now, company) = (actor.id(), self.now(), actor.staff.company_id);
        self.writer
            .write(async move |tx| {
                    let mut rec = tx.exec().clock(clock_id).await?;
                    if rec.subject != CASE || rec.subject_id != case_id.get() || rec.company_id != company {
                        return Err(AppError::NotFound("clock"));
                    }
                    let old_due = rec.clock.due_at;
                    rec.clock.extend(new_due, &who.to_string(), &reason, now).map_err(|e| match e {
                        ClockError::Calendar(c) => AppError::Invalid { code: c.code(), field: None, message: c.to_string() },
                        other => AppError::conflict("extension_refused", other.to_string()),
                    })?;
                    tx.update_clock(rec.id, rec.department_id, &rec.clock).await?;
                    tx.touch_case(case_id, now.as_microsecond()).await?;
                    let seq = event(tx, Some(who), Some(case_id), "clock.extended", json!({"clock_id": rec.id, "rule_id": rec.clock.rule_id, "from": old_due, "to": rec.clock.due_at, "reason": reason}), now.as_microsecond()).await?;
                    crate::notices::case_extended(tx, case_id, seq, old_due, &reason, Some(who), now.as_microsecond()).await?;
                    Ok(())
                })
            .await?;
        let r = self.store().read().clock(clock_id).await?;
        Ok(self.view(r))
    }

    /// Open clocks due within `within` from now (already overdue ones first).
    pub async fn at_risk(&self, actor: &Actor, within: jiff::SignedDuration, limit: u32) -> AppResult<Vec<ClockView>> {
        actor.require(Permission::CaseRead, "read commitments")?;
        let before = self.now().checked_add(within).map_err(|e| AppError::Internal(e.to_string()))?;
        let recs =
            self.store().read().clocks_due_before(actor.staff.company_id, before.as_microsecond(), limit).await?;
        Ok(recs.into_iter().map(|r| self.view(r)).collect())
    }

    /// On-time figures for clocks started in `[from, to)`.
    pub async fn commitment_stats(
        &self,
        actor: &Actor,
        from: Timestamp,
        to: Timestamp,
        group: StatsGroup,
        utility: Option<pledge_domain::Utility>,
        department_id: Option<DepartmentId>,
    ) -> AppResult<Vec<ClockStats>> {
        actor.require(Permission::CaseRead, "read commitments")?;
        Ok(self
            .store()
            .read()
            .clock_stats(
                actor.staff.company_id,
                from.as_microsecond(),
                to.as_microsecond(),
                self.now().as_microsecond(),
                group,
                utility,
                department_id,
            )
            .await?)
    }
}
