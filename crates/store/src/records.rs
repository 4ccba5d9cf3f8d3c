//! What the store hands back: the plain records of [`pledge_domain::model`],
//! and the row helpers shared by the modules that map them.

use jiff::Timestamp;

pub(crate) use crate::bind::Bind;
pub(crate) use pledge_domain::ids::*;
pub(crate) use pledge_domain::model::*;

use crate::error::{Result, StoreError};

pub(crate) fn ts(us: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|e| StoreError::Corrupt(format!("timestamp {us}: {e}")))
}
