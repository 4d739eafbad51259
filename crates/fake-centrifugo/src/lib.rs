//! A fake Centrifugo server for tests: client protocol v2 over WebSocket,
//! JSON encoding, on loopback.
//!
//! It does what the Token Bowl server's Centrifugo does for a client:
//! accepts a connect with a JWT whose `channels` claim lists the channels
//! the connection is subscribed to server-side; pushes publications; pings
//! with `{}` and drops a connection whose pong does not come; keeps a
//! per-channel history (offset + epoch) and answers recovery from it, or
//! says it could not recover once that history has expired; rejects
//! expired tokens with error 109; answers `refresh`; and can close
//! connections with any code or cut them without a close frame.
//!
//! A [`Mode`] selects how the namespaces are configured, as a real
//! deployment can be: recovery on, history kept without recovery (what a
//! Centrifugo v4+ gets from a v2-style `history_recover` key), or no history
//! at all. [`FakeCentrifugo::restart`] changes every channel's epoch, as a
//! Centrifugo restart with the memory engine does.
//!
//! The subscribe results follow Centrifugo's own (the `centrifuge` Go
//! library's `subscribeCmd`, JSON protocol, where false, zero and empty
//! fields are left out):
//!
//! | mode | fields of a `subs` entry |
//! | --- | --- |
//! | [`Mode::Recovery`] | `recoverable`, `positioned`, `epoch`, `offset`; with a recover request also `was_recovering`, and `recovered` + `publications` (and `offset` = the requested one) when it succeeded |
//! | [`Mode::HistoryNoRecovery`] | none (`{}`); publications still carry `offset` |
//! | [`Mode::NoHistory`] | none (`{}`); publications carry no `offset` |

#![forbid(unsafe_code)]

use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::mpsc};
use tokio_tungstenite::tungstenite::{
    Message as WsMessage,
    protocol::{CloseFrame, frame::coding::CloseCode},
};

/// What a connection's writer task is told to do.
#[derive(Debug)]
enum Out {
    Frame(String),
    Close(u16, String),
    Cut,
}

/// How the fake's channels are configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// History and recovery (`force_recovery`): missed publications come
    /// back in the connect reply.
    #[default]
    Recovery,
    /// History kept, recovery off: subscriptions are neither recoverable
    /// nor positioned, publications still have offsets. The likely
    /// production setting of the Token Bowl server.
    HistoryNoRecovery,
    /// No history: nothing is kept, publications have no offsets.
    NoHistory,
}

#[derive(Debug, Default)]
struct History {
    epoch: String,
    offset: u64,
    kept: VecDeque<(u64, Value)>,
}

/// One connect command as received.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    /// The token it carried.
    pub token: String,
    /// Its `subs` (recovery requests), as JSON.
    pub subs: Value,
}

#[derive(Debug)]
struct Conn {
    id: u64,
    channels: Vec<String>,
    tx: mpsc::UnboundedSender<Out>,
}

#[derive(Debug)]
struct State {
    mode: Mode,
    accepting: bool,
    epochs: u64,
    histories: HashMap<String, History>,
    history_size: usize,
    conns: Vec<Conn>,
    next_conn: u64,
    connects: Vec<ConnectRecord>,
    reject_tokens: usize,
    refreshes: Vec<String>,
    pongs: usize,
    ping_interval: u32,
    token_ttl: Option<u32>,
}

/// The fake server. Dropping it stops accepting connections.
#[derive(Debug, Clone)]
pub struct FakeCentrifugo {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl State {
    fn new(mode: Mode, history_size: usize) -> Self {
        Self {
            mode,
            accepting: true,
            epochs: 1,
            histories: HashMap::new(),
            history_size,
            conns: Vec::new(),
            next_conn: 0,
            connects: Vec::new(),
            reject_tokens: 0,
            refreshes: Vec::new(),
            pongs: 0,
            ping_interval: 25,
            token_ttl: None,
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A JWT-shaped token (unsigned: the fake does not check signatures) whose
/// claims carry `sub` and `channels`, as the Token Bowl server issues them.
pub fn token_for(user: &str, channels: &[&str]) -> String {
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({"sub": user, "channels": channels, "exp": 4_102_444_800u64});
    let payload = base64url(claims.to_string().as_bytes());
    format!("{header}.{payload}.fake-signature")
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

fn channels_of(token: &str) -> Option<Vec<String>> {
    let payload = token.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&unbase64url(payload)?).ok()?;
    claims
        .get("channels")?
        .as_array()?
        .iter()
        .map(|c| c.as_str().map(str::to_owned))
        .collect()
}

impl FakeCentrifugo {
    /// Starts on a free loopback port in [`Mode::Recovery`]. Channels keep
    /// `history_size` publications for recovery.
    pub async fn start(history_size: usize) -> Self {
        Self::start_with(Mode::Recovery, history_size).await
    }

    /// Starts on a free loopback port in `mode`; channels keep
    /// `history_size` publications (none in [`Mode::NoHistory`]).
    pub async fn start_with(mode: Mode, history_size: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State::new(mode, history_size)));
        let accept_state = Arc::downgrade(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let Some(state) = accept_state.upgrade() else {
                    break;
                };
                if !lock(&state).accepting {
                    // As a server that is down: the socket closes at once.
                    drop(stream);
                    continue;
                }
                tokio::spawn(serve(stream, state));
            }
        });
        Self { addr, state }
    }

    /// The WebSocket URL, as the Token Bowl server reports it.
    pub fn url(&self) -> String {
        format!("ws://{}/connection/websocket", self.addr)
    }

    /// Seconds between server pings (`{}`), announced in the connect reply;
    /// a connection that does not answer one before the next is closed.
    pub fn set_ping_interval(&self, seconds: u32) {
        lock(&self.state).ping_interval = seconds;
    }

    /// Makes tokens expire `ttl` seconds after connect (`expires` + `ttl`
    /// in the connect reply), so the client must refresh.
    pub fn set_token_ttl(&self, ttl: Option<u32>) {
        lock(&self.state).token_ttl = ttl;
    }

    /// Rejects the next `count` connects with error 109 (token expired).
    pub fn reject_next_tokens(&self, count: usize) {
        lock(&self.state).reject_tokens = count;
    }

    /// Publishes `data` into `channel`: kept in its history and pushed to
    /// every connection subscribed to it. Returns the publication offset.
    pub fn publish(&self, channel: &str, data: Value) -> u64 {
        self.publish_batch(&[(channel, data)])[0]
    }

    /// Publishes several at once; each connection gets all of its pushes in
    /// one WebSocket frame, newline-separated.
    /// Offsets are 0 in [`Mode::NoHistory`], which keeps none.
    pub fn publish_batch(&self, items: &[(&str, Value)]) -> Vec<u64> {
        let mut state = lock(&self.state);
        let size = state.history_size;
        let mode = state.mode;
        let mut offsets = Vec::new();
        let mut pushes: Vec<(String, String)> = Vec::new();
        for (channel, data) in items {
            let push = if mode == Mode::NoHistory {
                offsets.push(0);
                json!({"push": {"channel": channel, "pub": {"data": data}}})
            } else {
                let history = history_of(&mut state, channel);
                history.offset += 1;
                let offset = history.offset;
                history.kept.push_back((offset, data.clone()));
                while history.kept.len() > size {
                    history.kept.pop_front();
                }
                offsets.push(offset);
                json!({"push": {"channel": channel, "pub": {"data": data, "offset": offset}}})
            };
            pushes.push(((*channel).to_owned(), push.to_string()));
        }
        for conn in &state.conns {
            let lines: Vec<&str> = pushes
                .iter()
                .filter(|(channel, _)| conn.channels.contains(channel))
                .map(|(_, line)| line.as_str())
                .collect();
            if !lines.is_empty() {
                let _ = conn.tx.send(Out::Frame(lines.join("\n")));
            }
        }
        offsets
    }

    /// Forgets a channel's history (as after Centrifugo's 5-minute TTL):
    /// recovery from any earlier position fails.
    pub fn expire_history(&self, channel: &str) {
        if let Some(history) = lock(&self.state).histories.get_mut(channel) {
            history.kept.clear();
        }
    }

    /// Restarts the server as Centrifugo with the memory engine restarts:
    /// every channel gets a new epoch and an empty history from offset 0,
    /// and every connection is cut. Recovery from any earlier position then
    /// fails (`was_recovering` without `recovered`).
    pub fn restart(&self) {
        {
            let mut state = lock(&self.state);
            state.epochs += 1;
            let epoch = format!("epoch-{}", state.epochs);
            for history in state.histories.values_mut() {
                *history = History {
                    epoch: epoch.clone(),
                    ..History::default()
                };
            }
        }
        self.cut_connections();
    }

    /// While false, new connections are closed as soon as they are
    /// accepted (the server is unreachable); open ones are left alone.
    pub fn set_accepting(&self, yes: bool) {
        lock(&self.state).accepting = yes;
    }

    /// The mode the fake runs in.
    pub fn mode(&self) -> Mode {
        lock(&self.state).mode
    }

    /// Closes every connection with a close frame (`code`, `reason`).
    pub fn close_connections(&self, code: u16, reason: &str) {
        for conn in lock(&self.state).conns.drain(..) {
            let _ = conn.tx.send(Out::Close(code, reason.to_owned()));
        }
    }

    /// Cuts every connection without a close frame, as a network drop.
    pub fn cut_connections(&self) {
        for conn in lock(&self.state).conns.drain(..) {
            let _ = conn.tx.send(Out::Cut);
        }
    }

    /// How many connections are open and past the connect.
    pub fn connection_count(&self) -> usize {
        lock(&self.state).conns.len()
    }

    /// Every connect received, in order.
    pub fn connects(&self) -> Vec<ConnectRecord> {
        lock(&self.state).connects.clone()
    }

    /// Tokens received in `refresh` commands.
    pub fn refreshes(&self) -> Vec<String> {
        lock(&self.state).refreshes.clone()
    }

    /// Pongs (`{}`) received from clients.
    pub fn pongs(&self) -> usize {
        lock(&self.state).pongs
    }

    /// Waits until `check` holds, polling every 10 ms, for at most `limit`.
    pub async fn wait_for(&self, limit: Duration, check: impl Fn(&Self) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            if check(self) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        check(self)
    }
}

fn history_of<'a>(state: &'a mut State, channel: &str) -> &'a mut History {
    let epoch = format!("epoch-{}", state.epochs);
    state
        .histories
        .entry(channel.to_owned())
        .or_insert_with(|| History {
            epoch,
            ..History::default()
        })
}

/// The connect reply's `subs` entry for `channel` given the client's
/// recovery request, with exactly the fields Centrifugo sends in the
/// fake's mode (false, zero and empty ones left out).
fn subscribe_result(state: &mut State, channel: &str, request: Option<&Value>) -> Value {
    if state.mode != Mode::Recovery {
        // Neither recoverable nor positioned: Centrifugo fills no field,
        // and ignores a recover request it cannot honour.
        return json!({});
    }
    let history = history_of(state, channel);
    let recover = request
        .and_then(|r| r.get("recover"))
        .and_then(Value::as_bool)
        == Some(true);
    let mut result = json!({
        "recoverable": true,
        "positioned": true,
        "epoch": history.epoch,
    });
    let mut offset = history.offset;
    if recover {
        let from = request
            .and_then(|r| r.get("offset"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let epoch_ok = request.and_then(|r| r.get("epoch")).and_then(Value::as_str)
            == Some(history.epoch.as_str());
        let oldest_kept = history.kept.front().map_or(history.offset + 1, |(o, _)| *o);
        let recovered = epoch_ok
            && from <= history.offset
            && (from + 1 >= oldest_kept || from == history.offset);
        result["was_recovering"] = json!(true);
        if recovered {
            let missed: Vec<Value> = history
                .kept
                .iter()
                .filter(|(o, _)| *o > from)
                .map(|(o, data)| json!({"data": data, "offset": o}))
                .collect();
            result["recovered"] = json!(true);
            if !missed.is_empty() {
                result["publications"] = json!(missed);
            }
            // The client catches up through the publications.
            offset = from;
        }
    }
    if offset > 0 {
        result["offset"] = json!(offset);
    }
    result
}

/// Registers a connect: the reply, the connection id and the ping interval,
/// or the error code and message to answer with.
fn accept_connect(
    state: &Mutex<State>,
    token: &str,
    subs_request: &Value,
    tx: &mpsc::UnboundedSender<Out>,
) -> Result<(Value, u64, u32), (u32, &'static str)> {
    let mut s = lock(state);
    s.connects.push(ConnectRecord {
        token: token.to_owned(),
        subs: subs_request.clone(),
    });
    if s.reject_tokens > 0 {
        s.reject_tokens -= 1;
        return Err((109, "token expired"));
    }
    let channels = channels_of(token).ok_or((101, "unauthorized"))?;
    let mut subs = serde_json::Map::new();
    for channel in &channels {
        let result = subscribe_result(&mut s, channel, subs_request.get(channel));
        subs.insert(channel.clone(), result);
    }
    s.next_conn += 1;
    let conn_id = s.next_conn;
    s.conns.push(Conn {
        id: conn_id,
        channels,
        tx: tx.clone(),
    });
    let mut result = json!({
        "client": format!("client-{conn_id}"),
        "version": "6.0.0-fake",
        "subs": subs,
        "ping": s.ping_interval,
        "pong": true,
    });
    if let Some(ttl) = s.token_ttl {
        result["expires"] = json!(true);
        result["ttl"] = json!(ttl);
    }
    Ok((json!({"connect": result}), conn_id, s.ping_interval))
}

async fn serve(stream: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();

    // The connect command comes first.
    let Some(Ok(WsMessage::Text(first))) = source.next().await else {
        return;
    };
    let Some(command) = first
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|c| c.get("connect").is_some())
    else {
        return;
    };
    let id = command.get("id").cloned().unwrap_or(json!(0));
    let connect = &command["connect"];
    let token = connect.get("token").and_then(Value::as_str).unwrap_or("");
    let subs_request = connect.get("subs").cloned().unwrap_or(json!({}));

    let (tx, mut rx) = mpsc::unbounded_channel();
    let decision = accept_connect(&state, token, &subs_request, &tx);
    let (reply, conn_id, ping_interval) = match decision {
        Ok(accepted) => accepted,
        Err((code, message)) => {
            let error = json!({"id": id, "error": {"code": code, "message": message}});
            let _ = sink.send(WsMessage::text(error.to_string())).await;
            let _ = sink.close().await;
            return;
        }
    };
    let reply = {
        let mut reply = reply;
        reply["id"] = id;
        reply
    };
    if sink.send(WsMessage::text(reply.to_string())).await.is_err() {
        forget(&state, conn_id);
        return;
    }

    let mut ping = tokio::time::interval(Duration::from_secs(u64::from(ping_interval.max(1))));
    ping.tick().await;
    let mut awaiting_pong = false;
    loop {
        tokio::select! {
            incoming = source.next() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    for line in text.lines().filter(|l| !l.trim().is_empty()) {
                        let Ok(command) = serde_json::from_str::<Value>(line) else { continue };
                        if command.as_object().is_some_and(serde_json::Map::is_empty) {
                            awaiting_pong = false;
                            lock(&state).pongs += 1;
                        } else if let Some(refresh) = command.get("refresh") {
                            let token = refresh.get("token").and_then(Value::as_str).unwrap_or("");
                            let ttl = {
                                let mut s = lock(&state);
                                s.refreshes.push(token.to_owned());
                                s.token_ttl
                            };
                            let mut result = json!({"client": format!("client-{conn_id}"), "version": "6.0.0-fake"});
                            if let Some(ttl) = ttl {
                                result["expires"] = json!(true);
                                result["ttl"] = json!(ttl);
                            }
                            let reply = json!({"id": command["id"], "refresh": result});
                            let _ = sink.send(WsMessage::text(reply.to_string())).await;
                        } else if let Some(id) = command.get("id") {
                            let reply = json!({"id": id, "error": {"code": 108, "message": "not available"}});
                            let _ = sink.send(WsMessage::text(reply.to_string())).await;
                        }
                    }
                }
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            out = rx.recv() => match out {
                Some(Out::Frame(text)) => {
                    if sink.send(WsMessage::text(text)).await.is_err() { break; }
                }
                Some(Out::Close(code, reason)) => {
                    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                    let _ = sink.send(WsMessage::Close(Some(frame))).await;
                    break;
                }
                Some(Out::Cut) | None => break,
            },
            _ = ping.tick() => {
                if awaiting_pong {
                    let frame = CloseFrame { code: CloseCode::from(3012), reason: "no pong".into() };
                    let _ = sink.send(WsMessage::Close(Some(frame))).await;
                    break;
                }
                awaiting_pong = true;
                if sink.send(WsMessage::text("{}")).await.is_err() { break; }
            }
        }
    }
    forget(&state, conn_id);
}

fn forget(state: &Mutex<State>, conn_id: u64) {
    lock(state).conns.retain(|c| c.id != conn_id);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(mode: Mode) -> State {
        State::new(mode, 10)
    }

    fn publish(state: &mut State, n: u64) {
        let history = history_of(state, "room:main");
        history.offset += 1;
        let offset = history.offset;
        history.kept.push_back((offset, json!({ "n": n })));
    }

    #[test]
    fn recovery_mode_replies_like_centrifugo() {
        let mut s = state(Mode::Recovery);
        // First subscribe of an empty channel: zero offset left out.
        assert_eq!(
            subscribe_result(&mut s, "room:main", None),
            json!({"recoverable": true, "positioned": true, "epoch": "epoch-1"})
        );
        publish(&mut s, 1);
        publish(&mut s, 2);
        assert_eq!(subscribe_result(&mut s, "room:main", None)["offset"], 2);
        let request = json!({"recover": true, "offset": 1, "epoch": "epoch-1"});
        assert_eq!(
            subscribe_result(&mut s, "room:main", Some(&request)),
            json!({"recoverable": true, "positioned": true, "epoch": "epoch-1",
                   "was_recovering": true, "recovered": true, "offset": 1,
                   "publications": [{"data": {"n": 2}, "offset": 2}]})
        );
        // Another epoch: not recovered, and `recovered: false` is left out.
        let stale = json!({"recover": true, "offset": 1, "epoch": "epoch-0"});
        assert_eq!(
            subscribe_result(&mut s, "room:main", Some(&stale)),
            json!({"recoverable": true, "positioned": true, "epoch": "epoch-1",
                   "was_recovering": true, "offset": 2})
        );
    }

    #[test]
    fn other_modes_reply_with_no_fields() {
        for mode in [Mode::HistoryNoRecovery, Mode::NoHistory] {
            let mut s = state(mode);
            let request = json!({"recover": true, "offset": 1, "epoch": "epoch-1"});
            assert_eq!(
                subscribe_result(&mut s, "room:main", Some(&request)),
                json!({})
            );
            assert_eq!(subscribe_result(&mut s, "room:main", None), json!({}));
        }
    }

    #[test]
    fn token_channels_round_trip() {
        let token = token_for("alice", &["user:alice", "room:main"]);
        assert_eq!(channels_of(&token).unwrap(), ["user:alice", "room:main"]);
    }

    #[test]
    fn base64url_matches_known_values() {
        assert_eq!(base64url(b"hello"), "aGVsbG8");
        assert_eq!(unbase64url("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url(b"ab"), "YWI");
        assert_eq!(unbase64url("YWI").unwrap(), b"ab");
    }
}
