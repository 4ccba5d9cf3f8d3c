//! An HTTP webhook shaped for SMS gateways: a configurable URL, headers and
//! body template. Placeholders `{to}`, `{body}`, `{subject}`, `{topic}`,
//! `{id}` and `{locale}` are filled with values escaped for the body's format.

use super::{Channel, Outgoing, SendError, SendFuture};
use crate::auth::Secret;
use std::time::Duration;

/// How values are escaped in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEscape {
    /// Inside a JSON string: quotes, backslashes and control characters escaped.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub url: String,
    /// Extra headers, e.g. an API key; values are secrets and never printed.
    pub headers: Vec<(String, Secret)>,
    pub content_type: String,
    pub body_template: String,
    pub escape: BodyEscape,
    pub timeout: Duration,
}

impl WebhookConfig {
    /// A JSON gateway at `url`: `{"to":…,"text":…,"ref":…}`.
    pub fn json(url: impl Into<String>) -> WebhookConfig {
        WebhookConfig {
            url: url.into(),
            headers: Vec::new(),
            content_type: "application/json".into(),
            body_template: r#"{"to":"{to}","text":"{body}","ref":"{id}"}"#.into(),
            escape: BodyEscape::Json,
            timeout: Duration::from_secs(10),
        }
    }
}

pub struct WebhookChannel {
    client: reqwest::Client,
    cfg: WebhookConfig,
}

impl WebhookChannel {
    pub fn new(cfg: WebhookConfig) -> Result<WebhookChannel, SendError> {
        reqwest::Url::parse(&cfg.url).map_err(|e| SendError(format!("bad webhook URL: {e}")))?;
        let client = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .build()
            .map_err(|e| SendError(format!("cannot build the HTTP client: {e}")))?;
        Ok(WebhookChannel { client, cfg })
    }

    /// The request body for `msg`.
    pub fn body(&self, msg: &Outgoing) -> String {
        fill(&self.cfg.body_template, msg, self.cfg.escape)
    }
}

fn fill(template: &str, msg: &Outgoing, escape: BodyEscape) -> String {
    let id = msg.id.to_string();
    let pairs: [(&str, &str); 6] = [
        ("{to}", msg.to.as_deref().unwrap_or("")),
        ("{body}", &msg.body),
        ("{subject}", &msg.subject),
        ("{topic}", &msg.topic),
        ("{id}", &id),
        ("{locale}", msg.locale.code()),
    ];
    let mut out = String::with_capacity(template.len() + msg.body.len());
    let mut rest = template;
    'outer: while !rest.is_empty() {
        for (key, value) in pairs {
            if let Some(after) = rest.strip_prefix(key) {
                out.push_str(&escaped(value, escape));
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn escaped(v: &str, escape: BodyEscape) -> String {
    match escape {
        BodyEscape::Json => {
            let quoted = serde_json::Value::String(v.to_owned()).to_string();
            quoted[1..quoted.len() - 1].to_owned()
        }
        BodyEscape::Form => {
            let mut s = String::new();
            for b in v.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => s.push(b as char),
                    b' ' => s.push('+'),
                    _ => s.push_str(&format!("%{b:02X}")),
                }
            }
            s
        }
    }
}

impl Channel for WebhookChannel {
    fn send<'a>(&'a self, msg: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let mut req = self
                .client
                .post(&self.cfg.url)
                .header("content-type", &self.cfg.content_type)
                .header("idempotency-key", format!("pledge-notification-{}", msg.id));
            for (name, value) in &self.cfg.headers {
                req = req.header(name.as_str(), value.expose());
            }
            let res = req.body(self.body(msg)).send().await.map_err(|e| {
                let what = if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "cannot connect"
                } else {
                    "request failed"
                };
                SendError(format!("webhook: {what}"))
            })?;
            let status = res.status();
            if status.is_success() { Ok(()) } else { Err(SendError(format!("webhook: HTTP {}", status.as_u16()))) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pledge_domain::notify::Locale;

    fn msg() -> Outgoing {
        Outgoing {
            id: pledge_domain::NotificationId(42),
            topic: "outage.announced".into(),
            to: Some("13800000001".into()),
            locale: Locale::Zh,
            subject: "停气".into(),
            body: "因\"检修\"停气\n请谅解 & 配合".into(),
        }
    }

    #[test]
    fn json_bodies_escape_quotes_and_newlines() {
        let body = fill(r#"{"to":"{to}","text":"{body}","ref":"{id}","x":"{unknown}"}"#, &msg(), BodyEscape::Json);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["text"], "因\"检修\"停气\n请谅解 & 配合");
        assert_eq!(
            (v["to"].as_str(), v["ref"].as_str(), v["x"].as_str()),
            (Some("13800000001"), Some("42"), Some("{unknown}"))
        );
    }

    #[test]
    fn form_bodies_percent_encode() {
        let body = fill("mobile={to}&content={subject}&id={id}", &msg(), BodyEscape::Form);
        assert_eq!(body, "mobile=13800000001&content=%E5%81%9C%E6%B0%94&id=42");
    }
}
