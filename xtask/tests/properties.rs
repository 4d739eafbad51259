//! The converter and the normaliser on arbitrary JSON documents, biased
//! towards OpenAPI's keywords so the cases reach deep: never a panic, and a
//! document they accept normalises to a fixed point. A bounded number of
//! cases runs in `cargo test`; the fuzz target `spec` runs the same for
//! longer.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

const KEYS: &[&str] = &[
    "openapi",
    "paths",
    "components",
    "schemas",
    "type",
    "nullable",
    "anyOf",
    "oneOf",
    "allOf",
    "$ref",
    "items",
    "properties",
    "required",
    "enum",
    "const",
    "examples",
    "example",
    "exclusiveMinimum",
    "minimum",
    "parameters",
    "requestBody",
    "responses",
    "content",
    "application/json",
    "schema",
    "operationId",
    "in",
    "name",
    "format",
    "default",
    "additionalProperties",
    "title",
    "description",
    "prefixItems",
    "webhooks",
    "200",
    "4XX",
    "get",
    "post",
    "/x/{id}",
    "id",
    "api_key",
    "created_by_id",
    "security",
    "not",
];

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        prop::sample::select(KEYS).prop_map(Value::from),
        Just(json!("#/components/schemas/A")),
        Just(json!("null")),
        Just(json!("string")),
        Just(json!("3.1.0")),
        "[ -~]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// A document with the top-level shape of an OpenAPI 3.1 spec.
fn document() -> impl Strategy<Value = Value> {
    (
        value(),
        value(),
        value(),
        prop_oneof![Just("3.1.0"), Just("3.0.3"), Just("2.0"), Just("9")],
    )
        .prop_map(|(paths, schemas, extra, version)| {
            json!({"openapi": version, "info": {"title": "t", "version": "1"},
                   "paths": paths, "components": {"schemas": schemas}, "x": extra})
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        // Failures found become fixtures in the unit tests instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_document_converts_and_normalises_without_panicking(doc in prop_oneof![document(), value()]) {
        let text = doc.to_string();
        if let Ok((normalised, _warnings)) = xtask::process(&text, "arbitrary.json") {
            let mut again = normalised.clone();
            let rules = xtask::rules::Rules::for_document(&again);
            xtask::normalize::normalize(&mut again, rules);
            prop_assert_eq!(&again, &normalised, "normalising is idempotent");
        }
    }
}
