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
//!         .run(Source::realtime()) // or Source::webhook("127.0.0.1:8080").register_local()
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
//!   message up with [`Client::find_sent`] and sends again only if the
//!   server did not store it. A `429` waits for its `Retry-After`.
//! - **No endless bot loops.** Replies to one partner are capped
//!   ([`Bot::reply_budget`], 10 a minute by default); past the cap a reply
//!   fails with [`Error::ReplyBudget`].
//! - **Clean stop.** Ctrl-C, `SIGTERM` or a [`StopHandle`] stop intake, let
//!   running handlers finish within [`Bot::shutdown_deadline`] (30 s),
//!   and save the store.

mod route;
mod store;

use std::{
    collections::{HashMap, VecDeque, hash_map},
    fmt,
    future::Future,
    panic::AssertUnwindSafe,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::{FutureExt, future::BoxFuture};
use serde::Serialize;
use tokio::sync::{Notify, Semaphore, watch};
use uuid::Uuid;

pub use self::{
    route::{Trigger, mentions},
    store::{FileStore, MemoryStore, Saved, Store},
};
pub use crate::delivery::Position;
use crate::{
    Client, Error, Message, Result,
    delivery::Dedup,
    webhook::{self, Verdict, WebhookBuilder, WebhookStats},
};

/// What a handler returns: any error (`?` works on every error type); an
/// error is logged and counted in [`Report::failed`].
pub type HandlerResult = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;

type Handler = Arc<dyn Fn(Context) -> BoxFuture<'static, HandlerResult> + Send + Sync>;

fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    Arc::new(move |cx| Box::pin(f(cx)))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where messages come from.
#[derive(Debug, Clone)]
pub struct Source {
    /// `None`: real time.
    webhook: Option<WebhookSource>,
    /// Real-time settings of the caller's own.
    #[cfg(feature = "realtime")]
    realtime: Option<crate::realtime::RealtimeBuilder>,
}

#[derive(Debug, Clone)]
struct WebhookSource {
    addr: String,
    path: String,
    register: Register,
}

#[derive(Debug, Clone)]
enum Register {
    No,
    Local,
    Url(String),
}

impl Source {
    /// Real-time events (the default feature `realtime`), with their
    /// reconnects and backfill.
    #[cfg(feature = "realtime")]
    pub fn realtime() -> Self {
        Self {
            webhook: None,
            realtime: None,
        }
    }

    /// Real-time events with settings of your own (a URL override, the
    /// reconnect backoff); the bot adds what it needs: its own messages
    /// skipped, its saved position, its id window.
    #[cfg(feature = "realtime")]
    pub fn realtime_with(settings: crate::realtime::RealtimeBuilder) -> Self {
        Self {
            webhook: None,
            realtime: Some(settings),
        }
    }

    /// A webhook receiver listening on `addr` (`"127.0.0.1:8080"`; port 0
    /// picks one). Register its URL yourself, or with
    /// [`register`](Self::register) / [`register_local`](Self::register_local).
    pub fn webhook(addr: impl Into<String>) -> Self {
        Self {
            webhook: Some(WebhookSource {
                addr: addr.into(),
                path: "/".to_owned(),
                register: Register::No,
            }),
            #[cfg(feature = "realtime")]
            realtime: None,
        }
    }

    /// The receiver's path (default `/`): give it a segment nobody can
    /// guess, since the server signs nothing. No effect on real time.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        if let Some(webhook) = &mut self.webhook {
            webhook.path = path.into();
        }
        self
    }

    /// At start, sets the bot's `webhook_url` to `public_url` (the URL the
    /// server reaches this receiver at: through a proxy or a tunnel). No
    /// effect on real time.
    pub fn register(mut self, public_url: impl Into<String>) -> Self {
        if let Some(webhook) = &mut self.webhook {
            webhook.register = Register::Url(public_url.into());
        }
        self
    }

    /// At start, sets the bot's `webhook_url` to the receiver's own URL
    /// (`http://<address it listens on><path>`): for a server on the same
    /// host or network. No effect on real time.
    pub fn register_local(mut self) -> Self {
        if let Some(webhook) = &mut self.webhook {
            webhook.register = Register::Local;
        }
        self
    }
}

#[derive(Debug, Clone)]
struct Settings {
    concurrency: usize,
    reply_limit: u32,
    reply_window: Duration,
    shutdown_deadline: Duration,
    signals: bool,
    commands_need_mention: bool,
    max_pending: usize,
    window: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            concurrency: 16,
            reply_limit: 10,
            reply_window: Duration::from_secs(60),
            shutdown_deadline: Duration::from_secs(30),
            signals: true,
            commands_need_mention: false,
            max_pending: 10_000,
            window: crate::delivery::DEFAULT_CAPACITY,
        }
    }
}

#[derive(Clone, Default)]
struct Routes {
    direct: Option<Handler>,
    mention: Option<Handler>,
    message: Option<Handler>,
    commands: Vec<(String, Handler)>,
}

impl Routes {
    fn route(
        &self,
        message: &Message,
        me: &str,
        settings: &Settings,
    ) -> Option<(Trigger, Handler)> {
        let has = route::Has {
            direct: self.direct.is_some(),
            mention: self.mention.is_some(),
            message: self.message.is_some(),
            commands_need_mention: settings.commands_need_mention,
        };
        let names = self.commands.iter().map(|(name, _)| name.as_str());
        let trigger = route::route(message, me, names, has)?;
        let handler = match &trigger {
            Trigger::Command { name, .. } => self
                .commands
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, h)| h.clone()),
            Trigger::Direct => self.direct.clone(),
            Trigger::Mention => self.mention.clone(),
            Trigger::Message => self.message.clone(),
        }?;
        Some((trigger, handler))
    }
}

/// Stops a running bot from anywhere (another task, a test): the same
/// clean stop as Ctrl-C.
#[derive(Debug, Clone)]
pub struct StopHandle(Arc<watch::Sender<bool>>);

impl StopHandle {
    /// Asks the bot to stop.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

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
    /// [`mentions`]).
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
    pub async fn run(self, source: Source) -> Result<Report> {
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
        let saved = store.load()?;
        for id in &saved.interrupted {
            tracing::warn!(
                message_id = %id,
                "bot: the last run ended while this message's handler ran; not running it again"
            );
        }
        let mut seen = Dedup::new(self.settings.window.max(saved.seen.len()));
        let pending: std::collections::HashSet<Uuid> = saved.pending.iter().map(|m| m.id).collect();
        for id in saved.seen.iter().filter(|id| !pending.contains(id)) {
            seen.insert(*id);
        }
        let (abort, _) = watch::channel(false);
        let core = Arc::new(Core {
            client: self.client.clone(),
            me,
            routes: self.routes,
            permits: Arc::new(Semaphore::new(self.settings.concurrency)),
            settings: self.settings,
            state: Mutex::new(State {
                seen,
                queues: HashMap::new(),
                pending: 0,
                store,
            }),
            draining: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            abort,
            workers: AtomicUsize::new(0),
            idle: Notify::new(),
            budget: Mutex::new(HashMap::new()),
            counts: Counts::default(),
        });
        for message in saved.pending {
            core.take(message, Recorded::Already);
        }
        let intake = match source.webhook {
            Some(webhook) => Intake::webhook(&core, webhook, &saved.position).await?,
            #[cfg(feature = "realtime")]
            None => Intake::realtime(&core, source.realtime, &saved.position).await?,
            #[cfg(not(feature = "realtime"))]
            None => {
                return Err(Error::Config(
                    "real time needs the `realtime` feature".into(),
                ));
            }
        };
        Ok(RunningBot {
            core,
            intake,
            stop: self.stop,
            interrupted: saved.interrupted,
        })
    }
}

#[derive(Debug, Default)]
struct Counts {
    handled: AtomicU64,
    failed: AtomicU64,
    ignored: AtomicU64,
    repeats: AtomicU64,
    aborted: AtomicU64,
}

struct State {
    seen: Dedup,
    /// Messages waiting per sender; a key is present while that sender's
    /// worker runs.
    queues: HashMap<String, VecDeque<Job>>,
    pending: usize,
    store: Box<dyn Store>,
}

struct Job {
    message: Message,
    trigger: Trigger,
    handler: Handler,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Recorded {
    Already,
    No,
}

struct Core {
    client: Client,
    me: String,
    routes: Routes,
    settings: Settings,
    state: Mutex<State>,
    permits: Arc<Semaphore>,
    draining: AtomicBool,
    /// Set once the run has stopped: nothing is taken in any more.
    closed: AtomicBool,
    abort: watch::Sender<bool>,
    workers: AtomicUsize,
    idle: Notify,
    budget: Mutex<HashMap<String, VecDeque<Instant>>>,
    counts: Counts,
}

impl Core {
    /// Takes a message in: de-duplicates, routes, records, queues.
    fn take(self: &Arc<Self>, message: Message, recorded: Recorded) -> Verdict {
        if message.from_username == self.me {
            return Verdict::Accepted;
        }
        let mut state = lock(&self.state);
        if self.closed.load(Ordering::SeqCst) {
            return Verdict::Busy("the bot has stopped".to_owned());
        }
        if state.seen.contains(&message.id) {
            self.counts.repeats.fetch_add(1, Ordering::Relaxed);
            return Verdict::Repeat;
        }
        let Some((trigger, handler)) = self.routes.route(&message, &self.me, &self.settings) else {
            state.seen.insert(message.id);
            self.counts.ignored.fetch_add(1, Ordering::Relaxed);
            return Verdict::Accepted;
        };
        if state.pending >= self.settings.max_pending {
            return Verdict::Busy(format!(
                "the bot has {} messages waiting for a handler",
                state.pending
            ));
        }
        if recorded == Recorded::No
            && let Err(e) = state.store.received(&message)
        {
            tracing::error!(error = %e, "bot: cannot record a message; refusing it for now");
            return Verdict::Busy(format!("cannot record the message: {e}"));
        }
        state.seen.insert(message.id);
        state.pending += 1;
        let partner = message.from_username.clone();
        let job = Job {
            message,
            trigger,
            handler,
        };
        match state.queues.entry(partner) {
            hash_map::Entry::Occupied(mut queue) => queue.get_mut().push_back(job),
            hash_map::Entry::Vacant(slot) => {
                let partner = slot.key().clone();
                slot.insert(VecDeque::from([job]));
                self.workers.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(self.clone().work(partner));
            }
        }
        Verdict::Accepted
    }

    /// Runs one sender's messages in order, one at a time.
    async fn work(self: Arc<Self>, partner: String) {
        let _worker = WorkerGuard(&self);
        let mut abort = self.abort.subscribe();
        loop {
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                return; // closed: the bot is stopping
            };
            let job = {
                let mut state = lock(&self.state);
                if self.draining.load(Ordering::SeqCst) {
                    return;
                }
                let Some(job) = state.queues.get_mut(&partner).and_then(VecDeque::pop_front) else {
                    state.queues.remove(&partner);
                    return;
                };
                state.pending -= 1;
                if let Err(e) = state.store.started(job.message.id) {
                    tracing::warn!(error = %e, "bot: cannot record a handler's start");
                }
                job
            };
            let id = job.message.id;
            let cx = Context {
                message: job.message,
                trigger: job.trigger,
                core: self.clone(),
            };
            let run = AssertUnwindSafe((job.handler)(cx)).catch_unwind();
            let outcome = tokio::select! {
                outcome = run => outcome,
                () = webhook::stop_requested(&mut abort) => {
                    self.counts.aborted.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(message_id = %id, "bot: handler cancelled at the shutdown deadline");
                    return;
                }
            };
            match outcome {
                Ok(Ok(())) => {
                    self.counts.handled.fetch_add(1, Ordering::Relaxed);
                }
                Ok(Err(e)) => {
                    self.counts.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(message_id = %id, error = %e, "bot: handler failed");
                }
                Err(_) => {
                    self.counts.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(message_id = %id, "bot: handler panicked");
                }
            }
            if let Err(e) = lock(&self.state).store.done(id) {
                tracing::warn!(error = %e, "bot: cannot record a handler's end");
            }
            drop(permit);
        }
    }

    /// Counts a reply to `partner` against its budget.
    fn spend_budget(&self, partner: &str) -> Result<()> {
        let now = Instant::now();
        let window = self.settings.reply_window;
        let mut budget = lock(&self.budget);
        if budget.len() > 1024 {
            budget.retain(|_, sent| sent.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let sent = budget.entry(partner.to_owned()).or_default();
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            sent.pop_front();
        }
        if sent.len() >= self.settings.reply_limit as usize {
            tracing::warn!(partner, "bot: reply budget spent; reply not sent");
            return Err(Error::ReplyBudget {
                partner: partner.to_owned(),
                limit: self.settings.reply_limit,
                window,
            });
        }
        sent.push_back(now);
        Ok(())
    }

    /// Waits until no worker runs, or `limit` passes; true when idle.
    async fn idle_within(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.idle.notified();
                if self.workers.load(Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

struct WorkerGuard<'a>(&'a Core);

impl Drop for WorkerGuard<'_> {
    fn drop(&mut self) {
        if self.0.workers.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// What came since `position`: room messages and direct messages to `me`,
/// oldest first.
async fn since(client: &Client, me: &str, position: &Position) -> Result<Vec<Message>> {
    let Some(time) = position.timestamp else {
        return Ok(Vec::new());
    };
    let mut messages = client.history_since(false, me, time).await?;
    messages.extend(client.history_since(true, me, time).await?);
    messages.sort_by_key(|m| m.timestamp);
    Ok(messages)
}

enum Intake {
    #[cfg(feature = "realtime")]
    Realtime {
        live: Arc<crate::realtime::Realtime>,
        reader: tokio::task::JoinHandle<()>,
    },
    Webhook {
        server: webhook::Server,
    },
}

impl Intake {
    #[cfg(feature = "realtime")]
    async fn realtime(
        core: &Arc<Core>,
        settings: Option<crate::realtime::RealtimeBuilder>,
        position: &Position,
    ) -> Result<Self> {
        use crate::realtime::Event;
        let mut builder = settings
            .unwrap_or_else(|| core.client.realtime())
            .skip_own_messages(true)
            .dedup_capacity(core.settings.window);
        if position.timestamp.is_some() {
            builder = builder.resume_from(position.clone());
        }
        let live = Arc::new(builder.connect().await?);
        let mut events = live.events();
        let reader_core = core.clone();
        let reader = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                match event {
                    Event::Message(message) => reader_core.take_waiting(*message).await,
                    Event::Connected => tracing::info!("bot: real time connected"),
                    Event::Disconnected(d) => tracing::warn!(
                        code = d.code, reason = %d.reason, will_reconnect = d.will_reconnect,
                        "bot: real time disconnected"
                    ),
                    Event::Error(e) => tracing::warn!(error = %e, "bot: real time"),
                    _ => {}
                }
            }
        });
        Ok(Intake::Realtime { live, reader })
    }

    async fn webhook(core: &Arc<Core>, source: WebhookSource, position: &Position) -> Result<Self> {
        let WebhookSource {
            addr,
            path,
            register,
        } = source;
        let sink_core = core.clone();
        let sink =
            move |delivery: webhook::Delivery| sink_core.take(delivery.message, Recorded::No);
        let server = WebhookBuilder::default()
            .path(path)
            .serve(&addr, Arc::new(sink))
            .await?;
        let url = match register {
            Register::No => None,
            Register::Local => Some(server.url()),
            Register::Url(url) => Some(url),
        };
        if let Some(url) = url {
            core.client.set_webhook(Some(&url)).await?;
            tracing::info!(url, "bot: webhook registered");
        }
        tracing::info!(url = server.url(), "bot: listening for webhooks");
        // Deliveries may already be arriving: the store's ids keep the
        // fill from doubling them.
        match since(&core.client, &core.me, position).await {
            Ok(missed) => {
                for message in missed {
                    core.take_waiting(message).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "bot: cannot fill the gap since the last run"),
        }
        Ok(Intake::Webhook { server })
    }

    /// Stops intake; when it returns, nothing more is taken in.
    async fn close(&mut self) {
        match self {
            #[cfg(feature = "realtime")]
            Intake::Realtime { live, reader } => {
                live.close().await;
                // `ended` may have seen it finish already.
                if !reader.is_finished() {
                    reader.abort();
                    let _ = reader.await;
                }
            }
            Intake::Webhook { server } => server.shutdown().await,
        }
    }

    /// The webhook server, in webhook mode.
    fn server(&self) -> Option<&webhook::Server> {
        match self {
            Intake::Webhook { server } => Some(server),
            #[cfg(feature = "realtime")]
            Intake::Realtime { .. } => None,
        }
    }

    /// Resolves when the source ends by itself (a real-time connection the
    /// server closed for good).
    async fn ended(&mut self) {
        match self {
            #[cfg(feature = "realtime")]
            Intake::Realtime { reader, .. } => {
                let _ = reader.await;
            }
            Intake::Webhook { .. } => std::future::pending().await,
        }
    }
}

impl Core {
    /// Takes a message from a source that cannot be asked to send it again
    /// (real time, a backfill): waits while the bot is full.
    async fn take_waiting(self: &Arc<Self>, message: Message) {
        loop {
            match self.take(message.clone(), Recorded::No) {
                Verdict::Busy(why) if !self.draining.load(Ordering::SeqCst) => {
                    tracing::debug!(why, "bot: waiting to take a message");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ => return,
            }
        }
    }
}

/// Why a bot stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopReason {
    /// Ctrl-C or `SIGTERM`.
    Signal,
    /// A [`StopHandle`].
    Requested,
    /// The source ended (the real-time server closed the connection for
    /// good).
    SourceEnded,
}

/// What a run did, returned when it stops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Why it stopped.
    pub stopped_by: StopReason,
    /// Handlers that returned `Ok`.
    pub handled: u64,
    /// Handlers that returned an error or panicked.
    pub failed: u64,
    /// Messages no handler was for.
    pub ignored: u64,
    /// Messages taken in again (webhook retries, backfill overlap) and
    /// skipped.
    pub repeats: u64,
    /// Handlers cancelled at the shutdown deadline.
    pub aborted: u64,
    /// Messages taken in but not started; the next start handles them.
    pub left_pending: usize,
    /// Messages whose handler the previous run left running (it died):
    /// not run again.
    pub interrupted: Vec<Uuid>,
    /// What the webhook receiver answered (webhook mode).
    pub webhook: Option<WebhookStats>,
}

/// A started bot.
pub struct RunningBot {
    core: Arc<Core>,
    intake: Intake,
    stop: Arc<watch::Sender<bool>>,
    interrupted: Vec<Uuid>,
}

impl fmt::Debug for RunningBot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningBot")
            .field("username", &self.core.me)
            .field("webhook_url", &self.webhook_url())
            .finish_non_exhaustive()
    }
}

impl RunningBot {
    /// The bot's username.
    pub fn username(&self) -> &str {
        &self.core.me
    }

    /// The webhook receiver's own URL (webhook mode).
    pub fn webhook_url(&self) -> Option<String> {
        self.intake.server().map(webhook::Server::url)
    }

    /// The webhook receiver's address (webhook mode).
    pub fn webhook_addr(&self) -> Option<std::net::SocketAddr> {
        self.intake.server().map(webhook::Server::local_addr)
    }

    /// A handle that stops the bot.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.stop.clone())
    }

    /// Runs until Ctrl-C, `SIGTERM`, a [`StopHandle`] or the end of the
    /// source, then stops: intake first, then running handlers get until
    /// the deadline, then the store is saved.
    pub async fn wait(mut self) -> Result<Report> {
        let mut stop = self.stop.subscribe();
        let signals = self.core.settings.signals;
        let stopped_by = tokio::select! {
            () = webhook::stop_requested(&mut stop) => StopReason::Requested,
            () = signal(), if signals => StopReason::Signal,
            () = self.intake.ended() => StopReason::SourceEnded,
        };
        tracing::info!(?stopped_by, "bot: stopping");
        let core = &self.core;
        core.draining.store(true, Ordering::SeqCst);
        core.permits.close();
        self.intake.close().await;
        core.closed.store(true, Ordering::SeqCst);
        if !core.idle_within(core.settings.shutdown_deadline).await {
            core.abort.send_replace(true);
            core.idle_within(Duration::from_secs(5)).await;
        }
        let webhook = self.intake.server().map(webhook::Server::stats);
        let left_pending = {
            let mut state = lock(&core.state);
            state.store.flush()?;
            state.pending
        };
        let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Ok(Report {
            stopped_by,
            handled: count(&core.counts.handled),
            failed: count(&core.counts.failed),
            ignored: count(&core.counts.ignored),
            repeats: count(&core.counts.repeats),
            aborted: count(&core.counts.aborted),
            left_pending,
            interrupted: std::mem::take(&mut self.interrupted),
            webhook,
        })
    }
}

/// Ctrl-C, or `SIGTERM` on Unix.
async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What a handler gets: the message, why it was called, and ways to answer.
#[derive(Clone)]
pub struct Context {
    message: Message,
    trigger: Trigger,
    core: Arc<Core>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("trigger", &self.trigger)
            .field("message_id", &self.message.id)
            .field("from", &self.message.from_username)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// The message.
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// Its text.
    pub fn text(&self) -> &str {
        &self.message.content
    }

    /// Who sent it.
    pub fn sender(&self) -> &str {
        &self.message.from_username
    }

    /// Why this handler runs.
    pub fn trigger(&self) -> &Trigger {
        &self.trigger
    }

    /// For a command: its arguments; otherwise the text without a leading
    /// mention of the bot (`"@bot hi there"` gives `"hi there"`).
    pub fn args(&self) -> &str {
        match &self.trigger {
            Trigger::Command { args, .. } => args,
            _ => route::strip_leading_mention(&self.message.content, &self.core.me),
        }
    }

    /// Whether it came as a direct message (else in the room).
    pub fn is_direct(&self) -> bool {
        self.message.to_username.is_some()
    }

    /// The bot's own username.
    pub fn me(&self) -> &str {
        &self.core.me
    }

    /// The client, for anything else.
    pub fn client(&self) -> &Client {
        &self.core.client
    }

    /// Answers where the message came: in the room, or directly to the
    /// sender. Sent exactly once (see the module docs); counts against the
    /// reply budget.
    pub async fn reply(&self, text: &str) -> Result<Message> {
        let to = self.is_direct().then_some(self.sender());
        self.send(to, text).await
    }

    /// Answers the sender directly, wherever the message came.
    pub async fn reply_direct(&self, text: &str) -> Result<Message> {
        self.send(Some(self.sender()), text).await
    }

    /// Shows "typing" where the message came.
    pub async fn typing(&self) -> Result<()> {
        let to = self.is_direct().then_some(self.sender());
        self.core.client.typing(to).await.map(drop)
    }

    async fn send(&self, to: Option<&str>, text: &str) -> Result<Message> {
        self.core.spend_budget(self.sender())?;
        send_once(&self.core.client, to, text).await
    }
}

/// How many times a reply is tried at most.
const SEND_ATTEMPTS: u32 = 3;

/// Sends `text` (to `to`, or the room) so that it is stored once: an
/// unknown outcome is looked up before another try, a `429` waits.
async fn send_once(client: &Client, to: Option<&str>, text: &str) -> Result<Message> {
    let mut attempt = 1;
    loop {
        let sent = match to {
            Some(to) => client.send_direct_message(to, text).await,
            None => client.send_message(text).await,
        };
        match sent {
            Err(Error::SendOutcomeUnknown(unknown)) if attempt < SEND_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(250 * u64::from(attempt))).await;
                match client.find_sent(&unknown).await {
                    Ok(Some(message)) => return Ok(message),
                    Ok(None) => {
                        tracing::info!(attempt, "bot: a reply was not stored; sending it again");
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "bot: cannot look up a reply of unknown outcome");
                        return Err(Error::SendOutcomeUnknown(unknown));
                    }
                }
            }
            Err(Error::RateLimited(limited)) if attempt < SEND_ATTEMPTS => {
                let wait = limited.retry_after.unwrap_or(Duration::from_secs(1));
                tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
            }
            other => return other,
        }
        attempt += 1;
    }
}
