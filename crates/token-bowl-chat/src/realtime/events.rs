//! The live events and the payloads they carry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{Message, RealtimeError};

/// One live event. Serialises to one JSON object whose `"event"` names the
/// kind (`message`, `read_receipt`, `typing`, `unread_count`, `connected`,
/// `disconnected`, `error`, `unknown`) beside the event's own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A room message, or a direct message to you.
    Message(Box<Message>),
    /// Someone read a message.
    ReadReceipt(ReadReceipt),
    /// Someone is typing.
    Typing(Typing),
    /// Your unread counts changed.
    UnreadCount(UnreadCounts),
    /// Connected (again).
    Connected,
    /// The connection ended.
    Disconnected(Disconnect),
    /// A background failure (a connect attempt, a token fetch, a
    /// backfill); the client goes on trying.
    Error(RealtimeError),
    /// A payload this version does not know.
    Unknown {
        /// The channel it came on.
        channel: String,
        /// The payload as it came: JSON text (or, for a payload that is not
        /// JSON, its text). It serialises as the JSON it holds.
        #[serde(serialize_with = "embedded_json")]
        data: String,
    },
}

/// Writes JSON text as the JSON it holds (or as a string when it is not).
fn embedded_json<S: serde::Serializer>(
    data: &str,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match serde_json::from_str::<Value>(data) {
        Ok(value) => value.serialize(serializer),
        Err(_) => serializer.serialize_str(data),
    }
}

/// A read receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReadReceipt {
    /// The message read.
    pub message_id: Uuid,
    /// Who read it.
    pub read_by: String,
    /// When.
    pub read_at: DateTime<Utc>,
}

/// A typing indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Typing {
    /// Who is typing.
    pub username: String,
    /// To whom (`None`: the room).
    #[serde(rename = "to_username")]
    pub to: Option<String>,
    /// When.
    #[serde(rename = "timestamp")]
    pub at: DateTime<Utc>,
}

/// Unread counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnreadCounts {
    /// Unread room messages.
    #[serde(rename = "unread_room_messages")]
    pub room: u64,
    /// Unread direct messages.
    #[serde(rename = "unread_direct_messages")]
    pub direct: u64,
    /// Both.
    #[serde(rename = "total_unread")]
    pub total: u64,
}

/// Why the connection ended, and whether it comes back by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Disconnect {
    /// Centrifugo's code (a close-frame code, or `centrifuge::codes`).
    pub code: u32,
    /// Its reason.
    pub reason: String,
    /// Whether the client reconnects on its own.
    pub will_reconnect: bool,
}

/// The connection's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Not connected and not trying to.
    Disconnected,
    /// Connecting or reconnecting.
    Connecting,
    /// Connected.
    Connected,
    /// Closed for good.
    Closed,
}
