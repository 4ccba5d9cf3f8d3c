//! Outages, the customers each affects (a snapshot taken with one
//! `INSERT … SELECT` over the supply-path index), and the cases hung under
//! them. Suspected outages are in `suspects.rs`.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::paging::Where;
use crate::records::*;
use crate::registry::CUSTOMER_COLS;
use crate::row::{FromRow, Row};
use jiff::Timestamp;
use pledge_domain::Utility;
use pledge_domain::commitment::OutageKind;
use pledge_domain::network;
use pledge_domain::outage::{Effect, OutageState};
use sea_orm::Value;

const COLS: &str = "id, company_id, utility, kind, effect, state, node_id, node_path, reason, area, starts_at, expected_restore_at, \
     restored_at, announced_at, restore_notified_at, authority_reported_at, cancelled_at, override_reason, override_by, affected_count, \
     suspected_id, created_by, created_at, updated_at";

/// Active states, as SQL text (fixed codes, no user input).
const ACTIVE: &str = "('announced', 'in_progress', 'restore_notified')";

impl FromRow for (NodeId, String) {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok((r.id("node_id")?, r.get("node_path")?))
    }
}

impl FromRow for Outage {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(Outage {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            utility: r.code("utility", "utility", Utility::parse)?,
            kind: r.code("kind", "outage kind", OutageKind::parse)?,
            effect: r.code("effect", "outage effect", Effect::parse)?,
            state: r.code("state", "outage state", OutageState::parse)?,
            node_id: r.id("node_id")?,
            node_path: r.get("node_path")?,
            reason: r.get("reason")?,
            area: r.get("area")?,
            starts_at: r.ts("starts_at")?,
            expected_restore_at: r.ts("expected_restore_at")?,
            restored_at: r.opt_ts("restored_at")?,
            announced_at: r.opt_ts("announced_at")?,
            restore_notified_at: r.opt_ts("restore_notified_at")?,
            authority_reported_at: r.opt_ts("authority_reported_at")?,
            cancelled_at: r.opt_ts("cancelled_at")?,
            override_reason: r.get("override_reason")?,
            override_by: r.opt_id("override_by")?,
            affected_count: r.count("affected_count")?,
            suspected_id: r.opt_id("suspected_id")?,
            created_by: r.opt_id("created_by")?,
            created_at: r.ts("created_at")?,
            updated_at: r.ts("updated_at")?,
        })
    }
}

const CAP_COLS: &str = "id, company_id, outage_id, seq, identifier, sender, msg_type, sent, refs, snapshot";

impl FromRow for CapMessage {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(CapMessage {
            id: r.get("id")?,
            company_id: r.id("company_id")?,
            outage_id: r.id("outage_id")?,
            seq: r.get("seq")?,
            identifier: r.get("identifier")?,
            sender: r.get("sender")?,
            msg_type: r.get("msg_type")?,
            sent: r.ts("sent")?,
            refs: r.get("refs")?,
            snapshot: r.get("snapshot")?,
        })
    }
}

/// The outage columns qualified with `o.`, for joins.
fn o_cols() -> String {
    COLS.split(", ").map(|c| format!("o.{}", c.trim())).collect::<Vec<_>>().join(", ")
}

fn us(t: Option<Timestamp>) -> Value {
    t.map(|t| t.as_microsecond()).into()
}

/// Reading outages, their affected customers and linked cases. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait OutageReads {
    fn outage(&self, id: OutageId) -> impl Future<Output = Result<Outage>> + Send;

    fn outages(&self, f: &OutageFilter, page: PageRequest) -> impl Future<Output = Result<Page<Outage>>> + Send;

    /// Open outages on the same node whose span overlaps `[start, end)`.
    fn overlapping_outages(
        &self,
        node_id: NodeId,
        start_us: i64,
        end_us: i64,
        except: Option<OutageId>,
    ) -> impl Future<Output = Result<Vec<OutageId>>> + Send;

    /// Active outages whose affected set holds this customer.
    fn active_outages_of_customer(&self, customer_id: CustomerId) -> impl Future<Output = Result<Vec<Outage>>> + Send;

    /// Customers in an outage's snapshot, in id order.
    fn affected_customers(
        &self,
        outage_id: OutageId,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Customer>>> + Send;

    /// Ids of every customer in an outage's snapshot, in id order.
    fn affected_customer_ids(&self, outage_id: OutageId) -> impl Future<Output = Result<Vec<CustomerId>>> + Send;

    /// Cases hung under an outage, in id order.
    fn outage_case_ids(&self, outage_id: OutageId) -> impl Future<Output = Result<Vec<CaseId>>> + Send;

    /// Outages a case hangs under.
    fn outages_of_case(&self, case_id: CaseId) -> impl Future<Output = Result<Vec<Outage>>> + Send;

    /// Outages the public sees: every announced one still open, and those
    /// restored or cancelled since `since` (so feeds carry the all-clear).
    fn public_outages(&self, since_us: i64, limit: u32) -> impl Future<Output = Result<Vec<Outage>>> + Send;

    /// The CAP messages of an outage, oldest first.
    fn cap_messages(&self, outage_id: OutageId) -> impl Future<Output = Result<Vec<CapMessage>>> + Send;

    /// The supply node (id, path) of a customer's premises for its utility.
    fn supply_node_of_customer(
        &self,
        customer_id: CustomerId,
    ) -> impl Future<Output = Result<Option<(NodeId, String)>>> + Send;
}

impl OutageReads for Exec<'_> {
    #[tracing::instrument(skip(self))]
    async fn outage(&self, id: OutageId) -> Result<Outage> {
        self.fetch(&format!("SELECT {COLS} FROM outages WHERE id = $1"), vec![id.bind()], "outage").await
    }

    #[tracing::instrument(skip(self, f))]
    async fn outages(&self, f: &OutageFilter, page: PageRequest) -> Result<Page<Outage>> {
        let mut w = Where::new();
        w.eq("company_id", f.company_id.map(Bind::bind));
        w.eq("utility", f.utility.map(|u| u.code()));
        w.eq("kind", f.kind.map(|k| k.code()));
        w.eq("node_id", f.node_id.map(Bind::bind));
        w.any("state", f.states.iter().map(|s| s.code()));
        if f.open_only {
            w.and("state NOT IN ('restored', 'cancelled')");
        }
        let from = format!("FROM outages {}", w.sql());
        self.page(COLS, &from, w.into_values(), "starts_at DESC, id DESC", page).await
    }

    #[tracing::instrument(skip(self))]
    async fn overlapping_outages(
        &self,
        node_id: NodeId,
        start_us: i64,
        end_us: i64,
        except: Option<OutageId>,
    ) -> Result<Vec<OutageId>> {
        self.fetch_all(
            "SELECT id FROM outages WHERE node_id = $1 AND state NOT IN ('restored', 'cancelled') \
             AND starts_at < $3 AND $2 < expected_restore_at AND ($4 IS NULL OR id <> $4) ORDER BY id",
            vec![node_id.bind(), start_us.into(), end_us.into(), except.bind()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn active_outages_of_customer(&self, customer_id: CustomerId) -> Result<Vec<Outage>> {
        self.fetch_all(
            &format!(
                "SELECT {} FROM outage_customers oc JOIN outages o ON o.id = oc.outage_id \
                 WHERE oc.customer_id = $1 AND o.state IN {ACTIVE} ORDER BY o.starts_at DESC, o.id DESC",
                o_cols()
            ),
            vec![customer_id.bind()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn affected_customers(&self, outage_id: OutageId, page: PageRequest) -> Result<Page<Customer>> {
        self.page(
            CUSTOMER_COLS,
            "FROM outage_customers oc JOIN customers c ON c.id = oc.customer_id \
             LEFT JOIN premises p ON p.id = c.premises_id WHERE oc.outage_id = $1",
            vec![outage_id.bind()],
            "c.id",
            page,
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn affected_customer_ids(&self, outage_id: OutageId) -> Result<Vec<CustomerId>> {
        self.fetch_all(
            "SELECT customer_id FROM outage_customers WHERE outage_id = $1 ORDER BY customer_id",
            vec![outage_id.bind()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn outage_case_ids(&self, outage_id: OutageId) -> Result<Vec<CaseId>> {
        self.fetch_all("SELECT case_id FROM outage_cases WHERE outage_id = $1 ORDER BY case_id", vec![outage_id.bind()])
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn outages_of_case(&self, case_id: CaseId) -> Result<Vec<Outage>> {
        self.fetch_all(
            &format!(
                "SELECT {} FROM outage_cases oc JOIN outages o ON o.id = oc.outage_id WHERE oc.case_id = $1 ORDER BY o.id",
                o_cols()
            ),
            vec![case_id.bind()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn public_outages(&self, since_us: i64, limit: u32) -> Result<Vec<Outage>> {
        self.fetch_all(
            &format!(
                "SELECT {COLS} FROM outages WHERE state IN {ACTIVE} OR (state IN ('restored', 'cancelled') AND updated_at >= $1) \
                 ORDER BY starts_at DESC, id DESC LIMIT $2"
            ),
            vec![since_us.into(), (limit as i64).into()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn cap_messages(&self, outage_id: OutageId) -> Result<Vec<CapMessage>> {
        self.fetch_all(
            &format!("SELECT {CAP_COLS} FROM cap_messages WHERE outage_id = $1 ORDER BY seq"),
            vec![outage_id.bind()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn supply_node_of_customer(&self, customer_id: CustomerId) -> Result<Option<(NodeId, String)>> {
        self.fetch_opt(
            "SELECT s.node_id, s.node_path FROM customers c JOIN premises_supply s ON s.premises_id = c.premises_id AND s.utility = c.utility \
             WHERE c.id = $1",
            vec![customer_id.bind()],
        )
        .await
    }
}

/// Recording outages, their affected snapshot, notifications and linked cases. Implemented for [`Tx`]: inside a write transaction.
pub trait OutageWrites {
    fn insert_outage(&mut self, o: &NewOutage) -> impl Future<Output = Result<OutageId>> + Send;

    /// Writes every mutable column of an outage.
    fn update_outage(&mut self, o: &Outage) -> impl Future<Output = Result<()>> + Send;

    /// Replaces the outage's affected set with every customer below its node
    /// (one range scan on the supply path, one `INSERT … SELECT`); returns
    /// how many there are.
    fn snapshot_affected(&mut self, outage_id: OutageId) -> impl Future<Output = Result<u64>> + Send;

    /// Queues `topic` for every customer in the outage's snapshot with one
    /// `INSERT … SELECT` joined to the snapshot (no id lists to bind), choosing
    /// channels and building dedup keys exactly as `queue_notifications` does
    /// for subject `outage`, so either path deduplicates against the other.
    /// From `revision` 1 on, the key carries the outage's revision: each
    /// change is told once.
    fn queue_outage_notifications(
        &mut self,
        outage_id: OutageId,
        company_id: CompanyId,
        topic: &str,
        revision: i64,
        vars: &serde_json::Value,
        now_us: i64,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Keeps one CAP message of an outage's lineage (`id` is ignored).
    fn insert_cap_message(&mut self, m: &CapMessage) -> impl Future<Output = Result<i64>> + Send;

    /// Hangs a case under an outage; linking twice changes nothing. Returns
    /// whether a new link was made.
    fn link_outage_case(
        &mut self,
        outage_id: OutageId,
        case_id: CaseId,
        how: &str,
        at_us: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
}

impl OutageWrites for Tx {
    #[tracing::instrument(skip(self, o), fields(node_id = o.node_id.get()))]
    async fn insert_outage(&mut self, o: &NewOutage) -> Result<OutageId> {
        self.exec()
            .insert_id(
                "INSERT INTO outages (company_id, utility, kind, effect, state, node_id, node_path, reason, area, starts_at, expected_restore_at, \
                 suspected_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
                vec![
                    o.company_id.bind(),
                    o.utility.code().into(),
                    o.kind.code().into(),
                    o.effect.code().into(),
                    o.state.code().into(),
                    o.node_id.bind(),
                    o.node_path.as_str().into(),
                    o.reason.as_str().into(),
                    o.area.as_str().into(),
                    o.starts_at_us.into(),
                    o.expected_restore_at_us.into(),
                    o.suspected_id.bind(),
                    o.created_by.bind(),
                    o.at_us.into(),
                ],
            )
            .await
    }

    #[tracing::instrument(skip(self, m), fields(outage_id = m.outage_id.get(), seq = m.seq))]
    async fn insert_cap_message(&mut self, m: &CapMessage) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO cap_messages (company_id, outage_id, seq, identifier, sender, msg_type, sent, refs, snapshot) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                vec![
                    m.company_id.bind(),
                    m.outage_id.bind(),
                    m.seq.into(),
                    m.identifier.as_str().into(),
                    m.sender.as_str().into(),
                    m.msg_type.as_str().into(),
                    m.sent.as_microsecond().into(),
                    m.refs.as_str().into(),
                    m.snapshot.as_str().into(),
                ],
            )
            .await
    }

    #[tracing::instrument(skip(self, o), fields(id = o.id.get()))]
    async fn update_outage(&mut self, o: &Outage) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE outages SET state = $2, effect = $3, node_id = $4, node_path = $5, reason = $6, area = $7, starts_at = $8, \
                 expected_restore_at = $9, restored_at = $10, announced_at = $11, restore_notified_at = $12, authority_reported_at = $13, \
                 cancelled_at = $14, override_reason = $15, override_by = $16, updated_at = $17 WHERE id = $1",
                vec![
                    o.id.bind(),
                    o.state.code().into(),
                    o.effect.code().into(),
                    o.node_id.bind(),
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
                    o.override_by.bind(),
                    o.updated_at.as_microsecond().into(),
                ],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("outage")) } else { Ok(()) }
    }

    #[tracing::instrument(skip(self))]
    async fn snapshot_affected(&mut self, outage_id: OutageId) -> Result<u64> {
        let o = self.exec().outage(outage_id).await?;
        let (lo, hi) = network::subtree_bounds(&o.node_path);
        let x = self.exec();
        x.run("DELETE FROM outage_customers WHERE outage_id = $1", vec![outage_id.bind()]).await?;
        let n = x
            .run(
                "INSERT INTO outage_customers (outage_id, customer_id) \
                 SELECT $1, c.id FROM premises_supply s JOIN customers c ON c.premises_id = s.premises_id AND c.utility = s.utility \
                 WHERE s.node_path >= $2 AND s.node_path < $3 AND s.utility = $4 AND c.company_id = $5",
                vec![outage_id.bind(), lo.into(), hi.into(), o.utility.code().into(), o.company_id.bind()],
            )
            .await?;
        x.run("UPDATE outages SET affected_count = $2 WHERE id = $1", vec![outage_id.bind(), (n as i64).into()])
            .await?;
        Ok(n)
    }

    #[tracing::instrument(skip(self, vars))]
    async fn queue_outage_notifications(
        &mut self,
        outage_id: OutageId,
        company_id: CompanyId,
        topic: &str,
        revision: i64,
        vars: &serde_json::Value,
        now_us: i64,
    ) -> Result<u64> {
        use crate::notifications::{ADDRESS, CHANNEL};
        let prefix = crate::notifications::outage_key_prefix(topic, outage_id, revision);
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
                    outage_id.bind(),
                    vars.to_string().into(),
                    prefix.into(),
                    now_us.into(),
                    company_id.bind(),
                ],
            )
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn link_outage_case(&mut self, outage_id: OutageId, case_id: CaseId, how: &str, at_us: i64) -> Result<bool> {
        let n = self
            .exec()
            .run(
                "INSERT INTO outage_cases (outage_id, case_id, how, linked_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                vec![outage_id.bind(), case_id.bind(), how.into(), at_us.into()],
            )
            .await?;
        Ok(n > 0)
    }
}
