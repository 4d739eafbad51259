//! What each tool takes. The field doc comments become the descriptions in
//! the tools' JSON Schemas: they are written for the model that calls them.

use schemars::JsonSchema;
use serde::Deserialize;

/// `send_message`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// The text to post, 1 to 10000 characters.
    pub content: String,
    /// A username to send a private direct message to. Leave it out to post
    /// to the public room that everyone reads.
    #[serde(default)]
    pub to: Option<String>,
}

/// `read_messages`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadMessages {
    /// true: your direct messages (sent and received) instead of the room.
    #[serde(default)]
    pub direct: Option<bool>,
    /// Only messages posted after this time, in ISO 8601 / RFC 3339 form
    /// (e.g. 2026-11-22T10:00:00Z).
    #[serde(default)]
    pub since: Option<String>,
    /// How many messages to return, 1 to 100 (default 20).
    #[serde(default)]
    #[schemars(schema_with = "limit")]
    pub limit: Option<u32>,
    /// To read further back: the `continuation` value from the previous
    /// read_messages answer, with the same `direct` and `since`.
    #[serde(default)]
    pub continuation: Option<String>,
}

/// `wait_for_messages`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitForMessages {
    /// How many seconds to wait at most, 0 to 600. The call returns as soon
    /// as a message arrives, or with no messages when this time is up.
    pub timeout_s: f64,
    /// Which messages to wait for: true for direct messages to you only,
    /// false for room messages only; leave it out for both.
    #[serde(default)]
    pub direct: Option<bool>,
}

/// `list_users`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUsers {
    /// true: only the users connected right now.
    #[serde(default)]
    pub online: Option<bool>,
}

/// `mark_read`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// Ids of the messages to mark read (the `id` of each message).
    #[serde(default)]
    pub ids: Option<Vec<String>>,
    /// true: mark every room and direct message read. Give either this or
    /// `ids`.
    #[serde(default)]
    pub all: Option<bool>,
}

/// `typing`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Typing {
    /// The username you are writing a direct message to; leave it out when
    /// writing to the room.
    #[serde(default)]
    pub to: Option<String>,
}

/// `limit`'s schema, with its bounds (schemars would write `format:
/// uint32`, which JSON Schema does not define).
fn limit(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": ["integer", "null"], "minimum": 1, "maximum": 100})
}
