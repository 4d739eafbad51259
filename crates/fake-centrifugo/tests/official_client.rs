//! Does the fake speak real Centrifugo? Centrifugo's official JavaScript
//! client (`centrifuge` from npm, under Node, `conformance/centrifuge-js`)
//! connects to it with a token whose `channels` claim makes server-side
//! subscriptions, receives publications on both channels, answers pings,
//! reconnects after a cut and recovers what it missed with offset and epoch.
//! Where the official client and the fake disagree, the fake is wrong.
//!
//! Needs `node` and `npm ci` run in `conformance/centrifuge-js` (`.ci/run`
//! does both). Without them the test passes with a note, unless
//! `TOKEN_BOWL_REQUIRE_CONFORMANCE` is set (as `.ci/run` sets it).

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fake_centrifugo::{FakeCentrifugo, Mode, token_for};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

fn conformance_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../conformance/centrifuge-js");
    let ready = dir.join("node_modules/centrifuge").is_dir()
        && Command::new("node").arg("--version").output().is_ok();
    if ready {
        return Some(dir);
    }
    assert!(
        std::env::var_os("TOKEN_BOWL_REQUIRE_CONFORMANCE").is_none(),
        "the official client is required: run `npm ci` in {}",
        dir.display()
    );
    eprintln!("node or conformance/centrifuge-js/node_modules missing: skipped");
    None
}

struct Official {
    child: Child,
    lines: mpsc::UnboundedReceiver<Value>,
}

impl Official {
    fn start(dir: &PathBuf, url: &str, token: &str) -> Self {
        let mut child = Command::new("node")
            .arg("check.mjs")
            .args([url, token])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value: Value = serde_json::from_str(&line).expect("one JSON object a line");
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// The next line with `"event": kind`, skipping others.
    async fn next(&mut self, kind: &str) -> Value {
        tokio::time::timeout(WAIT, async {
            loop {
                let line = self.lines.recv().await.expect("the client runs");
                assert_ne!(
                    line["event"], "error",
                    "the official client reported {line}"
                );
                if line["event"] == kind {
                    return line;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {kind} in time"))
    }
}

impl Drop for Official {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn subscribed_pair(client: &mut Official) -> (Value, Value) {
    let mut subs = vec![
        client.next("subscribed").await,
        client.next("subscribed").await,
    ];
    subs.sort_by_key(|s| s["channel"].as_str().unwrap_or_default().to_owned());
    let user = subs.pop().unwrap();
    let room = subs.pop().unwrap();
    (room, user)
}

#[tokio::test]
async fn the_official_client_connects_receives_pings_and_recovers() {
    let Some(dir) = conformance_dir() else { return };
    let fake = FakeCentrifugo::start_with(Mode::Recovery, 100).await;
    fake.set_ping_interval(1);
    let token = token_for("alice", &["user:alice", "room:main"]);
    let mut client = Official::start(&dir, &fake.url(), &token);

    client.next("connected").await;
    let (room, user) = subscribed_pair(&mut client).await;
    assert_eq!(room["channel"], "room:main");
    assert_eq!(user["channel"], "user:alice");
    assert_eq!(room["recoverable"], true, "{room}");
    assert_eq!(room["positioned"], true, "{room}");

    // Publications on both server-side subscriptions, with offsets.
    fake.publish("room:main", json!({"content": "one"}));
    fake.publish("user:alice", json!({"content": "dm"}));
    let first = client.next("publication").await;
    assert_eq!(
        (
            &first["channel"],
            &first["data"]["content"],
            &first["offset"]
        ),
        (&json!("room:main"), &json!("one"), &json!(1))
    );
    let dm = client.next("publication").await;
    assert_eq!(
        (&dm["channel"], &dm["data"]["content"]),
        (&json!("user:alice"), &json!("dm"))
    );

    // Pings (`{}` every second) are answered, so the connection stays.
    assert!(fake.wait_for(WAIT, |f| f.pongs() >= 2).await, "pongs");
    assert_eq!(fake.connects().len(), 1);

    // Cut; publish while the client cannot get back; let it in.
    fake.set_accepting(false);
    fake.cut_connections();
    client.next("connecting").await;
    fake.publish("room:main", json!({"content": "two"}));
    fake.publish("room:main", json!({"content": "three"}));
    fake.set_accepting(true);
    client.next("connected").await;
    let (room, _user) = subscribed_pair(&mut client).await;
    assert_eq!(room["wasRecovering"], true, "{room}");
    assert_eq!(room["recovered"], true, "{room}");
    let recovered = [
        client.next("publication").await,
        client.next("publication").await,
    ];
    assert_eq!(
        recovered
            .iter()
            .map(|p| (p["data"]["content"].clone(), p["offset"].clone()))
            .collect::<Vec<_>>(),
        [(json!("two"), json!(2)), (json!("three"), json!(3))]
    );
    // It asked with the offset and epoch it had.
    let ask = &fake.connects()[1].subs["room:main"];
    assert_eq!(
        (&ask["recover"], &ask["offset"], &ask["epoch"]),
        (&json!(true), &json!(1), &json!("epoch-1")),
        "{ask}"
    );

    // Live delivery goes on after the recovery.
    fake.publish("room:main", json!({"content": "four"}));
    assert_eq!(client.next("publication").await["data"]["content"], "four");
}

#[tokio::test]
async fn the_official_client_sees_no_recovery_where_the_server_keeps_none() {
    let Some(dir) = conformance_dir() else { return };
    let fake = FakeCentrifugo::start_with(Mode::HistoryNoRecovery, 100).await;
    let token = token_for("alice", &["user:alice", "room:main"]);
    let mut client = Official::start(&dir, &fake.url(), &token);
    client.next("connected").await;
    let (room, _) = subscribed_pair(&mut client).await;
    assert_ne!(room["recoverable"], true, "{room}");
    fake.publish("room:main", json!({"content": "one"}));
    assert_eq!(client.next("publication").await["data"]["content"], "one");
    fake.set_accepting(false);
    fake.cut_connections();
    client.next("connecting").await;
    fake.publish("room:main", json!({"content": "lost"}));
    fake.set_accepting(true);
    client.next("connected").await;
    let (room, _) = subscribed_pair(&mut client).await;
    assert_ne!(room["recovered"], true, "{room}");
    // Nothing was asked back, and nothing recovered: the next is live.
    assert!(
        fake.connects()[1].subs.get("room:main").is_none(),
        "{:?}",
        fake.connects()[1].subs
    );
    fake.publish("room:main", json!({"content": "live"}));
    assert_eq!(client.next("publication").await["data"]["content"], "live");
}
