//! The blocking client, from plain threads and from inside a runtime.

mod common;

use common::*;
use serde_json::json;
use token_bowl_chat::{HistoryOptions, MessageQuery, blocking};

/// A typed mock server (it runs on its own thread; the test thread has no
/// runtime) with the routes the blocking calls use.
fn mock_server() -> TypedServer {
    let server = TypedServer::start();
    route!(server, get_my_profile, 200, profile());
    route!(
        server,
        get_messages,
        200,
        page(vec![room_message(), direct_message()], 2, 0, 50)
    );
    route!(server, send_message, 201, room_message());
    server
}

#[test]
fn blocking_calls_work_without_a_runtime() {
    let server = mock_server();
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
    let server = mock_server();
    let client = blocking::Client::new(anonymous(&server)).unwrap();
    let clone = client.clone();
    assert!(clone.me().is_err());
    client.set_api_key(ALICE_KEY).unwrap();
    assert_eq!(clone.me().unwrap().username, "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_runtime_it_works_without_panicking_and_drops_cleanly() {
    let server = typed_server().await;
    route!(server, health_check, 200, json!({"status": "healthy"}));
    let client = blocking::Client::new(client(&server)).unwrap();
    // Blocks this worker until the answer comes.
    assert_eq!(client.health().unwrap().status, "healthy");
    drop(client);
}
