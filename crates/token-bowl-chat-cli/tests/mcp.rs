//! `token-bowl mcp` driven by the official MCP clients: the Python SDK
//! (`mcp` on PyPI) and the TypeScript SDK (`@modelcontextprotocol/sdk` on
//! npm), pinned in tests/mcp-clients and installed there by `.ci/run`.
//! Each lists the tools, checks their schemas and calls every tool, over
//! stdio and over streamable HTTP, against a mock server shaped from the
//! recorded traffic of the real server (../shared/docs/rest-transcript-2.0.1.txt)
//! and, with TB_REAL_URL set, against the real server.
//!
//! The tests skip with a note when the clients are not installed, and fail
//! instead when TOKEN_BOWL_REQUIRE_MCP_CLIENTS=1 (CI sets it).
#![cfg(feature = "mcp")]

#[path = "mcp_support/clients.rs"]
mod clients;
mod common;
#[path = "mcp_support/mock.rs"]
mod mock;

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};

use self::{
    clients::{
        Official, Transport, http_server, interrupt, ok, run_scenario, step, token_bowl, tool_error,
    },
    mock::mock,
};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";
const ALICE_ID: &str = "53bd0efd-ef7b-4069-9ffa-1837d1aeec37";
const BOB_ID: &str = "161db6fc-0e97-4eb5-8089-46990edce7bb";
const TOOLS: [&str; 8] = [
    "list_users",
    "mark_read",
    "read_messages",
    "send_message",
    "typing",
    "unread",
    "wait_for_messages",
    "whoami",
];

// ----- what every run must show -------------------------------------------

fn check_tool_list(steps: &[Value]) {
    let tools = step(steps, "list_tools")["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, TOOLS);
    for tool in tools {
        let name = &tool["name"];
        assert!(
            tool["description"].as_str().is_some_and(|d| d.len() > 30),
            "{name}: no description for the model"
        );
        assert_eq!(tool["inputSchema"]["type"], "object", "{name}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{name}");
        for (field, schema) in tool["inputSchema"]["properties"]
            .as_object()
            .into_iter()
            .flatten()
        {
            assert!(
                schema["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{name}.{field} has no description"
            );
        }
    }
    let schema = |name: &str| &tools.iter().find(|t| t["name"] == name).unwrap()["inputSchema"];
    assert_eq!(schema("send_message")["required"], json!(["content"]));
    assert_eq!(
        schema("wait_for_messages")["required"],
        json!(["timeout_s"])
    );
    assert_eq!(
        schema("wait_for_messages")["properties"]["timeout_s"]["type"],
        "number"
    );
}

fn check_mock_tools(steps: &[Value]) {
    check_tool_list(steps);
    assert_eq!(ok(steps, "whoami")["username"], "alice");
    assert_eq!(ok(steps, "send_room")["outcome"], "sent");
    assert_eq!(ok(steps, "send_direct")["message"]["to"], "bob");
    let read = ok(steps, "read");
    assert_eq!(read["messages"][0]["content"], "hello room");
    assert_eq!(read["more"], true);
    assert_eq!(ok(steps, "read_more")["messages"][0]["content"], "morning");
    let waited = ok(steps, "wait");
    let contents: Vec<&Value> = waited["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["content"])
        .collect();
    // The mock answers every poll with Bob's message and Alice's own:
    // Bob's comes once, Alice's never.
    assert_eq!(contents, [&json!("are you there?")], "{waited:#}");
    assert_eq!(waited["via"], "polling");
    assert_eq!(ok(steps, "wait_again")["timed_out"], true);
    let users = ok(steps, "list_users");
    assert_eq!(users["users"][1]["username"], "bob");
    assert_eq!(ok(steps, "list_online")["users"], json!([]));
    let unread = ok(steps, "unread");
    assert_eq!((&unread["room"], &unread["direct"]), (&json!(1), &json!(1)));
    assert_eq!(unread["messages"].as_array().unwrap().len(), 2);
    assert_eq!(ok(steps, "mark_ids")["marked"], 1);
    assert_eq!(ok(steps, "mark_all")["marked"], 2);
    assert_eq!(ok(steps, "typing_room")["to"], "room");
    assert_eq!(ok(steps, "typing_direct")["to"], "bob");
    check_cancel(steps);
}

fn check_cancel(steps: &[Value]) {
    ok(steps, "after_cancel");
    let elapsed = step(steps, "cancel")["elapsed_s"].as_f64().unwrap();
    assert!(
        elapsed < 10.0,
        "a cancelled 60 s wait held the session {elapsed} s"
    );
}

fn check_bad_input(steps: &[Value]) {
    // rmcp 3.11 answers arguments that do not match the schema with a tool
    // error (the model can correct itself), as the 2025-11-25 spec asks.
    for (name, says) in [
        ("wrong_type", "invalid type"),
        ("missing_field", "missing field `content`"),
        ("unknown_field", "unknown field `channel`"),
    ] {
        let sentence = tool_error(steps, name);
        assert!(sentence.contains(says), "{name}: {sentence}");
    }
    assert!(tool_error(steps, "empty").contains("content"));
    assert!(tool_error(steps, "oversized").contains("longer than 10000"));
    assert!(tool_error(steps, "unknown_user").contains("User ghost-of-nobody not found"));
    assert!(tool_error(steps, "bad_id").contains("not-an-id"));
    assert!(tool_error(steps, "bad_since").contains("since"));
    assert!(tool_error(steps, "bad_timeout").contains("timeout_s"));
    // An unknown tool is a protocol error: invalid params.
    let unknown = &step(steps, "unknown_tool")["error"];
    assert_eq!(unknown["code"], -32602, "{unknown:#}");
    ok(steps, "still_alive");
}

async fn against_mock(official: Official, http: bool) {
    let Some(_) = official.command() else { return };
    let server = mock().await;
    let base = server.uri();
    let (child, transport) = if http {
        let (child, url) = http_server(&base, KEY);
        (Some(child), Transport::Http(url))
    } else {
        (None, Transport::Stdio)
    };
    let steps = tokio::task::spawn_blocking({
        let base = base.clone();
        move || {
            let tools = run_scenario(
                official.command().unwrap(),
                "tools",
                &transport,
                &base,
                KEY,
                "bob",
                |_| {},
            );
            let bad = run_scenario(
                official.command().unwrap(),
                "bad",
                &transport,
                &base,
                KEY,
                "bob",
                |_| {},
            );
            (tools, bad)
        }
    })
    .await
    .unwrap();
    check_mock_tools(&steps.0);
    check_bad_input(&steps.1);
    let requests = server.received_requests().await.unwrap();
    let empty_sends = requests
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/messages")
        .filter(|r| String::from_utf8_lossy(&r.body).contains(r#""content":"""#))
        .count();
    assert_eq!(
        empty_sends, 0,
        "empty content is refused before any request"
    );
    if let Some(child) = child {
        interrupt(child);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn python_client_over_stdio_against_the_mock() {
    against_mock(Official::Python, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn python_client_over_http_against_the_mock() {
    against_mock(Official::Python, true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typescript_client_over_stdio_against_the_mock() {
    against_mock(Official::TypeScript, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typescript_client_over_http_against_the_mock() {
    against_mock(Official::TypeScript, true).await;
}

/// The host closes stdin while a long wait is pending: the server ends at
/// once (rmcp alone would give the wait 5 s to answer nobody).
#[tokio::test(flavor = "multi_thread")]
async fn stdin_closing_ends_the_stdio_server_at_once() {
    let server = mock().await;
    let base = server.uri();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(token_bowl())
            .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
            .env_remove("TOKEN_BOWL_CHAT_REALTIME_URL")
            .args(["--base-url", &base, "mcp"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut send = |message: Value| {
            use std::io::Write;
            writeln!(stdin, "{message}").unwrap();
        };
        send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}}),
        );
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(line.contains("\"serverInfo\""), "{line}");
        assert!(line.contains("token-bowl"), "{line}");
        send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        // The mock's room holds only old messages: this wait stays pending.
        send(
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "wait_for_messages", "arguments": {"timeout_s": 60, "direct": false}}}),
        );
        std::thread::sleep(Duration::from_millis(500));
        drop(stdin);
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "stdin closed, still running"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .unwrap();
}

// ----- the real server ----------------------------------------------------

/// A throwaway user on the real server: (name, key).
async fn register(base: &str, prefix: &str) -> (String, String) {
    let client = token_bowl_chat::Client::builder()
        .use_env(false)
        .base_url(base)
        .build()
        .unwrap();
    let name = format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let created = client
        .register(token_bowl_chat::Register::new(name.clone()))
        .await
        .unwrap();
    (name, created.api_key.expose_secret().to_owned())
}

fn real_url() -> Option<String> {
    let url = std::env::var("TB_REAL_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("skipped: TB_REAL_URL is not set");
    }
    url
}

/// Whether the real server under test has real time (`TB_REALTIME=1`: a
/// Centrifugo beside it, such as the fake-centrifugo binary).
fn realtime_expected() -> bool {
    std::env::var("TB_REALTIME").is_ok_and(|v| v == "1")
}

async fn against_real(official: Official, http: bool) {
    let Some(base) = real_url() else { return };
    let Some(_) = official.command() else { return };
    let (agent, agent_key) = register(&base, "mcpagent").await;
    let (peer, peer_key) = register(&base, "mcppeer").await;
    let (child, transport) = if http {
        let (child, url) = http_server(&base, &agent_key);
        (Some(child), Transport::Http(url))
    } else {
        (None, Transport::Stdio)
    };
    let peer_client = token_bowl_chat::Client::builder()
        .use_env(false)
        .base_url(&base)
        .api_key(&peer_key)
        .build()
        .unwrap();
    let runtime = tokio::runtime::Handle::current();
    let steps = tokio::task::spawn_blocking(move || {
        run_scenario(
            official.command().unwrap(),
            "tools",
            &transport,
            &base,
            &agent_key,
            &peer,
            |s| {
                // Once the session is up, the peer writes: the wait must see it.
                if s["step"] == "whoami" {
                    runtime
                        .block_on(peer_client.send_direct_message(&agent, "hello agent"))
                        .unwrap();
                }
            },
        )
    })
    .await
    .unwrap();
    check_tool_list(&steps);
    ok(&steps, "whoami");
    assert_eq!(ok(&steps, "send_room")["outcome"], "sent");
    ok(&steps, "read");
    let waited = ok(&steps, "wait");
    let contents: Vec<&Value> = waited["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["content"])
        .collect();
    assert_eq!(contents, [&json!("hello agent")], "{waited:#}");
    if realtime_expected() {
        assert_eq!(waited["via"], "realtime", "{waited:#}");
    }
    assert_eq!(ok(&steps, "wait_again")["timed_out"], true);
    for name in [
        "list_users",
        "list_online",
        "unread",
        "mark_ids",
        "mark_all",
        "typing_room",
        "typing_direct",
    ] {
        ok(&steps, name);
    }
    assert_eq!(ok(&steps, "mark_ids")["marked"], 1);
    check_cancel(&steps);
    if let Some(child) = child {
        interrupt(child);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn python_client_over_stdio_against_the_real_server() {
    against_real(Official::Python, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn python_client_over_http_against_the_real_server() {
    against_real(Official::Python, true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typescript_client_over_stdio_against_the_real_server() {
    against_real(Official::TypeScript, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typescript_client_over_http_against_the_real_server() {
    against_real(Official::TypeScript, true).await;
}

/// Two agents, each through its own `token-bowl mcp`, take six turns over
/// direct messages; every message arrives exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn two_agents_converse_through_their_own_servers_on_the_real_server() {
    let Some(base) = real_url() else { return };
    let Some(mut command) = Official::Python.command() else {
        return;
    };
    let (a, key_a) = register(&base, "mcpalice").await;
    let (b, key_b) = register(&base, "mcpbob").await;
    let output = tokio::task::spawn_blocking(move || {
        command
            .arg("converse")
            .arg("--stdio")
            .arg(token_bowl())
            .arg(&base)
            .args(["--keys", &key_a, &key_b, "--names", &a, &b])
            .env_remove("TOKEN_BOWL_CHAT_API_KEY")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let turns: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["step"] == "turn")
        .collect();
    assert_eq!(turns.len(), 6, "{stdout}");
    // With a Centrifugo beside the server (TB_REALTIME=1, e.g. the
    // fake-centrifugo binary), the waits use real time: each session
    // connects when the host initialises it, so all but the first turn of
    // each side (which may start before that connect is done) must.
    if realtime_expected() {
        for turn in &turns[2..] {
            assert_eq!(turn["via"], "realtime", "{stdout}");
        }
    } else {
        for turn in &turns {
            assert_eq!(turn["via"], "polling", "{stdout}");
        }
    }
    assert!(stdout.contains("\"converse\", \"ok\": true"), "{stdout}");
}
