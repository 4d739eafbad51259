//! A newer server against this client (mock server, bodies shaped like the
//! real server's with what a newer one could add): a role and a message type
//! this version does not know decode into `Unknown` and serialise back as
//! sent. (Every other test's bodies also carry unknown fields: see
//! `common::json_response`.) The routes are the generated typed mocks;
//! each is checked to be called exactly once where the original expected so.

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
    let server = typed_server().await;
    let mut newer = public_bob();
    newer["role"] = json!(NEW_ROLE);
    let mut me = profile();
    me["role"] = json!(NEW_ROLE);
    let mut broadcast = room_message();
    broadcast["message_type"] = json!(NEW_KIND);
    let one_page = page(vec![broadcast.clone()], 1, 0, 50);
    let routes = [
        route!(server, get_users, 200, json!([newer.clone()])),
        route!(
            server,
            get_user_profile.user_id(&id(BOB_ID)),
            200,
            newer.clone()
        ),
        route!(server, get_my_profile, 200, me.clone()),
        route!(server, admin_get_all_users, 200, json!([me.clone()])),
        route!(server, get_messages, 200, one_page.clone()),
        route!(server, get_direct_messages, 200, one_page.clone()),
        route!(
            server,
            get_unread_room_messages,
            200,
            json!([broadcast.clone()])
        ),
        route!(
            server,
            get_unread_direct_messages,
            200,
            json!([broadcast.clone()])
        ),
        route!(
            server,
            get_message.message_id(&id(ROOM_MESSAGE_ID)),
            200,
            broadcast.clone()
        ),
        route!(
            server,
            assign_user_role.user_id(&id(BOB_ID)),
            200,
            json!({"username": "bob", "role": NEW_ROLE, "message": "Role updated"})
        ),
    ];
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
    for route in routes {
        route.assert_async().await;
    }
}

#[tokio::test]
async fn a_bot_without_a_creator_decodes() {
    // server-behavior.md: an admin turned a user into a bot; the server
    // then lists and updates it with empty creator fields.
    let server = typed_server().await;
    let mut orphan = bot();
    orphan["created_by_id"] = json!("");
    orphan["created_by"] = json!("");
    let listed = route!(server, get_my_bots, 200, json!([orphan.clone()]));
    let updated = route!(server, update_bot.bot_id(&id(BOT_ID)), 200, orphan);
    let client = client(&server);
    let bots = client.my_bots().await.unwrap();
    assert_eq!(bots[0].created_by_id, None);
    assert_eq!(bots[0].created_by, "");
    let update = client
        .update_bot(
            BOT_ID.parse().unwrap(),
            token_bowl_chat::BotUpdate::new().emoji("🤖"),
        )
        .await
        .unwrap();
    assert_eq!(update.created_by_id, None);
    listed.assert_async().await;
    updated.assert_async().await;
}

#[tokio::test]
async fn a_message_from_a_deleted_sender_decodes() {
    let server = typed_server().await;
    let mut orphan = room_message();
    orphan["from_user_id"] = json!("");
    route!(server, get_messages, 200, page(vec![orphan], 1, 0, 50));
    let page = client(&server)
        .room_messages(MessageQuery::new())
        .await
        .unwrap();
    assert_eq!(page.messages[0].from_user_id, None);
    assert_eq!(page.messages[0].to_user_id, None);
}
