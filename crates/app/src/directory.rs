//! Reads of the registry a signed-in user sees: their company, its
//! departments and staff, and its supply network. Each is scoped to the
//! actor's company; a record of another company is "not found".

use crate::error::{AppError, AppResult};
use crate::{Actor, App};
use pledge_domain::ids::*;
use pledge_domain::model::{Company, Department, NetworkNode, Page, PageRequest, Staff};
use pledge_domain::{Permission, Role, Utility};
use pledge_store::repo::*;

impl App {
    /// The actor's company and the utilities it runs.
    pub async fn company(&self, actor: &Actor) -> AppResult<Company> {
        self.store()
            .read()
            .companies()
            .await?
            .into_iter()
            .find(|c| c.id == actor.staff.company_id)
            .ok_or(AppError::NotFound("company"))
    }

    /// Every company, for the public outage feeds (code, name and hotline are public).
    pub async fn public_companies(&self) -> AppResult<Vec<Company>> {
        Ok(self.store().read().companies().await?)
    }

    /// The departments of the actor's company.
    pub async fn departments(&self, actor: &Actor) -> AppResult<Vec<Department>> {
        Ok(self.store().read().departments(Some(actor.staff.company_id)).await?)
    }

    /// One department of the actor's company.
    pub async fn department(&self, actor: &Actor, id: DepartmentId) -> AppResult<Department> {
        let d = self.store().read().department(id).await?;
        if d.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("department"));
        }
        Ok(d)
    }

    /// A page of the staff of the actor's company.
    pub async fn staff_list(
        &self,
        actor: &Actor,
        department_id: Option<DepartmentId>,
        role: Option<Role>,
        page: PageRequest,
    ) -> AppResult<Page<Staff>> {
        Ok(self.store().read().staff_list(Some(actor.staff.company_id), department_id, role, page).await?)
    }

    /// One staff member of the actor's company.
    pub async fn staff_member(&self, actor: &Actor, id: StaffId) -> AppResult<Staff> {
        let s = self.store().read().staff(id).await?;
        if s.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("staff"));
        }
        Ok(s)
    }

    /// The children of a network node of the actor's company (the roots for `None`).
    pub async fn node_children(
        &self,
        actor: &Actor,
        utility: Utility,
        parent: Option<NodeId>,
    ) -> AppResult<Vec<NetworkNode>> {
        Ok(self.store().read().node_children(actor.staff.company_id, utility, parent).await?)
    }

    /// One network node of the actor's company.
    pub async fn node(&self, actor: &Actor, id: NodeId) -> AppResult<NetworkNode> {
        let n = self.store().read().node(id).await?;
        if n.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("network node"));
        }
        Ok(n)
    }

    /// One network node and how many customers are supplied below it.
    pub async fn node_detail(&self, actor: &Actor, id: NodeId) -> AppResult<(NetworkNode, u64)> {
        actor.require(Permission::CaseRead, "read the network")?;
        let node = self.node(actor, id).await?;
        let below = self.store().read().count_customers_below(id).await?;
        Ok((node, below))
    }
}
