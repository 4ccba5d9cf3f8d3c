//! The notification outbox's records, filters and templates.

use crate::ids::{CompanyId, CustomerId, NotificationId, StaffId};
use crate::notify::{ChannelKind, DeliveryState, Locale};

/// One notification: a message to one recipient, and how its delivery went.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    pub id: NotificationId,
    pub company_id: CompanyId,
    pub topic: String,
    pub subject: String,
    pub subject_id: i64,
    pub customer_id: Option<CustomerId>,
    pub staff_id: Option<StaffId>,
    pub channel: ChannelKind,
    pub address: Option<String>,
    pub locale: Locale,
    pub vars: serde_json::Value,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub sent_via: Option<ChannelKind>,
    pub sent_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Which notifications an administrator lists.
#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    pub company_id: CompanyId,
    pub state: Option<DeliveryState>,
    pub topic: Option<String>,
    pub subject: Option<String>,
    pub subject_id: Option<i64>,
    pub channel: Option<ChannelKind>,
}

/// How many notifications about one subject are in one state on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryCount {
    pub state: DeliveryState,
    pub channel: ChannelKind,
    pub count: u64,
}

/// A company's stored template for one topic and language (unparsed text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub topic: String,
    pub locale: Locale,
    pub subject: String,
    pub body: String,
    pub updated_by: Option<StaffId>,
    pub updated_at: i64,
}

/// Who receives a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients<'a> {
    Customers(&'a [CustomerId]),
    Staff(&'a [StaffId]),
}

/// One message to one case's customer, queued under its own dedup key (one
/// notice per topic, case and change). The channel comes from the customer
/// record (phone, else e-mail address); `fallback_phone` (the case's contact
/// phone) is used when there is no customer or the customer has neither.
#[derive(Debug, Clone)]
pub struct NewNotice<'a> {
    pub company_id: CompanyId,
    pub topic: &'a str,
    pub subject: &'a str,
    pub subject_id: i64,
    pub customer_id: Option<CustomerId>,
    pub fallback_phone: Option<&'a str>,
    pub vars: &'a serde_json::Value,
    pub dedup_key: &'a str,
    pub now_us: i64,
}

/// What queueing a [`NewNotice`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeQueued {
    Queued(ChannelKind),
    /// The same notice (same dedup key) was queued before.
    AlreadyQueued,
    /// Neither the customer record nor the case gives a phone or an e-mail address.
    NoContact,
}
