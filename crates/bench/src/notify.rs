//! `pledge bench notify`: queueing one notification per customer for an
//! outage (one `INSERT … SELECT` per 2,000 customers, deduplicated), then the
//! delivery rate through the log channel and through an SMS webhook to a
//! local HTTP sink. Figures are printed, never asserted.

use crate::{BenchError, BenchResult};
use pledge_app::auth::PasswordCost;
use pledge_app::notify::channels::{Channels, WebhookChannel, WebhookConfig};
use pledge_app::notify::{DeliveryConfig, notify_customers};
use pledge_app::{App, AppConfig};
use pledge_domain::model::NewCustomer;
use pledge_domain::notify::Locale;
use pledge_domain::{AccountName, CustomerCategory, CustomerNumber, Phone, Utility};
use pledge_store::repo::*;
use pledge_store::{ConnectOptions, Store};
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct NotifyArgs {
    /// Customers told about one outage.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=2_000_000))]
    pub customers: u32,
    /// Notifications delivered through the webhook (a second message to the first N customers).
    #[arg(long, default_value_t = 20_000)]
    pub webhook: u32,
    /// Rows a worker claims per round.
    #[arg(long, default_value_t = 500)]
    pub batch: u32,
    /// Messages in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Default: a fresh SQLite file in a temporary directory. Given
    /// postgres://…/DB, a fresh database is created on that server and dropped.
    #[arg(long = "database", value_name = "URL")]
    pub database: Option<String>,
}

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError::msg(e.to_string())
}

pub async fn run(args: NotifyArgs) -> BenchResult<ExitCode> {
    let target = crate::target::Target::prepare(args.database.as_deref()).await?;
    println!(
        "pledge bench notify: {} customers, webhook {} messages, batch {}, concurrency {}",
        args.customers, args.webhook, args.batch, args.concurrency
    );
    let result = measure(target.url(), &args).await;
    target.cleanup().await;
    result.map(|()| ExitCode::SUCCESS)
}

async fn measure(url: &str, args: &NotifyArgs) -> BenchResult<()> {
    let store = Store::connect(&ConnectOptions::new(url)).await.map_err(err)?;
    store.migrate().await.map_err(err)?;
    let app = App::new(store.clone(), AppConfig { password: PasswordCost::TESTING, ..AppConfig::default() });
    let admin = super::bench_company(&app, Utility::ALL.to_vec()).await.map_err(err)?;
    let company = admin.staff.company_id;

    // Customers: 80 % with a mobile phone, 10 % with only e-mail, 10 % with neither.
    let t = Instant::now();
    let mut ids = Vec::with_capacity(args.customers as usize);
    for chunk in (0..args.customers).collect::<Vec<_>>().chunks(10_000) {
        let mut tx = store.begin().await.map_err(err)?;
        for &i in chunk {
            let phone = (i % 10 < 8).then(|| Phone::parse(&format!("139{:08}", i))).transpose().map_err(err)?;
            let c = NewCustomer {
                company_id: company,
                utility: Utility::Gas,
                number: CustomerNumber::parse(&format!("{}", 10_000_000 + i)).map_err(err)?,
                account_name: AccountName::parse(&format!("用户{i}")).map_err(err)?,
                category: CustomerCategory::Residential,
                phone,
                special_care: vec![],
                premises_id: None,
            };
            let id = tx.insert_customer(&c).await.map_err(err)?;
            if i % 10 == 8 {
                tx.set_customer_contact(company, id, Some(&format!("user{i}@example.test")), Some(Locale::Zh))
                    .await
                    .map_err(err)?;
            }
            ids.push(id);
        }
        tx.commit().await.map_err(err)?;
    }
    println!("  loaded {} customers in {:.1} s", ids.len(), t.elapsed().as_secs_f64());

    let vars = json!({"utility": "gas", "kind": "planned", "area": "城东片区", "reason": "管网改造", "starts_at": "2026-12-01 09:00",
                      "expected_restore_at": "2026-12-01 18:00", "hotline": "0000-00000"});
    let now = app.now().as_microsecond();
    let t = Instant::now();
    let mut tx = store.begin().await.map_err(err)?;
    let queued =
        notify_customers(&mut tx, company, "outage.announced", "outage", 1, &ids, &vars, now).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    let enqueue = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut tx = store.begin().await.map_err(err)?;
    let again =
        notify_customers(&mut tx, company, "outage.announced", "outage", 1, &ids, &vars, now).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    let repeat = t.elapsed().as_secs_f64();
    println!(
        "  enqueue: {queued} notifications in {enqueue:.2} s ({:.0} /s); repeating the call queued {again} in {repeat:.2} s",
        queued as f64 / enqueue.max(1e-9)
    );

    let cfg = DeliveryConfig { batch: args.batch, concurrency: args.concurrency, ..DeliveryConfig::default() };
    let t = Instant::now();
    let r = app.notifier(Channels::log_only(), cfg.clone()).drain().await.map_err(err)?;
    let secs = t.elapsed().as_secs_f64();
    println!("  log channel: {} delivered in {secs:.2} s ({:.0} /s)", r.sent, r.sent as f64 / secs.max(1e-9));

    if args.webhook > 0 {
        let hits = Arc::new(AtomicU64::new(0));
        let h = hits.clone();
        let sink = axum::Router::new().route(
            "/sms",
            axum::routing::post(move || {
                h.fetch_add(1, Ordering::Relaxed);
                async { "ok" }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(err)?;
        let url = format!("http://{}/sms", listener.local_addr().map_err(err)?);
        let server = tokio::spawn(async move { axum::serve(listener, sink).await });
        let some = &ids[..(args.webhook as usize).min(ids.len())];
        let phones: Vec<pledge_domain::CustomerId> =
            some.iter().enumerate().filter(|(i, _)| i % 10 < 8).map(|(_, id)| *id).collect();
        let mut tx = store.begin().await.map_err(err)?;
        notify_customers(&mut tx, company, "outage.restored", "outage", 1, &phones, &vars, app.now().as_microsecond())
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
        let channels =
            Channels::log_only().with_sms(Arc::new(WebhookChannel::new(WebhookConfig::json(url)).map_err(err)?));
        let t = Instant::now();
        let r = app.notifier(channels, cfg).drain().await.map_err(err)?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  webhook (local HTTP sink): {} delivered in {secs:.2} s ({:.0} /s); the sink received {}",
            r.sent,
            r.sent as f64 / secs.max(1e-9),
            hits.load(Ordering::Relaxed)
        );
        server.abort();
    }
    drop(app);
    store.close().await;
    Ok(())
}
