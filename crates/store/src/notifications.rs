//! The notification outbox: queued in bulk in the caller's transaction,
//! claimed by delivery workers under a lease, and recorded per recipient.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::paging::Where;
use crate::records::*;
use crate::row::{FromRow, Row};
use pledge_domain::notify::{ChannelKind, DeliveryState, Locale};
use sea_orm::Value;

const COLS: &str = "id, company_id, topic, subject, subject_id, customer_id, staff_id, channel, address, locale, vars, state, attempts, \
                    next_attempt_at, locked_by, last_error, sent_via, sent_at, created_at, updated_at";

impl FromRow for NotificationRecord {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(NotificationRecord {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            topic: r.get("topic")?,
            subject: r.get("subject")?,
            subject_id: r.get("subject_id")?,
            customer_id: r.opt_id("customer_id")?,
            staff_id: r.opt_id("staff_id")?,
            channel: r.code("channel", "channel", ChannelKind::parse)?,
            address: r.get("address")?,
            locale: r.code("locale", "locale", Locale::parse)?,
            vars: r.json("vars", "notification vars")?,
            state: r.code("state", "delivery state", DeliveryState::parse)?,
            attempts: r.count("attempts")? as u32,
            next_attempt_at: r.get("next_attempt_at")?,
            locked_by: r.get("locked_by")?,
            last_error: r.get("last_error")?,
            sent_via: r.opt_code("sent_via", "channel", ChannelKind::parse)?,
            sent_at: r.get("sent_at")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

/// Ids per statement: well under SQLite's and PostgreSQL's parameter limits.
const PER_STATEMENT: usize = 2000;

/// The channel and address a recipient's contact details give: a phone
/// number first (SMS), then an e-mail address, else the log.
pub(crate) const CHANNEL: &str = "CASE WHEN phone IS NOT NULL AND phone <> '' THEN 'sms' \
                       WHEN email IS NOT NULL AND email <> '' THEN 'email' ELSE 'log' END";
pub(crate) const ADDRESS: &str = "CASE WHEN phone IS NOT NULL AND phone <> '' THEN phone \
                       WHEN email IS NOT NULL AND email <> '' THEN email ELSE NULL END";

impl FromRow for DeliveryCount {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(DeliveryCount {
            state: r.code("state", "delivery state", DeliveryState::parse)?,
            channel: r.code("channel", "channel", ChannelKind::parse)?,
            count: r.count("n")?,
        })
    }
}

impl FromRow for StoredTemplate {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(StoredTemplate {
            topic: r.get("topic")?,
            locale: r.code("locale", "locale", Locale::parse)?,
            subject: r.get("subject")?,
            body: r.get("body")?,
            updated_by: r.opt_id("updated_by")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

/// Queueing, claiming and recording notifications; contacts and templates. Implemented for [`Tx`]: inside a write transaction.
pub trait NotificationWrites {
    /// Queues one notification per recipient (of `company_id`; others are
    /// ignored) in multi-row `INSERT … SELECT` statements. The dedup key
    /// (topic, subject, subject id, recipient, channel) makes a repeated call
    /// a no-op. Returns how many rows were newly queued.
    #[allow(clippy::too_many_arguments)]
    fn queue_notifications(
        &mut self,
        company_id: CompanyId,
        topic: &str,
        subject: &str,
        subject_id: i64,
        to: Recipients<'_>,
        vars: &serde_json::Value,
        now_us: i64,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Like `queue_notifications` for subject `outage`, under the dedup key
    /// of the outage's `revision` (see [`outage_key_prefix`]).
    #[allow(clippy::too_many_arguments)]
    fn queue_outage_revision(
        &mut self,
        company_id: CompanyId,
        topic: &str,
        outage_id: OutageId,
        revision: i64,
        customers: &[CustomerId],
        vars: &serde_json::Value,
        now_us: i64,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Queues one notice to a case's customer (see [`NewNotice`]): to the
    /// customer's phone (SMS) or else e-mail address, else to the fallback
    /// phone; never to the log. Says whether it was queued, was a duplicate,
    /// or had no contact to go to.
    fn queue_notice(&mut self, n: &NewNotice<'_>) -> impl Future<Output = Result<NoticeQueued>> + Send;

    /// Claims up to `limit` notifications that are due at `now` (queued,
    /// retrying, or sending under an expired lease) for `worker` until
    /// `lease_until`, counting the attempt. Rows another server has locked
    /// are skipped (PostgreSQL); on SQLite the write lock serialises claims.
    fn claim_notifications(
        &mut self,
        worker: &str,
        now_us: i64,
        lease_until_us: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<NotificationRecord>>> + Send;

    /// Records a delivery. Ignored (returns false) when the row is no longer
    /// this worker's: its lease ran out and another worker took it over.
    fn record_sent(
        &mut self,
        id: NotificationId,
        worker: &str,
        via: ChannelKind,
        now_us: i64,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Records many deliveries through `via` in one statement per 2,000
    /// rows; returns how many were still this worker's (see [`NotificationWrites::record_sent`]).
    fn record_sent_many(
        &mut self,
        ids: &[NotificationId],
        worker: &str,
        via: ChannelKind,
        now_us: i64,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Records a failed attempt: tried again at `retry_at`, or dead when None.
    fn record_failure(
        &mut self,
        id: NotificationId,
        worker: &str,
        error: &str,
        retry_at_us: Option<i64>,
        now_us: i64,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Puts a dead (or retrying) notification back in the queue with fresh attempts.
    fn requeue_notification(
        &mut self,
        company_id: CompanyId,
        id: NotificationId,
        now_us: i64,
    ) -> impl Future<Output = Result<NotificationRecord>> + Send;

    /// Sets the contact details notifications use for a customer (the phone is kept on the customer record).
    fn set_customer_contact(
        &mut self,
        company_id: CompanyId,
        customer_id: CustomerId,
        email: Option<&str>,
        locale: Option<Locale>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Sets a staff member's contact details for escalations.
    fn set_staff_contact(
        &mut self,
        company_id: CompanyId,
        staff_id: StaffId,
        phone: Option<&str>,
        email: Option<&str>,
        locale: Option<Locale>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Names (or clears) the head of a department.
    fn set_department_head(
        &mut self,
        company_id: CompanyId,
        department_id: DepartmentId,
        head: Option<StaffId>,
    ) -> impl Future<Output = Result<()>> + Send;

    fn put_notification_template(
        &mut self,
        company_id: CompanyId,
        t: &StoredTemplate,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl NotificationWrites for Tx {
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(skip(self, to, vars), fields(recipients))]
    async fn queue_notifications(
        &mut self,
        company_id: CompanyId,
        topic: &str,
        subject: &str,
        subject_id: i64,
        to: Recipients<'_>,
        vars: &serde_json::Value,
        now_us: i64,
    ) -> Result<u64> {
        let (ids, table, col, tag) = match to {
            Recipients::Customers(ids) => {
                (ids.iter().map(|&i| i.bind()).collect::<Vec<_>>(), "customers", "customer_id", 'c')
            }
            Recipients::Staff(ids) => (ids.iter().map(|&i| i.bind()).collect(), "staff", "staff_id", 's'),
        };
        tracing::Span::current().record("recipients", ids.len());
        let prefix = format!("{topic}:{subject}:{subject_id}:{tag}");
        queue_keyed(self, company_id, topic, subject, subject_id, (ids, table, col), &prefix, vars, now_us).await
    }

    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(skip(self, customers, vars))]
    async fn queue_outage_revision(
        &mut self,
        company_id: CompanyId,
        topic: &str,
        outage_id: OutageId,
        revision: i64,
        customers: &[CustomerId],
        vars: &serde_json::Value,
        now_us: i64,
    ) -> Result<u64> {
        let ids = customers.iter().map(|&i| i.bind()).collect::<Vec<_>>();
        let prefix = outage_key_prefix(topic, outage_id, revision);
        queue_keyed(
            self,
            company_id,
            topic,
            "outage",
            outage_id.get(),
            (ids, "customers", "customer_id"),
            &prefix,
            vars,
            now_us,
        )
        .await
    }

    #[tracing::instrument(skip(self, n), fields(topic = n.topic, subject_id = n.subject_id))]
    async fn queue_notice(&mut self, n: &NewNotice<'_>) -> Result<NoticeQueued> {
        #[derive(Debug)]
        struct Contact {
            channel: ChannelKind,
            address: Option<String>,
            locale: Option<String>,
        }
        impl FromRow for Contact {
            fn from_row(r: Row<'_>) -> Result<Self> {
                Ok(Contact {
                    channel: r.code("ch", "channel", ChannelKind::parse)?,
                    address: r.get("addr")?,
                    locale: r.get("locale")?,
                })
            }
        }
        let contact: Option<Contact> = match n.customer_id {
            Some(id) => self
                .exec()
                .fetch_all(
                    &format!(
                        "SELECT {CHANNEL} AS ch, {ADDRESS} AS addr, locale FROM customers WHERE id = $1 AND company_id = $2"
                    ),
                    vec![id.bind(), n.company_id.bind()],
                )
                .await?
                .into_iter()
                .next(),
            None => None,
        };
        let locale = contact.as_ref().and_then(|c| c.locale.as_deref()).and_then(Locale::parse).unwrap_or(Locale::Zh);
        let (channel, address) = match contact {
            Some(Contact { channel, address: Some(a), .. }) if channel != ChannelKind::Log => (channel, a),
            _ => match n.fallback_phone.filter(|p| !p.trim().is_empty()) {
                Some(p) => (ChannelKind::Sms, p.to_owned()),
                None => return Ok(NoticeQueued::NoContact),
            },
        };
        let queued = self
            .exec()
            .run(
                "INSERT INTO notifications (company_id, topic, subject, subject_id, customer_id, channel, address, locale, vars, dedup_key, \
                 state, attempts, next_attempt_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', 0, $11, $11, $11) ON CONFLICT (dedup_key) DO NOTHING",
                vec![
                    n.company_id.bind(),
                    n.topic.into(),
                    n.subject.into(),
                    n.subject_id.into(),
                    n.customer_id.bind(),
                    channel.code().into(),
                    address.into(),
                    locale.code().into(),
                    n.vars.to_string().into(),
                    n.dedup_key.into(),
                    n.now_us.into(),
                ],
            )
            .await?;
        Ok(if queued == 0 { NoticeQueued::AlreadyQueued } else { NoticeQueued::Queued(channel) })
    }

    #[tracing::instrument(skip(self))]
    async fn claim_notifications(
        &mut self,
        worker: &str,
        now_us: i64,
        lease_until_us: i64,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>> {
        let lock = if self.backend() == crate::Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let mut out: Vec<NotificationRecord> = self
            .exec()
            .fetch_all(
                &format!(
                    "UPDATE notifications SET state = 'sending', locked_by = $1, locked_until = $3, next_attempt_at = $3, \
                     attempts = attempts + 1, updated_at = $2 \
                     WHERE id IN (SELECT id FROM notifications WHERE state IN ('queued', 'retrying', 'sending') \
                                  AND next_attempt_at <= $2 ORDER BY next_attempt_at, id LIMIT $4{lock}) \
                     RETURNING {COLS}"
                ),
                vec![worker.into(), now_us.into(), lease_until_us.into(), (limit as i64).into()],
            )
            .await?;
        out.sort_by_key(|n| n.id);
        Ok(out)
    }

    async fn record_sent(&mut self, id: NotificationId, worker: &str, via: ChannelKind, now_us: i64) -> Result<bool> {
        let n = self
            .exec()
            .run(
                "UPDATE notifications SET state = 'sent', sent_at = $3, sent_via = $4, last_error = NULL, next_attempt_at = NULL, \
                 locked_by = NULL, locked_until = NULL, updated_at = $3 WHERE id = $1 AND locked_by = $2 AND state = 'sending'",
                vec![id.bind(), worker.into(), now_us.into(), via.code().into()],
            )
            .await?;
        Ok(n == 1)
    }

    async fn record_sent_many(
        &mut self,
        ids: &[NotificationId],
        worker: &str,
        via: ChannelKind,
        now_us: i64,
    ) -> Result<u64> {
        let mut done = 0;
        for chunk in ids.chunks(PER_STATEMENT) {
            let mut v: Vec<Value> = vec![worker.into(), now_us.into(), via.code().into()];
            let list: Vec<String> = chunk
                .iter()
                .map(|id| {
                    v.push((*id).bind());
                    format!("${}", v.len())
                })
                .collect();
            done += self
                .exec()
                .run(
                    &format!(
                        "UPDATE notifications SET state = 'sent', sent_at = $2, sent_via = $3, last_error = NULL, next_attempt_at = NULL, \
                         locked_by = NULL, locked_until = NULL, updated_at = $2 WHERE id IN ({}) AND locked_by = $1 AND state = 'sending'",
                        list.join(", ")
                    ),
                    v,
                )
                .await?;
        }
        Ok(done)
    }

    async fn record_failure(
        &mut self,
        id: NotificationId,
        worker: &str,
        error: &str,
        retry_at_us: Option<i64>,
        now_us: i64,
    ) -> Result<bool> {
        let state = if retry_at_us.is_some() { "retrying" } else { "dead" };
        let n = self
            .exec()
            .run(
                "UPDATE notifications SET state = $3, last_error = $4, next_attempt_at = $5, locked_by = NULL, locked_until = NULL, \
                 updated_at = $6 WHERE id = $1 AND locked_by = $2 AND state = 'sending'",
                vec![id.bind(), worker.into(), state.into(), error.chars().take(500).collect::<String>().into(), retry_at_us.into(), now_us.into()],
            )
            .await?;
        Ok(n == 1)
    }

    async fn requeue_notification(
        &mut self,
        company_id: CompanyId,
        id: NotificationId,
        now_us: i64,
    ) -> Result<NotificationRecord> {
        self.exec()
            .fetch(
                &format!(
                    "UPDATE notifications SET state = 'queued', attempts = 0, next_attempt_at = $3, locked_by = NULL, locked_until = NULL, \
                     updated_at = $3 WHERE id = $1 AND company_id = $2 AND state IN ('dead', 'retrying') RETURNING {COLS}"
                ),
                vec![id.bind(), company_id.bind(), now_us.into()],
                "retryable notification",
            )
            .await
    }

    async fn set_customer_contact(
        &mut self,
        company_id: CompanyId,
        customer_id: CustomerId,
        email: Option<&str>,
        locale: Option<Locale>,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE customers SET email = $3, locale = $4 WHERE id = $1 AND company_id = $2",
                vec![customer_id.bind(), company_id.bind(), email.into(), locale.map(|l| l.code()).into()],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("customer")) } else { Ok(()) }
    }

    async fn set_staff_contact(
        &mut self,
        company_id: CompanyId,
        staff_id: StaffId,
        phone: Option<&str>,
        email: Option<&str>,
        locale: Option<Locale>,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE staff SET phone = $3, email = $4, locale = $5 WHERE id = $1 AND company_id = $2",
                vec![staff_id.bind(), company_id.bind(), phone.into(), email.into(), locale.map(|l| l.code()).into()],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("staff member")) } else { Ok(()) }
    }

    async fn set_department_head(
        &mut self,
        company_id: CompanyId,
        department_id: DepartmentId,
        head: Option<StaffId>,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE departments SET head_staff_id = $3 WHERE id = $1 AND company_id = $2 \
                 AND ($3 IS NULL OR EXISTS (SELECT 1 FROM staff s WHERE s.id = $3 AND s.company_id = $2))",
                vec![department_id.bind(), company_id.bind(), head.bind()],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("department or staff member")) } else { Ok(()) }
    }

    async fn put_notification_template(&mut self, company_id: CompanyId, t: &StoredTemplate) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO notification_templates (company_id, topic, locale, subject, body, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, topic, locale) \
                 DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                vec![company_id.bind(), t.topic.clone().into(), t.locale.code().into(), t.subject.clone().into(), t.body.clone().into(), t.updated_by.bind(), t.updated_at.into()],
            )
            .await?;
        Ok(())
    }
}

/// Reading the notification outbox and the stored templates. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait NotificationReads {
    fn notification(
        &self,
        company_id: CompanyId,
        id: NotificationId,
    ) -> impl Future<Output = Result<NotificationRecord>> + Send;

    /// Notifications matching `f`, newest first.
    fn notifications(
        &self,
        f: &NotificationFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<NotificationRecord>>> + Send;

    /// Counts by state and channel of the notifications about one subject
    /// (for sent ones, the channel that carried them).
    fn delivery_counts(
        &self,
        company_id: CompanyId,
        subject: &str,
        subject_id: i64,
    ) -> impl Future<Output = Result<Vec<DeliveryCount>>> + Send;

    /// A company's stored templates.
    fn notification_templates(&self, company_id: CompanyId)
    -> impl Future<Output = Result<Vec<StoredTemplate>>> + Send;
}

impl NotificationReads for Exec<'_> {
    async fn notification(&self, company_id: CompanyId, id: NotificationId) -> Result<NotificationRecord> {
        self.fetch(
            &format!("SELECT {COLS} FROM notifications WHERE id = $1 AND company_id = $2"),
            vec![id.bind(), company_id.bind()],
            "notification",
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn notifications(&self, f: &NotificationFilter, page: PageRequest) -> Result<Page<NotificationRecord>> {
        let mut w = Where::new();
        w.eq("company_id", Some(f.company_id.bind()));
        w.eq("state", f.state.map(|s| s.code()));
        w.eq("topic", f.topic.clone());
        w.eq("subject", f.subject.clone());
        w.eq("subject_id", f.subject_id);
        w.eq("channel", f.channel.map(|c| c.code()));
        let from = format!("FROM notifications {}", w.sql());
        self.page(COLS, &from, w.into_values(), "id DESC", page).await
    }

    #[tracing::instrument(skip(self))]
    async fn delivery_counts(
        &self,
        company_id: CompanyId,
        subject: &str,
        subject_id: i64,
    ) -> Result<Vec<DeliveryCount>> {
        self.fetch_all(
            // A sent row counts under the channel that really carried it.
            "SELECT state, COALESCE(sent_via, channel) AS channel, COUNT(*) AS n FROM notifications \
             WHERE subject = $1 AND subject_id = $2 AND company_id = $3 \
             GROUP BY state, COALESCE(sent_via, channel) ORDER BY state, channel",
            vec![subject.into(), subject_id.into(), company_id.bind()],
        )
        .await
    }

    async fn notification_templates(&self, company_id: CompanyId) -> Result<Vec<StoredTemplate>> {
        self.fetch_all(
            "SELECT topic, locale, subject, body, updated_by, updated_at FROM notification_templates WHERE company_id = $1 ORDER BY topic, locale",
            vec![company_id.bind()],
        )
        .await
    }
}

/// The dedup key prefix of an outage notice to a customer: revision 0 keeps
/// the key outages had before revisions (`{topic}:outage:{id}:c`); later
/// revisions add `:r{n}`, so each change is told once.
pub fn outage_key_prefix(topic: &str, outage_id: OutageId, revision: i64) -> String {
    if revision > 0 {
        format!("{topic}:outage:{outage_id}:r{revision}:c")
    } else {
        format!("{topic}:outage:{outage_id}:c")
    }
}

/// Queues `topic` to the listed recipients under dedup keys `{prefix}{id}:{channel}`.
#[allow(clippy::too_many_arguments)]
async fn queue_keyed(
    tx: &mut Tx,
    company_id: CompanyId,
    topic: &str,
    subject: &str,
    subject_id: i64,
    (ids, table, col): (Vec<Value>, &str, &str),
    prefix: &str,
    vars: &serde_json::Value,
    now_us: i64,
) -> Result<u64> {
    let vars = vars.to_string();
    let mut queued = 0;
    for chunk in ids.chunks(PER_STATEMENT) {
        let mut v: Vec<Value> = vec![
            topic.into(),
            subject.into(),
            subject_id.into(),
            vars.clone().into(),
            now_us.into(),
            company_id.bind(),
            prefix.into(),
        ];
        let list: Vec<String> = chunk
            .iter()
            .map(|id| {
                v.push(id.clone());
                format!("${}", v.len())
            })
            .collect();
        // `WHERE 1 = 1` lets SQLite tell the upsert's ON from a join's.
        let sql = format!(
            "INSERT INTO notifications (company_id, topic, subject, subject_id, {col}, channel, address, locale, vars, dedup_key, \
             state, attempts, next_attempt_at, created_at, updated_at) \
             SELECT company_id, $1, $2, $3, id, ch, addr, COALESCE(locale, 'zh-CN'), $4, $7 || CAST(id AS TEXT) || ':' || ch, \
             'queued', 0, $5, $5, $5 \
             FROM (SELECT id, company_id, locale, {CHANNEL} AS ch, {ADDRESS} AS addr FROM {table} \
                   WHERE company_id = $6 AND id IN ({})) r WHERE 1 = 1 \
             ON CONFLICT (dedup_key) DO NOTHING",
            list.join(", ")
        );
        queued += tx.exec().run(&sql, v).await?;
    }
    Ok(queued)
}
