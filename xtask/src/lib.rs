//! Library half of the xtask, so its rules are unit-tested by `cargo test`.

pub mod conventions;
pub mod convert;
pub mod document;
pub mod generator;
pub mod grow;
pub mod normalize;
pub mod rules;
pub mod semver;
pub mod surface;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::rules::Rules;

/// Reads a spec from a file path or an http(s) URL.
pub fn load(source: &str) -> Result<String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let response = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()?
            .get(source)
            .send()
            .with_context(|| format!("cannot reach {source}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("{source} answered {status}; a running server serves its spec at /openapi.json");
        }
        response
            .text()
            .with_context(|| format!("cannot read the body of {source}"))
    } else {
        std::fs::read_to_string(source).with_context(|| format!("cannot read {source}"))
    }
}

/// Parses, converts to 3.0.3 and normalises a spec, with the rules of the
/// server whose title it carries ([`Rules::for_document`]). Returns the
/// document and the warnings.
pub fn process(text: &str, origin: &str) -> Result<(Value, Vec<String>)> {
    process_with(text, origin, None)
}

/// [`process`] with the given rules (`None`: by the document's title).
pub fn process_with(
    text: &str,
    origin: &str,
    rules: Option<&Rules>,
) -> Result<(Value, Vec<String>)> {
    let mut doc: Value = serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{origin} is not valid JSON (line {}, column {}): {e}; only JSON specs are supported",
            e.line(),
            e.column()
        )
    })?;
    let warnings =
        convert::to_openapi_30(&mut doc).with_context(|| format!("cannot convert {origin}"))?;
    let rules = rules.unwrap_or_else(|| Rules::for_document(&doc));
    normalize::normalize(&mut doc, rules);
    let mut warnings = warnings;
    for skipped in doc
        .get(document::SKIPPED)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        warnings.push(format!(
            "skipped {} {} ({}): {}",
            skipped["method"].as_str().unwrap_or("?"),
            skipped["path"].as_str().unwrap_or("?"),
            skipped["operationId"].as_str().unwrap_or("no operationId"),
            skipped["reason"].as_str().unwrap_or("?"),
        ));
    }
    for line in doc
        .get(document::NOTES)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        warnings.push(line.to_owned());
    }
    let mut dropped = Vec::new();
    let _ = document::for_each_schema_site(&mut doc, &mut |schema, _| {
        collect_dropped(schema, &mut dropped);
    });
    for pattern in dropped {
        warnings.push(format!(
            "dropped pattern {pattern:?}: the generated code's regex engine cannot read it (the field is not checked)"
        ));
    }
    Ok((doc, warnings))
}

fn collect_dropped(schema: &mut Value, out: &mut Vec<String>) {
    if let Some(pattern) = schema
        .get(generator::schemas::DROPPED_PATTERN)
        .and_then(Value::as_str)
    {
        out.push(pattern.to_owned());
    }
    document::for_each_subschema(schema, &mut |sub| collect_dropped(sub, out));
}

/// A document through the whole pipeline: normalised, and generated.
pub struct Regenerated {
    /// The normalised document.
    pub doc: Value,
    /// Its text, as `openapi.json` holds it.
    pub text: String,
    /// What the converter, the normaliser and the generator's fallbacks
    /// changed, one line each.
    pub warnings: Vec<String>,
    /// The generated code.
    pub generated: token_bowl_chat_codegen::Generated,
}

/// [`process_with`], then generation. What the generator still fails on
/// is left out one part at a time, never the whole document: an operation
/// it fails on is skipped; a component schema it fails on first loses its
/// defaults, then becomes any JSON value. Each is noted in the document
/// (and so in the API surface) and in the warnings. Fails only when the
/// generator names no part, or keeps failing.
pub fn regenerate(text: &str, origin: &str, rules: Option<&Rules>) -> Result<Regenerated> {
    let (mut doc, mut warnings) = process_with(text, origin, rules)?;
    let mut defaults_dropped = std::collections::BTreeSet::new();
    for _ in 0..16 {
        let text = render(&doc);
        let e = match token_bowl_chat_codegen::generate(&text) {
            Ok(generated) => {
                return Ok(Regenerated {
                    doc,
                    text,
                    warnings,
                    generated,
                });
            }
            Err(e) => e,
        };
        if e.operations().is_empty() && e.schemas().is_empty() {
            bail!("cannot generate a client from {origin}: {e}");
        }
        for failed in e.operations() {
            let (method, path) = failed.name.split_once(' ').unwrap_or(("", ""));
            let reason = format!("the generator fails on it: {}", failed.message);
            warnings.push(format!("skipped {}: {reason}", failed.name));
            document::skip(&mut doc, &method.to_lowercase(), path, reason);
        }
        for failed in e.schemas() {
            let name = &failed.name;
            let Some(schema) = doc["components"]["schemas"].get_mut(name) else {
                bail!("cannot generate a client from {origin}: {e}");
            };
            let line = if defaults_dropped.insert(name.clone()) && drop_defaults(schema) {
                format!(
                    "schema {name}: dropped its defaults, which the generator fails on ({})",
                    failed.message
                )
            } else {
                *schema = Value::Object(serde_json::Map::new());
                format!(
                    "schema {name} is any JSON value: the generator fails on it ({})",
                    failed.message
                )
            };
            warnings.push(line.clone());
            document::note(&mut doc, line);
        }
    }
    bail!("cannot generate a client from {origin}: the generator kept failing")
}

/// Removes every `default` in a schema; whether there was one.
fn drop_defaults(schema: &mut Value) -> bool {
    let mut found = schema
        .as_object_mut()
        .is_some_and(|map| map.remove("default").is_some());
    document::for_each_subschema(schema, &mut |sub| found |= drop_defaults(sub));
    found
}

/// The text written to `openapi.json`: pretty, sorted keys, trailing newline.
pub fn render(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("a JSON value always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_is_a_clear_error() {
        let err = process("{ nope", "spec.json").unwrap_err().to_string();
        assert!(
            err.contains("spec.json is not valid JSON (line 1, column 3)"),
            "{err}"
        );
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let err = load("/nonexistent/openapi.json").unwrap_err();
        assert!(
            format!("{err:#}").contains("cannot read /nonexistent/openapi.json"),
            "{err:#}"
        );
    }

    #[test]
    fn unreachable_url_is_a_clear_error() {
        // Port 9 (discard) on loopback: nothing listens, the connect fails at once.
        let err = load("http://127.0.0.1:9/openapi.json").unwrap_err();
        assert!(
            format!("{err:#}").contains("cannot reach http://127.0.0.1:9/openapi.json"),
            "{err:#}"
        );
    }

    #[test]
    fn both_forms_of_fastapi_validation_error_normalise_alike() {
        let spec = |validation_error: serde_json::Value| {
            serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                "components": {"schemas": {"ValidationError": validation_error}}})
            .to_string()
        };
        let older = spec(
            serde_json::json!({"type": "object", "required": ["loc", "msg", "type"], "title": "ValidationError",
            "properties": {"loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                           "msg": {"type": "string"}, "type": {"type": "string"}}}),
        );
        let newer = spec(
            serde_json::json!({"type": "object", "required": ["loc", "msg", "type"], "title": "ValidationError",
            "properties": {"loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                           "msg": {"type": "string"}, "type": {"type": "string"},
                           "input": {"title": "Input"}, "ctx": {"type": "object", "title": "Context"}}}),
        );
        let (older, _) = process(&older, "older").unwrap();
        let (newer, _) = process(&newer, "newer").unwrap();
        assert_eq!(older, newer);
        assert_eq!(
            newer["components"]["schemas"]["ValidationError"]["properties"]["input"],
            serde_json::json!({})
        );
    }

    #[test]
    fn an_error_body_of_any_value_with_a_title_is_ordered_once() {
        // Found by the `spec` fuzz target: an error answer whose schema is
        // only a title (its unknown type dropped) went first in the merged
        // error body, and last when normalised again, once the title was
        // gone.
        let doc = serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/eval": {"post": {"operationId": "evaluate",
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}},
                    "400": {"description": "bad", "content": {"application/json": {
                        "schema": {"type": "in=teger", "title": "Response Evaluate"}}}},
                    "422": {"description": "invalid", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}}}}},
            "components": {"schemas": {"HTTPValidationError": {"type": "object",
                "properties": {"detail": {"type": "array", "items": {"type": "string"}}}}}}});
        let (once, _) = process(&doc.to_string(), "fixture").unwrap();
        let (twice, _) = process(&render(&once), "fixture").unwrap();
        assert_eq!(once, twice);
        let parts =
            once.pointer("/paths/~1eval/post/responses/4XX/content/application~1json/schema/anyOf");
        assert_eq!(
            parts.and_then(|p| p.as_array()).and_then(|p| p.last()),
            Some(&serde_json::json!({})),
            "{once:#}"
        );
    }

    #[test]
    fn committed_openapi_json_is_normalised() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json");
        let text = std::fs::read_to_string(path).unwrap();
        let (doc, warnings) = process(&text, "openapi.json").unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            render(&doc),
            text,
            "normalising openapi.json again must change nothing"
        );
    }
}
