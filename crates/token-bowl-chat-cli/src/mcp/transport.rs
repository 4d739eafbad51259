//! The two transports: stdio (what hosts launch; it ends when the host
//! closes stdin) and streamable HTTP (`--http ADDR`, path `/mcp`; it ends
//! on Ctrl-C). Either way, one process is one agent: all HTTP sessions
//! share one inbox, so each new message is handed out once.

use std::{
    convert::Infallible,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::{Request, Response, StatusCode, body::Incoming, service::service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use rmcp::{
    ServiceExt,
    transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    },
};
use token_bowl_chat::Client;
use tokio::{
    io::{AsyncRead, ReadBuf},
    net::TcpListener,
};
use tokio_util::sync::CancellationToken;

use super::{ChatServer, WaitSettings};
use crate::failure::Failure;

/// The path the HTTP transport serves.
pub const HTTP_PATH: &str = "/mcp";

/// Serves over stdin and stdout until the host closes stdin.
///
/// On end of input rmcp gives calls still running (a long
/// `wait_for_messages`) 5 s to answer before it stops them; nobody reads
/// those answers once the host has gone, so the server ends at once
/// instead, after a moment for answers already on their way out.
pub async fn stdio(client: Client, settings: WaitSettings) -> Result<(), Failure> {
    let server = ChatServer::new(client, settings);
    let (stdin, stdout) = rmcp::transport::stdio();
    let closed = CancellationToken::new();
    let stdin = WatchEof {
        inner: stdin,
        closed: closed.clone(),
    };
    let running = server
        .serve((stdin, stdout))
        .await
        .map_err(|e| Failure::Failed(format!("the MCP session did not start: {e}")))?;
    tokio::select! {
        ended = running.waiting() => {
            ended.map_err(|e| Failure::Failed(format!("the MCP session failed: {e}")))?;
        }
        () = async {
            closed.cancelled().await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        } => {}
    }
    Ok(())
}

/// Standard input that says when it reached its end.
struct WatchEof<R> {
    inner: R,
    closed: CancellationToken,
}

impl<R: AsyncRead + Unpin> AsyncRead for WatchEof<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(())))
            && buf.filled().len() == before
            && buf.remaining() > 0
        {
            self.closed.cancel();
        }
        polled
    }
}

type Service = StreamableHttpService<ChatServer, LocalSessionManager>;

/// Serves streamable HTTP at `addr` until Ctrl-C.
pub async fn http(client: Client, settings: WaitSettings, addr: SocketAddr) -> Result<(), Failure> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Failed(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::Failed(format!("cannot listen on {addr}: {e}")))?;
    let stop = CancellationToken::new();
    let mut config =
        StreamableHttpServerConfig::default().with_cancellation_token(stop.child_token());
    if !local.ip().is_loopback() {
        // Beside the loopback names (rmcp's default guard against DNS
        // rebinding), the address it was told to listen on.
        let mut hosts = config.allowed_hosts.clone();
        hosts.push(local.ip().to_string());
        hosts.push(local.to_string());
        config = config.with_allowed_hosts(hosts);
    }
    let server = ChatServer::new(client, settings);
    let service: Arc<Service> = Arc::new(StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    ));
    // Hosts and tests read this line (stderr: stdout stays unused).
    eprintln!("MCP server listening on http://{local}{HTTP_PATH}");
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = tokio::signal::ctrl_c() => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::debug!("accept failed: {e}");
                continue;
            }
        };
        let service = service.clone();
        tokio::spawn(async move {
            let serve = service_fn(move |request| route(service.clone(), request));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), serve)
                .await;
        });
    }
    stop.cancel();
    eprintln!("MCP server stopped");
    Ok(())
}

/// `/mcp` goes to rmcp; anything else is a 404 that says where to go.
async fn route(
    service: Arc<Service>,
    request: Request<Incoming>,
) -> Result<Response<BoxBody<Bytes, Infallible>>, Infallible> {
    if request.uri().path() == HTTP_PATH {
        return Ok(service.handle(request).await);
    }
    let body = format!("not found: the MCP endpoint is {HTTP_PATH}\n");
    let mut response = Response::new(Full::new(Bytes::from(body)).boxed());
    *response.status_mut() = StatusCode::NOT_FOUND;
    Ok(response)
}
