//! `token-bowl mcp`: an MCP server that lets any MCP host (Claude Desktop,
//! Claude Code, IDE agents, agent frameworks) chat on the server.
//!
//! Built on the official Rust MCP SDK (`rmcp`), with the SDK client
//! underneath: one file per concern.
//! - `tools`: the tools, each a method with a `Parameters<T>` argument;
//! - `params` and `answers`: what the tools take and give back, with the
//!   JSON Schemas a model reads;
//! - `inbox`: what `wait_for_messages` waits on (real time where it
//!   connects, polling where it does not), delivering each message once;
//! - `transport`: stdio (the default) and streamable HTTP (`--http ADDR`).

mod answers;
mod inbox;
mod params;
#[cfg(test)]
mod tests;
mod tools;
mod transport;

use std::{net::SocketAddr, time::Duration};

use token_bowl_chat::{Client, RetryPolicy};

use crate::failure::Failure;

pub use self::tools::ChatServer;

/// `token-bowl mcp`: serve the chat to an MCP host.
#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// Serve streamable HTTP at ADDR (e.g. 127.0.0.1:8765, path /mcp)
    /// instead of stdio
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// Seconds between polls while real time is not connected
    #[arg(long, value_name = "SECONDS", default_value = "1", value_parser = parse_interval)]
    pub poll_interval: Duration,
    /// Never use real time: wait_for_messages polls the REST history
    #[arg(long)]
    pub no_realtime: bool,
}

fn parse_interval(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds.is_finite() && (0.05..=600.0).contains(&seconds) {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err("the poll interval must be between 0.05 and 600 seconds".into())
    }
}

/// How `wait_for_messages` gets its messages.
#[derive(Debug, Clone, Copy)]
pub struct WaitSettings {
    /// Between two polls while real time is not connected.
    pub poll_interval: Duration,
    /// Whether real time is tried at all.
    pub realtime: bool,
}

/// Serves until the host closes stdin (stdio) or Ctrl-C (HTTP).
pub async fn run(args: McpArgs, client: &Client) -> Result<(), Failure> {
    if !client.has_api_key() {
        return Err(Failure::Usage(
            "no API key: pass --api-key or set TOKEN_BOWL_CHAT_API_KEY \
             (`token-bowl register NAME` makes one)"
                .into(),
        ));
    }
    // An agent's session is long: the SDK's default retries (two, with
    // backoff) suit it better than the command line's one quick retry.
    let client = client.with_retry(RetryPolicy::default());
    let settings = WaitSettings {
        poll_interval: args.poll_interval,
        realtime: !args.no_realtime,
    };
    match args.http {
        None => transport::stdio(client, settings).await,
        Some(addr) => transport::http(client, settings, addr).await,
    }
}
