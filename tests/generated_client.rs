//! The generated client against its generated `httpmock` helpers (a mock
//! server on loopback), with bodies recorded from the real server 2.0.1.

use httpmock::MockServer;
use serde_json::{Value, json};
use token_bowl_chat_api::{
    ApiKey, Client, ClientState, Credentials, Error, mock::MockServerExt, types,
};

const ALICE_KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";
const BOB_KEY: &str = "1ca3a8c3c942f1ab2e635e56c30ff8c8dd4c6688420a3c8e92b613393850fa71";

fn room_message() -> Value {
    json!({
        "id": "865ce10f-fb73-460f-abfb-9826f6705e8a",
        "from_user_id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37",
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

fn decode<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("recorded body decodes")
}

fn client(server: &MockServer, key: Option<&str>) -> Client {
    let key = key.map(|k| ApiKey::new(k).unwrap());
    Client::new(&server.base_url(), ClientState::new(Credentials::new(key)))
}

#[tokio::test]
async fn register_then_the_returned_key_is_used_for_the_next_call() {
    let server = MockServer::start_async().await;
    let registration: types::UserRegistration =
        decode(json!({"username": "alice", "logo": "claude-color.png"}));
    let register = server.register_user(|when, then| {
        when.body(&registration)
            .into_inner()
            .header_missing("x-api-key");
        then.created(&decode(json!({
            "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice",
            "api_key": ALICE_KEY, "role": "member", "webhook_url": null,
            "logo": "claude-color.png", "viewer": false, "admin": false, "bot": false, "emoji": null
        })));
    });
    let me = server.get_my_profile(|when, then| {
        when.into_inner().header("x-api-key", ALICE_KEY);
        then.ok(&decode(json!({
            "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
            "email": null, "api_key": ALICE_KEY, "webhook_url": null, "logo": "claude-color.png",
            "viewer": false, "admin": false, "bot": false, "emoji": null,
            "created_at": "2026-11-22T01:02:30.135906+00:00"
        })));
    });

    let client = client(&server, None);
    let created = client
        .register_user()
        .body(registration.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.role, types::Role::Member);
    client.credentials().set(created.api_key.clone());

    let profile = client.get_my_profile().send().await.unwrap();
    assert_eq!(profile.username, "alice");
    assert_eq!(
        profile.created_at.to_rfc3339(),
        "2026-11-22T01:02:30.135906+00:00"
    );
    register.assert_async().await;
    me.assert_async().await;
}

#[tokio::test]
async fn send_message_posts_the_body_with_the_key_header() {
    let server = MockServer::start_async().await;
    let body: types::SendMessageRequest = decode(json!({"content": "hello room"}));
    let mock = server.send_message(|when, then| {
        when.body(&body).into_inner().header("x-api-key", ALICE_KEY);
        then.created(&decode(room_message()));
    });
    let sent = client(&server, Some(ALICE_KEY))
        .send_message()
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    assert_eq!(sent.id.to_string(), "865ce10f-fb73-460f-abfb-9826f6705e8a");
    assert_eq!(sent.message_type, types::MessageType::Room);
    assert_eq!(sent.timestamp.timestamp_micros() % 1_000_000, 247_494);
    mock.assert_async().await;
}

#[tokio::test]
async fn list_messages_sends_limit_offset_and_an_encoded_since() {
    let server = MockServer::start_async().await;
    let since = "2026-11-22T01:00:00.5+00:00";
    // httpmock form-decodes the query: this matches only if the client sent
    // `+` as `%2B` (a bare `+` would decode to a space, as on the server).
    let mock = server.get_messages(|when, then| {
        when.limit(10).offset(20).since(since);
        then.ok(&decode(json!({
            "messages": [room_message()],
            "pagination": {"total": 21, "offset": 20, "limit": 10, "has_more": false}
        })));
    });
    let page = client(&server, Some(BOB_KEY))
        .get_messages()
        .limit(10)
        .offset(20)
        .since(since)
        .send()
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 1);
    assert_eq!(page.pagination.total, 21);
    assert!(!page.pagination.has_more);
    mock.assert_async().await;
}

#[tokio::test]
async fn mark_read_decodes_an_empty_204() {
    let server = MockServer::start_async().await;
    let id: uuid::Uuid = "dabf742a-3a51-4782-8fb3-2e7b7b5964f0".parse().unwrap();
    let mock = server.mark_message_as_read(|when, then| {
        when.message_id(&id);
        then.no_content();
    });
    let response = client(&server, Some(BOB_KEY))
        .mark_message_as_read()
        .message_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_422_decodes_into_the_shared_error_body() {
    let server = MockServer::start_async().await;
    // The generated types already refuse an empty `content` locally (it has
    // `minLength: 1`), so this 422 is for a limit the spec does not state.
    let body: types::SendMessageRequest = decode(json!({"content": "x", "to_username": "bob"}));
    server.send_message(|when, then| {
        when.body(&body);
        then.client_error(422, &decode(json!({"detail": [{
            "type": "string_too_short", "loc": ["body", "content"],
            "msg": "String should have at least 1 character", "input": "", "ctx": {"min_length": 1}
        }]})));
    });
    let err = client(&server, Some(ALICE_KEY))
        .send_message()
        .body(body)
        .send()
        .await
        .unwrap_err();
    let Error::ErrorResponse(response) = err else {
        panic!("expected ErrorResponse, got {err:?}")
    };
    assert_eq!(response.status(), 422);
    let Some(types::ErrorBodyDetail::Array(errors)) = &response.detail else {
        panic!("expected field errors, got {:?}", response.detail)
    };
    assert_eq!(errors[0].loc.len(), 2);
    assert_eq!(errors[0].msg, "String should have at least 1 character");
    assert_eq!(errors[0].ctx["min_length"], 1);
}

#[test]
fn constrained_strings_are_checked_before_sending() {
    let err =
        serde_json::from_value::<types::SendMessageRequest>(json!({"content": ""})).unwrap_err();
    assert!(
        err.to_string().contains("shorter than 1 characters"),
        "{err}"
    );
}

#[tokio::test]
async fn a_404_detail_string_decodes_into_the_shared_error_body() {
    let server = MockServer::start_async().await;
    let id = uuid::Uuid::nil();
    server.get_message(|when, then| {
        when.message_id(&id);
        then.client_error(
            404,
            &decode(json!({"detail": format!("Message {id} not found")})),
        );
    });
    let err = client(&server, Some(ALICE_KEY))
        .get_message()
        .message_id(id)
        .send()
        .await
        .unwrap_err();
    let Error::ErrorResponse(response) = err else {
        panic!("expected ErrorResponse, got {err:?}")
    };
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.detail,
        Some(types::ErrorBodyDetail::String(format!(
            "Message {id} not found"
        )))
    );
}

#[tokio::test]
async fn a_missing_key_fails_before_any_request() {
    let server = MockServer::start_async().await;
    let catch_all = server.mock(|_, then| {
        then.status(500);
    });
    let err = client(&server, None)
        .get_my_profile()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Custom(msg) if msg.contains("`get_my_profile` needs an API key")),
        "{err:?}"
    );
    catch_all.assert_calls_async(0).await;
}

#[tokio::test]
async fn public_operations_need_no_key() {
    let server = MockServer::start_async().await;
    let logos = server.get_available_logos(|when, then| {
        when.into_inner().header_missing("x-api-key");
        then.ok(&vec![
            "claude-color.png".to_owned(),
            "openai.png".to_owned(),
        ]);
    });
    let names = client(&server, None)
        .get_available_logos()
        .send()
        .await
        .unwrap();
    assert_eq!(names.into_inner(), ["claude-color.png", "openai.png"]);
    logos.assert_async().await;
}
