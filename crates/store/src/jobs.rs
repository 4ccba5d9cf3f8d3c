//! Claiming durable jobs (the `jobs` outbox) inside a write transaction.
//! A job handled inside the claiming transaction needs no lease: it is
//! either done with that transaction's commit or still pending.

use crate::error::Result;
use crate::exec::{Exec, Tx};
use crate::records::*;

impl Tx {
    /// Takes up to `limit` pending jobs of `kind` due at `now`, oldest first,
    /// locking them against other servers (PostgreSQL; SQLite's write lock
    /// makes this transaction the only claimer).
    #[tracing::instrument(skip(self))]
    pub async fn claim_jobs(&mut self, kind: &str, now_us: i64, limit: u32) -> Result<Vec<JobRecord>> {
        let lock = if self.backend() == crate::Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let rows = self
            .exec()
            .all(
                &format!("SELECT id, kind, payload, attempts FROM jobs WHERE state = 'pending' AND run_at <= $1 AND kind = $2 ORDER BY run_at, id LIMIT $3{lock}"),
                vec![now_us.into(), kind.into(), (limit as i64).into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(JobRecord {
                    id: r.try_get("", "id")?,
                    kind: r.try_get("", "kind")?,
                    payload: r.try_get("", "payload")?,
                    attempts: r.try_get("", "attempts")?,
                })
            })
            .collect()
    }

    /// Marks a job done, or failed with `error` (kept for an administrator).
    pub async fn finish_job(&mut self, id: i64, error: Option<&str>) -> Result<()> {
        let state = if error.is_some() { "failed" } else { "done" };
        self.exec()
            .run(
                "UPDATE jobs SET state = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1",
                vec![id.into(), state.into(), error.into()],
            )
            .await?;
        Ok(())
    }
}

impl Exec<'_> {
    /// Active staff of a company holding one of `roles`, plus the head of
    /// `department_id` when `with_head`; ids in order.
    pub async fn escalation_staff(
        &self,
        company_id: i64,
        roles: &[&str],
        department_id: Option<i64>,
        with_head: bool,
    ) -> Result<Vec<i64>> {
        let mut v: Vec<sea_orm::Value> = vec![company_id.into(), department_id.into(), (with_head as i64).into()];
        let list: Vec<String> = roles
            .iter()
            .map(|r| {
                v.push((*r).into());
                format!("${}", v.len())
            })
            .collect();
        let role_clause = if list.is_empty() { "1 = 0".to_owned() } else { format!("role IN ({})", list.join(", ")) };
        let rows = self
            .all(
                &format!(
                    "SELECT id FROM staff WHERE company_id = $1 AND active = 1 AND ({role_clause} \
                     OR ($3 = 1 AND id = (SELECT head_staff_id FROM departments WHERE id = $2 AND company_id = $1))) ORDER BY id"
                ),
                v,
            )
            .await?;
        rows.iter().map(|r| Ok(r.try_get("", "id")?)).collect()
    }
}
