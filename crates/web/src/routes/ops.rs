//! Health, metrics and the personal-data access log.

use crate::AppState;
use crate::dto::{AccessEntryDto, AccessLogPage};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Authed};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use pledge_domain::ids::*;
use pledge_domain::model::PageRequest;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    pub database: String,
    /// `ok`, or `down` while the writer is being restarted (writes wait).
    pub writer: String,
    pub version: String,
}

#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(st): State<AppState>) -> impl IntoResponse {
    let h = st.app.health().await;
    let body = Health {
        status: if h.ok() { "ok" } else { "degraded" }.into(),
        database: h.database.into(),
        writer: if h.writer_ok { "ok" } else { "down" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    (if h.ok() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}

#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    let mut extra = String::new();
    if let Ok(counts) = st.app.case_counts_by_state().await {
        extra.push_str("# HELP pledge_cases Cases by state.\n# TYPE pledge_cases gauge\n");
        for (state, n) in counts {
            let _ = writeln!(extra, "pledge_cases{{state=\"{}\"}} {n}", state.code());
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], st.metrics.render(&extra))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessQuery {
    /// customer, case_contact or case_reporter.
    pub subject: Option<String>,
    pub subject_id: Option<i64>,
    #[param(value_type = Option<i64>)]
    pub staff_id: Option<StaffId>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/access-log", tag = "audit", security(("bearer" = [])), params(AccessQuery),
    responses((status = 200, body = AccessLogPage), (status = 403, body = ErrorBody)))]
pub async fn access_log(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<AccessQuery>,
) -> ApiResult<Json<AccessLogPage>> {
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.access_log(&actor, q.subject.as_deref(), q.subject_id, q.staff_id, page).await?;
    Ok(Json(AccessLogPage {
        items: p.items.into_iter().map(AccessEntryDto::from).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}
