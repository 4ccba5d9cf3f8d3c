//! Intake (受理): the screen a hall clerk or hotline agent lives in. Find the
//! customer, record the matter, answer on the spot or tell the deadline.

use super::ctx::{Ctx, Signed};
use super::error::{ConsoleError, message, render};
use super::phrases::{PhraseView, phrase_views};
use super::view::{channel_name, kind_name, subkind_name, utility_name};
use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use pledge_app::AppError;
use pledge_app::cases::CaseInput;
use pledge_domain::case::{CaseKind, CaseSubkind, Channel};
use pledge_domain::{Role, Utility};
use serde::Deserialize;

/// A choice in a `<select>`.
pub struct Opt {
    pub code: &'static str,
    pub name: String,
    /// The keyboard shortcut (Alt + key) that picks it, if any.
    pub key: String,
}

/// What the clerk typed; kept to show again when something is wrong.
#[derive(Debug, Default, Deserialize)]
pub struct IntakeForm {
    #[serde(default)]
    pub customer_id: String,
    #[serde(default)]
    pub utility: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub subkind: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub on_spot: Option<String>,
    #[serde(default)]
    pub answer: String,
    /// The consent box (同意接收办理进度通知), sent only when ticked.
    #[serde(default)]
    pub notify_consent: Option<String>,
    /// The kind the consent box's default was drawn for; absent when the
    /// form had no box (then the API's default applies).
    #[serde(default)]
    pub consent_for: String,
}

impl IntakeForm {
    /// What the consent box says: None (the default for the kind, as the API
    /// applies it) when the form had no box, or when the kind was changed
    /// after the page was drawn (a browser without our script) and the box
    /// still shows the default of the kind it was drawn for — an untouched
    /// box; otherwise whether it is ticked.
    fn consent(&self, kind: CaseKind) -> Option<bool> {
        let drawn_for = CaseKind::parse(&self.consent_for)?;
        let ticked = self.notify_consent.is_some();
        if drawn_for != kind && ticked == CaseInput::default_notify_consent(drawn_for) { None } else { Some(ticked) }
    }
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    c: Ctx,
    f: IntakeForm,
    error: Option<String>,
    utilities: Vec<Opt>,
    kinds: Vec<Opt>,
    subkinds: Vec<Opt>,
    channels: Vec<Opt>,
    phrases: Vec<PhraseView>,
    /// The consent box: ticked or not, and the kind that was decided for.
    consent: bool,
    consent_for: &'static str,
}

async fn show(st: &AppState, who: &Signed, f: IntakeForm, error: Option<String>) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let c = Ctx::load(&st.app, who, "intake").await?;
    let company_utilities = match st.app.company(&who.actor).await {
        Ok(c) => c.utilities,
        Err(pledge_app::AppError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(ConsoleError::new(e, lang)),
    };
    let utilities = Utility::ALL
        .into_iter()
        .filter(|u| company_utilities.contains(u))
        .map(|u| Opt { code: u.code(), name: utility_name(u, lang), key: String::new() })
        .collect();
    let kinds = CaseKind::ALL
        .into_iter()
        .enumerate()
        .map(|(i, k)| Opt { code: k.code(), name: kind_name(k, lang), key: (i + 1).to_string() })
        .collect();
    let subkinds = CaseSubkind::ALL
        .into_iter()
        .map(|s| Opt { code: s.code(), name: subkind_name(s, lang), key: String::new() })
        .collect();
    let channels = Channel::ALL
        .into_iter()
        .map(|ch| Opt { code: ch.code(), name: channel_name(ch, lang), key: String::new() })
        .collect();
    let phrases = phrase_views(&st.app, &who.actor, lang).await.map_err(|e| ConsoleError::new(e, lang))?;
    let mut f = f;
    if f.channel.is_empty() {
        f.channel = if who.actor.role() == Role::HallClerk { "counter" } else { "phone" }.into();
    }
    // The kind the page shows selected: the one posted, else the first.
    let kind = CaseKind::parse(&f.kind).unwrap_or(CaseKind::ALL[0]);
    let consent = f.consent(kind).unwrap_or(CaseInput::default_notify_consent(kind));
    let page = IntakePage {
        c,
        error: error.clone(),
        utilities,
        kinds,
        subkinds,
        channels,
        phrases,
        consent,
        consent_for: kind.code(),
        f,
    };
    let mut res = render(&page)?;
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[tracing::instrument(skip_all)]
pub async fn page(State(st): State<AppState>, who: Signed) -> Result<Response, ConsoleError> {
    show(&st, &who, IntakeForm::default(), None).await
}

fn parse(f: &IntakeForm) -> Result<CaseInput, AppError> {
    let bad = |code, field, msg: &str| AppError::invalid(code, field, msg);
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let on_spot = f.on_spot.is_some();
    let kind = CaseKind::parse(&f.kind).ok_or_else(|| bad("invalid_kind", "kind", "choose the kind of case"))?;
    Ok(CaseInput {
        utility: Utility::parse(&f.utility).ok_or_else(|| bad("invalid_utility", "utility", "choose a utility"))?,
        kind,
        subkind: match opt(&f.subkind) {
            Some(s) => {
                Some(CaseSubkind::parse(&s).ok_or_else(|| bad("invalid_subkind", "subkind", "unknown subkind"))?)
            }
            None => None,
        },
        channel: Channel::parse(&f.channel).ok_or_else(|| bad("invalid_channel", "channel", "choose the channel"))?,
        subject: f.subject.clone(),
        description: f.description.clone(),
        customer_id: match opt(&f.customer_id) {
            Some(s) => Some(s.parse().map_err(|_| bad("unknown_customer", "customer_id", "no such customer"))?),
            None => None,
        },
        contact_name: opt(&f.contact_name),
        contact_phone: opt(&f.contact_phone),
        anonymous: false,
        notify_consent: f.consent(kind),
        upstream: None,
        answered_on_spot: if on_spot { Some(f.answer.clone()) } else { None },
    })
}

/// Receives the case; the new case page states the deadline or the on-the-spot answer.
#[tracing::instrument(skip_all)]
pub async fn create(
    State(st): State<AppState>,
    who: Signed,
    Form(f): Form<IntakeForm>,
) -> Result<Response, ConsoleError> {
    let result = match parse(&f) {
        Ok(input) => st.app.create_case(&who.actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}?new=1", case.id)).into_response()),
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::Transition(_)
            | AppError::Conflict { .. }
            | AppError::Refused { .. }),
        ) => {
            let msg = message(&ApiError::from(e), who.lang);
            show(&st, &who, f, Some(msg)).await
        }
        Err(e) => Err(ConsoleError::new(e, who.lang)),
    }
}
