//! Telling a case's customer (告知): at receipt the case number and the
//! deadline promised, on an approved extension the new deadline and the
//! reason, and the final answer. Each notice is queued in the outbox inside
//! the transaction of the change that causes it, under a dedup key of topic,
//! case and change, so a retried change never tells twice and a second
//! extension is told again.
//!
//! Who is told: the case's customer (a phone means SMS, else an e-mail
//! address means e-mail), else the contact phone given on the case. A
//! report's (举报) reporter only when they agreed (`notify_consent`), an
//! anonymous reporter never, a nuisance caller never. A notice that cannot
//! go (no consent, no phone nor address, no deadline to promise) is not sent
//! to the log: it is ledgered as `case.notice_skipped` with the reason, so
//! the case shows it.
//!
//! A case answered on the spot at intake gets no receipt notice: it gets the
//! answer notice, which carries its case number.

use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::{Actor, App, shanghai};
use jiff::Timestamp;
use pledge_domain::Permission;
use pledge_domain::case::CaseKind;
use pledge_domain::commitment::strictest;
use pledge_domain::ids::*;
use pledge_domain::model::{Case, NewNotice, NoticeQueued, NotificationFilter, PageRequest};
use pledge_domain::notify::{CASE_ANSWERED, CASE_EXTENDED, CASE_RECEIVED, ChannelKind, DeliveryState};
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::{Value, json};

/// The ledger event of a notice that was not sent.
pub const SKIPPED: &str = "case.notice_skipped";

/// The longest answer quoted in the answer notice (an SMS gateway splits long bodies).
const MAX_ANSWER: usize = 200;

/// Why a case's customer is not told.
fn refusal(case: &Case) -> Option<&'static str> {
    if case.anonymous {
        Some("anonymous")
    } else if case.kind == CaseKind::Nuisance {
        Some("nuisance")
    } else if !case.notify_consent {
        Some("no_consent")
    } else {
        None
    }
}

fn local(t: Timestamp) -> String {
    t.to_zoned(shanghai()).strftime("%Y-%m-%d %H:%M").to_string()
}

fn local_us(us: i64) -> String {
    Timestamp::from_microsecond(us).map(local).unwrap_or_default()
}

/// The case's deadline in force: the running clock due first (UPSTREAM included).
async fn deadline(tx: &mut Tx, case: &Case) -> AppResult<Option<Timestamp>> {
    let clocks = tx.exec().clocks_of("case", case.id.get()).await?;
    Ok(strictest(clocks.iter().map(|r| &r.clock)).map(|c| c.due_at))
}

fn base_vars(case: &Case) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("case_number".into(), json!(case.number.to_string()));
    m.insert("utility".into(), json!(case.utility.code()));
    m.insert("case_subject".into(), json!(case.subject));
    m
}

/// Queues `topic` for the case's customer, or ledgers why not.
async fn tell(
    tx: &mut Tx,
    case: &Case,
    topic: &str,
    change: &str,
    vars: Value,
    actor: Option<StaffId>,
    at_us: i64,
) -> AppResult<()> {
    let skip = match refusal(case) {
        Some(reason) => Some(reason),
        None => {
            let key = format!("{topic}:case:{}:{change}", case.id.get());
            let n = NewNotice {
                company_id: case.company_id,
                topic,
                subject: "case",
                subject_id: case.id.get(),
                customer_id: case.customer_id,
                fallback_phone: case.contact_phone.as_deref(),
                vars: &vars,
                dedup_key: &key,
                now_us: at_us,
            };
            match tx.queue_notice(&n).await? {
                NoticeQueued::Queued(_) | NoticeQueued::AlreadyQueued => None,
                NoticeQueued::NoContact => Some("no_contact"),
            }
        }
    };
    if let Some(reason) = skip {
        skipped(tx, case, topic, reason, actor, at_us).await?;
    }
    Ok(())
}

async fn skipped(
    tx: &mut Tx,
    case: &Case,
    topic: &str,
    reason: &str,
    actor: Option<StaffId>,
    at_us: i64,
) -> AppResult<()> {
    event(
        tx,
        actor,
        Some(case.id),
        SKIPPED,
        json!({"topic": topic, "reason": reason, "state": case.state.code()}),
        at_us,
    )
    .await?;
    Ok(())
}

/// At receipt: the case number and the deadline promised (the running clock
/// due first). A case with no deadline (an exempt kind) is not told.
pub(crate) async fn case_received(tx: &mut Tx, case_id: CaseId, actor: Option<StaffId>, at_us: i64) -> AppResult<()> {
    let case = tx.exec().case(case_id).await?;
    let Some(due) = deadline(tx, &case).await? else {
        let reason = refusal(&case).unwrap_or("no_deadline");
        return skipped(tx, &case, CASE_RECEIVED, reason, actor, at_us).await;
    };
    let mut vars = base_vars(&case);
    vars.insert("received_at".into(), json!(local(case.created_at)));
    vars.insert("due_at".into(), json!(local(due)));
    tell(tx, &case, CASE_RECEIVED, "received", Value::Object(vars), actor, at_us).await
}

/// On an approved extension, ledgered as event `extended_event`: the case's
/// new deadline (the running clock due first, after the extension) and the reason.
pub(crate) async fn case_extended(
    tx: &mut Tx,
    case_id: CaseId,
    extended_event: EventId,
    previous_due: Timestamp,
    reason: &str,
    actor: Option<StaffId>,
    at_us: i64,
) -> AppResult<()> {
    let case = tx.exec().case(case_id).await?;
    let due = deadline(tx, &case).await?;
    let mut vars = base_vars(&case);
    vars.insert("previous_due_at".into(), json!(local(previous_due)));
    vars.insert("due_at".into(), json!(due.map(local)));
    vars.insert("reason".into(), json!(reason));
    let change = format!("event:{}", extended_event.get());
    tell(tx, &case, CASE_EXTENDED, &change, Value::Object(vars), actor, at_us).await
}

/// On the final answer, ledgered as event `answer_event`: the answer, quoted
/// up to 200 characters. Called from the one step every answer takes.
pub(crate) async fn case_answered(
    tx: &mut Tx,
    case_id: CaseId,
    answer_event: EventId,
    answer: Option<&str>,
    actor: Option<StaffId>,
    at_us: i64,
) -> AppResult<()> {
    let case = tx.exec().case(case_id).await?;
    let mut vars = base_vars(&case);
    vars.insert("answered_at".into(), json!(local_us(at_us)));
    let answer = answer.map(|a| {
        let mut s: String = a.chars().take(MAX_ANSWER).collect();
        if a.chars().count() > MAX_ANSWER {
            s.push('…');
        }
        s
    });
    vars.insert("answer".into(), json!(answer));
    let change = format!("event:{}", answer_event.get());
    tell(tx, &case, CASE_ANSWERED, &change, Value::Object(vars), actor, at_us).await
}

/// One notice of a case, as its page shows it.
#[derive(Debug, Clone)]
pub struct CaseNotice {
    pub topic: String,
    /// An outbox state (`queued`, `sending`, `sent`, `retrying`, `dead`) or `skipped`.
    pub state: &'static str,
    /// The channel meant to carry it; None when skipped.
    pub channel: Option<ChannelKind>,
    /// Why it was skipped: `anonymous`, `no_consent`, `nuisance`, `no_contact`, `no_deadline`.
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

impl App {
    /// The notices of a case to its customer, oldest first: those queued
    /// (with their delivery state) and those skipped (with the reason).
    pub async fn case_notices(&self, actor: &Actor, case_id: CaseId) -> AppResult<Vec<CaseNotice>> {
        actor.require(Permission::CaseRead, "read cases")?;
        let r = self.store().read();
        let case = r.case(case_id).await?;
        if case.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("case"));
        }
        let f = NotificationFilter {
            company_id: case.company_id,
            subject: Some("case".into()),
            subject_id: Some(case_id.get()),
            ..Default::default()
        };
        let ts = |us: i64| Timestamp::from_microsecond(us).map_err(|e| AppError::Internal(e.to_string()));
        let mut out = Vec::new();
        for n in r.notifications(&f, PageRequest::new(Some(PageRequest::MAX_LIMIT), None)).await?.items {
            out.push(CaseNotice {
                topic: n.topic,
                state: match n.state {
                    DeliveryState::Queued => "queued",
                    s => s.code(),
                },
                channel: Some(n.channel),
                reason: None,
                created_at: ts(n.created_at)?,
                sent_at: n.sent_at.map(ts).transpose()?,
            });
        }
        for e in r.case_events(case_id).await?.into_iter().filter(|e| e.kind == SKIPPED) {
            out.push(CaseNotice {
                topic: e.payload["topic"].as_str().unwrap_or_default().to_owned(),
                state: "skipped",
                channel: None,
                reason: e.payload["reason"].as_str().map(str::to_owned),
                created_at: e.at,
                sent_at: None,
            });
        }
        out.sort_by_key(|n| n.created_at);
        Ok(out)
    }
}
