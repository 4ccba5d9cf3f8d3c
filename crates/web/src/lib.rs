//! Pledge over HTTP: the REST API under `/api/v1` with its OpenAPI document,
//! health and metrics, and the staff console's pages. Errors from every layer
//! are turned into responses in one place ([`error::ApiError`]).

pub mod console;
pub mod dto;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod i18n;
mod metrics;
pub mod openapi;
pub mod routes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post, put};
use pledge_app::App;
use std::sync::Arc;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    metrics: Arc<metrics::Metrics>,
}

/// The whole HTTP surface.
pub fn router(app: App) -> Router {
    let state = AppState { app, metrics: Arc::new(metrics::Metrics::default()) };
    use routes::{admin, auth, cases, commitments, customers, ops, registry, work_orders};
    let api = Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/company", get(registry::company))
        .route("/departments", get(registry::list_departments).post(registry::create_department))
        .route("/staff", get(registry::list_staff).post(registry::create_staff))
        .route("/staff/{id}", patch(registry::update_staff))
        .route("/network/nodes", get(registry::list_nodes).post(registry::create_node))
        .route("/network/nodes/{id}", get(registry::get_node))
        .route("/customers", get(customers::list).post(customers::create))
        .route("/customers/{id}", get(customers::get).patch(customers::update))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/{id}", get(cases::get))
        .route("/cases/{id}/transfer", post(cases::transfer))
        .route("/cases/{id}/return", post(cases::return_case))
        .route("/cases/{id}/start", post(cases::start))
        .route("/cases/{id}/reply", post(cases::reply))
        .route("/cases/{id}/wait", post(cases::wait))
        .route("/cases/{id}/resume", post(cases::resume))
        .route("/cases/{id}/callback", post(cases::callback))
        .route("/cases/{id}/close", post(cases::close))
        .route("/cases/{id}/reopen", post(cases::reopen))
        .route("/cases/{id}/notes", post(cases::note))
        .route("/cases/{id}/assign", post(cases::assign))
        .route("/cases/{id}/link", post(cases::link))
        .route("/cases/{id}/form-copies/{copy_id}/acknowledge", post(cases::acknowledge))
        .route("/cases/{id}/clocks/{clock_id}/extension", post(cases::extend_clock))
        .route("/cases/{id}/work-orders", post(work_orders::create))
        .route("/work-orders", get(work_orders::list))
        .route("/work-orders/{id}", get(work_orders::get))
        .route("/work-orders/{id}/dispatch", post(work_orders::dispatch))
        .route("/work-orders/{id}/depart", post(work_orders::depart))
        .route("/work-orders/{id}/arrive", post(work_orders::arrive))
        .route("/work-orders/{id}/complete", post(work_orders::complete))
        .route("/work-orders/{id}/cancel", post(work_orders::cancel))
        .route("/commitments/stats", get(commitments::stats))
        .route("/commitments/at-risk", get(commitments::at_risk))
        .route("/commitments/policy", get(commitments::policy))
        .route("/clocks/{id}/withdraw", post(commitments::withdraw))
        .route("/admin/policy", get(admin::get_policy).put(admin::put_policy))
        .route("/admin/calendar", get(admin::calendar_status))
        .route("/admin/calendar/{year}", put(admin::put_calendar_year))
        .route("/calendar/days", get(admin::calendar_days))
        .route("/admin/routing", get(crate::routes::routing::list))
        .route("/admin/routing/{purpose}", put(crate::routes::routing::put))
        .route("/access-log", get(ops::access_log))
        .merge(routes_outages())
        .route("/openapi.json", get(openapi::serve_document))
        .merge(routes::notifications::routes())
        .fallback(|| async { error::ApiError::not_found("API route") })
        .method_not_allowed_fallback(|| async {
            error::ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not accept that method",
            )
        });
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .merge(console::router())
        .merge(routes_public_outages())
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::middleware))
        .layer(axum::middleware::from_fn(i18n::middleware))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// The outage API, under `/api/v1`.
fn routes_outages() -> Router<AppState> {
    use routes::outages as o;
    Router::new()
        .route("/outages", get(o::list).post(o::create))
        .route("/outages/suspected", get(o::suspected))
        .route("/outages/suspected/{id}", get(o::suspected_one))
        .route("/outages/suspected/{id}/confirm", post(o::confirm))
        .route("/outages/suspected/{id}/dismiss", post(o::dismiss))
        .route("/outages/grouping/{utility}", get(o::get_grouping).put(o::put_grouping))
        .route("/outages/{id}", get(o::get).patch(o::update))
        .route("/outages/{id}/customers", get(o::customers))
        .route("/outages/{id}/announce", post(o::announce))
        .route("/outages/{id}/start", post(o::start))
        .route("/outages/{id}/restore-notice", post(o::restore_notice))
        .route("/outages/{id}/restore", post(o::restore))
        .route("/outages/{id}/cancel", post(o::cancel))
        .route("/outages/{id}/report-to-authority", post(o::report_to_authority))
        .route("/customers/{id}/outages", get(o::of_customer))
        .route("/cases/{id}/outages", get(o::of_case))
}

/// Public outage notices: the page and the feeds.
fn routes_public_outages() -> Router<AppState> {
    use routes::outage_feeds as f;
    Router::new()
        .route("/public/outages", get(f::page))
        .route("/feeds/outages.atom", get(f::atom))
        .route("/feeds/outages.ics", get(f::ics))
        .route("/feeds/outages/{file}", get(f::cap))
        .route("/feeds/outages/{id}/cap/{file}", get(f::cap_at))
}

/// A handler that panicked answers like any other internal error; the panic is logged.
fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    tracing::error!(%detail, "handler panicked");
    axum::response::IntoResponse::into_response(error::ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "something went wrong on our side; it has been logged",
    ))
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app)).with_graceful_shutdown(shutdown).await
}
