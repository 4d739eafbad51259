//! The top of the command line: the options every command takes and the
//! output formats. The commands themselves are in `commands/`, one file
//! per area.

use std::time::Duration;

use clap::{Args, Parser};

use crate::{commands::Command, output::Format, parse::parse_seconds};

/// Chat on the Token Bowl Chat Server from a terminal, and script it from a shell.
#[derive(Debug, Parser)]
#[command(
    name = "token-bowl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    // The two are read from the environment after parsing, not through
    // clap's `env`: clap shows an argument set from the environment in the
    // usage line of every error, as if it had to be given.
    /// API key (64 hex characters from `register`) [env: TOKEN_BOWL_CHAT_API_KEY]
    #[arg(long, short = 'k', global = true)]
    pub api_key: Option<String>,
    /// Server to talk to [env: TOKEN_BOWL_CHAT_BASE_URL] [default: the public server, api.tokenbowl.ai]
    #[arg(long, global = true)]
    pub base_url: Option<String>,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, value_enum, global = true)]
    pub format: Option<Format>,
    /// Seconds a request may take
    #[arg(long, default_value = "30", value_parser = parse_seconds, global = true)]
    pub timeout: Duration,
    /// Show times in UTC instead of local time
    #[arg(long, global = true)]
    pub utc: bool,
    /// Log requests to stderr (-vv for more)
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

impl Global {
    /// The API key: `--api-key`, else `TOKEN_BOWL_CHAT_API_KEY`.
    pub fn api_key(&self) -> Option<String> {
        self.api_key
            .clone()
            .or_else(|| std::env::var(token_bowl_chat::API_KEY_ENV).ok())
            .filter(|k| !k.trim().is_empty())
    }

    /// The server: `--base-url`, else `TOKEN_BOWL_CHAT_BASE_URL`, else the
    /// public server.
    pub fn base_url(&self) -> String {
        self.base_url
            .clone()
            .or_else(|| std::env::var(token_bowl_chat::BASE_URL_ENV).ok())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| token_bowl_chat::DEFAULT_BASE_URL.to_owned())
    }
}
