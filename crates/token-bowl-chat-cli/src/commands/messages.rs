//! `messages`: send, list and show messages.

use std::io;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use futures::StreamExt;
use token_bowl_chat::{Client, Error, HistoryOptions, Message, MessageQuery};
use uuid::Uuid;

use super::shared::{Result, found_note, settle, wait};
use crate::{
    failure::Failure,
    output::{Out, Spinner},
    parse::{parse_limit, parse_offset, parse_time},
};

#[derive(Debug, Subcommand)]
pub enum Messages {
    /// Send a message to the room, or with --to a direct message
    Send {
        /// The text (1-10000 characters); `-` reads it from standard input
        text: String,
        /// Recipient of a direct message
        #[arg(long, short = 't')]
        to: Option<String>,
    },
    /// List messages, newest first
    List {
        /// Your direct messages instead of the room
        #[arg(long, short = 'd')]
        direct: bool,
        /// How many
        #[arg(long, short = 'n', default_value = "10", value_parser = parse_limit, allow_negative_numbers = true)]
        limit: u64,
        /// How many of the newest to skip
        #[arg(long, default_value = "0", conflicts_with = "all", value_parser = parse_offset, allow_negative_numbers = true)]
        offset: u64,
        /// Only messages after this time: 2026-11-22T10:00:00Z, 2026-11-22 10:00
        /// (local), 2026-11-22, or a time ago (10m, 2h, 1d)
        #[arg(long, value_parser = parse_time)]
        since: Option<DateTime<Utc>>,
        /// Every message, fetched page by page (--limit is the page size)
        #[arg(long)]
        all: bool,
    },
    /// Show one message
    Show {
        /// Message id
        id: Uuid,
    },
}

/// Runs a `messages` command.
pub async fn run(command: Messages, client: &Client, out: &Out) -> Result {
    match command {
        Messages::Send { text, to } => send(text, to, client, out).await,
        Messages::List {
            direct,
            limit,
            offset,
            since,
            all,
        } => {
            if all {
                list_all(direct, limit, since, client, out).await
            } else {
                list_page(direct, limit, offset, since, client, out).await
            }
        }
        Messages::Show { id } => {
            let message = wait("loading the message", client.message(id)).await?;
            show(out, &message)
        }
    }
}

async fn send(text: String, to: Option<String>, client: &Client, out: &Out) -> Result {
    let text = if text == "-" {
        let mut read = String::new();
        io::Read::read_to_string(&mut io::stdin(), &mut read)?;
        read.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        text
    };
    let sending = async {
        match &to {
            Some(to) => client.send_direct_message(to, &text).await,
            None => client.send_message(&text).await,
        }
    };
    let sent = match wait("sending", sending).await {
        Err(Failure::Api(Error::SendOutcomeUnknown(unknown))) => {
            let found = {
                let _spinner = Spinner::start("looking for it in recent history");
                settle(client, &unknown).await
            };
            // The note on stderr, so that JSON output stays one document.
            let message = found.map_err(Failure::Failed)?;
            eprintln!("note: {}", found_note(&unknown));
            message
        }
        other => other?,
    };
    out.show(&sent, |out| {
        let target = to.map_or_else(|| "the room".to_owned(), |t| t.to_string());
        out.line(&format!(
            "Sent to {target} at {} (id {}).",
            out.time(sent.timestamp),
            sent.id
        ))?;
        Ok(())
    })?;
    Ok(())
}

/// `messages list --all`: every message, page by page, one JSON line each
/// as it arrives (or one table at the end).
async fn list_all(
    direct: bool,
    limit: u64,
    since: Option<DateTime<Utc>>,
    client: &Client,
    out: &Out,
) -> Result {
    let mut options = HistoryOptions::new().page_size(limit.max(1));
    if let Some(since) = since {
        options = options.since(since);
    }
    let mut stream = if direct {
        client.direct_history(options).boxed()
    } else {
        client.room_history(options).boxed()
    };
    let mut batch = Vec::new();
    while let Some(message) = stream.next().await {
        let message = message?;
        if out.json() {
            out.json_line(&message)?;
        } else {
            batch.push(message);
        }
    }
    if !out.json() {
        message_table(out, &batch, direct)?;
    }
    Ok(())
}

/// `messages list`: one page.
async fn list_page(
    direct: bool,
    limit: u64,
    offset: u64,
    since: Option<DateTime<Utc>>,
    client: &Client,
    out: &Out,
) -> Result {
    let mut query = MessageQuery::new().limit(limit).offset(offset);
    query.since = since;
    let page = if direct {
        wait("loading messages", client.direct_messages(query)).await?
    } else {
        wait("loading messages", client.room_messages(query)).await?
    };
    out.show(&page, |out| {
        message_table(out, &page.messages, direct)?;
        let p = &page.pagination;
        out.line(&format!(
            "{} of {} (offset {}){}",
            page.messages.len(),
            p.total,
            p.offset,
            if p.has_more {
                "; more with --offset or --all"
            } else {
                ""
            }
        ))?;
        Ok(())
    })?;
    Ok(())
}

/// One message (`messages show`, `admin messages show`).
pub fn show(out: &Out, message: &Message) -> Result {
    out.show(message, |out| {
        message_table(
            out,
            std::slice::from_ref(message),
            message.to_username.is_some(),
        )?;
        Ok(())
    })?;
    Ok(())
}

fn message_rows(out: &Out, messages: &[Message], direct: bool) -> Vec<Vec<String>> {
    messages
        .iter()
        .map(|m| {
            let mut row = vec![out.time_in_table(m.timestamp), m.from_username.clone()];
            if direct {
                row.push(m.to_username.clone().unwrap_or_default());
            }
            row.push(m.content.clone());
            row.push(out.id_in_table(m.id));
            row
        })
        .collect()
}

/// Messages as a table, with a To column when `direct`.
pub fn message_table(out: &Out, messages: &[Message], direct: bool) -> Result {
    if messages.is_empty() {
        out.line("No messages.")?;
        return Ok(());
    }
    let header: &[&str] = if direct {
        &["Time", "From", "To", "Message", "Id"]
    } else {
        &["Time", "From", "Message", "Id"]
    };
    out.table(header, message_rows(out, messages, direct))?;
    Ok(())
}
