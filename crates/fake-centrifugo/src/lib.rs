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
//!
//! [`FakeCentrifugo::serve_http_api`] adds Centrifugo's HTTP server API
//! (`POST /api/publish`, `/api/broadcast`, `/api/disconnect`), so a real
//! Token Bowl server can publish into the fake; the `fake-centrifugo`
//! binary runs both sides on fixed addresses.

#![forbid(unsafe_code)]

mod connection;
mod http_api;
mod state;
mod token;

use std::{
    io,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use tokio::net::TcpListener;

use state::{History, Out, State, history_of, lock};
pub use token::token_for;

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

/// One connect command as received.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    /// The token it carried.
    pub token: String,
    /// Its `subs` (recovery requests), as JSON.
    pub subs: Value,
}

/// The fake server. Dropping it stops accepting connections.
#[derive(Debug, Clone)]
pub struct FakeCentrifugo {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
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
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        Self::bind(loopback, mode, history_size)
            .await
            .expect("bind loopback")
    }

    /// Starts its WebSocket side on `addr` in `mode`; channels keep
    /// `history_size` publications. Fails when `addr` cannot be bound.
    pub async fn bind(addr: SocketAddr, mode: Mode, history_size: usize) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
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
                tokio::spawn(connection::serve(stream, state));
            }
        });
        Ok(Self { addr, state })
    }

    /// Serves Centrifugo's HTTP server API on `addr` (paths under `/api/`),
    /// publishing into this fake. With `api_key`, requests must carry it
    /// in `X-API-Key` (else 401). Returns the bound address.
    pub async fn serve_http_api(
        &self,
        addr: SocketAddr,
        api_key: Option<String>,
    ) -> io::Result<SocketAddr> {
        http_api::start(self, addr, api_key).await
    }

    /// With a secret, connect tokens must carry a valid HS256 signature
    /// made with it (else error 101), as a real Centrifugo checks them.
    pub fn set_token_secret(&self, secret: Option<&str>) {
        lock(&self.state).token_secret = secret.map(|s| s.as_bytes().to_vec());
    }

    /// Closes every connection of `user` (its token's `sub`) with 3501
    /// "force disconnect", as Centrifugo's `disconnect` API does.
    pub fn disconnect_user(&self, user: &str) {
        lock(&self.state).conns.retain(|conn| {
            let keep = conn.user != user;
            if !keep {
                let _ = conn.tx.send(Out::Close(3501, "force disconnect".into()));
            }
            keep
        });
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
