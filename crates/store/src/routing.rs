//! Routing settings (which department receives what, per company and
//! utility) and outage revisions (each change customers must hear of).

use crate::bind::Bind;
use crate::error::Result;
use crate::exec::{Exec, Tx};
use crate::row::{FromRow, Row};
use pledge_domain::Utility;
use pledge_domain::ids::*;

/// One routing setting: `purpose` goes to `department_id` for `utility`
/// (`None`: every utility without a row of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingSetting {
    pub utility: Option<Utility>,
    pub purpose: String,
    pub department_id: DepartmentId,
    pub updated_by: Option<StaffId>,
    pub updated_at: i64,
}

impl FromRow for RoutingSetting {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(RoutingSetting {
            utility: r.opt_code("utility", "utility", Utility::parse)?,
            purpose: r.get("purpose")?,
            department_id: r.id("department_id")?,
            updated_by: r.opt_id("updated_by")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

/// Reading routing settings and outage revisions.
pub trait RoutingReads {
    /// Every routing setting of a company, by purpose then utility.
    fn routing_settings(&self, company_id: CompanyId) -> impl Future<Output = Result<Vec<RoutingSetting>>> + Send;

    /// The department set for `purpose` and `utility`, else the one set for
    /// every utility, else none.
    fn routing_department(
        &self,
        company_id: CompanyId,
        utility: Utility,
        purpose: &str,
    ) -> impl Future<Output = Result<Option<DepartmentId>>> + Send;

    /// The outage's revision: how many told changes it has had.
    fn outage_revision(&self, outage_id: OutageId) -> impl Future<Output = Result<i64>> + Send;
}

impl RoutingReads for Exec<'_> {
    #[tracing::instrument(skip(self))]
    async fn routing_settings(&self, company_id: CompanyId) -> Result<Vec<RoutingSetting>> {
        self.fetch_all(
            "SELECT utility, purpose, department_id, updated_by, updated_at FROM routing_settings WHERE company_id = $1 \
             ORDER BY purpose, COALESCE(utility, '')",
            vec![company_id.bind()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn routing_department(
        &self,
        company_id: CompanyId,
        utility: Utility,
        purpose: &str,
    ) -> Result<Option<DepartmentId>> {
        let rows: Vec<RoutingSetting> = self
            .fetch_all(
                "SELECT utility, purpose, department_id, updated_by, updated_at FROM routing_settings \
                 WHERE company_id = $1 AND purpose = $2 AND (utility = $3 OR utility IS NULL)",
                vec![company_id.bind(), purpose.into(), utility.code().into()],
            )
            .await?;
        let own = rows.iter().find(|r| r.utility == Some(utility));
        Ok(own.or_else(|| rows.iter().find(|r| r.utility.is_none())).map(|r| r.department_id))
    }

    #[tracing::instrument(skip(self))]
    async fn outage_revision(&self, outage_id: OutageId) -> Result<i64> {
        self.fetch("SELECT revision FROM outages WHERE id = $1", vec![outage_id.bind()], "outage").await
    }
}

/// Changing routing settings and outage revisions. Implemented for [`Tx`].
pub trait RoutingWrites {
    /// Sets (replaces) where `purpose` goes for `utility` (`None`: all).
    fn put_routing(
        &mut self,
        company_id: CompanyId,
        utility: Option<Utility>,
        purpose: &str,
        department_id: DepartmentId,
        by: Option<StaffId>,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Counts one more change customers must hear of; returns the new revision.
    fn bump_outage_revision(&mut self, outage_id: OutageId) -> impl Future<Output = Result<i64>> + Send;
}

impl RoutingWrites for Tx {
    #[tracing::instrument(skip(self))]
    async fn put_routing(
        &mut self,
        company_id: CompanyId,
        utility: Option<Utility>,
        purpose: &str,
        department_id: DepartmentId,
        by: Option<StaffId>,
        at_us: i64,
    ) -> Result<()> {
        let x = self.exec();
        let code: Option<String> = utility.map(|u| u.code().to_owned());
        match &code {
            Some(u) => {
                x.run(
                    "DELETE FROM routing_settings WHERE company_id = $1 AND purpose = $2 AND utility = $3",
                    vec![company_id.bind(), purpose.into(), u.as_str().into()],
                )
                .await?
            }
            None => {
                x.run(
                    "DELETE FROM routing_settings WHERE company_id = $1 AND purpose = $2 AND utility IS NULL",
                    vec![company_id.bind(), purpose.into()],
                )
                .await?
            }
        };
        x.run(
            "INSERT INTO routing_settings (company_id, utility, purpose, department_id, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![company_id.bind(), code.into(), purpose.into(), department_id.bind(), by.bind(), at_us.into()],
        )
        .await?;
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn bump_outage_revision(&mut self, outage_id: OutageId) -> Result<i64> {
        let x = self.exec();
        x.run("UPDATE outages SET revision = revision + 1 WHERE id = $1", vec![outage_id.bind()]).await?;
        x.fetch("SELECT revision FROM outages WHERE id = $1", vec![outage_id.bind()], "outage").await
    }
}
