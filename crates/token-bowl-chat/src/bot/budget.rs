//! The reply budget: at most so many replies to one partner per window, so
//! two bots answering each other stop.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use crate::{Error, Result};

/// When each partner was last replied to, within the window.
#[derive(Debug)]
pub(super) struct Budget {
    limit: u32,
    window: Duration,
    sent: HashMap<String, VecDeque<Instant>>,
}

impl Budget {
    /// `limit` replies to one partner per `window`.
    pub(super) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            sent: HashMap::new(),
        }
    }

    /// Counts a reply to `partner` at `now`, or fails with
    /// [`Error::ReplyBudget`] when its budget is spent.
    pub(super) fn spend(&mut self, partner: &str, now: Instant) -> Result<()> {
        let window = self.window;
        if self.sent.len() > 1024 {
            self.sent
                .retain(|_, sent| sent.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let sent = self.sent.entry(partner.to_owned()).or_default();
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            sent.pop_front();
        }
        if sent.len() >= self.limit as usize {
            tracing::warn!(partner, "bot: reply budget spent; reply not sent");
            return Err(Error::ReplyBudget {
                partner: partner.to_owned(),
                limit: self.limit,
                window,
            });
        }
        sent.push_back(now);
        Ok(())
    }
}
