//! Live events: room and direct messages, read receipts, typing and unread
//! counts, as a typed stream (or callbacks) that survives reconnects
//! without losing or doubling a message.
//!
//! Built on the official Centrifugo client (`centrifuge-client`, JSON
//! protocol), which reconnects with jittered backoff, answers pings,
//! refreshes the token through [`Client::connection_token`], and lets
//! Centrifugo recover missed publications of the server-side subscriptions
//! (`room:main` and `user:<you>`, from the token's `channels` claim) where
//! the server has recovery on. After every reconnect, a channel whose
//! re-subscription does not say `recovered` (recovery off, no history,
//! history expired, a new epoch), and every channel on a fresh start with a
//! saved [`Position`], is filled from the REST history (`since` the newest
//! message seen on it), oldest first, before live delivery goes on.
//! Messages are de-duplicated by id across recovery, backfill and live
//! delivery, in a bounded window that forgets the oldest first. The crate
//! README has the table of what holds under which server setting.
//!
//! ```no_run
//! use token_bowl_chat::{Client, realtime::Event};
//!
//! # async fn demo() -> Result<(), token_bowl_chat::Error> {
//! let client = Client::from_env()?;
//! let live = client.realtime().skip_own_messages(true).connect().await?;
//! let mut events = live.events();
//! while let Some(event) = events.next().await {
//!     match event {
//!         Event::Message(m) => println!("{}: {}", m.from_username, m.content),
//!         Event::Disconnected(d) => eprintln!("disconnected: {} ({})", d.reason, d.code),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

use std::{
    collections::{HashMap, HashSet},
    fmt,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use centrifuge::{ClientEvent, TokenError, codes};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt, future::BoxFuture};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

pub use crate::delivery::{Dedup, Position};
use crate::{Client, Error, Message, RealtimeError, RealtimeErrorKind, Result};

/// Overrides the WebSocket URL the server reports (servers behind proxies
/// report internal URLs).
pub const REALTIME_URL_ENV: &str = "TOKEN_BOWL_CHAT_REALTIME_URL";
/// How many message ids the de-duplication window remembers by default.
pub const DEFAULT_DEDUP_CAPACITY: usize = crate::delivery::DEFAULT_CAPACITY;
/// The room channel.
pub const ROOM_CHANNEL: &str = "room:main";

/// One live event. Serialises to one JSON object whose `"event"` names the
/// kind (`message`, `read_receipt`, `typing`, `unread_count`, `connected`,
/// `disconnected`, `error`, `unknown`) beside the event's own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A room message, or a direct message to you.
    Message(Box<Message>),
    /// Someone read a message.
    ReadReceipt(ReadReceipt),
    /// Someone is typing.
    Typing(Typing),
    /// Your unread counts changed.
    UnreadCount(UnreadCounts),
    /// Connected (again).
    Connected,
    /// The connection ended.
    Disconnected(Disconnect),
    /// A background failure (a connect attempt, a token fetch, a
    /// backfill); the client goes on trying.
    Error(RealtimeError),
    /// A payload this version does not know.
    Unknown {
        /// The channel it came on.
        channel: String,
        /// The payload as it came: JSON text (or, for a payload that is not
        /// JSON, its text). It serialises as the JSON it holds.
        #[serde(serialize_with = "embedded_json")]
        data: String,
    },
}

/// Writes JSON text as the JSON it holds (or as a string when it is not).
fn embedded_json<S: serde::Serializer>(
    data: &str,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match serde_json::from_str::<Value>(data) {
        Ok(value) => value.serialize(serializer),
        Err(_) => serializer.serialize_str(data),
    }
}

/// A read receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReadReceipt {
    /// The message read.
    pub message_id: Uuid,
    /// Who read it.
    pub read_by: String,
    /// When.
    pub read_at: DateTime<Utc>,
}

/// A typing indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Typing {
    /// Who is typing.
    pub username: String,
    /// To whom (`None`: the room).
    #[serde(rename = "to_username")]
    pub to: Option<String>,
    /// When.
    #[serde(rename = "timestamp")]
    pub at: DateTime<Utc>,
}

/// Unread counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnreadCounts {
    /// Unread room messages.
    #[serde(rename = "unread_room_messages")]
    pub room: u64,
    /// Unread direct messages.
    #[serde(rename = "unread_direct_messages")]
    pub direct: u64,
    /// Both.
    #[serde(rename = "total_unread")]
    pub total: u64,
}

/// Why the connection ended, and whether it comes back by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Disconnect {
    /// Centrifugo's code (a close-frame code, or `centrifuge::codes`).
    pub code: u32,
    /// Its reason.
    pub reason: String,
    /// Whether the client reconnects on its own.
    pub will_reconnect: bool,
}

/// The connection's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Not connected and not trying to.
    Disconnected,
    /// Connecting or reconnecting.
    Connecting,
    /// Connected.
    Connected,
    /// Closed for good.
    Closed,
}

/// Settings for a live connection: `client.realtime()`.
#[derive(Debug, Clone)]
pub struct RealtimeBuilder {
    client: Client,
    url: Option<String>,
    use_env: bool,
    skip_own_messages: bool,
    resume_from: Option<Position>,
    dedup_capacity: usize,
    reconnect_delay: Option<(Duration, Duration)>,
}

impl Client {
    /// Settings for a live connection.
    pub fn realtime(&self) -> RealtimeBuilder {
        RealtimeBuilder {
            client: self.clone(),
            url: None,
            use_env: true,
            skip_own_messages: false,
            resume_from: None,
            dedup_capacity: DEFAULT_DEDUP_CAPACITY,
            reconnect_delay: None,
        }
    }
}

impl RealtimeBuilder {
    /// The WebSocket URL (else [`REALTIME_URL_ENV`], else the URL the server
    /// reports with the token).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Whether [`REALTIME_URL_ENV`] is read (default: yes).
    pub fn use_env(mut self, yes: bool) -> Self {
        self.use_env = yes;
        self
    }

    /// Drops your own room messages (the server echoes them on `room:main`).
    pub fn skip_own_messages(mut self, yes: bool) -> Self {
        self.skip_own_messages = yes;
        self
    }

    /// Delivers first every message after `position`, from the REST
    /// history, then live ones.
    pub fn resume_from(mut self, position: Position) -> Self {
        self.resume_from = Some(position);
        self
    }

    /// How many message ids the de-duplication window keeps (default 4096;
    /// about 50 bytes each).
    pub fn dedup_capacity(mut self, ids: usize) -> Self {
        self.dedup_capacity = ids.max(1);
        self
    }

    /// Reconnect backoff bounds (default: the Centrifugo client's).
    pub fn reconnect_delay(mut self, min: Duration, max: Duration) -> Self {
        self.reconnect_delay = Some((min, max));
        self
    }

    /// Fetches a connection token and connects. Events flow from the first
    /// connect on; nothing is missed between here and [`Realtime::events`].
    pub async fn connect(self) -> Result<Realtime> {
        let token = self.client.connection_token().await?;
        let url = self
            .url
            .or_else(|| {
                self.use_env
                    .then(|| std::env::var(REALTIME_URL_ENV).ok())
                    .flatten()
            })
            .unwrap_or(token.url);
        let rest = self.client.clone();
        let mut builder = centrifuge::Client::builder(url.clone())
            .token(token.token.expose_secret())
            .protocol(centrifuge::Protocol::Json)
            // Events are read from the client's stream by our own task, not
            // by handlers, so nothing blocks: delivering them on the
            // client's task spares a thread hop (two wake-ups) per event.
            .event_delivery(centrifuge::EventDelivery::Inline)
            .name("token-bowl-rust")
            .version(env!("CARGO_PKG_VERSION"))
            .get_token(move |_| {
                let rest = rest.clone();
                async move {
                    match rest.connection_token().await {
                        Ok(token) => Ok(Some(token.token.expose_secret().to_owned())),
                        Err(Error::Authentication(_) | Error::MissingApiKey { .. }) => {
                            Err(TokenError::Unauthorized)
                        }
                        Err(e) => Err(TokenError::from(e)),
                    }
                }
            });
        if let Some((min, max)) = self.reconnect_delay {
            builder = builder.min_reconnect_delay(min).max_reconnect_delay(max);
        }
        let centrifuge = builder.build().map_err(|e| {
            Error::Realtime(RealtimeError::new(
                RealtimeErrorKind::Setup,
                format!("{url}: {e}"),
            ))
        })?;
        let position = Arc::new(Mutex::new(self.resume_from.clone().unwrap_or_default()));
        let (tx, rx) = mpsc::channel(256);
        let mut dedup = Dedup::new(self.dedup_capacity);
        let mut resume_channels = HashSet::new();
        let mut channel_last = HashMap::new();
        if let Some(resume) = &self.resume_from {
            if let Some(id) = resume.message_id {
                dedup.insert(id);
            }
            resume_channels.extend(token.channels.iter().cloned());
            if let Some(time) = resume.timestamp {
                channel_last.extend(token.channels.iter().map(|c| (c.clone(), time)));
            }
        }
        let pump = Pump {
            rest: self.client.clone(),
            me: token.user,
            skip_own_messages: self.skip_own_messages,
            dedup,
            position: position.clone(),
            tx,
            resume_channels,
            subscribed: HashSet::new(),
            channel_last,
            position_at_cut: None,
            first_connected: None,
        };
        let source = centrifuge.events();
        tokio::spawn(pump.run(source));
        centrifuge.connect().map_err(|e| {
            Error::Realtime(RealtimeError::new(
                RealtimeErrorKind::Connect,
                format!("{url}: {e}"),
            ))
        })?;
        Ok(Realtime {
            client: self.client,
            url,
            centrifuge,
            events: Mutex::new(Some(rx)),
            position,
        })
    }
}

fn lock(position: &Mutex<Position>) -> std::sync::MutexGuard<'_, Position> {
    position.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A live connection. Dropping it disconnects (the Centrifugo client ends
/// with its last handle); [`close`](Self::close) also waits for the
/// connection to end and the stream to finish.
pub struct Realtime {
    client: Client,
    url: String,
    centrifuge: centrifuge::Client,
    events: Mutex<Option<mpsc::Receiver<Event>>>,
    position: Arc<Mutex<Position>>,
}

impl fmt::Debug for Realtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Realtime")
            .field("state", &self.state())
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}

impl Realtime {
    /// The events, in order. One stream per connection: a second call gets
    /// a stream that ends at once. It ends after [`close`](Self::close).
    pub fn events(&self) -> EventStream {
        let rx = self
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        EventStream { rx }
    }

    /// Runs `handlers` on every event, in the stream's order, until the
    /// connection is closed.
    pub async fn run(&self, mut handlers: Handlers) {
        let mut events = self.events();
        while let Some(event) = events.next().await {
            handlers.dispatch(event).await;
        }
    }

    /// The connection's state.
    pub fn state(&self) -> ConnectionState {
        match self.centrifuge.state() {
            centrifuge::State::Disconnected => ConnectionState::Disconnected,
            centrifuge::State::Connecting => ConnectionState::Connecting,
            centrifuge::State::Connected => ConnectionState::Connected,
            // `Closed`, and any state a newer client adds.
            _ => ConnectionState::Closed,
        }
    }

    /// The newest message delivered so far.
    pub fn position(&self) -> Position {
        lock(&self.position).clone()
    }

    /// Connects again after a server-ordered disconnect.
    pub fn reconnect(&self) -> Result<()> {
        self.centrifuge.connect().map_err(|e| {
            Error::Realtime(RealtimeError::new(
                RealtimeErrorKind::Connect,
                e.to_string(),
            ))
        })
    }

    /// Closes the connection for good; the event stream ends after a last
    /// `Disconnected`.
    pub async fn close(&self) {
        self.centrifuge.close().await;
    }

    /// The WebSocket URL it connects to (the override, or what the server
    /// reported).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The REST client this connection uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends a room message (over REST; see [`Client::send_message`]).
    pub async fn send_message(&self, content: &str) -> Result<Message> {
        self.client.send_message(content).await
    }

    /// Sends a direct message (over REST).
    pub async fn send_direct_message(&self, to_username: &str, content: &str) -> Result<Message> {
        self.client.send_direct_message(to_username, content).await
    }

    /// Sends a typing indicator to the room or a user.
    pub async fn typing(&self, to_username: Option<&str>) -> Result<crate::TypingSent> {
        self.client.typing(to_username).await
    }

    /// Marks a message read.
    pub async fn mark_read(&self, id: Uuid) -> Result<()> {
        self.client.mark_read(id).await
    }

    /// Marks everything read.
    pub async fn mark_all_read(&self) -> Result<u64> {
        self.client.mark_all_read().await
    }
}

/// The event stream of a [`Realtime`] connection.
#[derive(Debug)]
pub struct EventStream {
    rx: Option<mpsc::Receiver<Event>>,
}

impl EventStream {
    /// The next event; `None` once the connection is closed. (The same as
    /// `StreamExt::next`, without importing a trait.)
    pub async fn next(&mut self) -> Option<Event> {
        match self.rx.as_mut() {
            Some(rx) => rx.recv().await,
            None => None,
        }
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        match self.rx.as_mut() {
            Some(rx) => rx.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}

/// Decodes one publication into an event. Unknown or malformed payloads
/// become [`Event::Unknown`]: a newer server must not break this client.
///
/// The usual payloads are read straight into their types (a first pass
/// finds the `type` field without building anything); anything else (an
/// older server's message without `description`, an unknown type, bad
/// JSON) takes the general path through a JSON value, which decides the
/// same way for every input (the `realtime` fuzz target checks that).
pub fn decode(channel: &str, data: &[u8]) -> Event {
    decode_direct(data).unwrap_or_else(|| decode_via_value(channel, data))
}

/// The `type` field of a payload, if it is a string, found without
/// building the rest.
#[derive(Deserialize)]
struct Peek<'a> {
    // Present (even as `null`, which is not a message) or absent.
    #[serde(rename = "type", default, borrow, deserialize_with = "present")]
    kind: Option<PeekKind<'a>>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PeekKind<'de>>, D::Error> {
    PeekKind::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PeekKind<'a> {
    Text(#[serde(borrow)] std::borrow::Cow<'a, str>),
    Other(serde::de::IgnoredAny),
}

/// The fast path of [`decode`]: `None` when the payload needs the general one.
fn decode_direct(data: &[u8]) -> Option<Event> {
    // The general path reads every string, so it refuses bad UTF-8 even in
    // a field no type has; reading into a type skips such a field unread.
    // (The `realtime` fuzz target found that difference.)
    let text = std::str::from_utf8(data).ok()?;
    // Messages have no `type`: without the word anywhere, skip the peek.
    let kind = if text.contains("\"type\"") {
        serde_json::from_str::<Peek<'_>>(text).ok()?.kind
    } else {
        None
    };
    match kind {
        None => serde_json::from_str::<Message>(text)
            .ok()
            .map(|m| Event::Message(Box::new(m))),
        Some(PeekKind::Text(kind)) => match &*kind {
            "read_receipt" => serde_json::from_str(text).ok().map(Event::ReadReceipt),
            "typing" => serde_json::from_str(text).ok().map(Event::Typing),
            "unread_count" => serde_json::from_str(text).ok().map(Event::UnreadCount),
            _ => None,
        },
        Some(PeekKind::Other(_)) => None,
    }
}

/// [`decode`] through a `serde_json::Value`: the general path, and the
/// reference the fast one is checked against.
pub(crate) fn decode_via_value(channel: &str, data: &[u8]) -> Event {
    let unknown = || Event::Unknown {
        channel: channel.to_owned(),
        data: String::from_utf8_lossy(data).into_owned(),
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(data) else {
        return unknown();
    };
    let kind = value.get("type").map(|t| t.as_str().map(str::to_owned));
    let decoded = match kind {
        None => {
            // `description` is required by the spec but missing from older
            // servers' pushes.
            if let Some(object) = value.as_object_mut() {
                object
                    .entry("description")
                    .or_insert_with(|| Value::String(String::new()));
            }
            serde_json::from_value::<Message>(value.clone()).map(|m| Event::Message(Box::new(m)))
        }
        Some(Some(kind)) => match kind.as_str() {
            "read_receipt" => serde_json::from_value(value.clone()).map(Event::ReadReceipt),
            "typing" => serde_json::from_value(value.clone()).map(Event::Typing),
            "unread_count" => serde_json::from_value(value.clone()).map(Event::UnreadCount),
            _ => return unknown(),
        },
        Some(None) => return unknown(),
    };
    decoded.unwrap_or_else(|_| unknown())
}

/// A background error of the Centrifugo client, in plain words.
fn client_error(error: &centrifuge::ClientError) -> RealtimeError {
    use centrifuge::ClientErrorKind as K;
    let kind = match error.kind {
        K::Transport { .. } | K::Connect => RealtimeErrorKind::Connect,
        K::ConnectToken | K::Refresh => RealtimeErrorKind::Token,
        K::Configuration => RealtimeErrorKind::Setup,
        _ => RealtimeErrorKind::Protocol,
    };
    let mut message = error.message.clone();
    let mut source = error.source.as_deref().map(|e| e as &dyn std::error::Error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    RealtimeError::new(kind, message)
}

/// Turns Centrifugo's events into ours: decode, de-duplicate, fill gaps.
struct Pump {
    rest: Client,
    me: String,
    skip_own_messages: bool,
    dedup: Dedup,
    position: Arc<Mutex<Position>>,
    tx: mpsc::Sender<Event>,
    resume_channels: HashSet<String>,
    /// Channels subscribed at least once on this connection's life.
    subscribed: HashSet<String>,
    /// The newest message timestamp seen per channel (seeded from a resume
    /// position).
    channel_last: HashMap<String, DateTime<Utc>>,
    /// The newest message delivered on any channel when the connection
    /// was last lost.
    position_at_cut: Option<DateTime<Utc>>,
    first_connected: Option<DateTime<Utc>>,
}

impl Pump {
    async fn run(mut self, mut source: centrifuge::EventStream<ClientEvent>) {
        while let Some(event) = source.next().await {
            if !self.handle(event).await {
                break;
            }
        }
    }

    /// False once nobody listens any more.
    async fn handle(&mut self, event: ClientEvent) -> bool {
        match event {
            ClientEvent::Connected(_) => {
                self.first_connected.get_or_insert_with(Utc::now);
                self.emit(Event::Connected).await
            }
            ClientEvent::Connecting(e) if e.code != codes::connecting::CONNECT_CALLED => {
                self.position_at_cut = lock(&self.position).timestamp;
                self.emit(Event::Disconnected(Disconnect {
                    code: e.code,
                    reason: e.reason,
                    will_reconnect: true,
                }))
                .await
            }
            ClientEvent::Disconnected(e) => {
                self.emit(Event::Disconnected(Disconnect {
                    code: e.code,
                    reason: e.reason,
                    will_reconnect: false,
                }))
                .await
            }
            ClientEvent::Error(e) => self.emit(Event::Error(client_error(&e.error))).await,
            ClientEvent::ServerSubscribed(e) => {
                // Only a re-subscription that says `recovered` proves that
                // nothing was missed. Recovery off, history off, expired
                // history and a new epoch all leave it unset.
                let again = !self.subscribed.insert(e.channel.clone());
                let resume = self.resume_channels.remove(&e.channel);
                if resume || (again && !e.info.recovered) {
                    self.backfill(&e.channel).await
                } else {
                    true
                }
            }
            ClientEvent::ServerPublication(p) => {
                let event = decode(&p.channel, &p.publication.data);
                self.deliver(&p.channel, event).await
            }
            _ => true,
        }
    }

    async fn emit(&self, event: Event) -> bool {
        self.tx.send(event).await.is_ok()
    }

    async fn deliver(&mut self, channel: &str, event: Event) -> bool {
        if let Event::Message(message) = &event {
            if !self.dedup.insert(message.id) {
                return true;
            }
            let last = self
                .channel_last
                .entry(channel.to_owned())
                .or_insert(message.timestamp);
            *last = (*last).max(message.timestamp);
            {
                lock(&self.position).advance(message.id, message.timestamp);
            }
            if self.skip_own_messages && message.from_username == self.me {
                return true;
            }
        }
        self.emit(event).await
    }

    /// Fills a gap on `channel` from the REST history, oldest first: every
    /// message after the newest one seen on that channel; when none was,
    /// after the newest seen anywhere before the connection was lost; when
    /// nothing was ever seen, since the first connect (by this machine's
    /// clock).
    async fn backfill(&mut self, channel: &str) -> bool {
        // Not the current position: a newer message on another channel
        // (backfilled first) must not hide an older gap on this one.
        let since = self
            .channel_last
            .get(channel)
            .copied()
            .or(self.position_at_cut)
            .or(self.first_connected);
        let Some(since) = since else { return true };
        let direct = if channel == ROOM_CHANNEL {
            false
        } else if channel.starts_with("user:") {
            true
        } else {
            return true;
        };
        let messages = match crate::history::since(&self.rest, direct, &self.me, since).await {
            Ok(messages) => messages,
            Err(e) => {
                return self
                    .emit(Event::Error(RealtimeError::new(
                        RealtimeErrorKind::Backfill,
                        format!("{channel}: {e}"),
                    )))
                    .await;
            }
        };
        for message in messages {
            if !self
                .deliver(channel, Event::Message(Box::new(message)))
                .await
            {
                return false;
            }
        }
        true
    }
}

type Callback<T> = Box<dyn FnMut(T) -> BoxFuture<'static, ()> + Send>;

/// Callbacks for [`Realtime::run`], for code coming from the Python client.
/// Each kind has a plain and an `_async` form; they run in event order,
/// one at a time, with the stream's guarantees.
#[derive(Default)]
pub struct Handlers {
    message: Option<Callback<Message>>,
    read_receipt: Option<Callback<ReadReceipt>>,
    typing: Option<Callback<Typing>>,
    unread_count: Option<Callback<UnreadCounts>>,
    connect: Option<Callback<()>>,
    disconnect: Option<Callback<Disconnect>>,
    error: Option<Callback<RealtimeError>>,
}

impl fmt::Debug for Handlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handlers").finish_non_exhaustive()
    }
}

macro_rules! handlers {
    ($($field:ident: $ty:ty => $sync:ident, $async_:ident;)*) => {
        impl Handlers {
            $(
                #[doc = concat!("Calls `f` for each `", stringify!($field), "` event.")]
                pub fn $sync(mut self, mut f: impl FnMut($ty) + Send + 'static) -> Self {
                    self.$field = Some(Box::new(move |value| {
                        f(value);
                        Box::pin(async {})
                    }));
                    self
                }

                #[doc = concat!("Awaits `f` for each `", stringify!($field), "` event.")]
                pub fn $async_<F, Fut>(mut self, mut f: F) -> Self
                where
                    F: FnMut($ty) -> Fut + Send + 'static,
                    Fut: Future<Output = ()> + Send + 'static,
                {
                    self.$field = Some(Box::new(move |value| Box::pin(f(value))));
                    self
                }
            )*
        }
    };
}

handlers! {
    message: Message => on_message, on_message_async;
    read_receipt: ReadReceipt => on_read_receipt, on_read_receipt_async;
    typing: Typing => on_typing, on_typing_async;
    unread_count: UnreadCounts => on_unread_count, on_unread_count_async;
    connect: () => on_connect, on_connect_async;
    disconnect: Disconnect => on_disconnect, on_disconnect_async;
    error: RealtimeError => on_error, on_error_async;
}

impl Handlers {
    /// No callbacks yet.
    pub fn new() -> Self {
        Self::default()
    }

    async fn dispatch(&mut self, event: Event) {
        async fn call<T>(slot: &mut Option<Callback<T>>, value: T) {
            if let Some(f) = slot {
                f(value).await;
            }
        }
        match event {
            Event::Message(m) => call(&mut self.message, *m).await,
            Event::ReadReceipt(r) => call(&mut self.read_receipt, r).await,
            Event::Typing(t) => call(&mut self.typing, t).await,
            Event::UnreadCount(u) => call(&mut self.unread_count, u).await,
            Event::Connected => call(&mut self.connect, ()).await,
            Event::Disconnected(d) => call(&mut self.disconnect, d).await,
            Event::Error(e) => call(&mut self.error, e).await,
            Event::Unknown { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direct_decode_decides_like_the_general_one() {
        let recorded = include_str!("../tests/data/centrifugo-publishes.jsonl");
        let mut payloads: Vec<(String, String)> = recorded
            .lines()
            .map(|line| {
                let record: Value = serde_json::from_str(line).unwrap();
                (
                    record["channel"].as_str().unwrap().to_owned(),
                    record["data"].to_string(),
                )
            })
            .collect();
        assert!(payloads.len() >= 5, "the recorded publishes are there");
        let message = payloads
            .iter()
            .find(|(_, data)| !data.contains("\"type\""))
            .unwrap()
            .1
            .clone();
        for edge in [
            // an older server's message: no description
            message.replacen("\"description\"", "\"former_description\"", 1),
            // `type: null` is not a message
            message.replacen('{', "{\"type\":null,", 1),
            // a key twice: the last one counts
            message.replacen('{', "{\"content\":\"first\",", 1),
            r#"{"type":"reaction","emoji":"x"}"#.to_owned(),
            r#"{"type":"typing","username":5}"#.to_owned(),
            r#"{"type":7}"#.to_owned(),
            "not json".to_owned(),
        ] {
            payloads.push(("room:main".to_owned(), edge));
        }
        // Bad UTF-8 in a field the type does not have (found by fuzzing).
        let bad = b"{\"type\": \"unread_count\", \"unread_room_messages\": 1, \"unread_direct_messages\": 0, \"total_unread\": 1, \"timestamp\": \"2026-11-22T0\x8c1:10:05+00:00\"}";
        assert_eq!(decode("room:main", bad), decode_via_value("room:main", bad));
        assert!(matches!(decode("room:main", bad), Event::Unknown { .. }));
        let mut direct = 0;
        for (channel, data) in &payloads {
            assert_eq!(
                decode(channel, data.as_bytes()),
                decode_via_value(channel, data.as_bytes()),
                "{data}"
            );
            direct += usize::from(decode_direct(data.as_bytes()).is_some());
        }
        assert!(
            direct >= 5,
            "the recorded payloads take the direct path ({direct})"
        );
    }

    #[test]
    fn dedup_forgets_the_oldest_first() {
        let ids: Vec<Uuid> = (0..5u128).map(Uuid::from_u128).collect();
        let mut dedup = Dedup::new(3);
        for id in &ids[..3] {
            assert!(dedup.insert(*id));
        }
        assert!(!dedup.insert(ids[1]));
        assert!(dedup.insert(ids[3]), "a fourth id evicts the oldest");
        assert_eq!(dedup.len(), 3);
        assert!(dedup.insert(ids[0]), "the oldest was forgotten");
        assert!(!dedup.insert(ids[2]), "younger ones are kept");
        assert!(!dedup.insert(ids[3]));
    }

    #[test]
    fn every_payload_kind_decodes() {
        // Payloads of every kind, in the shapes the server 2.0.1 publishes.
        let published = include_str!("../tests/data/centrifugo-publishes.jsonl");
        let kinds: Vec<&'static str> = published
            .lines()
            .map(|line| {
                let record: Value = serde_json::from_str(line).unwrap();
                let channel = record["channel"].as_str().unwrap();
                let data = record["data"].to_string();
                match decode(channel, data.as_bytes()) {
                    Event::Message(_) => "message",
                    Event::ReadReceipt(_) => "read_receipt",
                    Event::Typing(_) => "typing",
                    Event::UnreadCount(_) => "unread_count",
                    other => panic!("{line} decoded to {other:?}"),
                }
            })
            .collect();
        for kind in ["message", "read_receipt", "typing", "unread_count"] {
            assert!(kinds.contains(&kind), "{kind} missing in {kinds:?}");
        }
    }

    #[test]
    fn a_message_without_description_decodes() {
        let data = br#"{"id":"865ce10f-fb73-460f-abfb-9826f6705e8a","from_user_id":"","from_username":"alice","content":"hi","message_type":"room","timestamp":"2026-11-22T01:02:32Z"}"#;
        let Event::Message(m) = decode("room:main", data) else {
            panic!()
        };
        assert_eq!(m.description, "");
        assert_eq!(m.from_user_id, None, "a deleted sender's id is empty");
    }

    #[test]
    fn unknown_and_malformed_payloads_are_unknown() {
        let Event::Unknown { channel, data } =
            decode("room:main", br#"{"type":"reaction","emoji":"x"}"#)
        else {
            panic!()
        };
        assert_eq!(channel, "room:main");
        assert_eq!(data, r#"{"type":"reaction","emoji":"x"}"#, "kept as sent");
        assert!(matches!(
            decode("user:bob", b"not json"),
            Event::Unknown { .. }
        ));
        assert!(matches!(
            decode("user:bob", br#"{"type":"typing","username":5}"#),
            Event::Unknown { .. }
        ));
    }

    #[test]
    fn typing_and_unread_fields_map() {
        let Event::Typing(t) = decode(
            "user:bob",
            br#"{"type":"typing","username":"alice","to_username":null,"timestamp":"2026-11-22T01:02:36.048048+00:00"}"#,
        ) else {
            panic!()
        };
        assert_eq!((t.username.as_str(), t.to), ("alice", None));
        let Event::UnreadCount(u) = decode(
            "user:bob",
            br#"{"type":"unread_count","unread_room_messages":2,"unread_direct_messages":1,"total_unread":3,"timestamp":"2026-11-22T01:02:34+00:00"}"#,
        ) else {
            panic!()
        };
        assert_eq!((u.room, u.direct, u.total), (2, 1, 3));
    }
}
