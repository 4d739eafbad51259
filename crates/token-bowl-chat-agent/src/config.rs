//! What an agent is told: its model, prompts, when to answer, its limits.

use std::{fmt, path::PathBuf, time::Duration};

use chrono::{DateTime, Utc};

use crate::Error;

/// OpenRouter's API, the default model endpoint when neither `--llm-url`
/// nor `OPENAI_BASE_URL` says otherwise.
pub const OPENROUTER_URL: &str = "https://openrouter.ai/api/v1";

/// The model endpoint: any OpenAI-compatible chat-completions API.
#[derive(Clone)]
pub struct ModelConfig {
    /// Base URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    /// The model's name as the endpoint knows it.
    pub model: String,
    /// The endpoint's key (never printed; `Debug` shows only whether it is set).
    pub api_key: Option<String>,
    /// Sampling temperature (the endpoint's default when `None`).
    pub temperature: Option<f32>,
    /// The longest answer, in tokens (sent as `max_tokens`).
    pub max_answer_tokens: u32,
    /// The model's context window in tokens; memory is trimmed to this less
    /// the answer.
    pub context_window: u32,
    /// How many times a request is sent at most (429, 5xx and failed
    /// connections are tried again).
    pub attempts: u32,
    /// The first wait between attempts; doubled each time (a `Retry-After`
    /// from the endpoint wins).
    pub retry_base_delay: Duration,
    /// The longest wait between attempts.
    pub max_retry_delay: Duration,
    /// How long one request may take.
    pub timeout: Duration,
    /// Send the answer length as `max_completion_tokens` (OpenAI's newer
    /// name, required by its reasoning models) instead of `max_tokens`.
    pub max_completion_tokens_field: bool,
}

impl fmt::Debug for ModelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("temperature", &self.temperature)
            .field("max_answer_tokens", &self.max_answer_tokens)
            .field("context_window", &self.context_window)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl ModelConfig {
    /// `model` at `base_url` with the defaults: 1024-token answers, a
    /// 32,768-token window, 4 attempts 1 s..30 s apart, 120 s per request.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            model: model.into(),
            api_key: None,
            temperature: None,
            max_answer_tokens: 1024,
            context_window: 32_768,
            attempts: 4,
            retry_base_delay: Duration::from_secs(1),
            max_retry_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(120),
            max_completion_tokens_field: false,
        }
    }

    /// The key to send as `Authorization: Bearer`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The endpoint from the environment: `url` if given, else
    /// `OPENAI_BASE_URL`, else OpenRouter; the key from `OPENAI_API_KEY`,
    /// or `OPENROUTER_API_KEY` for OpenRouter.
    pub fn from_env(url: Option<&str>, model: impl Into<String>) -> Self {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let base = url
            .map(str::to_owned)
            .or_else(|| env("OPENAI_BASE_URL"))
            .unwrap_or_else(|| OPENROUTER_URL.to_owned());
        let key = if base.contains("openrouter.ai") {
            env("OPENROUTER_API_KEY").or_else(|| env("OPENAI_API_KEY"))
        } else {
            env("OPENAI_API_KEY")
        };
        let mut config = Self::new(base, model);
        config.api_key = key;
        config
    }
}

/// A prompt: its text, or a file holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt(pub String);

impl Prompt {
    /// `value` is a path to an existing file: its contents; otherwise the
    /// text itself. An unreadable file is an error naming it.
    pub fn text_or_file(value: &str) -> Result<Self, Error> {
        let path = std::path::Path::new(value);
        if value.len() < 4096 && path.is_file() {
            return std::fs::read_to_string(path)
                .map(Self)
                .map_err(|e| Error::Config(format!("cannot read the prompt file {value}: {e}")));
        }
        Ok(Self(value.to_owned()))
    }

    /// The text with its placeholders filled: `{name}` the bot's own name,
    /// `{now}` the current time (UTC, RFC 3339), `{date}` today's date,
    /// `{place}` where the conversation is (`the room` or `a direct
    /// conversation with NAME`), `{partner}` the partner (empty in the room).
    pub fn render(&self, name: &str, place: &crate::Place, now: DateTime<Utc>) -> String {
        let (where_, partner) = match place {
            crate::Place::Room => ("the room".to_owned(), ""),
            crate::Place::Direct(who) => {
                (format!("a direct conversation with {who}"), who.as_str())
            }
        };
        self.0
            .replace("{name}", name)
            .replace(
                "{now}",
                &now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
            .replace("{date}", &now.format("%Y-%m-%d").to_string())
            .replace("{place}", &where_)
            .replace("{partner}", partner)
    }
}

/// The default system prompt.
pub const DEFAULT_SYSTEM_PROMPT: &str = "You are {name}, a participant in a group chat \
(Token Bowl). Lines from others come as `name: text`. Answer briefly and helpfully, in \
plain text, as {name}. It is now {now}; you are in {place}.";

/// Which room messages the agent answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnswerMode {
    /// Mentions of the bot (and every direct message).
    #[default]
    Mentions,
    /// Every room message (and every direct message).
    All,
}

/// What an account of role `bot` does with a direct message (server 2.0.1
/// answers `403` when a bot sends one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BotDirectPolicy {
    /// Do not answer; log a warning.
    #[default]
    Skip,
    /// Answer in the room, starting with a mention of the sender.
    Room,
}

/// Everything an agent needs besides its model and its client.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The model endpoint.
    pub model: ModelConfig,
    /// The system prompt (placeholders as in [`Prompt::render`]).
    pub system_prompt: Prompt,
    /// An instruction added to the system prompt on each turn.
    pub instruction: Option<Prompt>,
    /// Which room messages get an answer.
    pub answer: AnswerMode,
    /// Direct messages to a `bot` account.
    pub bot_direct: BotDirectPolicy,
    /// How long to wait for more messages of a conversation before a turn
    /// starts (messages that arrive meanwhile, and while the model thinks,
    /// are answered together).
    pub batch_window: Duration,
    /// The most model calls per turn that may ask for tools.
    pub max_tool_rounds: u32,
    /// After this many replies (over all conversations) the agent pauses...
    pub cooldown_replies: u32,
    /// ...for this long. Zero: no cooldown.
    pub cooldown: Duration,
    /// A reply at least this similar (0..1) to one of the recent replies in
    /// its conversation is not sent; the model is asked once more.
    pub similarity_threshold: f64,
    /// How many recent replies per conversation are compared.
    pub recent_replies: usize,
    /// The most messages kept per conversation (before the token budget).
    pub max_history: usize,
    /// What the person gets when the model keeps failing.
    pub apology: String,
    /// Where the conversations are kept across restarts (`None`: beside the
    /// bot's store, `<username>.agent.json`).
    pub memory_path: Option<PathBuf>,
    /// The built-in chat tools (list users, read history, send a DM).
    pub chat_tools: bool,
}

impl AgentConfig {
    /// Defaults around `model`.
    pub fn new(model: ModelConfig) -> Self {
        Self {
            model,
            system_prompt: Prompt(DEFAULT_SYSTEM_PROMPT.to_owned()),
            instruction: None,
            answer: AnswerMode::Mentions,
            bot_direct: BotDirectPolicy::Skip,
            batch_window: Duration::from_millis(1500),
            max_tool_rounds: 4,
            cooldown_replies: 0,
            cooldown: Duration::ZERO,
            similarity_threshold: 0.85,
            recent_replies: 5,
            max_history: 200,
            apology: "Sorry, I cannot answer right now; please try again later.".to_owned(),
            memory_path: None,
            chat_tools: true,
        }
    }

    /// Checks the numbers; a wrong one is an error naming it.
    pub fn validate(&self) -> Result<(), Error> {
        let m = &self.model;
        if m.model.trim().is_empty() {
            return Err(Error::Config("the model name is empty".into()));
        }
        if !(m.base_url.starts_with("http://") || m.base_url.starts_with("https://")) {
            return Err(Error::Config(format!(
                "the model URL {:?} is not an http(s) URL",
                m.base_url
            )));
        }
        if m.max_answer_tokens == 0 || m.context_window <= m.max_answer_tokens {
            return Err(Error::Config(format!(
                "the context window ({}) must be larger than the answer length ({})",
                m.context_window, m.max_answer_tokens
            )));
        }
        if !(0.0..=1.0).contains(&self.similarity_threshold) {
            return Err(Error::Config(format!(
                "the similarity threshold {} is not between 0 and 1",
                self.similarity_threshold
            )));
        }
        if m.attempts == 0 {
            return Err(Error::Config("model attempts must be at least 1".into()));
        }
        if self.apology.trim().is_empty() {
            return Err(Error::Config("the apology is empty".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_fills_its_placeholders() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let p = Prompt("I am {name} at {now} on {date} in {place} with {partner}.".into());
        assert_eq!(
            p.render("ada", &crate::Place::Direct("bob".into()), now),
            "I am ada at 2026-12-07T10:00:00Z on 2026-12-07 in a direct conversation with bob with bob."
        );
        assert_eq!(
            Prompt("{place}".into()).render("ada", &crate::Place::Room, now),
            "the room"
        );
    }

    #[test]
    fn a_prompt_is_read_from_a_file_when_one_is_named() {
        let dir = std::env::temp_dir().join(format!("tb-agent-prompt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("p.md");
        std::fs::write(&file, "from the file").unwrap();
        let p = Prompt::text_or_file(file.to_str().unwrap()).unwrap();
        assert_eq!(p.0, "from the file");
        assert_eq!(Prompt::text_or_file("just text").unwrap().0, "just text");
    }

    #[test]
    fn the_key_is_not_in_debug() {
        let c = ModelConfig::new("http://x/v1", "m").api_key("sk-secret-123");
        let shown = format!("{c:?}");
        assert!(!shown.contains("sk-secret"), "{shown}");
        assert!(shown.contains("<set>"));
    }

    #[test]
    fn bad_numbers_are_named() {
        let mut c = AgentConfig::new(ModelConfig::new("http://x/v1", "m"));
        c.model.context_window = 100;
        c.model.max_answer_tokens = 200;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("context window (100)"), "{e}");
        let c = AgentConfig::new(ModelConfig::new("ftp://x", "m"));
        assert!(c.validate().unwrap_err().to_string().contains("ftp://x"));
    }
}
