//! The staff console: server-rendered pages (askama templates in
//! `crates/web/templates/`) for the hall, the hotline, handlers and duty
//! managers, with a little JavaScript of our own. Chinese by default,
//! English by a cookie switch or `Accept-Language`. Every page needs the
//! session cookie; every form POST must come from our own origin.

mod assets;
mod board;
mod case_actions;
mod case_page;
mod csrf;
mod ctx;
mod error;
mod intake;
mod login;
mod outages;
mod phrases;
mod print;
mod queues;
mod search;
mod text;
mod view;

pub use ctx::{Ctx, Signed};
pub use error::ConsoleError;
pub use login::login_html;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

/// Every console route; mounted on the root router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(login::switch_lang))
        .route("/intake", get(intake::page).post(intake::create))
        .route("/intake/customers", get(search::results))
        .route("/intake/customers/{id}", get(search::panel))
        .route("/cases/{id}", get(case_page::page))
        .route("/cases/{id}/receipt", get(print::receipt))
        .route("/cases/{id}/complaint-form", get(print::complaint_form))
        .route("/cases/{id}/do/{action}", post(case_actions::act))
        .route("/queues/{which}", get(queues::page))
        .route("/board", get(board::page))
        .route("/outages", get(outages::list))
        .route("/outages/new", get(outages::new_page).post(outages::create))
        .route("/outages/{id}", get(outages::detail))
        .route("/outages/{id}/do/{action}", post(outages::act))
        .route("/outages/suspected/{id}/{action}", post(outages::suspect_act))
        .route("/phrases", get(phrases::page))
        .route("/phrases/{situation}", post(phrases::save))
        .route("/assets/{file}", get(assets::serve))
        .layer(axum::middleware::from_fn(csrf::same_origin_posts))
}
