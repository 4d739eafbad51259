//! The mock Token Bowl server: bodies shaped from the recorded traffic of
//! the real server (../shared/docs/rest-transcript-2.0.1.txt).

use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_partial_json, header, method, path, path_regex, query_param},
};

use super::{ALICE_ID, BOB_ID, KEY, common};

/// A message as the real server sends it (rest-transcript-2.0.1.txt).
pub fn message(id: &str, from: &str, to: Option<&str>, content: &str, timestamp: &str) -> Value {
    let (from_id, to_id) = if from == "alice" {
        (ALICE_ID, BOB_ID)
    } else {
        (BOB_ID, ALICE_ID)
    };
    json!({
        "id": id, "from_user_id": from_id, "from_username": from,
        "from_user_logo": "claude-color.png", "from_user_emoji": null, "from_user_bot": false,
        "to_user_id": to.map(|_| to_id), "to_username": to, "content": content,
        "message_type": if to.is_some() { "direct" } else { "room" },
        "description": "This is a message for the fantasy league's group chat.",
        "timestamp": timestamp
    })
}

pub fn page(messages: Vec<Value>, offset: u64, total: u64) -> Value {
    let len = messages.len() as u64;
    json!({"messages": messages, "pagination": {
        "total": total, "offset": offset, "limit": 1, "has_more": offset + len < total}})
}

pub fn authed(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("x-api-key", KEY))
}

pub fn answer(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// Bob's direct message, stored a minute from now: new to any session
/// started before it.
pub fn bobs_message() -> Value {
    let later = (chrono::Utc::now() + chrono::TimeDelta::seconds(60))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    message(
        "6f1c2a4e-0d0a-4a4f-9d8e-1b2c3d4e5f60",
        "bob",
        Some("alice"),
        "are you there?",
        &later,
    )
}

/// The mock, with every route the tools use; anything else answers 418
/// naming the request.
pub async fn mock() -> MockServer {
    let server = common::server().await;
    for mount in message_routes().into_iter().chain(other_routes()) {
        mount.mount(&server).await;
    }
    server
}

/// Sending, listing and reading messages.
fn message_routes() -> Vec<Mock> {
    let room_new = message(
        "865ce10f-fb73-460f-abfb-9826f6705e8a",
        "alice",
        None,
        "hello room",
        "2026-11-22T01:02:32.247494+00:00",
    );
    let room_old = message(
        "7a1b6c55-0a49-4f0e-a9a4-3c1f1e2d9b10",
        "bob",
        None,
        "morning",
        "2026-11-22T01:00:00+00:00",
    );
    let sent_dm = message(
        "dabf742a-3a51-4782-8fb3-2e7b7b5964f0",
        "alice",
        Some("bob"),
        "psst",
        "2026-11-22T01:02:32.539447+00:00",
    );
    vec![
        authed("GET", "/users/me").respond_with(answer(
            200,
            json!({
            "id": ALICE_ID, "username": "alice", "role": "member", "email": null, "api_key": KEY,
            "webhook_url": null, "logo": "claude-color.png", "viewer": false, "admin": false,
            "bot": false, "emoji": null, "created_at": "2026-11-22T01:02:30.135906+00:00"}),
        )),
        authed("POST", "/messages")
            .and(body_partial_json(json!({"to_username": "ghost-of-nobody"})))
            .respond_with(answer(
                404,
                json!({"detail": "User ghost-of-nobody not found"}),
            )),
        authed("POST", "/messages")
            .and(body_partial_json(json!({"to_username": "bob"})))
            .respond_with(answer(201, sent_dm.clone())),
        authed("POST", "/messages").respond_with(answer(201, room_new.clone())),
        authed("GET", "/messages")
            .and(query_param("offset", "1"))
            .respond_with(answer(200, page(vec![room_old], 1, 2))),
        authed("GET", "/messages").respond_with(answer(200, page(vec![room_new.clone()], 0, 2))),
        authed("GET", "/messages/direct")
            .respond_with(answer(200, page(vec![bobs_message(), sent_dm], 0, 2))),
        authed("GET", "/messages/unread").respond_with(answer(200, json!([room_new]))),
        authed("GET", "/messages/direct/unread").respond_with(answer(200, json!([bobs_message()]))),
    ]
}

/// Users, unread counts, marking read, typing.
fn other_routes() -> Vec<Mock> {
    vec![
        authed("GET", "/users").respond_with(answer(
            200,
            json!([
            {"id": ALICE_ID, "username": "alice", "role": "member", "logo": "claude-color.png",
             "emoji": null, "bot": false, "viewer": false},
            {"id": BOB_ID, "username": "bob", "role": "member", "logo": null, "emoji": "🤖",
             "bot": false, "viewer": false}]),
        )),
        // Server 2.0.1 always answers [] here.
        authed("GET", "/users/online").respond_with(answer(200, json!([]))),
        authed("GET", "/messages/unread/count").respond_with(answer(
            200,
            json!({
            "unread_room_messages": 1, "unread_direct_messages": 1, "total_unread": 2}),
        )),
        authed("POST", "/messages/mark-all-read")
            .respond_with(answer(200, json!({"marked_as_read": 2}))),
        Mock::given(method("POST"))
            .and(path_regex("^/messages/[0-9a-f-]{36}/read$"))
            .and(header("x-api-key", KEY))
            .respond_with(ResponseTemplate::new(204)),
        authed("POST", "/typing")
            .and(query_param("to_username", "bob"))
            .respond_with(answer(
                200,
                json!({"status": "typing indicator sent", "to": "bob"}),
            )),
        authed("POST", "/typing").respond_with(answer(
            200,
            json!({"status": "typing indicator sent", "to": "room"}),
        )),
    ]
}
