//! Pledge persistence. One code path for SQLite and PostgreSQL: the same SQL
//! text (with `$1`-style parameters, which both engines' drivers accept) runs
//! on either, through SeaORM's connection layer on sqlx. Nothing from SeaORM or
//! sqlx leaves this crate: callers get domain types and [`StoreError`].
//!
//! Reads go through [`Store::read`] on the pool; writes happen inside a
//! [`Tx`], which only the application layer begins.
//!
//! What can be read and written is split into narrow repository traits, one
//! or two per aggregate (`CaseReads` on [`Exec`], `CaseWrites` on [`Tx`], …),
//! each in its aggregate's module and all gathered in [`repo`]: callers bring
//! them into scope with `use pledge_store::repo::*`.

mod backup;
mod bind;
mod bulk;
mod cases;
mod clocks;
mod console;
mod customers;
mod error;
mod exec;
mod extension_requests;
mod jobs;
mod ledger;
mod migrate;
mod network;
mod notifications;
mod org;
mod outages;
mod paging;
mod phrases;
mod records;
mod registry;
mod routing;
mod row;
mod sessions;
mod settings;
mod suspects;
mod work_orders;

pub use backup::BackupOutcome;
pub use error::{Result, StoreError};
pub use exec::{Exec, Savepoint, Tx};
pub use migrate::MigrationReport;

/// The repository traits, one module per aggregate behind them. Reads are
/// implemented for [`Exec`] (the pool or a transaction), writes for [`Tx`].
pub mod repo {
    pub use crate::bulk::BulkLoad;
    pub use crate::cases::{CaseReads, CaseWrites};
    pub use crate::clocks::{ClockReads, ClockWrites, StrayClock};
    pub use crate::customers::{CustomerReads, CustomerWrites};
    pub use crate::extension_requests::{ExtensionRequestReads, ExtensionRequestWrites};
    pub use crate::jobs::JobWrites;
    pub use crate::ledger::{LedgerReads, LedgerWrites};
    pub use crate::network::{NetworkReads, NetworkWrites};
    pub use crate::notifications::{NotificationReads, NotificationWrites};
    pub use crate::org::{OrgReads, OrgWrites};
    pub use crate::outages::{OutageReads, OutageWrites};
    pub use crate::phrases::{PhraseReads, PhraseWrites};
    pub use crate::routing::{RoutingReads, RoutingSetting, RoutingWrites};
    pub use crate::sessions::{SessionReads, SessionWrites};
    pub use crate::settings::{SettingsReads, SettingsWrites};
    pub use crate::suspects::{SuspectReads, SuspectWrites};
    pub use crate::work_orders::{WorkOrderReads, WorkOrderWrites};
}

use sea_orm::{DatabaseConnection, DbBackend, Statement, Value};
use std::str::FromStr;
use std::time::Duration;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `sqlite://path/to/file.db` or `postgres://user@host:port/db`.
    pub url: String,
    pub max_connections: u32,
}

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), max_connections: 16 }
    }
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

/// Microseconds since the Unix epoch, now.
pub fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

impl Store {
    /// Opens (and for SQLite, creates) the database. Does not migrate.
    #[tracing::instrument(skip_all, fields(backend))]
    pub async fn connect(opts: &ConnectOptions) -> Result<Store> {
        let url = opts.url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            tracing::Span::current().record("backend", "postgres");
            let pg = sqlx::postgres::PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Unavailable(format!("bad PostgreSQL URL: {e}")))?
                .application_name("pledge");
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(pg)
                .await?;
            let db = sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
            Ok(Store { db, backend: Backend::Postgres })
        } else if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            tracing::Span::current().record("backend", "sqlite");
            let path = rest.split('?').next().unwrap_or(rest);
            if let Some(dir) = std::path::Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
            }
            use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
            let sq = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before it is acknowledged.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(15))
                .pragma("cache_size", "-32000")
                .pragma("temp_store", "memory");
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(opts.max_connections.clamp(2, 16))
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(sq)
                .await?;
            let db = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
            Ok(Store { db, backend: Backend::Sqlite })
        } else {
            Err(StoreError::Unavailable(format!(
                "unsupported database URL (use sqlite://FILE or postgres://…): {}",
                url.split('@').next_back().unwrap_or("")
            )))
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Read access on the pool.
    pub fn read(&self) -> Exec<'_> {
        Exec::pool(&self.db, self.backend)
    }

    /// Begins a write transaction (IMMEDIATE on SQLite, so the write lock is
    /// taken up front and concurrent writers queue instead of failing).
    pub async fn begin(&self) -> Result<Tx> {
        Tx::begin(&self.db, self.backend).await
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await.map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    pub async fn close(self) {
        let _ = self.db.close().await;
    }

    pub(crate) fn stmt<I: IntoIterator<Item = Value>>(&self, sql: &str, values: I) -> Statement {
        stmt(self.backend, sql, values)
    }
}

pub(crate) fn stmt<I: IntoIterator<Item = Value>>(backend: Backend, sql: &str, values: I) -> Statement {
    match backend {
        Backend::Sqlite => {
            let (sql, values) = positional_for_sqlite(sql, values.into_iter().collect());
            Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
        }
        Backend::Postgres => Statement::from_sql_and_values(DbBackend::Postgres, sql, values),
    }
}

/// Rewrites `$N` parameters (outside string literals) as anonymous `?`
/// ones, with the values laid out in the order they appear (a value used
/// twice is bound twice). SQLite keeps named and numbered parameters in a
/// list that every lookup scans, and the driver asks for each parameter's
/// name when binding: quadratic in the number of parameters, which made a
/// multi-row statement of a few thousand values spend nearly all its time
/// binding. Anonymous parameters have no names to scan.
fn positional_for_sqlite(sql: &str, values: Vec<Value>) -> (String, Vec<Value>) {
    let mut out = String::with_capacity(sql.len());
    let mut laid_out = Vec::with_capacity(values.len());
    let mut quoted = false;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        } else if c == '$' && !quoted && chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
            let mut end = i + 1;
            while let Some((j, d)) = chars.peek().copied()
                && d.is_ascii_digit()
            {
                end = j + 1;
                chars.next();
            }
            match sql[i + 1..end].parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|k| values.get(k)) {
                Some(v) => {
                    out.push('?');
                    laid_out.push(v.clone());
                }
                // Out of range: leave it for the driver to report.
                None => out.push_str(&sql[i..end]),
            }
            continue;
        }
        out.push(c);
    }
    (out, laid_out)
}

#[cfg(test)]
mod tests {
    use super::positional_for_sqlite;
    use sea_orm::Value;

    fn ints(v: &[Value]) -> Vec<i64> {
        v.iter().map(|x| if let Value::BigInt(Some(n)) = x { *n } else { panic!("{x:?}") }).collect()
    }

    #[test]
    fn parameters_are_laid_out_in_the_order_they_appear_outside_literals() {
        let (sql, v) = positional_for_sqlite(
            "INSERT INTO t (a, b, c) VALUES ($2, $12, $1); UPDATE h SET x = $1 WHERE y = '$2' AND z LIKE $3 ESCAPE '\\'",
            (1..=12).map(|n: i64| Value::from(n * 10)).collect(),
        );
        assert_eq!(
            sql,
            "INSERT INTO t (a, b, c) VALUES (?, ?, ?); UPDATE h SET x = ? WHERE y = '$2' AND z LIKE ? ESCAPE '\\'"
        );
        assert_eq!(ints(&v), [20, 120, 10, 10, 30]);
        let (sql, v) = positional_for_sqlite("SELECT 'it''s $1', $2, $9", vec![Value::from(1i64), Value::from(2i64)]);
        assert_eq!((sql.as_str(), ints(&v)), ("SELECT 'it''s $1', ?, $9", vec![2]));
    }
}
