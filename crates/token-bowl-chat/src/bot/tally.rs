//! What a run has done so far: the counts a [`Report`](super::Report)
//! ends with, and a [`Progress`](super::Progress) reads while it runs.

use serde::Serialize;

/// The counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Tally {
    /// Handlers that returned `Ok`.
    pub handled: u64,
    /// Handlers that returned an error or panicked.
    pub failed: u64,
    /// Messages no handler was for.
    pub ignored: u64,
    /// Messages taken in again (webhook retries, backfill overlap, a
    /// real-time replay) and skipped.
    pub repeats: u64,
    /// Handlers cancelled at the shutdown deadline.
    pub aborted: u64,
    /// Times real time connected again after losing the connection (0 in
    /// webhook mode).
    pub reconnects: u64,
}
