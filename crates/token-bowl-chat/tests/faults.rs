//! The fault matrix: a fake server on a raw `TcpListener` (loopback) that
//! misbehaves below HTTP, against each request class (a GET, an idempotent
//! POST, a message send). For every row and class: the typed error (or
//! success), how many requests the fake saw, the time taken within the
//! budget, no send repeated, and no key in any error text. The table in the
//! SDK's README ("What each fault does") is this file's `ROWS`.

mod common;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime},
};

use common::ALICE_KEY;
use serde_json::json;
use token_bowl_chat::{Client, Error, RetryPolicy, UnknownSend};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// One request as the fake read it.
#[derive(Debug, Clone)]
struct Seen {
    connection: usize,
    method: String,
    path: String,
}

/// What the fake does with one request.
#[derive(Debug, Clone)]
enum Act {
    /// Answers and keeps the connection open (keep-alive).
    Reply(Vec<u8>),
    /// Closes the connection (FIN) without answering.
    Close,
    /// Resets the connection (RST) without answering.
    Reset,
    /// Writes these bytes, then resets.
    PartialThenReset(Vec<u8>),
    /// Writes these bytes, then closes (FIN).
    PartialThenClose(Vec<u8>),
    /// Writes `head`, waits, then writes `rest` and keeps the connection.
    Slow {
        head: Vec<u8>,
        delay: Duration,
        rest: Vec<u8>,
    },
}

type Script = Arc<dyn Fn(usize, &Seen) -> Act + Send + Sync>;

struct Fake {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    /// Serves `script(n, request)` for the `n`-th request (from 0).
    async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            let mut connection = 0;
            while let Ok((stream, _)) = listener.accept().await {
                connection += 1;
                tokio::spawn(serve(stream, connection, log.clone(), script.clone()));
            }
        });
        Self { url, seen }
    }

    fn count(&self, method: &str, path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.method == method && s.path == path)
            .count()
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut first = head.lines().next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.ok()?;
    let path = path.split('?').next().unwrap_or_default().to_owned();
    Some((method, path))
}

async fn serve(
    mut stream: TcpStream,
    connection: usize,
    log: Arc<Mutex<Vec<Seen>>>,
    script: Script,
) {
    while let Some((method, path)) = read_request(&mut stream).await {
        let seen = Seen {
            connection,
            method,
            path,
        };
        let n = {
            let mut log = log.lock().unwrap();
            log.push(seen.clone());
            log.len() - 1
        };
        match script(n, &seen) {
            Act::Reply(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Act::Close => return,
            Act::Reset => {
                let _ = stream.set_zero_linger();
                return;
            }
            Act::PartialThenReset(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = stream.set_zero_linger();
                return;
            }
            Act::PartialThenClose(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
                return;
            }
            Act::Slow { head, delay, rest } => {
                let _ = stream.write_all(&head).await;
                let _ = stream.flush().await;
                tokio::time::sleep(delay).await;
                if stream.write_all(&rest).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn http(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

fn json_reply(status: &str, body: &serde_json::Value) -> Vec<u8> {
    http(
        status,
        &[("content-type", "application/json")],
        &body.to_string(),
    )
}

/// The request classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// `me()`: GET, retried.
    Get,
    /// `mark_all_read()`: an idempotent POST, retried.
    IdempotentPost,
    /// `send_message()`: never re-sent.
    Send,
}

const CLASSES: [Class; 3] = [Class::Get, Class::IdempotentPost, Class::Send];

impl Class {
    fn route(self) -> (&'static str, &'static str) {
        match self {
            Self::Get => ("GET", "/users/me"),
            Self::IdempotentPost => ("POST", "/messages/mark-all-read"),
            Self::Send => ("POST", "/messages"),
        }
    }

    /// The real server's success answer.
    fn success(self) -> Vec<u8> {
        match self {
            Self::Get => json_reply("200 OK", &common::profile()),
            Self::IdempotentPost => json_reply("200 OK", &json!({"marked_as_read": 3})),
            Self::Send => json_reply("201 Created", &common::room_message()),
        }
    }

    /// Success status line with another body.
    fn success_with(self, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
        let status = if self == Self::Send {
            "201 Created"
        } else {
            "200 OK"
        };
        http(status, headers, body)
    }

    async fn call(self, client: &Client) -> Result<(), Error> {
        match self {
            Self::Get => client.me().await.map(drop),
            Self::IdempotentPost => client.mark_all_read().await.map(drop),
            Self::Send => client.send_message("hello room").await.map(drop),
        }
    }
}

/// What a row expects of one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Connect,
    Timeout,
    Transport,
    Decode,
    Server,
    RateLimited,
    Status,
    /// `SendOutcomeUnknown`, with this cause.
    Unknown(&'static str),
}

fn outcome(result: &Result<(), Error>) -> Outcome {
    match result {
        Ok(()) => Outcome::Ok,
        Err(Error::Connect { .. }) => Outcome::Connect,
        Err(Error::Timeout { .. }) => Outcome::Timeout,
        Err(Error::Transport { .. }) => Outcome::Transport,
        Err(Error::Decode(_)) => Outcome::Decode,
        Err(Error::Server(_)) => Outcome::Server,
        Err(Error::RateLimited(_)) => Outcome::RateLimited,
        Err(Error::Status(_)) => Outcome::Status,
        Err(Error::SendOutcomeUnknown(u)) => Outcome::Unknown(match u.cause.as_deref() {
            Some(Error::Timeout { .. }) => "timeout",
            Some(Error::Transport { .. }) => "transport",
            Some(Error::Server(_)) => "server",
            _ => "other",
        }),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

/// Timeout of one attempt in the matrix.
const TIMEOUT: Duration = Duration::from_millis(400);

fn client(url: &str) -> Client {
    Client::builder()
        .use_env(false)
        .base_url(url)
        .api_key(ALICE_KEY)
        .timeout(TIMEOUT)
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20))
                .max_retry_after(Duration::from_secs(3)),
        )
        .build()
        .unwrap()
}

fn retry_after_date(seconds: u64) -> String {
    httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(seconds))
}

/// One row: its name, how the fake answers the class's requests (by the
/// index among them), and per class what comes out and how many of the
/// class's requests the fake saw. `warm_up`: a `me()` answered first, on
/// the same connection.
struct Row {
    name: &'static str,
    warm_up: bool,
    act: fn(Class, usize) -> Act,
    expect: fn(Class) -> (Outcome, usize),
    /// At least this long (a timeout, a honoured `Retry-After`).
    min_time: fn(Class) -> Duration,
}

/// Idempotent classes are retried (2 retries: 3 attempts); a send is not.
fn retried(class: Class, retried_outcome: Outcome, send_cause: &'static str) -> (Outcome, usize) {
    match class {
        Class::Send => (Outcome::Unknown(send_cause), 1),
        _ => (retried_outcome, 3),
    }
}

const ROWS: &[Row] = &[
    Row {
        name: "reset before any response",
        warm_up: false,
        act: |_, _| Act::Reset,
        expect: |c| retried(c, Outcome::Transport, "transport"),
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "close without answering on a kept-alive connection (stale pooled connection), then a fresh one",
        warm_up: true,
        act: |c, n| {
            if n == 0 {
                Act::Close
            } else {
                Act::Reply(c.success())
            }
        },
        expect: |c| match c {
            Class::Send => (Outcome::Unknown("transport"), 1),
            _ => (Outcome::Ok, 2),
        },
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "reset mid-body",
        warm_up: false,
        act: |_, _| {
            Act::PartialThenReset(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"id\":"
                    .to_vec(),
            )
        },
        expect: |c| retried(c, Outcome::Transport, "transport"),
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "body shorter than Content-Length, then close",
        warm_up: false,
        act: |_, _| {
            Act::PartialThenClose(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"id\":"
                    .to_vec(),
            )
        },
        expect: |c| retried(c, Outcome::Transport, "transport"),
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "headers slower than the timeout",
        warm_up: false,
        act: |c, _| Act::Slow {
            head: Vec::new(),
            delay: TIMEOUT * 3,
            rest: c.success(),
        },
        expect: |c| retried(c, Outcome::Timeout, "timeout"),
        min_time: |_| TIMEOUT,
    },
    Row {
        name: "body slower than the timeout",
        warm_up: false,
        act: |c, _| {
            let whole = c.success();
            let split = whole.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            Act::Slow {
                head: whole[..split].to_vec(),
                delay: TIMEOUT * 3,
                rest: whole[split..].to_vec(),
            }
        },
        expect: |c| retried(c, Outcome::Timeout, "timeout"),
        min_time: |_| TIMEOUT,
    },
    Row {
        name: "200 with invalid JSON",
        warm_up: false,
        act: |c, _| {
            Act::Reply(c.success_with(&[("content-type", "application/json")], "{\"id\": "))
        },
        expect: |_| (Outcome::Decode, 1),
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "200 with an HTML page",
        warm_up: false,
        act: |c, _| Act::Reply(c.success_with(&[("content-type", "text/html")], "<html>hi</html>")),
        expect: |_| (Outcome::Decode, 1),
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "200 with an empty body",
        warm_up: false,
        act: |c, _| Act::Reply(c.success_with(&[], "")),
        expect: |_| (Outcome::Decode, 1),
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "500 text/plain",
        warm_up: false,
        act: |_, _| {
            Act::Reply(http(
                "500 Internal Server Error",
                &[("content-type", "text/plain; charset=utf-8")],
                "Internal Server Error",
            ))
        },
        expect: |c| match c {
            Class::Send => (Outcome::Unknown("server"), 1),
            _ => (Outcome::Server, 1),
        },
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "502 HTML from a proxy",
        warm_up: false,
        act: |_, _| {
            Act::Reply(http(
                "502 Bad Gateway",
                &[("content-type", "text/html")],
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            ))
        },
        expect: |c| retried(c, Outcome::Server, "server"),
        min_time: |_| Duration::ZERO,
    },
    Row {
        name: "503 with Retry-After: 1, then success",
        warm_up: false,
        act: |c, n| {
            if n == 0 {
                Act::Reply(http(
                    "503 Service Unavailable",
                    &[("retry-after", "1"), ("content-type", "application/json")],
                    "{\"detail\":\"busy\"}",
                ))
            } else {
                Act::Reply(c.success())
            }
        },
        expect: |c| match c {
            Class::Send => (Outcome::Unknown("server"), 1),
            _ => (Outcome::Ok, 2),
        },
        min_time: |c| match c {
            Class::Send => Duration::ZERO,
            _ => Duration::from_millis(900),
        },
    },
    Row {
        name: "429 with an HTTP-date Retry-After, then success",
        warm_up: false,
        act: |c, n| {
            if n == 0 {
                Act::Reply(http(
                    "429 Too Many Requests",
                    &[
                        ("retry-after", &retry_after_date(2)),
                        ("content-type", "application/json"),
                    ],
                    "{\"detail\":\"slow down\"}",
                ))
            } else {
                Act::Reply(c.success())
            }
        },
        expect: |c| match c {
            // Refused, so not stored: the error says so.
            Class::Send => (Outcome::RateLimited, 1),
            _ => (Outcome::Ok, 2),
        },
        min_time: |c| match c {
            Class::Send => Duration::ZERO,
            _ => Duration::from_millis(900),
        },
    },
    Row {
        name: "a redirect (not followed: it would carry the key elsewhere)",
        warm_up: false,
        act: |_, _| Act::Reply(http("302 Found", &[("location", "/elsewhere")], "")),
        expect: |_| (Outcome::Status, 1),
        min_time: |_| Duration::ZERO,
    },
];

/// Every row must end well inside this, retries and waits included.
const BUDGET: Duration = Duration::from_secs(5);

#[tokio::test]
async fn the_fault_matrix() {
    let mut report = Vec::new();
    for row in ROWS {
        for class in CLASSES {
            let (method, path) = class.route();
            let act = row.act;
            let warm = row.warm_up;
            let script: Script = Arc::new(move |n, seen: &Seen| {
                if warm && n == 0 {
                    return Act::Reply(Class::Get.success());
                }
                let index = n - usize::from(warm);
                assert_eq!((seen.method.as_str(), seen.path.as_str()), (method, path));
                act(class, index)
            });
            let fake = Fake::start(script).await;
            let client = client(&fake.url);
            if row.warm_up {
                client.me().await.unwrap();
            }
            let started = Instant::now();
            let result = class.call(&client).await;
            let took = started.elapsed();
            let seen = fake.count(method, path) - usize::from(warm && class == Class::Get);
            let (want, want_seen) = (row.expect)(class);
            let got = outcome(&result);
            assert_eq!(
                (got, seen),
                (want, want_seen),
                "{}, {class:?}: {result:?}",
                row.name
            );
            assert!(took < BUDGET, "{}, {class:?}: took {took:?}", row.name);
            assert!(
                took >= (row.min_time)(class),
                "{}, {class:?}: took {took:?}",
                row.name
            );
            if row.warm_up {
                let conns: Vec<usize> = fake
                    .seen
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|s| s.connection)
                    .collect();
                assert_eq!(
                    conns[0], conns[1],
                    "{}: the pooled connection was reused",
                    row.name
                );
            }
            if let Err(error) = &result {
                let text = format!("{error}\n{error:?}");
                assert!(!text.contains(ALICE_KEY), "{}: key in {text}", row.name);
                assert!(!text.contains('\n') || text.lines().next().is_some());
                report.push(format!("{} | {class:?} | {error} | {seen}", row.name));
            } else {
                report.push(format!("{} | {class:?} | ok | {seen}", row.name));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
}

#[tokio::test]
async fn a_refused_connection_is_a_plain_connect_error_and_nothing_is_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = client(&url);
    for class in CLASSES {
        let started = Instant::now();
        let err = class.call(&client).await.unwrap_err();
        assert!(started.elapsed() < BUDGET);
        let Error::Connect { reason, host, .. } = &err else {
            panic!("{class:?}: {err:?}")
        };
        assert_eq!(reason, "connection refused");
        assert_eq!(format!("http://{host}"), url);
        assert_eq!(
            err.to_string(),
            format!("cannot connect to {host}: connection refused")
        );
    }
}

#[tokio::test]
async fn an_unknown_host_says_so() {
    let client = Client::builder()
        .use_env(false)
        .base_url("http://no-such-host.invalid:8000")
        .api_key(ALICE_KEY)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.me().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot connect to no-such-host.invalid:8000: host not found (DNS lookup failed)"
    );
}

/// The real server's behaviour under load (server-behavior.md,
/// "Connections"): it stores the message, answers a text/plain 500 and
/// closes the connection without `Connection: close`. The send is reported
/// unknown, and `find_sent`'s first request, which goes out on that dead
/// pooled connection, is retried on a new one and finds the message.
#[tokio::test]
async fn find_sent_after_a_500_survives_the_dead_connection() {
    let stored = common::room_message();
    let script: Script = Arc::new(move |n, seen: &Seen| match n {
        0 => Act::Reply(http(
            "500 Internal Server Error",
            &[("content-type", "text/plain; charset=utf-8")],
            "Internal Server Error",
        )),
        // uvicorn has closed this connection: the next request dies on it.
        1 => {
            assert_eq!(seen.connection, 1, "sent on the pooled connection");
            Act::Close
        }
        _ => match seen.path.as_str() {
            "/users/me" => Act::Reply(Class::Get.success()),
            "/messages" => {
                let mut message = stored.clone();
                message["timestamp"] = json!(chrono::Utc::now().to_rfc3339());
                Act::Reply(json_reply(
                    "200 OK",
                    &common::page(vec![message], 1, 0, 100),
                ))
            }
            other => panic!("unexpected {other}"),
        },
    });
    let fake = Fake::start(script).await;
    let client = client(&fake.url);
    let err = client.send_message("hello room").await.unwrap_err();
    let Error::SendOutcomeUnknown(unknown) = err else {
        panic!("{err:?}")
    };
    let found = client.find_sent(&unknown).await.unwrap();
    assert_eq!(
        found.map(|m| m.id.to_string()).as_deref(),
        Some(common::ROOM_MESSAGE_ID)
    );
    assert_eq!(fake.count("POST", "/messages"), 1, "never re-sent");
    // Also from stored fields, after the connection died again.
    let rebuilt = UnknownSend::new("hello room", None, unknown.attempted_at);
    assert!(client.find_sent(&rebuilt).await.unwrap().is_some());
}
