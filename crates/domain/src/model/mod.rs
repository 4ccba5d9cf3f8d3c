//! The plain records and query types the store hands back and takes: data
//! only, made of domain values. The store maps them to and from rows; the
//! application and the web layer pass them around.

pub mod case;
pub mod clock;
pub mod job;
pub mod ledger;
pub mod notification;
pub mod outage;
pub mod page;
pub mod registry;
pub mod settings;
pub mod work_order;

pub use case::{Case, CaseDeadline, CaseFilter, CaseSort, Distribution, ExtensionRequest, NewCase};
pub use clock::{ClockRecord, ClockStats, StatsGroup, clock_state};
pub use job::JobRecord;
pub use ledger::{Event, LedgerHead, NewEvent};
pub use notification::{
    DeliveryCount, NewNotice, NoticeQueued, NotificationFilter, NotificationRecord, Recipients, StoredTemplate,
};
pub use outage::{CapMessage, NewOutage, Outage, OutageFilter, Suspect};
pub use page::{Page, PageRequest};
pub use registry::{
    AccessEntry, Company, Customer, CustomerFilter, Department, NetworkNode, NewCustomer, NewNode, NewPremises,
    NewStaff, Premises, Session, Staff,
};
pub use settings::{SettingsMark, StoredCalendarYear, StoredPhrase, StoredPolicy};
pub use work_order::{NewWorkOrder, WorkOrder, WorkOrderChange, WorkOrderFilter};
