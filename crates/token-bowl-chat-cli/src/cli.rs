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
#[command(next_help_heading = "Global options")]
pub struct Global {
    // The two are read from the environment after parsing, not through
    // clap's `env`: clap shows an argument set from the environment in the
    // usage line of every error, as if it had to be given.
    /// API key (64 hex characters from `register`) [env: TOKEN_BOWL_CHAT_API_KEY]
    #[arg(long, short = 'k', global = true)]
    pub api_key: Option<String>,
    /// Server to talk to [env: TOKEN_BOWL_CHAT_BASE_URL] [default: the public server, api.tokenbowl.ai]
    #[arg(long, global = true)]
    pub base_url: Option<String>,
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
    /// Receive the server's webhook deliveries
    #[command(subcommand)]
    Webhook(Webhook),
    /// Saved conversations
    #[command(subcommand)]
    Conversations(Conversations),
    /// Your bots
    #[command(subcommand)]
    Bots(Bots),
    /// Administration (admin role)
    #[command(subcommand)]
    Admin(Admin),
    /// An LLM participant: join the chat and answer through a model
    #[cfg(feature = "agent")]
    #[command(subcommand)]
    Agent(crate::agent::AgentCommand),
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
        /// The text (1-10000 characters); `-` reads it from standard input
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
        #[arg(long, short = 'n', default_value = "10", value_parser = parse_limit, allow_negative_numbers = true)]
        limit: u64,
        /// How many of the newest to skip
        #[arg(long, default_value = "0", conflicts_with = "all", value_parser = parse_offset, allow_negative_numbers = true)]
        offset: u64,
        /// Only messages after this time: 2026-11-22T10:00:00Z, 2026-11-22 10:00
        /// (local), 2026-11-22, or a time ago (10m, 2h, 1d)
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

/// A time as people write it: RFC 3339, the form this CLI prints
/// (`2026-11-22 10:00:00 +01:00`, `... UTC`), a local date and time
/// (`2026-11-22 10:00`), a local date (`2026-11-22`), or a time ago
/// (`90s`, `10m`, `2h`, `1d`, `1w`).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    parse_time_at(text, Utc::now())
}

pub fn parse_time_at(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    use chrono::{Local, NaiveDate, NaiveDateTime, TimeDelta, TimeZone};
    let trimmed = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(time.to_utc());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %:z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %:z",
    ] {
        if let Ok(time) = DateTime::parse_from_str(trimmed, format) {
            return Ok(time.to_utc());
        }
    }
    if let Some(utc) = trimmed
        .strip_suffix(" UTC")
        .or_else(|| trimmed.strip_suffix('Z'))
    {
        for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
            if let Ok(time) = NaiveDateTime::parse_from_str(utc.trim(), format) {
                return Ok(time.and_utc());
            }
        }
    }
    let local = |naive: NaiveDateTime| {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.to_utc())
            .ok_or_else(|| format!("{text:?} does not exist in the local time zone"))
    };
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(trimmed, format) {
            return local(naive);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return local(date.and_hms_opt(0, 0, 0).unwrap_or_default());
    }
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    if let Ok(n) = number.parse::<i64>() {
        let ago = match unit.trim() {
            "s" | "sec" | "secs" => TimeDelta::try_seconds(n),
            "m" | "min" | "mins" => TimeDelta::try_minutes(n),
            "h" | "hour" | "hours" => TimeDelta::try_hours(n),
            "d" | "day" | "days" => TimeDelta::try_days(n),
            "w" | "week" | "weeks" => TimeDelta::try_weeks(n),
            _ => None,
        };
        if let Some(ago) = ago {
            return Ok(now - ago);
        }
    }
    Err(format!(
        "cannot read {text:?} as a time; write it as 2026-11-22T10:00:00Z, \
         2026-11-22 10:00 (local), 2026-11-22, or a time ago: 10m, 2h, 1d"
    ))
}

/// A page size: a whole number from 1 up.
pub fn parse_limit(text: &str) -> Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 1 => u64::try_from(n).map_err(|_| format!("{text} is too large")),
        Ok(_) => Err(format!("{text} is too small: give at least 1")),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// A conversation page size: 1 to 100.
pub fn parse_conversation_limit(text: &str) -> Result<u64, String> {
    match parse_limit(text)? {
        n if n > 100 => Err(format!("{text} is too large: give at most 100")),
        n => Ok(n),
    }
}

/// How many to skip: a whole number from 0 up.
pub fn parse_offset(text: &str) -> Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 0 => u64::try_from(n).map_err(|_| format!("{text} is too large")),
        Ok(_) => Err(format!("{text} is negative: give 0 or more")),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
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
    /// List unread messages (room and direct), oldest first
    List {
        /// Direct messages only
        #[arg(long, short = 'd', conflicts_with = "room")]
        direct: bool,
        /// Room messages only
        #[arg(long, short = 'r')]
        room: bool,
    },
    /// Mark one message, or with --all everything, read
    MarkRead {
        /// Message id (or --all)
        #[arg(conflicts_with = "all")]
        id: Option<Uuid>,
        /// Mark everything read
        #[arg(long)]
        all: bool,
    },
}

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
        #[arg(long, short = 'n', default_value = "20", value_parser = parse_conversation_limit, allow_negative_numbers = true)]
        limit: u64,
        /// How many to skip
        #[arg(long, default_value = "0", value_parser = parse_offset, allow_negative_numbers = true)]
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

impl Global {
    /// The API key: `--api-key`, else `TOKEN_BOWL_CHAT_API_KEY`.
    pub fn api_key(&self) -> Option<String> {
        self.api_key
            .clone()
            .or_else(|| std::env::var(token_bowl_chat::API_KEY_ENV).ok())
            .filter(|k| !k.trim().is_empty())
    }

    /// The server: `--base-url`, else `TOKEN_BOWL_CHAT_BASE_URL`, else the
    /// public server.
    pub fn base_url(&self) -> String {
        self.base_url
            .clone()
            .or_else(|| std::env::var(token_bowl_chat::BASE_URL_ENV).ok())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| token_bowl_chat::DEFAULT_BASE_URL.to_owned())
    }
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
