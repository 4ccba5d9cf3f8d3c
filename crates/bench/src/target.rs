//! The throwaway database a bench runs on: a temporary SQLite file, a given
//! new SQLite file, or a fresh database on a PostgreSQL server, dropped after.

use crate::db_url::redact_url;
use crate::{BenchError, BenchResult};

/// How the store opens SQLite (see `pledge_store::Store::connect`).
const SQLITE_SETTINGS: &str = "SQLite, WAL, synchronous=FULL";

/// The database the bench runs on, and how to clean it up.
pub(crate) enum Target {
    TempSqlite { dir: std::path::PathBuf, url: String },
    GivenSqlite { url: String },
    FreshPostgres { admin_url: String, name: String, url: String, settings: String },
}

impl Target {
    pub(crate) async fn prepare(database: Option<&str>) -> BenchResult<Target> {
        let pid = std::process::id();
        match database.map(str::trim) {
            None | Some("") => {
                let dir = std::env::temp_dir().join(format!("pledge-bench-{pid}"));
                std::fs::create_dir_all(&dir)
                    .map_err(|e| BenchError::msg(format!("cannot create {}: {e}", dir.display())))?;
                let url = format!("sqlite://{}", dir.join("bench.db").display());
                Ok(Target::TempSqlite { dir, url })
            }
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                let name = format!("pledge_bench_{pid}");
                let url = with_database(u, &name)?;
                let mut conn = pg_admin(u).await?;
                pg_exec(&mut conn, format!("CREATE DATABASE {name}"))
                    .await
                    .map_err(|e| BenchError::msg(format!("cannot create database {name}: {e}")))?;
                // What a commit's durability depends on, to print beside the figures.
                let settings: String = sqlx::query_scalar(
                    "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync') \
                     || ', synchronous_commit=' || current_setting('synchronous_commit')",
                )
                .fetch_one(&mut conn)
                .await
                .unwrap_or_else(|e| format!("PostgreSQL (settings unknown: {e})"));
                let _ = sqlx::Connection::close(conn).await;
                Ok(Target::FreshPostgres { admin_url: u.to_owned(), name, url, settings })
            }
            Some(u) => Ok(Target::GivenSqlite { url: u.to_owned() }),
        }
    }

    pub(crate) fn url(&self) -> &str {
        match self {
            Target::TempSqlite { url, .. } | Target::GivenSqlite { url } | Target::FreshPostgres { url, .. } => url,
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Target::TempSqlite { url, .. } => format!("{url} (temporary; {SQLITE_SETTINGS})"),
            Target::GivenSqlite { url } => format!("{} ({SQLITE_SETTINGS})", redact_url(url)),
            Target::FreshPostgres { url, settings, .. } => {
                format!("{} (created for this run; {settings})", redact_url(url))
            }
        }
    }

    /// Removes what [`Target::prepare`] made; the store must be closed.
    pub(crate) async fn cleanup(self) {
        match self {
            Target::TempSqlite { dir, .. } => {
                if let Err(e) = std::fs::remove_dir_all(&dir) {
                    eprintln!("warning: could not remove {}: {e}", dir.display());
                }
            }
            Target::GivenSqlite { .. } => {}
            Target::FreshPostgres { admin_url, name, .. } => {
                let dropped = async {
                    let mut conn = pg_admin(&admin_url).await?;
                    pg_exec(&mut conn, format!("DROP DATABASE IF EXISTS {name}"))
                        .await
                        .map_err(|e| BenchError::msg(e.to_string()))?;
                    let _ = sqlx::Connection::close(conn).await;
                    Ok::<_, BenchError>(())
                };
                if let Err(e) = dropped.await {
                    eprintln!("warning: could not drop database {name}: {e}");
                }
            }
        }
    }
}

async fn pg_admin(url: &str) -> BenchResult<sqlx::PgConnection> {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url)
        .await
        .map_err(|e| BenchError::msg(format!("cannot connect to {}: {e}", redact_url(url))))
}

async fn pg_exec(conn: &mut sqlx::PgConnection, sql: String) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(conn).await.map(|_| ())
}

/// The same PostgreSQL URL naming another database.
fn with_database(url: &str, db: &str) -> BenchResult<String> {
    let bad = || BenchError::msg(format!("not a PostgreSQL URL: {}", redact_url(url)));
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    // User info ends at the last '@' (a password may hold '/' or '?').
    let host_at = rest.rfind('@').map_or(0, |i| i + 1);
    let (auth, tail) = rest.split_at(host_at);
    let host_end = tail.find(['/', '?']).unwrap_or(tail.len());
    let (host, after) = tail.split_at(host_end);
    let query = after.find('?').map_or("", |i| &after[i..]);
    if host.is_empty() {
        return Err(bad());
    }
    Ok(format!("{scheme}://{auth}{host}/{db}{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_point_at_another_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "b").unwrap(),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            with_database("postgresql://u:p/a?s@h/db?sslmode=disable", "b").unwrap(),
            "postgresql://u:p/a?s@h/b?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "b").unwrap(), "postgres://h/b");
        assert_eq!(with_database("postgres://h?application_name=x", "b").unwrap(), "postgres://h/b?application_name=x");
        assert!(with_database("postgres://", "b").is_err());
    }
}
