//! Every public operation against a mock server that checks method, path,
//! query, body and the `X-API-Key` header, answering with recorded shapes.
//! The routes are the generated typed mocks: each is named by its operation,
//! so its method and path come from the spec; `assert_async` checks each was
//! called exactly once.

mod common;

use common::*;
use serde_json::json;
use token_bowl_chat::{
    AdminUserUpdate, BotUpdate, ConversationUpdate, MessageQuery, MessageType, NewBot,
    NewConversation, Page, Register, Role,
};

#[tokio::test]
async fn register_sends_the_registration_without_a_key_and_adopts_the_new_key() {
    let server = typed_server().await;
    let register = server.register_user(|when, then| {
        when.into_inner()
            .header_missing("x-api-key")
            .json_body(json!({"username": "alice", "logo": "claude-color.png",
                              "admin": false, "viewer": false, "bot": false}));
        answer(
            then.into_inner(),
            201,
            json!({
                "id": ALICE_ID, "username": "alice", "api_key": ALICE_KEY, "role": "member",
                "webhook_url": null, "logo": "claude-color.png", "viewer": false, "admin": false,
                "bot": false, "emoji": null
            }),
        );
    });
    let me = server.get_my_profile(|when, then| {
        as_alice(when.into_inner());
        answer(then.into_inner(), 200, profile());
    });
    let client = anonymous(&server);
    let created = client
        .register(Register::new("alice").logo("claude-color.png"))
        .await
        .unwrap();
    assert_eq!(created.role, Role::Member);
    assert_eq!(created.id, id(ALICE_ID));
    // The next call is made with the returned key (the mock checks it); the
    // registration went without one (`header_missing`).
    assert_eq!(client.me().await.unwrap().username, "alice");
    register.assert_async().await;
    me.assert_async().await;
}

#[tokio::test]
async fn send_message_and_send_direct_message() {
    let server = typed_server().await;
    let room = server.send_message(|when, then| {
        as_alice(when.into_inner()).json_body(json!({"content": "hello room"}));
        answer(then.into_inner(), 201, room_message());
    });
    let direct = server.send_message(|when, then| {
        as_alice(when.into_inner()).json_body(json!({"content": "hi bob", "to_username": "bob"}));
        answer(then.into_inner(), 201, direct_message());
    });
    let client = client(&server);
    let sent = client.send_message("hello room").await.unwrap();
    assert_eq!(sent.message_type, MessageType::Room);
    assert_eq!(sent.to_username, None);
    let dm = client.send_direct_message("bob", "hi bob").await.unwrap();
    assert_eq!(dm.message_type, MessageType::Direct);
    assert_eq!(dm.to_username.as_deref(), Some("bob"));
    room.assert_async().await;
    direct.assert_async().await;
}

#[tokio::test]
async fn room_messages_send_limit_offset_and_since_in_utc() {
    let server = typed_server().await;
    // The mock reads the query decoded: a `+` that travelled bare would
    // decode to a space and not match, so a match proves it was
    // percent-encoded (`%2B00%3A00`).
    let messages = server.get_messages(|when, then| {
        as_alice(
            when.limit(10)
                .offset(5)
                .since("2026-11-22T01:00:00.250000+00:00")
                .into_inner(),
        );
        answer(then.into_inner(), 200, page(vec![room_message()], 6, 5, 10));
    });
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
    messages.assert_async().await;
}

#[tokio::test]
async fn direct_messages_and_one_message() {
    let server = typed_server().await;
    let list = server.get_direct_messages(|when, then| {
        as_alice(when.into_inner());
        answer(
            then.into_inner(),
            200,
            page(vec![direct_message()], 1, 0, 50),
        );
    });
    let one = server.get_message(|when, then| {
        as_alice(when.message_id(&id(DIRECT_MESSAGE_ID)).into_inner());
        answer(then.into_inner(), 200, direct_message());
    });
    let client = client(&server);
    let page = client.direct_messages(MessageQuery::new()).await.unwrap();
    assert_eq!(page.messages[0].to_username.as_deref(), Some("bob"));
    let message = client.message(id(DIRECT_MESSAGE_ID)).await.unwrap();
    assert_eq!(message.content, "hi bob");
    list.assert_async().await;
    one.assert_async().await;
}

#[tokio::test]
async fn unread_lists_count_and_marking_read() {
    let server = typed_server().await;
    let room = server.get_unread_room_messages(|when, then| {
        as_alice(when.limit(20).into_inner());
        answer(then.into_inner(), 200, json!([room_message()]));
    });
    let direct = server.get_unread_direct_messages(|when, then| {
        as_alice(when.into_inner());
        answer(then.into_inner(), 200, json!([direct_message()]));
    });
    let count = server.get_unread_count(|when, then| {
        as_alice(when.into_inner());
        answer(
            then.into_inner(),
            200,
            json!({"unread_room_messages": 1, "unread_direct_messages": 1, "total_unread": 2}),
        );
    });
    let mark = server.mark_message_as_read(|when, then| {
        as_alice(when.message_id(&id(DIRECT_MESSAGE_ID)).into_inner());
        no_content(then.into_inner());
    });
    let mark_all = server.mark_all_messages_as_read(|when, then| {
        as_alice(when.into_inner());
        answer(then.into_inner(), 200, json!({"marked_as_read": 1}));
    });
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
    for mock in [room, direct, count, mark, mark_all] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn typing_url_encodes_the_recipient() {
    let server = typed_server().await;
    // Matched decoded: `bob & co` arrives whole only if `&` and the spaces
    // were encoded (`to_username=bob+%26+co`).
    let to_bob = server.send_typing_indicator(|when, then| {
        as_alice(when.to_username("bob & co").into_inner());
        answer(
            then.into_inner(),
            200,
            json!({"status": "typing indicator sent", "to": "bob & co"}),
        );
    });
    let to_room = server.send_typing_indicator(|when, then| {
        // No query at all.
        as_alice(when.to_username(None).into_inner()).query_param_count(".*", ".*", 0);
        answer(
            then.into_inner(),
            200,
            json!({"status": "typing indicator sent", "to": "room"}),
        );
    });
    let client = client(&server);
    client.typing(Some("bob & co")).await.unwrap();
    client.typing(None).await.unwrap();
    to_bob.assert_async().await;
    to_room.assert_async().await;
}

#[tokio::test]
async fn users_profiles_and_public_endpoints() {
    let server = typed_server().await;
    let users = server.get_users(|when, then| {
        as_alice(when.into_inner());
        answer(then.into_inner(), 200, json!([public_bob()]));
    });
    let online = server.get_online_users(|when, then| {
        as_alice(when.into_inner());
        answer(then.into_inner(), 200, json!([]));
    });
    let bob = server.get_user_profile(|when, then| {
        as_alice(when.user_id(&id(BOB_ID)).into_inner());
        answer(then.into_inner(), 200, public_bob());
    });
    let logos = server.get_available_logos(|_, then| {
        answer(
            then.into_inner(),
            200,
            json!(["claude-color.png", "openai.png"]),
        );
    });
    let health = server.health_check(|_, then| {
        answer(then.into_inner(), 200, json!({"status": "healthy"}));
    });
    let client = client(&server);
    assert_eq!(
        client.users().await.unwrap()[0].emoji.as_deref(),
        Some("🤖")
    );
    assert!(client.online_users().await.unwrap().is_empty());
    assert_eq!(client.user(id(BOB_ID)).await.unwrap().username, "bob");
    assert_eq!(client.logos().await.unwrap().len(), 2);
    assert_eq!(client.health().await.unwrap().status, "healthy");
    for mock in [users, online, bob, logos, health] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn profile_updates() {
    let server = typed_server().await;
    let logo = server.update_my_logo(|when, then| {
        as_alice(when.into_inner()).json_body(json!({"logo": "openai.png"}));
        answer(
            then.into_inner(),
            200,
            json!({"message": "Logo updated successfully", "logo": "openai.png"}),
        );
    });
    let webhook = server.update_my_webhook(|when, then| {
        as_alice(when.into_inner()).json_body(json!({"webhook_url": "https://example.com/hook"}));
        answer(
            then.into_inner(),
            200,
            json!({"message": "Webhook updated", "webhook_url": "https://example.com/hook"}),
        );
    });
    let username = server.update_my_username(|when, then| {
        as_alice(when.into_inner()).json_body(json!({"username": "alice2"}));
        let mut p = profile();
        p["username"] = json!("alice2");
        answer(then.into_inner(), 200, p);
    });
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
    for mock in [logo, webhook, username] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn regenerate_api_key_uses_the_new_key_next() {
    let server = typed_server().await;
    let new_key = "ab".repeat(32);
    let regenerate = server.regenerate_my_api_key(|when, then| {
        as_alice(when.into_inner());
        answer(
            then.into_inner(),
            200,
            json!({"message": "API key regenerated", "api_key": new_key}),
        );
    });
    let me = server.get_my_profile(|when, then| {
        when.into_inner().header("x-api-key", new_key.as_str());
        answer(then.into_inner(), 200, profile());
    });
    let client = client(&server);
    let key = client.regenerate_api_key().await.unwrap();
    assert_eq!(key.expose_secret(), new_key);
    client.me().await.unwrap();
    regenerate.assert_async().await;
    me.assert_async().await;
}

#[tokio::test]
async fn magic_link_send_and_authenticate() {
    let server = typed_server().await;
    let send = server.send_magic_link(|when, then| {
        when.into_inner()
            .json_body(json!({"email": "a@example.com"}));
        answer(
            then.into_inner(),
            200,
            json!({"message": "sent", "email": "a@example.com"}),
        );
    });
    let authenticate = server.authenticate_magic_link(|when, then| {
        when.into_inner().json_body(json!({"token": "tok"}));
        answer(
            then.into_inner(),
            200,
            json!({"username": "alice", "session_token": "s", "api_key": ALICE_KEY}),
        );
    });
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
    send.assert_async().await;
    authenticate.assert_async().await;
}

#[tokio::test]
async fn connection_token_is_typed() {
    let server = typed_server().await;
    let token = server.get_centrifugo_connection_token(|when, then| {
        as_alice(when.into_inner());
        answer(then.into_inner(), 200, json!({
            "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.x", "url": "ws://localhost:8001/connection/websocket",
            "channels": ["user:alice", "room:main"], "user": "alice"}));
    });
    let answered = client(&server).connection_token().await.unwrap();
    assert_eq!(answered.channels, ["user:alice", "room:main"]);
    assert_eq!(answered.user, "alice");
    token.assert_async().await;
}

#[tokio::test]
async fn bots() {
    let server = typed_server().await;
    let create = server.create_bot(|when, then| {
        as_alice(when.into_inner()).json_body(json!({"username": "alicebot", "emoji": "🦾"}));
        let mut b = bot();
        b.as_object_mut().unwrap().remove("created_at");
        answer(then.into_inner(), 201, b);
    });
    let mine = server.get_my_bots(|when, then| {
        as_alice(when.into_inner());
        answer(then.into_inner(), 200, json!([bot()]));
    });
    let update = server.update_bot(|when, then| {
        as_alice(when.bot_id(&id(BOT_ID)).into_inner()).json_body(json!({"emoji": "🤖"}));
        answer(then.into_inner(), 200, bot());
    });
    let delete = server.delete_bot(|when, then| {
        as_alice(when.bot_id(&id(BOT_ID)).into_inner());
        no_content(then.into_inner());
    });
    let regenerate = server.regenerate_bot_api_key(|when, then| {
        as_alice(when.bot_id(&id(BOT_ID)).into_inner());
        answer(then.into_inner(), 200, json!({"api_key": "cd".repeat(32)}));
    });
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
    for mock in [create, mine, update, delete, regenerate] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn conversations() {
    let server = typed_server().await;
    let create = server.create_conversation(|when, then| {
        as_alice(when.into_inner()).json_body(
            json!({"title": "Recap", "description": "week 1", "message_ids": [ROOM_MESSAGE_ID]}),
        );
        answer(then.into_inner(), 201, conversation());
    });
    let list = server.get_conversations(|when, then| {
        as_alice(when.limit(std::num::NonZeroU64::new(100)).into_inner());
        answer(
            then.into_inner(),
            200,
            json!({
            "conversations": [conversation()],
            "pagination": {"total": 1, "offset": 0, "limit": 100, "has_more": false}}),
        );
    });
    let one = server.get_conversation(|when, then| {
        as_alice(when.conversation_id(&id(CONVERSATION_ID)).into_inner());
        answer(then.into_inner(), 200, conversation());
    });
    let update = server.update_conversation(|when, then| {
        as_alice(when.conversation_id(&id(CONVERSATION_ID)).into_inner())
            .json_body(json!({"title": "Recap 2"}));
        answer(then.into_inner(), 200, conversation());
    });
    let delete = server.delete_conversation(|when, then| {
        as_alice(when.conversation_id(&id(CONVERSATION_ID)).into_inner());
        no_content(then.into_inner());
    });
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
    for mock in [create, list, one, update, delete] {
        mock.assert_async().await;
    }
}

/// The admin routes over users, each checked once.
fn admin_user_routes(server: &TypedServer) -> Vec<httpmock::Mock<'_>> {
    let bob = id(BOB_ID);
    vec![
        server.admin_get_all_users(|when, then| {
            as_alice(when.into_inner());
            answer(then.into_inner(), 200, json!([profile()]));
        }),
        server.admin_get_user(|when, then| {
            as_alice(when.user_id(&bob).into_inner());
            answer(then.into_inner(), 200, profile());
        }),
        server.admin_update_user(|when, then| {
            as_alice(when.user_id(&bob).into_inner())
                .json_body(json!({"emoji": "🐢", "viewer": true}));
            answer(then.into_inner(), 200, profile());
        }),
        server.admin_delete_user(|when, then| {
            as_alice(when.user_id(&bob).into_inner());
            no_content(then.into_inner());
        }),
        server.admin_regenerate_user_api_key(|when, then| {
            as_alice(when.user_id(&bob).into_inner());
            answer(
                then.into_inner(),
                200,
                json!({"api_key": "ef".repeat(32), "username": "bob"}),
            );
        }),
        server.assign_user_role(|when, then| {
            as_alice(when.user_id(&bob).into_inner()).json_body(json!({"role": "viewer"}));
            answer(
                then.into_inner(),
                200,
                json!({"username": "bob", "role": "viewer",
                "message": "Successfully assigned role 'viewer' to user bob"}),
            );
        }),
        server.invite_user_by_email(|when, then| {
            as_alice(when.into_inner()).json_body(json!({"email": "c@example.com", "signup_url": "https://x.test/signup", "role": "member"}));
            answer(then.into_inner(), 200, json!({"email": "c@example.com", "role": "member", "message": "sent"}));
        }),
    ]
}

/// The admin routes over messages, conversations and connections.
fn admin_content_routes(server: &TypedServer) -> Vec<httpmock::Mock<'_>> {
    let message = id(ROOM_MESSAGE_ID);
    vec![
        server.admin_get_message(|when, then| {
            as_alice(when.message_id(&message).into_inner());
            answer(then.into_inner(), 200, room_message());
        }),
        server.admin_update_message(|when, then| {
            as_alice(when.message_id(&message).into_inner())
                .json_body(json!({"content": "edited by admin"}));
            answer(then.into_inner(), 200, room_message());
        }),
        server.admin_delete_message(|when, then| {
            as_alice(when.message_id(&message).into_inner());
            no_content(then.into_inner());
        }),
        server.admin_delete_conversation(|when, then| {
            as_alice(when.conversation_id(&id(CONVERSATION_ID)).into_inner());
            no_content(then.into_inner());
        }),
        server.get_websocket_connections(|when, then| {
            as_alice(when.into_inner());
            answer(
                then.into_inner(),
                200,
                json!({"total_users": 0, "total_connections": 0, "connections": []}),
            );
        }),
    ]
}

#[tokio::test]
async fn admin_operations() {
    let server = typed_server().await;
    let mut routes = admin_user_routes(&server);
    routes.extend(admin_content_routes(&server));
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
    for mock in routes {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn the_user_agent_and_escape_hatch_share_the_client_setup() {
    let server = typed_server().await;
    let me = server.get_my_profile(|when, then| {
        as_alice(when.into_inner()).header("user-agent", token_bowl_chat::DEFAULT_USER_AGENT);
        answer(then.into_inner(), 200, profile());
    });
    let client = client(&server);
    client.me().await.unwrap();
    // The generated client from `api()` sends the same key and user agent.
    let raw = client.api().get_my_profile().send().await.unwrap();
    assert_eq!(raw.username, "alice");
    me.assert_calls_async(2).await;
}

#[tokio::test]
async fn public_calls_send_no_key_header_when_none_is_set() {
    let server = typed_server().await;
    let logos = server.get_available_logos(|when, then| {
        when.into_inner().header_missing("x-api-key");
        answer(then.into_inner(), 200, json!([]));
    });
    anonymous(&server).logos().await.unwrap();
    logos.assert_async().await;
}
