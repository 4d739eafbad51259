//! A receiver for the server's webhook deliveries (cargo feature
//! `webhook`).
//!
//! A user or bot whose profile has a `webhook_url` gets every room message
//! sent by someone else and every direct message to it as `POST <url>` with
//! the message's JSON. The server waits at most 10 s for each attempt and
//! tries again (3 attempts in all) after a timeout, a connection error or
//! any status of 300 or more; it signs nothing.
//!
//! So the receiver answers `200` as soon as the body is read and decoded,
//! before anything slow runs, and a delivered message is not sent again.
//! Anything that is not a delivery gets a `4xx` with a JSON `detail` that
//! says what was wrong:
//!
//! | request | answer |
//! | --- | --- |
//! | a path other than the receiver's | `404` |
//! | a method other than `POST` | `405`, `Allow: POST` |
//! | a `Content-Type` other than JSON | `415` |
//! | a body over the size limit (256 KiB by default) | `413` |
//! | a body not sent within 10 s | `408` |
//! | a body that is not JSON | `400` |
//! | JSON that is not a message | `422`, naming the field |
//! | a full queue (the consumer is behind) | `503`, `Retry-After: 1`: the server tries again |
//!
//! Since nothing is signed, give the receiver a path nobody can guess
//! ([`WebhookBuilder::path`], e.g. a random hex segment) and register that
//! URL; every other path answers `404`.
//!
//! ```no_run
//! use token_bowl_chat::webhook::WebhookReceiver;
//!
//! # async fn demo() -> Result<(), token_bowl_chat::Error> {
//! let mut receiver = WebhookReceiver::builder()
//!     .path("/hooks/5f0c2a9e41d8")
//!     .bind("127.0.0.1:8080")
//!     .await?;
//! println!("register {}", receiver.url());
//! while let Some(delivery) = receiver.next().await {
//!     let m = &delivery.message;
//!     println!("{} (repeat: {}): {}", m.from_username, delivery.repeat, m.content);
//! }
//! # Ok(()) }
//! ```

pub(crate) mod decode;
mod server;

use std::{
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
};

use chrono::{DateTime, Utc};
use futures::Stream;
use serde::Serialize;
use tokio::sync::mpsc;

pub(crate) use self::server::Server;
use crate::{
    Message, Result,
    delivery::Dedup,
    handoff::{Verdict, decided},
};

/// The largest body accepted by default: a message's content is at most
/// 10,000 characters, which JSON escapes can make 60 KB.
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;
/// How many deliveries wait for the consumer by default before the
/// receiver answers `503`.
pub const DEFAULT_QUEUE: usize = 1024;

/// One delivery: the message, and what the receiver saw of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Delivery {
    /// The message the server posted.
    pub message: Message,
    /// When the receiver had read it.
    pub received_at: DateTime<Utc>,
    /// Who posted it.
    pub peer: SocketAddr,
    /// Whether this receiver had already been given a message with this id
    /// (a retry by the server after an answer it did not see in time).
    pub repeat: bool,
}

/// Counts of what the receiver answered since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WebhookStats {
    /// Deliveries answered `200` and passed on.
    pub accepted: u64,
    /// Deliveries answered `200` whose id had been passed on already.
    pub repeats: u64,
    /// Requests answered `4xx`.
    pub rejected: u64,
    /// Deliveries answered `503` because the consumer was behind (or its
    /// store failed); the server tries them again.
    pub busy: u64,
}

/// Settings for a receiver: [`WebhookReceiver::builder`].
#[derive(Debug, Clone)]
pub struct WebhookBuilder {
    path: String,
    max_body: usize,
    queue: usize,
}

impl Default for WebhookBuilder {
    fn default() -> Self {
        Self {
            path: "/".to_owned(),
            max_body: DEFAULT_MAX_BODY,
            queue: DEFAULT_QUEUE,
        }
    }
}

impl WebhookBuilder {
    /// The one path that takes deliveries (default `/`); every other path
    /// answers `404`. A leading `/` is added when missing.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        self
    }

    /// The largest body accepted (default [`DEFAULT_MAX_BODY`]).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How many deliveries may wait for [`WebhookReceiver::next`] (default
    /// [`DEFAULT_QUEUE`]); past that the receiver answers `503`.
    pub fn queue(mut self, deliveries: usize) -> Self {
        self.queue = deliveries.max(1);
        self
    }

    /// Listens on `addr` (`"127.0.0.1:8080"`; port 0 picks a free one).
    pub async fn bind(self, addr: &str) -> Result<WebhookReceiver> {
        let (tx, rx) = mpsc::channel(self.queue);
        let seen = Mutex::new(Dedup::new(crate::delivery::DEFAULT_CAPACITY));
        let sink = move |delivery: Delivery| {
            let mut delivery = delivery;
            delivery.repeat = !seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(delivery.message.id);
            let repeat = delivery.repeat;
            decided(match tx.try_send(delivery) {
                Ok(()) if repeat => Verdict::Repeat,
                Ok(()) => Verdict::Accepted,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    Verdict::Busy("the receiver's queue is full".to_owned())
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    Verdict::Busy("the receiver is shutting down".to_owned())
                }
            })
        };
        let server = self.serve(addr, Arc::new(sink)).await?;
        Ok(WebhookReceiver { server, rx })
    }
}

/// A listening webhook receiver: deliveries in the order they arrived.
/// Dropping it closes the listener.
pub struct WebhookReceiver {
    server: Server,
    rx: mpsc::Receiver<Delivery>,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("url", &self.url())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl WebhookReceiver {
    /// Settings: the path, the body limit, the queue.
    pub fn builder() -> WebhookBuilder {
        WebhookBuilder::default()
    }

    /// Listens on `addr` with the default settings (path `/`).
    pub async fn bind(addr: &str) -> Result<Self> {
        Self::builder().bind(addr).await
    }

    /// The address it listens on (with the port picked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// The URL to register (`http://<local address><path>`); behind a proxy
    /// or tunnel, register the public URL that leads here instead.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// What it has answered so far.
    pub fn stats(&self) -> WebhookStats {
        self.server.stats()
    }

    /// The next delivery; `None` after [`shutdown`](Self::shutdown).
    pub async fn next(&mut self) -> Option<Delivery> {
        self.rx.recv().await
    }

    /// Stops taking deliveries: the listener closes, open requests are
    /// answered, and deliveries already taken can still be read with
    /// [`next`](Self::next).
    pub async fn shutdown(&mut self) {
        self.server.shutdown().await;
        self.rx.close();
    }
}

impl Stream for WebhookReceiver {
    type Item = Delivery;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Delivery>> {
        self.rx.poll_recv(cx)
    }
}
