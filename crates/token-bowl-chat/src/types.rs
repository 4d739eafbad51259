//! The data the API speaks: the generated types under friendly names, and
//! argument types for the calls that take several optional values.
//!
//! What every answer is made of:
//! - text is `String` (`Option<String>` when the server may leave it out);
//! - a record's own id is a [`Uuid`]; an id that refers to another record
//!   (`from_user_id`, `to_user_id`, `created_by_id`) is `Option<Uuid>`,
//!   `None` when the server sends `""` (a deleted sender, a bot an admin
//!   made from a user);
//! - times are [`DateTime<Utc>`];
//! - every count, offset, limit and page size is a `u64`, in answers and in
//!   arguments alike;
//! - API keys and tokens are [`Secret`]s: `{:?}` and `{}` print
//!   `<redacted>`, [`Secret::expose_secret`] reads them;
//! - enums ([`Role`], [`MessageType`]) have an `Unknown(String)` variant
//!   that keeps a value a newer server sends, and unknown fields are
//!   ignored, so a newer server does not break this client.

pub use chrono::{DateTime, TimeDelta, Utc};
pub use token_bowl_chat_api::Secret;
pub use uuid::Uuid;

pub use token_bowl_chat_api::types::{
    AssignRoleResponse as RoleAssigned, BotProfileResponse as Bot, ConnectionToken,
    ConversationResponse as Conversation, CreateBotResponse as CreatedBot, Health,
    InviteUserResponse as Invited, LogoUpdated, MessageResponse as Message, MessageType,
    PaginatedConversationsResponse as ConversationPage, PaginatedMessagesResponse as MessagePage,
    PaginationMetadata as Pagination, PublicUserProfile as User, RealtimeStats, Role,
    StytchAuthenticateResponse as MagicLinkSession, StytchLoginResponse as MagicLinkSent,
    TypingSent, UnreadCountResponse as UnreadCount, UserProfileResponse as Profile,
    UserRegistrationResponse as Registration, WebhookUpdated,
};

/// Setters that take the value itself and wrap it in `Some`.
macro_rules! plain_setters {
    ($ty:ident { $($field:ident: $arg:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                pub fn $field(mut self, value: $arg) -> Self {
                    self.$field = Some(value);
                    self
                }
            )*
        }
    };
}

/// Setters that take `impl Into<T>` and wrap the value in `Some`.
macro_rules! setters {
    ($ty:ident { $($field:ident: $arg:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                pub fn $field(mut self, value: impl Into<$arg>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// A registration: `Register::new("alice").logo("claude-color.png")`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Register {
    /// 1–50 characters.
    pub username: String,
    /// Where the server posts messages for this user.
    pub webhook_url: Option<String>,
    /// A name from [`Client::logos`](crate::Client::logos).
    pub logo: Option<String>,
    /// An emoji shown beside the name.
    pub emoji: Option<String>,
    /// The role (`bot` is refused: bots are made with `create_bot`).
    pub role: Option<Role>,
    /// Register as an admin (servers may allow this).
    pub admin: bool,
    /// Register as a read-only viewer.
    pub viewer: bool,
}

impl Register {
    /// A registration for `username`.
    pub fn new(username: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            ..Self::default()
        }
    }

    /// Registers as an admin.
    pub fn admin(mut self, yes: bool) -> Self {
        self.admin = yes;
        self
    }

    /// Registers as a viewer.
    pub fn viewer(mut self, yes: bool) -> Self {
        self.viewer = yes;
        self
    }
}
setters!(Register {
    webhook_url: String,
    logo: String,
    emoji: String
});
plain_setters!(Register { role: Role });

/// Which page of messages: `MessageQuery::new().limit(20).since(t)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageQuery {
    /// Page size (server default 50).
    pub limit: Option<u64>,
    /// How many of the newest to skip.
    pub offset: Option<u64>,
    /// Only messages strictly after this time (sent in UTC).
    pub since: Option<DateTime<Utc>>,
}

impl MessageQuery {
    /// The first page with the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }
}
plain_setters!(MessageQuery { limit: u64, offset: u64, since: DateTime<Utc> });

/// A page by limit and offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// Page size.
    pub limit: Option<u64>,
    /// How many to skip.
    pub offset: Option<u64>,
}

impl Page {
    /// The first page with the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }
}
plain_setters!(Page {
    limit: u64,
    offset: u64
});

/// A bot to create: `NewBot::new("alicebot").emoji("🦾")`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewBot {
    /// 1–50 characters.
    pub username: String,
    /// An emoji shown beside the name.
    pub emoji: Option<String>,
    /// Where the server posts messages for the bot.
    pub webhook_url: Option<String>,
}

impl NewBot {
    /// A bot called `username`.
    pub fn new(username: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            ..Self::default()
        }
    }
}
setters!(NewBot {
    emoji: String,
    webhook_url: String
});

/// Changes to a bot; unset fields are sent as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BotUpdate {
    /// New emoji.
    pub emoji: Option<String>,
    /// New webhook URL.
    pub webhook_url: Option<String>,
}

impl BotUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }
}
setters!(BotUpdate {
    emoji: String,
    webhook_url: String
});

/// A conversation to save.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewConversation {
    /// 1–200 characters.
    pub title: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// The messages it holds (they must exist).
    pub message_ids: Vec<Uuid>,
}

impl NewConversation {
    /// A conversation of these messages.
    pub fn new(message_ids: impl IntoIterator<Item = Uuid>) -> Self {
        Self {
            message_ids: message_ids.into_iter().collect(),
            ..Self::default()
        }
    }
}
setters!(NewConversation {
    title: String,
    description: String
});

/// Changes to a conversation; unset fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConversationUpdate {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New list of messages.
    pub message_ids: Option<Vec<Uuid>>,
}

impl ConversationUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }
}
setters!(ConversationUpdate { title: String, description: String, message_ids: Vec<Uuid> });

/// Changes an admin makes to a user; unset fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdminUserUpdate {
    /// New username.
    pub username: Option<String>,
    /// New email.
    pub email: Option<String>,
    /// New webhook URL.
    pub webhook_url: Option<String>,
    /// New logo.
    pub logo: Option<String>,
    /// New emoji.
    pub emoji: Option<String>,
    /// Viewer flag.
    pub viewer: Option<bool>,
    /// Admin flag.
    pub admin: Option<bool>,
    /// Bot flag.
    pub bot: Option<bool>,
}

impl AdminUserUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }
}
setters!(AdminUserUpdate {
    username: String,
    email: String,
    webhook_url: String,
    logo: String,
    emoji: String,
});
plain_setters!(AdminUserUpdate {
    viewer: bool,
    admin: bool,
    bot: bool
});
