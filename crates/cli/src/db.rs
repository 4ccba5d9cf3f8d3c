//! The `--database` option, opening the store, and printing URLs safely.

use crate::{CliError, CliResult};
use pledge_bench::db_url::redact_url;
use pledge_store::{ConnectOptions, MigrationReport, Store};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./pledge-data/pledge.db";

/// Which database to use.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// Database URL: sqlite://FILE or postgres://USER:PASSWORD@HOST:PORT/DB.
    #[arg(long = "database", value_name = "URL", env = "PLEDGE_DATABASE_URL", hide_env_values = true, default_value = DEFAULT_DATABASE_URL)]
    pub url: String,
}

impl DbArgs {
    /// The URL with any password hidden, for printing.
    pub fn display(&self) -> String {
        redact_url(&self.url)
    }

    /// Opens the database, creating a SQLite file if there is none.
    pub async fn connect(&self) -> CliResult<Store> {
        Ok(Store::connect(&ConnectOptions::new(self.url.trim())).await?)
    }

    /// Opens a database that must already exist: commands that only read or
    /// copy it must not leave an empty file behind a mistyped path.
    pub async fn connect_existing(&self) -> CliResult<Store> {
        if let Some(path) = sqlite_file(&self.url)
            && !std::path::Path::new(path).exists()
        {
            return Err(CliError::msg(format!(
                "there is no database at {path} (check --database or PLEDGE_DATABASE_URL)"
            )));
        }
        self.connect().await
    }

    /// Opens and migrates the database, printing any migrations applied.
    pub async fn connect_migrated(&self) -> CliResult<Store> {
        let store = self.connect().await?;
        let report = store.migrate().await?;
        print_applied(&report);
        Ok(store)
    }
}

/// Prints the migrations a run applied (nothing if none).
pub fn print_applied(report: &MigrationReport) {
    for (version, name) in &report.applied {
        println!("applied migration {version} ({name})");
    }
}

/// The file behind a SQLite URL, if it names one.
fn sqlite_file(url: &str) -> Option<&str> {
    let url = url.trim();
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" || rest.contains("mode=memory") { None } else { Some(path) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_are_found() {
        assert_eq!(sqlite_file("sqlite://./pledge-data/pledge.db"), Some("./pledge-data/pledge.db"));
        assert_eq!(sqlite_file("sqlite:///tmp/p.db?mode=rwc"), Some("/tmp/p.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://h/db"), None);
    }
}
