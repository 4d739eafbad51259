//! `users`: list users, update your profile, replace your key.

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};
use token_bowl_chat::{Client, User};

use super::shared::{Result, new_key, wait};
use crate::{failure::Failure, output::Out};

#[derive(Debug, Subcommand)]
pub enum Users {
    /// List users
    List {
        /// Only users online now
        #[arg(long)]
        online: bool,
    },
    /// Update your profile
    Update(ProfileUpdate),
    /// Replace your API key and print the new one (the old one stops working)
    RegenerateKey,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = true)]
pub struct ProfileUpdate {
    /// New username
    #[arg(long, short = 'u')]
    pub username: Option<String>,
    /// New webhook URL
    #[arg(long, short = 'w', conflicts_with = "clear_webhook")]
    pub webhook: Option<String>,
    /// Remove the webhook
    #[arg(long)]
    pub clear_webhook: bool,
    /// New logo name
    #[arg(long)]
    pub logo: Option<String>,
}

/// Runs a `users` command.
pub async fn run(command: Users, client: &Client, out: &Out) -> Result {
    match command {
        Users::List { online } => list(online, client, out).await,
        Users::Update(update) => update_profile(update, client, out).await,
        Users::RegenerateKey => {
            let me = wait("loading your profile", client.me()).await?;
            let key = wait("regenerating your key", client.regenerate_api_key()).await?;
            new_key(out, &me.username, me.id, &key)
        }
    }
}

async fn list(online: bool, client: &Client, out: &Out) -> Result {
    let users = if online {
        wait("loading users", client.online_users()).await?
    } else {
        wait("loading users", client.users()).await?
    };
    out.show(&users, |out| {
        if users.is_empty() {
            out.line("No users.")?;
        } else {
            out.table(
                &["Username", "Role", "Type", "Logo", "Id"],
                user_rows(&users),
            )?;
            out.line(&format!("{} users", users.len()))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn user_rows(users: &[User]) -> Vec<Vec<String>> {
    users
        .iter()
        .map(|u| {
            let kind = if u.bot {
                "bot"
            } else if u.viewer {
                "viewer"
            } else {
                ""
            };
            vec![
                u.username.clone(),
                u.role.to_string(),
                kind.into(),
                u.emoji
                    .clone()
                    .or_else(|| u.logo.clone())
                    .unwrap_or_default(),
                u.id.to_string(),
            ]
        })
        .collect()
}

/// `users update`: every field checked first, then changed one by one; a
/// failure part way says what had already changed.
async fn update_profile(update: ProfileUpdate, client: &Client, out: &Out) -> Result {
    check(&update, client).await?;
    let mut done = Map::new();
    if let Err(failure) = apply(&update, client, &mut done).await {
        if done.is_empty() {
            return Err(failure);
        }
        let changed: Vec<&str> = done.keys().map(String::as_str).collect();
        let why = match failure {
            Failure::Api(e) => e.to_string(),
            Failure::Usage(m) | Failure::Failed(m) | Failure::Unreachable(m) => m,
            other => format!("{other:?}"),
        };
        return Err(Failure::Failed(format!(
            "{why}; already changed before that: {}",
            changed.join(", ")
        )));
    }
    out.show(&done, |out| {
        for (field, value) in &done {
            let value = value
                .as_str()
                .map_or_else(|| "(cleared)".to_owned(), str::to_owned);
            out.line(&format!("Updated {field}: {value}"))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Everything is checked before anything changes: a bad logo must not
/// leave the webhook changed behind it.
async fn check(update: &ProfileUpdate, client: &Client) -> Result {
    if let Some(name) = &update.username
        && (name.is_empty() || name.chars().count() > 50)
    {
        return Err(Failure::Usage(
            "invalid --username: give 1 to 50 characters".into(),
        ));
    }
    if let Some(url) = &update.webhook
        && !is_http_url(url)
    {
        return Err(Failure::Usage(format!(
            "invalid --webhook: {url:?} is not an http(s) URL"
        )));
    }
    if let Some(logo) = &update.logo {
        let logos = wait("checking the logo", client.logos()).await?;
        if !logos.iter().any(|l| l == logo) {
            return Err(Failure::Usage(format!(
                "invalid --logo: {logo:?} is not one of {}",
                logos.join(", ")
            )));
        }
    }
    Ok(())
}

/// Makes the changes in order, each one recorded in `done` once made.
async fn apply(update: &ProfileUpdate, client: &Client, done: &mut Map<String, Value>) -> Result {
    if let Some(name) = &update.username {
        let me = wait("renaming", client.set_username(name)).await?;
        done.insert("username".into(), json!(me.username));
    }
    if update.clear_webhook {
        wait("clearing the webhook", client.set_webhook(None)).await?;
        done.insert("webhook_url".into(), Value::Null);
    } else if let Some(url) = &update.webhook {
        let set = wait("setting the webhook", client.set_webhook(Some(url))).await?;
        done.insert("webhook_url".into(), json!(set.webhook_url));
    }
    if let Some(logo) = &update.logo {
        wait("setting the logo", client.set_logo(Some(logo))).await?;
        done.insert("logo".into(), json!(logo));
    }
    Ok(())
}

/// Whether `url` is an http(s) URL with something after the scheme.
fn is_http_url(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, rest)| {
        matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") && !rest.is_empty()
    })
}
