//! Public outage notices, no sign-in: the HTML list at `/public/outages`,
//! the Atom feed (also the CAP index), the CAP 1.2 lineage of each outage
//! (every message at `/feeds/outages/{id}/cap/{seq}.cap`, the latest also
//! at `/feeds/outages/{id}.cap`), and the iCalendar feed.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::feeds::{self, Notice};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::SignedDuration;
use pledge_domain::ids::*;

/// Ended outages stay in the feeds this long, so readers see the all-clear.
const KEEP_ENDED: SignedDuration = SignedDuration::from_hours(72);

async fn notices(st: &AppState) -> ApiResult<Vec<Notice>> {
    let since = st.app.now().checked_sub(KEEP_ENDED).unwrap_or(st.app.now());
    let outages = st.app.public_outages(since).await?;
    let companies = st.app.public_companies().await?;
    let mut out = Vec::with_capacity(outages.len());
    for o in outages {
        let Some(c) = companies.iter().find(|c| c.id == o.company_id) else { continue };
        let msgs = st.app.cap_messages(o.id).await?;
        out.push(Notice {
            company_code: c.code.clone(),
            company_name: c.name.clone(),
            hotline: c.hotline.clone(),
            sequence: msgs.len().saturating_sub(1) as u32,
            latest_cap: msgs.into_iter().last(),
            outage: o,
        });
    }
    Ok(out)
}

/// The site's absolute URL as the client reached it.
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn with_type(body: String, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60")),
        ],
        body,
    )
        .into_response()
}

#[tracing::instrument(skip_all)]
pub async fn page(State(st): State<AppState>) -> ApiResult<Response> {
    Ok(with_type(feeds::html::page(&notices(&st).await?), "text/html; charset=utf-8"))
}

#[tracing::instrument(skip_all)]
pub async fn atom(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    Ok(with_type(
        feeds::atom::feed(&notices(&st).await?, &base(&headers), st.app.now()),
        "application/atom+xml; charset=utf-8",
    ))
}

#[tracing::instrument(skip_all)]
pub async fn ics(State(st): State<AppState>) -> ApiResult<Response> {
    Ok(with_type(feeds::ics::calendar(&notices(&st).await?, st.app.now()), "text/calendar; charset=utf-8"))
}

/// The latest message of the outage, at its stable URL: `/feeds/outages/{id}.cap`.
#[tracing::instrument(skip_all)]
pub async fn cap(State(st): State<AppState>, headers: HeaderMap, Path(file): Path<String>) -> ApiResult<Response> {
    let id: OutageId =
        file.strip_suffix(".cap").and_then(|i| i.parse().ok()).ok_or_else(|| ApiError::not_found("outage notice"))?;
    cap_message(&st, &headers, id, None).await
}

/// One message of the lineage: `/feeds/outages/{id}/cap/{seq}.cap`.
#[tracing::instrument(skip_all)]
pub async fn cap_at(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id: OutageId = id.parse().map_err(|_| ApiError::not_found("outage notice"))?;
    let seq: i64 =
        file.strip_suffix(".cap").and_then(|i| i.parse().ok()).ok_or_else(|| ApiError::not_found("CAP message"))?;
    cap_message(&st, &headers, id, Some(seq)).await
}

async fn cap_message(st: &AppState, headers: &HeaderMap, id: OutageId, seq: Option<i64>) -> ApiResult<Response> {
    let (outage, msgs) = st.app.public_cap_lineage(id).await?.ok_or_else(|| ApiError::not_found("outage notice"))?;
    let m = match seq {
        Some(s) => msgs.iter().find(|m| m.seq == s),
        None => msgs.last(),
    }
    .ok_or_else(|| ApiError::not_found("CAP message"))?;
    let c = st
        .app
        .public_companies()
        .await?
        .into_iter()
        .find(|c| c.id == outage.company_id)
        .ok_or_else(|| ApiError::not_found("outage notice"))?;
    let n = Notice {
        outage: pledge_app::outages::cap::outage_as_sent(&outage, m)?,
        company_code: c.code,
        company_name: c.name,
        hotline: c.hotline,
        latest_cap: msgs.last().cloned(),
        sequence: msgs.len().saturating_sub(1) as u32,
    };
    Ok(with_type(feeds::cap::message(&n, m, &base(headers)), "application/cap+xml; charset=utf-8"))
}
