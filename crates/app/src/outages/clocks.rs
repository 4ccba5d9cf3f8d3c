//! An outage's commitment clocks: the policy's rules for the outage subject
//! start and stop on its lifecycle events, inside the step's transaction.

use super::SUBJECT;
use crate::commitments::{ClockSubject, SubjectEnding, end_running_clocks};
use crate::engine::Engine;
use crate::error::{AppError, AppResult};
use crate::ledger::event;
use jiff::Timestamp;
use pledge_domain::commitment::{Clock, ClockError, Event, Timing};
use pledge_domain::ids::*;
use pledge_domain::model::Outage;
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::json;

fn clock_error(e: ClockError) -> AppError {
    match e {
        ClockError::Calendar(c) => AppError::Invalid { code: c.code(), field: None, message: c.to_string() },
        other => AppError::Internal(other.to_string()),
    }
}

/// Stops the running clocks `ev` stops, then starts the rules `ev` starts
/// that cover this outage. Returns the rule ids of clocks stopped breached.
pub(crate) async fn on_outage_event(
    tx: &mut Tx,
    engine: &Engine,
    o: &Outage,
    ev: Event,
    at: Timestamp,
    actor: Option<StaffId>,
) -> AppResult<Vec<String>> {
    let at_us = at.as_microsecond();
    let mut breached = Vec::new();
    for mut rec in tx.exec().clocks_of(SUBJECT, o.id.get()).await? {
        if rec.clock.is_stopped() {
            continue;
        }
        let Some(rule) = engine.policy.rule(&rec.clock.rule_id) else { continue };
        if !rule.stop.contains(&ev) {
            continue;
        }
        let outcome = rec.clock.stop(at).map_err(clock_error)?;
        if outcome == pledge_domain::commitment::Outcome::Breached {
            breached.push(rule.id.clone());
        }
        tx.update_clock(rec.id, None, &rec.clock).await?;
        event(tx, actor, None, "clock.stopped", json!({"outage_id": o.id, "clock_id": rec.id, "rule_id": rule.id, "outcome": outcome, "due_at": rec.clock.due_at}), at_us).await?;
    }
    let expected = o.expected_restore_at.duration_since(o.starts_at);
    for rule in engine.policy.started_by(ev) {
        if !rule.covers_outage(o.utility, o.kind, expected) {
            continue;
        }
        let clock = match rule.timing {
            Timing::LeadTime(_) => Clock::start_before(rule, at, o.starts_at),
            _ => Clock::start(rule, at, None, &engine.calendar),
        }
        .map_err(clock_error)?;
        let mut clock = clock;
        clock.started_by = Some(ev.code().to_owned());
        let id = tx.insert_clock(o.company_id, SUBJECT, o.id.get(), o.utility, None, &clock).await?;
        event(tx, actor, None, "clock.started", json!({"outage_id": o.id, "clock_id": id, "rule_id": rule.id, "due_at": clock.due_at, "policy_version": clock.policy_version}), at_us).await?;
    }
    Ok(breached)
}

/// Ends every running clock of an outage whose life is over: cancelled
/// (withdrawn, or breached by time if already overdue) or restored (met or
/// breached by time). Returns how many it ended.
pub(crate) async fn end_all(
    tx: &mut Tx,
    o: &Outage,
    how: &SubjectEnding,
    at: Timestamp,
    actor: Option<StaffId>,
) -> AppResult<u64> {
    let subject = ClockSubject { code: SUBJECT, id: o.id.get(), case: None, outage: Some(o.id) };
    end_running_clocks(tx, &subject, how, at, actor).await
}

/// Records that a change to an announced outage broke a lead-time rule (an
/// earlier start, or customers added, inside the notice period, under a
/// duty manager's override): for each rule a clock of that rule is started
/// at the change, due the rule's lead before the new start, and stopped at
/// once, so it counts as breached. The announcement's own clock keeps its
/// outcome (it was met for the notice as first given). Returns the rule ids.
pub(crate) async fn breach_lead_times(
    tx: &mut Tx,
    engine: &Engine,
    o: &Outage,
    rules: &[&str],
    at: Timestamp,
    actor: Option<StaffId>,
) -> AppResult<Vec<String>> {
    let at_us = at.as_microsecond();
    let mut breached = Vec::new();
    for id in rules {
        let Some(rule) = engine.policy.rule(id) else { continue };
        let mut clock = Clock::start_before(rule, at, o.starts_at).map_err(clock_error)?;
        clock.started_by = Some("outage.updated".to_owned());
        let outcome = clock.stop(at).map_err(clock_error)?;
        let cid = tx.insert_clock(o.company_id, SUBJECT, o.id.get(), o.utility, None, &clock).await?;
        event(tx, actor, None, "clock.started", json!({"outage_id": o.id, "clock_id": cid, "rule_id": rule.id, "due_at": clock.due_at, "policy_version": clock.policy_version, "trigger": "outage.updated"}), at_us).await?;
        event(
            tx,
            actor,
            None,
            "clock.stopped",
            json!({"outage_id": o.id, "clock_id": cid, "rule_id": rule.id, "outcome": outcome, "due_at": clock.due_at}),
            at_us,
        )
        .await?;
        if outcome == pledge_domain::commitment::Outcome::Breached {
            breached.push(rule.id.clone());
        }
    }
    Ok(breached)
}
