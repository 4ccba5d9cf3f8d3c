//! Outages under `/api/v1/outages`: list, create, read with affected
//! customers, update and every lifecycle step; suspected outages and the
//! grouping thresholds; the outages of a customer and of a case.

use crate::AppState;
use crate::dto::{ClockDto, CustomerPage, OutageDto, code, parse_time, time};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pledge_app::outages::suspects::Confirmation;
use pledge_app::outages::{OutageDetail, OutageInput, OutagePatch};
use pledge_domain::Utility;
use pledge_domain::commitment::OutageKind;
use pledge_domain::ids::*;
use pledge_domain::model::{OutageFilter, PageRequest, Suspect};
use pledge_domain::network::NodeLevel;
use pledge_domain::outage::{Effect, GroupingRule, OutageState, SuspectState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An outage with its node and the cases hung under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutageDetailDto {
    #[serde(flatten)]
    pub outage: OutageDto,
    pub node_name: String,
    pub node_level: String,
    /// Customers below the node now (the snapshot's size once announced).
    pub affected_now: u64,
    #[schema(value_type = Vec<i64>)]
    pub case_ids: Vec<CaseId>,
    /// The outage's commitment clocks, each with what started it and how it ended.
    pub clocks: Vec<ClockDto>,
}

impl From<OutageDetail> for OutageDetailDto {
    fn from(d: OutageDetail) -> Self {
        OutageDetailDto {
            outage: d.outage.into(),
            node_name: d.node.name,
            node_level: d.node.level.code().into(),
            affected_now: d.affected_now,
            case_ids: d.case_ids,
            clocks: d.clocks.into_iter().map(|c| ClockDto::new(c, d.read_at)).collect(),
        }
    }
}

/// One page of outages.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutagePage {
    pub items: Vec<OutageDto>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutageQuery {
    pub utility: Option<String>,
    /// One state or several separated by commas.
    pub state: Option<String>,
    pub kind: Option<String>,
    #[param(value_type = Option<i64>)]
    pub node_id: Option<NodeId>,
    /// Only outages not yet restored or cancelled.
    pub open: Option<bool>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

fn kind(raw: &str) -> Result<OutageKind, ApiError> {
    code("kind", "invalid_outage_kind", raw, OutageKind::parse)
}

#[utoipa::path(get, path = "/api/v1/outages", tag = "outages", security(("bearer" = [])), params(OutageQuery),
    responses((status = 200, body = OutagePage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<OutageQuery>,
) -> ApiResult<Json<OutagePage>> {
    let states = match q.state.as_deref() {
        Some(s) => s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| code("state", "invalid_outage_state", p, OutageState::parse))
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![],
    };
    let filter = OutageFilter {
        company_id: None,
        utility: q.utility.as_deref().map(|u| code("utility", "invalid_utility", u, Utility::parse)).transpose()?,
        states,
        kind: q.kind.as_deref().map(kind).transpose()?,
        node_id: q.node_id,
        open_only: q.open.unwrap_or(false),
    };
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.outages(&actor, filter, page).await?;
    Ok(Json(OutagePage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOutage {
    pub utility: String,
    /// planned or emergency; temporary (临时检修) for power only.
    pub kind: String,
    /// stop (default) or pressure_reduction.
    pub effect: Option<String>,
    #[schema(value_type = i64)]
    pub node_id: NodeId,
    pub reason: String,
    /// Streets, estates and buildings affected, as customers know them.
    pub area: String,
    pub starts_at: String,
    pub expected_restore_at: String,
}

#[utoipa::path(post, path = "/api/v1/outages", tag = "outages", security(("bearer" = [])), request_body = CreateOutage,
    responses((status = 201, body = OutageDetailDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<CreateOutage>,
) -> ApiResult<(StatusCode, Json<OutageDetailDto>)> {
    let input = OutageInput {
        utility: code("utility", "invalid_utility", &req.utility, Utility::parse)?,
        kind: kind(&req.kind)?,
        effect: req
            .effect
            .as_deref()
            .map(|e| code("effect", "invalid_effect", e, Effect::parse))
            .transpose()?
            .unwrap_or(Effect::Stop),
        node_id: req.node_id,
        reason: req.reason,
        area: req.area,
        starts_at: parse_time("starts_at", &req.starts_at)?,
        expected_restore_at: parse_time("expected_restore_at", &req.expected_restore_at)?,
    };
    let d = st.app.create_outage(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[utoipa::path(get, path = "/api/v1/outages/{id}", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutageDetailDto), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn get(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
) -> ApiResult<Json<OutageDetailDto>> {
    Ok(Json(st.app.outage(&actor, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOutage {
    pub effect: Option<String>,
    /// Moving the outage to another node recomputes its affected customers.
    #[schema(value_type = Option<i64>)]
    pub node_id: Option<NodeId>,
    pub reason: Option<String>,
    pub area: Option<String>,
    pub starts_at: Option<String>,
    pub expected_restore_at: Option<String>,
    /// Only a duty manager: why an announced outage is changed inside its
    /// lead time (an earlier start, or a node that adds customers). Without
    /// it such a change is refused (409 `lead_time_too_short`); with it the
    /// rule counts as breached.
    pub override_reason: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/outages/{id}", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UpdateOutage,
    responses((status = 200, body = OutageDetailDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn update(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
    ApiJson(req): ApiJson<UpdateOutage>,
) -> ApiResult<Json<OutageDetailDto>> {
    let patch = OutagePatch {
        effect: req.effect.as_deref().map(|e| code("effect", "invalid_effect", e, Effect::parse)).transpose()?,
        node_id: req.node_id,
        reason: req.reason,
        area: req.area,
        starts_at: req.starts_at.as_deref().map(|t| parse_time("starts_at", t)).transpose()?,
        expected_restore_at: req
            .expected_restore_at
            .as_deref()
            .map(|t| parse_time("expected_restore_at", t))
            .transpose()?,
        override_reason: req.override_reason,
    };
    Ok(Json(st.app.update_outage(&actor, id, patch).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/outages/{id}/customers", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = CustomerPage), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn customers(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<CustomerPage>> {
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.outage_customers(&actor, id, page).await?;
    Ok(Json(CustomerPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Announce {
    /// Only a duty manager, and only when the lead time can no longer be met:
    /// why the outage is announced late. Counted as a breach of C3.
    pub override_reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/outages/{id}/announce", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Announce,
    responses((status = 200, body = OutageDetailDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn announce(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
    ApiJson(req): ApiJson<Announce>,
) -> ApiResult<Json<OutageDetailDto>> {
    Ok(Json(st.app.announce_outage(&actor, id, req.override_reason).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/outages/{id}/start", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutageDetailDto), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn start(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
) -> ApiResult<Json<OutageDetailDto>> {
    Ok(Json(st.app.start_outage(&actor, id).await?.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreNotice {
    /// When supply will be back, if it changed. Gas: inside the C5 window
    /// (08:00–20:00 Asia/Shanghai), else 422 `restore_outside_window`. A
    /// second notice corrects the first and is sent to customers again.
    pub restore_at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/outages/{id}/restore-notice", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RestoreNotice,
    responses((status = 200, body = OutageDetailDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn restore_notice(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
    ApiJson(req): ApiJson<RestoreNotice>,
) -> ApiResult<Json<OutageDetailDto>> {
    let at = req.restore_at.as_deref().map(|t| parse_time("restore_at", t)).transpose()?;
    Ok(Json(st.app.notify_restore(&actor, id, at).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/outages/{id}/restore", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutageDetailDto), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn restore(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
) -> ApiResult<Json<OutageDetailDto>> {
    Ok(Json(st.app.restore_outage(&actor, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelOutage {
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/outages/{id}/cancel", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CancelOutage,
    responses((status = 200, body = OutageDetailDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn cancel(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
    ApiJson(req): ApiJson<CancelOutage>,
) -> ApiResult<Json<OutageDetailDto>> {
    Ok(Json(st.app.cancel_outage(&actor, id, req.reason).await?.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorityReport {
    /// Whom it was reported to, reference number …
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/outages/{id}/report-to-authority", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AuthorityReport,
    responses((status = 200, body = OutageDetailDto), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn report_to_authority(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<OutageId>,
    ApiJson(req): ApiJson<AuthorityReport>,
) -> ApiResult<Json<OutageDetailDto>> {
    Ok(Json(st.app.report_outage_to_authority(&actor, id, req.note).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/outages", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<OutageDto>), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn of_customer(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<Vec<OutageDto>>> {
    Ok(Json(st.app.customer_outages(&actor, id).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/outages", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<OutageDto>), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn of_case(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<Vec<OutageDto>>> {
    Ok(Json(st.app.case_outages(&actor, id).await?.into_iter().map(Into::into).collect()))
}

/// Trouble calls gathered below one node.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuspectDto {
    #[schema(value_type = i64)]
    pub id: SuspectId,
    pub utility: String,
    #[schema(value_type = i64)]
    pub node_id: NodeId,
    /// gathering, raised, confirmed or dismissed.
    pub state: String,
    pub first_call_at: String,
    pub last_call_at: String,
    pub calls: u64,
    #[schema(value_type = Option<i64>)]
    pub outage_id: Option<OutageId>,
    #[schema(value_type = Option<i64>)]
    pub decided_by: Option<StaffId>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
    /// Only on single reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<i64>>)]
    pub case_ids: Option<Vec<CaseId>>,
}

impl From<Suspect> for SuspectDto {
    fn from(s: Suspect) -> Self {
        SuspectDto {
            id: s.id,
            utility: s.utility.code().into(),
            node_id: s.node_id,
            state: s.state.code().into(),
            first_call_at: time(s.first_call_at),
            last_call_at: time(s.last_call_at),
            calls: s.calls,
            outage_id: s.outage_id,
            decided_by: s.decided_by,
            decided_at: s.decided_at.map(time),
            note: s.note,
            case_ids: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuspectPage {
    pub items: Vec<SuspectDto>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuspectQuery {
    /// One state or several separated by commas (default: raised).
    pub state: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/outages/suspected", tag = "outages", security(("bearer" = [])), params(SuspectQuery),
    responses((status = 200, body = SuspectPage), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn suspected(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<SuspectQuery>,
) -> ApiResult<Json<SuspectPage>> {
    let states = q
        .state
        .as_deref()
        .unwrap_or("raised")
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| code("state", "invalid_suspect_state", p, SuspectState::parse))
        .collect::<Result<Vec<_>, _>>()?;
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.suspected_outages(&actor, states, page).await?;
    Ok(Json(SuspectPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(get, path = "/api/v1/outages/suspected/{id}", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SuspectDto), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn suspected_one(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<SuspectId>,
) -> ApiResult<Json<SuspectDto>> {
    let (s, cases) = st.app.suspected_outage(&actor, id).await?;
    let mut dto = SuspectDto::from(s);
    dto.case_ids = Some(cases);
    Ok(Json(dto))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmSuspect {
    pub reason: String,
    pub area: String,
    pub expected_restore_at: String,
    /// stop (default) or pressure_reduction.
    pub effect: Option<String>,
    /// Announce the new outage in the same step: its customers are told at
    /// once (default false).
    pub announce: Option<bool>,
    /// With `announce` inside a lead time: a duty manager's reason to announce late.
    pub override_reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/outages/suspected/{id}/confirm", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ConfirmSuspect,
    responses((status = 201, body = OutageDetailDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn confirm(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<SuspectId>,
    ApiJson(req): ApiJson<ConfirmSuspect>,
) -> ApiResult<(StatusCode, Json<OutageDetailDto>)> {
    let c = Confirmation {
        reason: req.reason,
        area: req.area,
        expected_restore_at: parse_time("expected_restore_at", &req.expected_restore_at)?,
        effect: req
            .effect
            .as_deref()
            .map(|e| code("effect", "invalid_effect", e, Effect::parse))
            .transpose()?
            .unwrap_or(Effect::Stop),
        announce: req.announce.unwrap_or(false),
        override_reason: req.override_reason,
    };
    Ok((StatusCode::CREATED, Json(st.app.confirm_suspected(&actor, id, c).await?.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissSuspect {
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/outages/suspected/{id}/dismiss", tag = "outages", security(("bearer" = [])), params(("id" = i64, Path)), request_body = DismissSuspect,
    responses((status = 200, body = SuspectDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn dismiss(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<SuspectId>,
    ApiJson(req): ApiJson<DismissSuspect>,
) -> ApiResult<Json<SuspectDto>> {
    Ok(Json(st.app.dismiss_suspected(&actor, id, req.note).await?.into()))
}

/// When trouble calls make a suspected outage, for one utility.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupingDto {
    /// Calls needed (2–1000).
    pub min_calls: u32,
    /// Within this many minutes of the first (1–1440).
    pub window_minutes: u32,
    /// Grouped below a node of this level (station, main, area, building, feeder, transformer).
    pub level: String,
}

impl From<GroupingRule> for GroupingDto {
    fn from(r: GroupingRule) -> Self {
        GroupingDto { min_calls: r.min_calls, window_minutes: r.window_minutes() as u32, level: r.level.code().into() }
    }
}

#[utoipa::path(get, path = "/api/v1/outages/grouping/{utility}", tag = "outages", security(("bearer" = [])), params(("utility" = String, Path)),
    responses((status = 200, body = GroupingDto), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_grouping(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(utility): ApiPath<String>,
) -> ApiResult<Json<GroupingDto>> {
    let u = code("utility", "invalid_utility", &utility, Utility::parse)?;
    Ok(Json(st.app.grouping_rule(&actor, u).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/outages/grouping/{utility}", tag = "outages", security(("bearer" = [])), params(("utility" = String, Path)), request_body = GroupingDto,
    responses((status = 200, body = GroupingDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put_grouping(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(utility): ApiPath<String>,
    ApiJson(req): ApiJson<GroupingDto>,
) -> ApiResult<Json<GroupingDto>> {
    let u = code("utility", "invalid_utility", &utility, Utility::parse)?;
    let level = code("level", "invalid_level", &req.level, NodeLevel::parse)?;
    Ok(Json(st.app.set_grouping_rule(&actor, u, req.min_calls, req.window_minutes, level).await?.into()))
}
