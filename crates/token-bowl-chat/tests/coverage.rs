//! Guard: every operation of the API has a `Client` method, or is listed in
//! [`RAW_ONLY`] (reachable through `Client::api()` alone) with the reason.
//!
//! Every public method is called once against a mock server that records
//! what arrives and answers 418 to everything; the requests are matched to
//! the generated operation table by method and path template. An operation
//! added to the spec fails this test until an SDK method sends it (and is
//! called below) or it is listed as raw-only.

mod common;

use std::collections::BTreeSet;

use chrono::Utc;
use common::*;
use futures::StreamExt;
use token_bowl_chat::{
    AdminUserUpdate, BotUpdate, Client, ConversationUpdate, HistoryOptions, MessageQuery, NewBot,
    NewConversation, Page, Register, Role, UnknownSend,
};
use token_bowl_chat_api::{OPERATIONS, Operation};
use uuid::Uuid;

/// Operations the SDK leaves to the generated client on purpose, each with
/// the reason (`(operationId, why)`).
const RAW_ONLY: &[(&str, &str)] = &[];

/// Whether `path` is an instance of the template `/a/{x}/b`.
fn instance_of(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

/// The operation a request is: of the templates it fits, the one with the
/// most literal segments (`/messages/direct` before `/messages/{id}`).
fn operation_of(method: &str, path: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .filter(|op| op.method == method && instance_of(op.path, path))
        .max_by_key(|op| op.path.split('/').filter(|s| !s.starts_with('{')).count())
}

/// Calls every public method of `Client` once; the answers do not matter.
async fn call_every_method(client: &Client) {
    let id = Uuid::parse_str(BOB_ID).unwrap();
    // account
    let _ = client.register(Register::new("alice")).await;
    let _ = client.me().await;
    let _ = client.set_username("alice2").await;
    let _ = client.set_logo(None).await;
    let _ = client.set_webhook(None).await;
    let _ = client.regenerate_api_key().await;
    let _ = client.send_magic_link("alice@example.com", None).await;
    let _ = client.authenticate_magic_link("token").await;
    // send
    let _ = client.send_message("hi").await;
    let _ = client.send_direct_message("bob", "hi").await;
    let _ = client
        .find_sent(&UnknownSend::new("hi", None, Utc::now()))
        .await;
    // messages
    let _ = client.room_messages(MessageQuery::new()).await;
    let _ = client.direct_messages(MessageQuery::new()).await;
    let _ = Box::pin(client.room_history(HistoryOptions::new()))
        .next()
        .await;
    let _ = Box::pin(client.direct_history(HistoryOptions::new()))
        .next()
        .await;
    let _ = client.message(id).await;
    let _ = client.typing(None).await;
    // unread
    let _ = client.unread_messages(Page::new()).await;
    let _ = client.unread_direct_messages(Page::new()).await;
    let _ = client.unread_count().await;
    let _ = client.mark_read(id).await;
    let _ = client.mark_all_read().await;
    // users
    let _ = client.users().await;
    let _ = client.online_users().await;
    let _ = client.user(id).await;
    let _ = client.logos().await;
    let _ = client.health().await;
    let _ = client.connection_token().await;
    // bots
    let _ = client.create_bot(NewBot::new("alicebot")).await;
    let _ = client.my_bots().await;
    let _ = client.update_bot(id, BotUpdate::new()).await;
    let _ = client.delete_bot(id).await;
    let _ = client.regenerate_bot_api_key(id).await;
    // conversations
    let _ = client.create_conversation(NewConversation::new([id])).await;
    let _ = client.conversations(Page::new()).await;
    let _ = Box::pin(client.conversation_history(HistoryOptions::new()))
        .next()
        .await;
    let _ = client.conversation(id).await;
    let _ = client
        .update_conversation(id, ConversationUpdate::new())
        .await;
    let _ = client.delete_conversation(id).await;
    // admin
    let _ = client.admin_users().await;
    let _ = client.admin_user(id).await;
    let _ = client.admin_update_user(id, AdminUserUpdate::new()).await;
    let _ = client.admin_delete_user(id).await;
    let _ = client.admin_regenerate_api_key(id).await;
    let _ = client.admin_set_role(id, Role::Member).await;
    let _ = client
        .admin_invite("bob@example.com", "https://example.com/signup", None)
        .await;
    let _ = client.admin_message(id).await;
    let _ = client.admin_edit_message(id, "edited").await;
    let _ = client.admin_delete_message(id).await;
    let _ = client.admin_delete_conversation(id).await;
    let _ = client.admin_websocket_stats().await;
}

#[tokio::test]
async fn every_operation_has_an_sdk_method_or_is_listed_as_raw_only() {
    let server = server().await;
    let client = client(&server).with_retry(token_bowl_chat::RetryPolicy::none());
    call_every_method(&client).await;

    let mut sent = BTreeSet::new();
    for request in server.received_requests().await.unwrap() {
        let (method, path) = (request.method.to_string(), request.url.path().to_owned());
        let op = operation_of(&method, &path)
            .unwrap_or_else(|| panic!("{method} {path} is no operation of the spec"));
        sent.insert(op.id);
    }
    let raw_only: BTreeSet<&str> = RAW_ONLY.iter().map(|(id, _)| *id).collect();
    for (id, why) in RAW_ONLY {
        assert!(
            Operation::find(id).is_some(),
            "raw-only `{id}` is no operation"
        );
        assert!(!why.trim().is_empty(), "raw-only `{id}` needs a reason");
        assert!(!sent.contains(id), "raw-only `{id}` has an SDK method now");
    }
    let uncovered: Vec<&str> = OPERATIONS
        .iter()
        .map(|op| op.id)
        .filter(|id| !sent.contains(id) && !raw_only.contains(id))
        .collect();
    assert!(
        uncovered.is_empty(),
        "operations without an SDK method (add one, call it in call_every_method, \
         or list it in RAW_ONLY with the reason): {uncovered:?}"
    );
}

#[test]
fn requests_are_matched_to_the_most_literal_template() {
    assert_eq!(
        operation_of("GET", "/messages/direct").map(|op| op.id),
        Some("get_direct_messages")
    );
    assert_eq!(
        operation_of("GET", &format!("/messages/{ROOM_MESSAGE_ID}")).map(|op| op.id),
        Some("get_message")
    );
    assert_eq!(operation_of("GET", "/nowhere"), None);
}
