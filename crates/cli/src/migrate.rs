//! `pledge migrate`: bring the schema up to date.

use crate::CliResult;
use crate::db::{DbArgs, print_applied};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn run(args: Args) -> CliResult<ExitCode> {
    println!("database: {}", args.db.display());
    let store = args.db.connect().await?;
    let report = store.migrate().await;
    store.close().await;
    let report = report?;
    print_applied(&report);
    println!("schema is up to date (version {})", report.current);
    Ok(ExitCode::SUCCESS)
}
