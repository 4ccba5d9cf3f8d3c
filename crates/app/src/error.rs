//! The application's one error type. The web layer maps it to HTTP in one place.

use pledge_domain::TransitionError;
use pledge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that fails validation; `code` is stable, `field` names the input.
    #[error("{message}")]
    Invalid { code: &'static str, field: Option<&'static str>, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A step refused under a commitment rule, with its message in both
    /// languages (each names the rule, the utility and the figure):
    /// `conflict` answers 409, otherwise 422 on `field`.
    #[error("{message}")]
    Refused { code: &'static str, field: Option<&'static str>, conflict: bool, message: String, message_zh: String },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("not signed in")]
    Unauthenticated,
    #[error("your role may not {0}")]
    Forbidden(&'static str),
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid { code, field: Some(field), message: message.into() }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict { code, message: message.into() }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict(m) => AppError::Conflict { code: "conflict", message: conflict_message(&m) },
            StoreError::MissingReference(_) => AppError::Invalid {
                code: "unknown_reference",
                field: None,
                message: "a referenced record (department, staff, customer, node …) does not exist".into(),
            },
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::Corrupt(m) | StoreError::Internal(m) => AppError::Internal(m),
        }
    }
}

/// Turns a constraint message into something a user can act on, without
/// echoing the database's own text.
fn conflict_message(raw: &str) -> String {
    let r = raw.to_ascii_lowercase();
    if r.contains("username") {
        "that username is taken".into()
    } else if r.contains("customer_number") {
        "a customer with that customer number already exists".into()
    } else if r.contains("departments") || r.contains("code") {
        "that code is already in use".into()
    } else if r.contains("changed by someone else") || r.contains("acknowledged") || r.contains("parent node") {
        raw.to_owned()
    } else {
        "the record conflicts with an existing one".into()
    }
}

impl From<pledge_domain::text::TextError> for AppError {
    fn from(e: pledge_domain::text::TextError) -> Self {
        use pledge_domain::text::TextError::*;
        let field = match e {
            Empty { field } | TooLong { field, .. } | Control { field } => field,
        };
        AppError::Invalid { code: "invalid_text", field: Some(field), message: e.to_string() }
    }
}

pub type AppResult<T> = Result<T, AppError>;
