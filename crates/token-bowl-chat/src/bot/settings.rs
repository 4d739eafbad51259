//! The settings a bot runs with, and their defaults.

use std::time::Duration;

/// The settings a [`Bot`](super::Bot) is built with.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    pub(super) concurrency: usize,
    pub(super) reply_limit: u32,
    pub(super) reply_window: Duration,
    pub(super) shutdown_deadline: Duration,
    pub(super) signals: bool,
    pub(super) commands_need_mention: bool,
    pub(super) max_pending: usize,
    pub(super) window: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            concurrency: 16,
            reply_limit: 10,
            reply_window: Duration::from_secs(60),
            shutdown_deadline: Duration::from_secs(30),
            signals: true,
            commands_need_mention: false,
            max_pending: 10_000,
            window: crate::delivery::DEFAULT_CAPACITY,
        }
    }
}
