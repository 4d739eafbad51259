//! Each command run as a process (`assert_cmd`) against a mock server
//! (httpmock on loopback, through the typed mocks generated from the API
//! document: one per operation, bodies typed) that checks the request;
//! output checked in table and JSON form, JSON output snapshotted. The
//! bodies are the real server 2.0.1's, as recorded.

use std::process::Output;

use httpmock::MockServer;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use token_bowl_chat_api::mock::MockServerExt;
use uuid::Uuid;

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";
const ALICE_ID: &str = "53bd0efd-ef7b-4069-9ffa-1837d1aeec37";
const BOB_ID: &str = "161db6fc-0e97-4eb5-8089-46990edce7bb";
const MSG_ID: &str = "865ce10f-fb73-460f-abfb-9826f6705e8a";
const CONV_ID: &str = "49bbc18e-4684-465d-8166-63a3b8eb81ca";
const BOT_ID: &str = "e375481d-b3d2-47c3-9150-2c504a3c2590";

/// A mock server on loopback.
async fn server() -> MockServer {
    MockServer::start_async().await
}

/// Runs `token-bowl` with `args` against `server` (no key unless given).
async fn run(server: &MockServer, key: Option<&str>, args: &[&str]) -> Output {
    let mut command = assert_cmd::Command::cargo_bin("token-bowl").unwrap();
    command
        .env_remove("TOKEN_BOWL_CHAT_API_KEY")
        .env_remove("TOKEN_BOWL_CHAT_BASE_URL")
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .args(["--base-url", &server.base_url(), "--utc"])
        .args(args);
    if let Some(key) = key {
        command.env("TOKEN_BOWL_CHAT_API_KEY", key);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json_out(output: &Output) -> Value {
    serde_json::from_str(&stdout(output)).expect("exactly one JSON document on stdout")
}

/// A recorded body as the API crate's type for it.
fn decode<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("recorded body decodes")
}

fn id(text: &str) -> Uuid {
    text.parse().unwrap()
}

fn message(id: &str, content: &str, to: Option<&str>) -> Value {
    json!({
        "id": id, "from_user_id": ALICE_ID, "from_username": "alice",
        "from_user_logo": "claude-color.png", "from_user_emoji": null, "from_user_bot": false,
        "to_user_id": to.map(|_| BOB_ID), "to_username": to, "content": content,
        "message_type": if to.is_some() { "direct" } else { "room" },
        "description": "d", "timestamp": "2026-11-22T01:02:32.247494+00:00"
    })
}

fn profile() -> Value {
    json!({"id": ALICE_ID, "username": "alice", "role": "member", "email": null, "api_key": KEY,
           "webhook_url": null, "logo": "claude-color.png", "viewer": false, "admin": false,
           "bot": false, "emoji": null, "created_at": "2026-11-22T01:02:30.135906+00:00"})
}

fn conversation() -> Value {
    json!({"id": CONV_ID, "title": "Recap", "message_ids": [MSG_ID],
        "created_by_username": "alice", "created_at": "2026-11-22T01:02:36.475168+00:00"})
}

fn bot() -> Value {
    json!({"id": BOT_ID, "username": "alicebot", "api_key": "5f".repeat(32),
        "created_by_id": ALICE_ID, "created_by": "alice", "emoji": "🦾", "webhook_url": null,
        "created_at": "2026-11-22T01:02:37.214312+00:00"})
}

#[tokio::test(flavor = "multi_thread")]
async fn register_prints_the_key_and_how_to_export_it() {
    let server = server().await;
    let register = server.register_user(|when, then| {
        when.body(&decode(
            json!({"username": "alice", "logo": "claude-color.png",
            "admin": false, "viewer": false, "bot": false}),
        ));
        then.created(&decode(
            json!({"id": ALICE_ID, "username": "alice", "api_key": KEY,
            "role": "member", "webhook_url": null, "logo": "claude-color.png", "viewer": false,
            "admin": false, "bot": false, "emoji": null}),
        ));
    });
    let text = stdout(
        &run(
            &server,
            None,
            &[
                "register",
                "alice",
                "--logo",
                "claude-color.png",
                "--format",
                "table",
            ],
        )
        .await,
    );
    assert!(
        text.contains(&format!("export TOKEN_BOWL_CHAT_API_KEY={KEY}")),
        "{text}"
    );
    let json = json_out(
        &run(
            &server,
            None,
            &["register", "alice", "--logo", "claude-color.png"],
        )
        .await,
    );
    assert_eq!(json["api_key"], KEY);
    register.assert_calls_async(2).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn info_leaves_the_key_out_in_both_forms() {
    let server = server().await;
    let me = server.get_my_profile(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(profile()));
    });
    let table = stdout(&run(&server, Some(KEY), &["info", "--format", "table"]).await);
    assert!(
        table.contains("alice") && !table.contains("API key"),
        "{table}"
    );
    assert!(table.contains("2026-11-22 01:02:30 UTC"), "{table}");
    let json = json_out(&run(&server, Some(KEY), &["info", "--format", "json"]).await);
    assert!(
        json.get("api_key").is_none(),
        "left out, not redacted: {json}"
    );
    insta::assert_json_snapshot!("info", json);
    assert!(!table.contains(KEY));
    me.assert_calls_async(2).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_send_list_and_show() {
    let server = server().await;
    let to_room = server.send_message(|when, then| {
        when.body(&decode(json!({"content": "hello room"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.created(&decode(message(MSG_ID, "hello room", None)));
    });
    let to_bob = server.send_message(|when, then| {
        when.body(&decode(json!({"content": "hi bob", "to_username": "bob"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.created(&decode(message(MSG_ID, "hi bob", Some("bob"))));
    });
    let list = server.get_messages(|when, then| {
        when.limit(2)
            .offset(0)
            .since("2026-11-22T00:00:00+00:00")
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(
            json!({"messages": [message(MSG_ID, "hello room", None)],
            "pagination": {"total": 1, "offset": 0, "limit": 2, "has_more": false}}),
        ));
    });
    let show = server.get_message(|when, then| {
        when.message_id(&id(MSG_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(message(MSG_ID, "hello room", None)));
    });
    let sent = stdout(
        &run(
            &server,
            Some(KEY),
            &["messages", "send", "hello room", "--format", "table"],
        )
        .await,
    );
    assert!(sent.starts_with("Sent to the room"), "{sent}");
    let dm = json_out(
        &run(
            &server,
            Some(KEY),
            &["messages", "send", "hi bob", "--to", "bob"],
        )
        .await,
    );
    assert_eq!(dm["to_username"], "bob");
    let args = [
        "messages",
        "list",
        "-n",
        "2",
        "--since",
        "2026-11-22T01:00:00+01:00",
    ];
    let table = stdout(
        &run(
            &server,
            Some(KEY),
            &[&args[..], &["--format", "table"]].concat(),
        )
        .await,
    );
    assert!(
        table.contains("hello room") && table.contains("1 of 1"),
        "{table}"
    );
    let page = json_out(&run(&server, Some(KEY), &args).await);
    insta::assert_json_snapshot!("messages_list", page);
    let shown = json_out(&run(&server, Some(KEY), &["messages", "show", MSG_ID]).await);
    assert_eq!(shown["id"], MSG_ID);
    to_room.assert_calls_async(1).await;
    to_bob.assert_calls_async(1).await;
    list.assert_calls_async(2).await;
    show.assert_calls_async(1).await;
}

/// A send whose answer is lost (the real server answers a text/plain 500
/// when its Centrifugo publish fails, after storing the message: see
/// server-behavior.md, Messages) is looked up in the recent history, never
/// sent again: found, it is reported sent, with a note on stderr; not
/// found, the error says it is safe to send again.
#[tokio::test(flavor = "multi_thread")]
async fn a_send_whose_answer_is_lost_is_looked_up_not_sent_again() {
    for stored in [true, false] {
        let server = server().await;
        let send = server.send_message(|when, then| {
            when.into_inner().header("x-api-key", KEY);
            then.into_inner()
                .status(500)
                .header("content-type", "text/plain; charset=utf-8")
                .body("Internal Server Error");
        });
        server.get_my_profile(|when, then| {
            when.into_inner().header("x-api-key", KEY);
            then.ok(&decode(profile()));
        });
        let found: Vec<Value> = if stored {
            vec![message(MSG_ID, "hello room", None)]
        } else {
            vec![message(MSG_ID, "something else", None)]
        };
        let history = server.get_messages(|when, then| {
            when.into_inner().header("x-api-key", KEY);
            then.ok(&decode(json!({"messages": found,
                "pagination": {"total": 1, "offset": 0, "limit": 100, "has_more": false}})));
        });
        let output = run(&server, Some(KEY), &["messages", "send", "hello room"]).await;
        send.assert_calls_async(1).await;
        history.assert_calls_async(1).await;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if stored {
            assert_eq!(json_out(&output)["id"], MSG_ID);
            assert!(
                stderr.contains("found stored") && stderr.contains("500"),
                "{stderr}"
            );
        } else {
            let text = failure(&output);
            assert!(
                text.contains("not sent") && text.contains("safe to send again"),
                "{text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_list_all_streams_one_json_per_line() {
    let server = server().await;
    let mut pages = Vec::new();
    for (offset, ids) in [(0, [1u128, 2]), (2, [3, 4])] {
        let page: Vec<Value> = ids
            .iter()
            .map(|n| message(&Uuid::from_u128(*n).to_string(), &format!("m{n}"), None))
            .collect();
        pages.push(server.get_messages(|when, then| {
            when.offset(offset).into_inner().header("x-api-key", KEY);
            then.ok(&decode(json!({"messages": page,
                "pagination": {"total": 4, "offset": offset, "limit": 2, "has_more": offset == 0}})));
        }));
    }
    let text = stdout(
        &run(
            &server,
            Some(KEY),
            &["messages", "list", "--all", "-n", "2"],
        )
        .await,
    );
    let contents: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["content"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(contents, ["m1", "m2", "m3", "m4"]);
    for page in pages {
        page.assert_calls_async(1).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_is_not_an_error() {
    let server = server().await;
    let page: Vec<Value> = (0..400u128)
        .map(|n| message(&Uuid::from_u128(n + 1).to_string(), &"x".repeat(400), None))
        .collect();
    server.get_messages(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!({"messages": page,
            "pagination": {"total": 400, "offset": 0, "limit": 400, "has_more": false}})));
    });
    let bin = assert_cmd::cargo::cargo_bin("token-bowl");
    let script = format!(
        "set -o pipefail; TOKEN_BOWL_CHAT_API_KEY={KEY} '{}' --base-url {} messages list --all -n 400 | head -1 >/dev/null",
        bin.display(),
        server.base_url()
    );
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .args(["-c", &script])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn users_list_and_update() {
    let server = server().await;
    server.get_available_logos(|_, then| {
        then.ok(&vec!["claude-color.png".into(), "openai.png".into()]);
    });
    let users = server.get_users(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(
            json!([{"id": BOB_ID, "username": "bob", "role": "member",
            "logo": null, "emoji": "🤖", "bot": false, "viewer": false}]),
        ));
    });
    let online = server.get_online_users(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&vec![]);
    });
    let rename = server.update_my_username(|when, then| {
        when.body(&decode(json!({"username": "alice2"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(profile()));
    });
    let webhook = server.update_my_webhook(|when, then| {
        when.body(&decode(json!({})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(
            json!({"message": "Webhook URL updated successfully", "webhook_url": ""}),
        ));
    });
    let logo = server.update_my_logo(|when, then| {
        when.body(&decode(json!({"logo": "openai.png"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(json!({"message": "ok", "logo": "openai.png"})));
    });
    let table = stdout(&run(&server, Some(KEY), &["users", "list", "--format", "table"]).await);
    assert!(
        table.contains("bob") && table.contains("1 users"),
        "{table}"
    );
    assert_eq!(
        json_out(&run(&server, Some(KEY), &["users", "list", "--online"]).await),
        json!([])
    );
    let done = json_out(
        &run(
            &server,
            Some(KEY),
            &[
                "users",
                "update",
                "-u",
                "alice2",
                "--clear-webhook",
                "--logo",
                "openai.png",
            ],
        )
        .await,
    );
    assert_eq!(
        done,
        json!({"username": "alice", "webhook_url": null, "logo": "openai.png"})
    );
    for mock in [users, online, rename, webhook, logo] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn users_regenerate_key_prints_the_new_key() {
    let server = server().await;
    let new = "cd".repeat(32);
    server.get_my_profile(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(profile()));
    });
    let regenerate = server.regenerate_my_api_key(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!({"api_key": new})));
    });
    let text = stdout(
        &run(
            &server,
            Some(KEY),
            &["users", "regenerate-key", "--format", "table"],
        )
        .await,
    );
    assert_eq!(text.trim(), format!("New API key for alice: {new}"));
    let answer = json_out(&run(&server, Some(KEY), &["users", "regenerate-key"]).await);
    assert_eq!(answer["api_key"], new.as_str());
    assert_eq!(answer["id"], ALICE_ID);
    regenerate.assert_calls_async(2).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unread_count_list_and_mark_read() {
    let server = server().await;
    let count_mock = server.get_unread_count(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(
            json!({"unread_room_messages": 1, "unread_direct_messages": 2,
            "total_unread": 3}),
        ));
    });
    let direct = server.get_unread_direct_messages(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!([message(MSG_ID, "hi bob", Some("bob"))])));
    });
    let mark_all = server.mark_all_messages_as_read(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!({"marked_as_read": 7})));
    });
    let mark_one = server.mark_message_as_read(|when, then| {
        when.message_id(&id(MSG_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.no_content();
    });
    let count = json_out(&run(&server, Some(KEY), &["unread", "count"]).await);
    insta::assert_json_snapshot!("unread_count", count);
    let list = json_out(&run(&server, Some(KEY), &["unread", "list", "--direct"]).await);
    assert_eq!(list[0]["content"], "hi bob");
    let all = stdout(
        &run(
            &server,
            Some(KEY),
            &["unread", "mark-read", "--all", "--format", "table"],
        )
        .await,
    );
    assert_eq!(all.trim(), "Marked 7 messages read.");
    assert_eq!(
        json_out(&run(&server, Some(KEY), &["unread", "mark-read", "--all"]).await)["marked_as_read"],
        7
    );
    stdout(&run(&server, Some(KEY), &["unread", "mark-read", MSG_ID]).await);
    let usage = run(&server, Some(KEY), &["unread", "mark-read"]).await;
    assert_eq!(usage.status.code(), Some(2), "a usage error");
    count_mock.assert_calls_async(1).await;
    direct.assert_calls_async(1).await;
    mark_all.assert_calls_async(2).await;
    mark_one.assert_calls_async(1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn conversations_commands() {
    let server = server().await;
    let list_mock = server.get_conversations(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!({"conversations": [conversation()],
            "pagination": {"total": 1, "offset": 0, "limit": 20, "has_more": false}})));
    });
    let show = server.get_conversation(|when, then| {
        when.conversation_id(&id(CONV_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(conversation()));
    });
    let create = server.create_conversation(|when, then| {
        when.body(&decode(json!({"title": "Recap", "message_ids": [MSG_ID]})))
            .into_inner()
            .header("x-api-key", KEY);
        then.created(&decode(conversation()));
    });
    let update = server.update_conversation(|when, then| {
        when.conversation_id(&id(CONV_ID))
            .body(&decode(json!({"title": "Recap 2"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(conversation()));
    });
    let delete = server.delete_conversation(|when, then| {
        when.conversation_id(&id(CONV_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.no_content();
    });
    let list = json_out(&run(&server, Some(KEY), &["conversations", "list"]).await);
    assert_eq!(list["conversations"][0]["title"], "Recap");
    assert_eq!(
        json_out(&run(&server, Some(KEY), &["conversations", "show", CONV_ID]).await)["id"],
        CONV_ID
    );
    stdout(
        &run(
            &server,
            Some(KEY),
            &["conversations", "create", MSG_ID, "--title", "Recap"],
        )
        .await,
    );
    stdout(
        &run(
            &server,
            Some(KEY),
            &["conversations", "update", CONV_ID, "--title", "Recap 2"],
        )
        .await,
    );
    let deleted = json_out(&run(&server, Some(KEY), &["conversations", "delete", CONV_ID]).await);
    assert_eq!(deleted, json!({"deleted": "conversation", "id": CONV_ID}));
    for mock in [list_mock, show, create, update, delete] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bots_commands() {
    let server = server().await;
    let create = server.create_bot(|when, then| {
        when.body(&decode(json!({"username": "alicebot", "emoji": "🦾"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.created(&decode(bot()));
    });
    let mine = server.get_my_bots(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!([bot()])));
    });
    let update = server.update_bot(|when, then| {
        when.bot_id(&id(BOT_ID))
            .body(&decode(json!({"emoji": "🤖"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(bot()));
    });
    let delete = server.delete_bot(|when, then| {
        when.bot_id(&id(BOT_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.no_content();
    });
    let regenerate = server.regenerate_bot_api_key(|when, then| {
        when.bot_id(&id(BOT_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(json!({"api_key": "ab".repeat(32)})));
    });
    let created = stdout(
        &run(
            &server,
            Some(KEY),
            &[
                "bots", "create", "alicebot", "--emoji", "🦾", "--format", "table",
            ],
        )
        .await,
    );
    assert!(
        created.contains(&"5f".repeat(32)),
        "the new bot's key is printed: {created}"
    );
    let list = json_out(&run(&server, Some(KEY), &["bots", "list"]).await);
    assert_eq!(list[0]["api_key"], "<redacted>");
    stdout(
        &run(
            &server,
            Some(KEY),
            &["bots", "update", BOT_ID, "--emoji", "🤖"],
        )
        .await,
    );
    stdout(&run(&server, Some(KEY), &["bots", "delete", BOT_ID]).await);
    let key = json_out(&run(&server, Some(KEY), &["bots", "regenerate-key", BOT_ID]).await);
    assert_eq!(key["api_key"], "ab".repeat(32));
    create.assert_calls_async(1).await;
    // `bots list`, and `regenerate-key` naming the bot.
    mine.assert_calls_async(2).await;
    for mock in [update, delete, regenerate] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_commands() {
    let server = server().await;
    let bob = id(BOB_ID);
    let msg = id(MSG_ID);
    let list = server.admin_get_all_users(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!([profile()])));
    });
    let show = server.admin_get_user(|when, then| {
        when.user_id(&bob).into_inner().header("x-api-key", KEY);
        then.ok(&decode(profile()));
    });
    let update = server.admin_update_user(|when, then| {
        when.user_id(&bob)
            .body(&decode(json!({"email": "b@example.com"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(profile()));
    });
    let delete = server.admin_delete_user(|when, then| {
        when.user_id(&bob).into_inner().header("x-api-key", KEY);
        then.no_content();
    });
    let role_mock = server.assign_user_role(|when, then| {
        when.user_id(&bob)
            .body(&decode(json!({"role": "viewer"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(json!({"username": "bob", "role": "viewer",
            "message": "Successfully assigned role 'viewer' to user bob"})));
    });
    let regenerate = server.admin_regenerate_user_api_key(|when, then| {
        when.user_id(&bob).into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!({"api_key": "cd".repeat(32)})));
    });
    let show_message = server.admin_get_message(|when, then| {
        when.message_id(&msg).into_inner().header("x-api-key", KEY);
        then.ok(&decode(message(MSG_ID, "x", None)));
    });
    let edit = server.admin_update_message(|when, then| {
        when.message_id(&msg)
            .body(&decode(json!({"content": "edited"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(message(MSG_ID, "edited", None)));
    });
    let delete_message = server.admin_delete_message(|when, then| {
        when.message_id(&msg).into_inner().header("x-api-key", KEY);
        then.no_content();
    });
    let invite = server.invite_user_by_email(|when, then| {
        when.body(&decode(json!({"email": "c@example.com",
            "signup_url": "https://x.test/s", "role": "viewer"})))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(json!({"email": "c@example.com", "role": "viewer",
            "message": "Invitation sent"})));
    });
    let users = json_out(&run(&server, Some(KEY), &["admin", "users", "list"]).await);
    assert_eq!(users[0]["api_key"], "<redacted>");
    stdout(&run(&server, Some(KEY), &["admin", "users", "show", BOB_ID]).await);
    stdout(
        &run(
            &server,
            Some(KEY),
            &[
                "admin",
                "users",
                "update",
                BOB_ID,
                "--email",
                "b@example.com",
            ],
        )
        .await,
    );
    stdout(&run(&server, Some(KEY), &["admin", "users", "delete", BOB_ID]).await);
    let role = stdout(
        &run(
            &server,
            Some(KEY),
            &[
                "admin", "users", "role", BOB_ID, "viewer", "--format", "table",
            ],
        )
        .await,
    );
    assert_eq!(
        role.trim(),
        "Successfully assigned role 'viewer' to user bob"
    );
    stdout(
        &run(
            &server,
            Some(KEY),
            &["admin", "users", "regenerate-key", BOB_ID],
        )
        .await,
    );
    stdout(&run(&server, Some(KEY), &["admin", "messages", "show", MSG_ID]).await);
    stdout(
        &run(
            &server,
            Some(KEY),
            &["admin", "messages", "edit", MSG_ID, "edited"],
        )
        .await,
    );
    stdout(&run(&server, Some(KEY), &["admin", "messages", "delete", MSG_ID]).await);
    let invited = stdout(
        &run(
            &server,
            Some(KEY),
            &[
                "admin",
                "invite",
                "c@example.com",
                "--signup-url",
                "https://x.test/s",
                "--role",
                "viewer",
                "--format",
                "table",
            ],
        )
        .await,
    );
    assert_eq!(invited.trim(), "Invitation sent");
    for mock in [
        list,
        show,
        update,
        delete,
        role_mock,
        regenerate,
        show_message,
        edit,
        delete_message,
        invite,
    ] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn logos_and_health_need_no_key() {
    let server = server().await;
    let logos = server.get_available_logos(|_, then| {
        then.ok(&vec!["claude-color.png".into(), "openai.png".into()]);
    });
    let health_check = server.health_check(|_, then| {
        then.ok(&decode(json!({"status": "healthy"})));
    });
    assert_eq!(
        json_out(&run(&server, None, &["logos"]).await),
        json!(["claude-color.png", "openai.png"])
    );
    let health = stdout(&run(&server, None, &["health", "--format", "table"]).await);
    assert!(health.contains("healthy"), "{health}");
    logos.assert_calls_async(1).await;
    health_check.assert_calls_async(1).await;
}

fn failure(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty(), "nothing on stdout: {output:?}");
    let text = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn error_paths_say_what_went_wrong_and_what_to_do() {
    let server = server().await;
    server.get_my_profile(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.client_error(
            401,
            &decode(json!({"detail": "Invalid or missing authentication credentials"})),
        );
    });
    server.get_message(|when, then| {
        when.message_id(&id(MSG_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.client_error(
            404,
            &decode(json!({"detail": format!("Message {MSG_ID} not found")})),
        );
    });
    server.register_user(|_, then| {
        then.client_error(
            409,
            &decode(json!({"detail": "Username alice already exists"})),
        );
    });

    let no_key = failure(&run(&server, None, &["info"]).await);
    assert!(
        no_key.contains("--api-key") && no_key.contains("TOKEN_BOWL_CHAT_API_KEY"),
        "{no_key}"
    );
    let unauthorized = failure(&run(&server, Some(KEY), &["info"]).await);
    assert!(
        unauthorized
            .starts_with("error: 401 Unauthorized: Invalid or missing authentication credentials"),
        "{unauthorized}"
    );
    let missing = failure(&run(&server, Some(KEY), &["messages", "show", MSG_ID]).await);
    assert!(missing.contains("404 Not Found: Message"), "{missing}");
    let taken = failure(&run(&server, None, &["register", "alice"]).await);
    assert!(
        taken.contains("409 Conflict: Username alice already exists"),
        "{taken}"
    );
    assert!(!unauthorized.contains(KEY) && !no_key.contains(KEY));

    let down = assert_cmd::Command::cargo_bin("token-bowl")
        .unwrap()
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .args(["--base-url", "http://127.0.0.1:9", "info"])
        .output()
        .unwrap();
    let down = failure(&down);
    assert!(
        down.contains("cannot connect") && down.contains("--base-url"),
        "{down}"
    );

    let usage = run(
        &server,
        Some(KEY),
        &["messages", "list", "--since", "yesterday"],
    )
    .await;
    assert_eq!(usage.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn read_commands_render_as_tables() {
    let server = server().await;
    server.get_conversations(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!({"conversations": [conversation()],
            "pagination": {"total": 1, "offset": 0, "limit": 20, "has_more": false}})));
    });
    server.get_conversation(|when, then| {
        when.conversation_id(&id(CONV_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(conversation()));
    });
    server.get_unread_direct_messages(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&vec![]);
    });
    server.get_my_bots(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!([bot()])));
    });
    server.admin_get_all_users(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(json!([profile()])));
    });
    server.admin_get_message(|when, then| {
        when.message_id(&id(MSG_ID))
            .into_inner()
            .header("x-api-key", KEY);
        then.ok(&decode(message(MSG_ID, "hi bob", Some("bob"))));
    });
    server.get_unread_room_messages(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&vec![]);
    });
    server.get_direct_messages(|when, then| {
        when.into_inner().header("x-api-key", KEY);
        then.ok(&decode(
            json!({"messages": [message(MSG_ID, "hi bob", Some("bob"))],
            "pagination": {"total": 1, "offset": 0, "limit": 10, "has_more": false}}),
        ));
    });
    let cases: [(&[&str], &[&str]); 7] = [
        (&["conversations", "list"], &["Title", "Recap", CONV_ID]),
        (
            &["conversations", "show", CONV_ID],
            &["Description", "Recap"],
        ),
        (&["bots", "list"], &["Username", "alicebot", "🦾"]),
        (&["admin", "users", "list"], &["Email", "alice", "member"]),
        (
            &["admin", "messages", "show", MSG_ID],
            &["To", "bob", "hi bob"],
        ),
        (&["unread", "list"], &["No messages."]),
        (
            &["messages", "list", "--direct"],
            &["From", "To", "hi bob", "1 of 1"],
        ),
    ];
    for (args, expected) in cases {
        let text = stdout(&run(&server, Some(KEY), &[args, &["--format", "table"]].concat()).await);
        for needle in expected {
            assert!(
                text.contains(needle),
                "{args:?}: {needle:?} missing in\n{text}"
            );
        }
        assert!(!text.contains(&"5f".repeat(32)), "no key in tables");
    }
}
