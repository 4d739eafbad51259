//! `admin`: manage users and messages, and invite people (admin role).

use clap::{Subcommand, ValueEnum};
use token_bowl_chat::{AdminUserUpdate, Client};
use uuid::Uuid;

use super::{
    account::profile,
    shared::{Result, Secrets, deleted, new_key, redacted, wait},
};
use crate::{failure::Failure, output::Out};

#[derive(Debug, Subcommand)]
pub enum Admin {
    /// Manage users
    #[command(subcommand)]
    Users(AdminUsers),
    /// Manage messages
    #[command(subcommand)]
    Messages(AdminMessages),
    /// Invite someone by email
    Invite {
        /// Email address
        email: String,
        /// Sign-up page the email links to
        #[arg(long)]
        signup_url: String,
        /// Role to grant
        #[arg(long, value_enum, default_value = "member")]
        role: RoleArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminUsers {
    /// List every user with private details
    List,
    /// Show one user
    Show {
        /// User id or username
        user: String,
    },
    /// Change a user
    Update {
        /// User id or username
        user: String,
        /// New username
        #[arg(long)]
        username: Option<String>,
        /// New email
        #[arg(long)]
        email: Option<String>,
        /// New webhook URL
        #[arg(long)]
        webhook: Option<String>,
        /// New logo
        #[arg(long)]
        logo: Option<String>,
        /// New emoji
        #[arg(long)]
        emoji: Option<String>,
    },
    /// Delete a user
    Delete {
        /// User id or username
        user: String,
    },
    /// Give a user a role
    Role {
        /// User id or username
        user: String,
        /// The role
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Replace a user's API key and print the new one
    RegenerateKey {
        /// User id or username
        user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminMessages {
    /// Show any message
    Show {
        /// Message id
        id: Uuid,
    },
    /// Replace a message's text
    Edit {
        /// Message id
        id: Uuid,
        /// New text
        text: String,
    },
    /// Delete a message
    Delete {
        /// Message id
        id: Uuid,
    },
}

/// Roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Full control
    Admin,
    /// Chats, manages own bots
    Member,
    /// Reads only
    Viewer,
    /// Room messages only
    Bot,
}

impl From<RoleArg> for token_bowl_chat::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Self::Admin,
            RoleArg::Member => Self::Member,
            RoleArg::Viewer => Self::Viewer,
            RoleArg::Bot => Self::Bot,
        }
    }
}

/// Runs an `admin` command.
pub async fn run(command: Admin, client: &Client, out: &Out) -> Result {
    match command {
        Admin::Users(command) => users(command, client, out).await,
        Admin::Messages(command) => messages(command, client, out).await,
        Admin::Invite {
            email,
            signup_url,
            role,
        } => {
            let invited = wait(
                "inviting",
                client.admin_invite(&email, &signup_url, Some(role.into())),
            )
            .await?;
            out.show(&invited, |out| {
                out.line(&invited.message)?;
                Ok(())
            })?;
            Ok(())
        }
    }
}

async fn users(command: AdminUsers, client: &Client, out: &Out) -> Result {
    match command {
        AdminUsers::List => list_users(client, out).await?,
        AdminUsers::Show { user } => {
            let (id, _) = resolve_user(client, &user).await?;
            profile(out, &wait("loading", client.admin_user(id)).await?)?
        }
        AdminUsers::Update {
            user,
            username,
            email,
            webhook,
            logo,
            emoji,
        } => {
            let mut update = AdminUserUpdate::new();
            update.username = username;
            update.email = email;
            update.webhook_url = webhook;
            update.logo = logo;
            update.emoji = emoji;
            let (id, _) = resolve_user(client, &user).await?;
            profile(
                out,
                &wait("updating", client.admin_update_user(id, update)).await?,
            )?;
        }
        AdminUsers::Delete { user } => {
            let (id, _) = resolve_user(client, &user).await?;
            wait("deleting", client.admin_delete_user(id)).await?;
            deleted(out, "user", id)?;
        }
        AdminUsers::Role { user, role } => {
            let (id, _) = resolve_user(client, &user).await?;
            let done = wait("assigning", client.admin_set_role(id, role.into())).await?;
            out.show(&done, |out| {
                out.line(&done.message)?;
                Ok(())
            })?;
        }
        AdminUsers::RegenerateKey { user } => {
            let (id, name) = resolve_user(client, &user).await?;
            let key = wait("regenerating", client.admin_regenerate_api_key(id)).await?;
            new_key(out, &name, id, &key)?;
        }
    }
    Ok(())
}

async fn list_users(client: &Client, out: &Out) -> Result {
    let users = wait("loading users", client.admin_users()).await?;
    out.show(&redacted(&users, Secrets::Marked), |out| {
        let rows = users
            .iter()
            .map(|u| {
                vec![
                    u.username.clone(),
                    u.role.to_string(),
                    u.email.clone().unwrap_or_default(),
                    out.time(u.created_at),
                    u.id.to_string(),
                ]
            })
            .collect();
        out.table(&["Username", "Role", "Email", "Created", "Id"], rows)?;
        Ok(())
    })?;
    Ok(())
}

/// A user named by id or by username: the id, and the name when known.
async fn resolve_user(client: &Client, user: &str) -> Result<(Uuid, String)> {
    if let Ok(id) = user.parse::<Uuid>() {
        return Ok((id, user.to_owned()));
    }
    let users = wait("looking up the user", client.admin_users()).await?;
    users
        .iter()
        .find(|u| u.username == user)
        .map(|u| (u.id, u.username.clone()))
        .ok_or_else(|| Failure::Failed(format!("no user called {user:?}")))
}

async fn messages(command: AdminMessages, client: &Client, out: &Out) -> Result {
    match command {
        AdminMessages::Show { id } => {
            let message = wait("loading", client.admin_message(id)).await?;
            super::messages::show(out, &message)?;
        }
        AdminMessages::Edit { id, text } => {
            let message = wait("editing", client.admin_edit_message(id, &text)).await?;
            out.show(&message, |out| {
                out.line(&format!("Edited {id}."))?;
                Ok(())
            })?;
        }
        AdminMessages::Delete { id } => {
            wait("deleting", client.admin_delete_message(id)).await?;
            deleted(out, "message", id)?;
        }
    }
    Ok(())
}
