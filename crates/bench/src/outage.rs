//! `pledge bench outage`: a supply network with a million customers (ten
//! mains of a hundred buildings each), an outage announced on one main with
//! a tenth of them below it. Prints the time to compute the affected set
//! (one `INSERT … SELECT` over the supply-path index) and to queue one
//! notification per customer, then the whole announcement as a user does
//! it (snapshot, clocks, notices, ledger, one commit). Figures are printed,
//! never asserted.

use crate::{BenchError, BenchResult};
use jiff::{SignedDuration, Timestamp};
use pledge_app::auth::PasswordCost;
use pledge_app::notify::DeliveryConfig;
use pledge_app::notify::channels::Channels;
use pledge_app::outages::OutageInput;
use pledge_app::{App, AppConfig};
use pledge_domain::Utility;
use pledge_domain::commitment::OutageKind;
use pledge_domain::model::NewNode;
use pledge_domain::network::NodeLevel;
use pledge_domain::outage::Effect;
use pledge_store::repo::*;
use pledge_store::{ConnectOptions, Store};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct OutageArgs {
    /// Customers in the network (ten mains share them equally).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u32).range(10_000..=5_000_000))]
    pub customers: u32,
    /// Default: a fresh SQLite file in a temporary directory. Given
    /// postgres://…/DB, a fresh database is created on that server and dropped.
    #[arg(long = "database", value_name = "URL")]
    pub database: Option<String>,
    /// Skip delivering the queued notifications to the log channel.
    #[arg(long)]
    pub no_delivery: bool,
}

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError::msg(e.to_string())
}

pub async fn run(args: OutageArgs) -> BenchResult<ExitCode> {
    let target = crate::target::Target::prepare(args.database.as_deref()).await?;
    let result = measure(target.url(), &args).await;
    target.cleanup().await;
    result
}

async fn measure(url: &str, args: &OutageArgs) -> BenchResult<ExitCode> {
    let store = Store::connect(&ConnectOptions::new(url)).await.map_err(err)?;
    store.migrate().await.map_err(err)?;
    let now: Timestamp = "2026-11-23T10:00:00+08:00".parse().map_err(err)?;
    let app = App::with_clock(
        store.clone(),
        AppConfig { password: PasswordCost::TESTING, ..AppConfig::default() },
        Arc::new(move || now),
    );
    let admin = super::bench_company(&app, vec![Utility::Gas]).await.map_err(err)?;
    let company_id = admin.staff.company_id;
    println!(
        "pledge bench outage: {} customers on {} ({})",
        args.customers,
        store.backend().name(),
        url.split('@').next_back().unwrap_or(url)
    );

    // Station → 10 mains → 10 areas each → 10 buildings each; customers share the buildings.
    let per_building = args.customers / 1000;
    let started = Instant::now();
    let mut tx = store.begin().await.map_err(err)?;
    let node = |parent: Option<pledge_domain::NodeId>, level: NodeLevel, name: String| NewNode {
        company_id,
        utility: Utility::Gas,
        parent_id: parent,
        level,
        name,
    };
    let station = tx.insert_node(&node(None, NodeLevel::Station, "门站".into())).await.map_err(err)?;
    let mut mains = Vec::new();
    let mut loaded = 0u64;
    for m in 0..10 {
        let main =
            tx.insert_node(&node(Some(station.id), NodeLevel::Main, format!("{m} 号干线"))).await.map_err(err)?;
        for a in 0..10 {
            let area =
                tx.insert_node(&node(Some(main.id), NodeLevel::Area, format!("{m}-{a} 片区"))).await.map_err(err)?;
            for b in 0..10 {
                let building = tx
                    .insert_node(&node(Some(area.id), NodeLevel::Building, format!("{m}-{a}-{b} 楼")))
                    .await
                    .map_err(err)?;
                loaded += tx
                    .bulk_customers_at(&building, 100_000_000, per_building, now.as_microsecond())
                    .await
                    .map_err(err)?;
            }
        }
        // One commit per main keeps each transaction's size bounded.
        tx.commit().await.map_err(err)?;
        tx = store.begin().await.map_err(err)?;
        mains.push(main);
    }
    tx.commit().await.map_err(err)?;
    let load_secs = started.elapsed().as_secs_f64();
    println!("  loaded {loaded} customers below {} mains in {load_secs:.1} s", mains.len());

    let main = &mains[0];
    let below = store.read().count_customers_below(main.id).await.map_err(err)?;
    let input = OutageInput {
        utility: Utility::Gas,
        kind: OutageKind::Planned,
        effect: Effect::Stop,
        node_id: main.id,
        reason: "干线改线施工".into(),
        area: "0 号干线供气范围".into(),
        starts_at: now + SignedDuration::from_hours(72),
        expected_restore_at: now + SignedDuration::from_hours(80),
    };
    let outage = app.create_outage(&admin, input).await.map_err(err)?.outage;

    // The two parts alone, each in a transaction that is rolled back.
    let mut tx = store.begin().await.map_err(err)?;
    let t = Instant::now();
    let affected = tx.snapshot_affected(outage.id).await.map_err(err)?;
    let snapshot_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let ids = tx.exec().affected_customer_ids(outage.id).await.map_err(err)?;
    let read_secs = t.elapsed().as_secs_f64();
    let vars = serde_json::json!({"utility": "gas", "kind": "planned", "area": "0 号干线供气范围", "reason": "干线改线施工",
                                  "starts_at": "2026-11-26 10:00", "expected_restore_at": "2026-11-26 18:00", "hotline": "0000-00000"});
    let t = Instant::now();
    let queued = pledge_app::notify::notify_customers(
        &mut tx,
        company_id,
        "outage.announced",
        "outage",
        outage.id.get(),
        &ids,
        &vars,
        now.as_microsecond(),
    )
    .await
    .map_err(err)?;
    let enqueue_secs = t.elapsed().as_secs_f64();
    tx.rollback().await.map_err(err)?;
    // The path the announcement takes: recipients joined from the snapshot in one statement.
    let mut tx = store.begin().await.map_err(err)?;
    tx.snapshot_affected(outage.id).await.map_err(err)?;
    let t = Instant::now();
    let joined = tx
        .queue_outage_notifications(outage.id, company_id, "outage.announced", 0, &vars, now.as_microsecond())
        .await
        .map_err(err)?;
    let joined_secs = t.elapsed().as_secs_f64();
    tx.rollback().await.map_err(err)?;

    // The announcement as a dispatcher makes it: snapshot, clocks, notices and ledger in one commit.
    let t = Instant::now();
    let announced = app.announce_outage(&admin, outage.id, None).await.map_err(err)?;
    let announce_secs = t.elapsed().as_secs_f64();

    println!();
    println!("  customers below the outage's node     {below:>10}");
    println!("  affected set (INSERT … SELECT)        {affected:>10} rows in {snapshot_secs:>7.3} s");
    println!("  read the affected ids                 {:>10} ids  in {read_secs:>7.3} s", ids.len());
    println!("  queue one notification each           {queued:>10} rows in {enqueue_secs:>7.3} s");
    println!("  affected set + queue (id list)        {:>21.3} s", snapshot_secs + read_secs + enqueue_secs);
    println!("  queue joined to the snapshot          {joined:>10} rows in {joined_secs:>7.3} s");
    println!(
        "  affected set + queue (joined)         {:>21.3} s (target < 5 s on SQLite)",
        snapshot_secs + joined_secs
    );
    println!(
        "  whole announcement, committed          {:>10} customers in {announce_secs:>7.3} s",
        announced.outage.affected_count
    );
    if !args.no_delivery {
        // Delivery to the log channel (run with PLEDGE_LOG=warn to keep the messages off the terminal).
        let t = Instant::now();
        let r = app.notifier(Channels::log_only(), DeliveryConfig::default()).drain().await.map_err(err)?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  delivered to the log channel           {:>10} in {secs:>7.3} s = {:.0} / s",
            r.sent,
            r.sent as f64 / secs.max(1e-9)
        );
    }
    drop(app);
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
