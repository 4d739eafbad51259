//! Events per second the real-time stream decodes, de-duplicates and
//! delivers, counting the client alone; and the memory the de-duplication
//! window holds per id.
//!
//! `cargo bench -p token-bowl-chat --bench realtime_throughput`
//!
//! The fake Centrifugo runs on its own runtime thread; a publisher thread
//! encodes the publications (100 per WebSocket frame, newline separated, as
//! Centrifugo batches pushes). The client (its Centrifugo connection, the
//! decode, the de-duplication and the event stream) runs on the bench
//! thread's current-thread runtime, and the CPU time of that thread is what
//! "events/s on one core" divides by; "all client threads" is the process's
//! CPU time less the server's and the publisher's threads (it counts a
//! thread of the Centrifugo client's own, when it uses one). Two runs: `backlogged`, every frame
//! queued at the server before the client reads (the client's own cost),
//! and `live`, the publisher at most 10 frames ahead (the client wakes for
//! every few frames, so system time grows).

use std::{
    sync::mpsc,
    time::{Duration, Instant},
};

mod common;

use common::{cpu_of, process_cpu, this_thread, thread_cpu, thread_user_system};
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
    // The servers' one worker thread, whose CPU is not the client's.
    let server_thread = servers
        .block_on(servers.spawn(async { this_thread() }))
        .unwrap();
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

    for (run, backlog) in [(0, true), (1, false)] {
        let first = run * EVENTS;
        let live = runtime
            .block_on(client.realtime().use_env(false).connect())
            .unwrap();
        let mut events = live.events();
        runtime.block_on(async {
            assert!(matches!(events.next().await, Some(Event::Connected)));
        });
        // Backlogged: every frame is encoded and queued at the server while
        // the client runtime is not running, so the client only reads,
        // decodes, de-duplicates and delivers. Live: a publisher thread
        // encodes as the client reads, at most `AHEAD` frames ahead.
        let ahead = if backlog { EVENTS / BATCH } else { AHEAD };
        let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(EVENTS / BATCH);
        for _ in 0..ahead {
            credit_tx.send(()).unwrap();
        }
        let (publisher_tx, publisher_rx) = mpsc::channel();
        // The publisher lives until measured (a finished thread's CPU time
        // can no longer be read).
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let (published_tx, published_rx) = mpsc::channel::<()>();
        let mut publisher = Some({
            let fake = fake.clone();
            std::thread::spawn(move || {
                publisher_tx.send(this_thread()).unwrap();
                for b in 0..EVENTS / BATCH {
                    credit_rx.recv().unwrap();
                    let batch: Vec<(&str, serde_json::Value)> = (0..BATCH)
                        .map(|i| ("room:main", message(first + b * BATCH + i)))
                        .collect();
                    fake.publish_batch(&batch);
                }
                let _ = published_tx.send(());
                let _ = done_rx.recv();
            })
        });
        let publisher_thread = publisher_rx.recv().unwrap();
        if backlog {
            // Everything queued at the server before the client reads.
            published_rx.recv().unwrap();
        }
        runtime.block_on(async {
            let cpu = thread_cpu();
            let (user, system) = thread_user_system();
            let others = (process_cpu(), cpu_of(&server_thread), cpu_of(&publisher_thread));
            let started = Instant::now();
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
            let (user_end, system_end) = thread_user_system();
            // Every thread but the server's and the publisher's (a thread
            // the Centrifugo client may run events on included).
            let client_all = (process_cpu() - others.0)
                .saturating_sub(cpu_of(&server_thread) - others.1)
                .saturating_sub(cpu_of(&publisher_thread).saturating_sub(others.2));
            println!(
                "{}: {EVENTS} messages; client thread {:.2?} CPU = {:.0} events/s on one core ({:.2?} user, {:.2?} system); all client threads {:.2?} = {:.0} events/s; {:.2?} wall = {:.0} events/s",
                if backlog { "backlogged" } else { "live      " },
                cpu,
                EVENTS as f64 / cpu.as_secs_f64(),
                user_end - user,
                system_end - system,
                client_all,
                EVENTS as f64 / client_all.as_secs_f64(),
                wall,
                EVENTS as f64 / wall.as_secs_f64()
            );
            live.close().await;
        });
        let _ = done_tx.send(());
        if let Some(publisher) = publisher.take() {
            publisher.join().unwrap();
        }
    }

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
