//! Tracing: one span per attempt with the documented fields, never the key.
//! Alone in its binary: tracing caches callsite interest process-wide, so
//! a subscriber must be installed before any other test touches them.
//!
//! It stays on wiremock: the same request gets two different answers in
//! turn (a 503, then the profile), which the typed mocks cannot sequence,
//! and httpmock's server would put its own traces, alice's key in the mocks
//! it holds among them, into the captured output.

mod common;

use common::*;
use wiremock::{Mock, ResponseTemplate, matchers::method};

#[tokio::test]
async fn each_attempt_is_traced_without_the_key() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json_response(200, profile()))
        .with_priority(2)
        .mount(&server)
        .await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    client(&server).me().await.unwrap();
    let text = captured.text();
    assert!(text.contains("operation=\"get_my_profile\""), "{text}");
    assert!(
        text.contains("method=GET") && text.contains("path=\"/users/me\""),
        "{text}"
    );
    assert!(
        text.contains("attempt=1") && text.contains("status=503"),
        "{text}"
    );
    assert!(
        text.contains("attempt=2") && text.contains("status=200"),
        "{text}"
    );
    assert!(text.contains("duration_ms="), "{text}");
    assert!(!text.contains(&ALICE_KEY[..16]), "key leaked: {text}");
}
