//! Administrator settings: versioned commitment policies (the TOML source as
//! written) and the working-day calendar's year tables (the JSON as written).
//! Parsing and validation belong to the domain; this module only keeps text.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::row::{FromRow, Row};

impl FromRow for StoredPolicy {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(StoredPolicy {
            company_id: r.id("company_id")?,
            version: r.get("version")?,
            source: r.get("source")?,
            created_by: r.opt_id("created_by")?,
            created_at: r.ts("created_at")?,
        })
    }
}

impl FromRow for StoredCalendarYear {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(StoredCalendarYear {
            year: r.get("year")?,
            source_json: r.get("source_json")?,
            created_by: r.opt_id("created_by")?,
            created_at: r.ts("created_at")?,
            updated_at: r.ts("updated_at")?,
        })
    }
}

impl FromRow for SettingsMark {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(SettingsMark {
            policies: r.get("policies")?,
            years: r.get("years")?,
            years_updated_us: r.get("years_updated")?,
        })
    }
}

/// Reading stored policies and calendar years. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait SettingsReads {
    /// The company's newest stored policy, if it ever stored one.
    fn latest_policy(&self, company_id: CompanyId) -> impl Future<Output = Result<Option<StoredPolicy>>> + Send;

    /// A cheap summary of the stored settings that changes whenever a policy
    /// or calendar year is stored, so a server can tell that another one
    /// changed them without reading them whole.
    fn settings_mark(&self) -> impl Future<Output = Result<SettingsMark>> + Send;

    /// Every stored calendar year, oldest year first.
    fn calendar_years(&self) -> impl Future<Output = Result<Vec<StoredCalendarYear>>> + Send;
}

impl SettingsReads for Exec<'_> {
    async fn latest_policy(&self, company_id: CompanyId) -> Result<Option<StoredPolicy>> {
        self.fetch_opt(
            "SELECT company_id, version, source, created_by, created_at FROM policies WHERE company_id = $1 ORDER BY version DESC LIMIT 1",
            vec![company_id.bind()],
        )
        .await
    }

    async fn settings_mark(&self) -> Result<SettingsMark> {
        self.fetch_opt(
            "SELECT (SELECT COUNT(*) FROM policies) AS policies, (SELECT COUNT(*) FROM calendar_years) AS years, \
             (SELECT COALESCE(MAX(updated_at), 0) FROM calendar_years) AS years_updated",
            vec![],
        )
        .await?
        .ok_or(StoreError::Internal("settings mark returned no row".into()))
    }

    async fn calendar_years(&self) -> Result<Vec<StoredCalendarYear>> {
        self.fetch_all(
            "SELECT year, source_json, created_by, created_at, updated_at FROM calendar_years ORDER BY year",
            vec![],
        )
        .await
    }
}

/// Storing policies and calendar years. Implemented for [`Tx`]: inside a write transaction.
pub trait SettingsWrites {
    /// Stores a new policy version; a version already stored for the company is a conflict.
    fn insert_policy(
        &mut self,
        company_id: CompanyId,
        version: i64,
        source: &str,
        created_by: Option<StaffId>,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Stores a year table, replacing the stored one for that year (its
    /// creator and creation time are kept; `updated_at` moves).
    fn save_calendar_year(
        &mut self,
        year: i64,
        source_json: &str,
        by: Option<StaffId>,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl SettingsWrites for Tx {
    async fn insert_policy(
        &mut self,
        company_id: CompanyId,
        version: i64,
        source: &str,
        created_by: Option<StaffId>,
        at_us: i64,
    ) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO policies (company_id, version, source, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                vec![company_id.bind(), version.into(), source.into(), created_by.bind(), at_us.into()],
            )
            .await?;
        Ok(())
    }

    async fn save_calendar_year(
        &mut self,
        year: i64,
        source_json: &str,
        by: Option<StaffId>,
        at_us: i64,
    ) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO calendar_years (year, source_json, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                 ON CONFLICT (year) DO UPDATE SET source_json = excluded.source_json, updated_at = excluded.updated_at",
                vec![year.into(), source_json.into(), by.bind(), at_us.into()],
            )
            .await?;
        Ok(())
    }
}
