//! `pledge bench …`: measurements on a throwaway database. Figures are
//! printed, never asserted.
//!
//! The benches live here, out of the crates that serve requests; `pledge`
//! parses [`Command`] and calls [`run`]. Besides the application and the
//! HTTP server they drive the bare store, whose loop is the ceiling the
//! intake figures are measured against. [`table`] and [`db_url`] are shared
//! with `pledge` for its own printing.

pub mod db_url;
mod error;
pub(crate) mod intake;
pub mod table;

pub use error::{BenchError, BenchResult};

use std::process::ExitCode;

mod notify;
mod outage;
mod search;
mod sweep;
mod target;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Load open commitment clocks (default 1,000,000, 1 % due) and time the
    /// sweeps, on a small and a large table.
    Sweep(sweep::SweepArgs),
    /// Receive cases over the HTTP API with concurrent clients and print
    /// cases/s and latency, beside the same writes without HTTP.
    Intake(intake::IntakeArgs),
    /// Announce an outage on a node with a tenth of a million customers below
    /// it and time the affected set and the notifications.
    Outage(outage::OutageArgs),
    /// Queue one notification per customer for an outage (default 100,000)
    /// and print the enqueue time and the delivery rates (log channel, webhook).
    Notify(notify::NotifyArgs),
    /// Time the intake screen's customer search on the 20,000-customer demo.
    Search(search::SearchArgs),
}

/// The throwaway company a bench works in, with its administrator.
pub(crate) async fn bench_company(
    app: &pledge_app::App,
    utilities: Vec<pledge_domain::Utility>,
) -> Result<pledge_app::Actor, pledge_app::AppError> {
    app.bootstrap(pledge_app::registry::Bootstrap {
        company_code: "BENCH".into(),
        company_name: "基准测试公司".into(),
        hotline: "0000-00000".into(),
        utilities,
        admin_username: "bench".into(),
        admin_name: "基准".into(),
        admin_password: pledge_app::auth::Secret::new("bench-password"),
    })
    .await
}

/// Runs one bench, printing its figures.
pub async fn run(cmd: Command) -> BenchResult<ExitCode> {
    match cmd {
        Command::Intake(a) => intake::run(a).await,
        Command::Sweep(a) => sweep::sweep(a).await,
        Command::Outage(a) => outage::run(a).await,
        Command::Notify(a) => notify::run(a).await,
        Command::Search(a) => search::run(a).await,
    }
}
