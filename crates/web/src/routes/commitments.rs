//! Commitments: on-time rates, the at-risk list and the policy in force.

use crate::AppState;
use crate::dto::{ClockDto, code, parse_time};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use axum::Json;
use axum::extract::State;
use pledge_domain::Utility;
use pledge_domain::ids::*;
use pledge_domain::model::StatsGroup;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Clocks started at or after (RFC 3339 or a date); default 30 days ago.
    pub from: Option<String>,
    /// Clocks started before; default now.
    pub to: Option<String>,
    /// rule (default), utility or department.
    pub by: Option<String>,
    pub utility: Option<String>,
    #[param(value_type = Option<i64>)]
    pub department_id: Option<DepartmentId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsRow {
    pub rule_id: String,
    pub title_zh: String,
    pub utility: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<DepartmentId>,
    /// Clocks finished in the period.
    pub stopped: u64,
    pub met: u64,
    pub breached: u64,
    /// Finished as withdrawn (the commitment no longer applied): counted apart, never as met.
    pub withdrawn: u64,
    /// met / (met + breached), absent when nothing finished met or breached.
    pub on_time_rate: Option<f64>,
    pub open: u64,
    /// Open clocks already past due.
    pub overdue: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    pub from: String,
    pub to: String,
    pub rows: Vec<StatsRow>,
    /// Open clocks due in the next 4 hours or already overdue.
    pub at_risk: Vec<ClockDto>,
}

#[utoipa::path(get, path = "/api/v1/commitments/stats", tag = "commitments", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = Stats), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn stats(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Stats>> {
    let now = st.app.now();
    let to = q.to.as_deref().map(|t| parse_time("to", t)).transpose()?.unwrap_or(now);
    let from = match q.from.as_deref() {
        Some(f) => parse_time("from", f)?,
        None => to
            .checked_sub(jiff::SignedDuration::from_hours(24 * 30))
            .map_err(|_| ApiError::invalid("invalid_time", "to", "out of range"))?,
    };
    let group = match q.by.as_deref().unwrap_or("rule") {
        "rule" => StatsGroup::Rule,
        "utility" => StatsGroup::RuleAndUtility,
        "department" => StatsGroup::RuleAndDepartment,
        other => {
            return Err(ApiError::invalid(
                "invalid_group",
                "by",
                format!("{other:?} is not rule, utility or department"),
            ));
        }
    };
    let utility = q.utility.as_deref().map(|u| code("utility", "invalid_utility", u, Utility::parse)).transpose()?;
    let rows = st.app.commitment_stats(&actor, from, to, group, utility, q.department_id).await?;
    let policy = st.app.policy();
    let rows = rows
        .into_iter()
        .map(|r| StatsRow {
            title_zh: policy.rule(&r.rule_id).map(|x| x.title_zh.clone()).unwrap_or_default(),
            on_time_rate: (r.met + r.breached > 0).then(|| r.met as f64 / (r.met + r.breached) as f64),
            rule_id: r.rule_id,
            utility: r.utility.map(|u| u.code().into()),
            department_id: r.department_id,
            stopped: r.stopped,
            met: r.met,
            breached: r.breached,
            withdrawn: r.withdrawn,
            open: r.open,
            overdue: r.overdue,
        })
        .collect();
    let at_risk = st
        .app
        .at_risk(&actor, jiff::SignedDuration::from_hours(4), 50)
        .await?
        .into_iter()
        .map(|c| ClockDto::new(c, now))
        .collect();
    Ok(Json(Stats { from: crate::dto::time(from), to: crate::dto::time(to), rows, at_risk }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AtRiskQuery {
    /// Hours ahead to look (default 4, at most 720).
    pub hours: Option<u32>,
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/commitments/at-risk", tag = "commitments", security(("bearer" = [])), params(AtRiskQuery),
    responses((status = 200, body = Vec<ClockDto>)))]
pub async fn at_risk(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<AtRiskQuery>,
) -> ApiResult<Json<Vec<ClockDto>>> {
    let hours = q.hours.unwrap_or(4).min(720);
    let now = st.app.now();
    let v = st
        .app
        .at_risk(&actor, jiff::SignedDuration::from_hours(hours as i64), q.limit.unwrap_or(100).clamp(1, 500))
        .await?;
    Ok(Json(v.into_iter().map(|c| ClockDto::new(c, now)).collect()))
}

/// The commitments policy in force (服务承诺), one rule per commitment.
#[utoipa::path(get, path = "/api/v1/commitments/policy", tag = "commitments", security(("bearer" = [])),
    responses((status = 200, description = "The policy as JSON", body = Object)))]
pub async fn policy(State(st): State<AppState>, Authed(_actor): Authed) -> Json<serde_json::Value> {
    Json(serde_json::to_value(st.app.policy()).unwrap_or_default())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawClock {
    /// Why the commitment no longer applies (required).
    pub reason: Option<String>,
}

/// Withdraws a commitment clock by an explicit decision (the commitment no longer applies): duty managers and
/// admins only, with a reason, before the clock is overdue. Counted apart in the stats, never as met.
/// Errors: 403 without the right, 404 for an unknown clock, 409 `clock_ended` or `clock_overdue`,
/// 422 `clock_withdrawal_incomplete` without a reason.
#[utoipa::path(post, path = "/api/v1/clocks/{id}/withdraw", tag = "commitments", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = WithdrawClock,
    responses((status = 200, body = ClockDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn withdraw(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<ClockId>,
    ApiJson(req): ApiJson<WithdrawClock>,
) -> ApiResult<Json<ClockDto>> {
    let v = st.app.withdraw_clock(&actor, id, req.reason.unwrap_or_default()).await?;
    Ok(Json(ClockDto::new(v, st.app.now())))
}
