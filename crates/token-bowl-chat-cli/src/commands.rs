//! One function per command.

use std::io;

use futures::StreamExt;
use serde::Serialize;
use serde_json::{Value, json};
use token_bowl_chat::{
    AdminUserUpdate, BotUpdate, Client, ConversationUpdate, HistoryOptions, Message, MessageQuery,
    NewBot, NewConversation, Page, Profile, Register, User,
};

use crate::{
    cli::{
        Admin, AdminMessages, AdminUsers, Bots, Command, Conversations, Messages, Unread, Users,
    },
    failure::Failure,
    live,
    output::{Out, Spinner},
};

type Result<T = ()> = std::result::Result<T, Failure>;

/// Awaits `future` with a spinner on stderr.
async fn wait<T>(
    what: &str,
    future: impl std::future::Future<Output = token_bowl_chat::Result<T>>,
) -> Result<T> {
    let _spinner = Spinner::start(what);
    Ok(future.await?)
}

const REDACTED: &str = "<redacted>";

/// How [`redacted`] treats a secret-named field.
#[derive(Clone, Copy)]
enum Secrets {
    /// Shown as `<redacted>` (lists of bots and users).
    Marked,
    /// Left out (your own profile).
    Omitted,
}

/// JSON of `value` with every secret-named field (`api_key`, `*_token`,
/// ...: the API crate's one list, `is_secret_name`) redacted, at any
/// depth: the CLI's one redaction. Only the commands whose purpose is to
/// hand out a key print one.
fn redacted(value: &impl Serialize, secrets: Secrets) -> Value {
    fn walk(value: &mut Value, secrets: Secrets) {
        match value {
            Value::Object(map) => map.retain(|key, inner| {
                if !token_bowl_chat::api::is_secret_name(key) {
                    walk(inner, secrets);
                    return true;
                }
                *inner = json!(REDACTED);
                matches!(secrets, Secrets::Marked)
            }),
            Value::Array(items) => items.iter_mut().for_each(|item| walk(item, secrets)),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    walk(&mut value, secrets);
    value
}

pub async fn run(command: Command, client: &Client, out: &Out) -> Result {
    match command {
        Command::Register {
            username,
            webhook,
            logo,
            emoji,
        } => {
            let mut registration = Register::new(username);
            registration.webhook_url = webhook;
            registration.logo = logo;
            registration.emoji = emoji;
            let created = wait("registering", client.register(registration)).await?;
            out.show(&created, |out| {
                out.line(&format!(
                    "Registered {} ({}, role {}).",
                    created.username, created.id, created.role
                ))?;
                out.line(&format!("API key: {}", created.api_key.expose_secret()))?;
                out.line(&format!(
                    "Use it with:\n  export TOKEN_BOWL_CHAT_API_KEY={}",
                    created.api_key.expose_secret()
                ))?;
                Ok(())
            })?;
        }
        Command::Info => {
            let me = wait("loading your profile", client.me()).await?;
            profile(out, &me)?;
        }
        Command::Messages(command) => messages(command, client, out).await?,
        Command::Users(command) => users(command, client, out).await?,
        Command::Unread(command) => unread(command, client, out).await?,
        Command::Live(crate::cli::Live::Chat) => live::chat(client, out).await?,
        Command::Live(crate::cli::Live::Monitor) => live::monitor(client, out).await?,
        Command::Webhook(crate::cli::Webhook::Listen {
            addr,
            path,
            register,
        }) => crate::webhook::listen(client, out, &addr, &path, register.as_deref()).await?,
        Command::Conversations(command) => conversations(command, client, out).await?,
        Command::Bots(command) => bots(command, client, out).await?,
        Command::Admin(command) => admin(command, client, out).await?,
        #[cfg(feature = "agent")]
        Command::Agent(command) => crate::agent::run(command, client, out).await?,
        Command::Logos => {
            let logos = wait("loading logos", client.logos()).await?;
            out.show(&logos, |out| {
                out.table(&["Logo"], logos.iter().map(|l| vec![l.clone()]).collect())?;
                Ok(())
            })?;
        }
        Command::Health => {
            let health = wait("checking", client.health()).await?;
            out.show(&health, |out| {
                out.table(
                    &["Check", "Value"],
                    vec![vec!["status".into(), health.status.clone()]],
                )?;
                Ok(())
            })?;
        }
        Command::Completions { .. } => unreachable!("handled before a client is built"),
    }
    Ok(())
}

fn profile(out: &Out, me: &Profile) -> Result {
    // Your own key is not shown, not even redacted: `me` is for looking.
    out.show(&redacted(me, Secrets::Omitted), |out| {
        profile_table(out, me)
    })
}

fn profile_table(out: &Out, me: &Profile) -> Result {
    let rows = vec![
        vec!["Username".into(), me.username.clone()],
        vec!["Id".into(), me.id.to_string()],
        vec!["Role".into(), me.role.to_string()],
        vec!["Email".into(), me.email.clone().unwrap_or_default()],
        vec![
            "Webhook".into(),
            me.webhook_url
                .as_ref()
                .map(|w| w.to_string())
                .unwrap_or_default(),
        ],
        vec!["Logo".into(), me.logo.clone().unwrap_or_default()],
        vec!["Emoji".into(), me.emoji.clone().unwrap_or_default()],
        vec!["Created".into(), out.time(me.created_at)],
    ];
    out.table(&["Field", "Value"], rows)?;
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

fn message_table(out: &Out, messages: &[Message], direct: bool) -> Result {
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

async fn messages(command: Messages, client: &Client, out: &Out) -> Result {
    match command {
        Messages::Send { text, to } => {
            let text = if text == "-" {
                let mut read = String::new();
                io::Read::read_to_string(&mut io::stdin(), &mut read)?;
                read.trim_end_matches(['\n', '\r']).to_owned()
            } else {
                text
            };
            let sent = match &to {
                Some(to) => wait("sending", client.send_direct_message(to, &text)).await?,
                None => wait("sending", client.send_message(&text)).await?,
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
        }
        Messages::List {
            direct,
            limit,
            offset,
            since,
            all,
        } => {
            if all {
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
                return Ok(());
            }
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
        }
        Messages::Show { id } => {
            let message = wait("loading the message", client.message(id)).await?;
            out.show(&message, |out| {
                message_table(
                    out,
                    std::slice::from_ref(&message),
                    message.to_username.is_some(),
                )?;
                Ok(())
            })?;
        }
    }
    Ok(())
}

fn user_rows(users: &[User]) -> Vec<Vec<String>> {
    users
        .iter()
        .map(|u| {
            let kind = if u.bot {
                "bot"
            } else if u.viewer {
                "viewer"
            } else {
                ""
            };
            vec![
                u.username.clone(),
                u.role.to_string(),
                kind.into(),
                u.emoji
                    .clone()
                    .or_else(|| u.logo.clone())
                    .unwrap_or_default(),
                u.id.to_string(),
            ]
        })
        .collect()
}

async fn users(command: Users, client: &Client, out: &Out) -> Result {
    match command {
        Users::List { online } => {
            let users = if online {
                wait("loading users", client.online_users()).await?
            } else {
                wait("loading users", client.users()).await?
            };
            out.show(&users, |out| {
                if users.is_empty() {
                    out.line("No users.")?;
                } else {
                    out.table(
                        &["Username", "Role", "Type", "Logo", "Id"],
                        user_rows(&users),
                    )?;
                    out.line(&format!("{} users", users.len()))?;
                }
                Ok(())
            })?;
        }
        Users::Update(update) => {
            // Everything is checked before anything changes: a bad logo
            // must not leave the webhook changed behind it.
            if let Some(name) = &update.username
                && (name.is_empty() || name.chars().count() > 50)
            {
                return Err(Failure::Usage(
                    "invalid --username: give 1 to 50 characters".into(),
                ));
            }
            if let Some(url) = &update.webhook
                && !is_http_url(url)
            {
                return Err(Failure::Usage(format!(
                    "invalid --webhook: {url:?} is not an http(s) URL"
                )));
            }
            if let Some(logo) = &update.logo {
                let logos = wait("checking the logo", client.logos()).await?;
                if !logos.iter().any(|l| l == logo) {
                    return Err(Failure::Usage(format!(
                        "invalid --logo: {logo:?} is not one of {}",
                        logos.join(", ")
                    )));
                }
            }
            let mut done = serde_json::Map::new();
            let step = async {
                if let Some(name) = &update.username {
                    let me = wait("renaming", client.set_username(name)).await?;
                    done.insert("username".into(), json!(me.username));
                }
                if update.clear_webhook {
                    wait("clearing the webhook", client.set_webhook(None)).await?;
                    done.insert("webhook_url".into(), Value::Null);
                } else if let Some(url) = &update.webhook {
                    let set = wait("setting the webhook", client.set_webhook(Some(url))).await?;
                    done.insert("webhook_url".into(), json!(set.webhook_url));
                }
                if let Some(logo) = &update.logo {
                    wait("setting the logo", client.set_logo(Some(logo))).await?;
                    done.insert("logo".into(), json!(logo));
                }
                Ok::<(), Failure>(())
            }
            .await;
            if let Err(failure) = step {
                if done.is_empty() {
                    return Err(failure);
                }
                let changed: Vec<&str> = done.keys().map(String::as_str).collect();
                let why = match failure {
                    Failure::Api(e) => e.to_string(),
                    Failure::Usage(m) | Failure::Failed(m) | Failure::Unreachable(m) => m,
                    other => format!("{other:?}"),
                };
                return Err(Failure::Failed(format!(
                    "{why}; already changed before that: {}",
                    changed.join(", ")
                )));
            }
            out.show(&done, |out| {
                for (field, value) in &done {
                    let value = value
                        .as_str()
                        .map_or_else(|| "(cleared)".to_owned(), str::to_owned);
                    out.line(&format!("Updated {field}: {value}"))?;
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Whether `url` is an http(s) URL with something after the scheme.
fn is_http_url(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, rest)| {
        matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") && !rest.is_empty()
    })
}

async fn unread(command: Unread, client: &Client, out: &Out) -> Result {
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

async fn conversations(command: Conversations, client: &Client, out: &Out) -> Result {
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

/// A user named by id or by username: the id, and the name when known.
async fn resolve_user(client: &Client, user: &str) -> Result<(uuid::Uuid, String)> {
    if let Ok(id) = user.parse::<uuid::Uuid>() {
        return Ok((id, user.to_owned()));
    }
    let users = wait("looking up the user", client.admin_users()).await?;
    users
        .iter()
        .find(|u| u.username == user)
        .map(|u| (u.id, u.username.clone()))
        .ok_or_else(|| Failure::Failed(format!("no user called {user:?}")))
}

fn deleted(out: &Out, what: &str, id: uuid::Uuid) -> Result {
    out.show(&json!({"deleted": what, "id": id}), |out| {
        out.line(&format!("Deleted {what} {id}."))?;
        Ok(())
    })?;
    Ok(())
}

fn new_key(out: &Out, username: &str, id: uuid::Uuid, key: &token_bowl_chat::ApiKey) -> Result {
    out.show(
        &json!({"username": username, "id": id, "api_key": key.expose_secret()}),
        |out| {
            out.line(&format!(
                "New API key for {username}: {}",
                key.expose_secret()
            ))?;
            Ok(())
        },
    )?;
    Ok(())
}

async fn bots(command: Bots, client: &Client, out: &Out) -> Result {
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

async fn admin(command: Admin, client: &Client, out: &Out) -> Result {
    match command {
        Admin::Users(AdminUsers::List) => {
            let users = wait("loading users", client.admin_users()).await?;
            out.show(&redacted(&users, Secrets::Marked), |out| {
                let rows = users
                    .iter()
                    .map(|u| {
                        vec![
                            u.username.clone(),
                            u.role.to_string(),
                            u.email.clone().unwrap_or_default(),
                            out.time(u.created_at),
                            u.id.to_string(),
                        ]
                    })
                    .collect();
                out.table(&["Username", "Role", "Email", "Created", "Id"], rows)?;
                Ok(())
            })?;
        }
        Admin::Users(AdminUsers::Show { user }) => {
            let (id, _) = resolve_user(client, &user).await?;
            profile(out, &wait("loading", client.admin_user(id)).await?)?
        }
        Admin::Users(AdminUsers::Update {
            user,
            username,
            email,
            webhook,
            logo,
            emoji,
        }) => {
            let mut update = AdminUserUpdate::new();
            update.username = username;
            update.email = email;
            update.webhook_url = webhook;
            update.logo = logo;
            update.emoji = emoji;
            let (id, _) = resolve_user(client, &user).await?;
            profile(
                out,
                &wait("updating", client.admin_update_user(id, update)).await?,
            )?;
        }
        Admin::Users(AdminUsers::Delete { user }) => {
            let (id, _) = resolve_user(client, &user).await?;
            wait("deleting", client.admin_delete_user(id)).await?;
            deleted(out, "user", id)?;
        }
        Admin::Users(AdminUsers::Role { user, role }) => {
            let (id, _) = resolve_user(client, &user).await?;
            let done = wait("assigning", client.admin_set_role(id, role.into())).await?;
            out.show(&done, |out| {
                out.line(&done.message)?;
                Ok(())
            })?;
        }
        Admin::Users(AdminUsers::RegenerateKey { user }) => {
            let (id, name) = resolve_user(client, &user).await?;
            let key = wait("regenerating", client.admin_regenerate_api_key(id)).await?;
            new_key(out, &name, id, &key)?;
        }
        Admin::Messages(AdminMessages::Show { id }) => {
            let message = wait("loading", client.admin_message(id)).await?;
            out.show(&message, |out| {
                message_table(
                    out,
                    std::slice::from_ref(&message),
                    message.to_username.is_some(),
                )?;
                Ok(())
            })?;
        }
        Admin::Messages(AdminMessages::Edit { id, text }) => {
            let message = wait("editing", client.admin_edit_message(id, &text)).await?;
            out.show(&message, |out| {
                out.line(&format!("Edited {id}."))?;
                Ok(())
            })?;
        }
        Admin::Messages(AdminMessages::Delete { id }) => {
            wait("deleting", client.admin_delete_message(id)).await?;
            deleted(out, "message", id)?;
        }
        Admin::Invite {
            email,
            signup_url,
            role,
        } => {
            let invited = wait(
                "inviting",
                client.admin_invite(&email, &signup_url, Some(role.into())),
            )
            .await?;
            out.show(&invited, |out| {
                out.line(&invited.message)?;
                Ok(())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_named_field_is_redacted_at_any_depth() {
        let value = json!({"username": "bob", "api_key": "k1",
            "bots": [{"name": "b", "Refresh_Token": "t1", "token_count": 3}],
            "session": {"client_secret": "s1", "id": 7}});
        assert_eq!(
            redacted(&value, Secrets::Marked),
            json!({"username": "bob", "api_key": REDACTED,
                "bots": [{"name": "b", "Refresh_Token": REDACTED, "token_count": 3}],
                "session": {"client_secret": REDACTED, "id": 7}})
        );
        assert_eq!(
            redacted(&value, Secrets::Omitted),
            json!({"username": "bob", "bots": [{"name": "b", "token_count": 3}],
                "session": {"id": 7}})
        );
    }
}
