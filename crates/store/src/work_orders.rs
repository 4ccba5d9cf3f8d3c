//! Work orders: the field jobs raised on cases.

use crate::error::{Result, StoreError, decode};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::records::{Page, PageRequest, ts};
use jiff::Timestamp;
use pledge_domain::Utility;
use pledge_domain::work_order::WorkOrderState;
use sea_orm::{QueryResult, Value};

const COLS: &str = "id, company_id, case_id, utility, state, instructions, crew_id, appointment_from, appointment_to, fee_fen, result, \
     signed_by, cancel_reason, created_by, created_at, dispatched_at, departed_at, on_site_at, done_at, updated_at, version";

/// The timestamp columns a step may set; anything else is refused.
const STAMPS: [&str; 4] = ["dispatched_at", "departed_at", "on_site_at", "done_at"];

fn opt_ts(r: &QueryResult, col: &str) -> Result<Option<Timestamp>> {
    r.try_get::<Option<i64>>("", col)?.map(ts).transpose()
}

fn row(r: &QueryResult) -> Result<WorkOrder> {
    Ok(WorkOrder {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        case_id: r.try_get("", "case_id")?,
        utility: decode("utility", &r.try_get::<String>("", "utility")?, Utility::parse)?,
        state: decode("work order state", &r.try_get::<String>("", "state")?, WorkOrderState::parse)?,
        instructions: r.try_get("", "instructions")?,
        crew_id: r.try_get("", "crew_id")?,
        appointment_from: opt_ts(r, "appointment_from")?,
        appointment_to: opt_ts(r, "appointment_to")?,
        fee_fen: r.try_get("", "fee_fen")?,
        result: r.try_get("", "result")?,
        signed_by: r.try_get("", "signed_by")?,
        cancel_reason: r.try_get("", "cancel_reason")?,
        created_by: r.try_get("", "created_by")?,
        created_at: ts(r.try_get("", "created_at")?)?,
        dispatched_at: opt_ts(r, "dispatched_at")?,
        departed_at: opt_ts(r, "departed_at")?,
        on_site_at: opt_ts(r, "on_site_at")?,
        done_at: opt_ts(r, "done_at")?,
        updated_at: ts(r.try_get("", "updated_at")?)?,
        version: r.try_get("", "version")?,
    })
}

impl Exec<'_> {
    #[tracing::instrument(skip(self))]
    pub async fn work_order(&self, id: i64) -> Result<WorkOrder> {
        let r = self
            .one(&format!("SELECT {COLS} FROM work_orders WHERE id = $1"), vec![id.into()])
            .await?
            .ok_or(StoreError::NotFound("work order"))?;
        row(&r)
    }

    /// The work orders of a case, oldest first.
    #[tracing::instrument(skip(self))]
    pub async fn work_orders_of(&self, case_id: i64) -> Result<Vec<WorkOrder>> {
        let rows = self
            .all(&format!("SELECT {COLS} FROM work_orders WHERE case_id = $1 ORDER BY id"), vec![case_id.into()])
            .await?;
        rows.iter().map(row).collect()
    }

    /// A page of work orders, oldest first (the order a crew works them).
    #[tracing::instrument(skip(self))]
    pub async fn work_orders(&self, f: &WorkOrderFilter, page: PageRequest) -> Result<Page<WorkOrder>> {
        let mut v: Vec<Value> = vec![f.company_id.into()];
        let mut wh = vec!["company_id = $1".to_owned()];
        if !f.states.is_empty() {
            let mut marks = Vec::new();
            for s in &f.states {
                v.push(s.code().into());
                marks.push(format!("${}", v.len()));
            }
            wh.push(format!("state IN ({})", marks.join(", ")));
        }
        for (col, x) in [("crew_id", f.crew_id), ("case_id", f.case_id)] {
            if let Some(x) = x {
                v.push(x.into());
                wh.push(format!("{col} = ${}", v.len()));
            }
        }
        if let Some(u) = f.utility {
            v.push(u.code().into());
            wh.push(format!("utility = ${}", v.len()));
        }
        let wh = wh.join(" AND ");
        let total: i64 = self
            .one(&format!("SELECT COUNT(*) AS n FROM work_orders WHERE {wh}"), v.clone())
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        v.push((page.limit as i64).into());
        v.push((page.offset as i64).into());
        let (l, o) = (v.len() - 1, v.len());
        let rows = self
            .all(
                &format!("SELECT {COLS} FROM work_orders WHERE {wh} ORDER BY created_at, id LIMIT ${l} OFFSET ${o}"),
                v,
            )
            .await?;
        Ok(Page { items: rows.iter().map(row).collect::<Result<_>>()?, total: total as u64 })
    }
}

impl Tx {
    #[tracing::instrument(skip_all, fields(case_id = w.case_id))]
    pub async fn insert_work_order(&mut self, w: &NewWorkOrder) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO work_orders (company_id, case_id, utility, state, instructions, appointment_from, appointment_to, created_by, \
                 created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1) RETURNING id",
                vec![
                    w.company_id.into(),
                    w.case_id.into(),
                    w.utility.code().into(),
                    WorkOrderState::Open.code().into(),
                    w.instructions.as_str().into(),
                    w.appointment_from_us.into(),
                    w.appointment_to_us.into(),
                    w.created_by.into(),
                    w.created_at_us.into(),
                ],
            )
            .await
    }

    /// Moves a work order to `state` if it is still at `expected_version`
    /// (someone else's change in between is a conflict, not a lost update).
    #[tracing::instrument(skip(self, change))]
    pub async fn update_work_order(
        &mut self,
        id: i64,
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
                    id.into(),
                    expected_version.into(),
                    state.code().into(),
                    at_us.into(),
                    change.crew_id.into(),
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
