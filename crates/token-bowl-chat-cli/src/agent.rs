//! `token-bowl agent run`: an LLM participant (the token-bowl-chat-agent
//! crate) on the bot runtime.

use std::{path::PathBuf, time::Duration};

use clap::{Args, Subcommand, ValueEnum};
use token_bowl_chat::{
    Client, RetryPolicy,
    bot::{Bot, FileStore, Report, RunningBot, Source},
};
use token_bowl_chat_agent::{
    Agent, AgentConfig, AnswerMode, BotDirectPolicy, ModelConfig, Prompt, Snapshot, memory,
};

use crate::{failure::Failure, output::Out};

/// LLM participants.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Join the chat as an LLM participant that answers through a model
    ///
    /// Any OpenAI-compatible chat-completions endpoint works (OpenAI,
    /// OpenRouter, Ollama, vLLM, a llama.cpp server, LiteLLM). Its key comes
    /// from OPENAI_API_KEY, or OPENROUTER_API_KEY for OpenRouter, and is
    /// never printed. A wrong key or an unknown model stops here, before
    /// the agent joins. Ctrl-C stops it cleanly and prints its statistics.
    Run(Box<RunArgs>),
}

/// Options of `agent run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The model, as the endpoint names it (e.g. openai/gpt-4o-mini on OpenRouter)
    #[arg(long, short = 'm')]
    model: String,
    /// System prompt: a text or a file. Placeholders: {name} (the bot's own
    /// name), {now}, {date}, {place}, {partner}
    #[arg(long, value_name = "TEXT_OR_FILE")]
    system_prompt: Option<String>,
    /// An instruction added on each turn: a text or a file (same placeholders)
    #[arg(long, value_name = "TEXT_OR_FILE")]
    instruction: Option<String>,
    /// Model endpoint [env: OPENAI_BASE_URL] [default: OpenRouter's API, openrouter.ai/api/v1]
    #[arg(long, value_name = "URL")]
    llm_url: Option<String>,
    /// Sampling temperature [default: the endpoint's]
    #[arg(long)]
    temperature: Option<f32>,
    /// Longest answer, in tokens
    #[arg(long, default_value_t = 1024)]
    max_tokens: u32,
    /// Send the answer length as max_completion_tokens (OpenAI's reasoning models)
    #[arg(long)]
    max_completion_tokens_field: bool,
    /// The model's context window in tokens (memory is trimmed to it, less the answer)
    #[arg(long, default_value_t = 32_768)]
    context_window: u32,
    /// An MCP server whose tools the model may call: a URL (streamable
    /// HTTP) or a command (stdio). Repeatable
    #[arg(long, value_name = "COMMAND_OR_URL")]
    mcp: Vec<String>,
    /// Do not offer the built-in chat tools (list users, read history, send a DM)
    #[arg(long)]
    no_chat_tools: bool,
    /// The most tool rounds per turn
    #[arg(long, default_value_t = 4)]
    max_tool_rounds: u32,
    /// Take messages as webhook deliveries on ADDR (e.g. 127.0.0.1:8080)
    /// instead of real time; sets your webhook_url while it runs
    #[arg(long, value_name = "ADDR")]
    webhook: Option<String>,
    /// The URL the server should post to [default: the listener's own]
    #[arg(long, value_name = "URL", requires = "webhook")]
    webhook_url: Option<String>,
    /// Which room messages to answer (direct messages are always answered)
    #[arg(long, value_enum, default_value = "mentions")]
    answer: Answer,
    /// Direct messages to a bot account (the server refuses a bot's DMs)
    #[arg(long, value_enum, default_value = "skip")]
    bot_dm: BotDm,
    /// Seconds of quiet in a conversation before a turn (messages meanwhile
    /// are answered together)
    #[arg(long, default_value = "1.5", value_parser = seconds)]
    batch_window: Duration,
    /// Replies before a cooldown (0: no cooldown)
    #[arg(long, default_value_t = 0)]
    cooldown_replies: u32,
    /// Length of a cooldown, in seconds
    #[arg(long, default_value = "600", value_parser = seconds)]
    cooldown: Duration,
    /// Replies to one partner per minute at most (the bot runtime's budget)
    #[arg(long, default_value_t = 10)]
    reply_budget: u32,
    /// A reply this similar (0-1) to a recent one is not sent; the model is
    /// asked once more (0: off)
    #[arg(long, default_value_t = 0.85)]
    similarity_threshold: f64,
    /// Messages kept per conversation (before the token budget)
    #[arg(long, default_value_t = 200)]
    max_history: usize,
    /// Model requests tried at most (429, 5xx and lost connections are tried again)
    #[arg(long, default_value_t = 4)]
    attempts: u32,
    /// First wait between tries, seconds (doubled each time; Retry-After wins)
    #[arg(long, default_value = "1", value_parser = seconds)]
    retry_base_delay: Duration,
    /// Longest wait between tries, seconds
    #[arg(long, default_value = "30", value_parser = seconds)]
    max_retry_delay: Duration,
    /// Seconds one model request may take
    #[arg(long, default_value = "120", value_parser = seconds)]
    llm_timeout: Duration,
    /// What a person gets when the model keeps failing
    #[arg(
        long,
        default_value = "Sorry, I cannot answer right now; please try again later."
    )]
    apology: String,
    /// The bot's state file [default: ~/.local/state/token-bowl/bots/NAME.jsonl]
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// The conversations file [default: beside the state file, NAME.agent.json]
    #[arg(long, value_name = "FILE")]
    memory: Option<PathBuf>,
    /// Print statistics every N minutes (they are printed at exit anyway)
    #[arg(long, value_name = "MINUTES", value_parser = minutes)]
    stats_every: Option<Duration>,
    /// Seconds a stop waits for running turns
    #[arg(long, default_value = "30", value_parser = seconds)]
    shutdown_deadline: Duration,
}

/// `--answer`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Answer {
    /// Mentions of the bot
    Mentions,
    /// Every room message
    All,
}

/// `--bot-dm`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum BotDm {
    /// Do not answer; warn
    Skip,
    /// Answer in the room, with a mention of the sender
    Room,
}

fn seconds(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("{text:?} is not a number of seconds")),
    }
}

fn minutes(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(m) if m.is_finite() && m > 0.0 => Ok(Duration::from_secs_f64(m * 60.0)),
        _ => Err(format!("{text:?} is not a positive number of minutes")),
    }
}

/// Runs `agent` commands.
pub async fn run(command: AgentCommand, client: &Client, out: &Out) -> Result<(), Failure> {
    let AgentCommand::Run(args) = command;
    // Warnings (a failing model, a bot account's DMs) show without -v.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("token_bowl_chat=warn,token_bowl_chat_agent=warn")
        .with_writer(std::io::stderr)
        .try_init();
    // A long-running bot retries like the SDK does, not like one command.
    let client = client.with_retry(RetryPolicy::default());
    let config = config(&args)?;
    let agent = Agent::start(config, client.clone(), &args.mcp)
        .await
        .map_err(|e| match e {
            token_bowl_chat_agent::Error::Chat(e) => Failure::Api(e),
            other => Failure::Failed(other.to_string()),
        })?;
    let mut bot = agent
        .attach(Bot::new(client))
        .reply_budget(args.reply_budget.max(1), Duration::from_secs(60))
        .shutdown_deadline(args.shutdown_deadline);
    if let Some(state) = &args.state {
        bot = bot.store(FileStore::new(state));
    }
    let source = match (&args.webhook, &args.webhook_url) {
        (Some(addr), Some(url)) => Source::webhook(addr).register(url),
        (Some(addr), None) => Source::webhook(addr).register_local(),
        _ => Source::realtime(),
    };
    let running = bot.start(source).await?;
    announce(&agent, &args, &running);
    let progress = running.progress();
    let report = wait(running, &agent, out, args.stats_every).await;
    agent.shutdown(args.shutdown_deadline).await;
    print_stats(out, &agent.stats().with_bot(&progress.tally()))?;
    report.map(drop).map_err(Failure::Api)
}

fn config(args: &RunArgs) -> Result<AgentConfig, Failure> {
    let prompt =
        |value: &str| Prompt::text_or_file(value).map_err(|e| Failure::Usage(e.to_string()));
    let mut model = ModelConfig::from_env(args.llm_url.as_deref(), &args.model);
    model.temperature = args.temperature;
    model.max_answer_tokens = args.max_tokens;
    model.max_completion_tokens_field = args.max_completion_tokens_field;
    model.context_window = args.context_window;
    model.attempts = args.attempts;
    model.retry_base_delay = args.retry_base_delay;
    model.max_retry_delay = args.max_retry_delay;
    model.timeout = args.llm_timeout;
    let mut config = AgentConfig::new(model);
    if let Some(p) = &args.system_prompt {
        config.system_prompt = prompt(p)?;
    }
    config.instruction = args.instruction.as_deref().map(prompt).transpose()?;
    config.answer = match args.answer {
        Answer::Mentions => AnswerMode::Mentions,
        Answer::All => AnswerMode::All,
    };
    config.bot_direct = match args.bot_dm {
        BotDm::Skip => BotDirectPolicy::Skip,
        BotDm::Room => BotDirectPolicy::Room,
    };
    config.batch_window = args.batch_window;
    config.max_tool_rounds = args.max_tool_rounds;
    config.cooldown_replies = args.cooldown_replies;
    config.cooldown = args.cooldown;
    config.similarity_threshold = args.similarity_threshold;
    config.max_history = args.max_history;
    config.apology = args.apology.clone();
    config.chat_tools = !args.no_chat_tools;
    config.memory_path = args
        .memory
        .clone()
        .or_else(|| args.state.as_deref().map(memory::path_beside));
    config
        .validate()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(config)
}

fn announce(agent: &Agent, args: &RunArgs, running: &RunningBot) {
    let source = running.webhook_url().map_or_else(
        || "real time".to_owned(),
        |url| format!("webhooks at {url}"),
    );
    let tools = agent.tool_names();
    eprintln!(
        "{} joined ({source}): model {} at {}; answering direct messages and {}; tools: {}; memory {}",
        agent.me(),
        args.model,
        ModelConfig::from_env(args.llm_url.as_deref(), "").base_url,
        match args.answer {
            Answer::Mentions => "mentions",
            Answer::All => "every room message",
        },
        if tools.is_empty() {
            "none".to_owned()
        } else {
            tools.join(", ")
        },
        agent.memory_path().display(),
    );
    for note in agent.notes() {
        eprintln!("note: {note}");
    }
}

/// Runs until the bot stops, printing statistics every `every`.
async fn wait(
    running: RunningBot,
    agent: &Agent,
    out: &Out,
    every: Option<Duration>,
) -> Result<Report, token_bowl_chat::Error> {
    let progress = running.progress();
    let stopped = running.wait();
    tokio::pin!(stopped);
    let Some(every) = every else {
        return stopped.await;
    };
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            report = &mut stopped => return report,
            _ = ticks.tick() => {
                if let Err(e) = print_stats(out, &agent.stats().with_bot(&progress.tally())) {
                    eprintln!("cannot print statistics: {e:?}");
                }
            }
        }
    }
}

fn print_stats(out: &Out, stats: &Snapshot) -> Result<(), Failure> {
    if out.json() {
        out.line(&stats.json())?;
    } else {
        out.line(&stats.text())?;
    }
    Ok(())
}
