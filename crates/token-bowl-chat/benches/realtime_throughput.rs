//! Events per second the real-time stream decodes, de-duplicates and
//! delivers, counting the client alone; and the memory the de-duplication
//! window holds per id.
//!
//! `cargo bench -p token-bowl-chat --bench realtime_throughput`
//!
//! The fake Centrifugo runs on its own runtime thread and a publisher
//! thread encodes the publications (100 per WebSocket frame, newline
//! separated, as Centrifugo batches pushes), at most 10 frames ahead of the
//! consumer. The client (its Centrifugo connection, the decode, the
//! de-duplication and the event stream) runs on the bench thread's
//! current-thread runtime, and the CPU time of that thread is what
//! "events/s on one core" divides by.

use std::{
    sync::mpsc,
    time::{Duration, Instant},
};

use fake_centrifugo::{FakeCentrifugo, token_for};
use serde_json::json;
use token_bowl_chat::{
    Client,
    realtime::{DEFAULT_DEDUP_CAPACITY, Dedup, Event},
};
use uuid::Uuid;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

const DEFAULT_EVENTS: usize = 200_000;
const BATCH: usize = 100;
const AHEAD: usize = 10;

fn message(n: usize) -> serde_json::Value {
    json!({
        "id": Uuid::from_u128(n as u128 + 1).to_string(),
        "from_user_id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37",
        "from_username": "bob", "from_user_logo": null, "from_user_emoji": null,
        "from_user_bot": false, "to_user_id": null, "to_username": null,
        "content": format!("message number {n} in the room"), "message_type": "room",
        "description": "This is a message for the fantasy league's group chat.",
        "timestamp": "2026-11-22T01:02:32.247494+00:00"
    })
}

/// CPU time this thread has used.
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let nanos = text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(nanos)
}

fn main() {
    // Cargo passes `--bench`; a plain `cargo test` run builds but skips it.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    // `--events N` for a shorter run (under a profiler).
    let events_wanted: usize = args
        .iter()
        .position(|a| a == "--events")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(DEFAULT_EVENTS);
    #[allow(non_snake_case)]
    let EVENTS = events_wanted / BATCH * BATCH;
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let fake = servers.block_on(FakeCentrifugo::start(BATCH));
    let rest = servers.block_on(async {
        let rest = MockServer::start().await;
        Mock::given(path("/centrifugo/connection-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "token": token_for("alice", &["room:main"]), "url": fake.url(),
                "channels": ["room:main"], "user": "alice"})))
            .mount(&rest)
            .await;
        rest
    });
    let client = Client::builder()
        .use_env(false)
        .base_url(rest.uri())
        .api_key("k")
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(EVENTS / BATCH);
    for _ in 0..AHEAD {
        credit_tx.send(()).unwrap();
    }
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let publisher = {
        let fake = fake.clone();
        std::thread::spawn(move || {
            go_rx.recv().unwrap();
            for b in 0..EVENTS / BATCH {
                credit_rx.recv().unwrap();
                let batch: Vec<(&str, serde_json::Value)> = (0..BATCH)
                    .map(|i| ("room:main", message(b * BATCH + i)))
                    .collect();
                fake.publish_batch(&batch);
            }
        })
    };

    runtime.block_on(async {
        let live = client.realtime().use_env(false).connect().await.unwrap();
        let mut events = live.events();
        assert!(matches!(events.next().await, Some(Event::Connected)));
        let cpu = thread_cpu();
        let started = Instant::now();
        go_tx.send(()).unwrap();
        let mut received = 0;
        while received < EVENTS {
            match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
                Ok(Some(Event::Message(message))) => {
                    std::hint::black_box(&message);
                    received += 1;
                    if received.is_multiple_of(BATCH) {
                        let _ = credit_tx.try_send(());
                    }
                }
                Ok(Some(_)) => {}
                _ => panic!("the stream stopped after {received} messages"),
            }
        }
        let (cpu, wall) = (thread_cpu() - cpu, started.elapsed());
        println!(
            "realtime: {EVENTS} messages, client thread {:.2?} CPU ({:.0} events/s on one core), {:.2?} wall ({:.0} events/s)",
            cpu,
            EVENTS as f64 / cpu.as_secs_f64(),
            wall,
            EVENTS as f64 / wall.as_secs_f64()
        );
        live.close().await;
    });
    publisher.join().unwrap();

    let mut dedup = Dedup::new(DEFAULT_DEDUP_CAPACITY);
    for n in 0..DEFAULT_DEDUP_CAPACITY * 2 {
        dedup.insert(Uuid::from_u128(n as u128));
    }
    println!(
        "dedup window: {} ids hold {} KiB ({} bytes per id)",
        dedup.len(),
        dedup.heap_bytes() / 1024,
        dedup.heap_bytes() / dedup.len()
    );
}
