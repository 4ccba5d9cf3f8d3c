//! Companies, departments, staff, the supply network, premises and customers.

use crate::error::{Result, StoreError, decode};
use crate::exec::{Exec, Tx};
use crate::now_us;
use crate::records::*;
use pledge_domain::network::{self, NodeLevel};
use pledge_domain::{AccountName, CustomerCategory, CustomerNumber, Phone, Role, SpecialCare, Utility, Zone};
use sea_orm::{QueryResult, Value};

pub(crate) fn staff_row_pub(r: &QueryResult) -> Result<Staff> {
    staff_row(r)
}

fn staff_row(r: &QueryResult) -> Result<Staff> {
    Ok(Staff {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        department_id: r.try_get("", "department_id")?,
        username: r.try_get("", "username")?,
        display_name: r.try_get("", "display_name")?,
        role: decode("role", &r.try_get::<String>("", "role")?, Role::parse)?,
        active: r.try_get::<i64>("", "active")? != 0,
    })
}

fn dept_row(r: &QueryResult) -> Result<Department> {
    let utility: Option<String> = r.try_get("", "utility")?;
    Ok(Department {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        code: r.try_get("", "code")?,
        name_zh: r.try_get("", "name_zh")?,
        name_en: r.try_get("", "name_en")?,
        utility: utility.map(|u| decode("utility", &u, Utility::parse)).transpose()?,
    })
}

fn node_row(r: &QueryResult) -> Result<NetworkNode> {
    Ok(NetworkNode {
        id: r.try_get("", "id")?,
        company_id: r.try_get("", "company_id")?,
        utility: decode("utility", &r.try_get::<String>("", "utility")?, Utility::parse)?,
        parent_id: r.try_get("", "parent_id")?,
        level: decode("level", &r.try_get::<String>("", "level")?, NodeLevel::parse)?,
        name: r.try_get("", "name")?,
        path: r.try_get("", "path")?,
    })
}

pub(crate) const CUSTOMER_COLS: &str = "c.id, c.company_id, c.utility, c.customer_number, c.account_name, c.category, c.phone, \
     c.special_care, c.premises_id, c.created_at, c.updated_at, p.address, p.zone, p.floor_area_m2";

pub(crate) fn customer_row(r: &QueryResult) -> Result<Customer> {
    let number: String = r.try_get("", "customer_number")?;
    let name: String = r.try_get("", "account_name")?;
    let phone: Option<String> = r.try_get("", "phone")?;
    let premises_id: Option<i64> = r.try_get("", "premises_id")?;
    let company_id: i64 = r.try_get("", "company_id")?;
    let premises = match premises_id {
        Some(id) => Some(Premises {
            id,
            company_id,
            address: r.try_get("", "address")?,
            zone: decode("zone", &r.try_get::<String>("", "zone")?, Zone::parse)?,
            floor_area_m2: r.try_get("", "floor_area_m2")?,
        }),
        None => None,
    };
    Ok(Customer {
        id: r.try_get("", "id")?,
        company_id,
        utility: decode("utility", &r.try_get::<String>("", "utility")?, Utility::parse)?,
        number: CustomerNumber::parse(&number)
            .map_err(|_| StoreError::Corrupt(format!("customer number {number:?}")))?,
        account_name: AccountName::parse(&name).map_err(|_| StoreError::Corrupt("account name".into()))?,
        category: decode("category", &r.try_get::<String>("", "category")?, CustomerCategory::parse)?,
        phone: phone.map(|p| Phone::parse(&p).map_err(|_| StoreError::Corrupt("phone".into()))).transpose()?,
        special_care: SpecialCare::decode(&r.try_get::<String>("", "special_care")?),
        premises,
        created_at: ts(r.try_get("", "created_at")?)?,
        updated_at: ts(r.try_get("", "updated_at")?)?,
    })
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

impl Exec<'_> {
    pub async fn companies(&self) -> Result<Vec<Company>> {
        let rows = self.all("SELECT id, code, name, hotline FROM companies ORDER BY id", vec![]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get("", "id")?;
            let utilities = self
                .all("SELECT utility FROM company_utilities WHERE company_id = $1 ORDER BY utility", vec![id.into()])
                .await?
                .iter()
                .map(|u| decode("utility", &u.try_get::<String>("", "utility")?, Utility::parse))
                .collect::<Result<Vec<_>>>()?;
            out.push(Company {
                id,
                code: r.try_get("", "code")?,
                name: r.try_get("", "name")?,
                hotline: r.try_get("", "hotline")?,
                utilities,
            });
        }
        Ok(out)
    }

    pub async fn company_by_code(&self, code: &str) -> Result<Option<Company>> {
        Ok(self.companies().await?.into_iter().find(|c| c.code == code))
    }

    pub async fn departments(&self, company_id: Option<i64>) -> Result<Vec<Department>> {
        let rows = self
            .all(
                "SELECT id, company_id, code, name_zh, name_en, utility FROM departments \
                 WHERE ($1 IS NULL OR company_id = $1) ORDER BY id",
                vec![company_id.into()],
            )
            .await?;
        rows.iter().map(dept_row).collect()
    }

    pub async fn department(&self, id: i64) -> Result<Department> {
        let r = self
            .one(
                "SELECT id, company_id, code, name_zh, name_en, utility FROM departments WHERE id = $1",
                vec![id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound("department"))?;
        dept_row(&r)
    }

    pub async fn staff(&self, id: i64) -> Result<Staff> {
        let r = self
            .one(
                "SELECT id, company_id, department_id, username, display_name, role, active FROM staff WHERE id = $1",
                vec![id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound("staff member"))?;
        staff_row(&r)
    }

    /// The staff member and their password hash, for login.
    pub async fn staff_credentials(&self, username: &str) -> Result<Option<(Staff, String)>> {
        let r = self
            .one(
                "SELECT id, company_id, department_id, username, display_name, role, active, password_hash \
                 FROM staff WHERE username = $1",
                vec![username.into()],
            )
            .await?;
        r.map(|r| Ok((staff_row(&r)?, r.try_get("", "password_hash")?))).transpose()
    }

    pub async fn staff_list(
        &self,
        company_id: Option<i64>,
        department_id: Option<i64>,
        role: Option<Role>,
        page: PageRequest,
    ) -> Result<Page<Staff>> {
        let vals = || vec![company_id.into(), department_id.into(), role.map(|r| r.code()).into()];
        let filter = "WHERE ($1 IS NULL OR company_id = $1) AND ($2 IS NULL OR department_id = $2) AND ($3 IS NULL OR role = $3)";
        let total: i64 = self
            .one(&format!("SELECT COUNT(*) AS n FROM staff {filter}"), vals())
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let mut v = vals();
        v.push((page.limit as i64).into());
        v.push((page.offset as i64).into());
        let rows = self
            .all(
                &format!(
                    "SELECT id, company_id, department_id, username, display_name, role, active FROM staff {filter} \
                     ORDER BY id LIMIT $4 OFFSET $5"
                ),
                v,
            )
            .await?;
        Ok(Page { items: rows.iter().map(staff_row).collect::<Result<_>>()?, total: total as u64 })
    }

    pub async fn node(&self, id: i64) -> Result<NetworkNode> {
        let r = self
            .one(
                "SELECT id, company_id, utility, parent_id, level, name, path FROM network_nodes WHERE id = $1",
                vec![id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound("network node"))?;
        node_row(&r)
    }

    /// Direct children of a node, or the roots of a utility's network.
    pub async fn node_children(
        &self,
        company_id: i64,
        utility: Utility,
        parent: Option<i64>,
    ) -> Result<Vec<NetworkNode>> {
        let rows = self
            .all(
                "SELECT id, company_id, utility, parent_id, level, name, path FROM network_nodes \
                 WHERE company_id = $1 AND utility = $2 AND ((parent_id IS NULL AND $3 IS NULL) OR parent_id = $3) ORDER BY id",
                vec![company_id.into(), utility.code().into(), parent.into()],
            )
            .await?;
        rows.iter().map(node_row).collect()
    }

    /// How many premises and customers hang below a node (one range scan).
    pub async fn count_customers_below(&self, node_id: i64) -> Result<u64> {
        let node = self.node(node_id).await?;
        let (lo, hi) = network::subtree_bounds(&node.path);
        let n: i64 = self
            .one(
                "SELECT COUNT(*) AS n FROM premises_supply s JOIN customers c ON c.premises_id = s.premises_id AND c.utility = s.utility \
                 WHERE s.node_path >= $1 AND s.node_path < $2 AND s.utility = $3",
                vec![lo.into(), hi.into(), node.utility.code().into()],
            )
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        Ok(n as u64)
    }

    /// Ids of every customer below a node, in id order.
    pub async fn customer_ids_below(&self, node_id: i64) -> Result<Vec<i64>> {
        let node = self.node(node_id).await?;
        let (lo, hi) = network::subtree_bounds(&node.path);
        let rows = self
            .all(
                "SELECT c.id FROM premises_supply s JOIN customers c ON c.premises_id = s.premises_id AND c.utility = s.utility \
                 WHERE s.node_path >= $1 AND s.node_path < $2 AND s.utility = $3 ORDER BY c.id",
                vec![lo.into(), hi.into(), node.utility.code().into()],
            )
            .await?;
        rows.iter().map(|r| Ok(r.try_get("", "id")?)).collect()
    }

    pub async fn customer(&self, id: i64) -> Result<Customer> {
        let r = self
            .one(
                &format!("SELECT {CUSTOMER_COLS} FROM customers c LEFT JOIN premises p ON p.id = c.premises_id WHERE c.id = $1"),
                vec![id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound("customer"))?;
        customer_row(&r)
    }

    pub async fn customers(&self, f: &CustomerFilter, page: PageRequest) -> Result<Page<Customer>> {
        let mut wh = vec!["1=1".to_owned()];
        let mut v: Vec<Value> = Vec::new();
        let arg = |v: &mut Vec<Value>, x: Value| {
            v.push(x);
            format!("${}", v.len())
        };
        if let Some(c) = f.company_id {
            let a = arg(&mut v, c.into());
            wh.push(format!("c.company_id = {a}"));
        }
        if let Some(u) = f.utility {
            let a = arg(&mut v, u.code().into());
            wh.push(format!("c.utility = {a}"));
        }
        if let Some(c) = f.category {
            let a = arg(&mut v, c.code().into());
            wh.push(format!("c.category = {a}"));
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let prefix = arg(&mut v, format!("{}%", like_escape(t)).into());
            let contains = arg(&mut v, format!("%{}%", like_escape(t)).into());
            wh.push(format!(
                "(c.customer_number LIKE {prefix} ESCAPE '\\' OR c.phone LIKE {contains} ESCAPE '\\' \
                 OR c.account_name LIKE {contains} ESCAPE '\\' OR p.address LIKE {contains} ESCAPE '\\')"
            ));
        }
        if let Some(node_id) = f.below_node {
            let node = self.node(node_id).await?;
            let (lo, hi) = network::subtree_bounds(&node.path);
            let lo = arg(&mut v, lo.into());
            let hi = arg(&mut v, hi.into());
            wh.push(format!(
                "EXISTS (SELECT 1 FROM premises_supply s WHERE s.premises_id = c.premises_id AND s.utility = c.utility \
                 AND s.node_path >= {lo} AND s.node_path < {hi})"
            ));
        }
        let filter = wh.join(" AND ");
        let from = "FROM customers c LEFT JOIN premises p ON p.id = c.premises_id";
        let total: i64 = self
            .one(&format!("SELECT COUNT(*) AS n {from} WHERE {filter}"), v.clone())
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let lim = arg(&mut v, (page.limit as i64).into());
        let off = arg(&mut v, (page.offset as i64).into());
        let rows = self
            .all(&format!("SELECT {CUSTOMER_COLS} {from} WHERE {filter} ORDER BY c.id LIMIT {lim} OFFSET {off}"), v)
            .await?;
        Ok(Page { items: rows.iter().map(customer_row).collect::<Result<_>>()?, total: total as u64 })
    }

    pub async fn customer_by_number(&self, company_id: i64, number: &CustomerNumber) -> Result<Option<Customer>> {
        let r = self
            .one(
                &format!(
                    "SELECT {CUSTOMER_COLS} FROM customers c LEFT JOIN premises p ON p.id = c.premises_id \
                     WHERE c.company_id = $1 AND c.customer_number = $2"
                ),
                vec![company_id.into(), number.as_str().into()],
            )
            .await?;
        r.as_ref().map(customer_row).transpose()
    }
}

impl Tx {
    pub async fn insert_company(
        &mut self,
        code: &str,
        name: &str,
        hotline: &str,
        utilities: &[Utility],
    ) -> Result<i64> {
        let x = self.exec();
        let id = x
            .insert_id(
                "INSERT INTO companies (code, name, hotline, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                vec![code.into(), name.into(), hotline.into(), now_us().into()],
            )
            .await?;
        for u in utilities {
            x.run(
                "INSERT INTO company_utilities (company_id, utility) VALUES ($1, $2)",
                vec![id.into(), u.code().into()],
            )
            .await?;
        }
        Ok(id)
    }

    pub async fn insert_department(
        &mut self,
        company_id: i64,
        code: &str,
        name_zh: &str,
        name_en: &str,
        utility: Option<Utility>,
    ) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO departments (company_id, code, name_zh, name_en, utility, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                vec![company_id.into(), code.into(), name_zh.into(), name_en.into(), utility.map(|u| u.code()).into(), now_us().into()],
            )
            .await
    }

    pub async fn insert_staff(&mut self, s: &NewStaff) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO staff (company_id, department_id, username, display_name, role, password_hash, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
                vec![
                    s.company_id.into(),
                    s.department_id.into(),
                    s.username.as_str().into(),
                    s.display_name.as_str().into(),
                    s.role.code().into(),
                    s.password_hash.as_str().into(),
                    now_us().into(),
                ],
            )
            .await
    }

    pub async fn update_staff(
        &mut self,
        id: i64,
        display_name: Option<&str>,
        role: Option<Role>,
        department_id: Option<Option<i64>>,
        active: Option<bool>,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE staff SET display_name = COALESCE($2, display_name), role = COALESCE($3, role), \
                 department_id = CASE WHEN $4 = 1 THEN $5 ELSE department_id END, active = COALESCE($6, active) WHERE id = $1",
                vec![
                    id.into(),
                    display_name.into(),
                    role.map(|r| r.code()).into(),
                    (department_id.is_some() as i64).into(),
                    department_id.flatten().into(),
                    active.map(|a| a as i64).into(),
                ],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("staff member")) } else { Ok(()) }
    }

    pub async fn set_password_hash(&mut self, staff_id: i64, hash: &str) -> Result<()> {
        self.exec()
            .run("UPDATE staff SET password_hash = $2 WHERE id = $1", vec![staff_id.into(), hash.into()])
            .await?;
        Ok(())
    }

    /// Inserts a node under its parent and sets its materialised path.
    pub async fn insert_node(&mut self, n: &NewNode) -> Result<NetworkNode> {
        let parent_path = match n.parent_id {
            Some(pid) => {
                let p = self.exec().node(pid).await?;
                if p.utility != n.utility || p.company_id != n.company_id {
                    return Err(StoreError::Conflict("parent node belongs to another utility or company".into()));
                }
                p.path
            }
            None => String::new(),
        };
        // Insert with a unique placeholder path, then set the real one from the new id.
        let x = self.exec();
        let placeholder = format!("tmp-{}-{}", now_us(), n.name.len());
        let id = x
            .insert_id(
                "INSERT INTO network_nodes (company_id, utility, parent_id, level, name, path, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                vec![
                    n.company_id.into(),
                    n.utility.code().into(),
                    n.parent_id.into(),
                    n.level.code().into(),
                    n.name.as_str().into(),
                    placeholder.into(),
                    now_us().into(),
                ],
            )
            .await?;
        let path = network::child_path(&parent_path, id).map_err(|e| StoreError::Conflict(e.to_string()))?;
        x.run("UPDATE network_nodes SET path = $2 WHERE id = $1", vec![id.into(), path.as_str().into()]).await?;
        Ok(NetworkNode {
            id,
            company_id: n.company_id,
            utility: n.utility,
            parent_id: n.parent_id,
            level: n.level,
            name: n.name.clone(),
            path,
        })
    }

    pub async fn insert_premises(&mut self, p: &NewPremises) -> Result<i64> {
        self.exec()
            .insert_id(
                "INSERT INTO premises (company_id, address, zone, floor_area_m2, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![p.company_id.into(), p.address.as_str().into(), p.zone.code().into(), p.floor_area_m2.into(), now_us().into()],
            )
            .await
    }

    /// Attaches a premises to the network leaf that supplies it with `node`'s utility.
    pub async fn attach_premises(&mut self, premises_id: i64, node_id: i64) -> Result<()> {
        let node = self.exec().node(node_id).await?;
        let x = self.exec();
        x.run(
            "DELETE FROM premises_supply WHERE premises_id = $1 AND utility = $2",
            vec![premises_id.into(), node.utility.code().into()],
        )
        .await?;
        x.run(
            "INSERT INTO premises_supply (premises_id, utility, node_id, node_path) VALUES ($1, $2, $3, $4)",
            vec![premises_id.into(), node.utility.code().into(), node_id.into(), node.path.into()],
        )
        .await?;
        Ok(())
    }

    pub async fn insert_customer(&mut self, c: &NewCustomer) -> Result<i64> {
        let now = now_us();
        self.exec()
            .insert_id(
                "INSERT INTO customers (company_id, utility, customer_number, account_name, category, phone, special_care, premises_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                vec![
                    c.company_id.into(),
                    c.utility.code().into(),
                    c.number.as_str().into(),
                    c.account_name.as_str().into(),
                    c.category.code().into(),
                    c.phone.as_ref().map(|p| p.as_str().to_owned()).into(),
                    SpecialCare::encode(&c.special_care).into(),
                    c.premises_id.into(),
                    now.into(),
                ],
            )
            .await
    }

    pub async fn update_customer(
        &mut self,
        id: i64,
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
                    id.into(),
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
