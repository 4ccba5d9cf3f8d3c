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
use pledge_domain::commitment::{
    Clock, ClockError, Ending, EscalationTarget, Event, Outcome, SubjectEnd, Threshold, WithdrawKind,
};
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
        CaseAction::Reopen => Event::CaseReopened,
        CaseAction::Return | CaseAction::WaitWorkOrder | CaseAction::StartCallback => return None,
    })
}

pub(crate) fn clock_error(e: ClockError) -> AppError {
    match e {
        ClockError::Calendar(c) => AppError::Invalid { code: c.code(), field: None, message: c.to_string() },
        other => AppError::Internal(other.to_string()),
    }
}

const CASE: &str = "case";

/// Applies `ev` to the clocks of `case` (already in its new state): stops,
/// pauses and resumes running ones, then starts the rules `ev` starts.
/// Closing the case ends every clock still running on it: those its rule
/// stops on `case.closed` by that stop, the rest as ended with the case
/// (met or breached by time).
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
    let mut running: Vec<String> = Vec::new();
    for mut rec in existing {
        if rec.clock.is_stopped() {
            continue;
        }
        let rule = engine.policy.rule(&rec.clock.rule_id);
        let stops = rule.is_some_and(|r| r.stop.contains(&ev));
        let (kind, payload) = if stops || ev == Event::CaseClosed {
            let ending = if stops { Ending::StopEvent } else { Ending::SubjectEnded { how: SubjectEnd::Closed } };
            let outcome = rec.clock.end(at, ending.clone()).map_err(clock_error)?;
            (
                "clock.stopped",
                json!({"clock_id": rec.id, "rule_id": rec.clock.rule_id, "outcome": outcome, "due_at": rec.clock.due_at,
                       "ending": ending, "trigger": ev.code()}),
            )
        } else if let Some(rule) = rule
            && rule.pause.contains(&ev)
            && !rec.clock.is_paused()
        {
            rec.clock.pause(at).map_err(clock_error)?;
            ("clock.paused", json!({"clock_id": rec.id, "rule_id": rule.id}))
        } else if let Some(rule) = rule
            && rule.resume.contains(&ev)
            && rec.clock.is_paused()
        {
            rec.clock.resume(at).map_err(clock_error)?;
            ("clock.resumed", json!({"clock_id": rec.id, "rule_id": rule.id, "due_at": rec.clock.due_at}))
        } else {
            running.push(rec.clock.rule_id.clone());
            if rec.department_id != case.department_id {
                tx.update_clock(rec.id, case.department_id, &rec.clock).await?;
            }
            continue;
        };
        if !rec.clock.is_stopped() {
            running.push(rec.clock.rule_id.clone());
        }
        tx.update_clock(rec.id, case.department_id, &rec.clock).await?;
        event(tx, actor, Some(case.id), kind, payload, at_us).await?;
    }
    let customer = match case.customer_id {
        Some(id) => Some(tx.exec().customer(id).await?),
        None => None,
    };
    let category = customer.as_ref().map(|c| c.category);
    let zone: Option<Zone> = customer.as_ref().and_then(|c| c.premises.as_ref()).map(|p| p.zone);
    for rule in engine.policy.case_rules_started_by(ev, case.utility, case.kind, case.subkind, category) {
        // One clock per rule at a time (a case reopened before its repair clock ended keeps that one).
        if running.contains(&rule.id) {
            continue;
        }
        // A zone rule needs the premises' zone; without a customer, count as urban (the stricter).
        let mut clock = Clock::start(rule, at, zone.or(Some(Zone::Urban)), &engine.calendar).map_err(clock_error)?;
        clock.started_by = Some(ev.code().to_owned());
        let id =
            tx.insert_clock(case.company_id, CASE, case.id.get(), case.utility, case.department_id, &clock).await?;
        event(
            tx,
            actor,
            Some(case.id),
            "clock.started",
            json!({"clock_id": id, "rule_id": rule.id, "due_at": clock.due_at, "policy_version": clock.policy_version,
                   "started_by": ev.code()}),
            at_us,
        )
        .await?;
    }
    Ok(())
}

/// Why a subject's running clocks all end at once (besides closing a case).
#[derive(Debug, Clone)]
pub(crate) struct SubjectEnding {
    /// How the subject ended; the outcome by time when the clock cannot be withdrawn.
    pub how: SubjectEnd,
    /// Withdraw the clocks (if not yet overdue) for this reason.
    pub withdraw: Option<(WithdrawKind, String)>,
    /// The action that ended the subject, recorded in the ledger (`outage.cancelled` …).
    pub trigger: &'static str,
    /// The ledger kind for endings by time (`clock.stopped`, or `clock.repaired`).
    pub stopped_kind: &'static str,
}

/// Ends one running clock the way `how` says: withdrawn if a withdrawal is
/// asked and the clock is not yet overdue (a breach already happened is not
/// hidden), else met or breached by time. Returns the ledger kind and payload.
pub(crate) fn end_clock(
    rec: &mut ClockRecord,
    how: &SubjectEnding,
    at: Timestamp,
    by: &str,
) -> AppResult<(&'static str, serde_json::Value)> {
    if let Some((kind, reason)) = &how.withdraw {
        let mut copy = rec.clock.clone();
        match copy.withdraw(at, *kind, reason, by) {
            Ok(()) => {
                rec.clock = copy;
                return Ok((
                    "clock.withdrawn",
                    json!({"clock_id": rec.id, "rule_id": rec.clock.rule_id, "outcome": Outcome::Withdrawn,
                           "withdraw_kind": kind.code(), "reason": reason, "by": by, "trigger": how.trigger,
                           "due_at": rec.clock.due_at, "ending": rec.clock.ending}),
                ));
            }
            Err(ClockError::Overdue { .. }) => {}
            Err(e) => return Err(clock_error(e)),
        }
    }
    let ending = Ending::SubjectEnded { how: how.how };
    let outcome = rec.clock.end(at, ending.clone()).map_err(clock_error)?;
    Ok((
        how.stopped_kind,
        json!({"clock_id": rec.id, "rule_id": rec.clock.rule_id, "outcome": outcome, "due_at": rec.clock.due_at,
               "ending": ending, "trigger": how.trigger}),
    ))
}

/// Ends every running clock of a case (linked as a duplicate …) inside the caller's transaction.
pub(crate) async fn end_case_clocks(
    tx: &mut Tx,
    case: &Case,
    how: &SubjectEnding,
    at: Timestamp,
    actor: Option<StaffId>,
) -> AppResult<u64> {
    let subject = ClockSubject { code: CASE, id: case.id.get(), case: Some(case.id), outage: None };
    end_running_clocks(tx, &subject, how, at, actor).await
}

/// Whose clocks [`end_running_clocks`] ends: the subject's code and id, the
/// case the ledger events belong to, and the outage their payloads name.
pub(crate) struct ClockSubject {
    pub code: &'static str,
    pub id: i64,
    pub case: Option<CaseId>,
    pub outage: Option<OutageId>,
}

/// Ends every running clock of `subject` as `how` says, each saved and
/// ledgered; returns how many it ended.
pub(crate) async fn end_running_clocks(
    tx: &mut Tx,
    subject: &ClockSubject,
    how: &SubjectEnding,
    at: Timestamp,
    actor: Option<StaffId>,
) -> AppResult<u64> {
    let by = actor.map(|a| a.to_string()).unwrap_or_else(|| "system".into());
    let mut n = 0;
    for mut rec in tx.exec().clocks_of(subject.code, subject.id).await? {
        if rec.clock.is_stopped() {
            continue;
        }
        let (kind, mut payload) = end_clock(&mut rec, how, at, &by)?;
        if let Some(o) = subject.outage {
            payload["outage_id"] = json!(o);
        }
        tx.update_clock(rec.id, rec.department_id, &rec.clock).await?;
        event(tx, actor, subject.case, kind, payload, at.as_microsecond()).await?;
        n += 1;
    }
    Ok(n)
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

/// What one repair of stray clocks did (see [`App::repair_stray_clocks`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Clocks found running on an ended subject and ended.
    pub repaired: u64,
    pub met: u64,
    pub breached: u64,
    pub withdrawn: u64,
}

/// Ends, in one transaction, up to `batch` clocks still running on a closed
/// case or a restored or cancelled outage, at the subject's recorded end
/// (never before the clock's own last step), with the outcome a live end
/// would have given. Each is ledgered as `clock.repaired` with no actor.
async fn repair_batch(tx: &mut Tx, now: Timestamp, batch: u32) -> AppResult<(RepairReport, u64)> {
    let strays = tx.exec().stray_clocks(batch).await?;
    let mut report = RepairReport::default();
    for s in &strays {
        let mut rec = s.record.clone();
        let ended = Timestamp::from_microsecond(s.ended_at_us).map_err(|e| AppError::Internal(e.to_string()))?;
        let at = ended.max(rec.clock.updated_at);
        let how = match s.how.as_str() {
            "cancelled" => SubjectEnding {
                how: SubjectEnd::Cancelled,
                withdraw: Some((WithdrawKind::OutageCancelled, "outage cancelled".into())),
                trigger: "outage.cancelled",
                stopped_kind: "clock.repaired",
            },
            "restored" => SubjectEnding {
                how: SubjectEnd::Restored,
                withdraw: None,
                trigger: "outage.restored",
                stopped_kind: "clock.repaired",
            },
            _ => SubjectEnding {
                how: SubjectEnd::Closed,
                withdraw: None,
                trigger: "case.closed",
                stopped_kind: "clock.repaired",
            },
        };
        let (_, mut payload) = end_clock(&mut rec, &how, at, "system")?;
        payload["ended_at"] = json!(at);
        payload["repair"] = json!(true);
        match rec.clock.outcome() {
            Some(Outcome::Met) => report.met += 1,
            Some(Outcome::Breached) => report.breached += 1,
            Some(Outcome::Withdrawn) => report.withdrawn += 1,
            None => {}
        }
        report.repaired += 1;
        tx.update_clock(rec.id, rec.department_id, &rec.clock).await?;
        let case_id = if rec.subject == CASE {
            Some(CaseId(rec.subject_id))
        } else {
            payload[format!("{}_id", rec.subject)] = json!(rec.subject_id);
            None
        };
        event(tx, None, case_id, "clock.repaired", payload, now.as_microsecond()).await?;
    }
    Ok((report, strays.len() as u64))
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

    /// Repairs data written before every clock ended with its subject: each
    /// clock still running on a closed case or on a restored or cancelled
    /// outage is ended at that subject's recorded end, with the outcome a
    /// live end gives (met or breached by time; a cancelled outage's clock
    /// withdrawn unless already overdue), and ledgered as `clock.repaired`.
    /// Idempotent: a second run finds nothing. Run at startup after the
    /// migrations (`pledge migrate`, `pledge serve`).
    #[tracing::instrument(skip(self))]
    pub async fn repair_stray_clocks(&self) -> AppResult<RepairReport> {
        const BATCH: u32 = 500;
        let mut total = RepairReport::default();
        loop {
            let now = self.now();
            let (r, seen) = self.writer.write(async move |tx| repair_batch(tx, now, BATCH).await).await?;
            total.repaired += r.repaired;
            total.met += r.met;
            total.breached += r.breached;
            total.withdrawn += r.withdrawn;
            if seen < BATCH as u64 {
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

    /// Withdraws a clock by an explicit decision (the commitment no longer
    /// applies, e.g. the repair turned out unnecessary): duty managers and
    /// admins only, with a reason, before the clock is overdue. Ledgered as
    /// `clock.withdrawn` with the reason and the deciding staff member.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn withdraw_clock(&self, actor: &Actor, clock_id: ClockId, reason: String) -> AppResult<ClockView> {
        self.withdraw(actor, None, clock_id, reason).await
    }

    /// [`App::withdraw_clock`] for a clock of one case (the console's case
    /// page): a clock of another case or of an outage is not found.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn withdraw_case_clock(
        &self,
        actor: &Actor,
        case_id: CaseId,
        clock_id: ClockId,
        reason: String,
    ) -> AppResult<ClockView> {
        self.withdraw(actor, Some(case_id), clock_id, reason).await
    }

    async fn withdraw(
        &self,
        actor: &Actor,
        case_id: Option<CaseId>,
        clock_id: ClockId,
        reason: String,
    ) -> AppResult<ClockView> {
        actor.require(Permission::ClockWithdraw, "withdraw clocks")?;
        let reason = reason.trim().to_owned();
        if reason.is_empty() {
            return Err(AppError::invalid(
                "clock_withdrawal_incomplete",
                "reason",
                "withdrawing a clock needs a reason",
            ));
        }
        let (who, now, company) = (actor.id(), self.now(), actor.staff.company_id);
        self.writer
            .write(async move |tx| {
                let mut rec = match tx.exec().clock(clock_id).await {
                    Ok(r)
                        if r.company_id == company
                            && case_id.is_none_or(|c| r.subject == CASE && r.subject_id == c.get()) =>
                    {
                        r
                    }
                    Ok(_) | Err(pledge_store::StoreError::NotFound(_)) => return Err(AppError::NotFound("clock")),
                    Err(e) => return Err(e.into()),
                };
                let rule = rec.clock.rule_id.clone();
                rec.clock.withdraw(now, WithdrawKind::Decision, &reason, &who.to_string()).map_err(|e| match e {
                    ClockError::Stopped { .. } => {
                        AppError::conflict("clock_ended", format!("clock {clock_id} ({rule}) has already ended"))
                    }
                    ClockError::Overdue { due_at, .. } => AppError::conflict(
                        "clock_overdue",
                        format!(
                            "clock {clock_id} ({rule}) was due at {due_at}: a breach that happened cannot be withdrawn"
                        ),
                    ),
                    ClockError::WithdrawalIncomplete => {
                        AppError::invalid("clock_withdrawal_incomplete", "reason", "withdrawing a clock needs a reason")
                    }
                    other => clock_error(other),
                })?;
                tx.update_clock(rec.id, rec.department_id, &rec.clock).await?;
                let at = now.as_microsecond();
                let mut payload = json!({"clock_id": rec.id, "rule_id": rule, "outcome": Outcome::Withdrawn,
                    "withdraw_kind": WithdrawKind::Decision.code(), "reason": reason, "by": who, "trigger": "decision",
                    "due_at": rec.clock.due_at, "ending": rec.clock.ending});
                let case_id = if rec.subject == CASE {
                    let id = CaseId(rec.subject_id);
                    tx.touch_case(id, at).await?;
                    Some(id)
                } else {
                    payload[format!("{}_id", rec.subject)] = json!(rec.subject_id);
                    None
                };
                event(tx, Some(who), case_id, "clock.withdrawn", payload, at).await?;
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
