//! Where a bot keeps what it has taken in: the position, the recent ids and
//! the messages not yet handled, so that a restart handles each message
//! once.

mod file;

use std::{future::Future, pin::Pin};

use uuid::Uuid;

pub use self::file::FileStore;
use crate::{Message, Result, delivery::Position};

/// What a previous run left behind, as [`Store::load`] gives it.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Saved {
    /// Where to resume: the older of the newest room message and the
    /// newest direct message taken in. (Room and direct messages come on
    /// separate channels, so when a run stops, older messages of one kind
    /// may still have been on their way while a newer one of the other
    /// kind was in; resuming from the older position fetches those again,
    /// and `seen` skips what was handled.)
    pub position: Position,
    /// Ids of recent messages that were handled (or are below in
    /// `pending`), oldest first: they are not handled again.
    pub seen: Vec<Uuid>,
    /// Messages taken in whose handler never started (the run stopped
    /// first), oldest first: they are handled now.
    pub pending: Vec<Message>,
    /// Messages whose handler started but did not finish (the process
    /// died): they are **not** run again, since the handler may have
    /// replied already.
    pub interrupted: Vec<Uuid>,
}

/// What a [`Store`] call returns: a boxed future, so that the trait works
/// as `Box<dyn Store>` and a store can wait on a database or the network.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// A bot's memory across restarts. [`FileStore`] is the default;
/// [`MemoryStore`] keeps nothing. Calls come in this order for each
/// message: `received` (before the webhook answer or the next event),
/// `started`, `done`; a store that fails `received` makes the runtime
/// refuse the message for now (a webhook delivery gets `503` and comes
/// again).
///
/// The methods are async, so a store may wait on a database or the network
/// (SQLite, Redis) without blocking the runtime. The bot calls one method
/// at a time: it holds an async lock on the store across each call, and a
/// webhook delivery is answered only once its `received` has returned, so
/// a slow store slows intake (never the handlers already running).
///
/// ```
/// use token_bowl_chat::{Message, bot::{Saved, Store, StoreFuture}, Uuid};
///
/// /// Counts what it sees; remembers nothing across restarts.
/// #[derive(Default)]
/// struct Counting(u64);
///
/// impl Store for Counting {
///     fn load(&mut self) -> StoreFuture<'_, Saved> {
///         Box::pin(async { Ok(Saved::default()) })
///     }
///     fn received<'a>(&'a mut self, _: &'a Message) -> StoreFuture<'a, ()> {
///         Box::pin(async move {
///             self.0 += 1;
///             Ok(())
///         })
///     }
///     fn started(&mut self, _: Uuid) -> StoreFuture<'_, ()> {
///         Box::pin(async { Ok(()) })
///     }
///     fn done(&mut self, _: Uuid) -> StoreFuture<'_, ()> {
///         Box::pin(async { Ok(()) })
///     }
///     fn flush(&mut self) -> StoreFuture<'_, ()> {
///         Box::pin(async { Ok(()) })
///     }
/// }
/// ```
pub trait Store: Send + 'static {
    /// What the previous run left behind.
    fn load(&mut self) -> StoreFuture<'_, Saved>;
    /// `message` was taken in.
    fn received<'a>(&'a mut self, message: &'a Message) -> StoreFuture<'a, ()>;
    /// Its handler started.
    fn started(&mut self, id: Uuid) -> StoreFuture<'_, ()>;
    /// Its handler finished (with or without success).
    fn done(&mut self, id: Uuid) -> StoreFuture<'_, ()>;
    /// The run is ending: make everything durable.
    fn flush(&mut self) -> StoreFuture<'_, ()>;
}

/// A store chosen at run time.
impl Store for Box<dyn Store> {
    fn load(&mut self) -> StoreFuture<'_, Saved> {
        (**self).load()
    }
    fn received<'a>(&'a mut self, message: &'a Message) -> StoreFuture<'a, ()> {
        (**self).received(message)
    }
    fn started(&mut self, id: Uuid) -> StoreFuture<'_, ()> {
        (**self).started(id)
    }
    fn done(&mut self, id: Uuid) -> StoreFuture<'_, ()> {
        (**self).done(id)
    }
    fn flush(&mut self) -> StoreFuture<'_, ()> {
        (**self).flush()
    }
}

/// Keeps nothing: after a restart every message counts as new. For tests,
/// and for bots that do not mind.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryStore;

impl Store for MemoryStore {
    fn load(&mut self) -> StoreFuture<'_, Saved> {
        Box::pin(std::future::ready(Ok(Saved::default())))
    }
    fn received<'a>(&'a mut self, _: &'a Message) -> StoreFuture<'a, ()> {
        Box::pin(std::future::ready(Ok(())))
    }
    fn started(&mut self, _: Uuid) -> StoreFuture<'_, ()> {
        Box::pin(std::future::ready(Ok(())))
    }
    fn done(&mut self, _: Uuid) -> StoreFuture<'_, ()> {
        Box::pin(std::future::ready(Ok(())))
    }
    fn flush(&mut self) -> StoreFuture<'_, ()> {
        Box::pin(std::future::ready(Ok(())))
    }
}
