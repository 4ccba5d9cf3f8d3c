//! Delivery channels: how a rendered message leaves Pledge. Each channel
//! either accepts a message or says why not; the worker retries.

mod log;
mod smtp;
mod webhook;

pub use log::LogChannel;
pub use smtp::{SmtpChannel, SmtpConfig};
pub use webhook::{BodyEscape, WebhookChannel, WebhookConfig};

use pledge_domain::ids::*;
use pledge_domain::notify::{ChannelKind, Locale};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The notification's id: gateways can use it to drop a repeat.
    pub id: NotificationId,
    pub topic: String,
    /// Phone number or e-mail address; None on the log channel.
    pub to: Option<String>,
    pub locale: Locale,
    pub subject: String,
    pub body: String,
}

/// Why a channel did not accept a message (kept as the row's `last_error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// A way to deliver messages.
pub trait Channel: Send + Sync {
    /// Sends one message; resolves once the far side has accepted it.
    fn send<'a>(&'a self, msg: &'a Outgoing) -> SendFuture<'a>;
}

/// The channels this server delivers through. A kind without a configured
/// channel is delivered to the log instead, and the row records that.
#[derive(Clone)]
pub struct Channels {
    sms: Option<Arc<dyn Channel>>,
    email: Option<Arc<dyn Channel>>,
    log: Arc<dyn Channel>,
}

impl Default for Channels {
    fn default() -> Self {
        Channels { sms: None, email: None, log: Arc::new(LogChannel) }
    }
}

impl Channels {
    /// Only the log channel: development and tests.
    pub fn log_only() -> Channels {
        Channels::default()
    }

    pub fn with_sms(mut self, c: Arc<dyn Channel>) -> Channels {
        self.sms = Some(c);
        self
    }

    pub fn with_email(mut self, c: Arc<dyn Channel>) -> Channels {
        self.email = Some(c);
        self
    }

    /// The channel that carries `kind`, and the kind it really is.
    pub fn pick(&self, kind: ChannelKind) -> (ChannelKind, &dyn Channel) {
        match (kind, &self.sms, &self.email) {
            (ChannelKind::Sms, Some(c), _) => (ChannelKind::Sms, c.as_ref()),
            (ChannelKind::Email, _, Some(c)) => (ChannelKind::Email, c.as_ref()),
            _ => (ChannelKind::Log, self.log.as_ref()),
        }
    }

    /// Which kinds have a real channel, for the start-up banner.
    pub fn configured(&self) -> Vec<&'static str> {
        let mut v = vec!["log"];
        if self.sms.is_some() {
            v.push("sms");
        }
        if self.email.is_some() {
            v.push("email");
        }
        v
    }
}
