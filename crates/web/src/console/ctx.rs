//! Who is signed in, in which language, and what every page's frame shows:
//! name, role, department, role-aware navigation and queue counts.

use super::text;
use crate::AppState;
use crate::extract::request_token;
use crate::i18n::{Lang, current_lang};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use pledge_app::store::repo::*;
use pledge_app::store::{CaseFilter, CaseSort, PageRequest};
use pledge_app::{Actor, App};
use pledge_domain::Permission;

/// The cookie that remembers the console language.
pub const LANG_COOKIE: &str = "pledge_lang";

fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The console language: the cookie's choice, else the browser's preference.
pub fn lang_of(parts: &Parts) -> Lang {
    match cookie(parts, LANG_COOKIE) {
        Some("en") => Lang::En,
        Some("zh") => Lang::Zh,
        _ => current_lang(),
    }
}

/// The request's language, for pages that need no sign-in.
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang(lang_of(parts)))
    }
}

/// A signed-in staff member on a console page; anyone else is sent to `/login`.
pub struct Signed {
    pub actor: Actor,
    pub lang: Lang,
    pub token: String,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let Some(token) = request_token(&parts.headers) else { return Err(Redirect::to("/login").into_response()) };
        match state.app.authenticate(&token).await {
            Ok(actor) => Ok(Signed { actor, lang, token }),
            Err(pledge_app::AppError::Unauthenticated) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(super::ConsoleError::new(e, lang).into_response()),
        }
    }
}

/// The page frame every console template receives as `c`.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user_name: String,
    pub role_name: String,
    pub department: String,
    pub company: String,
    pub hotline: String,
    pub can_create: bool,
    pub can_approve: bool,
    pub is_admin: bool,
    pub n_mine: u64,
    pub n_department: u64,
    pub n_first: u64,
    /// Which navigation entry is current.
    pub here: &'static str,
}

impl Ctx {
    /// A UI string in the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        text::t(self.lang, key)
    }

    pub fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// Builds the frame: who, where, and the open counts of the three queues.
    pub async fn load(app: &App, who: &Signed, here: &'static str) -> Result<Ctx, super::ConsoleError> {
        let a = &who.actor;
        let err = |e: pledge_app::AppError| super::ConsoleError::new(e, who.lang);
        let r = app.store().read();
        let company = r.companies().await.map_err(|e| err(e.into()))?.into_iter().find(|c| c.id == a.staff.company_id);
        let department = match a.staff.department_id {
            Some(d) => r
                .department(d)
                .await
                .ok()
                .map(|d| if who.lang == Lang::En { d.name_en } else { d.name_zh })
                .unwrap_or_default(),
            None => String::new(),
        };
        let count = |f: CaseFilter| async move {
            app.cases(a, f, CaseSort::NewestFirst, PageRequest::new(Some(1), None)).await.map(|p| p.total)
        };
        let open = CaseFilter { open_only: true, ..CaseFilter::default() };
        let n_mine = count(CaseFilter { assignee_id: Some(a.id()), ..open.clone() }).await.map_err(err)?;
        let n_department = match a.staff.department_id {
            Some(d) => count(CaseFilter { department_id: Some(d), ..open.clone() }).await.map_err(err)?,
            None => 0,
        };
        let n_first = count(CaseFilter { first_responder_id: Some(a.id()), ..open }).await.map_err(err)?;
        Ok(Ctx {
            lang: who.lang,
            user_name: a.staff.display_name.clone(),
            role_name: super::view::role_name(a.role(), who.lang).to_owned(),
            department,
            company: company.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            hotline: company.map(|c| c.hotline).unwrap_or_default(),
            can_create: a.can(Permission::CaseCreate),
            can_approve: a.can(Permission::ExtensionApprove),
            is_admin: a.can(Permission::RegistryWrite),
            n_mine,
            n_department,
            n_first,
            here,
        })
    }
}
