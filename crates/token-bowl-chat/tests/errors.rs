//! Error mapping for every status the server uses, odd bodies, the
//! ambiguous send, local validation and secret redaction. The routes are
//! the generated typed mocks; the transport failures need a raw socket.

mod common;

use std::time::Duration;

use common::*;
use httpmock::Then;
use serde_json::json;
use token_bowl_chat::{Client, Error, MessageQuery, Register};

/// A server whose `get_my_profile` answers as `respond` says, with a client
/// that does not retry.
async fn answering(respond: impl FnOnce(Then) -> Then) -> (TypedServer, Client) {
    let server = typed_server().await;
    server.get_my_profile(|_, then| {
        respond(then.into_inner());
    });
    let client = no_retries(&server);
    (server, client)
}

/// A server whose `get_messages` answers `body`, with a client that does
/// not retry.
async fn answering_messages(body: serde_json::Value) -> (TypedServer, Client) {
    let server = typed_server().await;
    route!(server, get_messages, 200, body);
    let client = no_retries(&server);
    (server, client)
}

fn no_retries(server: &TypedServer) -> Client {
    client(server).with_retry(token_bowl_chat::RetryPolicy::none())
}

/// The server's error body `{"detail": text}`.
fn detail(then: Then, status: u16, text: &str) -> Then {
    answer(then, status, json!({ "detail": text }))
}

#[tokio::test]
async fn each_status_maps_to_its_variant_with_the_detail_string() {
    type Case = (u16, &'static str, fn(&Error) -> bool);
    let cases: [Case; 9] = [
        (400, "Invalid timestamp format. Use ISO 8601 format.", |e| {
            matches!(e, Error::BadRequest(_))
        }),
        (401, "Invalid or missing authentication credentials", |e| {
            matches!(e, Error::Authentication(_))
        }),
        (403, "Admin privileges required", |e| {
            matches!(e, Error::PermissionDenied(_))
        }),
        (404, "User bob not found", |e| {
            matches!(e, Error::NotFound(_))
        }),
        (405, "Method Not Allowed", |e| matches!(e, Error::Status(_))),
        (409, "Username alice already exists", |e| {
            matches!(e, Error::Conflict(_))
        }),
        (429, "Too many requests", |e| {
            matches!(e, Error::RateLimited(_))
        }),
        (503, "Stytch authentication is not configured", |e| {
            matches!(e, Error::Server(_))
        }),
        (418, "I'm a teapot", |e| matches!(e, Error::Status(_))),
    ];
    for (status, text, is_variant) in cases {
        let (_server, client) = answering(|then| detail(then, status, text)).await;
        let err = client.me().await.unwrap_err();
        assert!(is_variant(&err), "{status}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        let http = err.http().unwrap();
        assert_eq!(http.detail, text);
        assert_eq!(http.operation, "get_my_profile");
        let reason = reqwest::StatusCode::from_u16(status).unwrap();
        assert_eq!(err.to_string(), format!("{reason}: {text}"));
    }
}

#[tokio::test]
async fn not_found_reads_as_one_sentence() {
    let (_server, client) = answering(|then| detail(then, 404, "User bob not found")).await;
    let err = client.me().await.unwrap_err();
    assert_eq!(err.to_string(), "404 Not Found: User bob not found");
}

#[tokio::test]
async fn validation_errors_parse_the_field_errors() {
    let (_server, client) = answering(|then| answer(then, 422, json!({"detail": [{
            "type": "string_too_short", "loc": ["body", "username"],
            "msg": "String should have at least 1 character", "input": "", "ctx": {"min_length": 1}
        }, {"type": "int_parsing", "loc": ["query", "limit", 0], "msg": "Input should be a valid integer"}]})),
    )
    .await;
    let err = client.me().await.unwrap_err();
    let Error::Validation(http) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(http.field_errors.len(), 2);
    assert_eq!(http.field_errors[0].location, ["body", "username"]);
    assert_eq!(http.field_errors[0].kind, "string_too_short");
    assert_eq!(http.field_errors[1].location, ["query", "limit", "0"]);
    assert_eq!(
        err.to_string(),
        "422 Unprocessable Entity: body.username: String should have at least 1 character; \
         query.limit.0: Input should be a valid integer"
    );
}

#[tokio::test]
async fn a_text_plain_500_keeps_its_status_and_text() {
    let (_server, client) = answering(|then| {
        then.status(500)
            .header("content-type", "text/plain; charset=utf-8")
            .body("Internal Server Error")
    })
    .await;
    let err = client.me().await.unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "500 Internal Server Error: Internal Server Error"
    );
}

#[tokio::test]
async fn an_empty_error_body_and_a_non_json_body() {
    let (_server, client) = answering(|then| then.status(502)).await;
    let err = client.me().await.unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert_eq!(err.to_string(), "502 Bad Gateway");

    let (_server, client) = answering(|then| {
        then.status(404)
            .header("content-type", "text/plain")
            .body("<html>nope</html>")
    })
    .await;
    let err = client.me().await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.http().unwrap().body_snippet, "<html>nope</html>");
}

#[tokio::test]
async fn the_generated_client_keeps_an_error_answer_that_is_no_error_body_whole() {
    let (_server, client) = answering(|then| {
        then.status(502)
            .header("content-type", "text/html")
            .body("<html>bad gateway</html>")
    })
    .await;
    let err = client.api().get_my_profile().send().await.unwrap_err();
    let token_bowl_chat::api::Error::UnexpectedResponse(answer) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(answer.status().as_u16(), 502);
    assert_eq!(answer.headers()["content-type"], "text/html");
    // As an SDK error, its text is the detail, as for the SDK's own calls.
    let err = Error::from(err);
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert_eq!(err.to_string(), "502 Bad Gateway: <html>bad gateway</html>");
    assert_eq!(
        client.me().await.unwrap_err().to_string(),
        "502 Bad Gateway: <html>bad gateway</html>"
    );
}

#[tokio::test]
async fn request_id_and_retry_after_are_kept() {
    let (_server, client) = answering(|then| {
        detail(then, 429, "slow down")
            .header("x-request-id", "req-42")
            .header("retry-after", "120")
    })
    .await;
    let err = client.me().await.unwrap_err();
    assert_eq!(err.http().unwrap().request_id.as_deref(), Some("req-42"));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        "429 Too Many Requests: slow down (retry after 120s)"
    );
}

#[tokio::test]
async fn a_bad_success_body_names_the_json_path() {
    let mut bad = page(vec![room_message(), room_message()], 2, 0, 50);
    bad["messages"][1]["timestamp"] = json!("yesterday");
    let (_server, client) = answering_messages(bad).await;
    let err = client.room_messages(MessageQuery::new()).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.path, "messages[1].timestamp");
    assert!(
        decode
            .body_snippet
            .starts_with("{\"added_by_a_newer_server\":"),
        "the start of the body: {}",
        decode.body_snippet
    );
    assert!(
        err.to_string().contains("at `messages[1].timestamp`"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_extra_fields_still_decode() {
    let mut message = room_message();
    message["reactions"] = json!({"👍": 3});
    message["edited"] = json!(true);
    let (_server, client) = answering_messages(page(vec![message], 1, 0, 50)).await;
    let page = client.room_messages(MessageQuery::new()).await.unwrap();
    assert_eq!(page.messages[0].content, "hello room");
}

#[tokio::test]
async fn a_send_that_gets_a_5xx_is_an_unknown_outcome_and_is_not_resent() {
    let server = typed_server().await;
    let send = server.send_message(|_, then| {
        then.into_inner()
            .status(500)
            .header("content-type", "text/plain")
            .body("Internal Server Error");
    });
    let err = client(&server)
        .send_message("hello room")
        .await
        .unwrap_err();
    let Error::SendOutcomeUnknown(unknown) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(unknown.content, "hello room");
    assert!(matches!(unknown.cause.as_deref(), Some(Error::Server(_))));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("may have been stored"), "{err}");
    send.assert_async().await;
}

#[tokio::test]
async fn a_send_that_times_out_is_an_unknown_outcome_and_find_sent_finds_it() {
    let server = typed_server().await;
    let send = server.send_message(|_, then| {
        answer(then.into_inner(), 201, direct_message()).delay(Duration::from_millis(800));
    });
    route!(server, get_my_profile, 200, profile());
    route!(
        server,
        get_direct_messages,
        200,
        page(vec![direct_message()], 1, 0, 100)
    );
    let client = Client::builder()
        .use_env(false)
        .base_url(server.base_url())
        .api_key(ALICE_KEY)
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = client
        .send_direct_message("bob", "hi bob")
        .await
        .unwrap_err();
    let Error::SendOutcomeUnknown(unknown) = err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(unknown.cause.as_deref(), Some(Error::Timeout { .. })),
        "{:?}",
        unknown.cause
    );
    assert_eq!(unknown.to_username.as_deref(), Some("bob"));
    let found = client
        .find_sent(&unknown)
        .await
        .unwrap()
        .expect("the server stored it");
    assert_eq!(found.id.to_string(), DIRECT_MESSAGE_ID);
    // A bot that stored the three fields and restarted asks the same.
    let rebuilt = token_bowl_chat::UnknownSend::new(
        unknown.content.clone(),
        unknown.to_username.clone(),
        unknown.attempted_at,
    );
    assert!(rebuilt.cause.is_none());
    let again = client.find_sent(&rebuilt).await.unwrap();
    assert_eq!(again.map(|m| m.id), Some(found.id));
    send.assert_async().await;
}

#[tokio::test]
async fn a_send_that_cannot_connect_was_not_sent() {
    // Nothing listens on port 9 of loopback: the connection is refused.
    let client = Client::builder()
        .use_env(false)
        .base_url("http://127.0.0.1:9")
        .api_key(ALICE_KEY)
        .build()
        .unwrap();
    let err = client.send_message("hello").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Connect {
                operation: "send_message",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_missing_key_fails_before_any_io_and_names_the_fix() {
    let server = typed_server().await;
    let any = every_request(&server);
    let err = anonymous(&server).me().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingApiKey {
                operation: "get_my_profile"
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("TOKEN_BOWL_CHAT_API_KEY") && text.contains("api_key(..)"),
        "{text}"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn arguments_are_checked_against_the_spec_before_any_io() {
    let server = typed_server().await;
    let any = every_request(&server);
    let client = client(&server);
    let err = client.send_message("").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument `content`: shorter than 1 characters"
    );
    let err = client.send_message(&"x".repeat(10_001)).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                field: "content",
                ..
            }
        ),
        "{err:?}"
    );
    let err = client
        .send_direct_message(&"b".repeat(51), "hi")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                field: "to_username",
                ..
            }
        ),
        "{err:?}"
    );
    let err = client.register(Register::new("")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                field: "username",
                ..
            }
        ),
        "{err:?}"
    );
    let err = client
        .conversations(token_bowl_chat::Page::new().limit(101))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument `limit`: must be at most 100"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn no_debug_or_display_output_contains_the_key() {
    let (_server, client) =
        answering(|then| detail(then, 401, "Invalid or missing authentication credentials")).await;
    let err = client.me().await.unwrap_err();
    let builder = Client::builder().api_key(ALICE_KEY);
    for text in [
        format!("{client:?}"),
        format!("{builder:?}"),
        format!("{err:?}"),
        format!("{err}"),
        format!("{:?}", client.credentials()),
        format!("{:?}", client.credentials().get().unwrap()),
    ] {
        assert!(!text.contains(&ALICE_KEY[..16]), "key leaked: {text}");
    }
}

/// A loopback server that answers every connection with `answer` (raw
/// HTTP/1.1 bytes, possibly cut short) and then closes it.
async fn raw_server(answer: &'static [u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(answer).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{addr}")
}

async fn reason_for(answer: &'static [u8]) -> String {
    let base = raw_server(answer).await;
    let client = Client::builder()
        .use_env(false)
        .base_url(base)
        .api_key(ALICE_KEY)
        .retry(token_bowl_chat::RetryPolicy::none())
        .build()
        .unwrap();
    match client.me().await.unwrap_err() {
        Error::Transport { reason, .. } => reason,
        other => panic!("not a transport failure: {other:?}"),
    }
}

#[tokio::test]
async fn transport_failures_are_named_from_their_types() {
    // hyper's error says no answer began (not its text).
    assert_eq!(
        reason_for(b"").await,
        "closed by the server before it answered"
    );
    // reqwest's error is a body error: the answer began, then stopped.
    assert_eq!(
        reason_for(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"id\":")
            .await,
        "closed in the middle of the answer"
    );
}
