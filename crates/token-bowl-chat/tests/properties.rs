//! Properties over arbitrary input, with a bounded number of cases so
//! `cargo test` runs them on every change (the fuzz targets in `fuzz/` run
//! the same code for longer): decoding never panics, and nothing a server
//! sends can make the client print a key.

use proptest::prelude::*;
use token_bowl_chat::{Error, fuzzing, realtime};

/// JSON-ish bodies: real shapes, broken shapes and noise.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    let shaped = prop_oneof![
        Just(r#"{"detail":"x"}"#.to_owned()),
        Just(r#"{"detail":[{"type":"t","loc":["body",0],"msg":"m","input":null}]}"#.to_owned()),
        Just(r#"{"detail":{"nested":true}}"#.to_owned()),
        Just(r#"{"detail":[1,2]}"#.to_owned()),
        Just(r#"{"id":"53bd0efd-ef7b-4069-9ffa-1837d1aeec37","username":"a","role":"x","api_key":"k","created_at":"2026-11-22T01:02:30Z"}"#.to_owned()),
        "[ -~]{0,64}",
        "\\PC{0,32}",
    ];
    prop_oneof![
        shaped.prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..128),
    ]
}

fn statuses() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(201),
        300..=399u16,
        400..=599u16,
        100..=199u16
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        // Failures found become fixtures in the unit tests instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_response_maps_to_a_value_or_a_typed_error(
        status in statuses(),
        content_type in prop_oneof![Just("application/json"), Just("text/plain"), Just("text/html"), Just("")],
        body in bodies(),
    ) {
        match fuzzing::response(status, content_type, &body) {
            Ok(_) => prop_assert!((200..300).contains(&status)),
            Err(e) => {
                // Every error reads as text, and an error status keeps it.
                let _ = format!("{e} {e:?}");
                if status >= 400 {
                    prop_assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{:?}", e);
                }
                if (200..300).contains(&status) {
                    prop_assert!(matches!(e, Error::Decode(_)), "{:?}", e);
                }
            }
        }
    }

    #[test]
    fn a_key_in_any_error_body_is_never_shown(
        status in 400..=599u16,
        before in "[ -~]{0,40}",
        after in "[ -~]{0,40}",
        key in "[0-9a-f]{64}",
        as_field in any::<bool>(),
    ) {
        let body = if as_field {
            format!(r#"{{"detail":"{}","api_key":"{key}","x":"{}"}}"#, before.replace(['"', '\\'], ""), after.replace(['"', '\\'], ""))
        } else {
            format!("{before}{key}{after}")
        };
        let e = fuzzing::response(status, "text/plain", body.as_bytes()).unwrap_err();
        let text = format!("{e} {e:?}");
        prop_assert!(!text.contains(&key), "{}", text);
    }

    #[test]
    fn redaction_never_panics_and_removes_secret_fields(
        text in "\\PC{0,80}",
        value in "[a-zA-Z0-9._-]{6,40}",
        name in prop_oneof![Just("api_key"), Just("token"), Just("session_token"), Just("bot_api_key")],
    ) {
        let _ = fuzzing::redact(&text, Some(""));
        let body = format!(r#"{text}{{"{name}": "{value}", "next": 1}}"#);
        let out = fuzzing::redact(&body, None);
        prop_assert!(!out.contains(&format!("\"{value}\"")), "{}", out);
        let mine = fuzzing::redact(&format!("{text}{value}{text}"), Some(&value));
        prop_assert!(!mine.contains(&value) || text.contains(&value), "{}", mine);
    }

    #[test]
    fn any_publication_decodes_to_an_event(
        channel in prop_oneof![Just("room:main".to_owned()), "user:[a-z]{1,8}"],
        kind in prop_oneof![Just(None), Just(Some("read_receipt")), Just(Some("typing")), Just(Some("unread_count")), Just(Some("reaction"))],
        fields in proptest::collection::btree_map("[a-z_]{1,12}", prop_oneof![
            Just(serde_json::Value::Null),
            any::<i64>().prop_map(serde_json::Value::from),
            "[ -~]{0,20}".prop_map(serde_json::Value::from),
            Just(serde_json::json!("2026-11-22T01:02:32+00:00")),
            Just(serde_json::json!("865ce10f-fb73-460f-abfb-9826f6705e8a")),
        ], 0..8),
        noise in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut object: serde_json::Map<String, serde_json::Value> = fields.into_iter().collect();
        if let Some(kind) = kind {
            object.insert("type".into(), kind.into());
        }
        let data = serde_json::Value::Object(object).to_string();
        for bytes in [data.as_bytes(), &noise] {
            let event = realtime::decode(&channel, bytes);
            // Every event serialises (the CLI prints them all).
            prop_assert!(serde_json::to_string(&event).is_ok());
        }
    }
}
