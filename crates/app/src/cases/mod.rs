//! Case use cases: intake with first-inquiry responsibility, transfer with the
//! three-copy complaint form, return, work, replies, callback, close, reopen,
//! notes, assignment and duplicate links. Every change is a ledger event whose
//! payload carries the case's state after it, so `audit verify` can replay.

pub use crate::case_flow::Routing;
pub(crate) use crate::case_flow::step;
use crate::engine::Engine;
use crate::error::{AppError, AppResult};
use crate::ledger::event;
pub use crate::registry::GENERAL_MANAGEMENT_CODE;
use crate::writer::TxFn3;
use crate::{Actor, App, shanghai};
use jiff::Timestamp;
use pledge_domain::case::{CaseAction, CaseKind, CaseState, CaseSubkind, Channel};
use pledge_domain::ids::*;
use pledge_domain::model::{Case, CaseFilter, CaseSort, Distribution, Event, NewCase, Page, PageRequest};
use pledge_domain::text::{Body, Label, mask_name};
use pledge_domain::{Permission, Phone, Utility};
use pledge_store::repo::*;
use pledge_store::{StoreError, Tx};
use serde_json::{Value, json};
use std::sync::Arc;

/// The three copies of a transferred complaint's form.
pub const FORM_COPIES: [&str; 3] = ["archive", "department", "management"];

/// An upstream platform's reference (12345, 95598 …) carried beside ours.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub platform: String,
    pub reference: String,
    pub due: Option<Timestamp>,
}

/// What a hall clerk or hotline agent records when receiving a customer.
#[derive(Debug, Clone)]
pub struct CaseInput {
    pub utility: Utility,
    pub kind: CaseKind,
    pub subkind: Option<CaseSubkind>,
    pub channel: Channel,
    pub subject: String,
    pub description: String,
    pub customer_id: Option<CustomerId>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    /// Whether the customer is told of receipt, extensions and the answer.
    /// None: yes, except for a report (举报), whose reporter is told only when
    /// they agree; an anonymous reporter is never told.
    pub notify_consent: Option<bool>,
    pub upstream: Option<Upstream>,
    /// The answer given on the spot; the case is then closed at once.
    pub answered_on_spot: Option<String>,
}

impl CaseInput {
    /// Whether the customer is told when intake says nothing
    /// ([`CaseInput::notify_consent`] is None): yes, except for a report (举报).
    pub fn default_notify_consent(kind: CaseKind) -> bool {
        kind != CaseKind::Report
    }
}

/// A case with everything its page shows.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub case: Case,
    pub distributions: Vec<Distribution>,
    pub duplicates: Vec<Case>,
    pub timeline: Vec<Event>,
    /// Whether personal data on this case was hidden from the reader.
    pub masked: bool,
}

/// Whether a waiting step waits on the customer or on a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFor {
    Customer,
    WorkOrder,
}

/// Payload keys that identify a reporter or customer.
const IDENTITY_KEYS: [&str; 3] = ["contact_name", "contact_phone", "customer_id"];

fn may_see_identity(actor: &Actor, case: &Case) -> bool {
    case.kind != CaseKind::Report || actor.can(Permission::ReporterIdentityRead)
}

/// Hides a report's reporter from roles without the right.
pub fn mask_case(actor: &Actor, mut c: Case) -> (Case, bool) {
    if may_see_identity(actor, &c) {
        return (c, false);
    }
    c.contact_name = c.contact_name.as_deref().map(mask_name);
    c.contact_phone =
        c.contact_phone.as_deref().map(|p| Phone::parse(p).map(|p| p.masked()).unwrap_or_else(|_| "***".into()));
    c.customer_id = None;
    (c, true)
}

fn mask_event(mut e: Event) -> Event {
    if let Value::Object(m) = &mut e.payload {
        for k in IDENTITY_KEYS {
            if let Some(v) = m.get_mut(k)
                && !v.is_null()
            {
                *v = json!("***");
            }
        }
    }
    e
}

fn not_found_as(e: StoreError, code: &'static str, field: &'static str, msg: &'static str) -> AppError {
    match e {
        StoreError::NotFound(_) => AppError::invalid(code, field, msg),
        other => other.into(),
    }
}

mod intake;
mod routing;
mod work;

pub(crate) use intake::receive;

impl App {
    /// A case with its form copies, duplicates and timeline; reading personal data is logged.
    #[tracing::instrument(skip(self, actor))]
    pub async fn case(&self, actor: &Actor, id: CaseId) -> AppResult<CaseDetail> {
        actor.require(Permission::CaseRead, "read cases")?;
        let r = self.store().read();
        let case = r.case(id).await?;
        if case.company_id != actor.staff.company_id {
            return Err(AppError::NotFound("case"));
        }
        let see = may_see_identity(actor, &case);
        let timeline = r.case_events(id).await?.into_iter().map(|e| if see { e } else { mask_event(e) }).collect();
        let distributions = r.distributions(id).await?;
        let duplicates = r.duplicates_of(id).await?.into_iter().map(|c| mask_case(actor, c).0).collect();
        if see && (case.customer_id.is_some() || case.contact_name.is_some() || case.contact_phone.is_some()) {
            let subject = if case.kind == CaseKind::Report { "case_reporter" } else { "case_contact" };
            self.log_access(actor, subject, vec![case.id.get()], "read").await?;
        }
        let (case, masked) = mask_case(actor, case);
        Ok(CaseDetail { case, distributions, duplicates, timeline, masked })
    }

    #[tracing::instrument(skip(self, actor, filter))]
    pub async fn cases(
        &self,
        actor: &Actor,
        mut filter: CaseFilter,
        sort: CaseSort,
        page: PageRequest,
    ) -> AppResult<Page<Case>> {
        actor.require(Permission::CaseRead, "read cases")?;
        filter.company_id = Some(actor.staff.company_id);
        let p = self.store().read().cases(&filter, sort, page).await?;
        Ok(Page { items: p.items.into_iter().map(|c| mask_case(actor, c).0).collect(), total: p.total })
    }

    /// Runs `f` on the case inside a write, after checking it belongs to the actor's company.
    async fn on_case<F>(&self, actor: &Actor, id: CaseId, f: F) -> AppResult<Case>
    where
        F: AsyncFnOnce(&mut Tx, Case, i64, Arc<Engine>) -> AppResult<()>
            + for<'t> TxFn3<'t, Case, i64, Arc<Engine>, ()>
            + Send
            + 'static,
    {
        let company = actor.staff.company_id;
        let at = self.now().as_microsecond();
        let engine = self.engine();
        self.writer
            .write(async move |tx| {
                let case = tx.exec().case(id).await?;
                if case.company_id != company {
                    return Err(AppError::NotFound("case"));
                }
                f.call(tx, case, at, engine).await
            })
            .await?;
        let case = self.store().read().case(id).await?;
        Ok(mask_case(actor, case).0)
    }
}
