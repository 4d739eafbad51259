//! Library half of the xtask, so its rules are unit-tested by `cargo test`.

pub mod convert;
pub mod normalize;
pub mod repair;
pub mod rules;
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
        .get(normalize::SKIPPED)
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
        .get(normalize::NOTES)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        warnings.push(line.to_owned());
    }
    let mut dropped = Vec::new();
    let _ = convert::for_each_schema_site(&mut doc, &mut |schema, _| {
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
        .get(normalize::DROPPED_PATTERN)
        .and_then(Value::as_str)
    {
        out.push(pattern.to_owned());
    }
    convert::for_each_subschema(schema, &mut |sub| collect_dropped(sub, out));
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
