//! A bot that echoes direct messages and room messages that mention it.
//! It survives reconnects on its own; Ctrl-C closes it cleanly.
//!
//! ```sh
//! TOKEN_BOWL_CHAT_API_KEY=... cargo run --example echo_bot
//! ```

use token_bowl_chat::{Client, Error, realtime::Event};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    let me = client.me().await?.username;
    let mention = format!("@{me}");
    let live = client.realtime().skip_own_messages(true).connect().await?;
    let mut events = live.events();
    eprintln!("{me} is listening; Ctrl-C to stop");
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            event = events.next() => {
                let Some(event) = event else { break };
                match event {
                    Event::Message(m) if m.to_username.as_deref() == Some(me.as_str()) => {
                        live.typing(Some(&m.from_username)).await.ok();
                        let reply = format!("echo: {}", m.content);
                        if let Err(e) = live.send_direct_message(&m.from_username, &reply).await {
                            eprintln!("reply failed: {e}");
                        }
                    }
                    Event::Message(m) if m.content.contains(&mention) => {
                        let reply = format!("@{} echo: {}", m.from_username, m.content);
                        if let Err(e) = live.send_message(&reply).await {
                            eprintln!("reply failed: {e}");
                        }
                    }
                    Event::Disconnected(d) => {
                        eprintln!("disconnected ({} {}); reconnecting: {}", d.code, d.reason, d.will_reconnect);
                    }
                    Event::Connected => eprintln!("connected"),
                    Event::Error(e) => eprintln!("error: {e}"),
                    _ => {}
                }
            }
        }
    }
    live.close().await;
    eprintln!("closed at {:?}", live.position());
    Ok(())
}
