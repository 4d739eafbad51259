//! `webhook listen`: what the server posts, as it arrives.

use clap::Subcommand;
use token_bowl_chat::{
    Client,
    realtime::Event,
    webhook::{Delivery, WebhookReceiver},
};

use super::live::event_line;
use crate::{failure::Failure, output::Out};

#[derive(Debug, Subcommand)]
pub enum Webhook {
    /// Listen for deliveries and print each (one JSON line each with
    /// --format json), answering 200 at once; Ctrl-C stops
    Listen {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// The one path that takes deliveries (use a secret one: the server
        /// signs nothing)
        #[arg(long, default_value = "/")]
        path: String,
        /// Set your webhook_url to this listener while it runs (or to URL,
        /// the address the server reaches it at); restored on exit
        #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
        register: Option<String>,
    },
}

/// Runs a `webhook` command: until Ctrl-C.
pub async fn run(command: Webhook, client: &Client, out: &Out) -> Result<(), Failure> {
    match command {
        Webhook::Listen {
            addr,
            path,
            register,
        } => listen(client, out, &addr, &path, register.as_deref()).await,
    }
}

/// Listens on `addr` at `path` until Ctrl-C and prints each delivery. With
/// `register` (`""`: the listener's own URL), the user's `webhook_url` is
/// set for the time it runs and put back afterwards.
async fn listen(
    client: &Client,
    out: &Out,
    addr: &str,
    path: &str,
    register: Option<&str>,
) -> Result<(), Failure> {
    let mut receiver = WebhookReceiver::builder().path(path).bind(addr).await?;
    let (me, previous) = if client.has_api_key() || register.is_some() {
        let profile = client.me().await?;
        (profile.username, profile.webhook_url)
    } else {
        (String::new(), None)
    };
    let registered = match register {
        None => None,
        Some("") => Some(receiver.url()),
        Some(url) => Some(url.to_owned()),
    };
    if let Some(url) = &registered {
        client.set_webhook(Some(url)).await?;
    }
    eprintln!(
        "listening on {}{}; Ctrl-C to stop",
        receiver.url(),
        registered
            .as_deref()
            .map(|url| format!(" (webhook_url of {me} set to {url})"))
            .unwrap_or_default()
    );
    let printed = loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break Ok(()),
            delivery = receiver.next() => match delivery {
                Some(delivery) => {
                    if let Err(e) = print(out, &me, &delivery) {
                        break Err(e);
                    }
                }
                None => break Ok(()),
            }
        }
    };
    receiver.shutdown().await;
    if registered.is_some() {
        let previous = previous.filter(|url| !url.is_empty());
        client.set_webhook(previous.as_deref()).await?;
        eprintln!(
            "webhook_url of {me} {}",
            previous.map_or_else(|| "cleared".to_owned(), |url| format!("restored to {url}"))
        );
    }
    printed?;
    Err(Failure::Interrupted)
}

fn print(out: &Out, me: &str, delivery: &Delivery) -> Result<(), Failure> {
    if out.json() {
        out.json_line(delivery)?;
        return Ok(());
    }
    let event = Event::Message(Box::new(delivery.message.clone()));
    if let Some(line) = event_line(out, me, &event) {
        let repeat = if delivery.repeat {
            out.paint(" (sent again)", 33)
        } else {
            String::new()
        };
        out.line(&format!("{line}{repeat}"))?;
    }
    Ok(())
}
