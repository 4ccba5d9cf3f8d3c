//! The notification outbox: queued in bulk in the caller's transaction,
//! claimed by delivery workers under a lease, and recorded per recipient.

use crate::error::{Result, StoreError, decode};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::records::{Page, PageRequest};
use pledge_domain::notify::{ChannelKind, DeliveryState, Locale};
use sea_orm::{QueryResult, Value};

const COLS: &str = "id, company_id, topic, subject, subject_id, customer_id, staff_id, channel, address, locale, vars, state, attempts, \
                    next_attempt_at, locked_by, last_error, sent_via, sent_at, created_at, updated_at";

fn row(r: &QueryResult) -> Result<NotificationRecord> {
    let vars: String = r.try_get("", "vars")?;
    let sent_via: Option<String> = r.try_get("", "sent_via")?;
    Ok(NotificationRecord {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        topic: r.try_get("", "topic")?,
        subject: r.try_get("", "subject")?,
        subject_id: r.try_get("", "subject_id")?,
        customer_id: r.try_get("", "customer_id")?,
        staff_id: r.try_get("", "staff_id")?,
        channel: decode("channel", &r.try_get::<String>("", "channel")?, ChannelKind::parse)?,
        address: r.try_get("", "address")?,
        locale: decode("locale", &r.try_get::<String>("", "locale")?, Locale::parse)?,
        vars: serde_json::from_str(&vars).map_err(|e| StoreError::Corrupt(format!("notification vars: {e}")))?,
        state: decode("delivery state", &r.try_get::<String>("", "state")?, DeliveryState::parse)?,
        attempts: r.try_get::<i64>("", "attempts")?.max(0) as u32,
        next_attempt_at: r.try_get("", "next_attempt_at")?,
        locked_by: r.try_get("", "locked_by")?,
        last_error: r.try_get("", "last_error")?,
        sent_via: sent_via.map(|s| decode("channel", &s, ChannelKind::parse)).transpose()?,
        sent_at: r.try_get("", "sent_at")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

/// Ids per statement: well under SQLite's and PostgreSQL's parameter limits.
const PER_STATEMENT: usize = 2000;

/// The channel and address a recipient's contact details give: a phone
/// number first (SMS), then an e-mail address, else the log.
pub(crate) const CHANNEL: &str = "CASE WHEN phone IS NOT NULL AND phone <> '' THEN 'sms' \
                       WHEN email IS NOT NULL AND email <> '' THEN 'email' ELSE 'log' END";
pub(crate) const ADDRESS: &str = "CASE WHEN phone IS NOT NULL AND phone <> '' THEN phone \
                       WHEN email IS NOT NULL AND email <> '' THEN email ELSE NULL END";

impl Tx {
    /// Queues one notification per recipient (of `company_id`; others are
    /// ignored) in multi-row `INSERT … SELECT` statements. The dedup key
    /// (topic, subject, subject id, recipient, channel) makes a repeated call
    /// a no-op. Returns how many rows were newly queued.
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(skip(self, to, vars), fields(recipients))]
    pub async fn queue_notifications(
        &mut self,
        company_id: i64,
        topic: &str,
        subject: &str,
        subject_id: i64,
        to: Recipients<'_>,
        vars: &serde_json::Value,
        now_us: i64,
    ) -> Result<u64> {
        let (ids, table, col, tag) = match to {
            Recipients::Customers(ids) => (ids, "customers", "customer_id", 'c'),
            Recipients::Staff(ids) => (ids, "staff", "staff_id", 's'),
        };
        tracing::Span::current().record("recipients", ids.len());
        let prefix = format!("{topic}:{subject}:{subject_id}:{tag}");
        let vars = vars.to_string();
        let mut queued = 0;
        for chunk in ids.chunks(PER_STATEMENT) {
            let mut v: Vec<Value> = vec![
                topic.into(),
                subject.into(),
                subject_id.into(),
                vars.clone().into(),
                now_us.into(),
                company_id.into(),
                prefix.clone().into(),
            ];
            let list: Vec<String> = chunk
                .iter()
                .map(|id| {
                    v.push((*id).into());
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
            queued += self.exec().run(&sql, v).await?;
        }
        Ok(queued)
    }

    /// Claims up to `limit` notifications that are due at `now` (queued,
    /// retrying, or sending under an expired lease) for `worker` until
    /// `lease_until`, counting the attempt. Rows another server has locked
    /// are skipped (PostgreSQL); on SQLite the write lock serialises claims.
    #[tracing::instrument(skip(self))]
    pub async fn claim_notifications(
        &mut self,
        worker: &str,
        now_us: i64,
        lease_until_us: i64,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>> {
        let lock = if self.backend() == crate::Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let rows = self
            .exec()
            .all(
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
        let mut out: Vec<NotificationRecord> = rows.iter().map(row).collect::<Result<_>>()?;
        out.sort_by_key(|n| n.id);
        Ok(out)
    }

    /// Records a delivery. Ignored (returns false) when the row is no longer
    /// this worker's: its lease ran out and another worker took it over.
    pub async fn record_sent(&mut self, id: i64, worker: &str, via: ChannelKind, now_us: i64) -> Result<bool> {
        let n = self
            .exec()
            .run(
                "UPDATE notifications SET state = 'sent', sent_at = $3, sent_via = $4, last_error = NULL, next_attempt_at = NULL, \
                 locked_by = NULL, locked_until = NULL, updated_at = $3 WHERE id = $1 AND locked_by = $2 AND state = 'sending'",
                vec![id.into(), worker.into(), now_us.into(), via.code().into()],
            )
            .await?;
        Ok(n == 1)
    }

    /// Records many deliveries through `via` in one statement per 2,000
    /// rows; returns how many were still this worker's (see [`Tx::record_sent`]).
    pub async fn record_sent_many(&mut self, ids: &[i64], worker: &str, via: ChannelKind, now_us: i64) -> Result<u64> {
        let mut done = 0;
        for chunk in ids.chunks(PER_STATEMENT) {
            let mut v: Vec<Value> = vec![worker.into(), now_us.into(), via.code().into()];
            let list: Vec<String> = chunk
                .iter()
                .map(|id| {
                    v.push((*id).into());
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

    /// Records a failed attempt: tried again at `retry_at`, or dead when None.
    pub async fn record_failure(
        &mut self,
        id: i64,
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
                vec![id.into(), worker.into(), state.into(), error.chars().take(500).collect::<String>().into(), retry_at_us.into(), now_us.into()],
            )
            .await?;
        Ok(n == 1)
    }

    /// Puts a dead (or retrying) notification back in the queue with fresh attempts.
    pub async fn requeue_notification(&mut self, company_id: i64, id: i64, now_us: i64) -> Result<NotificationRecord> {
        let r = self
            .exec()
            .one(
                &format!(
                    "UPDATE notifications SET state = 'queued', attempts = 0, next_attempt_at = $3, locked_by = NULL, locked_until = NULL, \
                     updated_at = $3 WHERE id = $1 AND company_id = $2 AND state IN ('dead', 'retrying') RETURNING {COLS}"
                ),
                vec![id.into(), company_id.into(), now_us.into()],
            )
            .await?;
        match r {
            Some(r) => row(&r),
            None => Err(StoreError::NotFound("retryable notification")),
        }
    }

    /// Sets the contact details notifications use for a customer (the phone is kept on the customer record).
    pub async fn set_customer_contact(
        &mut self,
        company_id: i64,
        customer_id: i64,
        email: Option<&str>,
        locale: Option<Locale>,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE customers SET email = $3, locale = $4 WHERE id = $1 AND company_id = $2",
                vec![customer_id.into(), company_id.into(), email.into(), locale.map(|l| l.code()).into()],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("customer")) } else { Ok(()) }
    }

    /// Sets a staff member's contact details for escalations.
    pub async fn set_staff_contact(
        &mut self,
        company_id: i64,
        staff_id: i64,
        phone: Option<&str>,
        email: Option<&str>,
        locale: Option<Locale>,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE staff SET phone = $3, email = $4, locale = $5 WHERE id = $1 AND company_id = $2",
                vec![staff_id.into(), company_id.into(), phone.into(), email.into(), locale.map(|l| l.code()).into()],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("staff member")) } else { Ok(()) }
    }

    /// Names (or clears) the head of a department.
    pub async fn set_department_head(&mut self, company_id: i64, department_id: i64, head: Option<i64>) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE departments SET head_staff_id = $3 WHERE id = $1 AND company_id = $2 \
                 AND ($3 IS NULL OR EXISTS (SELECT 1 FROM staff s WHERE s.id = $3 AND s.company_id = $2))",
                vec![department_id.into(), company_id.into(), head.into()],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("department or staff member")) } else { Ok(()) }
    }

    pub async fn put_notification_template(&mut self, company_id: i64, t: &StoredTemplate) -> Result<()> {
        self.exec()
            .run(
                "INSERT INTO notification_templates (company_id, topic, locale, subject, body, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, topic, locale) \
                 DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                vec![company_id.into(), t.topic.clone().into(), t.locale.code().into(), t.subject.clone().into(), t.body.clone().into(), t.updated_by.into(), t.updated_at.into()],
            )
            .await?;
        Ok(())
    }
}

impl Exec<'_> {
    pub async fn notification(&self, company_id: i64, id: i64) -> Result<NotificationRecord> {
        let r = self
            .one(
                &format!("SELECT {COLS} FROM notifications WHERE id = $1 AND company_id = $2"),
                vec![id.into(), company_id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound("notification"))?;
        row(&r)
    }

    /// Notifications matching `f`, newest first.
    #[tracing::instrument(skip(self))]
    pub async fn notifications(&self, f: &NotificationFilter, page: PageRequest) -> Result<Page<NotificationRecord>> {
        let vals = || -> Vec<Value> {
            vec![
                f.company_id.into(),
                f.state.map(|s| s.code()).into(),
                f.topic.clone().into(),
                f.subject.clone().into(),
                f.subject_id.into(),
                f.channel.map(|c| c.code()).into(),
            ]
        };
        let filter = "WHERE company_id = $1 AND ($2 IS NULL OR state = $2) AND ($3 IS NULL OR topic = $3) \
                      AND ($4 IS NULL OR subject = $4) AND ($5 IS NULL OR subject_id = $5) AND ($6 IS NULL OR channel = $6)";
        let total: i64 = self
            .one(&format!("SELECT COUNT(*) AS n FROM notifications {filter}"), vals())
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let mut v = vals();
        v.push((page.limit as i64).into());
        v.push((page.offset as i64).into());
        let rows = self
            .all(&format!("SELECT {COLS} FROM notifications {filter} ORDER BY id DESC LIMIT $7 OFFSET $8"), v)
            .await?;
        Ok(Page { items: rows.iter().map(row).collect::<Result<_>>()?, total: total as u64 })
    }

    /// Counts by state and channel of the notifications about one subject
    /// (for sent ones, the channel that carried them).
    #[tracing::instrument(skip(self))]
    pub async fn delivery_counts(&self, company_id: i64, subject: &str, subject_id: i64) -> Result<Vec<DeliveryCount>> {
        let rows = self
            .all(
                // A sent row counts under the channel that really carried it.
                "SELECT state, COALESCE(sent_via, channel) AS channel, COUNT(*) AS n FROM notifications \
                 WHERE subject = $1 AND subject_id = $2 AND company_id = $3 \
                 GROUP BY state, COALESCE(sent_via, channel) ORDER BY state, channel",
                vec![subject.into(), subject_id.into(), company_id.into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DeliveryCount {
                    state: decode("delivery state", &r.try_get::<String>("", "state")?, DeliveryState::parse)?,
                    channel: decode("channel", &r.try_get::<String>("", "channel")?, ChannelKind::parse)?,
                    count: r.try_get::<i64>("", "n")?.max(0) as u64,
                })
            })
            .collect()
    }

    /// A company's stored templates.
    pub async fn notification_templates(&self, company_id: i64) -> Result<Vec<StoredTemplate>> {
        let rows = self
            .all(
                "SELECT topic, locale, subject, body, updated_by, updated_at FROM notification_templates WHERE company_id = $1 ORDER BY topic, locale",
                vec![company_id.into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredTemplate {
                    topic: r.try_get("", "topic")?,
                    locale: decode("locale", &r.try_get::<String>("", "locale")?, Locale::parse)?,
                    subject: r.try_get("", "subject")?,
                    body: r.try_get("", "body")?,
                    updated_by: r.try_get("", "updated_by")?,
                    updated_at: r.try_get("", "updated_at")?,
                })
            })
            .collect()
    }
}
