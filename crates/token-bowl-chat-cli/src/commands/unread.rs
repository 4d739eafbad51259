//! `unread`: unread counts and marking read.

use clap::Subcommand;
use serde_json::json;
use token_bowl_chat::{Client, Page};
use uuid::Uuid;

use super::{
    messages::message_table,
    shared::{Result, wait},
};
use crate::{failure::Failure, output::Out};

#[derive(Debug, Subcommand)]
pub enum Unread {
    /// How many messages are unread
    Count,
    /// List unread messages (room and direct), oldest first
    List {
        /// Direct messages only
        #[arg(long, short = 'd', conflicts_with = "room")]
        direct: bool,
        /// Room messages only
        #[arg(long, short = 'r')]
        room: bool,
    },
    /// Mark one message, or with --all everything, read
    MarkRead {
        /// Message id (or --all)
        #[arg(conflicts_with = "all")]
        id: Option<Uuid>,
        /// Mark everything read
        #[arg(long)]
        all: bool,
    },
}

/// Runs a `unread` command.
pub async fn run(command: Unread, client: &Client, out: &Out) -> Result {
    match command {
        Unread::Count => {
            let count = wait("counting", client.unread_count()).await?;
            out.show(&count, |out| {
                out.table(
                    &["Room", "Direct", "Total"],
                    vec![vec![
                        count.unread_room_messages.to_string(),
                        count.unread_direct_messages.to_string(),
                        count.total_unread.to_string(),
                    ]],
                )?;
                Ok(())
            })?;
        }
        Unread::List { direct, room } => {
            // Both by default, as `unread count` totals both.
            let mut messages = Vec::new();
            if !direct {
                messages.extend(wait("loading", client.unread_messages(Page::new())).await?);
            }
            if !room {
                messages.extend(wait("loading", client.unread_direct_messages(Page::new())).await?);
            }
            messages.sort_by_key(|m| m.timestamp);
            out.show(&messages, |out| {
                let any_direct = messages.iter().any(|m| m.to_username.is_some());
                message_table(out, &messages, any_direct)?;
                Ok(())
            })?;
        }
        Unread::MarkRead { id, all } => {
            if all {
                let count = wait("marking", client.mark_all_read()).await?;
                out.show(&json!({"marked_as_read": count}), |out| {
                    out.line(&format!("Marked {count} messages read."))?;
                    Ok(())
                })?;
            } else if let Some(id) = id {
                wait("marking", client.mark_read(id)).await?;
                out.show(&json!({"marked_as_read": 1, "id": id}), |out| {
                    out.line(&format!("Marked {id} read."))?;
                    Ok(())
                })?;
            } else {
                return Err(Failure::Usage(
                    "give a message id, or --all to mark everything read".into(),
                ));
            }
        }
    }
    Ok(())
}
