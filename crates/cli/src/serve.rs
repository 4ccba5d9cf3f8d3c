//! `pledge serve`: open and migrate the database, optionally load the demo,
//! and serve HTTP until Ctrl-C or SIGTERM.

use crate::db::DbArgs;
use crate::{CliError, CliResult};
use pledge_app::{App, AppConfig};
use pledge_demo::DemoSize;
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", env = "PLEDGE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Load the demo company first (if it is not there yet) and print its sign-ins.
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub notify: crate::notify::NotifyArgs,
}

pub async fn run(args: Args) -> CliResult<ExitCode> {
    // Bind first, so a taken port fails at once rather than after migrating.
    let listener = tokio::net::TcpListener::bind(args.listen.trim())
        .await
        .map_err(|e| CliError::msg(format!("cannot listen on {}: {e}", args.listen.trim())))?;
    let addr =
        listener.local_addr().map_err(|e| CliError::msg(format!("cannot listen on {}: {e}", args.listen.trim())))?;

    println!("database: {}", args.db.display());
    let store = args.db.connect_migrated().await?;
    let app = App::new(store.clone(), AppConfig::default());
    // The stored policy and calendar years; stored data that no longer reads
    // is logged and the shipped defaults stay in force.
    app.load_settings().await?;
    // Clocks left running on ended cases and outages by older versions end first, before the sweeper sees them.
    crate::migrate::print_repaired(&app.repair_stray_clocks().await?);
    crate::migrate::print_backfilled(app.backfill_cap_lineage().await?);
    if args.demo {
        let report = crate::demo::load(&app, DemoSize::FULL).await?;
        crate::demo::print_report(&report);
        println!("sign in at {}", console_url(addr));
        println!();
    }

    // Commitment warnings, breaches and escalations; at start it catches up on
    // everything that fell due while the server was down.
    let sweeper = app.spawn_sweeper(std::time::Duration::from_secs(5));
    // Notification delivery (and escalations fanned out to staff); it stops
    // after the round in progress, so nothing is left claimed without a record.
    let (channels, delivery) = args.notify.build()?;
    println!("notification channels: {}", channels.configured().join(", "));
    let (stop_notifier, stop) = tokio::sync::watch::channel(false);
    let notifier = app.notifier(channels, delivery).spawn(stop);

    println!("Pledge is listening on http://{addr}");
    println!("console: {}", console_url(addr));
    tracing::info!(%addr, "serving");
    let result = pledge_web::serve(listener, app, shutdown_signal()).await;
    sweeper.abort();
    let _ = stop_notifier.send(true);
    if tokio::time::timeout(std::time::Duration::from_secs(30), notifier).await.is_err() {
        tracing::warn!("notification worker still busy after 30 s; its claims are retried after their lease");
    }
    store.close().await;
    result.map_err(|e| CliError::msg(format!("the server stopped: {e}")))?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The console's address; a wildcard bind is reached through loopback.
fn console_url(addr: SocketAddr) -> String {
    let host = match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => format!("127.0.0.1:{}", a.port()),
        SocketAddr::V6(a) if a.ip().is_unspecified() => format!("[::1]:{}", a.port()),
        a => a.to_string(),
    };
    format!("http://{host}/")
}

/// Resolves on the first Ctrl-C or SIGTERM; a second Ctrl-C stops at once.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight (Ctrl-C again to stop at once)");
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("stopped at once");
            std::process::exit(130);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_point_the_console_at_loopback() {
        assert_eq!(console_url("0.0.0.0:8080".parse().unwrap()), "http://127.0.0.1:8080/");
        assert_eq!(console_url("[::]:80".parse().unwrap()), "http://[::1]:80/");
        assert_eq!(console_url("10.0.0.5:8080".parse().unwrap()), "http://10.0.0.5:8080/");
    }
}
