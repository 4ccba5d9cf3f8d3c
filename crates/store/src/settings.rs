//! Administrator settings: versioned commitment policies (the TOML source as
//! written) and the working-day calendar's year tables (the JSON as written).
//! Parsing and validation belong to the domain; this module only keeps text.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::records::ts;
use crate::records::*;
use sea_orm::QueryResult;

fn policy_row(r: &QueryResult) -> Result<StoredPolicy> {
    Ok(StoredPolicy {
        company_id: r.try_get("", "company_id")?,
        version: r.try_get("", "version")?,
        source: r.try_get("", "source")?,
        created_by: r.try_get("", "created_by")?,
        created_at: ts(r.try_get("", "created_at")?)?,
    })
}

fn year_row(r: &QueryResult) -> Result<StoredCalendarYear> {
    Ok(StoredCalendarYear {
        year: r.try_get("", "year")?,
        source_json: r.try_get("", "source_json")?,
        created_by: r.try_get("", "created_by")?,
        created_at: ts(r.try_get("", "created_at")?)?,
        updated_at: ts(r.try_get("", "updated_at")?)?,
    })
}

impl Exec<'_> {
    /// The company's newest stored policy, if it ever stored one.
    pub async fn latest_policy(&self, company_id: i64) -> Result<Option<StoredPolicy>> {
        let r = self
            .one(
                "SELECT company_id, version, source, created_by, created_at FROM policies WHERE company_id = $1 ORDER BY version DESC LIMIT 1",
                vec![company_id.into()],
            )
            .await?;
        r.as_ref().map(policy_row).transpose()
    }

    /// A cheap summary of the stored settings that changes whenever a policy
    /// or calendar year is stored, so a server can tell that another one
    /// changed them without reading them whole.
    pub async fn settings_mark(&self) -> Result<SettingsMark> {
        let r = self
            .one(
                "SELECT (SELECT COUNT(*) FROM policies) AS policies, (SELECT COUNT(*) FROM calendar_years) AS years, \
                 (SELECT COALESCE(MAX(updated_at), 0) FROM calendar_years) AS years_updated",
                vec![],
            )
            .await?
            .ok_or(StoreError::Internal("settings mark returned no row".into()))?;
        Ok(SettingsMark {
            policies: r.try_get("", "policies")?,
            years: r.try_get("", "years")?,
            years_updated_us: r.try_get("", "years_updated")?,
        })
    }

    /// Every stored calendar year, oldest year first.
    pub async fn calendar_years(&self) -> Result<Vec<StoredCalendarYear>> {
        let rows = self
            .all(
                "SELECT year, source_json, created_by, created_at, updated_at FROM calendar_years ORDER BY year",
                vec![],
            )
            .await?;
        rows.iter().map(year_row).collect()
    }
}

impl Tx {
    /// Stores a new policy version; a version already stored for the company is a conflict.
    pub async fn insert_policy(
        &mut self,
        company_id: i64,
        version: i64,
        source: &str,
        created_by: Option<i64>,
        at_us: i64,
    ) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO policies (company_id, version, source, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                vec![company_id.into(), version.into(), source.into(), created_by.into(), at_us.into()],
            )
            .await?;
        Ok(())
    }

    /// Stores a year table, replacing the stored one for that year (its
    /// creator and creation time are kept; `updated_at` moves).
    pub async fn save_calendar_year(
        &mut self,
        year: i64,
        source_json: &str,
        by: Option<i64>,
        at_us: i64,
    ) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO calendar_years (year, source_json, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                 ON CONFLICT (year) DO UPDATE SET source_json = excluded.source_json, updated_at = excluded.updated_at",
                vec![year.into(), source_json.into(), by.into(), at_us.into()],
            )
            .await?;
        Ok(())
    }
}
