//! Cases, their numbering and the complaint form's distribution records.

use crate::console::placeholders;
use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::paging::Where;
use crate::records::*;
use crate::registry::like_escape;
use crate::row::{FromRow, Row};
use pledge_domain::case::{CaseKind, CaseState, CaseSubkind, Channel};
use pledge_domain::{CaseNumber, Utility};

const CASE_COLS: &str = "id, company_id, number, utility, kind, subkind, channel, state, subject, description, customer_id, \
     contact_name, contact_phone, anonymous, first_responder_id, assignee_id, department_id, upstream_platform, upstream_ref, \
     upstream_due, duplicate_of, answered_on_spot, created_at, updated_at, closed_at, version, notify_consent";

impl FromRow for Case {
    fn from_row(r: Row<'_>) -> Result<Self> {
        let number: String = r.get("number")?;
        Ok(Case {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            number: CaseNumber::parse(&number).map_err(|_| StoreError::Corrupt(format!("case number {number:?}")))?,
            utility: r.code("utility", "utility", Utility::parse)?,
            kind: r.code("kind", "kind", CaseKind::parse)?,
            subkind: r.opt_code("subkind", "subkind", CaseSubkind::parse)?,
            channel: r.code("channel", "channel", Channel::parse)?,
            state: r.code("state", "state", CaseState::parse)?,
            subject: r.get("subject")?,
            description: r.get("description")?,
            customer_id: r.opt_id("customer_id")?,
            contact_name: r.get("contact_name")?,
            contact_phone: r.get("contact_phone")?,
            anonymous: r.flag("anonymous")?,
            notify_consent: r.flag("notify_consent")?,
            first_responder_id: r.id("first_responder_id")?,
            assignee_id: r.opt_id("assignee_id")?,
            department_id: r.opt_id("department_id")?,
            upstream_platform: r.get("upstream_platform")?,
            upstream_ref: r.get("upstream_ref")?,
            upstream_due: r.opt_ts("upstream_due")?,
            duplicate_of: r.opt_id("duplicate_of")?,
            answered_on_spot: r.flag("answered_on_spot")?,
            created_at: r.ts("created_at")?,
            updated_at: r.ts("updated_at")?,
            closed_at: r.opt_ts("closed_at")?,
            version: r.get("version")?,
        })
    }
}

const DIST_COLS: &str =
    "id, case_id, transfer_no, copy, holder_department_id, acknowledged_by, acknowledged_at, created_at";

impl FromRow for Distribution {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(Distribution {
            id: r.id("id")?,
            case_id: r.id("case_id")?,
            transfer_no: r.get("transfer_no")?,
            copy: r.get("copy")?,
            holder_department_id: r.opt_id("holder_department_id")?,
            acknowledged_by: r.opt_id("acknowledged_by")?,
            acknowledged_at: r.opt_ts("acknowledged_at")?,
            created_at: r.ts("created_at")?,
        })
    }
}

impl FromRow for CaseDeadline {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(CaseDeadline { case_id: r.id("subject_id")?, due_at: r.ts("due")?, breached: r.flag("breached")? })
    }
}

impl FromRow for (CaseState, u64) {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok((r.code("state", "state", CaseState::parse)?, r.count("n")?))
    }
}

/// Reading cases, their duplicates, distribution copies and deadlines. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait CaseReads {
    fn case(&self, id: CaseId) -> impl Future<Output = Result<Case>> + Send;

    fn case_by_number(&self, number: &CaseNumber) -> impl Future<Output = Result<Case>> + Send;

    fn cases(
        &self,
        f: &CaseFilter,
        sort: CaseSort,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Case>>> + Send;

    /// Every case row, in id order, `limit` at a time after `after_id`.
    fn case_batch(&self, after_id: CaseId, limit: u32) -> impl Future<Output = Result<Vec<Case>>> + Send;

    fn distributions(&self, case_id: CaseId) -> impl Future<Output = Result<Vec<Distribution>>> + Send;

    /// Cases linked to this one as duplicates.
    fn duplicates_of(&self, case_id: CaseId) -> impl Future<Output = Result<Vec<Case>>> + Send;

    /// Counts of open cases per state, for the navigation and metrics.
    fn case_counts_by_state(&self) -> impl Future<Output = Result<Vec<(CaseState, u64)>>> + Send;

    /// The nearest deadline of each listed case among its running clocks (paused and stopped ones
    /// excluded, as `pledge_domain::commitment::strictest` decides the case deadline; cases without a
    /// running clock are left out).
    fn case_deadlines(&self, case_ids: &[CaseId]) -> impl Future<Output = Result<Vec<CaseDeadline>>> + Send;

    /// The listed cases, in id order (unknown ids are left out).
    fn cases_by_ids(&self, ids: &[CaseId]) -> impl Future<Output = Result<Vec<Case>>> + Send;
}

impl CaseReads for Exec<'_> {
    async fn case(&self, id: CaseId) -> Result<Case> {
        self.fetch(&format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"), vec![id.bind()], "case").await
    }

    async fn case_by_number(&self, number: &CaseNumber) -> Result<Case> {
        self.fetch(&format!("SELECT {CASE_COLS} FROM cases WHERE number = $1"), vec![number.to_string().into()], "case")
            .await
    }

    async fn cases(&self, f: &CaseFilter, sort: CaseSort, page: PageRequest) -> Result<Page<Case>> {
        let mut w = Where::new();
        w.eq("company_id", f.company_id.map(Bind::bind));
        w.eq("kind", f.kind.map(|k| k.code()));
        w.eq("utility", f.utility.map(|u| u.code()));
        w.eq("department_id", f.department_id.map(Bind::bind));
        w.eq("first_responder_id", f.first_responder_id.map(Bind::bind));
        w.eq("assignee_id", f.assignee_id.map(Bind::bind));
        w.eq("customer_id", f.customer_id.map(Bind::bind));
        w.any("state", f.states.iter().map(|s| s.code()));
        if f.open_only {
            w.and("state <> 'closed'");
        }
        if let Some(t) = f.created_from_us {
            let a = w.arg(t);
            w.and(format!("created_at >= {a}"));
        }
        if let Some(t) = f.created_to_us {
            let a = w.arg(t);
            w.and(format!("created_at < {a}"));
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let a = w.arg(format!("%{}%", like_escape(t)));
            w.and(format!(
                "(number LIKE {a} ESCAPE '\\' OR subject LIKE {a} ESCAPE '\\' OR description LIKE {a} ESCAPE '\\')"
            ));
        }
        let order = match sort {
            CaseSort::NewestFirst => "created_at DESC, id DESC",
            CaseSort::OldestFirst => "created_at ASC, id ASC",
            CaseSort::RecentlyUpdated => "updated_at DESC, id DESC",
        };
        let from = format!("FROM cases {}", w.sql());
        self.page(CASE_COLS, &from, w.into_values(), order, page).await
    }

    async fn case_batch(&self, after_id: CaseId, limit: u32) -> Result<Vec<Case>> {
        self.fetch_all(
            &format!("SELECT {CASE_COLS} FROM cases WHERE id > $1 ORDER BY id LIMIT $2"),
            vec![after_id.bind(), (limit as i64).into()],
        )
        .await
    }

    async fn distributions(&self, case_id: CaseId) -> Result<Vec<Distribution>> {
        self.fetch_all(
            &format!("SELECT {DIST_COLS} FROM distribution_records WHERE case_id = $1 ORDER BY transfer_no, id"),
            vec![case_id.bind()],
        )
        .await
    }

    async fn duplicates_of(&self, case_id: CaseId) -> Result<Vec<Case>> {
        self.fetch_all(
            &format!("SELECT {CASE_COLS} FROM cases WHERE duplicate_of = $1 ORDER BY id"),
            vec![case_id.bind()],
        )
        .await
    }

    async fn case_counts_by_state(&self) -> Result<Vec<(CaseState, u64)>> {
        self.fetch_all("SELECT state, COUNT(*) AS n FROM cases GROUP BY state ORDER BY state", vec![]).await
    }

    #[tracing::instrument(skip(self, case_ids), fields(n = case_ids.len()))]
    async fn case_deadlines(&self, case_ids: &[CaseId]) -> Result<Vec<CaseDeadline>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT subject_id, MIN(due_at) AS due, MAX(breached) AS breached FROM clocks \
             WHERE subject = 'case' AND state = 'running' AND subject_id IN ({}) GROUP BY subject_id",
            placeholders(case_ids.len())
        );
        self.fetch_all(&sql, case_ids.iter().map(|&i| i.bind()).collect()).await
    }

    #[tracing::instrument(skip(self, ids), fields(n = ids.len()))]
    async fn cases_by_ids(&self, ids: &[CaseId]) -> Result<Vec<Case>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {CASE_COLS} FROM cases WHERE id IN ({}) ORDER BY id", placeholders(ids.len()));
        self.fetch_all(&sql, ids.iter().map(|&i| i.bind()).collect()).await
    }
}

/// Numbering, inserting and changing cases and their distribution copies. Implemented for [`Tx`]: inside a write transaction.
pub trait CaseWrites {
    /// Draws the next number for a utility and day.
    fn next_case_number(
        &mut self,
        utility: Utility,
        day: jiff::civil::Date,
    ) -> impl Future<Output = Result<CaseNumber>> + Send;

    fn insert_case(&mut self, number: &CaseNumber, c: &NewCase) -> impl Future<Output = Result<CaseId>> + Send;

    /// Writes a case's new state, department and assignee if its version is
    /// still `expected_version`; a concurrent change makes this a conflict.
    fn update_case_routing(
        &mut self,
        id: CaseId,
        expected_version: i64,
        state: CaseState,
        department_id: Option<DepartmentId>,
        assignee_id: Option<StaffId>,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    fn set_duplicate_of(
        &mut self,
        id: CaseId,
        duplicate_of: CaseId,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Touches a case so concurrent writers see a new version (notes, replies).
    fn touch_case(&mut self, id: CaseId, at_us: i64) -> impl Future<Output = Result<()>> + Send;

    fn insert_distribution(
        &mut self,
        case_id: CaseId,
        transfer_no: i64,
        copy: &str,
        holder_department_id: Option<DepartmentId>,
        at_us: i64,
    ) -> impl Future<Output = Result<DistributionId>> + Send;

    /// Records who acknowledged a copy; a copy is acknowledged once.
    fn acknowledge_distribution(
        &mut self,
        id: DistributionId,
        staff_id: StaffId,
        at_us: i64,
    ) -> impl Future<Output = Result<Distribution>> + Send;
}

impl CaseWrites for Tx {
    async fn next_case_number(&mut self, utility: Utility, day: jiff::civil::Date) -> Result<CaseNumber> {
        let key = day.strftime("%Y%m%d").to_string();
        let last: i64 = self
            .exec()
            .fetch_opt(
                "INSERT INTO case_number_seq (utility, day, last) VALUES ($1, $2, 1) \
                 ON CONFLICT (utility, day) DO UPDATE SET last = case_number_seq.last + 1 RETURNING last",
                vec![utility.code().into(), key.into()],
            )
            .await?
            .ok_or(StoreError::Internal("case number sequence returned nothing".into()))?;
        CaseNumber::new(utility, day, last as u32).map_err(|_| {
            StoreError::Conflict(format!("more than {} cases in one day for {}", CaseNumber::MAX_SEQ, utility.code()))
        })
    }
    async fn insert_case(&mut self, number: &CaseNumber, c: &NewCase) -> Result<CaseId> {
        let closed_at = (c.state == CaseState::Closed).then_some(c.created_at_us);
        self.exec()
            .insert_id(
                "INSERT INTO cases (company_id, number, utility, kind, subkind, channel, state, subject, description, customer_id, \
                 contact_name, contact_phone, anonymous, first_responder_id, assignee_id, department_id, upstream_platform, upstream_ref, \
                 upstream_due, answered_on_spot, created_at, updated_at, closed_at, version, notify_consent) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21, $22, 1, $23) RETURNING id",
                vec![
                    c.company_id.bind(),
                    number.to_string().into(),
                    c.utility.code().into(),
                    c.kind.code().into(),
                    c.subkind.map(|s| s.code()).into(),
                    c.channel.code().into(),
                    c.state.code().into(),
                    c.subject.as_str().into(),
                    c.description.as_str().into(),
                    c.customer_id.bind(),
                    c.contact_name.clone().into(),
                    c.contact_phone.clone().into(),
                    (c.anonymous as i64).into(),
                    c.first_responder_id.bind(),
                    c.assignee_id.bind(),
                    c.department_id.bind(),
                    c.upstream_platform.clone().into(),
                    c.upstream_ref.clone().into(),
                    c.upstream_due_us.into(),
                    (c.answered_on_spot as i64).into(),
                    c.created_at_us.into(),
                    closed_at.into(),
                    (c.notify_consent as i64).into(),
                ],
            )
            .await
    }

    async fn update_case_routing(
        &mut self,
        id: CaseId,
        expected_version: i64,
        state: CaseState,
        department_id: Option<DepartmentId>,
        assignee_id: Option<StaffId>,
        at_us: i64,
    ) -> Result<()> {
        let closed_at = (state == CaseState::Closed).then_some(at_us);
        let n = self
            .exec()
            .run(
                "UPDATE cases SET state = $3, department_id = $4, assignee_id = $5, updated_at = $6, closed_at = $7, version = version + 1 \
                 WHERE id = $1 AND version = $2",
                vec![
                    id.bind(),
                    expected_version.into(),
                    state.code().into(),
                    department_id.bind(),
                    assignee_id.bind(),
                    at_us.into(),
                    closed_at.into(),
                ],
            )
            .await?;
        if n == 0 {
            Err(StoreError::Conflict("the case was changed by someone else; reload and try again".into()))
        } else {
            Ok(())
        }
    }

    async fn set_duplicate_of(&mut self, id: CaseId, duplicate_of: CaseId, at_us: i64) -> Result<()> {
        self.exec()
            .run(
                "UPDATE cases SET duplicate_of = $2, updated_at = $3, version = version + 1 WHERE id = $1",
                vec![id.bind(), duplicate_of.bind(), at_us.into()],
            )
            .await?;
        Ok(())
    }

    async fn touch_case(&mut self, id: CaseId, at_us: i64) -> Result<()> {
        self.exec()
            .run("UPDATE cases SET updated_at = $2, version = version + 1 WHERE id = $1", vec![id.bind(), at_us.into()])
            .await?;
        Ok(())
    }

    async fn insert_distribution(
        &mut self,
        case_id: CaseId,
        transfer_no: i64,
        copy: &str,
        holder_department_id: Option<DepartmentId>,
        at_us: i64,
    ) -> Result<DistributionId> {
        self.exec()
            .insert_id(
                "INSERT INTO distribution_records (case_id, transfer_no, copy, holder_department_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![case_id.bind(), transfer_no.into(), copy.into(), holder_department_id.bind(), at_us.into()],
            )
            .await
    }

    async fn acknowledge_distribution(
        &mut self,
        id: DistributionId,
        staff_id: StaffId,
        at_us: i64,
    ) -> Result<Distribution> {
        let n = self
            .exec()
            .run(
                "UPDATE distribution_records SET acknowledged_by = $2, acknowledged_at = $3 WHERE id = $1 AND acknowledged_by IS NULL",
                vec![id.bind(), staff_id.bind(), at_us.into()],
            )
            .await?;
        let d = self
            .exec()
            .fetch(
                &format!("SELECT {DIST_COLS} FROM distribution_records WHERE id = $1"),
                vec![id.bind()],
                "distribution record",
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("this copy was already acknowledged".into()));
        }
        Ok(d)
    }
}
