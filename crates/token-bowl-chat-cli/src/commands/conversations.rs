//! `conversations`: saved conversations.

use clap::Subcommand;
use token_bowl_chat::{Client, ConversationUpdate, NewConversation, Page};
use uuid::Uuid;

use super::shared::{Result, deleted, wait};
use crate::{
    output::Out,
    parse::{parse_conversation_limit, parse_offset},
};

#[derive(Debug, Subcommand)]
pub enum Conversations {
    /// List your conversations, newest first
    List {
        /// How many (1-100)
        #[arg(long, short = 'n', default_value = "20", value_parser = parse_conversation_limit, allow_negative_numbers = true)]
        limit: u64,
        /// How many to skip
        #[arg(long, default_value = "0", value_parser = parse_offset, allow_negative_numbers = true)]
        offset: u64,
    },
    /// Show one conversation
    Show {
        /// Conversation id
        id: Uuid,
    },
    /// Save messages as a conversation
    Create {
        /// Message ids
        #[arg(required = true)]
        message_ids: Vec<Uuid>,
        /// Title (1-200 characters)
        #[arg(long)]
        title: Option<String>,
        /// Description
        #[arg(long)]
        description: Option<String>,
    },
    /// Change a conversation
    Update {
        /// Conversation id
        id: Uuid,
        /// New title
        #[arg(long)]
        title: Option<String>,
        /// New description
        #[arg(long)]
        description: Option<String>,
        /// New message ids (replaces the list)
        #[arg(long = "message", value_name = "ID")]
        message_ids: Vec<Uuid>,
    },
    /// Delete a conversation
    Delete {
        /// Conversation id
        id: Uuid,
    },
}

/// Runs a `conversations` command.
pub async fn run(command: Conversations, client: &Client, out: &Out) -> Result {
    let show = |c: &token_bowl_chat::Conversation| -> Result {
        out.show(c, |out| {
            out.table(
                &["Id", "Title", "Description", "Messages", "Created"],
                vec![vec![
                    c.id.to_string(),
                    c.title.clone().unwrap_or_default(),
                    c.description.clone().unwrap_or_default(),
                    c.message_ids.len().to_string(),
                    out.time(c.created_at),
                ]],
            )?;
            Ok(())
        })?;
        Ok(())
    };
    match command {
        Conversations::List { limit, offset } => {
            let page = wait(
                "loading",
                client.conversations(Page::new().limit(limit).offset(offset)),
            )
            .await?;
            out.show(&page, |out| {
                if page.conversations.is_empty() {
                    out.line("No conversations.")?;
                } else {
                    let rows = page
                        .conversations
                        .iter()
                        .map(|c| {
                            vec![
                                c.id.to_string(),
                                c.title.clone().unwrap_or_default(),
                                c.message_ids.len().to_string(),
                                out.time(c.created_at),
                            ]
                        })
                        .collect();
                    out.table(&["Id", "Title", "Messages", "Created"], rows)?;
                }
                Ok(())
            })?;
        }
        Conversations::Show { id } => show(&wait("loading", client.conversation(id)).await?)?,
        Conversations::Create {
            message_ids,
            title,
            description,
        } => {
            let mut new = NewConversation::new(message_ids);
            new.title = title;
            new.description = description;
            show(&wait("saving", client.create_conversation(new)).await?)?;
        }
        Conversations::Update {
            id,
            title,
            description,
            message_ids,
        } => {
            let mut update = ConversationUpdate::new();
            update.title = title;
            update.description = description;
            update.message_ids = (!message_ids.is_empty()).then_some(message_ids);
            show(&wait("saving", client.update_conversation(id, update)).await?)?;
        }
        Conversations::Delete { id } => {
            wait("deleting", client.delete_conversation(id)).await?;
            deleted(out, "conversation", id)?;
        }
    }
    Ok(())
}
