//! Public outage notices, no sign-in: the HTML list at `/public/outages`,
//! the Atom feed (also the CAP index), one CAP 1.2 alert per outage, and
//! the iCalendar feed.

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
    Ok(outages
        .into_iter()
        .filter_map(|o| {
            let c = companies.iter().find(|c| c.id == o.company_id)?;
            Some(Notice {
                company_code: c.code.clone(),
                company_name: c.name.clone(),
                hotline: c.hotline.clone(),
                outage: o,
            })
        })
        .collect())
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

/// `/feeds/outages/{id}.cap`
#[tracing::instrument(skip_all)]
pub async fn cap(State(st): State<AppState>, headers: HeaderMap, Path(file): Path<String>) -> ApiResult<Response> {
    let id: OutageId =
        file.strip_suffix(".cap").and_then(|i| i.parse().ok()).ok_or_else(|| ApiError::not_found("outage notice"))?;
    let n = notices(&st)
        .await?
        .into_iter()
        .find(|n| n.outage.id == id)
        .ok_or_else(|| ApiError::not_found("outage notice"))?;
    Ok(with_type(feeds::cap::alert(&n, &base(&headers)), "application/cap+xml; charset=utf-8"))
}
