//! Departments, staff and the supply network.

use crate::AppState;
use crate::dto::{CompanyDto, DepartmentDto, NodeDto, StaffDto, StaffPage, code};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pledge_app::auth::Secret;
use pledge_app::registry::StaffInput;
use pledge_domain::ids::*;
use pledge_domain::model::PageRequest;
use pledge_domain::network::NodeLevel;
use pledge_domain::{Role, Utility};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The signed-in staff member's company and the utilities it runs.
#[utoipa::path(get, path = "/api/v1/company", tag = "registry", security(("bearer" = [])),
    responses((status = 200, body = CompanyDto), (status = 401, body = ErrorBody)))]
pub async fn company(State(st): State<AppState>, Authed(actor): Authed) -> ApiResult<Json<CompanyDto>> {
    let c = st.app.company(&actor).await?;
    Ok(Json(CompanyDto {
        id: c.id,
        code: c.code,
        name: c.name,
        hotline: c.hotline,
        utilities: c.utilities.iter().map(|u| u.code().to_owned()).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartment {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub utility: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "registry", security(("bearer" = [])),
    responses((status = 200, body = Vec<DepartmentDto>), (status = 401, body = ErrorBody)))]
pub async fn list_departments(
    State(st): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<DepartmentDto>>> {
    let d = st.app.departments(&actor).await?;
    Ok(Json(d.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "registry", security(("bearer" = [])), request_body = CreateDepartment,
    responses((status = 201, body = DepartmentDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_department(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<CreateDepartment>,
) -> ApiResult<(StatusCode, Json<DepartmentDto>)> {
    let utility = req.utility.as_deref().map(|u| code("utility", "invalid_utility", u, Utility::parse)).transpose()?;
    let d = st.app.create_department(&actor, &req.code, &req.name_zh, &req.name_en, utility).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    #[param(value_type = Option<i64>)]
    pub department_id: Option<DepartmentId>,
    pub role: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/staff", tag = "registry", security(("bearer" = [])), params(StaffQuery),
    responses((status = 200, body = StaffPage), (status = 400, body = ErrorBody)))]
pub async fn list_staff(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<StaffQuery>,
) -> ApiResult<Json<StaffPage>> {
    let role = q.role.as_deref().map(|r| code("role", "invalid_role", r, Role::parse)).transpose()?;
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.staff_list(&actor, q.department_id, role, page).await?;
    Ok(Json(StaffPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStaff {
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<DepartmentId>,
    /// At least 8 characters; stored only as an argon2id hash.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/staff", tag = "registry", security(("bearer" = [])), request_body = CreateStaff,
    responses((status = 201, body = StaffDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_staff(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<CreateStaff>,
) -> ApiResult<(StatusCode, Json<StaffDto>)> {
    let role = code("role", "invalid_role", &req.role, Role::parse)?;
    let s = st
        .app
        .create_staff(
            &actor,
            StaffInput {
                username: req.username,
                display_name: req.display_name,
                role,
                department_id: req.department_id,
                password: Secret::new(req.password),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaff {
    pub display_name: Option<String>,
    pub role: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<DepartmentId>,
    /// Removes the staff member from their department.
    #[serde(default)]
    pub clear_department: bool,
    pub active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/staff/{id}", tag = "registry", security(("bearer" = [])), request_body = UpdateStaff,
    params(("id" = i64, Path)), responses((status = 200, body = StaffDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn update_staff(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<StaffId>,
    ApiJson(req): ApiJson<UpdateStaff>,
) -> ApiResult<Json<StaffDto>> {
    let role = req.role.as_deref().map(|r| code("role", "invalid_role", r, Role::parse)).transpose()?;
    let dept = if req.clear_department { Some(None) } else { req.department_id.map(Some) };
    let s = st.app.update_staff(&actor, id, req.display_name, role, dept, req.active).await?;
    Ok(Json(s.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NodeQuery {
    pub utility: String,
    /// Children of this node; omit for the roots.
    #[param(value_type = Option<i64>)]
    pub parent_id: Option<NodeId>,
}

#[utoipa::path(get, path = "/api/v1/network/nodes", tag = "network", security(("bearer" = [])), params(NodeQuery),
    responses((status = 200, body = Vec<NodeDto>), (status = 422, body = ErrorBody)))]
pub async fn list_nodes(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<NodeQuery>,
) -> ApiResult<Json<Vec<NodeDto>>> {
    let utility = code("utility", "invalid_utility", &q.utility, Utility::parse)?;
    let n = st.app.node_children(&actor, utility, q.parent_id).await?;
    Ok(Json(n.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/network/nodes/{id}", tag = "network", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = NodeDto), (status = 404, body = ErrorBody)))]
pub async fn get_node(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<NodeId>,
) -> ApiResult<Json<NodeDto>> {
    let (node, below) = st.app.node_detail(&actor, id).await?;
    let mut dto = NodeDto::from(node);
    dto.customers_below = Some(below);
    Ok(Json(dto))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNode {
    pub utility: String,
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<NodeId>,
    /// station, main, area, building, feeder or transformer.
    pub level: String,
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/network/nodes", tag = "network", security(("bearer" = [])), request_body = CreateNode,
    responses((status = 201, body = NodeDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_node(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<CreateNode>,
) -> ApiResult<(StatusCode, Json<NodeDto>)> {
    let utility = code("utility", "invalid_utility", &req.utility, Utility::parse)?;
    let level = code("level", "invalid_level", &req.level, NodeLevel::parse)?;
    let n = st.app.create_node(&actor, utility, req.parent_id, level, &req.name).await?;
    Ok((StatusCode::CREATED, Json(n.into())))
}
