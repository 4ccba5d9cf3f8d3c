//! Seeding: bulk writes with back-dated timestamps, for loaders such as the
//! demo company (`pledge-demo`); not for request handlers.
//!
//! A loader that builds a whole company, with a year of history, cannot go
//! through the use cases: they act for a signed-in staff member, check
//! permissions, stamp the current time and commit one change at a time.
//! [`write`] instead runs the loader inside one write transaction on the
//! writer task and hands it a [`Seeder`], whose methods write rows at the
//! times given. Case and work-order steps still run the same lifecycle code
//! as the use cases (transition checks, ledger events, commitment clocks), so
//! seeded data audits clean. Nothing else of the writer or the transaction
//! is public.

use crate::cases::{CaseInput, receive, step};
use crate::commitments::Engine;
use crate::error::AppResult;
use crate::ledger::event;
use crate::work_orders::{Job, apply, raise};
use crate::writer::Command;
use crate::{Actor, App};
use jiff::Timestamp;
use pledge_domain::Role;
use pledge_domain::Utility;
use pledge_domain::case::CaseAction;
use pledge_domain::ids::*;
use pledge_domain::model::{Case, NewCustomer, NewNode, NewPremises, NewStaff, PageRequest, WorkOrderChange};
use pledge_domain::work_order::WorkOrderAction;
use pledge_store::Tx;
use pledge_store::repo::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

pub use crate::cases::Routing;

/// What a seeding closure returns: its work, borrowing the [`Seeder`].
pub type SeedFuture<'t, T> = Pin<Box<dyn Future<Output = AppResult<T>> + Send + 't>>;

/// Runs `f` in one write transaction, committed durably before this returns;
/// if `f` fails, nothing it wrote is kept.
pub async fn write<T, F>(app: &App, f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: for<'t> FnOnce(Seeder<'t>) -> SeedFuture<'t, T> + Send + 'static,
{
    app.writer.run(Seed(f, app.engine(), PhantomData)).await
}

/// A seeding closure as a writer command.
struct Seed<F, T>(F, Arc<Engine>, PhantomData<fn() -> T>);

impl<T, F> Command for Seed<F, T>
where
    T: Send + 'static,
    F: for<'t> FnOnce(Seeder<'t>) -> SeedFuture<'t, T> + Send + 'static,
{
    type Output = T;

    fn run(self, tx: &mut Tx) -> impl Future<Output = AppResult<T>> + Send {
        (self.0)(Seeder { tx, engine: self.1 })
    }
}

/// A company that is already there: its id and its staff (the first 200).
#[derive(Debug, Clone)]
pub struct SeededCompany {
    pub company_id: CompanyId,
    pub staff: Vec<SeededStaff>,
}

/// A staff member of a [`SeededCompany`], with their department's Chinese name.
#[derive(Debug, Clone)]
pub struct SeededStaff {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
}

/// The company with this code and its staff, if it has been seeded already.
pub async fn find_company(app: &App, code: &str) -> AppResult<Option<SeededCompany>> {
    let read = app.store.read();
    let Some(c) = read.company_by_code(code).await? else { return Ok(None) };
    let staff = read.staff_list(Some(c.id), None, None, PageRequest::new(Some(200), None)).await?;
    let depts: BTreeMap<DepartmentId, String> =
        read.departments(Some(c.id)).await?.into_iter().map(|d| (d.id, d.name_zh)).collect();
    let staff = staff
        .items
        .into_iter()
        .map(|s| SeededStaff {
            department: s.department_id.and_then(|d| depts.get(&d).cloned()),
            username: s.username,
            display_name: s.display_name,
            role: s.role,
        })
        .collect();
    Ok(Some(SeededCompany { company_id: c.id, staff }))
}

/// Writes inside the transaction [`write`] opened. Times are the ones given
/// (microseconds since the epoch where the argument is an `i64`).
pub struct Seeder<'t> {
    tx: &'t mut Tx,
    engine: Arc<Engine>,
}

impl Seeder<'_> {
    pub async fn company(
        &mut self,
        code: &str,
        name: &str,
        hotline: &str,
        utilities: &[Utility],
    ) -> AppResult<CompanyId> {
        Ok(self.tx.insert_company(code, name, hotline, utilities).await?)
    }

    pub async fn department(
        &mut self,
        company_id: CompanyId,
        code: &str,
        name_zh: &str,
        name_en: &str,
        utility: Option<Utility>,
    ) -> AppResult<DepartmentId> {
        Ok(self.tx.insert_department(company_id, code, name_zh, name_en, utility).await?)
    }

    /// A routing setting (see [`crate::routing`]), validated as the admin API does.
    pub async fn routing(
        &mut self,
        company_id: CompanyId,
        purpose: crate::routing::RoutingPurpose,
        utility: Option<Utility>,
        department_id: DepartmentId,
        at_us: i64,
    ) -> AppResult<()> {
        crate::routing::set_routing_in(self.tx, company_id, purpose, utility, department_id, None, at_us).await
    }

    /// A staff member; `password_hash` as made by [`crate::auth::hash_password`].
    pub async fn staff(&mut self, s: &NewStaff) -> AppResult<StaffId> {
        Ok(self.tx.insert_staff(s).await?)
    }

    /// A supply-network node; returns its id.
    pub async fn node(&mut self, n: &NewNode) -> AppResult<NodeId> {
        Ok(self.tx.insert_node(n).await?.id)
    }

    pub async fn premises(&mut self, p: &NewPremises) -> AppResult<PremisesId> {
        Ok(self.tx.insert_premises(p).await?)
    }

    /// Supplies the premises from the node (a leaf of the network).
    pub async fn attach_premises(&mut self, premises_id: PremisesId, node_id: NodeId) -> AppResult<()> {
        Ok(self.tx.attach_premises(premises_id, node_id).await?)
    }

    pub async fn customer(&mut self, c: &NewCustomer) -> AppResult<CustomerId> {
        Ok(self.tx.insert_customer(c).await?)
    }

    /// Receives a case as staff member `receiver` at `at`, as intake does
    /// (clocks, outage grouping, an answer on the spot); returns its id.
    pub async fn receive_case(&mut self, receiver: StaffId, input: &CaseInput, at: Timestamp) -> AppResult<CaseId> {
        let actor = Actor { staff: self.tx.exec().staff(receiver).await? };
        receive(self.tx, &self.engine, &actor, input, at).await
    }

    pub async fn case(&mut self, id: CaseId) -> AppResult<Case> {
        Ok(self.tx.exec().case(id).await?)
    }

    /// One lifecycle step on `case` by staff member `who`, ledgered as `event_kind`.
    #[allow(clippy::too_many_arguments)]
    pub async fn step_case(
        &mut self,
        who: StaffId,
        case: &Case,
        action: Option<CaseAction>,
        event_kind: &str,
        payload: Value,
        routing: Routing,
        at_us: i64,
    ) -> AppResult<()> {
        step(self.tx, &self.engine, who, case, action, event_kind, payload, routing, at_us).await
    }

    /// Records who holds a copy of a transferred complaint's form.
    pub async fn distribute_form(
        &mut self,
        case_id: CaseId,
        transfer_no: i64,
        copy: &str,
        holder_department_id: Option<DepartmentId>,
        at_us: i64,
    ) -> AppResult<()> {
        self.tx.insert_distribution(case_id, transfer_no, copy, holder_department_id, at_us).await?;
        Ok(())
    }

    /// Raises a work order on a case and dispatches `crew_id` at once; returns its id.
    pub async fn raise_work_order(
        &mut self,
        company_id: CompanyId,
        dispatcher: StaffId,
        case_id: CaseId,
        instructions: &str,
        crew_id: StaffId,
        at: Timestamp,
    ) -> AppResult<WorkOrderId> {
        let job = Job { instructions: instructions.into(), appointment: None, crew_id: Some(crew_id) };
        raise(self.tx, &self.engine, company_id, dispatcher, case_id, job, at).await
    }

    /// One step on a work order by staff member `who`.
    pub async fn work_order_step(
        &mut self,
        who: StaffId,
        work_order_id: WorkOrderId,
        action: WorkOrderAction,
        change: WorkOrderChange,
        payload: Value,
        at: Timestamp,
    ) -> AppResult<()> {
        let wo = self.tx.exec().work_order(work_order_id).await?;
        apply(self.tx, &self.engine, who, &wo, action, change, payload, at).await
    }

    /// A ledger event with no actor and no case, such as "the demo was loaded".
    pub async fn system_event(&mut self, kind: &str, payload: Value, at_us: i64) -> AppResult<()> {
        event(self.tx, None, None, kind, payload, at_us).await?;
        Ok(())
    }
}
