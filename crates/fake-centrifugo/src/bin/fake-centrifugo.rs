//! Runs the fake Centrifugo as a process, so a real Token Bowl server can
//! use it: Centrifugo's HTTP server API on one address (point the server's
//! `CENTRIFUGO_API_URL` at `http://API/api`) and the client WebSocket on
//! another (`CENTRIFUGO_WS_URL` = `ws://WS/connection/websocket`).
//!
//! ```text
//! fake-centrifugo --api 127.0.0.1:18191 --ws 127.0.0.1:18192 \
//!     [--api-key KEY] [--token-secret SECRET] [--mode recovery|history|none] [--history N]
//! ```
//!
//! `--api-key` and `--token-secret` default to the values the server 2.0.1
//! uses when `CENTRIFUGO_API_KEY` and `CENTRIFUGO_TOKEN_SECRET` are unset;
//! `--api-key ''` or `--token-secret ''` turns the check off. It prints one
//! line `ready api=ADDR ws=URL` once both sides listen, then runs until
//! killed.

#![forbid(unsafe_code)]

use std::{net::SocketAddr, process::ExitCode};

use fake_centrifugo::{FakeCentrifugo, Mode};

/// The server 2.0.1's defaults for its Centrifugo settings.
const SERVER_API_KEY: &str = "your-api-key-change-in-production";
const SERVER_TOKEN_SECRET: &str = "your-secret-key-change-in-production";

struct Options {
    api: SocketAddr,
    ws: SocketAddr,
    api_key: String,
    token_secret: String,
    mode: Mode,
    history: usize,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        api: SocketAddr::from(([127, 0, 0, 1], 8001)),
        ws: SocketAddr::from(([127, 0, 0, 1], 8002)),
        api_key: SERVER_API_KEY.to_owned(),
        token_secret: SERVER_TOKEN_SECRET.to_owned(),
        mode: Mode::Recovery,
        history: 100,
    };
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let addr = || {
            value
                .parse::<SocketAddr>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--api" => options.api = addr()?,
            "--ws" => options.ws = addr()?,
            "--api-key" => options.api_key = value,
            "--token-secret" => options.token_secret = value,
            "--history" => {
                options.history = value
                    .parse()
                    .map_err(|e| format!("--history {value}: {e}"))?;
            }
            "--mode" => {
                options.mode = match value.as_str() {
                    "recovery" => Mode::Recovery,
                    "history" => Mode::HistoryNoRecovery,
                    "none" => Mode::NoHistory,
                    _ => {
                        return Err(format!(
                            "--mode {value}: expected recovery, history or none"
                        ));
                    }
                };
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(options)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("fake-centrifugo: {message}");
            return ExitCode::from(2);
        }
    };
    let fake = match FakeCentrifugo::bind(options.ws, options.mode, options.history).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake-centrifugo: cannot listen on {}: {e}", options.ws);
            return ExitCode::FAILURE;
        }
    };
    fake.set_token_secret(Some(options.token_secret.as_str()).filter(|s| !s.is_empty()));
    let key = Some(options.api_key).filter(|k| !k.is_empty());
    let api = match fake.serve_http_api(options.api, key).await {
        Ok(api) => api,
        Err(e) => {
            eprintln!("fake-centrifugo: cannot listen on {}: {e}", options.api);
            return ExitCode::FAILURE;
        }
    };
    println!("ready api={api} ws={}", fake.url());
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
