//! The duty manager's board: breaches and escalations now, clocks due in
//! the next hours, returned cases waiting for a decision, and extension
//! requests waiting for approval.

use super::ctx::{Ctx, Signed};
use super::error::{ConsoleError, render};
use super::view::{CaseRow, case_rows, remaining, time};
use crate::AppState;
use crate::i18n::Lang;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use pledge_domain::case::CaseState;
use pledge_domain::ids::*;
use pledge_domain::model::{CaseFilter, CaseSort, PageRequest};
use std::collections::HashMap;

/// How far ahead "at risk" looks unless `?hours=` says otherwise (1–72).
const HORIZON_HOURS: i64 = 4;

#[derive(serde::Deserialize)]
pub struct BoardQuery {
    hours: Option<i64>,
}
/// At most this many clocks are read for the board.
const CLOCKS: u32 = 200;

pub struct ClockItem {
    pub case_id: CaseId,
    pub number: String,
    pub subject: String,
    pub rule: String,
    pub due: String,
    pub remaining: String,
    pub class: &'static str,
}

pub struct RequestItem {
    pub case_id: CaseId,
    pub number: String,
    pub id: ExtensionRequestId,
    pub new_due: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    c: Ctx,
    breached: Vec<ClockItem>,
    at_risk: Vec<ClockItem>,
    rows: Vec<CaseRow>,
    requests: Vec<RequestItem>,
    horizon: i64,
}

#[tracing::instrument(skip_all)]
pub async fn page(
    State(st): State<AppState>,
    who: Signed,
    axum::extract::Query(q): axum::extract::Query<BoardQuery>,
) -> Result<Response, ConsoleError> {
    let horizon = q.hours.unwrap_or(HORIZON_HOURS).clamp(1, 72);
    let lang = who.lang;
    let err = |e| ConsoleError::new(e, lang);
    let app = &st.app;
    let now = app.now();
    let clocks = app.at_risk(&who.actor, jiff::SignedDuration::from_hours(horizon), CLOCKS).await.map_err(err)?;
    let requests = app.pending_extensions(&who.actor, 100).await.map_err(err)?;
    // The same clocks again as records, for the case each belongs to (two reads, not one per clock).
    let before = now
        .checked_add(jiff::SignedDuration::from_hours(horizon))
        .map_err(|e| err(pledge_app::AppError::Internal(e.to_string())))?;
    let subjects: HashMap<ClockId, CaseId> = app
        .clocks_due_before(&who.actor, before, CLOCKS)
        .await
        .map_err(err)?
        .into_iter()
        .filter(|r| r.subject == "case")
        .map(|r| (r.id, CaseId(r.subject_id)))
        .collect();
    let clock_cases: Vec<CaseId> = clocks.iter().map(|k| subjects.get(&k.id).copied().unwrap_or(CaseId(0))).collect();
    let mut ids: Vec<CaseId> = clock_cases.clone();
    ids.extend(requests.iter().map(|x| x.case_id));
    ids.sort_unstable();
    ids.dedup();
    let cases: HashMap<CaseId, pledge_domain::model::Case> =
        app.cases_by_ids(&who.actor, &ids).await.map_err(err)?.into_iter().map(|c| (c.id, c)).collect();
    let (mut breached, mut at_risk) = (Vec::new(), Vec::new());
    for (k, case_id) in clocks.iter().zip(&clock_cases) {
        let Some(case) = cases.get(case_id) else { continue };
        let late = k.clock.breached || k.clock.due_at <= now;
        let item = ClockItem {
            case_id: case.id,
            number: case.number.to_string(),
            subject: case.subject.clone(),
            rule: if lang == Lang::En { k.title_en.clone() } else { k.title_zh.clone() },
            due: time(k.clock.due_at),
            remaining: remaining(k.clock.due_at, now, lang),
            class: if late { "breached" } else { "warned" },
        };
        if late { breached.push(item) } else { at_risk.push(item) }
    }
    let returned = app
        .cases(
            &who.actor,
            CaseFilter { states: vec![CaseState::Returned], ..CaseFilter::default() },
            CaseSort::OldestFirst,
            PageRequest::new(Some(50), None),
        )
        .await
        .map_err(err)?
        .items;
    let rows = case_rows(app, &who.actor, &returned, lang).await.map_err(err)?;
    let requests = requests
        .iter()
        .filter_map(|x| {
            cases.get(&x.case_id).map(|c| RequestItem {
                case_id: c.id,
                number: c.number.to_string(),
                id: x.id,
                new_due: time(x.new_due),
                reason: x.reason.clone(),
            })
        })
        .collect();
    let c = Ctx::load(app, &who, "board").await?;
    render(&BoardPage { c, breached, at_risk, rows, requests, horizon })
}
