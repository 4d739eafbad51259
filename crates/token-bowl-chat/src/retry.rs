//! Retries, timeouts, tracing. One retry loop, [`with_retries`], runs the
//! attempts of every request: the SDK's own calls build the request anew
//! for each attempt and send it through a send-once executor
//! ([`Mode::Once`]); the generated client that
//! [`Client::api`](crate::Client::api) hands out has an executor that sends
//! a copy of its request for each attempt ([`Mode::Retrying`]). Both read
//! an attempt's outcome the same way and wait as [`RetryPolicy`] says.

use std::{
    future::Future,
    time::{Duration, Instant, SystemTime},
};

use reqwest::{
    Method, ResponseBuilderExt as _, StatusCode,
    header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT},
};
use token_bowl_chat_api::{Execute, ExecuteFuture, types::ErrorBody};
use tracing::Instrument;

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

/// The SDK's [`Execute`]: timeout, user agent, retries and one tracing span
/// per attempt. Error responses leave it with a JSON `ErrorBody`: a body that
/// is not one (a `text/plain` 500, a proxy's HTML 502, an empty 503) is
/// wrapped as `{"detail": <its text>}`, so the generated client always
/// answers an error status with `Error::ErrorResponse`, which carries the
/// status and headers.
#[derive(Debug, Clone)]
pub(crate) struct Executor {
    pub policy: RetryPolicy,
    pub timeout: Option<Duration>,
    /// Whether the `reqwest::Client` is the one the SDK built, which applies
    /// `timeout` itself: requests then do not carry it, which spares each
    /// an allocation (reqwest keeps a per-request timeout in an extension).
    pub client_is_ours: bool,
    /// The `User-Agent` to add, unless the `reqwest::Client` sends it (the
    /// one the SDK builds does) or the request has one.
    pub user_agent: Option<HeaderValue>,
    /// Whether this executor retries, or sends once for a caller that does.
    pub mode: Mode,
}

/// How an [`Executor`] treats a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Retries by itself, keeping a copy of the request for the next
    /// attempt, and reads every body inside the attempt: for the generated
    /// client that [`Client::api`](crate::Client::api) hands out.
    Retrying,
    /// One attempt, for the SDK's own calls, which retry by building the
    /// request again (so nothing is copied up front). A success passes
    /// through unread; the generated client reads it.
    Once,
}

impl Execute for Executor {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a> {
        match self.mode {
            Mode::Retrying => Box::pin(self.run(client, request, operation_id)),
            Mode::Once => Box::pin(self.once(client, request)),
        }
    }
}

impl Executor {
    /// The timeout and `User-Agent` a client passed in does not add itself.
    fn prepare(&self, request: &mut reqwest::Request) {
        if !self.client_is_ours && request.timeout().is_none() {
            *request.timeout_mut() = self.timeout;
        }
        if let Some(agent) = &self.user_agent
            && !request.headers().contains_key(USER_AGENT)
        {
            request.headers_mut().insert(USER_AGENT, agent.clone());
        }
    }

    /// One attempt, in the caller's `token_bowl_request` span (see
    /// [`attempt_span`]), which gets the method, path, status and duration.
    /// An error answer is read whole and its body made an `ErrorBody` (see
    /// [`read_whole`]); a success is handed on unread.
    async fn once(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        self.prepare(&mut request);
        let span = tracing::Span::current();
        let ours = span
            .metadata()
            .is_some_and(|m| m.name() == "token_bowl_request");
        let started = ours.then(|| {
            span.record("method", tracing::field::display(request.method()));
            span.record("path", request.url().path());
            trace_body(&span, &request);
            Instant::now()
        });
        let result = match client.execute(request).await {
            Ok(response) if is_error(response.status()) => read_whole(response).await,
            other => other,
        };
        if let Some(started) = started {
            record_outcome(&span, &result, started);
        }
        result
    }

    async fn run(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        self.prepare(&mut request);
        let idempotent = is_idempotent(operation, request.method());
        let retries = self.policy.max_retries;
        let mut pending = Some(request);
        let attempt = |attempt: u32, span: tracing::Span| {
            let request = pending
                .take()
                .expect("an attempt is made again only with a copy of the request");
            // A copy for the next attempt while one is left (the body is
            // shared, not copied).
            if attempt <= retries {
                pending = request.try_clone();
            }
            let again = pending.is_some();
            async move {
                if !span.is_disabled() {
                    span.record("method", tracing::field::display(request.method()));
                    span.record("path", request.url().path());
                    trace_body(&span, &request);
                }
                let started = Instant::now();
                // The whole answer, body included, is read here: a
                // connection that dies mid-body is then a failure of this
                // attempt, retried like any other, and the timeout bounds
                // the body too.
                let result = match client.execute(request).await {
                    Ok(response) => read_whole(response).await,
                    Err(e) => Err(e),
                };
                record_outcome(&span, &result, started);
                (result, again)
            }
        };
        with_retries(
            &self.policy,
            operation,
            idempotent,
            attempt,
            |result| match result {
                Ok(response) => Outcome::Answer(response.status(), response.headers()),
                Err(e) => Outcome::Failed(e),
            },
        )
        .await
    }
}

/// What an attempt ended in, as the retry rules read it.
pub(crate) enum Outcome<'a> {
    /// Nothing to retry: a success, or a failure no rule retries.
    Done,
    /// An answer, with its status and headers.
    Answer(StatusCode, &'a HeaderMap),
    /// The connection failed, before, while or after the request was sent.
    Failed(&'a reqwest::Error),
}

/// The one retry loop, for the SDK's calls (which build the request again
/// for each attempt) and the executor of [`Client::api`](crate::Client::api)
/// (which sends a copy). `attempt(n, span)` makes attempt `n` (from 1)
/// inside its `token_bowl_request` span and says whether another can be
/// made; `outcome` reads its result. An attempt is repeated, after the
/// wait the [`RetryPolicy`] gives for that outcome, while retries are left.
pub(crate) async fn with_retries<R, A, Fut>(
    policy: &RetryPolicy,
    operation: &'static str,
    idempotent: bool,
    mut attempt: A,
    outcome: impl Fn(&R) -> Outcome<'_>,
) -> R
where
    A: FnMut(u32, tracing::Span) -> Fut,
    Fut: Future<Output = (R, bool)>,
{
    let mut n: u32 = 0;
    loop {
        n += 1;
        let span = attempt_span(operation, n);
        let future = attempt(n, span.clone());
        // Instrumenting costs a wrapper per poll; without a subscriber
        // that wants the span there is nothing to attribute.
        let (result, again) = if span.is_disabled() {
            future.await
        } else {
            future.instrument(span.clone()).await
        };
        let wait = if again && n <= policy.max_retries {
            match outcome(&result) {
                Outcome::Done => None,
                Outcome::Answer(status, headers) => {
                    policy.wait_for_status(idempotent, status, headers, n)
                }
                Outcome::Failed(error) => policy.wait_for_failure(idempotent, error, n),
            }
        } else {
            None
        };
        match wait {
            Some(wait) => {
                tracing::debug!(parent: &span, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
            }
            None => return result,
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

/// 4xx and 5xx.
fn is_error(status: StatusCode) -> bool {
    status.is_client_error() || status.is_server_error()
}

/// The span of one attempt. Method and path are recorded by the executor,
/// status and duration when the answer is in.
pub(crate) fn attempt_span(operation: &'static str, attempt: u32) -> tracing::Span {
    tracing::debug_span!(
        "token_bowl_request",
        operation,
        method = tracing::field::Empty,
        path = tracing::field::Empty,
        attempt,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    )
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

/// Marks an error response whose body the executor wrapped: its `detail`
/// is the whole original text.
pub(crate) const WRAPPED_BODY: &str = "x-token-bowl-wrapped-body";

/// The response with its whole body read, and an error response's body
/// made the `ErrorBody` JSON the generated client expects: kept when it
/// already is one, else `{"detail": text}` (`{}` for an empty body), marked
/// with [`WRAPPED_BODY`]. Status, version and headers are kept.
pub(crate) async fn read_whole(
    mut response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let url = response.url().clone();
    let mut headers = std::mem::take(response.headers_mut());
    // Chunk by chunk: a body that comes in one piece (most do) is kept as
    // it is, with no buffer to gather it in. A body cut short names the
    // server, like any other transport error.
    let mut first: Option<bytes::Bytes> = None;
    let mut gathered: Option<bytes::BytesMut> = None;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) if e.url().is_none() => return Err(e.with_url(url)),
            Err(e) => return Err(e),
        };
        match (&mut gathered, first.take()) {
            (Some(buffer), _) => buffer.extend_from_slice(&chunk),
            (None, None) => first = Some(chunk),
            (None, Some(earlier)) => {
                let mut buffer = bytes::BytesMut::with_capacity(earlier.len() + chunk.len());
                buffer.extend_from_slice(&earlier);
                buffer.extend_from_slice(&chunk);
                gathered = Some(buffer);
            }
        }
    }
    let bytes = match gathered {
        Some(buffer) => buffer.freeze(),
        None => first.unwrap_or_default(),
    };
    let body = if !is_error(status) || serde_json::from_slice::<ErrorBody>(&bytes).is_ok() {
        bytes
    } else {
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim();
        let wrapped = if text.is_empty() {
            serde_json::json!({})
        } else {
            serde_json::json!({ "detail": text })
        };
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(WRAPPED_BODY, HeaderValue::from_static("1"));
        headers.remove(CONTENT_LENGTH);
        bytes::Bytes::from(wrapped.to_string())
    };
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    // It keeps its URL (reqwest's `ResponseBuilderExt` holds it in an
    // extension); without one, reqwest parses a placeholder URL for every
    // response.
    let mut with_url = http::Response::builder().url(url);
    if let Some(extensions) = with_url.extensions_mut() {
        *rebuilt.extensions_mut() = std::mem::take(extensions);
    }
    Ok(reqwest::Response::from(rebuilt))
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
