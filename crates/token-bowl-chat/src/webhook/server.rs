//! The HTTP side of a receiver: hyper's HTTP/1.1 server on a listener,
//! one answer per request, the counters, and the clean stop.

use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use bytes::Bytes;
use chrono::Utc;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{
    Method, Request, Response, StatusCode, body::Incoming, header, server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::watch, task::JoinSet};

use super::{Delivery, WebhookBuilder, WebhookStats, decode::decode};
use crate::{
    Error, Result,
    handoff::{Pending, Verdict, stop_requested},
};

/// How long a client may take to send its headers, and its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long [`WebhookReceiver::shutdown`] lets open requests finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

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

/// Who takes each decoded delivery, and the verdict that decides the
/// answer.
pub(crate) type Sink = dyn Fn(Delivery) -> Pending + Send + Sync;

impl WebhookBuilder {
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

/// The answer to one request: a delivery is decoded, handed to the sink,
/// and answered with its verdict; anything else gets its `4xx`.
async fn answer(
    request: Request<Incoming>,
    peer: SocketAddr,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    let counters = &shared.counters;
    let rejected = |(status, detail): (StatusCode, String)| {
        counters.rejected.fetch_add(1, Ordering::Relaxed);
        reply(status, &detail)
    };
    if let Err(refusal) = check_head(&request, shared) {
        let allow = refusal.0 == StatusCode::METHOD_NOT_ALLOWED;
        let mut response = rejected(refusal);
        if allow {
            response
                .headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        }
        return response;
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    let body = match read_body(request, shared.max_body).await {
        Ok(body) => body,
        Err(refusal) => return rejected(refusal),
    };
    let message = match decode(content_type.as_ref().map(|v| v.as_bytes()), &body) {
        Ok(message) => message,
        Err(rejection) => return rejected((rejection.status, rejection.detail)),
    };
    let delivery = Delivery {
        message,
        received_at: Utc::now(),
        peer,
        repeat: false,
    };
    respond((shared.sink)(delivery).await, counters)
}

/// What is wrong with a request before its body is read: the path, the
/// method, a declared length over the limit.
fn check_head(
    request: &Request<Incoming>,
    shared: &Shared,
) -> std::result::Result<(), (StatusCode, String)> {
    if request.uri().path() != shared.path {
        return Err((StatusCode::NOT_FOUND, "Not Found".to_owned()));
    }
    if request.method() != Method::POST {
        return Err((
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{} is not allowed: deliveries are POSTed", request.method()),
        ));
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        return Err((StatusCode::PAYLOAD_TOO_LARGE, too_large(shared.max_body)));
    }
    Ok(())
}

/// Reads the body, at most `max_body` bytes within [`READ_TIMEOUT`].
async fn read_body(
    request: Request<Incoming>,
    max_body: usize,
) -> std::result::Result<Bytes, (StatusCode, String)> {
    let body = Limited::new(request.into_body(), max_body).collect();
    match tokio::time::timeout(READ_TIMEOUT, body).await {
        Ok(Ok(body)) => Ok(body.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            Err((StatusCode::PAYLOAD_TOO_LARGE, too_large(max_body)))
        }
        Ok(Err(e)) => Err((
            StatusCode::BAD_REQUEST,
            format!("cannot read the body: {e}"),
        )),
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the body did not arrive within {} s",
                READ_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// The answer to a delivery the sink has judged.
fn respond(verdict: Verdict, counters: &Counters) -> Response<Full<Bytes>> {
    match verdict {
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
