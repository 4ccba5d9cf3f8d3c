//! `pledge healthcheck`: for container health checks and monitoring.
//! Every failure exits 1 (Docker reserves 2).

use crate::CliResult;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Base URL of the server.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
}

pub async fn run(args: Args) -> CliResult<ExitCode> {
    let url = format!("{}/healthz", args.url.trim().trim_end_matches('/'));
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(5)).build() {
        Ok(c) => c,
        Err(e) => return Ok(fail(&url, &chain(&e))),
    };
    match client.get(&url).send().await {
        Ok(resp) if resp.status() == reqwest::StatusCode::OK => {
            println!("healthy: {url} answered {}", resp.status());
            Ok(ExitCode::SUCCESS)
        }
        Ok(resp) => {
            let status = resp.status();
            let body = resp.text().await.unwrap_or_default();
            let body: String = body.trim().chars().take(300).collect();
            Ok(fail(
                &url,
                &format!("answered {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") }),
            ))
        }
        Err(e) if e.is_timeout() => Ok(fail(&url, "no answer within 5 s")),
        Err(e) => Ok(fail(&url, &chain(&e))),
    }
}

fn fail(url: &str, problem: &str) -> ExitCode {
    eprintln!("unhealthy: {url} {problem}");
    ExitCode::from(1)
}

/// An error with its causes, e.g. "error sending request: … Connection refused".
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}
