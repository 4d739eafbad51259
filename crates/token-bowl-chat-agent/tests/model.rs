//! The model client against the stand-in server (tests/support/standin.rs).

mod support;

use std::time::{Duration, Instant};

use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestUserMessage, FinishReason,
};
use support::standin::{Fault, Standin};
use token_bowl_chat_agent::{Error, Model, ModelConfig, tools::Tools};

const KEY: &str = "sk-standin-0123456789";

fn config(standin: &Standin, model: &str) -> ModelConfig {
    let mut c = ModelConfig::new(standin.url(), model).api_key(KEY);
    c.retry_base_delay = Duration::from_millis(50);
    c
}

fn user(text: &str) -> Vec<async_openai::types::chat::ChatCompletionRequestMessage> {
    vec![ChatCompletionRequestUserMessage::from(text).into()]
}

#[tokio::test]
async fn the_start_check_passes_with_a_good_key_and_model() {
    let s = Standin::start(KEY, &["tiny"], Duration::ZERO).await;
    Model::new(&config(&s, "tiny"))
        .unwrap()
        .check()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_wrong_key_is_one_clear_error_without_the_key() {
    let s = Standin::start(KEY, &["tiny"], Duration::ZERO).await;
    let mut c = config(&s, "tiny");
    c.api_key = Some("sk-wrong-secret-42".into());
    let e = Model::new(&c).unwrap().check().await.unwrap_err();
    assert!(matches!(e, Error::ModelKey { status: 401, .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("refused the key") && text.contains("OPENAI_API_KEY"),
        "{text}"
    );
    assert!(!text.contains("sk-wrong-secret-42"), "{text}");
}

#[tokio::test]
async fn an_unknown_model_is_named_with_the_models_offered() {
    let s = Standin::start(KEY, &["tiny", "small"], Duration::ZERO).await;
    let e = Model::new(&config(&s, "huge"))
        .unwrap()
        .check()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::UnknownModel { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the model endpoint does not know the model \"huge\" (small, tiny)"
    );
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after() {
    let s = Standin::start(KEY, &["tiny"], Duration::ZERO).await;
    s.fail_next(&[Fault::RateLimited(1)]);
    let model = Model::new(&config(&s, "tiny")).unwrap();
    let started = Instant::now();
    let done = model.complete(user("hi"), &[], false).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(done.message.content.as_deref(), Some("answer to: hi"));
    assert_eq!(model.retries(), 1);
    assert_eq!(s.completions().await.len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let s = Standin::start(KEY, &["tiny"], Duration::ZERO).await;
    s.fail_next(&[Fault::ServerError, Fault::Overloaded]);
    let model = Model::new(&config(&s, "tiny")).unwrap();
    let done = model.complete(user("hi"), &[], false).await.unwrap();
    assert_eq!(done.message.content.as_deref(), Some("answer to: hi"));
    assert_eq!(model.retries(), 2);

    s.fail_next(&[Fault::ServerError; 4]);
    let e = model.complete(user("hi"), &[], false).await.unwrap_err();
    assert!(e.to_string().contains("500"), "{e}");
    assert_eq!(s.completions().await.len(), 3 + 4, "4 attempts in all");
}

#[tokio::test]
async fn tool_calls_and_usage_are_read_from_the_real_shapes() {
    let s = Standin::start(KEY, &["tiny"], Duration::ZERO).await;
    let model = Model::new(&config(&s, "tiny")).unwrap();
    let tools = Tools::chat(true);
    let done = model
        .complete(
            user(r#"call:list_users {"x":1}"#),
            tools.definitions(),
            false,
        )
        .await
        .unwrap();
    assert_eq!(done.finish_reason, Some(FinishReason::ToolCalls));
    let calls = done.message.tool_calls.unwrap();
    let ChatCompletionMessageToolCalls::Function(call) = &calls[0] else {
        panic!("not a function call: {calls:?}");
    };
    assert_eq!(call.function.name, "list_users");
    assert_eq!(call.function.arguments, r#"{"x":1}"#);
    let usage = done.usage.unwrap();
    assert!(usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    let sent = &s.completions().await[0];
    assert_eq!(sent["tools"].as_array().unwrap().len(), 3);
    assert_eq!(sent["max_tokens"], 1024);
}
