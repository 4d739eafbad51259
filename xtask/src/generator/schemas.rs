//! Schemas the generator cannot read: an enum it cannot name, a default
//! that does not fit, a Python regex, a type OpenAPI 3.0 does not have.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::names::loose;
use crate::document::{
    Site, for_each_schema_at, for_each_schema_site, for_each_subschema, note_all,
};

/// Enums the generator cannot name (`enum_the_generator_can_name`) and
/// defaults that do not fit their schema (`default_that_fits`), in one
/// walk over every schema and property, each noted.
pub fn enums_and_defaults(doc: &mut Value) {
    let mut notes = Vec::new();
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
    note_all(doc, notes);
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
            let required_present =
                crate::document::required_names(schema).all(|name| fields.contains_key(name));
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

/// Where the normaliser keeps a `pattern` the generated code's regex engine
/// (regress, ECMAScript syntax) cannot read, instead of `pattern`.
pub const DROPPED_PATTERN: &str = "x-dropped-pattern";

/// Python's `re` syntax (FastAPI's `Field(pattern=...)`, `constr`) as
/// ECMAScript, which the generated code's regex engine reads: named groups
/// `(?P<n>...)` → `(?<n>...)`, back-references `(?P=n)` → `\k<n>`, `\A`
/// → `^`, `\Z` → `$`. A pattern that still does not compile is moved to
/// [`DROPPED_PATTERN`] (and `regen` warns): the field is then unchecked
/// rather than the whole client unbuildable.
pub fn translate_patterns(doc: &mut Value) {
    let _ = for_each_schema_site(doc, &mut |schema, _: Site| patterns_in(schema));
}

fn patterns_in(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut()
        && let Some(Value::String(pattern)) = map.get("pattern").cloned()
    {
        let translated = python_to_ecmascript(&pattern);
        if regress::Regex::new(&translated).is_ok() {
            map.insert("pattern".into(), json!(translated));
        } else {
            map.remove("pattern");
            map.insert(DROPPED_PATTERN.into(), json!(pattern));
        }
    }
    for_each_subschema(schema, &mut patterns_in);
}

/// The Python-only constructs of `pattern` rewritten for ECMAScript.
pub fn python_to_ecmascript(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("(?P<") {
            out.push_str("(?<");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("(?P=") {
            match after.find(')') {
                Some(end) => {
                    out.push_str(&format!("\\k<{}>", &after[..end]));
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("(?P=");
                    rest = after;
                }
            }
        } else if let Some(after) = rest.strip_prefix("\\A") {
            out.push('^');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("\\Z") {
            out.push('$');
            rest = after;
        } else if c == '\\' && rest.len() > 1 {
            // Any other escape stays as it is (and is not read as one of the
            // rewrites above).
            let next = rest[1..].chars().next().unwrap_or_default();
            out.push('\\');
            out.push(next);
            rest = &rest[1 + next.len_utf8()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The `type`s an OpenAPI 3.0 schema may have.
const TYPES_30: &[&str] = &["boolean", "object", "array", "number", "string", "integer"];

/// progenitor 0.15.1 panics (`to_schema.rs`: `todo!("invalid type")`) on a
/// schema whose `type` is none of 3.0's six: a bare `{"type": "null"}` (a
/// FastAPI route returning `None`) or a Swagger-style `"file"`. Such a
/// schema loses its `type` (it reads as any value); `null` keeps
/// `nullable`.
pub fn known_types_only(doc: &mut Value) {
    let _ = for_each_schema_site(doc, &mut |schema, _: Site| types_in(schema));
}

fn types_in(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut()
        && let Some(Value::String(kind)) = map.get("type").cloned()
        && !TYPES_30.contains(&kind.as_str())
    {
        map.remove("type");
        if kind == "null" {
            map.insert("nullable".into(), json!(true));
        }
    }
    for_each_subschema(schema, &mut types_in);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{
        fixtures::{one_op, read_and_write},
        json_response,
    };

    #[test]
    fn python_patterns_become_ecmascript_and_bad_ones_are_dropped() {
        assert_eq!(
            python_to_ecmascript(r"\A(?P<year>\d{4})-(?P=year)\Z"),
            r"^(?<year>\d{4})-\k<year>$"
        );
        assert_eq!(
            python_to_ecmascript(r"a\\Zb"),
            r"a\\Zb",
            "an escaped backslash stays"
        );
        let mut d = read_and_write(json!({
            "code": {"type": "string", "pattern": "^(?P<area>[0-9]{3})$"},
            "odd": {"type": "string", "pattern": "(?<=a)b(?#comment)("}
        }));
        translate_patterns(&mut d);
        let p = &d["components"]["schemas"]["In"]["properties"];
        assert_eq!(p["code"]["pattern"], "^(?<area>[0-9]{3})$");
        assert!(p["odd"].get("pattern").is_none());
        assert_eq!(p["odd"][DROPPED_PATTERN], "(?<=a)b(?#comment)(");
        let again = d.clone();
        translate_patterns(&mut d);
        assert_eq!(d, again, "idempotent");
    }

    #[test]
    fn types_progenitor_does_not_know_are_dropped() {
        let mut d = one_op(
            "/x",
            "delete",
            json!({"responses": {"200": json_response("ok", json!({"type": "null"}))}}),
        );
        d["components"]["schemas"]["F"] = json!({"type": "object",
            "properties": {"upload": {"type": "file"}, "n": {"type": "integer"}}});
        known_types_only(&mut d);
        assert_eq!(
            d["paths"]["/x"]["delete"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"nullable": true})
        );
        let p = &d["components"]["schemas"]["F"]["properties"];
        assert_eq!(p["upload"], json!({}));
        assert_eq!(p["n"], json!({"type": "integer"}), "known types stay");
    }
}
