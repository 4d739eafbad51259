//! The attempts of a generated `send()` (`src/send.rs`), against a raw
//! loopback server that plays scripted answers in order: a retry rule in
//! the client's state decides each next attempt, the request is built anew
//! for each, an error answer that is no `ErrorBody` keeps its status,
//! headers and text, and a success body is read whole however it is cut
//! into chunks (or fails naming the URL, as `Response::bytes` does).

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use token_bowl_chat_api::{
    ApiKey, Client, ClientState, Credentials, Error, Operation, Outcome, Retry,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";

/// A profile as the real server 2.0.1 sends it.
const PROFILE: &str = r#"{"id":"53bd0efd-ef7b-4069-9ffa-1837d1aeec37","username":"alice","role":"member","email":null,"api_key":"e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60","webhook_url":null,"logo":"claude-color.png","viewer":false,"admin":false,"bot":false,"emoji":null,"created_at":"2026-11-22T01:02:30.135906+00:00"}"#;

/// The message the real server 2.0.1 answers a room send with.
const SENT: &str = r#"{"id":"865ce10f-fb73-460f-abfb-9826f6705e8a","from_user_id":"53bd0efd-ef7b-4069-9ffa-1837d1aeec37","from_username":"alice","from_user_logo":"claude-color.png","from_user_emoji":null,"from_user_bot":false,"to_user_id":null,"to_username":null,"content":"hello room","message_type":"room","description":"This is a message for the fantasy league's group chat.","timestamp":"2026-11-22T01:02:32.247494+00:00"}"#;

fn answer(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A 503 with the server's error body.
fn busy() -> Vec<u8> {
    answer(
        "503 Service Unavailable",
        "application/json",
        r#"{"detail":"busy"}"#,
    )
}

/// Serves `answers` in order, one per connection, and records each
/// request's head and body.
async fn scripted(answers: Vec<Vec<u8>>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for reply in answers {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            // The head, then as much body as it announces.
            loop {
                let n = socket.read(&mut buffer).await.unwrap_or(0);
                request.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length || n == 0 {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&request).to_string());
            let _ = socket.write_all(&reply).await;
            let _ = socket.shutdown().await;
        }
    });
    (base, seen)
}

/// A rule that retries every failure at once, up to `retries` times, and
/// writes down what it was asked.
#[derive(Debug, Default)]
struct Record {
    retries: u32,
    asked: Mutex<Vec<(&'static str, bool, u32, String)>>,
}

impl Retry for Record {
    fn wait(&self, operation: &Operation, attempt: u32, outcome: Outcome<'_>) -> Option<Duration> {
        let what = match outcome {
            Outcome::Answer { status, .. } => status.as_u16().to_string(),
            Outcome::Failed(_) => "failed".to_owned(),
        };
        let id: &'static str = operation.id;
        self.asked
            .lock()
            .unwrap()
            .push((id, operation.idempotent, attempt, what));
        (attempt <= self.retries).then_some(Duration::ZERO)
    }
}

fn client(base: &str, rule: Option<Arc<Record>>) -> Client {
    let mut state = ClientState::new(Credentials::new(Some(ApiKey::new(KEY).unwrap())));
    if let Some(rule) = rule {
        state = state.with_retry(rule);
    }
    Client::new(base, state)
}

#[tokio::test]
async fn without_a_rule_each_request_is_sent_once() {
    let (base, seen) = scripted(vec![busy(), answer("200 OK", "application/json", PROFILE)]).await;
    let err = client(&base, None)
        .get_my_profile()
        .send()
        .await
        .unwrap_err();
    match err {
        Error::ErrorResponse(answer) => {
            assert_eq!(answer.status().as_u16(), 503);
            assert_eq!(
                serde_json::to_value(answer.into_inner()).unwrap(),
                serde_json::json!({"detail": "busy"})
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_rule_decides_each_next_attempt_and_the_request_is_built_anew() {
    let (base, seen) = scripted(vec![
        busy(),
        answer("502 Bad Gateway", "text/html", "<html>bad gateway</html>"),
        answer("201 Created", "application/json", SENT),
    ])
    .await;
    let rule = Arc::new(Record {
        retries: 2,
        ..Record::default()
    });
    let client = client(&base, Some(rule.clone()));
    // A message send is no idempotent operation: the rule is told so, and
    // this one retries anyway (the rule, not the loop, decides).
    let sent = client
        .send_message()
        .body_map(|b| b.content("hello room"))
        .send()
        .await;
    assert_eq!(sent.unwrap().content, "hello room");
    let asked = rule.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        [
            ("send_message", false, 1, "503".to_owned()),
            ("send_message", false, 2, "502".to_owned()),
        ]
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    for request in seen.iter() {
        assert!(request.starts_with("POST /messages HTTP/1.1"), "{request}");
        assert!(
            request.ends_with(r#"{"content":"hello room"}"#),
            "{request}"
        );
        assert!(request.contains(&format!("x-api-key: {KEY}")), "{request}");
    }
}

#[tokio::test]
async fn an_error_answer_that_is_no_error_body_keeps_its_status_headers_and_text() {
    let (base, _seen) = scripted(vec![answer(
        "502 Bad Gateway",
        "text/html",
        "<html>bad gateway</html>",
    )])
    .await;
    let err = client(&base, None)
        .get_my_profile()
        .send()
        .await
        .unwrap_err();
    let Error::UnexpectedResponse(answer) = err else {
        panic!("{err:?}");
    };
    assert_eq!(answer.status().as_u16(), 502);
    assert_eq!(answer.headers()["content-type"], "text/html");
    assert!(
        answer
            .headers()
            .keys()
            .all(|name| !name.as_str().starts_with("x-token-bowl")),
        "no marker header: {:?}",
        answer.headers()
    );
    assert!(answer.url().as_str().starts_with(&base), "{}", answer.url());
    assert_eq!(answer.text().await.unwrap(), "<html>bad gateway</html>");
}

#[tokio::test]
async fn an_error_body_cut_short_is_a_failed_attempt() {
    let cut = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{\"detail\":".to_vec();
    let (base, seen) = scripted(vec![cut, answer("200 OK", "application/json", PROFILE)]).await;
    let rule = Arc::new(Record {
        retries: 1,
        ..Record::default()
    });
    let profile = client(&base, Some(rule.clone()))
        .get_my_profile()
        .send()
        .await
        .unwrap();
    assert_eq!(profile.username, "alice");
    assert_eq!(
        rule.asked.lock().unwrap().clone(),
        [("get_my_profile", true, 1, "failed".to_owned())]
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_success_body_cut_short_is_a_body_error_naming_the_url() {
    let cut = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{\"id\":".to_vec();
    let (base, _) = scripted(vec![cut]).await;
    let error = client(&base, None)
        .get_my_profile()
        .send()
        .await
        .unwrap_err();
    let Error::ResponseBodyError(failure) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        failure.url().map(|url| url.as_str()),
        Some(format!("{base}/users/me").as_str()),
        "{failure:?}"
    );
}

#[tokio::test]
async fn a_success_body_in_several_chunks_is_read_whole() {
    // Chunked transfer: each chunk is a frame of its own.
    let mut reply =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            .to_vec();
    for part in PROFILE.as_bytes().chunks(40) {
        reply.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        reply.extend_from_slice(part);
        reply.extend_from_slice(b"\r\n");
    }
    reply.extend_from_slice(b"0\r\n\r\n");
    let (base, _) = scripted(vec![reply]).await;
    let profile = client(&base, None).get_my_profile().send().await.unwrap();
    assert_eq!(profile.username, "alice");
    assert_eq!(profile.status(), 200);
}
