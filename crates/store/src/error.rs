//! The store's one error type. Database driver errors stop here: callers see
//! what happened in domain terms, and the driver's text only reaches the log.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique constraint refused the write (names the constraint or table).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A foreign key refused the write: something referenced does not exist.
    #[error("a referenced record does not exist: {0}")]
    MissingReference(String),
    /// The database holds a value this version cannot read.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The database could not be reached or refused the connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else; details are in the log.
    #[error("database error: {0}")]
    Internal(String),
}

impl From<sea_orm::DbErr> for StoreError {
    fn from(e: sea_orm::DbErr) -> Self {
        use sea_orm::{DbErr, SqlErr};
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => return StoreError::Conflict(m),
            Some(SqlErr::ForeignKeyConstraintViolation(m)) => return StoreError::MissingReference(m),
            _ => {}
        }
        match &e {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => StoreError::Unavailable(e.to_string()),
            DbErr::RecordNotFound(_) => StoreError::NotFound("record"),
            DbErr::Type(_) | DbErr::TryIntoErr { .. } | DbErr::Json(_) => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Reads a stored code back into its domain enum, or reports corruption.
pub(crate) fn decode<T>(what: &'static str, raw: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
    parse(raw).ok_or_else(|| StoreError::Corrupt(format!("{what} {raw:?}")))
}
