//! What `token-bowl mcp` costs, measured by hand (not a timed test):
//!
//! 1. the time a tool call adds over the same SDK call: `whoami` through
//!    the server (stdio, JSON-RPC, rmcp on both sides) against
//!    `Client::me()` called directly, both against the same loopback mock;
//! 2. the time from a message posted to `wait_for_messages` returning it,
//!    over real time (the fake Centrifugo of the tests, loopback).
//!
//! `cargo bench -p token-bowl-chat-cli --bench mcp [-- ROUNDS]`

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use fake_centrifugo::{FakeCentrifugo, token_for};
use rmcp::{ServiceExt, model::CallToolRequestParams, service::RunningService};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";

type McpClient = RunningService<rmcp::RoleClient, ()>;

async fn rest(fake: &FakeCentrifugo) -> MockServer {
    let rest = MockServer::start().await;
    Mock::given(path("/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
            "email": null, "api_key": KEY, "webhook_url": null, "logo": null, "viewer": false,
            "admin": false, "bot": false, "emoji": null, "created_at": "2026-11-22T01:02:30+00:00"})))
        .mount(&rest)
        .await;
    let empty = json!({"messages": [], "pagination":
        {"total": 0, "offset": 0, "limit": 100, "has_more": false}});
    for route in ["/messages", "/messages/direct"] {
        Mock::given(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(empty.clone()))
            .mount(&rest)
            .await;
    }
    Mock::given(path("/centrifugo/connection-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token": token_for("alice", &["user:alice", "room:main"]), "url": fake.url(),
            "channels": ["user:alice", "room:main"], "user": "alice"})))
        .mount(&rest)
        .await;
    rest
}

/// `token-bowl mcp` on `base`, and an rmcp client on its stdio.
async fn connect(base: &str) -> (McpClient, tokio::process::Child) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_token-bowl"))
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .env_remove("TOKEN_BOWL_CHAT_REALTIME_URL")
        .args(["--base-url", base, "mcp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("token-bowl starts");
    let io = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let client = ().serve(io).await.expect("the MCP session starts");
    (client, child)
}

fn percentiles(label: &str, mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let at = |p: f64| {
        let i = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1e3
    };
    let (p50, p99) = (at(0.50), at(0.99));
    println!(
        "{label:<44} p50 {p50:8.3} ms   p99 {p99:8.3} ms   max {:8.3} ms   (n = {})",
        at(1.0),
        samples.len()
    );
    (p50, p99)
}

async fn call_overhead(base: &str, mcp: &McpClient, rounds: usize) {
    let sdk = token_bowl_chat::Client::builder()
        .use_env(false)
        .base_url(base)
        .api_key(KEY)
        .build()
        .unwrap();
    let (mut direct, mut through) = (Vec::new(), Vec::new());
    for round in 0..rounds + 50 {
        let started = Instant::now();
        sdk.me().await.unwrap();
        let sdk_time = started.elapsed();
        let started = Instant::now();
        let result = mcp
            .call_tool(CallToolRequestParams::new("whoami"))
            .await
            .unwrap();
        let mcp_time = started.elapsed();
        assert_eq!(result.is_error, Some(false));
        if round >= 50 {
            direct.push(sdk_time);
            through.push(mcp_time);
        }
    }
    let (sdk50, sdk99) = percentiles("Client::me() directly", direct);
    let (mcp50, mcp99) = percentiles("whoami through token-bowl mcp (stdio)", through);
    println!(
        "{:<44} p50 {:8.3} ms   p99 {:8.3} ms",
        "added by the MCP server",
        mcp50 - sdk50,
        mcp99 - sdk99
    );
}

async fn wait_latency(fake: &FakeCentrifugo, mcp: &McpClient, rounds: usize) {
    let wait = |timeout: f64| {
        let Value::Object(arguments) = json!({"timeout_s": timeout}) else {
            unreachable!()
        };
        mcp.call_tool(CallToolRequestParams::new("wait_for_messages").with_arguments(arguments))
    };
    // The first wait starts real time; wait until it is connected.
    wait(0.5).await.unwrap();
    assert!(
        fake.wait_for(Duration::from_secs(10), |f| f.connection_count() == 1)
            .await
    );
    wait(0.3).await.unwrap();
    let mut samples = Vec::new();
    for round in 0..rounds {
        let pending = wait(10.0);
        let publish = async {
            // Let the call reach the server and go to sleep on real time.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let later = (chrono::Utc::now() + chrono::TimeDelta::seconds(60))
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
            let started = Instant::now();
            fake.publish(
                "room:main",
                json!({
                "id": uuid::Uuid::new_v4(), "from_user_id": "", "from_username": "bob",
                "from_user_logo": null, "from_user_emoji": null, "from_user_bot": false,
                "to_user_id": null, "to_username": null, "content": format!("round {round}"),
                "message_type": "room", "description": "", "timestamp": later}),
            );
            started
        };
        let (result, started) = tokio::join!(pending, publish);
        let elapsed = started.elapsed();
        let result = result.unwrap();
        let got = result.structured_content.unwrap();
        assert_eq!(got["messages"][0]["content"], format!("round {round}"));
        assert_eq!(got["via"], "realtime");
        samples.push(elapsed);
    }
    percentiles("posted -> wait_for_messages returns (realtime)", samples);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let fake = FakeCentrifugo::start(100).await;
    let rest = rest(&fake).await;
    let (mcp, _child) = connect(&rest.uri()).await;
    call_overhead(&rest.uri(), &mcp, rounds).await;
    wait_latency(&fake, &mcp, rounds.min(300)).await;
    mcp.cancel().await.ok();
}
