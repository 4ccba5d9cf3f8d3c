//! `TestApp`: a real application on its own fresh database (SQLite file or a
//! new PostgreSQL database), with requests sent to the router in-process.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use pledge_app::auth::{PasswordCost, Secret};
use pledge_app::registry::{Bootstrap, StaffInput};
use pledge_app::{Actor, App, AppConfig};
use pledge_domain::{DepartmentId, Role, Utility};
use pledge_store::{ConnectOptions, Store};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use tower::ServiceExt;

pub use pledge_store::Backend;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique name for this test's database.
fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// Creates an empty database for one test and returns its URL.
pub async fn fresh_database(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(unique("pledge_test"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}", dir.join("pledge.db").display())
        }
        Backend::Postgres => {
            let base = std::env::var("PLEDGE_TEST_PG_URL").expect(
                "PLEDGE_TEST_PG_URL is not set: run the tests with ./scripts/test, which starts a throwaway PostgreSQL",
            );
            let name = unique("pledge_t");
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect to PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let (head, _) = base.rsplit_once('/').expect("URL has a database");
            format!("{head}/{name}")
        }
    }
}

/// Where every test's clock starts: Wednesday 2026-09-30 10:00 in Shanghai,
/// the last working day before the National Day holiday.
pub const START: &str = "2026-09-30T10:00:00+08:00";

pub struct TestApp {
    pub app: App,
    /// The application's store, for tests that set up or tamper with the
    /// database directly (the web layer itself never sees it).
    pub store: Store,
    /// The application's clock, in microseconds; tests move it with [`TestApp::advance`].
    pub now_us: Arc<AtomicI64>,
    pub router: Router,
    pub backend: Backend,
    pub db_url: String,
    pub admin: Actor,
    tokens: HashMap<String, String>,
    pub staff_ids: HashMap<String, i64>,
}

pub const PASSWORD: &str = "test-password";

impl TestApp {
    /// A fresh database, migrated, with one company and its administrator signed in.
    pub async fn new(backend: Backend) -> TestApp {
        let db_url = fresh_database(backend).await;
        let start: jiff::Timestamp = START.parse().expect("start instant");
        let now_us = Arc::new(AtomicI64::new(start.as_microsecond()));
        let (app, store) = Self::app_on(&db_url, now_us.clone()).await;
        let admin = app
            .bootstrap(Bootstrap {
                company_code: "TEST".into(),
                company_name: "测试公用事业公司".into(),
                hotline: "0356-96000".into(),
                utilities: Utility::ALL.to_vec(),
                admin_username: "admin".into(),
                admin_name: "管理员".into(),
                admin_password: Secret::new(PASSWORD),
            })
            .await
            .expect("bootstrap");
        let router = pledge_web::router(app.clone());
        let mut t = TestApp {
            app,
            store,
            now_us,
            router,
            backend,
            db_url,
            admin,
            tokens: HashMap::new(),
            staff_ids: HashMap::new(),
        };
        let token = t.login("admin", PASSWORD).await;
        t.tokens.insert("admin".into(), token);
        t.staff_ids.insert("admin".into(), t.admin.id().get());
        t
    }

    /// An application on `db_url` (migrated) reading the shared test clock, and its store.
    async fn app_on(db_url: &str, now_us: Arc<AtomicI64>) -> (App, Store) {
        let store = Store::connect(&ConnectOptions::new(db_url.to_owned())).await.expect("connect");
        store.migrate().await.expect("migrate");
        let clock: pledge_app::Clock =
            Arc::new(move || jiff::Timestamp::from_microsecond(now_us.load(Ordering::SeqCst)).expect("clock in range"));
        let app = App::with_clock(
            store.clone(),
            AppConfig { password: PasswordCost::TESTING, ..AppConfig::default() },
            clock,
        );
        app.load_settings().await.expect("load settings");
        (app, store)
    }

    /// A second application (another "server") on the same database and clock.
    pub async fn another_server(&self) -> App {
        Self::app_on(&self.db_url, self.now_us.clone()).await.0
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: jiff::SignedDuration) {
        self.now_us.fetch_add(by.as_micros() as i64, Ordering::SeqCst);
    }

    /// Adds a staff member with `role` (username = the role's code) and signs them in.
    pub async fn with_staff(self, role: Role) -> TestApp {
        self.with_named_staff(role.code(), role, None).await
    }

    /// Adds a staff member with a given username, role and department, signed in.
    pub async fn with_named_staff(
        mut self,
        username: &str,
        role: Role,
        department_id: Option<DepartmentId>,
    ) -> TestApp {
        let s = self
            .app
            .create_staff(
                &self.admin,
                StaffInput {
                    username: username.into(),
                    display_name: format!("{username} 测试"),
                    role,
                    department_id,
                    password: Secret::new(PASSWORD),
                },
            )
            .await
            .expect("create staff");
        let token = self.login(username, PASSWORD).await;
        self.tokens.insert(username.into(), token);
        self.staff_ids.insert(username.into(), s.id.get());
        self
    }

    pub fn id_of(&self, username: &str) -> i64 {
        self.staff_ids[username]
    }

    async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .send(None, Method::POST, "/api/v1/auth/login", Some(json!({"username": username, "password": password})))
            .await;
        assert_eq!(status, StatusCode::OK, "login of {username} failed: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    pub fn token(&self, username: &str) -> &str {
        &self.tokens[username]
    }

    /// Sends a request as `username` (None: anonymous); returns status and JSON body (Null if empty).
    pub async fn send(
        &self,
        username: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(u) = username {
            req = req.header("authorization", format!("Bearer {}", self.token(u)));
        }
        let req = match body {
            Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        self.raw(req).await
    }

    /// Sends a prepared request; returns status and JSON body (Null if empty, a string if not JSON).
    pub async fn raw(&self, req: Request<Body>) -> (StatusCode, Value) {
        let res = self.router.clone().oneshot(req).await.expect("router never fails");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, body)
    }

    pub async fn get(&self, who: &str, path: &str) -> (StatusCode, Value) {
        self.send(Some(who), Method::GET, path, None).await
    }

    pub async fn post(&self, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Some(who), Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Some(who), Method::PATCH, path, Some(body)).await
    }

    /// Creates a department through the API and returns its id.
    pub async fn department(&self, code: &str, name: &str) -> DepartmentId {
        let (s, b) =
            self.post("admin", "/api/v1/departments", json!({"code": code, "name_zh": name, "name_en": code})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        DepartmentId(b["id"].as_i64().unwrap())
    }

    /// Creates a gas customer through the API and returns its id.
    pub async fn customer(&self, number: &str, name: &str, phone: &str) -> i64 {
        let (s, b) = self
            .post(
                "admin",
                "/api/v1/customers",
                json!({"utility": "gas", "customer_number": number, "account_name": name, "category": "residential",
                       "phone": phone, "address": "城关镇 人民路 1 号", "zone": "urban"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["id"].as_i64().unwrap()
    }

    /// Receives a case as `who` and returns its JSON.
    pub async fn case(&self, who: &str, kind: &str, extra: Value) -> Value {
        let mut body = json!({"utility": "gas", "kind": kind, "channel": "phone", "subject": "测试工单", "description": "用户来电反映情况"});
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        let (s, b) = self.post(who, "/api/v1/cases", body).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b
    }
}

impl Drop for TestApp {
    /// Removes a passing test's SQLite directory; a failing test's database is
    /// kept for a look (PostgreSQL test databases go with the throwaway cluster).
    fn drop(&mut self) {
        if self.backend != Backend::Sqlite || std::thread::panicking() {
            return;
        }
        if let Some(path) = self.db_url.strip_prefix("sqlite://")
            && let Some(dir) = std::path::Path::new(path).parent()
            && dir.file_name().is_some_and(|n| n.to_string_lossy().starts_with("pledge_test"))
        {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Defines each scenario twice: once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($(async fn $name:ident($t:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $t = $crate::support::TestApp::new($crate::support::Backend::Sqlite).await;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $t = $crate::support::TestApp::new($crate::support::Backend::Postgres).await;
                $body
            }
        }
    )*};
}
