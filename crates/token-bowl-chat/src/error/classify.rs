//! From a failure to an [`Error`]: the generated client's errors, transport
//! failures read from their whole cause chain, and error answers by status.
//! Any text taken from the server passes through the redaction here.

use std::time::Duration;

use futures::FutureExt as _;
use reqwest::{StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;
use token_bowl_chat_api::{
    ApiKey,
    types::{ErrorBody, ErrorBodyDetail, ValidationErrorLocItem},
};

use super::{DecodeError, Error, FieldError, HttpError};
use crate::redact::redact;

/// How many bytes of a body an error keeps.
const SNIPPET_BYTES: usize = 256;

impl Error {
    /// Maps a generated-client error into an [`Error`]. `T` is the expected
    /// success type (for the path of a decode error); `key` is the client's
    /// own key, removed from any text taken from the body.
    pub(crate) fn from_api<T: DeserializeOwned>(
        operation: &'static str,
        error: token_bowl_chat_api::Error<ErrorBody>,
        key: Option<&ApiKey>,
        timeout: Option<Duration>,
    ) -> Self {
        Self::map_api(operation, error, key, timeout, decode_path::<T>)
    }

    fn map_api(
        operation: &'static str,
        error: token_bowl_chat_api::Error<ErrorBody>,
        key: Option<&ApiKey>,
        timeout: Option<Duration>,
        path: fn(&[u8]) -> Option<(String, String)>,
    ) -> Self {
        use token_bowl_chat_api::Error as E;
        let key = key.map(ApiKey::expose_secret);
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
                    key,
                )
            }
            // An error answer that is no `ErrorBody` comes as an
            // `UnexpectedResponse`, so this is a success body that does not
            // decode.
            E::InvalidResponsePayload(bytes, json_error) => {
                let (path, message) =
                    path(&bytes).unwrap_or_else(|| (".".to_owned(), json_error.to_string()));
                Self::Decode(Box::new(DecodeError {
                    operation,
                    path,
                    message: redact(&message, key),
                    body_snippet: shown(&String::from_utf8_lossy(&bytes), key),
                }))
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let request_id = request_id(response.headers());
                let retry_after = crate::retry::retry_after(response.headers());
                // The generated client reads such an answer whole, so its
                // body is in memory and ready at once. Of an error status
                // (a proxy's HTML 502, a `text/plain` 500) the text is the
                // detail; an empty body has none.
                let text = if status.is_client_error() || status.is_server_error() {
                    response
                        .bytes()
                        .now_or_never()
                        .and_then(|read| read.ok())
                        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                let detail = (!text.is_empty()).then(|| ErrorBodyDetail::String(text.clone()));
                Self::from_status(
                    operation,
                    status,
                    detail,
                    request_id,
                    retry_after,
                    text,
                    key,
                )
            }
            E::CommunicationError(source)
            | E::ResponseBodyError(source)
            | E::InvalidUpgrade(source) => Self::transport(operation, source, timeout),
            E::InvalidRequest(reason) => Self::InvalidArgument {
                field: "request",
                reason,
            },
            E::Custom(_) => Self::MissingApiKey { operation },
        }
    }

    pub(crate) fn transport(
        operation: &'static str,
        source: reqwest::Error,
        timeout: Option<Duration>,
    ) -> Self {
        let host = source
            .url()
            .map(|url| match (url.host_str(), url.port_or_known_default()) {
                (Some(host), Some(port)) => format!("{host}:{port}"),
                (Some(host), None) => host.to_owned(),
                _ => url.to_string(),
            })
            .unwrap_or_else(|| "the server".to_owned());
        if source.is_timeout() || chain_has_io(&source, std::io::ErrorKind::TimedOut) {
            return Self::Timeout {
                operation,
                host,
                after: timeout,
                source,
            };
        }
        let reason = plain_reason(&source);
        if source.is_connect() {
            Self::Connect {
                operation,
                host,
                reason,
                source,
            }
        } else {
            Self::Transport {
                operation,
                host,
                reason,
                source,
            }
        }
    }

    fn from_status(
        operation: &'static str,
        status: StatusCode,
        detail: Option<ErrorBodyDetail>,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        body_snippet: String,
        key: Option<&str>,
    ) -> Self {
        let (detail, field_errors) = match detail {
            Some(ErrorBodyDetail::String(text)) => (shown(text.trim(), key), Vec::new()),
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
                                other => serde_json::to_string(other).unwrap_or_default(),
                            })
                            .collect(),
                        message: redact(&item.msg, key),
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
            // A shape a newer server may add (the type is non-exhaustive):
            // its JSON text.
            Some(other) => {
                let text = serde_json::to_string(&other).unwrap_or_default();
                (shown(&text, key), Vec::new())
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
            body_snippet: shown(&body_snippet, key),
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
}

/// Every error in the chain below `error`.
fn chain<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = vec![error];
    let mut next = error.source();
    while let Some(cause) = next {
        out.push(cause);
        next = cause.source();
    }
    out
}

fn chain_has_io(error: &reqwest::Error, kind: std::io::ErrorKind) -> bool {
    chain(error).iter().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
    })
}

/// What a transport error means, in plain words, from its whole chain.
fn plain_reason(error: &reqwest::Error) -> String {
    use std::io::ErrorKind as K;
    let causes = chain(error);
    for cause in &causes {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            match io.kind() {
                K::ConnectionRefused => return "connection refused".into(),
                K::ConnectionReset => return "reset by the server".into(),
                K::ConnectionAborted => return "aborted".into(),
                K::BrokenPipe => return "closed by the server while sending (broken pipe)".into(),
                K::UnexpectedEof => return "closed in the middle of the answer".into(),
                K::HostUnreachable | K::NetworkUnreachable => {
                    return "the host is unreachable".into();
                }
                _ => {}
            }
        }
    }
    for cause in &causes {
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>()
            && hyper.is_incomplete_message()
        {
            return "closed by the server before it answered".into();
        }
    }
    if error.is_body() || error.is_decode() {
        return "closed in the middle of the answer".into();
    }
    // No type tells these apart: DNS failures come as a plain I/O error
    // from the resolver, TLS ones from whichever TLS library is built in.
    let texts: Vec<String> = causes
        .iter()
        .map(|c| c.to_string().to_lowercase())
        .collect();
    let any = |needle: &str| texts.iter().any(|t| t.contains(needle));
    if any("dns error") || any("failed to lookup address") || any("name or service not known") {
        return "host not found (DNS lookup failed)".into();
    }
    if any("certificate") || any("tls") || any("handshake") {
        let detail = causes.last().map(ToString::to_string).unwrap_or_default();
        return format!("TLS handshake failed: {detail}");
    }
    // The innermost cause says most; fall back to it.
    causes
        .last()
        .map(ToString::to_string)
        .unwrap_or_else(|| error.to_string())
}

/// The path and message of the first decode failure of `bytes` as `T`.
fn decode_path<T: DeserializeOwned>(bytes: &[u8]) -> Option<(String, String)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => Some((e.path().to_string(), e.inner().to_string())),
        Ok(_) => None,
    }
}

/// An error of the generated client (from [`Client::api`](crate::Client::api))
/// as an SDK [`Error`]. Its `operation` reads `"request"`: the generated
/// error does not carry it. A decode error names the place in the body
/// only as serde's line and column.
impl From<token_bowl_chat_api::Error<ErrorBody>> for Error {
    fn from(error: token_bowl_chat_api::Error<ErrorBody>) -> Self {
        Self::map_api("request", error, None, None, |_| None)
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The start of a server's text as an error shows it: redacted (over a
/// bounded prefix, so a huge body costs nothing), then cut.
fn shown(text: &str, key: Option<&str>) -> String {
    let mut end = text.len().min(4 * SNIPPET_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    snippet(&redact(&text[..end], key))
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
            None,
        );
        assert_eq!(e.to_string(), "404 Not Found: User bob not found");
        assert!(matches!(e, Error::NotFound(_)));
    }
}
