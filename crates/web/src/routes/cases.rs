//! Cases: intake, lists, the case page and every lifecycle step.

use crate::AppState;
use crate::dto::{CaseDetailDto, CaseDto, CasePage, ClockDto, DeadlineDto, FormCopyDto, code, parse_time, time};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pledge_app::cases::{CaseInput, Upstream, WaitFor};
use pledge_domain::Utility;
use pledge_domain::case::{CaseKind, CaseState, CaseSubkind, Channel};
use pledge_domain::ids::*;
use pledge_domain::model::{CaseFilter, CaseSort, PageRequest};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub kind: Option<String>,
    /// One state or several separated by commas.
    pub state: Option<String>,
    /// Only cases not yet closed.
    pub open: Option<bool>,
    pub utility: Option<String>,
    #[param(value_type = Option<i64>)]
    pub department_id: Option<DepartmentId>,
    #[param(value_type = Option<i64>)]
    pub first_responder_id: Option<StaffId>,
    #[param(value_type = Option<i64>)]
    pub assignee_id: Option<StaffId>,
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<CustomerId>,
    /// Received at or after (RFC 3339 or a date).
    pub created_from: Option<String>,
    /// Received before (RFC 3339 or a date).
    pub created_to: Option<String>,
    /// Text in the number, subject or description.
    pub q: Option<String>,
    /// newest (default), oldest or updated.
    pub sort: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), params(CaseQuery),
    responses((status = 200, body = CasePage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> ApiResult<Json<CasePage>> {
    let states = match q.state.as_deref() {
        Some(s) => s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| code("state", "invalid_state", p, CaseState::parse))
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![],
    };
    let filter = CaseFilter {
        company_id: None,
        kind: q.kind.as_deref().map(|k| code("kind", "invalid_kind", k, CaseKind::parse)).transpose()?,
        states,
        open_only: q.open.unwrap_or(false),
        utility: q.utility.as_deref().map(|u| code("utility", "invalid_utility", u, Utility::parse)).transpose()?,
        department_id: q.department_id,
        first_responder_id: q.first_responder_id,
        assignee_id: q.assignee_id,
        customer_id: q.customer_id,
        created_from_us: q
            .created_from
            .as_deref()
            .map(|t| parse_time("created_from", t))
            .transpose()?
            .map(|t| t.as_microsecond()),
        created_to_us: q
            .created_to
            .as_deref()
            .map(|t| parse_time("created_to", t))
            .transpose()?
            .map(|t| t.as_microsecond()),
        text: q.q,
    };
    let sort = match q.sort.as_deref().unwrap_or("newest") {
        "newest" => CaseSort::NewestFirst,
        "oldest" => CaseSort::OldestFirst,
        "updated" => CaseSort::RecentlyUpdated,
        other => {
            return Err(ApiError::invalid(
                "invalid_sort",
                "sort",
                format!("{other:?} is not newest, oldest or updated"),
            ));
        }
    };
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.cases(&actor, filter, sort, page).await?;
    Ok(Json(CasePage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpstreamIn {
    /// e.g. `12345` or `95598`.
    pub platform: String,
    pub reference: String,
    /// The platform's own deadline (RFC 3339).
    pub due: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCase {
    pub utility: String,
    pub kind: String,
    pub subkind: Option<String>,
    /// counter, phone, web, app, open311 or letter.
    pub channel: String,
    pub subject: String,
    pub description: String,
    #[schema(value_type = Option<i64>)]
    pub customer_id: Option<CustomerId>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Only for reports (举报); then no name, phone or customer may be given.
    #[serde(default)]
    pub anonymous: bool,
    /// Whether the customer is told of receipt, extensions and the answer by
    /// SMS or e-mail. Default: true, except for reports (举报), whose reporter
    /// is told only when they agree; an anonymous reporter never.
    pub notify_consent: Option<bool>,
    pub upstream: Option<UpstreamIn>,
    /// The answer given on the spot; the case is closed at once.
    pub answered_on_spot: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), request_body = CreateCase,
    responses((status = 201, body = CaseDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<CreateCase>,
) -> ApiResult<(StatusCode, Json<CaseDto>)> {
    let upstream = req
        .upstream
        .map(|u| -> Result<Upstream, ApiError> {
            Ok(Upstream {
                platform: u.platform,
                reference: u.reference,
                due: u.due.as_deref().map(|d| parse_time("upstream.due", d)).transpose()?,
            })
        })
        .transpose()?;
    let input = CaseInput {
        utility: code("utility", "invalid_utility", &req.utility, Utility::parse)?,
        kind: code("kind", "invalid_kind", &req.kind, CaseKind::parse)?,
        subkind: req
            .subkind
            .as_deref()
            .map(|s| code("subkind", "invalid_subkind", s, CaseSubkind::parse))
            .transpose()?,
        channel: code("channel", "invalid_channel", &req.channel, Channel::parse)?,
        subject: req.subject,
        description: req.description,
        customer_id: req.customer_id,
        contact_name: req.contact_name,
        contact_phone: req.contact_phone,
        anonymous: req.anonymous,
        notify_consent: req.notify_consent,
        upstream,
        answered_on_spot: req.answered_on_spot,
    };
    let c = st.app.create_case(&actor, input).await?;
    let outages = st.app.case_outages(&actor, c.id).await?;
    let mut dto = CaseDto::from(c);
    dto.outages = Some(outages.into_iter().map(Into::into).collect());
    Ok((StatusCode::CREATED, Json(dto)))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetailDto), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn get(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseDetailDto>> {
    let d = st.app.case(&actor, id).await?;
    let now = st.app.now();
    let views = st.app.case_clocks(&actor, id).await?;
    let deadline = pledge_domain::commitment::strictest(views.iter().map(|v| &v.clock))
        .map(|c| DeadlineDto { due_at: time(c.due_at), rule_id: c.rule_id.clone() });
    let notices = st.app.case_notices(&actor, id).await?.into_iter().map(Into::into).collect();
    let clocks = views.into_iter().map(|c| ClockDto::new(c, now)).collect();
    Ok(Json(CaseDetailDto {
        case: d.case.into(),
        clocks,
        form_copies: d.distributions.into_iter().map(Into::into).collect(),
        duplicates: d.duplicates.into_iter().map(Into::into).collect(),
        timeline: d.timeline.into_iter().map(Into::into).collect(),
        identity_masked: d.masked,
        deadline,
        notices,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferCase {
    #[schema(value_type = i64)]
    pub department_id: DepartmentId,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TransferCase,
    responses((status = 200, body = CaseDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn transfer(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<TransferCase>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.transfer_case(&actor, id, req.department_id, req.reason).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/return", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Reason,
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn return_case(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<Reason>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.return_case(&actor, id, req.reason).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/reopen", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Reason,
    responses((status = 200, body = CaseDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn reopen(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<Reason>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.reopen_case(&actor, id, req.reason).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/start", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn start(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.start_case(&actor, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyCase {
    pub body: String,
    /// A final reply answers the case.
    #[serde(default, rename = "final")]
    pub final_answer: bool,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/reply", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReplyCase,
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn reply(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<ReplyCase>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.reply_case(&actor, id, req.body, req.final_answer).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitCase {
    /// customer or work_order.
    pub on: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/wait", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = WaitCase,
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn wait(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<WaitCase>,
) -> ApiResult<Json<CaseDto>> {
    let on = match req.on.as_str() {
        "customer" => WaitFor::Customer,
        "work_order" => WaitFor::WorkOrder,
        other => {
            return Err(ApiError::invalid("invalid_wait", "on", format!("{other:?} is not customer or work_order")));
        }
    };
    Ok(Json(st.app.wait_case(&actor, id, on).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/resume", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn resume(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.resume_case(&actor, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/callback", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn callback(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.start_callback(&actor, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseCase {
    pub summary: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/close", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CloseCase,
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn close(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<CloseCase>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.close_case(&actor, id, req.summary).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteCase {
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NoteCase,
    responses((status = 200, body = CaseDto), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn note(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<NoteCase>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.note_case(&actor, id, req.body).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignCase {
    #[schema(value_type = i64)]
    pub staff_id: StaffId,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/assign", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AssignCase,
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn assign(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<AssignCase>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.assign_case(&actor, id, req.staff_id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkCase {
    /// The case this one repeats.
    #[schema(value_type = i64)]
    pub original_id: CaseId,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/link", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path)), request_body = LinkCase,
    responses((status = 200, body = CaseDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn link(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<LinkCase>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(st.app.link_duplicate(&actor, id, req.original_id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/form-copies/{copy_id}/acknowledge", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path), ("copy_id" = i64, Path)),
    responses((status = 200, body = FormCopyDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id, copy_id))]
pub async fn acknowledge(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath((id, copy_id)): ApiPath<(CaseId, DistributionId)>,
) -> ApiResult<Json<FormCopyDto>> {
    Ok(Json(st.app.acknowledge_form_copy(&actor, id, copy_id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendClock {
    /// The new deadline (RFC 3339); must be later than the current one.
    pub new_due: String,
    pub reason: String,
}

/// Approves an extension (延期) of one of the case's commitment clocks.
#[utoipa::path(post, path = "/api/v1/cases/{id}/clocks/{clock_id}/extension", tag = "commitments", security(("bearer" = [])),
    params(("id" = i64, Path), ("clock_id" = i64, Path)), request_body = ExtendClock,
    responses((status = 200, body = ClockDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id, clock_id))]
pub async fn extend_clock(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath((id, clock_id)): ApiPath<(CaseId, ClockId)>,
    ApiJson(req): ApiJson<ExtendClock>,
) -> ApiResult<Json<ClockDto>> {
    let new_due = parse_time("new_due", &req.new_due)?;
    let v = st.app.extend_clock(&actor, id, clock_id, new_due, req.reason).await?;
    Ok(Json(ClockDto::new(v, st.app.now())))
}
