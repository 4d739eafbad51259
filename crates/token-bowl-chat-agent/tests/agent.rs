//! The agent on the bot runtime, offline: a stand-in chat server (shaped
//! from the real server's recorded traffic) that delivers through the
//! bot's webhook receiver, and the stand-in model.

mod support;

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use serde_json::Value;
use support::{
    chat::{Chat, message},
    standin::{Fault, Standin},
};
use token_bowl_chat::{
    Client,
    bot::{Bot, MemoryStore, RunningBot, Source},
};
use token_bowl_chat_agent::{Agent, AgentConfig, BotDirectPolicy, ModelConfig, Snapshot};

const KEY: &str = "sk-agent-test";

struct Harness {
    chat: Chat,
    model: Standin,
    agent: Agent,
    bot: RunningBot,
    hook: String,
    http: reqwest::Client,
}

fn memory_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tb-agent-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("agent.agent.json")
}

async fn start(
    chat: Chat,
    model: Standin,
    memory: PathBuf,
    tune: impl FnOnce(&mut AgentConfig),
) -> Harness {
    let client = Client::builder()
        .base_url(chat.server.uri())
        .api_key("e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60")
        .use_env(false)
        .build()
        .unwrap();
    let mut config = AgentConfig::new(ModelConfig::new(model.url(), "tiny").api_key(KEY));
    config.batch_window = Duration::from_millis(300);
    config.memory_path = Some(memory);
    config.model.retry_base_delay = Duration::from_millis(20);
    tune(&mut config);
    let agent = Agent::start(config, client.clone(), &[]).await.unwrap();
    let bot = agent
        .attach(Bot::new(client).store(MemoryStore).handle_signals(false))
        .start(Source::webhook("127.0.0.1:0"))
        .await
        .unwrap();
    let hook = bot.webhook_url().unwrap();
    Harness {
        chat,
        model,
        agent,
        bot,
        hook,
        http: reqwest::Client::new(),
    }
}

async fn harness(
    role: &str,
    delay: Duration,
    name: &str,
    tune: impl FnOnce(&mut AgentConfig),
) -> Harness {
    let chat = Chat::start("agent", role).await;
    let model = Standin::start(KEY, &["tiny"], delay).await;
    start(chat, model, memory_file(name), tune).await
}

impl Harness {
    /// Delivers a message as the server's webhook does.
    async fn deliver(&self, from: &str, direct: bool, text: &str) {
        let m = message(from, direct.then_some("agent"), text);
        let answer = self.http.post(&self.hook).json(&m).send().await.unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
    }

    async fn stop(self) -> (Chat, Standin, Snapshot) {
        self.bot.stop_handle().stop();
        self.bot.wait().await.unwrap();
        assert!(self.agent.shutdown(Duration::from_secs(10)).await);
        (self.chat, self.model, self.agent.stats())
    }
}

fn content(m: &Value) -> &str {
    m["content"].as_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_quick_messages_get_one_answer() {
    let h = harness("member", Duration::from_millis(200), "burst", |_| {}).await;
    for i in 1..=5 {
        h.deliver("ann", true, &format!("part {i}")).await;
    }
    let sent = h.chat.wait_sent(1, 10).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (chat, model, stats) = h.stop().await;
    assert_eq!(chat.sent().len(), 1, "{:?}", chat.sent());
    assert_eq!(
        content(&sent[0]),
        "answer to: ann: part 1 | ann: part 2 | ann: part 3 | ann: part 4 | ann: part 5"
    );
    assert_eq!(sent[0]["to_username"], "ann");
    assert_eq!(model.completions().await.len(), 1);
    assert_eq!(
        (stats.messages_in, stats.messages_out, stats.turns),
        (5, 1, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_sent_while_the_model_thinks_are_answered_together_next() {
    let h = harness("member", Duration::from_millis(1500), "thinking", |_| {}).await;
    h.deliver("ann", true, "first").await;
    tokio::time::sleep(Duration::from_millis(800)).await; // the turn has started
    for text in ["second", "third", "fourth"] {
        h.deliver("ann", true, text).await;
    }
    let sent = h.chat.wait_sent(2, 15).await;
    let (_, model, _) = h.stop().await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(content(&sent[0]), "answer to: ann: first");
    assert_eq!(
        content(&sent[1]),
        "answer to: ann: second | ann: third | ann: fourth"
    );
    let second = &model.completions().await[1];
    let roles: Vec<_> = second["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "user", "user", "user"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_talk_is_context_and_only_a_mention_is_answered() {
    let h = harness("member", Duration::ZERO, "room", |_| {}).await;
    h.deliver("ann", false, "the match is at 8").await;
    h.deliver("bob", false, "I will bring snacks").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(h.chat.sent().is_empty(), "no mention, no answer");
    h.deliver("cid", false, "@agent when is the match?").await;
    let sent = h.chat.wait_sent(1, 10).await;
    let (_, _, stats) = h.stop().await;
    assert_eq!(
        content(&sent[0]),
        "answer to: ann: the match is at 8 | bob: I will bring snacks | cid: @agent when is the match?"
    );
    assert_eq!(sent[0]["to_username"], Value::Null, "answered in the room");
    assert_eq!(stats.messages_in, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cooldown_pauses_the_next_answer() {
    let h = harness("member", Duration::ZERO, "cooldown", |c| {
        c.cooldown_replies = 1;
        c.cooldown = Duration::from_secs(2);
    })
    .await;
    h.deliver("ann", true, "one").await;
    h.chat.wait_sent(1, 10).await;
    let first = Instant::now();
    h.deliver("bob", true, "two").await;
    let sent = h.chat.wait_sent(2, 10).await;
    assert!(
        first.elapsed() >= Duration::from_millis(1800),
        "{:?}",
        first.elapsed()
    );
    assert_eq!(content(&sent[1]), "answer to: bob: two");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_answer_is_asked_again_then_held_back() {
    let h = harness("member", Duration::ZERO, "repeat", |_| {}).await;
    h.model.repeat(true);
    h.deliver("ann", true, "hi").await;
    h.chat.wait_sent(1, 10).await;
    h.deliver("ann", true, "hi again").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (chat, model, stats) = h.stop().await;
    assert_eq!(chat.sent().len(), 1, "the repeat was not sent");
    assert_eq!(model.completions().await.len(), 3, "asked once more");
    assert_eq!(stats.repeats_suppressed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_model_leaves_the_apology() {
    let h = harness("member", Duration::ZERO, "apology", |c| {
        c.model.attempts = 2;
        c.apology = "Sorry, my model is down.".into();
    })
    .await;
    h.model.fail_next(&[Fault::ServerError, Fault::Overloaded]);
    h.deliver("ann", true, "hello?").await;
    let sent = h.chat.wait_sent(1, 10).await;
    let (_, _, stats) = h.stop().await;
    assert_eq!(content(&sent[0]), "Sorry, my model is down.");
    assert_eq!(
        (stats.errors, stats.apologies, stats.model_retries),
        (1, 1, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_account_answers_direct_messages_in_the_room_or_skips_them() {
    let h = harness("bot", Duration::ZERO, "bot-room", |c| {
        c.bot_direct = BotDirectPolicy::Room
    })
    .await;
    assert!(
        h.agent.notes()[0].contains("answered in the room"),
        "{:?}",
        h.agent.notes()
    );
    assert!(
        !h.agent
            .tool_names()
            .contains(&"send_direct_message".to_owned())
    );
    h.deliver("ann", true, "psst").await;
    let sent = h.chat.wait_sent(1, 10).await;
    h.stop().await;
    assert_eq!(content(&sent[0]), "@ann answer to: ann: psst");
    assert_eq!(sent[0]["to_username"], Value::Null);

    let h = harness("bot", Duration::ZERO, "bot-skip", |_| {}).await;
    assert!(
        h.agent.notes()[0].contains("not answered"),
        "{:?}",
        h.agent.notes()
    );
    h.deliver("ann", true, "psst").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (chat, _, stats) = h.stop().await;
    assert!(chat.sent().is_empty());
    assert_eq!(stats.skipped, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_survives_a_restart() {
    let file = memory_file("restart");
    let chat = Chat::start("agent", "member").await;
    let model = Standin::start(KEY, &["tiny"], Duration::ZERO).await;
    let h = start(chat, model, file.clone(), |_| {}).await;
    h.deliver("ann", true, "my number is 7").await;
    h.chat.wait_sent(1, 10).await;
    let (chat, model, _) = h.stop().await;
    assert!(file.is_file());

    let h = start(chat, model, file, |_| {}).await;
    h.deliver("ann", true, "what is my number?").await;
    h.chat.wait_sent(2, 10).await;
    let (_, model, _) = h.stop().await;
    let asked = &model.completions().await[1]["messages"];
    let texts: Vec<_> = asked.as_array().unwrap()[1..]
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "ann: my number is 7",
            "answer to: ann: my number is 7",
            "ann: what is my number?"
        ]
    );
}
