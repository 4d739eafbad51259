//! Saved conversations.

use futures::Stream;
use token_bowl_chat_api::{operations as op, types as t};
use uuid::Uuid;

use super::{Client, valid_opt};
use crate::{
    Result,
    history::{self, HistoryOptions},
    types::*,
};

impl Client {
    /// Saves a conversation (a titled set of messages). Never retried.
    pub async fn create_conversation(&self, conversation: NewConversation) -> Result<Conversation> {
        let body = t::CreateConversationRequest::builder()
            .title(valid_opt("title", conversation.title)?)
            .description(valid_opt("description", conversation.description)?)
            .message_ids(conversation.message_ids);
        self.call(&op::CREATE_CONVERSATION, |api| {
            api.create_conversation().body(body).send()
        })
        .await
    }

    /// One page of your conversations, newest first (`limit` 1–100).
    pub async fn conversations(&self, page: Page) -> Result<ConversationPage> {
        let (limit, offset) = page.args(Some(100))?;
        self.call(&op::GET_CONVERSATIONS, |api| {
            // `page_arg` checked 1..=100 and 0.., so these conversions hold.
            let limit = limit.and_then(|l| std::num::NonZeroU64::new(l.unsigned_abs()));
            paged!(
                api.get_conversations(),
                limit,
                offset.map(i64::unsigned_abs)
            )
            .send()
        })
        .await
    }

    /// All your conversations as a stream, newest first.
    pub fn conversation_history(
        &self,
        options: HistoryOptions,
    ) -> impl Stream<Item = Result<Conversation>> + Send + 'static {
        history::conversations(options, pages_of!(self, conversations))
    }

    /// One conversation.
    pub async fn conversation(&self, id: Uuid) -> Result<Conversation> {
        self.call(&op::GET_CONVERSATION, |api| {
            api.get_conversation().conversation_id(id).send()
        })
        .await
    }

    /// Changes a conversation's title, description or messages.
    pub async fn update_conversation(
        &self,
        id: Uuid,
        update: ConversationUpdate,
    ) -> Result<Conversation> {
        let body = t::UpdateConversationRequest::builder()
            .title(valid_opt("title", update.title)?)
            .description(valid_opt("description", update.description)?)
            .message_ids(update.message_ids);
        self.call(&op::UPDATE_CONVERSATION, |api| {
            api.update_conversation()
                .conversation_id(id)
                .body(body)
                .send()
        })
        .await
    }

    /// Deletes one of your conversations.
    pub async fn delete_conversation(&self, id: Uuid) -> Result<()> {
        self.call(&op::DELETE_CONVERSATION, |api| {
            api.delete_conversation().conversation_id(id).send()
        })
        .await
    }
}
