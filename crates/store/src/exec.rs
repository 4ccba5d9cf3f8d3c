//! Where SQL runs: on the pool for reads ([`Exec`]) or inside a write
//! transaction ([`Tx`]).

use crate::error::Result;
use crate::records::*;
use crate::row::{FromRow, Row, map_all};
use crate::{Backend, stmt};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, QueryResult, SqliteTransactionMode, TransactionOptions,
    TransactionTrait, Value,
};

#[derive(Clone, Copy)]
enum Conn<'a> {
    Pool(&'a DatabaseConnection),
    Tx(&'a DatabaseTransaction),
}

/// A place to run statements: the pool or an open transaction.
#[derive(Clone, Copy)]
pub struct Exec<'a> {
    conn: Conn<'a>,
    pub(crate) backend: Backend,
}

impl<'a> Exec<'a> {
    pub(crate) fn pool(db: &'a DatabaseConnection, backend: Backend) -> Self {
        Exec { conn: Conn::Pool(db), backend }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) async fn one(&self, sql: &str, values: Vec<Value>) -> Result<Option<QueryResult>> {
        let s = stmt(self.backend, sql, values);
        Ok(match self.conn {
            Conn::Pool(c) => c.query_one_raw(s).await?,
            Conn::Tx(c) => c.query_one_raw(s).await?,
        })
    }

    pub(crate) async fn all(&self, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>> {
        let s = stmt(self.backend, sql, values);
        Ok(match self.conn {
            Conn::Pool(c) => c.query_all_raw(s).await?,
            Conn::Tx(c) => c.query_all_raw(s).await?,
        })
    }

    /// Runs a statement; returns the number of rows it touched.
    pub(crate) async fn run(&self, sql: &str, values: Vec<Value>) -> Result<u64> {
        let s = stmt(self.backend, sql, values);
        Ok(match self.conn {
            Conn::Pool(c) => c.execute_raw(s).await?,
            Conn::Tx(c) => c.execute_raw(s).await?,
        }
        .rows_affected())
    }

    /// Runs an INSERT … RETURNING id and returns the id.
    pub(crate) async fn insert_id(&self, sql: &str, values: Vec<Value>) -> Result<i64> {
        self.fetch_opt(sql, values).await?.ok_or(crate::StoreError::Internal("insert returned no id".into()))
    }

    /// The first row, mapped, if there is one.
    pub(crate) async fn fetch_opt<T: FromRow>(&self, sql: &str, values: Vec<Value>) -> Result<Option<T>> {
        self.one(sql, values).await?.as_ref().map(|r| T::from_row(Row::new(r))).transpose()
    }

    /// The first row, mapped; none is `NotFound(what)`.
    pub(crate) async fn fetch<T: FromRow>(&self, sql: &str, values: Vec<Value>, what: &'static str) -> Result<T> {
        self.fetch_opt(sql, values).await?.ok_or(crate::StoreError::NotFound(what))
    }

    /// Every row, mapped.
    pub(crate) async fn fetch_all<T: FromRow>(&self, sql: &str, values: Vec<Value>) -> Result<Vec<T>> {
        map_all(&self.all(sql, values).await?)
    }
}

/// An open write transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    txn: DatabaseTransaction,
    backend: Backend,
    /// The ledger's head as this transaction will leave it; read once, then
    /// advanced in memory as events are appended.
    pub(crate) head: Option<LedgerHead>,
    savepoints: Vec<Option<LedgerHead>>,
}

impl Tx {
    pub(crate) async fn begin(db: &DatabaseConnection, backend: Backend) -> Result<Tx> {
        let txn = match backend {
            Backend::Sqlite => {
                db.begin_with_options(TransactionOptions {
                    isolation_level: None,
                    access_mode: None,
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                })
                .await?
            }
            Backend::Postgres => db.begin().await?,
        };
        Ok(Tx { txn, backend, head: None, savepoints: Vec::new() })
    }

    /// Statements inside this transaction.
    pub fn exec(&self) -> Exec<'_> {
        Exec { conn: Conn::Tx(&self.txn), backend: self.backend }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn commit(self) -> Result<()> {
        Ok(self.txn.commit().await?)
    }

    pub async fn rollback(self) -> Result<()> {
        Ok(self.txn.rollback().await?)
    }

    /// Marks a point this transaction can return to without losing earlier work.
    pub async fn savepoint(&mut self) -> Result<()> {
        let name = format!("sp{}", self.savepoints.len());
        self.txn.execute_unprepared(&format!("SAVEPOINT {name}")).await?;
        self.savepoints.push(self.head.clone());
        Ok(())
    }

    /// Keeps the work since the last savepoint.
    pub async fn release_savepoint(&mut self) -> Result<()> {
        if self.savepoints.pop().is_some() {
            let name = format!("sp{}", self.savepoints.len());
            self.txn.execute_unprepared(&format!("RELEASE SAVEPOINT {name}")).await?;
        }
        Ok(())
    }

    /// Undoes the work since the last savepoint, including ledger appends.
    pub async fn rollback_to_savepoint(&mut self) -> Result<()> {
        if let Some(head) = self.savepoints.pop() {
            let name = format!("sp{}", self.savepoints.len());
            self.txn.execute_unprepared(&format!("ROLLBACK TO SAVEPOINT {name}")).await?;
            self.txn.execute_unprepared(&format!("RELEASE SAVEPOINT {name}")).await?;
            self.head = head;
        }
        Ok(())
    }
}
