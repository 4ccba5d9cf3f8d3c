//! Durable jobs.

use crate::ids::JobId;
/// A claimed job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}
