//! Retries, timeouts, tracing. The attempts of every request run in the
//! generated client's one loop (`token_bowl_chat_api::Retry`), which
//! builds the request anew for each; [`RetryPolicy`] is the rule it
//! follows, and [`Executor`] adds the timeout, the `User-Agent` and the
//! tracing fields of each attempt.

use std::time::{Duration, Instant, SystemTime};

use reqwest::{
    Method, StatusCode,
    header::{HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT},
};
use token_bowl_chat_api::{Execute, Operation, Outcome, Retry};

/// When and how often a failed request is tried again.
///
/// The default: 2 retries, exponential backoff from 0.5 s doubling up to 8 s,
/// each wait cut by a random 0–25 % (jitter); `Retry-After` (seconds or an
/// HTTP date) is honoured when it asks for at most 60 s. Retried: connection
/// failures, timeouts, 408, 429, 502, 503 and 504, and only for requests that
/// are safe to repeat (see [`is_idempotent`]). A message send is never
/// re-sent, unless it provably never ran: the connection could not be made,
/// or an HTTP/2 server refused the stream (`REFUSED_STREAM`, or a graceful
/// `GOAWAY` before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a request may be retried (after the first attempt).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry; it doubles for each next one.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest backoff wait.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The longest `Retry-After` honoured; a longer one ends the retries and
    /// the error carries it ([`Error::retry_after`](crate::Error::retry_after)).
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The backoff before retry number `retry` (0-based), with jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(30));
        let wait = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        wait.mul_f64(1.0 - 0.25 * fastrand::f64())
    }
}

/// Statuses worth retrying: 408, 429, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// Whether a request may be sent again automatically: what the operation
/// table says ([`Operation::idempotent`](token_bowl_chat_api::Operation):
/// GET, HEAD, OPTIONS, PUT, DELETE, and the POSTs that are idempotent by
/// nature, marking read and typing); for an operation it does not know,
/// by the method alone. Sending a message, registering, creating a bot or
/// conversation never are.
pub fn is_idempotent(operation: &str, method: &Method) -> bool {
    match token_bowl_chat_api::Operation::find(operation) {
        Some(op) => op.idempotent,
        None => matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        ),
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The rule the generated client's attempts follow (see
/// [`token_bowl_chat_api::Retry`]): the attempts of every request, the
/// SDK's calls and those of [`Client::api`](crate::Client::api) alike, run
/// in the API crate's one loop, which builds the request anew for each.
impl Retry for RetryPolicy {
    fn wait(&self, operation: &Operation, attempt: u32, outcome: Outcome<'_>) -> Option<Duration> {
        if attempt > self.max_retries {
            return None;
        }
        match outcome {
            Outcome::Answer { status, headers } => {
                self.wait_for_status(operation.idempotent, status, headers, attempt)
            }
            Outcome::Failed(error) => self.wait_for_failure(operation.idempotent, error, attempt),
        }
    }
}

/// The SDK's [`Execute`]: the timeout and `User-Agent` a client passed in
/// does not add itself, and the method, path, status and duration of each
/// attempt in its `token_bowl_request` span.
#[derive(Debug, Clone)]
pub(crate) struct Executor {
    pub timeout: Option<Duration>,
    /// Whether the `reqwest::Client` is the one the SDK built, which applies
    /// `timeout` itself: requests then do not carry it, which spares each
    /// an allocation (reqwest keeps a per-request timeout in an extension).
    pub client_is_ours: bool,
    /// The `User-Agent` to add, unless the `reqwest::Client` sends it (the
    /// one the SDK builds does) or the request has one.
    pub user_agent: Option<HeaderValue>,
}

impl Execute for Executor {
    /// The timeout and `User-Agent` a client passed in does not add itself;
    /// the method, path (and the body, at TRACE) into the attempt's
    /// `token_bowl_request` span (made by the generated client), when a
    /// subscriber records it.
    fn before(
        &self,
        request: &mut reqwest::Request,
        _operation_id: &'static str,
    ) -> Option<Instant> {
        if !self.client_is_ours && request.timeout().is_none() {
            *request.timeout_mut() = self.timeout;
        }
        if let Some(agent) = &self.user_agent
            && !request.headers().contains_key(USER_AGENT)
        {
            request.headers_mut().insert(USER_AGENT, agent.clone());
        }
        // The attempt's span is a DEBUG span: when no subscriber wants
        // DEBUG it is disabled, and there is nothing to look up or record.
        if !tracing::level_enabled!(tracing::Level::DEBUG) {
            return None;
        }
        let span = tracing::Span::current();
        let ours = span
            .metadata()
            .is_some_and(|m| m.name() == "token_bowl_request");
        ours.then(|| {
            span.record("method", tracing::field::display(request.method()));
            span.record("path", request.url().path());
            trace_body(&span, request);
            Instant::now()
        })
    }

    /// The status and duration into the span, and a DEBUG event.
    fn after(&self, result: &reqwest::Result<reqwest::Response>, started: Option<Instant>) {
        if let Some(started) = started {
            record_outcome(&tracing::Span::current(), result, started);
        }
    }
}

impl RetryPolicy {
    /// The wait before retrying an answer with `status` (after attempt
    /// number `attempt`, 1-based), or `None` when it is not retried: only
    /// retryable statuses of requests safe to repeat, honouring a
    /// `Retry-After` up to the cap.
    pub(crate) fn wait_for_status(
        &self,
        idempotent: bool,
        status: StatusCode,
        headers: &HeaderMap,
        attempt: u32,
    ) -> Option<Duration> {
        if !idempotent || !is_retryable_status(status) {
            return None;
        }
        match retry_after(headers) {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempt - 1)),
        }
    }

    /// The wait before retrying after a failure of the connection, or
    /// `None`. A request that is safe to repeat is repeated after any
    /// failure: refused, reset, closed before the answer (a stale pooled
    /// connection), cut mid-body, timed out. One that is not only when it
    /// never ran: no connection was made, or HTTP/2 refused it.
    pub(crate) fn wait_for_failure(
        &self,
        idempotent: bool,
        error: &reqwest::Error,
        attempt: u32,
    ) -> Option<Duration> {
        (idempotent || error.is_connect() || is_refused_by_http2(error))
            .then(|| self.backoff(attempt - 1))
    }
}

/// The request body at TRACE level, with the key redacted.
fn trace_body(span: &tracing::Span, request: &reqwest::Request) {
    if let Some(body) = request.body().and_then(|b| b.as_bytes())
        && tracing::enabled!(tracing::Level::TRACE)
    {
        let key = request
            .headers()
            .get(token_bowl_chat_api::API_KEY_HEADER)
            .and_then(|v| v.to_str().ok());
        let body = crate::redact::redact(&String::from_utf8_lossy(body), key);
        tracing::trace!(parent: span, %body, "request body");
    }
}

/// Status and duration into the span, and a DEBUG event for the answer.
fn record_outcome(
    span: &tracing::Span,
    result: &reqwest::Result<reqwest::Response>,
    started: Instant,
) {
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.record("duration_ms", elapsed_ms);
    match result {
        Ok(response) => {
            span.record("status", response.status().as_u16());
            tracing::debug!(
                parent: span,
                status = response.status().as_u16(),
                duration_ms = elapsed_ms,
                "response"
            )
        }
        Err(error) => {
            tracing::debug!(parent: span, %error, duration_ms = elapsed_ms, "request failed")
        }
    }
}

/// Whether an HTTP/2 server turned the request away before processing it:
/// the stream was refused (`REFUSED_STREAM`) or the connection was shut
/// down gracefully (`GOAWAY` with `NO_ERROR`) before it. Either way the
/// request never ran, so any request may be sent again (RFC 9113, 8.7).
fn is_refused_by_http2(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(h2) = cause.downcast_ref::<h2::Error>() {
            let reason = h2.reason();
            return h2.is_remote()
                && ((h2.is_go_away() && reason == Some(h2::Reason::NO_ERROR))
                    || (h2.is_reset() && reason == Some(h2::Reason::REFUSED_STREAM)));
        }
        source = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_policy() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries, 2);
        assert_eq!(p.initial_backoff, Duration::from_millis(500));
        assert_eq!(p.max_backoff, Duration::from_secs(8));
        assert_eq!(p.max_retry_after, Duration::from_secs(60));
        assert_eq!(RetryPolicy::none().max_retries, 0);
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered_within_25_percent() {
        let p = RetryPolicy::default();
        for (retry, nominal) in [
            (0, 500),
            (1, 1000),
            (2, 2000),
            (4, 8000),
            (10, 8000),
            (40, 8000),
        ] {
            let samples: Vec<Duration> = (0..200).map(|_| p.backoff(retry)).collect();
            let nominal = Duration::from_millis(nominal);
            assert!(
                samples
                    .iter()
                    .all(|s| *s <= nominal && *s >= nominal.mul_f64(0.75))
            );
            // Jitter really varies: 200 draws are not all the same.
            assert!(samples.iter().any(|s| *s != samples[0]));
            let mean = samples.iter().sum::<Duration>() / 200;
            assert!(
                mean > nominal.mul_f64(0.82) && mean < nominal.mul_f64(0.93),
                "{mean:?}"
            );
        }
    }

    #[test]
    fn only_safe_requests_are_idempotent() {
        assert!(is_idempotent("get_messages", &Method::GET));
        assert!(is_idempotent("delete_bot", &Method::DELETE));
        assert!(is_idempotent("mark_message_as_read", &Method::POST));
        assert!(is_idempotent("send_typing_indicator", &Method::POST));
        assert!(!is_idempotent("send_message", &Method::POST));
        assert!(!is_idempotent("register_user", &Method::POST));
        assert!(!is_idempotent("create_bot", &Method::POST));
        assert!(!is_idempotent("create_conversation", &Method::POST));
        assert!(!is_idempotent("update_my_username", &Method::PATCH));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(30);
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28),
            "{wait:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn retryable_statuses() {
        for code in [408, 429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(code).unwrap()));
        }
        for code in [400, 401, 404, 409, 422, 500, 501] {
            assert!(!is_retryable_status(StatusCode::from_u16(code).unwrap()));
        }
    }
}
