//! Each command run as a process (`assert_cmd`) against a mock server
//! (wiremock on loopback) that checks the request; output checked in table
//! and JSON form, JSON output snapshotted.

mod common;

use common::server;
use std::process::Output;

use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path, query_param},
};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";
const ALICE_ID: &str = "53bd0efd-ef7b-4069-9ffa-1837d1aeec37";
const BOB_ID: &str = "161db6fc-0e97-4eb5-8089-46990edce7bb";
const MSG_ID: &str = "865ce10f-fb73-460f-abfb-9826f6705e8a";
const CONV_ID: &str = "49bbc18e-4684-465d-8166-63a3b8eb81ca";
const BOT_ID: &str = "e375481d-b3d2-47c3-9150-2c504a3c2590";

/// Runs `token-bowl` with `args` against `server` (no key unless given).
async fn run(server: &MockServer, key: Option<&str>, args: &[&str]) -> Output {
    let mut command = assert_cmd::Command::cargo_bin("token-bowl").unwrap();
    command
        .env_remove("TOKEN_BOWL_CHAT_API_KEY")
        .env_remove("TOKEN_BOWL_CHAT_BASE_URL")
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .args(["--base-url", &server.uri(), "--utc"])
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

fn authed(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("x-api-key", KEY))
}

fn ok(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
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

#[tokio::test(flavor = "multi_thread")]
async fn register_prints_the_key_and_how_to_export_it() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/register"))
        .and(body_json(
            json!({"username": "alice", "logo": "claude-color.png",
                              "admin": false, "viewer": false, "bot": false}),
        ))
        .respond_with(ok(
            201,
            json!({"id": ALICE_ID, "username": "alice", "api_key": KEY,
            "role": "member", "webhook_url": null, "logo": "claude-color.png", "viewer": false,
            "admin": false, "bot": false, "emoji": null}),
        ))
        .expect(2)
        .mount(&server)
        .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn info_leaves_the_key_out_in_both_forms() {
    let server = server().await;
    authed("GET", "/users/me")
        .respond_with(ok(200, profile()))
        .expect(2)
        .mount(&server)
        .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_send_list_and_show() {
    let server = server().await;
    authed("POST", "/messages")
        .and(body_json(json!({"content": "hello room"})))
        .respond_with(ok(201, message(MSG_ID, "hello room", None)))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/messages")
        .and(body_json(
            json!({"content": "hi bob", "to_username": "bob"}),
        ))
        .respond_with(ok(201, message(MSG_ID, "hi bob", Some("bob"))))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/messages")
        .and(query_param("limit", "2"))
        .and(query_param("offset", "0"))
        .and(query_param("since", "2026-11-22T00:00:00+00:00"))
        .respond_with(ok(
            200,
            json!({"messages": [message(MSG_ID, "hello room", None)],
            "pagination": {"total": 1, "offset": 0, "limit": 2, "has_more": false}}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    authed("GET", &format!("/messages/{MSG_ID}"))
        .respond_with(ok(200, message(MSG_ID, "hello room", None)))
        .expect(1)
        .mount(&server)
        .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_list_all_streams_one_json_per_line() {
    let server = server().await;
    for (offset, ids) in [(0, [1u128, 2]), (2, [3, 4])] {
        let page: Vec<Value> = ids
            .iter()
            .map(|n| {
                message(
                    &uuid::Uuid::from_u128(*n).to_string(),
                    &format!("m{n}"),
                    None,
                )
            })
            .collect();
        authed("GET", "/messages")
            .and(query_param("offset", offset.to_string()))
            .respond_with(ok(
                200,
                json!({"messages": page,
                "pagination": {"total": 4, "offset": offset, "limit": 2, "has_more": offset == 0}}),
            ))
            .expect(1)
            .mount(&server)
            .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_is_not_an_error() {
    let server = server().await;
    let page: Vec<Value> = (0..400u128)
        .map(|n| {
            message(
                &uuid::Uuid::from_u128(n + 1).to_string(),
                &"x".repeat(400),
                None,
            )
        })
        .collect();
    authed("GET", "/messages")
        .respond_with(ok(
            200,
            json!({"messages": page,
            "pagination": {"total": 400, "offset": 0, "limit": 400, "has_more": false}}),
        ))
        .mount(&server)
        .await;
    let bin = assert_cmd::cargo::cargo_bin("token-bowl");
    let script = format!(
        "set -o pipefail; TOKEN_BOWL_CHAT_API_KEY={KEY} '{}' --base-url {} messages list --all -n 400 | head -1 >/dev/null",
        bin.display(),
        server.uri()
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
    Mock::given(method("GET"))
        .and(path("/logos"))
        .respond_with(ok(200, json!(["claude-color.png", "openai.png"])))
        .mount(&server)
        .await;
    authed("GET", "/users")
        .respond_with(ok(
            200,
            json!([{"id": BOB_ID, "username": "bob", "role": "member",
            "logo": null, "emoji": "🤖", "bot": false, "viewer": false}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/users/online")
        .respond_with(ok(200, json!([])))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", "/users/me/username")
        .and(body_json(json!({"username": "alice2"})))
        .respond_with(ok(200, profile()))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", "/users/me/webhook")
        .and(body_json(json!({})))
        .respond_with(ok(
            200,
            json!({"message": "Webhook URL updated successfully", "webhook_url": ""}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", "/users/me/logo")
        .and(body_json(json!({"logo": "openai.png"})))
        .respond_with(ok(200, json!({"message": "ok", "logo": "openai.png"})))
        .expect(1)
        .mount(&server)
        .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn unread_count_list_and_mark_read() {
    let server = server().await;
    authed("GET", "/messages/unread/count")
        .respond_with(ok(
            200,
            json!({"unread_room_messages": 1, "unread_direct_messages": 2, "total_unread": 3}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/messages/direct/unread")
        .respond_with(ok(200, json!([message(MSG_ID, "hi bob", Some("bob"))])))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/messages/mark-all-read")
        .respond_with(ok(200, json!({"marked_as_read": 7})))
        .expect(2)
        .mount(&server)
        .await;
    authed("POST", &format!("/messages/{MSG_ID}/read"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn conversations_commands() {
    let server = server().await;
    let conversation = json!({"id": CONV_ID, "title": "Recap", "message_ids": [MSG_ID],
        "created_by_username": "alice", "created_at": "2026-11-22T01:02:36.475168+00:00"});
    authed("GET", "/conversations")
        .respond_with(ok(
            200,
            json!({"conversations": [conversation],
            "pagination": {"total": 1, "offset": 0, "limit": 20, "has_more": false}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", &format!("/conversations/{CONV_ID}"))
        .respond_with(ok(200, conversation.clone()))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/conversations")
        .and(body_json(
            json!({"title": "Recap", "message_ids": [MSG_ID]}),
        ))
        .respond_with(ok(201, conversation.clone()))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/conversations/{CONV_ID}"))
        .and(body_json(json!({"title": "Recap 2"})))
        .respond_with(ok(200, conversation.clone()))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/conversations/{CONV_ID}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn bots_commands() {
    let server = server().await;
    let bot = json!({"id": BOT_ID, "username": "alicebot", "api_key": "5f".repeat(32),
        "created_by_id": ALICE_ID, "created_by": "alice", "emoji": "🦾", "webhook_url": null,
        "created_at": "2026-11-22T01:02:37.214312+00:00"});
    authed("POST", "/bots")
        .and(body_json(json!({"username": "alicebot", "emoji": "🦾"})))
        .respond_with(ok(201, bot.clone()))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/bots/me")
        .respond_with(ok(200, json!([bot.clone()])))
        // `bots list`, and `regenerate-key` naming the bot.
        .expect(2)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/bots/{BOT_ID}"))
        .and(body_json(json!({"emoji": "🤖"})))
        .respond_with(ok(200, bot.clone()))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/bots/{BOT_ID}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", &format!("/bots/{BOT_ID}/regenerate-api-key"))
        .respond_with(ok(200, json!({"api_key": "ab".repeat(32)})))
        .expect(1)
        .mount(&server)
        .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_commands() {
    let server = server().await;
    authed("GET", "/admin/users")
        .respond_with(ok(200, json!([profile()])))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", &format!("/admin/users/{BOB_ID}"))
        .respond_with(ok(200, profile()))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/admin/users/{BOB_ID}"))
        .and(body_json(json!({"email": "b@example.com"})))
        .respond_with(ok(200, profile()))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/admin/users/{BOB_ID}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/admin/users/{BOB_ID}/role"))
        .and(body_json(json!({"role": "viewer"})))
        .respond_with(ok(
            200,
            json!({"username": "bob", "role": "viewer",
            "message": "Successfully assigned role 'viewer' to user bob"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", &format!("/admin/users/{BOB_ID}/regenerate-api-key"))
        .respond_with(ok(200, json!({"api_key": "cd".repeat(32)})))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", &format!("/admin/messages/{MSG_ID}"))
        .respond_with(ok(200, message(MSG_ID, "x", None)))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &format!("/admin/messages/{MSG_ID}"))
        .and(body_json(json!({"content": "edited"})))
        .respond_with(ok(200, message(MSG_ID, "edited", None)))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", &format!("/admin/messages/{MSG_ID}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/admin/invite")
        .and(body_json(
            json!({"email": "c@example.com", "signup_url": "https://x.test/s", "role": "viewer"}),
        ))
        .respond_with(ok(
            200,
            json!({"email": "c@example.com", "role": "viewer", "message": "Invitation sent"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn logos_and_health_need_no_key() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/logos"))
        .respond_with(ok(200, json!(["claude-color.png", "openai.png"])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(ok(200, json!({"status": "healthy"})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        json_out(&run(&server, None, &["logos"]).await),
        json!(["claude-color.png", "openai.png"])
    );
    let health = stdout(&run(&server, None, &["health", "--format", "table"]).await);
    assert!(health.contains("healthy"), "{health}");
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
    authed("GET", "/users/me")
        .respond_with(ok(
            401,
            json!({"detail": "Invalid or missing authentication credentials"}),
        ))
        .mount(&server)
        .await;
    authed("GET", &format!("/messages/{MSG_ID}"))
        .respond_with(ok(
            404,
            json!({"detail": format!("Message {MSG_ID} not found")}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/register"))
        .respond_with(ok(409, json!({"detail": "Username alice already exists"})))
        .mount(&server)
        .await;

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
    let conversation = json!({"id": CONV_ID, "title": "Recap", "message_ids": [MSG_ID],
        "created_by_username": "alice", "created_at": "2026-11-22T01:02:36.475168+00:00"});
    authed("GET", "/conversations")
        .respond_with(ok(
            200,
            json!({"conversations": [conversation.clone()],
            "pagination": {"total": 1, "offset": 0, "limit": 20, "has_more": false}}),
        ))
        .mount(&server)
        .await;
    authed("GET", &format!("/conversations/{CONV_ID}"))
        .respond_with(ok(200, conversation))
        .mount(&server)
        .await;
    authed("GET", "/messages/direct/unread")
        .respond_with(ok(200, json!([])))
        .mount(&server)
        .await;
    authed("GET", "/bots/me")
        .respond_with(ok(
            200,
            json!([{"id": BOT_ID, "username": "alicebot", "api_key": "5f".repeat(32),
            "created_by_id": ALICE_ID, "created_by": "alice", "emoji": "🦾", "webhook_url": null,
            "created_at": "2026-11-22T01:02:37.214312+00:00"}]),
        ))
        .mount(&server)
        .await;
    authed("GET", "/admin/users")
        .respond_with(ok(200, json!([profile()])))
        .mount(&server)
        .await;
    authed("GET", &format!("/admin/messages/{MSG_ID}"))
        .respond_with(ok(200, message(MSG_ID, "hi bob", Some("bob"))))
        .mount(&server)
        .await;
    authed("GET", "/messages/unread")
        .respond_with(ok(200, json!([])))
        .mount(&server)
        .await;
    authed("GET", "/messages/direct")
        .respond_with(ok(
            200,
            json!({"messages": [message(MSG_ID, "hi bob", Some("bob"))],
            "pagination": {"total": 1, "offset": 0, "limit": 10, "has_more": false}}),
        ))
        .mount(&server)
        .await;
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
