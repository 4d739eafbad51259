//! The document every pass works on: the walkers that find its schemas and
//! operations, the notes and skips a pass records, and the helpers for
//! media types and the schemas the passes write.
//!
//! Every pass module (`convert`, `generator`, `conventions`, `rules`) uses
//! this one and none uses another pass module, so no module imports one
//! that imports it back.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------- walkers

/// Where a schema sits: parameters get a different null rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    /// A parameter's `schema`.
    Parameter,
    /// Anywhere else (component schema, body, response).
    Other,
}

/// Calls `f` on every top-level schema of the document (components, parameters,
/// bodies, responses, headers). `f` recurses into sub-schemas itself.
pub fn for_each_schema_site(doc: &mut Value, f: &mut dyn FnMut(&mut Value, Site)) -> Result<()> {
    for_each_schema_at(doc, &mut |schema, site, _| f(schema, site))
}

/// [`for_each_schema_site`], with where each schema is, for messages:
/// `schema Name`, ``parameter `q` of GET /path``, `the body of POST /path`,
/// `the 200 answer of GET /path`, ...
pub fn for_each_schema_at(
    doc: &mut Value,
    f: &mut dyn FnMut(&mut Value, Site, &str),
) -> Result<()> {
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        component_schemas(components, f);
    }
    let Some(paths) = doc.get_mut("paths") else {
        return Ok(());
    };
    let Some(paths) = paths.as_object_mut() else {
        bail!("`paths` is not an object");
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        path_item_schemas(path, item, f);
    }
    Ok(())
}

/// The schemas of `components`: schemas, parameters, bodies, responses and
/// headers.
fn component_schemas(
    components: &mut Map<String, Value>,
    f: &mut dyn FnMut(&mut Value, Site, &str),
) {
    if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut() {
            f(schema, Site::Other, &format!("schema {name}"));
        }
    }
    if let Some(params) = components
        .get_mut("parameters")
        .and_then(Value::as_object_mut)
    {
        for (name, param) in params.iter_mut() {
            parameter_schema(param, &format!("shared parameter {name}"), f);
        }
    }
    for section in ["requestBodies", "responses"] {
        if let Some(items) = components.get_mut(section).and_then(Value::as_object_mut) {
            for (name, item) in items.iter_mut() {
                content_schemas(item, &format!("shared {section} {name}"), f);
            }
        }
    }
    if let Some(headers) = components.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, header) in headers.iter_mut() {
            parameter_schema(header, &format!("shared header {name}"), f);
        }
    }
}

/// The schemas of one path item: its shared parameters and each operation's.
fn path_item_schemas(
    path: &str,
    item: &mut Map<String, Value>,
    f: &mut dyn FnMut(&mut Value, Site, &str),
) {
    for (key, value) in item.iter_mut() {
        if key == "parameters" {
            for param in value.as_array_mut().into_iter().flatten() {
                let at = format!("parameter `{}` of {path}", param_name(param));
                parameter_schema(param, &at, f);
            }
            continue;
        }
        let Some(op) = value.as_object_mut() else {
            continue;
        };
        let what = format!("{} {path}", key.to_uppercase());
        for param in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let at = format!("parameter `{}` of {what}", param_name(param));
            parameter_schema(param, &at, f);
        }
        if let Some(body) = op.get_mut("requestBody") {
            content_schemas(body, &format!("the body of {what}"), f);
        }
        for (status, response) in op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            let answer = format!("the {status} answer of {what}");
            content_schemas(response, &answer, f);
            for (name, header) in response
                .get_mut("headers")
                .and_then(Value::as_object_mut)
                .into_iter()
                .flatten()
            {
                parameter_schema(header, &format!("header `{name}` of {answer}"), f);
            }
        }
    }
}

fn param_name(param: &Value) -> &str {
    param.get("name").and_then(Value::as_str).unwrap_or("?")
}

fn parameter_schema(param: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, Site, &str)) {
    if let Some(schema) = param.get_mut("schema") {
        f(schema, Site::Parameter, at);
    }
}

fn content_schemas(holder: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, Site, &str)) {
    for media in holder
        .get_mut("content")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|c| c.values_mut())
    {
        if let Some(schema) = media.get_mut("schema") {
            f(schema, Site::Other, at);
        }
    }
}

/// Visits the direct sub-schemas of a schema object.
pub fn for_each_subschema(schema: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
        props.values_mut().for_each(&mut *f);
    }
    for key in ["items", "not"] {
        if let Some(sub) = map.get_mut(key)
            && (sub.is_object() || sub.is_boolean())
        {
            f(sub);
        }
    }
    // `additionalProperties: true/false` is valid 3.0: only objects recurse.
    if let Some(sub) = map
        .get_mut("additionalProperties")
        .filter(|s| s.is_object())
    {
        f(sub);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = map.get_mut(key).and_then(Value::as_array_mut) {
            list.iter_mut().for_each(&mut *f);
        }
    }
}

/// Calls `f` on every response object (operations and components).
pub fn for_each_response(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        responses.values_mut().for_each(&mut *f);
    }
    for op in operations_mut(doc) {
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            responses.values_mut().for_each(&mut *f);
        }
    }
}

/// The HTTP methods a path item may hold, in the order we write them.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation object of the document.
pub fn operations_mut(doc: &mut Value) -> impl Iterator<Item = &mut Map<String, Value>> {
    operations_with_keys_mut(doc).map(|(_, _, op)| op)
}

/// Every operation object of the document, with its path and method.
pub fn operations_with_keys_mut(
    doc: &mut Value,
) -> impl Iterator<Item = (&String, &String, &mut Map<String, Value>)> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .filter_map(|(path, item)| Some((path, item.as_object_mut()?)))
        .flat_map(|(path, item)| {
            item.iter_mut()
                .filter(|(k, _)| METHODS.contains(&k.as_str()))
                .filter_map(move |(method, v)| Some((path, method, v.as_object_mut()?)))
        })
}

/// The property names an object schema lists as `required`.
pub fn required_names(schema: &Value) -> impl Iterator<Item = &str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// Every operation object of the document, with its path and method, read
/// only (the path and method owned, so the document can change after).
pub fn operations_with_keys(doc: &Value) -> Vec<(String, String, &Map<String, Value>)> {
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

/// The path and method of every operation.
pub fn operation_keys(doc: &Value) -> Vec<(String, String)> {
    operations_with_keys(doc)
        .into_iter()
        .map(|(p, m, _)| (p, m))
        .collect()
}

/// The JSON pointer of an operation's `key` (`parameters`, `responses`).
pub fn op_pointer(path: &str, method: &str, key: &str) -> String {
    let path = path.replace('~', "~0").replace('/', "~1");
    format!("/paths/{path}/{method}{key}")
}

/// A path's word characters, every other character as `_` (as FastAPI
/// writes a path into an operationId).
pub fn word_chars(path: &str) -> String {
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

/// Names of component schemas a schema refers to, directly or not.
pub fn referenced(doc: &Value, roots: Vec<&Value>) -> BTreeSet<String> {
    let none = serde_json::Map::new();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&none);
    token_bowl_chat_codegen::referenced_schemas(schemas, roots.into_iter())
}

// ---------------------------------------------------------------- notes

/// Where the normaliser records what else it changed for the generator
/// (renamed operations, dropped parameters and responses): one line each,
/// which `regen` prints and the API surface lists.
pub const NOTES: &str = "x-regen-notes";

/// Where the normaliser records the operations it left out.
pub const SKIPPED: &str = "x-skipped-operations";

/// Records `line` under [`NOTES`], once.
pub fn note(doc: &mut Value, line: String) {
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

/// Records each of `lines` under [`NOTES`], once, in order.
pub fn note_all(doc: &mut Value, lines: Vec<String>) {
    for line in lines {
        note(doc, line);
    }
}

/// Leaves an operation out (and its path, when nothing is left there),
/// recording it under [`SKIPPED`] with `reason`.
pub fn skip(doc: &mut Value, method: &str, path: &str, reason: String) {
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

// ---------------------------------------------------------------- media and schemas

/// The media type of a form body.
pub const FORM_MEDIA: &str = "application/x-www-form-urlencoded";

/// A JSON media type: `application/json` (with parameters or not),
/// `application/problem+json`, ...
pub fn is_json_media(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// A `$ref` to the component schema `name`.
pub fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A response whose body is `schema`, as JSON.
pub fn json_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// Removes a schema's prose (descriptions and titles), its sub-schemas'
/// too.
pub fn strip_schema_prose(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut() {
        map.remove("description");
        map.remove("title");
    }
    for_each_subschema(schema, &mut strip_schema_prose);
}

/// Documents for the passes' unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use serde_json::{Value, json};

    use super::{json_response, schema_ref};

    /// A document with one operation.
    pub fn one_op(path: &str, method: &str, op: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
               "paths": { path: { method: op } }, "components": {"schemas": {}}})
    }

    /// A document with one response-only schema `Out` and one request
    /// schema `In`, both with the same fields.
    pub fn read_and_write(fields: Value) -> Value {
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
}
