//! Login sessions, API tokens and the personal-data access log.

use crate::error::Result;
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::registry::staff_row_pub;

impl Exec<'_> {
    /// The live session for a token hash, if any.
    pub async fn session(&self, token_hash: &str, now_us: i64) -> Result<Option<Session>> {
        let r = self
            .one(
                "SELECT s.kind, s.expires_at, t.id, t.company_id, t.department_id, t.username, t.display_name, t.role, t.active \
                 FROM sessions s JOIN staff t ON t.id = s.staff_id \
                 WHERE s.token_hash = $1 AND s.revoked = 0 AND s.expires_at > $2 AND t.active = 1",
                vec![token_hash.into(), now_us.into()],
            )
            .await?;
        r.map(|r| {
            Ok(Session {
                staff: staff_row_pub(&r)?,
                kind: r.try_get("", "kind")?,
                expires_at: ts(r.try_get("", "expires_at")?)?,
            })
        })
        .transpose()
    }

    pub async fn access_log(
        &self,
        subject: Option<&str>,
        subject_id: Option<i64>,
        staff_id: Option<i64>,
        company_id: i64,
        page: PageRequest,
    ) -> Result<Page<AccessEntry>> {
        // The log has no company column yet: an entry belongs to its reader's company.
        let filter = "WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR subject_id = $2) AND ($3 IS NULL OR staff_id = $3) \
             AND staff_id IN (SELECT id FROM staff WHERE company_id = $4)";
        let vals = || -> Vec<sea_orm::Value> {
            vec![subject.map(str::to_owned).into(), subject_id.into(), staff_id.into(), company_id.into()]
        };
        let total: i64 = self
            .one(&format!("SELECT COUNT(*) AS n FROM access_log {filter}"), vals())
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let mut v = vals();
        v.push((page.limit as i64).into());
        v.push((page.offset as i64).into());
        let rows = self
            .all(&format!("SELECT id, staff_id, at, subject, subject_id, action FROM access_log {filter} ORDER BY id DESC LIMIT $5 OFFSET $6"), v)
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(AccessEntry {
                    id: r.try_get("", "id")?,
                    staff_id: r.try_get("", "staff_id")?,
                    at: ts(r.try_get("", "at")?)?,
                    subject: r.try_get("", "subject")?,
                    subject_id: r.try_get("", "subject_id")?,
                    action: r.try_get("", "action")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Page { items, total: total as u64 })
    }
}

impl Tx {
    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        staff_id: i64,
        kind: &str,
        now_us: i64,
        expires_at_us: i64,
    ) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO sessions (token_hash, staff_id, kind, created_at, expires_at, revoked) VALUES ($1, $2, $3, $4, $5, 0)",
                vec![token_hash.into(), staff_id.into(), kind.into(), now_us.into(), expires_at_us.into()],
            )
            .await?;
        Ok(())
    }

    pub async fn revoke_session(&mut self, token_hash: &str) -> Result<()> {
        self.exec().run("UPDATE sessions SET revoked = 1 WHERE token_hash = $1", vec![token_hash.into()]).await?;
        Ok(())
    }

    /// Records that a staff member read a subject's personal data.
    pub async fn log_access(
        &mut self,
        staff_id: i64,
        subject: &str,
        subject_ids: &[i64],
        action: &str,
        at_us: i64,
    ) -> Result<()> {
        for id in subject_ids {
            self.exec()
                .run(
                    "INSERT INTO access_log (staff_id, at, subject, subject_id, action) VALUES ($1, $2, $3, $4, $5)",
                    vec![staff_id.into(), at_us.into(), subject.into(), (*id).into(), action.into()],
                )
                .await?;
        }
        Ok(())
    }
}
