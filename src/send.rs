//! How every generated `send()` runs (the codegen crate's rewrite wraps
//! each one in [`attempts`]): the request is built and sent anew for each
//! attempt, inside one `token_bowl_request` span, and a [`Retry`] rule in
//! the client's state decides whether a failed attempt is made again. An
//! error answer is read whole inside its attempt ([`error_value`],
//! [`unexpected`]), so a body cut short is a failure of that attempt; so
//! is a JSON answer ([`answer`]), decoded once after the attempts
//! ([`decoded`]). Each attempt builds its request out of line ([`build`])
//! and sends it with [`execute`], whose future holds little more than
//! reqwest's own. Both keep the stack frame of the attempts' poll small:
//! it is on the stack while reqwest and hyper run beneath it, and every
//! byte of it is memory each call touches.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
    time::{Duration, Instant},
};

use progenitor_client::OperationInfo;
use reqwest::{ResponseBuilderExt as _, StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::{API_KEY_HEADER, Client, Error, Execute, Operation, ResponseValue, requires_api_key};

/// How an attempt failed, as a [`Retry`] rule reads it.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The server answered with an error status, or one the operation does
    /// not list.
    Answer {
        /// The answer's status.
        status: StatusCode,
        /// The answer's headers (`Retry-After`, ...).
        headers: &'a HeaderMap,
    },
    /// The connection failed before, while or after the request was sent,
    /// or the answer's body was cut short.
    Failed(&'a reqwest::Error),
}

/// Decides whether a failed attempt is made again: set one with
/// [`ClientState::with_retry`](crate::ClientState::with_retry). Without
/// one, each request is sent once.
pub trait Retry: fmt::Debug + Send + Sync + 'static {
    /// The wait before attempt `attempt + 1` of `operation`, whose attempt
    /// number `attempt` (from 1) ended in `outcome`; `None` ends the
    /// attempts with that outcome.
    fn wait(&self, operation: &Operation, attempt: u32, outcome: Outcome<'_>) -> Option<Duration>;
}

/// The span of one attempt. Method and path are recorded by the client's
/// executor, if it has one, and so are status and duration.
fn attempt_span(operation: &'static str, attempt: u32) -> tracing::Span {
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

/// Runs `attempt` (which builds, sends and reads one request) until it
/// succeeds or the client's [`Retry`] rule says to stop.
pub(crate) async fn attempts<T, E, Fut>(
    client: &Client,
    operation: &'static Operation,
    attempt: impl Fn() -> Fut,
) -> Result<ResponseValue<T>, Error<E>>
where
    Fut: Future<Output = Result<ResponseValue<T>, Error<E>>>,
{
    let mut n: u32 = 0;
    loop {
        n += 1;
        let span = attempt_span(operation.id, n);
        // The attempt's result is gone before the wait (a block of its
        // own), so the future has no room for it beside the attempt's.
        let wait = {
            // Instrumenting costs a wrapper per poll; without a subscriber
            // that wants the span there is nothing to attribute. (Boxing
            // the attempt's future costs more copying and misses than the
            // smaller futures above it save: the attempt is still made on
            // the stack and then moved.)
            let result = if span.is_disabled() {
                attempt().await
            } else {
                attempt().instrument(span.clone()).await
            };
            let (Some(rule), Err(error)) = (&client.inner.retry, &result) else {
                return result;
            };
            match retry_wait(&**rule, operation, n, error) {
                Some(wait) => wait,
                None => return result,
            }
        };
        pause(&span, wait).await;
    }
}

/// A JSON answer's status, headers (moved out, not copied) and body, read
/// whole inside its attempt; [`decoded`] makes the value after the
/// attempts. The attempts pass these few words up, not the decoded value,
/// so their poll's stack frame has no room for it at each level.
///
/// Not an `async fn`, and the body read by [`reqwest::Response::chunk`]
/// rather than `bytes()`: the future then holds the response once, not
/// three times (`bytes()` nests two `async fn`s that each keep it).
pub(crate) fn answer<E>(
    mut response: reqwest::Response,
) -> impl Future<Output = Result<ResponseValue<bytes::Bytes>, Error<E>>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    async move {
        let body = crate::body(&mut response)
            .await
            .map_err(|e| Error::ResponseBodyError(crate::with_url(e, &response)))?;
        Ok(ResponseValue::new(body, status, headers))
    }
}

/// The attempts' answer ([`answer`]) decoded as `T`, or their error as it
/// was. Out of line: the decoder's room is in this call's stack frame,
/// which is gone before the next call.
#[inline(never)]
#[allow(
    clippy::result_large_err,
    reason = "progenitor's `Error`, which the generated `send()` returns as it is"
)]
pub(crate) fn decoded<T: DeserializeOwned + fmt::Debug, E>(
    answer: Result<ResponseValue<bytes::Bytes>, Error<E>>,
) -> Result<ResponseValue<T>, Error<E>> {
    let answer = answer?;
    match serde_json::from_slice::<T>(&answer) {
        Ok(value) => answer.map(|_| value),
        Err(e) => Err(Error::InvalidResponsePayload(answer.into_inner(), e)),
    }
}

/// Builds an attempt's request by calling `build`: out of line, so that
/// the builders' temporaries take room in this call's stack frame, which
/// is gone when the request is sent, not in the frame of the attempt's
/// poll, which stays on the stack while reqwest and hyper run beneath it.
#[inline(never)]
#[allow(
    clippy::result_large_err,
    reason = "progenitor's `Error`, which the generated `send()` returns as it is"
)]
pub(crate) fn build<E>(
    build: impl FnOnce() -> Result<(reqwest::Request, OperationInfo), Error<E>>,
) -> Result<(reqwest::Request, OperationInfo), Error<E>> {
    build()
}

/// Sends an attempt's request: adds the API key (an error, before
/// anything is sent, if the operation needs one and none is set), tells
/// the client's executor, and hands the request to reqwest. Not an `async
/// fn`: the request is consumed here, so the future ([`Sent`]) holds only
/// reqwest's own and what the executor wants back.
#[allow(
    clippy::result_large_err,
    reason = "progenitor's `Error`, which the generated `send()` returns as it is"
)]
pub(crate) fn execute<'a, E>(
    client: &'a Client,
    mut request: reqwest::Request,
    info: &OperationInfo,
) -> Result<impl Future<Output = reqwest::Result<reqwest::Response>> + 'a, Error<E>> {
    authorize(client, &mut request, info)?;
    let after = match &client.inner.executor {
        Some(executor) => {
            let started = executor.before(&mut request, info.operation_id);
            Some((&**executor, started))
        }
        None => None,
    };
    Ok(Sent {
        pending: client.client.execute(request),
        after,
    })
}

/// Puts the client's API key on `request`; without one, an operation that
/// needs it fails here.
#[allow(
    clippy::result_large_err,
    reason = "progenitor's `Error`, which the `pre` hook returns as it is"
)]
pub(crate) fn authorize<E>(
    client: &Client,
    request: &mut reqwest::Request,
    info: &OperationInfo,
) -> Result<(), Error<E>> {
    match client.inner.credentials.header_value() {
        Some(key) => {
            request.headers_mut().insert(API_KEY_HEADER, key);
            Ok(())
        }
        None if requires_api_key(info.operation_id) => Err(no_api_key(info.operation_id)),
        None => Ok(()),
    }
}

/// An answer's status code, and the answer: taken and given back by value,
/// so that the attempt reading it does not borrow it, and its future does
/// not keep room for it while the body is read.
pub(crate) fn status(response: reqwest::Response) -> (u16, reqwest::Response) {
    (response.status().as_u16(), response)
}

/// The error of an operation that needs an API key when none is set.
#[cold]
#[inline(never)]
fn no_api_key<E>(operation_id: &str) -> Error<E> {
    Error::Custom(format!("`{operation_id}` needs an API key and none is set"))
}

/// A request on its way ([`execute`]): reqwest's future, and the executor
/// to tell how it ended, with what its `before` returned.
struct Sent<'a, F> {
    /// `reqwest::Pending`, which reqwest does not name.
    pending: F,
    after: Option<(&'a dyn Execute, Option<Instant>)>,
}

impl<F: Future<Output = reqwest::Result<reqwest::Response>> + Unpin> Future for Sent<'_, F> {
    type Output = reqwest::Result<reqwest::Response>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = ready!(Pin::new(&mut self.pending).poll(cx));
        if let Some((executor, started)) = self.after.take() {
            executor.after(&result, started);
        }
        Poll::Ready(result)
    }
}

/// The wait before the attempt after `n`, which ended in `error`, if
/// `rule` makes one. Out of line: only a failed attempt gets here.
#[cold]
#[inline(never)]
fn retry_wait<E>(
    rule: &dyn Retry,
    operation: &'static Operation,
    n: u32,
    error: &Error<E>,
) -> Option<Duration> {
    let outcome = match error {
        Error::ErrorResponse(answer) => Outcome::Answer {
            status: answer.status(),
            headers: answer.headers(),
        },
        Error::UnexpectedResponse(answer) => Outcome::Answer {
            status: answer.status(),
            headers: answer.headers(),
        },
        Error::CommunicationError(failure) | Error::ResponseBodyError(failure) => {
            Outcome::Failed(failure)
        }
        _ => return None,
    };
    rule.wait(operation, n, outcome)
}

/// The wait before a retry, boxed, so that every call's future does not
/// carry a timer it almost never uses.
#[cold]
#[inline(never)]
fn pause(span: &tracing::Span, wait: Duration) -> Pin<Box<tokio::time::Sleep>> {
    tracing::debug!(parent: span, wait_ms = wait.as_millis() as u64, "retrying");
    Box::pin(tokio::time::sleep(wait))
}

/// One attempt, for a request whose body (a `reqwest::Body`, perhaps a
/// stream) cannot be sent twice.
pub(crate) async fn once<T, E, Fut>(
    operation: &'static Operation,
    attempt: impl FnOnce() -> Fut,
) -> Result<ResponseValue<T>, Error<E>>
where
    Fut: Future<Output = Result<ResponseValue<T>, Error<E>>>,
{
    let span = attempt_span(operation.id, 1);
    if span.is_disabled() {
        attempt().await
    } else {
        attempt().instrument(span).await
    }
}

/// An error answer read whole: `ErrorResponse` when its body is the
/// documented error body, else `UnexpectedResponse` holding the body it
/// came with (a proxy's HTML 502, a `text/plain` 500, an empty 503), which
/// [`reqwest::Response::text`] still reads.
///
/// Boxed and out of line: an error answer is rare, and its reading is no
/// part of every call's future.
#[cold]
#[inline(never)]
pub(crate) fn error_value<E: DeserializeOwned>(
    response: reqwest::Response,
) -> Pin<Box<impl Future<Output = Error<E>>>> {
    Box::pin(async move {
        match Whole::read(response).await {
            Ok(whole) => match serde_json::from_slice::<E>(&whole.body) {
                Ok(body) => {
                    Error::ErrorResponse(ResponseValue::new(body, whole.status, whole.headers))
                }
                Err(_) => Error::UnexpectedResponse(whole.into_response()),
            },
            Err(failure) => Error::ResponseBodyError(failure),
        }
    })
}

/// An answer with a status the operation does not list, read whole (boxed
/// and out of line, like [`error_value`]).
#[cold]
#[inline(never)]
pub(crate) fn unexpected<E>(
    response: reqwest::Response,
) -> Pin<Box<impl Future<Output = Error<E>>>> {
    Box::pin(async move {
        match Whole::read(response).await {
            Ok(whole) => Error::UnexpectedResponse(whole.into_response()),
            Err(failure) => Error::ResponseBodyError(failure),
        }
    })
}

/// An answer read whole: its parts (headers moved out) and its body.
struct Whole {
    status: StatusCode,
    version: reqwest::Version,
    url: reqwest::Url,
    headers: HeaderMap,
    body: bytes::Bytes,
}

impl Whole {
    /// Reads the body. One cut short is an error that names the server's
    /// URL, like any other transport error.
    async fn read(mut response: reqwest::Response) -> reqwest::Result<Self> {
        let status = response.status();
        let version = response.version();
        let url = response.url().clone();
        let headers = std::mem::take(response.headers_mut());
        match response.bytes().await {
            Ok(body) => Ok(Self {
                status,
                version,
                url,
                headers,
                body,
            }),
            Err(e) if e.url().is_none() => Err(e.with_url(url)),
            Err(e) => Err(e),
        }
    }

    /// A response again, its body in memory.
    fn into_response(self) -> reqwest::Response {
        let mut answer = http::Response::new(self.body);
        *answer.status_mut() = self.status;
        *answer.version_mut() = self.version;
        *answer.headers_mut() = self.headers;
        // It keeps its URL, which reqwest's `ResponseBuilderExt` holds in
        // an extension; without one, reqwest parses a placeholder URL.
        if let Some(extensions) = http::Response::builder().url(self.url).extensions_mut() {
            *answer.extensions_mut() = std::mem::take(extensions);
        }
        reqwest::Response::from(answer)
    }
}

/// What the generated client makes of an error answer, for fuzzing and
/// tests outside this crate: see [`error_value`].
#[doc(hidden)]
pub async fn read_error_answer<E: DeserializeOwned>(response: reqwest::Response) -> Error<E> {
    error_value(response).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_keeps_status_and_headers_and_decodes_after() {
        let made = http::Response::builder()
            .status(201)
            .header("x-request-id", "r-1")
            .body(r#"{"detail":"made"}"#)
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let read = runtime.block_on(answer::<()>(reqwest::Response::from(made)));
        let value: ResponseValue<crate::types::ErrorBody> = decoded(read).unwrap();
        assert_eq!(value.status(), reqwest::StatusCode::CREATED);
        assert_eq!(value.headers()["x-request-id"], "r-1");
        assert_eq!(
            serde_json::to_value(value.into_inner()).unwrap(),
            serde_json::json!({"detail": "made"})
        );
        let bad = http::Response::builder().status(200).body("{").unwrap();
        let read = runtime.block_on(answer::<()>(reqwest::Response::from(bad)));
        let err = decoded::<crate::types::ErrorBody, ()>(read).unwrap_err();
        assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err}");
        // An error of the attempts passes through as it was.
        let failed = decoded::<crate::types::ErrorBody, ()>(Err(Error::Custom("cut".into())));
        assert!(matches!(failed, Err(Error::Custom(m)) if m == "cut"));
    }
}
