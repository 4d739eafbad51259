//! A reply stored once: an unknown outcome is looked up before the reply is
//! sent again.

use std::time::Duration;

use crate::{Client, Error, Message, Result};

/// How many times a reply is tried at most.
const SEND_ATTEMPTS: u32 = 3;

/// Sends `text` (to `to`, or the room) so that it is stored once: an
/// unknown outcome is looked up with [`Client::find_sent`] before another
/// try (three at most), a `429` waits its `Retry-After`. What
/// [`Context::reply`](super::Context::reply) sends with, for sends outside
/// a handler; it spends no reply budget.
pub async fn send_once(client: &Client, to: Option<&str>, text: &str) -> Result<Message> {
    let mut attempt = 1;
    loop {
        let sent = match to {
            Some(to) => client.send_direct_message(to, text).await,
            None => client.send_message(text).await,
        };
        match sent {
            Err(Error::SendOutcomeUnknown(unknown)) if attempt < SEND_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(250 * u64::from(attempt))).await;
                match client.find_sent(&unknown).await {
                    Ok(Some(message)) => return Ok(message),
                    Ok(None) => {
                        tracing::info!(attempt, "bot: a reply was not stored; sending it again");
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "bot: cannot look up a reply of unknown outcome");
                        return Err(Error::SendOutcomeUnknown(unknown));
                    }
                }
            }
            Err(Error::RateLimited(limited)) if attempt < SEND_ATTEMPTS => {
                let wait = limited.retry_after.unwrap_or(Duration::from_secs(1));
                tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
            }
            other => return other,
        }
        attempt += 1;
    }
}
