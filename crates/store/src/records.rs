//! What the store hands back: plain records made of domain types.

use jiff::Timestamp;
use pledge_domain::case::{CaseKind, CaseState, CaseSubkind, Channel};
use pledge_domain::network::NodeLevel;
use pledge_domain::{
    AccountName, CaseNumber, CustomerCategory, CustomerNumber, Phone, Role, SpecialCare, Utility, Zone,
};

use crate::error::{Result, StoreError};

pub(crate) fn ts(us: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|e| StoreError::Corrupt(format!("timestamp {us}: {e}")))
}

/// One page of a list and the total number of matches.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Limit and offset of a list request, already bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub offset: u64,
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 200;
    pub fn new(limit: Option<u32>, offset: Option<u64>) -> Self {
        Self { limit: limit.unwrap_or(50).clamp(1, Self::MAX_LIMIT), offset: offset.unwrap_or(0) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub hotline: String,
    pub utilities: Vec<Utility>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub company_id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub utility: Option<Utility>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub company_id: i64,
    pub department_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkNode {
    pub id: i64,
    pub company_id: i64,
    pub utility: Utility,
    pub parent_id: Option<i64>,
    pub level: NodeLevel,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Premises {
    pub id: i64,
    pub company_id: i64,
    pub address: String,
    pub zone: Zone,
    pub floor_area_m2: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: i64,
    pub company_id: i64,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: i64,
    pub company_id: i64,
    pub number: CaseNumber,
    pub utility: Utility,
    pub kind: CaseKind,
    pub subkind: Option<CaseSubkind>,
    pub channel: Channel,
    pub state: CaseState,
    pub subject: String,
    pub description: String,
    pub customer_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    pub first_responder_id: i64,
    pub assignee_id: Option<i64>,
    pub department_id: Option<i64>,
    pub upstream_platform: Option<String>,
    pub upstream_ref: Option<String>,
    pub upstream_due: Option<Timestamp>,
    pub duplicate_of: Option<i64>,
    pub answered_on_spot: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub version: i64,
}

/// One copy of a transferred complaint's three-copy form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub id: i64,
    pub case_id: i64,
    pub transfer_no: i64,
    pub copy: String,
    pub holder_department_id: Option<i64>,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// A ledger event as shown on a case's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub case_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub at: Timestamp,
}

/// An entry of the personal-data access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: i64,
    pub staff_id: i64,
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
