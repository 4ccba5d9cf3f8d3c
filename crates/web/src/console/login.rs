//! Sign in and out with the session cookie, the language switch, and the
//! entry point that sends each role to its home screen.

use super::ctx::{LANG_COOKIE, PageLang, Signed};
use super::error::{ConsoleError, render};
use super::text::t;
use crate::AppState;
use crate::extract::SESSION_COOKIE;
use crate::i18n::Lang;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use pledge_app::auth::{Secret, TokenKind};
use pledge_app::{Actor, AppError};
use pledge_domain::Permission;
use serde::Deserialize;

/// Where a role starts its day.
pub fn home_of(actor: &Actor) -> &'static str {
    if actor.can(Permission::ExtensionApprove) && !actor.can(Permission::RegistryWrite) {
        "/board"
    } else if actor.can(Permission::CaseCreate) {
        "/intake"
    } else {
        "/queues/mine"
    }
}

/// `/`: the user's home, or the sign-in page.
#[tracing::instrument(skip_all)]
pub async fn home(State(st): State<AppState>, headers: HeaderMap) -> Redirect {
    match crate::extract::request_token(&headers) {
        Some(token) => match st.app.authenticate(&token).await {
            Ok(actor) => Redirect::to(home_of(&actor)),
            Err(_) => Redirect::to("/login"),
        },
        None => Redirect::to("/login"),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    lang_tag: &'static str,
    is_en: bool,
    t_title: &'static str,
    t_username: &'static str,
    t_password: &'static str,
    t_submit: &'static str,
    username: &'a str,
    error: Option<&'static str>,
}

fn login_page(lang: Lang, username: &str, error: Option<&'static str>) -> Result<Response, ConsoleError> {
    render(&LoginPage {
        lang_tag: if lang == Lang::En { "en" } else { "zh-CN" },
        is_en: lang == Lang::En,
        t_title: t(lang, "login_title"),
        t_username: t(lang, "username"),
        t_password: t(lang, "password"),
        t_submit: t(lang, "login_submit"),
        username,
        error,
    })
}

/// The sign-in page's HTML in `lang` (pinned by a snapshot test).
pub fn login_html(lang: Lang) -> Result<String, askama::Error> {
    LoginPage {
        lang_tag: if lang == Lang::En { "en" } else { "zh-CN" },
        is_en: lang == Lang::En,
        t_title: t(lang, "login_title"),
        t_username: t(lang, "username"),
        t_password: t(lang, "password"),
        t_submit: t(lang, "login_submit"),
        username: "",
        error: None,
    }
    .render()
}

#[tracing::instrument(skip_all)]
pub async fn page(PageLang(lang): PageLang) -> Result<Response, ConsoleError> {
    login_page(lang, "", None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

#[tracing::instrument(skip_all)]
pub async fn submit(
    State(st): State<AppState>,
    PageLang(lang): PageLang,
    Form(f): Form<LoginForm>,
) -> Result<Response, ConsoleError> {
    match st.app.login(&f.username, &Secret::new(f.password), TokenKind::Cookie).await {
        Ok(login) => {
            let mut res = Redirect::to(home_of(&login.actor)).into_response();
            let cookie = format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax", login.token.expose());
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(AppError::Unauthenticated) => {
            let mut res = login_page(lang, &f.username, Some(t(lang, "login_failed")))?;
            *res.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(res)
        }
        Err(e) => Err(ConsoleError::new(e, lang)),
    }
}

#[tracing::instrument(skip_all)]
pub async fn logout(State(st): State<AppState>, who: Signed) -> Result<Response, ConsoleError> {
    st.app.logout(&who.token).await.map_err(|e| ConsoleError::new(e, who.lang))?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("pledge_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(res)
}

/// `/lang/en` or `/lang/zh`: remembers the choice and goes back to the page it came from.
pub async fn switch_lang(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let code = if code == "en" { "en" } else { "zh" };
    // Only a path on this site, never another site's address.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .filter(|r| super::csrf::same_origin(&headers) && !r.is_empty())
        .and_then(|r| r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned())))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned());
    let mut res = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{LANG_COOKIE}={code}; Path=/; SameSite=Lax; Max-Age=31536000")) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}
