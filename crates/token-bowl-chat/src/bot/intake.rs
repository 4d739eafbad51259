//! The intake adapters: a source opened for a bot, each message handed to
//! the dispatcher, and closed at the stop.

use std::sync::Arc;

use super::{Source, dispatch::Core};
use crate::{Result, delivery::Position};
#[cfg(feature = "webhook")]
use {
    super::{dispatch::Recorded, source::Register, source::WebhookSource},
    crate::{
        handoff::{Verdict, since},
        webhook::{self, WebhookBuilder},
    },
};

/// An open source.
pub(super) enum Intake {
    #[cfg(feature = "realtime")]
    Realtime {
        live: Arc<crate::realtime::Realtime>,
        reader: tokio::task::JoinHandle<()>,
    },
    #[cfg(feature = "webhook")]
    Webhook { server: webhook::Server },
    /// No source is compiled in (neither `realtime` nor `webhook`).
    #[cfg(not(any(feature = "realtime", feature = "webhook")))]
    #[allow(dead_code)]
    None(std::convert::Infallible),
}

impl Intake {
    /// Opens `source` for `core`, resuming from `position`.
    pub(super) async fn open(
        core: &Arc<Core>,
        source: Source,
        position: &Position,
    ) -> Result<Self> {
        #[cfg(feature = "webhook")]
        if let Some(webhook) = source.webhook {
            return Intake::webhook(core, webhook, position).await;
        }
        #[cfg(feature = "realtime")]
        return Intake::realtime(core, source.realtime, position).await;
        #[cfg(not(feature = "realtime"))]
        {
            let _ = (core, source, position);
            Err(crate::Error::Config(
                "real time needs the `realtime` feature".into(),
            ))
        }
    }

    #[cfg(feature = "realtime")]
    async fn realtime(
        core: &Arc<Core>,
        settings: Option<crate::realtime::RealtimeBuilder>,
        position: &Position,
    ) -> Result<Self> {
        use crate::realtime::Event;
        let mut builder = settings
            .unwrap_or_else(|| core.client.realtime())
            .skip_own_messages(true)
            .dedup_capacity(core.settings.window);
        if position.timestamp.is_some() {
            builder = builder.resume_from(position.clone());
        }
        let live = Arc::new(builder.connect().await?);
        let mut events = live.events();
        let reader_core = core.clone();
        let reader = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                match event {
                    Event::Message(message) => reader_core.take_waiting(*message).await,
                    Event::Connected => {
                        reader_core.connected();
                        tracing::info!("bot: real time connected");
                    }
                    Event::Disconnected(d) => tracing::warn!(
                        code = d.code, reason = %d.reason, will_reconnect = d.will_reconnect,
                        "bot: real time disconnected"
                    ),
                    Event::Error(e) => tracing::warn!(error = %e, "bot: real time"),
                    _ => {}
                }
            }
        });
        Ok(Intake::Realtime { live, reader })
    }

    #[cfg(feature = "webhook")]
    async fn webhook(core: &Arc<Core>, source: WebhookSource, position: &Position) -> Result<Self> {
        let WebhookSource {
            addr,
            path,
            register,
        } = source;
        let sink_core = core.clone();
        let sink = move |delivery: webhook::Delivery| {
            let core = sink_core.clone();
            // The take runs as a task of its own: a connection that drops
            // while the store records the message cannot cancel it halfway
            // (recorded but never queued). The server's next attempt then
            // finds it taken.
            let take = tokio::spawn(async move { core.take(delivery.message, Recorded::No).await });
            let taken = async move {
                take.await.unwrap_or_else(|e| {
                    Verdict::Busy(format!("the bot could not take the message: {e}"))
                })
            };
            Box::pin(taken) as crate::handoff::Pending
        };
        let server = WebhookBuilder::default()
            .path(path)
            .serve(&addr, Arc::new(sink))
            .await?;
        let url = match register {
            Register::No => None,
            Register::Local => Some(server.url()),
            Register::Url(url) => Some(url),
        };
        if let Some(url) = url {
            core.client.set_webhook(Some(&url)).await?;
            tracing::info!(url, "bot: webhook registered");
        }
        tracing::info!(url = server.url(), "bot: listening for webhooks");
        // Deliveries may already be arriving: the store's ids keep the
        // fill from doubling them.
        match since(&core.client, &core.me, position).await {
            Ok(missed) => {
                for message in missed {
                    core.take_waiting(message).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "bot: cannot fill the gap since the last run"),
        }
        Ok(Intake::Webhook { server })
    }

    /// Stops intake; when it returns, nothing more is taken in.
    pub(super) async fn close(&mut self) {
        match self {
            #[cfg(feature = "realtime")]
            Intake::Realtime { live, reader } => {
                live.close().await;
                // `ended` may have seen it finish already.
                if !reader.is_finished() {
                    reader.abort();
                    let _ = reader.await;
                }
            }
            #[cfg(feature = "webhook")]
            Intake::Webhook { server } => server.shutdown().await,
            #[cfg(not(any(feature = "realtime", feature = "webhook")))]
            Intake::None(never) => match *never {},
        }
    }

    /// The webhook server, in webhook mode.
    #[cfg(feature = "webhook")]
    pub(super) fn server(&self) -> Option<&webhook::Server> {
        match self {
            Intake::Webhook { server } => Some(server),
            #[cfg(feature = "realtime")]
            Intake::Realtime { .. } => None,
        }
    }

    /// Resolves when the source ends by itself (a real-time connection the
    /// server closed for good).
    pub(super) async fn ended(&mut self) {
        match self {
            #[cfg(feature = "realtime")]
            Intake::Realtime { reader, .. } => {
                let _ = reader.await;
            }
            #[cfg(feature = "webhook")]
            Intake::Webhook { .. } => std::future::pending().await,
            #[cfg(not(any(feature = "realtime", feature = "webhook")))]
            Intake::None(never) => match *never {},
        }
    }
}
