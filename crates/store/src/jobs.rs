//! Claiming durable jobs (the `jobs` outbox) inside a write transaction.
//! A job handled inside the claiming transaction needs no lease: it is
//! either done with that transaction's commit or still pending.

use crate::error::Result;
use crate::exec::Tx;
use crate::records::*;
use crate::row::{FromRow, Row};
use sea_orm::Value;

impl FromRow for JobRecord {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(JobRecord {
            id: r.id("id")?,
            kind: r.get("kind")?,
            payload: r.get("payload")?,
            attempts: r.get("attempts")?,
        })
    }
}

/// Queueing, claiming and finishing durable jobs. Implemented for [`Tx`]: inside a write transaction.
pub trait JobWrites {
    /// Takes up to `limit` pending jobs of `kind` due at `now`, oldest first,
    /// locking them against other servers (PostgreSQL; SQLite's write lock
    /// makes this transaction the only claimer).
    fn claim_jobs(
        &mut self,
        kind: &str,
        now_us: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<JobRecord>>> + Send;

    /// Marks a job done, or failed with `error` (kept for an administrator).
    fn finish_job(&mut self, id: JobId, error: Option<&str>) -> impl Future<Output = Result<()>> + Send;

    /// Queues many durable jobs of one kind at once (the sweeper's escalations).
    fn enqueue_jobs(
        &mut self,
        kind: &str,
        payloads: &[serde_json::Value],
        run_at_us: i64,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Queues a durable job (outbox) in the same transaction as its cause.
    fn enqueue_job(
        &mut self,
        kind: &str,
        payload: &serde_json::Value,
        run_at_us: i64,
    ) -> impl Future<Output = Result<JobId>> + Send;
}

impl JobWrites for Tx {
    #[tracing::instrument(skip(self))]
    async fn claim_jobs(&mut self, kind: &str, now_us: i64, limit: u32) -> Result<Vec<JobRecord>> {
        let lock = if self.backend() == crate::Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        self.exec()
            .fetch_all(
                &format!("SELECT id, kind, payload, attempts FROM jobs WHERE state = 'pending' AND run_at <= $1 AND kind = $2 ORDER BY run_at, id LIMIT $3{lock}"),
                vec![now_us.into(), kind.into(), (limit as i64).into()],
            )
            .await
    }

    async fn finish_job(&mut self, id: JobId, error: Option<&str>) -> Result<()> {
        let state = if error.is_some() { "failed" } else { "done" };
        self.exec()
            .run(
                "UPDATE jobs SET state = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1",
                vec![id.bind(), state.into(), error.into()],
            )
            .await?;
        Ok(())
    }

    async fn enqueue_jobs(&mut self, kind: &str, payloads: &[serde_json::Value], run_at_us: i64) -> Result<u64> {
        const PER_STATEMENT: usize = 500;
        let mut written = 0;
        for chunk in payloads.chunks(PER_STATEMENT) {
            let mut sql = String::from("INSERT INTO jobs (kind, payload, run_at, attempts, state, created_at) VALUES ");
            let mut v: Vec<Value> = vec![kind.into(), run_at_us.into()];
            for (i, p) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                v.push(p.to_string().into());
                sql.push_str(&format!("($1, ${}, $2, 0, 'pending', $2)", v.len()));
            }
            written += self.exec().run(&sql, v).await?;
        }
        Ok(written)
    }

    async fn enqueue_job(&mut self, kind: &str, payload: &serde_json::Value, run_at_us: i64) -> Result<JobId> {
        self.exec()
            .insert_id(
                "INSERT INTO jobs (kind, payload, run_at, attempts, state, created_at) VALUES ($1, $2, $3, 0, 'pending', $3) RETURNING id",
                vec![kind.into(), payload.to_string().into(), run_at_us.into()],
            )
            .await
    }
}
