//! Repairs for what real-world documents hold and the generator cannot
//! read: each keeps the document's meaning as far as the generated client
//! can carry it, and records what it changed as a note (which `regen`
//! prints and the API surface lists).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::{
    convert::{for_each_schema_at, for_each_subschema, operations_with_keys_mut},
    normalize::{FORM_MEDIA, form_fields, is_json_media, note},
};

/// Every repair, in order, each noting what it changed.
pub fn repair(doc: &mut Value) {
    let mut notes = Vec::new();
    info_placeholders(doc, &mut notes);
    path_parameters_match_the_template(doc, &mut notes);
    one_request_media_type(doc, &mut notes);
    let schemas: BTreeMap<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let _ = for_each_schema_at(doc, &mut |schema, _, at| {
        each_named(schema, at, &mut |schema, at| {
            enum_the_generator_can_name(schema, at, &mut notes);
            default_that_fits(schema, at, &schemas, &mut notes);
        });
    });
    for line in notes {
        note(doc, line);
    }
}

/// Calls `f` on `schema` and each schema inside it, a property's as
/// `at.name`.
fn each_named(schema: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    f(schema, at);
    let Some(mut props) = schema
        .as_object_mut()
        .and_then(|map| map.remove("properties"))
    else {
        return for_each_subschema(schema, &mut |sub| each_named(sub, at, f));
    };
    for (name, prop) in props.as_object_mut().into_iter().flatten() {
        each_named(prop, &format!("{at}.{name}"), f);
    }
    for_each_subschema(schema, &mut |sub| each_named(sub, at, f));
    schema["properties"] = props;
}

/// An `info` without `title` or `version` (older FastAPI apps with neither
/// set) gets placeholders: the generator requires both.
fn info_placeholders(doc: &mut Value, notes: &mut Vec<String>) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let info = root.entry("info").or_insert_with(|| json!({}));
    if !info.is_object() {
        *info = json!({});
    }
    let mut filled = Vec::new();
    for (key, placeholder) in [("title", "untitled"), ("version", "0.0.0")] {
        if !info.get(key).is_some_and(Value::is_string) {
            info[key] = json!(placeholder);
            filled.push(format!("`{key}` as {placeholder:?}"));
        }
    }
    if !filled.is_empty() {
        notes.push(format!(
            "the document's info had no title or version: filled {}",
            filled.join(" and ")
        ));
    }
}

/// Lower case, letters and digits only: `workflowId`, `workflow_id` and
/// `Workflow-ID` are one name.
pub fn loose(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The `{names}` of a path template, in order.
fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// A path parameter must carry the name its template uses, or the
/// generator panics (`missing path name mapping`, `x missing from path`).
/// A declared one whose name differs is renamed to the template's when the
/// match is unique: by the same name in another case or spelling
/// (`workflowId` for `{workflow_id}`), else by position among those left.
/// A template name with no parameter left gets a required string
/// parameter; a declared one with no place in the template goes.
/// Path-level parameters are first moved into each operation.
fn path_parameters_match_the_template(doc: &mut Value, notes: &mut Vec<String>) {
    for item in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
    {
        if let Some(Value::Array(shared)) = item.remove("parameters") {
            for (_, op) in item
                .iter_mut()
                .filter(|(k, _)| crate::convert::METHODS.contains(&k.as_str()))
            {
                inherit(op, &shared);
            }
        }
    }
    for (path, method, op) in operations_with_keys_mut(doc) {
        let what = format!("{} {path}", method.to_uppercase());
        match_template(op, &template_names(path), &what, notes);
    }
}

/// Adds the path-level parameters an operation does not declare itself.
fn inherit(op: &mut Value, shared: &[Value]) {
    let Some(params) = op
        .as_object_mut()
        .map(|op| op.entry("parameters").or_insert_with(|| json!([])))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for param in shared {
        let same = |p: &Value| p.get("name") == param.get("name") && p.get("in") == param.get("in");
        if !params.iter().any(same) {
            params.push(param.clone());
        }
    }
}

fn match_template(
    op: &mut Map<String, Value>,
    template: &[String],
    what: &str,
    notes: &mut Vec<String>,
) {
    let is_path = |p: &Value| p.get("in").and_then(Value::as_str) == Some("path");
    let name_of = |p: &Value| {
        p.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let empty = Vec::new();
    let declared = op
        .get("parameters")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let path_names: Vec<String> = declared
        .iter()
        .filter(|p| is_path(p))
        .map(name_of)
        .collect();
    if path_names.len() == template.len() && template.iter().all(|n| path_names.contains(n)) {
        return;
    }
    let Some(params) = op
        .entry("parameters")
        .or_insert_with(|| json!([]))
        .as_array_mut()
    else {
        return;
    };
    let mut unmatched_names: Vec<&String> = template
        .iter()
        .filter(|name| !path_names.contains(name))
        .collect();
    let mut unmatched_params: Vec<usize> = (0..params.len())
        .filter(|&i| is_path(&params[i]) && !template.contains(&name_of(&params[i])))
        .collect();
    // Same name, other spelling, when exactly one of each matches.
    unmatched_names.retain(|name| {
        let same: Vec<usize> = unmatched_params
            .iter()
            .copied()
            .filter(|&i| loose(&name_of(&params[i])) == loose(name))
            .collect();
        let spellings = template.iter().filter(|n| loose(n) == loose(name)).count();
        let [i] = same[..] else { return true };
        if spellings != 1 {
            return true;
        }
        notes.push(format!(
            "renamed path parameter `{}` of {what} to `{name}`, as its path names it",
            name_of(&params[i])
        ));
        params[i]["name"] = json!(name);
        unmatched_params.retain(|&j| j != i);
        false
    });
    // By position, when as many are left on both sides.
    if unmatched_names.len() == unmatched_params.len() {
        for (name, &i) in unmatched_names.iter().zip(&unmatched_params) {
            notes.push(format!(
                "renamed path parameter `{}` of {what} to `{name}`, the name its path gives that place",
                name_of(&params[i])
            ));
            params[i]["name"] = json!(name);
        }
        return;
    }
    for name in unmatched_names {
        notes.push(format!(
            "added path parameter `{name}` to {what}: its path names it but the document declares none (a string)"
        ));
        params.push(
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
        );
    }
    let extra: BTreeSet<usize> = unmatched_params.into_iter().collect();
    let mut index = 0;
    params.retain(|p| {
        let keep = !extra.contains(&index);
        index += 1;
        if !keep {
            notes.push(format!(
                "dropped path parameter `{}` of {what}: its path has no place for it",
                name_of(p)
            ));
        }
        keep
    });
}

/// The generator takes a request body in one media type, and a JSON one
/// only as `application/json` (`more media types than expected`,
/// `unexpected content type`). A body offered in several keeps its JSON
/// form (`application/json` first, else the first `*+json`); a lone
/// `*+json` body is described as `application/json`, which is what the
/// client sends. A body with no JSON form keeps its form
/// (`application/x-www-form-urlencoded`) when the client can send it
/// ([`form_fields`]); any other is left for
/// [`skip_unsupported_bodies`](crate::normalize::skip_unsupported_bodies)
/// to skip. A form's `encoding` goes (the generator cannot read it; the
/// client writes each field as text).
fn one_request_media_type(doc: &mut Value, notes: &mut Vec<String>) {
    let lookup = json!({"components": {"schemas": doc.pointer("/components/schemas")}});
    for (path, method, op) in operations_with_keys_mut(doc) {
        let Some(content) = op
            .get_mut("requestBody")
            .and_then(|body| body.get_mut("content"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let mut changes = String::new();
        if content.len() > 1 {
            let Some(keep) = content
                .keys()
                .find(|k| k.as_str() == "application/json")
                .or_else(|| content.keys().find(|k| is_json_media(k)))
                .or_else(|| {
                    let form = content.get_key_value(FORM_MEDIA)?;
                    let schema = form.1.get("schema").unwrap_or(&Value::Null);
                    form_fields(schema, &lookup).is_ok().then_some(form.0)
                })
                .cloned()
            else {
                continue;
            };
            let dropped: Vec<String> = content.keys().filter(|k| **k != keep).cloned().collect();
            content.retain(|k, _| *k == keep);
            changes.push_str(&format!(" as {keep} only (not {})", dropped.join(", ")));
        }
        if let Some(other) = content
            .keys()
            .find(|k| is_json_media(k) && k.as_str() != "application/json")
            .cloned()
        {
            let media = content.remove(&other).expect("the key was found");
            content.insert("application/json".into(), media);
            changes.push_str(&format!(
                ", sent as application/json (the document says {other})"
            ));
        }
        if let Some(form) = content.get_mut(FORM_MEDIA).and_then(Value::as_object_mut)
            && form.remove("encoding").is_some()
        {
            changes.push_str(" without its `encoding` (each field is sent as text)");
        }
        if !changes.is_empty() {
            notes.push(format!(
                "{} {path} takes its body{changes}",
                method.to_uppercase()
            ));
        }
    }
}

/// The kind of a JSON value, as an enum of it would need.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Enums the generator cannot turn into a Rust enum:
/// - an enum without `type` whose values are of several kinds (`["low",
///   1]`): strings and numbers become a string-or-number value; any other
///   mix loses the enum (any JSON value);
/// - a string enum two of whose values make the same Rust name
///   (`application/vnd.zarr`, `application/vnd+zarr`): it stays a string.
fn enum_the_generator_can_name(schema: &mut Value, at: &str, notes: &mut Vec<String>) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let Some(values) = map.get("enum").and_then(Value::as_array).cloned() else {
        return;
    };
    let kinds: BTreeSet<&str> = values.iter().map(kind).filter(|k| *k != "null").collect();
    if !map.contains_key("type") && kinds.len() > 1 {
        map.remove("enum");
        if kinds.iter().all(|k| matches!(*k, "string" | "number")) {
            map.insert(
                "anyOf".into(),
                json!([{"type": "string"}, {"type": "number"}]),
            );
            if values.iter().any(Value::is_null) {
                map.insert("nullable".into(), json!(true));
            }
            notes.push(format!(
                "{at}: an enum of strings and numbers is a string-or-number value (its values are not checked)"
            ));
        } else {
            notes.push(format!(
                "{at}: an enum of {} is any JSON value (its values are not checked)",
                kinds.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    } else if map.get("type").and_then(Value::as_str) == Some("string")
        && let Some(clash) = clashing_names(&values)
    {
        map.remove("enum");
        notes.push(format!(
            "{at}: the enum values {clash} make the same Rust name, so it is a plain string"
        ));
    }
}

/// Two string values whose Rust variant names would be one, both with the
/// punctuation dropped and with it written as `x` (the generator's two
/// tries).
fn clashing_names(values: &[Value]) -> Option<String> {
    let marked = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    'x'
                }
            })
            .collect()
    };
    let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    for (i, a) in strings.iter().enumerate() {
        for b in &strings[i + 1..] {
            if loose(a) == loose(b) && marked(a) == marked(b) {
                return Some(format!("{a:?} and {b:?}"));
            }
        }
    }
    None
}

/// A `default` that does not fit its own schema (`"default": {}` on an
/// array, a string on an integer, a value outside its enum) goes: the
/// generator refuses it (`value does not conform to the given schema`).
fn default_that_fits(
    schema: &mut Value,
    at: &str,
    schemas: &BTreeMap<String, Value>,
    notes: &mut Vec<String>,
) {
    let Some(default) = schema.get("default").cloned() else {
        return;
    };
    if !fits(schema, &default, schemas, 0) {
        if let Some(map) = schema.as_object_mut() {
            map.remove("default");
        }
        notes.push(format!(
            "{at}: dropped the default {default} (it does not fit the schema)"
        ));
    }
}

/// Whether `value` is an instance of `schema` (3.0), as far as the generator
/// checks: types, enums, required properties, items, and `$ref`s.
pub fn fits(
    schema: &Value,
    value: &Value,
    schemas: &BTreeMap<String, Value>,
    depth: usize,
) -> bool {
    if depth > 32 {
        return true;
    }
    let Some(map) = schema.as_object() else {
        return true;
    };
    if let Some(target) = map.get("$ref").and_then(Value::as_str) {
        return match target
            .strip_prefix("#/components/schemas/")
            .and_then(|name| schemas.get(name))
        {
            Some(target) => fits(target, value, schemas, depth + 1),
            None => true,
        };
    }
    let nullable = map.get("nullable").and_then(Value::as_bool) == Some(true);
    if value.is_null() && nullable {
        return true;
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        return false;
    }
    if let Some(all) = map.get("allOf").and_then(Value::as_array)
        && !all.iter().all(|s| fits(s, value, schemas, depth + 1))
    {
        return false;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(any) = map.get(key).and_then(Value::as_array)
            && !any.iter().any(|s| fits(s, value, schemas, depth + 1))
        {
            return false;
        }
    }
    match map.get("type").and_then(Value::as_str) {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.as_array().is_some_and(|items| {
            map.get("items")
                .is_none_or(|s| items.iter().all(|v| fits(s, v, schemas, depth + 1)))
        }),
        Some("object") => value.as_object().is_some_and(|fields| {
            let props = map.get("properties").and_then(Value::as_object);
            let required_present = map
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .all(|name| fields.contains_key(name));
            required_present
                && fields
                    .iter()
                    .all(|(name, v)| match props.and_then(|p| p.get(name)) {
                        Some(s) => fits(s, v, schemas, depth + 1),
                        None => match map.get("additionalProperties") {
                            Some(Value::Bool(false)) => false,
                            Some(s @ Value::Object(_)) => fits(s, v, schemas, depth + 1),
                            _ => true,
                        },
                    })
        }),
        // No type, or one 3.0 does not have (dropped later).
        other => other.is_none() || !value.is_null(),
    }
}
