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

mod decode;
mod events;
mod handlers;
mod pump;

use std::{
    fmt,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use centrifuge::TokenError;
use futures::Stream;
use tokio::sync::mpsc;
use uuid::Uuid;

#[cfg(feature = "fuzzing")]
pub(crate) use self::decode::decode_via_value;
use self::pump::{Pump, lock};
pub use self::{
    decode::decode,
    events::{ConnectionState, Disconnect, Event, ReadReceipt, Typing, UnreadCounts},
    handlers::Handlers,
};
pub use crate::delivery::{Dedup, Position};
use crate::{Client, Error, Message, RealtimeError, RealtimeErrorKind, Result};

/// Overrides the WebSocket URL the server reports (servers behind proxies
/// report internal URLs).
pub const REALTIME_URL_ENV: &str = "TOKEN_BOWL_CHAT_REALTIME_URL";
/// How many message ids the de-duplication window remembers by default.
pub const DEFAULT_DEDUP_CAPACITY: usize = crate::delivery::DEFAULT_CAPACITY;
/// The room channel.
pub const ROOM_CHANNEL: &str = "room:main";

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
        let pump = Pump::new(
            self.client.clone(),
            token.user,
            &token.channels,
            self.skip_own_messages,
            self.resume_from.as_ref(),
            self.dedup_capacity,
            position.clone(),
            tx,
        );
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
