//! The registry's inputs and rows: companies, departments, staff, the supply
//! network, premises and customers. Their repositories are in `org.rs`
//! (companies, departments, staff), `network.rs` (nodes, premises) and
//! `customers.rs`.

use crate::error::{Result, StoreError};
use crate::records::*;
use crate::row::{FromRow, Row};
use pledge_domain::network::NodeLevel;
use pledge_domain::{AccountName, CustomerCategory, CustomerNumber, Phone, Role, SpecialCare, Utility, Zone};

pub(crate) const STAFF_COLS: &str = "id, company_id, department_id, username, display_name, role, active";

impl FromRow for Staff {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(Staff {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            department_id: r.opt_id("department_id")?,
            username: r.get("username")?,
            display_name: r.get("display_name")?,
            role: r.code("role", "role", Role::parse)?,
            active: r.flag("active")?,
        })
    }
}

pub(crate) const DEPARTMENT_COLS: &str = "id, company_id, code, name_zh, name_en, utility";

impl FromRow for Department {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(Department {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            code: r.get("code")?,
            name_zh: r.get("name_zh")?,
            name_en: r.get("name_en")?,
            utility: r.opt_code("utility", "utility", Utility::parse)?,
        })
    }
}

pub(crate) const NODE_COLS: &str = "id, company_id, utility, parent_id, level, name, path";

impl FromRow for NetworkNode {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(NetworkNode {
            id: r.id("id")?,
            company_id: r.id("company_id")?,
            utility: r.code("utility", "utility", Utility::parse)?,
            parent_id: r.opt_id("parent_id")?,
            level: r.code("level", "level", NodeLevel::parse)?,
            name: r.get("name")?,
            path: r.get("path")?,
        })
    }
}

pub(crate) const CUSTOMER_COLS: &str = "c.id, c.company_id, c.utility, c.customer_number, c.account_name, c.category, c.phone, \
     c.special_care, c.premises_id, c.created_at, c.updated_at, p.address, p.zone, p.floor_area_m2";

impl FromRow for Customer {
    fn from_row(r: Row<'_>) -> Result<Self> {
        let number: String = r.get("customer_number")?;
        let name: String = r.get("account_name")?;
        let phone: Option<String> = r.get("phone")?;
        let company_id: CompanyId = r.id("company_id")?;
        let premises = match r.opt_id::<PremisesId>("premises_id")? {
            Some(id) => Some(Premises {
                id,
                company_id,
                address: r.get("address")?,
                zone: r.code("zone", "zone", Zone::parse)?,
                floor_area_m2: r.get("floor_area_m2")?,
            }),
            None => None,
        };
        Ok(Customer {
            id: r.id("id")?,
            company_id,
            utility: r.code("utility", "utility", Utility::parse)?,
            number: CustomerNumber::parse(&number)
                .map_err(|_| StoreError::Corrupt(format!("customer number {number:?}")))?,
            account_name: AccountName::parse(&name).map_err(|_| StoreError::Corrupt("account name".into()))?,
            category: r.code("category", "category", CustomerCategory::parse)?,
            phone: phone.map(|p| Phone::parse(&p).map_err(|_| StoreError::Corrupt("phone".into()))).transpose()?,
            special_care: SpecialCare::decode(&r.get::<String>("special_care")?),
            premises,
            created_at: r.ts("created_at")?,
            updated_at: r.ts("updated_at")?,
        })
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
