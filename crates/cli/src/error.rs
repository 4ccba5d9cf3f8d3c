//! What can stop a command, worded for the person at the terminal.

use pledge_app::AppError;
use pledge_bench::BenchError;
use pledge_domain::calendar::CalendarError;
use pledge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{}", app_message(.0))]
    App(#[from] AppError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Calendar(#[from] CalendarError),
    #[error("{0}")]
    Message(String),
}

impl CliError {
    pub fn msg(m: impl Into<String>) -> Self {
        CliError::Message(m.into())
    }
}

impl From<BenchError> for CliError {
    fn from(e: BenchError) -> Self {
        match e {
            BenchError::App(e) => CliError::App(e),
            BenchError::Store(e) => CliError::Store(e),
            BenchError::Message(m) => CliError::Message(m),
        }
    }
}

/// The web layer hides internal details from users; an operator at the
/// terminal needs them.
fn app_message(e: &AppError) -> String {
    match e {
        AppError::Internal(m) => format!("internal error: {m}"),
        AppError::Unavailable(m) => format!("database unavailable: {m}"),
        AppError::Invalid { field: Some(f), message, .. } => format!("{f}: {message}"),
        other => other.to_string(),
    }
}

pub type CliResult<T> = Result<T, CliError>;
