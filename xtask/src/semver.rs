//! The semver verdict of a server change: which version the regenerated
//! crates need, from what the API surface lost, changed or gained.
//!
//! The generated types are `#[non_exhaustive]` (the codegen's
//! `non_exhaustive` pass), so what a server only adds is a minor release:
//! a new operation (a new method), a new optional field, a new enum value,
//! a new optional parameter, a new type. A major release is what breaks
//! code written against the previous crate: an operation or a type
//! removed or renamed, a field or parameter removed, made required, or of
//! another type, a request that now needs a field, an enum value removed,
//! an answer of another type. Nothing in the surface: a patch.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::{
    document::{operations_with_keys, required_names},
    surface::ty,
};

/// An operation object.
type Op = Map<String, Value>;

/// The version a change needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing a user's code sees changed.
    Patch,
    /// Only additions.
    Minor,
    /// Something a user's code may use changed or went.
    Major,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        })
    }
}

/// The verdict, with the reasons for a major and the additions, each in a
/// user's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The version the change needs.
    pub level: Level,
    /// What breaks a user's code.
    pub breaking: Vec<String>,
    /// What is only added.
    pub added: Vec<String>,
}

impl Verdict {
    /// The lines `regen` ends with: each reason for a major, then
    /// `semver: <level>`.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.breaking.iter().map(|r| format!("  {r}")).collect();
        lines.push(format!("semver: {}", self.level));
        lines
    }
}

/// The verdict for a change from `old` to `new` (both normalised).
pub fn verdict(old: &Value, new: &Value) -> Verdict {
    let mut v = Verdict {
        level: Level::Patch,
        breaking: Vec::new(),
        added: Vec::new(),
    };
    let requests = request_types(new);
    let (old_ops, new_ops) = (operations(old), operations(new));
    for (key, op) in &old_ops {
        match new_ops.get(key) {
            None => v
                .breaking
                .push(format!("operation `{key}` (`{}`) is removed", id(op))),
            Some(now) => operation_change(key, op, now, &mut v),
        }
    }
    for (key, op) in &new_ops {
        if !old_ops.contains_key(key) {
            v.added
                .push(format!("operation `{key}` (`{}`) is added", id(op)));
        }
    }
    let (old_types, new_types) = (schemas(old), schemas(new));
    for (name, schema) in &old_types {
        match new_types.get(name) {
            None => v.breaking.push(format!("type `{name}` is removed")),
            Some(now) => type_change(name, schema, now, requests.contains(name), &mut v),
        }
    }
    for name in new_types.keys() {
        if !old_types.contains_key(name) {
            v.added.push(format!("type `{name}` is added"));
        }
    }
    v.level = if !v.breaking.is_empty() {
        Level::Major
    } else if !v.added.is_empty() {
        Level::Minor
    } else {
        Level::Patch
    };
    v
}

fn id(op: &Op) -> &str {
    op.get("operationId").and_then(Value::as_str).unwrap_or("?")
}

/// `"GET /logos"` → the operation.
fn operations(doc: &Value) -> BTreeMap<String, &Op> {
    operations_with_keys(doc)
        .into_iter()
        .map(|(path, method, op)| (format!("{} {path}", method.to_uppercase()), op))
        .collect()
}

fn schemas(doc: &Value) -> BTreeMap<String, &Value> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.iter().map(|(k, v)| (k.clone(), v)).collect())
        .unwrap_or_default()
}

/// The parameters of an operation: `"query limit"` → (required, type).
fn parameters(op: &Op) -> BTreeMap<String, (bool, String)> {
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let name = format!(
                "{} `{}`",
                p["in"].as_str().unwrap_or("?"),
                p["name"].as_str().unwrap_or("?")
            );
            let required = p.get("required") == Some(&Value::Bool(true));
            (
                name,
                (required, p.get("schema").map(ty).unwrap_or_default()),
            )
        })
        .collect()
}

/// The type of an operation's body, or of its answers of one kind.
fn body(op: &Op) -> Option<String> {
    let body = op.get("requestBody")?;
    let required = body.get("required") == Some(&Value::Bool(true));
    Some(format!(
        "{}{}",
        schema_of(body),
        if required { "" } else { "?" }
    ))
}

fn answers(op: &Op, success: bool) -> String {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2') == success)
        .map(|(status, r)| format!("{status} {}", schema_of(r)))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn schema_of(holder: &Value) -> String {
    holder
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
        .map_or_else(|| "()".to_owned(), ty)
}

fn operation_change(key: &str, old: &Op, new: &Op, v: &mut Verdict) {
    let (was, is) = (id(old), id(new));
    if was != is {
        v.breaking.push(format!(
            "operation `{key}` is renamed from `{was}` to `{is}`"
        ));
    }
    let (old_params, new_params) = (parameters(old), parameters(new));
    for (name, (required, schema)) in &old_params {
        match new_params.get(name) {
            None => v.breaking.push(format!("{name} of `{is}` is removed")),
            Some((now_required, now)) => {
                if now != schema {
                    v.breaking
                        .push(format!("{name} of `{is}` is now `{now}` (was `{schema}`)"));
                }
                if *now_required && !required {
                    v.breaking.push(format!("{name} of `{is}` is now required"));
                }
            }
        }
    }
    for (name, (required, _)) in &new_params {
        if !old_params.contains_key(name) {
            if *required {
                v.breaking.push(format!("`{is}` now requires {name}"));
            } else {
                v.added.push(format!("`{is}` takes a new optional {name}"));
            }
        }
    }
    match (body(old), body(new)) {
        (Some(was), Some(now)) if was != now => v
            .breaking
            .push(format!("the body of `{is}` is now `{now}` (was `{was}`)")),
        (Some(_), None) => v.breaking.push(format!("`{is}` takes no body now")),
        (None, Some(now)) if !now.ends_with('?') => {
            v.breaking
                .push(format!("`{is}` now requires a body `{now}`"));
        }
        (None, Some(_)) => v.added.push(format!("`{is}` takes an optional body")),
        _ => {}
    }
    for (success, what) in [(true, "answers"), (false, "error answers")] {
        let (was, now) = (answers(old, success), answers(new, success));
        if was != now {
            v.breaking
                .push(format!("`{is}` {what} `{now}` now (was `{was}`)"));
        }
    }
}

/// A type's fields: name → (required, type).
fn fields(schema: &Value) -> Option<BTreeMap<&str, (bool, String)>> {
    let properties = schema.get("properties")?.as_object()?;
    let required: BTreeSet<&str> = required_names(schema).collect();
    Some(
        properties
            .iter()
            .map(|(name, p)| (name.as_str(), (required.contains(name.as_str()), ty(p))))
            .collect(),
    )
}

fn enum_values(schema: &Value) -> Option<Vec<&Value>> {
    Some(schema.get("enum")?.as_array()?.iter().collect())
}

fn type_change(name: &str, old: &Value, new: &Value, in_requests: bool, v: &mut Verdict) {
    if let (Some(was), Some(now)) = (fields(old), fields(new)) {
        for (field, (required, schema)) in &was {
            match now.get(field) {
                None => v.breaking.push(format!("`{field}` of `{name}` is removed")),
                Some((now_required, now_schema)) => {
                    if now_schema != schema {
                        v.breaking.push(format!(
                            "`{field}` of `{name}` is now `{now_schema}` (was `{schema}`)"
                        ));
                    }
                    if *now_required && !required {
                        v.breaking
                            .push(format!("`{field}` of `{name}` is now required"));
                    } else if !now_required && *required {
                        v.breaking.push(format!(
                            "`{field}` of `{name}` is now optional (an `Option`)"
                        ));
                    }
                }
            }
        }
        for (field, (required, _)) in &now {
            if was.contains_key(field) {
                continue;
            }
            if *required && in_requests {
                v.breaking
                    .push(format!("`{name}` has a new required field `{field}`"));
            } else {
                v.added.push(format!("`{name}` has a new field `{field}`"));
            }
        }
        return;
    }
    if let (Some(was), Some(now)) = (enum_values(old), enum_values(new)) {
        for value in &was {
            if !now.contains(value) {
                v.breaking
                    .push(format!("value {value} of `{name}` is removed"));
            }
        }
        for value in &now {
            if !was.contains(value) {
                v.added.push(format!("value {value} of `{name}` is added"));
            }
        }
        return;
    }
    let (was, now) = (ty(old), ty(new));
    if was != now {
        v.breaking
            .push(format!("type `{name}` is now `{now}` (was `{was}`)"));
    }
}

/// The component schemas a request uses (its parameters and body), with
/// those they use in turn.
fn request_types(doc: &Value) -> BTreeSet<String> {
    let empty = serde_json::Map::new();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let ops = operations(doc);
    let roots = ops
        .values()
        .flat_map(|op| [op.get("parameters"), op.get("requestBody")])
        .flatten();
    token_bowl_chat_codegen::referenced_schemas(schemas, roots)
}

/// Three variants of the Token Bowl document `doc` (normalised), each with
/// the verdict it must get against `doc`: the same document (patch); a
/// newer server that only adds (`grow`: a new operation, an optional
/// answer field, a new `Role` value: minor); and one that breaks (the
/// operation `GET /logos` removed and `logo` of `UserRegistration` made
/// required: major). The tests and `.ci/semver` (with
/// cargo-semver-checks) read them.
pub fn variants(doc: &Value) -> anyhow::Result<[(Level, Value); 3]> {
    // A document that has grown already (a newer server's, or `.ci/run`'s
    // grown copy) grows by the same parts under new names, until every
    // part is new.
    let mut minor = doc.clone();
    let mut suffix = String::new();
    while crate::grow::grow_named(&mut minor, &suffix)?.len() < crate::grow::PARTS {
        minor = doc.clone();
        suffix.push_str("_next");
    }
    let mut major = doc.clone();
    let removed = major
        .pointer_mut("/paths")
        .and_then(Value::as_object_mut)
        .and_then(|paths| paths.remove("/logos"));
    let required = major
        .pointer_mut("/components/schemas/UserRegistration/required")
        .and_then(Value::as_array_mut);
    match (removed, required) {
        (Some(_), Some(required)) => required.push(Value::from("logo")),
        _ => anyhow::bail!("not a Token Bowl document: no `GET /logos` or `UserRegistration`"),
    }
    Ok([
        (Level::Patch, doc.clone()),
        (Level::Minor, minor),
        (Level::Major, major),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"paths": {"/users": {"post": {"operationId": "register",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reg"}}}},
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}}}}}},
          "components": {"schemas": {
            "Reg": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "logo": {"type": "string"}}},
            "User": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}}},
            "Role": {"type": "string", "enum": ["admin", "member"]}}}})
    }

    #[test]
    fn nothing_changed_is_a_patch() {
        let v = verdict(&doc(), &doc());
        assert_eq!(v.level, Level::Patch);
        assert_eq!(v.lines(), ["semver: patch"]);
    }

    #[test]
    fn a_new_field_in_an_answer_and_a_new_value_are_minor() {
        let mut new = doc();
        new["components"]["schemas"]["User"]["properties"]["bio"] = json!({"type": "string"});
        new["components"]["schemas"]["User"]["required"] = json!(["name", "bio"]);
        new["components"]["schemas"]["Role"]["enum"] = json!(["admin", "member", "bot"]);
        let v = verdict(&doc(), &new);
        assert_eq!(v.level, Level::Minor, "{v:?}");
        assert_eq!(
            v.added,
            [
                "value \"bot\" of `Role` is added",
                "`User` has a new field `bio`"
            ]
        );
    }

    #[test]
    fn a_request_that_needs_more_is_major_and_says_what() {
        let mut new = doc();
        new["components"]["schemas"]["Reg"]["required"] = json!(["name", "logo"]);
        new["components"]["schemas"]["Reg"]["properties"]["team"] = json!({"type": "string"});
        new["components"]["schemas"]["Reg"]["required"] = json!(["name", "logo", "team"]);
        new["components"]["schemas"]["Role"]["enum"] = json!(["admin"]);
        let v = verdict(&doc(), &new);
        assert_eq!(v.level, Level::Major);
        assert_eq!(
            v.breaking,
            [
                "`logo` of `Reg` is now required",
                "`Reg` has a new required field `team`",
                "value \"member\" of `Role` is removed",
            ]
        );
    }

    #[test]
    fn a_removed_or_renamed_operation_is_major() {
        let mut renamed = doc();
        renamed["paths"]["/users"]["post"]["operationId"] = json!("sign_up");
        let v = verdict(&doc(), &renamed);
        assert_eq!(
            v.breaking,
            ["operation `POST /users` is renamed from `register` to `sign_up`"]
        );
        let mut removed = doc();
        removed["paths"] = json!({});
        let v = verdict(&doc(), &removed);
        assert_eq!(
            v.breaking,
            ["operation `POST /users` (`register`) is removed"]
        );
        assert_eq!(v.lines().last().unwrap(), "semver: major");
    }
}
