//! Running the official MCP clients' scripts (tests/mcp-clients) and
//! `token-bowl mcp` itself.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::Value;

pub fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp-clients")
}

/// An official client: the command that runs its script.
#[derive(Debug, Clone, Copy)]
pub enum Official {
    Python,
    TypeScript,
}

impl Official {
    /// The command, or why it cannot run (skip, or fail when required).
    pub fn command(self) -> Option<Command> {
        let dir = clients_dir();
        let (program, script, installed) = match self {
            Self::Python => (
                dir.join(".venv/bin/python"),
                "client.py",
                dir.join(".venv/bin/python").exists(),
            ),
            Self::TypeScript => (
                PathBuf::from("node"),
                "client.mjs",
                dir.join("node_modules/@modelcontextprotocol/sdk/package.json")
                    .exists(),
            ),
        };
        if !installed {
            let note = format!(
                "the official {self:?} MCP client is not installed in {} \
                 (.ci/run installs it)",
                dir.display()
            );
            if std::env::var_os("TOKEN_BOWL_REQUIRE_MCP_CLIENTS").is_some_and(|v| v == "1") {
                panic!("{note}, and TOKEN_BOWL_REQUIRE_MCP_CLIENTS=1");
            }
            eprintln!("skipped: {note}");
            return None;
        }
        let mut command = Command::new(program);
        command.current_dir(&dir).arg(script);
        Some(command)
    }
}

/// How the client reaches the server.
pub enum Transport {
    Stdio,
    /// A `token-bowl mcp --http` already running at this URL.
    Http(String),
}

pub fn token_bowl() -> PathBuf {
    assert_cmd::cargo::cargo_bin("token-bowl")
}

/// Runs one scenario; calls `on_step` for each line as it comes (so a test
/// can act between steps) and returns all lines.
pub fn run_scenario(
    mut command: Command,
    scenario: &str,
    transport: &Transport,
    base_url: &str,
    key: &str,
    peer: &str,
    mut on_step: impl FnMut(&Value),
) -> Vec<Value> {
    command
        .arg(scenario)
        .env("TOKEN_BOWL_CHAT_API_KEY", key)
        .env_remove("TOKEN_BOWL_CHAT_REALTIME_URL")
        .args(["--peer", peer])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match transport {
        Transport::Stdio => {
            command.arg("--stdio").arg(token_bowl()).arg(base_url);
        }
        Transport::Http(url) => {
            command.args(["--http", url]);
        }
    }
    let mut child = command.spawn().expect("the client starts");
    let stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let mut steps = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        assert!(
            !line.contains(key),
            "the API key is in a client's output: {line}"
        );
        let step: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"));
        on_step(&step);
        steps.push(step);
    }
    let status = child.wait().unwrap();
    let errors = errors.join().unwrap();
    assert!(!errors.contains(key), "the API key is on stderr: {errors}");
    assert!(status.success(), "{scenario} failed: {status}\n{errors}");
    steps
}

pub fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {steps:#?}"))
}

/// The structured content of a successful tool result.
pub fn ok<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    let result = &step(steps, name)["result"];
    assert_eq!(result["isError"], false, "{name}: {result:#}");
    let text = result["content"][0]["text"].as_str().unwrap_or_default();
    assert!(
        !text.is_empty(),
        "{name} has no text for people: {result:#}"
    );
    &result["structuredContent"]
}

/// The sentence of a tool error.
pub fn tool_error<'a>(steps: &'a [Value], name: &str) -> &'a str {
    let result = &step(steps, name)["result"];
    assert_eq!(
        result["isError"], true,
        "{name} is not a tool error: {result:#}"
    );
    result["content"][0]["text"].as_str().unwrap()
}

/// `token-bowl mcp --http 127.0.0.1:0`: the child and its URL.
pub fn http_server(base_url: &str, key: &str) -> (Child, String) {
    let mut child = Command::new(token_bowl())
        .env("TOKEN_BOWL_CHAT_API_KEY", key)
        .env_remove("TOKEN_BOWL_CHAT_REALTIME_URL")
        .args(["--base-url", base_url, "mcp", "--http", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first
        .strip_prefix("MCP server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

/// Ctrl-C ends the HTTP server, cleanly and at once.
pub fn interrupt(mut child: Child) {
    let pid = child.id().to_string();
    Command::new("bash")
        .args(["-c", &format!("kill -INT {pid}")])
        .status()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "Ctrl-C: {status}");
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the HTTP server did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
