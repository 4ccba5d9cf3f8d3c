//! Notification delivery settings for `pledge serve`: the SMTP relay, the
//! SMS gateway webhook and the retry policy, from options or `PLEDGE_*`
//! environment variables. Passwords and header values never print.

use crate::{CliError, CliResult};
use pledge_app::auth::Secret;
use pledge_app::notify::DeliveryConfig;
use pledge_app::notify::channels::{BodyEscape, Channels, SmtpChannel, SmtpConfig, WebhookChannel, WebhookConfig};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A value read from the command line or environment that must never print.
#[derive(Clone)]
pub struct SecretArg(pub Secret);

impl std::fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl FromStr for SecretArg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SecretArg(Secret::new(s)))
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct NotifyArgs {
    /// SMTP relay for e-mail notifications (plain SMTP, no TLS); without it e-mail goes to the log.
    #[arg(long, value_name = "HOST", env = "PLEDGE_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, value_name = "PORT", env = "PLEDGE_SMTP_PORT", default_value_t = 25)]
    pub smtp_port: u16,
    /// Sender of e-mail notifications.
    #[arg(long, value_name = "MAILBOX", env = "PLEDGE_SMTP_FROM", default_value = "Pledge <pledge@localhost>")]
    pub smtp_from: String,
    #[arg(long, value_name = "USER", env = "PLEDGE_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    #[arg(long, value_name = "PASSWORD", env = "PLEDGE_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<SecretArg>,
    /// The longest one SMTP delivery may take.
    #[arg(long, value_name = "SECONDS", env = "PLEDGE_SMTP_TIMEOUT", default_value_t = 20)]
    pub smtp_timeout: u64,
    /// SMS gateway URL; messages are POSTed there. Without it SMS goes to the log.
    #[arg(long, value_name = "URL", env = "PLEDGE_SMS_WEBHOOK_URL", hide_env_values = true)]
    pub sms_webhook_url: Option<String>,
    /// Extra request headers, `Name: value`, separated by `;` in the environment variable.
    #[arg(
        long = "sms-webhook-header",
        value_name = "HEADER",
        env = "PLEDGE_SMS_WEBHOOK_HEADERS",
        value_delimiter = ';',
        hide_env_values = true
    )]
    pub sms_webhook_headers: Vec<SecretArg>,
    /// Request body with {to}, {body}, {subject}, {topic}, {id} and {locale}.
    #[arg(
        long,
        value_name = "TEMPLATE",
        env = "PLEDGE_SMS_WEBHOOK_BODY",
        default_value = r#"{"to":"{to}","text":"{body}","ref":"{id}"}"#
    )]
    pub sms_webhook_body: String,
    /// application/json (values JSON-escaped) or application/x-www-form-urlencoded (values percent-encoded).
    #[arg(long, value_name = "TYPE", env = "PLEDGE_SMS_WEBHOOK_CONTENT_TYPE", default_value = "application/json")]
    pub sms_webhook_content_type: String,
    #[arg(long, value_name = "SECONDS", env = "PLEDGE_SMS_WEBHOOK_TIMEOUT", default_value_t = 10)]
    pub sms_webhook_timeout: u64,
    /// Attempts before a notification is a dead letter.
    #[arg(long, value_name = "N", env = "PLEDGE_NOTIFY_MAX_ATTEMPTS", default_value_t = 8)]
    pub notify_max_attempts: u32,
}

impl NotifyArgs {
    /// The channels and delivery settings these options describe.
    pub fn build(&self) -> CliResult<(Channels, DeliveryConfig)> {
        let mut channels = Channels::log_only();
        if let Some(host) = self.smtp_host.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
            let cfg = SmtpConfig {
                host: host.to_owned(),
                port: self.smtp_port,
                from: self.smtp_from.clone(),
                username: self.smtp_username.clone(),
                password: self.smtp_password.as_ref().map(|s| s.0.clone()),
                timeout: Duration::from_secs(self.smtp_timeout.max(1)),
            };
            let ch = SmtpChannel::new(&cfg).map_err(|e| CliError::msg(format!("SMTP settings: {e}")))?;
            channels = channels.with_email(Arc::new(ch));
        }
        if let Some(url) = self.sms_webhook_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            let mut headers = Vec::new();
            for h in &self.sms_webhook_headers {
                let raw = h.0.expose().trim();
                if raw.is_empty() {
                    continue;
                }
                let (name, value) = raw
                    .split_once(':')
                    .ok_or_else(|| CliError::msg("SMS webhook headers are written `Name: value`"))?;
                headers.push((name.trim().to_owned(), Secret::new(value.trim())));
            }
            let escape = if self.sms_webhook_content_type.contains("x-www-form-urlencoded") {
                BodyEscape::Form
            } else {
                BodyEscape::Json
            };
            let cfg = WebhookConfig {
                url: url.to_owned(),
                headers,
                content_type: self.sms_webhook_content_type.clone(),
                body_template: self.sms_webhook_body.clone(),
                escape,
                timeout: Duration::from_secs(self.sms_webhook_timeout.max(1)),
            };
            let ch = WebhookChannel::new(cfg).map_err(|e| CliError::msg(format!("SMS webhook settings: {e}")))?;
            channels = channels.with_sms(Arc::new(ch));
        }
        let delivery = DeliveryConfig { max_attempts: self.notify_max_attempts.max(1), ..DeliveryConfig::default() };
        Ok((channels, delivery))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s: SecretArg = "hunter22".parse().unwrap();
        assert_eq!(format!("{s:?}"), "***");
    }
}
