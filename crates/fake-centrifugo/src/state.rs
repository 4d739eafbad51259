//! The fake's shared state: connections, per-channel histories, and the
//! connect and subscribe replies computed from them.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Mutex, MutexGuard, PoisonError},
};

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::{ConnectRecord, Mode, token::claims_of};

/// What a connection's writer task is told to do.
#[derive(Debug)]
pub(crate) enum Out {
    Frame(String),
    Close(u16, String),
    Cut,
}

#[derive(Debug, Default)]
pub(crate) struct History {
    pub(crate) epoch: String,
    pub(crate) offset: u64,
    pub(crate) kept: VecDeque<(u64, Value)>,
}

#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) id: u64,
    pub(crate) user: String,
    pub(crate) channels: Vec<String>,
    pub(crate) tx: mpsc::UnboundedSender<Out>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) mode: Mode,
    pub(crate) accepting: bool,
    pub(crate) epochs: u64,
    pub(crate) histories: HashMap<String, History>,
    pub(crate) history_size: usize,
    pub(crate) conns: Vec<Conn>,
    pub(crate) next_conn: u64,
    pub(crate) connects: Vec<ConnectRecord>,
    pub(crate) reject_tokens: usize,
    pub(crate) refreshes: Vec<String>,
    pub(crate) pongs: usize,
    pub(crate) ping_interval: u32,
    pub(crate) token_ttl: Option<u32>,
    pub(crate) token_secret: Option<Vec<u8>>,
}

impl State {
    pub(crate) fn new(mode: Mode, history_size: usize) -> Self {
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
            token_secret: None,
        }
    }
}

pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn history_of<'a>(state: &'a mut State, channel: &str) -> &'a mut History {
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
pub(crate) fn subscribe_result(state: &mut State, channel: &str, request: Option<&Value>) -> Value {
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
pub(crate) fn accept_connect(
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
    let claims = claims_of(token, s.token_secret.as_deref()).ok_or((101, "unauthorized"))?;
    let channels = claims.channels;
    let mut subs = serde_json::Map::new();
    for channel in &channels {
        let result = subscribe_result(&mut s, channel, subs_request.get(channel));
        subs.insert(channel.clone(), result);
    }
    s.next_conn += 1;
    let conn_id = s.next_conn;
    s.conns.push(Conn {
        id: conn_id,
        user: claims.user,
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

pub(crate) fn forget(state: &Mutex<State>, conn_id: u64) {
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
}
