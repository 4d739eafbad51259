//! The calls users make most, as users make them: bare `reqwest` +
//! `serde_json`, the SDK and the generated client side by side in one run,
//! against a canned HTTP/1.1 server on loopback that answers fixed bodies
//! shaped like the real server's (a profile, a page of 50 messages of about
//! 22 KB, a sent message).
//!
//! `cargo bench -p token-bowl-chat --bench calls [-- --quick] [-- --only NAME]
//! [-- --multi] [-- --base URL]`
//!
//! `--multi` runs the sequential cell as one task spawned on the
//! multi-thread runtime too, as a plain `#[tokio::main]` program does;
//! `--base URL` uses a canned server already running (nginx: see
//! `benches/calls.sh`, which also counts instructions per call under
//! callgrind for every cell, both runtimes and both servers).
//!
//! `sequential` is one task making one call after another on a
//! current-thread runtime (the bench thread); `8 concurrent` is eight tasks
//! spawned on a multi-thread runtime (2 workers) sharing one client. (One
//! task on the multi-thread runtime measures mostly where the scheduler
//! happens to put it and its connection task: from run to run the same
//! client there cost 30 to 100 µs per call.) Every client is new for each
//! round and warmed with a few calls. The canned server is a child process (this
//! binary with `--serve`), so the CPU reported (user + system time of this
//! process, `getrusage`) is the client's alone. Per cell: CPU per request and
//! requests per second, medians of 31 rounds in which the three clients take
//! turns (so drift in the machine's speed reaches all alike); the ratios to
//! bare reqwest are medians of each round's ratio, so that drift cancels;
//! and the TCP connections the server accepted from each client (warm-up
//! included).

use std::{
    io::{BufRead, BufReader, Write as _},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

mod common;

use common::{bare, process_cpu};
use serde_json::json;
use token_bowl_chat::{Client, Message, MessagePage, MessageQuery, Profile};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";
const CONCURRENCY: usize = 8;

fn message(n: usize) -> serde_json::Value {
    json!({
        "id": uuid::Uuid::from_u128(0x5e11_0000 + n as u128).to_string(),
        "from_user_id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37",
        "from_username": "bob", "from_user_logo": "claude-color.png", "from_user_emoji": null,
        "from_user_bot": n.is_multiple_of(3), "to_user_id": null, "to_username": null,
        "content": format!("Message number {n}: who is starting at flex this week, Kelce or the rookie?"),
        "message_type": "room",
        "description": "This is a message for the fantasy league's group chat.",
        "timestamp": format!("2026-11-22T01:02:{:02}.247494+00:00", n % 60),
    })
}

fn bodies() -> [(&'static str, &'static str, String); 3] {
    let profile = json!({
        "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
        "email": null, "api_key": KEY, "webhook_url": null, "logo": "claude-color.png",
        "viewer": false, "admin": false, "bot": false, "emoji": null,
        "created_at": "2026-11-22T01:02:30.135906+00:00"
    });
    let page = json!({
        "messages": (0..50).map(message).collect::<Vec<_>>(),
        "pagination": {"total": 1234, "offset": 0, "limit": 50, "has_more": true}
    });
    [
        ("GET /users/me ", "200 OK", profile.to_string()),
        ("GET /messages?", "200 OK", page.to_string()),
        ("POST /messages ", "201 Created", message(7).to_string()),
    ]
}

// ----- nginx as the canned server --------------------------------------------

/// An nginx configuration that answers the same bodies on `port`, with
/// the two GET bodies as files in `dir` (written here): `calls
/// --nginx-conf DIR PORT`, used by `benches/calls.sh`, which starts nginx
/// with it. (A body in the configuration itself may be at most 4 KB.)
fn nginx_conf(dir: &str, port: u16) -> String {
    let [(_, _, me), (_, _, page), (_, _, sent)] = bodies();
    std::fs::write(format!("{dir}/me.json"), me).unwrap();
    std::fs::write(format!("{dir}/page.json"), page).unwrap();
    // nginx's quoted strings take `\"` and `\\`; `$` would start a variable.
    assert!(!sent.contains('$'), "no `$` in a canned body");
    let sent = sent.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "daemon off;\nworker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  server_tokens off;\n  default_type application/json;\n\
         \x20 keepalive_requests 10000000;\n  keepalive_timeout 300s;\n\
         \x20 client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n\
         \x20 fastcgi_temp_path {dir}/fastcgi;\n  uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n\
         \x20 server {{\n    listen 127.0.0.1:{port};\n\
         \x20   location = /users/me {{ alias {dir}/me.json; }}\n\
         \x20   location = /messages {{\n      if ($request_method = POST) {{ return 201 \"{sent}\"; }}\n      alias {dir}/page.json;\n    }}\n\
         \x20 }}\n}}\n"
    )
}

// ----- the canned server (child process) ----------------------------------

/// Serves the canned answers on an ephemeral port; prints the port, then
/// answers until stdin closes. `GET /__connections` answers how many
/// connections were accepted since the last time it was asked.
fn serve() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap().port());
        std::io::stdout().flush().unwrap();
        std::thread::spawn(|| {
            let _ = std::io::stdin().read_line(&mut String::new());
            std::process::exit(0);
        });
        let answers: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
            bodies()
                .into_iter()
                .map(|(prefix, status, body)| {
                    let head = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\ndate: Wed, 02 Dec 2026 01:00:00 GMT\r\nserver: uvicorn\r\n\r\n",
                        body.len()
                    );
                    (prefix.to_owned(), [head.into_bytes(), body.into_bytes()].concat())
                })
                .collect(),
        );
        let accepted = Arc::new(AtomicUsize::new(0));
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            socket.set_nodelay(true).unwrap();
            accepted.fetch_add(1, Ordering::Relaxed);
            let answers = answers.clone();
            let accepted = accepted.clone();
            tokio::spawn(async move {
                let mut buf = Vec::with_capacity(4096);
                let mut chunk = [0u8; 8192];
                loop {
                    // One request: headers, then `content-length` bytes.
                    let (head_end, length) = loop {
                        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    while buf.len() < head_end + length {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    if buf.starts_with(b"GET /__connections ") {
                        // Not counting the connection that asks.
                        let n = accepted.swap(0, Ordering::Relaxed).saturating_sub(1);
                        let body = n.to_string();
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = socket.write_all(answer.as_bytes()).await;
                        return;
                    }
                    let answer = {
                        match answers.iter().find(|(prefix, _)| buf.starts_with(prefix.as_bytes())) {
                            Some((_, answer)) => answer.clone(),
                            None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec(),
                        }
                    };
                    buf.drain(..head_end + length);
                    if socket.write_all(&answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
}

struct Server {
    /// The canned server this binary started; none for an external one.
    child: Option<Child>,
    base: String,
}

impl Server {
    /// The canned server at `--base URL` (nginx, from `calls.sh`), or one
    /// of this binary's own.
    fn from_args(args: &[String]) -> Self {
        match args.iter().position(|a| a == "--base") {
            Some(i) => Self {
                child: None,
                base: args[i + 1].trim_end_matches('/').to_owned(),
            },
            None => Self::start(),
        }
    }

    fn start() -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = format!("http://127.0.0.1:{}", line.trim());
        Self {
            child: Some(child),
            base,
        }
    }

    /// Connections accepted since the last call (0 from an external
    /// server, which does not count them).
    fn connections(&self) -> usize {
        use std::io::Read as _;
        if self.child.is_none() {
            return 0;
        }
        let address = self.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /__connections HTTP/1.1\r\nhost: x\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
            .rsplit("\r\n\r\n")
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

// ----- the clients ----------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Call {
    Me,
    Messages,
    Send,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::Me => "GET /users/me",
            Call::Messages => "GET /messages (50)",
            Call::Send => "POST /messages",
        }
    }
}

/// Prints the size of each client's call futures (`--future-sizes`).
fn future_sizes() {
    let base = "http://127.0.0.1:9";
    let Who::Sdk(sdk) = Who::new(1, base) else {
        unreachable!()
    };
    let Who::Generated(api) = Who::new(2, base) else {
        unreachable!()
    };
    let Who::Bare(http, _) = Who::new(0, base) else {
        unreachable!()
    };
    let bare_me = bare::<Profile>(http.get(format!("{base}/users/me")), KEY);
    let body =
        token_bowl_chat_api::types::SendMessageRequest::builder().content("who starts at flex?");
    let sizes = [
        ("bare GET /users/me", size_of_val(&bare_me)),
        ("SDK me()", size_of_val(&sdk.me())),
        ("SDK send_message()", size_of_val(&sdk.send_message("x"))),
        (
            "generated get_my_profile().send()",
            size_of_val(&api.get_my_profile().send()),
        ),
        (
            "generated send_message().send()",
            size_of_val(&api.send_message().body(body).send()),
        ),
    ];
    for (name, size) in sizes {
        println!("{name:<36} {size:>6} bytes");
    }
}

#[derive(Clone)]
enum Who {
    Bare(reqwest::Client, Arc<str>),
    Sdk(Client),
    Generated(token_bowl_chat_api::Client),
}

impl Who {
    fn name(&self) -> &'static str {
        match self {
            Who::Bare(..) => "bare reqwest",
            Who::Sdk(_) => "SDK",
            Who::Generated(_) => "generated",
        }
    }

    fn new(kind: usize, base: &str) -> Self {
        match kind {
            0 => Who::Bare(reqwest::Client::new(), base.into()),
            1 => Who::Sdk(
                Client::builder()
                    .use_env(false)
                    .base_url(base)
                    .api_key(KEY)
                    .build()
                    .unwrap(),
            ),
            // For `--profile` only: the generated client the SDK hands
            // out (`Client::api()`), with the SDK's retry rule and executor.
            3 => Who::Generated(
                Client::builder()
                    .use_env(false)
                    .base_url(base)
                    .api_key(KEY)
                    .build()
                    .unwrap()
                    .api()
                    .clone(),
            ),
            // For `--profile` only: bare reqwest with the client settings
            // the SDK builds (a total timeout, a user agent, a 4 s idle
            // pool, no redirects, no retries), to tell what those cost
            // from what the SDK's own code costs.
            4 => Who::Bare(
                reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(30))
                    .user_agent("token-bowl-chat-rust/0.1.0")
                    .pool_idle_timeout(std::time::Duration::from_secs(4))
                    .redirect(reqwest::redirect::Policy::none())
                    .retry(reqwest::retry::never().max_retries_per_request(0))
                    .build()
                    .unwrap(),
                base.into(),
            ),
            _ => Who::Generated(token_bowl_chat_api::Client::with_api_key(
                base,
                token_bowl_chat_api::ApiKey::new(KEY).unwrap(),
            )),
        }
    }

    async fn call(&self, call: Call) {
        match (self, call) {
            (Who::Bare(http, base), Call::Me) => {
                std::hint::black_box(
                    bare::<Profile>(http.get(format!("{base}/users/me")), KEY).await,
                );
            }
            (Who::Bare(http, base), Call::Messages) => {
                let request = http.get(format!("{base}/messages")).query(&[("limit", 50)]);
                std::hint::black_box(bare::<MessagePage>(request, KEY).await);
            }
            (Who::Bare(http, base), Call::Send) => {
                let request = http
                    .post(format!("{base}/messages"))
                    .json(&json!({"content": "who starts at flex?"}));
                std::hint::black_box(bare::<Message>(request, KEY).await);
            }
            (Who::Sdk(sdk), Call::Me) => {
                std::hint::black_box(sdk.me().await.unwrap());
            }
            (Who::Sdk(sdk), Call::Messages) => {
                std::hint::black_box(
                    sdk.room_messages(MessageQuery::new().limit(50))
                        .await
                        .unwrap(),
                );
            }
            (Who::Sdk(sdk), Call::Send) => {
                std::hint::black_box(sdk.send_message("who starts at flex?").await.unwrap());
            }
            (Who::Generated(api), Call::Me) => {
                std::hint::black_box(api.get_my_profile().send().await.unwrap());
            }
            (Who::Generated(api), Call::Messages) => {
                std::hint::black_box(api.get_messages().limit(50).send().await.unwrap());
            }
            (Who::Generated(api), Call::Send) => {
                let body = token_bowl_chat_api::types::SendMessageRequest::builder()
                    .content("who starts at flex?");
                std::hint::black_box(api.send_message().body(body).send().await.unwrap());
            }
        }
    }
}

/// One client's share of a cell.
#[derive(Default)]
struct Tally {
    cpu_per_request: Vec<Duration>,
    per_second: Vec<f64>,
    connections: usize,
}

const ROUNDS: usize = 31;

/// Read before each call of `--profile` (sequential), so that a memory
/// trace can be split into calls (`calls.sh lines`).
static CALL_MARKER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One cell: `ROUNDS` rounds in which each of the three clients, new and
/// warmed, makes `requests / ROUNDS` calls, in a rotating order, so that
/// drift in the machine's speed reaches all three alike.
fn cell(
    runtime: &tokio::runtime::Runtime,
    sequential: Option<&tokio::runtime::Runtime>,
    server: &Server,
    call: Call,
    tasks: usize,
    requests: usize,
) -> [Tally; 3] {
    let mut tallies: [Tally; 3] = Default::default();
    server.connections(); // reset
    let per_task = (requests / ROUNDS / tasks).max(1);
    let burst = |client: &Who, calls: usize| {
        if tasks == 1
            && let Some(sequential) = sequential
        {
            // Sequential: one task, the bench thread's own current-thread
            // runtime (connection tasks included).
            return sequential.block_on(async {
                for _ in 0..calls {
                    client.call(call).await;
                }
            });
        }
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let client = client.clone();
                runtime.spawn(async move {
                    for _ in 0..calls {
                        client.call(call).await;
                    }
                })
            })
            .collect();
        runtime.block_on(async {
            for handle in handles {
                handle.await.unwrap();
            }
        });
    };
    for round in 0..ROUNDS {
        for i in 0..3 {
            let who = (round + i) % 3;
            // A new client each round: where the runtime places its
            // connection tasks differs from client to client, so one
            // client's luck does not decide its cell.
            let client = Who::new(who, &server.base);
            burst(&client, 20); // warm-up: connections, allocator
            let cpu = process_cpu();
            let started = Instant::now();
            burst(&client, per_task);
            let (cpu, wall) = (process_cpu() - cpu, started.elapsed());
            let done = (per_task * tasks) as u32;
            tallies[who].cpu_per_request.push(cpu / done);
            tallies[who]
                .per_second
                .push(f64::from(done) / wall.as_secs_f64());
            tallies[who].connections += server.connections();
        }
    }
    tallies
}

fn median<T: Copy + PartialOrd>(values: &[T]) -> T {
    let mut values = values.to_vec();
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        serve();
        return;
    }
    // `--nginx-conf DIR PORT`: print an nginx configuration that answers
    // the same bodies (see `benches/calls.sh`).
    if let Some(i) = args.iter().position(|a| a == "--nginx-conf") {
        print!("{}", nginx_conf(&args[i + 1], args[i + 2].parse().unwrap()));
        return;
    }
    // `--future-sizes`: the bytes each client's call future holds (what a
    // call moves about and a task carries), no server needed.
    if args.iter().any(|a| a == "--future-sizes") {
        future_sizes();
        return;
    }
    // `--profile WHO CALL N [--multi] [--tasks K] [--base URL]`: N calls of
    // one client, nothing else, for a profiler (`valgrind --tool=callgrind`).
    // WHO: 0 bare reqwest, 1 the SDK, 2 the generated client alone, 3 the
    // generated client of `Client::api()`, 4 bare reqwest with the SDK's
    // client settings. On a current-thread runtime (the
    // calls in its `block_on`, or in K spawned tasks), or with `--multi` in
    // K tasks (default 1) spawned on a multi-thread runtime with 2 workers,
    // as in a plain `#[tokio::main]` program that spawns its work.
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let who: usize = args[i + 1].parse().unwrap();
        let call = [Call::Me, Call::Messages, Call::Send][args[i + 2].parse::<usize>().unwrap()];
        let n: usize = args[i + 3].parse().unwrap();
        let tasks: usize = args
            .iter()
            .position(|a| a == "--tasks")
            .map_or(1, |i| args[i + 1].parse().unwrap());
        let server = Server::from_args(&args);
        let client = Who::new(who, &server.base);
        let multi = args.iter().any(|a| a == "--multi");
        let runtime = if multi {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        if !multi && tasks == 1 {
            // `calls.sh lines` splits a memory trace into calls at each
            // read of `CALL_MARKER`, and tells the stack from the rest by
            // the address of a local here.
            let stack_mark = 0u8;
            if std::env::var_os("CALLS_MARKER").is_some() {
                eprintln!(
                    "marker {:#x} stack {:#x}",
                    &raw const CALL_MARKER as usize, &raw const stack_mark as usize
                );
            }
            runtime.block_on(async {
                for _ in 0..n {
                    std::hint::black_box(CALL_MARKER.load(std::sync::atomic::Ordering::Relaxed));
                    client.call(call).await;
                }
            });
            std::hint::black_box(&stack_mark);
            return;
        }
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let client = client.clone();
                runtime.spawn(async move {
                    for _ in 0..n / tasks {
                        client.call(call).await;
                    }
                })
            })
            .collect();
        runtime.block_on(async {
            for handle in handles {
                handle.await.unwrap();
            }
        });
        return;
    }
    // Cargo passes `--bench`; a plain `cargo test` run builds but skips it.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let multi = args.iter().any(|a| a == "--multi");
    let server = Server::from_args(&args);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sequential = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "CPU per request (user+system, this process) and requests/s: medians of {ROUNDS} interleaved rounds;"
    );
    println!("× bare: the median of each round's ratio to bare reqwest in that round;");
    println!(
        "connections: accepted by the server from each client, over all rounds, warm-up included"
    );
    if multi {
        println!(
            "sequential: one task, 8 concurrent: eight tasks, spawned on a multi-thread runtime"
        );
        println!("with 2 workers (`--multi`)");
    } else {
        println!(
            "sequential: one task on a current-thread runtime; 8 concurrent: spawned tasks on a"
        );
        println!("multi-thread runtime with 2 workers");
    }
    println!(
        "server: {}\n",
        if server.child.is_some() {
            "this binary's own (`--serve`)"
        } else {
            "external (`--base`)"
        }
    );
    println!(
        "{:<20} {:<13} {:<13} {:>10} {:>8} {:>10} {:>8} {:>6}",
        "call", "mode", "client", "CPU µs/req", "× bare", "req/s", "× bare", "conns"
    );
    for call in [Call::Me, Call::Messages, Call::Send] {
        if only.as_deref().is_some_and(|o| !call.name().contains(o)) {
            continue;
        }
        let requests = match (call, quick) {
            (Call::Messages, false) => 12_400,
            (_, false) => 40_000,
            (Call::Messages, true) => 1_000,
            (_, true) => 4_000,
        };
        for (mode, tasks) in [("sequential", 1), ("8 concurrent", CONCURRENCY)] {
            let tallies = cell(
                &runtime,
                (!multi).then_some(&sequential),
                &server,
                call,
                tasks,
                requests,
            );
            let bare = &tallies[0];
            for (who, tally) in tallies.iter().enumerate() {
                let cpu = median(&tally.cpu_per_request);
                let rate = median(&tally.per_second);
                // Paired: each round's ratio to bare reqwest in the same
                // round, then their median. Drift in the machine's speed
                // between rounds (large on a shared VM) cancels out.
                let cpu_ratio = median(
                    &(tally.cpu_per_request.iter().zip(&bare.cpu_per_request))
                        .map(|(c, b)| c.as_secs_f64() / b.as_secs_f64())
                        .collect::<Vec<_>>(),
                );
                let rate_ratio = median(
                    &(tally.per_second.iter().zip(&bare.per_second))
                        .map(|(r, b)| r / b)
                        .collect::<Vec<_>>(),
                );
                println!(
                    "{:<20} {:<13} {:<13} {:>10.1} {:>7.2}× {:>10.0} {:>7.2}× {:>6}",
                    call.name(),
                    mode,
                    Who::new(who, &server.base).name(),
                    cpu.as_secs_f64() * 1e6,
                    cpu_ratio,
                    rate,
                    rate_ratio,
                    tally.connections,
                );
            }
        }
    }
}
