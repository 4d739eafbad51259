//! What `wait_for_messages` waits on: one inbox per MCP session that
//! collects the messages others post after the session started, from real
//! time where it connects and from polling the REST history where it does
//! not, and hands each out once.
//!
//! Real time runs in a task of its own, started when the host's session is
//! initialised (or by the first wait, whichever comes first). While it
//! is connected a wait sleeps until a message lands; while it is not (the
//! server has no real-time side, or the connection dropped) each wait polls
//! `since` the newest message seen. Right after each connect one poll fills
//! the gap before it. Every message passes the same de-duplication by id,
//! so switching between the two never doubles or drops one.

use std::{
    collections::{HashSet, VecDeque},
    sync::{
        Arc, Mutex, PoisonError, Weak,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, TimeDelta, Utc};
use token_bowl_chat::{Client, Error, Message, MessageQuery, realtime::Event};
use tokio::sync::{OnceCell, watch};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::WaitSettings;

/// How many delivered ids are remembered (the server keeps 100 messages).
const SEEN_CAPACITY: usize = 4096;
/// How far before the newest message seen a poll asks from: a message
/// stored with an older timestamp than one already seen is still found.
const POLL_OVERLAP: TimeDelta = TimeDelta::seconds(5);
/// Pages a poll reads at most (100 messages each; the server keeps 100).
const POLL_PAGES: u64 = 3;

/// Which messages a wait is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kinds {
    Room,
    Direct,
    Both,
}

impl Kinds {
    /// From the tool's `direct` argument.
    pub fn from_direct(direct: Option<bool>) -> Self {
        match direct {
            None => Self::Both,
            Some(true) => Self::Direct,
            Some(false) => Self::Room,
        }
    }

    fn room(self) -> bool {
        self != Self::Direct
    }

    fn direct(self) -> bool {
        self != Self::Room
    }
}

/// What a wait ended with.
pub struct Outcome {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Whether real time was connected at the end.
    pub realtime: bool,
}

#[derive(Default)]
struct Queues {
    seen: HashSet<uuid::Uuid>,
    seen_order: VecDeque<uuid::Uuid>,
    room: Vec<Message>,
    direct: Vec<Message>,
    newest_room: Option<DateTime<Utc>>,
    newest_direct: Option<DateTime<Utc>>,
}

/// One session's inbox.
pub struct Inbox {
    client: Client,
    settings: WaitSettings,
    /// Messages stored before this are not new.
    started: DateTime<Utc>,
    me: OnceCell<String>,
    queues: Mutex<Queues>,
    /// Bumped whenever a message lands.
    landed: watch::Sender<u64>,
    connected: AtomicBool,
    /// Set by each connect: poll once to fill the gap before it.
    catch_up: AtomicBool,
    realtime_started: AtomicBool,
    /// Stops the real-time task when the session's inbox goes.
    stop: Mutex<Option<DropGuard>>,
}

impl Inbox {
    /// An inbox whose new messages are those stored from now on.
    pub fn new(client: Client, settings: WaitSettings) -> Arc<Self> {
        Arc::new(Self {
            client,
            settings,
            started: Utc::now(),
            me: OnceCell::new(),
            queues: Mutex::new(Queues::default()),
            landed: watch::Sender::new(0),
            connected: AtomicBool::new(false),
            catch_up: AtomicBool::new(false),
            realtime_started: AtomicBool::new(false),
            stop: Mutex::new(None),
        })
    }

    /// Your username (one `GET /users/me` per session).
    pub async fn me(&self) -> Result<&str, Error> {
        self.me
            .get_or_try_init(|| async { Ok(self.client.me().await?.username) })
            .await
            .map(String::as_str)
    }

    /// Waits up to `timeout` for messages of `kinds` not handed out yet.
    /// Messages are taken only at the moment it returns, so a wait
    /// cancelled (dropped) earlier loses none.
    pub async fn wait(self: &Arc<Self>, kinds: Kinds, timeout: Duration) -> Result<Outcome, Error> {
        let me = self.me().await?.to_owned();
        self.start_realtime();
        let deadline = tokio::time::Instant::now() + timeout;
        let mut landed = self.landed.subscribe();
        loop {
            landed.borrow_and_update();
            let mut messages = self.take(kinds);
            let realtime = self.connected.load(Ordering::Acquire);
            let poll = !realtime || self.catch_up.swap(false, Ordering::AcqRel);
            if messages.is_empty() && poll {
                self.poll(kinds, &me).await?;
                messages = self.take(kinds);
            }
            let now = tokio::time::Instant::now();
            if !messages.is_empty() || now >= deadline {
                return Ok(Outcome { messages, realtime });
            }
            let nap = if self.connected.load(Ordering::Acquire) {
                deadline - now
            } else {
                self.settings.poll_interval.min(deadline - now)
            };
            tokio::select! {
                _ = landed.changed() => {}
                () = tokio::time::sleep(nap) => {}
            }
        }
    }

    /// Hands out the queued messages of `kinds`, oldest first.
    fn take(&self, kinds: Kinds) -> Vec<Message> {
        let mut queues = lock(&self.queues);
        let mut out = Vec::new();
        if kinds.room() {
            out.append(&mut queues.room);
        }
        if kinds.direct() {
            out.append(&mut queues.direct);
        }
        out.sort_by_key(|m| m.timestamp);
        out
    }

    /// Queues `message` if it is new, from someone else, and not seen yet.
    fn accept(&self, message: Message, me: &str) {
        if message.timestamp < self.started || message.from_username == me {
            return;
        }
        let mut queues = lock(&self.queues);
        if !queues.seen.insert(message.id) {
            return;
        }
        queues.seen_order.push_back(message.id);
        if queues.seen_order.len() > SEEN_CAPACITY
            && let Some(oldest) = queues.seen_order.pop_front()
        {
            queues.seen.remove(&oldest);
        }
        let direct = message.to_username.is_some();
        let newest = if direct {
            &mut queues.newest_direct
        } else {
            &mut queues.newest_room
        };
        *newest = Some(newest.map_or(message.timestamp, |t| t.max(message.timestamp)));
        if direct {
            queues.direct.push(message);
        } else {
            queues.room.push(message);
        }
        drop(queues);
        self.landed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// One look at the REST history of `kinds`.
    async fn poll(&self, kinds: Kinds, me: &str) -> Result<(), Error> {
        for direct in [false, true] {
            if (direct && !kinds.direct()) || (!direct && !kinds.room()) {
                continue;
            }
            let newest = {
                let queues = lock(&self.queues);
                if direct {
                    queues.newest_direct
                } else {
                    queues.newest_room
                }
            };
            let since = newest.unwrap_or(self.started).max(self.started) - POLL_OVERLAP;
            for page in 0..POLL_PAGES {
                let query = MessageQuery::new()
                    .limit(100)
                    .offset(page * 100)
                    .since(since);
                let answer = if direct {
                    self.client.direct_messages(query).await?
                } else {
                    self.client.room_messages(query).await?
                };
                // Newest first: accept oldest first.
                for message in answer.messages.into_iter().rev() {
                    self.accept(message, me);
                }
                if !answer.pagination.has_more {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Starts the real-time task once, unless turned off.
    pub fn start_realtime(self: &Arc<Self>) {
        if !self.settings.realtime || self.realtime_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let stop = CancellationToken::new();
        *lock(&self.stop) = Some(stop.clone().drop_guard());
        tokio::spawn(realtime(self.client.clone(), Arc::downgrade(self), stop));
    }
}

/// Feeds the inbox from real time until the inbox goes. If the first
/// connect fails (no real-time side), the inbox goes on polling.
async fn realtime(client: Client, inbox: Weak<Inbox>, stop: CancellationToken) {
    // Messages are told apart from your own by name: know it before the
    // first one arrives (a failure here is the first wait's to report).
    if let Some(inbox) = inbox.upgrade() {
        let _ = inbox.me().await;
    }
    let live = tokio::select! {
        live = client.realtime().skip_own_messages(true).connect() => live,
        () = stop.cancelled() => return,
    };
    let live = match live {
        Ok(live) => live,
        Err(e) => {
            tracing::debug!("real time unavailable, polling instead: {e}");
            return;
        }
    };
    let mut events = live.events();
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            () = stop.cancelled() => break,
        };
        let (Some(event), Some(inbox)) = (event, inbox.upgrade()) else {
            break;
        };
        match event {
            Event::Message(message) => {
                if let Some(me) = inbox.me.get() {
                    inbox.accept(*message, me);
                }
            }
            Event::Connected => {
                inbox.catch_up.store(true, Ordering::Release);
                inbox.connected.store(true, Ordering::Release);
                inbox.landed.send_modify(|n| *n = n.wrapping_add(1));
            }
            Event::Disconnected(_) => inbox.connected.store(false, Ordering::Release),
            _ => {}
        }
    }
    if let Some(inbox) = inbox.upgrade() {
        inbox.connected.store(false, Ordering::Release);
    }
    live.close().await;
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
