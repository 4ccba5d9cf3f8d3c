//! The delivery worker: claim due notifications under a lease (a short write
//! transaction), send them with no transaction open, then record each
//! outcome (another short write). Several servers can run workers on one
//! PostgreSQL: claims skip rows another server holds.

use super::backoff;
use super::channels::{Channels, Outgoing};
use super::templates::Renderer;
use crate::App;
use crate::error::AppResult;
use pledge_domain::ids::*;
use pledge_domain::model::NotificationRecord;
use pledge_domain::notify::ChannelKind;
use pledge_store::repo::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How a worker delivers.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Rows claimed per round.
    pub batch: u32,
    /// Messages in flight at once.
    pub concurrency: usize,
    /// How long a claim lasts; a row not recorded by then (the worker
    /// crashed or hung) is claimed again.
    pub lease: Duration,
    /// Attempts before a notification is dead (kept for an administrator).
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How often an idle worker looks for work.
    pub poll: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            batch: 200,
            concurrency: 16,
            lease: Duration::from_secs(300),
            max_attempts: 8,
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(6 * 3600),
            poll: Duration::from_secs(2),
        }
    }
}

/// What one round (or a drain) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub claimed: u64,
    pub sent: u64,
    pub retrying: u64,
    pub dead: u64,
    /// Outcomes not recorded because the lease had passed to another worker.
    pub superseded: u64,
}

impl DeliveryReport {
    fn add(&mut self, o: DeliveryReport) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.retrying += o.retrying;
        self.dead += o.dead;
        self.superseded += o.superseded;
    }
}

enum Outcome {
    Sent(ChannelKind),
    Failed(String),
}

/// A delivery worker bound to an application and its channels.
#[derive(Clone)]
pub struct Notifier {
    app: App,
    channels: Arc<Channels>,
    cfg: Arc<DeliveryConfig>,
    worker: Arc<str>,
}

fn worker_id() -> String {
    let mut b = [0u8; 6];
    let _ = getrandom::fill(&mut b);
    format!("w-{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}

impl App {
    /// A delivery worker with a fresh identity (one per server process).
    pub fn notifier(&self, channels: Channels, cfg: DeliveryConfig) -> Notifier {
        Notifier { app: self.clone(), channels: Arc::new(channels), cfg: Arc::new(cfg), worker: worker_id().into() }
    }
}

impl Notifier {
    pub fn worker_id(&self) -> &str {
        &self.worker
    }

    /// One round: claims up to a batch of due notifications, sends them and records the outcomes.
    #[tracing::instrument(skip(self), fields(worker = %self.worker))]
    pub async fn run_once(&self) -> AppResult<DeliveryReport> {
        let now = self.app.now().as_microsecond();
        let lease_until = now + self.cfg.lease.as_micros() as i64;
        let (worker, batch) = (self.worker.to_string(), self.cfg.batch);
        let claimed: Vec<NotificationRecord> = self
            .app
            .writer
            .write(async move |tx| Ok(tx.claim_notifications(&worker, now, lease_until, batch).await?))
            .await?;
        let mut report = DeliveryReport { claimed: claimed.len() as u64, ..Default::default() };
        if claimed.is_empty() {
            return Ok(report);
        }
        let outcomes = self.send_all(claimed).await?;
        let recorded_at = self.app.now().as_microsecond();
        let worker = self.worker.to_string();
        let cfg = self.cfg.clone();
        let r = self
            .app
            .writer
            .write(async move |tx| {
                let mut r = DeliveryReport::default();
                // Deliveries in one statement per channel; failures one by one.
                let mut sent: HashMap<ChannelKind, Vec<NotificationId>> = HashMap::new();
                for (n, outcome) in outcomes {
                    match outcome {
                        Outcome::Sent(via) => sent.entry(via).or_default().push(n.id),
                        Outcome::Failed(err) => {
                            let retry_at = (n.attempts < cfg.max_attempts).then(|| {
                                recorded_at
                                    + backoff::delay(n.attempts, cfg.backoff_base, cfg.backoff_max, backoff::unit())
                                        .as_micros() as i64
                            });
                            if retry_at.is_some() {
                                r.retrying += 1
                            } else {
                                r.dead += 1
                            }
                            if !tx.record_failure(n.id, &worker, &err, retry_at, recorded_at).await? {
                                r.superseded += 1;
                            }
                        }
                    }
                }
                for (via, ids) in sent {
                    let done = tx.record_sent_many(&ids, &worker, via, recorded_at).await?;
                    r.sent += ids.len() as u64;
                    r.superseded += ids.len() as u64 - done;
                }
                Ok(r)
            })
            .await?;
        report.add(r);
        Ok(report)
    }

    /// Renders and sends each claimed row, at most `concurrency` at once.
    async fn send_all(&self, claimed: Vec<NotificationRecord>) -> AppResult<Vec<(NotificationRecord, Outcome)>> {
        let mut renderers: HashMap<CompanyId, Arc<Renderer>> = HashMap::new();
        for n in &claimed {
            if let std::collections::hash_map::Entry::Vacant(slot) = renderers.entry(n.company_id) {
                slot.insert(Arc::new(Renderer::load(self.app.store().read(), n.company_id).await?));
            }
        }
        let limit = Arc::new(tokio::sync::Semaphore::new(self.cfg.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for (i, n) in claimed.iter().enumerate() {
            // A row claimed again after its final attempt's lease ran out
            // (that worker died) is given up rather than sent once more.
            if n.attempts > self.cfg.max_attempts {
                continue;
            }
            let Some((subject, body)) = renderers[&n.company_id].render(&n.topic, n.locale, &n.vars) else { continue };
            let msg =
                Outgoing { id: n.id, topic: n.topic.clone(), to: n.address.clone(), locale: n.locale, subject, body };
            let (channels, limit, kind) = (self.channels.clone(), limit.clone(), n.channel);
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let (via, channel) = channels.pick(kind);
                (i, channel.send(&msg).await.map(|()| via))
            });
        }
        let mut results: Vec<Option<Outcome>> = claimed.iter().map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((i, Ok(via))) => results[i] = Some(Outcome::Sent(via)),
                Ok((i, Err(e))) => results[i] = Some(Outcome::Failed(e.0)),
                Err(e) => tracing::error!(error = %e, "a delivery task failed"),
            }
        }
        Ok(claimed
            .into_iter()
            .zip(results)
            .map(|(n, o)| {
                let o = o.unwrap_or_else(|| {
                    if n.attempts > self.cfg.max_attempts {
                        Outcome::Failed("given up: the lease of the last attempt ran out".into())
                    } else {
                        Outcome::Failed(format!("no template for topic {}", n.topic))
                    }
                });
                (n, o)
            })
            .collect())
    }

    /// Rounds until nothing due is left: escalations are fanned out first.
    pub async fn drain(&self) -> AppResult<DeliveryReport> {
        let mut total = DeliveryReport::default();
        self.app.fan_out_escalations(500).await?;
        loop {
            let r = self.run_once().await?;
            total.add(r);
            if r.claimed < self.cfg.batch as u64 {
                return Ok(total);
            }
        }
    }

    /// Runs in the background until `stop` turns true; the round in progress
    /// finishes first, so nothing is left claimed without a record.
    pub fn spawn(self, mut stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            tracing::info!(worker = %self.worker, channels = ?self.channels.configured(), "notification worker started");
            loop {
                if *stop.borrow() {
                    break;
                }
                if let Err(e) = self.app.fan_out_escalations(500).await {
                    tracing::warn!(error = %e, "escalation fan-out failed; will retry");
                }
                // Round after round while there is a backlog, checking for a stop between rounds.
                let busy = match self.run_once().await {
                    Ok(r) => {
                        if r.claimed > 0 {
                            tracing::info!(
                                sent = r.sent,
                                retrying = r.retrying,
                                dead = r.dead,
                                "notifications delivered"
                            );
                        }
                        r.claimed >= self.cfg.batch as u64
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "notification round failed; will retry");
                        false
                    }
                };
                if busy {
                    continue;
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.cfg.poll) => {}
                    _ = stop.changed() => {}
                }
            }
            tracing::info!(worker = %self.worker, "notification worker stopped");
        })
    }
}
