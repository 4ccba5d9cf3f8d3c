//! Companies, departments, staff, the supply network, premises and customers.

use crate::ids::{CompanyId, CustomerId, DepartmentId, NodeId, PremisesId, StaffId};
use crate::network::NodeLevel;
use crate::{AccountName, CustomerCategory, CustomerNumber, Phone, Role, SpecialCare, Utility, Zone};
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: CompanyId,
    pub code: String,
    pub name: String,
    pub hotline: String,
    pub utilities: Vec<Utility>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: DepartmentId,
    pub company_id: CompanyId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub utility: Option<Utility>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: StaffId,
    pub company_id: CompanyId,
    pub department_id: Option<DepartmentId>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkNode {
    pub id: NodeId,
    pub company_id: CompanyId,
    pub utility: Utility,
    pub parent_id: Option<NodeId>,
    pub level: NodeLevel,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Premises {
    pub id: PremisesId,
    pub company_id: CompanyId,
    pub address: String,
    pub zone: Zone,
    pub floor_area_m2: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub company_id: CompanyId,
    pub utility: Utility,
    pub number: CustomerNumber,
    pub account_name: AccountName,
    pub category: CustomerCategory,
    pub phone: Option<Phone>,
    pub special_care: Vec<SpecialCare>,
    pub premises: Option<Premises>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A staff member to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub company_id: CompanyId,
    pub department_id: Option<DepartmentId>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewNode {
    pub company_id: CompanyId,
    pub utility: Utility,
    pub parent_id: Option<NodeId>,
    pub level: NodeLevel,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct NewPremises {
    pub company_id: CompanyId,
    pub address: String,
    pub zone: Zone,
    pub floor_area_m2: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub company_id: CompanyId,
    pub utility: Utility,
    pub number: CustomerNumber,
    pub account_name: AccountName,
    pub category: CustomerCategory,
    pub phone: Option<Phone>,
    pub special_care: Vec<SpecialCare>,
    pub premises_id: Option<PremisesId>,
}

/// Filters for the customer list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub company_id: Option<CompanyId>,
    pub utility: Option<Utility>,
    pub category: Option<CustomerCategory>,
    /// Matches customer number (prefix), phone (contains), account name or address (contains).
    pub text: Option<String>,
    /// Only customers whose premises hang below this network node.
    pub below_node: Option<NodeId>,
}

/// An entry of the personal-data access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: i64,
    pub staff_id: StaffId,
    pub at: Timestamp,
    pub subject: String,
    pub subject_id: i64,
    pub action: String,
}

/// A live login session or API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub staff: Staff,
    pub kind: String,
    pub expires_at: Timestamp,
}
