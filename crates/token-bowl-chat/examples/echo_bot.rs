//! A bot that echoes direct messages and room messages that mention it, on
//! the bot runtime: each message handled once (across reconnects, webhook
//! retries and restarts), replies where the message came, Ctrl-C or
//! SIGTERM stops it cleanly.
//!
//! ```sh
//! TOKEN_BOWL_CHAT_API_KEY=... cargo run --example echo_bot --features bot,webhook
//! # or take the server's webhook deliveries on a local port instead:
//! TOKEN_BOWL_CHAT_API_KEY=... cargo run --example echo_bot --features bot,webhook -- --webhook 127.0.0.1:8080
//! ```

use token_bowl_chat::{
    Client, Error,
    bot::{Bot, Context, Source},
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let echo = |cx: Context| async move {
        let text = if cx.is_direct() {
            format!("echo: {}", cx.args())
        } else {
            format!("@{} echo: {}", cx.sender(), cx.args())
        };
        cx.reply(&text).await?;
        Ok(())
    };
    let report = Bot::new(Client::from_env()?)
        .on_direct(echo)
        .on_mention(echo)
        .run(source())
        .await?;
    eprintln!(
        "stopped ({:?}): {} handled, {} failed",
        report.stopped_by, report.handled, report.failed
    );
    Ok(())
}

/// Real time, or `--webhook ADDR`: a receiver on ADDR, registered as the
/// bot's webhook URL.
fn source() -> Source {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--webhook") {
        Some(i) => Source::webhook(args.get(i + 1).map_or("127.0.0.1:8080", String::as_str))
            .register_local(),
        None => Source::realtime(),
    }
}
