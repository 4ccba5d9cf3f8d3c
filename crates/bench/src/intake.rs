//! `pledge bench intake`: how fast cases can be received, end to end.
//!
//! Starts the server on loopback against a throwaway database and creates
//! cases through the HTTP API with N concurrent clients, then writes the same
//! rows through the application with no HTTP, and through a bare loop on the
//! store as the ceiling. Figures are printed, never asserted.

use crate::target::Target;
use crate::{BenchError, BenchResult};
use pledge_app::auth::{PasswordCost, Secret};
use pledge_app::cases::CaseInput;
use pledge_app::registry::{Bootstrap, StaffInput};
use pledge_app::{Actor, App, AppConfig};
use pledge_domain::case::{CaseKind, CaseState, CaseSubkind, Channel};
use pledge_domain::commitment::{Clock, Event};
use pledge_domain::model::{CaseFilter, CaseSort, NewCase, NewEvent, PageRequest};
use pledge_domain::{Role, Utility, Zone};
use pledge_store::repo::*;
use pledge_store::{ConnectOptions, Store};
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct IntakeArgs {
    /// Concurrent clients.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub clients: u32,
    /// Cases each run creates.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..=300_000))]
    pub count: u32,
    /// Cases created over HTTP before measuring (not counted).
    #[arg(long, default_value_t = 500)]
    pub warmup: u32,
    /// Default: a fresh SQLite file in a temporary directory, removed
    /// afterwards. Given postgres://…/DB, a fresh database pledge_bench_<pid>
    /// is created on that server (DB is only used to connect) and dropped
    /// afterwards. A sqlite:// URL is used as given and must be a new file.
    /// Never taken from PLEDGE_DATABASE_URL: the bench writes tens of
    /// thousands of cases.
    #[arg(long = "database", value_name = "URL")]
    pub database: Option<String>,
}

/// Latencies and outcome of one run.
struct RunStats {
    label: String,
    ok: usize,
    errors: usize,
    elapsed: Duration,
    /// Per-case latency, when a case has one of its own.
    latencies: Vec<Duration>,
    error_samples: Vec<String>,
}

impl RunStats {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    fn row(&self) -> Vec<String> {
        let mut l = self.latencies.clone();
        l.sort_unstable();
        let pct = |p: f64| -> String {
            if l.is_empty() {
                return "—".into();
            }
            // Nearest rank.
            let rank = ((p / 100.0) * l.len() as f64).ceil().max(1.0) as usize;
            ms(l[rank - 1])
        };
        vec![
            self.label.clone(),
            self.ok.to_string(),
            self.errors.to_string(),
            format!("{:.2} s", self.elapsed.as_secs_f64()),
            format!("{:.0}", self.rate()),
            pct(50.0),
            pct(99.0),
            l.last().map_or("—".into(), |d| ms(*d)),
        ]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

const SUBJECT: &str = "燃气表不走字";
const DESCRIPTION: &str = "用户来电反映：家中燃气表近三天不走字，灶具可以正常点火使用，怀疑表具故障，要求派员上门检查并更换表具。用户地址：幸福路 18 号 3 单元 502 室，工作日白天家中有人。";
const CONTACT_NAME: &str = "王建国";
const CONTACT_PHONE: &str = "13812345678";

fn request_body() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "utility": "gas", "kind": "repair", "subkind": "inside_meter", "channel": "phone",
        "subject": SUBJECT, "description": DESCRIPTION, "contact_name": CONTACT_NAME, "contact_phone": CONTACT_PHONE,
    }))
    .expect("a JSON literal serialises")
}

fn case_input() -> CaseInput {
    CaseInput {
        utility: Utility::Gas,
        kind: CaseKind::Repair,
        subkind: Some(CaseSubkind::InsideMeter),
        channel: Channel::Phone,
        subject: SUBJECT.into(),
        description: DESCRIPTION.into(),
        customer_id: None,
        contact_name: Some(CONTACT_NAME.into()),
        contact_phone: Some(CONTACT_PHONE.into()),
        anonymous: false,
        notify_consent: None,
        upstream: None,
        answered_on_spot: None,
    }
}

pub async fn run(args: IntakeArgs) -> BenchResult<ExitCode> {
    let target = Target::prepare(args.database.as_deref()).await?;
    let result = intake_on(&args, &target).await;
    target.cleanup().await;
    result
}

async fn intake_on(args: &IntakeArgs, target: &Target) -> BenchResult<ExitCode> {
    let (clients, count, warmup) = (args.clients as usize, args.count as usize, args.warmup as usize);
    let store = Store::connect(&ConnectOptions::new(target.url())).await?;
    let result = async {
        if store.read().case_batch(pledge_domain::CaseId(0), 1).await.map(|c| !c.is_empty()).unwrap_or(false) {
            return Err(BenchError::msg("the bench database already holds cases; give it an empty one"));
        }
        store.migrate().await?;
        let app = App::new(store.clone(), AppConfig { password: PasswordCost::default(), ..AppConfig::default() });
        let (agent, password) = setup(&app).await?;

        println!("pledge bench intake: {count} cases per run, {clients} clients, {warmup} warm-up");
        println!("database: {}", target.describe());
        if cfg!(debug_assertions) {
            println!("note: this is a debug build; build with --release for meaningful figures");
        }
        println!();

        let http = http_run(&app, &agent.staff.username, &password, clients, count, warmup).await?;
        println!("{}", progress(&http));
        let direct = app_run(&app, &agent, clients, count).await;
        println!("{}", progress(&direct));
        let single = store_run(&app, &store, &agent, count, 1).await?;
        println!("{}", progress(&single));
        let grouped = store_run(&app, &store, &agent, count, GROUP).await?;
        println!("{}", progress(&grouped));
        println!();

        let mut rows =
            vec![["run", "cases", "errors", "elapsed", "cases/s", "p50", "p99", "max"].map(String::from).to_vec()];
        for r in [&http, &direct, &single, &grouped] {
            rows.push(r.row());
        }
        print!("{}", crate::table::render(&rows));
        println!();
        let pct = |a: &RunStats, b: &RunStats| format!("{:.0} %", 100.0 * a.rate() / b.rate());
        println!("HTTP / app without HTTP:              {}", pct(&http, &direct));
        println!("HTTP / store loop, 1 tx per case:     {}", pct(&http, &single));
        println!("HTTP / store loop, {GROUP} cases per tx: {}", pct(&http, &grouped));

        for r in [&http, &direct, &single, &grouped] {
            for e in &r.error_samples {
                println!("error ({}): {e}", r.label);
            }
        }

        let expected = warmup + http.ok + direct.ok + single.ok + grouped.ok;
        let total = store
            .read()
            .cases(&CaseFilter::default(), CaseSort::NewestFirst, PageRequest { limit: 1, offset: 0 })
            .await?
            .total;
        println!("cases in the database: {total} (expected {expected})");
        let audit = app.audit_verify().await?;
        println!(
            "audit verify: {} ledger events, {} cases, {}",
            audit.events_checked,
            audit.cases_checked,
            if audit.is_clean() {
                "no findings".to_owned()
            } else {
                format!("{} findings (first: {})", audit.findings.len(), audit.findings[0])
            }
        );
        drop(app);
        let failed = [&http, &direct, &single, &grouped].iter().any(|r| r.errors > 0)
            || total as usize != expected
            || !audit.is_clean();
        Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
    }
    .await;
    store.close().await;
    result
}

fn progress(r: &RunStats) -> String {
    format!("  {:<34} {:>7.0} cases/s", r.label, r.rate())
}

/// The writer's largest group, mirrored by the grouped store loop.
const GROUP: usize = 256;

/// A company, its admin and one hotline agent; returns the agent and password.
async fn setup(app: &App) -> BenchResult<(Actor, String)> {
    let password = "bench-password-2024".to_owned();
    let admin = app
        .bootstrap(Bootstrap {
            company_code: "BENCH".into(),
            company_name: "压测燃气公司".into(),
            hotline: "96777".into(),
            utilities: vec![Utility::Gas],
            admin_username: "bench.admin".into(),
            admin_name: "管理员".into(),
            admin_password: Secret::new(password.clone()),
        })
        .await?;
    let hotline = app.create_department(&admin, "HOTLINE", "客服热线中心", "Hotline", None).await?;
    let staff = app
        .create_staff(
            &admin,
            StaffInput {
                username: "bench.agent".into(),
                display_name: "话务员甲".into(),
                role: Role::HotlineAgent,
                department_id: Some(hotline.id),
                password: Secret::new(password.clone()),
            },
        )
        .await?;
    Ok((Actor { staff }, password))
}

async fn http_run(
    app: &App,
    username: &str,
    password: &str,
    clients: usize,
    count: usize,
    warmup: usize,
) -> BenchResult<RunStats> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| BenchError::msg(format!("cannot listen on loopback: {e}")))?;
    let addr = listener.local_addr().map_err(|e| BenchError::msg(e.to_string()))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(pledge_web::serve(listener, app.clone(), async {
        let _ = stopped.await;
    }));

    let result = async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(clients)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| BenchError::msg(format!("cannot build the HTTP client: {e}")))?;
        let base = format!("http://{addr}/api/v1");
        let res = client
            .post(format!("{base}/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .map_err(|e| BenchError::msg(format!("login failed: {e}")))?;
        if !res.status().is_success() {
            return Err(BenchError::msg(format!("login failed: HTTP {}", res.status())));
        }
        let login: serde_json::Value = res.json().await.map_err(|e| BenchError::msg(format!("login failed: {e}")))?;
        let token = login["token"].as_str().ok_or_else(|| BenchError::msg("login answered without a token"))?;
        let req = Arc::new(HttpCase {
            client,
            url: format!("{base}/cases"),
            auth: format!("Bearer {token}"),
            body: request_body(),
        });

        if warmup > 0 {
            let w = run_clients(clients.min(warmup), warmup, "warm-up", {
                let req = req.clone();
                move || {
                    let req = req.clone();
                    async move { req.post().await }
                }
            })
            .await;
            if w.errors > 0 {
                return Err(BenchError::msg(format!(
                    "the warm-up failed: {} errors, e.g. {}",
                    w.errors,
                    w.error_samples.first().map_or("", String::as_str)
                )));
            }
        }
        Ok(run_clients(clients, count, "HTTP API on loopback", move || {
            let req = req.clone();
            async move { req.post().await }
        })
        .await)
    }
    .await;

    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(10), server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => eprintln!("warning: the server stopped with an error: {e}"),
        Ok(Err(e)) => eprintln!("warning: the server task failed: {e}"),
        Err(_) => eprintln!("warning: the server did not stop within 10 s"),
    }
    result
}

struct HttpCase {
    client: reqwest::Client,
    url: String,
    auth: String,
    body: Vec<u8>,
}

impl HttpCase {
    async fn post(&self) -> Result<(), String> {
        let res = self
            .client
            .post(&self.url)
            .header(reqwest::header::AUTHORIZATION, &self.auth)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(self.body.clone())
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = res.status();
        // Read the whole answer, as a client would, so the connection is reused.
        let body = res.bytes().await.map_err(|e| format!("reading the answer failed: {e}"))?;
        if status.is_success() {
            Ok(())
        } else {
            let text = String::from_utf8_lossy(&body);
            Err(format!("HTTP {status}: {}", text.chars().take(300).collect::<String>()))
        }
    }
}

/// Creates cases through the application (writer included) with no HTTP.
async fn app_run(app: &App, agent: &Actor, clients: usize, count: usize) -> RunStats {
    let (app, agent) = (app.clone(), agent.clone());
    run_clients(clients, count, "app.create_case, no HTTP", move || {
        let (app, agent) = (app.clone(), agent.clone());
        async move { app.create_case(&agent, case_input()).await.map(|_| ()).map_err(|e| format!("{e:?}")) }
    })
    .await
}

/// `clients` tasks doing `op` until `count` have been started in all.
async fn run_clients<F, Fut>(clients: usize, count: usize, label: &str, op: F) -> RunStats
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (next, op) = (next.clone(), op.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(count / clients + 1);
            let mut errors = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let t = Instant::now();
                match op().await {
                    Ok(()) => lat.push(t.elapsed()),
                    Err(e) => errors.push(e),
                }
            }
            (lat, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(count);
    let mut errors = 0;
    let mut error_samples = Vec::new();
    for t in tasks {
        match t.await {
            Ok((lat, errs)) => {
                latencies.extend(lat);
                errors += errs.len();
                error_samples.extend(errs.into_iter().take(5usize.saturating_sub(error_samples.len())));
            }
            Err(e) => {
                errors += 1;
                error_samples.push(format!("a client task failed: {e}"));
            }
        }
    }
    let elapsed = start.elapsed();
    RunStats { label: label.to_owned(), ok: latencies.len(), errors, elapsed, latencies, error_samples }
}

/// The ceiling: the rows `create_case` writes (number, case, its event, the
/// commitment clocks intake starts and their events), written by one sequential loop on the store, `per_tx` cases to a durable
/// transaction, with no writer, no validation and no re-read.
async fn store_run(app: &App, store: &Store, agent: &Actor, count: usize, per_tx: usize) -> BenchResult<RunStats> {
    let label =
        if per_tx == 1 { "store loop, 1 tx per case".to_owned() } else { format!("store loop, {per_tx} cases per tx") };
    let input = case_input();
    let staff = &agent.staff;
    let engine = app.engine();
    let start = Instant::now();
    let mut latencies = Vec::with_capacity(if per_tx == 1 { count } else { 0 });
    let mut done = 0;
    while done < count {
        let t = Instant::now();
        let mut tx = store.begin().await?;
        let n = per_tx.min(count - done);
        for _ in 0..n {
            let at = jiff::Timestamp::now();
            let at_us = at.as_microsecond();
            let number = tx.next_case_number(input.utility, at.to_zoned(pledge_app::shanghai()).date()).await?;
            let new = NewCase {
                company_id: staff.company_id,
                utility: input.utility,
                kind: input.kind,
                subkind: input.subkind,
                channel: input.channel,
                state: CaseState::Received,
                subject: input.subject.clone(),
                description: input.description.clone(),
                customer_id: None,
                contact_name: input.contact_name.clone(),
                contact_phone: input.contact_phone.clone(),
                anonymous: false,
                notify_consent: true,
                first_responder_id: staff.id,
                assignee_id: Some(staff.id),
                department_id: staff.department_id,
                upstream_platform: None,
                upstream_ref: None,
                upstream_due_us: None,
                answered_on_spot: false,
                created_at_us: at_us,
            };
            let id = tx.insert_case(&number, &new).await?;
            // The payload `pledge_app::cases::receive` records.
            let payload = json!({
                "number": number.to_string(), "kind": input.kind.code(), "subkind": input.subkind.map(|s| s.code()),
                "utility": input.utility.code(), "channel": input.channel.code(), "subject": input.subject,
                "customer_id": input.customer_id, "contact_name": input.contact_name, "contact_phone": input.contact_phone,
                "anonymous": input.anonymous, "notify_consent": true, "first_responder_id": staff.id,
                "department_id": staff.department_id,
                "upstream_platform": null, "upstream_ref": null, "state": CaseState::Received.code(),
            });
            tx.append_event(NewEvent {
                case_id: Some(id),
                actor_id: Some(staff.id),
                kind: "case.received",
                payload,
                at_us,
            })
            .await?;
            // The commitment clocks intake starts, each with its event.
            for rule in engine.policy.started_by(Event::CaseReceived) {
                if !rule.covers_case(input.utility, input.kind, input.subkind, None) {
                    continue;
                }
                let clock = Clock::start(rule, at, Some(Zone::Urban), &engine.calendar)
                    .map_err(|e| BenchError::msg(format!("clock: {e}")))?;
                let clock_id = tx
                    .insert_clock(staff.company_id, "case", id.get(), input.utility, staff.department_id, &clock)
                    .await?;
                let payload = json!({"clock_id": clock_id, "rule_id": rule.id, "due_at": clock.due_at, "policy_version": clock.policy_version});
                tx.append_event(NewEvent {
                    case_id: Some(id),
                    actor_id: Some(staff.id),
                    kind: "clock.started",
                    payload,
                    at_us,
                })
                .await?;
            }
        }
        tx.commit().await?;
        done += n;
        if per_tx == 1 {
            latencies.push(t.elapsed());
        }
    }
    Ok(RunStats { label, ok: done, errors: 0, elapsed: start.elapsed(), latencies, error_samples: Vec::new() })
}
