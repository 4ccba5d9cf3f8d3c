//! Work orders: the field jobs raised on cases.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::paging::Where;
use crate::records::*;
use crate::row::{FromRow, Row};
use pledge_domain::Utility;
use pledge_domain::work_order::WorkOrderState;

const COLS: &str = "id, company_id, case_id, utility, state, instructions, crew_id, appointment_from, appointment_to, fee_fen, result, \
     signed_by, cancel_reason, created_by, created_at, dispatched_at, departed_at, on_site_at, done_at, updated_at, version";

/// The timestamp columns a step may set; anything else is refused.
const STAMPS: [&str; 4] = ["dispatched_at", "departed_at", "on_site_at", "done_at"];

impl FromRow for WorkOrder {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(WorkOrder {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            case_id: r.id("case_id")?,
            utility: r.code("utility", "utility", Utility::parse)?,
            state: r.code("state", "work order state", WorkOrderState::parse)?,
            instructions: r.get("instructions")?,
            crew_id: r.opt_id("crew_id")?,
            appointment_from: r.opt_ts("appointment_from")?,
            appointment_to: r.opt_ts("appointment_to")?,
            fee_fen: r.get("fee_fen")?,
            result: r.get("result")?,
            signed_by: r.get("signed_by")?,
            cancel_reason: r.get("cancel_reason")?,
            created_by: r.id("created_by")?,
            created_at: r.ts("created_at")?,
            dispatched_at: r.opt_ts("dispatched_at")?,
            departed_at: r.opt_ts("departed_at")?,
            on_site_at: r.opt_ts("on_site_at")?,
            done_at: r.opt_ts("done_at")?,
            updated_at: r.ts("updated_at")?,
            version: r.get("version")?,
        })
    }
}

/// Reading work orders. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait WorkOrderReads {
    fn work_order(&self, id: WorkOrderId) -> impl Future<Output = Result<WorkOrder>> + Send;

    /// The work orders of a case, oldest first.
    fn work_orders_of(&self, case_id: CaseId) -> impl Future<Output = Result<Vec<WorkOrder>>> + Send;

    /// A page of work orders, oldest first (the order a crew works them).
    fn work_orders(
        &self,
        f: &WorkOrderFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<WorkOrder>>> + Send;
}

impl WorkOrderReads for Exec<'_> {
    #[tracing::instrument(skip(self))]
    async fn work_order(&self, id: WorkOrderId) -> Result<WorkOrder> {
        self.fetch(&format!("SELECT {COLS} FROM work_orders WHERE id = $1"), vec![id.bind()], "work order").await
    }

    #[tracing::instrument(skip(self))]
    async fn work_orders_of(&self, case_id: CaseId) -> Result<Vec<WorkOrder>> {
        self.fetch_all(&format!("SELECT {COLS} FROM work_orders WHERE case_id = $1 ORDER BY id"), vec![case_id.bind()])
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn work_orders(&self, f: &WorkOrderFilter, page: PageRequest) -> Result<Page<WorkOrder>> {
        let mut w = Where::new();
        w.eq("company_id", Some(f.company_id.bind()));
        w.any("state", f.states.iter().map(|s| s.code()));
        w.eq("crew_id", f.crew_id.map(Bind::bind));
        w.eq("case_id", f.case_id.map(Bind::bind));
        w.eq("utility", f.utility.map(|u| u.code()));
        let from = format!("FROM work_orders {}", w.sql());
        self.page(COLS, &from, w.into_values(), "created_at, id", page).await
    }
}

/// Raising and moving work orders. Implemented for [`Tx`]: inside a write transaction.
pub trait WorkOrderWrites {
    fn insert_work_order(&mut self, w: &NewWorkOrder) -> impl Future<Output = Result<WorkOrderId>> + Send;

    /// Moves a work order to `state` if it is still at `expected_version`
    /// (someone else's change in between is a conflict, not a lost update).
    fn update_work_order(
        &mut self,
        id: WorkOrderId,
        expected_version: i64,
        state: WorkOrderState,
        change: &WorkOrderChange,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl WorkOrderWrites for Tx {
    #[tracing::instrument(skip_all, fields(case_id = w.case_id.get()))]
    async fn insert_work_order(&mut self, w: &NewWorkOrder) -> Result<WorkOrderId> {
        self.exec()
            .insert_id(
                "INSERT INTO work_orders (company_id, case_id, utility, state, instructions, appointment_from, appointment_to, created_by, \
                 created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1) RETURNING id",
                vec![
                    w.company_id.bind(),
                    w.case_id.bind(),
                    w.utility.code().into(),
                    WorkOrderState::Open.code().into(),
                    w.instructions.as_str().into(),
                    w.appointment_from_us.into(),
                    w.appointment_to_us.into(),
                    w.created_by.bind(),
                    w.created_at_us.into(),
                ],
            )
            .await
    }

    #[tracing::instrument(skip(self, change))]
    async fn update_work_order(
        &mut self,
        id: WorkOrderId,
        expected_version: i64,
        state: WorkOrderState,
        change: &WorkOrderChange,
        at_us: i64,
    ) -> Result<()> {
        let stamp = match change.stamp {
            Some(s) if STAMPS.contains(&s) => format!(", {s} = $4"),
            Some(other) => return Err(StoreError::Internal(format!("{other} is not a work order timestamp"))),
            None => String::new(),
        };
        let sql = format!(
            "UPDATE work_orders SET state = $3, updated_at = $4, version = version + 1, crew_id = COALESCE($5, crew_id), \
             fee_fen = COALESCE($6, fee_fen), result = COALESCE($7, result), signed_by = COALESCE($8, signed_by), \
             cancel_reason = COALESCE($9, cancel_reason){stamp} WHERE id = $1 AND version = $2"
        );
        let n = self
            .exec()
            .run(
                &sql,
                vec![
                    id.bind(),
                    expected_version.into(),
                    state.code().into(),
                    at_us.into(),
                    change.crew_id.bind(),
                    change.fee_fen.into(),
                    change.result.clone().into(),
                    change.signed_by.clone().into(),
                    change.cancel_reason.clone().into(),
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "the work order was changed by someone else; reload and try again".into(),
            ));
        }
        Ok(())
    }
}
