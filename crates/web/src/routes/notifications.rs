//! Notifications: the delivery record for administrators (dead letters
//! included) with retry, the delivery summary of one subject for the outage
//! pages, message templates, and the contact details channels use.

use crate::AppState;
use crate::dto::{code, time};
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorDetail};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::i18n::{Lang, current_lang, zh_message};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use pledge_app::notify::TemplateView;
use pledge_app::notify::admin::ContactInput;
use pledge_domain::ids::*;
use pledge_domain::model::{NotificationFilter, NotificationRecord, PageRequest};
use pledge_domain::notify::{ChannelKind, DeliveryState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The routes of this module, merged into `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/notifications", get(list))
        .route("/admin/notifications/{id}/retry", post(retry))
        .route("/notifications/summary", get(summary))
        .route("/admin/notification-templates", get(templates))
        .route("/admin/notification-templates/{topic}/{locale}", put(put_template))
        .route("/admin/customers/{id}/contact", put(customer_contact))
        .route("/admin/staff/{id}/contact", put(staff_contact))
        .route("/admin/departments/{id}/head", put(department_head))
}

fn micros(us: Option<i64>) -> Option<String> {
    us.and_then(|u| jiff::Timestamp::from_microsecond(u).ok()).map(time)
}

/// One message to one recipient and how its delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    #[schema(value_type = i64)]
    pub id: NotificationId,
    /// e.g. `outage.announced`, `clock.escalated`.
    pub topic: String,
    /// What it is about: `outage`, `case`, `clock` …
    pub subject: String,
    pub subject_id: i64,
    #[schema(value_type = Option<i64>)]
    pub customer_id: Option<CustomerId>,
    #[schema(value_type = Option<i64>)]
    pub staff_id: Option<StaffId>,
    /// sms, email or log.
    pub channel: String,
    /// Phone number or e-mail address.
    pub address: Option<String>,
    pub locale: String,
    /// queued, sending, sent, retrying or dead.
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    /// The channel that carried it (log when the intended one is not configured).
    pub sent_via: Option<String>,
    pub sent_at: Option<String>,
    pub created_at: Option<String>,
    #[schema(value_type = Object)]
    pub vars: serde_json::Value,
}

impl From<NotificationRecord> for NotificationDto {
    fn from(n: NotificationRecord) -> Self {
        NotificationDto {
            id: n.id,
            topic: n.topic,
            subject: n.subject,
            subject_id: n.subject_id,
            customer_id: n.customer_id,
            staff_id: n.staff_id,
            channel: n.channel.code().into(),
            address: n.address,
            locale: n.locale.code().into(),
            state: n.state.code().into(),
            attempts: n.attempts,
            next_attempt_at: micros(n.next_attempt_at),
            last_error: n.last_error,
            sent_via: n.sent_via.map(|c| c.code().into()),
            sent_at: micros(n.sent_at),
            created_at: micros(Some(n.created_at)),
            vars: n.vars,
        }
    }
}

/// One page of notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationDto>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// queued, sending, sent, retrying or dead.
    pub state: Option<String>,
    pub topic: Option<String>,
    pub subject: Option<String>,
    pub subject_id: Option<i64>,
    /// sms, email or log.
    pub channel: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

/// The delivery record, newest first: who was told what, when and how.
#[utoipa::path(get, path = "/api/v1/admin/notifications", tag = "notifications", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = NotificationPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<NotificationPage>> {
    let filter = NotificationFilter {
        company_id: actor.staff.company_id,
        state: q
            .state
            .as_deref()
            .map(|s| code("state", "invalid_delivery_state", s, DeliveryState::parse))
            .transpose()?,
        topic: q.topic.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
        subject: q.subject.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
        subject_id: q.subject_id,
        channel: q.channel.as_deref().map(|s| code("channel", "invalid_channel", s, ChannelKind::parse)).transpose()?,
    };
    let page = PageRequest::new(q.limit, q.offset);
    let p = st.app.notifications(&actor, filter, page).await?;
    Ok(Json(NotificationPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// Queues a dead (or waiting) notification again now, with fresh attempts.
#[utoipa::path(post, path = "/api/v1/admin/notifications/{id}/retry", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = NotificationDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(id))]
pub async fn retry(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<NotificationId>,
) -> ApiResult<Json<NotificationDto>> {
    tracing::Span::current().record("id", id.get());
    Ok(Json(st.app.retry_notification(&actor, id).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// e.g. `outage`.
    pub subject: String,
    pub subject_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryCountDto {
    pub state: String,
    pub channel: String,
    pub count: u64,
}

/// Delivery status of the notifications about one subject.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliverySummary {
    pub subject: String,
    pub subject_id: i64,
    pub total: u64,
    pub sent: u64,
    /// Queued, sending or retrying.
    pub pending: u64,
    pub dead: u64,
    /// By state and channel (for sent ones, the channel that really carried them).
    pub counts: Vec<DeliveryCountDto>,
}

/// Counts by state and channel of the notifications about one subject (e.g. an outage).
#[utoipa::path(get, path = "/api/v1/notifications/summary", tag = "notifications", security(("bearer" = [])), params(SummaryQuery),
    responses((status = 200, body = DeliverySummary), (status = 400, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn summary(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> ApiResult<Json<DeliverySummary>> {
    let counts = st.app.delivery_summary(&actor, q.subject.trim(), q.subject_id).await?;
    let sum = |f: &dyn Fn(DeliveryState) -> bool| counts.iter().filter(|c| f(c.state)).map(|c| c.count).sum::<u64>();
    Ok(Json(DeliverySummary {
        subject: q.subject.trim().to_owned(),
        subject_id: q.subject_id,
        total: sum(&|_| true),
        sent: sum(&|s| s == DeliveryState::Sent),
        pending: sum(&|s| matches!(s, DeliveryState::Queued | DeliveryState::Sending | DeliveryState::Retrying)),
        dead: sum(&|s| s == DeliveryState::Dead),
        counts: counts
            .into_iter()
            .map(|c| DeliveryCountDto {
                state: c.state.code().into(),
                channel: c.channel.code().into(),
                count: c.count,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateDto {
    pub topic: String,
    /// zh-CN or en.
    pub locale: String,
    /// The e-mail subject line.
    pub subject: String,
    pub body: String,
    /// `company` (saved by an administrator) or `shipped` (the default).
    pub source: String,
    /// The `{placeholders}` this topic may use.
    pub placeholders: Vec<String>,
    pub updated_at: Option<String>,
}

impl From<TemplateView> for TemplateDto {
    fn from(t: TemplateView) -> Self {
        TemplateDto {
            topic: t.topic,
            locale: t.locale.code().into(),
            subject: t.subject,
            body: t.body,
            source: t.source.into(),
            placeholders: t.placeholders.iter().map(|p| (*p).to_owned()).collect(),
            updated_at: micros(t.updated_at),
        }
    }
}

/// Every topic's template in both languages, as in force for the company.
#[utoipa::path(get, path = "/api/v1/admin/notification-templates", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Vec<TemplateDto>), (status = 403, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn templates(State(st): State<AppState>, Authed(actor): Authed) -> ApiResult<Json<Vec<TemplateDto>>> {
    Ok(Json(st.app.notification_templates(&actor).await?.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub subject: String,
    /// Text with `{placeholders}`; write `{{` and `}}` for literal braces.
    pub body: String,
}

/// Replaces the company's template for a topic in one language, after checking it.
#[utoipa::path(put, path = "/api/v1/admin/notification-templates/{topic}/{locale}", tag = "notifications", security(("bearer" = [])),
    params(("topic" = String, Path), ("locale" = String, Path, description = "zh-CN or en")), request_body = TemplateInput,
    responses((status = 200, body = TemplateDto), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put_template(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath((topic, locale)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<TemplateInput>,
) -> Result<Json<TemplateDto>, TemplateRefused> {
    Ok(Json(
        st.app
            .put_notification_template(&actor, &topic, &locale, req.subject, req.body)
            .await
            .map_err(|e| TemplateRefused(e.into()))?
            .into(),
    ))
}

/// A refused template: in Chinese the stable message comes first and the
/// detail (which placeholder, which character) follows in brackets.
pub struct TemplateRefused(ApiError);

impl axum::response::IntoResponse for TemplateRefused {
    fn into_response(self) -> axum::response::Response {
        let e = self.0;
        if e.code.starts_with("template_")
            && current_lang() == Lang::Zh
            && let Some(zh) = zh_message(&e.code)
        {
            let body = ErrorBody {
                error: ErrorDetail { message: format!("{zh}（{}）", e.message_en), code: e.code, field: e.field },
            };
            return (e.status, Json(body)).into_response();
        }
        e.into_response()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    /// Mobile or landline (staff only; a customer's phone is on the customer record).
    pub phone: Option<String>,
    pub email: Option<String>,
    /// zh-CN (default) or en.
    pub locale: Option<String>,
}

fn contact(req: ContactRequest) -> ContactInput {
    ContactInput { phone: req.phone, email: req.email, locale: req.locale }
}

/// Sets a customer's e-mail address and language for notifications (absent values are cleared).
#[utoipa::path(put, path = "/api/v1/admin/customers/{id}/contact", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ContactRequest,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn customer_contact(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(req): ApiJson<ContactRequest>,
) -> ApiResult<StatusCode> {
    if req.phone.is_some() {
        return Err(ApiError::invalid(
            "phone_on_customer_record",
            "phone",
            "change a customer's phone on the customer record",
        ));
    }
    st.app.set_customer_contact(&actor, id, contact(req)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a staff member's phone, e-mail address and language for escalations (absent values are cleared).
#[utoipa::path(put, path = "/api/v1/admin/staff/{id}/contact", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ContactRequest,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn staff_contact(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<StaffId>,
    ApiJson(req): ApiJson<ContactRequest>,
) -> ApiResult<StatusCode> {
    st.app.set_staff_contact(&actor, id, contact(req)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadRequest {
    /// The staff member who heads the department; null clears it.
    #[schema(value_type = Option<i64>)]
    pub staff_id: Option<StaffId>,
}

/// Names the head of a department, who receives escalations of its breached commitments.
#[utoipa::path(put, path = "/api/v1/admin/departments/{id}/head", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = HeadRequest,
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn department_head(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(id): ApiPath<DepartmentId>,
    ApiJson(req): ApiJson<HeadRequest>,
) -> ApiResult<StatusCode> {
    st.app.set_department_head(&actor, id, req.staff_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
