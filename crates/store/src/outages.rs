//! Outages, the customers each affects (a snapshot taken with one
//! `INSERT … SELECT` over the supply-path index), and the cases hung under
//! them. Suspected outages are in `suspects.rs`.

use crate::error::{Result, StoreError, decode};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::records::{Customer, Page, PageRequest, ts};
use crate::registry::{CUSTOMER_COLS, customer_row};
use jiff::Timestamp;
use pledge_domain::Utility;
use pledge_domain::commitment::OutageKind;
use pledge_domain::network;
use pledge_domain::outage::{Effect, OutageState};
use sea_orm::{QueryResult, Value};

const COLS: &str = "id, company_id, utility, kind, effect, state, node_id, node_path, reason, area, starts_at, expected_restore_at, \
     restored_at, announced_at, restore_notified_at, authority_reported_at, cancelled_at, override_reason, override_by, affected_count, \
     suspected_id, created_by, created_at, updated_at";

/// Active states, as SQL text (fixed codes, no user input).
const ACTIVE: &str = "('announced', 'in_progress', 'restore_notified')";

fn opt_ts(r: &QueryResult, col: &str) -> Result<Option<Timestamp>> {
    r.try_get::<Option<i64>>("", col)?.map(ts).transpose()
}

fn row(r: &QueryResult) -> Result<Outage> {
    Ok(Outage {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        utility: decode("utility", &r.try_get::<String>("", "utility")?, Utility::parse)?,
        kind: decode("outage kind", &r.try_get::<String>("", "kind")?, OutageKind::parse)?,
        effect: decode("outage effect", &r.try_get::<String>("", "effect")?, Effect::parse)?,
        state: decode("outage state", &r.try_get::<String>("", "state")?, OutageState::parse)?,
        node_id: r.try_get("", "node_id")?,
        node_path: r.try_get("", "node_path")?,
        reason: r.try_get("", "reason")?,
        area: r.try_get("", "area")?,
        starts_at: ts(r.try_get("", "starts_at")?)?,
        expected_restore_at: ts(r.try_get("", "expected_restore_at")?)?,
        restored_at: opt_ts(r, "restored_at")?,
        announced_at: opt_ts(r, "announced_at")?,
        restore_notified_at: opt_ts(r, "restore_notified_at")?,
        authority_reported_at: opt_ts(r, "authority_reported_at")?,
        cancelled_at: opt_ts(r, "cancelled_at")?,
        override_reason: r.try_get("", "override_reason")?,
        override_by: r.try_get("", "override_by")?,
        affected_count: r.try_get::<i64>("", "affected_count")?.max(0) as u64,
        suspected_id: r.try_get("", "suspected_id")?,
        created_by: r.try_get("", "created_by")?,
        created_at: ts(r.try_get("", "created_at")?)?,
        updated_at: ts(r.try_get("", "updated_at")?)?,
    })
}

fn us(t: Option<Timestamp>) -> Value {
    t.map(|t| t.as_microsecond()).into()
}

impl Exec<'_> {
    #[tracing::instrument(skip(self))]
    pub async fn outage(&self, id: i64) -> Result<Outage> {
        let r = self
            .one(&format!("SELECT {COLS} FROM outages WHERE id = $1"), vec![id.into()])
            .await?
            .ok_or(StoreError::NotFound("outage"))?;
        row(&r)
    }

    #[tracing::instrument(skip(self, f))]
    pub async fn outages(&self, f: &OutageFilter, page: PageRequest) -> Result<Page<Outage>> {
        let mut v: Vec<Value> = Vec::new();
        let mut wh: Vec<String> = vec!["1=1".into()];
        fn arg(v: &mut Vec<Value>, x: Value) -> String {
            v.push(x);
            format!("${}", v.len())
        }
        if let Some(c) = f.company_id {
            let a = arg(&mut v, c.into());
            wh.push(format!("company_id = {a}"));
        }
        if let Some(u) = f.utility {
            let a = arg(&mut v, u.code().into());
            wh.push(format!("utility = {a}"));
        }
        if let Some(k) = f.kind {
            let a = arg(&mut v, k.code().into());
            wh.push(format!("kind = {a}"));
        }
        if let Some(n) = f.node_id {
            let a = arg(&mut v, n.into());
            wh.push(format!("node_id = {a}"));
        }
        if !f.states.is_empty() {
            let list: Vec<String> = f.states.iter().map(|s| arg(&mut v, s.code().into())).collect();
            wh.push(format!("state IN ({})", list.join(", ")));
        }
        if f.open_only {
            wh.push("state NOT IN ('restored', 'cancelled')".into());
        }
        let filter = wh.join(" AND ");
        let total: i64 = self
            .one(&format!("SELECT COUNT(*) AS n FROM outages WHERE {filter}"), v.clone())
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let lim = arg(&mut v, (page.limit as i64).into());
        let off = arg(&mut v, (page.offset as i64).into());
        let rows = self.all(&format!("SELECT {COLS} FROM outages WHERE {filter} ORDER BY starts_at DESC, id DESC LIMIT {lim} OFFSET {off}"), v).await?;
        Ok(Page { items: rows.iter().map(row).collect::<Result<_>>()?, total: total as u64 })
    }

    /// Open outages on the same node whose span overlaps `[start, end)`.
    #[tracing::instrument(skip(self))]
    pub async fn overlapping_outages(
        &self,
        node_id: i64,
        start_us: i64,
        end_us: i64,
        except: Option<i64>,
    ) -> Result<Vec<i64>> {
        let rows = self
            .all(
                "SELECT id FROM outages WHERE node_id = $1 AND state NOT IN ('restored', 'cancelled') \
                 AND starts_at < $3 AND $2 < expected_restore_at AND ($4 IS NULL OR id <> $4) ORDER BY id",
                vec![node_id.into(), start_us.into(), end_us.into(), except.into()],
            )
            .await?;
        rows.iter().map(|r| Ok(r.try_get("", "id")?)).collect()
    }

    /// Active outages whose affected set holds this customer.
    #[tracing::instrument(skip(self))]
    pub async fn active_outages_of_customer(&self, customer_id: i64) -> Result<Vec<Outage>> {
        let cols = COLS.split(", ").map(|c| format!("o.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let rows = self
            .all(
                &format!(
                    "SELECT {cols} FROM outage_customers oc JOIN outages o ON o.id = oc.outage_id \
                     WHERE oc.customer_id = $1 AND o.state IN {ACTIVE} ORDER BY o.starts_at DESC, o.id DESC"
                ),
                vec![customer_id.into()],
            )
            .await?;
        rows.iter().map(row).collect()
    }

    /// Customers in an outage's snapshot, in id order.
    #[tracing::instrument(skip(self))]
    pub async fn affected_customers(&self, outage_id: i64, page: PageRequest) -> Result<Page<Customer>> {
        let total: i64 = self
            .one("SELECT COUNT(*) AS n FROM outage_customers WHERE outage_id = $1", vec![outage_id.into()])
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let rows = self
            .all(
                &format!(
                    "SELECT {CUSTOMER_COLS} FROM outage_customers oc JOIN customers c ON c.id = oc.customer_id \
                     LEFT JOIN premises p ON p.id = c.premises_id WHERE oc.outage_id = $1 ORDER BY c.id LIMIT $2 OFFSET $3"
                ),
                vec![outage_id.into(), (page.limit as i64).into(), (page.offset as i64).into()],
            )
            .await?;
        Ok(Page { items: rows.iter().map(customer_row).collect::<Result<_>>()?, total: total as u64 })
    }

    /// Ids of every customer in an outage's snapshot, in id order.
    #[tracing::instrument(skip(self))]
    pub async fn affected_customer_ids(&self, outage_id: i64) -> Result<Vec<i64>> {
        let rows = self
            .all(
                "SELECT customer_id FROM outage_customers WHERE outage_id = $1 ORDER BY customer_id",
                vec![outage_id.into()],
            )
            .await?;
        rows.iter().map(|r| Ok(r.try_get("", "customer_id")?)).collect()
    }

    /// Cases hung under an outage, in id order.
    #[tracing::instrument(skip(self))]
    pub async fn outage_case_ids(&self, outage_id: i64) -> Result<Vec<i64>> {
        let rows = self
            .all("SELECT case_id FROM outage_cases WHERE outage_id = $1 ORDER BY case_id", vec![outage_id.into()])
            .await?;
        rows.iter().map(|r| Ok(r.try_get("", "case_id")?)).collect()
    }

    /// Outages a case hangs under.
    #[tracing::instrument(skip(self))]
    pub async fn outages_of_case(&self, case_id: i64) -> Result<Vec<Outage>> {
        let cols = COLS.split(", ").map(|c| format!("o.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let rows = self
            .all(&format!("SELECT {cols} FROM outage_cases oc JOIN outages o ON o.id = oc.outage_id WHERE oc.case_id = $1 ORDER BY o.id"), vec![case_id.into()])
            .await?;
        rows.iter().map(row).collect()
    }

    /// Outages the public sees: every announced one still open, and those
    /// restored or cancelled since `since` (so feeds carry the all-clear).
    #[tracing::instrument(skip(self))]
    pub async fn public_outages(&self, since_us: i64, limit: u32) -> Result<Vec<Outage>> {
        let rows = self
            .all(
                &format!(
                    "SELECT {COLS} FROM outages WHERE state IN {ACTIVE} OR (state IN ('restored', 'cancelled') AND updated_at >= $1) \
                     ORDER BY starts_at DESC, id DESC LIMIT $2"
                ),
                vec![since_us.into(), (limit as i64).into()],
            )
            .await?;
        rows.iter().map(row).collect()
    }

    /// The supply node (id, path) of a customer's premises for its utility.
    #[tracing::instrument(skip(self))]
    pub async fn supply_node_of_customer(&self, customer_id: i64) -> Result<Option<(i64, String)>> {
        let r = self
            .one(
                "SELECT s.node_id, s.node_path FROM customers c JOIN premises_supply s ON s.premises_id = c.premises_id AND s.utility = c.utility \
                 WHERE c.id = $1",
                vec![customer_id.into()],
            )
            .await?;
        r.map(|r| Ok((r.try_get("", "node_id")?, r.try_get("", "node_path")?))).transpose()
    }
}

impl Tx {
    #[tracing::instrument(skip(self, o), fields(node_id = o.node_id))]
    pub async fn insert_outage(&mut self, o: &NewOutage) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO outages (company_id, utility, kind, effect, state, node_id, node_path, reason, area, starts_at, expected_restore_at, \
                 suspected_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
                vec![
                    o.company_id.into(),
                    o.utility.code().into(),
                    o.kind.code().into(),
                    o.effect.code().into(),
                    o.state.code().into(),
                    o.node_id.into(),
                    o.node_path.as_str().into(),
                    o.reason.as_str().into(),
                    o.area.as_str().into(),
                    o.starts_at_us.into(),
                    o.expected_restore_at_us.into(),
                    o.suspected_id.into(),
                    o.created_by.into(),
                    o.at_us.into(),
                ],
            )
            .await
    }

    /// Writes every mutable column of an outage.
    #[tracing::instrument(skip(self, o), fields(id = o.id))]
    pub async fn update_outage(&mut self, o: &Outage) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE outages SET state = $2, effect = $3, node_id = $4, node_path = $5, reason = $6, area = $7, starts_at = $8, \
                 expected_restore_at = $9, restored_at = $10, announced_at = $11, restore_notified_at = $12, authority_reported_at = $13, \
                 cancelled_at = $14, override_reason = $15, override_by = $16, updated_at = $17 WHERE id = $1",
                vec![
                    o.id.into(),
                    o.state.code().into(),
                    o.effect.code().into(),
                    o.node_id.into(),
                    o.node_path.as_str().into(),
                    o.reason.as_str().into(),
                    o.area.as_str().into(),
                    o.starts_at.as_microsecond().into(),
                    o.expected_restore_at.as_microsecond().into(),
                    us(o.restored_at),
                    us(o.announced_at),
                    us(o.restore_notified_at),
                    us(o.authority_reported_at),
                    us(o.cancelled_at),
                    o.override_reason.clone().into(),
                    o.override_by.into(),
                    o.updated_at.as_microsecond().into(),
                ],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("outage")) } else { Ok(()) }
    }

    /// Replaces the outage's affected set with every customer below its node
    /// (one range scan on the supply path, one `INSERT … SELECT`); returns
    /// how many there are.
    #[tracing::instrument(skip(self))]
    pub async fn snapshot_affected(&mut self, outage_id: i64) -> Result<u64> {
        let o = self.exec().outage(outage_id).await?;
        let (lo, hi) = network::subtree_bounds(&o.node_path);
        let x = self.exec();
        x.run("DELETE FROM outage_customers WHERE outage_id = $1", vec![outage_id.into()]).await?;
        let n = x
            .run(
                "INSERT INTO outage_customers (outage_id, customer_id) \
                 SELECT $1, c.id FROM premises_supply s JOIN customers c ON c.premises_id = s.premises_id AND c.utility = s.utility \
                 WHERE s.node_path >= $2 AND s.node_path < $3 AND s.utility = $4 AND c.company_id = $5",
                vec![outage_id.into(), lo.into(), hi.into(), o.utility.code().into(), o.company_id.into()],
            )
            .await?;
        x.run("UPDATE outages SET affected_count = $2 WHERE id = $1", vec![outage_id.into(), (n as i64).into()])
            .await?;
        Ok(n)
    }

    /// Queues `topic` for every customer in the outage's snapshot with one
    /// `INSERT … SELECT` joined to the snapshot (no id lists to bind), choosing
    /// channels and building dedup keys exactly as `queue_notifications` does
    /// for subject `outage`, so either path deduplicates against the other.
    #[tracing::instrument(skip(self, vars))]
    pub async fn queue_outage_notifications(
        &mut self,
        outage_id: i64,
        company_id: i64,
        topic: &str,
        vars: &serde_json::Value,
        now_us: i64,
    ) -> Result<u64> {
        use crate::notifications::{ADDRESS, CHANNEL};
        let prefix = format!("{topic}:outage:{outage_id}:c");
        // `WHERE 1 = 1` lets SQLite tell the upsert's ON from a join's.
        let sql = format!(
            "INSERT INTO notifications (company_id, topic, subject, subject_id, customer_id, channel, address, locale, vars, dedup_key, \
             state, attempts, next_attempt_at, created_at, updated_at) \
             SELECT company_id, $1, 'outage', $2, id, ch, addr, COALESCE(locale, 'zh-CN'), $3, $4 || CAST(id AS TEXT) || ':' || ch, \
             'queued', 0, $5, $5, $5 \
             FROM (SELECT c.id, c.company_id, c.locale, {CHANNEL} AS ch, {ADDRESS} AS addr FROM outage_customers oc \
                   JOIN customers c ON c.id = oc.customer_id WHERE oc.outage_id = $2 AND c.company_id = $6) r WHERE 1 = 1 \
             ON CONFLICT (dedup_key) DO NOTHING"
        );
        self.exec()
            .run(
                &sql,
                vec![
                    topic.into(),
                    outage_id.into(),
                    vars.to_string().into(),
                    prefix.into(),
                    now_us.into(),
                    company_id.into(),
                ],
            )
            .await
    }

    /// Hangs a case under an outage; linking twice changes nothing. Returns
    /// whether a new link was made.
    #[tracing::instrument(skip(self))]
    pub async fn link_outage_case(&mut self, outage_id: i64, case_id: i64, how: &str, at_us: i64) -> Result<bool> {
        let n = self
            .exec()
            .run(
                "INSERT INTO outage_cases (outage_id, case_id, how, linked_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                vec![outage_id.into(), case_id.into(), how.into(), at_us.into()],
            )
            .await?;
        Ok(n > 0)
    }
}
