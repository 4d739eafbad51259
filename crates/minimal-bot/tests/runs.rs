//! The minimal bot against a mock server (wiremock on loopback, bodies shaped
//! like the real server's): it reads the key from the environment, pages
//! the history, answers, and never prints its key.

use std::process::Command;

use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{header, method, path, query_param_contains},
};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";

fn message(id: &str, from: &str, content: &str, minutes_ago: i64) -> serde_json::Value {
    let time = chrono::Utc::now() - chrono::TimeDelta::minutes(minutes_ago);
    json!({
        "id": id, "from_user_id": "", "from_username": from, "content": content,
        "message_type": "room", "description": "", "to_user_id": null, "to_username": null,
        "timestamp": time.to_rfc3339(),
    })
}

#[tokio::test]
async fn the_bot_reads_history_and_answers_without_printing_its_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users/me"))
        .and(header("x-api-key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37", "username": "alice", "role": "member",
            "api_key": KEY, "created_at": "2026-11-22T01:02:30.135906+00:00"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/messages"))
        .and(query_param_contains("since", "+00:00"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messages": [
                message("865ce10f-fb73-460f-abfb-9826f6705e8a", "bob", "second", 5),
                message("965ce10f-fb73-460f-abfb-9826f6705e8a", "carol", "first", 10)
            ],
            "pagination": {"total": 2, "offset": 0, "limit": 50, "has_more": false}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .respond_with(ResponseTemplate::new(201).set_body_json(message(
            "a65ce10f-fb73-460f-abfb-9826f6705e8a",
            "alice",
            "@bob noted (2 new)",
            0,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let output = Command::new(env!("CARGO_BIN_EXE_minimal-bot"))
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .env("TOKEN_BOWL_CHAT_BASE_URL", server.uri())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "alice (53bd0efd-ef7b-4069-9ffa-1837d1aeec37), key <redacted>"
    );
    assert!(
        lines[1].ends_with("carol: first") && lines[2].ends_with("bob: second"),
        "{stdout}"
    );
    assert_eq!(lines[3], "replied a65ce10f-fb73-460f-abfb-9826f6705e8a");
    assert!(!stdout.contains(KEY) && !stderr.contains(KEY));
}
