//! The closed set of events a commitment rule may name.
//!
//! Events are written `family.what` in policy files. The set is closed on
//! purpose: a rule naming an event the application never emits would be a
//! clock that never starts or never stops, so an unknown name is refused
//! when the policy is loaded.

use std::fmt;

use serde::{Serialize, Serializer};

/// Something that happens to a case, a work order, a connection, an outage
/// or an inspected account, and that starts, stops, pauses or resumes a
/// commitment clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Event {
    /// A case is opened (受理): the first responder has taken the matter.
    CaseReceived,
    /// A case is sent to another department (转办).
    CaseTransferred,
    /// The department that owns a case begins work on it (in progress).
    CaseStarted,
    /// A case waits for something only the customer can provide.
    CaseWaitingCustomer,
    /// The customer has provided it; work goes on.
    CaseResumed,
    /// The customer has been given the final reply (result) on a case,
    /// including a reply given on the spot.
    CaseAnswered,
    /// A case is closed.
    CaseClosed,
    /// A closed or answered case is reopened (the customer is not
    /// satisfied, or the fault came back). It starts the policy's reopen
    /// rules covering the case, or, when none does, the case's own rules
    /// again: see [`Policy::case_rules_started_by`](crate::commitment::Policy::case_rules_started_by).
    CaseReopened,
    /// A work order is created for a case.
    WorkOrderCreated,
    /// The crew of a work order has arrived on site.
    WorkOrderOnSite,
    /// A work order's job is done.
    WorkOrderDone,
    /// A new connection has passed acceptance and its supply contract is
    /// signed, so supply may begin (C23).
    ConnectionContracted,
    /// A new connection is live: the meter is installed or supply is on.
    ConnectionCompleted,
    /// An outage is entered with its planned start time.
    OutageScheduled,
    /// Affected customers have been notified and the notice published.
    OutageAnnounced,
    /// Supply has stopped.
    OutageStarted,
    /// The cause of an outage has been removed; supply may be restored.
    OutageCauseCleared,
    /// Supply is back.
    OutageRestored,
    /// The outage has been reported to the supervising authority (C4).
    OutageAuthorityReported,
    /// A safety inspection of an account's premises has been carried out.
    InspectionDone,
}

/// What a rule's clock is attached to; each event belongs to some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Case,
    WorkOrder,
    Outage,
    Account,
    Call,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 5] = [Self::Case, Self::WorkOrder, Self::Outage, Self::Account, Self::Call];

    pub fn code(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::WorkOrder => "work_order",
            Self::Outage => "outage",
            Self::Account => "account",
            Self::Call => "call",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

impl Event {
    pub const ALL: [Event; 20] = [
        Self::CaseReceived,
        Self::CaseTransferred,
        Self::CaseStarted,
        Self::CaseWaitingCustomer,
        Self::CaseResumed,
        Self::CaseAnswered,
        Self::CaseClosed,
        Self::CaseReopened,
        Self::WorkOrderCreated,
        Self::WorkOrderOnSite,
        Self::WorkOrderDone,
        Self::ConnectionContracted,
        Self::ConnectionCompleted,
        Self::OutageScheduled,
        Self::OutageAnnounced,
        Self::OutageStarted,
        Self::OutageCauseCleared,
        Self::OutageRestored,
        Self::OutageAuthorityReported,
        Self::InspectionDone,
    ];

    /// The name used in policy files, e.g. `case.received`.
    pub fn code(self) -> &'static str {
        match self {
            Self::CaseReceived => "case.received",
            Self::CaseTransferred => "case.transferred",
            Self::CaseStarted => "case.started",
            Self::CaseWaitingCustomer => "case.waiting_customer",
            Self::CaseResumed => "case.resumed",
            Self::CaseAnswered => "case.answered",
            Self::CaseClosed => "case.closed",
            Self::CaseReopened => "case.reopened",
            Self::WorkOrderCreated => "work_order.created",
            Self::WorkOrderOnSite => "work_order.on_site",
            Self::WorkOrderDone => "work_order.done",
            Self::ConnectionContracted => "connection.contracted",
            Self::ConnectionCompleted => "connection.completed",
            Self::OutageScheduled => "outage.scheduled",
            Self::OutageAnnounced => "outage.announced",
            Self::OutageStarted => "outage.started",
            Self::OutageCauseCleared => "outage.cause_cleared",
            Self::OutageRestored => "outage.restored",
            Self::OutageAuthorityReported => "outage.authority_reported",
            Self::InspectionDone => "inspection.done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }

    /// Whether a clock attached to `subject` can hear this event.
    ///
    /// A case hears its own events and those of its work orders and of the
    /// connection it applies for (the application routes them); an account
    /// hears its inspections and its connection.
    pub fn reaches(self, subject: SubjectKind) -> bool {
        let family = self.code().split('.').next().unwrap_or_default();
        match subject {
            SubjectKind::Case => matches!(family, "case" | "work_order" | "connection"),
            SubjectKind::WorkOrder => family == "work_order",
            SubjectKind::Outage => family == "outage",
            SubjectKind::Account => matches!(family, "inspection" | "connection"),
            SubjectKind::Call => false,
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}
