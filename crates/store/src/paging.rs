//! Lists a page at a time: one helper counts the matches and reads the page,
//! with a small builder for the WHERE clauses and their `$N` parameters.

use crate::error::Result;
use crate::exec::Exec;
use crate::records::*;
use crate::row::FromRow;
use sea_orm::Value;

/// AND-ed conditions and the values their `$N` parameters stand for.
#[derive(Debug, Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Where {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Binds a value; returns its parameter (`$N`).
    pub(crate) fn arg(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        format!("${}", self.values.len())
    }

    /// Adds a condition.
    pub(crate) fn and(&mut self, clause: impl Into<String>) {
        self.clauses.push(clause.into());
    }

    /// Adds `col = value` when there is a value.
    pub(crate) fn eq(&mut self, col: &str, v: Option<impl Into<Value>>) {
        if let Some(v) = v {
            let a = self.arg(v);
            self.clauses.push(format!("{col} = {a}"));
        }
    }

    /// Adds `col IN (values)` unless the list is empty (then nothing is filtered).
    pub(crate) fn any<V: Into<Value>>(&mut self, col: &str, vs: impl IntoIterator<Item = V>) {
        let marks: Vec<String> = vs.into_iter().map(|v| self.arg(v)).collect();
        if !marks.is_empty() {
            self.clauses.push(format!("{col} IN ({})", marks.join(", ")));
        }
    }

    /// `WHERE a AND b …`, or nothing when there are no conditions.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() { String::new() } else { format!("WHERE {}", self.clauses.join(" AND ")) }
    }

    pub(crate) fn into_values(self) -> Vec<Value> {
        self.values
    }
}

impl Exec<'_> {
    /// One page of `SELECT {cols} {from_where} ORDER BY {order_by}` and the
    /// number of all its rows. `from_where` is the FROM clause with any joins
    /// and WHERE, its parameters numbered `$1…` over `values`; the limit and
    /// offset are bound after them. A page past the end reads no rows.
    pub(crate) async fn page<T: FromRow>(
        &self,
        cols: &str,
        from_where: &str,
        values: Vec<Value>,
        order_by: &str,
        page: PageRequest,
    ) -> Result<Page<T>> {
        let total = self.fetch_opt::<i64>(&format!("SELECT COUNT(*) AS n {from_where}"), values.clone()).await?;
        let total = total.unwrap_or(0).max(0) as u64;
        if total == 0 || page.offset >= total {
            return Ok(Page { items: Vec::new(), total });
        }
        let (lim, off) = (values.len() + 1, values.len() + 2);
        let mut values = values;
        values.push(i64::from(page.limit).into());
        values.push((page.offset as i64).into());
        let sql = format!("SELECT {cols} {from_where} ORDER BY {order_by} LIMIT ${lim} OFFSET ${off}");
        Ok(Page { items: self.fetch_all(&sql, values).await?, total })
    }
}
