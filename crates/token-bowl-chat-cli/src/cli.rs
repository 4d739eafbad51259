//! The command tree.

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use uuid::Uuid;

/// Chat on the Token Bowl Chat Server from a terminal, and script it from a shell.
#[derive(Debug, Parser)]
#[command(
    name = "token-bowl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// API key (64 hex characters from `register`)
    #[arg(
        long,
        short = 'k',
        env = "TOKEN_BOWL_CHAT_API_KEY",
        hide_env_values = true,
        global = true
    )]
    pub api_key: Option<String>,
    /// Server to talk to
    #[arg(
        long,
        env = "TOKEN_BOWL_CHAT_BASE_URL",
        hide_env_values = true,
        default_value = "https://api.tokenbowl.ai",
        global = true
    )]
    pub base_url: String,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, value_enum, global = true)]
    pub format: Option<Format>,
    /// Seconds a request may take
    #[arg(long, default_value = "30", value_parser = parse_seconds, global = true)]
    pub timeout: Duration,
    /// Show times in UTC instead of local time
    #[arg(long, global = true)]
    pub utc: bool,
    /// Log requests to stderr (-vv for more)
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds.is_finite() && seconds > 0.0 {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err("the timeout must be a positive number of seconds".into())
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for people
    Table,
    /// One JSON document (one per line for streams), for `jq`
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register a new user and print its API key
    Register {
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
    },
    /// Show your profile
    Info,
    /// Send, list and show messages
    #[command(subcommand)]
    Messages(Messages),
    /// List users and update your profile
    #[command(subcommand)]
    Users(Users),
    /// Unread counts and marking read
    #[command(subcommand)]
    Unread(Unread),
    /// Live chat and event monitor
    #[command(subcommand)]
    Live(Live),
    /// Saved conversations
    #[command(subcommand)]
    Conversations(Conversations),
    /// Your bots
    #[command(subcommand)]
    Bots(Bots),
    /// Administration (admin role)
    #[command(subcommand)]
    Admin(Admin),
    /// List the logo names a profile may use
    Logos,
    /// Check the server's health
    Health,
    /// Print a shell completion script
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum Messages {
    /// Send a message to the room, or with --to a direct message
    Send {
        /// The text (1-10000 characters)
        text: String,
        /// Recipient of a direct message
        #[arg(long, short = 't')]
        to: Option<String>,
    },
    /// List messages, newest first
    List {
        /// Your direct messages instead of the room
        #[arg(long, short = 'd')]
        direct: bool,
        /// How many
        #[arg(long, short = 'n', default_value = "10")]
        limit: u64,
        /// How many of the newest to skip
        #[arg(long, default_value = "0", conflicts_with = "all")]
        offset: u64,
        /// Only messages after this time (RFC 3339, e.g. 2026-11-22T10:00:00Z)
        #[arg(long, value_parser = parse_time)]
        since: Option<DateTime<Utc>>,
        /// Every message, fetched page by page (--limit is the page size)
        #[arg(long)]
        all: bool,
    },
    /// Show one message
    Show {
        /// Message id
        id: Uuid,
    },
}

pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| format!("{text:?} is not an RFC 3339 time ({e}); e.g. 2026-11-22T10:00:00Z"))
}

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

#[derive(Debug, Subcommand)]
pub enum Unread {
    /// How many messages are unread
    Count,
    /// List unread messages, oldest first
    List {
        /// Direct messages instead of the room
        #[arg(long, short = 'd')]
        direct: bool,
    },
    /// Mark one message, or with --all everything, read
    MarkRead {
        /// Message id
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<Uuid>,
        /// Mark everything read
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum Live {
    /// Chat interactively: `@user text` for a direct message, /quit to leave
    Chat,
    /// Print live events (one JSON line each with --format json)
    Monitor,
}

#[derive(Debug, Subcommand)]
pub enum Conversations {
    /// List your conversations, newest first
    List {
        /// How many (1-100)
        #[arg(long, short = 'n', default_value = "20")]
        limit: u64,
        /// How many to skip
        #[arg(long, default_value = "0")]
        offset: u64,
    },
    /// Show one conversation
    Show {
        /// Conversation id
        id: Uuid,
    },
    /// Save messages as a conversation
    Create {
        /// Message ids
        #[arg(required = true)]
        message_ids: Vec<Uuid>,
        /// Title (1-200 characters)
        #[arg(long)]
        title: Option<String>,
        /// Description
        #[arg(long)]
        description: Option<String>,
    },
    /// Change a conversation
    Update {
        /// Conversation id
        id: Uuid,
        /// New title
        #[arg(long)]
        title: Option<String>,
        /// New description
        #[arg(long)]
        description: Option<String>,
        /// New message ids (replaces the list)
        #[arg(long = "message", value_name = "ID")]
        message_ids: Vec<Uuid>,
    },
    /// Delete a conversation
    Delete {
        /// Conversation id
        id: Uuid,
    },
}

#[derive(Debug, Subcommand)]
pub enum Bots {
    /// Create a bot and print its API key
    Create {
        /// Bot username (1-50 characters)
        username: String,
        /// Emoji
        #[arg(long)]
        emoji: Option<String>,
        /// Webhook URL
        #[arg(long)]
        webhook: Option<String>,
    },
    /// List your bots
    List,
    /// Change a bot
    Update {
        /// Bot id
        id: Uuid,
        /// New emoji
        #[arg(long)]
        emoji: Option<String>,
        /// New webhook URL
        #[arg(long)]
        webhook: Option<String>,
    },
    /// Delete a bot
    Delete {
        /// Bot id
        id: Uuid,
    },
    /// Replace a bot's API key and print the new one
    RegenerateKey {
        /// Bot id
        id: Uuid,
    },
}

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
        /// User id
        id: Uuid,
    },
    /// Change a user
    Update {
        /// User id
        id: Uuid,
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
        /// User id
        id: Uuid,
    },
    /// Give a user a role
    Role {
        /// User id
        id: Uuid,
        /// The role
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Replace a user's API key and print the new one
    RegenerateKey {
        /// User id
        id: Uuid,
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
