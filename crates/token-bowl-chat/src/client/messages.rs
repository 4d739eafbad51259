//! Messages: pages and streams of the room and direct history, one message, typing.

use futures::Stream;
use token_bowl_chat_api::{operations as op, types as t};
use uuid::Uuid;

use super::{Client, valid};
use crate::{
    Result,
    history::{self, HistoryOptions},
    types::*,
};

impl Client {
    /// One page of room messages, newest first.
    pub async fn room_messages(&self, query: MessageQuery) -> Result<MessagePage> {
        let (limit, offset, since) = query.args()?;
        self.call(&op::GET_MESSAGES, |api| {
            paged!(api.get_messages(), limit, offset, since).send()
        })
        .await
    }

    /// One page of your direct messages (sent and received), newest first.
    pub async fn direct_messages(&self, query: MessageQuery) -> Result<MessagePage> {
        let (limit, offset, since) = query.args()?;
        self.call(&op::GET_DIRECT_MESSAGES, |api| {
            paged!(api.get_direct_messages(), limit, offset, since).send()
        })
        .await
    }

    /// All room messages as a stream, newest first, fetched page by page
    /// as it is polled. Never yields a message twice, even when new
    /// messages shift the pages while it runs.
    pub fn room_history(
        &self,
        options: HistoryOptions,
    ) -> impl Stream<Item = Result<Message>> + Send + 'static {
        history::messages(options, pages_of!(self, room_messages))
    }

    /// All your direct messages as a stream; see [`room_history`](Self::room_history).
    pub fn direct_history(
        &self,
        options: HistoryOptions,
    ) -> impl Stream<Item = Result<Message>> + Send + 'static {
        history::messages(options, pages_of!(self, direct_messages))
    }

    /// One message by id.
    pub async fn message(&self, id: Uuid) -> Result<Message> {
        self.call(&op::GET_MESSAGE, |api| {
            api.get_message().message_id(id).send()
        })
        .await
    }

    /// Tells the room (or with `Some(user)`, that user) you are typing.
    pub async fn typing(&self, to_username: Option<&str>) -> Result<TypingSent> {
        if let Some(name) = to_username {
            let _: t::SendMessageRequestToUsername = valid("to_username", name)?;
        }
        self.call(&op::SEND_TYPING_INDICATOR, |api| {
            let b = api.send_typing_indicator();
            match to_username {
                Some(name) => b.to_username(name),
                None => b,
            }
            .send()
        })
        .await
    }

    /// The room messages (`direct: false`) or the direct messages to `me`
    /// (`direct: true`) stored after `since`, oldest first: how real time and
    /// the bot runtime fill a gap. `since` is strictly-after on the server; a
    /// microsecond earlier also brings messages sharing that timestamp (the
    /// callers' de-duplication drops the ones already delivered).
    #[cfg(any(feature = "realtime", feature = "bot"))]
    pub(crate) async fn history_since(
        &self,
        direct: bool,
        me: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Message>> {
        use futures::TryStreamExt;
        let options = HistoryOptions::new()
            .page_size(100)
            .since(since - chrono::TimeDelta::microseconds(1));
        let mut messages: Vec<Message> = if direct {
            let mut direct: Vec<Message> = self.direct_history(options).try_collect().await?;
            // Direct history holds the ones you sent too.
            direct.retain(|m| m.to_username.as_deref() == Some(me));
            direct
        } else {
            self.room_history(options).try_collect().await?
        };
        messages.sort_by_key(|m| m.timestamp);
        Ok(messages)
    }
}
