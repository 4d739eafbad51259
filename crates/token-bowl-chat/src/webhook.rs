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

use std::{
    convert::Infallible,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::Stream;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{
    Method, Request, Response, StatusCode, body::Incoming, header, server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::{
    net::TcpListener,
    sync::{mpsc, watch},
    task::JoinSet,
};

use crate::{Error, Message, Result, delivery::Dedup};

/// The largest body accepted by default: a message's content is at most
/// 10,000 characters, which JSON escapes can make 60 KB.
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;
/// How many deliveries wait for the consumer by default before the
/// receiver answers `503`.
pub const DEFAULT_QUEUE: usize = 1024;
/// How long a client may take to send its headers, and its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long [`WebhookReceiver::shutdown`] lets open requests finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

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

#[derive(Debug, Default)]
struct Counters {
    accepted: AtomicU64,
    repeats: AtomicU64,
    rejected: AtomicU64,
    busy: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> WebhookStats {
        WebhookStats {
            accepted: self.accepted.load(Ordering::Relaxed),
            repeats: self.repeats.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            busy: self.busy.load(Ordering::Relaxed),
        }
    }
}

/// What the consumer made of a delivery, decided before the answer goes
/// out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Taken: answer `200`.
    Accepted,
    /// Seen before: answer `200` so that the server stops.
    Repeat,
    /// Not taken now (queue full, store failed): answer `503`, the server
    /// tries again.
    Busy(String),
}

type Sink = dyn Fn(Delivery) -> Verdict + Send + Sync;

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
            match tx.try_send(delivery) {
                Ok(()) if repeat => Verdict::Repeat,
                Ok(()) => Verdict::Accepted,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    Verdict::Busy("the receiver's queue is full".to_owned())
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    Verdict::Busy("the receiver is shutting down".to_owned())
                }
            }
        };
        let server = self.serve(addr, Arc::new(sink)).await?;
        Ok(WebhookReceiver { server, rx })
    }

    /// Listens on `addr` and hands each decoded delivery to `sink` before
    /// answering.
    pub(crate) async fn serve(self, addr: &str, sink: Arc<Sink>) -> Result<Server> {
        let listener = TcpListener::bind(addr).await.map_err(|source| Error::Io {
            context: format!("cannot listen for webhooks on {addr}"),
            source,
        })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Io {
            context: format!("cannot read the address of the listener on {addr}"),
            source,
        })?;
        let shared = Arc::new(Shared {
            path: self.path,
            max_body: self.max_body,
            sink,
            counters: Counters::default(),
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept(listener, shared.clone(), stopped));
        Ok(Server {
            local_addr,
            shared,
            stop,
            task: Mutex::new(Some(task)),
        })
    }
}

struct Shared {
    path: String,
    max_body: usize,
    sink: Arc<Sink>,
    counters: Counters,
}

/// A listening receiver without its consumer: what the bot runtime and
/// [`WebhookReceiver`] build on.
pub(crate) struct Server {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Server {
    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}{}", self.local_addr, self.shared.path)
    }

    pub(crate) fn stats(&self) -> WebhookStats {
        self.shared.counters.snapshot()
    }

    /// Stops accepting connections, lets open requests finish (at most
    /// 5 s), and returns when the listener is closed.
    pub(crate) async fn shutdown(&self) {
        self.stop.send_replace(true);
        let task = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.send_replace(true);
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

async fn accept(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, peer, shared.clone(), stopped.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!(error = %e, "webhook receiver: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = stop_requested(&mut stopped) => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

/// Returns once a stop is asked for (or the sender is gone).
pub(crate) async fn stop_requested(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let service = service_fn(move |request| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(answer(request, peer, &shared).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stop_requested(&mut stopped) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

async fn answer(
    request: Request<Incoming>,
    peer: SocketAddr,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    let counters = &shared.counters;
    let rejected = |status: StatusCode, detail: String| {
        counters.rejected.fetch_add(1, Ordering::Relaxed);
        reply(status, &detail)
    };
    if request.uri().path() != shared.path {
        return rejected(StatusCode::NOT_FOUND, "Not Found".to_owned());
    }
    if request.method() != Method::POST {
        let mut response = rejected(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{} is not allowed: deliveries are POSTed", request.method()),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        return rejected(StatusCode::PAYLOAD_TOO_LARGE, too_large(shared.max_body));
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    let body = Limited::new(request.into_body(), shared.max_body).collect();
    let body = match tokio::time::timeout(READ_TIMEOUT, body).await {
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return rejected(StatusCode::PAYLOAD_TOO_LARGE, too_large(shared.max_body));
        }
        Ok(Err(e)) => {
            return rejected(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}"),
            );
        }
        Err(_) => {
            return rejected(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the body did not arrive within {} s",
                    READ_TIMEOUT.as_secs()
                ),
            );
        }
    };
    let message = match decode(content_type.as_ref().map(|v| v.as_bytes()), &body) {
        Ok(message) => message,
        Err(rejection) => return rejected(rejection.status, rejection.detail),
    };
    let delivery = Delivery {
        message,
        received_at: Utc::now(),
        peer,
        repeat: false,
    };
    match (shared.sink)(delivery) {
        Verdict::Accepted => {
            counters.accepted.fetch_add(1, Ordering::Relaxed);
            reply_status(StatusCode::OK, "accepted")
        }
        Verdict::Repeat => {
            counters.repeats.fetch_add(1, Ordering::Relaxed);
            reply_status(StatusCode::OK, "repeat")
        }
        Verdict::Busy(why) => {
            counters.busy.fetch_add(1, Ordering::Relaxed);
            let mut response = reply(StatusCode::SERVICE_UNAVAILABLE, &why);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            response
        }
    }
}

fn too_large(limit: usize) -> String {
    format!("the body is over the limit of {limit} bytes")
}

fn reply(status: StatusCode, detail: &str) -> Response<Full<Bytes>> {
    json_response(status, &serde_json::json!({ "detail": detail }))
}

fn reply_status(status: StatusCode, what: &str) -> Response<Full<Bytes>> {
    json_response(status, &serde_json::json!({ "status": what }))
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// Why a request is not a delivery: the status to answer and what to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) status: StatusCode,
    pub(crate) detail: String,
}

/// Reads a delivery's body: a JSON `Content-Type` (any parameters, any
/// case) and a message object. An older server's message without
/// `description` is read with it empty, as on the real-time path.
pub(crate) fn decode(
    content_type: Option<&[u8]>,
    body: &[u8],
) -> std::result::Result<Message, Rejection> {
    let json = content_type
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|media| {
            media.eq_ignore_ascii_case("application/json")
                || (media.len() > 5
                    && media[..media.len() - 5].contains('/')
                    && media.to_ascii_lowercase().ends_with("+json"))
        });
    if !json {
        let given = content_type.map_or_else(
            || "none".to_owned(),
            |v| format!("{:?}", String::from_utf8_lossy(v)),
        );
        return Err(Rejection {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail: format!("expected Content-Type: application/json, got {given}"),
        });
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| Rejection {
        status: StatusCode::BAD_REQUEST,
        detail: format!("the body is not JSON: {e}"),
    })?;
    let Some(object) = value.as_object_mut() else {
        return Err(Rejection {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: "the body is not a message: expected a JSON object".to_owned(),
        });
    };
    object
        .entry("description")
        .or_insert_with(|| serde_json::Value::String(String::new()));
    serde_path_to_error::deserialize::<_, Message>(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let detail = if path == "." {
            format!("the body is not a message: {inner}")
        } else {
            format!("the body is not a message: `{path}`: {inner}")
        };
        Rejection {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"id":"865ce10f-fb73-460f-abfb-9826f6705e8a","from_user_id":"161db6fc-0e97-4eb5-8089-46990edce7bb","from_username":"bob","from_user_logo":null,"from_user_emoji":null,"from_user_bot":false,"to_user_id":null,"to_username":null,"content":"hi @alice","message_type":"room","description":"This is a message for the fantasy league's group chat.","timestamp":"2026-11-22T00:57:49.497498+00:00"}"#;

    #[test]
    fn a_delivery_decodes_with_any_json_content_type() {
        for ct in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/vnd.tb+json",
        ] {
            let m = decode(Some(ct.as_bytes()), BODY.as_bytes()).unwrap();
            assert_eq!(m.content, "hi @alice");
        }
    }

    #[test]
    fn each_bad_body_gets_its_status_and_names_the_fault() {
        let cases: &[(Option<&str>, &str, u16, &str)] = &[
            (None, BODY, 415, "got none"),
            (Some("text/plain"), BODY, 415, "text/plain"),
            (
                Some("application/x-www-form-urlencoded"),
                BODY,
                415,
                "urlencoded",
            ),
            (Some("application/json"), "{not json", 400, "not JSON"),
            (
                Some("application/json"),
                "[1,2]",
                422,
                "expected a JSON object",
            ),
            (
                Some("application/json"),
                r#"{"content":"x"}"#,
                422,
                "missing field",
            ),
            (
                Some("application/json"),
                &BODY.replace("\"865ce10f-fb73-460f-abfb-9826f6705e8a\"", "\"nope\""),
                422,
                "`id`",
            ),
        ];
        for (ct, body, status, says) in cases {
            let r = decode(ct.map(str::as_bytes), body.as_bytes()).unwrap_err();
            assert_eq!(r.status.as_u16(), *status, "{ct:?} {body}");
            assert!(r.detail.contains(says), "{:?} lacks {says:?}", r.detail);
        }
    }

    #[test]
    fn a_message_without_description_decodes_with_it_empty() {
        let body = BODY.replace(
            r#""description":"This is a message for the fantasy league's group chat.","#,
            "",
        );
        let m = decode(Some(b"application/json"), body.as_bytes()).unwrap();
        assert_eq!(m.description, "");
    }
}
