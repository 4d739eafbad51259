//! Webhook deliveries per second the bot runtime takes on one core, and the
//! latency from a delivery's request to its handler's start.
//!
//! `cargo bench -p token-bowl-chat --features bot --bench webhook`
//! (`-- --deliveries N` for another count).
//!
//! The bot (its receiver, intake, store and handlers) runs on this thread's
//! current-thread runtime: "per core" divides by this thread's CPU time. A
//! load generator on another thread (its own one-worker runtime, reqwest,
//! 32 keep-alive connections, then one) posts deliveries shaped as the real server
//! 2.0.1 sends them, each from one of 64 senders, to the receiver on
//! loopback. Latency is from just before a request is sent to the start of
//! its handler: with 32 requests in flight it includes the queueing of a
//! saturated core; one request at a time shows the added latency alone.
//! Each with the bot's default file store (a line written per step) and
//! the memory store.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

mod common;

use common::thread_cpu;
use serde_json::json;
use token_bowl_chat::{
    Client,
    bot::{Bot, Context, FileStore, MemoryStore, Source, Store},
};
use uuid::Uuid;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

const CONNECTIONS: usize = 32;
const SENDERS: usize = 64;

fn body(n: usize) -> String {
    json!({
        "id": Uuid::from_u128(n as u128 + 1).to_string(),
        "from_user_id": "161db6fc-0e97-4eb5-8089-46990edce7bb",
        "from_username": format!("sender{}", n % SENDERS), "from_user_logo": null,
        "from_user_emoji": null, "from_user_bot": false,
        "to_user_id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "to_username": "alice",
        "content": n.to_string(), "message_type": "direct",
        "description": "This is a direct message from bob to alice.",
        "timestamp": "2026-11-22T01:02:32.539447+00:00"
    })
    .to_string()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let count: usize = args
        .iter()
        .position(|a| a == "--deliveries")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(50_000);
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let rest = servers.block_on(async {
        let rest = MockServer::start().await;
        Mock::given(path("/users/me"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice",
                "role": "member", "api_key": "k",
                "created_at": "2026-11-22T01:02:30.135906+00:00"})))
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
    let dir = std::env::temp_dir().join(format!("tb-bench-webhook-{}", std::process::id()));
    println!(
        "{SENDERS} senders; saturated: {count} deliveries on {CONNECTIONS} connections; \
         one at a time: {} on one",
        count / 10
    );
    for (connections, n) in [(CONNECTIONS, count), (1, count / 10)] {
        let file = dir.join(format!("alice{connections}.jsonl"));
        let stores: [(&str, Box<dyn Store>); 2] = [
            ("file store", Box::new(FileStore::new(file))),
            ("memory store", Box::new(MemoryStore)),
        ];
        for (name, store) in stores {
            let name = format!("{name}, {connections} connection(s)");
            run(&name, &client, store, n, connections);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

struct Shared {
    base: Instant,
    sent: Vec<AtomicU64>,
    started: Vec<AtomicU64>,
    handled: AtomicUsize,
    done: tokio::sync::Notify,
}

fn run(name: &str, client: &Client, store: Box<dyn Store>, count: usize, connections: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let shared = Arc::new(Shared {
        base: Instant::now(),
        sent: (0..count).map(|_| AtomicU64::new(0)).collect(),
        started: (0..count).map(|_| AtomicU64::new(0)).collect(),
        handled: AtomicUsize::new(0),
        done: tokio::sync::Notify::new(),
    });
    let s = shared.clone();
    let bot = Bot::new(client.clone())
        .handle_signals(false)
        .concurrency(64)
        .max_pending(count + 1)
        .store(store)
        .on_direct(move |cx: Context| {
            let s = s.clone();
            async move {
                let n: usize = cx.text().parse()?;
                s.started[n].store(s.base.elapsed().as_nanos() as u64, Ordering::Relaxed);
                if s.handled.fetch_add(1, Ordering::Relaxed) + 1 == s.sent.len() {
                    s.done.notify_one();
                }
                Ok(())
            }
        });
    let running = runtime
        .block_on(bot.start(Source::webhook("127.0.0.1:0")))
        .unwrap();
    let url = running.webhook_url().unwrap();
    let bodies: Arc<Vec<String>> = Arc::new((0..count).map(body).collect());
    let cpu_before = thread_cpu();
    let wall = Instant::now();
    let generator = {
        let (shared, bodies) = (shared.clone(), bodies.clone());
        std::thread::spawn(move || {
            let load = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            load.block_on(async {
                let http = reqwest::Client::new();
                let next = Arc::new(AtomicUsize::new(0));
                let loops = (0..connections).map(|_| {
                    let (http, next, shared, bodies, url) = (
                        http.clone(),
                        next.clone(),
                        shared.clone(),
                        bodies.clone(),
                        url.clone(),
                    );
                    tokio::spawn(async move {
                        loop {
                            let n = next.fetch_add(1, Ordering::Relaxed);
                            if n >= bodies.len() {
                                return;
                            }
                            shared.sent[n]
                                .store(shared.base.elapsed().as_nanos() as u64, Ordering::Relaxed);
                            let response = http
                                .post(&url)
                                .header("content-type", "application/json")
                                .body(bodies[n].clone())
                                .send()
                                .await
                                .unwrap();
                            assert_eq!(response.status(), 200);
                            response.bytes().await.unwrap();
                        }
                    })
                });
                futures::future::join_all(loops).await;
            });
        })
    };
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(300), shared.done.notified())
            .await
            .expect("every delivery handled");
    });
    let elapsed = wall.elapsed();
    let cpu = thread_cpu() - cpu_before;
    generator.join().unwrap();
    running.stop_handle().stop();
    let report = runtime.block_on(running.wait()).unwrap();
    assert_eq!(report.handled as usize, count);
    let mut latency: Vec<u64> = (0..count)
        .map(|n| shared.started[n].load(Ordering::Relaxed) - shared.sent[n].load(Ordering::Relaxed))
        .collect();
    latency.sort_unstable();
    let at = |q: f64| Duration::from_nanos(latency[((latency.len() - 1) as f64 * q) as usize]);
    println!(
        "{name}: {:.0} deliveries/s wall, {:.0} per CPU-second of the bot's core \
         ({:.1} µs each); request to handler start p50 {:?}, p99 {:?}, max {:?}",
        count as f64 / elapsed.as_secs_f64(),
        count as f64 / cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / count as f64,
        at(0.5),
        at(0.99),
        at(1.0),
    );
}
