//! The phrase library: a panel on the intake and case pages, and a page
//! where administrators change their company's wording.

use super::ctx::{Ctx, Signed};
use super::error::{ConsoleError, render};
use crate::AppState;
use crate::i18n::Lang;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use pledge_app::phrases::Situation;
use pledge_app::{Actor, App, AppResult};
use serde::Deserialize;

/// A phrase as shown: the situation's name and the wording in the page's language.
pub struct PhraseView {
    pub code: &'static str,
    pub title: &'static str,
    pub text: String,
    pub text_zh: String,
    pub text_en: String,
    pub customised: bool,
}

pub async fn phrase_views(app: &App, actor: &Actor, lang: Lang) -> AppResult<Vec<PhraseView>> {
    Ok(app
        .phrases(actor)
        .await?
        .into_iter()
        .map(|p| {
            let (zh, en) = p.situation.title();
            PhraseView {
                code: p.situation.code(),
                title: if lang == Lang::En { en } else { zh },
                text: if lang == Lang::En { p.text_en.clone() } else { p.text_zh.clone() },
                text_zh: p.text_zh,
                text_en: p.text_en,
                customised: p.customised,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "phrases.html")]
struct PhrasesPage {
    c: Ctx,
    phrases: Vec<PhraseView>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn page(
    State(st): State<AppState>,
    who: Signed,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, ConsoleError> {
    let c = Ctx::load(&st.app, &who, "phrases").await?;
    let phrases = phrase_views(&st.app, &who.actor, who.lang).await.map_err(|e| ConsoleError::new(e, who.lang))?;
    render(&PhrasesPage { c, phrases, saved: q.saved.is_some() })
}

#[derive(Deserialize)]
pub struct PhraseForm {
    text_zh: String,
    text_en: String,
}

#[tracing::instrument(skip_all, fields(situation = %situation))]
pub async fn save(
    State(st): State<AppState>,
    who: Signed,
    Path(situation): Path<String>,
    Form(f): Form<PhraseForm>,
) -> Result<Response, ConsoleError> {
    let s = Situation::parse(&situation).ok_or_else(|| ConsoleError::not_found(who.lang))?;
    st.app.save_phrase(&who.actor, s, &f.text_zh, &f.text_en).await.map_err(|e| ConsoleError::new(e, who.lang))?;
    Ok(Redirect::to("/phrases?saved=1").into_response())
}
