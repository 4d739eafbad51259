//! What the app asks the outside to do, and the history sources it names.

use chrono::{DateTime, Utc};
use token_bowl_chat::Uuid;

/// Where a page of history comes from: the room's, or all direct messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// `GET /messages`.
    Room,
    /// `GET /messages/direct` (every partner).
    Direct,
}

/// What the app asks the outside to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send a message (outbox number, recipient, text).
    Send(u64, Option<String>, String),
    /// Ask `find_sent` about an unknown outcome.
    FindSent(u64, Option<String>, String, DateTime<Utc>),
    /// The typing indicator, to a user or the room.
    Typing(Option<String>),
    /// Mark these messages read on the server.
    MarkRead(Vec<Uuid>),
    /// Load an older page of this history.
    LoadOlder(Source),
    /// Fetch what came since the newest message seen (poll, catch-up).
    Poll,
    /// Fetch the users (`true`: and list them, for `/who`).
    FetchUsers(bool),
    /// Leave.
    Quit,
}
