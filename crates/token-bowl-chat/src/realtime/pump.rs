//! Delivery and backfill: Centrifugo's events in, ours out, each message
//! once, gaps filled from the REST history.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, PoisonError},
};

use centrifuge::{ClientEvent, codes};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::{Disconnect, Event, ROOM_CHANNEL, decode};
use crate::{
    Client, RealtimeError, RealtimeErrorKind,
    delivery::{Dedup, Position},
};

pub(super) fn lock(position: &Mutex<Position>) -> std::sync::MutexGuard<'_, Position> {
    position.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A background error of the Centrifugo client, in plain words.
pub(super) fn client_error(error: &centrifuge::ClientError) -> RealtimeError {
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
pub(super) struct Pump {
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
    /// A pump for `me`'s connection, whose channels are `channels`: with a
    /// resume position, every channel is backfilled after it on its first
    /// subscription, and its message is not delivered again.
    #[allow(clippy::too_many_arguments, reason = "one constructor, called once")]
    pub(super) fn new(
        rest: Client,
        me: String,
        channels: &[String],
        skip_own_messages: bool,
        resume_from: Option<&Position>,
        dedup_capacity: usize,
        position: Arc<Mutex<Position>>,
        tx: mpsc::Sender<Event>,
    ) -> Self {
        let mut dedup = Dedup::new(dedup_capacity);
        let mut resume_channels = HashSet::new();
        let mut channel_last = HashMap::new();
        if let Some(resume) = resume_from {
            if let Some(id) = resume.message_id {
                dedup.insert(id);
            }
            resume_channels.extend(channels.iter().cloned());
            if let Some(time) = resume.timestamp {
                channel_last.extend(channels.iter().map(|c| (c.clone(), time)));
            }
        }
        Self {
            rest,
            me,
            skip_own_messages,
            dedup,
            position,
            tx,
            resume_channels,
            subscribed: HashSet::new(),
            channel_last,
            position_at_cut: None,
            first_connected: None,
        }
    }

    pub(super) async fn run(mut self, mut source: centrifuge::EventStream<ClientEvent>) {
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
        let messages = match self.rest.history_since(direct, &self.me, since).await {
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
