//! The model: one OpenAI-compatible chat-completions endpoint, reached
//! through async-openai with our own retry policy under it.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

use async_openai::{
    Client as OpenAi,
    config::OpenAIConfig,
    error::OpenAIError,
    middleware::{HttpRequestFactory, ReqwestService},
    types::chat::{
        ChatCompletionRequestMessage, ChatCompletionRequestUserMessage,
        ChatCompletionResponseMessage, ChatCompletionToolChoiceOption, ChatCompletionTools,
        CompletionUsage, CreateChatCompletionRequest, FinishReason, ToolChoiceOptions,
    },
};
use serde::Deserialize;

use crate::{Error, config::ModelConfig};

/// The longest `Retry-After` the agent waits for; a longer one fails the
/// call (the person then gets the apology rather than a long silence).
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(120);

/// One answer of the model.
#[derive(Debug, Clone)]
pub struct Completion {
    /// The message (text and/or tool calls).
    pub message: ChatCompletionResponseMessage,
    /// Why it stopped, as the endpoint said.
    pub finish_reason: Option<FinishReason>,
    /// Token counts, when the endpoint gave them.
    pub usage: Option<CompletionUsage>,
    /// From the request's start to its answer, retries included.
    pub latency: Duration,
}

/// A model endpoint.
#[derive(Clone)]
pub struct Model {
    client: OpenAi<OpenAIConfig>,
    http: reqwest::Client,
    config: ModelConfig,
    retries: Arc<AtomicU64>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// A client for `config`'s endpoint (no request is sent yet).
    pub fn new(config: &ModelConfig) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("token-bowl-chat-agent/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the model's HTTP client: {e}")))?;
        let mut openai = OpenAIConfig::new().with_api_base(&config.base_url);
        if let Some(key) = &config.api_key {
            openai = openai.with_api_key(key);
        }
        let retries = Arc::new(AtomicU64::new(0));
        let policy = RetryPolicy {
            left: config.attempts.saturating_sub(1),
            next_delay: config.retry_base_delay,
            max_delay: config.max_retry_delay,
            retries: retries.clone(),
        };
        let service = tower::retry::Retry::new(policy, ReqwestService::new(http.clone()));
        let client = OpenAi::with_config(openai)
            .with_http_client(http.clone())
            .with_http_service(service);
        Ok(Self {
            client,
            http,
            config: config.clone(),
            retries,
        })
    }

    /// Its settings.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// How many requests were sent again (429, 5xx, failed connections).
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// The start-up check: the key is accepted and the model is known.
    /// Reads `GET /models`; where the endpoint has no such list, or lists
    /// models without a key (OpenRouter), a one-token completion decides.
    pub async fn check(&self) -> Result<(), Error> {
        let mut request = self.http.get(format!("{}/models", self.config.base_url));
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let answer = request.send().await.map_err(|e| {
            Error::Model(format!(
                "cannot reach the model endpoint {}: {e}",
                self.config.base_url
            ))
        })?;
        let status = answer.status().as_u16();
        let body = answer.text().await.unwrap_or_default();
        match status {
            401 | 403 => return Err(self.key_refused(status, &api_message(&body))),
            200..=299 => {
                #[derive(Deserialize)]
                struct List {
                    data: Vec<Entry>,
                }
                #[derive(Deserialize)]
                struct Entry {
                    id: String,
                }
                if let Ok(list) = serde_json::from_str::<List>(&body)
                    && !list.data.is_empty()
                    && !list.data.iter().any(|m| m.id == self.config.model)
                {
                    let mut ids: Vec<_> = list.data.into_iter().map(|m| m.id).collect();
                    ids.sort();
                    return Err(Error::UnknownModel {
                        model: self.config.model.clone(),
                        known: ids.into_iter().take(10).collect::<Vec<_>>().join(", "),
                    });
                }
                if !self.config.base_url.contains("openrouter.ai") {
                    return Ok(());
                }
            }
            _ => {}
        }
        self.check_with_completion().await
    }

    async fn check_with_completion(&self) -> Result<(), Error> {
        let request = CreateChatCompletionRequest {
            model: self.config.model.clone(),
            messages: vec![ChatCompletionRequestUserMessage::from("Say OK.").into()],
            ..Default::default()
        };
        let request = self.limit(request, 1);
        match self.client.chat().create(request).await {
            Ok(_) => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }

    /// One chat completion. `tools` are offered when not empty;
    /// `tool_choice_none` asks for text only (the last round of a turn).
    pub async fn complete(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        tools: &[ChatCompletionTools],
        tool_choice_none: bool,
    ) -> Result<Completion, Error> {
        let mut request = CreateChatCompletionRequest {
            model: self.config.model.clone(),
            messages,
            temperature: self.config.temperature,
            ..Default::default()
        };
        request = self.limit(request, self.config.max_answer_tokens);
        if !tools.is_empty() {
            request.tools = Some(tools.to_vec());
            if tool_choice_none {
                request.tool_choice = Some(ChatCompletionToolChoiceOption::Mode(
                    ToolChoiceOptions::None,
                ));
            }
        }
        let started = Instant::now();
        let response = self
            .client
            .chat()
            .create(request)
            .await
            .map_err(|e| self.error(e))?;
        let latency = started.elapsed();
        let usage = response.usage;
        let choice = response
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| Error::Model("the model answered without any choice".to_owned()))?;
        Ok(Completion {
            message: choice.message,
            finish_reason: choice.finish_reason,
            usage,
            latency,
        })
    }

    /// Sets the answer's length: as `max_tokens`, which every
    /// OpenAI-compatible server reads (OpenRouter, Ollama, vLLM, llama.cpp,
    /// LiteLLM), or as `max_completion_tokens` when asked (OpenAI's
    /// reasoning models accept only that one).
    #[allow(deprecated)]
    fn limit(
        &self,
        mut request: CreateChatCompletionRequest,
        tokens: u32,
    ) -> CreateChatCompletionRequest {
        if self.config.max_completion_tokens_field {
            request.max_completion_tokens = Some(tokens);
        } else {
            request.max_tokens = Some(tokens);
        }
        request
    }

    fn key_refused(&self, status: u16, message: &str) -> Error {
        Error::ModelKey {
            status,
            message: self.redact(message),
        }
    }

    /// Our error for one of async-openai's, with the key never in it.
    fn error(&self, e: OpenAIError) -> Error {
        match e {
            OpenAIError::ApiError(api) => {
                let status = api.status_code.as_u16();
                let message = self.redact(&api.api_error.message);
                let code = api.api_error.code.as_deref().unwrap_or_default();
                if status == 401 || status == 403 || code == "invalid_api_key" {
                    return self.key_refused(status, &message);
                }
                if status == 404 || code == "model_not_found" {
                    return Error::UnknownModel {
                        model: self.config.model.clone(),
                        known: message,
                    };
                }
                Error::Model(format!("the endpoint answered {status}: {message}"))
            }
            other => Error::Model(self.redact(&other.to_string())),
        }
    }

    fn redact(&self, text: &str) -> String {
        match &self.config.api_key {
            Some(key) if !key.is_empty() => text.replace(key.as_str(), "<key>"),
            _ => text.to_owned(),
        }
    }
}

/// The `message` of an OpenAI error body (`{"error": {"message": ..}}`), or
/// the body's start.
fn api_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

/// Tries 429, 5xx and failed connections again: after `Retry-After` (or
/// `retry-after-ms`) when the endpoint says, else after a doubling delay.
#[derive(Clone)]
struct RetryPolicy {
    left: u32,
    next_delay: Duration,
    max_delay: Duration,
    retries: Arc<AtomicU64>,
}

impl tower::retry::Policy<HttpRequestFactory, reqwest::Response, OpenAIError> for RetryPolicy {
    type Future = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

    fn retry(
        &mut self,
        _request: &mut HttpRequestFactory,
        result: &mut Result<reqwest::Response, OpenAIError>,
    ) -> Option<Self::Future> {
        if self.left == 0 {
            return None;
        }
        let backoff = self.next_delay.min(self.max_delay);
        let wait = match result {
            Ok(answer) if answer.status().as_u16() == 429 || answer.status().is_server_error() => {
                match retry_after(answer.headers(), SystemTime::now()) {
                    Some(wait) if wait > LONGEST_RETRY_AFTER => return None,
                    Some(wait) => wait,
                    None => backoff,
                }
            }
            Err(OpenAIError::Reqwest(e)) if e.is_connect() || e.is_timeout() => backoff,
            _ => return None,
        };
        self.left -= 1;
        self.next_delay = self.next_delay.saturating_mul(2);
        self.retries.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            wait_ms = wait.as_millis() as u64,
            "agent: the model endpoint asked for a retry"
        );
        Some(Box::pin(tokio::time::sleep(wait)))
    }

    fn clone_request(&mut self, request: &HttpRequestFactory) -> Option<HttpRequestFactory> {
        Some(request.clone())
    }
}

/// The wait an answer asks for: `retry-after-ms` (OpenAI's), or
/// `Retry-After` in seconds or as an HTTP date.
pub(crate) fn retry_after(
    headers: &reqwest::header::HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn retry_after_reads_seconds_dates_and_milliseconds() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(2)));
        h.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(now + Duration::from_secs(7))).unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(250)));
        let mut bad = HeaderMap::new();
        bad.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&bad, now), None);
    }

    #[test]
    fn an_error_message_never_carries_the_key() {
        let model =
            Model::new(&ModelConfig::new("http://127.0.0.1:9/v1", "m").api_key("sk-live-xyz"))
                .unwrap();
        assert_eq!(
            model.redact("bad key sk-live-xyz given"),
            "bad key <key> given"
        );
    }
}
