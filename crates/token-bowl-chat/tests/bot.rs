//! The bot runtime over webhooks, against a mock REST server (wiremock on
//! loopback, bodies shaped as the real server 2.0.1 sends them) and real
//! HTTP deliveries to the runtime's receiver, as the server posts them:
//! `POST` with `Content-Type: application/json` and a `MessageResponse`.
//!
//! The REST side stays on wiremock: its history pages are served from lists
//! the sends change ([`Pages`]), each send is answered from a script (stored,
//! failed after storing, not stored, rate limited) and recorded, and tests
//! read the requests received (typing targets, the webhook URL set). The
//! typed mocks answer each route the same way every time and keep no
//! request record. Only the lone unauthorised server is a typed mock.

mod common;

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use serde_json::{Value, json};
use token_bowl_chat::{
    Error,
    bot::{Bot, Context, FileStore, MemoryStore, Report, RunningBot, Source, StopHandle, Trigger},
};
use tokio::sync::Semaphore;
use uuid::Uuid;
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{method, path},
};

const WAIT: Duration = Duration::from_secs(10);

fn start_time() -> DateTime<Utc> {
    "2026-12-01T10:00:00+00:00".parse().unwrap()
}

/// Message `n` from `from`: to alice when `direct`, else in the room.
fn message(n: u128, from: &str, direct: bool, content: &str) -> Value {
    let time = start_time() + TimeDelta::milliseconds(n as i64);
    json!({
        "id": Uuid::from_u128(n).to_string(),
        "from_user_id": BOB_ID, "from_username": from,
        "from_user_logo": null, "from_user_emoji": null, "from_user_bot": false,
        "to_user_id": if direct { json!(ALICE_ID) } else { json!(null) },
        "to_username": if direct { json!("alice") } else { json!(null) },
        "content": content,
        "message_type": if direct { "direct" } else { "room" },
        "description": "",
        "timestamp": time.to_rfc3339(),
    })
}

/// How the mock answers the next `POST /messages`.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// 201 with the stored message.
    Ok,
    /// The text/plain 500 of a failed publish, after storing the message.
    StoredThen500,
    /// A connection-level failure before storing: a 500 without storing.
    NotStored500,
    /// 429 with `Retry-After: 1`, not stored.
    RateLimited,
}

struct Rest {
    server: MockServer,
    direct: Arc<Mutex<Vec<Value>>>,
    /// Bodies of every `POST /messages`, in order.
    posts: Arc<Mutex<Vec<Value>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

impl Rest {
    async fn new() -> Self {
        let server = server().await;
        Mock::given(method("GET"))
            .and(path("/users/me"))
            .respond_with(json_response(200, profile()))
            .mount(&server)
            .await;
        let room = Arc::new(Mutex::new(Vec::new()));
        let direct = Arc::new(Mutex::new(Vec::new()));
        for (route, list) in [("/messages", &room), ("/messages/direct", &direct)] {
            Mock::given(method("GET"))
                .and(path(route))
                .respond_with(Pages::over(list.clone()))
                .mount(&server)
                .await;
        }
        Mock::given(method("POST"))
            .and(path("/typing"))
            .respond_with(json_response(
                200,
                json!({"status": "typing indicator sent", "to": "room"}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path("/users/me/webhook"))
            .respond_with(json_response(
                200,
                json!({"message": "Webhook URL updated", "webhook_url": "x"}),
            ))
            .mount(&server)
            .await;
        let posts = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let (p, s, r, d) = (posts.clone(), script.clone(), room.clone(), direct.clone());
        let counter = Arc::new(Mutex::new(1_000u128));
        Mock::given(method("POST"))
            .and(path("/messages"))
            .respond_with(move |req: &Request| {
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                p.lock().unwrap().push(body.clone());
                let behaviour = s.lock().unwrap().pop_front().unwrap_or(Answer::Ok);
                let mut n = counter.lock().unwrap();
                *n += 1;
                let to = body["to_username"].as_str();
                let mut stored =
                    message(*n, "alice", to.is_some(), body["content"].as_str().unwrap());
                stored["timestamp"] = json!(Utc::now().to_rfc3339());
                stored["to_username"] = json!(to);
                let store = |m: Value| {
                    let list = if to.is_some() { &d } else { &r };
                    list.lock().unwrap().insert(0, m);
                };
                match behaviour {
                    Answer::Ok => {
                        store(stored.clone());
                        json_response(201, stored)
                    }
                    Answer::StoredThen500 => {
                        store(stored);
                        ResponseTemplate::new(500).set_body_string("Internal Server Error")
                    }
                    Answer::NotStored500 => {
                        ResponseTemplate::new(500).set_body_string("Internal Server Error")
                    }
                    Answer::RateLimited => json_response(429, json!({"detail": "slow down"}))
                        .insert_header("retry-after", "1"),
                }
            })
            .mount(&server)
            .await;
        Self {
            server,
            direct,
            posts,
            script,
        }
    }

    fn bot(&self) -> Bot {
        Bot::new(client(&self.server))
            .handle_signals(false)
            .store(MemoryStore)
    }

    fn posted(&self) -> Vec<Value> {
        self.posts.lock().unwrap().clone()
    }
}

/// Posts `body` to `url` as the server does; the status and body text.
async fn deliver(url: &str, body: &Value) -> (u16, String) {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let response = HTTP
        .get_or_init(reqwest::Client::new)
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn start(bot: Bot) -> (RunningBot, String, StopHandle) {
    let running = bot.start(Source::webhook("127.0.0.1:0")).await.unwrap();
    let url = running.webhook_url().unwrap();
    let stop = running.stop_handle();
    (running, url, stop)
}

async fn stop(running: RunningBot, stop: StopHandle) -> Report {
    stop.stop();
    tokio::time::timeout(WAIT * 4, running.wait())
        .await
        .expect("the bot stops")
        .expect("a clean stop")
}

/// Waits until `check` holds (polling), or fails the test.
async fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

type Seen = Arc<Mutex<Vec<String>>>;

fn recorder() -> Seen {
    Arc::new(Mutex::new(Vec::new()))
}

#[tokio::test]
async fn each_kind_of_message_runs_the_most_specific_handler() {
    let rest = Rest::new().await;
    let seen = recorder();
    let tag = |label: &'static str, seen: &Seen| {
        let seen = seen.clone();
        move |cx: Context| {
            let seen = seen.clone();
            async move {
                let args = match cx.trigger() {
                    Trigger::Command { name, args } => format!("{name}({args})"),
                    _ => cx.args().to_owned(),
                };
                seen.lock().unwrap().push(format!("{label}:{args}"));
                Ok(())
            }
        }
    };
    let bot = rest
        .bot()
        .on_direct(tag("direct", &seen))
        .on_mention(tag("mention", &seen))
        .on_command("roll", tag("command", &seen))
        .on_message(tag("any", &seen));
    let (running, url, handle) = start(bot).await;
    let cases = [
        message(1, "bob", true, "hi there"),
        message(2, "carol", false, "@alice: what's up"),
        message(3, "dave", false, "/roll 2d6"),
        message(4, "erin", true, "/ROLL d20"),
        message(5, "frank", false, "@Alice /roll 3d4"),
        message(6, "gus", false, "just chatting with me@alice.com"),
        message(7, "alice", false, "@alice my own message"),
        message(8, "hal", false, "/unknown thing"),
    ];
    for case in &cases {
        assert_eq!(deliver(&url, case).await.0, 200);
    }
    eventually("7 handlers", || seen.lock().unwrap().len() == 7).await;
    let report = stop(running, handle).await;
    let mut got = seen.lock().unwrap().clone();
    got.sort();
    assert_eq!(
        got,
        [
            "any:/unknown thing",
            "any:just chatting with me@alice.com",
            "command:roll(2d6)",
            "command:roll(3d4)",
            "command:roll(d20)",
            "direct:hi there",
            "mention:what's up",
        ]
    );
    assert_eq!(report.handled, 7);
}

#[tokio::test]
async fn a_delivery_is_answered_before_its_handler_runs_and_a_retry_is_not_handled_again() {
    let rest = Rest::new().await;
    let gate = Arc::new(Semaphore::new(0));
    let runs = recorder();
    let (g, r) = (gate.clone(), runs.clone());
    let bot = rest.bot().on_direct(move |cx: Context| {
        let (gate, runs) = (g.clone(), r.clone());
        async move {
            runs.lock().unwrap().push(cx.text().to_owned());
            // Stands for a model call that outlasts the server's 10 s.
            let _ = gate.acquire().await;
            Ok(())
        }
    });
    let (running, url, handle) = start(bot).await;
    let body = message(1, "bob", true, "slow question");
    let (status, text) = deliver(&url, &body).await;
    assert_eq!((status, text.as_str()), (200, r#"{"status":"accepted"}"#));
    eventually("the handler to start", || runs.lock().unwrap().len() == 1).await;
    // The server's retries (it never saw an answer in time, say).
    for _ in 0..2 {
        let (status, text) = deliver(&url, &body).await;
        assert_eq!((status, text.as_str()), (200, r#"{"status":"repeat"}"#));
    }
    gate.add_permits(1);
    let report = stop(running, handle).await;
    assert_eq!(*runs.lock().unwrap(), ["slow question"]);
    assert_eq!((report.handled, report.repeats), (1, 2));
    let stats = report.webhook.unwrap();
    assert_eq!((stats.accepted, stats.repeats, stats.rejected), (1, 2, 0));
}

#[tokio::test]
async fn every_malformed_request_gets_its_4xx_and_the_receiver_goes_on() {
    let rest = Rest::new().await;
    let runs = recorder();
    let r = runs.clone();
    let bot = rest.bot().on_message(move |cx: Context| {
        let runs = r.clone();
        async move {
            runs.lock().unwrap().push(cx.text().to_owned());
            Ok(())
        }
    });
    let running = bot
        .start(Source::webhook("127.0.0.1:0").path("/hooks/s3cret"))
        .await
        .unwrap();
    let url = running.webhook_url().unwrap();
    assert!(url.ends_with("/hooks/s3cret"), "{url}");
    let base = url.trim_end_matches("/hooks/s3cret").to_owned();
    let http = reqwest::Client::new();
    let good = message(1, "bob", false, "fine").to_string();
    let json = "application/json";
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            http.post(format!("{base}/"))
                .header("content-type", json)
                .body(good.clone()),
            404,
            "Not Found",
        ),
        (
            http.post(format!("{base}/hooks/other"))
                .header("content-type", json)
                .body(good.clone()),
            404,
            "Not Found",
        ),
        (http.get(&url), 405, "GET is not allowed"),
        (
            http.put(&url)
                .header("content-type", json)
                .body(good.clone()),
            405,
            "PUT is not allowed",
        ),
        (
            http.post(&url).body(good.clone()),
            415,
            "expected Content-Type: application/json",
        ),
        (
            http.post(&url)
                .header("content-type", "text/plain")
                .body(good.clone()),
            415,
            "text/plain",
        ),
        (
            http.post(&url)
                .header("content-type", json)
                .body(vec![b' '; 300 * 1024]),
            413,
            "over the limit",
        ),
        (
            http.post(&url)
                .header("content-type", json)
                .body("{\"id\": "),
            400,
            "not JSON",
        ),
        (
            http.post(&url)
                .header("content-type", json)
                .body("\"a string\""),
            422,
            "expected a JSON object",
        ),
        (
            http.post(&url)
                .header("content-type", json)
                .body(r#"{"content": "x"}"#),
            422,
            "missing field",
        ),
        (
            http.post(&url)
                .header("content-type", json)
                .body(good.replace("2026-12-01", "yesterday")),
            422,
            "`timestamp`",
        ),
    ];
    for (request, status, says) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        if status == 405 {
            assert_eq!(response.headers()["allow"], "POST");
        }
        let body: Value = response.json().await.unwrap();
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{status}: {detail:?} lacks {says:?}");
    }
    let response = http
        .post(&url)
        .header("content-type", json)
        .body(good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    eventually("the good delivery", || runs.lock().unwrap().len() == 1).await;
    let handle = running.stop_handle();
    let report = stop(running, handle).await;
    assert_eq!(report.webhook.unwrap().rejected, 11);
    assert_eq!(*runs.lock().unwrap(), ["fine"]);
}

#[tokio::test]
async fn one_senders_messages_run_in_order_while_a_slow_one_blocks_nobody_else() {
    let rest = Rest::new().await;
    let gate = Arc::new(Semaphore::new(0));
    let seen = recorder();
    let (g, s) = (gate.clone(), seen.clone());
    let bot = rest.bot().concurrency(4).on_direct(move |cx: Context| {
        let (gate, seen) = (g.clone(), s.clone());
        async move {
            if cx.text() == "bob 1" {
                let _ = gate.acquire().await;
            }
            seen.lock().unwrap().push(cx.text().to_owned());
            Ok(())
        }
    });
    let (running, url, handle) = start(bot).await;
    for (n, text) in [(1, "bob 1"), (2, "bob 2"), (3, "bob 3")] {
        deliver(&url, &message(n, "bob", true, text)).await;
    }
    for (n, from) in [(4, "carol"), (5, "dave")] {
        deliver(&url, &message(n, from, true, from)).await;
    }
    eventually("carol and dave", || seen.lock().unwrap().len() == 2).await;
    assert_eq!(
        *seen.lock().unwrap(),
        ["carol", "dave"],
        "bob 2 waits for bob 1"
    );
    gate.add_permits(1);
    eventually("all five", || seen.lock().unwrap().len() == 5).await;
    assert_eq!(seen.lock().unwrap()[2..], ["bob 1", "bob 2", "bob 3"]);
    stop(running, handle).await;
}

#[tokio::test]
async fn at_most_the_concurrency_limit_of_handlers_run_at_once() {
    let rest = Rest::new().await;
    let gate = Arc::new(Semaphore::new(0));
    // (running now, most at once, finished)
    let counts = Arc::new(Mutex::new((0usize, 0usize, 0usize)));
    let (g, c) = (gate.clone(), counts.clone());
    let bot = rest.bot().concurrency(3).on_direct(move |_cx: Context| {
        let (gate, counts) = (g.clone(), c.clone());
        async move {
            {
                let mut n = counts.lock().unwrap();
                n.0 += 1;
                n.1 = n.1.max(n.0);
            }
            let _ = gate.acquire().await;
            let mut n = counts.lock().unwrap();
            n.0 -= 1;
            n.2 += 1;
            Ok(())
        }
    });
    let (running, url, handle) = start(bot).await;
    for n in 0..12 {
        deliver(&url, &message(n + 1, &format!("user{n}"), true, "hi")).await;
    }
    eventually("three running", || counts.lock().unwrap().0 == 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(counts.lock().unwrap().0, 3, "no fourth starts");
    gate.add_permits(12);
    eventually("twelve handled", || counts.lock().unwrap().2 == 12).await;
    let report = stop(running, handle).await;
    assert_eq!(report.handled, 12);
    assert_eq!(counts.lock().unwrap().1, 3);
}

#[tokio::test]
async fn replies_go_where_the_message_came_and_typing_too() {
    let rest = Rest::new().await;
    let answer = |cx: Context| async move {
        cx.typing().await?;
        cx.reply(&format!("re: {}", cx.args())).await?;
        if cx.is_direct() {
            cx.reply_in_room("and in the room").await?;
            return Ok(());
        }
        cx.reply_direct("and privately").await?;
        Ok(())
    };
    let bot = rest.bot().on_direct(answer).on_mention(answer);
    let (running, url, handle) = start(bot).await;
    deliver(&url, &message(1, "bob", true, "in private")).await;
    eventually("two replies", || rest.posted().len() == 2).await;
    deliver(&url, &message(2, "carol", false, "@alice in public")).await;
    eventually("four replies", || rest.posted().len() == 4).await;
    stop(running, handle).await;
    assert_eq!(
        rest.posted(),
        [
            json!({"content": "re: in private", "to_username": "bob"}),
            json!({"content": "and in the room"}),
            json!({"content": "re: in public"}),
            json!({"content": "and privately", "to_username": "carol"}),
        ]
    );
    let requests = rest.server.received_requests().await.unwrap();
    let typing: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path() == "/typing")
        .map(|r| r.url.query().unwrap_or("").to_owned())
        .collect();
    assert_eq!(typing, ["to_username=bob", ""]);
}

/// The replies the handler got back, for the send tests.
async fn one_reply_with(script: &[Answer]) -> (Rest, Vec<Result<String, String>>) {
    let rest = Rest::new().await;
    rest.script.lock().unwrap().extend(script.iter().copied());
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let o = outcomes.clone();
    let bot = rest.bot().on_direct(move |cx: Context| {
        let o = o.clone();
        async move {
            let sent = cx.reply("the answer").await;
            o.lock()
                .unwrap()
                .push(sent.map(|m| m.content).map_err(|e| e.to_string()));
            Ok(())
        }
    });
    let (running, url, handle) = start(bot).await;
    deliver(&url, &message(1, "bob", true, "question")).await;
    eventually("the reply's outcome", || {
        outcomes.lock().unwrap().len() == 1
    })
    .await;
    stop(running, handle).await;
    let outcomes = outcomes.lock().unwrap().clone();
    (rest, outcomes)
}

#[tokio::test]
async fn a_reply_the_server_stored_before_failing_is_found_not_sent_again() {
    let (rest, outcomes) = one_reply_with(&[Answer::StoredThen500]).await;
    assert_eq!(outcomes, [Ok("the answer".to_owned())]);
    assert_eq!(rest.posted().len(), 1, "never sent twice");
    assert_eq!(rest.direct.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_reply_the_server_did_not_store_is_sent_again_once() {
    let (rest, outcomes) = one_reply_with(&[Answer::NotStored500]).await;
    assert_eq!(outcomes, [Ok("the answer".to_owned())]);
    assert_eq!(rest.posted().len(), 2);
    assert_eq!(rest.direct.lock().unwrap().len(), 1, "stored exactly once");
}

#[tokio::test]
async fn a_rate_limited_reply_waits_for_retry_after_and_goes_out() {
    let (rest, outcomes) = one_reply_with(&[Answer::RateLimited]).await;
    assert_eq!(outcomes, [Ok("the answer".to_owned())]);
    assert_eq!(rest.posted().len(), 2);
    assert_eq!(rest.direct.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_reply_that_keeps_failing_says_its_outcome_is_unknown() {
    let (rest, outcomes) = one_reply_with(&[
        Answer::NotStored500,
        Answer::NotStored500,
        Answer::NotStored500,
    ])
    .await;
    assert_eq!(outcomes.len(), 1);
    let error = outcomes[0].as_ref().unwrap_err();
    assert!(error.contains("500"), "{error}");
    assert_eq!(rest.posted().len(), 3);
}

#[tokio::test]
async fn two_bots_answering_each_other_stop_at_the_reply_budget() {
    let rest = Rest::new().await;
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let o = outcomes.clone();
    let bot = rest
        .bot()
        .reply_budget(3, Duration::from_secs(3600))
        .on_direct(move |cx: Context| {
            let o = o.clone();
            async move {
                let sent = cx.reply("ping").await;
                o.lock().unwrap().push(sent.err().map(|e| e.to_string()));
                Ok(())
            }
        });
    let (running, url, handle) = start(bot).await;
    for n in 1..=5 {
        deliver(&url, &message(n, "otherbot", true, "pong")).await;
    }
    deliver(&url, &message(6, "carol", true, "hi")).await;
    eventually("six outcomes", || outcomes.lock().unwrap().len() == 6).await;
    stop(running, handle).await;
    let outcomes = outcomes.lock().unwrap().clone();
    let refused: Vec<_> = outcomes.iter().flatten().collect();
    assert_eq!(refused.len(), 2, "{outcomes:?}");
    assert!(
        refused[0].contains("reply to otherbot not sent: 3 replies in 3600 s already"),
        "{}",
        refused[0]
    );
    let to: Vec<_> = rest
        .posted()
        .iter()
        .map(|p| p["to_username"].clone())
        .collect();
    assert_eq!(to.iter().filter(|t| *t == "otherbot").count(), 3);
    assert_eq!(
        to.iter().filter(|t| *t == "carol").count(),
        1,
        "others keep their budget"
    );
}

#[tokio::test]
async fn handler_errors_and_panics_are_counted_and_the_bot_goes_on() {
    let rest = Rest::new().await;
    let bot = rest.bot().on_direct(|cx: Context| async move {
        match cx.text() {
            "fail" => Err("the model is down".into()),
            "panic" => panic!("a bug in the handler"),
            _ => Ok(()),
        }
    });
    let (running, url, handle) = start(bot).await;
    for (n, text) in [(1, "fail"), (2, "panic"), (3, "fine")] {
        assert_eq!(deliver(&url, &message(n, "bob", true, text)).await.0, 200);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let report = stop(running, handle).await;
    assert_eq!((report.handled, report.failed), (1, 2));
}

fn temp_store(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tb-bot-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("alice.jsonl")
}

#[tokio::test]
async fn a_stop_mid_burst_then_a_restart_handles_each_message_exactly_once() {
    let rest = Rest::new().await;
    let store = temp_store("restart");
    let seen = recorder();
    let make = |seen: &Seen, slow: bool| {
        let seen = seen.clone();
        rest.bot()
            .store(FileStore::new(&store))
            .concurrency(2)
            .shutdown_deadline(Duration::from_secs(5))
            .on_direct(move |cx: Context| {
                let seen = seen.clone();
                async move {
                    if slow {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    seen.lock().unwrap().push(cx.text().to_owned());
                    Ok(())
                }
            })
    };
    let (running, url, handle) = start(make(&seen, true)).await;
    // A burst from two senders; the stop comes while most still wait.
    for n in 1..=20u128 {
        let from = if n % 2 == 0 { "bob" } else { "carol" };
        deliver(&url, &message(n, from, true, &format!("m{n}"))).await;
    }
    let first = stop(running, handle).await;
    assert!(first.left_pending > 0, "{first:?}");
    assert_eq!(first.handled as usize + first.left_pending, 20, "{first:?}");
    let handled_first = seen.lock().unwrap().len();
    assert_eq!(handled_first, first.handled as usize);

    // The second run handles what was left, and takes the server's late
    // retries of handled ones as repeats.
    let (running, url, handle) = start(make(&seen, false)).await;
    for n in 1..=20u128 {
        let from = if n % 2 == 0 { "bob" } else { "carol" };
        assert_eq!(
            deliver(&url, &message(n, from, true, &format!("m{n}")))
                .await
                .0,
            200
        );
    }
    eventually("all twenty", || seen.lock().unwrap().len() >= 20).await;
    let second = stop(running, handle).await;
    let mut all = seen.lock().unwrap().clone();
    all.sort_by_key(|m| m[1..].parse::<u32>().unwrap());
    let expected: Vec<String> = (1..=20).map(|n| format!("m{n}")).collect();
    assert_eq!(all, expected, "each exactly once");
    assert_eq!(second.repeats, 20);
    assert_eq!(second.left_pending, 0);
    let _ = std::fs::remove_dir_all(store.parent().unwrap());
}

#[tokio::test]
async fn a_handler_past_the_deadline_is_cancelled_and_never_rerun() {
    let rest = Rest::new().await;
    let store = temp_store("deadline");
    let runs = recorder();
    let make = |runs: &Seen| {
        let runs = runs.clone();
        rest.bot()
            .store(FileStore::new(&store))
            .shutdown_deadline(Duration::from_millis(100))
            .on_direct(move |cx: Context| {
                let runs = runs.clone();
                async move {
                    runs.lock().unwrap().push(cx.text().to_owned());
                    std::future::pending::<()>().await;
                    Ok(())
                }
            })
    };
    let (running, url, handle) = start(make(&runs)).await;
    deliver(&url, &message(1, "bob", true, "forever")).await;
    eventually("the handler to start", || runs.lock().unwrap().len() == 1).await;
    let first = stop(running, handle).await;
    assert_eq!(first.aborted, 1);
    // As after a crash: the handler started and never ended.
    let (running, url, handle) = start(make(&runs)).await;
    assert_eq!(
        deliver(&url, &message(1, "bob", true, "forever")).await.0,
        200
    );
    let second = stop(running, handle).await;
    assert_eq!(second.interrupted, [Uuid::from_u128(1)]);
    assert_eq!(second.repeats, 1);
    assert_eq!(runs.lock().unwrap().len(), 1, "not run again");
    let _ = std::fs::remove_dir_all(store.parent().unwrap());
}

#[tokio::test]
async fn a_restart_fills_what_came_while_it_was_down_from_the_history() {
    let rest = Rest::new().await;
    let store = temp_store("gap");
    let seen = recorder();
    let make = |seen: &Seen| {
        let seen = seen.clone();
        rest.bot()
            .store(FileStore::new(&store))
            .on_direct(move |cx: Context| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(cx.text().to_owned());
                    Ok(())
                }
            })
    };
    let (running, url, handle) = start(make(&seen)).await;
    let first = message(1, "bob", true, "before");
    rest.direct.lock().unwrap().insert(0, first.clone());
    deliver(&url, &first).await;
    eventually("the first", || seen.lock().unwrap().len() == 1).await;
    stop(running, handle).await;
    // While it is down, the server stores two more (its deliveries fail).
    for (n, text) in [(2, "while down 1"), (3, "while down 2")] {
        rest.direct
            .lock()
            .unwrap()
            .insert(0, message(n, "bob", true, text));
    }
    // Not for us: a direct message alice sent.
    let mut own = message(4, "alice", true, "alice to bob");
    own["to_username"] = json!("bob");
    rest.direct.lock().unwrap().insert(0, own);
    let (running, _url, handle) = start(make(&seen)).await;
    eventually("the gap", || seen.lock().unwrap().len() == 3).await;
    stop(running, handle).await;
    assert_eq!(
        *seen.lock().unwrap(),
        ["before", "while down 1", "while down 2"]
    );
    let _ = std::fs::remove_dir_all(store.parent().unwrap());
}

#[tokio::test]
async fn register_local_sets_the_webhook_url_to_the_receiver() {
    let rest = Rest::new().await;
    let bot = rest.bot().on_direct(|_cx: Context| async { Ok(()) });
    let running = bot
        .start(
            Source::webhook("127.0.0.1:0")
                .path("/hook")
                .register_local(),
        )
        .await
        .unwrap();
    let url = running.webhook_url().unwrap();
    let handle = running.stop_handle();
    stop(running, handle).await;
    let requests = rest.server.received_requests().await.unwrap();
    let set: Vec<Value> = requests
        .iter()
        .filter(|r| r.url.path() == "/users/me/webhook")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(set, [json!({"webhook_url": url})]);
}

#[tokio::test]
async fn a_wrong_key_or_a_taken_port_fails_the_start_with_a_clear_error() {
    let rest = Rest::new().await;
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = holder.local_addr().unwrap().to_string();
    let error = rest
        .bot()
        .on_direct(|_cx: Context| async { Ok(()) })
        .start(Source::webhook(addr.clone()))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot listen for webhooks on {addr}: ")),
        "{error}"
    );
    let unauthorised = typed_server().await;
    route!(
        unauthorised,
        get_my_profile,
        401,
        json!({"detail": "Invalid or missing authentication credentials"})
    );
    let error = Bot::new(client(&unauthorised))
        .store(MemoryStore)
        .start(Source::webhook("127.0.0.1:0"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Authentication(_)), "{error:?}");
}
