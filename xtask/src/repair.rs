//! Repairs for what real-world documents hold and the generator cannot
//! read: each keeps the document's meaning as far as the generated client
//! can carry it, and records what it changed as a note (which `regen`
//! prints and the API surface lists).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::{convert::for_each_schema_site, normalize::note};

/// Every repair, in order.
pub fn repair(doc: &mut Value) {
    info_placeholders(doc);
    path_parameters_match_the_template(doc);
    one_request_media_type(doc);
    enums_the_generator_can_name(doc);
    defaults_that_fit(doc);
}

/// An `info` without `title` or `version` (older FastAPI apps with neither
/// set) gets placeholders: the generator requires both.
pub fn info_placeholders(doc: &mut Value) {
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
        note(
            doc,
            format!(
                "the document's info had no title or version: filled {}",
                filled.join(" and ")
            ),
        );
    }
}

/// Lower case, letters and digits only: `workflowId`, `workflow_id` and
/// `Workflow-ID` are one name.
fn loose(name: &str) -> String {
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
pub fn path_parameters_match_the_template(doc: &mut Value) {
    let mut notes = Vec::new();
    let paths: Vec<String> = doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        let template = template_names(&path);
        let Some(item) = doc["paths"][&path].as_object_mut() else {
            continue;
        };
        // Path-level parameters apply to every operation: move them in.
        let shared = item.remove("parameters");
        for (method, op) in item.iter_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            if !crate::convert::METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(Value::Array(shared)) = &shared {
                let params = op.entry("parameters").or_insert_with(|| json!([]));
                if let Some(params) = params.as_array_mut() {
                    for param in shared {
                        let declared = |p: &Value| {
                            p.get("name") == param.get("name") && p.get("in") == param.get("in")
                        };
                        if !params.iter().any(declared) {
                            params.push(param.clone());
                        }
                    }
                }
            }
            let what = format!("{} {path}", method.to_uppercase());
            match_template(op, &template, &what, &mut notes);
        }
    }
    for line in notes {
        note(doc, line);
    }
}

fn match_template(
    op: &mut Map<String, Value>,
    template: &[String],
    what: &str,
    notes: &mut Vec<String>,
) {
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    let Some(params) = params.as_array_mut() else {
        return;
    };
    let is_path = |p: &Value| p.get("in").and_then(Value::as_str) == Some("path");
    let name_of = |p: &Value| {
        p.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let mut unmatched_names: Vec<&String> = template
        .iter()
        .filter(|name| !params.iter().any(|p| is_path(p) && name_of(p) == **name))
        .collect();
    if unmatched_names.is_empty() && params.iter().filter(|p| is_path(p)).count() == template.len()
    {
        return;
    }
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
        let others = unmatched_names_loose_count(template, name);
        if same.len() == 1 && others == 1 {
            let i = same[0];
            notes.push(format!(
                "renamed path parameter `{}` of {what} to `{name}`, as its path names it",
                name_of(&params[i])
            ));
            params[i]["name"] = json!(name);
            unmatched_params.retain(|&j| j != i);
            false
        } else {
            true
        }
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

/// How many template names share `name`'s loose spelling.
fn unmatched_names_loose_count(template: &[String], name: &str) -> usize {
    template.iter().filter(|n| loose(n) == loose(name)).count()
}

/// A JSON media type: `application/json`, `application/problem+json`, ...
fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// A request body offered in several media types: the generator takes one.
/// JSON is kept (`application/json` first, else the first `*+json`); a
/// body with no JSON form is left for
/// [`skip_unsupported_bodies`](crate::normalize::skip_unsupported_bodies)
/// to skip.
pub fn one_request_media_type(doc: &mut Value) {
    let mut notes = Vec::new();
    let paths: Vec<String> = doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        let Some(item) = doc["paths"][&path].as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let Some(content) = op
                .pointer_mut("/requestBody/content")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            if content.len() < 2 {
                continue;
            }
            let keep = content
                .keys()
                .find(|k| k.as_str() == "application/json")
                .or_else(|| content.keys().find(|k| is_json(k)))
                .cloned();
            let Some(keep) = keep else {
                continue;
            };
            let dropped: Vec<String> = content.keys().filter(|k| **k != keep).cloned().collect();
            content.retain(|k, _| *k == keep);
            let mut line = format!(
                "{} {path} takes its body as {keep} only (not {})",
                method.to_uppercase(),
                dropped.join(", ")
            );
            json_as_application_json(content, &mut line);
            notes.push(line);
        }
    }
    for line in notes {
        note(doc, line);
    }
    // A single `*+json` body too.
    let mut notes = Vec::new();
    for (path, item) in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            if let Some(content) = op
                .pointer_mut("/requestBody/content")
                .and_then(Value::as_object_mut)
                && content.len() == 1
            {
                let mut line = format!("{} {path} takes its body", method.to_uppercase());
                if json_as_application_json(content, &mut line) {
                    notes.push(line);
                }
            }
        }
    }
    for line in notes {
        note(doc, line);
    }
}

/// The generator sends a JSON body as `application/json` and refuses any
/// other JSON media type (`unexpected content type`): the body is
/// described as `application/json`. Says so on `line`.
fn json_as_application_json(content: &mut Map<String, Value>, line: &mut String) -> bool {
    let Some(other) = content
        .keys()
        .find(|k| is_json(k) && k.as_str() != "application/json")
        .cloned()
    else {
        return false;
    };
    if content.len() != 1 {
        return false;
    }
    let media = content.remove(&other).expect("the key was found");
    content.insert("application/json".into(), media);
    line.push_str(&format!(
        ", sent as application/json (the document says {other})"
    ));
    true
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
pub fn enums_the_generator_can_name(doc: &mut Value) {
    let mut notes = Vec::new();
    each_schema(doc, &mut |schema, at| enum_in(schema, at, &mut notes));
    for line in notes {
        note(doc, line);
    }
}

fn enum_in(schema: &mut Value, at: &str, notes: &mut Vec<String>) {
    if let Some(map) = schema.as_object_mut()
        && let Some(values) = map.get("enum").and_then(Value::as_array).cloned()
    {
        let kinds: BTreeSet<&str> = values.iter().map(kind).filter(|k| *k != "null").collect();
        let nullable = values.iter().any(Value::is_null);
        if !map.contains_key("type") && kinds.len() > 1 {
            map.remove("enum");
            if kinds.iter().all(|k| matches!(*k, "string" | "number")) {
                map.insert(
                    "anyOf".into(),
                    json!([{"type": "string"}, {"type": "number"}]),
                );
                if nullable {
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
    // Properties are named in the notes.
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            enum_in(prop, &format!("{at}.{name}"), notes);
        }
    }
    if let Some(map) = schema.as_object_mut() {
        for key in ["items", "not", "additionalProperties"] {
            if let Some(sub) = map.get_mut(key).filter(|s| s.is_object()) {
                enum_in(sub, at, notes);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(list) = map.get_mut(key).and_then(Value::as_array_mut) {
                list.iter_mut().for_each(|sub| enum_in(sub, at, notes));
            }
        }
    }
}

/// Two string values whose Rust variant names would be one, both with the
/// punctuation dropped and with it written as `x` (the generator's two
/// tries).
fn clashing_names(values: &[Value]) -> Option<String> {
    let dropped = |s: &str| loose(s);
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
            if dropped(a) == dropped(b) && marked(a) == marked(b) {
                return Some(format!("{a:?} and {b:?}"));
            }
        }
    }
    None
}

/// A `default` that does not fit its own schema (`"default": {}` on an
/// array, a string on an integer, a value outside its enum) goes: the
/// generator refuses it (`value does not conform to the given schema`).
pub fn defaults_that_fit(doc: &mut Value) {
    let schemas: BTreeMap<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let mut notes = Vec::new();
    each_schema(doc, &mut |schema, at| {
        defaults_in(schema, at, &schemas, &mut notes);
    });
    for line in notes {
        note(doc, line);
    }
}

fn defaults_in(
    schema: &mut Value,
    at: &str,
    schemas: &BTreeMap<String, Value>,
    notes: &mut Vec<String>,
) {
    if let Some(map) = schema.as_object_mut()
        && let Some(default) = map.get("default").cloned()
    {
        let mut bare = Value::Object(map.clone());
        bare.as_object_mut().unwrap().remove("default");
        if !fits(&bare, &default, schemas, 0) {
            map.remove("default");
            notes.push(format!(
                "{at}: dropped the default {default} (it does not fit the schema)"
            ));
        }
    }
    // Properties are named in the notes.
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            defaults_in(prop, &format!("{at}.{name}"), schemas, notes);
        }
    }
    let mut others = |sub: &mut Value| defaults_in(sub, at, schemas, notes);
    if let Some(map) = schema.as_object_mut() {
        for key in ["items", "not", "additionalProperties"] {
            if let Some(sub) = map.get_mut(key).filter(|s| s.is_object()) {
                others(sub);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(list) = map.get_mut(key).and_then(Value::as_array_mut) {
                list.iter_mut().for_each(&mut others);
            }
        }
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
        _ => !value.is_null() || map.is_empty() || !map.contains_key("type"),
    }
}

/// Calls `f` on every schema of the document with where it is: a component
/// by its name, an operation's by the operation and the part.
fn each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            f(schema, &format!("schema {name}"));
        }
    }
    for (path, item) in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            let what = format!("{} {path}", method.to_uppercase());
            for param in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let name = param["name"].as_str().unwrap_or("?").to_owned();
                if let Some(schema) = param.get_mut("schema") {
                    f(schema, &format!("parameter `{name}` of {what}"));
                }
            }
            if let Some(content) = op
                .pointer_mut("/requestBody/content")
                .and_then(Value::as_object_mut)
            {
                for media in content.values_mut() {
                    if let Some(schema) = media.get_mut("schema") {
                        f(schema, &format!("the body of {what}"));
                    }
                }
            }
            for (status, response) in op
                .get_mut("responses")
                .and_then(Value::as_object_mut)
                .into_iter()
                .flatten()
            {
                for media in response
                    .get_mut("content")
                    .and_then(Value::as_object_mut)
                    .into_iter()
                    .flat_map(|c| c.values_mut())
                {
                    if let Some(schema) = media.get_mut("schema") {
                        f(schema, &format!("the {status} answer of {what}"));
                    }
                }
            }
        }
    }
    // The other component sections (shared parameters, bodies, answers).
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    let mut rest = json!({"components": Value::Object(std::mem::take(components))});
    let schemas = rest["components"]
        .as_object_mut()
        .and_then(|c| c.remove("schemas"));
    let _ = for_each_schema_site(&mut rest, &mut |schema, _| f(schema, "a shared component"));
    let mut components = std::mem::take(&mut rest["components"]);
    if let Some(schemas) = schemas {
        components["schemas"] = schemas;
    }
    doc["components"] = components;
}
