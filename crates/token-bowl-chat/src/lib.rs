#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod config;
mod error;
mod history;
mod retry;
pub mod types;

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "realtime")]
pub mod realtime;

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

/// The generated low-level client, for [`Client::api`].
pub use token_bowl_chat_api as api;
pub use token_bowl_chat_api::ApiKey;
