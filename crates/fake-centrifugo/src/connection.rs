//! One WebSocket connection: the connect handshake, then a loop that
//! answers pongs and commands, forwards pushes, and pings.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use futures::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use serde_json::{Value, json};
use tokio::{net::TcpStream, sync::mpsc};
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{
        Message as WsMessage,
        protocol::{CloseFrame, frame::coding::CloseCode},
    },
};

use crate::state::{Out, State, accept_connect, forget, lock};

type Sink = SplitSink<WebSocketStream<TcpStream>, WsMessage>;
type Source = SplitStream<WebSocketStream<TcpStream>>;

/// An accepted connection, past its connect reply.
struct Connected {
    sink: Sink,
    source: Source,
    rx: mpsc::UnboundedReceiver<Out>,
    conn_id: u64,
    ping_interval: u32,
}

/// Serves one connection until it closes, is closed or is cut.
pub(crate) async fn serve(stream: TcpStream, state: Arc<Mutex<State>>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (sink, source) = ws.split();
    if let Some(connected) = handshake(sink, source, &state).await {
        let conn_id = connected.conn_id;
        run(connected, &state).await;
        forget(&state, conn_id);
    }
}

/// Reads the connect command and answers it: the connect reply, or an
/// error followed by a close. `None` when the connection is over.
async fn handshake(mut sink: Sink, mut source: Source, state: &Mutex<State>) -> Option<Connected> {
    // The connect command comes first.
    let Some(Ok(WsMessage::Text(first))) = source.next().await else {
        return None;
    };
    let command = first
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|c| c.get("connect").is_some())?;
    let id = command.get("id").cloned().unwrap_or(json!(0));
    let connect = &command["connect"];
    let token = connect.get("token").and_then(Value::as_str).unwrap_or("");
    let subs_request = connect.get("subs").cloned().unwrap_or(json!({}));

    let (tx, rx) = mpsc::unbounded_channel();
    let decision = accept_connect(state, token, &subs_request, &tx);
    let (mut reply, conn_id, ping_interval) = match decision {
        Ok(accepted) => accepted,
        Err((code, message)) => {
            let error = json!({"id": id, "error": {"code": code, "message": message}});
            let _ = sink.send(WsMessage::text(error.to_string())).await;
            let _ = sink.close().await;
            return None;
        }
    };
    reply["id"] = id;
    if sink.send(WsMessage::text(reply.to_string())).await.is_err() {
        forget(state, conn_id);
        return None;
    }
    Some(Connected {
        sink,
        source,
        rx,
        conn_id,
        ping_interval,
    })
}

/// The connection's loop: client frames, the fake's orders, and pings
/// (a ping left without a pong by the next one closes with 3012).
async fn run(connected: Connected, state: &Mutex<State>) {
    let Connected {
        mut sink,
        mut source,
        mut rx,
        conn_id,
        ping_interval,
    } = connected;
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
                            lock(state).pongs += 1;
                        } else if let Some(reply) = answer(&command, conn_id, state) {
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
                    close(&mut sink, code, reason).await;
                    break;
                }
                Some(Out::Cut) | None => break,
            },
            _ = ping.tick() => {
                if awaiting_pong {
                    close(&mut sink, 3012, "no pong".into()).await;
                    break;
                }
                awaiting_pong = true;
                if sink.send(WsMessage::text("{}")).await.is_err() { break; }
            }
        }
    }
}

/// The reply to a command other than a pong: `refresh` is answered (and
/// recorded); `subscribe` to a channel the token already subscribed gets
/// error 105 "already subscribed" and to any other 103 "permission denied"
/// (client-side subscriptions are not allowed, as in the server's
/// deployment); any other command with an id gets error 108, the rest none.
fn answer(command: &Value, conn_id: u64, state: &Mutex<State>) -> Option<Value> {
    if let Some(subscribe) = command.get("subscribe") {
        let channel = subscribe.get("channel").and_then(Value::as_str);
        let subscribed = lock(state).conns.iter().any(|c| {
            c.id == conn_id && channel.is_some_and(|ch| c.channels.iter().any(|x| x == ch))
        });
        let (code, message) = if subscribed {
            (105, "already subscribed")
        } else {
            (103, "permission denied")
        };
        Some(json!({"id": command["id"], "error": {"code": code, "message": message}}))
    } else if let Some(refresh) = command.get("refresh") {
        let token = refresh.get("token").and_then(Value::as_str).unwrap_or("");
        let ttl = {
            let mut s = lock(state);
            s.refreshes.push(token.to_owned());
            s.token_ttl
        };
        let mut result = json!({"client": format!("client-{conn_id}"), "version": "6.0.0-fake"});
        if let Some(ttl) = ttl {
            result["expires"] = json!(true);
            result["ttl"] = json!(ttl);
        }
        Some(json!({"id": command["id"], "refresh": result}))
    } else {
        command
            .get("id")
            .map(|id| json!({"id": id, "error": {"code": 108, "message": "not available"}}))
    }
}

/// Sends a close frame with `code` and `reason`.
async fn close(sink: &mut Sink, code: u16, reason: String) {
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    };
    let _ = sink.send(WsMessage::Close(Some(frame))).await;
}
