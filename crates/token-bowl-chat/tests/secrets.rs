//! No API key or token is ever printed: every public answer type holding
//! one, every `Error` variant built from real-shaped bodies that contain a
//! key, formatted with `{:?}` and `{}`, and trace-level tracing of the calls
//! (all crates, hyper included). Mock server on loopback, bodies shaped like
//! the real server's. Alone in its binary: it installs the global
//! tracing subscriber.
//!
//! It stays on wiremock: the subscriber captures every crate in the
//! process, and httpmock's own server traces the mocks it holds (alice's
//! key among them), which would fail the check for reasons outside the
//! client. wiremock's server traces no request contents.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use token_bowl_chat::{
    Client, Error, MessageQuery, NewBot, Register, RetryPolicy, Uuid, realtime::Event,
};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{method, path},
};

/// A bot's key the server hands out.
const BOT_KEY: &str = "5f501011a11f29794472177cee6470d447cb1ac7b57391a694ea0157854bd564";
/// A magic-link session token.
const SESSION: &str = "sess-7c0ffee7c0ffee7c0ffee";
/// A real-time connection token (a JWT).
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNlY3JldA";
/// A key the user sets that looks nothing like the server's.
const ODD_KEY: &str = "my-Own_key.42";
/// The token of a magic-link email, sent in a request body.
const MAGIC: &str = "magic-link-token-0451";

const SECRETS: [&str; 6] = [ALICE_KEY, BOT_KEY, SESSION, JWT, ODD_KEY, MAGIC];

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{what} shows a secret ({}…): {text}",
            &secret[..6]
        );
    }
}

/// `{:?}` of a value, and `{}` where it has one.
fn shown(value: &impl std::fmt::Debug) -> String {
    format!("{value:?}")
}

fn both(error: &Error) -> String {
    let mut text = format!("{error:?}\n{error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}"));
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn no_secret_is_ever_printed() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = server().await;
    let bot_with_key = {
        let mut b = bot();
        b["api_key"] = json!(BOT_KEY);
        b
    };
    let key_answer = json!({"message": "API key regenerated successfully", "api_key": BOT_KEY});
    let mut registration = profile();
    registration["api_key"] = json!(BOT_KEY);
    for (verb, route, status, body) in [
        ("GET", "/users/me", 200, profile()),
        ("POST", "/bots", 201, bot_with_key.clone()),
        ("GET", "/bots/me", 200, json!([bot_with_key])),
        (
            "POST",
            &format!("/bots/{BOT_ID}/regenerate-api-key"),
            200,
            key_answer.clone(),
        ),
        (
            "POST",
            &format!("/admin/users/{BOB_ID}/regenerate-api-key"),
            200,
            key_answer.clone(),
        ),
        (
            "GET",
            "/centrifugo/connection-token",
            200,
            json!({"token": JWT, "url": "ws://127.0.0.1:9/connection/websocket",
                   "channels": ["user:alice", "room:main"], "user": "alice"}),
        ),
        // Error bodies that carry keys.
        (
            "GET",
            "/users",
            400,
            json!({"detail": format!("Invalid key {BOT_KEY}")}),
        ),
        (
            "GET",
            "/messages/direct",
            422,
            json!({"detail": [{"type": "x", "loc": ["query", "api_key"],
                "msg": format!("bad {BOT_KEY}"), "input": {"api_key": BOT_KEY}}]}),
        ),
        // A success body that does not decode, with a key in it.
        (
            "GET",
            &format!("/users/{BOB_ID}"),
            200,
            json!({"id": "not-a-uuid", "api_key": BOT_KEY, "username": "bob"}),
        ),
    ] {
        authed(verb, route)
            .respond_with(json_response(status, body))
            .mount(&server)
            .await;
    }
    for (verb, route, status, body) in [
        ("POST", "/register", 201, registration.clone()),
        (
            "POST",
            "/auth/magic-link/authenticate",
            200,
            json!({"username": "alice", "session_token": SESSION, "api_key": BOT_KEY}),
        ),
    ] {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(json_response(status, body))
            .mount(&server)
            .await;
    }
    // A text/plain 500 that echoes the key, on the send path.
    Mock::given(method("POST"))
        .and(path("/messages"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("content-type", "text/plain")
                .set_body_string(format!("Internal Server Error (key {ALICE_KEY})")),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/messages"))
        .respond_with(
            ResponseTemplate::new(502)
                .insert_header("content-type", "text/html")
                .set_body_string(format!("<html>upstream said {BOT_KEY}</html>")),
        )
        .mount(&server)
        .await;

    let client = client(&server);
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut note = |what: &str, text: String| texts.push((what.to_owned(), text));

    // Every answer type that holds a secret.
    let me = client.me().await.unwrap();
    note("me()", shown(&me));
    note("me().api_key", me.api_key.to_string());
    let created = client.create_bot(NewBot::new("alicebot")).await.unwrap();
    note("create_bot", shown(&created));
    note("my_bots", shown(&client.my_bots().await.unwrap()));
    let bot_id: Uuid = BOT_ID.parse().unwrap();
    let bob: Uuid = BOB_ID.parse().unwrap();
    let key = client.regenerate_bot_api_key(bot_id).await.unwrap();
    note("regenerate_bot_api_key", format!("{key:?} {key}"));
    note(
        "admin_regenerate_api_key",
        shown(&client.admin_regenerate_api_key(bob).await.unwrap()),
    );
    note(
        "connection_token",
        shown(&client.connection_token().await.unwrap()),
    );
    let fresh = anonymous(&server);
    note(
        "register",
        shown(&fresh.register(Register::new("alice")).await.unwrap()),
    );
    note(
        "authenticate_magic_link",
        shown(
            &anonymous(&server)
                .authenticate_magic_link(MAGIC)
                .await
                .unwrap(),
        ),
    );
    note("client", shown(&client));
    note("credentials", shown(client.credentials()));
    note("fresh client with adopted key", shown(&fresh));

    // Every error variant we can provoke, from bodies with keys in them.
    let no_retry = client.with_retry(RetryPolicy::none());
    let errors: Vec<(&str, Error)> = vec![
        ("400", client.users().await.unwrap_err()),
        (
            "422",
            client
                .direct_messages(MessageQuery::new())
                .await
                .unwrap_err(),
        ),
        ("decode", client.user(bob).await.unwrap_err()),
        ("send 500", client.send_message("hi").await.unwrap_err()),
        (
            "502 html",
            no_retry
                .room_messages(MessageQuery::new())
                .await
                .unwrap_err(),
        ),
        ("missing key", anonymous(&server).me().await.unwrap_err()),
        (
            "invalid argument",
            client.set_api_key("has space").unwrap_err(),
        ),
        (
            "config",
            Client::builder()
                .use_env(false)
                .api_key(format!("{ODD_KEY} x"))
                .build()
                .unwrap_err(),
        ),
        (
            "connect",
            Client::builder()
                .use_env(false)
                .base_url("http://127.0.0.1:9")
                .api_key(ODD_KEY)
                .retry(RetryPolicy::none())
                .build()
                .unwrap()
                .me()
                .await
                .unwrap_err(),
        ),
        (
            "timeout",
            Client::builder()
                .use_env(false)
                .base_url(server.uri())
                .api_key(ODD_KEY)
                .retry(RetryPolicy::none())
                .timeout(Duration::from_nanos(1))
                .build()
                .unwrap()
                .me()
                .await
                .unwrap_err(),
        ),
    ];
    for (what, error) in &errors {
        note(what, both(error));
    }
    let kinds: Vec<&str> = errors
        .iter()
        .map(|(_, e)| match e {
            Error::BadRequest(_) => "BadRequest",
            Error::Validation(_) => "Validation",
            Error::Decode(_) => "Decode",
            Error::SendOutcomeUnknown(_) => "SendOutcomeUnknown",
            Error::Server(_) => "Server",
            Error::MissingApiKey { .. } => "MissingApiKey",
            Error::InvalidArgument { .. } => "InvalidArgument",
            Error::Config(_) => "Config",
            Error::Connect { .. } => "Connect",
            Error::Timeout { .. } => "Timeout",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "BadRequest",
            "Validation",
            "Decode",
            "SendOutcomeUnknown",
            "Server",
            "MissingApiKey",
            "InvalidArgument",
            "Config",
            "Connect",
            "Timeout"
        ],
        "each error is the variant its case is about"
    );
    // The errors still say what happened, with the secret replaced.
    let decode = both(&errors[2].1);
    assert!(decode.contains("<redacted>"), "{decode}");
    let send = both(&errors[3].1);
    assert!(
        send.contains("Internal Server Error (key <redacted>)"),
        "{send}"
    );

    // A real-time failure: the token is fetched (with its JWT), the
    // connection fails, and the error event says so without the token.
    let live = client
        .realtime()
        .use_env(false)
        .reconnect_delay(Duration::from_millis(50), Duration::from_millis(100))
        .connect()
        .await
        .unwrap();
    let mut events = live.events();
    let event = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.next().await {
                Some(event @ Event::Error(_)) => break event,
                Some(_) => {}
                None => panic!("the stream ended"),
            }
        }
    })
    .await
    .unwrap();
    note("realtime error event", shown(&event));
    note(
        "realtime error event json",
        serde_json::to_string(&event).unwrap(),
    );
    drop(live);

    for (what, text) in &texts {
        assert_clean(what, text);
    }
    let trace = captured.text();
    assert!(
        trace.contains("token_bowl_request") && trace.contains("request body"),
        "tracing was captured at trace level: {trace}"
    );
    assert_clean("trace-level tracing", &trace);
}
