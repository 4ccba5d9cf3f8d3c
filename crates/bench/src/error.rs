//! What can stop a bench. `pledge` turns it into its own error, worded the same.

use pledge_app::AppError;
use pledge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    App(#[from] AppError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Message(String),
}

impl BenchError {
    pub fn msg(m: impl Into<String>) -> Self {
        BenchError::Message(m.into())
    }
}

pub type BenchResult<T> = Result<T, BenchError>;
