//! `pledge audit verify`: check the ledger and the case table against it.

use crate::CliResult;
use crate::db::DbArgs;
use pledge_app::{App, AppConfig};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Verify every ledger link and hash and replay each case (exit 0 if clean, 1 if anything was found).
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: Command) -> CliResult<ExitCode> {
    match command {
        Command::Verify { db } => verify(db).await,
    }
}

async fn verify(db: DbArgs) -> CliResult<ExitCode> {
    let store = db.connect_existing().await?;
    let app = App::new(store.clone(), AppConfig::default());
    let report = app.audit_verify().await;
    drop(app);
    store.close().await;
    let report = report?;
    println!("checked {} ledger events and {} cases", report.events_checked, report.cases_checked);
    if report.is_clean() {
        println!("the ledger is intact: no findings");
        return Ok(ExitCode::SUCCESS);
    }
    for f in &report.findings {
        println!("{f}");
    }
    let n = report.findings.len();
    println!("{n} finding{}", if n == 1 { "" } else { "s" });
    Ok(ExitCode::from(1))
}
