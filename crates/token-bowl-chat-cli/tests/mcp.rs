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

mod common;

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_partial_json, header, method, path, path_regex, query_param},
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

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp-clients")
}

/// An official client: the command that runs its script.
#[derive(Debug, Clone, Copy)]
enum Official {
    Python,
    TypeScript,
}

impl Official {
    /// The command, or why it cannot run (skip, or fail when required).
    fn command(self) -> Option<Command> {
        let dir = clients_dir();
        let (program, script, installed) = match self {
            Self::Python => (
                dir.join(".venv/bin/python"),
                "client.py",
                dir.join(".venv/bin/python").exists(),
            ),
            Self::TypeScript => (
                PathBuf::from("node"),
                "client.mjs",
                dir.join("node_modules/@modelcontextprotocol/sdk/package.json")
                    .exists(),
            ),
        };
        if !installed {
            let note = format!(
                "the official {self:?} MCP client is not installed in {} \
                 (.ci/run installs it)",
                dir.display()
            );
            if std::env::var_os("TOKEN_BOWL_REQUIRE_MCP_CLIENTS").is_some_and(|v| v == "1") {
                panic!("{note}, and TOKEN_BOWL_REQUIRE_MCP_CLIENTS=1");
            }
            eprintln!("skipped: {note}");
            return None;
        }
        let mut command = Command::new(program);
        command.current_dir(&dir).arg(script);
        Some(command)
    }
}

/// How the client reaches the server.
enum Transport {
    Stdio,
    /// A `token-bowl mcp --http` already running at this URL.
    Http(String),
}

fn token_bowl() -> PathBuf {
    assert_cmd::cargo::cargo_bin("token-bowl")
}

/// Runs one scenario; calls `on_step` for each line as it comes (so a test
/// can act between steps) and returns all lines.
fn run_scenario(
    mut command: Command,
    scenario: &str,
    transport: &Transport,
    base_url: &str,
    key: &str,
    peer: &str,
    mut on_step: impl FnMut(&Value),
) -> Vec<Value> {
    command
        .arg(scenario)
        .env("TOKEN_BOWL_CHAT_API_KEY", key)
        .env_remove("TOKEN_BOWL_CHAT_REALTIME_URL")
        .args(["--peer", peer])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match transport {
        Transport::Stdio => {
            command.arg("--stdio").arg(token_bowl()).arg(base_url);
        }
        Transport::Http(url) => {
            command.args(["--http", url]);
        }
    }
    let mut child = command.spawn().expect("the client starts");
    let stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let mut steps = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        assert!(
            !line.contains(key),
            "the API key is in a client's output: {line}"
        );
        let step: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"));
        on_step(&step);
        steps.push(step);
    }
    let status = child.wait().unwrap();
    let errors = errors.join().unwrap();
    assert!(!errors.contains(key), "the API key is on stderr: {errors}");
    assert!(status.success(), "{scenario} failed: {status}\n{errors}");
    steps
}

fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {steps:#?}"))
}

/// The structured content of a successful tool result.
fn ok<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    let result = &step(steps, name)["result"];
    assert_eq!(result["isError"], false, "{name}: {result:#}");
    let text = result["content"][0]["text"].as_str().unwrap_or_default();
    assert!(
        !text.is_empty(),
        "{name} has no text for people: {result:#}"
    );
    &result["structuredContent"]
}

/// The sentence of a tool error.
fn tool_error<'a>(steps: &'a [Value], name: &str) -> &'a str {
    let result = &step(steps, name)["result"];
    assert_eq!(
        result["isError"], true,
        "{name} is not a tool error: {result:#}"
    );
    result["content"][0]["text"].as_str().unwrap()
}

/// `token-bowl mcp --http 127.0.0.1:0`: the child and its URL.
fn http_server(base_url: &str, key: &str) -> (Child, String) {
    let mut child = Command::new(token_bowl())
        .env("TOKEN_BOWL_CHAT_API_KEY", key)
        .env_remove("TOKEN_BOWL_CHAT_REALTIME_URL")
        .args(["--base-url", base_url, "mcp", "--http", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first
        .strip_prefix("MCP server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

/// Ctrl-C ends the HTTP server, cleanly and at once.
fn interrupt(mut child: Child) {
    let pid = child.id().to_string();
    Command::new("bash")
        .args(["-c", &format!("kill -INT {pid}")])
        .status()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "Ctrl-C: {status}");
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the HTTP server did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ----- the mock server ---------------------------------------------------

/// A message as the real server sends it (rest-transcript-2.0.1.txt).
fn message(id: &str, from: &str, to: Option<&str>, content: &str, timestamp: &str) -> Value {
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

fn page(messages: Vec<Value>, offset: u64, total: u64) -> Value {
    let len = messages.len() as u64;
    json!({"messages": messages, "pagination": {
        "total": total, "offset": offset, "limit": 1, "has_more": offset + len < total}})
}

fn authed(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("x-api-key", KEY))
}

fn answer(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// Bob's direct message, stored a minute from now: new to any session
/// started before it.
fn bobs_message() -> Value {
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

async fn mock() -> MockServer {
    let server = common::server().await;
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
    let mounts = [
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
        authed("GET", "/messages/unread").respond_with(answer(200, json!([room_new]))),
        authed("GET", "/messages/direct/unread").respond_with(answer(200, json!([bobs_message()]))),
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
    ];
    for mount in mounts {
        mount.mount(&server).await;
    }
    server
}

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

#[test]
fn stdin_closing_ends_the_stdio_server() {
    let mut child = Command::new(token_bowl())
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .args(["--base-url", "http://127.0.0.1:9", "mcp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}});
        writeln!(stdin, "{init}").unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("\"serverInfo\""), "{line}");
        assert!(line.contains("token-bowl"), "{line}");
    }
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "stdin closed, still running"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
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
    let turns = stdout.lines().filter(|l| l.contains("\"turn\"")).count();
    assert_eq!(turns, 6, "{stdout}");
    assert!(stdout.contains("\"converse\", \"ok\": true"), "{stdout}");
}
