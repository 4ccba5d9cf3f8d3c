//! E-mail over SMTP (lettre). Plain SMTP without TLS, as to a relay on the
//! local network; every exchange is bounded by a timeout so a server that
//! hangs cannot hold a worker.

use super::{Channel, Outgoing, SendError, SendFuture};
use crate::auth::Secret;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// Where and how to send e-mail.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The sender, e.g. `Pledge <notice@utility.example>`.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The longest a whole delivery (connect, greeting, message) may take.
    pub timeout: Duration,
}

pub struct SmtpChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
}

impl SmtpChannel {
    /// Checks the sender address; the server is first contacted on the first send.
    pub fn new(cfg: &SmtpConfig) -> Result<SmtpChannel, SendError> {
        let from: Mailbox =
            cfg.from.parse().map_err(|e| SendError(format!("bad sender address {:?}: {e}", cfg.from)))?;
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.as_str())
            .port(cfg.port)
            .timeout(Some(cfg.timeout));
        if let (Some(u), Some(p)) = (&cfg.username, &cfg.password) {
            b = b.credentials(Credentials::new(u.clone(), p.expose().to_owned()));
        }
        Ok(SmtpChannel { transport: b.build(), from, timeout: cfg.timeout })
    }
}

impl Channel for SmtpChannel {
    fn send<'a>(&'a self, msg: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let to = msg.to.as_deref().ok_or_else(|| SendError("no e-mail address".into()))?;
            let to: Mailbox = to.parse().map_err(|e| SendError(format!("bad e-mail address: {e}")))?;
            let email = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(msg.subject.clone())
                .header(ContentType::TEXT_PLAIN)
                .body(msg.body.clone())
                .map_err(|e| SendError(format!("cannot build the message: {e}")))?;
            match tokio::time::timeout(self.timeout, self.transport.send(email)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(SendError(format!("SMTP: {e}"))),
                Err(_) => Err(SendError(format!("SMTP: no answer within {} s", self.timeout.as_secs_f32()))),
            }
        })
    }
}
