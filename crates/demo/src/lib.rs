//! The demo company: a county-level multi-utility group with departments,
//! staff in every role, a supply network per utility, customers in town and
//! countryside, and a year of cases in every kind and state. Loading is
//! idempotent: a second run finds the company and changes nothing.
//!
//! [`people`] generates the fictional data from a fixed seed, so the same
//! company comes out every time; [`load`] writes it.
//!
//! How it writes: not through the use cases (`App::create_customer` …),
//! which act for a signed-in administrator, stamp the current time and
//! commit one change at a time, so they cannot back-date a year of history
//! or load 20,000 customers in one transaction. The demo uses
//! `pledge_app::seed` instead, the one surface pledge-app offers to loaders
//! like this: one write transaction on the app's writer with a `Seeder` that
//! writes rows at given times and runs case and work-order steps through the
//! same lifecycle code as the use cases. This crate therefore depends on
//! pledge-domain and pledge-app only, never on the store or the web layer.

mod loader;
pub mod people;

use pledge_app::auth::{PasswordCost, Secret, hash_password};
use pledge_app::{App, AppError, AppResult, seed};
use pledge_domain::Role;
use pledge_domain::ids::*;

/// The demo company's code.
pub const COMPANY_CODE: &str = "QHGY";
/// The password of every demo account (printed by `pledge demo`).
pub const DEMO_PASSWORD: &str = "pledge-demo";

/// How much to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSize {
    pub customers: u32,
    pub cases: u32,
}

impl DemoSize {
    pub const FULL: DemoSize = DemoSize { customers: 20_000, cases: 2_000 };
    pub const SMALL: DemoSize = DemoSize { customers: 300, cases: 80 };
}

/// A demo sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department: String,
}

#[derive(Debug, Clone)]
pub struct DemoReport {
    /// False when the company was already there and nothing changed.
    pub created: bool,
    pub company_id: CompanyId,
    pub accounts: Vec<DemoAccount>,
    pub customers: u32,
    pub cases: u32,
}

/// Loads the demo company into `app` unless it is already there.
#[tracing::instrument(name = "load_demo", skip(app))]
pub async fn load(app: &App, size: DemoSize, cost: PasswordCost) -> AppResult<DemoReport> {
    if let Some(c) = seed::find_company(app, COMPANY_CODE).await? {
        let accounts = c
            .staff
            .into_iter()
            .map(|s| DemoAccount {
                department: s.department.unwrap_or_default(),
                username: s.username,
                display_name: s.display_name,
                role: s.role,
            })
            .collect();
        return Ok(DemoReport { created: false, company_id: c.company_id, accounts, customers: 0, cases: 0 });
    }
    // Hash the shared demo password once per account, off the async threads.
    let total_staff: u32 = loader::STAFF_PLAN.iter().map(|p| p.2).sum();
    let hashes = tokio::task::spawn_blocking(move || {
        (0..total_staff).map(|_| hash_password(&Secret::new(DEMO_PASSWORD), cost)).collect::<AppResult<Vec<_>>>()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let now = app.now();
    seed::write(app, move |s| Box::pin(loader::build(s, size, hashes, now))).await
}
