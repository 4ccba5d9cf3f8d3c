//! Notifications (通知): a durable outbox written in the same transaction as
//! the change that causes it, delivered by workers through channels (SMS
//! gateway, e-mail, log) with retries, and recorded per recipient so the
//! company can prove who was told and when.
//!
//! Delivery is at least once: a worker claims rows under a lease (short
//! transaction), sends without holding any transaction, then records the
//! outcome (short transaction). A crash between a channel accepting a
//! message and our record of it means the message is sent once more after
//! the lease runs out; nothing else sends twice.

use crate::AppResult;
use pledge_domain::ids::*;
use pledge_domain::model::Recipients;
use pledge_store::Tx;
use pledge_store::repo::*;

pub mod admin;
mod backoff;
pub mod channels;
pub mod escalation;
mod templates;
mod worker;

pub use templates::TemplateView;
pub use worker::{DeliveryConfig, DeliveryReport, Notifier};

/// Queues one notification per customer for `topic` about (`subject`, `subject_id`) inside the
/// caller's transaction, deduplicated per (topic, subject, subject_id, customer, channel):
/// repeating the call never sends twice. Returns how many were newly queued.
#[allow(clippy::too_many_arguments)]
pub async fn notify_customers(
    tx: &mut pledge_store::Tx,
    company_id: CompanyId,
    topic: &str,
    subject: &str,
    subject_id: i64,
    customer_ids: &[CustomerId],
    vars: &serde_json::Value,
    now_us: i64,
) -> crate::AppResult<u64> {
    check_topic(topic)?;
    Ok(tx
        .queue_notifications(company_id, topic, subject, subject_id, Recipients::Customers(customer_ids), vars, now_us)
        .await?)
}

/// Like [`notify_customers`], for staff members (escalations).
#[allow(clippy::too_many_arguments)]
pub async fn notify_staff(
    tx: &mut Tx,
    company_id: CompanyId,
    topic: &str,
    subject: &str,
    subject_id: i64,
    staff_ids: &[StaffId],
    vars: &serde_json::Value,
    now_us: i64,
) -> AppResult<u64> {
    check_topic(topic)?;
    Ok(tx
        .queue_notifications(company_id, topic, subject, subject_id, Recipients::Staff(staff_ids), vars, now_us)
        .await?)
}

/// A topic without templates could never be delivered: refuse it at once.
fn check_topic(topic: &str) -> AppResult<()> {
    match pledge_domain::notify::topic_vars(topic) {
        Some(_) => Ok(()),
        None => Err(crate::AppError::Internal(format!("notification topic {topic:?} has no templates"))),
    }
}
