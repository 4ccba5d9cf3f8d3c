//! Login sessions, API tokens and the personal-data access log.

use crate::error::Result;
use crate::exec::{Exec, Tx};
use crate::paging::Where;
use crate::records::*;
use crate::registry::STAFF_COLS;
use crate::row::{FromRow, Row};

impl FromRow for Session {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(Session { staff: Staff::from_row(r)?, kind: r.get("kind")?, expires_at: r.ts("expires_at")? })
    }
}

impl FromRow for AccessEntry {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(AccessEntry {
            id: r.get("id")?,
            staff_id: r.id("staff_id")?,
            at: r.ts("at")?,
            subject: r.get("subject")?,
            subject_id: r.get("subject_id")?,
            action: r.get("action")?,
        })
    }
}

/// Reading sessions and the personal-data access log. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait SessionReads {
    /// The live session for a token hash, if any.
    fn session(&self, token_hash: &str, now_us: i64) -> impl Future<Output = Result<Option<Session>>> + Send;

    fn access_log(
        &self,
        subject: Option<&str>,
        subject_id: Option<i64>,
        staff_id: Option<StaffId>,
        company_id: CompanyId,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<AccessEntry>>> + Send;
}

impl SessionReads for Exec<'_> {
    async fn session(&self, token_hash: &str, now_us: i64) -> Result<Option<Session>> {
        let staff_cols = STAFF_COLS.split(", ").map(|c| format!("t.{c}")).collect::<Vec<_>>().join(", ");
        self.fetch_opt(
            &format!(
                "SELECT s.kind, s.expires_at, {staff_cols} FROM sessions s JOIN staff t ON t.id = s.staff_id \
                 WHERE s.token_hash = $1 AND s.revoked = 0 AND s.expires_at > $2 AND t.active = 1"
            ),
            vec![token_hash.into(), now_us.into()],
        )
        .await
    }

    async fn access_log(
        &self,
        subject: Option<&str>,
        subject_id: Option<i64>,
        staff_id: Option<StaffId>,
        company_id: CompanyId,
        page: PageRequest,
    ) -> Result<Page<AccessEntry>> {
        let mut w = Where::new();
        w.eq("subject", subject);
        w.eq("subject_id", subject_id);
        w.eq("staff_id", staff_id.map(Bind::bind));
        // The log has no company column yet: an entry belongs to its reader's company.
        let c = w.arg(company_id.bind());
        w.and(format!("staff_id IN (SELECT id FROM staff WHERE company_id = {c})"));
        let from = format!("FROM access_log {}", w.sql());
        self.page("id, staff_id, at, subject, subject_id, action", &from, w.into_values(), "id DESC", page).await
    }
}

/// Opening and revoking sessions; logging personal-data access. Implemented for [`Tx`]: inside a write transaction.
pub trait SessionWrites {
    fn insert_session(
        &mut self,
        token_hash: &str,
        staff_id: StaffId,
        kind: &str,
        now_us: i64,
        expires_at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    fn revoke_session(&mut self, token_hash: &str) -> impl Future<Output = Result<()>> + Send;

    /// Records that a staff member read a subject's personal data.
    fn log_access(
        &mut self,
        staff_id: StaffId,
        subject: &str,
        subject_ids: &[i64],
        action: &str,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl SessionWrites for Tx {
    async fn insert_session(
        &mut self,
        token_hash: &str,
        staff_id: StaffId,
        kind: &str,
        now_us: i64,
        expires_at_us: i64,
    ) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO sessions (token_hash, staff_id, kind, created_at, expires_at, revoked) VALUES ($1, $2, $3, $4, $5, 0)",
                vec![token_hash.into(), staff_id.bind(), kind.into(), now_us.into(), expires_at_us.into()],
            )
            .await?;
        Ok(())
    }

    async fn revoke_session(&mut self, token_hash: &str) -> Result<()> {
        self.exec().run("UPDATE sessions SET revoked = 1 WHERE token_hash = $1", vec![token_hash.into()]).await?;
        Ok(())
    }

    async fn log_access(
        &mut self,
        staff_id: StaffId,
        subject: &str,
        subject_ids: &[i64],
        action: &str,
        at_us: i64,
    ) -> Result<()> {
        for id in subject_ids {
            self.exec()
                .run(
                    "INSERT INTO access_log (staff_id, at, subject, subject_id, action) VALUES ($1, $2, $3, $4, $5)",
                    vec![staff_id.bind(), at_us.into(), subject.into(), (*id).into(), action.into()],
                )
                .await?;
        }
        Ok(())
    }
}
