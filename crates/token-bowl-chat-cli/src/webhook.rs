//! `webhook listen`: what the server posts, as it arrives.

use token_bowl_chat::{
    Client,
    realtime::Event,
    webhook::{Delivery, WebhookReceiver},
};

use crate::{failure::Failure, live::event_line, output::Out};

/// Listens on `addr` at `path` until Ctrl-C and prints each delivery. With
/// `register` (`""`: the listener's own URL), the user's `webhook_url` is
/// set for the time it runs and put back afterwards.
pub async fn listen(
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
