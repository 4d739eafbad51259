//! What a source of messages and the bot runtime agree on, so that neither
//! reaches into the other: the verdict on a message taken in (which the
//! webhook server turns into its answer), the stop signal both wait on,
//! and the gap fill a bot runs after its webhook receiver opens.

#[cfg(feature = "webhook")]
use futures::future::BoxFuture;
use tokio::sync::watch;

#[cfg(feature = "bot")]
use crate::{Client, Message, Result, delivery::Position};

/// What the consumer made of a delivery, decided before the answer goes
/// out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Taken: answer `200`.
    Accepted,
    /// Seen before: answer `200` so that the server stops.
    Repeat,
    /// Not taken now (queue full, store failed): answer `503`, the server
    /// tries again.
    Busy(String),
}

/// A verdict given at once (a consumer that does not wait for anything).
#[cfg(feature = "webhook")]
pub(crate) fn decided(verdict: Verdict) -> Pending {
    Box::pin(std::future::ready(verdict))
}

/// What a consumer answers a message with, once it has taken it in.
#[cfg(feature = "webhook")]
pub(crate) type Pending = BoxFuture<'static, Verdict>;

/// Returns once a stop is asked for (or the sender is gone).
pub(crate) async fn stop_requested(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// What came since `position`: room messages and direct messages to `me`,
/// oldest first. A bot on webhooks runs it once its receiver is open.
#[cfg(feature = "bot")]
#[cfg_attr(not(feature = "webhook"), allow(dead_code))]
pub(crate) async fn since(client: &Client, me: &str, position: &Position) -> Result<Vec<Message>> {
    let Some(time) = position.timestamp else {
        return Ok(Vec::new());
    };
    let mut messages = client.history_since(false, me, time).await?;
    messages.extend(client.history_since(true, me, time).await?);
    messages.sort_by_key(|m| m.timestamp);
    Ok(messages)
}
