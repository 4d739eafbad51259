//! Sends not yet stored, in order, one on its way at a time.
//!
//! A send that never reached the server waits and goes again. A send whose
//! outcome is unknown (timeout, cut connection, 5xx: the server may have
//! stored it) is never simply sent again: the SDK's `find_sent` looks for it
//! in the history, and only its "not stored" lets it go again.

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

use super::effect::Effect;

/// How long a send waits after the server could not be reached.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Where one send stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Waiting to go (not before `retry_at`).
    Queued(Option<Instant>),
    /// On its way.
    Sending,
    /// Outcome unknown since the send at this time; ask `find_sent` (not
    /// before the instant).
    Unknown(DateTime<Utc>, Option<Instant>),
    /// `find_sent` is looking.
    Checking(DateTime<Utc>),
}

/// One send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Its number, shared with its line in the conversation.
    pub local: u64,
    /// The recipient (`None`: the room).
    pub to: Option<String>,
    /// The text.
    pub content: String,
    /// Where it stands.
    pub state: State,
}

/// The sends not yet stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbox {
    items: VecDeque<Pending>,
    next: u64,
}

impl Outbox {
    /// Queues a send; returns its number.
    pub fn push(&mut self, to: Option<String>, content: String) -> u64 {
        self.next += 1;
        self.items.push_back(Pending {
            local: self.next,
            to,
            content,
            state: State::Queued(None),
        });
        self.next
    }

    /// How many are waiting.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The send numbered `local`.
    pub fn get_mut(&mut self, local: u64) -> Option<&mut Pending> {
        self.items.iter_mut().find(|p| p.local == local)
    }

    /// Forgets a send (stored, or refused for good).
    pub fn remove(&mut self, local: u64) -> Option<Pending> {
        let at = self.items.iter().position(|p| p.local == local)?;
        self.items.remove(at)
    }

    /// What to do next, if anything: the oldest send goes first, and
    /// nothing else goes while it is on its way or unsettled.
    pub fn next_effect(&mut self, now: Instant) -> Option<Effect> {
        let head = self.items.front_mut()?;
        match head.state.clone() {
            State::Queued(at) if at.is_none_or(|at| at <= now) => {
                head.state = State::Sending;
                Some(Effect::Send(
                    head.local,
                    head.to.clone(),
                    head.content.clone(),
                ))
            }
            State::Unknown(sent_at, at) if at.is_none_or(|at| at <= now) => {
                head.state = State::Checking(sent_at);
                Some(Effect::FindSent(
                    head.local,
                    head.to.clone(),
                    head.content.clone(),
                    sent_at,
                ))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_send_at_a_time_in_order() {
        let now = Instant::now();
        let mut out = Outbox::default();
        let a = out.push(None, "a".into());
        let b = out.push(Some("bob".into()), "b".into());
        assert_eq!(
            out.next_effect(now),
            Some(Effect::Send(a, None, "a".into()))
        );
        assert_eq!(out.next_effect(now), None, "a is on its way");
        out.remove(a);
        assert_eq!(
            out.next_effect(now),
            Some(Effect::Send(b, Some("bob".into()), "b".into()))
        );
    }

    #[test]
    fn a_queued_send_waits_for_its_time_and_an_unknown_one_is_looked_up() {
        let now = Instant::now();
        let mut out = Outbox::default();
        let a = out.push(None, "a".into());
        out.get_mut(a).unwrap().state = State::Queued(Some(now + RETRY_AFTER));
        assert_eq!(out.next_effect(now), None);
        assert!(matches!(
            out.next_effect(now + RETRY_AFTER),
            Some(Effect::Send(..))
        ));
        let at = Utc::now();
        out.get_mut(a).unwrap().state = State::Unknown(at, None);
        assert_eq!(
            out.next_effect(now),
            Some(Effect::FindSent(a, None, "a".into(), at))
        );
        assert_eq!(out.next_effect(now), None, "looking");
    }
}
