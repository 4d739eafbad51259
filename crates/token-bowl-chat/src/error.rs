//! One error type for every failure.

use std::{fmt, time::Duration};

use chrono::{DateTime, Utc};
use reqwest::{StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;
use token_bowl_chat_api::types::{ErrorBody, ErrorBodyDetail, ValidationErrorLocItem};

use crate::retry::Outcome;

/// The environment variable that holds the API key.
pub const API_KEY_ENV: &str = "TOKEN_BOWL_CHAT_API_KEY";

/// How many bytes of a body an error keeps.
const SNIPPET_BYTES: usize = 256;

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
    /// The server could not be reached: nothing was sent.
    #[error("cannot connect to the server ({operation}): {source}")]
    Connect {
        /// The operation attempted.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// No complete response in time.
    #[error("{operation} timed out: {source}")]
    Timeout {
        /// The operation attempted.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The connection failed after the request was (perhaps) sent.
    #[error("connection failed during {operation}: {source}")]
    Transport {
        /// The operation attempted.
        operation: &'static str,
        /// The underlying error.
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
    /// A message send failed in a way that leaves it unknown whether the
    /// server stored it. It was **not** re-sent; use
    /// [`Client::find_sent`](crate::Client::find_sent) to look for it.
    #[error("{0}")]
    SendOutcomeUnknown(Box<UnknownSend>),
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
            "cannot decode the response of {} at `{}`: {}; the body starts with {:?}",
            self.operation, self.path, self.message, self.body_snippet
        )
    }
}

/// A send whose outcome is unknown: the message may be stored.
#[derive(Debug)]
#[non_exhaustive]
pub struct UnknownSend {
    /// What was sent.
    pub content: String,
    /// The recipient of a direct message; `None` for the room.
    pub to_username: Option<String>,
    /// When the send started (UTC).
    pub attempted_at: DateTime<Utc>,
    /// What went wrong.
    pub cause: Error,
}

impl fmt::Display for UnknownSend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the message may have been stored although the send failed ({}); it was not re-sent: \
             check recent history (Client::find_sent) before sending it again",
            self.cause
        )
    }
}

impl std::error::Error for UnknownSend {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
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
            Self::SendOutcomeUnknown(u) => u.cause.http(),
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed: connection
    /// failures, timeouts, 408, 429, 502, 503 and 504.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::SendOutcomeUnknown(_) => false,
            _ => self.status().is_some_and(crate::retry::is_retryable_status),
        }
    }

    /// How long the server asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.http().and_then(|h| h.retry_after)
    }

    /// Maps a generated-client error, with what the executor saw of the
    /// response, into an [`Error`]. `T` is the expected success type.
    pub(crate) fn from_api<T: DeserializeOwned>(
        operation: &'static str,
        error: token_bowl_chat_api::Error<ErrorBody>,
        outcome: &Outcome,
    ) -> Self {
        use token_bowl_chat_api::Error as E;
        match error {
            E::ErrorResponse(response) => {
                let status = response.status();
                let request_id = request_id(response.headers());
                let retry_after = crate::retry::retry_after(response.headers());
                let body = response.into_inner();
                let snippet = serde_json::to_string(&body).unwrap_or_default();
                Self::from_status(
                    operation,
                    status,
                    body.detail,
                    request_id,
                    retry_after,
                    snippet,
                )
            }
            E::InvalidResponsePayload(bytes, json_error) => match outcome.status {
                Some(status) if !status.is_success() => {
                    let text = String::from_utf8_lossy(&bytes);
                    let detail = text.trim();
                    let detail =
                        (!detail.is_empty()).then(|| ErrorBodyDetail::String(snippet(detail)));
                    let headers = outcome.headers.as_ref();
                    Self::from_status(
                        operation,
                        status,
                        detail,
                        headers.and_then(request_id),
                        headers.and_then(crate::retry::retry_after),
                        snippet(&text),
                    )
                }
                _ => Self::decode::<T>(operation, &bytes, json_error),
            },
            E::UnexpectedResponse(response) => Self::from_status(
                operation,
                response.status(),
                None,
                request_id(response.headers()),
                crate::retry::retry_after(response.headers()),
                String::new(),
            ),
            E::CommunicationError(source)
            | E::ResponseBodyError(source)
            | E::InvalidUpgrade(source) => Self::transport(operation, source),
            E::InvalidRequest(reason) => Self::InvalidArgument {
                field: "request",
                reason,
            },
            E::Custom(_) => Self::MissingApiKey { operation },
        }
    }

    pub(crate) fn transport(operation: &'static str, source: reqwest::Error) -> Self {
        if source.is_connect() {
            Self::Connect { operation, source }
        } else if source.is_timeout() {
            Self::Timeout { operation, source }
        } else {
            Self::Transport { operation, source }
        }
    }

    fn from_status(
        operation: &'static str,
        status: StatusCode,
        detail: Option<ErrorBodyDetail>,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        body_snippet: String,
    ) -> Self {
        let (detail, field_errors) = match detail {
            Some(ErrorBodyDetail::String(text)) => (text, Vec::new()),
            Some(ErrorBodyDetail::Array(items)) => {
                let fields: Vec<FieldError> = items
                    .into_iter()
                    .map(|item| FieldError {
                        location: item
                            .loc
                            .iter()
                            .map(|part| match part {
                                ValidationErrorLocItem::String(s) => s.clone(),
                                ValidationErrorLocItem::Integer(i) => i.to_string(),
                            })
                            .collect(),
                        message: item.msg,
                        kind: item.type_,
                    })
                    .collect();
                let joined = fields
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                (joined, fields)
            }
            None => (String::new(), Vec::new()),
        };
        let http = Box::new(HttpError {
            operation,
            status,
            detail,
            field_errors,
            request_id,
            retry_after,
            body_snippet: snippet(&body_snippet),
        });
        match status.as_u16() {
            400 => Self::BadRequest(http),
            401 => Self::Authentication(http),
            403 => Self::PermissionDenied(http),
            404 => Self::NotFound(http),
            409 => Self::Conflict(http),
            422 => Self::Validation(http),
            429 => Self::RateLimited(http),
            500..=599 => Self::Server(http),
            _ => Self::Status(http),
        }
    }

    fn decode<T: DeserializeOwned>(
        operation: &'static str,
        bytes: &[u8],
        json_error: serde_json::Error,
    ) -> Self {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => (e.path().to_string(), e.inner().to_string()),
            Ok(_) => (".".to_owned(), json_error.to_string()),
        };
        Self::Decode(Box::new(DecodeError {
            operation,
            path,
            message,
            body_snippet: snippet(&String::from_utf8_lossy(bytes)),
        }))
    }

    pub(crate) fn invalid(field: &'static str, reason: impl fmt::Display) -> Self {
        Self::InvalidArgument {
            field,
            reason: reason.to_string(),
        }
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn snippet(text: &str) -> String {
    if text.len() <= SNIPPET_BYTES {
        return text.to_owned();
    }
    let mut end = SNIPPET_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_cut_on_a_char_boundary() {
        let text = "é".repeat(200);
        let cut = snippet(&text);
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= SNIPPET_BYTES + '…'.len_utf8());
    }

    #[test]
    fn display_reads_as_a_sentence() {
        let e = Error::from_status(
            "get_user_profile",
            StatusCode::NOT_FOUND,
            Some(ErrorBodyDetail::String("User bob not found".into())),
            None,
            None,
            String::new(),
        );
        assert_eq!(e.to_string(), "404 Not Found: User bob not found");
        assert!(matches!(e, Error::NotFound(_)));
    }
}
