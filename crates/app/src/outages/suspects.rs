//! Suspected outages: the dispatcher confirms one (it becomes an emergency
//! outage with every grouped call hung under it) or dismisses it; the
//! grouping thresholds are set per utility.

use super::{OutageDetail, outage_error};
use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::{Actor, App};
use jiff::Timestamp;
use pledge_domain::commitment::OutageKind;
use pledge_domain::ids::*;
use pledge_domain::model::{NewOutage, Page, PageRequest, Suspect};
use pledge_domain::network::NodeLevel;
use pledge_domain::outage::{self, Effect, GroupingRule, OutageState, Schedule, SuspectState};
use pledge_domain::text::Body;
use pledge_domain::{Permission, Utility};
use pledge_store::repo::*;
use serde_json::json;

/// What the dispatcher states when confirming a suspected outage.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub reason: String,
    pub area: String,
    pub expected_restore_at: Timestamp,
    pub effect: Effect,
    /// Announce the new outage in the same step (customers are told at once).
    pub announce: bool,
    /// A duty manager's reason to announce inside a lead time, if one applies.
    pub override_reason: Option<String>,
}

impl App {
    #[tracing::instrument(skip(self, actor))]
    pub async fn suspected_outages(
        &self,
        actor: &Actor,
        states: Vec<SuspectState>,
        page: PageRequest,
    ) -> AppResult<Page<Suspect>> {
        actor.require(Permission::CaseRead, "read outages")?;
        Ok(self.store().read().suspects(actor.staff.company_id, &states, page).await?)
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn suspected_outage(&self, actor: &Actor, id: SuspectId) -> AppResult<(Suspect, Vec<CaseId>)> {
        actor.require(Permission::CaseRead, "read outages")?;
        let s = self.store().read().suspect(id).await?;
        if s.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("suspected outage"));
        }
        let cases = self.store().read().suspect_case_ids(id).await?;
        Ok((s, cases))
    }

    /// Confirms a suspected outage: an emergency outage on its node, running
    /// since the first call, with every grouped call hung under it.
    #[tracing::instrument(skip(self, actor, c))]
    pub async fn confirm_suspected(&self, actor: &Actor, id: SuspectId, c: Confirmation) -> AppResult<OutageDetail> {
        actor.require(Permission::OutageManage, "manage outages")?;
        let reason = outage::reason(&c.reason).map_err(outage_error)?;
        let area = outage::area(&c.area).map_err(outage_error)?;
        let override_reason = c
            .override_reason
            .clone()
            .filter(|r| !r.trim().is_empty())
            .map(|r| Body::parse("override_reason", &r).map(Body::into_inner))
            .transpose()?;
        if c.announce && override_reason.is_some() {
            actor.require(Permission::OutageOverride, "override the announcement lead time")?;
        }
        let (company, who, now, engine) = (actor.staff.company_id, actor.id(), self.now(), self.engine());
        let outage_id = self
            .writer
            .write(async move |tx| {
                let s = tx.exec().suspect(id).await?;
                if s.company_id != company {
                    return Err(AppError::NotFound("suspected outage"));
                }
                if !s.state.is_open() {
                    return Err(AppError::conflict(
                        "suspect_decided",
                        "this suspected outage has already been decided",
                    ));
                }
                let schedule = Schedule::new(s.first_call_at, c.expected_restore_at).map_err(outage_error)?;
                let clash = tx
                    .exec()
                    .overlapping_outages(
                        s.node_id,
                        schedule.starts_at().as_microsecond(),
                        schedule.expected_restore_at().as_microsecond(),
                        None,
                    )
                    .await?;
                if let Some(other) = clash.first() {
                    return Err(AppError::conflict(
                        "outage_overlap",
                        format!("outage {other} on the same node overlaps this time"),
                    ));
                }
                let node = tx.exec().node(s.node_id).await?;
                let new = NewOutage {
                    company_id: company,
                    utility: s.utility,
                    kind: OutageKind::Emergency,
                    effect: c.effect,
                    state: OutageState::InProgress,
                    node_id: node.id,
                    node_path: node.path,
                    reason,
                    area,
                    starts_at_us: schedule.starts_at().as_microsecond(),
                    expected_restore_at_us: schedule.expected_restore_at().as_microsecond(),
                    suspected_id: Some(s.id),
                    created_by: Some(who),
                    at_us: now.as_microsecond(),
                };
                let oid = super::lifecycle::create_in(tx, &engine, &new, Some(who), now).await?;
                let at = now.as_microsecond();
                for case_id in tx.exec().suspect_case_ids(s.id).await? {
                    if tx.link_outage_case(oid, case_id, "grouped", at).await? {
                        let case = tx.exec().case(case_id).await?;
                        event(
                            tx,
                            Some(who),
                            Some(case_id),
                            "case.outage_linked",
                            json!({"outage_id": oid, "how": "grouped", "state": case.state.code()}),
                            at,
                        )
                        .await?;
                    }
                }
                tx.set_suspect_state(s.id, SuspectState::Confirmed, Some(who), Some(oid), None, at).await?;
                event(
                    tx,
                    Some(who),
                    None,
                    "outage.suspect_confirmed",
                    json!({"suspected_id": s.id, "outage_id": oid, "calls": s.calls}),
                    at,
                )
                .await?;
                if c.announce {
                    announce_confirmed(tx, &engine, who, oid, override_reason, now).await?;
                }
                Ok(oid)
            })
            .await?;
        self.outage(actor, outage_id).await
    }

    /// Dismisses a suspected outage (the calls are unrelated faults).
    #[tracing::instrument(skip(self, actor, note))]
    pub async fn dismiss_suspected(&self, actor: &Actor, id: SuspectId, note: String) -> AppResult<Suspect> {
        actor.require(Permission::OutageManage, "manage outages")?;
        let note = Body::parse("note", &note)
            .map_err(|_| AppError::invalid("reason_required", "note", "dismissing needs a note"))?
            .into_inner();
        let (company, who, now) = (actor.staff.company_id, actor.id(), self.now());
        self.writer
            .write(async move |tx| {
                let s = tx.exec().suspect(id).await?;
                if s.company_id != company {
                    return Err(AppError::NotFound("suspected outage"));
                }
                if !s.state.is_open() {
                    return Err(AppError::conflict(
                        "suspect_decided",
                        "this suspected outage has already been decided",
                    ));
                }
                let at = now.as_microsecond();
                tx.set_suspect_state(id, SuspectState::Dismissed, Some(who), None, Some(&note), at).await?;
                event(tx, Some(who), None, "outage.suspect_dismissed", json!({"suspected_id": id, "note": note}), at)
                    .await?;
                Ok(())
            })
            .await?;
        Ok(self.store().read().suspect(id).await?)
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn grouping_rule(&self, actor: &Actor, utility: Utility) -> AppResult<GroupingRule> {
        actor.require(Permission::CaseRead, "read outages")?;
        Ok(self.store().read().grouping_rule(actor.staff.company_id, utility).await?)
    }

    /// Sets when trouble calls are grouped for a utility (administrators).
    #[tracing::instrument(skip(self, actor))]
    pub async fn set_grouping_rule(
        &self,
        actor: &Actor,
        utility: Utility,
        min_calls: u32,
        window_minutes: u32,
        level: NodeLevel,
    ) -> AppResult<GroupingRule> {
        actor.require(Permission::RegistryWrite, "change grouping thresholds")?;
        let rule = GroupingRule::new(min_calls, window_minutes, level)
            .map_err(|e| AppError::invalid("invalid_grouping", "min_calls", e.to_string()))?;
        let (company, who, now) = (actor.staff.company_id, actor.id(), self.now().as_microsecond());
        self.writer
            .write(async move |tx| {
                    tx.put_grouping_rule(company, utility, &rule, now).await?;
                    event(tx, Some(who), None, "outage.grouping_changed", json!({"utility": utility.code(), "min_calls": min_calls, "window_minutes": window_minutes, "level": level.code()}), now).await?;
                    Ok(())
                })
            .await?;
        Ok(rule)
    }
}

/// Announces a just-confirmed outage in the confirmation's transaction: the
/// same checks, ledger events, clocks and notices as announcing it alone.
async fn announce_confirmed(
    tx: &mut pledge_store::Tx,
    engine: &crate::engine::Engine,
    who: StaffId,
    id: OutageId,
    override_reason: Option<String>,
    now: Timestamp,
) -> crate::AppResult<()> {
    let o = tx.exec().outage(id).await?;
    super::lifecycle::announce_in(tx, engine, who, o, override_reason, now, true).await
}
