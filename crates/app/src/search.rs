//! The intake screen's customer search: few rows, found fast, every
//! customer shown written to the access log like any other read.

use crate::error::AppResult;
use crate::{Actor, App};
use pledge_domain::Permission;
use pledge_domain::model::Customer;
use pledge_store::repo::*;

impl App {
    /// Customers matching what the clerk typed (number or phone digits, name or address words).
    #[tracing::instrument(skip(self, actor, text))]
    pub async fn search_customers(&self, actor: &Actor, text: &str, limit: u32) -> AppResult<Vec<Customer>> {
        actor.require(Permission::CustomerRead, "read customers")?;
        let found = self.store().read().search_customers(actor.staff.company_id, text, limit).await?;
        self.log_access(actor, "customer", found.iter().map(|c| c.id.get()).collect(), "search").await?;
        Ok(found)
    }
}
