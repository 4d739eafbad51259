//! Events per second the real-time stream decodes, de-duplicates and
//! delivers, from the fake Centrifugo on loopback, all on one core (one
//! current-thread runtime runs the fake server, the Centrifugo client and
//! the consumer). Also the memory the de-duplication window holds.
//!
//! `cargo bench -p token-bowl-chat --bench realtime_throughput`

use std::time::{Duration, Instant};

use fake_centrifugo::{FakeCentrifugo, token_for};
use serde_json::json;
use token_bowl_chat::{
    Client,
    realtime::{DEFAULT_DEDUP_CAPACITY, Dedup, Event},
};
use uuid::Uuid;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

const EVENTS: usize = 100_000;
const BATCH: usize = 100;

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
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rest_runtime = tokio::runtime::Runtime::new().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fake = runtime.block_on(FakeCentrifugo::start(BATCH));
    let rest = rest_runtime.block_on(async {
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
    let payloads: Vec<Vec<(&str, serde_json::Value)>> = (0..EVENTS / BATCH)
        .map(|b| {
            (0..BATCH)
                .map(|i| ("room:main", message(b * BATCH + i)))
                .collect()
        })
        .collect();
    runtime.block_on(async {
        let live = client.realtime().use_env(false).connect().await.unwrap();
        let mut events = live.events();
        assert!(matches!(events.next().await, Some(Event::Connected)));
        let started = Instant::now();
        let mut received = 0;
        for batch in &payloads {
            fake.publish_batch(batch);
            while received < EVENTS && events_ready(&mut events, &mut received).await {
                if received % BATCH == 0 {
                    break;
                }
            }
        }
        let elapsed = started.elapsed();
        assert_eq!(received, EVENTS);
        println!(
            "realtime: {EVENTS} messages in {:.2?} = {:.0} events/s on one core (current-thread runtime, fake server included)",
            elapsed,
            EVENTS as f64 / elapsed.as_secs_f64()
        );
        live.close().await;
    });
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

/// Takes one message event; false when the stream ended.
async fn events_ready(
    events: &mut token_bowl_chat::realtime::EventStream,
    received: &mut usize,
) -> bool {
    match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
        Ok(Some(Event::Message(_))) => {
            *received += 1;
            true
        }
        Ok(Some(_)) => true,
        _ => false,
    }
}
