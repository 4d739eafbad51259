//! The async [`Client`] and its operations.

use std::{fmt, future::Future, sync::Arc};

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use futures::Stream;
use serde::de::DeserializeOwned;
use token_bowl_chat_api::{
    self as api, ApiKey, ClientInfo, ClientState, Credentials, Operation, ResponseValue,
    operations as op,
    types::{self as t, ErrorBody, error::ConversionError},
};
use uuid::Uuid;

use crate::{
    Error, Result, RetryPolicy,
    error::UnknownSend,
    history::{self, HistoryOptions},
    retry::Executor,
    types::*,
};

/// The Token Bowl Chat client.
///
/// Cheap to clone: clones share the connection pool and the credentials
/// (a key set on one is used by all).
#[derive(Clone)]
pub struct Client {
    /// The generated client: the SDK's calls go through it, and
    /// [`api`](Self::api) hands it out. Its attempts follow `policy`.
    api: api::Client,
    /// The retry rule of this client.
    policy: Arc<RetryPolicy>,
    /// The timeout, the user agent and the tracing fields of each attempt.
    executor: Arc<Executor>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("credentials", self.credentials())
            .field("retry", &*self.policy)
            .finish()
    }
}

/// Sets the optional `limit`, `offset` (and `since`) of a generated builder.
macro_rules! paged {
    ($builder:expr, $limit:expr, $offset:expr $(, $since:ident)?) => {{
        let mut builder = $builder;
        if let Some(limit) = $limit {
            builder = builder.limit(limit);
        }
        if let Some(offset) = $offset {
            builder = builder.offset(offset);
        }
        $(if let Some(since) = &$since {
            builder = builder.since(since.clone());
        })?
        builder
    }};
}

/// Checks a value against the spec's limits (through the generated
/// constrained type) before any I/O.
fn valid<T>(field: &'static str, value: impl Into<String>) -> Result<T>
where
    T: TryFrom<String, Error = ConversionError>,
{
    T::try_from(value.into()).map_err(|e| Error::invalid(field, e))
}

fn valid_opt<T>(field: &'static str, value: Option<impl Into<String>>) -> Result<Option<T>>
where
    T: TryFrom<String, Error = ConversionError>,
{
    value.map(|v| valid(field, v)).transpose()
}

fn page_arg(field: &'static str, value: Option<u64>, max: Option<u64>) -> Result<Option<i64>> {
    let max = max.unwrap_or(i64::MAX.unsigned_abs());
    match value {
        Some(0) if field == "limit" => Err(Error::invalid(field, "must be at least 1")),
        Some(v) if v > max => Err(Error::invalid(field, format!("must be at most {max}"))),
        // At most `i64::MAX`, checked above.
        v => Ok(v.map(|v| i64::try_from(v).unwrap_or(i64::MAX))),
    }
}

/// Formats a time the way the server stores it (`+00:00`, microseconds
/// when not zero): the server compares `since` with stored timestamps as
/// text, so only this form gives right answers.
pub(crate) fn server_time(time: DateTime<Utc>) -> String {
    let micros = time.timestamp_subsec_micros();
    let base = time.format("%Y-%m-%dT%H:%M:%S");
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

impl Client {
    /// The client over `http`.
    pub(crate) fn assemble(
        base_url: &str,
        http: reqwest::Client,
        credentials: Credentials,
        policy: RetryPolicy,
        executor: Arc<Executor>,
    ) -> Self {
        let policy = Arc::new(policy);
        let state = ClientState::new(credentials)
            .with_executor(executor.clone())
            .with_retry(policy.clone());
        Self {
            api: api::Client::new_with_client(base_url, http, state),
            policy,
            executor,
        }
    }

    /// The generated low-level client, for anything this SDK does not wrap.
    /// It shares this client's credentials, retries, timeout and tracing.
    pub fn api(&self) -> &api::Client {
        &self.api
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        self.api.baseurl()
    }

    /// The shared credentials.
    pub fn credentials(&self) -> &Credentials {
        self.api.credentials()
    }

    /// Whether an API key is set.
    pub fn has_api_key(&self) -> bool {
        self.credentials().is_set()
    }

    /// Uses `key` for the next requests, on this client and all its clones.
    pub fn set_api_key(&self, key: &str) -> Result<()> {
        let key = ApiKey::new(key).map_err(|e| Error::invalid("api_key", e))?;
        self.credentials().set(key);
        Ok(())
    }

    /// A clone of this client (same pool, same credentials) whose calls use
    /// `policy`, e.g. `client.with_retry(RetryPolicy::none()).me()`.
    pub fn with_retry(&self, policy: RetryPolicy) -> Self {
        Self::assemble(
            self.base_url(),
            self.api.client().clone(),
            self.credentials().clone(),
            policy,
            self.executor.clone(),
        )
    }

    /// Runs one generated call, `make(api)` (whose attempts follow this
    /// client's retry rule), and maps its error.
    pub(crate) async fn call<'a, T, F, Fut>(
        &'a self,
        operation: &'static Operation,
        make: F,
    ) -> Result<T>
    where
        T: DeserializeOwned,
        F: FnOnce(&'a api::Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, api::Error<ErrorBody>>>,
    {
        make(&self.api)
            .await
            .map(ResponseValue::into_inner)
            .map_err(|error| {
                Error::from_api::<T>(
                    operation.id,
                    error,
                    self.credentials().get().as_ref(),
                    self.executor.timeout,
                )
            })
    }

    fn adopt_key_if_none(&self, key: &ApiKey) {
        if !self.has_api_key() {
            self.credentials().set(key.clone());
        }
    }

    /// The room messages (`direct: false`) or the direct messages to `me`
    /// (`direct: true`) stored after `since`, oldest first: how real time and
    /// the bot runtime fill a gap. `since` is strictly-after on the server; a
    /// microsecond earlier also brings messages sharing that timestamp (the
    /// callers' de-duplication drops the ones already delivered).
    #[cfg(any(feature = "realtime", feature = "bot"))]
    pub(crate) async fn history_since(
        &self,
        direct: bool,
        me: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Message>> {
        use futures::TryStreamExt;
        let options = HistoryOptions::new()
            .page_size(100)
            .since(since - chrono::TimeDelta::microseconds(1));
        let mut messages: Vec<Message> = if direct {
            let mut direct: Vec<Message> = self.direct_history(options).try_collect().await?;
            // Direct history holds the ones you sent too.
            direct.retain(|m| m.to_username.as_deref() == Some(me));
            direct
        } else {
            self.room_history(options).try_collect().await?
        };
        messages.sort_by_key(|m| m.timestamp);
        Ok(messages)
    }

    // ----- account ------------------------------------------------------

    /// Registers a user. When this client has no key yet, it adopts the new
    /// one, so the next call is made as the new user.
    pub async fn register(&self, registration: Register) -> Result<Registration> {
        let body = t::UserRegistration {
            username: valid("username", registration.username)?,
            webhook_url: valid_opt("webhook_url", registration.webhook_url)?,
            logo: registration.logo,
            emoji: registration.emoji,
            role: registration.role,
            admin: registration.admin,
            viewer: registration.viewer,
            bot: false,
        };
        let created: Registration = self
            .call(&op::REGISTER_USER, |api| {
                api.register_user().body(body).send()
            })
            .await?;
        self.adopt_key_if_none(&created.api_key);
        Ok(created)
    }

    /// Your own profile.
    pub async fn me(&self) -> Result<Profile> {
        self.call(&op::GET_MY_PROFILE, |api| api.get_my_profile().send())
            .await
    }

    /// Changes your username.
    pub async fn set_username(&self, username: &str) -> Result<Profile> {
        let body = t::UpdateUsernameRequest {
            username: valid("username", username)?,
        };
        self.call(&op::UPDATE_MY_USERNAME, |api| {
            api.update_my_username().body(body).send()
        })
        .await
    }

    /// Sets (or with `None` clears) your logo; names come from [`logos`](Self::logos).
    pub async fn set_logo(&self, logo: Option<&str>) -> Result<LogoUpdated> {
        let body = t::UpdateLogoRequest {
            logo: logo.map(str::to_owned),
        };
        self.call(&op::UPDATE_MY_LOGO, |api| {
            api.update_my_logo().body(body).send()
        })
        .await
    }

    /// Sets (or with `None` clears) the webhook the server posts your messages to.
    /// The answer's `webhook_url` is the server's normalised form (`""`
    /// when cleared).
    pub async fn set_webhook(&self, url: Option<&str>) -> Result<WebhookUpdated> {
        let body = t::UpdateWebhookRequest {
            webhook_url: valid_opt("webhook_url", url)?,
        };
        self.call(&op::UPDATE_MY_WEBHOOK, |api| {
            api.update_my_webhook().body(body).send()
        })
        .await
    }

    /// Replaces your API key; this client uses the new one from now on.
    pub async fn regenerate_api_key(&self) -> Result<ApiKey> {
        let operation = &op::REGENERATE_MY_API_KEY;
        let answer = self
            .call(operation, |api| api.regenerate_my_api_key().send())
            .await?;
        self.credentials().set(answer.api_key.clone());
        Ok(answer.api_key)
    }

    /// Sends a magic-link login email (503 when the server has no email login).
    pub async fn send_magic_link(
        &self,
        email: &str,
        username: Option<&str>,
    ) -> Result<MagicLinkSent> {
        let body = t::StytchLoginRequest {
            email: valid("email", email)?,
            username: valid_opt("username", username)?,
        };
        self.call(&op::SEND_MAGIC_LINK, |api| {
            api.send_magic_link().body(body).send()
        })
        .await
    }

    /// Exchanges a magic-link token for a session and API key; adopts the
    /// key when this client has none.
    pub async fn authenticate_magic_link(&self, token: &str) -> Result<MagicLinkSession> {
        let body = t::StytchAuthenticateRequest {
            token: valid("token", token)?,
        };
        let session: MagicLinkSession = self
            .call(&op::AUTHENTICATE_MAGIC_LINK, |api| {
                api.authenticate_magic_link().body(body).send()
            })
            .await?;
        self.adopt_key_if_none(&session.api_key);
        Ok(session)
    }

    // ----- messages -----------------------------------------------------

    /// Sends a message to the room.
    ///
    /// Never retried: if the outcome is unknown (timeout, connection cut,
    /// 5xx) the error is [`Error::SendOutcomeUnknown`]; see [`find_sent`](Self::find_sent).
    pub async fn send_message(&self, content: &str) -> Result<Message> {
        self.send(content, None).await
    }

    /// Sends a direct message to `to_username`. Same guarantees as
    /// [`send_message`](Self::send_message).
    pub async fn send_direct_message(&self, to_username: &str, content: &str) -> Result<Message> {
        self.send(content, Some(to_username)).await
    }

    async fn send(&self, content: &str, to_username: Option<&str>) -> Result<Message> {
        let body = t::SendMessageRequest {
            content: valid("content", content)?,
            to_username: valid_opt("to_username", to_username)?,
        };
        let attempted_at = Utc::now();
        let result = self
            .call(&op::SEND_MESSAGE, |api| {
                api.send_message().body(body).send()
            })
            .await;
        result.map_err(|cause| {
            let unknown = match &cause {
                Error::Timeout { .. } | Error::Transport { .. } | Error::Server(_) => true,
                Error::Status(h) => h.status.as_u16() == 408,
                _ => false,
            };
            if unknown {
                Error::SendOutcomeUnknown(Box::new(UnknownSend {
                    content: content.to_owned(),
                    to_username: to_username.map(str::to_owned),
                    attempted_at,
                    cause: Some(Box::new(cause)),
                }))
            } else {
                cause
            }
        })
    }

    /// Looks in recent history for a message whose send ended in
    /// [`Error::SendOutcomeUnknown`]: `Some` if the server stored it.
    pub async fn find_sent(&self, unknown: &UnknownSend) -> Result<Option<Message>> {
        let me = self.me().await?;
        let query = MessageQuery::new()
            .limit(100)
            .since(unknown.attempted_at - ChronoDuration::seconds(60));
        let page = match &unknown.to_username {
            None => self.room_messages(query).await?,
            Some(_) => self.direct_messages(query).await?,
        };
        Ok(page.messages.into_iter().find(|m| {
            m.from_username == me.username
                && m.content == unknown.content
                && m.to_username == unknown.to_username
        }))
    }

    /// One page of room messages, newest first.
    pub async fn room_messages(&self, query: MessageQuery) -> Result<MessagePage> {
        let (limit, offset, since) = query.args()?;
        self.call(&op::GET_MESSAGES, |api| {
            paged!(api.get_messages(), limit, offset, since).send()
        })
        .await
    }

    /// One page of your direct messages (sent and received), newest first.
    pub async fn direct_messages(&self, query: MessageQuery) -> Result<MessagePage> {
        let (limit, offset, since) = query.args()?;
        self.call(&op::GET_DIRECT_MESSAGES, |api| {
            paged!(api.get_direct_messages(), limit, offset, since).send()
        })
        .await
    }

    /// All room messages as a stream, newest first, fetched page by page
    /// as it is polled. Never yields a message twice, even when new
    /// messages shift the pages while it runs.
    pub fn room_history(
        &self,
        options: HistoryOptions,
    ) -> impl Stream<Item = Result<Message>> + Send + 'static {
        let client = self.clone();
        history::messages(options, move |query| {
            let client = client.clone();
            async move { client.room_messages(query).await }
        })
    }

    /// All your direct messages as a stream; see [`room_history`](Self::room_history).
    pub fn direct_history(
        &self,
        options: HistoryOptions,
    ) -> impl Stream<Item = Result<Message>> + Send + 'static {
        let client = self.clone();
        history::messages(options, move |query| {
            let client = client.clone();
            async move { client.direct_messages(query).await }
        })
    }

    /// One message by id.
    pub async fn message(&self, id: Uuid) -> Result<Message> {
        self.call(&op::GET_MESSAGE, |api| {
            api.get_message().message_id(id).send()
        })
        .await
    }

    /// Unread room messages, oldest first.
    pub async fn unread_messages(&self, page: Page) -> Result<Vec<Message>> {
        let (limit, offset) = page.args(None)?;
        self.call(&op::GET_UNREAD_ROOM_MESSAGES, |api| {
            paged!(api.get_unread_room_messages(), limit, offset).send()
        })
        .await
    }

    /// Unread direct messages, oldest first.
    pub async fn unread_direct_messages(&self, page: Page) -> Result<Vec<Message>> {
        let (limit, offset) = page.args(None)?;
        self.call(&op::GET_UNREAD_DIRECT_MESSAGES, |api| {
            paged!(api.get_unread_direct_messages(), limit, offset).send()
        })
        .await
    }

    /// How many room and direct messages are unread.
    pub async fn unread_count(&self) -> Result<UnreadCount> {
        self.call(&op::GET_UNREAD_COUNT, |api| api.get_unread_count().send())
            .await
    }

    /// Marks one message read.
    pub async fn mark_read(&self, id: Uuid) -> Result<()> {
        self.call(&op::MARK_MESSAGE_AS_READ, |api| {
            api.mark_message_as_read().message_id(id).send()
        })
        .await
    }

    /// Marks everything read; returns how many messages that was.
    pub async fn mark_all_read(&self) -> Result<u64> {
        let answer = self
            .call(&op::MARK_ALL_MESSAGES_AS_READ, |api| {
                api.mark_all_messages_as_read().send()
            })
            .await?;
        Ok(answer.marked_as_read)
    }

    /// Tells the room (or with `Some(user)`, that user) you are typing.
    pub async fn typing(&self, to_username: Option<&str>) -> Result<TypingSent> {
        if let Some(name) = to_username {
            let _: t::SendMessageRequestToUsername = valid("to_username", name)?;
        }
        self.call(&op::SEND_TYPING_INDICATOR, |api| {
            let b = api.send_typing_indicator();
            match to_username {
                Some(name) => b.to_username(name),
                None => b,
            }
            .send()
        })
        .await
    }

    // ----- users --------------------------------------------------------

    /// Everyone who can receive messages (viewers are not listed).
    pub async fn users(&self) -> Result<Vec<User>> {
        self.call(&op::GET_USERS, |api| api.get_users().send())
            .await
    }

    /// Users connected now.
    pub async fn online_users(&self) -> Result<Vec<User>> {
        self.call(&op::GET_ONLINE_USERS, |api| api.get_online_users().send())
            .await
    }

    /// One user's public profile.
    pub async fn user(&self, id: Uuid) -> Result<User> {
        self.call(&op::GET_USER_PROFILE, |api| {
            api.get_user_profile().user_id(id).send()
        })
        .await
    }

    /// The logo names a profile may use.
    pub async fn logos(&self) -> Result<Vec<String>> {
        self.call(&op::GET_AVAILABLE_LOGOS, |api| {
            api.get_available_logos().send()
        })
        .await
    }

    /// The server's health report (`status` is `"healthy"`).
    pub async fn health(&self) -> Result<Health> {
        self.call(&op::HEALTH_CHECK, |api| api.health_check().send())
            .await
    }

    /// A token and URL for the real-time (Centrifugo) connection.
    pub async fn connection_token(&self) -> Result<ConnectionToken> {
        self.call(&op::GET_CENTRIFUGO_CONNECTION_TOKEN, |api| {
            api.get_centrifugo_connection_token().send()
        })
        .await
    }

    // ----- bots ---------------------------------------------------------

    /// Creates a bot you own. Never retried.
    pub async fn create_bot(&self, bot: NewBot) -> Result<CreatedBot> {
        let body = t::CreateBotRequest {
            username: valid("username", bot.username)?,
            emoji: bot.emoji,
            webhook_url: valid_opt("webhook_url", bot.webhook_url)?,
        };
        self.call(&op::CREATE_BOT, |api| api.create_bot().body(body).send())
            .await
    }

    /// Your bots.
    pub async fn my_bots(&self) -> Result<Vec<Bot>> {
        self.call(&op::GET_MY_BOTS, |api| api.get_my_bots().send())
            .await
    }

    /// Changes a bot's emoji or webhook.
    pub async fn update_bot(&self, id: Uuid, update: BotUpdate) -> Result<Bot> {
        let body = t::UpdateBotRequest {
            emoji: update.emoji,
            webhook_url: valid_opt("webhook_url", update.webhook_url)?,
        };
        self.call(&op::UPDATE_BOT, |api| {
            api.update_bot().bot_id(id).body(body).send()
        })
        .await
    }

    /// Deletes a bot.
    pub async fn delete_bot(&self, id: Uuid) -> Result<()> {
        self.call(&op::DELETE_BOT, |api| api.delete_bot().bot_id(id).send())
            .await
    }

    /// Replaces a bot's API key and returns the new one.
    pub async fn regenerate_bot_api_key(&self, id: Uuid) -> Result<ApiKey> {
        let answer = self
            .call(&op::REGENERATE_BOT_API_KEY, |api| {
                api.regenerate_bot_api_key().bot_id(id).send()
            })
            .await?;
        Ok(answer.api_key)
    }

    // ----- conversations ------------------------------------------------

    /// Saves a conversation (a titled set of messages). Never retried.
    pub async fn create_conversation(&self, conversation: NewConversation) -> Result<Conversation> {
        let body = t::CreateConversationRequest {
            title: valid_opt("title", conversation.title)?,
            description: valid_opt("description", conversation.description)?,
            message_ids: conversation.message_ids,
        };
        self.call(&op::CREATE_CONVERSATION, |api| {
            api.create_conversation().body(body).send()
        })
        .await
    }

    /// One page of your conversations, newest first (`limit` 1–100).
    pub async fn conversations(&self, page: Page) -> Result<ConversationPage> {
        let (limit, offset) = page.args(Some(100))?;
        self.call(&op::GET_CONVERSATIONS, |api| {
            // `page_arg` checked 1..=100 and 0.., so these conversions hold.
            let limit = limit.and_then(|l| std::num::NonZeroU64::new(l.unsigned_abs()));
            paged!(
                api.get_conversations(),
                limit,
                offset.map(i64::unsigned_abs)
            )
            .send()
        })
        .await
    }

    /// All your conversations as a stream, newest first.
    pub fn conversation_history(
        &self,
        options: HistoryOptions,
    ) -> impl Stream<Item = Result<Conversation>> + Send + 'static {
        let client = self.clone();
        history::conversations(options, move |page| {
            let client = client.clone();
            async move { client.conversations(page).await }
        })
    }

    /// One conversation.
    pub async fn conversation(&self, id: Uuid) -> Result<Conversation> {
        self.call(&op::GET_CONVERSATION, |api| {
            api.get_conversation().conversation_id(id).send()
        })
        .await
    }

    /// Changes a conversation's title, description or messages.
    pub async fn update_conversation(
        &self,
        id: Uuid,
        update: ConversationUpdate,
    ) -> Result<Conversation> {
        let body = t::UpdateConversationRequest {
            title: valid_opt("title", update.title)?,
            description: valid_opt("description", update.description)?,
            message_ids: update.message_ids,
        };
        self.call(&op::UPDATE_CONVERSATION, |api| {
            api.update_conversation()
                .conversation_id(id)
                .body(body)
                .send()
        })
        .await
    }

    /// Deletes one of your conversations.
    pub async fn delete_conversation(&self, id: Uuid) -> Result<()> {
        self.call(&op::DELETE_CONVERSATION, |api| {
            api.delete_conversation().conversation_id(id).send()
        })
        .await
    }

    // ----- admin --------------------------------------------------------

    /// Every user with private details (admin).
    pub async fn admin_users(&self) -> Result<Vec<Profile>> {
        self.call(&op::ADMIN_GET_ALL_USERS, |api| {
            api.admin_get_all_users().send()
        })
        .await
    }

    /// One user with private details (admin).
    pub async fn admin_user(&self, id: Uuid) -> Result<Profile> {
        self.call(&op::ADMIN_GET_USER, |api| {
            api.admin_get_user().user_id(id).send()
        })
        .await
    }

    /// Changes any field of a user (admin).
    pub async fn admin_update_user(&self, id: Uuid, update: AdminUserUpdate) -> Result<Profile> {
        let body = t::AdminUpdateUserRequest {
            username: update.username,
            email: update.email,
            webhook_url: valid_opt("webhook_url", update.webhook_url)?,
            logo: update.logo,
            emoji: update.emoji,
            viewer: update.viewer,
            admin: update.admin,
            bot: update.bot,
        };
        self.call(&op::ADMIN_UPDATE_USER, |api| {
            api.admin_update_user().user_id(id).body(body).send()
        })
        .await
    }

    /// Deletes a user (admin).
    pub async fn admin_delete_user(&self, id: Uuid) -> Result<()> {
        self.call(&op::ADMIN_DELETE_USER, |api| {
            api.admin_delete_user().user_id(id).send()
        })
        .await
    }

    /// Replaces a user's API key and returns the new one (admin).
    pub async fn admin_regenerate_api_key(&self, id: Uuid) -> Result<ApiKey> {
        let answer = self
            .call(&op::ADMIN_REGENERATE_USER_API_KEY, |api| {
                api.admin_regenerate_user_api_key().user_id(id).send()
            })
            .await?;
        Ok(answer.api_key)
    }

    /// Gives a user a role (admin).
    pub async fn admin_set_role(&self, id: Uuid, role: Role) -> Result<RoleAssigned> {
        let body = t::AssignRoleRequest { role };
        self.call(&op::ASSIGN_USER_ROLE, |api| {
            api.assign_user_role().user_id(id).body(body).send()
        })
        .await
    }

    /// Invites someone by email (admin; 503 without email login). `role`
    /// defaults to member.
    pub async fn admin_invite(
        &self,
        email: &str,
        signup_url: &str,
        role: Option<Role>,
    ) -> Result<Invited> {
        let body = t::InviteUserRequest {
            email: email.to_owned(),
            signup_url: signup_url.to_owned(),
            role: role.unwrap_or(Role::Member),
        };
        self.call(&op::INVITE_USER_BY_EMAIL, |api| {
            api.invite_user_by_email().body(body).send()
        })
        .await
    }

    /// Any message by id (admin).
    pub async fn admin_message(&self, id: Uuid) -> Result<Message> {
        self.call(&op::ADMIN_GET_MESSAGE, |api| {
            api.admin_get_message().message_id(id).send()
        })
        .await
    }

    /// Replaces a message's content (admin).
    pub async fn admin_edit_message(&self, id: Uuid, content: &str) -> Result<Message> {
        let body = t::AdminMessageUpdate {
            content: valid("content", content)?,
        };
        self.call(&op::ADMIN_UPDATE_MESSAGE, |api| {
            api.admin_update_message().message_id(id).body(body).send()
        })
        .await
    }

    /// Deletes a message (admin).
    pub async fn admin_delete_message(&self, id: Uuid) -> Result<()> {
        self.call(&op::ADMIN_DELETE_MESSAGE, |api| {
            api.admin_delete_message().message_id(id).send()
        })
        .await
    }

    /// Deletes anyone's conversation (admin).
    pub async fn admin_delete_conversation(&self, id: Uuid) -> Result<()> {
        self.call(&op::ADMIN_DELETE_CONVERSATION, |api| {
            api.admin_delete_conversation().conversation_id(id).send()
        })
        .await
    }

    /// Real-time connection statistics (admin). Server 2.0.1 always reports
    /// zeros.
    pub async fn admin_websocket_stats(&self) -> Result<RealtimeStats> {
        self.call(&op::GET_WEBSOCKET_CONNECTIONS, |api| {
            api.get_websocket_connections().send()
        })
        .await
    }
}

impl MessageQuery {
    fn args(&self) -> Result<(Option<i64>, Option<i64>, Option<String>)> {
        let (limit, offset) = Page {
            limit: self.limit,
            offset: self.offset,
        }
        .args(None)?;
        Ok((limit, offset, self.since.map(server_time)))
    }
}

impl Page {
    fn args(&self, max_limit: Option<u64>) -> Result<(Option<i64>, Option<i64>)> {
        Ok((
            page_arg("limit", self.limit, max_limit)?,
            page_arg("offset", self.offset, None)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn since_is_written_like_the_server_stores_it() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 0, 57, 49).unwrap();
        assert_eq!(server_time(t), "2026-11-22T00:57:49+00:00");
        let t = t + ChronoDuration::microseconds(497_498);
        assert_eq!(server_time(t), "2026-11-22T00:57:49.497498+00:00");
        let t = t + ChronoDuration::nanoseconds(900);
        assert_eq!(
            server_time(t),
            "2026-11-22T00:57:49.497498+00:00",
            "sub-microseconds dropped"
        );
    }

    #[test]
    fn time_zone_offsets_are_converted_to_utc() {
        let local = chrono::FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 22, 2, 0, 0)
            .unwrap();
        assert_eq!(
            server_time(local.with_timezone(&Utc)),
            "2026-11-22T01:00:00+00:00"
        );
    }
}
