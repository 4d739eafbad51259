//! Unread messages: the lists, the count, and marking read.

use token_bowl_chat_api::operations as op;
use uuid::Uuid;

use super::Client;
use crate::{Result, types::*};

impl Client {
    /// Unread room messages, oldest first.
    pub async fn unread_messages(&self, page: Page) -> Result<Vec<Message>> {
        let (limit, offset) = page.args(None)?;
        self.call(&op::GET_UNREAD_ROOM_MESSAGES, |api| {
            paged!(api.get_unread_room_messages(), limit, offset).send()
        })
        .await
    }

    /// Unread direct messages, oldest first.
    pub async fn unread_direct_messages(&self, page: Page) -> Result<Vec<Message>> {
        let (limit, offset) = page.args(None)?;
        self.call(&op::GET_UNREAD_DIRECT_MESSAGES, |api| {
            paged!(api.get_unread_direct_messages(), limit, offset).send()
        })
        .await
    }

    /// How many room and direct messages are unread.
    pub async fn unread_count(&self) -> Result<UnreadCount> {
        self.call(&op::GET_UNREAD_COUNT, |api| api.get_unread_count().send())
            .await
    }

    /// Marks one message read.
    pub async fn mark_read(&self, id: Uuid) -> Result<()> {
        self.call(&op::MARK_MESSAGE_AS_READ, |api| {
            api.mark_message_as_read().message_id(id).send()
        })
        .await
    }

    /// Marks everything read; returns how many messages that was.
    pub async fn mark_all_read(&self) -> Result<u64> {
        let answer = self
            .call(&op::MARK_ALL_MESSAGES_AS_READ, |api| {
                api.mark_all_messages_as_read().send()
            })
            .await?;
        Ok(answer.marked_as_read)
    }
}
