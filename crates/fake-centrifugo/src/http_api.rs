//! Centrifugo's HTTP server API, as far as the Token Bowl server uses it:
//! what its `cent` client (5.x) sends to `CENTRIFUGO_API_URL`.
//!
//! `cent` posts JSON to `<api_url>/<method>` with the key in `X-API-Key`;
//! the body is the request's fields without nulls, e.g. `publish`:
//! `{"channel": "room:main", "data": {...}}` and `disconnect`:
//! `{"user": "alice"}`. Centrifugo answers 200 with `{"result": {...}}`,
//! or `{"error": {"code", "message"}}` for a bad command, and 401 for a
//! wrong key. The shapes of `publish` come from the publishes the real
//! server 2.0.1 made in a recorded run and from `cent`'s request classes;
//! `broadcast` follows Centrifugo's API documentation (the server does not
//! send it).

use std::{
    io,
    net::SocketAddr,
    sync::{Mutex, Weak},
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

use crate::{
    FakeCentrifugo,
    state::{State, lock},
};

/// Largest request body accepted (Centrifugo's default is 64 MiB; the
/// server's payloads are a few KiB).
const MAX_BODY: usize = 4 << 20;

/// Accepts HTTP connections on `listener` until the fake is dropped.
async fn serve(
    listener: TcpListener,
    ws_addr: SocketAddr,
    state: Weak<Mutex<State>>,
    api_key: Option<String>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let Some(state) = state.upgrade() else {
            break;
        };
        let fake = FakeCentrifugo {
            addr: ws_addr,
            state,
        };
        tokio::spawn(connection(stream, fake, api_key.clone()));
    }
}

/// One HTTP/1.1 connection, kept alive across requests.
async fn connection(stream: TcpStream, fake: FakeCentrifugo, api_key: Option<String>) {
    let mut stream = BufReader::new(stream);
    while let Ok(Some(request)) = read_request(&mut stream).await {
        let (status, body) = respond(&fake, api_key.as_deref(), &request);
        let reason = match status {
            200 => "OK",
            401 => "Unauthorized",
            404 => "Not Found",
            _ => "Bad Request",
        };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let out = stream.get_mut();
        if out.write_all(head.as_bytes()).await.is_err()
            || out.write_all(body.as_bytes()).await.is_err()
        {
            return;
        }
    }
}

/// A request as read from the wire.
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request; `None` at a clean end of the connection.
async fn read_request(stream: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (method, path) = match (parts.next(), parts.next()) {
        (Some(m), Some(p)) => (m.to_owned(), p.to_owned()),
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "bad request line",
            ));
        }
    };
    let mut headers = Vec::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
    }
    request.body = vec![0; length];
    stream.read_exact(&mut request.body).await?;
    Ok(Some(request))
}

/// The status and JSON body answering `request`.
pub(crate) fn respond(
    fake: &FakeCentrifugo,
    api_key: Option<&str>,
    request: &Request,
) -> (u16, String) {
    if let Some(key) = api_key {
        let given = request.header("x-api-key").or_else(|| {
            request
                .header("authorization")
                .and_then(|v| v.strip_prefix("apikey "))
        });
        if given != Some(key) {
            return (401, String::new());
        }
    }
    let Some(method) = request
        .path
        .strip_prefix("/api/")
        .filter(|_| request.method == "POST")
    else {
        return (404, String::new());
    };
    let Ok(params) = serde_json::from_slice::<Value>(&request.body) else {
        return (400, String::new());
    };
    (200, command(fake, method, &params).to_string())
}

/// Runs one API command: `{"result": ...}` or `{"error": ...}`.
fn command(fake: &FakeCentrifugo, method: &str, params: &Value) -> Value {
    let bad = || json!({"error": {"code": 107, "message": "bad request"}});
    match method {
        "publish" => match (
            params.get("channel").and_then(Value::as_str),
            params.get("data"),
        ) {
            (Some(channel), Some(data)) => publish_result(fake, channel, data),
            _ => bad(),
        },
        "broadcast" => {
            let (Some(channels), Some(data)) = (
                params.get("channels").and_then(Value::as_array),
                params.get("data"),
            ) else {
                return bad();
            };
            let responses: Vec<Value> = channels
                .iter()
                .filter_map(Value::as_str)
                .map(|channel| publish_result(fake, channel, data))
                .collect();
            json!({"result": {"responses": responses}})
        }
        "disconnect" => match params.get("user").and_then(Value::as_str) {
            Some(user) => {
                fake.disconnect_user(user);
                json!({"result": {}})
            }
            None => bad(),
        },
        _ => json!({"error": {"code": 104, "message": "method not found"}}),
    }
}

fn publish_result(fake: &FakeCentrifugo, channel: &str, data: &Value) -> Value {
    let offset = fake.publish(channel, data.clone());
    let epoch = lock(&fake.state)
        .histories
        .get(channel)
        .map(|h| h.epoch.clone());
    match epoch {
        Some(epoch) if offset > 0 => json!({"result": {"offset": offset, "epoch": epoch}}),
        _ => json!({"result": {}}),
    }
}

/// Binds `addr` for the HTTP API of `fake`; returns the bound address.
pub(crate) async fn start(
    fake: &FakeCentrifugo,
    addr: SocketAddr,
    api_key: Option<String>,
) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let state = std::sync::Arc::downgrade(&fake.state);
    tokio::spawn(serve(listener, fake.addr, state, api_key));
    Ok(bound)
}
