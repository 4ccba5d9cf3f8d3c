//! Online backup: a consistent copy of a live SQLite database.

use crate::error::{Result, StoreError};
use crate::{Backend, Store};
use sea_orm::ConnectionTrait;
use std::path::Path;

/// What `backup` produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupOutcome {
    /// The copy was written, with its size in bytes.
    Written { bytes: u64 },
    /// PostgreSQL is backed up with its own tools; the text says how.
    UsePgDump(String),
}

impl Store {
    /// Writes a consistent copy of the database to `to` while it stays online
    /// (SQLite `VACUUM INTO`: a single read transaction, so concurrent writers
    /// are not blocked and the copy is a snapshot of one moment).
    pub async fn backup(&self, to: &Path) -> Result<BackupOutcome> {
        match self.backend {
            Backend::Postgres => Ok(BackupOutcome::UsePgDump(
                "PostgreSQL databases are backed up with pg_dump, which takes a consistent snapshot while Pledge runs:\n  \
                 pg_dump --format=custom --file=pledge.dump \"$DATABASE_URL\"\nand restored with:\n  \
                 pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" pledge.dump"
                    .into(),
            )),
            Backend::Sqlite => {
                if to.exists() {
                    return Err(StoreError::Conflict(format!("{} already exists; choose a new file", to.display())));
                }
                let target = to.to_str().ok_or_else(|| StoreError::Internal("backup path is not UTF-8".into()))?;
                self.db.execute_raw(self.stmt("VACUUM INTO $1", [target.into()])).await?;
                let bytes = std::fs::metadata(to).map(|m| m.len()).map_err(|e| StoreError::Internal(e.to_string()))?;
                Ok(BackupOutcome::Written { bytes })
            }
        }
    }
}
