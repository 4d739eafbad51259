//! `token-bowl` as people meet it: argument errors, time forms, usernames,
//! whole-command timeouts, plain connection errors, completion in a real
//! `bash`, and tables in a pseudo terminal with colours on (`script` from
//! util-linux gives the pty). Against a mock server on loopback with the
//! real server's shapes: the generated typed mocks (httpmock) where a test
//! only answers operations, wiremock where it reads back every request the
//! server got (httpmock keeps no such journal) or answers what the document
//! does not describe (a plain-text 500, a body-less 503).

mod common;

use common::server;
use std::{
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use token_bowl_chat_api::mock::MockServerExt;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

const KEY: &str = "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60";
const BOB_ID: &str = "161db6fc-0e97-4eb5-8089-46990edce7bb";
const BOT_ID: &str = "e375481d-b3d2-47c3-9150-2c504a3c2590";

fn bin() -> String {
    assert_cmd::cargo::cargo_bin("token-bowl")
        .to_string_lossy()
        .into_owned()
}

async fn run_with(base: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(bin());
    command
        .env("TOKEN_BOWL_CHAT_API_KEY", KEY)
        .env_remove("TOKEN_BOWL_CHAT_BASE_URL")
        .env("NO_COLOR", "1")
        .args(["--base-url", base, "--utc"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let input = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        if let Some(input) = input {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        } else {
            drop(child.stdin.take());
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

async fn run(server: &MockServer, args: &[&str]) -> Output {
    run_with(&server.uri(), args, None).await
}

/// A mock server (httpmock, loopback) answering through the typed mocks.
async fn typed_server() -> httpmock::MockServer {
    httpmock::MockServer::start_async().await
}

async fn run_typed(server: &httpmock::MockServer, args: &[&str]) -> Output {
    run_with(&server.base_url(), args, None).await
}

/// A recorded body as the API crate's type for it.
fn decode<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("recorded body decodes")
}

fn bob_id() -> uuid::Uuid {
    BOB_ID.parse().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json_out(output: &Output) -> Value {
    assert!(output.status.success(), "failed: {}", stderr(output));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn message(content: &str) -> Value {
    json!({
        "id": "865ce10f-fb73-460f-abfb-9826f6705e8a", "from_user_id": "", "from_username": "alice",
        "content": content, "message_type": "room", "description": "",
        "timestamp": "2026-11-22T01:02:32.247494+00:00", "to_username": null, "to_user_id": null
    })
}

fn profile(name: &str, id: &str) -> Value {
    json!({"id": id, "username": name, "role": "member", "email": null, "api_key": KEY,
           "webhook_url": null, "logo": null, "viewer": false, "admin": false, "bot": false,
           "emoji": null, "created_at": "2026-11-22T01:02:30.135906+00:00"})
}

#[tokio::test]
async fn every_bad_argument_is_a_usage_error_with_status_2() {
    let server = server().await;
    for (args, says) in [
        (vec!["messages", "send", ""], "invalid message text"),
        (vec!["messages", "list", "--limit", "0"], "too small"),
        (
            vec!["messages", "list", "--limit", "abc"],
            "not a whole number",
        ),
        (vec!["messages", "list", "--limit", "-5"], "too small"),
        (vec!["messages", "list", "--offset", "-1"], "negative"),
        (
            vec!["conversations", "list", "--limit", "101"],
            "at most 100",
        ),
        (
            vec!["messages", "list", "--since", "yesterday-ish"],
            "cannot read",
        ),
        (vec!["unread", "mark-read"], "--all"),
        (
            vec!["messages", "send"],
            "Usage: token-bowl messages send <TEXT>",
        ),
    ] {
        let output = run(&server, &args).await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(says),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            !stderr(&output).contains("premature"),
            "{}",
            stderr(&output)
        );
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn since_takes_the_forms_people_write_and_the_cli_prints() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messages": [], "pagination": {"total": 0, "offset": 0, "limit": 10, "has_more": false}})))
        .mount(&server)
        .await;
    for since in [
        "2026-11-22T10:00:00Z",
        "2026-12-01 20:29:47 +00:00",
        "2026-12-01 20:29:47 UTC",
        "2026-11-22",
        "2026-11-22 10:00",
        "10m",
        "2h",
        "1d",
    ] {
        let output = run(
            &server,
            &["messages", "list", "--since", since, "--format", "json"],
        )
        .await;
        json_out(&output);
    }
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "since")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(sent.len(), 8);
    assert_eq!(sent[0], "2026-11-22T10:00:00+00:00");
    assert_eq!(
        sent[1], "2026-12-01T20:29:47+00:00",
        "the CLI's own printed form"
    );
    assert_eq!(sent[2], "2026-12-01T20:29:47+00:00");
    assert!(sent.iter().all(|s| s.ends_with("+00:00")), "{sent:?}");
}

#[tokio::test]
async fn a_username_works_where_a_user_id_is_asked() {
    let server = typed_server().await;
    server.admin_get_all_users(|_, then| {
        then.ok(&decode(json!([
            profile("alice", "53bd0efd-ef7b-4069-9ffa-1837d1aeec37"),
            profile("bob", BOB_ID)
        ])));
    });
    let show = server.admin_get_user(|when, then| {
        when.user_id(&bob_id());
        then.ok(&decode(profile("bob", BOB_ID)));
    });
    let regenerate = server.admin_regenerate_user_api_key(|when, then| {
        when.user_id(&bob_id());
        then.ok(&decode(
            json!({"message": "API key regenerated successfully for user bob",
            "api_key": "ab".repeat(32)}),
        ));
    });
    let shown = json_out(
        &run_typed(
            &server,
            &["admin", "users", "show", "bob", "--format", "json"],
        )
        .await,
    );
    assert_eq!(shown["username"], "bob");
    assert!(
        shown.get("api_key").is_none(),
        "the key is left out, not redacted"
    );
    let key = json_out(
        &run_typed(
            &server,
            &[
                "admin",
                "users",
                "regenerate-key",
                "bob",
                "--format",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(key["username"], "bob", "the name, not the id");
    assert_eq!(key["id"], BOB_ID);
    assert_eq!(key["api_key"], "ab".repeat(32));
    let missing = run_typed(&server, &["admin", "users", "show", "nobody"]).await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no user called \"nobody\""),
        "{}",
        stderr(&missing)
    );
    show.assert_calls_async(1).await;
    regenerate.assert_calls_async(1).await;
}

#[tokio::test]
async fn bot_regenerate_key_names_the_bot() {
    let server = typed_server().await;
    server.regenerate_bot_api_key(|when, then| {
        when.bot_id(&BOT_ID.parse().unwrap());
        then.ok(&decode(
            json!({"message": "Bot API key regenerated successfully",
            "api_key": "cd".repeat(32)}),
        ));
    });
    server.get_my_bots(|_, then| {
        then.ok(&decode(json!([{
            "id": BOT_ID, "username": "alicebot", "api_key": "cd".repeat(32),
            "created_by_id": "", "created_by": "", "created_at": "2026-11-22T01:02:37Z"}])));
    });
    let key = json_out(
        &run_typed(
            &server,
            &["bots", "regenerate-key", BOT_ID, "--format", "json"],
        )
        .await,
    );
    assert_eq!(
        (key["username"].as_str(), key["id"].as_str()),
        (Some("alicebot"), Some(BOT_ID))
    );
    let table = run_typed(
        &server,
        &["bots", "regenerate-key", BOT_ID, "--format", "table"],
    )
    .await;
    assert!(
        String::from_utf8_lossy(&table.stdout).starts_with("New API key for alicebot: "),
        "{}",
        String::from_utf8_lossy(&table.stdout)
    );
}

#[tokio::test]
async fn timeout_bounds_the_whole_command_retries_included() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/users/me"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(800)))
        .mount(&server)
        .await;
    let started = Instant::now();
    let output = run(&server, &["--timeout", "1", "info"]).await;
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(1));
    assert!(took < Duration::from_millis(1600), "took {took:?}");
    assert!(
        stderr(&output).contains("no answer within 1 s"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn connection_errors_say_what_happened_without_internal_names() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let output = run_with(&base, &["messages", "list"], None).await;
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(text.contains("connection refused"), "{text}");
    assert!(
        !text.contains("get_messages") && !text.contains("error sending request"),
        "{text}"
    );
    let unknown = run_with("http://no-such-host.invalid", &["info"], None).await;
    assert!(
        stderr(&unknown).contains("host not found"),
        "{}",
        stderr(&unknown)
    );
    let verbose = run_with(&base, &["-v", "info"], None).await;
    assert!(
        stderr(&verbose).contains("caused by:"),
        "{}",
        stderr(&verbose)
    );
}

#[tokio::test]
async fn a_dash_reads_the_message_from_stdin_and_unread_lists_both_kinds() {
    let server = typed_server().await;
    let send = server.send_message(|when, then| {
        when.body(&decode(json!({"content": "from a pipe\nsecond line"})));
        then.created(&decode(message("from a pipe")));
    });
    let mut direct = message("a dm");
    direct["to_username"] = json!("alice");
    direct["message_type"] = json!("direct");
    direct["id"] = json!("965ce10f-fb73-460f-abfb-9826f6705e8a");
    server.get_unread_room_messages(|_, then| {
        then.ok(&decode(json!([message("room")])));
    });
    server.get_unread_direct_messages(|_, then| {
        then.ok(&decode(json!([direct])));
    });
    let sent = run_with(
        &server.base_url(),
        &["messages", "send", "-", "--format", "json"],
        Some("from a pipe\nsecond line\n"),
    )
    .await;
    json_out(&sent);
    let unread = json_out(&run_typed(&server, &["unread", "list", "--format", "json"]).await);
    assert_eq!(
        unread.as_array().unwrap().len(),
        2,
        "room and direct: {unread}"
    );
    let room =
        json_out(&run_typed(&server, &["unread", "list", "--room", "--format", "json"]).await);
    assert_eq!(room.as_array().unwrap().len(), 1);
    send.assert_calls_async(1).await;
}

#[test]
fn bash_completes_subcommands_and_options_at_every_depth() {
    let script = Command::new(bin())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(script.status.success());
    let dir = tempdir();
    let path = dir.join("token-bowl.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    let driver = format!(
        r#"source {path}
complete -p token-bowl >/dev/null || exit 3
words() {{
  COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
  COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
  _token__bowl token-bowl "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
  echo "${{COMPREPLY[*]}}"
}}
words token-bowl ""
words token-bowl messages ""
words token-bowl admin users ""
words token-bowl messages list --l
"#,
        path = path.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &driver])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let has = |line: &str, words: &[&str]| words.iter().all(|w| line.split(' ').any(|x| x == *w));
    assert!(
        has(&lines[0], &["messages", "users", "live", "admin"]),
        "{lines:?}"
    );
    assert!(
        has(&lines[1], &["send", "list", "show"]),
        "messages <TAB>: {lines:?}"
    );
    assert!(
        has(
            &lines[2],
            &["list", "show", "update", "delete", "role", "regenerate-key"]
        ),
        "{lines:?}"
    );
    assert!(has(&lines[3], &["--limit"]), "{lines:?}");
}

/// The completion script for `shell`, written to a file named `name`.
fn completion_script(shell: &str, name: &str) -> (String, std::path::PathBuf) {
    let out = Command::new(bin())
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(out.status.success(), "{shell}");
    let path = tempdir().join(name);
    std::fs::write(&path, &out.stdout).unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), path)
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("token-bowl-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the CLI in a pseudo terminal (`script`), colours on, 100 columns.
fn in_pty(base: &str, args: &str, columns: u16) -> String {
    let command = format!(
        "stty cols {columns} rows 40; TOKEN_BOWL_CHAT_API_KEY={KEY} {} --base-url {base} --utc {args}",
        bin()
    );
    let out = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .output()
        .expect("`script` (util-linux) runs");
    // What a terminal shows: a carriage return starts the line over.
    String::from_utf8_lossy(&out.stdout)
        .split('\n')
        .map(|line| {
            let line = line.trim_end_matches('\r');
            line.rsplit('\r').next().unwrap_or(line).to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ ... final byte in @..~
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[tokio::test]
async fn tables_line_up_with_colours_on_in_a_terminal() {
    let server = typed_server().await;
    server.get_messages(|when, then| {
        when.limit(10);
        then.ok(&decode(json!({
            "messages": [message("hello room"), message("second")],
            "pagination": {"total": 2, "offset": 0, "limit": 10, "has_more": false}})));
    });
    let base = server.base_url();
    let screen = tokio::task::spawn_blocking(move || in_pty(&base, "messages list", 120))
        .await
        .unwrap();
    assert!(
        screen.contains("\x1b["),
        "colours are on in a terminal: {screen:?}"
    );
    let plain = strip_ansi(&screen);
    let table: Vec<&str> = plain
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '├', '└', '╞', '╘']))
        .collect();
    assert!(table.len() >= 4, "{plain}");
    let width = table[0].chars().count();
    for line in &table {
        assert_eq!(
            line.chars().count(),
            width,
            "every row as wide as the border:\n{plain}"
        );
    }
    assert!(
        table[1].contains("Time") && table[1].contains("Message"),
        "{plain}"
    );
}

#[tokio::test]
async fn a_profile_update_checks_everything_first_and_says_what_changed() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/logos"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!(["claude-color.png", "openai.png"])),
        )
        .mount(&server)
        .await;
    // A bad logo: nothing changes, the webhook included.
    let output = run(
        &server,
        &[
            "users",
            "update",
            "--logo",
            "bogus",
            "--webhook",
            "http://127.0.0.1:9/hook",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("\"bogus\" is not one of claude-color.png, openai.png"),
        "{}",
        stderr(&output)
    );
    let patches = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .count();
    assert_eq!(patches, 0, "nothing was changed");

    // A later step fails: the first one's change is reported.
    Mock::given(method("PATCH"))
        .and(path("/users/me/username"))
        .respond_with(ResponseTemplate::new(200).set_body_json(profile("alice2", BOB_ID)))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/users/me/webhook"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
        .mount(&server)
        .await;
    let output = run(
        &server,
        &[
            "users",
            "update",
            "--username",
            "alice2",
            "--webhook",
            "http://127.0.0.1:9/hook",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("500") && text.contains("already changed before that: username"),
        "{text}"
    );
}

#[tokio::test]
async fn at_80_columns_rows_do_not_wrap() {
    let server = typed_server().await;
    let mut long = message("a longer message with short ids");
    long["from_username"] = json!("carol");
    server.get_messages(|_, then| {
        then.ok(&decode(json!({
            "messages": [message("hello room"), long],
            "pagination": {"total": 2, "offset": 0, "limit": 10, "has_more": false}})));
    });
    let base = server.base_url();
    let screen = tokio::task::spawn_blocking(move || in_pty(&base, "messages list", 80))
        .await
        .unwrap();
    let plain = strip_ansi(&screen);
    let rows: Vec<&str> = plain.lines().filter(|l| l.starts_with('│')).collect();
    assert_eq!(rows.len(), 3, "a header and one line per message:\n{plain}");
    assert!(plain.lines().all(|l| l.chars().count() <= 80), "{plain}");
    assert!(
        rows[1].contains("865ce10f ") && !rows[1].contains("865ce10f-fb73"),
        "short ids: {plain}"
    );
    assert!(rows[1].contains("11-22 01:02"), "compact times: {plain}");
}

#[tokio::test]
async fn above_100_columns_full_ids_are_never_cut() {
    // Found against the real server at 120 columns (local times with their
    // offset): long bot names pushed the Id column under 36 characters
    // and each UUID wrapped onto a second line. With `--utc` the same
    // squeeze happens at 110.
    let server = typed_server().await;
    let mut answer = message("answer to: room question 8");
    answer["from_username"] = json!("llmbot14514552641459");
    let id = answer["id"].as_str().unwrap().to_owned();
    server.get_messages(|_, then| {
        then.ok(&decode(json!({
            "messages": [answer],
            "pagination": {"total": 1, "offset": 0, "limit": 10, "has_more": false}})));
    });
    let base = server.base_url();
    let screen = tokio::task::spawn_blocking(move || in_pty(&base, "messages list", 110))
        .await
        .unwrap();
    let plain = strip_ansi(&screen);
    assert!(plain.lines().all(|l| l.chars().count() <= 110), "{plain}");
    assert!(plain.contains(&id), "the whole id on one line:\n{plain}");
    assert!(plain.contains("llmbot14514552641459"), "{plain}");
}

/// Runs `command` in a tmux session of its own (its own server socket),
/// sends `keys` after `delay`, and returns the screen a moment later.
/// `None` where tmux is missing.
fn in_tmux(command: &str, delay: Duration, keys: &[&str]) -> Option<String> {
    let socket = format!("token-bowl-test-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
    };
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux missing: skipped");
        return None;
    }
    let shell = format!("{command}; echo EXIT=$?; sleep 30");
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "100",
        "-y",
        "10",
        &shell,
    ])
    .unwrap();
    std::thread::sleep(delay);
    for key in keys {
        tmux(&["send-keys", "-t", "t", key]).unwrap();
    }
    std::thread::sleep(Duration::from_millis(800));
    let screen = tmux(&["capture-pane", "-pt", "t"]).unwrap();
    let _ = tmux(&["kill-server"]);
    Some(String::from_utf8_lossy(&screen.stdout).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_the_spinner_leaves_no_spinner_line() {
    // A server that accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let command = format!(
        "TOKEN_BOWL_CHAT_API_KEY={KEY} {} --base-url {base} info",
        bin()
    );
    let Some(screen) = tokio::task::spawn_blocking(move || {
        in_tmux(&command, Duration::from_millis(1500), &["C-c"])
    })
    .await
    .unwrap() else {
        return;
    };
    assert!(
        screen.contains("interrupted") && screen.contains("EXIT=130"),
        "{screen}"
    );
    assert!(
        !screen.contains("loading your profile"),
        "the spinner line is gone:\n{screen}"
    );
}

#[test]
fn fish_completes_subcommands_at_every_depth() {
    if Command::new("fish").arg("--version").output().is_err() {
        eprintln!("fish missing: skipped");
        return;
    }
    let (_, path) = completion_script("fish", "token-bowl.fish");
    let complete = |line: &str| -> Vec<String> {
        let out = Command::new("fish")
            .args([
                "--no-config",
                "-c",
                &format!("source {}; complete -C '{line}'", path.display()),
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
            .collect()
    };
    let has = |got: &[String], want: &[&str]| want.iter().all(|w| got.iter().any(|g| g == w));
    let top = complete("token-bowl ");
    assert!(
        has(&top, &["messages", "users", "live", "admin"]),
        "{top:?}"
    );
    let messages = complete("token-bowl messages ");
    assert!(has(&messages, &["send", "list", "show"]), "{messages:?}");
    let admin = complete("token-bowl admin users ");
    assert!(
        has(
            &admin,
            &["list", "show", "update", "delete", "role", "regenerate-key"]
        ),
        "{admin:?}"
    );
    let options = complete("token-bowl messages list --");
    assert!(
        has(&options, &["--limit", "--since", "--all"]),
        "{options:?}"
    );
}

#[test]
fn the_zsh_script_loads_in_zsh_and_knows_every_level() {
    if Command::new("zsh").arg("--version").output().is_err() {
        eprintln!("zsh missing: skipped");
        return;
    }
    let (script, path) = completion_script("zsh", "_token-bowl");
    let dir = path.parent().unwrap().to_owned();
    let out = Command::new("zsh")
        .args([
            "-f",
            "-c",
            &format!("autoload -U compinit; compinit -u -d {dir}/zcompdump; source {path}; whence -w _token-bowl", dir = dir.display(), path = path.display()),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("_token-bowl: function"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Its dispatch reaches the third level.
    for needle in [
        "(messages)",
        "(admin)",
        "(users)",
        "(regenerate-key)",
        "--since",
    ] {
        assert!(script.contains(needle), "{needle} missing");
    }
}
