//! Retries: what is retried, how long it waits, and what never is. Backoff
//! is set to milliseconds so the suite stays fast.
//!
//! It stays on wiremock: a route fails a set number of times and then
//! answers (`up_to_n_times` over a fallback), and tests count the requests
//! received; the typed mocks answer a route the same way every time.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use token_bowl_chat::{Client, Error, RetryPolicy};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

/// Answers `first` `times` times, then `then`.
async fn flaky(
    server: &MockServer,
    verb: &str,
    first: ResponseTemplate,
    times: u64,
    then: ResponseTemplate,
) {
    Mock::given(method(verb))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn idempotent_calls_are_retried_and_then_succeed() {
    let server = server().await;
    flaky(
        &server,
        "GET",
        ResponseTemplate::new(503),
        2,
        json_response(200, profile()),
    )
    .await;
    assert_eq!(client(&server).me().await.unwrap().username, "alice");
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn every_retryable_status_is_retried() {
    for status in [408, 429, 502, 503, 504] {
        let server = server().await;
        flaky(
            &server,
            "GET",
            ResponseTemplate::new(status),
            1,
            json_response(200, profile()),
        )
        .await;
        client(&server).me().await.unwrap();
        assert_eq!(requests(&server).await, 2, "{status}");
    }
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 422, 500] {
        let server = server().await;
        flaky(
            &server,
            "GET",
            json_response(status, json!({"detail": "no"})),
            1,
            json_response(200, profile()),
        )
        .await;
        assert!(client(&server).me().await.is_err());
        assert_eq!(requests(&server).await, 1, "{status}");
    }
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_is_not_retried() {
    // The answer is decoded after the attempts: a retrying client still
    // makes one request, and the error is the decoding's.
    let server = server().await;
    let mut bad = profile();
    bad["username"] = json!(5);
    flaky(
        &server,
        "GET",
        json_response(200, bad),
        1,
        json_response(200, profile()),
    )
    .await;
    let err = client(&server).me().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn retries_stop_after_the_configured_count() {
    let server = server().await;
    flaky(
        &server,
        "GET",
        ResponseTemplate::new(503),
        100,
        json_response(200, profile()),
    )
    .await;
    let err = client(&server).me().await.unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert_eq!(requests(&server).await, 3, "1 attempt + 2 retries");
}

#[tokio::test]
async fn idempotent_posts_are_retried() {
    let server = server().await;
    flaky(
        &server,
        "POST",
        ResponseTemplate::new(502),
        1,
        ResponseTemplate::new(204),
    )
    .await;
    let id = DIRECT_MESSAGE_ID.parse().unwrap();
    client(&server).mark_read(id).await.unwrap();
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = server().await;
    flaky(
        &server,
        "GET",
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        1,
        json_response(200, profile()),
    )
    .await;
    let started = Instant::now();
    client(&server).me().await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1),
        "waited only {waited:?}; backoff is 1 ms"
    );
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_cap_ends_the_retries() {
    let server = server().await;
    flaky(
        &server,
        "GET",
        json_response(429, json!({"detail": "slow down"})).insert_header("retry-after", "120"),
        1,
        json_response(200, profile()),
    )
    .await;
    let err = client(&server).me().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_message_send_is_never_retried() {
    for status in [502, 503, 504, 429, 408] {
        let server = server().await;
        flaky(
            &server,
            "POST",
            ResponseTemplate::new(status),
            1,
            json_response(201, room_message()),
        )
        .await;
        let err = client(&server)
            .send_message("hello room")
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(requests(&server).await, 1, "{status}");
        // A 429 was refused before storing; the others may have stored it.
        assert_eq!(
            matches!(err, Error::SendOutcomeUnknown(_)),
            status != 429,
            "{status}: {err:?}"
        );
    }
}

#[tokio::test]
async fn register_create_bot_and_create_conversation_are_never_retried() {
    let server = server().await;
    flaky(
        &server,
        "POST",
        ResponseTemplate::new(503),
        10,
        ResponseTemplate::new(500),
    )
    .await;
    let client = client(&server);
    assert!(
        client
            .register(token_bowl_chat::Register::new("x"))
            .await
            .is_err()
    );
    assert!(
        client
            .create_bot(token_bowl_chat::NewBot::new("b"))
            .await
            .is_err()
    );
    assert!(
        client
            .create_conversation(token_bowl_chat::NewConversation::new([]))
            .await
            .is_err()
    );
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn retries_can_be_turned_off_per_client_and_per_call() {
    let server = server().await;
    flaky(
        &server,
        "GET",
        ResponseTemplate::new(503),
        100,
        json_response(200, profile()),
    )
    .await;
    let off = Client::builder()
        .use_env(false)
        .base_url(server.uri())
        .api_key(ALICE_KEY)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(off.me().await.is_err());
    assert_eq!(requests(&server).await, 1);

    let default = client(&server);
    assert!(default.with_retry(RetryPolicy::none()).me().await.is_err());
    assert_eq!(
        requests(&server).await,
        2,
        "the per-call override sent once"
    );
    assert!(
        default
            .with_retry(fast_retries().max_retries(4))
            .me()
            .await
            .is_err()
    );
    assert_eq!(
        requests(&server).await,
        7,
        "the per-call override sent 1 + 4"
    );
}

#[tokio::test]
async fn the_generated_client_from_api_shares_the_retries() {
    let server = server().await;
    flaky(
        &server,
        "GET",
        ResponseTemplate::new(503),
        2,
        json_response(200, profile()),
    )
    .await;
    let profile = client(&server).api().get_my_profile().send().await.unwrap();
    assert_eq!(profile.username, "alice");
    assert_eq!(requests(&server).await, 3);
}

/// An HTTP/2 server (prior knowledge, no TLS) on loopback that resets the
/// first `resets` streams with `reason` and answers the rest with a sent
/// message. Returns its base URL and the count of streams it saw.
async fn h2_server(
    resets: usize,
    reason: h2::Reason,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::{Arc, atomic::AtomicUsize, atomic::Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(mut connection) = h2::server::handshake(socket).await else {
                    return;
                };
                while let Some(Ok((_request, mut respond))) = connection.accept().await {
                    if counter.fetch_add(1, Ordering::SeqCst) < resets {
                        respond.send_reset(reason);
                        continue;
                    }
                    let answer = http::Response::builder()
                        .status(201)
                        .header("content-type", "application/json")
                        .body(())
                        .unwrap();
                    let mut body = respond.send_response(answer, false).unwrap();
                    let message = room_message().to_string();
                    body.send_data(bytes::Bytes::from(message), true).unwrap();
                }
            });
        }
    });
    (base, seen)
}

/// The SDK over HTTP/2 with prior knowledge, with reqwest's own retries
/// off (as on the client the SDK builds), so only the SDK's executor decides.
fn h2_client(base: &str) -> Client {
    let http = reqwest::Client::builder()
        .http2_prior_knowledge()
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .build()
        .unwrap();
    Client::builder()
        .use_env(false)
        .base_url(base)
        .api_key("0123abcd")
        .http_client(http)
        .retry(fast_retries())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_stream_the_http2_server_refused_is_sent_again_even_a_message() {
    // REFUSED_STREAM says the server did not process it (RFC 9113, 8.7).
    let (base, seen) = h2_server(1, h2::Reason::REFUSED_STREAM).await;
    let sent = h2_client(&base).send_message("hello room").await.unwrap();
    assert_eq!(sent.content, room_message()["content"]);
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_stream_reset_for_another_reason_leaves_a_message_unsent_again() {
    // INTERNAL_ERROR may come after the server stored it: not re-sent.
    let (base, seen) = h2_server(1, h2::Reason::INTERNAL_ERROR).await;
    let err = h2_client(&base)
        .send_message("hello room")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SendOutcomeUnknown(_)), "{err:?}");
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1);
}
