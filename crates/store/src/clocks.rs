//! Commitment clocks: stored with the columns the sweeper and statistics
//! need, the full domain clock kept as JSON beside them.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::row::{FromRow, Row};
use pledge_domain::Utility;
use pledge_domain::commitment::{Clock, Outcome};
use sea_orm::Value;

/// The instant the sweeper must next look at this clock, if any.
fn next_at(c: &Clock) -> Option<i64> {
    if c.is_stopped() || c.is_paused() {
        return None;
    }
    c.next_threshold().map(|(_, at)| at.as_microsecond())
}

fn outcome_code(c: &Clock) -> Option<&'static str> {
    c.outcome().map(Outcome::code)
}

const COLS: &str = "id, company_id, subject, subject_id, utility, department_id, body";

impl FromRow for ClockRecord {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(ClockRecord {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            subject: r.get("subject")?,
            subject_id: r.get("subject_id")?,
            utility: r.code("utility", "utility", Utility::parse)?,
            department_id: r.opt_id("department_id")?,
            clock: r.json("body", "clock body")?,
        })
    }
}

impl FromRow for ClockStats {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(ClockStats {
            rule_id: r.get("rule_id")?,
            utility: r.opt_code("g_utility", "utility", Utility::parse)?,
            department_id: r.opt_id("g_department")?,
            stopped: r.count("stopped")?,
            met: r.count("met")?,
            breached: r.count("breached")?,
            withdrawn: r.count("withdrawn")?,
            open: r.count("open")?,
            overdue: r.count("overdue")?,
        })
    }
}

const INSERT_COLS: &str = "company_id, subject, subject_id, rule_id, policy_version, utility, department_id, state, started_at, due_at, \
     next_at, stopped_at, outcome, breached, body, updated_at";

/// The 16 values of one clock row, in [`INSERT_COLS`] order.
fn clock_values(
    company_id: CompanyId,
    subject: &str,
    subject_id: i64,
    utility: Utility,
    department_id: Option<DepartmentId>,
    c: &Clock,
) -> Result<Vec<Value>> {
    Ok(vec![
        company_id.bind(),
        subject.into(),
        subject_id.into(),
        c.rule_id.as_str().into(),
        (c.policy_version as i64).into(),
        utility.code().into(),
        department_id.bind(),
        clock_state(c).into(),
        c.started_at.as_microsecond().into(),
        c.due_at.as_microsecond().into(),
        next_at(c).into(),
        c.stopped_at.map(|t| t.as_microsecond()).into(),
        outcome_code(c).into(),
        (c.breached as i64).into(),
        body(c)?.into(),
        c.updated_at.as_microsecond().into(),
    ])
}

/// The 10 values of a clock update: id, then the columns that change.
fn update_values(id: ClockId, department_id: Option<DepartmentId>, c: &Clock) -> Result<Vec<Value>> {
    Ok(vec![
        id.bind(),
        department_id.bind(),
        clock_state(c).into(),
        c.due_at.as_microsecond().into(),
        next_at(c).into(),
        c.stopped_at.map(|t| t.as_microsecond()).into(),
        outcome_code(c).into(),
        (c.breached as i64).into(),
        body(c)?.into(),
        c.updated_at.as_microsecond().into(),
    ])
}

fn body(c: &Clock) -> Result<String> {
    serde_json::to_string(c).map_err(|e| StoreError::Internal(e.to_string()))
}

/// Reading commitment clocks and their on-time statistics. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait ClockReads {
    fn clocks_of(&self, subject: &str, subject_id: i64) -> impl Future<Output = Result<Vec<ClockRecord>>> + Send;

    fn clock(&self, id: ClockId) -> impl Future<Output = Result<ClockRecord>> + Send;

    /// Open clocks due before `before`, soonest first: the at-risk list.
    fn clocks_due_before(
        &self,
        company_id: CompanyId,
        before_us: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ClockRecord>>> + Send;

    /// Clocks still running or paused on a subject that has ended: a closed
    /// case, or an outage restored or cancelled. Each comes with the
    /// subject's recorded end (microseconds) and how it ended (`closed`,
    /// `restored`, `cancelled`), oldest clock first, at most `limit`.
    fn stray_clocks(&self, limit: u32) -> impl Future<Output = Result<Vec<StrayClock>>> + Send;

    /// On-time figures for clocks started in `[from, to)`.
    #[allow(clippy::too_many_arguments)] // to become one typed argument with the repositories
    fn clock_stats(
        &self,
        company_id: CompanyId,
        from_us: i64,
        to_us: i64,
        now_us: i64,
        group: StatsGroup,
        utility: Option<Utility>,
        department_id: Option<DepartmentId>,
    ) -> impl Future<Output = Result<Vec<ClockStats>>> + Send;
}

/// A clock still running on an ended subject (see [`ClockReads::stray_clocks`]).
#[derive(Debug, Clone)]
pub struct StrayClock {
    pub record: ClockRecord,
    /// When the subject ended, in microseconds since the epoch.
    pub ended_at_us: i64,
    /// `closed` (a case), `restored` or `cancelled` (an outage).
    pub how: String,
}

impl FromRow for StrayClock {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(StrayClock { record: ClockRecord::from_row(r)?, ended_at_us: r.get("ended_at")?, how: r.get("how")? })
    }
}

impl ClockReads for Exec<'_> {
    async fn stray_clocks(&self, limit: u32) -> Result<Vec<StrayClock>> {
        let cols = "c.id, c.company_id, c.subject, c.subject_id, c.utility, c.department_id, c.body";
        self.fetch_all(
            &format!(
                "SELECT * FROM ( \
                 SELECT {cols}, COALESCE(k.closed_at, \
                   (SELECT MAX(l.at) FROM ledger l WHERE l.case_id = k.id AND l.kind = 'case.closed'), k.updated_at) AS ended_at, \
                   'closed' AS how \
                 FROM clocks c JOIN cases k ON k.id = c.subject_id \
                 WHERE c.subject = 'case' AND c.state <> 'stopped' AND k.state = 'closed' \
                 UNION ALL \
                 SELECT {cols}, COALESCE(o.restored_at, o.cancelled_at, o.updated_at) AS ended_at, o.state AS how \
                 FROM clocks c JOIN outages o ON o.id = c.subject_id \
                 WHERE c.subject = 'outage' AND c.state <> 'stopped' AND o.state IN ('restored', 'cancelled') \
                 ) s ORDER BY id LIMIT $1"
            ),
            vec![(limit as i64).into()],
        )
        .await
    }

    async fn clocks_of(&self, subject: &str, subject_id: i64) -> Result<Vec<ClockRecord>> {
        self.fetch_all(
            &format!("SELECT {COLS} FROM clocks WHERE subject = $1 AND subject_id = $2 ORDER BY id"),
            vec![subject.into(), subject_id.into()],
        )
        .await
    }

    async fn clock(&self, id: ClockId) -> Result<ClockRecord> {
        self.fetch(&format!("SELECT {COLS} FROM clocks WHERE id = $1"), vec![id.bind()], "clock").await
    }

    async fn clocks_due_before(&self, company_id: CompanyId, before_us: i64, limit: u32) -> Result<Vec<ClockRecord>> {
        self.fetch_all(
            &format!("SELECT {COLS} FROM clocks WHERE company_id = $1 AND state <> 'stopped' AND due_at < $2 ORDER BY due_at LIMIT $3"),
            vec![company_id.bind(), before_us.into(), (limit as i64).into()],
        )
        .await
    }

    #[allow(clippy::too_many_arguments)] // to become one typed argument with the repositories
    async fn clock_stats(
        &self,
        company_id: CompanyId,
        from_us: i64,
        to_us: i64,
        now_us: i64,
        group: StatsGroup,
        utility: Option<Utility>,
        department_id: Option<DepartmentId>,
    ) -> Result<Vec<ClockStats>> {
        let (extra_cols, group_by) = match group {
            StatsGroup::Rule => ("NULL AS g_utility, NULL AS g_department", "rule_id"),
            StatsGroup::RuleAndUtility => ("utility AS g_utility, NULL AS g_department", "rule_id, utility"),
            StatsGroup::RuleAndDepartment => {
                ("NULL AS g_utility, department_id AS g_department", "rule_id, department_id")
            }
        };
        let sql = format!(
            "SELECT rule_id, {extra_cols}, \
             SUM(CASE WHEN state = 'stopped' THEN 1 ELSE 0 END) AS stopped, \
             SUM(CASE WHEN outcome = 'met' THEN 1 ELSE 0 END) AS met, \
             SUM(CASE WHEN outcome = 'breached' THEN 1 ELSE 0 END) AS breached, \
             SUM(CASE WHEN outcome = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn, \
             SUM(CASE WHEN state <> 'stopped' THEN 1 ELSE 0 END) AS open, \
             SUM(CASE WHEN state <> 'stopped' AND due_at < $4 THEN 1 ELSE 0 END) AS overdue \
             FROM clocks WHERE company_id = $1 AND started_at >= $2 AND started_at < $3 \
             AND ($5 IS NULL OR utility = $5) AND ($6 IS NULL OR department_id = $6) \
             GROUP BY {group_by} ORDER BY {group_by}"
        );
        self.fetch_all(
            &sql,
            vec![
                company_id.bind(),
                from_us.into(),
                to_us.into(),
                now_us.into(),
                utility.map(|u| u.code()).into(),
                department_id.bind(),
            ],
        )
        .await
    }
}

/// Starting, updating and claiming commitment clocks. Implemented for [`Tx`]: inside a write transaction.
pub trait ClockWrites {
    fn insert_clock(
        &mut self,
        company_id: CompanyId,
        subject: &str,
        subject_id: i64,
        utility: Utility,
        department_id: Option<DepartmentId>,
        c: &Clock,
    ) -> impl Future<Output = Result<ClockId>> + Send;

    /// Inserts many clocks of one company in multi-row statements (imports and
    /// benchmarks); returns how many were written.
    fn insert_clocks(
        &mut self,
        company_id: CompanyId,
        subject: &str,
        rows: &[(i64, Utility, Option<DepartmentId>, Clock)],
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Writes a clock's new state (and its subject's current department).
    fn update_clock(
        &mut self,
        id: ClockId,
        department_id: Option<DepartmentId>,
        c: &Clock,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Writes many clocks' new states in multi-row statements (the sweeper's
    /// flush); the same effect as [`ClockWrites::update_clock`] on each.
    fn update_clocks(
        &mut self,
        rows: &[(ClockId, Option<DepartmentId>, &Clock)],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Takes up to `limit` clocks whose next threshold is due at `now`, locking
    /// them so another server's sweeper skips them (PostgreSQL); SQLite's
    /// write lock already makes this transaction the only sweeper.
    fn claim_due_clocks(&mut self, now_us: i64, limit: u32) -> impl Future<Output = Result<Vec<ClockRecord>>> + Send;
}

impl ClockWrites for Tx {
    async fn insert_clock(
        &mut self,
        company_id: CompanyId,
        subject: &str,
        subject_id: i64,
        utility: Utility,
        department_id: Option<DepartmentId>,
        c: &Clock,
    ) -> Result<ClockId> {
        self.exec()
            .insert_id(
                &format!("INSERT INTO clocks ({INSERT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id"),
                clock_values(company_id, subject, subject_id, utility, department_id, c)?,
            )
            .await
    }

    async fn insert_clocks(
        &mut self,
        company_id: CompanyId,
        subject: &str,
        rows: &[(i64, Utility, Option<DepartmentId>, Clock)],
    ) -> Result<u64> {
        const PER_STATEMENT: usize = 500;
        let mut written = 0;
        for chunk in rows.chunks(PER_STATEMENT) {
            let mut sql = format!("INSERT INTO clocks ({INSERT_COLS}) VALUES ");
            let mut v: Vec<Value> = Vec::with_capacity(chunk.len() * 16);
            for (i, (subject_id, utility, department_id, c)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let base = v.len();
                sql.push('(');
                sql.push_str(&(1..=16).map(|k| format!("${}", base + k)).collect::<Vec<_>>().join(", "));
                sql.push(')');
                v.extend(clock_values(company_id, subject, *subject_id, *utility, *department_id, c)?);
            }
            written += self.exec().run(&sql, v).await?;
        }
        Ok(written)
    }

    async fn update_clock(&mut self, id: ClockId, department_id: Option<DepartmentId>, c: &Clock) -> Result<()> {
        let v = update_values(id, department_id, c)?;
        self.exec()
            .run(
                "UPDATE clocks SET department_id = $2, state = $3, due_at = $4, next_at = $5, stopped_at = $6, outcome = $7, breached = $8, \
                 body = $9, updated_at = $10 WHERE id = $1",
                v,
            )
            .await?;
        Ok(())
    }

    async fn update_clocks(&mut self, rows: &[(ClockId, Option<DepartmentId>, &Clock)]) -> Result<()> {
        // 10 values per row; well under SQLite's 32,766 parameters.
        const PER_STATEMENT: usize = 500;
        for chunk in rows.chunks(PER_STATEMENT) {
            let mut sql = String::from(
                "WITH v (id, department_id, state, due_at, next_at, stopped_at, outcome, breached, body, updated_at) AS (VALUES ",
            );
            let mut v: Vec<Value> = Vec::with_capacity(chunk.len() * 10);
            for (i, (id, department_id, c)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let base = v.len();
                sql.push('(');
                sql.push_str(&(1..=10).map(|k| format!("${}", base + k)).collect::<Vec<_>>().join(", "));
                sql.push(')');
                v.extend(update_values(*id, *department_id, c)?);
            }
            sql.push_str(
                ") UPDATE clocks SET department_id = v.department_id, state = v.state, due_at = v.due_at, next_at = v.next_at, \
                 stopped_at = v.stopped_at, outcome = v.outcome, breached = v.breached, body = v.body, updated_at = v.updated_at \
                 FROM v WHERE clocks.id = v.id",
            );
            self.exec().run(&sql, v).await?;
        }
        Ok(())
    }

    async fn claim_due_clocks(&mut self, now_us: i64, limit: u32) -> Result<Vec<ClockRecord>> {
        let lock = if self.backend() == crate::Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        self.exec()
            .fetch_all(
                &format!("SELECT {COLS} FROM clocks WHERE next_at IS NOT NULL AND next_at <= $1 ORDER BY next_at LIMIT $2{lock}"),
                vec![now_us.into(), (limit as i64).into()],
            )
            .await
    }
}
