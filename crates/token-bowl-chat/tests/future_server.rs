//! A newer server against this client (mock server, bodies shaped like the
//! real server's with what a newer one could add): a role and a message type
//! this version does not know decode into `Unknown` and serialise back as
//! sent. (Every other test's bodies also carry unknown fields: see
//! `common::json_response`.)

mod common;

use common::*;
use serde_json::json;
use token_bowl_chat::{MessageQuery, MessageType, Page, Role, Uuid};

/// A role and a message type no server will add (after `cargo xtask regen`
/// from a newer server, a value such as `moderator` may be known).
const NEW_ROLE: &str = "x-role-from-a-newer-server";
const NEW_KIND: &str = "x-kind-from-a-newer-server";

#[tokio::test]
async fn unknown_roles_and_message_types_decode_everywhere_they_appear() {
    let server = server().await;
    let mut newer = public_bob();
    newer["role"] = json!(NEW_ROLE);
    let mut me = profile();
    me["role"] = json!(NEW_ROLE);
    let mut broadcast = room_message();
    broadcast["message_type"] = json!(NEW_KIND);
    for (verb, route, body) in [
        ("GET", "/users", json!([newer.clone()])),
        ("GET", format!("/users/{BOB_ID}").as_str(), newer.clone()),
        ("GET", "/users/me", me.clone()),
        ("GET", "/admin/users", json!([me.clone()])),
        ("GET", "/messages", page(vec![broadcast.clone()], 1, 0, 50)),
        (
            "GET",
            "/messages/direct",
            page(vec![broadcast.clone()], 1, 0, 50),
        ),
        ("GET", "/messages/unread", json!([broadcast.clone()])),
        ("GET", "/messages/direct/unread", json!([broadcast.clone()])),
        (
            "GET",
            format!("/messages/{ROOM_MESSAGE_ID}").as_str(),
            broadcast.clone(),
        ),
        (
            "PATCH",
            format!("/admin/users/{BOB_ID}/role").as_str(),
            json!({"username": "bob", "role": NEW_ROLE, "message": "Role updated"}),
        ),
    ] {
        authed(verb, route)
            .respond_with(json_response(200, body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let bob: Uuid = BOB_ID.parse().unwrap();
    let unknown_role = Role::Unknown(NEW_ROLE.into());
    let unknown_kind = MessageType::Unknown(NEW_KIND.into());

    let users = client.users().await.unwrap();
    assert_eq!(users[0].role, unknown_role);
    assert_eq!(
        serde_json::to_value(&users[0]).unwrap()["role"],
        NEW_ROLE,
        "serialises back as sent"
    );
    assert_eq!(client.user(bob).await.unwrap().role, unknown_role);
    assert_eq!(client.me().await.unwrap().role, unknown_role);
    assert_eq!(client.admin_users().await.unwrap()[0].role, unknown_role);
    let assigned = client.admin_set_role(bob, Role::Admin).await.unwrap();
    assert_eq!(assigned.role, unknown_role);

    let room = client.room_messages(MessageQuery::new()).await.unwrap();
    assert_eq!(room.messages[0].message_type, unknown_kind);
    assert_eq!(
        serde_json::to_value(&room.messages[0]).unwrap()["message_type"],
        NEW_KIND
    );
    let direct = client.direct_messages(MessageQuery::new()).await.unwrap();
    assert_eq!(direct.messages[0].message_type, unknown_kind);
    let unread = client.unread_messages(Page::new()).await.unwrap();
    assert_eq!(unread[0].message_type, unknown_kind);
    let unread = client.unread_direct_messages(Page::new()).await.unwrap();
    assert_eq!(unread[0].message_type, unknown_kind);
    let one = client
        .message(ROOM_MESSAGE_ID.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(one.message_type.to_string(), NEW_KIND);
}

#[tokio::test]
async fn a_bot_without_a_creator_decodes() {
    // server-behavior.md: an admin turned a user into a bot; the server
    // then lists and updates it with empty creator fields.
    let server = server().await;
    let mut orphan = bot();
    orphan["created_by_id"] = json!("");
    orphan["created_by"] = json!("");
    authed("GET", "/bots/me")
        .respond_with(json_response(200, json!([orphan.clone()])))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/bots/{BOT_ID}"))
        .respond_with(json_response(200, orphan))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let bots = client.my_bots().await.unwrap();
    assert_eq!(bots[0].created_by_id, None);
    assert_eq!(bots[0].created_by, "");
    let updated = client
        .update_bot(
            BOT_ID.parse().unwrap(),
            token_bowl_chat::BotUpdate::new().emoji("🤖"),
        )
        .await
        .unwrap();
    assert_eq!(updated.created_by_id, None);
}

#[tokio::test]
async fn a_message_from_a_deleted_sender_decodes() {
    let server = server().await;
    let mut orphan = room_message();
    orphan["from_user_id"] = json!("");
    authed("GET", "/messages")
        .respond_with(json_response(200, page(vec![orphan], 1, 0, 50)))
        .mount(&server)
        .await;
    let page = client(&server)
        .room_messages(MessageQuery::new())
        .await
        .unwrap();
    assert_eq!(page.messages[0].from_user_id, None);
    assert_eq!(page.messages[0].to_user_id, None);
}
