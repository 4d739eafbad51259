//! A server's rules (today the Token Bowl server's): what the normaliser
//! knows about a server beyond its document, the table of it and the passes
//! that apply it (the README's steps 4 to 7 of "Normalisation for this
//! SDK", and the idempotent operations).
//!
//! Every other pass repairs what the generator cannot read or gives every
//! document this SDK's shape, and keeps the document's meaning. The rules
//! here change types on the strength of what a server really sends (read
//! from its code and its traffic), so they hold for that server only: for
//! another API a `user_id` of `auth0|42` or a `total` of `-3` is a real
//! value. A document gets them when its `info.title` is the server's
//! ([`Rules::for_document`]) or when `cargo xtask regen --rules NAME` asks;
//! any other document keeps its own types unless it says otherwise itself
//! (`format: uuid`, `minimum: 0`, `format: password`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::document::{
    for_each_subschema, json_response, operations_mut, operations_with_keys,
    operations_with_keys_mut, referenced, schema_ref,
};

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

// ---------------------------------------------------------------- the passes

/// The format of secrets; the generator maps it to a redacting type
/// (`token_bowl_chat_codegen::SECRET_FORMAT`, which a test keeps equal).
pub const SECRET_FORMAT: &str = "password";
/// The format of ids that may be `""`; the generator maps it to
/// `Option<Uuid>` (`token_bowl_chat_codegen::LENIENT_UUID_FORMAT`).
pub const LENIENT_UUID_FORMAT: &str = "uuid-or-empty";
/// Name of the typed connection-token response.
pub const CONNECTION_TOKEN_SCHEMA: &str = "ConnectionToken";

/// Marks each of the rules' idempotent operations with
/// `token_bowl_chat_codegen::IDEMPOTENT_EXTENSION`. An older document may
/// lack one (1.2.0 has no typing indicator); a renamed one would fail the
/// SDK's build, which names each operation, and the API crate's test of
/// the table.
pub fn mark_idempotent(doc: &mut Value, rules: &Rules) {
    for (_, _, op) in operations_with_keys_mut(doc) {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
        if rules.idempotent_operations.contains(&id) {
            op.insert(
                token_bowl_chat_codegen::IDEMPOTENT_EXTENSION.into(),
                Value::Bool(true),
            );
        }
    }
}

/// `GET /centrifugo/connection-token` answers a free-form object in the
/// server's document; give it its real shape.
pub fn typed_connection_token(doc: &mut Value) {
    let Some(op) = doc.pointer_mut("/paths/~1centrifugo~1connection-token/get") else {
        return;
    };
    // Only a free-form answer is replaced (as the server describes it): a
    // typed or already-merged one stays, so normalising again changes nothing.
    let current = op.pointer("/responses/200/content/application~1json/schema");
    if current.is_some_and(|schema| !is_free_form(schema)) {
        return;
    }
    op["responses"]["200"] = json_response("Success", schema_ref(CONNECTION_TOKEN_SCHEMA));
    doc["components"]["schemas"][CONNECTION_TOKEN_SCHEMA] = json!({
        "type": "object",
        "required": ["token", "url", "channels", "user"],
        "properties": {
            "token": { "type": "string" },
            "url": { "type": "string" },
            "channels": { "type": "array", "items": { "type": "string" } },
            "user": { "type": "string" }
        }
    });
}

/// Gives the answers listed in the rules' `typed_answers` named schemas when
/// the document describes them as free-form objects (no `properties`, no
/// `$ref`). A later server that types an answer itself keeps its own schema.
pub fn typed_answers(doc: &mut Value, rules: &Rules) {
    let mut added: BTreeMap<&str, Value> = BTreeMap::new();
    for op in operations_mut(doc) {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let Some((_, name, strings, integers)) =
            rules.typed_answers.iter().find(|(o, ..)| *o == id)
        else {
            continue;
        };
        let Some(schema) = op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .and_then(|r| r.iter_mut().find(|(status, _)| status.starts_with('2')))
            .and_then(|(_, response)| response.pointer_mut("/content/application~1json/schema"))
        else {
            continue;
        };
        if !is_free_form(schema) {
            continue;
        }
        *schema = schema_ref(name);
        let mut properties = Map::new();
        for field in *strings {
            properties.insert((*field).into(), json!({"type": "string"}));
        }
        for field in *integers {
            properties.insert((*field).into(), json!({"type": "integer"}));
        }
        let required: Vec<&str> = strings
            .iter()
            .chain(integers.iter())
            .copied()
            .filter(|f| *f != "message")
            .collect();
        added.insert(
            name,
            json!({"type": "object", "required": required, "properties": properties}),
        );
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in added {
            schemas.entry(name).or_insert(schema);
        }
    }
}

/// A free-form object: `type: object` with no properties and no `$ref`.
fn is_free_form(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        && schema.get("$ref").is_none()
        && schema.get("properties").is_none()
}

/// The component schemas reachable from success responses and not from any
/// request (bodies and parameters): what the client only ever reads.
fn response_only_schemas(doc: &Value) -> BTreeSet<String> {
    let mut responses = Vec::new();
    let mut requests = Vec::new();
    for (_, _, op) in operations_with_keys(doc) {
        for (status, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if status.starts_with('2') {
                responses.push(response);
            }
        }
        requests.extend(op.get("requestBody"));
        requests.extend(op.get("parameters"));
    }
    let read = referenced(doc, responses);
    let written = referenced(doc, requests);
    read.difference(&written).cloned().collect()
}

/// What the client reads gets plain, trustworthy types. In every schema
/// only responses use:
/// - secrets (`api_key`, `token`, `*_token`, ...) get `format: password`,
///   which the generator maps to a type whose `Debug` and `Display` redact;
/// - ids that refer to another record (`*_id`) get `format: uuid-or-empty`,
///   which the generator maps to `Option<Uuid>` reading `""` as `None`;
/// - string limits (`minLength`, `maxLength`, `pattern`) are dropped: they
///   are for checking requests, and on a response they only wrap the value
///   in a constrained newtype and fail on what the server really sends;
/// - counts, offsets and limits get `format: uint64`: every count the
///   client reports is a `u64`.
pub fn response_values(doc: &mut Value, rules: &Rules) {
    let names = response_only_schemas(doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if names.contains(name) {
                plain_response_schema(schema, rules);
            }
        }
    }
}

fn plain_response_schema(schema: &mut Value, rules: &Rules) {
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            let Some(map) = prop.as_object_mut() else {
                continue;
            };
            let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
            let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
            let format = format.as_deref();
            match kind {
                "string" => {
                    for limit in ["minLength", "maxLength", "pattern"] {
                        map.remove(limit);
                    }
                    let wanted = if rules.is_secret_name(name) {
                        Some(SECRET_FORMAT)
                    } else if rules.is_reference_id(name) {
                        Some(LENIENT_UUID_FORMAT)
                    } else {
                        None
                    };
                    if let Some(wanted) = wanted
                        && matches!(format, None | Some("uuid"))
                    {
                        map.insert("format".into(), json!(wanted));
                    }
                }
                "integer" if format.is_none() && rules.is_count_name(name) => {
                    map.insert("format".into(), json!("uint64"));
                }
                _ => {}
            }
        }
    }
    for_each_subschema(schema, &mut |sub| plain_response_schema(sub, rules));
}

/// `format: date-time` on timestamp fields and `format: uuid` on ids the
/// server guarantees to be UUIDs, so the client exposes real types.
pub fn known_formats(doc: &mut Value, rules: &Rules) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            formats_in(schema, rules);
        }
    }
    for op in operations_mut(doc) {
        for param in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let is_uuid_path = param.get("in").and_then(Value::as_str) == Some("path")
                && param
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| rules.uuid_path_parameters.contains(&n));
            if let (true, Some(schema)) = (is_uuid_path, param.get_mut("schema")) {
                set_string_format(schema, "uuid");
            }
        }
    }
}

fn formats_in(schema: &mut Value, rules: &Rules) {
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            if rules.date_time_fields.contains(&name.as_str()) {
                set_string_format(prop, "date-time");
            } else if rules.uuid_fields.contains(&name.as_str()) {
                set_string_format(prop, "uuid");
            } else if rules.uuid_list_fields.contains(&name.as_str())
                && let Some(items) = prop.get_mut("items")
            {
                set_string_format(items, "uuid");
            }
        }
    }
    for_each_subschema(schema, &mut |sub| formats_in(sub, rules));
}

fn set_string_format(schema: &mut Value, format: &str) {
    if let Some(map) = schema.as_object_mut()
        && map.get("type").and_then(Value::as_str) == Some("string")
        && !map.contains_key("format")
    {
        map.insert("format".into(), json!(format));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::fixtures::{one_op, read_and_write};

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

    #[test]
    fn connection_token_gets_a_type() {
        let mut d = one_op(
            "/centrifugo/connection-token",
            "get",
            json!({"responses": {
            "200": json_response("ok", json!({"type": "object", "additionalProperties": true}))}}),
        );
        typed_connection_token(&mut d);
        assert_eq!(
            d["paths"]["/centrifugo/connection-token"]["get"]["responses"]["200"]["content"]["application/json"]
                ["schema"],
            schema_ref(CONNECTION_TOKEN_SCHEMA)
        );
        assert_eq!(
            d["components"]["schemas"][CONNECTION_TOKEN_SCHEMA]["required"],
            json!(["token", "url", "channels", "user"])
        );
    }

    #[test]
    fn known_fields_get_formats() {
        let mut d = one_op(
            "/m/{message_id}",
            "get",
            json!({"parameters": [
            {"name": "message_id", "in": "path", "required": true, "schema": {"type": "string"}}]}),
        );
        d["components"]["schemas"]["M"] = json!({"type": "object", "properties": {
            "id": {"type": "string"},
            "from_user_id": {"type": "string"},
            "timestamp": {"type": "string"},
            "read_at": {"type": "string", "nullable": true},
            "message_ids": {"type": "array", "items": {"type": "string"}},
            "created_at": {"type": "string", "format": "date"}
        }});
        known_formats(&mut d, &TOKEN_BOWL);
        let p = &d["components"]["schemas"]["M"]["properties"];
        assert_eq!(p["id"]["format"], "uuid");
        assert!(p["from_user_id"].get("format").is_none());
        assert_eq!(p["timestamp"]["format"], "date-time");
        assert_eq!(p["read_at"]["format"], "date-time");
        assert_eq!(p["message_ids"]["items"]["format"], "uuid");
        assert_eq!(
            p["created_at"]["format"], "date",
            "an explicit format is kept"
        );
        assert_eq!(
            d["paths"]["/m/{message_id}"]["get"]["parameters"][0]["schema"]["format"],
            "uuid"
        );
    }

    #[test]
    fn free_form_answers_get_their_real_shapes() {
        let mut d = one_op(
            "/users/me/logo",
            "patch",
            json!({"operationId": "update_my_logo", "responses": {"200": json_response("ok",
                json!({"type": "object", "additionalProperties": {"type": "string"}}))}}),
        );
        typed_answers(&mut d, &TOKEN_BOWL);
        assert_eq!(
            d["paths"]["/users/me/logo"]["patch"]["responses"]["200"]["content"]["application/json"]
                ["schema"],
            schema_ref("LogoUpdated")
        );
        assert_eq!(
            d["components"]["schemas"]["LogoUpdated"],
            json!({"type": "object", "required": ["logo"],
                   "properties": {"message": {"type": "string"}, "logo": {"type": "string"}}})
        );
        // A server that types the answer itself keeps its schema.
        let mut typed = one_op(
            "/health",
            "get",
            json!({"operationId": "health_check", "responses": {"200": json_response("ok",
                json!({"type": "object", "properties": {"status": {"type": "string"}, "db": {"type": "string"}}}))}}),
        );
        let before = typed.clone();
        typed_answers(&mut typed, &TOKEN_BOWL);
        assert_eq!(typed, before);
    }

    #[test]
    fn formats_are_the_ones_the_generator_maps() {
        assert_eq!(SECRET_FORMAT, token_bowl_chat_codegen::SECRET_FORMAT);
        assert_eq!(
            LENIENT_UUID_FORMAT,
            token_bowl_chat_codegen::LENIENT_UUID_FORMAT
        );
    }

    #[test]
    fn secrets_in_responses_are_marked() {
        let mut d = read_and_write(json!({
            "api_key": {"type": "string"},
            "session_token": {"type": "string"},
            "token": {"type": "string"},
            "username": {"type": "string"}
        }));
        response_values(&mut d, &TOKEN_BOWL);
        let out = &d["components"]["schemas"]["Out"]["properties"];
        for secret in ["api_key", "session_token", "token"] {
            assert_eq!(out[secret]["format"], "password", "{secret}");
        }
        assert!(out["username"].get("format").is_none());
        let written = &d["components"]["schemas"]["In"]["properties"];
        assert!(
            written["api_key"].get("format").is_none(),
            "requests keep plain strings"
        );
    }

    #[test]
    fn response_strings_lose_their_limits_and_counts_are_unsigned() {
        let mut d = read_and_write(json!({
            "webhook_url": {"type": "string", "format": "uri", "minLength": 1, "maxLength": 2083},
            "total": {"type": "integer"},
            "unread_room_messages": {"type": "integer"},
            "score": {"type": "integer"}
        }));
        response_values(&mut d, &TOKEN_BOWL);
        let out = &d["components"]["schemas"]["Out"]["properties"];
        assert_eq!(
            out["webhook_url"],
            json!({"type": "string", "format": "uri"})
        );
        assert_eq!(out["total"]["format"], "uint64");
        assert_eq!(out["unread_room_messages"]["format"], "uint64");
        assert!(out["score"].get("format").is_none(), "not a count");
        let written = &d["components"]["schemas"]["In"]["properties"];
        assert_eq!(
            written["webhook_url"]["maxLength"], 2083,
            "requests keep limits"
        );
    }

    #[test]
    fn the_rules_mark_their_idempotent_operations() {
        let mut d = json!({"paths": {
            "/messages/{message_id}/read": {"post": {"operationId": "mark_message_as_read",
                "responses": {"200": {"description": "ok"}}}},
            "/messages": {"post": {"operationId": "send_message",
                "responses": {"200": {"description": "ok"}}}}}});
        let mut other = d.clone();
        mark_idempotent(&mut d, &TOKEN_BOWL);
        let marked = token_bowl_chat_codegen::IDEMPOTENT_EXTENSION;
        assert_eq!(
            d["paths"]["/messages/{message_id}/read"]["post"][marked],
            true
        );
        assert!(d["paths"]["/messages"]["post"].get(marked).is_none());
        mark_idempotent(&mut other, &crate::rules::NONE);
        assert!(
            !other.to_string().contains(marked),
            "other APIs: by method only"
        );
    }
}
