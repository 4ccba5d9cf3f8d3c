//! Cases, the complaint form's distribution records, deadline extensions.

use crate::case::{CaseKind, CaseState, CaseSubkind, Channel};
use crate::ids::{CaseId, ClockId, CompanyId, CustomerId, DepartmentId, DistributionId, ExtensionRequestId, StaffId};
use crate::{CaseNumber, Utility};
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub company_id: CompanyId,
    pub number: CaseNumber,
    pub utility: Utility,
    pub kind: CaseKind,
    pub subkind: Option<CaseSubkind>,
    pub channel: Channel,
    pub state: CaseState,
    pub subject: String,
    pub description: String,
    pub customer_id: Option<CustomerId>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    /// Whether the customer (a report's reporter: only when they agreed) is
    /// told of receipt, extensions and the answer.
    pub notify_consent: bool,
    pub first_responder_id: StaffId,
    pub assignee_id: Option<StaffId>,
    pub department_id: Option<DepartmentId>,
    pub upstream_platform: Option<String>,
    pub upstream_ref: Option<String>,
    pub upstream_due: Option<Timestamp>,
    pub duplicate_of: Option<CaseId>,
    pub answered_on_spot: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub version: i64,
}

/// One copy of a transferred complaint's three-copy form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub id: DistributionId,
    pub case_id: CaseId,
    pub transfer_no: i64,
    pub copy: String,
    pub holder_department_id: Option<DepartmentId>,
    pub acknowledged_by: Option<StaffId>,
    pub acknowledged_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// A case to insert; the number is drawn inside the same transaction.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub company_id: CompanyId,
    pub utility: Utility,
    pub kind: CaseKind,
    pub subkind: Option<CaseSubkind>,
    pub channel: Channel,
    pub state: CaseState,
    pub subject: String,
    pub description: String,
    pub customer_id: Option<CustomerId>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    pub notify_consent: bool,
    pub first_responder_id: StaffId,
    pub assignee_id: Option<StaffId>,
    pub department_id: Option<DepartmentId>,
    pub upstream_platform: Option<String>,
    pub upstream_ref: Option<String>,
    pub upstream_due_us: Option<i64>,
    pub answered_on_spot: bool,
    pub created_at_us: i64,
}

/// Filters for case lists; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub company_id: Option<CompanyId>,
    pub kind: Option<CaseKind>,
    pub states: Vec<CaseState>,
    pub open_only: bool,
    pub utility: Option<Utility>,
    pub department_id: Option<DepartmentId>,
    pub first_responder_id: Option<StaffId>,
    pub assignee_id: Option<StaffId>,
    pub customer_id: Option<CustomerId>,
    pub created_from_us: Option<i64>,
    pub created_to_us: Option<i64>,
    /// Matches the number, subject or description.
    pub text: Option<String>,
}

/// Sort order of a case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseSort {
    #[default]
    NewestFirst,
    OldestFirst,
    RecentlyUpdated,
}

/// The nearest deadline among a case's running or paused clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDeadline {
    pub case_id: CaseId,
    pub due_at: Timestamp,
    /// Whether any open clock of the case has breached.
    pub breached: bool,
}

/// A request to move a clock's deadline, pending or decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionRequest {
    pub id: ExtensionRequestId,
    pub company_id: CompanyId,
    pub case_id: CaseId,
    pub clock_id: ClockId,
    pub requested_by: StaffId,
    pub new_due: Timestamp,
    pub reason: String,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    pub decided_by: Option<StaffId>,
    pub decided_at: Option<Timestamp>,
    pub created_at: Timestamp,
}
