//! This SDK's shape conventions: what every document gets so the client
//! reads the same way whatever the server (the README's steps 1 to 3 and
//! 8 of "Normalisation for this SDK"). Short operationIds, no
//! `authorization` parameter, one error body, no prose.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::document::{
    Site, for_each_schema_site, json_response, operations_mut, operations_with_keys, schema_ref,
    strip_schema_prose, word_chars,
};

/// Name of the one error schema every error response uses.
pub const ERROR_SCHEMA: &str = "ErrorBody";

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::fixtures::one_op;

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
}
