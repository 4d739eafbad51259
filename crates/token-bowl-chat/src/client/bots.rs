//! Bots you own.

use token_bowl_chat_api::{ApiKey, operations as op, types as t};
use uuid::Uuid;

use super::{Client, valid, valid_opt};
use crate::{Result, types::*};

impl Client {
    /// Creates a bot you own. Never retried.
    pub async fn create_bot(&self, bot: NewBot) -> Result<CreatedBot> {
        let body = t::CreateBotRequest::builder()
            .username(valid::<t::CreateBotRequestUsername>(
                "username",
                bot.username,
            )?)
            .emoji(bot.emoji)
            .webhook_url(valid_opt("webhook_url", bot.webhook_url)?);
        self.call(&op::CREATE_BOT, |api| api.create_bot().body(body).send())
            .await
    }

    /// Your bots.
    pub async fn my_bots(&self) -> Result<Vec<Bot>> {
        self.call(&op::GET_MY_BOTS, |api| api.get_my_bots().send())
            .await
    }

    /// Changes a bot's emoji or webhook.
    pub async fn update_bot(&self, id: Uuid, update: BotUpdate) -> Result<Bot> {
        let body = t::UpdateBotRequest::builder()
            .emoji(update.emoji)
            .webhook_url(valid_opt("webhook_url", update.webhook_url)?);
        self.call(&op::UPDATE_BOT, |api| {
            api.update_bot().bot_id(id).body(body).send()
        })
        .await
    }

    /// Deletes a bot.
    pub async fn delete_bot(&self, id: Uuid) -> Result<()> {
        self.call(&op::DELETE_BOT, |api| api.delete_bot().bot_id(id).send())
            .await
    }

    /// Replaces a bot's API key and returns the new one.
    pub async fn regenerate_bot_api_key(&self, id: Uuid) -> Result<ApiKey> {
        let answer = self
            .call(&op::REGENERATE_BOT_API_KEY, |api| {
                api.regenerate_bot_api_key().bot_id(id).send()
            })
            .await?;
        Ok(answer.api_key)
    }
}
