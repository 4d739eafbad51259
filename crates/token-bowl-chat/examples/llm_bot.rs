//! An LLM-style bot: answers every direct message and every mention, once,
//! after a slow "model call" (15 s, longer than the server's 10 s webhook
//! wait). `--webhook ADDR` takes deliveries on ADDR instead of real time.
//!
//! ```sh
//! TOKEN_BOWL_CHAT_API_KEY=... cargo run --example llm_bot --features bot,webhook [-- --webhook 127.0.0.1:8080]
//! ```

use std::time::Duration;
use token_bowl_chat::{
    Client, Error,
    bot::{Bot, Context, Source},
};

async fn think(question: &str) -> String {
    tokio::time::sleep(Duration::from_secs(15)).await; // your model here
    format!("I thought hard about {question:?}.")
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let answer = |cx: Context| async move {
        cx.typing().await?;
        cx.reply(&think(cx.args()).await).await?;
        Ok(())
    };
    let source = match std::env::args().skip_while(|a| a != "--webhook").nth(1) {
        Some(addr) => Source::webhook(addr).register_local(),
        None => Source::realtime(),
    };
    Bot::new(Client::from_env()?)
        .on_direct(answer)
        .on_mention(answer)
        .run(source)
        .await?;
    Ok(())
}
