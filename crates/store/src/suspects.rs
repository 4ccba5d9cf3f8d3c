//! Suspected outages (trouble calls grouped below one node) and the
//! per-utility grouping thresholds.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::paging::Where;
use crate::records::*;
use crate::row::{FromRow, Row};
use pledge_domain::Utility;
use pledge_domain::network::NodeLevel;
use pledge_domain::outage::{GroupingRule, SuspectState};

const COLS: &str = "id, company_id, utility, node_id, state, first_call_at, last_call_at, calls, outage_id, decided_by, decided_at, note";

impl FromRow for Suspect {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(Suspect {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            utility: r.code("utility", "utility", Utility::parse)?,
            node_id: r.id("node_id")?,
            state: r.code("state", "suspect state", SuspectState::parse)?,
            first_call_at: r.ts("first_call_at")?,
            last_call_at: r.ts("last_call_at")?,
            calls: r.count("calls")?,
            outage_id: r.opt_id("outage_id")?,
            decided_by: r.opt_id("decided_by")?,
            decided_at: r.opt_ts("decided_at")?,
            note: r.get("note")?,
        })
    }
}

impl FromRow for GroupingRule {
    fn from_row(r: Row<'_>) -> Result<Self> {
        let level = r.code("node_level", "node level", NodeLevel::parse)?;
        let (min, win): (i64, i64) = (r.get("min_calls")?, r.get("window_minutes")?);
        GroupingRule::new(min as u32, win as u32, level).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// Reading suspected outages and the grouping thresholds. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait SuspectReads {
    fn suspect(&self, id: SuspectId) -> impl Future<Output = Result<Suspect>> + Send;

    /// The open group below `node_id` whose first call came at or after `since`.
    fn open_suspect(
        &self,
        company_id: CompanyId,
        node_id: NodeId,
        since_us: i64,
    ) -> impl Future<Output = Result<Option<Suspect>>> + Send;

    /// Suspected outages in `states` (all when empty), newest call first.
    fn suspects(
        &self,
        company_id: CompanyId,
        states: &[SuspectState],
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Suspect>>> + Send;

    fn suspect_case_ids(&self, suspect_id: SuspectId) -> impl Future<Output = Result<Vec<CaseId>>> + Send;

    /// The grouping thresholds of a utility, or the defaults.
    fn grouping_rule(
        &self,
        company_id: CompanyId,
        utility: Utility,
    ) -> impl Future<Output = Result<GroupingRule>> + Send;
}

impl SuspectReads for Exec<'_> {
    #[tracing::instrument(skip(self))]
    async fn suspect(&self, id: SuspectId) -> Result<Suspect> {
        self.fetch(&format!("SELECT {COLS} FROM suspected_outages WHERE id = $1"), vec![id.bind()], "suspected outage")
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn open_suspect(&self, company_id: CompanyId, node_id: NodeId, since_us: i64) -> Result<Option<Suspect>> {
        self.fetch_opt(
            &format!(
                "SELECT {COLS} FROM suspected_outages WHERE company_id = $1 AND node_id = $2 AND state IN ('gathering', 'raised') \
                 AND first_call_at >= $3 ORDER BY id DESC LIMIT 1"
            ),
            vec![company_id.bind(), node_id.bind(), since_us.into()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn suspects(
        &self,
        company_id: CompanyId,
        states: &[SuspectState],
        page: PageRequest,
    ) -> Result<Page<Suspect>> {
        let mut w = Where::new();
        w.eq("company_id", Some(company_id.bind()));
        w.any("state", states.iter().map(|s| s.code()));
        let from = format!("FROM suspected_outages {}", w.sql());
        self.page(COLS, &from, w.into_values(), "last_call_at DESC, id DESC", page).await
    }

    #[tracing::instrument(skip(self))]
    async fn suspect_case_ids(&self, suspect_id: SuspectId) -> Result<Vec<CaseId>> {
        self.fetch_all(
            "SELECT case_id FROM suspected_cases WHERE suspected_id = $1 ORDER BY case_id",
            vec![suspect_id.bind()],
        )
        .await
    }

    #[tracing::instrument(skip(self))]
    async fn grouping_rule(&self, company_id: CompanyId, utility: Utility) -> Result<GroupingRule> {
        let rule = self
            .fetch_opt(
                "SELECT min_calls, window_minutes, node_level FROM outage_grouping WHERE company_id = $1 AND utility = $2",
                vec![company_id.bind(), utility.code().into()],
            )
            .await?;
        Ok(rule.unwrap_or_else(|| GroupingRule::default_for(utility)))
    }
}

/// Grouping trouble calls into suspected outages and deciding them. Implemented for [`Tx`]: inside a write transaction.
pub trait SuspectWrites {
    fn insert_suspect(
        &mut self,
        company_id: CompanyId,
        utility: Utility,
        node_id: NodeId,
        at_us: i64,
    ) -> impl Future<Output = Result<SuspectId>> + Send;

    /// Adds a call to a group; returns the group's new call count.
    fn add_suspect_case(
        &mut self,
        suspect_id: SuspectId,
        case_id: CaseId,
        at_us: i64,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Moves a group to `state`, recording the decision when there is one.
    fn set_suspect_state(
        &mut self,
        id: SuspectId,
        state: SuspectState,
        decided_by: Option<StaffId>,
        outage_id: Option<OutageId>,
        note: Option<&str>,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    fn put_grouping_rule(
        &mut self,
        company_id: CompanyId,
        utility: Utility,
        rule: &GroupingRule,
        at_us: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl SuspectWrites for Tx {
    #[tracing::instrument(skip(self))]
    async fn insert_suspect(
        &mut self,
        company_id: CompanyId,
        utility: Utility,
        node_id: NodeId,
        at_us: i64,
    ) -> Result<SuspectId> {
        self.exec()
            .insert_id(
                "INSERT INTO suspected_outages (company_id, utility, node_id, state, first_call_at, last_call_at, calls, created_at) \
                 VALUES ($1, $2, $3, 'gathering', $4, $4, 0, $4) RETURNING id",
                vec![company_id.bind(), utility.code().into(), node_id.bind(), at_us.into()],
            )
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn add_suspect_case(&mut self, suspect_id: SuspectId, case_id: CaseId, at_us: i64) -> Result<u64> {
        let x = self.exec();
        x.run(
            "INSERT INTO suspected_cases (suspected_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            vec![suspect_id.bind(), case_id.bind()],
        )
        .await?;
        x.run(
            "UPDATE suspected_outages SET calls = (SELECT COUNT(*) FROM suspected_cases WHERE suspected_id = $1), last_call_at = $2 WHERE id = $1",
            vec![suspect_id.bind(), at_us.into()],
        )
        .await?;
        Ok(x.suspect(suspect_id).await?.calls)
    }

    #[tracing::instrument(skip(self, note))]
    async fn set_suspect_state(
        &mut self,
        id: SuspectId,
        state: SuspectState,
        decided_by: Option<StaffId>,
        outage_id: Option<OutageId>,
        note: Option<&str>,
        at_us: i64,
    ) -> Result<()> {
        let decided = decided_by.is_some();
        self.exec()
            .run(
                "UPDATE suspected_outages SET state = $2, decided_by = COALESCE($3, decided_by), decided_at = CASE WHEN $4 = 1 THEN $5 ELSE decided_at END, \
                 outage_id = COALESCE($6, outage_id), note = COALESCE($7, note) WHERE id = $1",
                vec![id.bind(), state.code().into(), decided_by.bind(), (decided as i64).into(), at_us.into(), outage_id.bind(), note.map(str::to_owned).into()],
            )
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn put_grouping_rule(
        &mut self,
        company_id: CompanyId,
        utility: Utility,
        rule: &GroupingRule,
        at_us: i64,
    ) -> Result<()> {
        let x = self.exec();
        x.run(
            "DELETE FROM outage_grouping WHERE company_id = $1 AND utility = $2",
            vec![company_id.bind(), utility.code().into()],
        )
        .await?;
        x.run(
            "INSERT INTO outage_grouping (company_id, utility, min_calls, window_minutes, node_level, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            vec![company_id.bind(), utility.code().into(), i64::from(rule.min_calls).into(), rule.window_minutes().into(), rule.level.code().into(), at_us.into()],
        )
        .await?;
        Ok(())
    }
}
