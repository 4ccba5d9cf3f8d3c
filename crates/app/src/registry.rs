//! Registry use cases: departments, staff, the supply network, premises and
//! customers. Every change is also a ledger event; every read of customers'
//! personal data is written to the access log.

use crate::auth::{Secret, hash_password};
use crate::error::{AppError, AppResult};
use crate::{Actor, App};
use pledge_domain::ids::*;

pub(crate) use crate::ledger::event;
use pledge_domain::model::{
    Customer, CustomerFilter, Department, NetworkNode, NewCustomer, NewNode, NewPremises, NewStaff, Page, PageRequest,
    Staff,
};
use pledge_domain::network::NodeLevel;
use pledge_domain::text::Label;
use pledge_domain::{
    AccountName, CustomerCategory, CustomerNumber, Permission, Phone, Role, SpecialCare, Utility, Zone,
};
use pledge_store::repo::*;
use serde_json::json;

/// The department holding the management copy is the one with this code.
pub const GENERAL_MANAGEMENT_CODE: &str = "GMO";

/// Input for a new customer account, with its premises.
#[derive(Debug, Clone)]
pub struct CustomerInput {
    pub utility: Utility,
    pub number: CustomerNumber,
    pub account_name: AccountName,
    pub category: CustomerCategory,
    pub phone: Option<Phone>,
    pub special_care: Vec<SpecialCare>,
    pub address: String,
    pub zone: Zone,
    pub floor_area_m2: Option<i64>,
    /// The network leaf that supplies the premises.
    pub node_id: Option<NodeId>,
}

/// Changes to a customer; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct CustomerPatch {
    pub account_name: Option<AccountName>,
    pub category: Option<CustomerCategory>,
    pub phone: Option<Option<Phone>>,
    pub special_care: Option<Vec<SpecialCare>>,
}

#[derive(Debug, Clone)]
pub struct StaffInput {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub password: Secret,
}

fn username(raw: &str) -> AppResult<String> {
    let u = raw.trim().to_ascii_lowercase();
    let ok = (3..=40).contains(&u.len())
        && u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if ok {
        Ok(u)
    } else {
        Err(AppError::invalid("invalid_username", "username", "usernames are 3–40 letters, digits, '.', '_' or '-'"))
    }
}

impl App {
    #[tracing::instrument(skip(self, actor))]
    pub async fn create_department(
        &self,
        actor: &Actor,
        code: &str,
        name_zh: &str,
        name_en: &str,
        utility: Option<Utility>,
    ) -> AppResult<Department> {
        actor.require(Permission::RegistryWrite, "change the registry")?;
        let code = Label::parse("code", code)?.into_inner();
        let name_zh = Label::parse("name_zh", name_zh)?.into_inner();
        let name_en = Label::parse("name_en", name_en)?.into_inner();
        let (company_id, who, at) = (actor.staff.company_id, actor.id(), self.now().as_microsecond());
        let id = self
            .writer
            .write(async move |tx| {
                let id = tx.insert_department(company_id, &code, &name_zh, &name_en, utility).await?;
                event(
                    tx,
                    Some(who),
                    None,
                    "department.created",
                    json!({"department_id": id, "code": code, "name_zh": name_zh}),
                    at,
                )
                .await?;
                Ok(id)
            })
            .await?;
        Ok(self.store().read().department(id).await?)
    }

    #[tracing::instrument(skip(self, actor, input), fields(username = %input.username))]
    pub async fn create_staff(&self, actor: &Actor, input: StaffInput) -> AppResult<Staff> {
        actor.require(Permission::StaffManage, "manage staff")?;
        let username = username(&input.username)?;
        let display_name = Label::parse("display_name", &input.display_name)?.into_inner();
        let cost = self.config().password;
        let pw = input.password.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(&pw, cost))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        if let Some(d) = input.department_id {
            self.store()
                .read()
                .department(d)
                .await
                .map_err(|_| AppError::invalid("unknown_department", "department_id", "no such department"))?;
        }
        let new = NewStaff {
            company_id: actor.staff.company_id,
            department_id: input.department_id,
            username,
            display_name,
            role: input.role,
            password_hash: hash,
        };
        let (who, at) = (actor.id(), self.now().as_microsecond());
        let id = self
            .writer
            .write(async move |tx| {
                let id = tx.insert_staff(&new).await?;
                event(
                    tx,
                    Some(who),
                    None,
                    "staff.created",
                    json!({"staff_id": id, "username": new.username, "role": new.role.code()}),
                    at,
                )
                .await?;
                Ok(id)
            })
            .await?;
        Ok(self.store().read().staff(id).await?)
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn update_staff(
        &self,
        actor: &Actor,
        id: StaffId,
        display_name: Option<String>,
        role: Option<Role>,
        department_id: Option<Option<DepartmentId>>,
        active: Option<bool>,
    ) -> AppResult<Staff> {
        actor.require(Permission::StaffManage, "manage staff")?;
        let display_name = display_name.map(|d| Label::parse("display_name", &d).map(Label::into_inner)).transpose()?;
        let (who, at) = (actor.id(), self.now().as_microsecond());
        self.writer
            .write(async move |tx| {
                tx.update_staff(id, display_name.as_deref(), role, department_id, active).await?;
                event(
                    tx,
                    Some(who),
                    None,
                    "staff.updated",
                    json!({"staff_id": id, "role": role.map(|r| r.code()), "active": active}),
                    at,
                )
                .await?;
                Ok(())
            })
            .await?;
        Ok(self.store().read().staff(id).await?)
    }

    #[tracing::instrument(skip(self, actor))]
    pub async fn create_node(
        &self,
        actor: &Actor,
        utility: Utility,
        parent_id: Option<NodeId>,
        level: NodeLevel,
        name: &str,
    ) -> AppResult<NetworkNode> {
        actor.require(Permission::RegistryWrite, "change the registry")?;
        let new = NewNode {
            company_id: actor.staff.company_id,
            utility,
            parent_id,
            level,
            name: Label::parse("name", name)?.into_inner(),
        };
        let (who, at) = (actor.id(), self.now().as_microsecond());
        self.writer
            .write(async move |tx| {
                let node = tx.insert_node(&new).await.map_err(|e| match e {
                    pledge_store::StoreError::NotFound(_) => {
                        AppError::invalid("unknown_node", "parent_id", "no such parent node")
                    }
                    other => other.into(),
                })?;
                event(
                    tx,
                    Some(who),
                    None,
                    "network.node_created",
                    json!({"node_id": node.id, "parent_id": node.parent_id, "path": node.path}),
                    at,
                )
                .await?;
                Ok(node)
            })
            .await
    }

    /// Creates a customer account and its premises, attached to a network leaf.
    #[tracing::instrument(skip_all)]
    pub async fn create_customer(&self, actor: &Actor, input: CustomerInput) -> AppResult<Customer> {
        actor.require(Permission::CustomerWrite, "register customers")?;
        let address = Label::parse("address", &input.address)
            .map_err(|_| AppError::invalid("invalid_address", "address", "an address of 1–100 characters is required"))?
            .into_inner();
        if input.floor_area_m2.is_some_and(|a| !(1..=1_000_000).contains(&a)) {
            return Err(AppError::invalid(
                "invalid_floor_area",
                "floor_area_m2",
                "floor area must be between 1 and 1,000,000 m²",
            ));
        }
        if let Some(n) = input.node_id {
            let node = self
                .store()
                .read()
                .node(n)
                .await
                .map_err(|_| AppError::invalid("unknown_node", "node_id", "no such network node"))?;
            if node.utility != input.utility {
                return Err(AppError::invalid(
                    "node_utility_mismatch",
                    "node_id",
                    "the node belongs to another utility's network",
                ));
            }
        }
        let company_id = actor.staff.company_id;
        let (who, at) = (actor.id(), self.now().as_microsecond());
        let id = self
            .writer
            .write(async move |tx| {
                let premises_id = tx
                    .insert_premises(&NewPremises {
                        company_id,
                        address,
                        zone: input.zone,
                        floor_area_m2: input.floor_area_m2,
                    })
                    .await?;
                if let Some(n) = input.node_id {
                    tx.attach_premises(premises_id, n).await?;
                }
                let id = tx
                    .insert_customer(&NewCustomer {
                        company_id,
                        utility: input.utility,
                        number: input.number.clone(),
                        account_name: input.account_name,
                        category: input.category,
                        phone: input.phone,
                        special_care: input.special_care,
                        premises_id: Some(premises_id),
                    })
                    .await
                    .map_err(|e| match e {
                        pledge_store::StoreError::Conflict(_) => AppError::conflict(
                            "duplicate_customer_number",
                            "a customer with that customer number already exists",
                        ),
                        other => other.into(),
                    })?;
                event(
                    tx,
                    Some(who),
                    None,
                    "customer.created",
                    json!({"customer_id": id, "customer_number": input.number.as_str()}),
                    at,
                )
                .await?;
                Ok(id)
            })
            .await?;
        Ok(self.store().read().customer(id).await?)
    }

    #[tracing::instrument(skip(self, actor, patch))]
    pub async fn update_customer(&self, actor: &Actor, id: CustomerId, patch: CustomerPatch) -> AppResult<Customer> {
        // A customer of another company is "not found", whatever the role.
        if self.store().read().customer(id).await?.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("customer"));
        }
        actor.require(Permission::CustomerWrite, "change customers")?;
        let (who, at) = (actor.id(), self.now().as_microsecond());
        self.writer
            .write(async move |tx| {
                tx.update_customer(
                    id,
                    patch.account_name.as_ref(),
                    patch.category,
                    patch.phone.as_ref().map(|p| p.as_ref()),
                    patch.special_care.as_deref(),
                )
                .await?;
                let fields: Vec<&str> = [
                    patch.account_name.is_some().then_some("account_name"),
                    patch.category.is_some().then_some("category"),
                    patch.phone.is_some().then_some("phone"),
                    patch.special_care.is_some().then_some("special_care"),
                ]
                .into_iter()
                .flatten()
                .collect();
                event(tx, Some(who), None, "customer.updated", json!({"customer_id": id, "fields": fields}), at)
                    .await?;
                Ok(())
            })
            .await?;
        self.customer(actor, id).await
    }

    /// One customer's record; the read is logged.
    #[tracing::instrument(skip(self, actor))]
    pub async fn customer(&self, actor: &Actor, id: CustomerId) -> AppResult<Customer> {
        actor.require(Permission::CustomerRead, "read customers")?;
        let c = self.store().read().customer(id).await?;
        self.log_access(actor, "customer", vec![c.id.get()], "read").await?;
        Ok(c)
    }

    /// A page of customers; every customer shown is logged as read.
    #[tracing::instrument(skip(self, actor, filter))]
    pub async fn customers(
        &self,
        actor: &Actor,
        mut filter: CustomerFilter,
        page: PageRequest,
    ) -> AppResult<Page<Customer>> {
        actor.require(Permission::CustomerRead, "read customers")?;
        filter.company_id = Some(actor.staff.company_id);
        let p = self.store().read().customers(&filter, page).await.map_err(|e| match e {
            pledge_store::StoreError::NotFound(_) => {
                AppError::invalid("unknown_node", "below_node", "no such network node")
            }
            other => other.into(),
        })?;
        self.log_access(actor, "customer", p.items.iter().map(|c| c.id.get()).collect(), "list").await?;
        Ok(p)
    }

    pub(crate) async fn log_access(
        &self,
        actor: &Actor,
        subject: &'static str,
        ids: Vec<i64>,
        action: &'static str,
    ) -> AppResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let (who, at) = (actor.id(), self.now().as_microsecond());
        self.writer.write(async move |tx| Ok(tx.log_access(who, subject, &ids, action, at).await?)).await
    }
}

/// A fresh installation's first company and administrator.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub company_code: String,
    pub company_name: String,
    pub hotline: String,
    pub utilities: Vec<Utility>,
    pub admin_username: String,
    pub admin_name: String,
    pub admin_password: Secret,
}

impl App {
    /// Creates a company with its general-management department and first
    /// administrator. Refused when the company code is taken.
    #[tracing::instrument(skip_all, fields(company = %b.company_code))]
    pub async fn bootstrap(&self, b: Bootstrap) -> AppResult<Actor> {
        let code = Label::parse("company_code", &b.company_code)?.into_inner();
        let name = Label::parse("company_name", &b.company_name)?.into_inner();
        let hotline = Label::parse("hotline", &b.hotline)?.into_inner();
        let admin_username = username(&b.admin_username)?;
        let admin_name = Label::parse("admin_name", &b.admin_name)?.into_inner();
        let cost = self.config().password;
        let pw = b.admin_password.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(&pw, cost))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        let at = self.now().as_microsecond();
        let id = self
            .writer
            .write(async move |tx| {
                let company_id =
                    tx.insert_company(&code, &name, &hotline, &b.utilities).await.map_err(|e| match e {
                        pledge_store::StoreError::Conflict(_) => {
                            AppError::conflict("company_exists", "a company with that code already exists")
                        }
                        other => other.into(),
                    })?;
                let gmo = tx
                    .insert_department(company_id, GENERAL_MANAGEMENT_CODE, "综合管理部", "General management", None)
                    .await?;
                let id = tx
                    .insert_staff(&NewStaff {
                        company_id,
                        department_id: Some(gmo),
                        username: admin_username,
                        display_name: admin_name,
                        role: Role::Admin,
                        password_hash: hash,
                    })
                    .await?;
                event(
                    tx,
                    Some(id),
                    None,
                    "company.bootstrapped",
                    json!({"company_id": company_id, "code": code, "admin_id": id}),
                    at,
                )
                .await?;
                Ok(id)
            })
            .await?;
        Ok(Actor { staff: self.store().read().staff(id).await? })
    }
}
