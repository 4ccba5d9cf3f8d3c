//! Routing as settings: which department receives what, per company and
//! utility. C16 sends a supply fault no known outage explains to the
//! `engineering` department; the complaint form's management copy goes to
//! the `management_copy` department. Without a setting, the department with
//! the historical code (`ENG`, `GMO`) is used, if the company has one.

use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::{Actor, App};
use pledge_domain::ids::*;
use pledge_domain::{Permission, Utility};
use pledge_store::Exec;
use pledge_store::repo::*;
use serde_json::json;

/// The department that investigates supply faults no outage explains,
/// when the company's routing settings name none.
pub const ENGINEERING_CODE: &str = "ENG";

/// What a routing setting decides (a closed set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoutingPurpose {
    /// Where C16 sends a no-supply call no known outage explains.
    Engineering,
    /// Which department holds the complaint form's management copy.
    ManagementCopy,
}

impl RoutingPurpose {
    pub const ALL: [RoutingPurpose; 2] = [Self::Engineering, Self::ManagementCopy];

    pub fn code(self) -> &'static str {
        match self {
            Self::Engineering => "engineering",
            Self::ManagementCopy => "management_copy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == s)
    }

    /// The department code used when the company has no setting.
    pub fn fallback_code(self) -> &'static str {
        match self {
            Self::Engineering => ENGINEERING_CODE,
            Self::ManagementCopy => crate::registry::GENERAL_MANAGEMENT_CODE,
        }
    }
}

/// One routing setting as shown to administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingEntry {
    pub purpose: RoutingPurpose,
    /// `None`: every utility without a setting of its own.
    pub utility: Option<Utility>,
    pub department_id: DepartmentId,
}

/// The department `purpose` goes to for `utility`: the utility's setting,
/// else the company-wide one, else the department with the fallback code.
pub(crate) async fn department_for(
    x: &Exec<'_>,
    company_id: CompanyId,
    utility: Utility,
    purpose: RoutingPurpose,
) -> AppResult<Option<DepartmentId>> {
    if let Some(d) = x.routing_department(company_id, utility, purpose.code()).await? {
        return Ok(Some(d));
    }
    Ok(x.departments(Some(company_id)).await?.into_iter().find(|d| d.code == purpose.fallback_code()).map(|d| d.id))
}

impl App {
    /// Every routing setting of the actor's company.
    #[tracing::instrument(skip(self, actor))]
    pub async fn routing_settings(&self, actor: &Actor) -> AppResult<Vec<RoutingEntry>> {
        actor.require(Permission::RegistryWrite, "read routing settings")?;
        let rows = self.store().read().routing_settings(actor.staff.company_id).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(RoutingEntry {
                    purpose: RoutingPurpose::parse(&r.purpose)?,
                    utility: r.utility,
                    department_id: r.department_id,
                })
            })
            .collect())
    }

    /// Sets where `purpose` goes for `utility` (`None`: every utility). The
    /// department must exist in the actor's company (422 otherwise).
    #[tracing::instrument(skip(self, actor))]
    pub async fn set_routing(
        &self,
        actor: &Actor,
        purpose: RoutingPurpose,
        utility: Option<Utility>,
        department_id: DepartmentId,
    ) -> AppResult<RoutingEntry> {
        actor.require(Permission::RegistryWrite, "change routing settings")?;
        let (company, who, now) = (actor.staff.company_id, actor.id(), self.now().as_microsecond());
        self.writer
            .write(async move |tx| {
                set_routing_in(tx, company, purpose, utility, department_id, Some(who), now).await?;
                event(
                    tx,
                    Some(who),
                    None,
                    "routing.changed",
                    json!({"purpose": purpose.code(), "utility": utility.map(|u| u.code()), "department_id": department_id}),
                    now,
                )
                .await?;
                Ok(())
            })
            .await?;
        Ok(RoutingEntry { purpose, utility, department_id })
    }
}

/// Validates and stores one routing setting in the caller's transaction
/// (the admin API, which also records it in the ledger, and the seed).
pub(crate) async fn set_routing_in(
    tx: &mut pledge_store::Tx,
    company: CompanyId,
    purpose: RoutingPurpose,
    utility: Option<Utility>,
    department_id: DepartmentId,
    who: Option<StaffId>,
    at_us: i64,
) -> AppResult<()> {
    let unknown = || AppError::invalid("unknown_department", "department_id", "no such department in this company");
    let dept = tx.exec().department(department_id).await.map_err(|e| match e {
        pledge_store::StoreError::NotFound(_) => unknown(),
        other => other.into(),
    })?;
    if dept.company_id != company {
        return Err(unknown());
    }
    tx.put_routing(company, utility, purpose.code(), department_id, who, at_us).await?;
    Ok(())
}
