//! Console failures as a page in the reader's language (or, when the
//! session is gone, a trip back to the sign-in page).

use super::text;
use crate::error::ApiError;
use crate::i18n::Lang;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use pledge_app::AppError;

#[derive(Debug)]
pub struct ConsoleError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub lang: Lang,
}

/// The message for an application error in `lang`.
pub fn message(e: &ApiError, lang: Lang) -> String {
    e.message(lang)
}

impl ConsoleError {
    pub fn new(e: AppError, lang: Lang) -> Self {
        let api = ApiError::from(e);
        ConsoleError { status: api.status, message: message(&api, lang), code: api.code, lang }
    }

    pub fn not_found(lang: Lang) -> Self {
        Self::new(AppError::NotFound("page"), lang)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: &'a str,
    title: &'static str,
    message: &'a str,
    code: &'a str,
    back: &'static str,
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/login").into_response();
        }
        let page = ErrorPage {
            lang: if self.lang == Lang::En { "en" } else { "zh-CN" },
            title: text::t(self.lang, "error_title"),
            message: &self.message,
            code: &self.code,
            back: text::t(self.lang, "back_home"),
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                (self.status, self.message).into_response()
            }
        }
    }
}

impl From<askama::Error> for ConsoleError {
    fn from(e: askama::Error) -> Self {
        ConsoleError::new(AppError::Internal(format!("template: {e}")), Lang::Zh)
    }
}

/// Renders a template into a page response.
pub fn render<T: Template>(t: &T) -> Result<Response, ConsoleError> {
    Ok(Html(t.render()?).into_response())
}
