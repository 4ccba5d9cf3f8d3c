//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::routes::notifications;
use crate::routes::{admin, auth, cases, commitments, customers, ops, outages, registry, routing, work_orders};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Pledge API", description = "Service commitments for public utilities: cases, registry and audit."),
    modifiers(&BearerAuth),
    paths(
        auth::login, auth::logout, auth::me,
        registry::company, registry::list_departments, registry::create_department, registry::list_staff, registry::create_staff, registry::update_staff,
        registry::list_nodes, registry::get_node, registry::create_node,
        customers::list, customers::get, customers::create, customers::update,
        cases::list, cases::create, cases::get, cases::transfer, cases::return_case, cases::start, cases::reply, cases::wait,
        cases::resume, cases::callback, cases::close, cases::reopen, cases::note, cases::assign, cases::link, cases::acknowledge, cases::extend_clock,
        commitments::stats, commitments::at_risk, commitments::policy, commitments::withdraw,
        work_orders::create, work_orders::list, work_orders::get, work_orders::dispatch, work_orders::depart, work_orders::arrive,
        work_orders::complete, work_orders::cancel,
        admin::get_policy, admin::put_policy, admin::calendar_status, admin::put_calendar_year, admin::calendar_days,
        routing::list, routing::put,
        ops::healthz, ops::metrics, ops::access_log,
        outages::list, outages::create, outages::get, outages::update, outages::customers, outages::announce, outages::start,
        outages::restore_notice, outages::restore, outages::cancel, outages::report_to_authority, outages::of_customer, outages::of_case,
        outages::suspected, outages::suspected_one, outages::confirm, outages::dismiss, outages::get_grouping, outages::put_grouping,
        notifications::list, notifications::retry, notifications::summary, notifications::templates, notifications::put_template,
        notifications::customer_contact, notifications::staff_contact, notifications::department_head,
    ),
    tags(
        (name = "auth", description = "Sign in and out"),
        (name = "registry", description = "Departments and staff"),
        (name = "network", description = "The supply network"),
        (name = "customers", description = "Customers, accounts and premises"),
        (name = "cases", description = "Cases (工单) and their lifecycle"),
        (name = "work orders", description = "Field jobs (派工单) raised on cases and reported on by crews"),
        (name = "commitments", description = "Service commitments: clocks, on-time rates, the policy"),
        (name = "admin", description = "The commitment policy and the working-day calendar, edited by administrators"),
        (name = "calendar", description = "The statutory working-day calendar"),
        (name = "audit", description = "Access log"),
        (name = "ops", description = "Health and metrics"),
        (name = "outages", description = "Supply interruptions: lifecycle, affected customers, suspected outages"),
        (name = "notifications", description = "Notifications to customers and staff: delivery record, templates, contacts"),
    )
)]
pub struct ApiDoc;

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

pub async fn serve_document() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
