//! Responses the generator cannot read: progenitor takes one kind of
//! answer per outcome (success, error).

use serde_json::{Map, Value, json};

use crate::document::{note, op_pointer, operation_keys, strip_schema_prose};

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
    let mut dropped = Vec::new();
    for (path, method) in operation_keys(doc) {
        let pointer = op_pointer(&path, &method, "/responses");
        let Some(responses) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        json_with_a_schema(responses);
        let success = |s: &str| s == "default" || s == "101" || s.starts_with('2');
        let error = |s: &str| s == "default" || s.starts_with('4') || s.starts_with('5');
        for in_class in [&success as &dyn Fn(&str) -> bool, &error] {
            for (status, empty) in one_kind(responses, in_class) {
                dropped.push((path.clone(), method.clone(), status, empty));
            }
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

/// What an answer carries.
#[derive(PartialEq)]
enum Kind {
    Json,
    Raw,
    Empty,
}

fn kind(r: &Value) -> Kind {
    match r.get("content").and_then(Value::as_object) {
        Some(c) if json_key(c).is_some() => Kind::Json,
        Some(c) if !c.is_empty() => Kind::Raw,
        _ => Kind::Empty,
    }
}

/// The key of a content's `application/json` media type, parameters or not.
fn json_key(content: &Map<String, Value>) -> Option<String> {
    content
        .keys()
        .find(|k| *k == "application/json" || k.starts_with("application/json;"))
        .cloned()
}

/// JSON content without a schema (or with an encoding) makes progenitor
/// panic too: each gets the empty schema, and no encoding.
fn json_with_a_schema(responses: &mut Map<String, Value>) {
    for response in responses.values_mut() {
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
            && let Some(key) = json_key(content)
            && let Some(media) = content.get_mut(&key).and_then(Value::as_object_mut)
        {
            media.remove("encoding");
            media.entry("schema").or_insert_with(|| json!({}));
        }
    }
}

/// Gives the answers of one outcome (the statuses `in_class` takes) one
/// kind, and their JSON bodies one schema. Returns the statuses dropped,
/// each with whether it had no body.
fn one_kind(
    responses: &mut Map<String, Value>,
    in_class: &dyn Fn(&str) -> bool,
) -> Vec<(String, bool)> {
    let members: Vec<String> = responses.keys().filter(|s| in_class(s)).cloned().collect();
    let kinds: Vec<Kind> = members.iter().map(|s| kind(&responses[s])).collect();
    let keep = if kinds.contains(&Kind::Json) {
        Kind::Json
    } else if kinds.contains(&Kind::Raw) {
        Kind::Raw
    } else {
        return Vec::new();
    };
    let mut dropped = Vec::new();
    for (status, k) in members.iter().zip(&kinds) {
        if *k != keep {
            responses.remove(status);
            dropped.push((status.clone(), *k == Kind::Empty));
        }
    }
    if keep != Kind::Json {
        return dropped;
    }
    let bodies = distinct_bodies(responses, &members);
    if bodies.len() < 2 {
        covered_statuses_go(responses);
        return dropped;
    }
    merge(responses, &members, bodies);
    covered_statuses_go(responses);
    dropped
}

/// The different JSON bodies of the `members` left, explicit statuses
/// before ranges and `default`.
fn distinct_bodies(responses: &Map<String, Value>, members: &[String]) -> Vec<Value> {
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
        let Some(body) = json_key(&content).and_then(|k| content[&k].get("schema").cloned()) else {
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
    bodies
}

/// Every JSON answer of the `members` left gets the `anyOf` of `bodies`.
fn merge(responses: &mut Map<String, Value>, members: &[String], mut bodies: Vec<Value>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{fixtures::one_op, json_response};

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
}
