//! The CAP 1.2 lineage of an outage: every published step keeps one message
//! with its own identifier and sent time, written in the step's transaction.
//!
//! CAP practice followed (OASIS CAP 1.2 §3.2.1 and the common profiles):
//! announcing gives the `Alert`; every later change of the announced outage
//! (schedule, node, text, effect, restore notice) gives an `Update`; calling
//! it off gives a `Cancel`; restoring it gives the closing message, an
//! `Update` whose `urgency` is `Past` and whose `expires` is the restore time
//! (`Cancel` is kept for an event that will not happen, not for one that is
//! over). `Update` and `Cancel` reference every earlier message of the
//! lineage as `sender,identifier,sent` triples. The feeds rebuild each
//! message from the outage snapshot kept with it.

use crate::error::{AppError, AppResult};
use crate::shanghai;
use jiff::Timestamp;
use pledge_domain::model::{CapMessage, Outage};
use pledge_domain::outage::{Effect, OutageState};
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::{Value, json};

/// The CAP `msgType` of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgType {
    Alert,
    Update,
    Cancel,
}

impl MsgType {
    pub fn code(self) -> &'static str {
        match self {
            MsgType::Alert => "Alert",
            MsgType::Update => "Update",
            MsgType::Cancel => "Cancel",
        }
    }
}

/// CAP identifiers and senders may not hold spaces, commas or markup.
pub fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' }).collect()
}

/// A CAP time: RFC 3339 with the Shanghai offset, never `Z`.
pub fn cap_time(t: Timestamp) -> String {
    t.to_zoned(shanghai()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn us(t: Option<Timestamp>) -> Value {
    json!(t.map(|t| t.as_microsecond()))
}

/// Records the next message of the outage's lineage, as the outage is now
/// (after the step). Nothing is published for an outage never announced.
pub(crate) async fn record(tx: &mut Tx, o: &Outage, msg_type: MsgType, now: Timestamp) -> AppResult<()> {
    if o.announced_at.is_none() {
        return Ok(());
    }
    let earlier = tx.exec().cap_messages(o.id).await?;
    let company = tx.exec().companies().await?.into_iter().find(|c| c.id == o.company_id);
    let code = sanitize(company.map(|c| c.code).as_deref().unwrap_or("pledge"));
    let seq = earlier.last().map_or(0, |m| m.seq) + 1;
    // CAP `sent` has whole seconds: a message never shares its predecessor's.
    let mut sent = Timestamp::from_second(now.as_second()).unwrap_or(now);
    if let Some(last) = earlier.last()
        && sent <= last.sent
    {
        sent = last.sent.checked_add(jiff::SignedDuration::from_secs(1)).unwrap_or(sent);
    }
    let refs = if msg_type == MsgType::Alert {
        String::new()
    } else {
        earlier
            .iter()
            .map(|m| format!("{},{},{}", m.sender, m.identifier, cap_time(m.sent)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let snapshot = json!({
        "state": o.state.code(), "effect": o.effect.code(), "reason": o.reason, "area": o.area,
        "starts_at": o.starts_at.as_microsecond(), "expected_restore_at": o.expected_restore_at.as_microsecond(),
        "restored_at": us(o.restored_at), "announced_at": us(o.announced_at), "cancelled_at": us(o.cancelled_at),
        "restore_notified_at": us(o.restore_notified_at), "updated_at": o.updated_at.as_microsecond(),
    });
    let m = CapMessage {
        id: 0,
        company_id: o.company_id,
        outage_id: o.id,
        seq,
        identifier: format!("pledge-{code}-outage-{}-{seq}", o.id),
        sender: format!("{code}@pledge.invalid"),
        msg_type: msg_type.code().to_owned(),
        sent,
        refs,
        snapshot: snapshot.to_string(),
    };
    tx.insert_cap_message(&m).await?;
    Ok(())
}

/// The outage as a message published it: `current` with the snapshot laid over.
pub fn outage_as_sent(current: &Outage, m: &CapMessage) -> AppResult<Outage> {
    let bad = || AppError::Internal(format!("CAP message {} has a corrupt snapshot", m.id));
    let v: Value = serde_json::from_str(&m.snapshot).map_err(|_| bad())?;
    let ts = |k: &str| -> AppResult<Option<Timestamp>> {
        match &v[k] {
            Value::Null => Ok(None),
            x => x.as_i64().and_then(|u| Timestamp::from_microsecond(u).ok()).map(Some).ok_or_else(bad),
        }
    };
    let s = |k: &str| v[k].as_str().map(str::to_owned).ok_or_else(bad);
    let mut o = current.clone();
    o.state = OutageState::parse(&s("state")?).ok_or_else(bad)?;
    o.effect = Effect::parse(&s("effect")?).ok_or_else(bad)?;
    o.reason = s("reason")?;
    o.area = s("area")?;
    o.starts_at = ts("starts_at")?.ok_or_else(bad)?;
    o.expected_restore_at = ts("expected_restore_at")?.ok_or_else(bad)?;
    o.restored_at = ts("restored_at")?;
    o.announced_at = ts("announced_at")?;
    o.cancelled_at = ts("cancelled_at")?;
    o.restore_notified_at = ts("restore_notified_at")?;
    o.updated_at = ts("updated_at")?.ok_or_else(bad)?;
    Ok(o)
}

impl crate::App {
    /// The published CAP messages of an outage, oldest first (public).
    pub async fn cap_messages(&self, id: pledge_domain::ids::OutageId) -> AppResult<Vec<CapMessage>> {
        Ok(self.store().read().cap_messages(id).await?)
    }

    /// An outage with its published CAP lineage (public); `None` when no
    /// message was ever published for it (a draft, an unknown id).
    pub async fn public_cap_lineage(
        &self,
        id: pledge_domain::ids::OutageId,
    ) -> AppResult<Option<(Outage, Vec<CapMessage>)>> {
        let r = self.store().read();
        let msgs = r.cap_messages(id).await?;
        if msgs.is_empty() {
            return Ok(None);
        }
        Ok(Some((r.outage(id).await?, msgs)))
    }

    /// Outages announced before CAP messages were kept (schema 11) get their
    /// lineage rebuilt from what the outage row holds: the `Alert` at its
    /// announcement, then the closing `Update` or the `Cancel` if it ended,
    /// or one `Update` for a later step. Only outages the feeds still show
    /// are touched; a second run finds nothing to do. Returns how many.
    pub async fn backfill_cap_lineage(&self) -> AppResult<u64> {
        let since = self.now().checked_sub(jiff::SignedDuration::from_hours(24 * 30)).unwrap_or(self.now());
        let r = self.store().read();
        let mut pending = Vec::new();
        for o in r.public_outages(since.as_microsecond(), 10_000).await? {
            if o.announced_at.is_some() && r.cap_messages(o.id).await?.is_empty() {
                pending.push(o);
            }
        }
        let n = pending.len() as u64;
        if n > 0 {
            self.writer
                .write(async move |tx| {
                    for o in &pending {
                        backfill_one(tx, o).await?;
                    }
                    Ok(())
                })
                .await?;
        }
        Ok(n)
    }
}

async fn backfill_one(tx: &mut Tx, o: &Outage) -> AppResult<()> {
    let Some(announced) = o.announced_at else { return Ok(()) };
    if !tx.exec().cap_messages(o.id).await?.is_empty() {
        return Ok(());
    }
    let mut as_announced = o.clone();
    as_announced.state = OutageState::Announced;
    as_announced.cancelled_at = None;
    as_announced.restored_at = None;
    as_announced.restore_notified_at = None;
    record(tx, &as_announced, MsgType::Alert, announced).await?;
    match (o.cancelled_at, o.restored_at) {
        (Some(at), _) => record(tx, o, MsgType::Cancel, at).await,
        (None, Some(at)) => record(tx, o, MsgType::Update, at).await,
        (None, None) if o.state != OutageState::Announced => record(tx, o, MsgType::Update, o.updated_at).await,
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{cap_time, sanitize};

    #[test]
    fn identifiers_hold_no_separators_and_times_no_z() {
        assert_eq!(sanitize("A B,C<&"), "A_B_C__");
        let t: jiff::Timestamp = "2026-10-10T01:00:00Z".parse().unwrap();
        assert_eq!(cap_time(t), "2026-10-10T09:00:00+08:00");
    }
}
