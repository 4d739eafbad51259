//! A blocking client for programs without an async runtime (cargo feature
//! `blocking`), like `reqwest::blocking`.
//!
//! It owns a small Tokio runtime (one worker thread) that drives the
//! connections; each call waits on the calling thread. Inside an async
//! runtime it does not panic: the call works but blocks that runtime's
//! thread until the answer comes, so async code should use
//! [`crate::Client`] instead.
//!
//! ```no_run
//! let client = token_bowl_chat::blocking::Client::from_env()?;
//! let sent = client.send_message("hello from a plain fn main")?;
//! println!("sent {}", sent.id);
//! # Ok::<(), token_bowl_chat::Error>(())
//! ```

use std::{fmt, future::Future, pin::Pin, sync::Arc};

use futures::{Stream, StreamExt};
use token_bowl_chat_api::ApiKey;
use tokio::runtime::Runtime;
use uuid::Uuid;

use crate::{Error, HistoryOptions, Result, UnknownSend, types::*};

struct OwnedRuntime(Option<Runtime>);

impl OwnedRuntime {
    fn get(&self) -> &Runtime {
        self.0.as_ref().expect("present until drop")
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        // Dropping a runtime from async code panics; this never does.
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl crate::ClientBuilder {
    /// Builds a [`blocking::Client`](Client) with these settings.
    pub fn build_blocking(self) -> Result<Client> {
        Client::new(self.build()?)
    }
}

/// The blocking client: the same operations as [`crate::Client`], each
/// returning when the answer is there. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<OwnedRuntime>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Client")
            .field(&self.inner)
            .finish()
    }
}

impl Client {
    /// Wraps an async client (built with [`crate::Client::builder`]).
    pub fn new(inner: crate::Client) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("token-bowl-chat-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot start the blocking client's runtime: {e}"))
            })?;
        Ok(Self {
            inner,
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }

    /// The same builder as the async client's; finish it with
    /// [`ClientBuilder::build_blocking`](crate::ClientBuilder::build_blocking).
    pub fn builder() -> crate::ClientBuilder {
        crate::ClientBuilder::new()
    }

    /// A client configured from the environment, as [`crate::Client::from_env`].
    pub fn from_env() -> Result<Self> {
        Self::new(crate::Client::from_env()?)
    }

    /// The async client inside, sharing pool and credentials.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    fn block<F: Future>(&self, future: F) -> F::Output {
        let _context = self.runtime.get().enter();
        futures::executor::block_on(future)
    }

    /// Uses `key` for the next requests.
    pub fn set_api_key(&self, key: &str) -> Result<()> {
        self.inner.set_api_key(key)
    }

    /// All room messages, newest first, fetched page by page as iterated.
    pub fn room_history(&self, options: HistoryOptions) -> BlockingIter<Message> {
        self.iter(self.inner.room_history(options))
    }

    /// All your direct messages, newest first.
    pub fn direct_history(&self, options: HistoryOptions) -> BlockingIter<Message> {
        self.iter(self.inner.direct_history(options))
    }

    /// All your conversations, newest first.
    pub fn conversation_history(&self, options: HistoryOptions) -> BlockingIter<Conversation> {
        self.iter(self.inner.conversation_history(options))
    }

    fn iter<T>(&self, stream: impl Stream<Item = Result<T>> + Send + 'static) -> BlockingIter<T> {
        BlockingIter {
            stream: Box::pin(stream),
            client: self.clone(),
        }
    }
}

/// An iterator over a history stream; each `next` may fetch a page.
pub struct BlockingIter<T> {
    stream: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
    client: Client,
}

impl<T> Iterator for BlockingIter<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        let stream = &mut self.stream;
        self.client.block(stream.next())
    }
}

impl<T> fmt::Debug for BlockingIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlockingIter")
    }
}

macro_rules! blocking {
    ($( $(#[doc = $doc:literal])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty; )*) => {
        impl Client {
            $(
                $(#[doc = $doc])*
                pub fn $name(&self, $($arg: $ty),*) -> Result<$ret> {
                    self.block(self.inner.$name($($arg),*))
                }
            )*
        }
    };
}

blocking! {
    /// See [`crate::Client::register`].
    fn register(registration: Register) -> Registration;
    /// See [`crate::Client::me`].
    fn me() -> Profile;
    /// See [`crate::Client::set_username`].
    fn set_username(username: &str) -> Profile;
    /// See [`crate::Client::set_logo`].
    fn set_logo(logo: Option<&str>) -> LogoUpdated;
    /// See [`crate::Client::set_webhook`].
    fn set_webhook(url: Option<&str>) -> WebhookUpdated;
    /// See [`crate::Client::regenerate_api_key`].
    fn regenerate_api_key() -> ApiKey;
    /// See [`crate::Client::send_magic_link`].
    fn send_magic_link(email: &str, username: Option<&str>) -> MagicLinkSent;
    /// See [`crate::Client::authenticate_magic_link`].
    fn authenticate_magic_link(token: &str) -> MagicLinkSession;
    /// See [`crate::Client::send_message`].
    fn send_message(content: &str) -> Message;
    /// See [`crate::Client::send_direct_message`].
    fn send_direct_message(to_username: &str, content: &str) -> Message;
    /// See [`crate::Client::find_sent`].
    fn find_sent(unknown: &UnknownSend) -> Option<Message>;
    /// See [`crate::Client::room_messages`].
    fn room_messages(query: MessageQuery) -> MessagePage;
    /// See [`crate::Client::direct_messages`].
    fn direct_messages(query: MessageQuery) -> MessagePage;
    /// See [`crate::Client::message`].
    fn message(id: Uuid) -> Message;
    /// See [`crate::Client::unread_messages`].
    fn unread_messages(page: Page) -> Vec<Message>;
    /// See [`crate::Client::unread_direct_messages`].
    fn unread_direct_messages(page: Page) -> Vec<Message>;
    /// See [`crate::Client::unread_count`].
    fn unread_count() -> UnreadCount;
    /// See [`crate::Client::mark_read`].
    fn mark_read(id: Uuid) -> ();
    /// See [`crate::Client::mark_all_read`].
    fn mark_all_read() -> u64;
    /// See [`crate::Client::typing`].
    fn typing(to_username: Option<&str>) -> TypingSent;
    /// See [`crate::Client::users`].
    fn users() -> Vec<User>;
    /// See [`crate::Client::online_users`].
    fn online_users() -> Vec<User>;
    /// See [`crate::Client::user`].
    fn user(id: Uuid) -> User;
    /// See [`crate::Client::logos`].
    fn logos() -> Vec<String>;
    /// See [`crate::Client::health`].
    fn health() -> Health;
    /// See [`crate::Client::connection_token`].
    fn connection_token() -> ConnectionToken;
    /// See [`crate::Client::create_bot`].
    fn create_bot(bot: NewBot) -> CreatedBot;
    /// See [`crate::Client::my_bots`].
    fn my_bots() -> Vec<Bot>;
    /// See [`crate::Client::update_bot`].
    fn update_bot(id: Uuid, update: BotUpdate) -> Bot;
    /// See [`crate::Client::delete_bot`].
    fn delete_bot(id: Uuid) -> ();
    /// See [`crate::Client::regenerate_bot_api_key`].
    fn regenerate_bot_api_key(id: Uuid) -> ApiKey;
    /// See [`crate::Client::create_conversation`].
    fn create_conversation(conversation: NewConversation) -> Conversation;
    /// See [`crate::Client::conversations`].
    fn conversations(page: Page) -> ConversationPage;
    /// See [`crate::Client::conversation`].
    fn conversation(id: Uuid) -> Conversation;
    /// See [`crate::Client::update_conversation`].
    fn update_conversation(id: Uuid, update: ConversationUpdate) -> Conversation;
    /// See [`crate::Client::delete_conversation`].
    fn delete_conversation(id: Uuid) -> ();
    /// See [`crate::Client::admin_users`].
    fn admin_users() -> Vec<Profile>;
    /// See [`crate::Client::admin_user`].
    fn admin_user(id: Uuid) -> Profile;
    /// See [`crate::Client::admin_update_user`].
    fn admin_update_user(id: Uuid, update: AdminUserUpdate) -> Profile;
    /// See [`crate::Client::admin_delete_user`].
    fn admin_delete_user(id: Uuid) -> ();
    /// See [`crate::Client::admin_regenerate_api_key`].
    fn admin_regenerate_api_key(id: Uuid) -> ApiKey;
    /// See [`crate::Client::admin_set_role`].
    fn admin_set_role(id: Uuid, role: Role) -> RoleAssigned;
    /// See [`crate::Client::admin_invite`].
    fn admin_invite(email: &str, signup_url: &str, role: Option<Role>) -> Invited;
    /// See [`crate::Client::admin_message`].
    fn admin_message(id: Uuid) -> Message;
    /// See [`crate::Client::admin_edit_message`].
    fn admin_edit_message(id: Uuid, content: &str) -> Message;
    /// See [`crate::Client::admin_delete_message`].
    fn admin_delete_message(id: Uuid) -> ();
    /// See [`crate::Client::admin_delete_conversation`].
    fn admin_delete_conversation(id: Uuid) -> ();
    /// See [`crate::Client::admin_websocket_stats`].
    fn admin_websocket_stats() -> RealtimeStats;
}
