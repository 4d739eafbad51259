//! Limits on answering: a cooldown after N replies, and anti-repetition.

use std::time::{Duration, Instant};

/// N replies, then a pause. Counted over all conversations.
#[derive(Debug)]
pub struct Cooldown {
    replies: u32,
    pause: Duration,
    count: u32,
    until: Option<Instant>,
}

impl Cooldown {
    /// After `replies` replies, pause for `pause`; `replies == 0` or a zero
    /// pause: never.
    pub fn new(replies: u32, pause: Duration) -> Self {
        Self {
            replies,
            pause,
            count: 0,
            until: None,
        }
    }

    /// How long to wait before the next reply at `now` (zero: go).
    pub fn wait(&mut self, now: Instant) -> Duration {
        match self.until {
            Some(until) if until > now => until - now,
            Some(_) => {
                self.until = None;
                Duration::ZERO
            }
            None => Duration::ZERO,
        }
    }

    /// Counts a reply sent at `now`; true when a pause starts.
    pub fn replied(&mut self, now: Instant) -> bool {
        if self.replies == 0 || self.pause.is_zero() {
            return false;
        }
        self.count += 1;
        if self.count >= self.replies {
            self.count = 0;
            self.until = Some(now + self.pause);
            return true;
        }
        false
    }
}

/// How alike two texts are, 0 (nothing shared) to 1 (same): the Dice
/// coefficient of their character bigrams, after folding case and
/// whitespace. Cheap, and close to what a person calls "the same answer".
pub fn similarity(a: &str, b: &str) -> f64 {
    let fold = |s: &str| -> Vec<char> {
        s.split_whitespace()
            .flat_map(|w| w.chars().chain(std::iter::once(' ')))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (fold(a), fold(b));
    if a == b {
        return 1.0;
    }
    if a.len() < 2 || b.len() < 2 {
        return 0.0;
    }
    let mut grams: Vec<(char, char)> = a.windows(2).map(|w| (w[0], w[1])).collect();
    grams.sort_unstable();
    let total = grams.len() + b.len() - 1;
    let mut shared = 0;
    for w in b.windows(2) {
        if let Ok(i) = grams.binary_search(&(w[0], w[1])) {
            grams.remove(i);
            shared += 1;
        }
    }
    2.0 * shared as f64 / total as f64
}

/// Whether `reply` is at least `threshold` alike to one of `recent`.
pub fn repeats(reply: &str, recent: &[String], threshold: f64) -> bool {
    threshold > 0.0 && recent.iter().any(|r| similarity(reply, r) >= threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cooldown_starts_after_n_replies_and_ends() {
        let t0 = Instant::now();
        let mut c = Cooldown::new(2, Duration::from_secs(60));
        assert_eq!(c.wait(t0), Duration::ZERO);
        assert!(!c.replied(t0));
        assert!(c.replied(t0));
        assert_eq!(
            c.wait(t0 + Duration::from_secs(10)),
            Duration::from_secs(50)
        );
        assert_eq!(c.wait(t0 + Duration::from_secs(61)), Duration::ZERO);
        assert!(!c.replied(t0 + Duration::from_secs(62)));
    }

    #[test]
    fn no_cooldown_when_off() {
        let mut c = Cooldown::new(0, Duration::from_secs(60));
        for _ in 0..10 {
            assert!(!c.replied(Instant::now()));
        }
        assert_eq!(c.wait(Instant::now()), Duration::ZERO);
    }

    #[test]
    fn similarity_tells_repeats_from_new_answers() {
        assert_eq!(similarity("Hello there", "hello   THERE"), 1.0);
        let a = "The weather today is sunny with a light breeze.";
        let b = "The weather today is sunny with a light breeze!";
        assert!(similarity(a, b) > 0.9);
        let c = "I have no idea what the score of the match was.";
        assert!(similarity(a, c) < 0.5, "{}", similarity(a, c));
        assert!(repeats(b, &[c.into(), a.into()], 0.85));
        assert!(!repeats(c, &[a.into()], 0.85));
        assert!(
            !repeats(a, &[a.into()], 0.0),
            "threshold 0 turns the check off"
        );
    }
}
