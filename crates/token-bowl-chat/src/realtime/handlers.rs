//! Callbacks per kind of event, for code coming from the Python client.

use std::{fmt, future::Future};

use futures::future::BoxFuture;

use super::{Disconnect, Event, ReadReceipt, Typing, UnreadCounts};
use crate::{Message, RealtimeError};

type Callback<T> = Box<dyn FnMut(T) -> BoxFuture<'static, ()> + Send>;

impl fmt::Debug for Handlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handlers").finish_non_exhaustive()
    }
}

/// The one list of callbacks: each kind's slot, its plain and `_async`
/// setters, and the event it takes, which dispatch reads.
macro_rules! handlers {
    ($($field:ident: $ty:ty => $sync:ident, $async_:ident, $pattern:pat => $value:expr;)*) => {
        /// Callbacks for [`Realtime::run`](super::Realtime::run), for code
        /// coming from the Python client. Each kind has a plain and an
        /// `_async` form; they run in event order, one at a time, with the
        /// stream's guarantees.
        #[derive(Default)]
        pub struct Handlers {
            $($field: Option<Callback<$ty>>,)*
        }

        impl Handlers {
            $(
                #[doc = concat!("Calls `f` for each `", stringify!($field), "` event.")]
                pub fn $sync(mut self, mut f: impl FnMut($ty) + Send + 'static) -> Self {
                    self.$field = Some(Box::new(move |value| {
                        f(value);
                        Box::pin(async {})
                    }));
                    self
                }

                #[doc = concat!("Awaits `f` for each `", stringify!($field), "` event.")]
                pub fn $async_<F, Fut>(mut self, mut f: F) -> Self
                where
                    F: FnMut($ty) -> Fut + Send + 'static,
                    Fut: Future<Output = ()> + Send + 'static,
                {
                    self.$field = Some(Box::new(move |value| Box::pin(f(value))));
                    self
                }
            )*

            pub(super) async fn dispatch(&mut self, event: Event) {
                match event {
                    $($pattern => {
                        if let Some(f) = &mut self.$field {
                            f($value).await;
                        }
                    })*
                    Event::Unknown { .. } => {}
                }
            }
        }
    };
}

handlers! {
    message: Message => on_message, on_message_async, Event::Message(m) => *m;
    read_receipt: ReadReceipt => on_read_receipt, on_read_receipt_async, Event::ReadReceipt(r) => r;
    typing: Typing => on_typing, on_typing_async, Event::Typing(t) => t;
    unread_count: UnreadCounts => on_unread_count, on_unread_count_async, Event::UnreadCount(u) => u;
    connect: () => on_connect, on_connect_async, Event::Connected => ();
    disconnect: Disconnect => on_disconnect, on_disconnect_async, Event::Disconnected(d) => d;
    error: RealtimeError => on_error, on_error_async, Event::Error(e) => e;
}

impl Handlers {
    /// No callbacks yet.
    pub fn new() -> Self {
        Self::default()
    }
}
