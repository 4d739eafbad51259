//! Helpers shared by the CLI's test files.

use serde_json::json;
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::any};

/// A mock server (wiremock, loopback) whose unmatched requests answer 418
/// with a `detail` naming the request, so a test failure says what was sent.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(418).set_body_json(
                json!({"detail": format!("{} {} was not expected", req.method, req.url)}),
            )
        })
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}
