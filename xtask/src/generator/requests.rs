//! Requests the generated client cannot send as the document describes
//! them: a body in several media types keeps one, a body it cannot send at
//! all (uploads, forms of lists) skips its operation, a cookie parameter
//! goes, a list in a header takes one value.

use serde_json::{Value, json};

use crate::document::{
    FORM_MEDIA, is_json_media, note, note_all, op_pointer, operation_keys, operations_with_keys,
    operations_with_keys_mut, skip,
};

/// The generator takes a request body in one media type, and a JSON one
/// only as `application/json` (`more media types than expected`,
/// `unexpected content type`). A body offered in several keeps its JSON
/// form (`application/json` first, else the first `*+json`); a lone
/// `*+json` body is described as `application/json`, which is what the
/// client sends. A body with no JSON form keeps its form
/// (`application/x-www-form-urlencoded`) when the client can send it
/// ([`form_fields`]); any other is left for [`skip_unsupported_bodies`]
/// to skip. A form's `encoding` goes (the generator cannot read it; the
/// client writes each field as text).
pub fn one_request_media_type(doc: &mut Value) {
    let mut notes = Vec::new();
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
    note_all(doc, notes);
}

/// Operations whose request body the generated client cannot send are left
/// out, so the rest of the client still builds; each is recorded under
/// [`SKIPPED`](crate::document::SKIPPED) with its reason, which the API
/// surface lists and `regen` prints. A JSON body is sent as it is, and so is a form
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

/// Cookie parameters: the generated client cannot send them. An optional
/// one is dropped (set it with the `reqwest` client's cookie store); an
/// operation that requires one is skipped. A list in a header takes one
/// value.
pub fn unsupported_parameters(doc: &mut Value) {
    let (skips, drops) = cookie_parameters(doc);
    one_value_headers(doc);
    for (path, method, name) in skips {
        skip(
            doc,
            &method,
            &path,
            format!("required cookie parameter `{name}` cannot be sent by the generated client"),
        );
    }
    for (path, method, name) in drops {
        drop_cookie_parameters(doc, &path, &method, &name);
    }
}

/// A parameter of an operation: `(path, method, name)`.
type Parameter = (String, String, String);

/// The cookie parameters: the required ones, then the optional ones.
fn cookie_parameters(doc: &Value) -> (Vec<Parameter>, Vec<Parameter>) {
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
    (skips, drops)
}

/// A list in a header: the generated client formats a header with
/// `Display`, which a `Vec` has not. It takes one value (the item type).
fn one_value_headers(doc: &mut Value) {
    let mut single = Vec::new();
    for op_path in operation_keys(doc) {
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
}

/// Drops an operation's cookie parameters (and its `parameters` when none
/// is left), noting `name`.
fn drop_cookie_parameters(doc: &mut Value, path: &str, method: &str, name: &str) {
    let pointer = op_pointer(path, method, "/parameters");
    if let Some(list) = doc.pointer_mut(&pointer).and_then(Value::as_array_mut) {
        list.retain(|p| p.get("in").and_then(Value::as_str) != Some("cookie"));
        if list.is_empty()
            && let Some(op) = doc
                .pointer_mut(&op_pointer(path, method, ""))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::SKIPPED;

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
}
