//! Outage pages: the list (with the suspected outages that trouble calls
//! raised), one outage with its clocks, affected customers, delivery counts
//! and the steps its state allows, and the form that enters a new one.
//! Steps post to `/outages/{id}/do/{action}`; a refusal shows the page
//! again with the reason in the reader's language.

use crate::AppState;
use crate::console::ctx::{Ctx, Signed};
use crate::console::error::{ConsoleError, message, render};
use crate::console::intake::Opt;
use crate::console::view::{deadline_class, remaining, time, utility_name};
use crate::error::ApiError;
use crate::i18n::Lang;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use pledge_app::outages::OutageInput;
use pledge_app::outages::suspects::Confirmation;
use pledge_app::{AppError, AppResult};
use pledge_domain::commitment::OutageKind;
use pledge_domain::ids::*;
use pledge_domain::model::{Outage, OutageFilter, PageRequest};
use pledge_domain::outage::{Effect, OutageAction, OutageState, SuspectState, next_state};
use pledge_domain::{Permission, Utility};
use serde::Deserialize;

mod detail;
mod list;
mod new;

pub use detail::{act, detail};
pub use list::{list, suspect_act};
pub use new::{create, new_page};

const PAGE: u32 = 25;
/// How many affected customers the outage page lists.
const CUSTOMERS: u32 = 20;

pub fn kind_name(k: OutageKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (OutageKind::Planned, Lang::Zh) => "计划停供",
        (OutageKind::Emergency, Lang::Zh) => "抢修停供",
        (OutageKind::Planned, Lang::En) => "Planned",
        (OutageKind::Emergency, Lang::En) => "Emergency",
        (OutageKind::Temporary, Lang::Zh) => "临时检修停电",
        (OutageKind::Temporary, Lang::En) => "Temporary maintenance",
    }
}

pub fn state_name(s: OutageState, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.name_zh(),
        Lang::En => match s {
            OutageState::Draft => "Draft",
            OutageState::Announced => "Announced",
            OutageState::InProgress => "Supply off",
            OutageState::RestoreNotified => "Restoration notified",
            OutageState::Restored => "Restored",
            OutageState::Cancelled => "Cancelled",
        },
    }
}

pub fn effect_name(e: Effect, u: Utility, lang: Lang) -> &'static str {
    match (lang, e) {
        (Lang::Zh, _) => e.name_zh(u),
        (Lang::En, Effect::Stop) => "Supply stopped",
        (Lang::En, Effect::PressureReduction) => "Reduced pressure",
    }
}

fn suspect_state_name(s: SuspectState, lang: Lang) -> &'static str {
    let key = match s {
        SuspectState::Gathering => "sus_gathering",
        SuspectState::Raised => "sus_raised",
        SuspectState::Confirmed => "sus_confirmed",
        SuspectState::Dismissed => "sus_dismissed",
    };
    crate::console::text::t(lang, key)
}

/// A `datetime-local` value, read as Shanghai time.
fn local_time(field: &'static str, s: &str) -> AppResult<Timestamp> {
    let bad = || AppError::invalid("invalid_time", field, "enter a date and time");
    let dt: jiff::civil::DateTime = s.trim().parse().map_err(|_| bad())?;
    dt.to_zoned(pledge_app::shanghai()).map(|z| z.timestamp()).map_err(|_| bad())
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A refusal the page can explain (shown again with the message), as
/// opposed to a failure that gets the error page.
fn explainable(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid { .. }
            | AppError::Transition(_)
            | AppError::Conflict { .. }
            | AppError::Refused { .. }
            | AppError::Forbidden(_)
    )
}

/// The line the intake panel shows for a customer under an active outage.
pub struct OutageLine {
    pub id: OutageId,
    pub text: String,
}

/// What the agent tells the caller: cause, area and expected restoration.
pub fn outage_line(o: &Outage, lang: Lang) -> OutageLine {
    let text = match lang {
        Lang::Zh => format!(
            "{}：{}（{}），原因：{}；影响范围：{}；预计恢复时间：{}",
            kind_name(o.kind, lang),
            state_name(o.state, lang),
            effect_name(o.effect, o.utility, lang),
            o.reason,
            o.area,
            time(o.expected_restore_at)
        ),
        Lang::En => format!(
            "{} outage: {} ({}). Cause: {}; area: {}; expected back by {}",
            kind_name(o.kind, lang),
            state_name(o.state, lang),
            effect_name(o.effect, o.utility, lang),
            o.reason,
            o.area,
            time(o.expected_restore_at)
        ),
    };
    OutageLine { id: o.id, text }
}
