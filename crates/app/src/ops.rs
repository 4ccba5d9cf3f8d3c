//! What the operations endpoints read: whether the database answers, which
//! engine it is, and the case counts the metrics export.

use crate::App;
use crate::error::AppResult;
use pledge_domain::CaseState;
use pledge_store::repo::*;

impl App {
    /// Whether the database answers.
    pub async fn database_answers(&self) -> bool {
        self.store().ping().await.is_ok()
    }

    /// The database engine: `sqlite` or `postgres`.
    pub fn database_name(&self) -> &'static str {
        self.store().backend().name()
    }

    /// How many cases are in each state, across companies (for the metrics).
    pub async fn case_counts_by_state(&self) -> AppResult<Vec<(CaseState, u64)>> {
        Ok(self.store().read().case_counts_by_state().await?)
    }
}
