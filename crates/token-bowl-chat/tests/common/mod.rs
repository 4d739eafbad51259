//! Test helpers: mock servers on loopback answering with bodies recorded
//! from the real server 2.0.1 (`shared/docs/rest-transcript-2.0.1.txt`).
//! Routes of the API are the generated typed mocks ([`typed`]); wiremock
//! stays where a test needs what they lack: answers that change from one
//! request to the next ([`Pages`], sequences of failures), a catch-all
//! that names an unexpected request, and the raw requests received.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::time::Duration;

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use token_bowl_chat::{Client, RetryPolicy};

pub mod typed;
pub use typed::*;

use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate,
    matchers::{any, header, method, path},
};

pub const ALICE_KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";
pub const ALICE_ID: &str = "53bd0efd-ef7b-4069-9ffa-1837d1aeec37";
pub const BOB_ID: &str = "161db6fc-0e97-4eb5-8089-46990edce7bb";
pub const ROOM_MESSAGE_ID: &str = "865ce10f-fb73-460f-abfb-9826f6705e8a";
pub const DIRECT_MESSAGE_ID: &str = "dabf742a-3a51-4782-8fb3-2e7b7b5964f0";
pub const CONVERSATION_ID: &str = "49bbc18e-4684-465d-8166-63a3b8eb81ca";
pub const BOT_ID: &str = "e375481d-b3d2-47c3-9150-2c504a3c2590";

/// A mock server whose unmatched requests fail readably ("PATCH
/// /users/me/logo was not expected") instead of a silent 404.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(418).set_body_string(format!(
                "{} {} was not expected",
                req.method,
                req.url.path()
            ))
        })
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

/// A mock server of either kind, by its base URL.
pub trait Mocked {
    /// `http://127.0.0.1:PORT`.
    fn base(&self) -> String;
}

impl Mocked for MockServer {
    fn base(&self) -> String {
        self.uri()
    }
}

impl Mocked for TypedServer {
    fn base(&self) -> String {
        self.base_url()
    }
}

/// A client for the mock server, as alice, with fast retries.
pub fn client(server: &impl Mocked) -> Client {
    Client::builder()
        .use_env(false)
        .base_url(server.base())
        .api_key(ALICE_KEY)
        .retry(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A client without a key.
pub fn anonymous(server: &impl Mocked) -> Client {
    Client::builder()
        .use_env(false)
        .base_url(server.base())
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// The default policy with millisecond backoff, so retry tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(4))
}

/// Expects `METHOD path` with alice's key.
pub fn authed(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("x-api-key", ALICE_KEY))
}

/// A JSON response as a newer server would send it: every object gains a
/// field this client does not know, so every test that answers through here
/// also proves that unknown fields are ignored.
pub fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(from_a_newer_server(body))
}

/// `body` with an unknown field added to every object in it.
pub fn from_a_newer_server(mut body: Value) -> Value {
    fn add(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.values_mut().for_each(add);
                map.insert(
                    "added_by_a_newer_server".into(),
                    json!({"nested": [1, "two", null], "flag": true}),
                );
            }
            Value::Array(items) => items.iter_mut().for_each(add),
            _ => {}
        }
    }
    add(&mut body);
    body
}

pub fn room_message() -> Value {
    json!({
        "id": ROOM_MESSAGE_ID,
        "from_user_id": ALICE_ID,
        "from_username": "alice",
        "from_user_logo": "claude-color.png",
        "from_user_emoji": null,
        "from_user_bot": false,
        "to_user_id": null,
        "to_username": null,
        "content": "hello room",
        "message_type": "room",
        "description": "This is a message for the fantasy league's group chat.",
        "timestamp": "2026-11-22T01:02:32.247494+00:00"
    })
}

pub fn direct_message() -> Value {
    json!({
        "id": DIRECT_MESSAGE_ID,
        "from_user_id": ALICE_ID,
        "from_username": "alice",
        "from_user_logo": "claude-color.png",
        "from_user_emoji": null,
        "from_user_bot": false,
        "to_user_id": BOB_ID,
        "to_username": "bob",
        "content": "hi bob",
        "message_type": "direct",
        "description": "This is a direct message from alice to bob.",
        "timestamp": "2026-11-22T01:02:32.539447+00:00"
    })
}

pub fn page(messages: Vec<Value>, total: usize, offset: usize, limit: usize) -> Value {
    let has_more = offset + messages.len() < total;
    json!({
        "messages": messages,
        "pagination": {"total": total, "offset": offset, "limit": limit, "has_more": has_more}
    })
}

pub fn profile() -> Value {
    json!({
        "id": ALICE_ID, "username": "alice", "role": "member", "email": null,
        "api_key": ALICE_KEY, "webhook_url": null, "logo": "claude-color.png",
        "viewer": false, "admin": false, "bot": false, "emoji": null,
        "created_at": "2026-11-22T01:02:30.135906+00:00"
    })
}

pub fn public_bob() -> Value {
    json!({"id": BOB_ID, "username": "bob", "role": "member", "logo": null,
           "emoji": "🤖", "bot": false, "viewer": false})
}

pub fn conversation() -> Value {
    json!({
        "id": CONVERSATION_ID, "title": "Recap", "message_ids": [ROOM_MESSAGE_ID],
        "created_by_username": "alice", "created_at": "2026-11-22T01:02:36.475168+00:00"
    })
}

pub fn bot() -> Value {
    json!({
        "id": BOT_ID, "username": "alicebot",
        "api_key": "5f501011a11f29794472177cee6470d447cb1ac7b57391a694ea0157854bd564",
        "created_by_id": ALICE_ID, "created_by": "alice", "emoji": "🦾", "webhook_url": null,
        "created_at": "2026-11-22T01:02:37.214312+00:00"
    })
}

/// What happens to the stored history right after a page is served.
pub type Change = Box<dyn Fn(&mut Vec<Value>, usize) + Send + Sync>;

/// Serves message pages (`limit`, `offset`, `since` as the server reads
/// them) from a shared list kept newest first.
pub struct Pages {
    pub list: Arc<Mutex<Vec<Value>>>,
    pub served: Mutex<usize>,
    pub after_page: Change,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query: std::collections::HashMap<String, String> =
            request.url.query_pairs().into_owned().collect();
        let offset: usize = query.get("offset").map_or(0, |v| v.parse().unwrap());
        let limit: usize = query.get("limit").map_or(50, |v| v.parse().unwrap());
        let mut list = self.list.lock().unwrap();
        let visible: Vec<Value> = match query.get("since") {
            // The server compares as text; the test data is all `+00:00`.
            Some(since) => list
                .iter()
                .filter(|m| m["timestamp"].as_str().unwrap() > since.as_str())
                .cloned()
                .collect(),
            None => list.clone(),
        };
        let body = page(
            visible.iter().skip(offset).take(limit).cloned().collect(),
            visible.len(),
            offset,
            limit,
        );
        let mut served = self.served.lock().unwrap();
        *served += 1;
        (self.after_page)(&mut list, *served);
        json_response(200, body)
    }
}

impl Pages {
    /// Pages over `list`, which the test may change between requests.
    pub fn over(list: Arc<Mutex<Vec<Value>>>) -> Self {
        Self {
            list,
            served: Mutex::new(0),
            after_page: Box::new(|_, _| {}),
        }
    }
}

/// Captures formatted tracing output (for a `tracing_subscriber` writer).
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything captured so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}
