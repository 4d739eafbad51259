//! What every delivery path shares: a bounded window of recently seen
//! message ids, and the position of the newest message taken in.

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How many message ids a window remembers by default.
pub(crate) const DEFAULT_CAPACITY: usize = 4096;

/// Where a stream is: the newest message delivered. Persist it (it is
/// serde-serialisable) and pass it to `RealtimeBuilder::resume_from` after
/// a restart to get exactly the messages after it (a bot's store keeps it
/// for you).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Id of the newest message delivered.
    pub message_id: Option<Uuid>,
    /// Its timestamp.
    pub timestamp: Option<DateTime<Utc>>,
}

/// Remembers the newest `capacity` ids; forgets the oldest first.
#[derive(Debug)]
pub struct Dedup {
    order: VecDeque<Uuid>,
    seen: HashSet<Uuid>,
    capacity: usize,
}

impl Dedup {
    /// An empty window of `capacity` ids.
    pub fn new(capacity: usize) -> Self {
        Self {
            order: VecDeque::with_capacity(capacity),
            seen: HashSet::with_capacity(capacity),
            capacity,
        }
    }

    /// Records `id`; false if it was already there.
    pub fn insert(&mut self, id: Uuid) -> bool {
        if !self.seen.insert(id) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.seen.remove(&oldest);
        }
        self.order.push_back(id);
        true
    }

    /// Whether `id` is in the window.
    pub fn contains(&self, id: &Uuid) -> bool {
        self.seen.contains(id)
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Bytes held by its allocations (ids in the queue and the set's table).
    pub fn heap_bytes(&self) -> usize {
        let id = std::mem::size_of::<Uuid>();
        // hashbrown: one control byte per bucket plus a group of 16.
        let buckets = (self.seen.capacity() * 8 / 7).next_power_of_two();
        self.order.capacity() * id + buckets * (id + 1) + 16
    }
}

impl Position {
    /// Moves to `id` at `timestamp` when that is not older than where it is.
    pub(crate) fn advance(&mut self, id: Uuid, timestamp: DateTime<Utc>) {
        if self.timestamp.is_none_or(|t| t <= timestamp) {
            self.message_id = Some(id);
            self.timestamp = Some(timestamp);
        }
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn dedup_forgets_the_oldest_first() {
        let ids: Vec<Uuid> = (0..5u128).map(Uuid::from_u128).collect();
        let mut dedup = Dedup::new(3);
        for id in &ids[..3] {
            assert!(dedup.insert(*id));
        }
        assert!(!dedup.insert(ids[1]));
        assert!(dedup.insert(ids[3]), "a fourth id evicts the oldest");
        assert_eq!(dedup.len(), 3);
        assert!(dedup.insert(ids[0]), "the oldest was forgotten");
        assert!(!dedup.insert(ids[2]), "younger ones are kept");
        assert!(!dedup.insert(ids[3]));
    }
}
