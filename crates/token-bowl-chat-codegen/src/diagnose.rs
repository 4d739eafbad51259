//! Why a document does not generate: when progenitor fails (or panics) on
//! the whole document, it is generated in parts to name what fails by
//! itself.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
};

use serde_json::{Map, Value, json};

use crate::{attempt, parse};

/// Why generation failed, with the parts of the document that fail on
/// their own when they can be found.
#[derive(Debug)]
pub struct GenerateError {
    pub(crate) message: String,
    operations: Vec<Failed>,
    schemas: Vec<Failed>,
}

/// One operation or component schema the generator fails on by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// The operation as `METHOD /path`, or the schema's name.
    pub name: String,
    /// The generator's message.
    pub message: String,
}

impl GenerateError {
    /// Operations that fail alone (with the schemas they use).
    pub fn operations(&self) -> &[Failed] {
        &self.operations
    }

    /// Component schemas that fail alone (with the schemas they use) while
    /// every schema they use generates.
    pub fn schemas(&self) -> &[Failed] {
        &self.schemas
    }
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for GenerateError {}

/// An error with no part of the document named.
pub(crate) fn err(context: &str, e: impl fmt::Display) -> GenerateError {
    GenerateError {
        message: format!("{context}: {e}"),
        operations: Vec::new(),
        schemas: Vec::new(),
    }
}

/// An error naming operations that fail alone.
pub(crate) fn failed_operations(message: String, operations: Vec<Failed>) -> GenerateError {
    GenerateError {
        message,
        operations,
        schemas: Vec::new(),
    }
}

/// Whether `doc` generates.
fn generates(doc: &Value) -> Result<(), String> {
    let spec = parse(doc).map_err(|e| e.message)?;
    attempt(&spec).map(drop)
}

/// The error for a document that fails with `message`, naming the
/// operations or schemas that fail alone.
pub(crate) fn diagnose(doc: &Value, message: String) -> GenerateError {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut without_paths = doc.clone();
    without_paths["paths"] = json!({});
    // The document with only these paths and these component schemas.
    let part = |paths: Value, names: &BTreeSet<String>| {
        let mut part = without_paths.clone();
        part["paths"] = paths;
        part["components"]["schemas"] = names
            .iter()
            .filter_map(|n| Some((n.clone(), schemas.get(n)?.clone())))
            .collect::<Map<_, _>>()
            .into();
        part
    };
    let mut failed_schemas = Vec::new();
    let mut failed_operations = Vec::new();
    let mut named = Vec::new();
    if generates(&without_paths).is_err() {
        let mut failing = BTreeMap::new();
        for name in schemas.keys() {
            let root = json!({"$ref": format!("#/components/schemas/{name}")});
            let uses = referenced_schemas(&schemas, std::iter::once(&root));
            if let Err(message) = generates(&part(json!({}), &uses)) {
                failing.insert(name.clone(), (uses, message));
            }
        }
        // A schema fails because of itself when none it uses fails.
        for (name, (uses, message)) in &failing {
            if !uses
                .iter()
                .any(|other| other != name && failing.contains_key(other))
            {
                named.push(format!("schema `{name}`: {message}"));
                failed_schemas.push(Failed {
                    name: name.clone(),
                    message: message.clone(),
                });
            }
        }
    } else {
        for (path, item) in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for (method, op) in item.as_object().into_iter().flatten() {
                if !op.is_object() || method == "parameters" {
                    continue;
                }
                let uses = referenced_schemas(&schemas, std::iter::once(op));
                let alone = json!({ path.clone(): { method.clone(): op.clone() } });
                if let Err(message) = generates(&part(alone, &uses)) {
                    let name = format!("{} {path}", method.to_uppercase());
                    let id = op["operationId"].as_str().unwrap_or("(no operationId)");
                    named.push(format!("operation `{id}` ({name}): {message}"));
                    failed_operations.push(Failed { name, message });
                }
            }
        }
    }
    let named = if named.is_empty() {
        "the document as a whole (no single operation or schema alone)".to_owned()
    } else {
        named.join("; ")
    };
    GenerateError {
        message: format!("{message} while generating {named}"),
        operations: failed_operations,
        schemas: failed_schemas,
    }
}

/// The component schemas `roots` use, directly or not (`schemas` is the
/// document's `components.schemas`).
pub fn referenced_schemas<'a>(
    schemas: &Map<String, Value>,
    roots: impl Iterator<Item = &'a Value>,
) -> BTreeSet<String> {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(name.to_owned());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(list) => list.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    roots.for_each(|root| refs(root, &mut todo));
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone())
            && let Some(schema) = schemas.get(&name)
        {
            refs(schema, &mut todo);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use crate::generate;

    /// progenitor 0.15.1 asserts one success type per operation
    /// (`method.rs`): two different 2xx bodies make it panic.
    const TWO_SUCCESS_TYPES: &str = r#"{
      "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
      "paths": {
        "/fine": {"get": {"operationId": "fine", "responses": {"200": {"description": "ok",
          "content": {"application/json": {"schema": {"type": "string"}}}}}}},
        "/two": {"post": {"operationId": "two", "responses": {
          "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}},
          "201": {"description": "made", "content": {"application/json": {"schema": {"type": "integer"}}}}}}}
      }
    }"#;

    #[test]
    fn a_progenitor_panic_is_an_error_that_names_the_operation() {
        let err = generate(TWO_SUCCESS_TYPES).unwrap_err().to_string();
        assert!(err.starts_with("progenitor panicked ("), "{err}");
        assert!(err.contains("operation `two` (POST /two)"), "{err}");
        assert!(!err.contains("`fine`"), "only the culprit is named: {err}");
        let failed = generate(TWO_SUCCESS_TYPES).unwrap_err();
        let names: Vec<&str> = failed
            .operations()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["POST /two"]);
    }

    #[test]
    fn a_failing_schema_is_named_and_not_those_that_use_it() {
        // typify panics on an untyped enum of strings and numbers (the
        // xtask repairs it; generated raw here).
        let doc = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "paths": {"/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Holder"}}}}}}}},
          "components": {"schemas": {
            "Level": {"enum": ["low", 1]},
            "Holder": {"type": "object", "properties": {"level": {"$ref": "#/components/schemas/Level"}}},
            "Fine": {"type": "string"}}}
        }"##;
        let err = generate(doc).unwrap_err();
        let names: Vec<&str> = err.schemas().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Level"], "{err}");
        assert!(err.operations().is_empty(), "{err}");
        assert!(
            err.to_string().contains("while generating schema `Level`"),
            "{err}"
        );
    }
}
