//! The dispatcher: takes messages in (de-duplicated, routed, recorded),
//! queues them per sender, and runs their handlers with bounded
//! concurrency. The only part of the bot with locks and atomics.

use std::{
    collections::{HashMap, VecDeque, hash_map},
    panic::AssertUnwindSafe,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::FutureExt;
use tokio::sync::{Notify, Semaphore, watch};

use super::{
    Context, Store, Trigger,
    budget::Budget,
    routes::{Handler, Routes},
    settings::Settings,
    tally::Tally,
};
use crate::{
    Client, Message, Result,
    delivery::Dedup,
    handoff::{Verdict, stop_requested},
};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Debug, Default)]
struct Counts {
    handled: AtomicU64,
    failed: AtomicU64,
    ignored: AtomicU64,
    repeats: AtomicU64,
    aborted: AtomicU64,
    /// Real-time connects, the first one included.
    connects: AtomicU64,
}

struct State {
    seen: Dedup,
    /// Messages waiting per sender; a key is present while that sender's
    /// worker runs.
    queues: HashMap<String, VecDeque<Job>>,
    pending: usize,
}

struct Job {
    message: Message,
    trigger: Trigger,
    handler: Handler,
}

/// Whether a message is in the store already (left pending by the last
/// run) or still to be recorded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Recorded {
    Already,
    No,
}

pub(super) struct Core {
    pub(super) client: Client,
    pub(super) me: String,
    routes: Routes,
    pub(super) settings: Settings,
    state: Mutex<State>,
    /// Held across each take, so that a message is checked, recorded and
    /// queued before the next one is looked at.
    store: tokio::sync::Mutex<Box<dyn Store>>,
    permits: Arc<Semaphore>,
    draining: AtomicBool,
    /// Set once the run has stopped: nothing is taken in any more.
    closed: AtomicBool,
    abort: watch::Sender<bool>,
    workers: AtomicUsize,
    idle: Notify,
    budget: Mutex<Budget>,
    counts: Counts,
}

impl Core {
    /// A dispatcher for `me` that skips the ids in `seen`.
    pub(super) fn new(
        client: Client,
        me: String,
        routes: Routes,
        settings: Settings,
        store: Box<dyn Store>,
        seen: Dedup,
    ) -> Arc<Self> {
        let (abort, _) = watch::channel(false);
        Arc::new(Core {
            client,
            me,
            routes,
            permits: Arc::new(Semaphore::new(settings.concurrency)),
            budget: Mutex::new(Budget::new(settings.reply_limit, settings.reply_window)),
            settings,
            state: Mutex::new(State {
                seen,
                queues: HashMap::new(),
                pending: 0,
            }),
            store: tokio::sync::Mutex::new(store),
            draining: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            abort,
            workers: AtomicUsize::new(0),
            idle: Notify::new(),
            counts: Counts::default(),
        })
    }

    /// Takes a message in: de-duplicates, routes, records, queues.
    pub(super) async fn take(self: &Arc<Self>, message: Message, recorded: Recorded) -> Verdict {
        if message.from_username == self.me {
            return Verdict::Accepted;
        }
        let mut store = self.store.lock().await;
        let (trigger, handler) = {
            let mut state = lock(&self.state);
            if self.closed.load(Ordering::SeqCst) {
                return Verdict::Busy("the bot has stopped".to_owned());
            }
            if state.seen.contains(&message.id) {
                self.counts.repeats.fetch_add(1, Ordering::Relaxed);
                return Verdict::Repeat;
            }
            let routed = self
                .routes
                .route(&message, &self.me, self.settings.commands_need_mention);
            let Some(routed) = routed else {
                state.seen.insert(message.id);
                self.counts.ignored.fetch_add(1, Ordering::Relaxed);
                return Verdict::Accepted;
            };
            if state.pending >= self.settings.max_pending {
                return Verdict::Busy(format!(
                    "the bot has {} messages waiting for a handler",
                    state.pending
                ));
            }
            routed
        };
        if recorded == Recorded::No
            && let Err(e) = store.received(&message).await
        {
            tracing::error!(error = %e, "bot: cannot record a message; refusing it for now");
            return Verdict::Busy(format!("cannot record the message: {e}"));
        }
        let mut state = lock(&self.state);
        state.seen.insert(message.id);
        state.pending += 1;
        let partner = message.from_username.clone();
        let job = Job {
            message,
            trigger,
            handler,
        };
        match state.queues.entry(partner) {
            hash_map::Entry::Occupied(mut queue) => queue.get_mut().push_back(job),
            hash_map::Entry::Vacant(slot) => {
                let partner = slot.key().clone();
                slot.insert(VecDeque::from([job]));
                self.workers.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(self.clone().work(partner));
            }
        }
        Verdict::Accepted
    }

    /// Takes a message from a source that cannot be asked to send it again
    /// (real time, a backfill): waits while the bot is full.
    pub(super) async fn take_waiting(self: &Arc<Self>, message: Message) {
        loop {
            match self.take(message.clone(), Recorded::No).await {
                Verdict::Busy(why) if !self.draining.load(Ordering::SeqCst) => {
                    tracing::debug!(why, "bot: waiting to take a message");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ => return,
            }
        }
    }

    /// The next job of `partner`'s queue, its start recorded; `None` when
    /// the queue is empty (the worker ends) or the bot is stopping.
    async fn next_job(&self, partner: &str) -> Option<Job> {
        let job = {
            let mut state = lock(&self.state);
            if self.draining.load(Ordering::SeqCst) {
                return None;
            }
            let Some(job) = state.queues.get_mut(partner).and_then(VecDeque::pop_front) else {
                state.queues.remove(partner);
                return None;
            };
            state.pending -= 1;
            job
        };
        if let Err(e) = self.store.lock().await.started(job.message.id).await {
            tracing::warn!(error = %e, "bot: cannot record a handler's start");
        }
        Some(job)
    }

    /// Runs one sender's messages in order, one at a time.
    async fn work(self: Arc<Self>, partner: String) {
        let _worker = WorkerGuard(&self);
        let mut abort = self.abort.subscribe();
        loop {
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                return; // closed: the bot is stopping
            };
            let Some(job) = self.next_job(&partner).await else {
                return;
            };
            let id = job.message.id;
            let cx = Context {
                message: job.message,
                trigger: job.trigger,
                core: self.clone(),
            };
            let run = AssertUnwindSafe((job.handler)(cx)).catch_unwind();
            let outcome = tokio::select! {
                outcome = run => outcome,
                () = stop_requested(&mut abort) => {
                    self.counts.aborted.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(message_id = %id, "bot: handler cancelled at the shutdown deadline");
                    return;
                }
            };
            match outcome {
                Ok(Ok(())) => {
                    self.counts.handled.fetch_add(1, Ordering::Relaxed);
                }
                Ok(Err(e)) => {
                    self.counts.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(message_id = %id, error = %e, "bot: handler failed");
                }
                Err(_) => {
                    self.counts.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(message_id = %id, "bot: handler panicked");
                }
            }
            if let Err(e) = self.store.lock().await.done(id).await {
                tracing::warn!(error = %e, "bot: cannot record a handler's end");
            }
            drop(permit);
        }
    }

    /// Counts a reply to `partner` against its budget.
    pub(super) fn spend_budget(&self, partner: &str) -> Result<()> {
        lock(&self.budget).spend(partner, Instant::now())
    }

    /// Waits until no worker runs, or `limit` passes; true when idle.
    async fn idle_within(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.idle.notified();
                if self.workers.load(Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }

    /// The first step of a stop: no new handler starts, and a message that
    /// finds the bot full is no longer waited for.
    pub(super) fn begin_drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.permits.close();
    }

    /// The last step of a stop, once intake is closed: nothing more is
    /// taken, and running handlers get until the deadline (the ones still
    /// running then are cancelled).
    pub(super) async fn finish_drain(&self) {
        self.closed.store(true, Ordering::SeqCst);
        if !self.idle_within(self.settings.shutdown_deadline).await {
            self.abort.send_replace(true);
            self.idle_within(Duration::from_secs(5)).await;
        }
    }

    /// Makes the store durable; how many messages are left pending.
    pub(super) async fn flush(&self) -> Result<usize> {
        let mut store = self.store.lock().await;
        store.flush().await?;
        Ok(lock(&self.state).pending)
    }

    /// Real time (re)connected.
    #[cfg(feature = "realtime")]
    pub(super) fn connected(&self) {
        self.counts.connects.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts so far.
    pub(super) fn tally(&self) -> Tally {
        let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Tally {
            handled: count(&self.counts.handled),
            failed: count(&self.counts.failed),
            ignored: count(&self.counts.ignored),
            repeats: count(&self.counts.repeats),
            aborted: count(&self.counts.aborted),
            reconnects: count(&self.counts.connects).saturating_sub(1),
        }
    }
}

struct WorkerGuard<'a>(&'a Core);

impl Drop for WorkerGuard<'_> {
    fn drop(&mut self) {
        if self.0.workers.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
