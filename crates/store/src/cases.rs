//! Cases, their numbering and the complaint form's distribution records.

use crate::error::{Result, StoreError, decode};
use crate::exec::{Exec, Tx};
use crate::records::*;
use crate::registry::like_escape;
use pledge_domain::case::{CaseKind, CaseState, CaseSubkind, Channel};
use pledge_domain::{CaseNumber, Utility};
use sea_orm::{QueryResult, Value};

const CASE_COLS: &str = "id, company_id, number, utility, kind, subkind, channel, state, subject, description, customer_id, \
     contact_name, contact_phone, anonymous, first_responder_id, assignee_id, department_id, upstream_platform, upstream_ref, \
     upstream_due, duplicate_of, answered_on_spot, created_at, updated_at, closed_at, version";

pub(crate) fn case_row(r: &QueryResult) -> Result<Case> {
    let number: String = r.try_get("", "number")?;
    let subkind: Option<String> = r.try_get("", "subkind")?;
    Ok(Case {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        number: CaseNumber::parse(&number).map_err(|_| StoreError::Corrupt(format!("case number {number:?}")))?,
        utility: decode("utility", &r.try_get::<String>("", "utility")?, Utility::parse)?,
        kind: decode("kind", &r.try_get::<String>("", "kind")?, CaseKind::parse)?,
        subkind: subkind.map(|s| decode("subkind", &s, CaseSubkind::parse)).transpose()?,
        channel: decode("channel", &r.try_get::<String>("", "channel")?, Channel::parse)?,
        state: decode("state", &r.try_get::<String>("", "state")?, CaseState::parse)?,
        subject: r.try_get("", "subject")?,
        description: r.try_get("", "description")?,
        customer_id: r.try_get("", "customer_id")?,
        contact_name: r.try_get("", "contact_name")?,
        contact_phone: r.try_get("", "contact_phone")?,
        anonymous: r.try_get::<i64>("", "anonymous")? != 0,
        first_responder_id: r.try_get("", "first_responder_id")?,
        assignee_id: r.try_get("", "assignee_id")?,
        department_id: r.try_get("", "department_id")?,
        upstream_platform: r.try_get("", "upstream_platform")?,
        upstream_ref: r.try_get("", "upstream_ref")?,
        upstream_due: r.try_get::<Option<i64>>("", "upstream_due")?.map(ts).transpose()?,
        duplicate_of: r.try_get("", "duplicate_of")?,
        answered_on_spot: r.try_get::<i64>("", "answered_on_spot")? != 0,
        created_at: ts(r.try_get("", "created_at")?)?,
        updated_at: ts(r.try_get("", "updated_at")?)?,
        closed_at: r.try_get::<Option<i64>>("", "closed_at")?.map(ts).transpose()?,
        version: r.try_get("", "version")?,
    })
}

/// The case columns for `id IN (placeholders)`, in id order.
pub(crate) fn case_by_ids_sql(placeholders: &str) -> String {
    format!("SELECT {CASE_COLS} FROM cases WHERE id IN ({placeholders}) ORDER BY id")
}

fn dist_row(r: &QueryResult) -> Result<Distribution> {
    Ok(Distribution {
        id: r.try_get("", "id")?,
        case_id: r.try_get("", "case_id")?,
        transfer_no: r.try_get("", "transfer_no")?,
        copy: r.try_get("", "copy")?,
        holder_department_id: r.try_get("", "holder_department_id")?,
        acknowledged_by: r.try_get("", "acknowledged_by")?,
        acknowledged_at: r.try_get::<Option<i64>>("", "acknowledged_at")?.map(ts).transpose()?,
        created_at: ts(r.try_get("", "created_at")?)?,
    })
}

impl Exec<'_> {
    pub async fn case(&self, id: i64) -> Result<Case> {
        let r = self
            .one(&format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"), vec![id.into()])
            .await?
            .ok_or(StoreError::NotFound("case"))?;
        case_row(&r)
    }

    pub async fn case_by_number(&self, number: &CaseNumber) -> Result<Case> {
        let r = self
            .one(&format!("SELECT {CASE_COLS} FROM cases WHERE number = $1"), vec![number.to_string().into()])
            .await?
            .ok_or(StoreError::NotFound("case"))?;
        case_row(&r)
    }

    pub async fn cases(&self, f: &CaseFilter, sort: CaseSort, page: PageRequest) -> Result<Page<Case>> {
        let mut v: Vec<Value> = Vec::new();
        let mut wh: Vec<String> = vec!["1=1".into()];
        fn arg(v: &mut Vec<Value>, x: Value) -> String {
            v.push(x);
            format!("${}", v.len())
        }
        let mut eq = |v: &mut Vec<Value>, col: &str, x: Option<Value>| {
            if let Some(x) = x {
                let a = arg(v, x);
                wh.push(format!("{col} = {a}"));
            }
        };
        eq(&mut v, "company_id", f.company_id.map(Into::into));
        eq(&mut v, "kind", f.kind.map(|k| k.code().into()));
        eq(&mut v, "utility", f.utility.map(|u| u.code().into()));
        eq(&mut v, "department_id", f.department_id.map(Into::into));
        eq(&mut v, "first_responder_id", f.first_responder_id.map(Into::into));
        eq(&mut v, "assignee_id", f.assignee_id.map(Into::into));
        eq(&mut v, "customer_id", f.customer_id.map(Into::into));
        if !f.states.is_empty() {
            let list: Vec<String> = f.states.iter().map(|s| arg(&mut v, s.code().into())).collect();
            wh.push(format!("state IN ({})", list.join(", ")));
        }
        if f.open_only {
            wh.push("state <> 'closed'".into());
        }
        if let Some(t) = f.created_from_us {
            let a = arg(&mut v, t.into());
            wh.push(format!("created_at >= {a}"));
        }
        if let Some(t) = f.created_to_us {
            let a = arg(&mut v, t.into());
            wh.push(format!("created_at < {a}"));
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let a = arg(&mut v, format!("%{}%", like_escape(t)).into());
            wh.push(format!(
                "(number LIKE {a} ESCAPE '\\' OR subject LIKE {a} ESCAPE '\\' OR description LIKE {a} ESCAPE '\\')"
            ));
        }
        let filter = wh.join(" AND ");
        let total: i64 = self
            .one(&format!("SELECT COUNT(*) AS n FROM cases WHERE {filter}"), v.clone())
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let order = match sort {
            CaseSort::NewestFirst => "created_at DESC, id DESC",
            CaseSort::OldestFirst => "created_at ASC, id ASC",
            CaseSort::RecentlyUpdated => "updated_at DESC, id DESC",
        };
        let lim = arg(&mut v, (page.limit as i64).into());
        let off = arg(&mut v, (page.offset as i64).into());
        let rows = self
            .all(&format!("SELECT {CASE_COLS} FROM cases WHERE {filter} ORDER BY {order} LIMIT {lim} OFFSET {off}"), v)
            .await?;
        Ok(Page { items: rows.iter().map(case_row).collect::<Result<_>>()?, total: total as u64 })
    }

    /// Every case row, in id order, `limit` at a time after `after_id`.
    pub async fn case_batch(&self, after_id: i64, limit: u32) -> Result<Vec<Case>> {
        let rows = self
            .all(
                &format!("SELECT {CASE_COLS} FROM cases WHERE id > $1 ORDER BY id LIMIT $2"),
                vec![after_id.into(), (limit as i64).into()],
            )
            .await?;
        rows.iter().map(case_row).collect()
    }

    pub async fn distributions(&self, case_id: i64) -> Result<Vec<Distribution>> {
        let rows = self
            .all(
                "SELECT id, case_id, transfer_no, copy, holder_department_id, acknowledged_by, acknowledged_at, created_at \
                 FROM distribution_records WHERE case_id = $1 ORDER BY transfer_no, id",
                vec![case_id.into()],
            )
            .await?;
        rows.iter().map(dist_row).collect()
    }

    /// Cases linked to this one as duplicates.
    pub async fn duplicates_of(&self, case_id: i64) -> Result<Vec<Case>> {
        let rows = self
            .all(&format!("SELECT {CASE_COLS} FROM cases WHERE duplicate_of = $1 ORDER BY id"), vec![case_id.into()])
            .await?;
        rows.iter().map(case_row).collect()
    }

    /// Counts of open cases per state, for the navigation and metrics.
    pub async fn case_counts_by_state(&self) -> Result<Vec<(CaseState, u64)>> {
        let rows = self.all("SELECT state, COUNT(*) AS n FROM cases GROUP BY state ORDER BY state", vec![]).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    decode("state", &r.try_get::<String>("", "state")?, CaseState::parse)?,
                    r.try_get::<i64>("", "n")? as u64,
                ))
            })
            .collect()
    }
}

impl Tx {
    /// Draws the next number for a utility and day.
    pub async fn next_case_number(&mut self, utility: Utility, day: jiff::civil::Date) -> Result<CaseNumber> {
        let key = day.strftime("%Y%m%d").to_string();
        let r = self
            .exec()
            .one(
                "INSERT INTO case_number_seq (utility, day, last) VALUES ($1, $2, 1) \
                 ON CONFLICT (utility, day) DO UPDATE SET last = case_number_seq.last + 1 RETURNING last",
                vec![utility.code().into(), key.into()],
            )
            .await?
            .ok_or(StoreError::Internal("case number sequence returned nothing".into()))?;
        let last: i64 = r.try_get("", "last")?;
        CaseNumber::new(utility, day, last as u32).map_err(|_| {
            StoreError::Conflict(format!("more than {} cases in one day for {}", CaseNumber::MAX_SEQ, utility.code()))
        })
    }

    pub async fn insert_case(&mut self, number: &CaseNumber, c: &NewCase) -> Result<i64> {
        let closed_at = (c.state == CaseState::Closed).then_some(c.created_at_us);
        self.exec()
            .insert_id(
                "INSERT INTO cases (company_id, number, utility, kind, subkind, channel, state, subject, description, customer_id, \
                 contact_name, contact_phone, anonymous, first_responder_id, assignee_id, department_id, upstream_platform, upstream_ref, \
                 upstream_due, answered_on_spot, created_at, updated_at, closed_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21, $22, 1) RETURNING id",
                vec![
                    c.company_id.into(),
                    number.to_string().into(),
                    c.utility.code().into(),
                    c.kind.code().into(),
                    c.subkind.map(|s| s.code()).into(),
                    c.channel.code().into(),
                    c.state.code().into(),
                    c.subject.as_str().into(),
                    c.description.as_str().into(),
                    c.customer_id.into(),
                    c.contact_name.clone().into(),
                    c.contact_phone.clone().into(),
                    (c.anonymous as i64).into(),
                    c.first_responder_id.into(),
                    c.assignee_id.into(),
                    c.department_id.into(),
                    c.upstream_platform.clone().into(),
                    c.upstream_ref.clone().into(),
                    c.upstream_due_us.into(),
                    (c.answered_on_spot as i64).into(),
                    c.created_at_us.into(),
                    closed_at.into(),
                ],
            )
            .await
    }

    /// Writes a case's new state, department and assignee if its version is
    /// still `expected_version`; a concurrent change makes this a conflict.
    pub async fn update_case_routing(
        &mut self,
        id: i64,
        expected_version: i64,
        state: CaseState,
        department_id: Option<i64>,
        assignee_id: Option<i64>,
        at_us: i64,
    ) -> Result<()> {
        let closed_at = (state == CaseState::Closed).then_some(at_us);
        let n = self
            .exec()
            .run(
                "UPDATE cases SET state = $3, department_id = $4, assignee_id = $5, updated_at = $6, closed_at = $7, version = version + 1 \
                 WHERE id = $1 AND version = $2",
                vec![
                    id.into(),
                    expected_version.into(),
                    state.code().into(),
                    department_id.into(),
                    assignee_id.into(),
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

    pub async fn set_duplicate_of(&mut self, id: i64, duplicate_of: i64, at_us: i64) -> Result<()> {
        self.exec()
            .run(
                "UPDATE cases SET duplicate_of = $2, updated_at = $3, version = version + 1 WHERE id = $1",
                vec![id.into(), duplicate_of.into(), at_us.into()],
            )
            .await?;
        Ok(())
    }

    /// Touches a case so concurrent writers see a new version (notes, replies).
    pub async fn touch_case(&mut self, id: i64, at_us: i64) -> Result<()> {
        self.exec()
            .run("UPDATE cases SET updated_at = $2, version = version + 1 WHERE id = $1", vec![id.into(), at_us.into()])
            .await?;
        Ok(())
    }

    pub async fn insert_distribution(
        &mut self,
        case_id: i64,
        transfer_no: i64,
        copy: &str,
        holder_department_id: Option<i64>,
        at_us: i64,
    ) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO distribution_records (case_id, transfer_no, copy, holder_department_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![case_id.into(), transfer_no.into(), copy.into(), holder_department_id.into(), at_us.into()],
            )
            .await
    }

    /// Records who acknowledged a copy; a copy is acknowledged once.
    pub async fn acknowledge_distribution(&mut self, id: i64, staff_id: i64, at_us: i64) -> Result<Distribution> {
        let n = self
            .exec()
            .run(
                "UPDATE distribution_records SET acknowledged_by = $2, acknowledged_at = $3 WHERE id = $1 AND acknowledged_by IS NULL",
                vec![id.into(), staff_id.into(), at_us.into()],
            )
            .await?;
        let r = self
            .exec()
            .one(
                "SELECT id, case_id, transfer_no, copy, holder_department_id, acknowledged_by, acknowledged_at, created_at \
                 FROM distribution_records WHERE id = $1",
                vec![id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound("distribution record"))?;
        if n == 0 {
            return Err(StoreError::Conflict("this copy was already acknowledged".into()));
        }
        dist_row(&r)
    }
}
