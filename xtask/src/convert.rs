//! OpenAPI 3.1 → 3.0.3, the dialect progenitor reads.
//!
//! Each rule is a small function with its own test below. The conversion is
//! a no-op on a document that is already 3.0, so it can run on every input.

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

use crate::document::{Site, for_each_response, for_each_schema_site, for_each_subschema};

/// Schema keywords that exist only in JSON Schema 2020-12 (OpenAPI 3.1).
const SCHEMA_KEYWORDS_31: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$defs",
    "$vocabulary",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "unevaluatedProperties",
    "unevaluatedItems",
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "patternProperties",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
];

/// Converts `doc` in place to OpenAPI 3.0.3 and returns warnings about
/// anything dropped that carried meaning.
pub fn to_openapi_30(doc: &mut Value) -> Result<Vec<String>> {
    let Some(root) = doc.as_object_mut() else {
        bail!("the document is not a JSON object");
    };
    let version = match root.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        _ if root.contains_key("swagger") => {
            bail!("Swagger 2.0 is not supported: give an OpenAPI 3.0 or 3.1 document")
        }
        _ => bail!("the document has no `openapi` version field"),
    };
    if !(version.starts_with("3.0") || version.starts_with("3.1")) {
        bail!("unsupported OpenAPI version {version}: expected 3.0.x or 3.1.x");
    }
    let mut warnings = Vec::new();
    root.insert("openapi".into(), json!("3.0.3"));
    drop_top_level_31_keys(root, &mut warnings);
    root.entry("paths").or_insert_with(|| json!({}));

    for_each_schema_site(doc, &mut |schema, site| {
        convert_schema(schema, site, &mut warnings);
    })?;
    for_each_response(doc, &mut |response| {
        if let Some(obj) = response.as_object_mut()
            && !obj.contains_key("$ref")
            && !obj.contains_key("description")
        {
            obj.insert("description".into(), json!("Response"));
        }
    });
    Ok(warnings)
}

fn drop_top_level_31_keys(root: &mut Map<String, Value>, warnings: &mut Vec<String>) {
    if let Some(webhooks) = root.remove("webhooks")
        && !is_empty_container(&webhooks)
    {
        warnings.push("dropped `webhooks` (OpenAPI 3.1 only); progenitor cannot use them".into());
    }
    if let Some(dialect) = root.remove("jsonSchemaDialect") {
        warnings.push(format!(
            "dropped `jsonSchemaDialect` ({dialect}); schemas are read as OpenAPI 3.0 schemas"
        ));
    }
    root.remove("$schema");
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut)
            && let Some(identifier) = license.remove("identifier")
        {
            warnings.push(format!("dropped `info.license.identifier` ({identifier})"));
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut)
        && let Some(items) = components.remove("pathItems")
        && !is_empty_container(&items)
    {
        warnings.push("dropped `components.pathItems` (OpenAPI 3.1 only)".into());
    }
}

fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

/// Converts one schema and, recursively, its sub-schemas.
pub fn convert_schema(schema: &mut Value, site: Site, warnings: &mut Vec<String>) {
    match schema {
        Value::Bool(true) => {
            *schema = json!({});
            return;
        }
        Value::Bool(false) => {
            *schema = json!({"not": {}});
            return;
        }
        Value::Object(_) => {}
        _ => return,
    }
    for_each_subschema(schema, &mut |sub| {
        convert_schema(sub, Site::Other, warnings)
    });
    let Value::Object(map) = schema else { return };
    drop_31_keywords(map, warnings);
    const_to_enum(map);
    examples_to_example(map);
    exclusive_bounds(map);
    type_array(map);
    collapse_null_branches(map, site);
    ref_with_siblings(map);
}

fn drop_31_keywords(map: &mut Map<String, Value>, warnings: &mut Vec<String>) {
    map.remove("$comment");
    for key in SCHEMA_KEYWORDS_31 {
        if map.remove(*key).is_some() {
            warnings.push(format!(
                "dropped schema keyword `{key}` (JSON Schema 2020-12 only)"
            ));
        }
    }
}

fn const_to_enum(map: &mut Map<String, Value>) {
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), json!([value]));
    }
}

fn examples_to_example(map: &mut Map<String, Value>) {
    if let Some(Value::Array(examples)) = map.get("examples") {
        let first = examples.first().cloned();
        map.remove("examples");
        if let Some(first) = first {
            map.entry("example").or_insert(first);
        }
    }
}

fn exclusive_bounds(map: &mut Map<String, Value>) {
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if map.get(exclusive).is_some_and(Value::is_number) {
            let value = map.remove(exclusive).unwrap_or(Value::Null);
            map.insert(bound.into(), value);
            map.insert(exclusive.into(), json!(true));
        }
    }
}

fn type_array(map: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = map.get("type") else {
        return;
    };
    let nullable = types.iter().any(|t| t == "null");
    let mut rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    map.remove("type");
    match rest.len() {
        0 => {}
        1 => {
            map.insert("type".into(), rest.remove(0));
        }
        _ => {
            let branches = rest.into_iter().map(|t| json!({ "type": t })).collect();
            map.insert("anyOf".into(), Value::Array(branches));
        }
    }
    if nullable {
        map.insert("nullable".into(), json!(true));
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema == &json!({"type": "null"})
}

/// `anyOf`/`oneOf: [X, {"type": "null"}]` → `X` + `nullable: true`.
/// In parameters the null branch is dropped without `nullable`: an optional
/// parameter is already `Option`, and a nullable one would be
/// `Option<Option<_>>` in progenitor's output.
fn collapse_null_branches(map: &mut Map<String, Value>, site: Site) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = map.get(key) else {
            continue;
        };
        if !branches.iter().any(is_null_schema) {
            continue;
        }
        let mut rest: Vec<Value> = branches
            .iter()
            .filter(|b| !is_null_schema(b))
            .cloned()
            .collect();
        map.remove(key);
        if site == Site::Other {
            map.insert("nullable".into(), json!(true));
        }
        if rest.len() != 1 {
            if !rest.is_empty() {
                map.insert(key.into(), Value::Array(rest));
            }
            continue;
        }
        match rest.remove(0) {
            Value::Object(only) if only.len() == 1 && only.contains_key("$ref") => {
                map.insert("allOf".into(), json!([Value::Object(only)]));
            }
            Value::Object(only) => {
                for (k, v) in only {
                    map.entry(k).or_insert(v);
                }
            }
            other => {
                map.insert(key.into(), json!([other]));
            }
        }
    }
}

/// `{$ref, siblings...}` → `{allOf: [{$ref}], siblings...}`: 3.0 readers
/// ignore everything beside a `$ref`.
fn ref_with_siblings(map: &mut Map<String, Value>) {
    if map.len() > 1 && map.contains_key("$ref") {
        let reference = map.remove("$ref").unwrap_or(Value::Null);
        map.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(schema: Value, site: Site) -> (Value, Vec<String>) {
        let mut schema = schema;
        let mut warnings = Vec::new();
        convert_schema(&mut schema, site, &mut warnings);
        (schema, warnings)
    }

    fn doc(extra: Value) -> Value {
        let mut doc =
            json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}});
        for (k, v) in extra.as_object().unwrap() {
            doc[k] = v.clone();
        }
        doc
    }

    #[test]
    fn version_becomes_3_0_3() {
        let mut d = doc(json!({}));
        to_openapi_30(&mut d).unwrap();
        assert_eq!(d["openapi"], "3.0.3");
    }

    #[test]
    fn rejects_swagger_2_and_unknown_versions() {
        let err = to_openapi_30(&mut json!({"swagger": "2.0"})).unwrap_err();
        assert!(err.to_string().contains("Swagger 2.0"), "{err}");
        let err = to_openapi_30(&mut json!({"openapi": "4.0.0"})).unwrap_err();
        assert!(
            err.to_string()
                .contains("unsupported OpenAPI version 4.0.0"),
            "{err}"
        );
        let err = to_openapi_30(&mut json!([1])).unwrap_err();
        assert!(err.to_string().contains("not a JSON object"), "{err}");
    }

    #[test]
    fn any_of_null_becomes_nullable() {
        let (s, _) = convert(
            json!({"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}], "title": "T"}),
            Site::Other,
        );
        assert_eq!(
            s,
            json!({"type": "string", "maxLength": 5, "nullable": true, "title": "T"})
        );
    }

    #[test]
    fn one_of_null_becomes_nullable() {
        let (s, _) = convert(
            json!({"oneOf": [{"type": "null"}, {"type": "integer"}]}),
            Site::Other,
        );
        assert_eq!(s, json!({"type": "integer", "nullable": true}));
    }

    #[test]
    fn nullable_ref_becomes_all_of() {
        let (s, _) = convert(
            json!({"anyOf": [{"$ref": "#/components/schemas/Role"}, {"type": "null"}]}),
            Site::Other,
        );
        assert_eq!(
            s,
            json!({"allOf": [{"$ref": "#/components/schemas/Role"}], "nullable": true})
        );
    }

    #[test]
    fn parameter_null_branch_is_dropped_without_nullable() {
        let (s, _) = convert(
            json!({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Since"}),
            Site::Parameter,
        );
        assert_eq!(s, json!({"type": "string", "title": "Since"}));
    }

    #[test]
    fn several_non_null_branches_stay_any_of() {
        let (s, _) = convert(
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}),
            Site::Other,
        );
        assert_eq!(
            s,
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        let (s, _) = convert(json!({"type": ["string", "null"]}), Site::Other);
        assert_eq!(s, json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn type_array_with_several_types_becomes_any_of() {
        let (s, _) = convert(json!({"type": ["string", "integer"]}), Site::Other);
        assert_eq!(
            s,
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn const_becomes_one_value_enum() {
        let (s, _) = convert(json!({"type": "string", "const": "typing"}), Site::Other);
        assert_eq!(s, json!({"type": "string", "enum": ["typing"]}));
    }

    #[test]
    fn examples_become_example() {
        let (s, _) = convert(json!({"type": "integer", "examples": [3, 4]}), Site::Other);
        assert_eq!(s, json!({"type": "integer", "example": 3}));
    }

    #[test]
    fn numeric_exclusive_bounds_become_flags() {
        let (s, _) = convert(
            json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10.5}),
            Site::Other,
        );
        assert_eq!(
            s,
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true,
                   "maximum": 10.5, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn ref_with_siblings_becomes_all_of() {
        let (s, _) = convert(
            json!({"$ref": "#/components/schemas/Role", "default": "member"}),
            Site::Other,
        );
        assert_eq!(
            s,
            json!({"allOf": [{"$ref": "#/components/schemas/Role"}], "default": "member"})
        );
        let (plain, _) = convert(json!({"$ref": "#/components/schemas/Role"}), Site::Other);
        assert_eq!(plain, json!({"$ref": "#/components/schemas/Role"}));
    }

    #[test]
    fn boolean_schemas_become_objects() {
        let (s, _) = convert(
            json!({"type": "object", "properties": {"any": true, "never": false},
                   "additionalProperties": true}),
            Site::Other,
        );
        assert_eq!(
            s,
            json!({"type": "object", "properties": {"any": {}, "never": {"not": {}}},
                   "additionalProperties": true})
        );
    }

    #[test]
    fn title_only_schema_stays_any_value() {
        let (s, _) = convert(json!({"title": "Input"}), Site::Other);
        assert_eq!(s, json!({"title": "Input"}));
    }

    #[test]
    fn nested_schemas_are_converted() {
        let (s, _) = convert(
            json!({"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                   "additionalProperties": {"type": ["boolean", "null"]}}),
            Site::Other,
        );
        assert_eq!(
            s["additionalProperties"],
            json!({"type": "boolean", "nullable": true})
        );
        assert_eq!(
            s["items"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn keywords_31_are_dropped_with_a_warning() {
        let (s, warnings) = convert(
            json!({"type": "string", "$comment": "x", "contentMediaType": "text/plain"}),
            Site::Other,
        );
        assert_eq!(s, json!({"type": "string"}));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("contentMediaType"));
    }

    #[test]
    fn top_level_31_keys_are_dropped() {
        let mut d = doc(json!({
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "webhooks": {"ping": {"post": {"responses": {"200": {"description": "ok"}}}}},
            "info": {"title": "t", "version": "1", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}}
        }));
        let warnings = to_openapi_30(&mut d).unwrap();
        assert!(d.get("webhooks").is_none() && d.get("jsonSchemaDialect").is_none());
        assert_eq!(
            d["info"],
            json!({"title": "t", "version": "1", "license": {"name": "MIT"}})
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }

    #[test]
    fn responses_get_a_description() {
        let mut d = doc(json!({"paths": {"/x": {"get": {"responses": {
            "204": {},
            "200": {"description": "kept"}
        }}}}}));
        to_openapi_30(&mut d).unwrap();
        assert_eq!(
            d["paths"]["/x"]["get"]["responses"]["204"]["description"],
            "Response"
        );
        assert_eq!(
            d["paths"]["/x"]["get"]["responses"]["200"]["description"],
            "kept"
        );
    }

    #[test]
    fn parameters_and_bodies_are_reached() {
        let mut d = doc(json!({"paths": {"/x": {"post": {
            "parameters": [{"name": "q", "in": "query", "schema": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": ["string", "null"]}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"const": 1}}}}}
        }}}}));
        to_openapi_30(&mut d).unwrap();
        let op = &d["paths"]["/x"]["post"];
        assert_eq!(op["parameters"][0]["schema"], json!({"type": "integer"}));
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"enum": [1]})
        );
    }

    #[test]
    fn a_3_0_document_is_unchanged_but_for_the_version() {
        let original = json!({"openapi": "3.0.2", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {"A": {"type": "string", "nullable": true,
                "allOf": [{"$ref": "#/components/schemas/B"}]}, "B": {"type": "integer"}}}});
        let mut converted = original.clone();
        to_openapi_30(&mut converted).unwrap();
        let mut expected = original;
        expected["openapi"] = json!("3.0.3");
        assert_eq!(converted, expected);
    }
}
