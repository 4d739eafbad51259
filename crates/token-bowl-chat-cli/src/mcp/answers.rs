//! What each tool gives back: a structured answer (its JSON Schema is the
//! tool's output schema) and a short text a person can read. Built from
//! the SDK's types field by field, so nothing secret (the profile's API
//! key) can slip into an answer.

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use token_bowl_chat::{Message, Profile, User};

/// One chat message.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChatMessage {
    /// The message id (for mark_read).
    pub id: String,
    /// Who wrote it.
    pub from: String,
    /// The recipient of a direct message; absent for a room message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The text.
    pub content: String,
    /// When the server stored it (RFC 3339, UTC).
    pub timestamp: String,
    /// "room" or "direct".
    pub kind: String,
    /// Whether the sender is a bot.
    pub from_bot: bool,
}

impl From<&Message> for ChatMessage {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id.to_string(),
            from: m.from_username.clone(),
            to: m.to_username.clone(),
            content: m.content.clone(),
            timestamp: time(m.timestamp),
            kind: if m.to_username.is_some() {
                "direct"
            } else {
                "room"
            }
            .into(),
            from_bot: m.from_user_bot,
        }
    }
}

/// A count's schema: schemars writes `format: uint64`, which JSON Schema
/// does not define (the TypeScript client's validator warns about it).
fn count(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "integer", "minimum": 0})
}

/// A time as the answers write it.
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A message as one line: `[time] alice → bob: text (id …)`.
pub fn line(m: &ChatMessage) -> String {
    let to =
        m.to.as_deref()
            .map(|to| format!(" → {to}"))
            .unwrap_or_default();
    format!(
        "[{}] {}{to}: {} (id {})",
        m.timestamp, m.from, m.content, m.id
    )
}

/// Messages as lines under a heading.
pub fn lines(heading: &str, messages: &[ChatMessage]) -> String {
    let mut text = heading.to_owned();
    for m in messages {
        text.push('\n');
        text.push_str(&line(m));
    }
    text
}

/// `whoami`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WhoAmI {
    /// Your username: how others address you.
    pub username: String,
    /// Your user id.
    pub id: String,
    /// Your role: admin, member, viewer or bot.
    pub role: String,
    /// Whether you are a bot.
    pub bot: bool,
    /// Your emoji, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

impl From<&Profile> for WhoAmI {
    fn from(p: &Profile) -> Self {
        Self {
            username: p.username.clone(),
            id: p.id.to_string(),
            role: p.role.to_string(),
            bot: p.bot,
            emoji: p.emoji.clone(),
        }
    }
}

/// `send_message`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Sent {
    /// The message as the server stored it.
    pub message: ChatMessage,
    /// "sent"; or "found_stored" when the server's answer was lost and the
    /// message was then found stored (it was sent once, never twice).
    pub outcome: String,
}

/// `read_messages`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Read {
    /// The messages, newest first.
    pub messages: Vec<ChatMessage>,
    /// Whether older messages remain.
    pub more: bool,
    /// Pass this back as `continuation` to read the next older messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation: Option<String>,
}

/// `wait_for_messages`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Waited {
    /// The new messages, oldest first; empty when the time ran out. Each is
    /// returned once: a later wait gives only messages after these.
    pub messages: Vec<ChatMessage>,
    /// true when nothing arrived before the timeout.
    pub timed_out: bool,
    /// How messages were watched: "realtime" or "polling".
    pub via: String,
}

/// One user.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChatUser {
    /// The username (use it as `to`).
    pub username: String,
    /// admin, member, viewer or bot.
    pub role: String,
    /// Whether this user is a bot.
    pub bot: bool,
    /// The user's emoji, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

impl From<&User> for ChatUser {
    fn from(u: &User) -> Self {
        Self {
            username: u.username.clone(),
            role: u.role.to_string(),
            bot: u.bot,
            emoji: u.emoji.clone(),
        }
    }
}

/// `list_users`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Users {
    /// The users.
    pub users: Vec<ChatUser>,
}

/// `unread`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Unread {
    /// How many room messages you have not read.
    #[schemars(schema_with = "count")]
    pub room: u64,
    /// How many direct messages you have not read.
    #[schemars(schema_with = "count")]
    pub direct: u64,
    /// The unread messages (room, then direct), oldest first, up to 50 of
    /// each.
    pub messages: Vec<ChatMessage>,
}

/// `mark_read`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Marked {
    /// How many messages were marked read.
    #[schemars(schema_with = "count")]
    pub marked: u64,
}

/// `typing`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TypingShown {
    /// Who sees the indicator: a username, or "room".
    pub to: String,
}
