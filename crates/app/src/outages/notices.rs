//! Telling the affected customers: every outage step that customers must
//! hear of hands the affected set to the notification outbox, inside the
//! step's transaction, so the notice and the change commit together.

use crate::error::AppResult;
use crate::shanghai;
use jiff::Timestamp;
use pledge_domain::model::Outage;
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::{Value, json};

/// The notification topics an outage raises.
pub const ANNOUNCED: &str = "outage.announced";
pub const UPDATED: &str = "outage.updated";
pub const RESTORE_NOTICE: &str = "outage.restore_notice";
pub const RESTORED: &str = "outage.restored";
pub const CANCELLED: &str = "outage.cancelled";
/// Told to the customers a change of node drops from an announced outage.
pub const NO_LONGER_AFFECTED: &str = "outage.no_longer_affected";

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

/// Queues `topic` for every customer in the outage's affected set, in the
/// caller's transaction; returns how many notifications were newly queued.
/// The dedup key carries the outage's revision: each told change reaches
/// each customer once, and repeating a step queues nothing. The recipients
/// are joined from the snapshot in one statement (a hundred thousand ids
/// need not travel as parameters).
pub(crate) async fn tell_affected(tx: &mut Tx, o: &Outage, topic: &str, at_us: i64) -> AppResult<u64> {
    let vars = topic_vars(tx, o, topic).await?;
    let revision = tx.exec().outage_revision(o.id).await?;
    Ok(tx.queue_outage_notifications(o.id, o.company_id, topic, revision, &vars, at_us).await?)
}

/// As [`tell_affected`], a further notice of a topic customers already had
/// (a corrected restore time): the outage's revision goes up first, so the
/// notice is queued once more for everyone.
pub(crate) async fn tell_affected_again(tx: &mut Tx, o: &Outage, topic: &str, at_us: i64) -> AppResult<u64> {
    tx.bump_outage_revision(o.id).await?;
    tell_affected(tx, o, topic, at_us).await
}

/// Queues `topic` for the listed customers of the outage under its current
/// revision: the full announcement for customers a node move adds, the
/// "no longer affected" notice for those it drops.
pub(crate) async fn tell_customers(
    tx: &mut Tx,
    o: &Outage,
    topic: &str,
    customers: &[pledge_domain::ids::CustomerId],
    at_us: i64,
) -> AppResult<u64> {
    if customers.is_empty() {
        return Ok(0);
    }
    let vars = topic_vars(tx, o, topic).await?;
    let revision = tx.exec().outage_revision(o.id).await?;
    Ok(tx.queue_outage_revision(o.company_id, topic, o.id, revision, customers, &vars, at_us).await?)
}

async fn topic_vars(tx: &mut Tx, o: &Outage, topic: &str) -> AppResult<Value> {
    if pledge_domain::notify::topic_vars(topic).is_none() {
        return Err(crate::AppError::Internal(format!("notification topic {topic:?} has no templates")));
    }
    let hotline =
        tx.exec().companies().await?.into_iter().find(|c| c.id == o.company_id).map(|c| c.hotline).unwrap_or_default();
    Ok(vars(o, &hotline))
}
