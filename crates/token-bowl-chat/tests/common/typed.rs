//! The generated typed mocks (`token_bowl_chat_api::mock`, httpmock): each
//! route is named by its operation (`server.send_message(|when, then| ..)`),
//! so its method and path come from the spec, not from the test. Answers go
//! through [`answer`], which, like `json_response`, adds a field of a newer
//! server to every object of the recorded body.

use httpmock::{Then, When};
use serde_json::Value;

use super::{ALICE_KEY, from_a_newer_server};

pub use httpmock::MockServer as TypedServer;
#[allow(unused_imports, reason = "only the files with typed routes call it")]
pub use token_bowl_chat_api::mock::MockServerExt;

/// A typed mock server on loopback.
pub async fn typed_server() -> TypedServer {
    TypedServer::start_async().await
}

/// The request carries alice's key.
pub fn as_alice(when: When) -> When {
    when.header("x-api-key", ALICE_KEY)
}

/// The recorded `body` with `status`, as JSON from a newer server.
pub fn answer(then: Then, status: u16, body: Value) -> Then {
    then.status(status)
        .header("content-type", "application/json")
        .json_body(from_a_newer_server(body))
}

/// An empty answer (`204 No Content`).
pub fn no_content(then: Then) -> Then {
    then.status(204)
}

/// Routes the operation `op` for alice (with its path parameters, as in
/// `route!(server, get_user_profile.user_id(&bob), 200, body)`) and answers
/// `status` with the recorded `body` through [`answer`].
#[allow(unused_macros, reason = "only the files with typed routes call it")]
macro_rules! route {
    ($server:expr, $op:ident $(. $param:ident ($arg:expr))*, $status:expr, $body:expr) => {
        $server.$op(|when, then| {
            as_alice(when $(.$param($arg))* .into_inner());
            answer(then.into_inner(), $status, $body);
        })
    };
}
#[allow(unused_imports, reason = "only the files with typed routes call it")]
pub(crate) use route;

/// A recorded id.
pub fn id(text: &str) -> token_bowl_chat::Uuid {
    text.parse().unwrap()
}

/// A route that matches any request, answering 418: its call count tells
/// whether anything reached the server.
pub fn every_request(server: &TypedServer) -> httpmock::Mock<'_> {
    server.mock(|_, then| {
        then.status(418);
    })
}
