//! Requests to extend a clock's deadline (延期申请) and their decisions.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::row::{FromRow, Row};

const COLS: &str =
    "id, company_id, case_id, clock_id, requested_by, new_due, reason, state, decided_by, decided_at, created_at";

impl FromRow for ExtensionRequest {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(ExtensionRequest {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            case_id: r.id("case_id")?,
            clock_id: r.id("clock_id")?,
            requested_by: r.id("requested_by")?,
            new_due: r.ts("new_due")?,
            reason: r.get("reason")?,
            state: r.get("state")?,
            decided_by: r.opt_id("decided_by")?,
            decided_at: r.opt_ts("decided_at")?,
            created_at: r.ts("created_at")?,
        })
    }
}

/// Reading deadline extension requests. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait ExtensionRequestReads {
    /// The company's pending requests, oldest first.
    fn pending_extension_requests(
        &self,
        company_id: CompanyId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ExtensionRequest>>> + Send;

    /// Every request made on a case, oldest first.
    fn extension_requests_of(&self, case_id: CaseId) -> impl Future<Output = Result<Vec<ExtensionRequest>>> + Send;

    fn extension_request(&self, id: ExtensionRequestId) -> impl Future<Output = Result<ExtensionRequest>> + Send;
}

impl ExtensionRequestReads for Exec<'_> {
    #[tracing::instrument(skip(self))]
    async fn pending_extension_requests(&self, company_id: CompanyId, limit: u32) -> Result<Vec<ExtensionRequest>> {
        self.fetch_all(
            &format!("SELECT {COLS} FROM extension_requests WHERE company_id = $1 AND state = 'pending' ORDER BY created_at, id LIMIT $2"),
            vec![company_id.bind(), (limit as i64).into()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn extension_requests_of(&self, case_id: CaseId) -> Result<Vec<ExtensionRequest>> {
        self.fetch_all(
            &format!("SELECT {COLS} FROM extension_requests WHERE case_id = $1 ORDER BY id"),
            vec![case_id.bind()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn extension_request(&self, id: ExtensionRequestId) -> Result<ExtensionRequest> {
        self.fetch(
            &format!("SELECT {COLS} FROM extension_requests WHERE id = $1"),
            vec![id.bind()],
            "extension request",
        )
        .await
    }
}

/// Filing and deciding deadline extension requests. Implemented for [`Tx`]: inside a write transaction.
pub trait ExtensionRequestWrites {
    #[allow(clippy::too_many_arguments)] // to become one typed argument with the repositories
    fn insert_extension_request(
        &mut self,
        company_id: CompanyId,
        case_id: CaseId,
        clock_id: ClockId,
        by: StaffId,
        new_due_us: i64,
        reason: &str,
        at_us: i64,
    ) -> impl Future<Output = Result<ExtensionRequestId>> + Send;

    /// Records the decision on a pending request; a request already decided is a conflict.
    fn decide_extension_request(
        &mut self,
        id: ExtensionRequestId,
        state: &str,
        by: StaffId,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl ExtensionRequestWrites for Tx {
    #[tracing::instrument(skip(self, reason))]
    #[allow(clippy::too_many_arguments)] // to become one typed argument with the repositories
    async fn insert_extension_request(
        &mut self,
        company_id: CompanyId,
        case_id: CaseId,
        clock_id: ClockId,
        by: StaffId,
        new_due_us: i64,
        reason: &str,
        at_us: i64,
    ) -> Result<ExtensionRequestId> {
        self.exec()
            .insert_id(
                "INSERT INTO extension_requests (company_id, case_id, clock_id, requested_by, new_due, reason, state, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING id",
                vec![company_id.bind(), case_id.bind(), clock_id.bind(), by.bind(), new_due_us.into(), reason.into(), at_us.into()],
            )
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn decide_extension_request(
        &mut self,
        id: ExtensionRequestId,
        state: &str,
        by: StaffId,
        at_us: i64,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE extension_requests SET state = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND state = 'pending'",
                vec![state.into(), by.bind(), at_us.into(), id.bind()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("the extension request was already decided".into()));
        }
        Ok(())
    }
}
