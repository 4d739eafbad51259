//! The rules one server's documents opt into: what the normaliser knows
//! about a server beyond its document, in one place.
//!
//! Every other step of the normaliser repairs what the generator cannot
//! read and keeps the document's meaning. The rules here change types on
//! the strength of what a server really sends (read from its code and its
//! traffic), so they hold for that server only: for another API a
//! `user_id` of `auth0|42` or a `total` of `-3` is a real value. A document
//! gets them when its `info.title` is the server's ([`Rules::for_document`])
//! or when `cargo xtask regen --rules NAME` asks; any other document keeps
//! its own types unless it says otherwise itself (`format: uuid`,
//! `minimum: 0`, `format: password`).

use serde_json::Value;

/// A free-form answer given its real shape: `(operationId, schema name,
/// string fields, integer fields)`. Every field but a human-readable
/// `message` is required.
pub type TypedAnswer = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// What the normaliser may assume about one server's documents.
#[derive(Debug)]
pub struct Rules {
    /// The name `--rules` takes.
    pub name: &'static str,
    /// The `info.title` of the server's documents; `None` matches none.
    pub title: Option<&'static str>,
    /// Property names that hold timestamps: `format: date-time`.
    pub date_time_fields: &'static [&'static str],
    /// Property names whose values are UUIDs (in requests, and a record's
    /// own `id`): `format: uuid`.
    pub uuid_fields: &'static [&'static str],
    /// Array properties whose items are UUIDs.
    pub uuid_list_fields: &'static [&'static str],
    /// Path parameters that are UUIDs.
    pub uuid_path_parameters: &'static [&'static str],
    /// In what the client only reads: a `*_id` string refers to another
    /// record and may be `""` (`Option<Uuid>`, `""` read as `None`).
    pub lenient_reference_ids: bool,
    /// In what the client only reads: counts, offsets and limits
    /// (`total*`, `unread_*`, `*count`, ...) are never negative (`u64`).
    pub unsigned_counts: bool,
    /// In what the client only reads: secret-named strings (`api_key`,
    /// `token`, `*_token`, ...) redact (`format: password`).
    pub secret_names: bool,
    /// `GET /centrifugo/connection-token`'s free-form answer is the typed
    /// `ConnectionToken`.
    pub connection_token: bool,
    /// Free-form answers given their real shapes.
    pub typed_answers: &'static [TypedAnswer],
    /// Operations (by final id) that are safe to send again although
    /// their method is not (a POST that only marks or signals): marked
    /// `x-idempotent`, which the operation table carries to the retries.
    pub idempotent_operations: &'static [&'static str],
}

/// No server's rules: the document's own types stand.
pub const NONE: Rules = Rules {
    name: "none",
    title: None,
    date_time_fields: &[],
    uuid_fields: &[],
    uuid_list_fields: &[],
    uuid_path_parameters: &[],
    lenient_reference_ids: false,
    unsigned_counts: false,
    secret_names: false,
    connection_token: false,
    typed_answers: &[],
    idempotent_operations: &[],
};

/// The Token Bowl Chat Server's rules, read from its code and recorded
/// traffic (`server-behavior.md`).
pub const TOKEN_BOWL: Rules = Rules {
    name: "token-bowl",
    title: Some("Token Bowl Chat Server"),
    date_time_fields: &[
        "timestamp",
        "created_at",
        "updated_at",
        "read_at",
        "expires_at",
    ],
    // A reference to another record (`from_user_id`, `created_by_id`, ...)
    // in an answer is lenient instead: the server sends `""` when what it
    // points to is gone or never was (a deleted sender, a bot an admin
    // made from a user).
    uuid_fields: &["id", "message_id"],
    uuid_list_fields: &["message_ids"],
    // A non-UUID gets a 400 or 422.
    uuid_path_parameters: &["message_id", "user_id", "bot_id", "conversation_id"],
    lenient_reference_ids: true,
    unsigned_counts: true,
    secret_names: true,
    connection_token: true,
    typed_answers: &[
        ("update_my_logo", "LogoUpdated", &["message", "logo"], &[]),
        (
            "update_my_webhook",
            "WebhookUpdated",
            &["message", "webhook_url"],
            &[],
        ),
        (
            "regenerate_my_api_key",
            "ApiKeyRegenerated",
            &["message", "api_key"],
            &[],
        ),
        (
            "regenerate_bot_api_key",
            "ApiKeyRegenerated",
            &["message", "api_key"],
            &[],
        ),
        (
            "admin_regenerate_user_api_key",
            "ApiKeyRegenerated",
            &["message", "api_key"],
            &[],
        ),
        (
            "mark_all_messages_as_read",
            "MarkedAllRead",
            &[],
            &["marked_as_read"],
        ),
        (
            "send_typing_indicator",
            "TypingSent",
            &["status", "to"],
            &[],
        ),
        ("health_check", "Health", &["status"], &[]),
        // `connections` is always `[]` and has no defined shape: left out
        // (an unknown field is ignored).
        (
            "get_websocket_connections",
            "RealtimeStats",
            &[],
            &["total_users", "total_connections"],
        ),
    ],
    // Marking read twice marks nothing new; a second typing signal only
    // extends the indicator.
    idempotent_operations: &[
        "mark_message_as_read",
        "mark_all_messages_as_read",
        "send_typing_indicator",
    ],
};

/// Every set of rules, by name.
pub const ALL: &[&Rules] = &[&NONE, &TOKEN_BOWL];

impl Rules {
    /// The rules called `name`.
    pub fn named(name: &str) -> Option<&'static Rules> {
        ALL.iter().copied().find(|rules| rules.name == name)
    }

    /// The rules of the server whose title the document carries; [`NONE`]
    /// for any other document.
    pub fn for_document(doc: &Value) -> &'static Rules {
        let title = doc.pointer("/info/title").and_then(Value::as_str);
        ALL.iter()
            .copied()
            .find(|rules| rules.title.is_some() && rules.title == title)
            .unwrap_or(&NONE)
    }

    /// Whether a string property of what the client only reads holds a
    /// secret.
    pub fn is_secret_name(&self, name: &str) -> bool {
        self.secret_names && token_bowl_chat_codegen::is_secret_name(name)
    }

    /// Whether an integer property of what the client only reads counts,
    /// or pages, and is never negative.
    pub fn is_count_name(&self, name: &str) -> bool {
        const COUNTS: &[&str] = &["offset", "limit", "marked_as_read"];
        self.unsigned_counts
            && (COUNTS.contains(&name)
                || name.starts_with("total")
                || name.starts_with("unread_")
                || name.ends_with("count"))
    }

    /// Whether a string property of what the client only reads refers to
    /// another record and may be `""`.
    pub fn is_reference_id(&self, name: &str) -> bool {
        self.lenient_reference_ids && name.ends_with("_id")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_gets_its_servers_rules_by_title_and_others_none() {
        let doc = |title: &str| json!({"info": {"title": title, "version": "1"}});
        assert_eq!(
            Rules::for_document(&doc("Token Bowl Chat Server")).name,
            "token-bowl"
        );
        assert_eq!(Rules::for_document(&doc("Keep API")).name, "none");
        assert_eq!(Rules::for_document(&json!({})).name, "none");
        assert_eq!(Rules::named("token-bowl").unwrap().name, "token-bowl");
        assert!(Rules::named("nope").is_none());
    }

    #[test]
    fn no_rules_keep_every_name_as_it_is() {
        for name in ["api_key", "user_id", "total", "unread_count"] {
            assert!(!NONE.is_secret_name(name), "{name}");
            assert!(!NONE.is_reference_id(name), "{name}");
            assert!(!NONE.is_count_name(name), "{name}");
        }
        assert!(TOKEN_BOWL.is_secret_name("api_key"));
        assert!(TOKEN_BOWL.is_reference_id("from_user_id"));
        assert!(TOKEN_BOWL.is_count_name("total_users"));
        assert!(!TOKEN_BOWL.is_count_name("score"));
    }
}
