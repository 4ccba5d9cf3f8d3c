//! Suspected outages (trouble calls grouped below one node) and the
//! per-utility grouping thresholds.

use crate::error::{Result, StoreError, decode};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::records::{NetworkNode, Page, PageRequest, ts};
use pledge_domain::Utility;
use pledge_domain::network::NodeLevel;
use pledge_domain::outage::{GroupingRule, SuspectState};
use sea_orm::{QueryResult, Value};

const COLS: &str = "id, company_id, utility, node_id, state, first_call_at, last_call_at, calls, outage_id, decided_by, decided_at, note";

fn row(r: &QueryResult) -> Result<Suspect> {
    Ok(Suspect {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        utility: decode("utility", &r.try_get::<String>("", "utility")?, Utility::parse)?,
        node_id: r.try_get("", "node_id")?,
        state: decode("suspect state", &r.try_get::<String>("", "state")?, SuspectState::parse)?,
        first_call_at: ts(r.try_get("", "first_call_at")?)?,
        last_call_at: ts(r.try_get("", "last_call_at")?)?,
        calls: r.try_get::<i64>("", "calls")?.max(0) as u64,
        outage_id: r.try_get("", "outage_id")?,
        decided_by: r.try_get("", "decided_by")?,
        decided_at: r.try_get::<Option<i64>>("", "decided_at")?.map(ts).transpose()?,
        note: r.try_get("", "note")?,
    })
}

impl Exec<'_> {
    #[tracing::instrument(skip(self))]
    pub async fn suspect(&self, id: i64) -> Result<Suspect> {
        let r = self
            .one(&format!("SELECT {COLS} FROM suspected_outages WHERE id = $1"), vec![id.into()])
            .await?
            .ok_or(StoreError::NotFound("suspected outage"))?;
        row(&r)
    }

    /// The open group below `node_id` whose first call came at or after `since`.
    #[tracing::instrument(skip(self))]
    pub async fn open_suspect(&self, company_id: i64, node_id: i64, since_us: i64) -> Result<Option<Suspect>> {
        let r = self
            .one(
                &format!(
                    "SELECT {COLS} FROM suspected_outages WHERE company_id = $1 AND node_id = $2 AND state IN ('gathering', 'raised') \
                     AND first_call_at >= $3 ORDER BY id DESC LIMIT 1"
                ),
                vec![company_id.into(), node_id.into(), since_us.into()],
            )
            .await?;
        r.as_ref().map(row).transpose()
    }

    /// Suspected outages in `states` (all when empty), newest call first.
    #[tracing::instrument(skip(self))]
    pub async fn suspects(&self, company_id: i64, states: &[SuspectState], page: PageRequest) -> Result<Page<Suspect>> {
        let mut v: Vec<Value> = vec![company_id.into()];
        let mut filter = "company_id = $1".to_owned();
        if !states.is_empty() {
            let list: Vec<String> = states
                .iter()
                .map(|s| {
                    v.push(s.code().into());
                    format!("${}", v.len())
                })
                .collect();
            filter.push_str(&format!(" AND state IN ({})", list.join(", ")));
        }
        let total: i64 = self
            .one(&format!("SELECT COUNT(*) AS n FROM suspected_outages WHERE {filter}"), v.clone())
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let n = v.len();
        v.push((page.limit as i64).into());
        v.push((page.offset as i64).into());
        let rows = self
            .all(&format!("SELECT {COLS} FROM suspected_outages WHERE {filter} ORDER BY last_call_at DESC, id DESC LIMIT ${} OFFSET ${}", n + 1, n + 2), v)
            .await?;
        Ok(Page { items: rows.iter().map(row).collect::<Result<_>>()?, total: total as u64 })
    }

    #[tracing::instrument(skip(self))]
    pub async fn suspect_case_ids(&self, suspect_id: i64) -> Result<Vec<i64>> {
        let rows = self
            .all(
                "SELECT case_id FROM suspected_cases WHERE suspected_id = $1 ORDER BY case_id",
                vec![suspect_id.into()],
            )
            .await?;
        rows.iter().map(|r| Ok(r.try_get("", "case_id")?)).collect()
    }

    /// The grouping thresholds of a utility, or the defaults.
    #[tracing::instrument(skip(self))]
    pub async fn grouping_rule(&self, company_id: i64, utility: Utility) -> Result<GroupingRule> {
        let r = self
            .one("SELECT min_calls, window_minutes, node_level FROM outage_grouping WHERE company_id = $1 AND utility = $2", vec![company_id.into(), utility.code().into()])
            .await?;
        let Some(r) = r else { return Ok(GroupingRule::default_for(utility)) };
        let level = decode("node level", &r.try_get::<String>("", "node_level")?, NodeLevel::parse)?;
        let (min, win): (i64, i64) = (r.try_get("", "min_calls")?, r.try_get("", "window_minutes")?);
        GroupingRule::new(min as u32, win as u32, level).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The node among `ids` at `level`, deepest first (the ids come from a path).
    #[tracing::instrument(skip(self))]
    pub async fn node_at_level(&self, ids: &[i64], level: NodeLevel) -> Result<Option<NetworkNode>> {
        if ids.is_empty() {
            return Ok(None);
        }
        let mut v: Vec<Value> = vec![level.code().into()];
        let list: Vec<String> = ids
            .iter()
            .map(|id| {
                v.push((*id).into());
                format!("${}", v.len())
            })
            .collect();
        let rows = self
            .all(
                &format!(
                    "SELECT id FROM network_nodes WHERE level = $1 AND id IN ({}) ORDER BY path DESC LIMIT 1",
                    list.join(", ")
                ),
                v,
            )
            .await?;
        match rows.first() {
            Some(r) => Ok(Some(self.node(r.try_get("", "id")?).await?)),
            None => Ok(None),
        }
    }
}

impl Tx {
    #[tracing::instrument(skip(self))]
    pub async fn insert_suspect(&mut self, company_id: i64, utility: Utility, node_id: i64, at_us: i64) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO suspected_outages (company_id, utility, node_id, state, first_call_at, last_call_at, calls, created_at) \
                 VALUES ($1, $2, $3, 'gathering', $4, $4, 0, $4) RETURNING id",
                vec![company_id.into(), utility.code().into(), node_id.into(), at_us.into()],
            )
            .await
    }

    /// Adds a call to a group; returns the group's new call count.
    #[tracing::instrument(skip(self))]
    pub async fn add_suspect_case(&mut self, suspect_id: i64, case_id: i64, at_us: i64) -> Result<u64> {
        let x = self.exec();
        x.run(
            "INSERT INTO suspected_cases (suspected_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            vec![suspect_id.into(), case_id.into()],
        )
        .await?;
        x.run(
            "UPDATE suspected_outages SET calls = (SELECT COUNT(*) FROM suspected_cases WHERE suspected_id = $1), last_call_at = $2 WHERE id = $1",
            vec![suspect_id.into(), at_us.into()],
        )
        .await?;
        Ok(x.suspect(suspect_id).await?.calls)
    }

    /// Moves a group to `state`, recording the decision when there is one.
    #[tracing::instrument(skip(self, note))]
    pub async fn set_suspect_state(
        &mut self,
        id: i64,
        state: SuspectState,
        decided_by: Option<i64>,
        outage_id: Option<i64>,
        note: Option<&str>,
        at_us: i64,
    ) -> Result<()> {
        let decided = decided_by.is_some();
        self.exec()
            .run(
                "UPDATE suspected_outages SET state = $2, decided_by = COALESCE($3, decided_by), decided_at = CASE WHEN $4 = 1 THEN $5 ELSE decided_at END, \
                 outage_id = COALESCE($6, outage_id), note = COALESCE($7, note) WHERE id = $1",
                vec![id.into(), state.code().into(), decided_by.into(), (decided as i64).into(), at_us.into(), outage_id.into(), note.map(str::to_owned).into()],
            )
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    pub async fn put_grouping_rule(
        &mut self,
        company_id: i64,
        utility: Utility,
        rule: &GroupingRule,
        at_us: i64,
    ) -> Result<()> {
        let x = self.exec();
        x.run(
            "DELETE FROM outage_grouping WHERE company_id = $1 AND utility = $2",
            vec![company_id.into(), utility.code().into()],
        )
        .await?;
        x.run(
            "INSERT INTO outage_grouping (company_id, utility, min_calls, window_minutes, node_level, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            vec![company_id.into(), utility.code().into(), i64::from(rule.min_calls).into(), rule.window_minutes().into(), rule.level.code().into(), at_us.into()],
        )
        .await?;
        Ok(())
    }
}
