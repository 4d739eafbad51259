//! What the SDK costs per call, against a bare `reqwest` + `serde_json` call
//! doing the same request and decode, to the same loopback mock server.
//!
//! `cargo bench -p token-bowl-chat --bench call_overhead`
//!
//! Two groups: `cpu` reports the CPU time of the calling thread (from
//! `/proc/thread-self/schedstat`, Linux) and `wall` the elapsed time. The
//! client runs on a current-thread runtime on the bench thread, so all its
//! work (hyper's connection task included) is on that thread; the mock
//! server runs on a separate runtime and is not counted in `cpu`.

use std::{hint::black_box, time::Duration};

mod common;

use common::thread_cpu;
use criterion::{Criterion, criterion_group, criterion_main};
use token_bowl_chat::{Client, Profile};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";

fn profile() -> serde_json::Value {
    serde_json::json!({
        "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
        "email": null, "api_key": KEY, "webhook_url": null, "logo": "claude-color.png",
        "viewer": false, "admin": false, "bot": false, "emoji": null,
        "created_at": "2026-11-22T01:02:30.135906+00:00"
    })
}

fn call_overhead(c: &mut Criterion) {
    let server_runtime = tokio::runtime::Runtime::new().unwrap();
    let server = server_runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/users/me"))
            .respond_with(ResponseTemplate::new(200).set_body_json(profile()))
            .mount(&server)
            .await;
        server
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("{}/users/me", server.uri());
    let http = reqwest::Client::new();
    let sdk = Client::builder()
        .use_env(false)
        .base_url(server.uri())
        .api_key(KEY)
        .build()
        .unwrap();

    let bare = || async { black_box(common::bare::<Profile>(http.get(&url), KEY).await) };
    let via_sdk = || async { black_box(sdk.me().await.unwrap()) };
    let via_generated = || async { black_box(sdk.api().get_my_profile().send().await.unwrap()) };

    for (group_name, clock) in [("cpu", thread_cpu as fn() -> Duration), ("wall", wall)] {
        let mut group = c.benchmark_group(format!("get_my_profile/{group_name}"));
        group.measurement_time(Duration::from_secs(4));
        macro_rules! bench {
            ($name:literal, $call:expr) => {
                group.bench_function($name, |b| {
                    b.iter_custom(|iters| {
                        runtime.block_on(async {
                            $call().await; // warm the connection
                            let start = clock();
                            for _ in 0..iters {
                                $call().await;
                            }
                            clock() - start
                        })
                    })
                });
            };
        }
        bench!("bare_reqwest_serde_json", bare);
        bench!("sdk", via_sdk);
        bench!("generated_api", via_generated);
        group.finish();
    }
}

/// Elapsed time since an arbitrary fixed point.
fn wall() -> Duration {
    use std::sync::OnceLock;
    static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
    ORIGIN.get_or_init(std::time::Instant::now).elapsed()
}

criterion_group!(benches, call_overhead);
criterion_main!(benches);
