//! Row mapping: each record the store hands back has one [`FromRow`] impl,
//! reading its columns by name through [`Row`]'s typed getters. Scalars and
//! pairs read the first columns by position (`SELECT id …`, `COUNT(*)`).

use crate::error::{Result, StoreError, decode};
use crate::records::ts;
use jiff::Timestamp;
use sea_orm::{QueryResult, TryGetable};

/// One result row, with getters for the ways the schema stores values.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a>(&'a QueryResult);

impl<'a> Row<'a> {
    pub(crate) fn new(r: &'a QueryResult) -> Self {
        Row(r)
    }

    /// A column as it is stored.
    pub(crate) fn get<T: TryGetable>(&self, col: &str) -> Result<T> {
        Ok(self.0.try_get("", col)?)
    }

    /// The column at `idx` (0-based) as it is stored.
    pub(crate) fn at<T: TryGetable>(&self, idx: usize) -> Result<T> {
        Ok(self.0.try_get_by_index(idx)?)
    }

    /// A key column as its typed id (`r.id::<CaseId>("id")`).
    pub(crate) fn id<T: From<i64>>(&self, col: &str) -> Result<T> {
        Ok(T::from(self.get::<i64>(col)?))
    }

    /// A nullable key column as its typed id.
    pub(crate) fn opt_id<T: From<i64>>(&self, col: &str) -> Result<Option<T>> {
        Ok(self.get::<Option<i64>>(col)?.map(T::from))
    }

    /// An instant stored as microseconds.
    pub(crate) fn ts(&self, col: &str) -> Result<Timestamp> {
        ts(self.get(col)?)
    }

    /// A nullable instant stored as microseconds.
    pub(crate) fn opt_ts(&self, col: &str) -> Result<Option<Timestamp>> {
        self.get::<Option<i64>>(col)?.map(ts).transpose()
    }

    /// A boolean stored as 0 or 1.
    pub(crate) fn flag(&self, col: &str) -> Result<bool> {
        Ok(self.get::<i64>(col)? != 0)
    }

    /// A count (a NULL sum counts as 0, a negative one as 0).
    pub(crate) fn count(&self, col: &str) -> Result<u64> {
        Ok(self.get::<Option<i64>>(col)?.unwrap_or(0).max(0) as u64)
    }

    /// A domain code stored as text (`what` names it in the corruption report).
    pub(crate) fn code<T>(&self, col: &str, what: &'static str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        decode(what, &self.get::<String>(col)?, parse)
    }

    /// A nullable domain code stored as text.
    pub(crate) fn opt_code<T>(
        &self,
        col: &str,
        what: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        self.get::<Option<String>>(col)?.map(|s| decode(what, &s, parse)).transpose()
    }

    /// A value stored as JSON text.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self, col: &str, what: &'static str) -> Result<T> {
        let raw: String = self.get(col)?;
        serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
    }
}

/// How a record is read from a row: one impl per record.
pub(crate) trait FromRow: Sized {
    fn from_row(r: Row<'_>) -> Result<Self>;
}

/// A single value: the first column.
impl FromRow for i64 {
    fn from_row(r: Row<'_>) -> Result<Self> {
        r.at(0)
    }
}

/// A single typed id: the first column.
macro_rules! id_from_row {
    ($($id:ty),* $(,)?) => {$(
        impl FromRow for $id {
            fn from_row(r: Row<'_>) -> Result<Self> {
                Ok(<$id>::from(r.at::<i64>(0)?))
            }
        }
    )*};
}

id_from_row!(
    pledge_domain::ids::CaseId,
    pledge_domain::ids::CustomerId,
    pledge_domain::ids::StaffId,
    pledge_domain::ids::CompanyId,
    pledge_domain::ids::DepartmentId,
    pledge_domain::ids::OutageId,
    pledge_domain::ids::SuspectId,
    pledge_domain::ids::WorkOrderId,
    pledge_domain::ids::NotificationId,
    pledge_domain::ids::NodeId,
    pledge_domain::ids::PremisesId,
    pledge_domain::ids::ClockId,
    pledge_domain::ids::EventId,
    pledge_domain::ids::ExtensionRequestId,
    pledge_domain::ids::DistributionId,
    pledge_domain::ids::JobId,
);

/// A pair: the first two columns.
impl FromRow for (i64, String) {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok((r.at(0)?, r.at(1)?))
    }
}

pub(crate) fn map_all<T: FromRow>(rows: &[QueryResult]) -> Result<Vec<T>> {
    rows.iter().map(|r| T::from_row(Row::new(r))).collect()
}
