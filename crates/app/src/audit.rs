//! `audit verify`: walks the whole ledger checking every link and hash, then
//! replays each case's events and compares the result with the case table, so
//! an edited, reordered or deleted event and a deleted or altered case are all
//! found and named.

use crate::App;
use crate::error::AppResult;
use pledge_domain::Permission;
use pledge_domain::ids::*;
use pledge_domain::ledger::{ChainVerifier, Finding};
use pledge_domain::model::{AccessEntry, Page, PageRequest};
use pledge_store::repo::*;
use std::collections::BTreeMap;

/// What verification found.
#[derive(Debug, Clone)]
pub struct AuditReport {
    pub events_checked: u64,
    pub cases_checked: u64,
    pub findings: Vec<Finding>,
}

impl AuditReport {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// What the ledger says a case is.
#[derive(Debug, Default, Clone)]
struct Replayed {
    number: Option<String>,
    kind: Option<String>,
    first_responder_id: Option<StaffId>,
    state: Option<String>,
}

const BATCH: u32 = 5_000;

impl App {
    /// Verifies the ledger and the case table against it. Reads in batches, so
    /// memory stays bounded by the number of cases, not events.
    #[tracing::instrument(skip(self))]
    pub async fn audit_verify(&self) -> AppResult<AuditReport> {
        let r = self.store().read();
        let head = r.ledger_head().await?;
        let mut chain = ChainVerifier::default();
        let mut cases: BTreeMap<CaseId, Replayed> = BTreeMap::new();
        let mut after = 0;
        loop {
            let batch = r.ledger_batch(after, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for e in &batch {
                chain.push(e);
                let Some(case_id) = e.case_id else { continue };
                let rep = cases.entry(case_id).or_default();
                let Ok(p) = serde_json::from_str::<serde_json::Value>(&e.payload) else { continue };
                if e.kind == "case.received" {
                    rep.number = p.get("number").and_then(|v| v.as_str()).map(str::to_owned);
                    rep.kind = p.get("kind").and_then(|v| v.as_str()).map(str::to_owned);
                    rep.first_responder_id = p.get("first_responder_id").and_then(|v| v.as_i64()).map(StaffId);
                }
                if let Some(s) = p.get("state").and_then(|v| v.as_str()) {
                    rep.state = Some(s.to_owned());
                }
            }
        }
        let events_checked = chain.checked;
        let mut findings = chain.finish(head);

        let mut cases_checked = 0;
        let mut after_id = CaseId(0);
        loop {
            let batch = r.case_batch(after_id, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after_id = last.id;
            for c in batch {
                cases_checked += 1;
                let Some(rep) = cases.remove(&c.id) else {
                    findings.push(Finding::CaseWithoutEvents { case_id: c.id });
                    continue;
                };
                let checks: [(&'static str, bool); 4] = [
                    ("number", rep.number.as_deref() == Some(c.number.to_string().as_str())),
                    ("kind", rep.kind.as_deref() == Some(c.kind.code())),
                    ("first responder", rep.first_responder_id == Some(c.first_responder_id)),
                    ("state", rep.state.as_deref() == Some(c.state.code())),
                ];
                for (field, ok) in checks {
                    if !ok {
                        findings.push(Finding::CaseAltered { case_id: c.id, field });
                    }
                }
            }
        }
        // Whatever the ledger knows but the table lacks was deleted.
        findings.extend(cases.into_keys().map(|case_id| Finding::CaseMissing { case_id }));
        // Every clock ends with its subject: one still running on a closed case or a finished outage is a finding
        // (reported up to a bound; `pledge migrate` ends them all).
        // A case whose state was altered in place is already reported as such; its clocks are not judged by it.
        let altered: Vec<CaseId> = findings
            .iter()
            .filter_map(|f| match f {
                Finding::CaseAltered { case_id, field: "state" } => Some(*case_id),
                _ => None,
            })
            .collect();
        let strays = r
            .stray_clocks(10_000)
            .await?
            .into_iter()
            .filter(|s| !(s.record.subject == "case" && altered.contains(&CaseId(s.record.subject_id))));
        findings.extend(strays.map(|s| Finding::StrayClock {
            clock_id: s.record.id,
            rule_id: s.record.clock.rule_id,
            subject: s.record.subject,
            subject_id: s.record.subject_id,
            subject_state: s.how,
        }));
        Ok(AuditReport { events_checked, cases_checked, findings })
    }
}

impl App {
    /// A page of the personal-data access log: the reads by staff of the actor's company.
    pub async fn access_log(
        &self,
        actor: &crate::Actor,
        subject: Option<&str>,
        subject_id: Option<i64>,
        staff_id: Option<StaffId>,
        page: PageRequest,
    ) -> AppResult<Page<AccessEntry>> {
        actor.require(Permission::AuditRead, "read the access log")?;
        Ok(self.store().read().access_log(subject, subject_id, staff_id, actor.staff.company_id, page).await?)
    }
}
