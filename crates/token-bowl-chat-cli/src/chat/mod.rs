//! `token-bowl chat`: a full-screen terminal chat.
//!
//! The app is a plain struct ([`app::App`]) changed by actions
//! ([`app::Action`], in `update`); keys map to actions (`keys`); drawing is
//! a pure function of the state (`view`); `run` joins terminal events,
//! real-time events and the SDK's calls.

pub mod app;
#[cfg(test)]
mod bench;
pub mod editor;
pub mod effect;
#[cfg(test)]
mod fixtures;
pub mod keys;
pub mod load;
pub mod outbox;
pub mod run;
#[cfg(test)]
mod screens;
#[cfg(test)]
mod states;
pub mod term;
pub mod theme;
pub mod update;
pub mod view;
pub mod wrap;

use std::io::IsTerminal;

use token_bowl_chat::Client;

use crate::{failure::Failure, output::Out};

/// `token-bowl chat` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    /// Open the direct messages with this user first
    #[arg(long, value_name = "USER")]
    pub dm: Option<String>,
}

/// Runs the full-screen chat until `/quit` or Ctrl-C.
pub async fn chat(args: ChatArgs, client: &Client, out: &Out) -> Result<(), Failure> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "`chat` needs a terminal; `live chat` reads and writes lines in pipes".into(),
        ));
    }
    run::run(client.clone(), args, out.utc).await
}
