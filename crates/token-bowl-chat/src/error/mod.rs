//! One error type for every failure: the types a caller reads.
//!
//! How a failure of the generated client, of the connection or of the
//! server's answer becomes one of these is in [`classify`].

use std::{fmt, time::Duration};

use chrono::{DateTime, Utc};
use reqwest::StatusCode;

mod classify;

/// The environment variable that holds the API key.
pub const API_KEY_ENV: &str = "TOKEN_BOWL_CHAT_API_KEY";

/// Everything that can go wrong, as one `#[non_exhaustive]` enum.
///
/// HTTP failures carry an [`HttpError`] (status, the server's `detail`, the
/// request id, a body snippet); `Display` reads as one sentence, e.g.
/// `404 Not Found: User bob not found`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400: the server refused the request as malformed.
    #[error("{0}")]
    BadRequest(Box<HttpError>),
    /// 401: the API key is missing, wrong or revoked.
    #[error("{0}")]
    Authentication(Box<HttpError>),
    /// 403: the key is valid but its role may not do this.
    #[error("{0}")]
    PermissionDenied(Box<HttpError>),
    /// 404: no such user, message, conversation or route.
    #[error("{0}")]
    NotFound(Box<HttpError>),
    /// 409: the username is taken.
    #[error("{0}")]
    Conflict(Box<HttpError>),
    /// 422: the server's validation failed; see [`HttpError::field_errors`].
    #[error("{0}")]
    Validation(Box<HttpError>),
    /// 429: too many requests; see [`HttpError::retry_after`].
    #[error("{0}")]
    RateLimited(Box<HttpError>),
    /// 5xx: the server failed.
    #[error("{0}")]
    Server(Box<HttpError>),
    /// Any other non-success status (405, 408, 3xx, ...).
    #[error("{0}")]
    Status(Box<HttpError>),
    /// The server could not be reached: nothing was sent. Reads e.g.
    /// `cannot connect to 127.0.0.1:9: connection refused`.
    #[error("cannot connect to {host}: {reason}")]
    Connect {
        /// The operation attempted.
        operation: &'static str,
        /// The server's host and port.
        host: String,
        /// What happened, in plain words (`connection refused`, `host not
        /// found (DNS lookup failed)`, `TLS handshake failed: ...`).
        reason: String,
        /// The underlying error, with the whole chain.
        #[source]
        source: reqwest::Error,
    },
    /// No complete response in time. Reads e.g. `no complete answer from
    /// 127.0.0.1:8000 within 30 s`.
    #[error("no complete answer from {host} within {}", seconds(*.after))]
    Timeout {
        /// The operation attempted.
        operation: &'static str,
        /// The server's host and port.
        host: String,
        /// The time allowed (one attempt), when known.
        after: Option<Duration>,
        /// The underlying error, with the whole chain.
        #[source]
        source: reqwest::Error,
    },
    /// The connection failed after the request was (perhaps) sent. Reads
    /// e.g. `the connection to 127.0.0.1:8000 failed: reset by the server`.
    #[error("the connection to {host} failed: {reason}")]
    Transport {
        /// The operation attempted.
        operation: &'static str,
        /// The server's host and port.
        host: String,
        /// What happened, in plain words (`reset by the server`, `closed by
        /// the server before it answered`, `closed in the middle of the
        /// answer`).
        reason: String,
        /// The underlying error, with the whole chain.
        #[source]
        source: reqwest::Error,
    },
    /// A success response whose body does not decode.
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// An argument was rejected before any I/O.
    #[error("invalid argument `{field}`: {reason}")]
    InvalidArgument {
        /// The argument (or field) at fault.
        field: &'static str,
        /// What is wrong with it (never the value of a secret).
        reason: String,
    },
    /// An authenticated call was made without a key; nothing was sent.
    #[error("no API key for {operation}: set {API_KEY_ENV} or call Client::builder().api_key(..)")]
    MissingApiKey {
        /// The operation attempted.
        operation: &'static str,
    },
    /// The client could not be built (bad base URL, bad key, ...).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The real-time connection failed: it could not be set up or made, a
    /// token could not be had, or a gap could not be filled.
    #[error("{0}")]
    Realtime(RealtimeError),
    /// A local I/O step failed: listening for webhooks, reading or writing
    /// a bot's state file. Reads e.g. `cannot listen on 127.0.0.1:8080:
    /// Address in use (os error 98)`.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the address or path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A bot's reply was not sent: it has used its reply budget for this
    /// conversation partner (a loop between two bots ends here).
    #[error("reply to {partner} not sent: {limit} replies in {} already (the bot's reply budget)", seconds(Some(*.window)))]
    ReplyBudget {
        /// Whom the reply was for.
        partner: String,
        /// Replies allowed per window.
        limit: u32,
        /// The window.
        window: Duration,
    },
    /// A message send failed in a way that leaves it unknown whether the
    /// server stored it. It was **not** re-sent; use
    /// [`Client::find_sent`](crate::Client::find_sent) to look for it.
    #[error("{0}")]
    SendOutcomeUnknown(Box<UnknownSend>),
}

/// A real-time failure: what failed and why, in one line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct RealtimeError {
    /// What failed.
    pub kind: RealtimeErrorKind,
    /// Why, in plain words.
    pub message: String,
}

impl RealtimeError {
    /// A failure of `kind`.
    pub fn new(kind: RealtimeErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for RealtimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            RealtimeErrorKind::Connect => "cannot connect to the real-time server",
            RealtimeErrorKind::Token => "cannot get a real-time connection token",
            RealtimeErrorKind::Protocol => "the real-time server sent something unexpected",
            RealtimeErrorKind::Backfill => "cannot fill a real-time gap from the history",
            RealtimeErrorKind::Setup => "cannot set up the real-time client",
        };
        write!(f, "{what}: {}", self.message)
    }
}

/// What part of the real-time connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RealtimeErrorKind {
    /// Opening the WebSocket or the server's answer to the connect.
    Connect,
    /// Fetching or refreshing the connection token.
    Token,
    /// Undecodable data or another protocol failure.
    Protocol,
    /// Filling a gap from the REST history after a reconnect.
    Backfill,
    /// The client could not be set up (a bad URL, ...).
    Setup,
}

/// A non-success HTTP response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpError {
    /// The operation (`operationId`) that failed.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The server's `detail` message (for 422, the field errors joined),
    /// or the body text when it is not JSON.
    pub detail: String,
    /// Field errors of a 422.
    pub field_errors: Vec<FieldError>,
    /// The `X-Request-Id` response header, if any.
    pub request_id: Option<String>,
    /// How long the server asked us to wait (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// The start of the body, for diagnosis.
    pub body_snippet: String,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {}s)", wait.as_secs())?;
        }
        Ok(())
    }
}

/// One field error of a 422 response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// Where: e.g. `["body", "content"]`.
    pub location: Vec<String>,
    /// The server's message.
    pub message: String,
    /// The machine-readable kind, e.g. `string_too_short`.
    pub kind: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location.join("."), self.message)
    }
}

/// A success body that did not decode into the expected type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation whose response failed.
    pub operation: &'static str,
    /// The JSON path that failed, e.g. `messages[3].timestamp`.
    pub path: String,
    /// What serde said.
    pub message: String,
    /// The start of the body.
    pub body_snippet: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read the server's answer at `{}`: {}; the body starts with {:?}",
            self.path, self.message, self.body_snippet
        )
    }
}

/// A send whose outcome is unknown: the message may be stored.
///
/// A program that stores `content`, `to_username` and `attempted_at` (e.g.
/// before it restarts) rebuilds one with [`UnknownSend::new`] and asks
/// [`Client::find_sent`](crate::Client::find_sent) whether it was stored.
#[derive(Debug)]
#[non_exhaustive]
pub struct UnknownSend {
    /// What was sent.
    pub content: String,
    /// The recipient of a direct message; `None` for the room.
    pub to_username: Option<String>,
    /// When the send started (UTC).
    pub attempted_at: DateTime<Utc>,
    /// What went wrong (`None` for one rebuilt with [`UnknownSend::new`]).
    pub cause: Option<Box<Error>>,
}

impl UnknownSend {
    /// A send of `content` (to `to_username`, or the room) that started at
    /// `attempted_at`, rebuilt from stored fields.
    pub fn new(
        content: impl Into<String>,
        to_username: Option<String>,
        attempted_at: DateTime<Utc>,
    ) -> Self {
        Self {
            content: content.into(),
            to_username,
            attempted_at,
            cause: None,
        }
    }
}

impl fmt::Display for UnknownSend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the message may have been stored although the send failed")?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause})")?;
        }
        f.write_str(
            "; it was not re-sent: check recent history (Client::find_sent) before sending it again",
        )
    }
}

impl std::error::Error for UnknownSend {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Error {
    /// The HTTP status, for HTTP failures.
    pub fn status(&self) -> Option<StatusCode> {
        self.http().map(|h| h.status)
    }

    /// The HTTP failure, if this is one.
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            Self::BadRequest(h)
            | Self::Authentication(h)
            | Self::PermissionDenied(h)
            | Self::NotFound(h)
            | Self::Conflict(h)
            | Self::Validation(h)
            | Self::RateLimited(h)
            | Self::Server(h)
            | Self::Status(h) => Some(h),
            Self::SendOutcomeUnknown(u) => u.cause.as_deref().and_then(Error::http),
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed: connection
    /// failures, timeouts, 408, 429, 502, 503 and 504.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::SendOutcomeUnknown(_) => false,
            Self::Realtime(e) => matches!(
                e.kind,
                RealtimeErrorKind::Connect | RealtimeErrorKind::Token | RealtimeErrorKind::Backfill
            ),
            _ => self.status().is_some_and(crate::retry::is_retryable_status),
        }
    }

    /// How long the server asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.http().and_then(|h| h.retry_after)
    }

    pub(crate) fn invalid(field: &'static str, reason: impl fmt::Display) -> Self {
        Self::InvalidArgument {
            field,
            reason: reason.to_string(),
        }
    }
}

fn seconds(after: Option<Duration>) -> String {
    match after {
        Some(after) if after.subsec_millis() == 0 => format!("{} s", after.as_secs()),
        Some(after) => format!("{:.1} s", after.as_secs_f64()),
        None => "the time allowed".to_owned(),
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
