//! Delivery test tools: a real SMTP server (Python aiosmtpd, started per
//! test), an HTTP receiver standing in for an SMS gateway, a server that
//! accepts connections and never answers, and a quick worker configuration.

use pledge_app::App;
use pledge_app::auth::Secret;
use pledge_app::notify::channels::{Channels, SmtpChannel, SmtpConfig, WebhookChannel, WebhookConfig};
use pledge_app::notify::{DeliveryConfig, Notifier};
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

/// A worker that retries after 60–120 s, 240 s at most, and gives up after `max_attempts`.
pub fn quick(max_attempts: u32) -> DeliveryConfig {
    DeliveryConfig {
        batch: 50,
        concurrency: 8,
        lease: Duration::from_secs(300),
        max_attempts,
        backoff_base: Duration::from_secs(120),
        backoff_max: Duration::from_secs(240),
        poll: Duration::from_millis(50),
    }
}

/// A notifier on `app` sending e-mail through `smtp` and SMS through `webhook`, when given.
pub fn notifier(app: &App, smtp: Option<SmtpConfig>, webhook: Option<WebhookConfig>, cfg: DeliveryConfig) -> Notifier {
    let mut ch = Channels::log_only();
    if let Some(s) = smtp {
        ch = ch.with_email(Arc::new(SmtpChannel::new(&s).expect("smtp channel")));
    }
    if let Some(w) = webhook {
        ch = ch.with_sms(Arc::new(WebhookChannel::new(w).expect("webhook channel")));
    }
    app.notifier(ch, cfg)
}

pub fn smtp_config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        from: "供气通知 <notice@utility.test>".into(),
        username: None,
        password: None,
        timeout: Duration::from_secs(2),
    }
}

/// The Python interpreter with the test tools, or a clear failure.
fn python() -> String {
    std::env::var("PLEDGE_TEST_PYTHON").expect(
        "PLEDGE_TEST_PYTHON is not set: run the tests with ./scripts/test, which prepares the Python test tools (aiosmtpd) from scripts/requirements/",
    )
}

/// A real SMTP server in a child process; stops when dropped.
pub struct SmtpSink {
    pub port: u16,
    lines: Lines<BufReader<ChildStdout>>,
    _child: Child,
}

impl SmtpSink {
    /// `mode`: accept, refuse550 or refuse451.
    pub async fn start(mode: &str) -> SmtpSink {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py/smtp_sink.py");
        let mut child = tokio::process::Command::new(python())
            .arg(script)
            .arg(mode)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP sink");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = next_line(&mut lines).await;
        let port = first["port"].as_u64().expect("the sink prints its port first") as u16;
        SmtpSink { port, lines, _child: child }
    }

    /// The next message the server saw (accepted or refused).
    pub async fn next(&mut self) -> Value {
        next_line(&mut self.lines).await
    }
}

async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    // A guard against a hung child, not a measurement.
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the SMTP sink answers")
        .expect("read the SMTP sink")
        .expect("the SMTP sink is running");
    serde_json::from_str(&line).expect("the sink prints JSON")
}

/// One request the webhook receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

/// An HTTP receiver standing in for an SMS gateway. Fails the first
/// `fail_first` requests with 500.
#[derive(Clone)]
pub struct WebhookSink {
    pub url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    /// One permit per request received.
    arrived: Arc<tokio::sync::Semaphore>,
}

impl WebhookSink {
    pub async fn start(fail_first: u32) -> WebhookSink {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let failing = Arc::new(AtomicU32::new(fail_first));
        let arrived = Arc::new(tokio::sync::Semaphore::new(0));
        let (h, f, a) = (hits.clone(), failing.clone(), arrived.clone());
        let app = axum::Router::new().route(
            "/sms",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let (h, f, a) = (h.clone(), f.clone(), a.clone());
                async move {
                    h.lock().unwrap().push(Hit { headers, body });
                    a.add_permits(1);
                    if f.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/sms", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        WebhookSink { url, hits, arrived }
    }

    /// Waits until `n` more requests have arrived.
    pub async fn wait_for(&self, n: u32) {
        // A guard against a hang, not a measurement.
        tokio::time::timeout(Duration::from_secs(30), self.arrived.acquire_many(n))
            .await
            .expect("the requests arrive")
            .expect("the semaphore is open")
            .forget();
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// A JSON gateway configuration with an API key header.
    pub fn config(&self) -> WebhookConfig {
        let mut c = WebhookConfig::json(self.url.clone());
        c.headers = vec![("x-api-key".into(), Secret::new("k-123"))];
        c.body_template = r#"{"mobile":"{to}","content":"{body}","ref":"{id}","lang":"{locale}"}"#.into();
        c.timeout = Duration::from_secs(5);
        c
    }
}

/// A TCP server that accepts connections and never says a word.
pub async fn hanging_server() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    port
}
