//! Request metrics in Prometheus text format, gathered by a middleware.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    by_route: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, secs: f64) {
        let mut m = self.by_route.lock().unwrap_or_else(|p| p.into_inner());
        let s = m.entry((method.to_owned(), route.to_owned(), status)).or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// Renders the request series; `extra` lines (gauges) are appended as given.
    pub fn render(&self, extra: &str) -> String {
        let m = self.by_route.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP pledge_http_requests_total HTTP requests served.\n# TYPE pledge_http_requests_total counter\n",
        );
        for ((method, route, status), s) in m.iter() {
            let _ = writeln!(
                out,
                "pledge_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP pledge_http_request_duration_seconds HTTP request latency.\n# TYPE pledge_http_request_duration_seconds histogram\n");
        let mut merged: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((method, route, _), s) in m.iter() {
            let e = merged.entry((method.as_str(), route.as_str())).or_default();
            e.count += s.count;
            e.sum += s.sum;
            for i in 0..BUCKETS.len() {
                e.buckets[i] += s.buckets[i];
            }
        }
        for ((method, route), s) in merged {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "pledge_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "pledge_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "pledge_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "pledge_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {}",
                s.count
            );
        }
        out.push_str(extra);
        out
    }
}

pub async fn middleware(State(state): State<crate::AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    state.metrics.record(&method, &route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}
