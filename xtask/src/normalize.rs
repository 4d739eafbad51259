//! Normalisation of the (3.0) document for this SDK. Every step is
//! idempotent: normalising `openapi.json` again changes nothing.
//!
//! Ordering needs no step of its own: `serde_json`'s map (without
//! `preserve_order`) keeps keys sorted, so the written document is stable.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::{
    convert::{
        METHODS, Site, for_each_schema_site, for_each_subschema, operations_mut,
        operations_with_keys_mut,
    },
    rules::Rules,
};

/// Name of the one error schema every error response uses.
pub const ERROR_SCHEMA: &str = "ErrorBody";
/// The format of secrets; the generator maps it to a redacting type
/// (`token_bowl_chat_codegen::SECRET_FORMAT`, which a test keeps equal).
pub const SECRET_FORMAT: &str = "password";
/// The format of ids that may be `""`; the generator maps it to
/// `Option<Uuid>` (`token_bowl_chat_codegen::LENIENT_UUID_FORMAT`).
pub const LENIENT_UUID_FORMAT: &str = "uuid-or-empty";
/// Name of the typed connection-token response.
pub const CONNECTION_TOKEN_SCHEMA: &str = "ConnectionToken";

/// Applies every normalisation step, in order.
pub fn normalize(doc: &mut Value, rules: &Rules) {
    crate::repair::repair(doc);
    unique_operation_ids(doc);
    skip_unsupported_bodies(doc);
    unsupported_parameters(doc);
    translate_patterns(doc);
    known_types_only(doc);
    strip_operation_id_suffixes(doc);
    mark_idempotent(doc, rules);
    remove_authorization_parameters(doc);
    shared_error_schema(doc);
    if rules.connection_token {
        typed_connection_token(doc);
    }
    typed_answers(doc, rules);
    // After the typed answers, which must see the server's own first body.
    one_kind_per_outcome(doc);
    response_values(doc, rules);
    known_formats(doc, rules);
    drop_prose(doc);
}

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

/// Where the normaliser records the operations it left out.
pub const SKIPPED: &str = "x-skipped-operations";

/// Operations whose request body the generated client cannot send are left
/// out, so the rest of the client still builds; each is recorded under
/// [`SKIPPED`] with its reason, which the API surface lists and `regen`
/// prints. A JSON body is sent as it is, and so is a form
/// (`application/x-www-form-urlencoded`, FastAPI's `Form()` and OAuth2
/// password logins) whose fields are all single values ([`form_fields`]);
/// file uploads (`multipart/form-data`), forms with list or object fields
/// and other media types are skipped.
pub fn skip_unsupported_bodies(doc: &mut Value) {
    let mut skips = Vec::new();
    for (path, method, op) in operations_with_keys(doc) {
        let Some(content) = op
            .get("requestBody")
            .and_then(|body| body.get("content"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        if content.is_empty() || content.keys().any(|k| is_json_media(k)) {
            continue;
        }
        let form = content
            .get(FORM_MEDIA)
            .filter(|_| content.len() == 1)
            .map(|media| form_fields(media.get("schema").unwrap_or(&Value::Null), doc));
        let reason = match form {
            Some(Ok(())) => continue,
            Some(Err(why)) => format!("{FORM_MEDIA} request body is not generated: {why}"),
            None => {
                let kinds: Vec<&str> = content.keys().map(String::as_str).collect();
                format!("{} request body is not generated", kinds.join(", "))
            }
        };
        skips.push((path, method, reason));
    }
    for (path, method, reason) in skips {
        skip(doc, &method, &path, reason);
    }
}

/// The media type of a form body.
pub const FORM_MEDIA: &str = "application/x-www-form-urlencoded";

/// Whether the generated client can send `schema` as a form: an object
/// (or a `$ref` to one) whose every property is one value (a string,
/// number, integer or boolean, nullable or not, an enum of them, or a
/// field without a type), as `serde_urlencoded` writes them. Otherwise why not: a file
/// (`format: binary`) needs `multipart/form-data`, a list or an object
/// has no form encoding the client knows.
pub fn form_fields(schema: &Value, doc: &Value) -> Result<(), String> {
    let schema = resolve(schema, doc);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Err("the form is not an object with properties".into());
    };
    for (name, prop) in props {
        single_value(prop, doc, 0).map_err(|why| format!("field `{name}` {why}"))?;
    }
    Ok(())
}

/// A local `$ref` to a component schema, followed once.
fn resolve<'a>(schema: &'a Value, doc: &'a Value) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|target| target.strip_prefix("#/components/schemas/"))
        .and_then(|name| doc.pointer("/components/schemas")?.get(name))
        .unwrap_or(schema)
}

fn single_value(schema: &Value, doc: &Value, depth: usize) -> Result<(), String> {
    let schema = resolve(schema, doc);
    if depth > 8 {
        return Err("nests too deeply".into());
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            return parts
                .iter()
                .try_for_each(|part| single_value(part, doc, depth + 1));
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") if schema.get("format").and_then(Value::as_str) == Some("binary") => {
            Err("is a file (multipart/form-data)".into())
        }
        Some("string" | "integer" | "number" | "boolean") => Ok(()),
        Some(other) => Err(format!("is of type {other}")),
        // An enum, or any value (`Form()` without a type): the client
        // sends a string, number or boolean and refuses a list or object.
        None if schema.get("properties").is_none() => Ok(()),
        None => Err("is an object".into()),
    }
}

/// A JSON media type: `application/json` (with parameters or not),
/// `application/problem+json`, ...
pub(crate) fn is_json_media(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// Where the normaliser keeps a `pattern` the generated code's regex engine
/// (regress, ECMAScript syntax) cannot read, instead of `pattern`.
pub const DROPPED_PATTERN: &str = "x-dropped-pattern";

/// Python's `re` syntax (FastAPI's `Field(pattern=...)`, `constr`) as
/// ECMAScript, which the generated code's regex engine reads: named groups
/// `(?P<n>...)` → `(?<n>...)`, back-references `(?P=n)` → `\k<n>`, `\A`
/// → `^`, `\Z` → `$`. A pattern that still does not compile is moved to
/// [`DROPPED_PATTERN`] (and `regen` warns): the field is then unchecked
/// rather than the whole client unbuildable.
pub fn translate_patterns(doc: &mut Value) {
    let _ = for_each_schema_site(doc, &mut |schema, _: Site| patterns_in(schema));
}

fn patterns_in(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut()
        && let Some(Value::String(pattern)) = map.get("pattern").cloned()
    {
        let translated = python_to_ecmascript(&pattern);
        if regress::Regex::new(&translated).is_ok() {
            map.insert("pattern".into(), json!(translated));
        } else {
            map.remove("pattern");
            map.insert(DROPPED_PATTERN.into(), json!(pattern));
        }
    }
    for_each_subschema(schema, &mut patterns_in);
}

/// The Python-only constructs of `pattern` rewritten for ECMAScript.
pub fn python_to_ecmascript(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("(?P<") {
            out.push_str("(?<");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("(?P=") {
            match after.find(')') {
                Some(end) => {
                    out.push_str(&format!("\\k<{}>", &after[..end]));
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("(?P=");
                    rest = after;
                }
            }
        } else if let Some(after) = rest.strip_prefix("\\A") {
            out.push('^');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("\\Z") {
            out.push('$');
            rest = after;
        } else if c == '\\' && rest.len() > 1 {
            // Any other escape stays as it is (and is not read as one of the
            // rewrites above).
            let next = rest[1..].chars().next().unwrap_or_default();
            out.push('\\');
            out.push(next);
            rest = &rest[1 + next.len_utf8()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The `type`s an OpenAPI 3.0 schema may have.
const TYPES_30: &[&str] = &["boolean", "object", "array", "number", "string", "integer"];

/// progenitor 0.15.1 panics (`to_schema.rs`: `todo!("invalid type")`) on a
/// schema whose `type` is none of 3.0's six: a bare `{"type": "null"}` (a
/// FastAPI route returning `None`) or a Swagger-style `"file"`. Such a
/// schema loses its `type` (it reads as any value); `null` keeps
/// `nullable`.
pub fn known_types_only(doc: &mut Value) {
    let _ = for_each_schema_site(doc, &mut |schema, _: Site| types_in(schema));
}

fn types_in(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut()
        && let Some(Value::String(kind)) = map.get("type").cloned()
        && !TYPES_30.contains(&kind.as_str())
    {
        map.remove("type");
        if kind == "null" {
            map.insert("nullable".into(), json!(true));
        }
    }
    for_each_subschema(schema, &mut types_in);
}

/// `send_message_messages_post` → `send_message`. FastAPI appends the path
/// (non-word characters as `_`) and the method; an id that would collide
/// after stripping keeps its original name.
pub fn strip_operation_id_suffixes(doc: &mut Value) {
    let mut stripped: Vec<(String, String, String)> = Vec::new();
    for (path, method, op) in operations_with_keys(doc) {
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            let suffix = format!("{}_{method}", word_chars(&path));
            let short = id
                .strip_suffix(&suffix)
                .filter(|s| !s.is_empty())
                .unwrap_or(id);
            stripped.push((path, method, short.to_owned()));
        }
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, short) in &stripped {
        *counts.entry(short).or_default() += 1;
    }
    let unique: BTreeSet<(String, String, String)> = stripped
        .iter()
        .filter(|(_, _, short)| counts[short.as_str()] == 1)
        .cloned()
        .collect();
    for (path, method, short) in unique {
        if let Some(op) = doc
            .get_mut("paths")
            .and_then(|p| p.get_mut(&path))
            .and_then(|i| i.get_mut(&method))
        {
            op["operationId"] = json!(short);
        }
    }
}

/// The JSON pointer of an operation's `key` (`parameters`, `responses`).
fn op_pointer(path: &str, method: &str, key: &str) -> String {
    let path = path.replace('~', "~0").replace('/', "~1");
    format!("/paths/{path}/{method}{key}")
}

fn word_chars(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn operations_with_keys(doc: &Value) -> Vec<(String, String, &Map<String, Value>)> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let (true, Some(op)) = (METHODS.contains(&method.as_str()), op.as_object()) {
                out.push((path.clone(), method.clone(), op));
            }
        }
    }
    out
}

/// Drops FastAPI's `authorization` header parameter: credentials are set once
/// on the client.
pub fn remove_authorization_parameters(doc: &mut Value) {
    let is_auth = |p: &Value| {
        p.get("in").and_then(Value::as_str) == Some("header")
            && p.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
    };
    for item in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|p| p.values_mut())
        .filter_map(Value::as_object_mut)
    {
        for value in item.values_mut() {
            let params = if value.is_array() {
                value.as_array_mut()
            } else {
                value.get_mut("parameters").and_then(Value::as_array_mut)
            };
            if let Some(params) = params {
                params.retain(|p| !is_auth(p));
            }
        }
        item.retain(|k, v| k != "parameters" || v.as_array().is_some_and(|a| !a.is_empty()));
        for op in item.values_mut().filter_map(Value::as_object_mut) {
            op.retain(|k, v| k != "parameters" || v.as_array().is_some_and(|a| !a.is_empty()));
        }
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// One error body for the `4XX` (422 included) and `5XX` ranges, so every server error
/// decodes into one type. `ValidationError` gets FastAPI's newer optional
/// `input` and `ctx`, whichever form the server described.
pub fn shared_error_schema(doc: &mut Value) {
    let schemas = doc
        .as_object_mut()
        .map(|root| root.entry("components").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})));
    let Some(Value::Object(schemas)) = schemas else {
        return;
    };
    schemas.insert(
        ERROR_SCHEMA.into(),
        json!({
            "type": "object",
            "properties": {
                "detail": {
                    "anyOf": [
                        { "type": "string" },
                        { "type": "array", "items": schema_ref("ValidationError") }
                    ]
                }
            }
        }),
    );
    schemas.insert(
        "ValidationError".into(),
        json!({
            "type": "object",
            "required": ["loc", "msg", "type"],
            "properties": {
                "loc": { "type": "array", "items": { "anyOf": [{ "type": "string" }, { "type": "integer" }] } },
                "msg": { "type": "string" },
                "type": { "type": "string" },
                "input": {},
                "ctx": { "type": "object" }
            }
        }),
    );
    schemas.remove("HTTPValidationError");
    for op in operations_mut(doc) {
        let responses = op
            .entry("responses")
            .or_insert_with(|| json!({}))
            .as_object_mut();
        let Some(responses) = responses else { continue };
        // `4XX` covers 422 with the same body; an explicit 422 beside it
        // would only be an unreachable match arm in the generated code.
        responses.remove("422");
        let error = json_response("Error", schema_ref(ERROR_SCHEMA));
        for range in ["4XX", "5XX"] {
            // A range already merged with other error bodies (see
            // `one_kind_per_outcome`) keeps them.
            let merged = responses
                .get(range)
                .and_then(|r| r.pointer("/content/application~1json/schema/anyOf"))
                .and_then(Value::as_array)
                .is_some_and(|parts| parts.contains(&schema_ref(ERROR_SCHEMA)));
            if !merged {
                responses.insert(range.into(), error.clone());
            }
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

/// Names of component schemas a schema refers to, directly or not.
fn referenced(doc: &Value, roots: Vec<&Value>) -> BTreeSet<String> {
    fn refs_in(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(name.to_owned());
                }
                map.values().for_each(|v| refs_in(v, out));
            }
            Value::Array(list) => list.iter().for_each(|v| refs_in(v, out)),
            _ => {}
        }
    }
    let mut found = BTreeSet::new();
    let mut queue = Vec::new();
    roots.into_iter().for_each(|r| refs_in(r, &mut queue));
    while let Some(name) = queue.pop() {
        if found.insert(name.clone())
            && let Some(schema) = doc.pointer(&format!("/components/schemas/{name}"))
        {
            refs_in(schema, &mut queue);
        }
    }
    found
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

/// The server's prose (descriptions, summaries, titles) is not kept: the
/// project writes its own docs, and prose churn is not an API change.
pub fn drop_prose(doc: &mut Value) {
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("description");
    }
    let _ = for_each_schema_site(doc, &mut |schema, _: Site| strip_schema_prose(schema));
    for op in operations_mut(doc) {
        op.remove("summary");
        op.remove("description");
        for param in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            param.remove("description");
        }
        if let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) {
            body.remove("description");
        }
        for (status, response) in op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            if let Some(response) = response.as_object_mut() {
                let text = if status.starts_with('2') {
                    "Success"
                } else {
                    "Error"
                };
                response.insert("description".into(), json!(text));
            }
        }
    }
}

fn strip_schema_prose(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut() {
        map.remove("description");
        map.remove("title");
    }
    for_each_subschema(schema, &mut strip_schema_prose);
}

/// Where the normaliser records what else it changed for the generator
/// (renamed operations, dropped parameters and responses): one line each,
/// which `regen` prints and the API surface lists.
pub const NOTES: &str = "x-regen-notes";

pub(crate) fn note(doc: &mut Value, line: String) {
    if let Some(root) = doc.as_object_mut()
        && let Some(list) = root
            .entry(NOTES)
            .or_insert_with(|| json!([]))
            .as_array_mut()
        && !list.iter().any(|l| l.as_str() == Some(line.as_str()))
    {
        list.push(json!(line));
    }
}

/// Leaves an operation out (and its path, when nothing is left there),
/// recording it under [`SKIPPED`] with `reason`.
pub(crate) fn skip(doc: &mut Value, method: &str, path: &str, reason: String) {
    let Some(op) = doc
        .get_mut("paths")
        .and_then(|p| p.get_mut(path))
        .and_then(Value::as_object_mut)
        .and_then(|item| item.remove(method))
    else {
        return;
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut)
        && paths[path]
            .as_object()
            .is_some_and(|i| !METHODS.iter().any(|m| i.contains_key(*m)))
    {
        paths.remove(path);
    }
    if let Some(list) = doc
        .as_object_mut()
        .map(|root| root.entry(SKIPPED).or_insert_with(|| json!([])))
        .and_then(Value::as_array_mut)
    {
        list.push(json!({
            "method": method.to_uppercase(),
            "path": path,
            "operationId": op.get("operationId").cloned().unwrap_or(Value::Null),
            "reason": reason,
        }));
    }
}

/// progenitor refuses a document in which two operations share an
/// `operationId` (FastAPI only warns; a `generate_unique_id_function` that
/// returns the function name makes them easily). Every operation of a
/// shared id is renamed after its path (`list_all` on `/users` and on
/// `/teams` → `list_all_users`, `list_all_teams`), and the method too when
/// the path alone is not enough.
pub fn unique_operation_ids(doc: &mut Value) {
    let ops = operations_with_keys(doc);
    let mut by_id: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (path, method, op) in &ops {
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            by_id
                .entry(id.to_owned())
                .or_default()
                .push((path.clone(), method.clone()));
        }
    }
    let taken: BTreeSet<String> = by_id.keys().cloned().collect();
    let mut renames = Vec::new();
    for (id, sites) in by_id.into_iter().filter(|(_, sites)| sites.len() > 1) {
        let slug = |path: &str| {
            let words: Vec<String> = path
                .split('/')
                .filter(|seg| !seg.is_empty() && !seg.starts_with('{'))
                .map(|seg| word_chars(seg).to_lowercase())
                .collect();
            if words.is_empty() {
                "root".to_owned()
            } else {
                words.join("_")
            }
        };
        let by_path: BTreeSet<String> = sites.iter().map(|(p, _)| slug(p)).collect();
        let path_enough = by_path.len() == sites.len();
        for (path, method) in sites {
            let mut new = if path_enough {
                format!("{id}_{}", slug(&path))
            } else {
                format!("{id}_{}_{method}", slug(&path))
            };
            while taken.contains(&new) {
                new.push('_');
            }
            renames.push((path, method, id.clone(), new));
        }
    }
    for (path, method, old, new) in renames {
        if let Some(op) = doc.pointer_mut(&op_pointer(&path, &method, "")) {
            op["operationId"] = json!(new);
        }
        note(
            doc,
            format!(
                "renamed {} {path} from `{old}` to `{new}`: the operationId is shared",
                method.to_uppercase()
            ),
        );
    }
}

/// Cookie parameters: the generated client cannot send them. An optional
/// one is dropped (set it with the `reqwest` client's cookie store); an
/// operation that requires one is skipped.
pub fn unsupported_parameters(doc: &mut Value) {
    let mut skips = Vec::new();
    let mut drops = Vec::new();
    for (path, method, op) in operations_with_keys(doc) {
        for p in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if p.get("in").and_then(Value::as_str) != Some("cookie") {
                continue;
            }
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned();
            if p.get("required").and_then(Value::as_bool) == Some(true) {
                skips.push((path.clone(), method.clone(), name));
            } else {
                drops.push((path.clone(), method.clone(), name));
            }
        }
    }
    // A list in a header: the generated client formats a header with
    // `Display`, which a `Vec` has not. It takes one value (the item type).
    let mut single = Vec::new();
    for op_path in operations_with_keys(doc)
        .into_iter()
        .map(|(p, m, _)| (p, m))
        .collect::<Vec<_>>()
    {
        let (path, method) = op_path;
        let pointer = op_pointer(&path, &method, "/parameters");
        for p in doc
            .pointer_mut(&pointer)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if p.get("in").and_then(Value::as_str) != Some("header") {
                continue;
            }
            let Some(schema) = p.get_mut("schema") else {
                continue;
            };
            if let Some(items) = array_items(schema) {
                *schema = items;
                single.push((
                    path.clone(),
                    method.clone(),
                    p["name"].as_str().unwrap_or("?").to_owned(),
                ));
            }
        }
    }
    for (path, method, name) in single {
        note(
            doc,
            format!(
                "header `{name}` of {} {path} takes one value: a list in a header cannot be generated",
                method.to_uppercase()
            ),
        );
    }
    for (path, method, name) in skips {
        skip(
            doc,
            &method,
            &path,
            format!("required cookie parameter `{name}` cannot be sent by the generated client"),
        );
    }
    for (path, method, name) in drops {
        let pointer = op_pointer(&path, &method, "/parameters");
        if let Some(list) = doc.pointer_mut(&pointer).and_then(Value::as_array_mut) {
            list.retain(|p| p.get("in").and_then(Value::as_str) != Some("cookie"));
            if list.is_empty()
                && let Some(op) = doc
                    .pointer_mut(&op_pointer(&path, &method, ""))
                    .and_then(Value::as_object_mut)
            {
                op.remove("parameters");
            }
        }
        note(
            doc,
            format!(
                "dropped cookie parameter `{name}` of {} {path}: the generated client cannot send cookies (a reqwest cookie store can)",
                method.to_uppercase()
            ),
        );
    }
}

/// An explicit status (`409`) whose body schemas equal those of the range
/// that covers it (`4XX`) goes: progenitor matches the range first, so the
/// explicit arm would be unreachable code. Examples do not count (a
/// FastAPI `responses={404: {"content": {"application/json": {"example":
/// ...}}}}` differs from the range only in one).
fn covered_statuses_go(responses: &mut Map<String, Value>) {
    let schemas = |response: &Value| -> Vec<(String, Option<Value>)> {
        response
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(media, m)| (media.clone(), m.get("schema").cloned()))
            .collect()
    };
    let covered: Vec<String> = responses
        .iter()
        .filter(|(status, response)| {
            status.len() == 3
                && status.chars().all(|c| c.is_ascii_digit())
                && responses
                    .get(&format!("{}XX", &status[..1]))
                    .is_some_and(|range| schemas(range) == schemas(response))
        })
        .map(|(status, _)| status.clone())
        .collect();
    for status in covered {
        responses.remove(&status);
    }
}

/// The item schema of an array schema, or of an array among `anyOf`/`oneOf`.
fn array_items(schema: &Value) -> Option<Value> {
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return Some(
            schema
                .get("items")
                .cloned()
                .unwrap_or_else(|| json!({"type": "string"})),
        );
    }
    ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .find_map(array_items)
}

/// progenitor 0.15.1 asserts that all success responses of an operation are
/// of one kind, and all error responses too (`response_types.len() <= 1`):
/// one JSON type, or raw bytes, or no body. FastAPI mixes them readily
/// (`responses={404: {"description": ...}}` beside the JSON `4XX`; a `202`
/// without body beside a JSON `200`). Differing JSON bodies become one
/// `anyOf` (explicit statuses first, so the shared error body is the last
/// resort); a response of another kind among JSON ones is dropped from the
/// document (the call then reports that status as unexpected, with the
/// response), and so is a bodiless one among raw ones. JSON content without
/// a schema gets the empty one. Each drop is noted.
pub fn one_kind_per_outcome(doc: &mut Value) {
    #[derive(PartialEq)]
    enum Kind {
        Json,
        Raw,
        Empty,
    }
    fn json_key(content: &Map<String, Value>) -> Option<String> {
        content
            .keys()
            .find(|k| *k == "application/json" || k.starts_with("application/json;"))
            .cloned()
    }
    let mut dropped = Vec::new();
    for (path, method) in operations_with_keys(doc)
        .into_iter()
        .map(|(p, m, _)| (p, m))
        .collect::<Vec<_>>()
    {
        let pointer = op_pointer(&path, &method, "/responses");
        let Some(responses) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        // JSON content without a schema (or with an encoding) makes
        // progenitor panic too.
        for response in responses.values_mut() {
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                && let Some(key) = json_key(content)
                && let Some(media) = content.get_mut(&key).and_then(Value::as_object_mut)
            {
                media.remove("encoding");
                media.entry("schema").or_insert_with(|| json!({}));
            }
        }
        let success = |s: &str| s == "default" || s == "101" || s.starts_with('2');
        let error = |s: &str| s == "default" || s.starts_with('4') || s.starts_with('5');
        for in_class in [&success as &dyn Fn(&str) -> bool, &error] {
            let kind = |r: &Value| match r.get("content").and_then(Value::as_object) {
                Some(c) if json_key(c).is_some() => Kind::Json,
                Some(c) if !c.is_empty() => Kind::Raw,
                _ => Kind::Empty,
            };
            let members: Vec<String> = responses.keys().filter(|s| in_class(s)).cloned().collect();
            let kinds: Vec<Kind> = members.iter().map(|s| kind(&responses[s])).collect();
            let keep = if kinds.contains(&Kind::Json) {
                Kind::Json
            } else if kinds.contains(&Kind::Raw) {
                Kind::Raw
            } else {
                continue;
            };
            for (status, k) in members.iter().zip(&kinds) {
                if *k != keep {
                    responses.remove(status);
                    dropped.push((
                        path.clone(),
                        method.clone(),
                        status.clone(),
                        *k == Kind::Empty,
                    ));
                }
            }
            if keep != Kind::Json {
                continue;
            }
            let mut bodies: Vec<Value> = Vec::new();
            // Explicit statuses before ranges and `default`.
            let mut order: Vec<&String> = members
                .iter()
                .filter(|s| responses.contains_key(*s))
                .collect();
            order.sort_by_key(|s| (!s.chars().all(|c| c.is_ascii_digit()), s.to_string()));
            for status in &order {
                let content = responses[*status]["content"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                let Some(body) =
                    json_key(&content).and_then(|k| content[&k].get("schema").cloned())
                else {
                    continue;
                };
                // A merge made earlier is spread, so normalising again
                // does not nest it.
                let parts = match body.as_object().map(|o| (o.len(), o.get("anyOf"))) {
                    Some((1, Some(Value::Array(parts)))) => parts.clone(),
                    _ => vec![body],
                };
                // Bodies that differ only in prose (dropped later) are one.
                let plain = |schema: &Value| {
                    let mut schema = schema.clone();
                    strip_schema_prose(&mut schema);
                    schema
                };
                for part in parts {
                    if !bodies.iter().any(|b| plain(b) == plain(&part)) {
                        bodies.push(part);
                    }
                }
            }
            if bodies.len() < 2 {
                covered_statuses_go(responses);
                continue;
            }
            // A body of any value (an answer with an example and no schema,
            // or only a title) goes last: tried first, it would take every
            // answer. Read without prose, as a second pass will see it.
            bodies.sort_by_key(|body| {
                let mut body = body.clone();
                strip_schema_prose(&mut body);
                body.as_object().is_some_and(Map::is_empty)
            });
            let merged = json!({ "anyOf": bodies });
            for status in members
                .iter()
                .filter(|s| responses.contains_key(*s))
                .collect::<Vec<_>>()
            {
                if let Some(content) = responses[status]
                    .get_mut("content")
                    .and_then(Value::as_object_mut)
                    && let Some(key) = json_key(content)
                {
                    content[&key]["schema"] = merged.clone();
                }
            }
            covered_statuses_go(responses);
        }
    }
    for (path, method, status, empty) in dropped {
        let what = if empty {
            "without a body"
        } else {
            "that is not JSON"
        };
        note(
            doc,
            format!(
                "dropped the {status} answer of {} {path}: an answer {what} beside other kinds cannot be generated",
                method.to_uppercase()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::TOKEN_BOWL;

    fn one_op(path: &str, method: &str, op: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
               "paths": { path: { method: op } }, "components": {"schemas": {}}})
    }

    #[test]
    fn operation_id_suffix_is_stripped() {
        let mut d = one_op(
            "/messages/{message_id}/read",
            "post",
            json!({"operationId": "mark_message_as_read_messages__message_id__read_post"}),
        );
        strip_operation_id_suffixes(&mut d);
        assert_eq!(
            d["paths"]["/messages/{message_id}/read"]["post"]["operationId"],
            "mark_message_as_read"
        );
    }

    #[test]
    fn colliding_operation_ids_keep_their_original_names() {
        let mut d = json!({"paths": {
            "/a": {"get": {"operationId": "list_a_get"}},
            "/b": {"get": {"operationId": "list_b_get"}},
            "/c": {"get": {"operationId": "other_c_get"}}
        }});
        strip_operation_id_suffixes(&mut d);
        assert_eq!(d["paths"]["/a"]["get"]["operationId"], "list_a_get");
        assert_eq!(d["paths"]["/b"]["get"]["operationId"], "list_b_get");
        assert_eq!(d["paths"]["/c"]["get"]["operationId"], "other");
    }

    #[test]
    fn authorization_header_parameter_is_removed() {
        let mut d = one_op(
            "/users/me",
            "get",
            json!({"parameters": [
                {"name": "authorization", "in": "header", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer"}}
            ]}),
        );
        remove_authorization_parameters(&mut d);
        assert_eq!(
            d["paths"]["/users/me"]["get"]["parameters"],
            json!([{"name": "limit", "in": "query", "schema": {"type": "integer"}}])
        );
        let mut only_auth = one_op(
            "/x",
            "get",
            json!({"parameters": [
            {"name": "Authorization", "in": "header", "schema": {"type": "string"}}]}),
        );
        remove_authorization_parameters(&mut only_auth);
        assert!(only_auth["paths"]["/x"]["get"].get("parameters").is_none());
    }

    #[test]
    fn every_operation_gets_the_shared_error_body() {
        let mut d = one_op(
            "/x",
            "post",
            json!({"responses": {
                "201": {"description": "ok"},
                "422": json_response("bad", schema_ref("HTTPValidationError"))
            }}),
        );
        d["components"]["schemas"]["HTTPValidationError"] = json!({"type": "object"});
        shared_error_schema(&mut d);
        let responses = &d["paths"]["/x"]["post"]["responses"];
        for status in ["4XX", "5XX"] {
            assert_eq!(
                responses[status]["content"]["application/json"]["schema"],
                schema_ref(ERROR_SCHEMA)
            );
        }
        assert!(responses.get("422").is_none(), "4XX covers 422");
        assert!(
            d["components"]["schemas"]
                .get("HTTPValidationError")
                .is_none()
        );
        assert_eq!(
            d["components"]["schemas"]["ValidationError"]["properties"]["input"],
            json!({})
        );
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

    /// A document with one response-only schema `Out` and one request
    /// schema `In`, both with the same fields.
    fn read_and_write(fields: Value) -> Value {
        let mut d = one_op(
            "/x",
            "post",
            json!({"requestBody": {"content": {"application/json": {"schema": schema_ref("In")}}},
                   "responses": {"200": json_response("ok", json!({"type": "array", "items": schema_ref("Out")}))}}),
        );
        d["components"]["schemas"]["In"] = json!({"type": "object", "properties": fields.clone()});
        d["components"]["schemas"]["Out"] = json!({"type": "object", "properties": fields});
        d
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
    fn reference_ids_in_responses_are_lenient_and_own_ids_strict() {
        // The server's shape of a bot an admin made from a user.
        let mut d = read_and_write(json!({
            "id": {"type": "string"},
            "created_by_id": {"type": "string"},
            "to_user_id": {"type": "string", "nullable": true},
            "from_user_id": {"type": "string", "format": "uuid"}
        }));
        normalize(&mut d, &TOKEN_BOWL);
        let out = &d["components"]["schemas"]["Out"]["properties"];
        assert_eq!(out["id"]["format"], "uuid");
        for id in ["created_by_id", "to_user_id", "from_user_id"] {
            assert_eq!(out[id]["format"], "uuid-or-empty", "{id}");
        }
        assert!(
            d["components"]["schemas"]["In"]["properties"]["created_by_id"]
                .get("format")
                .is_none()
        );
    }

    #[test]
    fn another_servers_answers_keep_their_own_types() {
        // What another API really sends: an id that is no UUID, a signed
        // total, a field named like a secret that is none.
        let fields = json!({
            "id": {"type": "string"},
            "user_id": {"type": "string"},
            "total": {"type": "integer"},
            "token": {"type": "string"},
            "created_at": {"type": "string"},
            "owner_id": {"type": "string", "format": "uuid"},
            "seen": {"type": "integer", "minimum": 0}
        });
        let mut d = read_and_write(fields.clone());
        normalize(&mut d, &crate::rules::NONE);
        let out = &d["components"]["schemas"]["Out"]["properties"];
        for (name, schema) in fields.as_object().unwrap() {
            assert_eq!(&out[name], schema, "{name} keeps its own type");
        }
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

    #[test]
    fn multipart_and_forms_the_client_cannot_send_are_skipped_and_recorded() {
        let form = |props: Value| {
            json!({"requestBody": {"content": {FORM_MEDIA: {"schema": {"type": "object", "properties": props}}}},
                   "responses": {"200": {"description": "ok"}}})
        };
        let mut d = json!({"components": {"schemas": {
                "Login": {"type": "object", "required": ["username"], "properties": {
                    "username": {"type": "string"},
                    "scope": {"type": "string", "default": ""},
                    "client_id": {"type": "string", "nullable": true},
                    "remember": {"type": "boolean"},
                    "grant": {"$ref": "#/components/schemas/Grant"},
                    "tries": {"anyOf": [{"type": "integer"}, {"type": "number"}]},
                    "socket_id": {"title": "untyped: any single value"}}},
                "Grant": {"type": "string", "enum": ["password", "refresh"]}}},
            "paths": {
            "/login": {"post": {"requestBody": {"content": {FORM_MEDIA: {"schema": {"$ref": "#/components/schemas/Login"}}}},
                "responses": {"200": {"description": "ok"}}}},
            "/tags": {"post": form(json!({"tags": {"type": "array", "items": {"type": "string"}}}))},
            "/avatar": {"post": form(json!({"name": {"type": "string"},
                "file": {"type": "string", "format": "binary"}}))}
        }});
        skip_unsupported_bodies(&mut d);
        assert!(
            d["paths"]["/login"].get("post").is_some(),
            "a form of single values is sent as a form"
        );
        let reasons: Vec<&str> = d[SKIPPED]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["reason"].as_str().unwrap())
            .collect();
        assert_eq!(
            reasons,
            [
                "application/x-www-form-urlencoded request body is not generated: field `file` is a file (multipart/form-data)",
                "application/x-www-form-urlencoded request body is not generated: field `tags` is of type array",
            ]
        );

        let mut d = json!({"paths": {
            "/upload": {"post": {"operationId": "upload_file_upload_post",
                "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}}}},
            "/token": {"post": {"operationId": "login",
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}}},
                "get": {"operationId": "keep", "responses": {"200": {"description": "ok"}}}},
            "/json": {"post": {"operationId": "both",
                "requestBody": {"content": {"application/json": {}, "multipart/form-data": {}}},
                "responses": {"200": {"description": "ok"}}}}
        }});
        skip_unsupported_bodies(&mut d);
        assert!(d["paths"].get("/upload").is_none(), "an empty path goes");
        assert!(d["paths"]["/token"].get("post").is_none());
        assert!(d["paths"]["/token"].get("get").is_some(), "the rest stays");
        assert!(
            d["paths"]["/json"].get("post").is_some(),
            "a JSON form is kept"
        );
        let skipped = d[SKIPPED].as_array().unwrap();
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0]["path"], "/token");
        assert!(
            skipped[0]["reason"]
                .as_str()
                .unwrap()
                .contains("x-www-form-urlencoded")
        );
        let again = d.clone();
        skip_unsupported_bodies(&mut d);
        assert_eq!(d, again, "idempotent");
    }

    #[test]
    fn different_success_bodies_become_one() {
        let mut d = one_op(
            "/x",
            "post",
            json!({"responses": {
                "200": json_response("ok", json!({"type": "string"})),
                "201": json_response("made", json!({"type": "integer"})),
                "4XX": json_response("bad", json!({"type": "object"}))}}),
        );
        one_kind_per_outcome(&mut d);
        let r = &d["paths"]["/x"]["post"]["responses"];
        let body = |s: &str| r[s]["content"]["application/json"]["schema"].clone();
        let merged = json!({"anyOf": [{"type": "string"}, {"type": "integer"}]});
        assert_eq!(body("200"), merged);
        assert_eq!(body("201"), merged, "every status still decodes");
        assert_eq!(body("4XX"), json!({"type": "object"}), "errors untouched");
        let again = d.clone();
        one_kind_per_outcome(&mut d);
        assert_eq!(d, again, "idempotent");
    }

    #[test]
    fn python_patterns_become_ecmascript_and_bad_ones_are_dropped() {
        assert_eq!(
            python_to_ecmascript(r"\A(?P<year>\d{4})-(?P=year)\Z"),
            r"^(?<year>\d{4})-\k<year>$"
        );
        assert_eq!(
            python_to_ecmascript(r"a\\Zb"),
            r"a\\Zb",
            "an escaped backslash stays"
        );
        let mut d = read_and_write(json!({
            "code": {"type": "string", "pattern": "^(?P<area>[0-9]{3})$"},
            "odd": {"type": "string", "pattern": "(?<=a)b(?#comment)("}
        }));
        translate_patterns(&mut d);
        let p = &d["components"]["schemas"]["In"]["properties"];
        assert_eq!(p["code"]["pattern"], "^(?<area>[0-9]{3})$");
        assert!(p["odd"].get("pattern").is_none());
        assert_eq!(p["odd"][DROPPED_PATTERN], "(?<=a)b(?#comment)(");
        let again = d.clone();
        translate_patterns(&mut d);
        assert_eq!(d, again, "idempotent");
    }

    #[test]
    fn types_progenitor_does_not_know_are_dropped() {
        let mut d = one_op(
            "/x",
            "delete",
            json!({"responses": {"200": json_response("ok", json!({"type": "null"}))}}),
        );
        d["components"]["schemas"]["F"] = json!({"type": "object",
            "properties": {"upload": {"type": "file"}, "n": {"type": "integer"}}});
        known_types_only(&mut d);
        assert_eq!(
            d["paths"]["/x"]["delete"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"nullable": true})
        );
        let p = &d["components"]["schemas"]["F"]["properties"];
        assert_eq!(p["upload"], json!({}));
        assert_eq!(p["n"], json!({"type": "integer"}), "known types stay");
    }

    #[test]
    fn a_typed_answer_beside_another_success_body_normalises_once() {
        // Found by the `spec` fuzz target: a free-form 200 beside a `2XX`.
        let mut d = one_op(
            "/users/me/webhook",
            "patch",
            json!({"operationId": "update_my_webhook", "responses": {
                "200": json_response("ok", json!({"type": "object", "additionalProperties": {"type": "string"}})),
                "2XX": json_response("other", schema_ref("Other"))}}),
        );
        normalize(&mut d, &TOKEN_BOWL);
        let once = d.clone();
        normalize(&mut d, &TOKEN_BOWL);
        assert_eq!(d, once);
        let responses = &d["paths"]["/users/me/webhook"]["patch"]["responses"];
        assert!(
            responses.get("200").is_none(),
            "the 200 equals the 2XX that covers it, so it goes"
        );
        assert_eq!(
            responses["2XX"]["content"]["application/json"]["schema"],
            json!({"anyOf": [schema_ref("WebhookUpdated"), schema_ref("Other")]})
        );
    }

    #[test]
    fn the_connection_token_beside_another_success_body_normalises_once() {
        // Found by the `spec` fuzz target: the token's 200 was replaced on
        // every run, so the merge with a 201 nested itself.
        let mut d = one_op(
            "/centrifugo/connection-token",
            "get",
            json!({"responses": {
                "200": json_response("ok", json!({"type": "object", "additionalProperties": true})),
                "201": json_response("made", json!({"type": "object", "additionalProperties": true}))}}),
        );
        d["paths"]["/centrifugo/connection-token"]["get"]["responses"]["201"]["content"]["application/json"]
            ["schema"]["x"] = json!(1);
        normalize(&mut d, &TOKEN_BOWL);
        let once = d.clone();
        normalize(&mut d, &TOKEN_BOWL);
        assert_eq!(d, once);
    }

    #[test]
    fn prose_is_dropped() {
        let mut d = one_op(
            "/x",
            "get",
            json!({"summary": "S", "description": "D",
            "parameters": [{"name": "q", "in": "query", "description": "Q", "schema": {"type": "string", "title": "Q"}}],
            "responses": {"200": {"description": "Successful Response"}}}),
        );
        d["info"]["description"] = json!("about");
        d["components"]["schemas"]["A"] = json!({"title": "A", "description": "a", "type": "object",
            "properties": {"f": {"type": "string", "title": "F", "description": "f"}}});
        drop_prose(&mut d);
        assert_eq!(
            d["paths"]["/x"]["get"],
            json!({
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Success"}}})
        );
        assert_eq!(
            d["components"]["schemas"]["A"],
            json!({"type": "object", "properties": {"f": {"type": "string"}}})
        );
        assert!(d["info"].get("description").is_none());
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        let mut d = one_op(
            "/messages",
            "post",
            json!({
                "operationId": "send_message_messages_post",
                "parameters": [{"name": "authorization", "in": "header", "schema": {"type": "string"}}],
                "responses": {"201": json_response("ok", json!({"type": "object", "properties": {"id": {"type": "string"}}}))}
            }),
        );
        normalize(&mut d, &TOKEN_BOWL);
        let once = d.clone();
        normalize(&mut d, &TOKEN_BOWL);
        assert_eq!(d, once);
    }
}
