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
    let repaired = match &report {
        Ok(_) => {
            let app = pledge_app::App::new(store.clone(), pledge_app::AppConfig::default());
            let r = app.repair_stray_clocks().await;
            drop(app);
            Some(r)
        }
        Err(_) => None,
    };
    store.close().await;
    let report = report?;
    print_applied(&report);
    println!("schema is up to date (version {})", report.current);
    if let Some(r) = repaired {
        print_repaired(&r?);
    }
    Ok(ExitCode::SUCCESS)
}

/// One line on the clocks a repair ended (nothing when there were none).
pub fn print_repaired(r: &pledge_app::commitments::RepairReport) {
    if r.repaired > 0 {
        println!(
            "ended {} clock(s) still running on a closed case or a finished outage: {} met, {} breached, {} withdrawn",
            r.repaired, r.met, r.breached, r.withdrawn
        );
    }
}
