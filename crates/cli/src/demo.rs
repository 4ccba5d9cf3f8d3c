//! `pledge demo`: load the demo company and list its sign-ins.

use crate::CliResult;
use crate::db::DbArgs;
use pledge_app::auth::PasswordCost;
use pledge_app::{App, AppConfig};
use pledge_demo::{COMPANY_CODE, DEMO_PASSWORD, DemoReport, DemoSize};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Load a small company (300 customers, 80 cases) instead of the full one.
    #[arg(long)]
    pub small: bool,
}

pub async fn run(args: Args) -> CliResult<ExitCode> {
    let store = args.db.connect_migrated().await?;
    let size = if args.small { DemoSize::SMALL } else { DemoSize::FULL };
    let app = App::new(store.clone(), AppConfig::default());
    // Demo cases get their clocks under the policy and calendar in force.
    app.load_settings().await?;
    let report = load(&app, size).await;
    drop(app);
    store.close().await;
    print_report(&report?);
    Ok(ExitCode::SUCCESS)
}

/// Loads the demo company, saying so first since the full one takes a while.
pub async fn load(app: &App, size: DemoSize) -> CliResult<DemoReport> {
    tracing::info!(
        customers = size.customers,
        cases = size.cases,
        "loading the demo company unless it is already there"
    );
    Ok(pledge_demo::load(app, size, PasswordCost::default()).await?)
}

/// Whether the company was created, its sign-ins and the shared password.
pub fn print_report(report: &DemoReport) {
    if report.created {
        println!("demo company {COMPANY_CODE} created: {} customers, {} cases", report.customers, report.cases);
    } else {
        println!("demo company already present; nothing changed");
    }
    println!();
    let mut rows = vec![vec!["username".to_owned(), "name".to_owned(), "role".to_owned(), "department".to_owned()]];
    for a in &report.accounts {
        rows.push(vec![
            a.username.clone(),
            a.display_name.clone(),
            format!("{} ({})", a.role.name_zh(), a.role.code()),
            if a.department.is_empty() { "—".to_owned() } else { a.department.clone() },
        ]);
    }
    print!("{}", pledge_bench::table::render(&rows));
    println!();
    println!("password for every demo account: {DEMO_PASSWORD}");
}
