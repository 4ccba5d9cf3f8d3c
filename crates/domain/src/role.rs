//! Staff roles and what each may do. Every permission check in Pledge goes
//! through [`Role::can`], so the whole policy is this one table.
//!
//! | Permission | Roles |
//! |---|---|
//! | `CaseCreate` | hall_clerk, hotline_agent, dispatcher, duty_manager, admin |
//! | `CaseRead`, `CaseWork`, `CustomerRead` | everyone |
//! | `CaseDecide` | hall_clerk, hotline_agent, duty_manager, admin |
//! | `ExtensionApprove` | duty_manager, admin |
//! | `ClockWithdraw` | duty_manager, admin |
//! | `ReporterIdentityRead`, `AuditRead` | quality_supervisor, admin |
//! | `CustomerWrite` | hall_clerk, hotline_agent, admin |
//! | `RegistryWrite`, `StaffManage` | admin |
//! | `WorkOrderDispatch`, `OutageManage` | dispatcher, duty_manager, admin |
//! | `WorkOrderReport` | field_technician, dispatcher, duty_manager, admin |
//! | `OutageOverride` | duty_manager, admin |

use serde::{Deserialize, Serialize};

/// A staff role (SPEC "Users and roles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    HallClerk,
    HotlineAgent,
    DepartmentHandler,
    Dispatcher,
    FieldTechnician,
    DutyManager,
    QualitySupervisor,
    Admin,
}

/// Something a staff member may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Receive a customer and open a case.
    CaseCreate,
    /// Read cases (queues, search, case page).
    CaseRead,
    /// Work a case: reply, note, transfer, return, assign, close, link.
    CaseWork,
    /// Decide on returned cases and reopen closed ones.
    CaseDecide,
    /// Approve an extension (延期) of a commitment deadline.
    ExtensionApprove,
    /// Withdraw a commitment clock (撤销时限): the commitment no longer
    /// applies, e.g. the repair turned out unnecessary. Needs a reason; the
    /// clock's outcome is *withdrawn*, counted apart and never as met
    /// (SPEC "Clock life"). Duty managers and admins only.
    ClockWithdraw,
    /// Read a whistleblower's identity on a report (举报).
    ReporterIdentityRead,
    /// Read customers' personal data (name, phone, address).
    CustomerRead,
    /// Create and update customers, accounts and premises.
    CustomerWrite,
    /// Create and update companies, departments and the supply network.
    RegistryWrite,
    /// Create staff and change roles.
    StaffManage,
    /// Read the access log and verify the ledger.
    AuditRead,
    /// Raise work orders on cases and assign crews (派工).
    WorkOrderDispatch,
    /// Report a work order's progress from the field: set off, on site, done.
    WorkOrderReport,
    /// Enter, announce, run and restore outages; confirm or dismiss suspected ones.
    OutageManage,
    /// Announce an outage later than its lead time allows, with a reason (a C3 breach).
    OutageOverride,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::HallClerk,
        Role::HotlineAgent,
        Role::DepartmentHandler,
        Role::Dispatcher,
        Role::FieldTechnician,
        Role::DutyManager,
        Role::QualitySupervisor,
        Role::Admin,
    ];

    /// The single permission table.
    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match p {
            CaseCreate => matches!(self, HallClerk | HotlineAgent | Dispatcher | DutyManager | Admin),
            CaseRead | CaseWork | CustomerRead => true,
            CaseDecide => matches!(self, DutyManager | HallClerk | HotlineAgent | Admin),
            ReporterIdentityRead => matches!(self, QualitySupervisor | Admin),
            ExtensionApprove | ClockWithdraw => matches!(self, DutyManager | Admin),
            CustomerWrite => matches!(self, HallClerk | HotlineAgent | Admin),
            RegistryWrite | StaffManage => matches!(self, Admin),
            AuditRead => matches!(self, QualitySupervisor | Admin),
            WorkOrderDispatch => matches!(self, Dispatcher | DutyManager | Admin),
            WorkOrderReport => matches!(self, FieldTechnician | Dispatcher | DutyManager | Admin),
            OutageManage => matches!(self, Dispatcher | DutyManager | Admin),
            OutageOverride => matches!(self, DutyManager | Admin),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::HallClerk => "hall_clerk",
            Role::HotlineAgent => "hotline_agent",
            Role::DepartmentHandler => "department_handler",
            Role::Dispatcher => "dispatcher",
            Role::FieldTechnician => "field_technician",
            Role::DutyManager => "duty_manager",
            Role::QualitySupervisor => "quality_supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::HallClerk => "营业员",
            Role::HotlineAgent => "热线坐席",
            Role::DepartmentHandler => "承办人",
            Role::Dispatcher => "调度员",
            Role::FieldTechnician => "维修人员",
            Role::DutyManager => "值班经理",
            Role::QualitySupervisor => "质检监督员",
            Role::Admin => "管理员",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_supervisors_and_admins_see_reporters() {
        let allowed: Vec<Role> = Role::ALL.into_iter().filter(|r| r.can(Permission::ReporterIdentityRead)).collect();
        assert_eq!(allowed, vec![Role::QualitySupervisor, Role::Admin]);
    }

    #[test]
    fn field_technicians_cannot_open_cases_or_manage_staff() {
        assert!(!Role::FieldTechnician.can(Permission::CaseCreate));
        assert!(!Role::FieldTechnician.can(Permission::StaffManage));
        assert!(Role::HotlineAgent.can(Permission::CaseCreate));
        assert!(Role::Admin.can(Permission::StaffManage));
    }

    #[test]
    fn only_duty_managers_and_admins_withdraw_clocks() {
        let allowed: Vec<Role> = Role::ALL.into_iter().filter(|r| r.can(Permission::ClockWithdraw)).collect();
        assert_eq!(allowed, vec![Role::DutyManager, Role::Admin]);
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
    }
}
