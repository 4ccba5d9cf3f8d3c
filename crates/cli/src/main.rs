//! `pledge`: the one binary that serves Pledge and looks after its database.
//!
//! Exit codes: 0 success; 1 a check found a problem (`audit verify` findings,
//! `healthcheck` failure); 2 an error (bad input, database unreachable, …).

mod audit;
mod backup;
mod calendar;
mod db;
mod demo;
mod error;
mod healthcheck;
mod migrate;
mod notify;
mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use error::{CliError, CliResult};

/// Pledge: a service desk for public utilities.
#[derive(Debug, Parser)]
#[command(name = "pledge", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web console and the REST API.
    Serve(Box<serve::Args>),
    /// Bring the database schema up to date.
    Migrate(migrate::Args),
    /// Load the demo company (idempotent) and list its sign-ins.
    Demo(demo::Args),
    /// Check the tamper-evident ledger.
    Audit {
        #[command(subcommand)]
        command: audit::Command,
    },
    /// Write a consistent copy of the live database.
    Backup(backup::Args),
    /// Ask a running server whether it is healthy (exit 0 if so, 1 if not).
    Healthcheck(healthcheck::Args),
    /// Ask the working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: calendar::Command,
    },
    /// Measure throughput and latency on a throwaway database.
    Bench {
        #[command(subcommand)]
        command: pledge_bench::Command,
    },
}

/// `info` for Pledge, quieter for the database drivers; `PLEDGE_LOG` overrides.
const DEFAULT_LOG: &str = "info,sqlx=warn,sea_orm=warn";

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("PLEDGE_LOG") {
        Ok(s) if !s.trim().is_empty() => EnvFilter::try_new(&s).unwrap_or_else(|e| {
            eprintln!("warning: PLEDGE_LOG={s:?} is not a valid filter ({e}); using {DEFAULT_LOG:?}");
            EnvFilter::new(DEFAULT_LOG)
        }),
        _ => EnvFilter::new(DEFAULT_LOG),
    };
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Serve(a) => serve::run(*a).await,
        Command::Migrate(a) => migrate::run(a).await,
        Command::Demo(a) => demo::run(a).await,
        Command::Audit { command } => audit::run(command).await,
        Command::Backup(a) => backup::run(a).await,
        Command::Healthcheck(a) => healthcheck::run(a).await,
        Command::Calendar { command } => calendar::run(command),
        Command::Bench { command } => pledge_bench::run(command).await.map_err(CliError::from),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
