//! Outage steps: create, update, announce (lead time and its override),
//! start, restore notice, restore, cancel and the report to the authority.

use super::cap::{self, MsgType};
use super::{OutageDetail, clocks, notices, outage_error, unknown_node};
use crate::case_flow::{Routing, step};
use crate::commitments::SubjectEnding;
use crate::engine::Engine;
use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::writer::TxFn3;
use crate::{Actor, App};
use jiff::Timestamp;
use pledge_domain::case::CaseAction;
use pledge_domain::commitment::{Event, OutageKind, SubjectEnd, WithdrawKind};
use pledge_domain::ids::*;
use pledge_domain::model::{NewOutage, Outage};
use pledge_domain::outage::{self, Effect, OutageAction, OutageError, OutageState, Schedule};
use pledge_domain::text::Body;
use pledge_domain::{Permission, Utility};
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::{Value, json};
use std::sync::Arc;

/// A new outage as a dispatcher enters it.
#[derive(Debug, Clone)]
pub struct OutageInput {
    pub utility: Utility,
    pub kind: OutageKind,
    pub effect: Effect,
    pub node_id: NodeId,
    pub reason: String,
    pub area: String,
    pub starts_at: Timestamp,
    pub expected_restore_at: Timestamp,
}

/// Changes to an outage; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct OutagePatch {
    pub effect: Option<Effect>,
    pub node_id: Option<NodeId>,
    pub reason: Option<String>,
    pub area: Option<String>,
    pub starts_at: Option<Timestamp>,
    pub expected_restore_at: Option<Timestamp>,
    /// A duty manager's reason for a change that breaks the lead time (an
    /// earlier start, or customers added, inside the notice period).
    pub override_reason: Option<String>,
}

/// The ledger payload of an outage step: the outage's state after it.
pub(super) fn payload(o: &Outage, extra: Value) -> Value {
    let mut p = json!({"outage_id": o.id, "outage_state": o.state.code(), "node_id": o.node_id, "starts_at": o.starts_at,
                       "expected_restore_at": o.expected_restore_at});
    if let (Value::Object(m), Value::Object(e)) = (&mut p, extra) {
        m.extend(e);
    }
    p
}

async fn overlap_check(tx: &mut Tx, node_id: NodeId, s: &Schedule, except: Option<OutageId>) -> AppResult<()> {
    let clash = tx
        .exec()
        .overlapping_outages(node_id, s.starts_at().as_microsecond(), s.expected_restore_at().as_microsecond(), except)
        .await?;
    if let Some(other) = clash.first() {
        return Err(AppError::conflict(
            "outage_overlap",
            format!("outage {other} on the same node overlaps this time"),
        ));
    }
    Ok(())
}

/// A duty manager's override reason: trimmed, checked, and only from a role
/// that may override (C3, C24a).
fn override_reason(actor: &Actor, raw: Option<&str>, what: &'static str) -> AppResult<Option<String>> {
    let reason = raw
        .filter(|r| !r.trim().is_empty())
        .map(|r| Body::parse("override_reason", r).map(Body::into_inner))
        .transpose()?;
    if reason.is_some() {
        actor.require(Permission::OutageOverride, what)?;
    }
    Ok(reason)
}

/// Whether an update changed anything customers are told.
fn changed(a: &Outage, b: &Outage) -> bool {
    a.node_id != b.node_id
        || a.starts_at != b.starts_at
        || a.expected_restore_at != b.expected_restore_at
        || a.reason != b.reason
        || a.area != b.area
        || a.effect != b.effect
}

/// The reply every case hung under an outage gets when supply is back.
fn restored_reply(o: &Outage) -> String {
    format!(
        "您反映的{}问题，原因是{}（影响范围：{}），已于{}恢复。如仍有异常，请再次来电。",
        o.effect.name_zh(o.utility),
        o.reason,
        o.area,
        notices::local(o.restored_at.unwrap_or(o.updated_at))
    )
}

/// Answers every open case hung under the outage together (they then wait
/// for their callback); returns how many were answered.
async fn answer_cases(tx: &mut Tx, engine: &Engine, who: StaffId, o: &Outage, at_us: i64) -> AppResult<u64> {
    let body = restored_reply(o);
    let mut n = 0;
    for id in tx.exec().outage_case_ids(o.id).await? {
        let case = tx.exec().case(id).await?;
        if case.state.after(CaseAction::Answer).is_err() {
            continue;
        }
        // A case with a crew still at work is answered when its work order ends, not here.
        if tx.exec().work_orders_of(id).await?.iter().any(|w| w.state.is_active()) {
            continue;
        }
        step(
            tx,
            engine,
            who,
            &case,
            Some(CaseAction::Answer),
            "case.replied",
            json!({"final": true, "body": body, "outage_id": o.id}),
            Routing::KEEP,
            at_us,
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

impl App {
    /// Runs one step on an outage of the actor's company inside a write.
    async fn on_outage<F>(&self, actor: &Actor, id: OutageId, f: F) -> AppResult<OutageDetail>
    where
        F: AsyncFnOnce(&mut Tx, Outage, Timestamp, Arc<Engine>) -> AppResult<()>
            + for<'t> TxFn3<'t, Outage, Timestamp, Arc<Engine>, ()>
            + Send
            + 'static,
    {
        actor.require(Permission::OutageManage, "manage outages")?;
        let company = actor.staff.company_id;
        let (now, engine) = (self.now(), self.engine());
        self.writer
            .write(async move |tx| {
                let o = tx.exec().outage(id).await?;
                if o.company_id != company {
                    return Err(AppError::NotFound("outage"));
                }
                f.call(tx, o, now, engine).await
            })
            .await?;
        self.outage(actor, id).await
    }

    /// Enters an outage. A planned one starts as a draft (its lead-time clock
    /// runs from now); an emergency is running from the moment it is entered,
    /// its affected customers are fixed at once and its C4 clocks start.
    #[tracing::instrument(skip(self, actor, input), fields(node_id = input.node_id.get()))]
    pub async fn create_outage(&self, actor: &Actor, input: OutageInput) -> AppResult<OutageDetail> {
        actor.require(Permission::OutageManage, "manage outages")?;
        let schedule = Schedule::new(input.starts_at, input.expected_restore_at).map_err(outage_error)?;
        let reason = outage::reason(&input.reason).map_err(outage_error)?;
        let area = outage::area(&input.area).map_err(outage_error)?;
        let node = self.store().read().node(input.node_id).await.map_err(unknown_node)?;
        if node.company_id != actor.staff.company_id {
            return Err(AppError::invalid("unknown_node", "node_id", "no such network node"));
        }
        if node.utility != input.utility {
            return Err(AppError::invalid(
                "node_utility_mismatch",
                "node_id",
                "the node belongs to another utility's network",
            ));
        }
        let (who, now, engine) = (actor.id(), self.now(), self.engine());
        if !input.kind.allowed_for(input.utility) {
            return Err(AppError::invalid(
                "invalid_outage_kind",
                "kind",
                format!(
                    "a {} outage is planned or emergency; temporary maintenance is for power",
                    input.utility.code()
                ),
            ));
        }
        if input.kind.is_planned() && input.starts_at <= now {
            return Err(AppError::invalid("start_in_past", "starts_at", "a planned outage starts in the future"));
        }
        let id = self
            .writer
            .write(async move |tx| {
                overlap_check(tx, node.id, &schedule, None).await?;
                let state =
                    if input.kind == OutageKind::Emergency { OutageState::InProgress } else { OutageState::Draft };
                let new = NewOutage {
                    company_id: node.company_id,
                    utility: input.utility,
                    kind: input.kind,
                    effect: input.effect,
                    state,
                    node_id: node.id,
                    node_path: node.path.clone(),
                    reason,
                    area,
                    starts_at_us: schedule.starts_at().as_microsecond(),
                    expected_restore_at_us: schedule.expected_restore_at().as_microsecond(),
                    suspected_id: None,
                    created_by: Some(who),
                    at_us: now.as_microsecond(),
                };
                create_in(tx, &engine, &new, Some(who), now).await
            })
            .await?;
        self.outage(actor, id).await
    }

    /// Changes an outage that has not ended. A new node recomputes the
    /// affected customers; once announced, customers hear of the change.
    #[tracing::instrument(skip(self, actor, patch))]
    pub async fn update_outage(&self, actor: &Actor, id: OutageId, patch: OutagePatch) -> AppResult<OutageDetail> {
        let reason = patch.reason.as_deref().map(outage::reason).transpose().map_err(outage_error)?;
        let area = patch.area.as_deref().map(outage::area).transpose().map_err(outage_error)?;
        let node = match patch.node_id {
            Some(n) => {
                let node = self.store().read().node(n).await.map_err(unknown_node)?;
                if node.company_id != actor.staff.company_id {
                    return Err(AppError::invalid("unknown_node", "node_id", "no such network node"));
                }
                Some(node)
            }
            None => None,
        };
        let override_reason =
            override_reason(actor, patch.override_reason.as_deref(), "override the change's lead time")?;
        let who = actor.id();
        self.on_outage(actor, id, async move |tx, mut o, now, engine| {
            o.state = outage::next_state(o.state, OutageAction::Update, o.kind, o.announced_at.is_some())
                .map_err(outage_error)?;
            let earlier = patch.starts_at.is_some_and(|s| s < o.starts_at);
            let schedule = Schedule::new(
                patch.starts_at.unwrap_or(o.starts_at),
                patch.expected_restore_at.unwrap_or(o.expected_restore_at),
            )
            .map_err(outage_error)?;
            let moved = node.as_ref().is_some_and(|n| n.id != o.node_id);
            let prior = o.clone();
            if let Some(n) = node {
                if n.utility != o.utility {
                    return Err(AppError::invalid(
                        "node_utility_mismatch",
                        "node_id",
                        "the node belongs to another utility's network",
                    ));
                }
                o.node_id = n.id;
                o.node_path = n.path;
            }
            overlap_check(tx, o.node_id, &schedule, Some(o.id)).await?;
            o.starts_at = schedule.starts_at();
            o.expected_restore_at = schedule.expected_restore_at();
            o.reason = reason.unwrap_or(o.reason);
            o.area = area.unwrap_or(o.area);
            o.effect = patch.effect.unwrap_or(o.effect);
            o.updated_at = now;
            let at = now.as_microsecond();
            let announced = o.announced_at.is_some() && o.state != OutageState::Draft;
            // Who was told before the change, so those the change adds get
            // the full announcement and the notice period is checked for them.
            let before = if moved && announced { tx.exec().affected_customer_ids(o.id).await? } else { Vec::new() };
            tx.update_outage(&o).await?;
            // Each real change is a new revision, told once; repeating it is not.
            if changed(&prior, &o) {
                tx.bump_outage_revision(o.id).await?;
            }
            let mut affected = None;
            let (mut added, mut kept, mut dropped) = (Vec::new(), None, Vec::new());
            if moved && o.state != OutageState::Draft {
                affected = Some(tx.snapshot_affected(o.id).await?);
                if announced {
                    let now_in = tx.exec().affected_customer_ids(o.id).await?;
                    let now_set: std::collections::HashSet<_> = now_in.iter().copied().collect();
                    let before: std::collections::HashSet<_> = before.into_iter().collect();
                    dropped = before.iter().copied().filter(|c| !now_set.contains(c)).collect();
                    let (k, a): (Vec<_>, Vec<_>) = now_in.into_iter().partition(|c| before.contains(c));
                    added = a;
                    kept = Some(k);
                }
            }
            let mut breached = Vec::new();
            if announced && (earlier || !added.is_empty()) {
                let short = outage::lead_shortfalls(&engine.policy, o.utility, o.kind, &schedule, now);
                if let Some(first) = short.first() {
                    let Some(why) = override_reason else { return Err(outage_error(first.error())) };
                    let rules: Vec<&str> = short.iter().map(|s| s.rule_id.as_str()).collect();
                    event(
                        tx,
                        Some(who),
                        None,
                        "outage.lead_time_overridden",
                        payload(
                            &o,
                            json!({"rules": rules, "reason": why, "late_by_minutes": first.late_by.as_mins(),
                                   "change": {"start_earlier": earlier, "customers_added": added.len()}}),
                        ),
                        at,
                    )
                    .await?;
                    o.override_reason = Some(why);
                    o.override_by = Some(who);
                    tx.update_outage(&o).await?;
                    breached = clocks::breach_lead_times(tx, &engine, &o, &rules, now, Some(who)).await?;
                }
            }
            // Customers who were told before hear of the change; those the
            // change adds get the full announcement instead.
            let told = match (&kept, o.state.is_active()) {
                (_, false) => 0,
                (Some(kept), true) => notices::tell_customers(tx, &o, notices::UPDATED, kept, at).await?,
                (None, true) => notices::tell_affected(tx, &o, notices::UPDATED, at).await?,
            };
            let announced_to = notices::tell_customers(tx, &o, notices::ANNOUNCED, &added, at).await?;
            // Customers the change drops are told they are no longer affected.
            let released = if o.state.is_active() {
                notices::tell_customers(tx, &o, notices::NO_LONGER_AFFECTED, &dropped, at).await?
            } else {
                0
            };
            event(
                tx,
                Some(who),
                None,
                "outage.updated",
                payload(
                    &o,
                    json!({"node_changed": moved, "affected": affected, "notified": told, "added": added.len(),
                           "announced_to_added": announced_to, "dropped": dropped.len(), "dropped_notified": released,
                           "breached": breached}),
                ),
                at,
            )
            .await?;
            if o.state.is_active() {
                cap::record(tx, &o, MsgType::Update, now).await?;
            }
            Ok(())
        })
        .await
    }

    /// Announces an outage: fixes its affected customers, publishes it and
    /// tells them. A planned outage inside its lead time (C3, C24a) is refused
    /// unless a duty manager overrides with a reason; the override is
    /// recorded and the lead-time commitment counts as breached.
    #[tracing::instrument(skip(self, actor, override_reason))]
    pub async fn announce_outage(
        &self,
        actor: &Actor,
        id: OutageId,
        override_reason: Option<String>,
    ) -> AppResult<OutageDetail> {
        let override_reason =
            self::override_reason(actor, override_reason.as_deref(), "override the announcement lead time")?;
        let who = actor.id();
        self.on_outage(actor, id, async move |tx, o, now, engine| {
            announce_in(tx, &engine, who, o, override_reason, now, false).await
        })
        .await
    }

    /// Supply is cut as announced.
    #[tracing::instrument(skip(self, actor))]
    pub async fn start_outage(&self, actor: &Actor, id: OutageId) -> AppResult<OutageDetail> {
        let who = actor.id();
        self.on_outage(actor, id, async move |tx, mut o, now, engine| {
            o.state = outage::next_state(o.state, OutageAction::Start, o.kind, o.announced_at.is_some())
                .map_err(outage_error)?;
            o.updated_at = now;
            tx.update_outage(&o).await?;
            clocks::on_outage_event(tx, &engine, &o, Event::OutageStarted, now, Some(who)).await?;
            event(tx, Some(who), None, "outage.started", payload(&o, json!({})), now.as_microsecond()).await?;
            Ok(())
        })
        .await
    }

    /// The cause is cleared: customers are told supply is coming back, and
    /// when (C5, required before gas is restored).
    #[tracing::instrument(skip(self, actor))]
    pub async fn notify_restore(
        &self,
        actor: &Actor,
        id: OutageId,
        restore_at: Option<Timestamp>,
    ) -> AppResult<OutageDetail> {
        let who = actor.id();
        self.on_outage(actor, id, async move |tx, mut o, now, engine| {
            o.state = outage::next_state(o.state, OutageAction::NotifyRestore, o.kind, o.announced_at.is_some())
                .map_err(outage_error)?;
            let correction = o.restore_notified_at.is_some();
            if let Some(t) = restore_at {
                o.expected_restore_at = Schedule::new(o.starts_at, t).map_err(outage_error)?.expected_restore_at();
            }
            // The time customers are promised must be one gas may come back at (C5).
            outage::check_restore_notice(&engine.policy, o.utility, o.expected_restore_at).map_err(outage_error)?;
            o.restore_notified_at = Some(now);
            o.updated_at = now;
            tx.update_outage(&o).await?;
            if !correction {
                clocks::on_outage_event(tx, &engine, &o, Event::OutageCauseCleared, now, Some(who)).await?;
            }
            let at = now.as_microsecond();
            // A correction is a new notice: its own dedup key, so every
            // customer hears the new time.
            let told = if correction {
                notices::tell_affected_again(tx, &o, notices::RESTORE_NOTICE, at).await?
            } else {
                notices::tell_affected(tx, &o, notices::RESTORE_NOTICE, at).await?
            };
            event(
                tx,
                Some(who),
                None,
                "outage.restore_notified",
                payload(&o, json!({"notified": told, "correction": correction})),
                at,
            )
            .await?;
            cap::record(tx, &o, MsgType::Update, now).await?;
            Ok(())
        })
        .await
    }

    /// Supply is back. Gas only inside the restore window and after the
    /// restore notice (C5). Every case hung under the outage is answered.
    #[tracing::instrument(skip(self, actor))]
    pub async fn restore_outage(&self, actor: &Actor, id: OutageId) -> AppResult<OutageDetail> {
        let who = actor.id();
        self.on_outage(actor, id, async move |tx, mut o, now, engine| {
            let next = outage::next_state(o.state, OutageAction::Restore, o.kind, o.announced_at.is_some())
                .map_err(outage_error)?;
            outage::check_restore(&engine.policy, o.utility, o.state, o.restore_notified_at, now)
                .map_err(outage_error)?;
            check_announced(&o)?;
            o.state = next;
            o.restored_at = Some(now);
            o.updated_at = now;
            tx.update_outage(&o).await?;
            clocks::on_outage_event(tx, &engine, &o, Event::OutageRestored, now, Some(who)).await?;
            // Supply is back: whatever still runs on the outage ends with it.
            let why = SubjectEnding {
                how: SubjectEnd::Restored,
                withdraw: None,
                trigger: "outage.restored",
                stopped_kind: "clock.stopped",
            };
            clocks::end_all(tx, &o, &why, now, Some(who)).await?;
            let at = now.as_microsecond();
            let told = notices::tell_affected(tx, &o, notices::RESTORED, at).await?;
            let answered = answer_cases(tx, &engine, who, &o, at).await?;
            event(
                tx,
                Some(who),
                None,
                "outage.restored",
                payload(&o, json!({"notified": told, "cases_answered": answered})),
                at,
            )
            .await?;
            cap::record(tx, &o, MsgType::Update, now).await?;
            Ok(())
        })
        .await
    }

    /// Calls off an outage that has not started; announced ones are told.
    #[tracing::instrument(skip(self, actor, reason))]
    pub async fn cancel_outage(&self, actor: &Actor, id: OutageId, reason: String) -> AppResult<OutageDetail> {
        let reason = Body::parse("reason", &reason)
            .map_err(|_| AppError::invalid("reason_required", "reason", "cancelling needs a reason"))?
            .into_inner();
        let who = actor.id();
        self.on_outage(actor, id, async move |tx, mut o, now, _engine| {
            o.state = outage::next_state(o.state, OutageAction::Cancel, o.kind, o.announced_at.is_some())
                .map_err(outage_error)?;
            o.cancelled_at = Some(now);
            o.updated_at = now;
            tx.update_outage(&o).await?;
            let why = SubjectEnding {
                how: SubjectEnd::Cancelled,
                withdraw: Some((WithdrawKind::OutageCancelled, reason.clone())),
                trigger: "outage.cancelled",
                stopped_kind: "clock.stopped",
            };
            clocks::end_all(tx, &o, &why, now, Some(who)).await?;
            let at = now.as_microsecond();
            let told = if o.announced_at.is_some() {
                notices::tell_affected(tx, &o, notices::CANCELLED, at).await?
            } else {
                0
            };
            event(
                tx,
                Some(who),
                None,
                "outage.cancelled",
                payload(&o, json!({"reason": reason, "notified": told})),
                at,
            )
            .await?;
            cap::record(tx, &o, MsgType::Cancel, now).await?;
            Ok(())
        })
        .await
    }

    /// Records the report of an emergency to the authority (C4b).
    #[tracing::instrument(skip(self, actor, note))]
    pub async fn report_outage_to_authority(
        &self,
        actor: &Actor,
        id: OutageId,
        note: Option<String>,
    ) -> AppResult<OutageDetail> {
        let note =
            note.filter(|n| !n.trim().is_empty()).map(|n| Body::parse("note", &n).map(Body::into_inner)).transpose()?;
        let who = actor.id();
        self.on_outage(actor, id, async move |tx, mut o, now, engine| {
            if o.kind != OutageKind::Emergency {
                return Err(outage_error(OutageError::NotEmergency));
            }
            if o.authority_reported_at.is_some() {
                return Err(outage_error(OutageError::AlreadyReported));
            }
            o.state = outage::next_state(o.state, OutageAction::ReportAuthority, o.kind, o.announced_at.is_some())
                .map_err(outage_error)?;
            o.authority_reported_at = Some(now);
            o.updated_at = now;
            tx.update_outage(&o).await?;
            clocks::on_outage_event(tx, &engine, &o, Event::OutageAuthorityReported, now, Some(who)).await?;
            event(
                tx,
                Some(who),
                None,
                "outage.authority_reported",
                payload(&o, json!({"note": note})),
                now.as_microsecond(),
            )
            .await?;
            Ok(())
        })
        .await
    }
}

/// Inserts an outage and raises its first events: `outage.scheduled` for a
/// planned one; for an emergency also the snapshot and `outage.started`.
pub(crate) async fn create_in(
    tx: &mut Tx,
    engine: &Engine,
    new: &NewOutage,
    who: Option<StaffId>,
    now: Timestamp,
) -> AppResult<OutageId> {
    let id = tx.insert_outage(new).await.map_err(|e| match e {
        pledge_store::StoreError::MissingReference(_) => {
            AppError::invalid("unknown_node", "node_id", "no such network node")
        }
        other => other.into(),
    })?;
    let o = tx.exec().outage(id).await?;
    let at = now.as_microsecond();
    let mut extra = json!({"kind": o.kind.code(), "effect": o.effect.code(), "utility": o.utility.code(), "reason": o.reason, "area": o.area});
    if o.state == OutageState::InProgress {
        let affected = tx.snapshot_affected(id).await?;
        extra["affected"] = json!(affected);
    }
    event(tx, who, None, "outage.created", payload(&o, extra), at).await?;
    clocks::on_outage_event(tx, engine, &o, Event::OutageScheduled, now, who).await?;
    if o.state == OutageState::InProgress {
        clocks::on_outage_event(tx, engine, &o, Event::OutageStarted, now, who).await?;
    }
    Ok(id)
}

/// An emergency is restored only after its customers were told of it (C4a).
fn check_announced(o: &Outage) -> AppResult<()> {
    if o.kind == OutageKind::Emergency && o.announced_at.is_none() {
        return Err(AppError::conflict(
            "restore_unannounced",
            "an emergency outage cannot be restored before it is announced: customers are told at once (C4a); announce it first",
        ));
    }
    Ok(())
}

/// Announces `o` inside the caller's transaction: the lead-time check (with a
/// duty manager's override), the affected set, the clocks, the customers'
/// notices, the ledger and the CAP `Alert`. `with_confirmation` marks an
/// announcement made in the same step as confirming a suspected outage.
pub(super) async fn announce_in(
    tx: &mut Tx,
    engine: &Engine,
    who: StaffId,
    mut o: Outage,
    override_reason: Option<String>,
    now: Timestamp,
    with_confirmation: bool,
) -> AppResult<()> {
    o.state =
        outage::next_state(o.state, OutageAction::Announce, o.kind, o.announced_at.is_some()).map_err(outage_error)?;
    let schedule = Schedule::new(o.starts_at, o.expected_restore_at).map_err(outage_error)?;
    let short = outage::lead_shortfalls(&engine.policy, o.utility, o.kind, &schedule, now);
    let at = now.as_microsecond();
    if let Some(first) = short.first() {
        let Some(why) = override_reason else { return Err(outage_error(first.error())) };
        o.override_reason = Some(why.clone());
        o.override_by = Some(who);
        let rules: Vec<&str> = short.iter().map(|s| s.rule_id.as_str()).collect();
        event(
            tx,
            Some(who),
            None,
            "outage.lead_time_overridden",
            payload(&o, json!({"rules": rules, "reason": why, "late_by_minutes": first.late_by.as_mins()})),
            at,
        )
        .await?;
    }
    o.announced_at = Some(now);
    o.updated_at = now;
    tx.update_outage(&o).await?;
    let affected = tx.snapshot_affected(o.id).await?;
    let breached = clocks::on_outage_event(tx, engine, &o, Event::OutageAnnounced, now, Some(who)).await?;
    let told = notices::tell_affected(tx, &o, notices::ANNOUNCED, at).await?;
    let mut extra = json!({"affected": affected, "notified": told, "breached": breached});
    if with_confirmation {
        extra["with_confirmation"] = json!(true);
    }
    event(tx, Some(who), None, "outage.announced", payload(&o, extra), at).await?;
    cap::record(tx, &o, MsgType::Alert, now).await?;
    Ok(())
}
