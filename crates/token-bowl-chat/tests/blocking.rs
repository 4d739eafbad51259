//! The blocking client, from plain threads and from inside a runtime.

mod common;

use common::*;
use serde_json::json;
use token_bowl_chat::{HistoryOptions, MessageQuery, blocking};
use wiremock::MockServer;

/// The mock server runs on its own runtime; the test thread has none.
fn mock_runtime() -> (tokio::runtime::Runtime, MockServer) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = server().await;
        authed("GET", "/users/me")
            .respond_with(json_response(200, profile()))
            .mount(&server)
            .await;
        authed("GET", "/messages")
            .respond_with(json_response(
                200,
                page(vec![room_message(), direct_message()], 2, 0, 50),
            ))
            .mount(&server)
            .await;
        authed("POST", "/messages")
            .respond_with(json_response(201, room_message()))
            .mount(&server)
            .await;
        server
    });
    (runtime, server)
}

#[test]
fn blocking_calls_work_without_a_runtime() {
    let (_runtime, server) = mock_runtime();
    let client = blocking::Client::new(client(&server)).unwrap();
    assert_eq!(client.me().unwrap().username, "alice");
    assert_eq!(
        client.send_message("hello room").unwrap().content,
        "hello room"
    );
    assert_eq!(
        client
            .room_messages(MessageQuery::new())
            .unwrap()
            .messages
            .len(),
        2
    );
    let all: Vec<_> = client
        .room_history(HistoryOptions::new())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all.len(), 2);
    let err = client.send_message("").unwrap_err();
    assert!(err.to_string().contains("`content`"), "{err}");
}

#[test]
fn clones_share_credentials() {
    let (_runtime, server) = mock_runtime();
    let client = blocking::Client::new(anonymous(&server)).unwrap();
    let clone = client.clone();
    assert!(clone.me().is_err());
    client.set_api_key(ALICE_KEY).unwrap();
    assert_eq!(clone.me().unwrap().username, "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_runtime_it_works_without_panicking_and_drops_cleanly() {
    let server = server().await;
    authed("GET", "/health")
        .respond_with(json_response(200, json!({"status": "healthy"})))
        .mount(&server)
        .await;
    let client = blocking::Client::new(client(&server)).unwrap();
    // Blocks this worker while the other one serves the mock.
    assert_eq!(client.health().unwrap().status, "healthy");
    drop(client);
}
