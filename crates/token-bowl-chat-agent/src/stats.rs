//! What the agent counts: messages, tokens, model latency, errors.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use serde::Serialize;
use token_bowl_chat::bot::Tally;

/// Counters shared by all conversations.
#[derive(Debug)]
pub struct Stats {
    started: Instant,
    /// Messages taken in (all, context included).
    pub messages_in: AtomicU64,
    /// Answers sent (apologies included).
    pub messages_out: AtomicU64,
    /// Turns (one model answer for one or more messages).
    pub turns: AtomicU64,
    /// Prompt tokens, as the endpoint counted them.
    pub tokens_in: AtomicU64,
    /// Completion tokens, as the endpoint counted them.
    pub tokens_out: AtomicU64,
    /// Tool calls run.
    pub tool_calls: AtomicU64,
    /// Failures: model calls that failed for good, sends that failed.
    pub errors: AtomicU64,
    /// Apologies sent instead of an answer.
    pub apologies: AtomicU64,
    /// Replies not sent because they repeated a recent one.
    pub repeats_suppressed: AtomicU64,
    /// Messages not answered (a bot account's direct messages, limits).
    pub skipped: AtomicU64,
    latencies: Mutex<Vec<u32>>,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            messages_in: AtomicU64::new(0),
            messages_out: AtomicU64::new(0),
            turns: AtomicU64::new(0),
            tokens_in: AtomicU64::new(0),
            tokens_out: AtomicU64::new(0),
            tool_calls: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            apologies: AtomicU64::new(0),
            repeats_suppressed: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            latencies: Mutex::new(Vec::new()),
        }
    }
}

/// One reading of the counters.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Snapshot {
    /// Seconds since the agent started.
    pub uptime_s: u64,
    /// Messages taken in.
    pub messages_in: u64,
    /// Answers sent.
    pub messages_out: u64,
    /// Turns.
    pub turns: u64,
    /// Prompt tokens.
    pub tokens_in: u64,
    /// Completion tokens.
    pub tokens_out: u64,
    /// Model calls.
    pub model_calls: u64,
    /// Median model latency, milliseconds.
    pub latency_p50_ms: Option<u32>,
    /// 99th-percentile model latency, milliseconds.
    pub latency_p99_ms: Option<u32>,
    /// Requests sent again to the model (429, 5xx).
    pub model_retries: u64,
    /// Tool calls.
    pub tool_calls: u64,
    /// Failures.
    pub errors: u64,
    /// Apologies sent.
    pub apologies: u64,
    /// Replies held back as repeats.
    pub repeats_suppressed: u64,
    /// Messages not answered.
    pub skipped: u64,
    /// Messages the bot runtime saw again and dropped (webhook re-sends,
    /// real-time replays after a reconnect); known once the bot's counts
    /// are added ([`Snapshot::with_bot`]).
    pub redeliveries: Option<u64>,
    /// Times real time connected again after losing the connection; known
    /// once the bot's counts are added.
    pub reconnects: Option<u64>,
}

impl Stats {
    /// Adds one model call's latency.
    pub fn latency(&self, took: Duration) {
        let ms = took.as_millis().min(u128::from(u32::MAX)) as u32;
        let mut all = self.latencies.lock().unwrap_or_else(|e| e.into_inner());
        if all.len() >= 100_000 {
            all.remove(0);
        }
        all.push(ms);
    }

    /// Adds one to `counter`.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The counters now; `retries` from the model client.
    pub fn snapshot(&self, retries: u64) -> Snapshot {
        let mut sorted = self
            .latencies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        sorted.sort_unstable();
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Snapshot {
            uptime_s: self.started.elapsed().as_secs(),
            messages_in: get(&self.messages_in),
            messages_out: get(&self.messages_out),
            turns: get(&self.turns),
            tokens_in: get(&self.tokens_in),
            tokens_out: get(&self.tokens_out),
            model_calls: sorted.len() as u64,
            latency_p50_ms: percentile(&sorted, 50),
            latency_p99_ms: percentile(&sorted, 99),
            model_retries: retries,
            tool_calls: get(&self.tool_calls),
            errors: get(&self.errors),
            apologies: get(&self.apologies),
            repeats_suppressed: get(&self.repeats_suppressed),
            skipped: get(&self.skipped),
            redeliveries: None,
            reconnects: None,
        }
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[u32], p: usize) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

impl Snapshot {
    /// Adds the bot runtime's counts ([`RunningBot::progress`] or the
    /// report's): redeliveries and reconnects.
    ///
    /// [`RunningBot::progress`]: token_bowl_chat::bot::RunningBot::progress
    pub fn with_bot(mut self, tally: &Tally) -> Self {
        self.redeliveries = Some(tally.repeats);
        self.reconnects = Some(tally.reconnects);
        self
    }

    /// One line for people.
    pub fn text(&self) -> String {
        let ms = |v: Option<u32>| v.map_or("-".to_owned(), |v| format!("{v} ms"));
        format!(
            "uptime {} s; messages in {}, out {}; turns {}; tokens in {}, out {}; \
             model calls {} (p50 {}, p99 {}), retries {}; tool calls {}; errors {}; \
             apologies {}; repeats held back {}; skipped {}{}{}",
            self.uptime_s,
            self.messages_in,
            self.messages_out,
            self.turns,
            self.tokens_in,
            self.tokens_out,
            self.model_calls,
            ms(self.latency_p50_ms),
            ms(self.latency_p99_ms),
            self.model_retries,
            self.tool_calls,
            self.errors,
            self.apologies,
            self.repeats_suppressed,
            self.skipped,
            self.redeliveries
                .map_or(String::new(), |r| format!("; seen again {r}")),
            self.reconnects
                .map_or(String::new(), |r| format!("; reconnects {r}")),
        )
    }

    /// One JSON line.
    pub fn json(&self) -> String {
        serde_json::to_string(self).expect("a snapshot serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let s = Stats::default();
        for ms in 1..=100 {
            s.latency(Duration::from_millis(ms));
        }
        let snap = s.snapshot(3);
        assert_eq!(snap.latency_p50_ms, Some(50));
        assert_eq!(snap.latency_p99_ms, Some(99));
        assert_eq!(snap.model_calls, 100);
        assert_eq!(snap.model_retries, 3);
        assert!(snap.json().contains("\"latency_p99_ms\":99"));
        assert!(snap.text().contains("p50 50 ms"));
        assert_eq!(Stats::default().snapshot(0).latency_p50_ms, None);
        assert!(!snap.text().contains("reconnects"));
    }

    #[test]
    fn the_bot_counts_join_the_line() {
        let mut tally = Tally::default();
        tally.repeats = 4;
        tally.reconnects = 2;
        let snap = Stats::default().snapshot(0).with_bot(&tally);
        assert!(
            snap.text().ends_with("; seen again 4; reconnects 2"),
            "{}",
            snap.text()
        );
        assert!(snap.json().contains("\"reconnects\":2"), "{}", snap.json());
        assert!(
            snap.json().contains("\"redeliveries\":4"),
            "{}",
            snap.json()
        );
    }
}
