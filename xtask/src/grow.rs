//! A newer server's document, made from the Token Bowl server's own: what
//! `cargo xtask grow-spec` writes for the `.ci/run` step that proves the
//! README's workflow (regen, then the tests) survives a server that grows.
//!
//! It adds what a newer server plausibly sends: a role ([`NEW_ROLE`]) and a
//! message type ([`NEW_MESSAGE_TYPE`]), an optional field on every message
//! ([`NEW_FIELD`]), and an operation ([`NEW_OPERATION`]) with a schema of
//! its own. It takes the server's document as it serves it (OpenAPI 3.1)
//! or the normalised `openapi.json`, and growing a grown document changes
//! nothing.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// The role a newer server adds.
pub const NEW_ROLE: &str = "moderator";
/// The message type a newer server adds.
pub const NEW_MESSAGE_TYPE: &str = "announcement";
/// The optional field a newer server adds to `MessageResponse`.
pub const NEW_FIELD: &str = "pinned";
/// The operation a newer server adds, `GET` [`NEW_PATH`].
pub const NEW_OPERATION: &str = "list_message_reactions";
/// The path of [`NEW_OPERATION`].
pub const NEW_PATH: &str = "/messages/{message_id}/reactions";
/// The schema [`NEW_OPERATION`] answers a list of.
pub const NEW_SCHEMA: &str = "Reaction";

/// How many parts a growth adds to a document that has none of them: the
/// role, the message type, the field and the operation (with its schema).
pub const PARTS: usize = 4;

/// The operation [`NEW_OPERATION`] is made from (its parameter, security
/// and error answers): `GET /messages/{message_id}`.
const TEMPLATE_PATH: &str = "/messages/{message_id}";

/// Grows `doc` in place; the lines say what was added. Fails, naming the
/// part, when the document lacks one the growth builds on (it is not a
/// Token Bowl document).
pub fn grow(doc: &mut Value) -> Result<Vec<String>> {
    grow_named(doc, "")
}

/// [`grow`] with `suffix` after each new name (`moderator_next`, …), for a
/// growth beyond one that is already there.
pub fn grow_named(doc: &mut Value, suffix: &str) -> Result<Vec<String>> {
    let mut added = Vec::new();
    for (schema, value) in [("Role", NEW_ROLE), ("MessageType", NEW_MESSAGE_TYPE)] {
        let value = format!("{value}{suffix}");
        let values = doc
            .pointer_mut(&format!("/components/schemas/{schema}/enum"))
            .and_then(Value::as_array_mut)
            .with_context(|| format!("the document has no enum schema `{schema}`"))?;
        if !values.contains(&json!(value)) {
            values.push(json!(value));
            added.push(format!("{schema} value `{value}`"));
        }
    }
    let field = format!("{NEW_FIELD}{suffix}");
    let properties = doc
        .pointer_mut("/components/schemas/MessageResponse/properties")
        .and_then(Value::as_object_mut)
        .context("the document has no schema `MessageResponse` with properties")?;
    if !properties.contains_key(&field) {
        properties.insert(field.clone(), json!({"type": "boolean"}));
        added.push(format!("optional MessageResponse field `{field}`"));
    }
    add_operation(doc, suffix, &mut added)?;
    Ok(added)
}

/// `GET` [`NEW_PATH`], made from `GET /messages/{message_id}`, answering a
/// list of [`NEW_SCHEMA`] (each name with `suffix`).
fn add_operation(doc: &mut Value, suffix: &str, added: &mut Vec<String>) -> Result<()> {
    let (path, operation, schema) = (
        format!("{NEW_PATH}{suffix}"),
        format!("{NEW_OPERATION}{suffix}"),
        format!("{NEW_SCHEMA}{suffix}"),
    );
    let pointer = format!("/paths/{}/get", TEMPLATE_PATH.replace('/', "~1"));
    let Some(template) = doc.pointer(&pointer) else {
        bail!("the document has no operation GET {TEMPLATE_PATH}");
    };
    let mut op = template.clone();
    op["operationId"] = json!(operation);
    let Some(answer) = op.pointer_mut("/responses/200/content/application~1json") else {
        bail!("GET {TEMPLATE_PATH} has no JSON 200 answer");
    };
    answer["schema"] = json!({"type": "array",
        "items": {"$ref": format!("#/components/schemas/{schema}")}});
    let paths = doc["paths"]
        .as_object_mut()
        .context("`paths` is not an object")?;
    if paths.contains_key(&path) {
        return Ok(());
    }
    paths.insert(path.clone(), json!({"get": op}));
    doc["components"]["schemas"][&schema] = json!({
        "type": "object",
        "required": ["emoji", "count"],
        "properties": {
            "emoji": {"type": "string"},
            "count": {"type": "integer"},
            "usernames": {"type": "array", "items": {"type": "string"}}
        }
    });
    added.push(format!(
        "operation GET {path} (`{operation}`) answering [{schema}]"
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::{Surface, diff};

    fn committed() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Whether the normalised `doc` has every part a grown server adds.
    fn has_every_part(doc: &Value) -> bool {
        let schemas = &doc["components"]["schemas"];
        let has = |schema: &str, value: &str| {
            schemas[schema]["enum"]
                .as_array()
                .is_some_and(|values| values.contains(&json!(value)))
        };
        has("Role", NEW_ROLE)
            && has("MessageType", NEW_MESSAGE_TYPE)
            && schemas["MessageResponse"]["properties"]
                .get(NEW_FIELD)
                .is_some()
            && schemas.get(NEW_SCHEMA).is_some()
            && doc["paths"][NEW_PATH]["get"]["operationId"] == NEW_OPERATION
    }

    #[test]
    fn the_grown_document_adds_what_a_newer_server_sends_and_regenerates() {
        // In `.ci/run`'s grown copy `openapi.json` already has every part,
        // and grows no further.
        let mut doc = committed();
        let added = grow(&mut doc).unwrap();
        let grown = crate::render(&doc);
        let (normalised, warnings) = crate::process(&grown, "grown").unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(has_every_part(&normalised), "{added:?}");
        let changes = diff(&Surface::of(&committed()), &Surface::of(&normalised)).join("\n");
        let parts = [NEW_ROLE, NEW_MESSAGE_TYPE, NEW_FIELD, NEW_OPERATION];
        for line in &added {
            let part = parts.iter().find(|p| line.contains(*p)).unwrap();
            assert!(changes.contains(part), "{part} missing from:\n{changes}");
        }
        assert!(
            !changes.lines().any(|line| line.starts_with("- ")),
            "a grown server removes nothing:\n{changes}"
        );
        crate::regenerate(&grown, "grown", None).unwrap();
        let again = doc.clone();
        assert!(grow(&mut doc).unwrap().is_empty());
        assert_eq!(doc, again, "growing twice adds nothing");
    }

    #[test]
    fn the_servers_own_document_grows_too() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/specs/token-bowl-chat-server-2.0.1.openapi.json"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipped: {path} is absent");
            return;
        };
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(grow(&mut doc).unwrap().len(), 4);
        let (normalised, _) = crate::process(&crate::render(&doc), "grown 2.0.1").unwrap();
        assert!(has_every_part(&normalised));
    }

    #[test]
    fn another_document_is_a_clear_error() {
        let mut doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {}}});
        let err = grow(&mut doc).unwrap_err().to_string();
        assert_eq!(err, "the document has no enum schema `Role`");
        let mut doc = committed();
        doc["paths"].as_object_mut().unwrap().remove(TEMPLATE_PATH);
        let err = grow(&mut doc).unwrap_err().to_string();
        assert_eq!(
            err,
            "the document has no operation GET /messages/{message_id}"
        );
    }
}
