//! Requests to extend a clock's deadline (延期申请) and their decisions.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::records::ts;
use crate::records::*;
use sea_orm::QueryResult;

const COLS: &str =
    "id, company_id, case_id, clock_id, requested_by, new_due, reason, state, decided_by, decided_at, created_at";

fn row(r: &QueryResult) -> Result<ExtensionRequest> {
    Ok(ExtensionRequest {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        case_id: r.try_get("", "case_id")?,
        clock_id: r.try_get("", "clock_id")?,
        requested_by: r.try_get("", "requested_by")?,
        new_due: ts(r.try_get("", "new_due")?)?,
        reason: r.try_get("", "reason")?,
        state: r.try_get("", "state")?,
        decided_by: r.try_get("", "decided_by")?,
        decided_at: r.try_get::<Option<i64>>("", "decided_at")?.map(ts).transpose()?,
        created_at: ts(r.try_get("", "created_at")?)?,
    })
}

impl Exec<'_> {
    /// The company's pending requests, oldest first.
    #[tracing::instrument(skip(self))]
    pub async fn pending_extension_requests(&self, company_id: i64, limit: u32) -> Result<Vec<ExtensionRequest>> {
        let rows = self
            .all(
                &format!("SELECT {COLS} FROM extension_requests WHERE company_id = $1 AND state = 'pending' ORDER BY created_at, id LIMIT $2"),
                vec![company_id.into(), (limit as i64).into()],
            )
            .await?;
        rows.iter().map(row).collect()
    }

    /// Every request made on a case, oldest first.
    #[tracing::instrument(skip(self))]
    pub async fn extension_requests_of(&self, case_id: i64) -> Result<Vec<ExtensionRequest>> {
        let rows = self
            .all(&format!("SELECT {COLS} FROM extension_requests WHERE case_id = $1 ORDER BY id"), vec![case_id.into()])
            .await?;
        rows.iter().map(row).collect()
    }

    #[tracing::instrument(skip(self))]
    pub async fn extension_request(&self, id: i64) -> Result<ExtensionRequest> {
        let r = self
            .one(&format!("SELECT {COLS} FROM extension_requests WHERE id = $1"), vec![id.into()])
            .await?
            .ok_or(StoreError::NotFound("extension request"))?;
        row(&r)
    }
}

impl Tx {
    #[tracing::instrument(skip(self, reason))]
    #[allow(clippy::too_many_arguments)] // to become one typed argument with the repositories
    pub async fn insert_extension_request(
        &mut self,
        company_id: i64,
        case_id: i64,
        clock_id: i64,
        by: i64,
        new_due_us: i64,
        reason: &str,
        at_us: i64,
    ) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO extension_requests (company_id, case_id, clock_id, requested_by, new_due, reason, state, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING id",
                vec![company_id.into(), case_id.into(), clock_id.into(), by.into(), new_due_us.into(), reason.into(), at_us.into()],
            )
            .await
    }

    /// Records the decision on a pending request; a request already decided is a conflict.
    #[tracing::instrument(skip(self))]
    pub async fn decide_extension_request(&mut self, id: i64, state: &str, by: i64, at_us: i64) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE extension_requests SET state = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND state = 'pending'",
                vec![state.into(), by.into(), at_us.into(), id.into()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("the extension request was already decided".into()));
        }
        Ok(())
    }
}
