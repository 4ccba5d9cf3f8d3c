//! Delivery of escalations. The sweeper commits an `escalation.notify` job
//! with every breach; here each job is claimed and fanned out into staff
//! notifications (the roles the rule names, and the department's head) in
//! one transaction, so it is done exactly once even with several servers.

use super::notify_staff;
use crate::error::AppResult;
use crate::{App, shanghai};
use pledge_domain::ids::*;
use pledge_domain::model::JobRecord;
use pledge_store::Tx;
use pledge_store::repo::*;
use serde::Deserialize;
use serde_json::json;

pub const JOB_KIND: &str = "escalation.notify";
pub const TOPIC: &str = "clock.escalated";

#[derive(Debug, Deserialize)]
struct Payload {
    clock_id: ClockId,
    rule_id: String,
    subject: String,
    subject_id: i64,
    department_id: Option<DepartmentId>,
    #[serde(default)]
    to: Vec<String>,
}

fn local(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.to_zoned(shanghai()).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Fans out one job; returns the notifications queued.
async fn fan_out(tx: &mut Tx, app: &App, job: &JobRecord, now_us: i64) -> AppResult<u64> {
    let p: Payload = serde_json::from_str(&job.payload)
        .map_err(|e| crate::AppError::Internal(format!("escalation payload: {e}")))?;
    let clock = tx.exec().clock(p.clock_id).await?;
    let roles: Vec<&str> = p.to.iter().map(String::as_str).filter(|t| *t != "department_head").collect();
    let with_head = p.to.iter().any(|t| t == "department_head");
    let staff = tx.exec().escalation_staff(clock.company_id, &roles, p.department_id, with_head).await?;
    if staff.is_empty() {
        tracing::warn!(clock_id = p.clock_id.get(), to = ?p.to, "an escalation has nobody to go to (no active staff with those roles, no department head)");
    }
    let engine = app.engine();
    let rule = engine.policy.rule(&p.rule_id);
    let case_number = if p.subject == "case" {
        tx.exec().case(CaseId(p.subject_id)).await.ok().map(|c| c.number.to_string())
    } else {
        None
    };
    let department = match p.department_id {
        Some(d) => tx.exec().department(d).await.ok().map(|d| d.name_zh),
        None => None,
    };
    let vars = json!({
        "rule_id": p.rule_id,
        "rule": rule.map(|r| r.title_zh.clone()).unwrap_or_else(|| p.rule_id.clone()),
        "subject": p.subject,
        "subject_id": p.subject_id.to_string(),
        "case_number": case_number.unwrap_or_else(|| p.subject_id.to_string()),
        "department": department.unwrap_or_else(|| "-".into()),
        "due_at": local(clock.clock.due_at.as_microsecond()),
        "breached_at": local(now_us),
    });
    // One message per clock and recipient: the clock is the subject, so two
    // commitments breached on one case are two escalations.
    notify_staff(tx, clock.company_id, TOPIC, "clock", p.clock_id.get(), &staff, &vars, now_us).await
}

impl App {
    /// Claims due escalation jobs and queues their staff notifications.
    /// Returns how many notifications were queued.
    #[tracing::instrument(skip(self))]
    pub async fn fan_out_escalations(&self, limit: u32) -> AppResult<u64> {
        let now = self.now().as_microsecond();
        let app = self.clone();
        self.writer
            .write(async move |tx| {
                let mut queued = 0;
                for job in tx.claim_jobs(JOB_KIND, now, limit).await? {
                    let mut sp = tx.savepoint().await?;
                    match fan_out(sp.tx(), &app, &job, now).await {
                        Ok(n) => {
                            sp.release().await?;
                            tx.finish_job(job.id, None).await?;
                            queued += n;
                        }
                        Err(e) => {
                            // A job that cannot be read is set aside, not retried forever.
                            sp.rollback().await?;
                            tracing::error!(job = job.id.get(), error = %e, "escalation job failed");
                            tx.finish_job(job.id, Some(&e.to_string())).await?;
                        }
                    }
                }
                Ok(queued)
            })
            .await
    }
}
