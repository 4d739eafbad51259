//! A stand-in OpenAI-compatible model server for tests and benches.
//!
//! Its answers have the shapes of the real API, taken from the OpenAI API
//! reference (the chat completion object: `id`, `object:
//! "chat.completion"`, `created`, `model`, `choices[{index, message:{role,
//! content, tool_calls[{id, type:"function", function:{name, arguments}}]},
//! finish_reason}]`, `usage{prompt_tokens, completion_tokens,
//! total_tokens}`; the model list `{object:"list", data:[{id, object:
//! "model", created, owned_by}]}`; error bodies `{error:{message, type,
//! param, code}}` with codes `invalid_api_key`, `model_not_found`,
//! `rate_limit_exceeded`) and from the `openai` Python package's types
//! (`openai/types/chat/chat_completion.py`, `chat_completion_message.py`,
//! `chat_completion_message_function_tool_call.py`,
//! `openai/types/completion_usage.py`), which also check it as a client
//! (tests/python_client.rs).
//!
//! What it says:
//! - a request whose last message is from a tool: `tool result: <content>`;
//! - with tools offered, a last user line holding `call:NAME {json}`: a
//!   call of NAME with those arguments (`finish_reason: "tool_calls"`);
//! - otherwise `answer to: ` and the user lines since the last assistant
//!   message, joined by ` | ` (so a test sees what one turn covered);
//! - with `repeat` set, always the same sentence.
//!
//! Faults queued with [`Standin::fail_next`] answer the next completions.

#![allow(dead_code)]

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

/// A fault for the next completion request.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// 429 with `Retry-After: seconds`.
    RateLimited(u64),
    /// 500 with OpenAI's server-error body.
    ServerError,
    /// 503, as a gateway says when the model is overloaded.
    Overloaded,
}

#[derive(Debug)]
struct State {
    key: String,
    models: Vec<String>,
    delay: Duration,
    faults: Mutex<VecDeque<Fault>>,
    repeat: Mutex<bool>,
    /// Print `completion <unix ms>` on stdout as each completion arrives
    /// (for benches).
    log: std::sync::atomic::AtomicBool,
}

/// A running stand-in.
pub struct Standin {
    server: MockServer,
    state: Arc<State>,
}

impl Standin {
    /// Starts one that accepts `key`, knows `models`, and takes `delay` per
    /// completion.
    pub async fn start(key: &str, models: &[&str], delay: Duration) -> Self {
        Self::start_on(None, key, models, delay).await
    }

    /// As [`start`](Self::start), on `listener` when given.
    pub async fn start_on(
        listener: Option<std::net::TcpListener>,
        key: &str,
        models: &[&str],
        delay: Duration,
    ) -> Self {
        let state = Arc::new(State {
            key: key.to_owned(),
            models: models.iter().map(|m| (*m).to_owned()).collect(),
            delay,
            faults: Mutex::new(VecDeque::new()),
            repeat: Mutex::new(false),
            log: std::sync::atomic::AtomicBool::new(false),
        });
        let server = match listener {
            Some(l) => MockServer::builder().listener(l).start().await,
            None => MockServer::start().await,
        };
        Mock::given(any())
            .respond_with(Responder(state.clone()))
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// Its base URL (`http://127.0.0.1:PORT/v1`).
    pub fn url(&self) -> String {
        format!("{}/v1", self.server.uri())
    }

    /// Queues faults for the next completion requests.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.state
            .faults
            .lock()
            .unwrap()
            .extend(faults.iter().cloned());
    }

    /// Always answers the same sentence (for anti-repetition).
    pub fn repeat(&self, yes: bool) {
        *self.state.repeat.lock().unwrap() = yes;
    }

    /// Prints `completion <unix ms>` as each completion request arrives.
    pub fn log_arrivals(&self, yes: bool) {
        self.state
            .log
            .store(yes, std::sync::atomic::Ordering::Relaxed);
    }

    /// The completion requests it received, as JSON bodies.
    pub async fn completions(&self) -> Vec<Value> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path().ends_with("/chat/completions"))
            .filter_map(|r| serde_json::from_slice(&r.body).ok())
            .collect()
    }
}

struct Responder(Arc<State>);

fn error(status: u16, message: &str, kind: &str, code: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": {"message": message, "type": kind, "param": null, "code": code}
    }))
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if auth != format!("Bearer {}", state.key) {
            return error(
                401,
                "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
                "invalid_request_error",
                Some("invalid_api_key"),
            );
        }
        let path = request.url.path();
        if request.method.as_str() == "GET" && path.ends_with("/models") {
            let data: Vec<Value> = state
                .models
                .iter()
                .map(|m| json!({"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "standin"}))
                .collect();
            return ResponseTemplate::new(200)
                .set_body_json(json!({"object": "list", "data": data}));
        }
        if request.method.as_str() != "POST" || !path.ends_with("/chat/completions") {
            return error(
                404,
                &format!("Unknown request URL: {} {path}", request.method),
                "invalid_request_error",
                Some("unknown_url"),
            );
        }
        if state.log.load(std::sync::atomic::Ordering::Relaxed) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            println!("completion {}", now.as_millis());
        }
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return error(
                400,
                "We could not parse the JSON body of your request.",
                "invalid_request_error",
                None,
            );
        };
        let model = body["model"].as_str().unwrap_or_default();
        if !state.models.iter().any(|m| m == model) {
            return error(
                404,
                &format!("The model `{model}` does not exist or you do not have access to it."),
                "invalid_request_error",
                Some("model_not_found"),
            );
        }
        if let Some(fault) = state.faults.lock().unwrap().pop_front() {
            return match fault {
                Fault::RateLimited(secs) => error(
                    429,
                    "Rate limit reached for requests",
                    "requests",
                    Some("rate_limit_exceeded"),
                )
                .insert_header("retry-after", secs.to_string().as_str()),
                Fault::ServerError => error(
                    500,
                    "The server had an error while processing your request. Sorry about that!",
                    "server_error",
                    None,
                ),
                Fault::Overloaded => error(
                    503,
                    "The engine is currently overloaded, please try again later",
                    "server_error",
                    None,
                ),
            };
        }
        let repeat = *state.repeat.lock().unwrap();
        ResponseTemplate::new(200)
            .set_body_json(completion(&body, model, repeat))
            .set_delay(state.delay)
    }
}

/// The answer to one request (see the module docs).
fn completion(body: &Value, model: &str, repeat: bool) -> Value {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let text_of = |m: &Value| match &m["content"] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let prompt_chars: usize = messages.iter().map(|m| text_of(m).len()).sum();
    let last = messages.last().cloned().unwrap_or(Value::Null);
    let has_tools = body["tools"].as_array().is_some_and(|t| !t.is_empty())
        && body["tool_choice"] != json!("none");
    let mut tool_call = None;
    let content = if repeat {
        "I like turtles very much, they are my favourite animal.".to_owned()
    } else if last["role"] == "tool" {
        format!("tool result: {}", text_of(&last))
    } else {
        let since: Vec<String> = messages
            .iter()
            .rev()
            .take_while(|m| m["role"] != "assistant")
            .filter(|m| m["role"] == "user")
            .map(text_of)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if has_tools && let Some(at) = since.last().and_then(|t| t.find("call:")) {
            let call = &since.last().unwrap()[at + 5..];
            let (name, args) = call.split_once(' ').unwrap_or((call, "{}"));
            tool_call = Some((name.to_owned(), args.trim().to_owned()));
        }
        format!("answer to: {}", since.join(" | "))
    };
    let (message, finish) = match tool_call {
        Some((name, args)) => (
            json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": [
                {"id": "call_standin_1", "type": "function", "function": {"name": name, "arguments": args}}
            ]}),
            "tool_calls",
        ),
        None => (
            json!({"role": "assistant", "content": content, "refusal": null}),
            "stop",
        ),
    };
    let prompt_tokens = prompt_chars / 4 + 4 * messages.len();
    let completion_tokens = content.len() / 4 + 1;
    json!({
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens
        },
        "system_fingerprint": null
    })
}
