//! Reads the staff console needs: the customer search as a clerk types, the
//! nearest open deadline of each case on a queue page, and the cases behind
//! a list of clocks.

use crate::cases::case_by_ids_sql;
use crate::error::Result;
use crate::exec::Exec;
use crate::records::*;
use crate::records::{Case, Customer, ts};
use crate::registry::{CUSTOMER_COLS, customer_row, like_escape};
use sea_orm::Value;

/// The smallest digit string above every string starting with `digits`
/// ("139" → "14", "1299" → "13"); None for all nines.
fn digits_after(digits: &str) -> Option<String> {
    let mut b = digits.as_bytes().to_vec();
    while let Some(last) = b.pop() {
        if last < b'9' {
            b.push(last + 1);
            return String::from_utf8(b).ok();
        }
    }
    None
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Exec<'_> {
    /// The nearest open deadline of each listed case (cases without open clocks are left out).
    #[tracing::instrument(skip(self, case_ids), fields(n = case_ids.len()))]
    pub async fn case_deadlines(&self, case_ids: &[i64]) -> Result<Vec<CaseDeadline>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT subject_id, MIN(due_at) AS due, MAX(breached) AS breached FROM clocks \
             WHERE subject = 'case' AND state <> 'stopped' AND subject_id IN ({}) GROUP BY subject_id",
            placeholders(case_ids.len())
        );
        let rows = self.all(&sql, case_ids.iter().map(|&i| Value::from(i)).collect()).await?;
        rows.iter()
            .map(|r| {
                Ok(CaseDeadline {
                    case_id: r.try_get("", "subject_id")?,
                    due_at: ts(r.try_get("", "due")?)?,
                    breached: r.try_get::<i64>("", "breached")? != 0,
                })
            })
            .collect()
    }

    /// The listed cases, in id order (unknown ids are left out).
    #[tracing::instrument(skip(self, ids), fields(n = ids.len()))]
    pub async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<Case>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows =
            self.all(&case_by_ids_sql(&placeholders(ids.len())), ids.iter().map(|&i| Value::from(i)).collect()).await?;
        rows.iter().map(crate::cases::case_row).collect()
    }
}

impl Exec<'_> {
    /// Customers a clerk may mean by `text`, at most `limit`, best guesses first.
    /// Digits are looked up as a customer-number or phone prefix on their
    /// indexes, then (from 4 digits) anywhere in the phone; other text as part
    /// of the account name or the address. No count of all matches is made,
    /// so the cost stays near the few rows shown.
    #[tracing::instrument(skip(self, text))]
    pub async fn search_customers(&self, company_id: i64, text: &str, limit: u32) -> Result<Vec<Customer>> {
        let text = text.trim();
        let lim = i64::from(limit.max(1));
        let from = "FROM customers c LEFT JOIN premises p ON p.id = c.premises_id";
        let mut found: Vec<Customer> = Vec::new();
        let add = |rows: Vec<sea_orm::QueryResult>, found: &mut Vec<Customer>| -> Result<()> {
            for r in &rows {
                let c = customer_row(r)?;
                if found.len() < limit as usize && !found.iter().any(|f| f.id == c.id) {
                    found.push(c);
                }
            }
            Ok(())
        };
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            // The range narrows the index scan; LIKE keeps it exact whatever the collation.
            let (range, mut args) = match digits_after(text) {
                Some(upper) => (
                    "{col} >= $2 AND {col} < $3 AND {col} LIKE $4",
                    vec![Value::from(text), Value::from(upper), Value::from(format!("{text}%"))],
                ),
                None => ("{col} >= $2 AND {col} LIKE $3", vec![Value::from(text), Value::from(format!("{text}%"))]),
            };
            args.insert(0, company_id.into());
            args.push(lim.into());
            let n = args.len();
            for col in ["c.customer_number", "c.phone"] {
                let cond = range.replace("{col}", col);
                let sql = format!(
                    "SELECT {CUSTOMER_COLS} {from} WHERE c.company_id = $1 AND {cond} ORDER BY {col}, c.id LIMIT ${n}"
                );
                add(self.all(&sql, args.clone()).await?, &mut found)?;
            }
            if found.len() < limit as usize && text.len() >= 4 {
                let sql = format!(
                    "SELECT {CUSTOMER_COLS} {from} WHERE c.company_id = $1 AND c.phone LIKE $2 ESCAPE '\\' ORDER BY c.id LIMIT $3"
                );
                let rows = self.all(&sql, vec![company_id.into(), format!("%{text}%").into(), lim.into()]).await?;
                add(rows, &mut found)?;
            }
        } else if !text.is_empty() {
            let contains = format!("%{}%", like_escape(text));
            let sql = format!(
                "SELECT {CUSTOMER_COLS} {from} WHERE c.company_id = $1 AND c.account_name LIKE $2 ESCAPE '\\' ORDER BY c.id LIMIT $3"
            );
            add(self.all(&sql, vec![company_id.into(), contains.clone().into(), lim.into()]).await?, &mut found)?;
            if found.len() < limit as usize {
                let sql = format!(
                    "SELECT {CUSTOMER_COLS} FROM premises p JOIN customers c ON c.premises_id = p.id \
                     WHERE p.company_id = $1 AND p.address LIKE $2 ESCAPE '\\' ORDER BY c.id LIMIT $3"
                );
                add(self.all(&sql, vec![company_id.into(), contains.into(), lim.into()]).await?, &mut found)?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_upper_bound_of_a_digit_prefix() {
        assert_eq!(super::digits_after("139").as_deref(), Some("14"));
        assert_eq!(super::digits_after("1299").as_deref(), Some("13"));
        assert_eq!(super::digits_after("10").as_deref(), Some("11"));
        assert_eq!(super::digits_after("99"), None);
    }
}
