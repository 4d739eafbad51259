#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod config;
#[cfg(any(feature = "realtime", feature = "webhook", feature = "bot"))]
// Each of the three features uses its part of it.
#[cfg_attr(not(all(feature = "realtime", feature = "bot")), allow(dead_code))]
mod delivery;
mod error;
#[cfg(any(feature = "webhook", feature = "bot"))]
mod handoff;
mod history;
mod redact;
mod retry;
pub mod types;

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "bot")]
#[cfg_attr(docsrs, doc(cfg(feature = "bot")))]
pub mod bot;
#[cfg(feature = "realtime")]
pub mod realtime;
#[cfg(feature = "webhook")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
pub mod webhook;

pub use client::Client;
pub use config::{
    BASE_URL_ENV, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
    POOL_IDLE_TIMEOUT,
};
pub use error::{
    API_KEY_ENV, DecodeError, Error, FieldError, HttpError, RealtimeError, RealtimeErrorKind,
    Result, UnknownSend,
};
pub use history::{DEFAULT_PAGE_SIZE, HistoryOptions};
pub use retry::{RetryPolicy, is_idempotent, is_retryable_status};
pub use types::*;

/// What most programs import: `use token_bowl_chat::prelude::*;` brings the
/// client, the error, the common types and the stream traits that history
/// streams need.
pub mod prelude {
    pub use crate::{
        Client, DateTime, Error, HistoryOptions, Message, MessageQuery, Result, TimeDelta, Utc,
        Uuid,
    };
    pub use futures::{Stream, StreamExt, TryStreamExt};
}

/// Entry points for fuzzing and property tests (cargo feature `fuzzing`):
/// not part of the supported API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    /// What the client makes of a response with `status` and `body` to a
    /// `GET /users/me`: the generated client's reading of the answer, then
    /// the error (or decode) mapping. Never panics.
    pub fn response(status: u16, content_type: &str, body: &[u8]) -> crate::Result<crate::Profile> {
        use reqwest::{
            StatusCode,
            header::{CONTENT_TYPE, HeaderValue},
        };
        use token_bowl_chat_api::{Error as E, types::ErrorBody};
        let Ok(status) = StatusCode::from_u16(status) else {
            return Err(crate::Error::invalid("status", "not an HTTP status"));
        };
        let mut response = http::Response::new(bytes::Bytes::copy_from_slice(body));
        *response.status_mut() = status;
        if let Ok(value) = HeaderValue::from_str(content_type) {
            response.headers_mut().insert(CONTENT_TYPE, value);
        }
        let response = reqwest::Response::from(response);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| crate::Error::Config(e.to_string()))?;
        // What the generated `get_my_profile` does with the answer.
        let error = if status.is_success() {
            let bytes = runtime
                .block_on(response.bytes())
                .map_err(|e| crate::Error::transport("fuzz", e, None))?;
            match serde_json::from_slice::<crate::Profile>(&bytes) {
                Ok(profile) => return Ok(profile),
                Err(e) => E::InvalidResponsePayload(bytes, e),
            }
        } else {
            runtime.block_on(token_bowl_chat_api::read_error_answer::<ErrorBody>(
                response,
            ))
        };
        Err(crate::Error::from_api::<crate::Profile>(
            "fuzz", error, None, None,
        ))
    }

    /// A real-time payload decoded by the general path only (through a
    /// JSON value), to check [`crate::realtime::decode`] against.
    pub fn decode_via_value(channel: &str, data: &[u8]) -> crate::realtime::Event {
        crate::realtime::decode_via_value(channel, data)
    }

    /// A webhook delivery's body read as the receiver reads it: the
    /// message, or the status (400, 415, 422) and what the receiver would
    /// answer. Never panics.
    #[cfg(feature = "webhook")]
    pub fn webhook_delivery(
        content_type: Option<&[u8]>,
        body: &[u8],
    ) -> Result<crate::Message, (u16, String)> {
        crate::webhook::decode::decode(content_type, body)
            .map_err(|r| (r.status.as_u16(), r.detail))
    }

    /// The redaction applied to every text taken from a server.
    pub fn redact(text: &str, own_key: Option<&str>) -> String {
        crate::redact::redact(text, own_key)
    }
}

/// The generated low-level client, for [`Client::api`].
pub use token_bowl_chat_api as api;
pub use token_bowl_chat_api::ApiKey;
