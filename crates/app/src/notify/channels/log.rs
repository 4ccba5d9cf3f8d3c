//! The log channel: writes the message to the server log. For development,
//! and for recipients without a phone or e-mail address.

use super::{Channel, Outgoing, SendFuture};

#[derive(Debug, Clone, Copy, Default)]
pub struct LogChannel;

impl Channel for LogChannel {
    fn send<'a>(&'a self, msg: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            // The address is personal data: only the id and the text are logged.
            tracing::info!(target: "pledge::notify", id = msg.id.get(), topic = %msg.topic, locale = msg.locale.code(),
                           subject = %msg.subject, body = %msg.body, "notification");
            Ok(())
        })
    }
}
