//! The HTTP server API side: what the Token Bowl server 2.0.1 sends to
//! `CENTRIFUGO_API_URL` through its `cent` 5.x client reaches WebSocket
//! clients. The request bodies below are publishes the real server made in
//! a recorded run (a room message and a read receipt, `payload` of the
//! publish log), sent with the headers `cent` (aiohttp) sends.

use std::time::Duration;

use fake_centrifugo::{FakeCentrifugo, Mode, token_for};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use tokio_tungstenite::{WebSocketStream, client_async, tungstenite::Message};

const KEY: &str = "your-api-key-change-in-production";

const ROOM_MESSAGE: &str = r#"{"channel": "room:main", "data": {"id": "865ce10f-fb73-460f-abfb-9826f6705e8a", "from_user_id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "from_username": "alice", "from_user_logo": "claude-color.png", "from_user_emoji": null, "from_user_bot": false, "to_user_id": null, "to_username": null, "content": "hello room", "message_type": "room", "description": "This is a message for the fantasy league's group chat.", "timestamp": "2026-11-22T01:02:32.247494+00:00"}}"#;

const READ_RECEIPT: &str = r#"{"channel": "user:alice", "data": {"type": "read_receipt", "message_id": "dabf742a-3a51-4782-8fb3-2e7b7b5964f0", "read_by": "bob", "read_at": "2026-11-22T01:02:34.567381+00:00"}}"#;

/// Sends `requests` on one keep-alive connection as aiohttp does and
/// returns each answer's status line and body.
async fn post(api: std::net::SocketAddr, requests: &[(&str, &str, &str)]) -> Vec<(String, String)> {
    let mut stream = TcpStream::connect(api).await.unwrap();
    let mut answers = Vec::new();
    for (path, key, body) in requests {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {api}\r\nX-API-Key: {key}\r\nAccept: */*\r\n\
             Accept-Encoding: gzip, deflate\r\nUser-Agent: Python/3.11 aiohttp/3.13.2\r\n\
             Content-Length: {}\r\nContent-Type: application/json\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        answers.push(read_answer(&mut stream).await);
    }
    answers
}

async fn read_answer(stream: &mut TcpStream) -> (String, String) {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        bytes.push(byte[0]);
    }
    let head = String::from_utf8(bytes).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    let status = head.lines().next().unwrap().to_owned();
    (status, String::from_utf8(body).unwrap())
}

async fn client(fake: &FakeCentrifugo, user: &str) -> WebSocketStream<TcpStream> {
    let addr = fake
        .url()
        .trim_start_matches("ws://")
        .replace("/connection/websocket", "");
    let tcp = TcpStream::connect(&addr).await.unwrap();
    let (mut ws, _) = client_async(fake.url(), tcp).await.unwrap();
    let channels = [format!("user:{user}"), "room:main".to_owned()];
    let token = token_for(user, &[channels[0].as_str(), channels[1].as_str()]);
    let connect = json!({"id": 1, "connect": {"token": token}});
    ws.send(Message::text(connect.to_string())).await.unwrap();
    let reply = next_json(&mut ws).await;
    assert_eq!(reply["id"], 1, "{reply}");
    ws
}

async fn next_json(ws: &mut WebSocketStream<TcpStream>) -> Value {
    let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap();
    match frame.unwrap().unwrap() {
        Message::Text(text) => serde_json::from_str(&text).unwrap(),
        Message::Close(frame) => json!({"close": frame.map(|f| u16::from(f.code))}),
        other => panic!("unexpected frame {other:?}"),
    }
}

#[tokio::test]
async fn publishes_reach_subscribers_of_their_channel() {
    let fake = FakeCentrifugo::start_with(Mode::Recovery, 10).await;
    let api = fake
        .serve_http_api("127.0.0.1:0".parse().unwrap(), Some(KEY.into()))
        .await
        .unwrap();
    let mut alice = client(&fake, "alice").await;
    let mut bob = client(&fake, "bob").await;
    let answers = post(
        api,
        &[
            ("/api/publish", KEY, ROOM_MESSAGE),
            ("/api/publish", KEY, READ_RECEIPT),
        ],
    )
    .await;
    for (status, body) in &answers {
        assert_eq!(status, "HTTP/1.1 200 OK");
        let body: Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["result"]["offset"], 1, "{body}");
        assert!(body["result"]["epoch"].is_string(), "{body}");
    }
    let room: Value = serde_json::from_str(ROOM_MESSAGE).unwrap();
    let receipt: Value = serde_json::from_str(READ_RECEIPT).unwrap();
    for ws in [&mut alice, &mut bob] {
        let push = next_json(ws).await;
        assert_eq!(push["push"]["channel"], "room:main");
        assert_eq!(push["push"]["pub"]["data"], room["data"]);
    }
    // The receipt went to alice's channel only.
    let push = next_json(&mut alice).await;
    assert_eq!(push["push"]["channel"], "user:alice");
    assert_eq!(push["push"]["pub"]["data"], receipt["data"]);
    let nothing = tokio::time::timeout(Duration::from_millis(200), bob.next()).await;
    assert!(nothing.is_err(), "bob got {nothing:?}");
}

#[tokio::test]
async fn wrong_key_bad_body_and_unknown_method_are_refused() {
    let fake = FakeCentrifugo::start(10).await;
    let api = fake
        .serve_http_api("127.0.0.1:0".parse().unwrap(), Some(KEY.into()))
        .await
        .unwrap();
    let answers = post(
        api,
        &[
            ("/api/publish", "wrong", ROOM_MESSAGE),
            ("/api/publish", KEY, "{not json"),
            ("/api/publish", KEY, r#"{"data": {}}"#),
            ("/api/nosuch", KEY, "{}"),
        ],
    )
    .await;
    assert_eq!(answers[0].0, "HTTP/1.1 401 Unauthorized");
    assert_eq!(answers[1].0, "HTTP/1.1 400 Bad Request");
    assert_eq!(
        answers[2].1,
        r#"{"error":{"code":107,"message":"bad request"}}"#
    );
    assert_eq!(
        answers[3].1,
        r#"{"error":{"code":104,"message":"method not found"}}"#
    );
}

#[tokio::test]
async fn broadcast_and_disconnect() {
    let fake = FakeCentrifugo::start_with(Mode::NoHistory, 10).await;
    let api = fake
        .serve_http_api("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let mut alice = client(&fake, "alice").await;
    let broadcast = r#"{"channels": ["user:alice", "user:carol"], "data": {"n": 1}}"#;
    let answers = post(api, &[("/api/broadcast", "", broadcast)]).await;
    assert_eq!(
        answers[0].1,
        r#"{"result":{"responses":[{"result":{}},{"result":{}}]}}"#
    );
    assert_eq!(
        next_json(&mut alice).await["push"]["pub"]["data"],
        json!({"n": 1})
    );
    // The server's `disconnect_user`: `DisconnectRequest(user=...)`.
    let answers = post(api, &[("/api/disconnect", "", r#"{"user": "alice"}"#)]).await;
    assert_eq!(answers[0].1, r#"{"result":{}}"#);
    assert_eq!(next_json(&mut alice).await, json!({"close": 3501}));
    assert_eq!(fake.connection_count(), 0);
}

/// The Python SDK (`token-bowl-chat` 4.x) subscribes client-side after the
/// connect; Centrifugo answers 105 for channels the token subscribed.
#[tokio::test]
async fn client_side_subscribes_are_refused_as_centrifugo_does() {
    let fake = FakeCentrifugo::start(10).await;
    let mut bob = client(&fake, "bob").await;
    for (id, channel) in [(2, "room:main"), (3, "user:alice")] {
        let command = json!({"id": id, "subscribe": {"channel": channel}});
        bob.send(Message::text(command.to_string())).await.unwrap();
    }
    let first = next_json(&mut bob).await;
    assert_eq!(
        first,
        json!({"id": 2, "error": {"code": 105, "message": "already subscribed"}})
    );
    let second = next_json(&mut bob).await;
    assert_eq!(
        second,
        json!({"id": 3, "error": {"code": 103, "message": "permission denied"}})
    );
}
