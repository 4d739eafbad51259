//! What a handler gets: the message, why it runs, and ways to answer.

use std::{fmt, sync::Arc};

use super::{Trigger, dispatch::Core, reply::send_once, routes::strip_leading_mention};
use crate::{Client, Message, Result};

/// What a handler gets: the message, why it was called, and ways to answer.
#[derive(Clone)]
pub struct Context {
    pub(super) message: Message,
    pub(super) trigger: Trigger,
    pub(super) core: Arc<Core>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("trigger", &self.trigger)
            .field("message_id", &self.message.id)
            .field("from", &self.message.from_username)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// The message.
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// Its text.
    pub fn text(&self) -> &str {
        &self.message.content
    }

    /// Who sent it.
    pub fn sender(&self) -> &str {
        &self.message.from_username
    }

    /// Why this handler runs.
    pub fn trigger(&self) -> &Trigger {
        &self.trigger
    }

    /// For a command: its arguments; otherwise the text without a leading
    /// mention of the bot (`"@bot hi there"` gives `"hi there"`).
    pub fn args(&self) -> &str {
        match &self.trigger {
            Trigger::Command { args, .. } => args,
            _ => strip_leading_mention(&self.message.content, &self.core.me),
        }
    }

    /// Whether it came as a direct message (else in the room).
    pub fn is_direct(&self) -> bool {
        self.message.to_username.is_some()
    }

    /// The bot's own username.
    pub fn me(&self) -> &str {
        &self.core.me
    }

    /// The client, for anything else.
    pub fn client(&self) -> &Client {
        &self.core.client
    }

    /// Answers where the message came: in the room, or directly to the
    /// sender. Sent exactly once (see the module docs); counts against the
    /// reply budget.
    pub async fn reply(&self, text: &str) -> Result<Message> {
        let to = self.is_direct().then_some(self.sender());
        self.send(to, text).await
    }

    /// Answers the sender directly, wherever the message came.
    pub async fn reply_direct(&self, text: &str) -> Result<Message> {
        self.send(Some(self.sender()), text).await
    }

    /// Answers in the room, wherever the message came (for an account that
    /// may not send direct messages, as `bot` accounts on server 2.0.1).
    /// Sent exactly once; counts against the reply budget.
    pub async fn reply_in_room(&self, text: &str) -> Result<Message> {
        self.send(None, text).await
    }

    /// Shows "typing" where the message came.
    pub async fn typing(&self) -> Result<()> {
        let to = self.is_direct().then_some(self.sender());
        self.core.client.typing(to).await.map(drop)
    }

    async fn send(&self, to: Option<&str>, text: &str) -> Result<Message> {
        self.core.spend_budget(self.sender())?;
        send_once(&self.core.client, to, text).await
    }
}
