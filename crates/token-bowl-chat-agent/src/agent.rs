//! The agent: start-up, the bot handler, stop.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::future::BoxFuture;
use token_bowl_chat::{
    Client, Role,
    bot::{Bot, Context, FileStore, HandlerResult, Trigger},
};
use tokio::sync::{Notify, watch};

use crate::{
    AgentConfig, AnswerMode, BotDirectPolicy, Error, Model, Place,
    limits::Cooldown,
    memory::{self, Entry, Memory, Speaker},
    stats::{Snapshot, Stats},
    tools::Tools,
};

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An LLM participant: give it to a [`Bot`] with [`attach`](Self::attach).
/// Cheap to clone (one shared state).
#[derive(Clone)]
pub struct Agent {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("me", &self.inner.me)
            .field("model", &self.inner.model)
            .field("tools", &self.inner.tools)
            .finish_non_exhaustive()
    }
}

/// Per conversation, while the process runs.
#[derive(Default)]
pub(crate) struct Live {
    /// A worker runs for it.
    pub running: bool,
    /// The newest message's context (to reply through the runtime).
    pub context: Option<Context>,
    /// When its newest message came.
    pub last_arrival: Option<Instant>,
    /// Wakes its worker.
    pub wake: Arc<Notify>,
}

pub(crate) struct Inner {
    pub config: AgentConfig,
    pub model: Model,
    pub tools: Tools,
    pub client: Client,
    pub me: String,
    pub is_bot: bool,
    pub memory: Mutex<Memory>,
    pub memory_path: PathBuf,
    pub live: Mutex<HashMap<Place, Live>>,
    pub cooldown: Mutex<Cooldown>,
    pub stats: Stats,
    pub stopping: watch::Sender<bool>,
    pub workers: AtomicUsize,
    pub idle: Notify,
    pub notes: Vec<String>,
}

impl Agent {
    /// Checks the settings and the model (a wrong key or an unknown model
    /// fails here, before the bot joins), reads who the bot is, loads its
    /// memory, connects the MCP servers in `mcp` (URLs or commands), and
    /// starts answering what was left waiting by the last run.
    pub async fn start(config: AgentConfig, client: Client, mcp: &[String]) -> Result<Self, Error> {
        config.validate()?;
        let model = Model::new(&config.model)?;
        model.check().await?;
        let profile = client.me().await?;
        let is_bot = profile.role == Role::Bot || profile.bot;
        let mut notes = Vec::new();
        if is_bot {
            notes.push(match config.bot_direct {
                BotDirectPolicy::Skip => format!(
                    "{} is a bot account: the server (2.0.1) refuses its direct messages (403), \
                     so direct messages to it are not answered (skipped with a warning)",
                    profile.username
                ),
                BotDirectPolicy::Room => format!(
                    "{} is a bot account: the server (2.0.1) refuses its direct messages (403), \
                     so direct messages to it are answered in the room, with a mention",
                    profile.username
                ),
            });
        }
        let memory_path = config
            .memory_path
            .clone()
            .unwrap_or_else(|| memory::path_beside(&FileStore::default_path(&profile.username)));
        let memory = load_memory(&memory_path)?;
        let tools = connect_tools(&config, !is_bot, mcp).await?;
        let agent = Self {
            inner: Arc::new(Inner {
                cooldown: Mutex::new(Cooldown::new(config.cooldown_replies, config.cooldown)),
                config,
                model,
                tools,
                client,
                me: profile.username,
                is_bot,
                memory: Mutex::new(memory),
                memory_path,
                live: Mutex::new(HashMap::new()),
                stats: Stats::default(),
                stopping: watch::channel(false).0,
                workers: AtomicUsize::new(0),
                idle: Notify::new(),
                notes,
            }),
        };
        for note in &agent.inner.notes {
            tracing::warn!("agent: {note}");
        }
        agent.resume();
        Ok(agent)
    }

    /// Puts the agent's handlers into `bot`: direct messages, mentions,
    /// and every other room message (remembered as context; answered too
    /// with [`AnswerMode::All`]). Commands added to the bot stay the bot's.
    pub fn attach(&self, bot: Bot) -> Bot {
        let handler = self.handler();
        bot.on_direct(handler.clone())
            .on_mention(handler.clone())
            .on_message(handler)
    }

    /// The handler alone, for a bot that routes messages itself.
    pub fn handler(
        &self,
    ) -> impl Fn(Context) -> BoxFuture<'static, HandlerResult> + Clone + Send + Sync + 'static {
        let inner = self.inner.clone();
        move |cx: Context| -> BoxFuture<'static, HandlerResult> {
            let inner = inner.clone();
            Box::pin(async move { inner.take(cx) })
        }
    }

    /// The bot's username.
    pub fn me(&self) -> &str {
        &self.inner.me
    }

    /// What was said at start that a person should know (a bot account's
    /// direct messages).
    pub fn notes(&self) -> &[String] {
        &self.inner.notes
    }

    /// The names of the tools offered to the model.
    pub fn tool_names(&self) -> Vec<String> {
        self.inner.tools.names()
    }

    /// The memory file.
    pub fn memory_path(&self) -> &std::path::Path {
        &self.inner.memory_path
    }

    /// The counters now.
    pub fn stats(&self) -> Snapshot {
        self.inner.stats.snapshot(self.inner.model.retries())
    }

    /// Stops starting turns, lets running ones finish within `deadline`,
    /// and saves the memory. Messages still waiting are answered on the
    /// next start. True when every turn finished.
    pub async fn shutdown(&self, deadline: Duration) -> bool {
        self.inner.stopping.send_replace(true);
        for live in lock(&self.inner.live).values() {
            live.wake.notify_one();
        }
        let wait = async {
            loop {
                let notified = self.inner.idle.notified();
                if self.inner.workers.load(Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        let finished = tokio::time::timeout(deadline, wait).await.is_ok();
        if let Err(e) = self.inner.save() {
            tracing::error!(error = %e, "agent: cannot save the memory");
        }
        finished
    }

    /// Starts workers for conversations with messages waiting (left by the
    /// last run).
    fn resume(&self) {
        let places: Vec<Place> = lock(&self.inner.memory)
            .conversations
            .iter()
            .filter(|(_, c)| !c.waiting.is_empty())
            .map(|(p, _)| p.clone())
            .collect();
        for place in places {
            tracing::info!(%place, "agent: answering what the last run left waiting");
            self.inner.clone().wake(place, None);
        }
    }
}

/// Reads the memory; turns that had started when the last run ended are
/// not run again (they may have been answered), and are logged.
fn load_memory(path: &std::path::Path) -> Result<Memory, Error> {
    let mut memory = Memory::load(path)?;
    for (place, conversation) in memory.conversations.iter_mut() {
        if !conversation.answering.is_empty() {
            tracing::warn!(
                %place,
                messages = conversation.answering.len(),
                "agent: the last run ended during a turn; not answering its messages again"
            );
            let answering = std::mem::take(&mut conversation.answering);
            conversation.waiting.retain(|id| !answering.contains(id));
        }
    }
    Ok(memory)
}

async fn connect_tools(config: &AgentConfig, can_dm: bool, mcp: &[String]) -> Result<Tools, Error> {
    #[allow(unused_mut)]
    let mut tools = if config.chat_tools {
        Tools::chat(can_dm)
    } else {
        Tools::none()
    };
    #[cfg(feature = "mcp")]
    for spec in mcp {
        let server = crate::mcp::McpServer::connect(spec).await?;
        tracing::info!(
            server = spec,
            tools = server.tools().len(),
            "agent: MCP server connected"
        );
        tools.add_mcp(server);
    }
    #[cfg(not(feature = "mcp"))]
    if !mcp.is_empty() {
        return Err(Error::Config(
            "MCP servers need the `mcp` feature of token-bowl-chat-agent".into(),
        ));
    }
    Ok(tools)
}

impl Inner {
    /// The handler: remember the message, and wake its conversation's
    /// worker when it wants an answer.
    fn take(self: Arc<Self>, cx: Context) -> HandlerResult {
        Stats::add(&self.stats.messages_in, 1);
        let message = cx.message();
        let place = if cx.is_direct() {
            Place::Direct(cx.sender().to_owned())
        } else {
            Place::Room
        };
        let answer = match (&place, cx.trigger()) {
            (Place::Direct(_), _)
                if self.is_bot && self.config.bot_direct == BotDirectPolicy::Skip =>
            {
                tracing::warn!(
                    from = cx.sender(),
                    "agent: a direct message to a bot account is not answered (server 2.0.1 \
                     refuses a bot's direct messages)"
                );
                Stats::add(&self.stats.skipped, 1);
                false
            }
            (Place::Direct(_), _) => true,
            (Place::Room, Trigger::Mention | Trigger::Command { .. }) => true,
            (Place::Room, _) => self.config.answer == AnswerMode::All,
        };
        let entry = Entry {
            speaker: Speaker::Other,
            name: message.from_username.clone(),
            text: message.content.clone(),
            id: Some(message.id),
            at: message.timestamp,
            tokens: None,
        };
        {
            let mut memory = lock(&self.memory);
            memory.heard(&place, entry, answer, self.config.max_history);
            memory.save(&self.memory_path)?;
        }
        if answer {
            self.wake(place, Some(cx));
        }
        Ok(())
    }

    /// Wakes `place`'s worker, starting one when none runs.
    pub(crate) fn wake(self: Arc<Self>, place: Place, cx: Option<Context>) {
        let mut live = lock(&self.live);
        let state = live.entry(place.clone()).or_default();
        if cx.is_some() {
            state.context = cx;
        }
        state.last_arrival = Some(Instant::now());
        if state.running {
            state.wake.notify_one();
            return;
        }
        state.running = true;
        self.workers.fetch_add(1, Ordering::SeqCst);
        drop(live);
        tokio::spawn(self.work(place));
    }

    pub(crate) fn save(&self) -> Result<(), Error> {
        lock(&self.memory).save(&self.memory_path)
    }
}
