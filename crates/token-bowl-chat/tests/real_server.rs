//! Against a real Token Bowl Chat Server: only when `TB_REAL_URL` (its base
//! URL) and `TB_ADMIN_KEY` (an admin's key) are set, e.g. by
//! `shared/tools/real-server start DIR`; skipped (passing with a note)
//! otherwise. Each run registers fresh users, so it can run again on the same
//! server.

use token_bowl_chat::{AdminUserUpdate, BotUpdate, Client, NewBot, Register, RetryPolicy};

fn real() -> Option<(String, String)> {
    match (std::env::var("TB_REAL_URL"), std::env::var("TB_ADMIN_KEY")) {
        (Ok(url), Ok(admin)) if !url.is_empty() && !admin.is_empty() => Some((url, admin)),
        _ => {
            eprintln!("TB_REAL_URL / TB_ADMIN_KEY not set: skipped");
            None
        }
    }
}

fn client(url: &str, key: Option<&str>) -> Client {
    let mut builder = Client::builder()
        .use_env(false)
        .base_url(url)
        .retry(RetryPolicy::none());
    if let Some(key) = key {
        builder = builder.api_key(key);
    }
    builder.build().unwrap()
}

/// A username no earlier run used.
fn fresh(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}{}{nanos}", std::process::id())
}

#[tokio::test]
async fn answers_decode_typed_and_print_no_key() {
    let Some((url, admin_key)) = real() else {
        return;
    };
    let user = client(&url, None);
    let registration = user.register(Register::new(fresh("e2e"))).await.unwrap();
    let key = registration.api_key.expose_secret().to_owned();
    let me = user.me().await.unwrap();
    for text in [
        format!("{me:?}"),
        format!("{registration:?}"),
        format!("{user:?}"),
    ] {
        assert!(!text.contains(&key), "{text}");
    }
    assert_eq!(me.api_key.expose_secret(), key);

    assert_eq!(user.health().await.unwrap().status, "healthy");
    let logos = user.logos().await.unwrap();
    let logo = user.set_logo(Some(&logos[0])).await.unwrap();
    assert_eq!(logo.logo, logos[0]);
    let hook = user
        .set_webhook(Some("http://127.0.0.1:9/hook"))
        .await
        .unwrap();
    assert_eq!(hook.webhook_url, "http://127.0.0.1:9/hook");
    let cleared = user.set_webhook(None).await.unwrap();
    assert_eq!(cleared.webhook_url, "");
    let typing = user.typing(None).await.unwrap();
    assert_eq!(typing.to, "room");
    user.send_message("end-to-end hello").await.unwrap();
    let marked = user.mark_all_read().await.unwrap();
    assert!(marked < 1000, "{marked}");
    let counts = user.unread_count().await.unwrap();
    assert_eq!(counts.total_unread, 0);

    // A bot of one's own, then its key replaced.
    let bot = user.create_bot(NewBot::new(fresh("e2ebot"))).await.unwrap();
    assert_eq!(bot.created_by_id, Some(me.id));
    assert!(!format!("{bot:?}").contains(bot.api_key.expose_secret()));
    let new_key = user.regenerate_bot_api_key(bot.id).await.unwrap();
    assert_ne!(new_key, bot.api_key);

    // An admin turns a user into a bot: that bot has no creator, and the
    // server sends `"created_by_id": ""`.
    let admin = client(&url, Some(&admin_key));
    let convert = client(&url, None)
        .register(Register::new(fresh("e2econv")))
        .await
        .unwrap();
    admin
        .admin_update_user(convert.id, AdminUserUpdate::new().bot(true))
        .await
        .unwrap();
    let orphan = admin
        .update_bot(convert.id, BotUpdate::new().emoji("🤖"))
        .await
        .unwrap();
    assert_eq!(orphan.created_by_id, None);
    assert_eq!(orphan.created_by, "");

    let stats = admin.admin_websocket_stats().await.unwrap();
    assert_eq!(stats.total_connections, 0);
    let rekeyed = admin.admin_regenerate_api_key(convert.id).await.unwrap();
    assert_ne!(rekeyed, convert.api_key);

    // An error whose body the server builds: typed, with its detail.
    let err = user.user(token_bowl_chat::Uuid::nil()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
}

/// An LLM-style bot on webhooks: its handler sleeps (15 s by default,
/// `TB_BOT_SLEEP_SECS` to change; longer than the server's 10 s wait)
/// before it answers. Each of 20 messages (a direct message and a mention
/// from each of 10 senders) is handled once and answered once, the server
/// never sends a delivery again (the receiver counts no repeat, and the
/// server's log, when `TB_SERVER_LOG` names it, has no failed attempt for
/// the bot), and the senders are not held up by the slow handler.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_webhook_bot_answers_each_message_exactly_once() {
    use std::{
        sync::{Arc, Mutex},
        time::{Duration, Instant},
    };
    use token_bowl_chat::{
        MessageQuery,
        bot::{Bot, Context, FileStore, Source},
    };
    let Some((url, _)) = real() else {
        return;
    };
    let sleep =
        Duration::from_secs(std::env::var("TB_BOT_SLEEP_SECS").map_or(15, |s| s.parse().unwrap()));
    let name = fresh("llmbot");
    let registration = client(&url, None)
        .register(Register::new(&name))
        .await
        .unwrap();
    let bot_client = client(&url, Some(registration.api_key.expose_secret()));
    let store = std::env::temp_dir().join(format!("{name}/state.jsonl"));
    let handled = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = handled.clone();
    let answer = move |cx: Context| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(cx.text().to_owned());
            cx.typing().await?;
            tokio::time::sleep(sleep).await; // the model thinks
            cx.reply(&format!("answer to: {}", cx.args())).await?;
            Ok(())
        }
    };
    let running = Bot::new(bot_client.clone())
        .handle_signals(false)
        .store(FileStore::new(&store))
        .concurrency(32)
        .on_direct(answer.clone())
        .on_mention(answer)
        .start(
            Source::webhook("127.0.0.1:0")
                .path(format!("/hooks/{name}"))
                .register_local(),
        )
        .await
        .unwrap();
    let hook = bot_client.me().await.unwrap().webhook_url.unwrap();
    assert_eq!(hook, running.webhook_url().unwrap());

    let mut senders = Vec::new();
    for i in 0..10 {
        let sender = client(&url, None);
        sender
            .register(Register::new(fresh(&format!("asker{i}x"))))
            .await
            .unwrap();
        senders.push(sender);
    }
    let started = Instant::now();
    let sends = senders.iter().enumerate().map(|(i, sender)| {
        let name = name.clone();
        async move {
            let t = Instant::now();
            sender
                .send_direct_message(&name, &format!("direct question {i}"))
                .await
                .unwrap();
            sender
                .send_message(&format!("@{name} room question {i}"))
                .await
                .unwrap();
            t.elapsed()
        }
    });
    let took = futures::future::join_all(sends).await;
    let slowest = took.iter().max().unwrap();
    eprintln!(
        "20 sends in {:?}; slowest sender's two sends {slowest:?}",
        started.elapsed()
    );
    assert!(*slowest < sleep, "the senders did not wait for the handler");

    let wait_until = Instant::now() + sleep * 3 + Duration::from_secs(30);
    let replies = loop {
        let room = bot_client
            .room_messages(MessageQuery::new().limit(100))
            .await
            .unwrap();
        let direct = bot_client
            .direct_messages(MessageQuery::new().limit(100))
            .await
            .unwrap();
        let replies: Vec<String> = room
            .messages
            .into_iter()
            .chain(direct.messages)
            .filter(|m| m.from_username == name)
            .map(|m| m.content)
            .collect();
        if replies.len() >= 20 || Instant::now() > wait_until {
            break replies;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    // Late repeats would show up in this time.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let handle = running.stop_handle();
    handle.stop();
    let report = running.wait().await.unwrap();
    bot_client.set_webhook(None).await.unwrap();
    let _ = std::fs::remove_dir_all(store.parent().unwrap());

    let mut expected: Vec<String> = (0..10)
        .flat_map(|i| {
            [
                format!("direct question {i}"),
                format!("@{name} room question {i}"),
            ]
        })
        .collect();
    expected.sort();
    let mut got = handled.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, expected, "each message handled exactly once");
    let mut replies = replies;
    replies.sort();
    let mut want: Vec<String> = (0..10)
        .flat_map(|i| {
            [
                format!("answer to: direct question {i}"),
                format!("answer to: room question {i}"),
            ]
        })
        .collect();
    want.sort();
    assert_eq!(replies, want, "one reply to each");
    let stats = report.webhook.unwrap();
    eprintln!("bot report: {report:?}");
    // The server posts every room message to every webhook: a room message
    // of a test running beside this one reaches the bot too and is
    // ignored (no handler takes it), so it is counted, not forbidden.
    assert_eq!((stats.repeats, stats.busy), (0, 0));
    assert_eq!((report.handled, report.failed), (20, 0));
    assert_eq!(stats.accepted, report.handled + report.ignored);
    if let Ok(log) = std::env::var("TB_SERVER_LOG") {
        let log = std::fs::read_to_string(log).unwrap();
        let failed: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(&format!("Webhook delivery to {name} ")))
            .collect();
        // The server logs each failed attempt as a warning ("Webhook
        // delivery to NAME failed ... (attempt 1/3)"); successes only at
        // INFO, which its log leaves out.
        assert!(failed.is_empty(), "the server tried again: {failed:?}");
        eprintln!("server log: no failed webhook attempt for {name}");
    }
}
