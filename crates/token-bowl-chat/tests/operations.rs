//! Every public operation against a mock server that checks method, path,
//! query, body and the `X-API-Key` header, answering with recorded shapes.

mod common;

use common::*;
use serde_json::json;
use token_bowl_chat::{
    AdminUserUpdate, BotUpdate, ConversationUpdate, MessageQuery, MessageType, NewBot,
    NewConversation, Page, Register, Role,
};
use uuid::Uuid;
use wiremock::{
    Mock,
    matchers::{body_json, method, path, query_param},
};

fn id(s: &str) -> Uuid {
    s.parse().unwrap()
}

#[tokio::test]
async fn register_sends_the_registration_without_a_key_and_adopts_the_new_key() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/register"))
        .and(body_json(
            json!({"username": "alice", "logo": "claude-color.png",
                              "admin": false, "viewer": false, "bot": false}),
        ))
        .respond_with(json_response(
            201,
            json!({
                "id": ALICE_ID, "username": "alice", "api_key": ALICE_KEY, "role": "member",
                "webhook_url": null, "logo": "claude-color.png", "viewer": false, "admin": false,
                "bot": false, "emoji": null
            }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/users/me")
        .respond_with(json_response(200, profile()))
        .expect(1)
        .mount(&server)
        .await;
    let client = anonymous(&server);
    let created = client
        .register(Register::new("alice").logo("claude-color.png"))
        .await
        .unwrap();
    assert_eq!(created.role, Role::Member);
    assert_eq!(created.id, id(ALICE_ID));
    // The next call is made with the returned key (the mock checks it).
    assert_eq!(client.me().await.unwrap().username, "alice");
    let first = &server.received_requests().await.unwrap()[0];
    assert!(!first.headers.contains_key("x-api-key"));
}

#[tokio::test]
async fn send_message_and_send_direct_message() {
    let server = server().await;
    authed("POST", "/messages")
        .and(body_json(json!({"content": "hello room"})))
        .respond_with(json_response(201, room_message()))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/messages")
        .and(body_json(
            json!({"content": "hi bob", "to_username": "bob"}),
        ))
        .respond_with(json_response(201, direct_message()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let room = client.send_message("hello room").await.unwrap();
    assert_eq!(room.message_type, MessageType::Room);
    assert_eq!(room.to_username, None);
    let dm = client.send_direct_message("bob", "hi bob").await.unwrap();
    assert_eq!(dm.message_type, MessageType::Direct);
    assert_eq!(dm.to_username.as_deref(), Some("bob"));
}

#[tokio::test]
async fn room_messages_send_limit_offset_and_since_in_utc() {
    let server = server().await;
    authed("GET", "/messages")
        .and(query_param("limit", "10"))
        .and(query_param("offset", "5"))
        .and(query_param("since", "2026-11-22T01:00:00.250000+00:00"))
        .respond_with(json_response(200, page(vec![room_message()], 6, 5, 10)))
        .expect(1)
        .mount(&server)
        .await;
    // 02:00:00.25 at +01:00 is 01:00:00.25 UTC.
    let since = chrono::DateTime::parse_from_rfc3339("2026-11-22T02:00:00.25+01:00")
        .unwrap()
        .to_utc();
    let page = client(&server)
        .room_messages(MessageQuery::new().limit(10).offset(5).since(since))
        .await
        .unwrap();
    assert_eq!(page.messages[0].content, "hello room");
    assert_eq!(page.pagination.total, 6);
    // The `+` travelled percent-encoded: a bare one would decode to a space.
    let request = &server.received_requests().await.unwrap()[0];
    assert!(
        request.url.query().unwrap().contains("%2B00%3A00"),
        "{}",
        request.url
    );
}

#[tokio::test]
async fn direct_messages_and_one_message() {
    let server = server().await;
    authed("GET", "/messages/direct")
        .respond_with(json_response(200, page(vec![direct_message()], 1, 0, 50)))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", &format!("/messages/{DIRECT_MESSAGE_ID}"))
        .respond_with(json_response(200, direct_message()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let page = client.direct_messages(MessageQuery::new()).await.unwrap();
    assert_eq!(page.messages[0].to_username.as_deref(), Some("bob"));
    let one = client.message(id(DIRECT_MESSAGE_ID)).await.unwrap();
    assert_eq!(one.content, "hi bob");
}

#[tokio::test]
async fn unread_lists_count_and_marking_read() {
    let server = server().await;
    authed("GET", "/messages/unread")
        .and(query_param("limit", "20"))
        .respond_with(json_response(200, json!([room_message()])))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/messages/direct/unread")
        .respond_with(json_response(200, json!([direct_message()])))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/messages/unread/count")
        .respond_with(json_response(
            200,
            json!({"unread_room_messages": 1,
            "unread_direct_messages": 1, "total_unread": 2}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", &format!("/messages/{DIRECT_MESSAGE_ID}/read"))
        .respond_with(wiremock::ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/messages/mark-all-read")
        .respond_with(json_response(200, json!({"marked_as_read": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client
            .unread_messages(Page::new().limit(20))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client.unread_direct_messages(Page::new()).await.unwrap()[0].content,
        "hi bob"
    );
    assert_eq!(client.unread_count().await.unwrap().total_unread, 2);
    client.mark_read(id(DIRECT_MESSAGE_ID)).await.unwrap();
    assert_eq!(client.mark_all_read().await.unwrap(), 1);
}

#[tokio::test]
async fn typing_url_encodes_the_recipient() {
    let server = server().await;
    authed("POST", "/typing")
        .and(query_param("to_username", "bob & co"))
        .respond_with(json_response(
            200,
            json!({"status": "typing indicator sent", "to": "bob & co"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/typing")
        .respond_with(json_response(
            200,
            json!({"status": "typing indicator sent", "to": "room"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.typing(Some("bob & co")).await.unwrap();
    client.typing(None).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), Some("to_username=bob+%26+co"));
    assert_eq!(requests[1].url.query(), None);
}

#[tokio::test]
async fn users_profiles_and_public_endpoints() {
    let server = server().await;
    authed("GET", "/users")
        .respond_with(json_response(200, json!([public_bob()])))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/users/online")
        .respond_with(json_response(200, json!([])))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", &format!("/users/{BOB_ID}"))
        .respond_with(json_response(200, public_bob()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/logos"))
        .respond_with(json_response(
            200,
            json!(["claude-color.png", "openai.png"]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(json_response(200, json!({"status": "healthy"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client.users().await.unwrap()[0].emoji.as_deref(),
        Some("🤖")
    );
    assert!(client.online_users().await.unwrap().is_empty());
    assert_eq!(client.user(id(BOB_ID)).await.unwrap().username, "bob");
    assert_eq!(client.logos().await.unwrap().len(), 2);
    assert_eq!(client.health().await.unwrap().status, "healthy");
}

#[tokio::test]
async fn profile_updates() {
    let server = server().await;
    authed("PATCH", "/users/me/logo")
        .and(body_json(json!({"logo": "openai.png"})))
        .respond_with(json_response(
            200,
            json!({"message": "Logo updated successfully", "logo": "openai.png"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", "/users/me/webhook")
        .and(body_json(
            json!({"webhook_url": "https://example.com/hook"}),
        ))
        .respond_with(json_response(
            200,
            json!({"message": "Webhook updated", "webhook_url": "https://example.com/hook"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", "/users/me/username")
        .and(body_json(json!({"username": "alice2"})))
        .respond_with(json_response(200, {
            let mut p = profile();
            p["username"] = json!("alice2");
            p
        }))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client.set_logo(Some("openai.png")).await.unwrap().logo,
        "openai.png"
    );
    client
        .set_webhook(Some("https://example.com/hook"))
        .await
        .unwrap();
    assert_eq!(
        client.set_username("alice2").await.unwrap().username,
        "alice2"
    );
}

#[tokio::test]
async fn regenerate_api_key_uses_the_new_key_next() {
    let server = server().await;
    let new_key = "ab".repeat(32);
    authed("POST", "/users/me/regenerate-api-key")
        .respond_with(json_response(
            200,
            json!({"message": "API key regenerated", "api_key": new_key}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users/me"))
        .and(wiremock::matchers::header("x-api-key", new_key.as_str()))
        .respond_with(json_response(200, profile()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let key = client.regenerate_api_key().await.unwrap();
    assert_eq!(key.expose_secret(), new_key);
    client.me().await.unwrap();
}

#[tokio::test]
async fn magic_link_send_and_authenticate() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/auth/magic-link/send"))
        .and(body_json(json!({"email": "a@example.com"})))
        .respond_with(json_response(
            200,
            json!({"message": "sent", "email": "a@example.com"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/magic-link/authenticate"))
        .and(body_json(json!({"token": "tok"})))
        .respond_with(json_response(
            200,
            json!({"username": "alice", "session_token": "s", "api_key": ALICE_KEY}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = anonymous(&server);
    assert_eq!(
        client
            .send_magic_link("a@example.com", None)
            .await
            .unwrap()
            .email,
        "a@example.com"
    );
    client.authenticate_magic_link("tok").await.unwrap();
    assert!(client.has_api_key());
}

#[tokio::test]
async fn connection_token_is_typed() {
    let server = server().await;
    authed("GET", "/centrifugo/connection-token")
        .respond_with(json_response(200, json!({
            "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.x", "url": "ws://localhost:8001/connection/websocket",
            "channels": ["user:alice", "room:main"], "user": "alice"})))
        .expect(1)
        .mount(&server)
        .await;
    let token = client(&server).connection_token().await.unwrap();
    assert_eq!(token.channels, ["user:alice", "room:main"]);
    assert_eq!(token.user, "alice");
}

#[tokio::test]
async fn bots() {
    let server = server().await;
    authed("POST", "/bots")
        .and(body_json(json!({"username": "alicebot", "emoji": "🦾"})))
        .respond_with(json_response(201, {
            let mut b = bot();
            b.as_object_mut().unwrap().remove("created_at");
            b
        }))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/bots/me")
        .respond_with(json_response(200, json!([bot()])))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/bots/{BOT_ID}"))
        .and(body_json(json!({"emoji": "🤖"})))
        .respond_with(json_response(200, bot()))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/bots/{BOT_ID}"))
        .respond_with(wiremock::ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", &format!("/bots/{BOT_ID}/regenerate-api-key"))
        .respond_with(json_response(200, json!({"api_key": "cd".repeat(32)})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let created = client
        .create_bot(NewBot::new("alicebot").emoji("🦾"))
        .await
        .unwrap();
    assert_eq!(created.created_by, "alice");
    assert_eq!(client.my_bots().await.unwrap()[0].id, id(BOT_ID));
    client
        .update_bot(id(BOT_ID), BotUpdate::new().emoji("🤖"))
        .await
        .unwrap();
    client.delete_bot(id(BOT_ID)).await.unwrap();
    let key = client.regenerate_bot_api_key(id(BOT_ID)).await.unwrap();
    assert_eq!(key.expose_secret(), "cd".repeat(32));
    // The bot's key is not the client's.
    assert_eq!(
        client.credentials().get().unwrap().expose_secret(),
        ALICE_KEY
    );
}

#[tokio::test]
async fn conversations() {
    let server = server().await;
    authed("POST", "/conversations")
        .and(body_json(
            json!({"title": "Recap", "description": "week 1", "message_ids": [ROOM_MESSAGE_ID]}),
        ))
        .respond_with(json_response(201, conversation()))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/conversations")
        .and(query_param("limit", "100"))
        .respond_with(json_response(
            200,
            json!({
            "conversations": [conversation()],
            "pagination": {"total": 1, "offset": 0, "limit": 100, "has_more": false}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", &format!("/conversations/{CONVERSATION_ID}"))
        .respond_with(json_response(200, conversation()))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/conversations/{CONVERSATION_ID}"))
        .and(body_json(json!({"title": "Recap 2"})))
        .respond_with(json_response(200, conversation()))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/conversations/{CONVERSATION_ID}"))
        .respond_with(wiremock::ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let created = client
        .create_conversation(
            NewConversation::new([id(ROOM_MESSAGE_ID)])
                .title("Recap")
                .description("week 1"),
        )
        .await
        .unwrap();
    assert_eq!(created.message_ids, [id(ROOM_MESSAGE_ID)]);
    let page = client.conversations(Page::new().limit(100)).await.unwrap();
    assert_eq!(page.conversations.len(), 1);
    assert_eq!(
        client
            .conversation(id(CONVERSATION_ID))
            .await
            .unwrap()
            .title
            .as_deref(),
        Some("Recap")
    );
    client
        .update_conversation(
            id(CONVERSATION_ID),
            ConversationUpdate::new().title("Recap 2"),
        )
        .await
        .unwrap();
    client
        .delete_conversation(id(CONVERSATION_ID))
        .await
        .unwrap();
}

#[tokio::test]
async fn admin_operations() {
    let server = server().await;
    authed("GET", "/admin/users")
        .respond_with(json_response(200, json!([profile()])))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", &format!("/admin/users/{BOB_ID}"))
        .respond_with(json_response(200, profile()))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/admin/users/{BOB_ID}"))
        .and(body_json(json!({"emoji": "🐢", "viewer": true})))
        .respond_with(json_response(200, profile()))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/admin/users/{BOB_ID}"))
        .respond_with(wiremock::ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", &format!("/admin/users/{BOB_ID}/regenerate-api-key"))
        .respond_with(json_response(
            200,
            json!({"api_key": "ef".repeat(32), "username": "bob"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/admin/users/{BOB_ID}/role"))
        .and(body_json(json!({"role": "viewer"})))
        .respond_with(json_response(
            200,
            json!({"username": "bob", "role": "viewer",
            "message": "Successfully assigned role 'viewer' to user bob"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/admin/invite")
        .and(body_json(json!({"email": "c@example.com", "signup_url": "https://x.test/signup", "role": "member"})))
        .respond_with(json_response(200, json!({"email": "c@example.com", "role": "member", "message": "sent"})))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", &format!("/admin/messages/{ROOM_MESSAGE_ID}"))
        .respond_with(json_response(200, room_message()))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/admin/messages/{ROOM_MESSAGE_ID}"))
        .and(body_json(json!({"content": "edited by admin"})))
        .respond_with(json_response(200, room_message()))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/admin/messages/{ROOM_MESSAGE_ID}"))
        .respond_with(wiremock::ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/admin/conversations/{CONVERSATION_ID}"))
        .respond_with(wiremock::ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/admin/websocket/connections")
        .respond_with(json_response(
            200,
            json!({"total_users": 0, "total_connections": 0, "connections": []}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(client.admin_users().await.unwrap().len(), 1);
    assert_eq!(
        client
            .admin_user(id(BOB_ID))
            .await
            .unwrap()
            .api_key
            .expose_secret(),
        ALICE_KEY
    );
    client
        .admin_update_user(id(BOB_ID), AdminUserUpdate::new().emoji("🐢").viewer(true))
        .await
        .unwrap();
    client.admin_delete_user(id(BOB_ID)).await.unwrap();
    assert_eq!(
        client
            .admin_regenerate_api_key(id(BOB_ID))
            .await
            .unwrap()
            .expose_secret(),
        "ef".repeat(32)
    );
    assert_eq!(
        client
            .admin_set_role(id(BOB_ID), Role::Viewer)
            .await
            .unwrap()
            .role,
        Role::Viewer
    );
    assert_eq!(
        client
            .admin_invite("c@example.com", "https://x.test/signup", None)
            .await
            .unwrap()
            .role,
        Role::Member
    );
    assert_eq!(
        client.admin_message(id(ROOM_MESSAGE_ID)).await.unwrap().id,
        id(ROOM_MESSAGE_ID)
    );
    client
        .admin_edit_message(id(ROOM_MESSAGE_ID), "edited by admin")
        .await
        .unwrap();
    client
        .admin_delete_message(id(ROOM_MESSAGE_ID))
        .await
        .unwrap();
    client
        .admin_delete_conversation(id(CONVERSATION_ID))
        .await
        .unwrap();
    assert_eq!(client.admin_websocket_stats().await.unwrap().total_users, 0);
}

#[tokio::test]
async fn the_user_agent_and_escape_hatch_share_the_client_setup() {
    let server = server().await;
    authed("GET", "/users/me")
        .and(wiremock::matchers::header(
            "user-agent",
            token_bowl_chat::DEFAULT_USER_AGENT,
        ))
        .respond_with(json_response(200, profile()))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    client.me().await.unwrap();
    // The generated client from `api()` sends the same key and user agent.
    let raw = client.api().get_my_profile().send().await.unwrap();
    assert_eq!(raw.username, "alice");
}

#[tokio::test]
async fn public_calls_send_no_key_header_when_none_is_set() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/logos"))
        .respond_with(json_response(200, json!([])))
        .mount(&server)
        .await;
    anonymous(&server).logos().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(!requests[0].headers.contains_key("x-api-key"));
}
