//! Crash durability: a server killed with SIGKILL while 16 clients are
//! creating cases loses no case that was answered with 2xx. The test runs the
//! real `pledge` binary, kills it in the middle of the load, restarts it on the
//! same database and looks up every acknowledged case. It ends with
//! `pledge audit verify`: the crash must not break the ledger's hash chain.
//!
//! Runs on SQLite and on PostgreSQL (`PLEDGE_TEST_PG_URL`, set by
//! `./scripts/test`). The throwaway PostgreSQL cluster runs with `fsync=off`;
//! that only matters if the operating system crashes. Here only the server
//! process dies, and whatever PostgreSQL (or SQLite) had committed is in the
//! page cache of a kernel that lives on, so the test is meaningful as it is.

use serde_json::{Value, json};
use std::collections::HashSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PLEDGE: &str = env!("CARGO_BIN_EXE_pledge");
/// Concurrent clients creating cases.
const CLIENTS: usize = 16;
/// The server is killed once this many cases have been acknowledged.
const KILL_AFTER: usize = 300;
/// Every client must have had this many cases acknowledged before the kill.
const MIN_PER_CLIENT: usize = 3;
/// How long a server may take to answer `/healthz` after it is started.
const STARTUP: Duration = Duration::from_secs(30);
/// How long the load may take to reach `KILL_AFTER`.
const LOAD_DEADLINE: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_keeps_every_acknowledged_case_across_a_sigkill() {
    let dir = unique_dir("sqlite");
    let url = format!("sqlite://{}", dir.join("pledge.db").display());
    crash_and_count("SQLite", &url, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_keeps_every_acknowledged_case_across_a_sigkill() {
    let base = std::env::var("PLEDGE_TEST_PG_URL").unwrap_or_default();
    assert!(
        !base.trim().is_empty(),
        "PLEDGE_TEST_PG_URL is not set: run the tests with ./scripts/test, which starts a throwaway PostgreSQL"
    );
    let url = fresh_pg_database(&base).await;
    let dir = unique_dir("postgres");
    crash_and_count("PostgreSQL", &url, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A case the server answered with 2xx. `id` and `number` are missing only if
/// the answer's status line arrived but its body was cut off by the kill; the
/// unique subject still finds the case.
#[derive(Debug, Clone)]
struct Acked {
    subject: String,
    id: Option<i64>,
    number: Option<String>,
}

/// What the clients saw, shared between them.
#[derive(Default)]
struct Load {
    acked: Mutex<Vec<Acked>>,
    per_client: [AtomicUsize; CLIENTS],
    /// Set just before the kill: errors after it are expected.
    killing: AtomicBool,
    /// Answers other than 2xx, and transport errors, seen before the kill.
    anomalies: Mutex<Vec<String>>,
    /// Requests that failed after the kill (in flight or sent after it).
    cut_off: AtomicUsize,
}

async fn crash_and_count(backend: &str, url: &str, dir: &Path) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("HTTP client");

    // 1. A demo company, so that hotline1 exists.
    run_pledge(&["demo", "--small", "--database", url], "pledge demo --small");

    // 2-3. Serve it, load it from 16 clients, kill it in the middle.
    let mut server = Server::start(url, dir, "first").await;
    let token = login(&http, &server.base).await;
    let load = Arc::new(Load::default());
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(client_loop(http.clone(), server.base.clone(), token.clone(), c, load.clone())))
        .collect();
    let started = Instant::now();
    loop {
        let total = load.acked.lock().unwrap().len();
        let slowest = load.per_client.iter().map(|n| n.load(Ordering::SeqCst)).min().unwrap_or(0);
        if total >= KILL_AFTER && slowest >= MIN_PER_CLIENT {
            break;
        }
        if started.elapsed() > LOAD_DEADLINE || clients.iter().all(|c| c.is_finished()) {
            let anomalies = load.anomalies.lock().unwrap().clone();
            panic!(
                "{backend}: the load never reached {KILL_AFTER} acknowledged cases ({total} acknowledged, slowest client {slowest}) \
                 in {:?}; anomalies: {anomalies:#?}\nserver log:\n{}",
                started.elapsed(),
                server.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    load.killing.store(true, Ordering::SeqCst);
    server.kill(); // SIGKILL on Unix, then reaped: no graceful shutdown at all.
    let load_time = started.elapsed();
    for c in clients {
        tokio::time::timeout(Duration::from_secs(60), c)
            .await
            .expect("a client did not stop after the kill")
            .expect("client task");
    }
    let acked = load.acked.lock().unwrap().clone();
    let anomalies = load.anomalies.lock().unwrap().clone();
    let cut_off = load.cut_off.load(Ordering::SeqCst);
    println!(
        "{backend}: killed the server after {load_time:?} with {} acknowledged cases; {cut_off} requests cut off by the kill",
        acked.len()
    );
    assert!(
        anomalies.is_empty(),
        "{backend}: unexpected answers before the kill: {anomalies:#?}\nserver log:\n{}",
        server.log_tail()
    );
    let ids: HashSet<i64> = acked.iter().filter_map(|a| a.id).collect();
    assert_eq!(ids.len(), acked.iter().filter(|a| a.id.is_some()).count(), "{backend}: an id was acknowledged twice");

    // 4. Restart on the same database and look for every acknowledged case.
    let mut server = Server::start(url, dir, "second").await;
    let token = login(&http, &server.base).await;
    let checkers = 8;
    let chunk = acked.len().div_ceil(checkers).max(1);
    let tasks: Vec<_> = acked
        .chunks(chunk)
        .map(|part| tokio::spawn(check_cases(http.clone(), server.base.clone(), token.clone(), part.to_vec())))
        .collect();
    let mut missing = Vec::new();
    for t in tasks {
        missing.extend(t.await.expect("check task"));
    }
    let stored = count_stored(&http, &server.base, &token).await;
    let (n, lost) = (acked.len(), missing.len());
    println!("{backend}: acknowledged {n}, found {}, lost {lost}", n - lost);
    if stored > n as u64 {
        println!(
            "{backend}: {stored} test cases stored in all: {} more were committed but their answer died with the server",
            stored - n as u64
        );
    }
    assert_eq!(lost, 0, "{backend}: acknowledged cases lost or changed after the crash: {missing:#?}");
    assert!(n >= KILL_AFTER, "{backend}: only {n} cases were acknowledged");
    assert!(stored >= n as u64, "{backend}: the list counts {stored} test cases, fewer than the {n} acknowledged");

    // 5. The crash must not have broken the ledger.
    server.kill();
    let out = run_pledge(&["audit", "verify", "--database", url], "pledge audit verify");
    print!("{backend}: pledge audit verify: {out}");
}

/// Creates cases until the server stops answering.
async fn client_loop(http: reqwest::Client, base: String, token: String, client: usize, load: Arc<Load>) {
    for n in 0.. {
        // Fixed width, so that a search for one subject finds no other.
        let subject = format!("durability-{client:02}-{n:05}");
        let body = json!({
            "utility": "gas",
            "kind": "repair",
            "channel": "phone",
            "subject": subject,
            "description": format!("crash-durability test, client {client}, request {n}"),
        });
        let sent = http.post(format!("{base}/api/v1/cases")).bearer_auth(&token).json(&body).send().await;
        let killing = load.killing.load(Ordering::SeqCst);
        match sent {
            Ok(resp) if resp.status().is_success() => {
                // Answered with 2xx: this case must survive, body or no body.
                let parsed = resp.json::<Value>().await.ok();
                let id = parsed.as_ref().and_then(|v| v["id"].as_i64());
                let number = parsed.as_ref().and_then(|v| v["number"].as_str()).map(str::to_owned);
                load.acked.lock().unwrap().push(Acked { subject, id, number });
                load.per_client[client].fetch_add(1, Ordering::SeqCst);
            }
            Ok(resp) => {
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                if !killing {
                    load.anomalies.lock().unwrap().push(format!("client {client}: {status}: {text}"));
                }
            }
            Err(_) if killing => {
                // Never acknowledged: the server died first.
                load.cut_off.fetch_add(1, Ordering::SeqCst);
                return;
            }
            Err(e) => {
                load.anomalies.lock().unwrap().push(format!("client {client}: {e}"));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        if load.anomalies.lock().unwrap().len() > 100 {
            return; // Something is badly wrong; the main task reports it.
        }
    }
}

/// Returns a description of each acknowledged case that is missing or changed.
async fn check_cases(http: reqwest::Client, base: String, token: String, cases: Vec<Acked>) -> Vec<String> {
    let mut missing = Vec::new();
    for a in cases {
        match a.id {
            Some(id) => {
                let resp =
                    http.get(format!("{base}/api/v1/cases/{id}")).bearer_auth(&token).send().await.expect("GET case");
                let status = resp.status();
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                let case = &body["case"];
                if status != reqwest::StatusCode::OK {
                    missing.push(format!("{a:?}: GET answered {status}: {body}"));
                } else if case["number"].as_str() != a.number.as_deref()
                    || case["subject"].as_str() != Some(a.subject.as_str())
                {
                    missing.push(format!(
                        "{a:?}: found a different case: number {}, subject {}",
                        case["number"], case["subject"]
                    ));
                }
            }
            None => {
                let page: Value = http
                    .get(format!("{base}/api/v1/cases"))
                    .query(&[("q", a.subject.as_str()), ("limit", "10")])
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("search cases")
                    .json()
                    .await
                    .expect("case page");
                let hits = page["items"]
                    .as_array()
                    .map_or(0, |items| items.iter().filter(|c| c["subject"] == a.subject.as_str()).count());
                if hits != 1 {
                    missing.push(format!("{a:?}: {hits} cases with this subject"));
                }
            }
        }
    }
    missing
}

/// How many cases the test created, acknowledged or not.
async fn count_stored(http: &reqwest::Client, base: &str, token: &str) -> u64 {
    let page: Value = http
        .get(format!("{base}/api/v1/cases"))
        .query(&[("q", "durability-"), ("limit", "1")])
        .bearer_auth(token)
        .send()
        .await
        .expect("list cases")
        .json()
        .await
        .expect("case page");
    page["total"].as_u64().unwrap_or_else(|| panic!("no total in {page}"))
}

async fn login(http: &reqwest::Client, base: &str) -> String {
    let resp = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "hotline1", "password": pledge_demo::DEMO_PASSWORD}))
        .send()
        .await
        .expect("log in");
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(status, reqwest::StatusCode::OK, "login as hotline1: {body}");
    body["token"].as_str().unwrap_or_else(|| panic!("no token in {body}")).to_owned()
}

/// Runs `pledge ARGS` to completion, panicking unless it succeeds; returns its stdout.
fn run_pledge(args: &[&str], what: &str) -> String {
    let out = Command::new(PLEDGE)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {PLEDGE}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A running `pledge serve`, killed when dropped (also when a test panics).
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    /// Starts `pledge serve` on a free port and waits until it is healthy.
    async fn start(url: &str, dir: &Path, name: &str) -> Server {
        let mut last = String::new();
        for attempt in 1..=5 {
            let port = free_port();
            let log = dir.join(format!("serve-{name}-{attempt}.log"));
            let file = std::fs::File::create(&log).expect("server log file");
            let child = Command::new(PLEDGE)
                .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database", url])
                .stdin(Stdio::null())
                .stdout(file.try_clone().expect("server log file"))
                .stderr(file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {PLEDGE} serve: {e}"));
            let mut server = Server { child, base: format!("http://127.0.0.1:{port}"), log };
            match server.wait_healthy().await {
                Ok(()) => return server,
                // Another process took the port between our probe and the bind.
                Err(e) if server.log_tail().contains("cannot listen") => last = e,
                Err(e) => {
                    panic!("pledge serve ({name}) did not become healthy: {e}\nserver log:\n{}", server.log_tail())
                }
            }
        }
        panic!("pledge serve ({name}) found no free port: {last}");
    }

    /// Polls `/healthz` until it answers 200, the server exits, or `STARTUP` passes.
    async fn wait_healthy(&mut self) -> Result<(), String> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().expect("HTTP client");
        let deadline = Instant::now() + STARTUP;
        let mut last = String::from("no answer yet");
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait for pledge serve") {
                return Err(format!("it exited with {status}"));
            }
            match http.get(format!("{}/healthz", self.base)).send().await {
                Ok(r) if r.status() == reqwest::StatusCode::OK => return Ok(()),
                Ok(r) => last = format!("/healthz answered {}", r.status()),
                Err(e) => last = format!("/healthz: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("not healthy after {STARTUP:?} ({last})"))
    }

    /// SIGKILL (on Unix) and reap.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The end of the server's output, for failure messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port that was free a moment ago (`Server::start` retries if it is taken).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local address").port()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// A new empty directory for one test's files (SQLite database, server logs).
fn unique_dir(backend: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(&format!("pledge_durability_{backend}")));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Creates an empty PostgreSQL database for one test and returns its URL.
async fn fresh_pg_database(base: &str) -> String {
    use sqlx::Connection;
    let name = unique("pledge_dur");
    let mut conn = sqlx::PgConnection::connect(base).await.expect("connect to PostgreSQL (PLEDGE_TEST_PG_URL)");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let _ = conn.close().await;
    let (head, _) = base.rsplit_once('/').expect("PLEDGE_TEST_PG_URL names a database");
    format!("{head}/{name}")
}
