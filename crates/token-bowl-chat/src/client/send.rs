//! Sending a message exactly once.
//!
//! A send is never retried: when its outcome is unknown (a timeout, a cut
//! connection, a 5xx, a 408) the error is [`Error::SendOutcomeUnknown`],
//! and [`Client::find_sent`] looks in recent history for the message
//! before anyone sends it again.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use token_bowl_chat_api::{operations as op, types as t};

use super::{Client, valid, valid_opt};
use crate::{Error, Result, error::UnknownSend, types::*};

impl Client {
    /// Sends a message to the room.
    ///
    /// Never retried: if the outcome is unknown (timeout, connection cut,
    /// 5xx) the error is [`Error::SendOutcomeUnknown`]; see [`find_sent`](Self::find_sent).
    pub async fn send_message(&self, content: &str) -> Result<Message> {
        self.send(content, None).await
    }

    /// Sends a direct message to `to_username`. Same guarantees as
    /// [`send_message`](Self::send_message).
    pub async fn send_direct_message(&self, to_username: &str, content: &str) -> Result<Message> {
        self.send(content, Some(to_username)).await
    }

    async fn send(&self, content: &str, to_username: Option<&str>) -> Result<Message> {
        let body = t::SendMessageRequest::builder()
            .content(valid::<t::SendMessageRequestContent>("content", content)?)
            .to_username(valid_opt("to_username", to_username)?);
        let attempted_at = Utc::now();
        let result = self
            .call(&op::SEND_MESSAGE, |api| {
                api.send_message().body(body).send()
            })
            .await;
        result.map_err(|cause| unknown_outcome(cause, content, to_username, attempted_at))
    }

    /// Looks in recent history for a message whose send ended in
    /// [`Error::SendOutcomeUnknown`]: `Some` if the server stored it.
    ///
    /// It matches your newest message with the same recipient and text,
    /// stored from a minute before the attempt on (up to 100 messages): the
    /// same text sent twice within that minute cannot be told apart.
    pub async fn find_sent(&self, unknown: &UnknownSend) -> Result<Option<Message>> {
        let me = self.me().await?;
        let query = MessageQuery::new()
            .limit(100)
            .since(unknown.attempted_at - ChronoDuration::seconds(60));
        let page = match &unknown.to_username {
            None => self.room_messages(query).await?,
            Some(_) => self.direct_messages(query).await?,
        };
        Ok(page.messages.into_iter().find(|m| {
            m.from_username == me.username
                && m.content == unknown.content
                && m.to_username == unknown.to_username
        }))
    }
}

/// A send's error: [`Error::SendOutcomeUnknown`] when the server may have
/// stored the message (a timeout, a cut connection, a 5xx, a 408), else
/// `cause`. Out of line: only a failed send gets here.
#[cold]
#[inline(never)]
fn unknown_outcome(
    cause: Error,
    content: &str,
    to_username: Option<&str>,
    attempted_at: DateTime<Utc>,
) -> Error {
    let unknown = match &cause {
        Error::Timeout { .. } | Error::Transport { .. } | Error::Server(_) => true,
        Error::Status(h) => h.status.as_u16() == 408,
        _ => false,
    };
    if unknown {
        Error::SendOutcomeUnknown(Box::new(UnknownSend {
            content: content.to_owned(),
            to_username: to_username.map(str::to_owned),
            attempted_at,
            cause: Some(Box::new(cause)),
        }))
    } else {
        cause
    }
}
