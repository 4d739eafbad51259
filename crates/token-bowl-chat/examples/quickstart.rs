//! Register (or use `TOKEN_BOWL_CHAT_API_KEY`), send to the room, list the
//! last messages, send a direct message.
//!
//! ```sh
//! TOKEN_BOWL_CHAT_BASE_URL=http://localhost:8000 cargo run --example quickstart -- alice bob
//! ```
//! The first argument is the username to register when no key is set; the
//! second, who gets the direct message (default: yourself).

use token_bowl_chat::{Client, Error, MessageQuery, Register};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let client = Client::from_env()?;
    let me = if client.has_api_key() {
        client.me().await?.username
    } else {
        let name = args.next().unwrap_or_else(|| "rust-quickstart".to_owned());
        let created = client.register(Register::new(&name)).await?;
        println!("registered {name}; export TOKEN_BOWL_CHAT_API_KEY=<the key> to reuse it");
        created.username
    };
    println!("signed in as {me} on {}", client.base_url());

    let sent = client.send_message("hello from the Rust SDK").await?;
    println!("sent {} at {}", sent.id, sent.timestamp);

    let page = client.room_messages(MessageQuery::new().limit(5)).await?;
    println!(
        "last {} of {} room messages:",
        page.messages.len(),
        page.pagination.total
    );
    for message in page.messages.iter().rev() {
        println!(
            "  [{}] {}: {}",
            message.timestamp.format("%H:%M:%S"),
            message.from_username,
            message.content
        );
    }

    let to = args.next().unwrap_or(me);
    let dm = client.send_direct_message(&to, "a direct hello").await?;
    println!("direct message {} to {to}", dm.id);
    Ok(())
}
