//! Supply interruptions in use: outages are entered, announced (with the
//! lead-time rule and its duty-manager override), started, restored and
//! cancelled; each step is a ledger event, drives the outage's commitment
//! clocks (C3, C4a/b, C5, C24) and tells the affected customers, all in the
//! one transaction. Hotline matching and trouble-call grouping hook into
//! case intake ([`intake`]); suspected outages are decided in [`suspects`].

pub mod cap;
pub(crate) mod clocks;
pub mod intake;
mod lifecycle;
pub(crate) mod notices;
pub mod suspects;

pub use lifecycle::{OutageInput, OutagePatch};

use crate::error::{AppError, AppResult};
use crate::{Actor, App};
use pledge_domain::Permission;
use pledge_domain::ids::*;
use pledge_domain::model::{Customer, NetworkNode, Outage, OutageFilter, Page, PageRequest};
use pledge_domain::outage::OutageError;
use pledge_store::StoreError;
use pledge_store::repo::*;

/// The ledger and clock subject name of an outage.
pub const SUBJECT: &str = "outage";

/// An outage with what its page shows.
#[derive(Debug, Clone)]
pub struct OutageDetail {
    pub outage: Outage,
    pub node: NetworkNode,
    /// Cases hung under it.
    pub case_ids: Vec<CaseId>,
    /// Customers below the node now (before the snapshot is taken, for a draft).
    pub affected_now: u64,
    /// The outage's commitment clocks (C3, C4, C5, C24 …), oldest first.
    pub clocks: Vec<crate::commitments::ClockView>,
    /// When this was read (for the clocks' time left).
    pub read_at: jiff::Timestamp,
}

pub(crate) fn outage_error(e: OutageError) -> AppError {
    if let Some(message_zh) = e.message_zh() {
        let window = matches!(e, OutageError::RestoreTimeOutsideWindow { .. });
        return AppError::Refused {
            code: e.code(),
            field: window.then_some("restore_at"),
            conflict: !window,
            message: e.to_string(),
            message_zh,
        };
    }
    match e {
        OutageError::RestoreBeforeStart => {
            AppError::invalid("restore_before_start", "expected_restore_at", e.to_string())
        }
        OutageError::Text(t) => t.into(),
        OutageError::RestoreTimeOutsideWindow { .. } => AppError::invalid(e.code(), "restore_at", e.to_string()),
        OutageError::LeadTimeTooShort { .. }
        | OutageError::OutsideRestoreWindow { .. }
        | OutageError::RestoreTooSoon { .. }
        | OutageError::RestoreNoticeFirst
        | OutageError::NotEmergency
        | OutageError::AlreadyReported
        | OutageError::Transition { .. } => AppError::conflict(e.code(), e.to_string()),
    }
}

pub(crate) fn unknown_node(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound(_) => AppError::invalid("unknown_node", "node_id", "no such network node"),
        other => other.into(),
    }
}

impl App {
    /// An outage of the actor's company.
    pub(crate) async fn own_outage(&self, actor: &Actor, id: OutageId) -> AppResult<Outage> {
        let o = self.store().read().outage(id).await?;
        if o.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("outage"));
        }
        Ok(o)
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn outage(&self, actor: &Actor, id: OutageId) -> AppResult<OutageDetail> {
        actor.require(Permission::CaseRead, "read outages")?;
        let outage = self.own_outage(actor, id).await?;
        let r = self.store().read();
        let node = r.node(outage.node_id).await?;
        let case_ids = r.outage_case_ids(id).await?;
        let affected_now = if outage.state == pledge_domain::outage::OutageState::Draft {
            r.count_customers_below(outage.node_id).await?
        } else {
            outage.affected_count
        };
        let clocks = r.clocks_of(SUBJECT, id.get()).await?.into_iter().map(|c| self.view(c)).collect();
        Ok(OutageDetail { outage, node, case_ids, affected_now, clocks, read_at: self.now() })
    }

    #[tracing::instrument(skip(self, actor, filter))]
    pub async fn outages(&self, actor: &Actor, mut filter: OutageFilter, page: PageRequest) -> AppResult<Page<Outage>> {
        actor.require(Permission::CaseRead, "read outages")?;
        filter.company_id = Some(actor.staff.company_id);
        Ok(self.store().read().outages(&filter, page).await?)
    }

    /// The commitment clocks of an outage (C3, C4, C5, C24), as staff see them.
    #[tracing::instrument(skip(self, actor))]
    pub async fn outage_clocks(&self, actor: &Actor, id: OutageId) -> AppResult<Vec<crate::commitments::ClockView>> {
        actor.require(Permission::CaseRead, "read outages")?;
        self.own_outage(actor, id).await?;
        let recs = self.store().read().clocks_of(SUBJECT, id.get()).await?;
        Ok(recs.into_iter().map(|r| self.view(r)).collect())
    }

    /// A page of the customers an outage affects; each shown is logged as read.
    #[tracing::instrument(skip(self, actor))]
    pub async fn outage_customers(&self, actor: &Actor, id: OutageId, page: PageRequest) -> AppResult<Page<Customer>> {
        actor.require(Permission::CustomerRead, "read customers")?;
        self.own_outage(actor, id).await?;
        let p = self.store().read().affected_customers(id, page).await?;
        self.log_access(actor, "customer", p.items.iter().map(|c| c.id.get()).collect(), "list").await?;
        Ok(p)
    }

    /// Active outages affecting a customer (C16: what the agent tells the caller).
    #[tracing::instrument(skip(self, actor))]
    pub async fn customer_outages(&self, actor: &Actor, customer_id: CustomerId) -> AppResult<Vec<Outage>> {
        actor.require(Permission::CaseRead, "read outages")?;
        let c = self.store().read().customer(customer_id).await?;
        if c.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("customer"));
        }
        Ok(self.store().read().active_outages_of_customer(customer_id).await?)
    }

    /// Outages a case hangs under.
    #[tracing::instrument(skip(self, actor))]
    pub async fn case_outages(&self, actor: &Actor, case_id: CaseId) -> AppResult<Vec<Outage>> {
        actor.require(Permission::CaseRead, "read cases")?;
        let c = self.store().read().case(case_id).await?;
        if c.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("case"));
        }
        Ok(self.store().read().outages_of_case(case_id).await?)
    }

    /// What the public sees: open announced outages and those ended since `since`.
    #[tracing::instrument(skip(self))]
    pub async fn public_outages(&self, since: jiff::Timestamp) -> AppResult<Vec<Outage>> {
        Ok(self.store().read().public_outages(since.as_microsecond(), 500).await?)
    }
}
