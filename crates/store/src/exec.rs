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

    /// Runs an INSERT … RETURNING id and returns the id, typed.
    pub(crate) async fn insert_id<T: From<i64>>(&self, sql: &str, values: Vec<Value>) -> Result<T> {
        let id: Option<i64> = self.fetch_opt(sql, values).await?;
        id.map(T::from).ok_or(crate::StoreError::Internal("insert returned no id".into()))
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
    /// Savepoints open in the database (kept ones included), innermost last.
    depth: usize,
    /// The depth from which the transaction's state is unknown: a savepoint
    /// scope was dropped unfinished, or could not be released or rolled back.
    /// Rolling back to a savepoint at or below it clears it; [`Tx::commit`]
    /// refuses while it is set.
    broken: Option<usize>,
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
        Ok(Tx { txn, backend, head: None, depth: 0, broken: None })
    }

    /// Statements inside this transaction.
    pub fn exec(&self) -> Exec<'_> {
        Exec { conn: Conn::Tx(&self.txn), backend: self.backend }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Commits; refuses (and rolls back) if a savepoint scope was left unfinished.
    pub async fn commit(self) -> Result<()> {
        if self.broken.is_some() {
            self.txn.rollback().await?;
            return Err(crate::StoreError::Internal("a savepoint was left unfinished; rolled back".into()));
        }
        Ok(self.txn.commit().await?)
    }

    pub async fn rollback(self) -> Result<()> {
        Ok(self.txn.rollback().await?)
    }

    /// Opens a savepoint: work done through the returned scope can be undone
    /// (ledger appends included) without losing earlier work. The scope must
    /// end with [`Savepoint::keep`], [`Savepoint::release`] or
    /// [`Savepoint::rollback`]; dropped unfinished, it stops the commit.
    pub async fn savepoint(&mut self) -> Result<Savepoint<'_>> {
        let depth = self.depth;
        self.txn.execute_unprepared(&format!("SAVEPOINT sp{depth}")).await?;
        self.depth += 1;
        let head = self.head.clone();
        Ok(Savepoint { tx: self, depth, head, finished: false })
    }

    /// Whether a savepoint scope was left unfinished or could not be ended
    /// (until a rollback to an enclosing savepoint); such a transaction cannot commit.
    pub fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    fn mark_broken(&mut self, depth: usize) {
        self.broken = Some(self.broken.map_or(depth, |b| b.min(depth)));
    }
}

/// An open savepoint of a [`Tx`], reached through [`Savepoint::tx`]. Scopes
/// nest by borrowing, so they always end innermost first.
pub struct Savepoint<'t> {
    tx: &'t mut Tx,
    depth: usize,
    head: Option<LedgerHead>,
    finished: bool,
}

impl Savepoint<'_> {
    /// The transaction, for the work this savepoint covers.
    pub fn tx(&mut self) -> &mut Tx {
        self.tx
    }

    /// Keeps the work and leaves the savepoint open; the transaction's commit
    /// releases it (one statement fewer than [`Savepoint::release`]).
    pub fn keep(mut self) {
        self.finished = true;
    }

    /// Keeps the work and releases the savepoint (and any kept inside it).
    pub async fn release(mut self) -> Result<()> {
        self.finished = true;
        let d = self.depth;
        match self.tx.txn.execute_unprepared(&format!("RELEASE SAVEPOINT sp{d}")).await {
            Ok(_) => {
                self.tx.depth = d;
                Ok(())
            }
            Err(e) => {
                self.tx.mark_broken(d);
                Err(e.into())
            }
        }
    }

    /// Undoes the work since the savepoint, including ledger appends, and
    /// releases it.
    pub async fn rollback(mut self) -> Result<()> {
        self.finished = true;
        let d = self.depth;
        let undo = async {
            self.tx.txn.execute_unprepared(&format!("ROLLBACK TO SAVEPOINT sp{d}")).await?;
            self.tx.txn.execute_unprepared(&format!("RELEASE SAVEPOINT sp{d}")).await
        };
        match undo.await {
            Ok(_) => {
                self.tx.depth = d;
                self.tx.head = self.head.take();
                if self.tx.broken.is_some_and(|b| b >= d) {
                    self.tx.broken = None;
                }
                Ok(())
            }
            Err(e) => {
                self.tx.mark_broken(d);
                Err(e.into())
            }
        }
    }
}

impl Drop for Savepoint<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.tx.mark_broken(self.depth);
        }
    }
}
