//! The wait logic against a mock REST server (bodies shaped from the
//! recorded traffic of the real server, ../shared/docs/rest-transcript-2.0.1.txt)
//! and the fake Centrifugo of the real-time tests.

use std::time::{Duration, Instant};

use fake_centrifugo::{FakeCentrifugo, token_for};
use rmcp::handler::server::wrapper::Parameters;
use serde_json::{Value, json};
use token_bowl_chat::Client;
use tokio_util::sync::CancellationToken;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

use super::{
    ChatServer, WaitSettings,
    inbox::{Inbox, Kinds},
    params,
};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";

fn message(id: &str, from: &str, content: &str) -> Value {
    let later = (chrono::Utc::now() + chrono::TimeDelta::seconds(60))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    json!({
        "id": id, "from_user_id": "", "from_username": from, "from_user_logo": null,
        "from_user_emoji": null, "from_user_bot": false, "to_user_id": null,
        "to_username": null, "content": content, "message_type": "room",
        "description": "", "timestamp": later})
}

/// `/users/me` (alice), empty histories, and a connection token for
/// `fake` when one is given.
async fn rest(fake: Option<&FakeCentrifugo>) -> MockServer {
    let rest = MockServer::start().await;
    let me = json!({
        "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
        "email": null, "api_key": KEY, "webhook_url": null, "logo": null, "viewer": false,
        "admin": false, "bot": false, "emoji": null, "created_at": "2026-11-22T01:02:30+00:00"});
    let empty = json!({"messages": [], "pagination":
        {"total": 0, "offset": 0, "limit": 100, "has_more": false}});
    Mock::given(path("/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(me))
        .mount(&rest)
        .await;
    for route in ["/messages", "/messages/direct"] {
        Mock::given(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(empty.clone()))
            .mount(&rest)
            .await;
    }
    if let Some(fake) = fake {
        Mock::given(path("/centrifugo/connection-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "token": token_for("alice", &["user:alice", "room:main"]), "url": fake.url(),
                "channels": ["user:alice", "room:main"], "user": "alice"})))
            .mount(&rest)
            .await;
    }
    rest
}

fn client(rest: &MockServer) -> Client {
    Client::builder()
        .use_env(false)
        .base_url(rest.uri())
        .api_key(KEY)
        .build()
        .unwrap()
}

fn settings(realtime: bool) -> WaitSettings {
    WaitSettings {
        poll_interval: Duration::from_millis(200),
        realtime,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn real_time_hands_each_message_from_others_out_once() {
    let fake = FakeCentrifugo::start(100).await;
    let rest = rest(Some(&fake)).await;
    let inbox = Inbox::new(client(&rest), settings(true));
    let waiting = tokio::spawn({
        let inbox = inbox.clone();
        async move { inbox.wait(Kinds::Both, Duration::from_secs(20)).await }
    });
    assert!(
        fake.wait_for(Duration::from_secs(10), |f| f.connection_count() == 1)
            .await
    );
    // Connected: the catch-up poll runs, then the wait sleeps on real time.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let from_bob = message("865ce10f-fb73-460f-abfb-9826f6705e8a", "bob", "hi alice");
    fake.publish(
        "room:main",
        message("6f1c2a4e-0d0a-4a4f-9d8e-1b2c3d4e5f60", "alice", "mine"),
    );
    fake.publish("room:main", from_bob.clone());
    let outcome = waiting.await.unwrap().unwrap();
    let contents: Vec<&str> = outcome
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(contents, ["hi alice"], "own messages are not new to you");
    assert!(outcome.realtime);
    // The same message again (a redelivery): not handed out twice.
    fake.publish("room:main", from_bob);
    let again = inbox
        .wait(Kinds::Both, Duration::from_millis(500))
        .await
        .unwrap();
    assert!(again.messages.is_empty(), "{:?}", again.messages);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_wait_stops_at_once() {
    let rest = rest(None).await;
    let server = ChatServer::new(client(&rest), settings(false));
    let cancel = CancellationToken::new();
    let started = Instant::now();
    let wait = server.wait_for_messages(
        Parameters(params::WaitForMessages {
            timeout_s: 60.0,
            direct: None,
        }),
        cancel.clone(),
    );
    let cancelling = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    };
    let (answer, ()) = tokio::join!(wait, cancelling);
    assert!(
        answer.is_err(),
        "a cancelled wait answers nothing: {answer:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_real_time_a_wait_polls_and_times_out_empty() {
    let rest = rest(None).await;
    let inbox = Inbox::new(client(&rest), settings(true));
    let started = Instant::now();
    let outcome = inbox
        .wait(Kinds::Room, Duration::from_millis(700))
        .await
        .unwrap();
    assert!(outcome.messages.is_empty());
    assert!(!outcome.realtime, "the token endpoint is missing: polling");
    assert!(started.elapsed() >= Duration::from_millis(700));
    let polls = rest
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/messages")
        .count();
    assert!(polls >= 3, "polled every 200 ms: {polls}");
}

/// The server stores a message, then fails its real-time publish and
/// answers 500 in text/plain (server-behavior.md, "Messages").
async fn send_fails_after_storing(stored: bool) -> (MockServer, rmcp::model::CallToolResult) {
    let rest = rest(None).await;
    Mock::given(wiremock::matchers::method("POST"))
        .and(path("/messages"))
        .respond_with(
            ResponseTemplate::new(500).set_body_raw("Internal Server Error", "text/plain"),
        )
        .with_priority(1)
        .mount(&rest)
        .await;
    let history = if stored {
        vec![message(
            "865ce10f-fb73-460f-abfb-9826f6705e8a",
            "alice",
            "once only",
        )]
    } else {
        vec![]
    };
    Mock::given(wiremock::matchers::method("GET"))
        .and(path("/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messages": history, "pagination":
            {"total": 1, "offset": 0, "limit": 100, "has_more": false}})))
        .with_priority(1)
        .mount(&rest)
        .await;
    let server = ChatServer::new(client(&rest), settings(false));
    let result = server
        .send_message(Parameters(params::SendMessage {
            content: "once only".into(),
            to: None,
        }))
        .await
        .unwrap();
    (rest, result)
}

async fn posts(rest: &MockServer) -> usize {
    let requests = rest.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_whose_answer_is_lost_but_was_stored_says_so_and_posts_once() {
    let (rest, result) = send_fails_after_storing(true).await;
    assert_eq!(result.is_error, Some(false), "{result:?}");
    let sent = result.structured_content.unwrap();
    assert_eq!(sent["outcome"], "found_stored");
    assert_eq!(sent["message"]["content"], "once only");
    let text = format!("{:?}", result.content);
    assert!(text.contains("found stored"), "{text}");
    assert_eq!(posts(&rest).await, 1, "never posted twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_whose_answer_is_lost_and_not_stored_is_a_tool_error_and_posts_once() {
    let (rest, result) = send_fails_after_storing(false).await;
    assert_eq!(result.is_error, Some(true), "{result:?}");
    let text = format!("{:?}", result.content);
    assert!(text.contains("not in recent history"), "{text}");
    assert!(text.contains("not re-sent"), "{text}");
    assert!(text.contains("500"), "the cause is said: {text}");
    assert_eq!(posts(&rest).await, 1, "never posted twice");
}
