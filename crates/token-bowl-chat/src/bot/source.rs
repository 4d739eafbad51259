//! Where a bot's messages come from: real time, or a webhook receiver.

/// Where messages come from.
#[derive(Debug, Clone)]
pub struct Source {
    /// `None`: real time.
    #[cfg(feature = "webhook")]
    pub(super) webhook: Option<WebhookSource>,
    /// Real-time settings of the caller's own.
    #[cfg(feature = "realtime")]
    pub(super) realtime: Option<crate::realtime::RealtimeBuilder>,
}

#[cfg(feature = "webhook")]
#[derive(Debug, Clone)]
pub(super) struct WebhookSource {
    pub(super) addr: String,
    pub(super) path: String,
    pub(super) register: Register,
}

#[cfg(feature = "webhook")]
#[derive(Debug, Clone)]
pub(super) enum Register {
    No,
    Local,
    Url(String),
}

#[cfg(feature = "realtime")]
impl Source {
    /// Real-time events (the default feature `realtime`), with their
    /// reconnects and backfill.
    pub fn realtime() -> Self {
        Self {
            #[cfg(feature = "webhook")]
            webhook: None,
            realtime: None,
        }
    }

    /// Real-time events with settings of your own (a URL override, the
    /// reconnect backoff); the bot adds what it needs: its own messages
    /// skipped, its saved position, its id window.
    pub fn realtime_with(settings: crate::realtime::RealtimeBuilder) -> Self {
        Self {
            #[cfg(feature = "webhook")]
            webhook: None,
            realtime: Some(settings),
        }
    }
}

#[cfg(feature = "webhook")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
impl Source {
    /// A webhook receiver listening on `addr` (`"127.0.0.1:8080"`; port 0
    /// picks one). Register its URL yourself, or with
    /// [`register`](Self::register) / [`register_local`](Self::register_local).
    pub fn webhook(addr: impl Into<String>) -> Self {
        Self {
            webhook: Some(WebhookSource {
                addr: addr.into(),
                path: "/".to_owned(),
                register: Register::No,
            }),
            #[cfg(feature = "realtime")]
            realtime: None,
        }
    }

    /// The receiver's path (default `/`): give it a segment nobody can
    /// guess, since the server signs nothing. No effect on real time.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        if let Some(webhook) = &mut self.webhook {
            webhook.path = path.into();
        }
        self
    }

    /// At start, sets the bot's `webhook_url` to `public_url` (the URL the
    /// server reaches this receiver at: through a proxy or a tunnel). No
    /// effect on real time.
    pub fn register(mut self, public_url: impl Into<String>) -> Self {
        if let Some(webhook) = &mut self.webhook {
            webhook.register = Register::Url(public_url.into());
        }
        self
    }

    /// At start, sets the bot's `webhook_url` to the receiver's own URL
    /// (`http://<address it listens on><path>`): for a server on the same
    /// host or network. No effect on real time.
    pub fn register_local(mut self) -> Self {
        if let Some(webhook) = &mut self.webhook {
            webhook.register = Register::Local;
        }
        self
    }
}
