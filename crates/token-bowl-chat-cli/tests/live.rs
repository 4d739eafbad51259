//! `live monitor --format json` against the fake Centrifugo from the
//! real-time tests (crate `fake-centrifugo`) and a mock REST server: the
//! generated typed mocks (httpmock), except where a test waits until a
//! request has arrived, which needs wiremock's journal of requests.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use fake_centrifugo::{FakeCentrifugo, token_for};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use token_bowl_chat_api::mock::MockServerExt;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";

/// A recorded body as the API crate's type for it.
fn decode<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("recorded body decodes")
}

#[tokio::test(flavor = "multi_thread")]
async fn monitor_prints_one_json_line_per_event_and_stops_cleanly_on_ctrl_c() {
    let fake = FakeCentrifugo::start(100).await;
    let rest = rest_for(&fake).await;

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("token-bowl"))
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .env_remove("TOKEN_BOWL_CHAT_REALTIME_URL")
        .args([
            "--base-url",
            &rest.base_url(),
            "live",
            "monitor",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            eprintln!("token-bowl: {}", line.unwrap());
        }
    });
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            tx.send(serde_json::from_str(&line).expect("each line is one JSON document"))
                .unwrap();
        }
    });
    assert_eq!(
        recv(&mut rx, &mut child).await,
        json!({"event": "connected"})
    );
    fake.publish(
        "room:main",
        json!({
        "id": "865ce10f-fb73-460f-abfb-9826f6705e8a", "from_user_id": "", "from_username": "bob",
        "content": "hello room", "message_type": "room", "timestamp": "2026-11-22T01:02:32+00:00"}),
    );
    fake.publish(
        "user:alice",
        json!({"type": "typing", "username": "bob", "to_username": "alice",
        "timestamp": "2026-11-22T01:02:33+00:00"}),
    );
    let message = recv(&mut rx, &mut child).await;
    assert_eq!(
        (message["event"].as_str(), message["content"].as_str()),
        (Some("message"), Some("hello room"))
    );
    let typing = recv(&mut rx, &mut child).await;
    assert_eq!(typing["event"], "typing");
    assert_eq!(typing["to_username"], "alice");

    let pid = child.id().to_string();
    let status = tokio::task::spawn_blocking(move || {
        // bash's builtin `kill`: no procps needed.
        Command::new("bash")
            .args(["-c", &format!("kill -INT {pid}")])
            .status()
            .unwrap();
        child.wait().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "Ctrl-C ends the monitor as an interrupted command: {status:?}"
    );
    // Quietly: no trailing event.
    let last = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await;
    assert!(matches!(last, Ok(None)), "{last:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn live_commands_fail_fast_when_the_real_time_server_cannot_be_reached() {
    let rest = httpmock::MockServer::start_async().await;
    // A port nobody listens on, as the server would report it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("ws://{}/connection/websocket", closed.local_addr().unwrap());
    drop(closed);
    rest.get_my_profile(|_, then| {
        then.ok(&decode(json!({
            "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
            "api_key": KEY, "created_at": "2026-11-22T01:02:30.135906+00:00"})));
    });
    rest.get_centrifugo_connection_token(|_, then| {
        then.ok(&decode(json!({
            "token": token_for("alice", &["user:alice", "room:main"]), "url": dead,
            "channels": ["user:alice", "room:main"], "user": "alice"})));
    });
    for command in ["monitor", "chat"] {
        let started = std::time::Instant::now();
        let output = tokio::task::spawn_blocking({
            let uri = rest.base_url();
            move || {
                Command::new(assert_cmd::cargo::cargo_bin("token-bowl"))
                    .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
                    .env_remove("TOKEN_BOWL_CHAT_REALTIME_URL")
                    .args(["--base-url", &uri, "live", command])
                    .stdin(Stdio::null())
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{command}: fails fast"
        );
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{command}: one line: {stderr}");
        assert!(
            lines[0].contains("cannot reach the real-time server at ws://")
                && lines[0].contains("TOKEN_BOWL_CHAT_REALTIME_URL")
                && lines[0].to_lowercase().contains("refused"),
            "{command}: {stderr}"
        );
        assert!(!stderr.contains("Transport {"), "no debug text: {stderr}");
    }
}

/// The next JSON line; if the monitor ended, says how.
async fn recv(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Value>,
    child: &mut std::process::Child,
) -> Value {
    match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        Ok(Some(value)) => value,
        Ok(None) => panic!("the monitor ended: {:?}", child.wait()),
        Err(_) => panic!("no event in 10 s"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_sends_room_and_direct_messages_and_quits() {
    let fake = FakeCentrifugo::start(100).await;
    let rest = rest_for(&fake).await;
    let sent = |content: &str, to: Option<&str>| {
        json!({"id": "865ce10f-fb73-460f-abfb-9826f6705e8a", "from_user_id": "",
            "from_username": "alice", "to_username": to, "content": content,
            "message_type": if to.is_some() { "direct" } else { "room" },
            "description": "", "timestamp": "2026-11-22T01:02:32+00:00"})
    };
    let to_room = rest.send_message(|when, then| {
        when.body(&decode(json!({"content": "hello room"})));
        then.created(&decode(sent("hello room", None)));
    });
    let to_bob = rest.send_message(|when, then| {
        when.body(&decode(
            json!({"content": "hi there", "to_username": "bob"}),
        ));
        then.created(&decode(sent("hi there", Some("bob"))));
    });
    let text = live_chat(&rest, "hello room\n\n@bob hi there\n/quit\n").await;
    assert!(text.contains("Chatting as alice"), "{text}");
    assert!(text.contains("you: hello room"), "{text}");
    assert!(text.contains("you → bob: hi there"), "{text}");
    to_room.assert_calls_async(1).await;
    to_bob.assert_calls_async(1).await;
}

/// A line whose send loses its answer (the real server's text/plain 500
/// when its publish fails, after storing it) is looked up in the history:
/// found, it shows as sent, with a note; it is never sent twice.
#[tokio::test(flavor = "multi_thread")]
async fn chat_looks_up_a_send_whose_answer_is_lost() {
    let fake = FakeCentrifugo::start(100).await;
    let rest = rest_for(&fake).await;
    let send = rest.send_message(|_, then| {
        then.into_inner()
            .status(500)
            .header("content-type", "text/plain; charset=utf-8")
            .body("Internal Server Error");
    });
    let history = rest.get_messages(|_, then| {
        then.ok(&decode(json!({"messages": [{
            "id": "865ce10f-fb73-460f-abfb-9826f6705e8a", "from_user_id": "",
            "from_username": "alice", "to_username": null, "content": "hello room",
            "message_type": "room", "description": "",
            "timestamp": "2026-11-22T01:02:32+00:00"}],
            "pagination": {"total": 1, "offset": 0, "limit": 100, "has_more": false}})));
    });
    let text = live_chat(&rest, "hello room\n/quit\n").await;
    assert!(text.contains("found stored"), "{text}");
    assert!(text.contains("you: hello room"), "{text}");
    assert!(!text.contains("not sent"), "{text}");
    send.assert_calls_async(1).await;
    history.assert_calls_async(1).await;
}

/// Runs `live chat` against `rest` with `stdin` typed in; it must succeed.
/// Its standard output.
async fn live_chat(rest: &httpmock::MockServer, stdin: &str) -> String {
    let mut command = assert_cmd::Command::cargo_bin("token-bowl").unwrap();
    command
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .env("NO_COLOR", "1")
        .args(["--base-url", &rest.base_url(), "--utc", "live", "chat"])
        .write_stdin(stdin)
        .timeout(Duration::from_secs(20));
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// A mock REST server: alice's profile and a connection token for `fake`.
async fn rest_for(fake: &FakeCentrifugo) -> httpmock::MockServer {
    let rest = httpmock::MockServer::start_async().await;
    rest.get_my_profile(|_, then| {
        then.ok(&decode(json!({
            "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
            "email": null, "api_key": KEY, "webhook_url": null, "logo": null, "viewer": false,
            "admin": false, "bot": false, "emoji": null, "created_at": "2026-11-22T01:02:30+00:00"})));
    });
    rest.get_centrifugo_connection_token(|_, then| {
        then.ok(&decode(json!({
            "token": token_for("alice", &["user:alice", "room:main"]), "url": fake.url(),
            "channels": ["user:alice", "room:main"], "user": "alice"})));
    });
    rest
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_a_waiting_command_at_once() {
    let rest = MockServer::start().await;
    Mock::given(path("/users/me"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(20)))
        .mount(&rest)
        .await;
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("token-bowl"))
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .args(["--base-url", &rest.uri(), "info"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the request is out, then interrupt.
    while rest.received_requests().await.unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = child.id().to_string();
    let started = std::time::Instant::now();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .args(["-c", &format!("kill -INT {pid}")])
            .status()
            .unwrap();
        child.wait().unwrap();
        child
    })
    .await
    .unwrap()
    .wait_with_output()
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not wait for the response"
    );
    assert_eq!(output.status.code(), Some(130));
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "interrupted"
    );
}

/// `live chat` in a real terminal (tmux): a pasted line (bracketed paste)
/// is shown whole and sent at once. Skipped where tmux is missing.
/// (Known gap: a second fast paste right after output from the server shows
/// its first character until the next key; see the note.)
#[tokio::test(flavor = "multi_thread")]
async fn pasted_lines_are_shown_and_submitted_at_once() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux missing: skipped");
        return;
    }
    let fake = FakeCentrifugo::start(100).await;
    let rest = rest_for(&fake).await;
    let send = rest.send_message(|when, then| {
        when.body(&decode(json!({"content": "a pasted line of text"})));
        then.created(&decode(json!({
            "id": "865ce10f-fb73-460f-abfb-9826f6705e8a", "from_user_id": "",
            "from_username": "alice", "to_username": null, "content": "a pasted line of text",
            "message_type": "room", "description": "", "timestamp": "2026-11-22T01:02:32+00:00"})));
    });
    let socket = format!("token-bowl-paste-{}", std::process::id());
    let command = format!(
        "NO_COLOR=1 TOKEN_BOWL_CHAT_API_KEY={KEY} {} --base-url {} --utc live chat; echo EXIT=$?; sleep 30",
        assert_cmd::cargo::cargo_bin("token-bowl").display(),
        rest.base_url()
    );
    let screen = tokio::task::spawn_blocking(move || {
        let tmux = |args: &[&str]| {
            Command::new("tmux")
                .arg("-L")
                .arg(&socket)
                .args(args)
                .output()
                .unwrap()
        };
        let pane = |tmux: &dyn Fn(&[&str]) -> std::process::Output| {
            String::from_utf8_lossy(&tmux(&["capture-pane", "-pt", "t"]).stdout).into_owned()
        };
        tmux(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "100",
            "-y",
            "20",
            &command,
        ]);
        let ready = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            pane(&tmux).lines().any(|l| l.trim_end() == ">")
        });
        assert!(ready, "the prompt: {}", pane(&tmux));
        // Paste the way a terminal does: bracketed, all at once.
        tmux(&["set-buffer", "a pasted line of text\n"]);
        tmux(&["paste-buffer", "-p", "-t", "t"]);
        std::thread::sleep(Duration::from_millis(1500));
        for key in ["/", "q", "u", "i", "t", "Enter"] {
            tmux(&["send-keys", "-t", "t", key]);
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(1500));
        let screen = pane(&tmux);
        tmux(&["kill-server"]);
        screen
    })
    .await
    .unwrap();
    assert!(
        screen.contains("you: a pasted line of text"),
        "sent at once:\n{screen}"
    );
    assert!(screen.contains("EXIT=0"), "/quit leaves:\n{screen}");
    send.assert_calls_async(1).await;
}
