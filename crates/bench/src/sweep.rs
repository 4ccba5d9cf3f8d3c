//! `pledge bench sweep`: the commitment sweeper's cost against the number of
//! clocks. Loads open clocks of which a given share has a threshold due, then
//! times sweeps. The sweeper reads clocks through an index on their next due
//! instant, so its cost should follow the clocks that are due, not the table:
//! the run measures the same number of due clocks among a small and a large
//! table to show it. Figures are printed, never asserted.

use crate::{BenchError, BenchResult};
use jiff::{SignedDuration, Timestamp};
use pledge_app::auth::PasswordCost;
use pledge_app::{App, AppConfig};
use pledge_domain::Utility;
use pledge_domain::calendar::WorkingCalendar;
use pledge_domain::commitment::{Clock, Policy};
use pledge_store::repo::*;
use pledge_store::{ConnectOptions, Store};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Open clocks in the large table.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u32).range(1000..=5_000_000))]
    pub clocks: u32,
    /// Share of clocks with a threshold due, in percent.
    #[arg(long, default_value_t = 1.0)]
    pub due_percent: f64,
    /// Clocks one sweep transaction takes at most.
    #[arg(long, default_value_t = 2_000)]
    pub batch: u32,
    /// Default: a fresh SQLite file in a temporary directory. Given
    /// postgres://…/DB, fresh databases are created on that server and dropped.
    #[arg(long = "database", value_name = "URL")]
    pub database: Option<String>,
}

/// One measured run.
struct Run {
    total: u32,
    due: u32,
    load_secs: f64,
    idle_sweep_ms: f64,
    sweep_secs: f64,
    fired: u64,
}

pub async fn sweep(args: SweepArgs) -> BenchResult<ExitCode> {
    if !(0.0..=100.0).contains(&args.due_percent) {
        return Err(BenchError::msg("--due-percent must be between 0 and 100"));
    }
    let due = ((args.clocks as f64) * args.due_percent / 100.0).round() as u32;
    let small_total = (due * 10).clamp(due.max(1), args.clocks);
    println!(
        "pledge bench sweep: {} open clocks, {} due ({} %), batch {}",
        args.clocks, due, args.due_percent, args.batch
    );
    let mut runs = Vec::new();
    for total in [small_total, args.clocks] {
        runs.push(one_run(&args, total, due).await?);
    }
    println!();
    println!(
        "{:>10} {:>8} {:>10} {:>14} {:>10} {:>12} {:>14}",
        "clocks", "due", "load s", "idle sweep ms", "sweep s", "thresholds", "µs / due clock"
    );
    for r in &runs {
        let per = if r.due > 0 { r.sweep_secs * 1e6 / r.due as f64 } else { 0.0 };
        println!(
            "{:>10} {:>8} {:>10.1} {:>14.2} {:>10.3} {:>12} {:>14.1}",
            r.total, r.due, r.load_secs, r.idle_sweep_ms, r.sweep_secs, r.fired, per
        );
    }
    if let [a, b] = runs.as_slice() {
        println!();
        println!(
            "same {} due clocks among {}× more clocks: sweep time ×{:.2}",
            b.due,
            b.total / a.total.max(1),
            b.sweep_secs / a.sweep_secs.max(1e-9)
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn one_run(args: &SweepArgs, total: u32, due: u32) -> BenchResult<Run> {
    let target = crate::target::Target::prepare(args.database.as_deref()).await?;
    let result = measure(target.url(), args, total, due).await;
    target.cleanup().await;
    result
}

async fn measure(url: &str, args: &SweepArgs, total: u32, due: u32) -> BenchResult<Run> {
    let store = Store::connect(&ConnectOptions::new(url)).await.map_err(|e| BenchError::msg(e.to_string()))?;
    store.migrate().await.map_err(|e| BenchError::msg(e.to_string()))?;
    // A clock the bench controls: clocks are loaded "in the past", then swept "now".
    let now: Timestamp =
        "2026-11-23T10:00:00+08:00".parse().map_err(|e: jiff::Error| BenchError::msg(e.to_string()))?;
    let now_us = Arc::new(AtomicI64::new(now.as_microsecond()));
    let clock_now = now_us.clone();
    let app = App::with_clock(
        store.clone(),
        AppConfig { password: PasswordCost::TESTING, ..AppConfig::default() },
        Arc::new(move || Timestamp::from_microsecond(clock_now.load(Ordering::SeqCst)).unwrap_or(now)),
    );
    let admin = super::bench_company(&app, Utility::ALL.to_vec()).await.map_err(|e| BenchError::msg(e.to_string()))?;
    let company_id = admin.staff.company_id;

    // C7 (gas repair within 24 h): hour-based, so the load does not depend on the calendar.
    let policy = Policy::shipped();
    let rule = policy.rule("C7").ok_or_else(|| BenchError::msg("the shipped policy lacks C7"))?;
    let calendar = WorkingCalendar::china_default();
    // Due clocks started 13 h ago: past their 50 % warning, before 80 %; the
    // rest started 1 h ago, with nothing due for another 11 h.
    let due_start = now - SignedDuration::from_hours(13);
    let idle_start = now - SignedDuration::from_hours(1);
    let template_due = Clock::start(rule, due_start, None, &calendar).map_err(|e| BenchError::msg(e.to_string()))?;
    let template_idle = Clock::start(rule, idle_start, None, &calendar).map_err(|e| BenchError::msg(e.to_string()))?;

    let started = Instant::now();
    const CHUNK: u32 = 20_000;
    let mut made = 0u32;
    while made < total {
        let n = CHUNK.min(total - made);
        let rows: Vec<(i64, Utility, Option<pledge_domain::DepartmentId>, Clock)> = (made..made + n)
            .map(|i| {
                // Spread the due ones evenly through the table.
                let is_due =
                    due > 0 && (i as u64 * due as u64 / total as u64) != ((i as u64 + 1) * due as u64 / total as u64);
                (i as i64 + 1, Utility::Gas, None, if is_due { template_due.clone() } else { template_idle.clone() })
            })
            .collect();
        let mut tx = store.begin().await.map_err(|e| BenchError::msg(e.to_string()))?;
        tx.insert_clocks(company_id, "bench", &rows).await.map_err(|e| BenchError::msg(e.to_string()))?;
        tx.commit().await.map_err(|e| BenchError::msg(e.to_string()))?;
        made += n;
    }
    let load_secs = started.elapsed().as_secs_f64();

    // A sweep a second before anything is due: the cost of looking.
    now_us.store((now - SignedDuration::from_hours(2)).as_microsecond(), Ordering::SeqCst);
    let t = Instant::now();
    let idle = app.sweep_clocks(args.batch).await.map_err(|e| BenchError::msg(e.to_string()))?;
    let idle_sweep_ms = t.elapsed().as_secs_f64() * 1000.0;
    if idle.examined != 0 {
        return Err(BenchError::msg(format!("the idle sweep examined {} clocks", idle.examined)));
    }

    now_us.store(now.as_microsecond(), Ordering::SeqCst);
    let t = Instant::now();
    let r = app.sweep_clocks(args.batch).await.map_err(|e| BenchError::msg(e.to_string()))?;
    let sweep_secs = t.elapsed().as_secs_f64();
    if r.examined != due as u64 {
        return Err(BenchError::msg(format!("expected {due} due clocks, the sweep examined {}", r.examined)));
    }
    println!(
        "  {total} clocks: loaded in {load_secs:.1} s; idle sweep {idle_sweep_ms:.2} ms; {} due swept in {sweep_secs:.3} s ({} warnings)",
        r.examined, r.warned
    );
    drop(app);
    store.close().await;
    Ok(Run { total, due, load_secs, idle_sweep_ms, sweep_secs, fired: r.warned + r.breached })
}
