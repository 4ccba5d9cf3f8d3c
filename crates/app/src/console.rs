//! Reads the staff console needs beside the use cases proper: the nearest
//! deadline of each case on a list, cases by id or number, and the clocks
//! due soon with the case each belongs to. Scoped to the actor's company.

use crate::error::{AppError, AppResult};
use crate::{Actor, App};
use pledge_domain::CaseNumber;
use pledge_domain::Permission;
use pledge_domain::ids::*;
use pledge_domain::model::{Case, CaseDeadline, ClockRecord};
use pledge_store::repo::*;

impl App {
    /// The deadline of each of `cases` (those of the actor's company): the nearest due time among
    /// its running clocks, paused ones excluded, the same as the API's case `deadline`
    /// ([`pledge_domain::commitment::strictest`]).
    pub async fn case_deadlines(&self, actor: &Actor, cases: &[Case]) -> AppResult<Vec<CaseDeadline>> {
        actor.require(Permission::CaseRead, "read cases")?;
        let ids: Vec<CaseId> = cases.iter().filter(|c| c.company_id == actor.staff.company_id).map(|c| c.id).collect();
        Ok(self.store().read().case_deadlines(&ids).await?)
    }

    /// The cases of the actor's company among `ids`, in id order; unknown ids are skipped.
    /// Reporters' identities are masked as on the case page.
    pub async fn cases_by_ids(&self, actor: &Actor, ids: &[CaseId]) -> AppResult<Vec<Case>> {
        let cases = self.store().read().cases_by_ids(ids).await?;
        Ok(cases
            .into_iter()
            .filter(|c| c.company_id == actor.staff.company_id)
            .map(|c| crate::cases::mask_case(actor, c).0)
            .collect())
    }

    /// The id of the actor's company's case with this number.
    pub async fn case_id_by_number(&self, actor: &Actor, number: &CaseNumber) -> AppResult<CaseId> {
        let c = self.store().read().case_by_number(number).await?;
        if c.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("case"));
        }
        Ok(c.id)
    }

    /// Open clocks of the actor's company due before `before`, as stored (with
    /// the subject each is attached to); the same clocks [`App::at_risk`] shows.
    pub async fn clocks_due_before(
        &self,
        actor: &Actor,
        before: jiff::Timestamp,
        limit: u32,
    ) -> AppResult<Vec<ClockRecord>> {
        actor.require(Permission::CaseRead, "read commitments")?;
        Ok(self.store().read().clocks_due_before(actor.staff.company_id, before.as_microsecond(), limit).await?)
    }
}
