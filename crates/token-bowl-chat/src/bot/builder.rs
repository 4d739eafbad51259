//! The builder: a bot's handlers and settings, and its start.

use std::{collections::HashSet, fmt, future::Future, sync::Arc, time::Duration};

use tokio::sync::watch;
use uuid::Uuid;

use super::{
    Context, FileStore, HandlerResult, RunningBot, Source, StopHandle, Store,
    dispatch::{Core, Recorded},
    intake::Intake,
    routes::{Routes, handler},
    settings::Settings,
};
use crate::{Client, Result, delivery::Dedup};

/// A bot: its handlers and settings. [`run`](Self::run) it, or
/// [`start`](Self::start) it and [`wait`](RunningBot::wait).
pub struct Bot {
    client: Client,
    routes: Routes,
    settings: Settings,
    store: Option<Box<dyn Store>>,
    stop: Arc<watch::Sender<bool>>,
}

impl fmt::Debug for Bot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("client", &self.client)
            .field("settings", &self.settings)
            .field(
                "commands",
                &self
                    .routes
                    .commands
                    .iter()
                    .map(|(n, _)| n)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// A bot that acts as `client`'s user, with no handlers yet.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            routes: Routes::default(),
            settings: Settings::default(),
            store: None,
            stop: Arc::new(watch::channel(false).0),
        }
    }

    /// Runs `f` for each direct message to the bot.
    pub fn on_direct<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.routes.direct = Some(handler(f));
        self
    }

    /// Runs `f` for each room message that mentions the bot (see
    /// [`mentions`](super::mentions)).
    pub fn on_mention<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.routes.mention = Some(handler(f));
        self
    }

    /// Runs `f` for `/name ...` (without the `/`; any ASCII case), in the
    /// room or directly; [`Context::args`] is the rest of the text.
    pub fn on_command<F, Fut>(mut self, name: &str, f: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let name = name.trim_start_matches('/').to_owned();
        self.routes
            .commands
            .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.routes.commands.push((name, handler(f)));
        self
    }

    /// Runs `f` for every message no more specific handler takes (room
    /// messages that do not mention the bot, and direct messages when
    /// there is no [`on_direct`](Self::on_direct)).
    pub fn on_message<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.routes.message = Some(handler(f));
        self
    }

    /// How many handlers may run at once (default 16). Messages from one
    /// sender always run one at a time, in order.
    pub fn concurrency(mut self, handlers: usize) -> Self {
        self.settings.concurrency = handlers.max(1);
        self
    }

    /// At most `replies` replies to one partner per `per` (default 10 a
    /// minute): two bots answering each other stop there.
    pub fn reply_budget(mut self, replies: u32, per: Duration) -> Self {
        self.settings.reply_limit = replies;
        self.settings.reply_window = per;
        self
    }

    /// How long a stop waits for running handlers (default 30 s); the ones
    /// still running then are cancelled and reported as interrupted.
    pub fn shutdown_deadline(mut self, deadline: Duration) -> Self {
        self.settings.shutdown_deadline = deadline;
        self
    }

    /// Where the bot keeps its position and recent ids (default: a
    /// [`FileStore`] at [`FileStore::default_path`] for its username).
    pub fn store(mut self, store: impl Store) -> Self {
        self.store = Some(Box::new(store));
        self
    }

    /// Whether Ctrl-C and `SIGTERM` stop the bot (default: yes).
    pub fn handle_signals(mut self, yes: bool) -> Self {
        self.settings.signals = yes;
        self
    }

    /// Whether a room command must mention the bot (`@bot /help`) to
    /// count (default: no; a bare `/help` counts). With several bots in
    /// the room, say yes.
    pub fn commands_need_mention(mut self, yes: bool) -> Self {
        self.settings.commands_need_mention = yes;
        self
    }

    /// How many messages may wait for a handler (default 10,000); past
    /// that a webhook delivery gets `503` (the server tries again) and
    /// real-time intake waits.
    pub fn max_pending(mut self, messages: usize) -> Self {
        self.settings.max_pending = messages.max(1);
        self
    }

    /// Sets the bot's `webhook_url` through the API (`None` clears it).
    pub async fn register_webhook(&self, url: Option<&str>) -> Result<()> {
        self.client.set_webhook(url).await.map(drop)
    }

    /// A handle that stops the bot once it runs.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.stop.clone())
    }
    /// Starts and runs until Ctrl-C, `SIGTERM`, a [`StopHandle`], or the
    /// end of the source; then stops cleanly.
    pub async fn run(self, source: Source) -> Result<super::Report> {
        self.start(source).await?.wait().await
    }

    /// Starts: reads who the bot is, loads the store, opens the source,
    /// fills the gap since the saved position, and handles what was left
    /// pending. Fails when the key is wrong, the store cannot be read, or
    /// the source cannot be opened.
    pub async fn start(self, source: Source) -> Result<RunningBot> {
        let me = self.client.me().await?.username;
        let mut store = match self.store {
            Some(store) => store,
            None => {
                Box::new(FileStore::new(FileStore::default_path(&me)).window(self.settings.window))
            }
        };
        let saved = store.load().await?;
        for id in &saved.interrupted {
            tracing::warn!(
                message_id = %id,
                "bot: the last run ended while this message's handler ran; not running it again"
            );
        }
        let mut seen = Dedup::new(self.settings.window.max(saved.seen.len()));
        let pending: HashSet<Uuid> = saved.pending.iter().map(|m| m.id).collect();
        for id in saved.seen.iter().filter(|id| !pending.contains(id)) {
            seen.insert(*id);
        }
        let core = Core::new(self.client, me, self.routes, self.settings, store, seen);
        for message in saved.pending {
            core.take(message, Recorded::Already).await;
        }
        let intake = Intake::open(&core, source, &saved.position).await?;
        Ok(RunningBot {
            core,
            intake,
            stop: self.stop,
            interrupted: saved.interrupted,
        })
    }
}
