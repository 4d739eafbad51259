//! The API surface: one line per operation and one per type. This is what a
//! reviewer reads when the server changes, and what `regen` diffs.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::{METHODS, required_names};

/// The surface of a normalised document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surface {
    /// `"POST /messages"` → the operation's line.
    pub operations: BTreeMap<String, String>,
    /// Type name → the type's line.
    pub types: BTreeMap<String, String>,
    /// Operations the normaliser left out, with the reason.
    pub skipped: Vec<String>,
}

impl Surface {
    /// Reads the surface of a normalised OpenAPI 3.0 document.
    pub fn of(doc: &Value) -> Self {
        let mut surface = Self::default();
        for (path, item) in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    let key = format!("{} {path}", method.to_uppercase());
                    let line = format!("{key}  {}", operation(op));
                    surface.operations.insert(key, line);
                }
            }
        }
        for (name, schema) in doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let body = if schema.get("properties").is_some() {
                fields(schema)
            } else {
                format!("= {}", ty(schema))
            };
            surface
                .types
                .insert(name.clone(), format!("type {name} {body}"));
        }
        for skipped in doc
            .get(crate::document::SKIPPED)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            surface.skipped.push(format!(
                "skipped {} {}  {}: {}",
                skipped["method"].as_str().unwrap_or("?"),
                skipped["path"].as_str().unwrap_or("?"),
                skipped["operationId"].as_str().unwrap_or("?"),
                skipped["reason"].as_str().unwrap_or("?"),
            ));
        }
        for line in doc
            .get(crate::document::NOTES)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            surface.skipped.push(line.to_owned());
        }
        surface
    }

    /// The snapshot text: operations, then types.
    pub fn render(&self) -> String {
        let mut out = String::from("# Operations\n");
        for line in self.operations.values() {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("\n# Types\n");
        for line in self.types.values() {
            out.push_str(line);
            out.push('\n');
        }
        if !self.skipped.is_empty() {
            out.push_str("\n# Skipped or changed for the generator\n");
            for line in &self.skipped {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

fn operation(op: &Value) -> String {
    let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
    let mut args: Vec<String> = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
            let location = p.get("in").and_then(Value::as_str).unwrap_or("?");
            let optional = if p.get("required") == Some(&Value::Bool(true)) {
                ""
            } else {
                "?"
            };
            let schema = p.get("schema").map(ty).unwrap_or_else(|| "?".into());
            format!("{location} {name}{optional}: {schema}")
        })
        .collect();
    if let Some(body) = op.get("requestBody") {
        let schema = first_content_schema(body)
            .map(ty)
            .unwrap_or_else(|| "?".into());
        args.push(format!("body: {schema}"));
    }
    let mut success = Vec::new();
    let mut errors = Vec::new();
    for (status, response) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let schema = first_content_schema(response)
            .map(ty)
            .unwrap_or_else(|| "()".into());
        if status.starts_with('2') {
            success.push(format!("{status} {schema}"));
        } else {
            errors.push(format!("{status} {schema}"));
        }
    }
    let auth = if op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty())
    {
        ""
    } else {
        " [public]"
    };
    format!(
        "{id}({}) -> {} ! {}{auth}",
        args.join(", "),
        success.join(" | "),
        errors.join(" | ")
    )
}

fn first_content_schema(holder: &Value) -> Option<&Value> {
    holder
        .get("content")?
        .as_object()?
        .values()
        .next()?
        .get("schema")
}

fn fields(schema: &Value) -> String {
    let required: Vec<&str> = required_names(schema).collect();
    let list: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, prop)| {
            let optional = if required.contains(&name.as_str()) {
                ""
            } else {
                "?"
            };
            let default = prop
                .get("default")
                .map(|d| format!(" = {d}"))
                .unwrap_or_default();
            format!("{name}{optional}: {}{default}", ty(prop))
        })
        .collect();
    format!("{{ {} }}", list.join(", "))
}

/// A compact rendering of a schema's type.
pub fn ty(schema: &Value) -> String {
    let base = if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        reference.rsplit('/').next().unwrap_or(reference).to_owned()
    } else if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        values
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(" | ")
    } else if let Some(list) = schema.get("allOf").and_then(Value::as_array) {
        list.iter().map(ty).collect::<Vec<_>>().join(" & ")
    } else if let Some(list) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    {
        format!("({})", list.iter().map(ty).collect::<Vec<_>>().join(" | "))
    } else {
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => format!(
                "[{}]",
                schema.get("items").map(ty).unwrap_or_else(|| "any".into())
            ),
            Some("object") if schema.get("properties").is_some() => fields(schema),
            Some("object") | None if schema.get("additionalProperties").is_some() => {
                match schema.get("additionalProperties") {
                    Some(Value::Bool(true)) | None => "{string: any}".into(),
                    Some(Value::Bool(false)) => "{}".into(),
                    Some(inner) => format!("{{string: {}}}", ty(inner)),
                }
            }
            Some("object") => "object".into(),
            Some(t) => {
                let mut s = t.to_owned();
                if let Some(format) = schema.get("format").and_then(Value::as_str) {
                    s.push_str(&format!("({format})"));
                }
                let limits: Vec<String> = ["minLength", "maxLength", "minimum", "maximum"]
                    .iter()
                    .filter_map(|k| schema.get(*k).map(|v| format!("{k}={v}")))
                    .collect();
                if !limits.is_empty() {
                    s.push_str(&format!("[{}]", limits.join(",")));
                }
                s
            }
            None => "any".into(),
        }
    };
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        format!("{base}?")
    } else {
        base
    }
}

/// What changed between two surfaces, as lines for a terminal.
pub fn diff(old: &Surface, new: &Surface) -> Vec<String> {
    let mut out = Vec::new();
    section(&mut out, "operation", &old.operations, &new.operations);
    section(&mut out, "type", &old.types, &new.types);
    out
}

fn section(
    out: &mut Vec<String>,
    what: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) {
    for (key, line) in new {
        match old.get(key) {
            None => out.push(format!("+ {what} added:   {line}")),
            Some(before) if before != line => {
                out.push(format!("~ {what} changed: {before}"));
                out.push(format!("                 now: {line}"));
            }
            Some(_) => {}
        }
    }
    for (key, line) in old {
        if !new.contains_key(key) {
            out.push(format!("- {what} removed: {line}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"paths": {"/messages": {"post": {
            "operationId": "send_message",
            "security": [{"APIKeyHeader": []}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Send"}}}},
            "responses": {
                "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Msg"}}}},
                "4XX": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
            }
        }, "get": {
            "operationId": "get_messages",
            "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "default": 50}}],
            "responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Msg"}}}}}}
        }}},
        "components": {"schemas": {
            "Msg": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "to": {"type": "string", "nullable": true, "maxLength": 50}}},
            "Role": {"type": "string", "enum": ["admin", "member"]}
        }}})
    }

    #[test]
    fn renders_operations_and_types() {
        let text = Surface::of(&doc()).render();
        assert_eq!(
            text,
            "# Operations\n\
             GET /messages  get_messages(query limit?: integer) -> 200 [Msg] !  [public]\n\
             POST /messages  send_message(body: Send) -> 201 Msg ! 4XX ErrorBody\n\
             \n# Types\n\
             type Msg { id: string(uuid), to?: string[maxLength=50]? }\n\
             type Role = \"admin\" | \"member\"\n"
        );
    }

    #[test]
    fn diff_lists_added_removed_and_changed() {
        let old = Surface::of(&doc());
        let mut changed = doc();
        changed["paths"]["/messages"]
            .as_object_mut()
            .unwrap()
            .remove("get");
        changed["paths"]["/typing"] = json!({"post": {"operationId": "typing", "responses": {}}});
        changed["components"]["schemas"]["Role"]["enum"] = json!(["admin"]);
        let lines = diff(&old, &Surface::of(&changed));
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(lines[0].starts_with("+ operation added:   POST /typing"));
        assert!(lines[1].starts_with("- operation removed: GET /messages"));
        assert!(lines[2].starts_with("~ type changed: type Role"));
        assert!(diff(&old, &old).is_empty());
    }
}
