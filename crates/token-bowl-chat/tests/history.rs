//! History streams against a mock server that pages like the real one
//! (newest first, `has_more = offset + len < total`) and can change the
//! history between two page requests.
//!
//! It stays on wiremock: the pages are computed from a list the test changes
//! between requests ([`Pages`]), one answer is given only once, and tests
//! count the requests received; the typed mocks answer a route the same way
//! every time.

mod common;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use common::{Change, Pages};

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::*;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use token_bowl_chat::{Error, HistoryOptions, Message};
use uuid::Uuid;
use wiremock::{Mock, matchers::method};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 1, 0, 0).unwrap()
}

/// Message number `n`, `n` seconds after `start()`.
fn message(n: u32) -> Value {
    let mut m = room_message();
    m["id"] = json!(Uuid::from_u128(u128::from(n) + 1).to_string());
    m["content"] = json!(format!("message {n}"));
    m["timestamp"] = json!((start() + Duration::seconds(i64::from(n))).to_rfc3339());
    m
}

/// Messages `0..count`, newest first.
fn history(count: u32) -> Vec<Value> {
    (0..count).rev().map(message).collect()
}

async fn stream_with(
    list: Vec<Value>,
    after_page: Change,
    options: HistoryOptions,
) -> (Vec<Message>, usize) {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(Pages {
            list: Arc::new(Mutex::new(list)),
            served: Mutex::new(0),
            after_page,
        })
        .mount(&server)
        .await;
    let got: Vec<Message> = client(&server)
        .room_history(options)
        .try_collect()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap().len();
    (got, requests)
}

fn contents(messages: &[Message]) -> Vec<String> {
    messages.iter().map(|m| m.content.clone()).collect()
}

fn assert_no_duplicates(messages: &[Message]) {
    let ids: HashSet<Uuid> = messages.iter().map(|m| m.id).collect();
    assert_eq!(ids.len(), messages.len(), "a message was yielded twice");
}

#[tokio::test]
async fn an_empty_history_yields_nothing_after_one_request() {
    let (got, requests) = stream_with(vec![], Box::new(|_, _| {}), HistoryOptions::new()).await;
    assert!(got.is_empty());
    assert_eq!(requests, 1);
}

#[tokio::test]
async fn pages_are_fetched_until_the_end() {
    let (got, requests) = stream_with(
        history(5),
        Box::new(|_, _| {}),
        HistoryOptions::new().page_size(2),
    )
    .await;
    assert_eq!(
        contents(&got),
        [
            "message 4",
            "message 3",
            "message 2",
            "message 1",
            "message 0"
        ]
    );
    assert_eq!(requests, 3);
}

#[tokio::test]
async fn pages_are_fetched_lazily() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(Pages {
            list: Arc::new(Mutex::new(history(10))),
            served: Mutex::new(0),
            after_page: Box::new(|_, _| {}),
        })
        .mount(&server)
        .await;
    let client = client(&server);
    let mut stream = std::pin::pin!(client.room_history(HistoryOptions::new().page_size(3)));
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
    stream.next().await.unwrap().unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    for _ in 0..3 {
        stream.next().await.unwrap().unwrap();
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn new_messages_between_pages_are_not_yielded_twice() {
    // After every page, two new messages arrive at the front: each next
    // page starts with messages already yielded.
    let next = Arc::new(Mutex::new(100));
    let change: Change = Box::new(move |list, _| {
        for _ in 0..2 {
            let mut n = next.lock().unwrap();
            list.insert(0, message(*n));
            *n += 1;
        }
    });
    let (got, _) = stream_with(history(10), change, HistoryOptions::new().page_size(3)).await;
    assert_no_duplicates(&got);
    let want: Vec<String> = (0..10).rev().map(|n| format!("message {n}")).collect();
    let old: Vec<String> = contents(&got)
        .into_iter()
        .filter(|c| want.contains(c))
        .collect();
    assert_eq!(
        old, want,
        "every message that existed at the start, once, newest first"
    );
}

#[tokio::test]
async fn messages_deleted_ahead_of_the_offset_do_not_cause_a_skip() {
    // After the first page, the two newest (already yielded) messages are
    // deleted: everything moves two places forward.
    let change: Change = Box::new(|list, served| {
        if served == 1 {
            list.drain(0..2);
        }
    });
    let (got, _) = stream_with(history(10), change, HistoryOptions::new().page_size(4)).await;
    assert_no_duplicates(&got);
    let want: Vec<String> = (0..10).rev().map(|n| format!("message {n}")).collect();
    assert_eq!(contents(&got), want);
}

#[tokio::test]
async fn since_stops_the_stream_and_is_sent_to_the_server() {
    let since = start() + Duration::seconds(6);
    let (got, _) = stream_with(
        history(10),
        Box::new(|_, _| {}),
        HistoryOptions::new().page_size(2).since(since),
    )
    .await;
    assert_eq!(contents(&got), ["message 9", "message 8", "message 7"]);
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_the_error() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(json_response(200, page(history(2), 4, 0, 2)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json_response(403, json!({"detail": "nope"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let items: Vec<Result<Message, Error>> = client(&server)
        .room_history(HistoryOptions::new().page_size(2))
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(matches!(items[2], Err(Error::PermissionDenied(_))));
}

#[tokio::test]
async fn conversation_history_pages_too() {
    let server = server().await;
    let conversations: Vec<Value> = (0..3)
        .map(|n| {
            let mut c = conversation();
            c["id"] = json!(Uuid::from_u128(n + 1).to_string());
            c
        })
        .collect();
    for (offset, chunk) in conversations.chunks(2).enumerate() {
        authed("GET", "/conversations")
            .and(wiremock::matchers::query_param("offset", (offset * 2).to_string()))
            .respond_with(json_response(200, json!({
                "conversations": chunk,
                "pagination": {"total": 3, "offset": offset * 2, "limit": 2, "has_more": offset == 0}
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let got: Vec<_> = client(&server)
        .conversation_history(HistoryOptions::new().page_size(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.len(), 3);
}
