//! Routing settings (administrators): which department C16 sends an unknown
//! outage to (`engineering`) and which holds the complaint form's management
//! copy (`management_copy`), per utility or for every utility.

use crate::AppState;
use crate::dto::code;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authed};
use axum::Json;
use axum::extract::State;
use pledge_app::routing::{RoutingEntry, RoutingPurpose};
use pledge_domain::Utility;
use pledge_domain::ids::DepartmentId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a routing setting decides.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoutingPurposeDto {
    /// Where a no-supply call no known outage explains is sent (C16).
    Engineering,
    /// Which department holds the complaint form's management copy.
    ManagementCopy,
}

impl From<RoutingPurpose> for RoutingPurposeDto {
    fn from(p: RoutingPurpose) -> Self {
        match p {
            RoutingPurpose::Engineering => Self::Engineering,
            RoutingPurpose::ManagementCopy => Self::ManagementCopy,
        }
    }
}

/// One routing setting.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingDto {
    pub purpose: RoutingPurposeDto,
    /// The utility it applies to; null: every utility without its own setting.
    pub utility: Option<String>,
    #[schema(value_type = i64)]
    pub department_id: DepartmentId,
}

impl From<RoutingEntry> for RoutingDto {
    fn from(e: RoutingEntry) -> Self {
        RoutingDto {
            purpose: e.purpose.into(),
            utility: e.utility.map(|u| u.code().to_owned()),
            department_id: e.department_id,
        }
    }
}

/// A routing setting to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutRouting {
    /// gas, water, heat or power; absent or null: every utility.
    pub utility: Option<String>,
    /// A department of the caller's company.
    #[schema(value_type = i64)]
    pub department_id: DepartmentId,
}

#[utoipa::path(get, path = "/api/v1/admin/routing", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<RoutingDto>), (status = 403, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(State(st): State<AppState>, Authed(actor): Authed) -> ApiResult<Json<Vec<RoutingDto>>> {
    Ok(Json(st.app.routing_settings(&actor).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(put, path = "/api/v1/admin/routing/{purpose}", tag = "admin", security(("bearer" = [])),
    params(("purpose" = RoutingPurposeDto, Path)), request_body = PutRouting,
    responses((status = 200, body = RoutingDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(purpose): ApiPath<String>,
    ApiJson(req): ApiJson<PutRouting>,
) -> ApiResult<Json<RoutingDto>> {
    let purpose = code("purpose", "invalid_routing_purpose", &purpose, RoutingPurpose::parse)?;
    let utility = req.utility.as_deref().map(|u| code("utility", "invalid_utility", u, Utility::parse)).transpose()?;
    Ok(Json(st.app.set_routing(&actor, purpose, utility, req.department_id).await?.into()))
}
