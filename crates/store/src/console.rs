//! Reads the staff console needs in bulk: the nearest open deadline of each
//! case on a queue page, and the cases behind a list of clocks.

use crate::cases::case_by_ids_sql;
use crate::error::Result;
use crate::exec::Exec;
use crate::records::{Case, ts};
use jiff::Timestamp;
use sea_orm::Value;

/// The nearest deadline among a case's running or paused clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDeadline {
    pub case_id: i64,
    pub due_at: Timestamp,
    /// Whether any open clock of the case has breached.
    pub breached: bool,
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Exec<'_> {
    /// The nearest open deadline of each listed case (cases without open clocks are left out).
    #[tracing::instrument(skip(self, case_ids), fields(n = case_ids.len()))]
    pub async fn case_deadlines(&self, case_ids: &[i64]) -> Result<Vec<CaseDeadline>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT subject_id, MIN(due_at) AS due, MAX(breached) AS breached FROM clocks \
             WHERE subject = 'case' AND state <> 'stopped' AND subject_id IN ({}) GROUP BY subject_id",
            placeholders(case_ids.len())
        );
        let rows = self.all(&sql, case_ids.iter().map(|&i| Value::from(i)).collect()).await?;
        rows.iter()
            .map(|r| {
                Ok(CaseDeadline {
                    case_id: r.try_get("", "subject_id")?,
                    due_at: ts(r.try_get("", "due")?)?,
                    breached: r.try_get::<i64>("", "breached")? != 0,
                })
            })
            .collect()
    }

    /// The listed cases, in id order (unknown ids are left out).
    #[tracing::instrument(skip(self, ids), fields(n = ids.len()))]
    pub async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<Case>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.all(&case_by_ids_sql(&placeholders(ids.len())), ids.iter().map(|&i| Value::from(i)).collect()).await?;
        rows.iter().map(crate::cases::case_row).collect()
    }
}
