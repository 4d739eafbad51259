//! The review view of a server or generator change: the API surface of
//! `openapi.json` and the Rust code progenitor makes of it. `cargo xtask
//! regen` refreshes both; `cargo xtask regen --check` fails when they are stale.

use std::path::Path;

fn openapi_json() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.json");
    std::fs::read_to_string(path).expect("openapi.json is committed at the workspace root")
}

#[test]
fn api_surface() {
    let doc: serde_json::Value = serde_json::from_str(&openapi_json()).unwrap();
    insta::assert_snapshot!("api_surface", xtask::surface::Surface::of(&doc).render());
}

#[test]
fn generated_client_code() {
    let generated = token_bowl_chat_codegen::generate(&openapi_json()).unwrap();
    insta::assert_snapshot!("generated_client", generated.client);
    insta::assert_snapshot!("generated_mock", generated.mock);
    insta::assert_snapshot!("operations", generated.operations);
}
