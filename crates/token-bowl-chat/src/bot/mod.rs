//! Bots in a few lines (cargo feature `bot`): handlers for direct messages,
//! mentions, commands and any room message, fed by real-time events or by
//! the server's webhook deliveries, each message handled once.
//!
//! ```no_run
//! use token_bowl_chat::{Client, bot::{Bot, Context, Source}};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), token_bowl_chat::Error> {
//!     let answer = |cx: Context| async move {
//!         cx.typing().await?;
//!         cx.reply(&format!("you said: {}", cx.args())).await?;
//!         Ok(())
//!     };
//!     Bot::new(Client::from_env()?)
//!         .on_direct(answer)
//!         .on_mention(answer)
//!         .on_command("roll", |cx: Context| async move {
//!             cx.reply(&format!("rolling {}", cx.args())).await?;
//!             Ok(())
//!         })
//!         .run(Source::realtime()) // or, with `webhook`: Source::webhook("127.0.0.1:8080").register_local()
//!         .await?;
//!     Ok(())
//! }
//! ```
//!
//! # Which handler runs
//! Each message from someone else runs at most one handler, the most
//! specific that is set:
//! 1. a registered **command**: the text, after an optional leading mention
//!    of the bot (`@bot /roll 2d6`), starts with `/name` (any ASCII case;
//!    `/name@bot` is also accepted, `/name@otherbot` is not); the rest of
//!    the text is [`Context::args`]. In the room a bare `/name` counts too,
//!    unless [`Bot::commands_need_mention`];
//! 2. a **direct** message to the bot ([`Bot::on_direct`]), or in the room
//!    a **mention** of it ([`Bot::on_mention`]; the rules are those of
//!    [`mentions`]);
//! 3. **any** other message ([`Bot::on_message`]).
//!
//! The bot's own messages never run a handler.
//!
//! # What holds
//! - **Once per message.** Ids are de-duplicated across webhook retries,
//!   real-time reconnects and restarts: a [`Store`] ([`FileStore`] by
//!   default, one file per bot) records each message before it is
//!   acknowledged, and when its handler starts and ends. After a clean stop
//!   nothing is in flight; messages taken in but not started are handled on
//!   the next start. After a crash, a message whose handler had started is
//!   **not** run again (it may have replied already): it is logged and
//!   listed in [`Report::interrupted`].
//! - **No gap across restarts.** A start with a saved position first fills
//!   what came meanwhile from the REST history, in either mode.
//! - **Webhooks answered at once.** A delivery gets `200` as soon as it is
//!   recorded, before its handler runs, so the server (which waits 10 s and
//!   then sends again) never re-sends a delivered message; a slow handler
//!   does not slow the server's senders.
//! - **Ordered, concurrent.** Up to [`Bot::concurrency`] handlers run at
//!   once (16 by default); messages from one sender are handled one after
//!   another, in order, so a slow handler for one person blocks nobody
//!   else.
//! - **Replies never double-post.** [`Context::reply`] sends once; when the
//!   outcome is unknown (a timeout, a cut connection, a 5xx) it looks the
//!   message up with [`Client::find_sent`](crate::Client::find_sent) and sends again only if the
//!   server did not store it. A `429` waits for its `Retry-After`.
//! - **No endless bot loops.** Replies to one partner are capped
//!   ([`Bot::reply_budget`], 10 a minute by default); past the cap a reply
//!   fails with [`Error::ReplyBudget`](crate::Error::ReplyBudget).
//! - **Clean stop.** Ctrl-C, `SIGTERM` or a [`StopHandle`] stop intake, let
//!   running handlers finish within [`Bot::shutdown_deadline`] (30 s),
//!   and save the store.
//!
//! # Features
//! `bot` runs on real time (the default feature `realtime`); add the
//! feature `webhook` for `Source::webhook`. Without `webhook` no HTTP
//! server is compiled in.
//!
//! # Where things are
//! - `builder`: [`Bot`], its handlers and settings, and its start;
//! - `source`: [`Source`], where messages come from;
//! - `intake`: a source opened, each message handed to the dispatcher;
//! - `dispatch`: de-duplication, recording, per-sender queues and the
//!   workers; the only part with locks and atomics;
//! - `routes`: which handler a message is for ([`Trigger`], [`mentions`]);
//! - `context`: what a handler gets ([`Context`]);
//! - `reply`: a reply stored once;
//! - `budget`: the reply budget;
//! - `shutdown`: the clean stop, [`StopHandle`], [`Report`];
//! - `store`: the memory across restarts ([`Store`], [`FileStore`],
//!   [`MemoryStore`]).
// With neither `realtime` nor `webhook` a bot has no source to run on.
#![cfg_attr(not(any(feature = "realtime", feature = "webhook")), allow(dead_code))]

mod budget;
mod builder;
mod context;
mod dispatch;
mod intake;
mod reply;
mod routes;
mod settings;
mod shutdown;
mod source;
mod store;
mod tally;

pub use self::{
    builder::Bot,
    context::Context,
    reply::send_once,
    routes::{Trigger, mentions},
    shutdown::{Progress, Report, RunningBot, StopHandle, StopReason},
    source::Source,
    store::{FileStore, MemoryStore, Saved, Store, StoreFuture},
    tally::Tally,
};
pub use crate::delivery::Position;

/// What a handler returns: any error (`?` works on every error type); an
/// error is logged and counted in [`Report::failed`].
pub type HandlerResult = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;
