//! Telling the affected customers: every outage step that customers must
//! hear of hands the affected set to the notification outbox, inside the
//! step's transaction, so the notice and the change commit together.

use super::SUBJECT;
use crate::error::AppResult;
use crate::shanghai;
use jiff::Timestamp;
use pledge_store::{Outage, Tx};
use serde_json::{Value, json};

/// The notification topics an outage raises.
pub const ANNOUNCED: &str = "outage.announced";
pub const UPDATED: &str = "outage.updated";
pub const RESTORE_NOTICE: &str = "outage.restore_notice";
pub const RESTORED: &str = "outage.restored";
pub const CANCELLED: &str = "outage.cancelled";

/// A local time as customers read it: `2026-10-10 09:00`.
pub fn local(t: Timestamp) -> String {
    t.to_zoned(shanghai()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// The template variables: a flat object of strings.
pub fn vars(o: &Outage, hotline: &str) -> Value {
    let mut v = json!({
        "utility": o.utility.code(),
        "kind": o.kind.code(),
        "area": o.area,
        "reason": o.reason,
        "starts_at": local(o.starts_at),
        "expected_restore_at": local(o.expected_restore_at),
        "hotline": hotline,
    });
    if let (Some(t), Value::Object(m)) = (o.restored_at, &mut v) {
        m.insert("restored_at".into(), json!(local(t)));
    }
    v
}

/// Queues `topic` for every customer in the outage's affected set; returns
/// how many notifications were queued.
pub(crate) async fn tell_affected(tx: &mut Tx, o: &Outage, topic: &str, at_us: i64) -> AppResult<u64> {
    let hotline = tx.exec().companies().await?.into_iter().find(|c| c.id == o.company_id).map(|c| c.hotline).unwrap_or_default();
    let ids = tx.exec().affected_customer_ids(o.id).await?;
    let subject = format!("{}{}", o.utility.name_zh(), o.effect.name_zh(o.utility));
    deliver(tx, o.company_id, topic, &subject, o.id, &ids, &vars(o, &hotline), at_us).await
}

/// Hands the notices to the notification outbox (deduplicated per outage,
/// topic and customer, so a repeated step never notifies twice).
#[allow(clippy::too_many_arguments)]
async fn deliver(tx: &mut Tx, company_id: i64, topic: &str, _subject: &str, outage_id: i64, ids: &[i64], vars: &Value, at_us: i64) -> AppResult<u64> {
    crate::notify::notify_customers(tx, company_id, topic, SUBJECT, outage_id, ids, vars, at_us).await
}
