//! `pledge bench search`: how fast the intake screen's customer search
//! answers as a clerk types, on the full demo company (20,000 customers).
//! Serves the console on loopback, signs in as a hotline agent with the
//! session cookie and times `GET /intake/customers?q=…` for each kind of
//! query (phone digits, customer-number prefix, account name, address words).
//! Figures are printed, never asserted.

use crate::target::Target;
use crate::{BenchError, BenchResult};
use pledge_app::auth::PasswordCost;
use pledge_app::{App, AppConfig};
use pledge_demo::{DEMO_PASSWORD, DemoSize};
use pledge_domain::model::{CustomerFilter, PageRequest};
use pledge_store::repo::*;
use pledge_store::{ConnectOptions, Store};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Requests timed for each kind of query.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub rounds: u32,
    /// Default: a fresh SQLite file in a temporary directory, removed
    /// afterwards. A sqlite:// URL is used as given (the demo company is
    /// loaded unless it is there already); postgres://…/DB gets a fresh database.
    #[arg(long = "database", value_name = "URL")]
    pub database: Option<String>,
}

/// Makes the i-th query of one kind.
type QueryMaker<'a> = Box<dyn Fn(usize) -> String + 'a>;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub async fn run(args: SearchArgs) -> BenchResult<ExitCode> {
    let target = Target::prepare(args.database.as_deref()).await?;
    let result = search_on(&args, &target).await;
    target.cleanup().await;
    result
}

async fn search_on(args: &SearchArgs, target: &Target) -> BenchResult<ExitCode> {
    let store = Store::connect(&ConnectOptions::new(target.url())).await?;
    store.migrate().await?;
    let app = App::new(store.clone(), AppConfig::default());
    app.load_settings().await?;
    let started = Instant::now();
    let report = pledge_demo::load(&app, DemoSize::FULL, PasswordCost::TESTING).await?;
    if report.created {
        println!("loaded the demo company in {:.1} s", started.elapsed().as_secs_f64());
    }
    // Queries a clerk would type, taken from real customers spread over the table.
    let customers = store
        .read()
        .customers(
            &CustomerFilter { company_id: Some(report.company_id), ..CustomerFilter::default() },
            PageRequest::new(Some(200), Some(7_000)),
        )
        .await?
        .items;
    if customers.is_empty() {
        return Err(BenchError::msg("the demo company has no customers"));
    }
    let pick = |i: usize| &customers[(i * 37) % customers.len()];
    let kinds: [(&str, QueryMaker); 5] = [
        (
            "phone, first 7 digits",
            Box::new(|i| pick(i).phone.as_ref().map(|p| p.as_str().chars().take(7).collect()).unwrap_or_default()),
        ),
        (
            "phone, last 8 digits",
            Box::new(|i| {
                pick(i)
                    .phone
                    .as_ref()
                    .map(|p| p.as_str().chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect())
                    .unwrap_or_default()
            }),
        ),
        ("customer number, 8-digit prefix", Box::new(|i| pick(i).number.as_str().chars().take(8).collect())),
        ("account name", Box::new(|i| pick(i).account_name.as_str().to_owned())),
        (
            "address, first 6 characters",
            Box::new(|i| pick(i).premises.as_ref().map(|p| p.address.chars().take(6).collect()).unwrap_or_default()),
        ),
    ];

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| BenchError::msg(format!("cannot listen on loopback: {e}")))?;
    let base = format!("http://{}", listener.local_addr().map_err(|e| BenchError::msg(e.to_string()))?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(pledge_web::serve(listener, app.clone(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder().build().map_err(|e| BenchError::msg(e.to_string()))?;
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "hotline1", "password": DEMO_PASSWORD, "kind": "cookie"}))
        .send()
        .await
        .map_err(|e| BenchError::msg(format!("login failed: {e}")))?
        .json()
        .await
        .map_err(|e| BenchError::msg(format!("login failed: {e}")))?;
    let token = login["token"].as_str().ok_or_else(|| BenchError::msg("login answered without a token"))?;
    let cookie = format!("pledge_session={token}");

    println!(
        "pledge bench search: {} rounds per kind, database {}",
        args.rounds,
        target.url().split('@').next_back().unwrap_or("")
    );
    println!("{:<34} {:>9} {:>9} {:>9} {:>8}", "query", "p50", "p95", "max", "hits/q");
    for (label, make) in &kinds {
        let mut times = Vec::new();
        let mut hits = 0usize;
        for i in 0..args.rounds as usize {
            let q = make(i);
            let t = Instant::now();
            let res = client
                .get(format!("{base}/intake/customers"))
                .query(&[("q", q.as_str())])
                .header("cookie", &cookie)
                .send()
                .await;
            let body = match res {
                Ok(r) if r.status().is_success() => r.text().await.unwrap_or_default(),
                Ok(r) => return Err(BenchError::msg(format!("search answered HTTP {}", r.status()))),
                Err(e) => return Err(BenchError::msg(format!("search failed: {e}"))),
            };
            times.push(t.elapsed());
            hits += body.matches("class=\"hit\"").count();
        }
        times.sort();
        let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "{label:<34} {:>9} {:>9} {:>9} {:>8.1}",
            ms(at(0.5)),
            ms(at(0.95)),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
            hits as f64 / times.len() as f64
        );
    }
    let _ = stop.send(());
    let _ = server.await;
    drop(app);
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
