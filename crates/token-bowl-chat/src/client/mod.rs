//! The async [`Client`]: its state and the one path every call takes
//! (`Client::call`), then one file per area of the API, as the server
//! groups its routes:
//!
//! - `account`: registration, your profile and key, magic-link login;
//! - `send`: sending a message exactly once, and finding a send whose
//!   outcome is unknown;
//! - `messages`: pages and streams of the history, one message, typing;
//! - `unread`: unread lists and counts, marking read;
//! - `users`: users, logos, health, the real-time token;
//! - `conversations`, `bots` and `admin`.
//!
//! A method checks its arguments against the spec's limits before any I/O
//! (`valid`), builds the generated request and hands it to `call`, which
//! applies the retry rule and maps the error.

use std::{fmt, future::Future, sync::Arc};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use token_bowl_chat_api::{
    self as api, ApiKey, ClientInfo, ClientState, Credentials, Operation, ResponseValue,
    types::{ErrorBody, error::ConversionError},
};

use crate::{Error, Result, RetryPolicy, retry::Executor, types::*};

/// The Token Bowl Chat client.
///
/// Cheap to clone: clones share the connection pool and the credentials
/// (a key set on one is used by all).
#[derive(Clone)]
pub struct Client {
    /// The generated client: the SDK's calls go through it, and
    /// [`api`](Self::api) hands it out. Its attempts follow `policy`.
    api: api::Client,
    /// The retry rule of this client.
    policy: Arc<RetryPolicy>,
    /// The timeout, the user agent and the tracing fields of each attempt.
    executor: Arc<Executor>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("credentials", self.credentials())
            .field("retry", &*self.policy)
            .finish()
    }
}

/// Sets the optional `limit`, `offset` (and `since`) of a generated builder.
macro_rules! paged {
    ($builder:expr, $limit:expr, $offset:expr $(, $since:ident)?) => {{
        let mut builder = $builder;
        if let Some(limit) = $limit {
            builder = builder.limit(limit);
        }
        if let Some(offset) = $offset {
            builder = builder.offset(offset);
        }
        $(if let Some(since) = &$since {
            builder = builder.since(since.clone());
        })?
        builder
    }};
}

/// The page fetcher a history stream needs from a `Client` method that
/// takes a page query: each page is fetched by a clone of `$client`, so the
/// stream owns what it borrows.
macro_rules! pages_of {
    ($client:expr, $method:ident) => {{
        let client = $client.clone();
        move |query| {
            let client = client.clone();
            async move { client.$method(query).await }
        }
    }};
}

mod account;
mod admin;
mod bots;
mod conversations;
mod messages;
mod send;
mod unread;
mod users;

/// Checks a value against the spec's limits (through the generated
/// constrained type) before any I/O.
fn valid<T>(field: &'static str, value: impl Into<String>) -> Result<T>
where
    T: TryFrom<String, Error = ConversionError>,
{
    T::try_from(value.into()).map_err(|e| Error::invalid(field, e))
}

fn valid_opt<T>(field: &'static str, value: Option<impl Into<String>>) -> Result<Option<T>>
where
    T: TryFrom<String, Error = ConversionError>,
{
    value.map(|v| valid(field, v)).transpose()
}

fn page_arg(field: &'static str, value: Option<u64>, max: Option<u64>) -> Result<Option<i64>> {
    let max = max.unwrap_or(i64::MAX.unsigned_abs());
    match value {
        Some(0) if field == "limit" => Err(Error::invalid(field, "must be at least 1")),
        Some(v) if v > max => Err(Error::invalid(field, format!("must be at most {max}"))),
        // At most `i64::MAX`, checked above.
        v => Ok(v.map(|v| i64::try_from(v).unwrap_or(i64::MAX))),
    }
}

/// Formats a time the way the server stores it (`+00:00`, microseconds
/// when not zero): the server compares `since` with stored timestamps as
/// text, so only this form gives right answers.
pub(crate) fn server_time(time: DateTime<Utc>) -> String {
    let micros = time.timestamp_subsec_micros();
    let base = time.format("%Y-%m-%dT%H:%M:%S");
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

impl Client {
    /// The client over `http`.
    pub(crate) fn assemble(
        base_url: &str,
        http: reqwest::Client,
        credentials: Credentials,
        policy: RetryPolicy,
        executor: Arc<Executor>,
    ) -> Self {
        let policy = Arc::new(policy);
        let state = ClientState::new(credentials)
            .with_executor(executor.clone())
            .with_retry(policy.clone());
        Self {
            api: api::Client::new_with_client(base_url, http, state),
            policy,
            executor,
        }
    }

    /// The generated low-level client, for anything this SDK does not wrap.
    /// It shares this client's credentials, retries, timeout and tracing.
    pub fn api(&self) -> &api::Client {
        &self.api
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        self.api.baseurl()
    }

    /// The shared credentials.
    pub fn credentials(&self) -> &Credentials {
        self.api.credentials()
    }

    /// Whether an API key is set.
    pub fn has_api_key(&self) -> bool {
        self.credentials().is_set()
    }

    /// Uses `key` for the next requests, on this client and all its clones.
    pub fn set_api_key(&self, key: &str) -> Result<()> {
        let key = ApiKey::new(key).map_err(|e| Error::invalid("api_key", e))?;
        self.credentials().set(key);
        Ok(())
    }

    /// A clone of this client (same pool, same credentials) whose calls use
    /// `policy`, e.g. `client.with_retry(RetryPolicy::none()).me()`.
    pub fn with_retry(&self, policy: RetryPolicy) -> Self {
        Self::assemble(
            self.base_url(),
            self.api.client().clone(),
            self.credentials().clone(),
            policy,
            self.executor.clone(),
        )
    }

    /// Runs one generated call, `make(api)` (whose attempts follow this
    /// client's retry rule), and maps its error.
    pub(crate) async fn call<'a, T, F, Fut>(
        &'a self,
        operation: &'static Operation,
        make: F,
    ) -> Result<T>
    where
        T: DeserializeOwned,
        F: FnOnce(&'a api::Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, api::Error<ErrorBody>>>,
    {
        make(&self.api)
            .await
            .map(ResponseValue::into_inner)
            .map_err(|error| self.api_error::<T>(operation, error))
    }

    /// Maps a generated-client error. Out of line: only a failed call
    /// gets here, and every call's code stays small.
    #[cold]
    #[inline(never)]
    fn api_error<T: DeserializeOwned>(
        &self,
        operation: &'static Operation,
        error: api::Error<ErrorBody>,
    ) -> Error {
        Error::from_api::<T>(
            operation.id,
            error,
            self.credentials().get().as_ref(),
            self.executor.timeout,
        )
    }

    fn adopt_key_if_none(&self, key: &ApiKey) {
        if !self.has_api_key() {
            self.credentials().set(key.clone());
        }
    }
}

impl MessageQuery {
    fn args(&self) -> Result<(Option<i64>, Option<i64>, Option<String>)> {
        let (limit, offset) = Page {
            limit: self.limit,
            offset: self.offset,
        }
        .args(None)?;
        Ok((limit, offset, self.since.map(server_time)))
    }
}

impl Page {
    fn args(&self, max_limit: Option<u64>) -> Result<(Option<i64>, Option<i64>)> {
        Ok((
            page_arg("limit", self.limit, max_limit)?,
            page_arg("offset", self.offset, None)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration as ChronoDuration, TimeZone};

    #[test]
    fn since_is_written_like_the_server_stores_it() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 0, 57, 49).unwrap();
        assert_eq!(server_time(t), "2026-11-22T00:57:49+00:00");
        let t = t + ChronoDuration::microseconds(497_498);
        assert_eq!(server_time(t), "2026-11-22T00:57:49.497498+00:00");
        let t = t + ChronoDuration::nanoseconds(900);
        assert_eq!(
            server_time(t),
            "2026-11-22T00:57:49.497498+00:00",
            "sub-microseconds dropped"
        );
    }

    #[test]
    fn time_zone_offsets_are_converted_to_utc() {
        let local = chrono::FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 22, 2, 0, 0)
            .unwrap();
        assert_eq!(
            server_time(local.with_timezone(&Utc)),
            "2026-11-22T01:00:00+00:00"
        );
    }
}
