//! The clean stop: what asks for it (a signal, a [`StopHandle`], the end
//! of the source), the order it runs in, and the [`Report`] it returns.

use std::{fmt, sync::Arc};

use serde::Serialize;
use tokio::sync::watch;
use uuid::Uuid;

use super::{Tally, dispatch::Core, intake::Intake};
#[cfg(feature = "webhook")]
use crate::webhook::{self, WebhookStats};
use crate::{Result, handoff::stop_requested};

/// Stops a running bot from anywhere (another task, a test): the same
/// clean stop as Ctrl-C.
#[derive(Debug, Clone)]
pub struct StopHandle(pub(super) Arc<watch::Sender<bool>>);

impl StopHandle {
    /// Asks the bot to stop.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

/// Reads a running bot's counts from anywhere, during the run and after.
#[derive(Clone)]
pub struct Progress(Arc<Core>);

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Progress").field(&self.tally()).finish()
    }
}

impl Progress {
    /// The counts now.
    pub fn tally(&self) -> Tally {
        self.0.tally()
    }
}

/// Why a bot stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopReason {
    /// Ctrl-C or `SIGTERM`.
    Signal,
    /// A [`StopHandle`].
    Requested,
    /// The source ended (the real-time server closed the connection for
    /// good).
    SourceEnded,
}

/// What a run did, returned when it stops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Why it stopped.
    pub stopped_by: StopReason,
    /// Handlers that returned `Ok`.
    pub handled: u64,
    /// Handlers that returned an error or panicked.
    pub failed: u64,
    /// Messages no handler was for.
    pub ignored: u64,
    /// Messages taken in again (webhook retries, backfill overlap) and
    /// skipped.
    pub repeats: u64,
    /// Handlers cancelled at the shutdown deadline.
    pub aborted: u64,
    /// Times real time connected again after losing the connection (0 in
    /// webhook mode).
    pub reconnects: u64,
    /// Messages taken in but not started; the next start handles them.
    pub left_pending: usize,
    /// Messages whose handler the previous run left running (it died):
    /// not run again.
    pub interrupted: Vec<Uuid>,
    /// What the webhook receiver answered (webhook mode).
    #[cfg(feature = "webhook")]
    #[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
    pub webhook: Option<WebhookStats>,
}

/// A started bot.
pub struct RunningBot {
    pub(super) core: Arc<Core>,
    pub(super) intake: Intake,
    pub(super) stop: Arc<watch::Sender<bool>>,
    pub(super) interrupted: Vec<Uuid>,
}

impl fmt::Debug for RunningBot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("RunningBot");
        f.field("username", &self.core.me);
        #[cfg(feature = "webhook")]
        f.field("webhook_url", &self.webhook_url());
        f.finish_non_exhaustive()
    }
}

impl RunningBot {
    /// The bot's username.
    pub fn username(&self) -> &str {
        &self.core.me
    }

    /// The webhook receiver's own URL (webhook mode).
    #[cfg(feature = "webhook")]
    #[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
    pub fn webhook_url(&self) -> Option<String> {
        self.intake.server().map(webhook::Server::url)
    }

    /// The webhook receiver's address (webhook mode).
    #[cfg(feature = "webhook")]
    #[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
    pub fn webhook_addr(&self) -> Option<std::net::SocketAddr> {
        self.intake.server().map(webhook::Server::local_addr)
    }

    /// A handle that stops the bot.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.stop.clone())
    }

    /// A handle that reads the run's counts while it runs (for periodic
    /// statistics; [`wait`](Self::wait) takes the bot).
    pub fn progress(&self) -> Progress {
        Progress(self.core.clone())
    }

    /// Runs until Ctrl-C, `SIGTERM`, a [`StopHandle`] or the end of the
    /// source, then stops: intake first, then running handlers get until
    /// the deadline, then the store is saved.
    pub async fn wait(mut self) -> Result<Report> {
        let mut stop = self.stop.subscribe();
        let signals = self.core.settings.signals;
        let stopped_by = tokio::select! {
            () = stop_requested(&mut stop) => StopReason::Requested,
            () = signal(), if signals => StopReason::Signal,
            () = self.intake.ended() => StopReason::SourceEnded,
        };
        tracing::info!(?stopped_by, "bot: stopping");
        let core = &self.core;
        // Intake first, then running handlers get until the deadline.
        core.begin_drain();
        self.intake.close().await;
        core.finish_drain().await;
        #[cfg(feature = "webhook")]
        let webhook = self.intake.server().map(webhook::Server::stats);
        let left_pending = core.flush().await?;
        let tally = core.tally();
        Ok(Report {
            stopped_by,
            handled: tally.handled,
            failed: tally.failed,
            ignored: tally.ignored,
            repeats: tally.repeats,
            aborted: tally.aborted,
            reconnects: tally.reconnects,
            left_pending,
            interrupted: std::mem::take(&mut self.interrupted),
            #[cfg(feature = "webhook")]
            webhook,
        })
    }
}

/// Ctrl-C, or `SIGTERM` on Unix.
async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
