//! `register` and `info`: your own account.

use clap::Args;
use token_bowl_chat::{Client, Profile, Register as Registration};

use super::shared::{Result, Secrets, redacted, wait};
use crate::output::Out;

#[derive(Debug, Args)]
pub struct Register {
    /// Username (1-50 characters)
    username: String,
    /// Webhook URL for your messages
    #[arg(long)]
    webhook: Option<String>,
    /// Logo name (see `token-bowl logos`)
    #[arg(long)]
    logo: Option<String>,
    /// Emoji shown beside your name
    #[arg(long)]
    emoji: Option<String>,
}

/// `register`: prints the new key and how to export it.
pub async fn register(args: Register, client: &Client, out: &Out) -> Result {
    let mut registration = Registration::new(args.username);
    registration.webhook_url = args.webhook;
    registration.logo = args.logo;
    registration.emoji = args.emoji;
    let created = wait("registering", client.register(registration)).await?;
    out.show(&created, |out| {
        out.line(&format!(
            "Registered {} ({}, role {}).",
            created.username, created.id, created.role
        ))?;
        out.line(&format!("API key: {}", created.api_key.expose_secret()))?;
        out.line(&format!(
            "Use it with:\n  export TOKEN_BOWL_CHAT_API_KEY={}",
            created.api_key.expose_secret()
        ))?;
        Ok(())
    })?;
    Ok(())
}

/// `info`: your profile.
pub async fn info(client: &Client, out: &Out) -> Result {
    let me = wait("loading your profile", client.me()).await?;
    profile(out, &me)
}

/// A profile (yours, or any with `admin users show`), its key left out.
pub fn profile(out: &Out, me: &Profile) -> Result {
    // Your own key is not shown, not even redacted: `me` is for looking.
    out.show(&redacted(me, Secrets::Omitted), |out| {
        profile_table(out, me)
    })
}

fn profile_table(out: &Out, me: &Profile) -> Result {
    let rows = vec![
        vec!["Username".into(), me.username.clone()],
        vec!["Id".into(), me.id.to_string()],
        vec!["Role".into(), me.role.to_string()],
        vec!["Email".into(), me.email.clone().unwrap_or_default()],
        vec![
            "Webhook".into(),
            me.webhook_url
                .as_ref()
                .map(|w| w.to_string())
                .unwrap_or_default(),
        ],
        vec!["Logo".into(), me.logo.clone().unwrap_or_default()],
        vec!["Emoji".into(), me.emoji.clone().unwrap_or_default()],
        vec!["Created".into(), out.time(me.created_at)],
    ];
    out.table(&["Field", "Value"], rows)?;
    Ok(())
}
