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
