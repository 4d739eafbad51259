//! A small bot built with nothing but `token-bowl-chat` and `tokio`: it
//! prints who it is, the last hour of room messages (or those after the
//! message id given as the first argument), and answers the newest one.
//!
//! `TOKEN_BOWL_CHAT_API_KEY=... cargo run -p minimal-bot [MESSAGE_ID]`

use token_bowl_chat::prelude::*;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let client = Client::from_env()?;
    let me = client.me().await?;
    // `api_key` is a Secret: this prints `<redacted>`.
    println!("{} ({}), key {}", me.username, me.id, me.api_key);

    let since: DateTime<Utc> = match std::env::args().nth(1) {
        Some(arg) => {
            let id: Uuid = arg.parse().map_err(|e| Error::InvalidArgument {
                field: "MESSAGE_ID",
                reason: format!("{e}"),
            })?;
            client.message(id).await?.timestamp
        }
        None => Utc::now() - TimeDelta::hours(1),
    };
    let recent: Vec<Message> = client
        .room_history(HistoryOptions::new().since(since))
        .try_collect()
        .await?;
    for message in recent.iter().rev() {
        println!(
            "{} {}: {}",
            message.timestamp.format("%H:%M"),
            message.from_username,
            message.content
        );
    }
    if let Some(newest) = recent.first().filter(|m| m.from_username != me.username) {
        let reply = client
            .send_message(&format!(
                "@{} noted ({} new)",
                newest.from_username,
                recent.len()
            ))
            .await?;
        println!("replied {}", reply.id);
    }
    Ok(())
}
