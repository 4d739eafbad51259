//! `webhook listen`: the binary as a person runs it, fed deliveries shaped
//! as the real server 2.0.1 posts them, against a mock REST server
//! (wiremock, loopback) for the profile and the webhook registration.
//! wiremock rather than the typed mocks: the test reads back the PATCHes in
//! the order they arrived (set, then restored), and httpmock keeps no
//! journal of requests.

mod common;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{method, path},
};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";

fn delivery(id: &str, content: &str) -> Value {
    json!({"id": id, "from_user_id": "161db6fc-0e97-4eb5-8089-46990edce7bb",
        "from_username": "bob", "from_user_logo": null, "from_user_emoji": null,
        "from_user_bot": false, "to_user_id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37",
        "to_username": "alice", "content": content, "message_type": "direct",
        "description": "This is a direct message from bob to alice.",
        "timestamp": "2026-11-22T01:02:32.539447+00:00"})
}

/// A free loopback port (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `token-bowl ARGS`, returning the child and its stdout and stderr
/// lines as they come.
fn spawn(
    args: &[&str],
) -> (
    Child,
    std::sync::mpsc::Receiver<String>,
    std::sync::mpsc::Receiver<String>,
) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("token-bowl"))
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = |stream: Box<dyn std::io::Read + Send>| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let _ = tx.send(line.unwrap());
            }
        });
        rx
    };
    let out = lines(Box::new(child.stdout.take().unwrap()));
    let err = lines(Box::new(child.stderr.take().unwrap()));
    (child, out, err)
}

fn next(lines: &std::sync::mpsc::Receiver<String>) -> String {
    lines
        .recv_timeout(Duration::from_secs(15))
        .expect("a line in time")
}

fn interrupt(mut child: Child) -> Option<i32> {
    Command::new("bash")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    child.wait().unwrap().code()
}

async fn post(url: &str, body: String, content_type: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn listen_prints_one_json_line_per_delivery_marks_repeats_and_restores_the_webhook() {
    let rest = common::server().await;
    Mock::given(method("GET"))
        .and(path("/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
            "api_key": KEY, "webhook_url": "https://old.example/hook",
            "created_at": "2026-11-22T01:02:30.135906+00:00"})))
        .mount(&rest)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/users/me/webhook"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"message": "Webhook URL updated successfully", "webhook_url": "x"}),
        ))
        .mount(&rest)
        .await;
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let (child, out, err) = spawn(&[
        "--base-url",
        &rest.uri(),
        "webhook",
        "listen",
        "--addr",
        &addr,
        "--path",
        "/s3cret",
        "--register",
        "--format",
        "json",
    ]);
    let banner = next(&err);
    let url = format!("http://{addr}/s3cret");
    assert_eq!(
        banner,
        format!("listening on {url} (webhook_url of alice set to {url}); Ctrl-C to stop")
    );
    let first = delivery("dabf742a-3a51-4782-8fb3-2e7b7b5964f0", "hi alice");
    for _ in 0..2 {
        let answer = post(&url, first.to_string(), "application/json").await;
        assert_eq!(answer.0, 200);
    }
    let bad = post(&url, "{".into(), "application/json").await;
    assert_eq!(bad.0, 400);
    let lines: Vec<Value> = (0..2)
        .map(|_| serde_json::from_str(&next(&out)).unwrap())
        .collect();
    // The message as the SDK reads it (the CLI's JSON is always the typed
    // value): times in UTC with `Z`, absent optional fields left out.
    let message = &lines[0]["message"];
    assert_eq!(message["id"], first["id"]);
    assert_eq!(message["content"], "hi alice");
    assert_eq!(message["timestamp"], "2026-11-22T01:02:32.539447Z");
    assert_eq!(lines[1]["message"], lines[0]["message"]);
    assert_eq!(
        (lines[0]["repeat"].as_bool(), lines[1]["repeat"].as_bool()),
        (Some(false), Some(true))
    );
    assert!(lines[0]["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert_eq!(
        tokio::task::spawn_blocking(move || interrupt(child))
            .await
            .unwrap(),
        Some(130)
    );
    assert_eq!(
        next(&err),
        "webhook_url of alice restored to https://old.example/hook"
    );
    let patches: Vec<Value> = rest
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        patches,
        [
            json!({"webhook_url": url}),
            json!({"webhook_url": "https://old.example/hook"})
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn listen_as_a_table_shows_who_wrote_what_and_a_taken_port_is_one_clear_error() {
    let rest = common::server().await;
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    // No key, no --register: it only listens.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("token-bowl"))
        .env_remove("TOKEN_BOWL_CHAT_API_KEY")
        .env("NO_COLOR", "1")
        .args([
            "--base-url",
            &rest.uri(),
            "--utc",
            "webhook",
            "listen",
            "--addr",
            &addr,
            "--format",
            "table",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    err.read_line(&mut banner).unwrap();
    assert!(
        banner.starts_with(&format!("listening on http://{addr}/")),
        "{banner}"
    );

    // The same address again: the second listener fails at once.
    let taken = Command::new(assert_cmd::cargo::cargo_bin("token-bowl"))
        .args([
            "--base-url",
            &rest.uri(),
            "webhook",
            "listen",
            "--addr",
            &addr,
        ])
        .output()
        .unwrap();
    assert_eq!(taken.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&taken.stderr);
    assert!(
        stderr.starts_with(&format!("error: cannot listen for webhooks on {addr}: ")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let url = format!("http://{addr}/");
    let answer = post(
        &url,
        delivery("865ce10f-fb73-460f-abfb-9826f6705e8a", "héllo ✓").to_string(),
        "application/json",
    )
    .await;
    assert_eq!(answer, (200, r#"{"status":"accepted"}"#.to_owned()));
    let line = tokio::task::spawn_blocking(move || {
        let mut out = out;
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    assert_eq!(line, "[2026-11-22 01:02:32 UTC] bob → alice: héllo ✓\n");
    assert_eq!(
        tokio::task::spawn_blocking(move || interrupt(child))
            .await
            .unwrap(),
        Some(130)
    );
}
