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
            let cap = app.backfill_cap_lineage().await;
            drop(app);
            Some((r, cap))
        }
        Err(_) => None,
    };
    store.close().await;
    let report = report?;
    print_applied(&report);
    println!("schema is up to date (version {})", report.current);
    if let Some((r, cap)) = repaired {
        print_repaired(&r?);
        print_backfilled(cap?);
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

/// One line on the CAP lineages rebuilt for outages announced before they were kept.
pub fn print_backfilled(n: u64) {
    if n > 0 {
        println!("rebuilt the CAP messages of {n} outage(s) announced before they were kept");
    }
}
