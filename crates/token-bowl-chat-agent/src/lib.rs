//! An LLM participant for the Token Bowl Chat Server, on the
//! [`token_bowl_chat::bot`] runtime.
//!
//! The [`Agent`] is a set of bot handlers: [`Agent::attach`] puts it into
//! a [`Bot`](token_bowl_chat::bot::Bot) beside the bot's own commands, and
//! everything the runtime promises keeps holding (each message once, real
//! time or webhooks, restarts, order per sender, clean stop).
//!
//! ```no_run
//! use token_bowl_chat::{Client, bot::{Bot, Context, Source}};
//! use token_bowl_chat_agent::{Agent, AgentConfig, ModelConfig};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?;
//! let model = ModelConfig::from_env(Some("http://127.0.0.1:11434/v1"), "llama3.2");
//! let agent = Agent::start(AgentConfig::new(model), client.clone(), &[]).await?;
//! let bot = agent
//!     .attach(Bot::new(client))
//!     .on_command("ping", |cx: Context| async move {
//!         cx.reply("pong").await?;
//!         Ok(())
//!     });
//! let report = bot.run(Source::realtime()).await?;
//! agent.shutdown(std::time::Duration::from_secs(30)).await;
//! println!("{}", agent.stats().text());
//! # let _ = report; Ok(()) }
//! ```
//!
//! # What it does with a message
//! Every message the bot hears is remembered in its conversation (the
//! room, or the direct partner) and kept in a JSON file beside the bot's
//! store. Direct messages and mentions (or every room message with
//! [`AnswerMode::All`]) also wait for an answer. The handler returns at
//! once, so that more messages of the same person reach the agent while the
//! model thinks: a conversation's worker waits
//! [`AgentConfig::batch_window`] for the quiet after a message, then
//! answers everything waiting in one turn; what arrives during that turn is
//! answered in the next one.
//!
//! Since the handler returns before the answer, the runtime's record of a
//! finished handler is not the answer's: the agent keeps its own record in
//! its memory file (waiting, answering). After a clean stop, waiting
//! messages are answered on the next start; after a crash, messages whose
//! turn had started are not answered again (they may have been), and are
//! logged.

mod agent;
mod config;
pub mod limits;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod memory;
mod model;
pub mod stats;
pub mod tools;
mod turn;

pub use agent::Agent;
pub use config::{
    AgentConfig, AnswerMode, BotDirectPolicy, DEFAULT_SYSTEM_PROMPT, ModelConfig, OPENROUTER_URL,
    Prompt,
};
pub use memory::Place;
pub use model::{Completion, Model};
pub use stats::Snapshot;

/// What can go wrong in an agent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is wrong.
    #[error("{0}")]
    Config(String),
    /// The model endpoint refused the key.
    #[error(
        "the model endpoint refused the key ({status}): {message}; set OPENAI_API_KEY \
         (or OPENROUTER_API_KEY for OpenRouter)"
    )]
    ModelKey {
        /// HTTP status.
        status: u16,
        /// The endpoint's message (the key removed).
        message: String,
    },
    /// The model endpoint does not know the model.
    #[error("the model endpoint does not know the model {model:?} ({known})")]
    UnknownModel {
        /// The name asked for.
        model: String,
        /// Models it offers, or its message.
        known: String,
    },
    /// A model call failed (after its retries).
    #[error("model: {0}")]
    Model(String),
    /// An MCP server could not be reached or used.
    #[error("MCP server {server}: {message}")]
    Mcp {
        /// Its URL or command.
        server: String,
        /// What failed.
        message: String,
    },
    /// A file could not be read or written.
    #[error("cannot {what}: {source}")]
    Io {
        /// What was tried.
        what: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The chat server.
    #[error(transparent)]
    Chat(#[from] token_bowl_chat::Error),
}
