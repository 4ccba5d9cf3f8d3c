//! `pledge backup`: a consistent copy of the live database.

use crate::CliResult;
use crate::db::DbArgs;
use pledge_store::BackupOutcome;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to write; it must not exist yet.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn run(args: Args) -> CliResult<ExitCode> {
    let store = args.db.connect_existing().await?;
    let outcome = store.backup(&args.to).await;
    store.close().await;
    match outcome? {
        BackupOutcome::Written { bytes } => println!("wrote {bytes} bytes to {}", args.to.display()),
        BackupOutcome::UsePgDump(how) => println!("{how}"),
    }
    Ok(ExitCode::SUCCESS)
}
