//! Against the real server (2.0.1), gated on `TB_REAL_URL`. The bot takes
//! webhook deliveries on loopback, or real time with `TB_REALTIME=1` (the
//! server must then reach a Centrifugo, e.g. the `fake-centrifugo` binary
//! given to it as `CENTRIFUGO_API_URL` and `CENTRIFUGO_WS_URL`). The model
//! is the stand-in, slow (15 s: longer than the server's 10 s webhook
//! wait; `TB_AGENT_SLOW_MS` changes it), and the MCP server the official
//! Python SDK's (skipped without it, unless `TOKEN_BOWL_REQUIRE_PY_CLIENTS=1`).

mod support;

use std::{
    collections::HashMap,
    path::PathBuf,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use support::standin::Standin;
use token_bowl_chat::{
    Client, Register,
    bot::{Bot, FileStore, RunningBot, Source},
};
use token_bowl_chat_agent::{Agent, AgentConfig, ModelConfig, memory};

const KEY: &str = "sk-real-server-test";

struct Person {
    name: String,
    key: String,
}

struct World {
    url: String,
    http: reqwest::Client,
}

impl World {
    async fn register(&self, name: &str) -> Person {
        let client = Client::builder()
            .base_url(&self.url)
            .use_env(false)
            .build()
            .unwrap();
        let made = client.register(Register::new(name)).await.unwrap();
        Person {
            name: made.username,
            key: made.api_key.expose_secret().to_owned(),
        }
    }

    async fn say(&self, who: &Person, to: Option<&str>, text: &str) {
        let mut body = json!({"content": text});
        if let Some(to) = to {
            body["to_username"] = json!(to);
        }
        let answer = self
            .http
            .post(format!("{}/messages", self.url))
            .header("X-API-Key", &who.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status().as_u16(),
            201,
            "{}",
            answer.text().await.unwrap()
        );
    }

    /// Messages `from` sent that `reader` can see: direct ones to the
    /// reader, or the room's.
    async fn from(&self, reader: &Person, from: &str, direct: bool) -> Vec<String> {
        let path = if direct {
            "messages/direct"
        } else {
            "messages"
        };
        let page: Value = self
            .http
            .get(format!("{}/{path}?limit=100", self.url))
            .header("X-API-Key", &reader.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut texts: Vec<String> = page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["from_username"] == from)
            .filter(|m| !direct || m["to_username"] == json!(reader.name))
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect();
        texts.reverse();
        texts
    }
}

async fn start_agent(
    url: &str,
    key: &str,
    model: &Standin,
    state: &std::path::Path,
    mcp: &[String],
) -> (Agent, RunningBot) {
    let client = Client::builder()
        .base_url(url)
        .api_key(key)
        .use_env(false)
        .build()
        .unwrap();
    let mut config = AgentConfig::new(ModelConfig::new(model.url(), "tiny").api_key(KEY));
    config.memory_path = Some(memory::path_beside(state));
    let agent = Agent::start(config, client.clone(), mcp).await.unwrap();
    let bot = agent
        .attach(
            Bot::new(client)
                .store(FileStore::new(state))
                .handle_signals(false),
        )
        .start(source())
        .await
        .unwrap();
    (agent, bot)
}

/// Real time with `TB_REALTIME=1`, else webhooks on loopback.
fn source() -> Source {
    if std::env::var("TB_REALTIME").is_ok_and(|v| v == "1") {
        Source::realtime()
    } else {
        Source::webhook("127.0.0.1:0").register_local()
    }
}

async fn stop(agent: Agent, bot: RunningBot) {
    bot.stop_handle().stop();
    let report = bot.wait().await.unwrap();
    assert!(agent.shutdown(Duration::from_secs(60)).await);
    eprintln!("report: {report:?}\nstats: {}", agent.stats().text());
}

/// Waits until `check` holds (at most `secs`).
async fn until<F: std::future::Future<Output = bool>>(
    secs: u64,
    mut check: impl FnMut() -> F,
) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_on_the_real_server() {
    let Ok(url) = std::env::var("TB_REAL_URL") else {
        eprintln!("skipped: TB_REAL_URL is not set");
        return;
    };
    let slow = std::env::var("TB_AGENT_SLOW_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15_000);
    let world = World {
        url: url.clone(),
        http: reqwest::Client::new(),
    };
    let tag = format!(
        "{:x}",
        std::process::id() ^ (chrono::Utc::now().timestamp_subsec_nanos())
    );
    let me = world.register(&format!("agent{tag}")).await;
    let mut people = Vec::new();
    for i in 1..=5 {
        people.push(world.register(&format!("p{i}x{tag}")).await);
    }
    let model = Standin::start(KEY, &["tiny"], Duration::from_millis(slow)).await;
    let python = support::python();
    let mcp: Vec<String> = python
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p.display(),
                support::py_file("mcp_server.py").display()
            )
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("tb-agent-real-{tag}"));
    let state: PathBuf = dir.join(format!("{}.jsonl", me.name));
    let (agent, bot) = start_agent(&url, &me.key, &model, &state, &mcp).await;

    // 1. Ten messages: a direct message and a mention from each of five.
    for p in &people {
        world
            .say(p, Some(&me.name), &format!("dm from {}", p.name))
            .await;
        world
            .say(p, None, &format!("@{} mention from {}", me.name, p.name))
            .await;
    }
    let answered = until(120, || async {
        for p in &people {
            if world.from(p, &me.name, true).await.is_empty() {
                return false;
            }
        }
        let room = world.from(&people[0], &me.name, false).await.join("\n");
        people
            .iter()
            .all(|p| room.contains(&format!("mention from {}", p.name)))
    })
    .await;
    assert!(answered, "not every message was answered within 120 s");
    tokio::time::sleep(Duration::from_millis(slow + 5_000)).await; // nothing more comes
    for p in &people {
        let dms = world.from(p, &me.name, true).await;
        assert_eq!(
            dms,
            [format!("answer to: {}: dm from {}", p.name, p.name)],
            "{}",
            p.name
        );
    }
    let room = world.from(&people[0], &me.name, false).await.join("\n");
    for p in &people {
        let mention = format!("mention from {}", p.name);
        assert_eq!(room.matches(&mention).count(), 1, "{mention} in {room}");
    }

    // 2. A burst of five from one person gets one answer.
    let p1 = &people[0];
    for i in 1..=5 {
        world.say(p1, Some(&me.name), &format!("burst {i}")).await;
    }
    assert!(
        until(60, || async {
            world.from(p1, &me.name, true).await.len() >= 2
        })
        .await
    );
    tokio::time::sleep(Duration::from_millis(slow + 5_000)).await;
    let dms = world.from(p1, &me.name, true).await;
    assert_eq!(dms.len(), 2, "{dms:?}");
    let burst: Vec<String> = (1..=5).map(|i| format!("{}: burst {i}", p1.name)).collect();
    assert_eq!(dms[1], format!("answer to: {}", burst.join(" | ")));

    // 3. A tool call round-trips through the MCP server.
    if python.is_some() {
        let p2 = &people[1];
        world
            .say(p2, Some(&me.name), r#"call:add {"a": 2, "b": 40}"#)
            .await;
        assert!(
            until(90, || async {
                world.from(p2, &me.name, true).await.len() >= 2
            })
            .await
        );
        assert_eq!(world.from(p2, &me.name, true).await[1], "tool result: 42");
    }

    // 4. A restart keeps the memory.
    stop(agent, bot).await;
    let (agent, bot) = start_agent(&url, &me.key, &model, &state, &[]).await;
    let p3 = &people[2];
    world
        .say(p3, Some(&me.name), "what did I say before?")
        .await;
    assert!(
        until(60, || async {
            world.from(p3, &me.name, true).await.len() >= 2
        })
        .await
    );
    let asked = model.completions().await;
    let last = asked
        .iter()
        .rev()
        .find(|r| r.to_string().contains("what did I say before?"))
        .unwrap();
    let lines: HashMap<String, String> = last["messages"].as_array().unwrap()[1..]
        .iter()
        .map(|m| {
            (
                m["content"].as_str().unwrap_or_default().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        lines
            .get(&format!("{}: dm from {}", p3.name, p3.name))
            .map(String::as_str),
        Some("user")
    );
    assert_eq!(
        lines
            .get(&format!("answer to: {}: dm from {}", p3.name, p3.name))
            .map(String::as_str),
        Some("assistant")
    );
    stop(agent, bot).await;
    let _ = std::fs::remove_dir_all(dir);
}
