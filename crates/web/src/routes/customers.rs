//! Customers (accounts) and their premises. Every read is access-logged.

use crate::AppState;
use crate::dto::{CustomerDto, CustomerPage, code};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pledge_app::registry::{CustomerInput, CustomerPatch};
use pledge_domain::ids::*;
use pledge_domain::model::{CustomerFilter, PageRequest};
use pledge_domain::{AccountName, CustomerCategory, CustomerNumber, Phone, SpecialCare, Utility, Zone};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Customer number prefix, or part of the phone, account name or address.
    pub q: Option<String>,
    pub utility: Option<String>,
    pub category: Option<String>,
    /// Only customers supplied through this network node.
    #[param(value_type = Option<i64>)]
    pub below_node: Option<NodeId>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])), params(CustomerQuery),
    responses((status = 200, body = CustomerPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<CustomerQuery>,
) -> ApiResult<Json<CustomerPage>> {
    let filter = CustomerFilter {
        company_id: None,
        utility: q.utility.as_deref().map(|u| code("utility", "invalid_utility", u, Utility::parse)).transpose()?,
        category: q
            .category
            .as_deref()
            .map(|c| code("category", "invalid_category", c, CustomerCategory::parse))
            .transpose()?,
        text: q.q,
        below_node: q.below_node,
    };
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.customers(&actor, filter, page).await?;
    Ok(Json(CustomerPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CustomerDto), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn get(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CustomerId>,
) -> ApiResult<Json<CustomerDto>> {
    let c = st.app.customer(&actor, id).await?;
    if c.company_id != actor.staff.company_id {
        return Err(ApiError::not_found("customer"));
    }
    Ok(Json(c.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    pub utility: String,
    /// 户号: 6–20 digits.
    pub customer_number: String,
    /// 户名
    pub account_name: String,
    /// residential or non_residential.
    pub category: String,
    pub phone: Option<String>,
    #[serde(default)]
    pub special_care: Vec<String>,
    pub address: String,
    /// urban or rural.
    pub zone: String,
    pub floor_area_m2: Option<i64>,
    /// The network leaf that supplies the premises.
    #[schema(value_type = Option<i64>)]
    pub node_id: Option<NodeId>,
}

fn phone(raw: &str) -> Result<Phone, ApiError> {
    Phone::parse(raw).map_err(|e| ApiError::invalid("invalid_phone", "phone", e.to_string()))
}

fn care(list: &[String]) -> Result<Vec<SpecialCare>, ApiError> {
    list.iter().map(|s| code("special_care", "invalid_special_care", s, SpecialCare::parse)).collect()
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])), request_body = CreateCustomer,
    responses((status = 201, body = CustomerDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<CreateCustomer>,
) -> ApiResult<(StatusCode, Json<CustomerDto>)> {
    let input = CustomerInput {
        utility: code("utility", "invalid_utility", &req.utility, Utility::parse)?,
        number: CustomerNumber::parse(&req.customer_number)
            .map_err(|e| ApiError::invalid("invalid_customer_number", "customer_number", e.to_string()))?,
        account_name: AccountName::parse(&req.account_name)
            .map_err(|e| ApiError::invalid("invalid_account_name", "account_name", e.to_string()))?,
        category: code("category", "invalid_category", &req.category, CustomerCategory::parse)?,
        phone: req.phone.as_deref().filter(|p| !p.trim().is_empty()).map(phone).transpose()?,
        special_care: care(&req.special_care)?,
        address: req.address,
        zone: code("zone", "invalid_zone", &req.zone, Zone::parse)?,
        floor_area_m2: req.floor_area_m2,
        node_id: req.node_id,
    };
    let c = st.app.create_customer(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    pub account_name: Option<String>,
    pub category: Option<String>,
    /// A new phone; an empty string removes it.
    pub phone: Option<String>,
    pub special_care: Option<Vec<String>>,
}

#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])), request_body = UpdateCustomer,
    params(("id" = i64, Path)), responses((status = 200, body = CustomerDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn update(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(req): ApiJson<UpdateCustomer>,
) -> ApiResult<Json<CustomerDto>> {
    let patch = CustomerPatch {
        account_name: req
            .account_name
            .as_deref()
            .map(|a| {
                AccountName::parse(a)
                    .map_err(|e| ApiError::invalid("invalid_account_name", "account_name", e.to_string()))
            })
            .transpose()?,
        category: req
            .category
            .as_deref()
            .map(|c| code("category", "invalid_category", c, CustomerCategory::parse))
            .transpose()?,
        phone: req
            .phone
            .as_deref()
            .map(|p| if p.trim().is_empty() { Ok(None) } else { phone(p).map(Some) })
            .transpose()?,
        special_care: req.special_care.as_deref().map(care).transpose()?,
    };
    Ok(Json(st.app.update_customer(&actor, id, patch).await?.into()))
}
