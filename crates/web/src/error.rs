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
    /// The Chinese message when it carries details (a rule's refusal);
    /// otherwise the fixed text of the code is used.
    pub message_zh: Option<String>,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, message_en: impl Into<String>) -> Self {
        Self { status, code: code.into(), message_en: message_en.into(), message_zh: None, field: None }
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

impl ApiError {
    /// The message in `lang`: the detailed Chinese one when there is one,
    /// else the fixed Chinese text of the code, else the English message.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self
                .message_zh
                .clone()
                .or_else(|| crate::i18n::zh_message(&self.code).map(str::to_owned))
                .unwrap_or_else(|| self.message_en.clone()),
            Lang::En => self.message_en.clone(),
        }
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
            AppError::Refused { code, field, conflict, message, message_zh } => {
                let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
                let mut err = ApiError::new(status, code, message);
                err.field = field.map(str::to_owned);
                err.message_zh = Some(message_zh);
                err
            }
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
        let message = self.message(lang);
        let body = ErrorBody { error: ErrorDetail { code: self.code, message, field: self.field } };
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
