//! The three queues: my cases, my department's, and the ones I first
//! received that are still open (首问跟踪). Filter, sort and page through
//! them; deadlines are coloured when warned or breached.

use super::ctx::{Ctx, Signed};
use super::error::{ConsoleError, render};
use super::intake::Opt;
use super::view::{CaseRow, case_rows, kind_name, state_name};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use pledge_domain::case::{CaseKind, CaseState};
use pledge_domain::ids::*;
use pledge_domain::model::{CaseFilter, CaseSort, PageRequest};
use serde::Deserialize;

const PAGE: u32 = 25;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    c: Ctx,
    which: &'static str,
    title: &'static str,
    rows: Vec<CaseRow>,
    total: u64,
    page: u64,
    pages: u64,
    kinds: Vec<Opt>,
    states: Vec<Opt>,
    kind: String,
    state: String,
    q: String,
    sort: String,
    /// The query string without the page number, for the pager links.
    base: String,
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tracing::instrument(skip_all, fields(which = %which))]
pub async fn page(
    State(st): State<AppState>,
    who: Signed,
    Path(which): Path<String>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let a = &who.actor;
    let mut filter = CaseFilter::default();
    let (which, here, title_key) = match which.as_str() {
        "mine" => {
            filter.assignee_id = Some(a.id());
            ("mine", "mine", "nav_mine")
        }
        "department" => {
            // Without a department there is nothing to show: match no case.
            filter.department_id = Some(a.staff.department_id.unwrap_or(DepartmentId(-1)));
            ("department", "department", "nav_department")
        }
        "first-responder" => {
            filter.first_responder_id = Some(a.id());
            ("first-responder", "first", "nav_first")
        }
        _ => return Err(ConsoleError::not_found(lang)),
    };
    filter.kind = CaseKind::parse(&q.kind);
    match CaseState::parse(&q.state) {
        Some(s) => filter.states = vec![s],
        None => filter.open_only = q.state != "all",
    }
    filter.text = Some(q.q.trim().to_owned()).filter(|t| !t.is_empty());
    let sort = match q.sort.as_str() {
        "oldest" => CaseSort::OldestFirst,
        "updated" => CaseSort::RecentlyUpdated,
        _ => CaseSort::NewestFirst,
    };
    let page_no = q.page.unwrap_or(1).max(1);
    let result = st
        .app
        .cases(a, filter, sort, PageRequest::new(Some(PAGE), Some((page_no - 1) * PAGE as u64)))
        .await
        .map_err(|e| ConsoleError::new(e, lang))?;
    let rows = case_rows(&st.app, &who.actor, &result.items, lang).await.map_err(|e| ConsoleError::new(e, lang))?;
    let c = Ctx::load(&st.app, &who, here).await?;
    let base = format!("kind={}&state={}&q={}&sort={}", enc(&q.kind), enc(&q.state), enc(&q.q), enc(&q.sort));
    render(&QueuePage {
        title: c.t(title_key),
        c,
        which,
        rows,
        total: result.total,
        page: page_no,
        pages: result.total.div_ceil(PAGE as u64).max(1),
        kinds: CaseKind::ALL
            .into_iter()
            .map(|k| Opt { code: k.code(), name: kind_name(k, lang), key: String::new() })
            .collect(),
        states: CaseState::ALL
            .into_iter()
            .map(|s| Opt { code: s.code(), name: state_name(s, lang), key: String::new() })
            .collect(),
        kind: q.kind,
        state: q.state,
        q: q.q,
        sort: q.sort,
        base,
    })
}
