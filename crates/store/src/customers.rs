//! Customer accounts: lookups, the filtered list, the console's search as
//! a clerk types, and edits.

use crate::console::digits_after;
use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::now_us;
use crate::paging::Where;
use crate::records::*;
use crate::registry::{CUSTOMER_COLS, like_escape};
use crate::repo::*;
use pledge_domain::network;
use pledge_domain::{AccountName, CustomerCategory, CustomerNumber, Phone, SpecialCare};
use sea_orm::Value;

const FROM: &str = "FROM customers c LEFT JOIN premises p ON p.id = c.premises_id";

/// Reading customer accounts: by id or number, the filtered list, the console search. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait CustomerReads {
    fn customer(&self, id: CustomerId) -> impl Future<Output = Result<Customer>> + Send;

    fn customers(&self, f: &CustomerFilter, page: PageRequest) -> impl Future<Output = Result<Page<Customer>>> + Send;

    fn customer_by_number(
        &self,
        company_id: CompanyId,
        number: &CustomerNumber,
    ) -> impl Future<Output = Result<Option<Customer>>> + Send;

    /// Customers a clerk may mean by `text`, at most `limit`, best guesses first.
    /// Digits are looked up as a customer-number or phone prefix on their
    /// indexes, then (from 4 digits) anywhere in the phone; other text as part
    /// of the account name or the address. No count of all matches is made,
    /// so the cost stays near the few rows shown.
    fn search_customers(
        &self,
        company_id: CompanyId,
        text: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Customer>>> + Send;
}

impl CustomerReads for Exec<'_> {
    async fn customer(&self, id: CustomerId) -> Result<Customer> {
        self.fetch(&format!("SELECT {CUSTOMER_COLS} {FROM} WHERE c.id = $1"), vec![id.bind()], "customer").await
    }

    async fn customers(&self, f: &CustomerFilter, page: PageRequest) -> Result<Page<Customer>> {
        let mut w = Where::new();
        w.eq("c.company_id", f.company_id.map(Bind::bind));
        w.eq("c.utility", f.utility.map(|u| u.code()));
        w.eq("c.category", f.category.map(|c| c.code()));
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let prefix = w.arg(format!("{}%", like_escape(t)));
            let contains = w.arg(format!("%{}%", like_escape(t)));
            w.and(format!(
                "(c.customer_number LIKE {prefix} ESCAPE '\\' OR c.phone LIKE {contains} ESCAPE '\\' \
                 OR c.account_name LIKE {contains} ESCAPE '\\' OR p.address LIKE {contains} ESCAPE '\\')"
            ));
        }
        if let Some(node_id) = f.below_node {
            let node = self.node(node_id).await?;
            let (lo, hi) = network::subtree_bounds(&node.path);
            let lo = w.arg(lo);
            let hi = w.arg(hi);
            w.and(format!(
                "EXISTS (SELECT 1 FROM premises_supply s WHERE s.premises_id = c.premises_id AND s.utility = c.utility \
                 AND s.node_path >= {lo} AND s.node_path < {hi})"
            ));
        }
        let from = format!("{FROM} {}", w.sql());
        self.page(CUSTOMER_COLS, &from, w.into_values(), "c.id", page).await
    }

    async fn customer_by_number(&self, company_id: CompanyId, number: &CustomerNumber) -> Result<Option<Customer>> {
        self.fetch_opt(
            &format!("SELECT {CUSTOMER_COLS} {FROM} WHERE c.company_id = $1 AND c.customer_number = $2"),
            vec![company_id.bind(), number.as_str().into()],
        )
        .await
    }

    #[tracing::instrument(skip(self, text))]
    async fn search_customers(&self, company_id: CompanyId, text: &str, limit: u32) -> Result<Vec<Customer>> {
        let text = text.trim();
        let lim = i64::from(limit.max(1));
        let mut found: Vec<Customer> = Vec::new();
        let add = |rows: Vec<Customer>, found: &mut Vec<Customer>| {
            for c in rows {
                if found.len() < limit as usize && !found.iter().any(|f| f.id == c.id) {
                    found.push(c);
                }
            }
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
            args.insert(0, company_id.bind());
            args.push(lim.into());
            let n = args.len();
            for col in ["c.customer_number", "c.phone"] {
                let cond = range.replace("{col}", col);
                let sql = format!(
                    "SELECT {CUSTOMER_COLS} {FROM} WHERE c.company_id = $1 AND {cond} ORDER BY {col}, c.id LIMIT ${n}"
                );
                add(self.fetch_all(&sql, args.clone()).await?, &mut found);
            }
            if found.len() < limit as usize && text.len() >= 4 {
                let sql = format!(
                    "SELECT {CUSTOMER_COLS} {FROM} WHERE c.company_id = $1 AND c.phone LIKE $2 ESCAPE '\\' ORDER BY c.id LIMIT $3"
                );
                let rows =
                    self.fetch_all(&sql, vec![company_id.bind(), format!("%{text}%").into(), lim.into()]).await?;
                add(rows, &mut found);
            }
        } else if !text.is_empty() {
            let contains = format!("%{}%", like_escape(text));
            let sql = format!(
                "SELECT {CUSTOMER_COLS} {FROM} WHERE c.company_id = $1 AND c.account_name LIKE $2 ESCAPE '\\' ORDER BY c.id LIMIT $3"
            );
            add(self.fetch_all(&sql, vec![company_id.bind(), contains.clone().into(), lim.into()]).await?, &mut found);
            if found.len() < limit as usize {
                let sql = format!(
                    "SELECT {CUSTOMER_COLS} FROM premises p JOIN customers c ON c.premises_id = p.id \
                     WHERE p.company_id = $1 AND p.address LIKE $2 ESCAPE '\\' ORDER BY c.id LIMIT $3"
                );
                add(self.fetch_all(&sql, vec![company_id.bind(), contains.into(), lim.into()]).await?, &mut found);
            }
        }
        Ok(found)
    }
}

/// Creating and changing customer accounts. Implemented for [`Tx`]: inside a write transaction.
pub trait CustomerWrites {
    fn insert_customer(&mut self, c: &NewCustomer) -> impl Future<Output = Result<CustomerId>> + Send;

    fn update_customer(
        &mut self,
        id: CustomerId,
        account_name: Option<&AccountName>,
        category: Option<CustomerCategory>,
        phone: Option<Option<&Phone>>,
        special_care: Option<&[SpecialCare]>,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl CustomerWrites for Tx {
    async fn insert_customer(&mut self, c: &NewCustomer) -> Result<CustomerId> {
        let now = now_us();
        self.exec()
            .insert_id(
                "INSERT INTO customers (company_id, utility, customer_number, account_name, category, phone, special_care, premises_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                vec![
                    c.company_id.bind(),
                    c.utility.code().into(),
                    c.number.as_str().into(),
                    c.account_name.as_str().into(),
                    c.category.code().into(),
                    c.phone.as_ref().map(|p| p.as_str().to_owned()).into(),
                    SpecialCare::encode(&c.special_care).into(),
                    c.premises_id.bind(),
                    now.into(),
                ],
            )
            .await
    }

    async fn update_customer(
        &mut self,
        id: CustomerId,
        account_name: Option<&AccountName>,
        category: Option<CustomerCategory>,
        phone: Option<Option<&Phone>>,
        special_care: Option<&[SpecialCare]>,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE customers SET account_name = COALESCE($2, account_name), category = COALESCE($3, category), \
                 phone = CASE WHEN $4 = 1 THEN $5 ELSE phone END, special_care = COALESCE($6, special_care), updated_at = $7 WHERE id = $1",
                vec![
                    id.bind(),
                    account_name.map(|a| a.as_str().to_owned()).into(),
                    category.map(|c| c.code()).into(),
                    (phone.is_some() as i64).into(),
                    phone.flatten().map(|p| p.as_str().to_owned()).into(),
                    special_care.map(SpecialCare::encode).into(),
                    now_us().into(),
                ],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("customer")) } else { Ok(()) }
    }
}
