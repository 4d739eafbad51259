//! Checks against the real server's specs in `../shared/specs/` (kept beside
//! the repository, not in it). Without them these tests pass with a note, so
//! `cargo test` works anywhere; `.ci/run` sets `TOKEN_BOWL_REQUIRE_SHARED=1`
//! to make their absence a failure.

use std::path::PathBuf;

use serde_json::Value;
use xtask::surface::{Surface, diff};

fn shared_spec(version: &str) -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs")
        .join(format!("token-bowl-chat-server-{version}.openapi.json"));
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let (doc, warnings) = xtask::process(&text, &path.display().to_string()).unwrap();
            assert!(warnings.is_empty(), "{warnings:?}");
            Some(doc)
        }
        Err(_) if std::env::var_os("TOKEN_BOWL_REQUIRE_SHARED").is_none() => {
            eprintln!("note: {} is absent; skipping", path.display());
            None
        }
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

const ADDED_IN_2_0_1: [(&str, &str); 4] = [
    ("/admin/users/{user_id}/regenerate-api-key", "post"),
    ("/centrifugo/connection-token", "get"),
    ("/messages/{message_id}", "get"),
    ("/typing", "post"),
];

#[test]
fn upgrading_from_1_2_0_to_2_0_1_adds_four_operations_and_their_types() {
    let (Some(old), Some(new)) = (shared_spec("1.2.0"), shared_spec("2.0.1")) else {
        return;
    };
    let lines = diff(&Surface::of(&old), &Surface::of(&new));
    let added_ops: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("+ operation added"))
        .collect();
    assert_eq!(added_ops.len(), 4, "{lines:#?}");
    for (path, method) in ADDED_IN_2_0_1 {
        let key = format!("{} {path} ", method.to_uppercase());
        assert!(
            added_ops.iter().any(|l| l.contains(&key)),
            "{key} missing from {lines:#?}"
        );
    }
    let others: Vec<&String> = lines
        .iter()
        .filter(|l| !l.starts_with("+ operation added"))
        .collect();
    // The answers of the new token and typing operations.
    assert_eq!(others.len(), 2, "{others:#?}");
    assert!(
        others[0].starts_with("+ type added:   type ConnectionToken "),
        "{others:#?}"
    );
    assert!(
        others[1].starts_with("+ type added:   type TypingSent "),
        "{others:#?}"
    );
}

#[test]
fn the_two_specs_differ_in_nothing_else_once_normalised() {
    let (Some(old), Some(mut new)) = (shared_spec("1.2.0"), shared_spec("2.0.1")) else {
        return;
    };
    let paths = new["paths"].as_object_mut().unwrap();
    for (path, method) in ADDED_IN_2_0_1 {
        let item = paths.get_mut(path).unwrap().as_object_mut().unwrap();
        item.remove(method);
        if item.is_empty() {
            paths.remove(path);
        }
    }
    let schemas = new["components"]["schemas"].as_object_mut().unwrap();
    schemas.remove("ConnectionToken");
    schemas.remove("TypingSent");
    assert!(
        xtask::render(&old) == xtask::render(&new),
        "the normalised specs differ beyond the operations 2.0.1 added"
    );
}

#[test]
fn committed_openapi_json_is_the_normalised_2_0_1_spec() {
    let Some(doc) = shared_spec("2.0.1") else {
        return;
    };
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json")).unwrap();
    assert!(
        xtask::render(&doc) == committed,
        "openapi.json is stale: run `cargo xtask regen --from ../shared/specs/token-bowl-chat-server-2.0.1.openapi.json`"
    );
}
