//! Work orders.

use crate::Utility;
use crate::ids::{CaseId, CompanyId, StaffId, WorkOrderId};
use crate::work_order::WorkOrderState;
use jiff::Timestamp;

/// A stored work order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkOrder {
    pub id: WorkOrderId,
    pub company_id: CompanyId,
    pub case_id: CaseId,
    pub utility: Utility,
    pub state: WorkOrderState,
    pub instructions: String,
    pub crew_id: Option<StaffId>,
    pub appointment_from: Option<Timestamp>,
    pub appointment_to: Option<Timestamp>,
    pub fee_fen: Option<i64>,
    pub result: Option<String>,
    pub signed_by: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_by: StaffId,
    pub created_at: Timestamp,
    pub dispatched_at: Option<Timestamp>,
    pub departed_at: Option<Timestamp>,
    pub on_site_at: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A work order about to be raised.
#[derive(Debug, Clone)]
pub struct NewWorkOrder {
    pub company_id: CompanyId,
    pub case_id: CaseId,
    pub utility: Utility,
    pub instructions: String,
    pub appointment_from_us: Option<i64>,
    pub appointment_to_us: Option<i64>,
    pub created_by: StaffId,
    pub created_at_us: i64,
}

/// A change of state and what goes with it. `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct WorkOrderChange {
    pub crew_id: Option<StaffId>,
    pub fee_fen: Option<i64>,
    pub result: Option<String>,
    pub signed_by: Option<String>,
    pub cancel_reason: Option<String>,
    /// Which timestamp column records this step (`dispatched_at` …).
    pub stamp: Option<&'static str>,
}

/// Which work orders to list.
#[derive(Debug, Clone, Default)]
pub struct WorkOrderFilter {
    pub company_id: CompanyId,
    pub states: Vec<WorkOrderState>,
    pub crew_id: Option<StaffId>,
    pub case_id: Option<CaseId>,
    pub utility: Option<Utility>,
}
