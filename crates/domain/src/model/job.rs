//! Durable jobs.

/// A claimed job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}
