//! Real-time events against a fake Centrifugo (crate `fake-centrifugo`,
//! protocol v2 JSON on loopback) and a mock REST server for tokens and
//! history backfill. No real Centrifugo runs here.
//!
//! The REST side stays on wiremock: every token request gets a new token
//! (tests tell which one was used), history pages are served from lists the
//! test changes as it publishes ([`Pages`]), and gap-fill tests count the
//! history requests received. The typed mocks answer a route the same way
//! every time and keep no request record.

mod common;

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use common::*;
use fake_centrifugo::{FakeCentrifugo, Mode, token_for};
use serde_json::{Value, json};
use token_bowl_chat::realtime::{Event, EventStream, Handlers, Position, Realtime};
use uuid::Uuid;
use wiremock::{Mock, MockServer, Request, matchers::path};

const WAIT: Duration = Duration::from_secs(10);

thread_local! {
    /// When this test's messages start: the first time a test asks, to the
    /// second, as the server stamps messages with the present.
    static START: DateTime<Utc> = Utc::now().with_nanosecond(0).unwrap();
}

fn start() -> DateTime<Utc> {
    START.with(|s| *s)
}

/// Room message `n` from `from`, `n` milliseconds after `start()`.
fn numbered(n: u32, from: &str) -> Value {
    let mut m = room_message();
    m["id"] = json!(Uuid::from_u128(u128::from(n) + 1).to_string());
    m["from_username"] = json!(from);
    m["content"] = json!(format!("message {n}"));
    m["timestamp"] = json!((start() + TimeDelta::milliseconds(i64::from(n))).to_rfc3339());
    m
}

/// Direct message `n` from `from` to alice, `n` milliseconds after `start()`.
fn numbered_dm(n: u32, from: &str) -> Value {
    let mut m = numbered(n, from);
    m["message_type"] = json!("direct");
    m["to_username"] = json!("alice");
    m["to_user_id"] = json!(ALICE_ID);
    m
}

struct Setup {
    fake: FakeCentrifugo,
    rest: MockServer,
    /// The REST room history, newest first.
    store: Arc<Mutex<Vec<Value>>>,
    /// The REST direct-message history, newest first.
    direct: Arc<Mutex<Vec<Value>>>,
    tokens_issued: Arc<AtomicUsize>,
}

impl Setup {
    async fn new(history_size: usize) -> Self {
        Self::with_mode(Mode::Recovery, history_size).await
    }

    async fn with_mode(mode: Mode, history_size: usize) -> Self {
        let fake = FakeCentrifugo::start_with(mode, history_size).await;
        let rest = server().await;
        let tokens_issued = Arc::new(AtomicUsize::new(0));
        let counter = tokens_issued.clone();
        let url = fake.url();
        Mock::given(path("/centrifugo/connection-token"))
            .respond_with(move |_: &Request| {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                // Distinct tokens, so a test can tell which one was used.
                let token = format!("{}{n}", token_for("alice", &["user:alice", "room:main"]));
                json_response(
                    200,
                    json!({"token": token, "url": url,
                    "channels": ["user:alice", "room:main"], "user": "alice"}),
                )
            })
            .mount(&rest)
            .await;
        let store = Arc::new(Mutex::new(Vec::new()));
        let direct = Arc::new(Mutex::new(Vec::new()));
        for (route, list) in [("/messages", &store), ("/messages/direct", &direct)] {
            Mock::given(path(route))
                .respond_with(Pages::over(list.clone()))
                .mount(&rest)
                .await;
        }
        Self {
            fake,
            rest,
            store,
            direct,
            tokens_issued,
        }
    }

    /// Stores a direct message to alice and publishes it on her channel.
    fn post_direct(&self, message: Value) {
        self.direct.lock().unwrap().insert(0, message.clone());
        self.fake.publish("user:alice", message);
    }

    /// REST history requests so far (room, direct).
    async fn history_requests(&self) -> (usize, usize) {
        let requests = self.rest.received_requests().await.unwrap();
        let count = |route: &str| requests.iter().filter(|r| r.url.path() == route).count();
        (count("/messages"), count("/messages/direct"))
    }

    fn builder(&self) -> token_bowl_chat::realtime::RealtimeBuilder {
        client(&self.rest)
            .realtime()
            .use_env(false)
            .reconnect_delay(Duration::from_millis(5), Duration::from_millis(40))
    }

    async fn connect(&self) -> (Realtime, EventStream) {
        let live = self.builder().connect().await.unwrap();
        let mut events = live.events();
        assert_eq!(next(&mut events).await, Event::Connected);
        (live, events)
    }

    /// Stores `message` in the REST history and publishes it on the room.
    fn post(&self, message: Value) {
        self.store.lock().unwrap().insert(0, message.clone());
        self.fake.publish("room:main", message);
    }
}

async fn next(events: &mut EventStream) -> Event {
    tokio::time::timeout(WAIT, events.next())
        .await
        .expect("an event in time")
        .expect("the stream goes on")
}

/// The next message event, skipping connection events.
async fn next_message(events: &mut EventStream) -> String {
    loop {
        match next(events).await {
            Event::Message(m) => return m.content,
            Event::Connected | Event::Disconnected(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn each_payload_kind_arrives_as_its_event() {
    let setup = Setup::new(100).await;
    let (_live, mut events) = setup.connect().await;
    let published = include_str!("data/centrifugo-publishes.jsonl");
    for line in published.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        // The fake subscribed us to alice's channels; deliver there.
        let channel = if record["channel"] == "room:main" {
            "room:main"
        } else {
            "user:alice"
        };
        setup.fake.publish(channel, record["data"].clone());
    }
    setup
        .fake
        .publish("user:alice", json!({"type": "reaction", "emoji": "🏈"}));
    assert!(matches!(next(&mut events).await, Event::Message(m) if m.content == "kickoff in ten"));
    assert!(
        matches!(next(&mut events).await, Event::Message(m) if m.to_username.as_deref() == Some("dave"))
    );
    assert!(matches!(next(&mut events).await, Event::ReadReceipt(r) if r.read_by == "dave"));
    assert!(matches!(next(&mut events).await, Event::UnreadCount(u) if u.total == 1));
    assert!(matches!(next(&mut events).await, Event::Typing(t) if t.to.as_deref() == Some("dave")));
    assert!(matches!(next(&mut events).await, Event::Typing(t) if t.to.is_none()));
    let unknown = next(&mut events).await;
    let Event::Unknown { channel, data } = &unknown else {
        panic!()
    };
    let data: Value = serde_json::from_str(data).unwrap();
    assert_eq!(
        (channel.as_str(), &data["emoji"]),
        ("user:alice", &json!("🏈"))
    );
    // It serialises back with the payload as JSON, not as a string.
    assert_eq!(
        serde_json::to_value(&unknown).unwrap(),
        json!({"event": "unknown", "channel": "user:alice",
               "data": {"type": "reaction", "emoji": "🏈"}})
    );
}

#[tokio::test]
async fn batched_frames_are_all_processed() {
    let setup = Setup::new(100).await;
    let (_live, mut events) = setup.connect().await;
    let batch: Vec<(&str, Value)> = (0..5).map(|n| ("room:main", numbered(n, "bob"))).collect();
    setup.fake.publish_batch(&batch);
    for n in 0..5 {
        assert_eq!(next_message(&mut events).await, format!("message {n}"));
    }
}

#[tokio::test]
async fn pings_are_answered_and_the_connection_stays() {
    let setup = Setup::new(100).await;
    setup.fake.set_ping_interval(1);
    let (_live, mut events) = setup.connect().await;
    assert!(
        setup.fake.wait_for(WAIT, |f| f.pongs() >= 2).await,
        "two pongs"
    );
    // Unanswered pings would have closed it (code 3012) and reconnected.
    assert_eq!(setup.fake.connects().len(), 1);
    setup.post(numbered(1, "bob"));
    assert_eq!(next_message(&mut events).await, "message 1");
}

#[tokio::test]
async fn a_clean_close_is_noticed_and_reconnects() {
    for code in [1000, 1001] {
        let setup = Setup::new(100).await;
        let (_live, mut events) = setup.connect().await;
        setup.fake.close_connections(code, "bye");
        let Event::Disconnected(d) = next(&mut events).await else {
            panic!()
        };
        assert!(d.will_reconnect, "{code}: {d:?}");
        assert_eq!(next(&mut events).await, Event::Connected);
        assert_eq!(setup.fake.connects().len(), 2);
    }
}

#[tokio::test]
async fn a_dropped_connection_is_noticed_and_reconnects() {
    let setup = Setup::new(100).await;
    let (_live, mut events) = setup.connect().await;
    setup.fake.cut_connections();
    let Event::Disconnected(d) = next(&mut events).await else {
        panic!()
    };
    assert!(d.will_reconnect, "{d:?}");
    assert_eq!(next(&mut events).await, Event::Connected);
}

#[tokio::test]
async fn a_no_reconnect_code_stops() {
    let setup = Setup::new(100).await;
    let (live, mut events) = setup.connect().await;
    setup.fake.close_connections(3501, "go away");
    let Event::Disconnected(d) = next(&mut events).await else {
        panic!()
    };
    assert_eq!((d.code, d.will_reconnect), (3501, false), "{d:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(setup.fake.connects().len(), 1, "no reconnect");
    assert_eq!(
        live.state(),
        token_bowl_chat::realtime::ConnectionState::Disconnected
    );
}

#[tokio::test]
async fn an_expired_token_is_replaced_on_reconnect() {
    let setup = Setup::new(100).await;
    let (_live, mut events) = setup.connect().await;
    setup.fake.reject_next_tokens(1);
    setup.fake.cut_connections();
    loop {
        if let Event::Connected = next(&mut events).await {
            break;
        }
    }
    let connects = setup.fake.connects();
    assert!(connects.len() >= 3, "{connects:?}");
    assert!(setup.tokens_issued.load(Ordering::SeqCst) >= 2);
    let last = &connects.last().unwrap().token;
    assert!(
        last.ends_with('2'),
        "connected with the fresh token, not the first: {last}"
    );
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    let setup = Setup::new(100).await;
    setup.fake.set_token_ttl(Some(1));
    let (_live, _events) = setup.connect().await;
    assert!(
        setup
            .fake
            .wait_for(WAIT, |f| !f.refreshes().is_empty())
            .await
    );
    assert!(setup.tokens_issued.load(Ordering::SeqCst) >= 2);
    assert!(setup.fake.refreshes()[0].ends_with('2'));
}

/// What a chaos run does to the server besides cutting connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Cuts and clean closes only.
    Cuts,
    /// Also forgets the room's history before each cut (Centrifugo's TTL).
    ExpireHistory,
    /// Each cut is a server restart: a new epoch, nothing to recover from.
    Restart,
}

/// Publishes `count` messages (every fifth a direct message to alice) and
/// cuts, cleanly closes or restarts the server at random points (fixed
/// seed), then checks every message arrives exactly once, in order on its
/// channel, and counts the REST calls that filled the gaps.
async fn chaos(mode: Mode, fault: Fault, seed: u64, count: u32) {
    let setup = Setup::with_mode(mode, 1000).await;
    let (live, mut events) = setup.connect().await;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut cuts = 0;
    for n in 0..count {
        if rng.u8(..) < 20 {
            cuts += 1;
            match fault {
                Fault::Restart => setup.fake.restart(),
                Fault::ExpireHistory => {
                    setup.fake.expire_history("room:main");
                    setup.fake.expire_history("user:alice");
                    setup.fake.cut_connections();
                }
                Fault::Cuts if rng.bool() => setup.fake.cut_connections(),
                Fault::Cuts => setup.fake.close_connections(1000, "restart"),
            }
        }
        if n % 5 == 4 {
            setup.post_direct(numbered_dm(n, "bob"));
        } else {
            setup.post(numbered(n, "bob"));
        }
        if rng.u8(..) < 60 {
            tokio::time::sleep(Duration::from_millis(rng.u64(1..15))).await;
        }
    }
    assert!(cuts >= 3, "the seed cuts the connection several times");
    let (mut room, mut direct) = (Vec::new(), Vec::new());
    while room.len() + direct.len() < count as usize {
        let got = tokio::time::timeout(WAIT, events.next()).await;
        let Ok(Some(got)) = got else {
            panic!(
                "{mode:?} {fault:?} seed {seed}: stuck after {} room (last {:?}) and {} direct (last {:?})",
                room.len(),
                room.last(),
                direct.len(),
                direct.last()
            );
        };
        match got {
            Event::Message(m) if m.to_username.is_some() => direct.push(m.content),
            Event::Message(m) => room.push(m.content),
            Event::Connected | Event::Disconnected(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let expect = |direct: bool| -> Vec<String> {
        (0..count)
            .filter(|n| (n % 5 == 4) == direct)
            .map(|n| format!("message {n}"))
            .collect()
    };
    assert_eq!(room, expect(false), "{mode:?} {fault:?} seed {seed}: room");
    assert_eq!(
        direct,
        expect(true),
        "{mode:?} {fault:?} seed {seed}: direct"
    );
    // Nothing more: no duplicate is pending. (The marker goes out once the
    // client is connected again: a typing event published during a gap is
    // not recoverable from REST.)
    assert!(
        setup
            .fake
            .wait_for(WAIT, |f| f.connection_count() == 1)
            .await
    );
    setup.fake.publish(
        "room:main",
        json!({"type": "typing", "username": "bob", "to_username": null,
        "timestamp": "2026-11-22T02:00:00+00:00"}),
    );
    loop {
        match next(&mut events).await {
            Event::Typing(_) => break,
            Event::Message(m) => panic!("duplicate or stray message {}", m.content),
            _ => {}
        }
    }
    let reconnects = setup.fake.connects().len() - 1;
    assert!(
        reconnects >= 3,
        "it reconnected several times: {reconnects}"
    );
    let (room_calls, direct_calls) = setup.history_requests().await;
    eprintln!(
        "chaos {mode:?} {fault:?} seed {seed}: {count} messages, {cuts} cuts, \
         {reconnects} reconnects, REST history calls: {room_calls} room + {direct_calls} direct"
    );
    if mode == Mode::Recovery && fault == Fault::Cuts {
        assert_eq!(
            (room_calls, direct_calls),
            (0, 0),
            "recovery alone filled the gaps"
        );
    } else if fault == Fault::ExpireHistory {
        // A reconnect with nothing published since the last offset still
        // recovers (an empty recovery) and needs no REST call.
        assert!(room_calls > 0, "the gaps were filled over REST");
    } else {
        // At least one page per channel and reconnect; more only when a
        // gap holds over 100 messages.
        let most = reconnects * (1 + count as usize / 100);
        assert!(
            (reconnects..=most).contains(&room_calls),
            "{room_calls} room backfills for {reconnects} reconnects"
        );
        assert!(
            (reconnects..=most).contains(&direct_calls),
            "{direct_calls} direct backfills for {reconnects} reconnects"
        );
    }
    drop(live);
}

const SEEDS: [u64; 3] = [7, 11, 23];

#[tokio::test]
async fn chaos_with_recovery() {
    for seed in SEEDS {
        chaos(Mode::Recovery, Fault::Cuts, seed, 150).await;
    }
}

#[tokio::test]
async fn chaos_with_recovery_and_expiring_history() {
    for seed in SEEDS {
        chaos(Mode::Recovery, Fault::ExpireHistory, seed, 150).await;
    }
}

#[tokio::test]
async fn chaos_with_recovery_and_restarts_that_change_the_epoch() {
    for seed in SEEDS {
        chaos(Mode::Recovery, Fault::Restart, seed, 150).await;
    }
}

#[tokio::test]
async fn chaos_with_history_but_no_recovery() {
    for seed in SEEDS {
        chaos(Mode::HistoryNoRecovery, Fault::Cuts, seed, 150).await;
    }
}

#[tokio::test]
async fn chaos_without_history() {
    for seed in SEEDS {
        chaos(Mode::NoHistory, Fault::Cuts, seed, 150).await;
    }
}

const SCALE_SEEDS: [u64; 10] = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];

/// 1,000 messages and 10 seeds through recovery, and through expired
/// history (REST backfill), and the two settings without recovery. Slow
/// (a few minutes): `.ci/run` runs it with `--ignored`.
#[tokio::test]
#[ignore = "minutes long; run by .ci/run"]
async fn chaos_at_scale() {
    for (mode, fault) in [
        (Mode::Recovery, Fault::Cuts),
        (Mode::Recovery, Fault::ExpireHistory),
        (Mode::HistoryNoRecovery, Fault::Cuts),
        (Mode::NoHistory, Fault::Cuts),
    ] {
        for seed in SCALE_SEEDS {
            chaos(mode, fault, seed, 1000).await;
        }
    }
}

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Two minutes of traffic (about 40 messages a second, room and direct)
/// with a cut every 100–500 ms, against the likely production setting
/// (history, no recovery), the REST history keeping the newest 100 as the
/// real server does. Every message arrives once and in order, and memory at
/// the end stays within a fixed bound of memory after the warm-up.
#[tokio::test]
#[ignore = "two minutes long; run by .ci/run"]
async fn soak() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let setup = Setup::with_mode(Mode::HistoryNoRecovery, 100).await;
    let (live, mut events) = setup.connect().await;
    let received = Arc::new(Mutex::new((0u32, 0u32)));
    let sink = received.clone();
    let reader = tokio::spawn(async move {
        let (mut room_next, mut direct_next) = (0u32, 1u32);
        while let Some(event) = events.next().await {
            if let Event::Message(m) = event {
                let n: u32 = m.content.trim_start_matches("message ").parse().unwrap();
                let mut r = sink.lock().unwrap();
                if m.to_username.is_some() {
                    assert_eq!(n, direct_next, "direct messages in order, once");
                    direct_next += 2;
                    r.1 += 1;
                } else {
                    assert_eq!(n, room_next, "room messages in order, once");
                    room_next += 2;
                    r.0 += 1;
                }
            }
        }
    });
    let mut rng = fastrand::Rng::with_seed(4242);
    let started = std::time::Instant::now();
    let mut next_cut = started + Duration::from_millis(rng.u64(100..500));
    let (mut n, mut cuts) = (0u32, 0u32);
    let mut baseline = None;
    let trim = |list: &Arc<Mutex<Vec<Value>>>| list.lock().unwrap().truncate(100);
    while started.elapsed() < Duration::from_secs(seconds) {
        if n % 2 == 1 {
            setup.post_direct(numbered_dm(n, "bob"));
        } else {
            setup.post(numbered(n, "bob"));
        }
        trim(&setup.store);
        trim(&setup.direct);
        n += 1;
        if std::time::Instant::now() >= next_cut {
            setup.fake.cut_connections();
            cuts += 1;
            next_cut = std::time::Instant::now() + Duration::from_millis(rng.u64(100..500));
        }
        if baseline.is_none() && started.elapsed() > Duration::from_secs(seconds / 6) {
            baseline = Some(rss_kib());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // Everything published arrives.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let (room, direct) = *received.lock().unwrap();
        if room + direct == n {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{room} + {direct} of {n} arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let end = rss_kib();
    let start = baseline.unwrap();
    eprintln!(
        "soak: {seconds} s, {n} messages, {cuts} cuts, {} reconnects, RSS {start} KiB after warm-up, {end} KiB at the end",
        setup.fake.connects().len() - 1
    );
    assert!(cuts as u64 >= seconds * 2, "cut every 100-500 ms: {cuts}");
    assert!(
        end <= start + 16 * 1024,
        "memory grew from {start} KiB to {end} KiB"
    );
    drop(live);
    reader.abort();
}

/// Cuts the connection, publishes while no connection can be made, then
/// lets the client back in: what was published in between must arrive.
async fn gap_while_unreachable(mode: Mode) -> (usize, usize) {
    let setup = Setup::with_mode(mode, 100).await;
    let (_live, mut events) = setup.connect().await;
    setup.post(numbered(0, "bob"));
    assert_eq!(next_message(&mut events).await, "message 0");
    setup.fake.set_accepting(false);
    setup.fake.cut_connections();
    let Event::Disconnected(d) = next(&mut events).await else {
        panic!("{mode:?}: a disconnect first")
    };
    assert!(d.will_reconnect);
    setup.post(numbered(1, "bob"));
    setup.post_direct(numbered_dm(2, "bob"));
    setup.post(numbered(3, "bob"));
    setup.fake.set_accepting(true);
    assert_eq!(next_message(&mut events).await, "message 1", "{mode:?}");
    assert_eq!(next_message(&mut events).await, "message 3", "{mode:?}");
    assert_eq!(next_message(&mut events).await, "message 2", "{mode:?}");
    setup.post(numbered(4, "bob"));
    assert_eq!(
        next_message(&mut events).await,
        "message 4",
        "{mode:?}: no duplicate before it"
    );
    setup.history_requests().await
}

#[tokio::test]
async fn a_gap_is_filled_over_rest_when_the_server_keeps_history_but_does_not_recover() {
    assert_eq!(gap_while_unreachable(Mode::HistoryNoRecovery).await, (1, 1));
}

#[tokio::test]
async fn a_gap_is_filled_over_rest_when_the_server_keeps_no_history() {
    assert_eq!(gap_while_unreachable(Mode::NoHistory).await, (1, 1));
}

#[tokio::test]
async fn a_recovered_gap_makes_no_rest_call() {
    let setup = Setup::new(100).await;
    let (_live, mut events) = setup.connect().await;
    setup.fake.set_accepting(false);
    setup.fake.cut_connections();
    setup.post(numbered(1, "bob"));
    setup.post_direct(numbered_dm(2, "bob"));
    setup.fake.set_accepting(true);
    assert_eq!(next_message(&mut events).await, "message 1");
    assert_eq!(next_message(&mut events).await, "message 2");
    assert_eq!(setup.history_requests().await, (0, 0));
}

#[tokio::test]
async fn a_newer_message_on_one_channel_does_not_hide_a_gap_on_the_other() {
    let setup = Setup::with_mode(Mode::HistoryNoRecovery, 100).await;
    let (_live, mut events) = setup.connect().await;
    setup.post_direct(numbered_dm(0, "bob"));
    assert_eq!(next_message(&mut events).await, "message 0");
    setup.fake.set_accepting(false);
    setup.fake.cut_connections();
    // The direct message is older than the room message after it; the
    // room is filled first (channels come in name order).
    setup.post_direct(numbered_dm(1, "bob"));
    setup.post(numbered(2, "bob"));
    setup.fake.set_accepting(true);
    assert_eq!(next_message(&mut events).await, "message 2");
    assert_eq!(next_message(&mut events).await, "message 1");
}

#[tokio::test]
async fn recovery_is_requested_with_the_last_position() {
    let setup = Setup::new(100).await;
    let (_live, mut events) = setup.connect().await;
    setup.post(numbered(1, "bob"));
    setup.post(numbered(2, "bob"));
    next_message(&mut events).await;
    next_message(&mut events).await;
    setup.fake.cut_connections();
    assert!(setup.fake.wait_for(WAIT, |f| f.connects().len() == 2).await);
    let subs = &setup.fake.connects()[1].subs;
    assert_eq!(subs["room:main"]["recover"], true, "{subs}");
    assert_eq!(subs["room:main"]["offset"], 2, "{subs}");
}

#[tokio::test]
async fn resuming_from_a_saved_position_yields_exactly_what_came_after() {
    let setup = Setup::new(100).await;
    for n in 0..10 {
        setup.store.lock().unwrap().insert(0, numbered(n, "bob"));
    }
    let saved = Position {
        message_id: Some(Uuid::from_u128(5)),
        timestamp: Some(start() + TimeDelta::milliseconds(4)),
    };
    let live = setup.builder().resume_from(saved).connect().await.unwrap();
    let mut events = live.events();
    for n in 5..10 {
        assert_eq!(next_message(&mut events).await, format!("message {n}"));
    }
    setup.post(numbered(10, "bob"));
    assert_eq!(next_message(&mut events).await, "message 10");
    let position = live.position();
    assert_eq!(position.message_id, Some(Uuid::from_u128(11)));
    assert_eq!(
        position.timestamp,
        Some(start() + TimeDelta::milliseconds(10))
    );
}

#[tokio::test]
async fn own_messages_can_be_skipped() {
    let setup = Setup::new(100).await;
    let live = setup
        .builder()
        .skip_own_messages(true)
        .connect()
        .await
        .unwrap();
    let mut events = live.events();
    assert_eq!(next(&mut events).await, Event::Connected);
    setup.post(numbered(1, "alice"));
    setup.post(numbered(2, "bob"));
    assert_eq!(next_message(&mut events).await, "message 2");
    assert_eq!(
        live.position().message_id,
        Some(Uuid::from_u128(3)),
        "own messages still advance the position"
    );
}

#[tokio::test]
async fn callbacks_run_in_event_order_and_close_ends_the_run() {
    let setup = Setup::new(100).await;
    let live = Arc::new(setup.builder().connect().await.unwrap());
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let (a, b, c, d) = (seen.clone(), seen.clone(), seen.clone(), seen.clone());
    let handlers = Handlers::new()
        .on_connect(move |()| a.lock().unwrap().push("connect".into()))
        .on_message_async(move |m| {
            let b = b.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                b.lock().unwrap().push(m.content);
            }
        })
        .on_typing(move |t| c.lock().unwrap().push(format!("typing {}", t.username)))
        .on_disconnect(move |x| {
            d.lock()
                .unwrap()
                .push(format!("disconnect {}", x.will_reconnect))
        });
    let runner = {
        let live = live.clone();
        tokio::spawn(async move { live.run(handlers).await })
    };
    assert!(
        setup
            .fake
            .wait_for(WAIT, |f| f.connection_count() == 1)
            .await
    );
    setup.post(numbered(1, "bob"));
    setup.fake.publish(
        "room:main",
        json!({"type": "typing", "username": "bob", "to_username": null,
        "timestamp": "2026-11-22T02:00:00+00:00"}),
    );
    setup.post(numbered(2, "bob"));
    tokio::time::timeout(WAIT, async {
        while seen.lock().unwrap().len() < 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    live.close().await;
    tokio::time::timeout(WAIT, runner).await.unwrap().unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "connect",
            "message 1",
            "typing bob",
            "message 2",
            "disconnect false"
        ]
    );
}

#[tokio::test]
async fn the_url_override_wins_over_the_reported_url() {
    let setup = Setup::new(100).await;
    let other = FakeCentrifugo::start(10).await;
    let live = setup.builder().url(other.url()).connect().await.unwrap();
    let mut events = live.events();
    assert_eq!(next(&mut events).await, Event::Connected);
    assert_eq!(other.connects().len(), 1);
    assert!(setup.fake.connects().is_empty());
}

#[tokio::test]
async fn dropping_the_handle_disconnects() {
    let setup = Setup::new(100).await;
    let (live, _events) = setup.connect().await;
    assert_eq!(setup.fake.connection_count(), 1);
    drop(live);
    assert!(
        setup
            .fake
            .wait_for(WAIT, |f| f.connection_count() == 0)
            .await
    );
}

/// The bot runtime on real time: a burst of room and direct messages with
/// connection cuts, and the bot stopped and started again (same store) in
/// the middle of it, while messages keep coming. The fake keeps history
/// but does not recover (as production does), so each gap is filled over
/// REST. Every message is handled exactly once.
#[tokio::test]
async fn a_bot_cut_off_and_restarted_mid_burst_handles_each_message_exactly_once() {
    use token_bowl_chat::bot::{Bot, Context, FileStore, Source};
    let setup = Setup::with_mode(Mode::HistoryNoRecovery, 1000).await;
    Mock::given(path("/users/me"))
        .respond_with(json_response(200, profile()))
        .mount(&setup.rest)
        .await;
    let store = std::env::temp_dir().join(format!("tb-bot-rt-{}/alice.jsonl", std::process::id()));
    let _ = std::fs::remove_dir_all(store.parent().unwrap());
    let handled = Arc::new(Mutex::new(Vec::<String>::new()));
    let bot = || {
        let record = |seen: Arc<Mutex<Vec<String>>>| {
            move |cx: Context| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(cx.text().to_owned());
                    Ok(())
                }
            }
        };
        Bot::new(client(&setup.rest))
            .handle_signals(false)
            .store(FileStore::new(&store))
            .on_message(record(handled.clone()))
            .on_direct(record(handled.clone()))
    };
    let count = 300u32;
    let post = |n: u32| {
        if n % 5 == 4 {
            setup.post_direct(numbered_dm(n, "bob"));
        } else {
            setup.post(numbered(n, "bob"));
        }
    };
    let mut running = bot()
        .start(Source::realtime_with(setup.builder()))
        .await
        .unwrap();
    assert!(
        setup
            .fake
            .wait_for(WAIT, |f| f.connection_count() == 1)
            .await
    );
    let mut restarts = 0;
    for n in 0..count {
        if n % 60 == 30 {
            setup.fake.cut_connections();
        }
        if n % 100 == 70 {
            // Stop while messages are in flight, post a few while it is
            // down, then start again from the store.
            running.stop_handle().stop();
            running.wait().await.unwrap();
            for m in n..n + 5 {
                post(m);
            }
            running = bot()
                .start(Source::realtime_with(setup.builder()))
                .await
                .unwrap();
            restarts += 1;
            continue;
        }
        if (n % 100) > 70 && (n % 100) < 75 {
            continue; // posted while the bot was down
        }
        post(n);
        if n % 7 == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let deadline = tokio::time::Instant::now() + WAIT * 3;
    while handled.lock().unwrap().len() < count as usize {
        if tokio::time::Instant::now() > deadline {
            let got = handled.lock().unwrap().clone();
            let missing: Vec<u32> = (0..count)
                .filter(|n| !got.contains(&format!("message {n}")))
                .collect();
            panic!("stuck at {} of {count}: missing {missing:?}", got.len());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Anything doubled would arrive now.
    tokio::time::sleep(Duration::from_millis(200)).await;
    running.stop_handle().stop();
    let report = running.wait().await.unwrap();
    let mut got = handled.lock().unwrap().clone();
    got.sort_by_key(|m| m["message ".len()..].parse::<u32>().unwrap());
    let expected: Vec<String> = (0..count).map(|n| format!("message {n}")).collect();
    assert_eq!(got, expected, "each message exactly once");
    assert_eq!(restarts, 3);
    assert_eq!(report.left_pending, 0);
    let connects = setup.fake.connects().len();
    assert!(
        connects >= 4 + 2,
        "cuts and restarts reconnected: {connects}"
    );
    let _ = std::fs::remove_dir_all(store.parent().unwrap());
}

/// A bot counts its real-time reconnects: live through `progress()`, and
/// in the report.
#[tokio::test]
async fn a_bot_counts_its_reconnects() {
    use token_bowl_chat::bot::{Bot, Source};
    let setup = Setup::new(100).await;
    Mock::given(path("/users/me"))
        .respond_with(json_response(200, profile()))
        .mount(&setup.rest)
        .await;
    let running = Bot::new(client(&setup.rest))
        .handle_signals(false)
        .on_message(|_| async { Ok(()) })
        .start(Source::realtime_with(setup.builder()))
        .await
        .unwrap();
    let progress = running.progress();
    assert_eq!(progress.tally().reconnects, 0);
    for cut in 1..=2u64 {
        assert!(
            setup
                .fake
                .wait_for(WAIT, |f| f.connection_count() == 1)
                .await
        );
        setup.fake.cut_connections();
        let deadline = tokio::time::Instant::now() + WAIT;
        while progress.tally().reconnects < cut {
            assert!(
                tokio::time::Instant::now() < deadline,
                "reconnect {cut} not counted: {progress:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    running.stop_handle().stop();
    let report = running.wait().await.unwrap();
    assert_eq!(report.reconnects, 2);
    assert_eq!(progress.tally().reconnects, 2);
    assert_eq!(setup.fake.connects().len(), 3);
}
