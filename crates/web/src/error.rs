//! API errors: every failure leaves as `{"error":{"code":"…","message":"…"}}`
//! with the right status. Internal details are logged, never sent.

use crate::i18n::{Lang, current_lang};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pledge_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `illegal_transition`.
    pub code: String,
    /// Human-readable message in the request's language (zh-CN by default).
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message_en: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, message_en: impl Into<String>) -> Self {
        Self { status, code: code.into(), message_en: message_en.into(), field: None }
    }
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn invalid(code: &str, field: &str, message_en: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message_en).with_field(field)
    }
    pub fn bad_request(code: &str, message_en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message_en)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid { code, field, message } => {
                let mut err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
                err.field = field.map(str::to_owned);
                err
            }
            AppError::NotFound(what) => ApiError::not_found(what),
            AppError::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            AppError::Transition(t) => ApiError::new(StatusCode::CONFLICT, "illegal_transition", t.to_string()),
            AppError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "sign in first (wrong username or password, or the session expired)",
            ),
            AppError::Forbidden(what) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("your role may not {what}"))
            }
            AppError::Unavailable(detail) => {
                tracing::warn!(%detail, "service unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the service is temporarily unavailable; try again shortly",
                )
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let lang = current_lang();
        let message = match lang {
            // A refusal under a commitment rule keeps the English detail,
            // which names the rule, the utility and the figure.
            Lang::Zh if crate::i18n::names_rule(&self.code) => match crate::i18n::zh_message(&self.code) {
                Some(zh) => format!("{zh}（{}）", self.message_en),
                None => self.message_en,
            },
            Lang::Zh => crate::i18n::zh_message(&self.code).map(str::to_owned).unwrap_or(self.message_en),
            Lang::En => self.message_en,
        };
        let body = ErrorBody { error: ErrorDetail { code: self.code, message, field: self.field } };
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
