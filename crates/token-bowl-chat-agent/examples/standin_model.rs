//! The tests' stand-in model server as a program, for trying the agent and
//! for benches: `cargo run -p token-bowl-chat-agent --example standin_model
//! -- [--port 18111] [--key sk-standin] [--model tiny] [--delay-ms 0]
//! [--log]`. Prints its base URL, then serves until killed; with `--log`
//! also `completion <unix ms>` as each completion request arrives.

#[path = "../tests/support/standin.rs"]
mod standin;

use std::time::Duration;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let port: u16 = arg("--port", "0").parse().expect("--port is a number");
    let delay: u64 = arg("--delay-ms", "0")
        .parse()
        .expect("--delay-ms is a number");
    let key = arg("--key", "sk-standin");
    let model = arg("--model", "tiny");
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("cannot bind");
    let server = standin::Standin::start_on(
        Some(listener),
        &key,
        &[model.as_str()],
        Duration::from_millis(delay),
    )
    .await;
    server.log_arrivals(args.iter().any(|a| a == "--log"));
    println!("{}", server.url());
    tokio::signal::ctrl_c().await.ok();
}
