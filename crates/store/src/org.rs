//! Companies, their departments and staff.

use crate::error::{Result, StoreError};
use crate::exec::{Exec, Tx};
use crate::now_us;
use crate::paging::Where;
use crate::records::*;
use crate::registry::{DEPARTMENT_COLS, STAFF_COLS};
use crate::row::{FromRow, Row};
use pledge_domain::{Role, Utility};
use sea_orm::Value;

/// A company row, before its utilities are read.
struct CompanyRow {
    id: CompanyId,
    code: String,
    name: String,
    hotline: String,
}

impl FromRow for CompanyRow {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok(CompanyRow { id: r.id("id")?, code: r.get("code")?, name: r.get("name")?, hotline: r.get("hotline")? })
    }
}

impl FromRow for Utility {
    fn from_row(r: Row<'_>) -> Result<Self> {
        r.code("utility", "utility", Utility::parse)
    }
}

impl FromRow for (Staff, String) {
    fn from_row(r: Row<'_>) -> Result<Self> {
        Ok((Staff::from_row(r)?, r.get("password_hash")?))
    }
}

/// Reading companies, departments and staff. Implemented for [`Exec`]: on the pool or inside a transaction.
pub trait OrgReads {
    fn companies(&self) -> impl Future<Output = Result<Vec<Company>>> + Send;

    fn company_by_code(&self, code: &str) -> impl Future<Output = Result<Option<Company>>> + Send;

    fn departments(&self, company_id: Option<CompanyId>) -> impl Future<Output = Result<Vec<Department>>> + Send;

    fn department(&self, id: DepartmentId) -> impl Future<Output = Result<Department>> + Send;

    fn staff(&self, id: StaffId) -> impl Future<Output = Result<Staff>> + Send;

    /// The staff member and their password hash, for login.
    fn staff_credentials(&self, username: &str) -> impl Future<Output = Result<Option<(Staff, String)>>> + Send;

    fn staff_list(
        &self,
        company_id: Option<CompanyId>,
        department_id: Option<DepartmentId>,
        role: Option<Role>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Staff>>> + Send;

    /// Active staff of a company holding one of `roles`, plus the head of
    /// `department_id` when `with_head`; ids in order.
    fn escalation_staff(
        &self,
        company_id: CompanyId,
        roles: &[&str],
        department_id: Option<DepartmentId>,
        with_head: bool,
    ) -> impl Future<Output = Result<Vec<StaffId>>> + Send;
}

impl OrgReads for Exec<'_> {
    async fn companies(&self) -> Result<Vec<Company>> {
        let rows: Vec<CompanyRow> =
            self.fetch_all("SELECT id, code, name, hotline FROM companies ORDER BY id", vec![]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for c in rows {
            let utilities = self
                .fetch_all(
                    "SELECT utility FROM company_utilities WHERE company_id = $1 ORDER BY utility",
                    vec![c.id.bind()],
                )
                .await?;
            out.push(Company { id: c.id, code: c.code, name: c.name, hotline: c.hotline, utilities });
        }
        Ok(out)
    }

    async fn company_by_code(&self, code: &str) -> Result<Option<Company>> {
        Ok(self.companies().await?.into_iter().find(|c| c.code == code))
    }

    async fn departments(&self, company_id: Option<CompanyId>) -> Result<Vec<Department>> {
        self.fetch_all(
            &format!("SELECT {DEPARTMENT_COLS} FROM departments WHERE ($1 IS NULL OR company_id = $1) ORDER BY id"),
            vec![company_id.bind()],
        )
        .await
    }

    async fn department(&self, id: DepartmentId) -> Result<Department> {
        self.fetch(&format!("SELECT {DEPARTMENT_COLS} FROM departments WHERE id = $1"), vec![id.bind()], "department")
            .await
    }

    async fn staff(&self, id: StaffId) -> Result<Staff> {
        self.fetch(&format!("SELECT {STAFF_COLS} FROM staff WHERE id = $1"), vec![id.bind()], "staff member").await
    }

    async fn staff_credentials(&self, username: &str) -> Result<Option<(Staff, String)>> {
        self.fetch_opt(
            &format!("SELECT {STAFF_COLS}, password_hash FROM staff WHERE username = $1"),
            vec![username.into()],
        )
        .await
    }

    async fn staff_list(
        &self,
        company_id: Option<CompanyId>,
        department_id: Option<DepartmentId>,
        role: Option<Role>,
        page: PageRequest,
    ) -> Result<Page<Staff>> {
        let mut w = Where::new();
        w.eq("company_id", company_id.map(Bind::bind));
        w.eq("department_id", department_id.map(Bind::bind));
        w.eq("role", role.map(|r| r.code()));
        let from = format!("FROM staff {}", w.sql());
        self.page(STAFF_COLS, &from, w.into_values(), "id", page).await
    }

    async fn escalation_staff(
        &self,
        company_id: CompanyId,
        roles: &[&str],
        department_id: Option<DepartmentId>,
        with_head: bool,
    ) -> Result<Vec<StaffId>> {
        let mut v: Vec<Value> = vec![company_id.bind(), department_id.bind(), (with_head as i64).into()];
        let list: Vec<String> = roles
            .iter()
            .map(|r| {
                v.push((*r).into());
                format!("${}", v.len())
            })
            .collect();
        let role_clause = if list.is_empty() { "1 = 0".to_owned() } else { format!("role IN ({})", list.join(", ")) };
        self.fetch_all(
            &format!(
                "SELECT id FROM staff WHERE company_id = $1 AND active = 1 AND ({role_clause} \
                 OR ($3 = 1 AND id = (SELECT head_staff_id FROM departments WHERE id = $2 AND company_id = $1))) ORDER BY id"
            ),
            v,
        )
        .await
    }
}

/// Creating and changing companies, departments and staff. Implemented for [`Tx`]: inside a write transaction.
pub trait OrgWrites {
    fn insert_company(
        &mut self,
        code: &str,
        name: &str,
        hotline: &str,
        utilities: &[Utility],
    ) -> impl Future<Output = Result<CompanyId>> + Send;

    fn insert_department(
        &mut self,
        company_id: CompanyId,
        code: &str,
        name_zh: &str,
        name_en: &str,
        utility: Option<Utility>,
    ) -> impl Future<Output = Result<DepartmentId>> + Send;

    fn insert_staff(&mut self, s: &NewStaff) -> impl Future<Output = Result<StaffId>> + Send;

    fn update_staff(
        &mut self,
        id: StaffId,
        display_name: Option<&str>,
        role: Option<Role>,
        department_id: Option<Option<DepartmentId>>,
        active: Option<bool>,
    ) -> impl Future<Output = Result<()>> + Send;

    fn set_password_hash(&mut self, staff_id: StaffId, hash: &str) -> impl Future<Output = Result<()>> + Send;
}

impl OrgWrites for Tx {
    async fn insert_company(
        &mut self,
        code: &str,
        name: &str,
        hotline: &str,
        utilities: &[Utility],
    ) -> Result<CompanyId> {
        let x = self.exec();
        let id: CompanyId = x
            .insert_id(
                "INSERT INTO companies (code, name, hotline, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                vec![code.into(), name.into(), hotline.into(), now_us().into()],
            )
            .await?;
        for u in utilities {
            x.run(
                "INSERT INTO company_utilities (company_id, utility) VALUES ($1, $2)",
                vec![id.bind(), u.code().into()],
            )
            .await?;
        }
        Ok(id)
    }

    async fn insert_department(
        &mut self,
        company_id: CompanyId,
        code: &str,
        name_zh: &str,
        name_en: &str,
        utility: Option<Utility>,
    ) -> Result<DepartmentId> {
        self.exec()
            .insert_id(
                "INSERT INTO departments (company_id, code, name_zh, name_en, utility, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                vec![company_id.bind(), code.into(), name_zh.into(), name_en.into(), utility.map(|u| u.code()).into(), now_us().into()],
            )
            .await
    }

    async fn insert_staff(&mut self, s: &NewStaff) -> Result<StaffId> {
        self.exec()
            .insert_id(
                "INSERT INTO staff (company_id, department_id, username, display_name, role, password_hash, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
                vec![
                    s.company_id.bind(),
                    s.department_id.bind(),
                    s.username.as_str().into(),
                    s.display_name.as_str().into(),
                    s.role.code().into(),
                    s.password_hash.as_str().into(),
                    now_us().into(),
                ],
            )
            .await
    }

    async fn update_staff(
        &mut self,
        id: StaffId,
        display_name: Option<&str>,
        role: Option<Role>,
        department_id: Option<Option<DepartmentId>>,
        active: Option<bool>,
    ) -> Result<()> {
        let n = self
            .exec()
            .run(
                "UPDATE staff SET display_name = COALESCE($2, display_name), role = COALESCE($3, role), \
                 department_id = CASE WHEN $4 = 1 THEN $5 ELSE department_id END, active = COALESCE($6, active) WHERE id = $1",
                vec![
                    id.bind(),
                    display_name.into(),
                    role.map(|r| r.code()).into(),
                    (department_id.is_some() as i64).into(),
                    department_id.flatten().bind(),
                    active.map(|a| a as i64).into(),
                ],
            )
            .await?;
        if n == 0 { Err(StoreError::NotFound("staff member")) } else { Ok(()) }
    }

    async fn set_password_hash(&mut self, staff_id: StaffId, hash: &str) -> Result<()> {
        self.exec()
            .run("UPDATE staff SET password_hash = $2 WHERE id = $1", vec![staff_id.bind(), hash.into()])
            .await?;
        Ok(())
    }
}
