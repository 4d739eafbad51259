//! `bots`: your bots.

use clap::Subcommand;
use token_bowl_chat::{BotUpdate, Client, NewBot};
use uuid::Uuid;

use super::shared::{Result, Secrets, deleted, new_key, redacted, wait};
use crate::output::Out;

#[derive(Debug, Subcommand)]
pub enum Bots {
    /// Create a bot and print its API key
    Create {
        /// Bot username (1-50 characters)
        username: String,
        /// Emoji
        #[arg(long)]
        emoji: Option<String>,
        /// Webhook URL
        #[arg(long)]
        webhook: Option<String>,
    },
    /// List your bots
    List,
    /// Change a bot
    Update {
        /// Bot id
        id: Uuid,
        /// New emoji
        #[arg(long)]
        emoji: Option<String>,
        /// New webhook URL
        #[arg(long)]
        webhook: Option<String>,
    },
    /// Delete a bot
    Delete {
        /// Bot id
        id: Uuid,
    },
    /// Replace a bot's API key and print the new one
    RegenerateKey {
        /// Bot id
        id: Uuid,
    },
}

/// Runs a `bots` command.
pub async fn run(command: Bots, client: &Client, out: &Out) -> Result {
    match command {
        Bots::Create {
            username,
            emoji,
            webhook,
        } => {
            let mut bot = NewBot::new(username);
            bot.emoji = emoji;
            bot.webhook_url = webhook;
            let created = wait("creating the bot", client.create_bot(bot)).await?;
            out.show(&created, |out| {
                out.line(&format!(
                    "Created bot {} ({}).",
                    created.username, created.id
                ))?;
                out.line(&format!("API key: {}", created.api_key.expose_secret()))?;
                Ok(())
            })?;
        }
        Bots::List => {
            let bots = wait("loading bots", client.my_bots()).await?;
            out.show(&redacted(&bots, Secrets::Marked), |out| {
                if bots.is_empty() {
                    out.line("No bots.")?;
                } else {
                    let rows = bots
                        .iter()
                        .map(|b| {
                            vec![
                                b.username.clone(),
                                b.emoji.clone().unwrap_or_default(),
                                b.webhook_url
                                    .as_ref()
                                    .map(|w| w.to_string())
                                    .unwrap_or_default(),
                                out.time(b.created_at),
                                b.id.to_string(),
                            ]
                        })
                        .collect();
                    out.table(&["Username", "Emoji", "Webhook", "Created", "Id"], rows)?;
                }
                Ok(())
            })?;
        }
        Bots::Update { id, emoji, webhook } => {
            let mut update = BotUpdate::new();
            update.emoji = emoji;
            update.webhook_url = webhook;
            let bot = wait("updating the bot", client.update_bot(id, update)).await?;
            out.show(&redacted(&bot, Secrets::Marked), |out| {
                out.line(&format!("Updated bot {}.", bot.username))?;
                Ok(())
            })?;
        }
        Bots::Delete { id } => {
            wait("deleting the bot", client.delete_bot(id)).await?;
            deleted(out, "bot", id)?;
        }
        Bots::RegenerateKey { id } => {
            let key = wait("regenerating", client.regenerate_bot_api_key(id)).await?;
            let bots = wait("loading your bots", client.my_bots()).await?;
            let name = bots
                .iter()
                .find(|b| b.id == id)
                .map_or_else(|| format!("bot {id}"), |b| b.username.clone());
            new_key(out, &name, id, &key)?;
        }
    }
    Ok(())
}
