//! `token-bowl chat` end to end in tmux: keys go in with `send-keys` and
//! `paste-buffer`, the screen comes out with `capture-pane`. Against a mock
//! REST server (wiremock, paging newest first with `limit`, `offset`,
//! `since` and `has_more` as the real server 2.0.1 does) and the fake
//! Centrifugo (crate `fake-centrifugo`), which the mock publishes to as the
//! real server does: room messages to `room:main`, a direct message to its
//! recipient's `user:` channel only. A last test runs against the real
//! server when `TB_REAL_URL` is set; it has no WebSocket side, so the client
//! must poll there.

#![cfg(feature = "chat")]

use std::{
    process::Command,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{TimeDelta, Utc};
use fake_centrifugo::{FakeCentrifugo, token_for};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{method, path, path_regex},
};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";

/// A tmux server of its own, with one window running a command.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, width: u16, height: u16, command: &str) -> Self {
        let socket = format!("tb-chat-{}-{name}", std::process::id());
        let tmux = Self { socket };
        let status = tmux
            .cmd(&[
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                command,
            ])
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux new-session");
        tmux
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]).args(args);
        command
    }

    fn run(&self, args: &[&str]) {
        let status = self.cmd(args).status().expect("tmux runs");
        assert!(status.success(), "tmux {args:?}");
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend(keys);
        self.run(&args);
    }

    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "0"])
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen passes `check`; fails with the last screen.
    fn wait(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            if started.elapsed() > Duration::from_secs(15) {
                panic!("waited 15 s for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

/// The conversation list's entry that starts with `label`, trimmed.
fn list_entry(screen: &str, label: &str) -> String {
    screen
        .lines()
        .filter_map(|l| l.split('│').nth(1))
        .find(|cell| cell.starts_with(label))
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// The stored messages, oldest first, as the real server keeps them.
type Store = Arc<Mutex<Vec<Value>>>;

fn message(n: u128, from: &str, to: Option<&str>, content: &str, ago_minutes: i64) -> Value {
    let time = Utc::now() - TimeDelta::minutes(ago_minutes);
    json!({
        "id": Uuid::from_u128(0x7000_0000_0000_0000_0000_0000_0000_0000 + n),
        "from_user_id": "161db6fc-0e97-4eb5-8089-46990edce7bb", "from_username": from,
        "from_user_logo": null, "from_user_emoji": null, "from_user_bot": false,
        "to_user_id": to.map(|_| "53bd0efd-ef7b-4069-9ffa-1837d1aeec37"), "to_username": to,
        "content": content, "message_type": if to.is_some() { "direct" } else { "room" },
        "description": "",
        "timestamp": time.to_rfc3339_opts(chrono::SecondsFormat::Micros, false),
    })
}

/// One page of `GET /messages` or `/messages/direct`: newest first.
fn page(store: &Store, req: &Request, direct: bool) -> ResponseTemplate {
    let query: std::collections::HashMap<String, String> =
        req.url.query_pairs().into_owned().collect();
    let limit: usize = query
        .get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let offset: usize = query
        .get("offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let since = query.get("since").cloned();
    let all: Vec<Value> = store
        .lock()
        .unwrap()
        .iter()
        .rev()
        .filter(|m| m["to_username"].is_null() != direct)
        // The server compares `since` as text, strictly after.
        .filter(|m| {
            since
                .as_ref()
                .is_none_or(|s| m["timestamp"].as_str().unwrap() > s.as_str())
        })
        .cloned()
        .collect();
    let items: Vec<Value> = all.iter().skip(offset).take(limit).cloned().collect();
    let has_more = offset + items.len() < all.len();
    ResponseTemplate::new(200).set_body_json(json!({"messages": items,
        "pagination": {"total": all.len(), "offset": offset, "limit": limit, "has_more": has_more}}))
}

/// The mock REST server: alice's profile, the users, paged history, sends
/// that are stored and published, typing, marking read.
async fn rest(fake: &FakeCentrifugo, store: &Store) -> MockServer {
    let rest = MockServer::start().await;
    Mock::given(path("/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
            "email": null, "api_key": KEY, "webhook_url": null, "logo": null, "viewer": false,
            "admin": false, "bot": false, "emoji": null, "created_at": "2026-11-22T01:02:30+00:00"})))
        .mount(&rest)
        .await;
    let user = |name: &str, role: &str| {
        json!({"id": Uuid::from_u128(name.len() as u128), "username": name,
        "role": role, "logo": null, "emoji": null, "bot": false, "viewer": false})
    };
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            user("admin", "admin"),
            user("alice", "member"),
            user("bob", "member"),
            user("carol", "member")
        ])))
        .mount(&rest)
        .await;
    Mock::given(path("/centrifugo/connection-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token": token_for("alice", &["user:alice", "room:main"]), "url": fake.url(),
            "channels": ["user:alice", "room:main"], "user": "alice"})))
        .mount(&rest)
        .await;
    for (route, direct) in [("/messages", false), ("/messages/direct", true)] {
        let store = store.clone();
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(move |req: &Request| page(&store, req, direct))
            .mount(&rest)
            .await;
    }
    Mock::given(path_regex("^/messages(/direct)?/unread$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&rest)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/messages/[0-9a-f-]+/read$"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&rest)
        .await;
    Mock::given(method("POST"))
        .and(path("/typing"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": "typing indicator sent", "to": "room"})),
        )
        .mount(&rest)
        .await;
    let (store, fake) = (store.clone(), fake.clone());
    Mock::given(method("POST"))
        .and(path("/messages"))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let to = body["to_username"].as_str();
            let n = 1000 + store.lock().unwrap().len() as u128;
            let m = message(n, "alice", to, body["content"].as_str().unwrap(), 0);
            store.lock().unwrap().push(m.clone());
            match to {
                None => drop(fake.publish("room:main", m.clone())),
                Some(to) => drop(fake.publish(&format!("user:{to}"), m.clone())),
            }
            ResponseTemplate::new(201).set_body_json(m)
        })
        .mount(&rest)
        .await;
    rest
}

fn bin() -> String {
    assert_cmd::cargo::cargo_bin("token-bowl")
        .to_string_lossy()
        .into_owned()
}

/// The chat in a shell that notes the terminal's settings before and after,
/// and prints a line first (it must be there again after the chat).
fn chat_command(base: &str, key: &str, dir: &std::path::Path) -> String {
    let dir = dir.display();
    format!(
        "bash --norc -c 'echo BEFORE-CHAT; stty -g > {dir}/before; \
         env -u TOKEN_BOWL_CHAT_REALTIME_URL TOKEN_BOWL_CHAT_API_KEY={key} {} --base-url {base} chat; \
         echo EXIT=$?; stty -g > {dir}/after; sleep 60'",
        bin()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_in_tmux_against_a_mock_server() {
    let fake = FakeCentrifugo::start(100).await;
    let store: Store = Arc::new(Mutex::new(
        (0..80)
            .map(|n| message(n, "bob", None, &format!("room message {n}"), 200 - n as i64))
            .collect(),
    ));
    let rest = rest(&fake, &store).await;
    let dir = std::env::temp_dir().join(format!("tb-chat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tmux = Tmux::start("mock", 100, 30, &chat_command(&rest.uri(), KEY, &dir));
    let tmux = tokio::task::spawn_blocking(move || {
        tmux.wait("the first screen", |s| {
            s.contains("● live") && s.contains("room message 79")
        });
        tmux
    })
    .await
    .unwrap();

    // A second user's room message and direct message.
    let room = message(500, "carol", None, "hello from carol", 0);
    let dm = message(501, "bob", Some("alice"), "a secret for alice", 0);
    store.lock().unwrap().extend([room.clone(), dm.clone()]);
    let (room_id, dm_id) = (
        room["id"].as_str().unwrap().to_owned(),
        dm["id"].as_str().unwrap().to_owned(),
    );
    fake.publish("room:main", room);
    fake.publish("user:alice", dm);
    let (tmux, rest) = tokio::task::spawn_blocking(move || {
        steps(&tmux);
        (tmux, rest)
    })
    .await
    .unwrap();
    // The paste went as one message with its newline, typed text as another.
    let sent: Vec<Value> = rest
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/messages")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        sent,
        [
            json!({"content": "hi everyone"}),
            json!({"content": "pasted one\npasted two"}),
            json!({"content": "just for bob", "to_username": "bob"})
        ]
    );
    let older = rest.received_requests().await.unwrap().iter().any(|r| {
        r.url.path() == "/messages" && r.url.query().is_some_and(|q| q.contains("offset=50"))
    });
    assert!(older, "scrolling up asked for the older page");
    // Read on the server: the room's message at once (the room is open),
    // bob's when his conversation was opened.
    let reads: Vec<String> = rest
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/read"))
        .map(|r| r.url.path().to_owned())
        .collect();
    for id in [&room_id, &dm_id] {
        assert!(
            reads.contains(&format!("/messages/{id}/read")),
            "{id} read: {reads:?}"
        );
    }
    let tmux = reconnect(tmux, &fake, &store).await;
    ctrl_c_restores(&tmux, &dir).await;
}

/// What a person does, checked on the screen after each step.
fn steps(tmux: &Tmux) {
    let screen = tmux.wait("carol's message and bob's unread", |s| {
        s.contains("carol: hello from carol") && list_entry(s, "@bob").ends_with(" 1")
    });
    assert!(
        !screen.contains("a secret for alice"),
        "a direct message stays out of the room"
    );
    // Typed text shows at once, before any other key.
    tmux.keys(&["-l", "hi everyone"]);
    tmux.wait("the typed text", |s| s.contains("> hi everyone"));
    tmux.keys(&["Enter"]);
    tmux.wait("the sent message", |s| s.contains("you: hi everyone"));
    // A bracketed paste keeps its newline and is one message.
    tmux.run(&["set-buffer", "pasted one\npasted two"]);
    tmux.run(&["paste-buffer", "-p", "-t", "0"]);
    tmux.wait("the pasted text", |s| {
        s.contains("> pasted one") && s.contains("  pasted two")
    });
    tmux.keys(&["Enter"]);
    tmux.wait("the pasted message", |s| s.contains("you: pasted one"));
    // Scrolling up loads the older history, without a gap.
    for _ in 0..8 {
        tmux.keys(&["PageUp"]);
        std::thread::sleep(Duration::from_millis(150));
    }
    tmux.wait("the oldest message", |s| {
        s.contains("room message 0 ") || s.ends_with("room message 0")
    });
    tmux.wait("the start of the history", |s| {
        s.contains("start of the history")
    });
    tmux.keys(&[
        "PageDown", "PageDown", "PageDown", "PageDown", "PageDown", "PageDown", "PageDown",
        "PageDown", "PageDown", "PageDown",
    ]);
    // The direct conversation: reading it clears its count.
    tmux.keys(&["-l", "/dm bob"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait("bob's conversation", |s| {
        s.contains("bob: a secret for alice")
    });
    assert_eq!(list_entry(&screen, "@bob"), "@bob", "read: {screen}");
    tmux.keys(&["-l", "just for bob"]);
    tmux.keys(&["Enter"]);
    tmux.wait("the direct message", |s| s.contains("you: just for bob"));
    // Resize keeps the layout: borders on both sides, input and status lines.
    tmux.run(&["resize-window", "-t", "0", "-x", "60", "-y", "20"]);
    let screen = tmux.wait("the narrow layout", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.chars().count() == 60 && l.ends_with('┐'))
    });
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(lines.len(), 20, "{screen}");
    assert!(lines[18].starts_with("> "), "{screen}");
    assert!(lines[19].starts_with("● live"), "{screen}");
    assert!(lines[1..17].iter().all(|l| l.ends_with('│')), "{screen}");
}

/// The real-time connection drops: the status says so, and a message sent
/// meanwhile arrives once the connection is back (the SDK's backfill or the
/// chat's poll, whichever is first; ids keep it once).
async fn reconnect(tmux: Tmux, fake: &FakeCentrifugo, store: &Store) -> Tmux {
    tmux.keys(&["-l", "/room"]);
    tmux.keys(&["Enter"]);
    fake.set_accepting(false);
    fake.cut_connections();
    let tmux = tokio::task::spawn_blocking(move || {
        tmux.wait("reconnecting", |s| s.contains("◌ reconnecting"));
        tmux
    })
    .await
    .unwrap();
    store
        .lock()
        .unwrap()
        .push(message(600, "carol", None, "sent while you were away", 0));
    fake.set_accepting(true);
    tokio::task::spawn_blocking(move || {
        let screen = tmux.wait("live again with the missed message", |s| {
            s.contains("● live") && s.contains("carol: sent while you were away")
        });
        assert_eq!(
            screen.matches("sent while you were away").count(),
            1,
            "{screen}"
        );
        tmux
    })
    .await
    .unwrap()
}

/// Ctrl-C leaves the chat, and the terminal is as it was: the same `stty`
/// settings, the main screen with what was printed before.
async fn ctrl_c_restores(tmux: &Tmux, dir: &std::path::Path) {
    tmux.keys(&["C-c"]);
    let screen = tmux.wait("the chat to end", |s| s.contains("EXIT=0"));
    assert!(
        screen.contains("BEFORE-CHAT"),
        "the main screen is back: {screen}"
    );
    let after = dir.join("after");
    let started = Instant::now();
    // `stty -g > after` makes the file before it writes the line.
    let written =
        |path: &std::path::Path| std::fs::read_to_string(path).is_ok_and(|t| t.ends_with('\n'));
    while !written(&after) && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = std::fs::read_to_string(dir.join("before")).unwrap();
    assert_eq!(
        std::fs::read_to_string(after).unwrap(),
        before,
        "stty settings"
    );
}

/// Against the real server, when `TB_REAL_URL` is set. The real-server
/// tool's server has no WebSocket side, so the chat says it polls; with
/// `TB_REALTIME=1` (a Centrifugo beside it, e.g. the fake-centrifugo
/// binary) it must be live instead. Either way a second user's messages
/// arrive in the right places.
#[tokio::test(flavor = "multi_thread")]
async fn against_the_real_server() {
    let Ok(url) = std::env::var("TB_REAL_URL") else {
        eprintln!("TB_REAL_URL is not set: skipped");
        return;
    };
    let unique = format!(
        "{}{}",
        std::process::id(),
        Utc::now().timestamp_subsec_micros()
    );
    let register = |name: String| {
        let url = url.clone();
        async move {
            let client = token_bowl_chat::Client::builder()
                .base_url(&url)
                .build()
                .unwrap();
            let registered = client
                .register(token_bowl_chat::Register::new(&name))
                .await
                .unwrap();
            let key = registered.api_key.expose_secret().to_owned();
            client.set_api_key(&key).unwrap();
            (client, key)
        }
    };
    let (a, b) = (format!("tuia{unique}"), format!("tuib{unique}"));
    let (_, key) = register(a.clone()).await;
    let (client_b, _) = register(b.clone()).await;
    let dir = std::env::temp_dir().join(format!("tb-chat-real-{unique}"));
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    let tmux = Tmux::start("real", 100, 30, &chat_command(&url, &key, &dir));
    let realtime = std::env::var("TB_REALTIME").is_ok_and(|v| v == "1");
    let tmux = tokio::task::spawn_blocking(move || {
        if realtime {
            tmux.wait("the live status", |s| s.contains("● live"));
        } else {
            tmux.wait("the polling status", |s| {
                s.contains("○ no real time: polling")
            });
        }
        tmux
    })
    .await
    .unwrap();
    eprintln!("first screen in tmux after {:?}", started.elapsed());
    client_b
        .send_message(&format!("room hello from {b}"))
        .await
        .unwrap();
    client_b
        .send_direct_message(&a, "direct hello")
        .await
        .unwrap();
    let tmux = tokio::task::spawn_blocking(move || {
        let screen = tmux.wait("b's messages", |s| {
            s.contains(&format!("room hello from {b}"))
                && list_entry(s, &format!("@{b}")).ends_with(" 1")
        });
        assert!(!screen.contains("direct hello"), "{screen}");
        tmux.keys(&["-l", "hello back"]);
        tmux.keys(&["Enter"]);
        tmux.wait("the sent message", |s| s.contains("you: hello back"));
        // The direct message is in b's conversation, which is then read.
        tmux.keys(&["-l", &format!("/dm {b}")]);
        tmux.keys(&["Enter"]);
        tmux.wait("b's direct message", |s| {
            s.contains("direct hello") && !list_entry(s, &format!("@{b}")).ends_with(" 1")
        });
        tmux
    })
    .await
    .unwrap();
    ctrl_c_restores(&tmux, &dir).await;
}
