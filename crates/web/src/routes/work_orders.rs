//! Work orders (派工单): raised on a case by a dispatcher, reported on by the crew.

use crate::AppState;
use crate::dto::{ClockDto, code, parse_time, time};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pledge_app::work_orders::{Completion, WorkOrderInput};
use pledge_domain::Utility;
use pledge_domain::ids::*;
use pledge_domain::model::{PageRequest, WorkOrder, WorkOrderFilter};
use pledge_domain::work_order::WorkOrderState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkOrderDto {
    #[schema(value_type = i64)]
    pub id: WorkOrderId,
    #[schema(value_type = i64)]
    pub case_id: CaseId,
    pub utility: String,
    /// open, dispatched, en_route, on_site, done or cancelled.
    pub state: String,
    pub state_zh: String,
    pub instructions: String,
    /// The assigned field technician.
    #[schema(value_type = Option<i64>)]
    pub crew_id: Option<StaffId>,
    pub appointment_from: Option<String>,
    pub appointment_to: Option<String>,
    /// The fee stated to the customer, in fen (分).
    pub fee_fen: Option<i64>,
    pub result: Option<String>,
    /// The name the customer signed with on completion.
    pub signed_by: Option<String>,
    pub cancel_reason: Option<String>,
    #[schema(value_type = i64)]
    pub created_by: StaffId,
    pub created_at: String,
    pub dispatched_at: Option<String>,
    pub departed_at: Option<String>,
    pub on_site_at: Option<String>,
    pub done_at: Option<String>,
    pub updated_at: String,
}

impl From<WorkOrder> for WorkOrderDto {
    fn from(w: WorkOrder) -> Self {
        WorkOrderDto {
            id: w.id,
            case_id: w.case_id,
            utility: w.utility.code().into(),
            state: w.state.code().into(),
            state_zh: w.state.name_zh().into(),
            instructions: w.instructions,
            crew_id: w.crew_id,
            appointment_from: w.appointment_from.map(time),
            appointment_to: w.appointment_to.map(time),
            fee_fen: w.fee_fen,
            result: w.result,
            signed_by: w.signed_by,
            cancel_reason: w.cancel_reason,
            created_by: w.created_by,
            created_at: time(w.created_at),
            dispatched_at: w.dispatched_at.map(time),
            departed_at: w.departed_at.map(time),
            on_site_at: w.on_site_at.map(time),
            done_at: w.done_at.map(time),
            updated_at: time(w.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkOrderDetailDto {
    pub work_order: WorkOrderDto,
    /// The clocks of the case that this work order's arrival or completion stops (e.g. C7, C8).
    pub clocks: Vec<ClockDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkOrderPage {
    pub items: Vec<WorkOrderDto>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorkOrderQuery {
    /// One state or several separated by commas.
    pub state: Option<String>,
    #[param(value_type = Option<i64>)]
    pub crew_id: Option<StaffId>,
    #[param(value_type = Option<i64>)]
    pub case_id: Option<CaseId>,
    pub utility: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/work-orders", tag = "work orders", security(("bearer" = [])), params(WorkOrderQuery),
    responses((status = 200, body = WorkOrderPage), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<WorkOrderQuery>,
) -> ApiResult<Json<WorkOrderPage>> {
    let states = match q.state.as_deref() {
        Some(s) => s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| code("state", "invalid_state", p, WorkOrderState::parse))
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![],
    };
    let filter = WorkOrderFilter {
        company_id: CompanyId(0), // set from the actor by the app
        states,
        crew_id: q.crew_id,
        case_id: q.case_id,
        utility: q.utility.as_deref().map(|u| code("utility", "invalid_utility", u, Utility::parse)).transpose()?,
    };
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.work_orders(&actor, filter, page).await?;
    Ok(Json(WorkOrderPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkOrder {
    /// What the crew is to do, and where.
    pub instructions: String,
    /// The start of the visit booked with the customer (RFC 3339).
    pub appointment_from: Option<String>,
    /// The end of the booked visit (RFC 3339).
    pub appointment_to: Option<String>,
    /// Assign this field technician at once.
    #[schema(value_type = Option<i64>)]
    pub crew_id: Option<StaffId>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/work-orders", tag = "work orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CreateWorkOrder,
    responses((status = 201, body = WorkOrderDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(case_id))]
pub async fn create(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(case_id): ApiPath<CaseId>,
    ApiJson(req): ApiJson<CreateWorkOrder>,
) -> ApiResult<(StatusCode, Json<WorkOrderDto>)> {
    let appointment = match (req.appointment_from.as_deref(), req.appointment_to.as_deref()) {
        (Some(f), Some(t)) => Some((parse_time("appointment_from", f)?, parse_time("appointment_to", t)?)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(ApiError::invalid(
                "invalid_appointment",
                "appointment_to",
                "an appointment needs both its start and its end",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                "invalid_appointment",
                "appointment_from",
                "an appointment needs both its start and its end",
            ));
        }
    };
    let w = st
        .app
        .create_work_order(
            &actor,
            case_id,
            WorkOrderInput { instructions: req.instructions, appointment, crew_id: req.crew_id },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(w.into())))
}

#[utoipa::path(get, path = "/api/v1/work-orders/{id}", tag = "work orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = WorkOrderDetailDto), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn get(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<WorkOrderId>,
) -> ApiResult<Json<WorkOrderDetailDto>> {
    let d = st.app.work_order(&actor, id).await?;
    let now = st.app.now();
    Ok(Json(WorkOrderDetailDto {
        work_order: d.work_order.into(),
        clocks: d.clocks.into_iter().map(|c| ClockDto::new(c, now)).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchRequest {
    #[schema(value_type = i64)]
    pub crew_id: StaffId,
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/dispatch", tag = "work orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DispatchRequest,
    responses((status = 200, body = WorkOrderDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn dispatch(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<WorkOrderId>,
    ApiJson(req): ApiJson<DispatchRequest>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(st.app.dispatch_work_order(&actor, id, req.crew_id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/depart", tag = "work orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = WorkOrderDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn depart(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<WorkOrderId>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(st.app.depart_work_order(&actor, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/arrive", tag = "work orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = WorkOrderDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn arrive(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<WorkOrderId>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(st.app.arrive_work_order(&actor, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// What was found and done.
    pub result: String,
    /// The fee stated to the customer, in fen (分).
    pub fee_fen: Option<i64>,
    /// The name the customer signed with.
    pub signed_by: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/complete", tag = "work orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CompleteRequest,
    responses((status = 200, body = WorkOrderDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn complete(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<WorkOrderId>,
    ApiJson(req): ApiJson<CompleteRequest>,
) -> ApiResult<Json<WorkOrderDto>> {
    let done = Completion { result: req.result, fee_fen: req.fee_fen, signed_by: req.signed_by };
    Ok(Json(st.app.complete_work_order(&actor, id, done).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/cancel", tag = "work orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CancelRequest,
    responses((status = 200, body = WorkOrderDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn cancel(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<WorkOrderId>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(st.app.cancel_work_order(&actor, id, req.reason).await?.into()))
}
