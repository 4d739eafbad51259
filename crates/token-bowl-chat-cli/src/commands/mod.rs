//! The commands: the list `token-bowl --help` shows, and where each one
//! goes. One file per area, each with its arguments and its handler side
//! by side.
//!
//! A new top-level command is a module here, a variant of [`Command`] and
//! an arm in [`run`]; one that runs until Ctrl-C is also named in
//! [`Command::runs_until_stopped`]. The operations it calls go in the
//! table of `src/operations.rs`.

mod account;
mod admin;
mod bots;
pub mod completions;
mod conversations;
mod live;
mod messages;
mod server;
mod shared;
mod unread;
mod users;
mod webhook;

use clap::Subcommand;
use token_bowl_chat::Client;

use crate::output::Out;

pub use shared::Result;

// The order of the variants is the order `--help` lists them in.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register a new user and print its API key
    Register(account::Register),
    /// Show your profile
    Info,
    /// Send, list and show messages
    #[command(subcommand)]
    Messages(messages::Messages),
    /// List users and update your profile
    #[command(subcommand)]
    Users(users::Users),
    /// Unread counts and marking read
    #[command(subcommand)]
    Unread(unread::Unread),
    /// Full-screen chat: conversations, unread counts, history, live
    #[cfg(feature = "chat")]
    Chat(crate::chat::ChatArgs),
    /// Live chat and event monitor
    #[command(subcommand)]
    Live(live::Live),
    /// Receive the server's webhook deliveries
    #[command(subcommand)]
    Webhook(webhook::Webhook),
    /// Saved conversations
    #[command(subcommand)]
    Conversations(conversations::Conversations),
    /// Your bots
    #[command(subcommand)]
    Bots(bots::Bots),
    /// Administration (admin role)
    #[command(subcommand)]
    Admin(admin::Admin),
    /// An LLM participant: join the chat and answer through a model
    #[cfg(feature = "agent")]
    #[command(subcommand)]
    Agent(crate::agent::AgentCommand),
    /// List the logo names a profile may use
    Logos,
    /// Check the server's health
    Health,
    /// Serve the chat to an MCP host (Claude Desktop, Claude Code, ...) over
    /// stdio, or streamable HTTP with --http
    #[cfg(feature = "mcp")]
    Mcp(crate::mcp::McpArgs),
    /// Print a shell completion script
    Completions(completions::Completions),
}

impl Command {
    /// Whether the command runs until Ctrl-C (and handles Ctrl-C itself, to
    /// close cleanly) rather than within --timeout.
    pub fn runs_until_stopped(&self) -> bool {
        match self {
            Self::Live(_) | Self::Webhook(_) => true,
            #[cfg(feature = "chat")]
            Self::Chat(_) => true,
            #[cfg(feature = "mcp")]
            Self::Mcp(_) => true,
            #[cfg(feature = "agent")]
            Self::Agent(_) => true,
            _ => false,
        }
    }
}

/// Runs `command`.
pub async fn run(command: Command, client: &Client, out: &Out) -> Result {
    match command {
        Command::Register(args) => account::register(args, client, out).await,
        Command::Info => account::info(client, out).await,
        Command::Messages(command) => messages::run(command, client, out).await,
        Command::Users(command) => users::run(command, client, out).await,
        Command::Unread(command) => unread::run(command, client, out).await,
        #[cfg(feature = "chat")]
        Command::Chat(args) => crate::chat::chat(args, client, out).await,
        Command::Live(command) => live::run(command, client, out).await,
        Command::Webhook(command) => webhook::run(command, client, out).await,
        Command::Conversations(command) => conversations::run(command, client, out).await,
        Command::Bots(command) => bots::run(command, client, out).await,
        Command::Admin(command) => admin::run(command, client, out).await,
        Command::Logos => server::logos(client, out).await,
        Command::Health => server::health(client, out).await,
        #[cfg(feature = "agent")]
        Command::Agent(command) => crate::agent::run(command, client, out).await,
        #[cfg(feature = "mcp")]
        Command::Mcp(args) => crate::mcp::run(args, client).await,
        Command::Completions(_) => unreachable!("handled before a client is built"),
    }
}
