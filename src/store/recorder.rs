//! The journal behind one writer thread: requests hand questions over without waiting, questions
//! are written in batches, and feedback and reads are served in order after the questions before
//! them.
//!
//! When the store cannot be reached (PostgreSQL restarting, the network down), answers go on:
//! what could not be written waits in memory, in order, up to [`BACKLOG_RECORDS`], and is written
//! when the store is back (tried every [`RETRY_EVERY`]). Feedback given meanwhile is accepted and
//! waits with the questions. Past the bound new records are dropped. All of it is counted
//! ([`RecorderCounters`], served on `/metrics`).
//!
//! With a shared store (a cluster), feedback may reach one node before the node that answered
//! has written the question: it is accepted and tried again every [`EARLY_RETRY_EVERY`] for
//! [`FEEDBACK_WAIT`].

use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use super::{
    now_utc, FeedbackRecord, GapGroup, GapState, Journal, Page, QuestionRecord, StoreError,
};

/// How often the store deletes questions past the retention period.
const PURGE_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Questions waiting to be handed to the writer thread before new ones are dropped (with a log
/// line).
const QUEUE: usize = 10_000;

/// Records (questions, feedback, generation switches) kept while the store is unreachable; past
/// this, new ones are dropped and counted. About 300 bytes each: 30 MB at most.
pub const BACKLOG_RECORDS: usize = 100_000;

/// How often writing the backlog is tried again while the store is unreachable.
pub const RETRY_EVERY: Duration = Duration::from_secs(1);

/// Questions written in one transaction.
const BATCH: usize = 512;

/// How long feedback on a request the shared store does not know yet waits for its question: in
/// a cluster the question may be in another node's queue (or backlog) still.
pub const FEEDBACK_WAIT: Duration = Duration::from_secs(120);

/// How often such early feedback is tried again. Short: it waits in this node's memory, which a
/// crash loses, and its question is usually a few milliseconds behind it.
pub const EARLY_RETRY_EVERY: Duration = Duration::from_millis(200);

/// What the recorder thread is asked to do.
enum Command {
    Question(QuestionRecord),
    Generation(u64),
    Feedback(FeedbackRecord, mpsc::Sender<Result<(), StoreError>>),
    Unanswered(
        GapState,
        Page,
        mpsc::Sender<Result<Vec<GapGroup>, StoreError>>,
    ),
    Gap(i64, mpsc::Sender<Result<Option<GapGroup>, StoreError>>),
    HandleGap(
        i64,
        String,
        String,
        mpsc::Sender<Result<Option<GapGroup>, StoreError>>,
    ),
    Counts(mpsc::Sender<Result<(usize, usize), StoreError>>),
    /// Write what is queued, merge the WAL into the database file and stop.
    Close(mpsc::Sender<Result<(), StoreError>>),
}

/// A write that waits for the store.
enum Waiting {
    Questions(Vec<QuestionRecord>),
    Feedback(FeedbackRecord),
    Generation(u64),
}

impl Waiting {
    fn records(&self) -> usize {
        match self {
            Waiting::Questions(q) => q.len(),
            Waiting::Feedback(_) | Waiting::Generation(_) => 1,
        }
    }
}

/// What the writer counts, read by `/metrics`.
#[derive(Debug, Default)]
pub struct RecorderCounters {
    /// Records waiting in memory for the store to come back.
    backlog: AtomicU64,
    /// Records dropped because the backlog was full.
    dropped: AtomicU64,
    /// Records the store refused (not an outage: a failed statement); logged.
    failed: AtomicU64,
    /// Times a write found the store unreachable.
    outages: AtomicU64,
    /// Whether the last write found the store reachable.
    up: AtomicBool,
    /// Questions written.
    questions: AtomicU64,
    /// Feedback written.
    feedback: AtomicU64,
}

impl RecorderCounters {
    /// Records waiting in memory for the store.
    pub fn backlog(&self) -> u64 {
        self.backlog.load(Ordering::Relaxed)
    }

    /// Records dropped because the backlog was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Whether the last write reached the store.
    pub fn up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// The Prometheus text of these counters, `backend` naming the store.
    pub fn render(&self, backend: &str) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name}{{backend=\"{backend}\"}} {value}"
            );
        };
        metric(
            "haipedia_store_up",
            "gauge",
            "1 when the last write reached the store.",
            u64::from(self.up()),
        );
        metric(
            "haipedia_store_backlog_records",
            "gauge",
            "Records waiting in memory for the store to be reachable again.",
            self.backlog(),
        );
        metric(
            "haipedia_store_dropped_records_total",
            "counter",
            "Records dropped because the backlog was full.",
            self.dropped(),
        );
        metric(
            "haipedia_store_failed_records_total",
            "counter",
            "Records the store refused (see the log).",
            self.failed.load(Ordering::Relaxed),
        );
        metric(
            "haipedia_store_outages_total",
            "counter",
            "Writes that found the store unreachable.",
            self.outages.load(Ordering::Relaxed),
        );
        metric(
            "haipedia_store_questions_written_total",
            "counter",
            "Questions written to the store.",
            self.questions.load(Ordering::Relaxed),
        );
        metric(
            "haipedia_store_feedback_written_total",
            "counter",
            "Feedback records written to the store.",
            self.feedback.load(Ordering::Relaxed),
        );
        out
    }
}

/// The writer thread's side: the journal and the writes waiting for it.
struct Writer {
    journal: Journal,
    backlog: VecDeque<Waiting>,
    waiting: usize,
    counters: Arc<RecorderCounters>,
    next_retry: Instant,
    /// Shared store only: feedback whose question is not written yet, with when to give up.
    early: VecDeque<(Instant, FeedbackRecord)>,
}

impl Writer {
    /// Whether feedback on an unknown request may be early rather than wrong: the store is shared
    /// by nodes whose questions reach it later.
    fn shared(&self) -> bool {
        self.journal.backend() != "sqlite"
    }

    /// Keeps feedback that came before its question (shared store), or says it is unknown.
    fn early_feedback(&mut self, w: Waiting, e: StoreError) -> Result<(), StoreError> {
        match (w, e) {
            (Waiting::Feedback(f), StoreError::UnknownRequest(_)) if self.shared() => {
                if self.early.len() >= BACKLOG_RECORDS {
                    self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                self.early.push_back((Instant::now() + FEEDBACK_WAIT, f));
                Ok(())
            }
            (_, e) => Err(e),
        }
    }

    /// Writes the early feedback whose question has arrived; gives up on what waited too long.
    /// While the store is unreachable it waits for the backlog's next try.
    fn retry_early(&mut self) {
        if !self.counters.up() && Instant::now() < self.next_retry {
            return;
        }
        for _ in 0..self.early.len() {
            let Some((deadline, f)) = self.early.pop_front() else {
                break;
            };
            let w = Waiting::Feedback(f);
            let result = self.apply(&w);
            let Waiting::Feedback(f) = w else { break };
            match result {
                Ok(()) => {}
                Err(StoreError::UnknownRequest(_)) if Instant::now() < deadline => {
                    self.early.push_back((deadline, f));
                }
                Err(e) if e.is_outage() => {
                    self.outage(&e);
                    self.early.push_front((deadline, f));
                    break;
                }
                Err(e) => {
                    self.counters.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "feedback on a request no node recorded: dropped");
                }
            }
        }
    }

    /// Writes `w` now, or keeps it when the store is unreachable (or others already wait).
    /// Returns the error of a write the store refused.
    fn write(&mut self, w: Waiting) -> Result<(), StoreError> {
        if !self.backlog.is_empty() {
            self.retry();
        }
        if !self.backlog.is_empty() {
            self.keep(w);
            return Ok(());
        }
        match self.apply(&w) {
            Err(e) if e.is_outage() => {
                self.outage(&e);
                self.keep(w);
                Ok(())
            }
            Err(e) => self.early_feedback(w, e),
            Ok(()) => Ok(()),
        }
    }

    fn apply(&mut self, w: &Waiting) -> Result<(), StoreError> {
        let result = match w {
            Waiting::Questions(batch) => self.journal.record_questions(batch),
            Waiting::Feedback(f) => self.journal.record_feedback(f),
            Waiting::Generation(g) => self.journal.record_generation(*g),
        };
        if result.as_ref().is_ok() {
            self.counters.up.store(true, Ordering::Relaxed);
            match w {
                Waiting::Questions(batch) => {
                    self.counters
                        .questions
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                }
                Waiting::Feedback(_) => {
                    self.counters.feedback.fetch_add(1, Ordering::Relaxed);
                }
                Waiting::Generation(_) => {}
            }
        }
        result
    }

    fn outage(&mut self, e: &StoreError) {
        if self.counters.up.swap(false, Ordering::Relaxed) {
            tracing::error!(error = %e, "the store is unreachable: records wait in memory");
        }
        self.counters.outages.fetch_add(1, Ordering::Relaxed);
        self.next_retry = Instant::now() + RETRY_EVERY;
    }

    /// Keeps `w` for later, or drops it when the backlog is full.
    fn keep(&mut self, w: Waiting) {
        let n = w.records();
        if self.waiting + n > BACKLOG_RECORDS {
            self.counters.dropped.fetch_add(n as u64, Ordering::Relaxed);
            tracing::warn!(
                records = n,
                backlog = self.waiting,
                "the store is unreachable and the backlog is full: records dropped"
            );
            return;
        }
        self.waiting += n;
        self.backlog.push_back(w);
        self.counters
            .backlog
            .store(self.waiting as u64, Ordering::Relaxed);
    }

    /// Writes the backlog, oldest first, until the store fails again (when it is time to try).
    fn retry(&mut self) {
        if Instant::now() < self.next_retry {
            return;
        }
        let before = self.waiting;
        while let Some(w) = self.backlog.pop_front() {
            match self.apply(&w) {
                Ok(()) => {}
                Err(e) if e.is_outage() => {
                    self.outage(&e);
                    self.backlog.push_front(w);
                    break;
                }
                Err(e) => {
                    let records = w.records();
                    if let Err(e) = self.early_feedback(w, e) {
                        self.counters
                            .failed
                            .fetch_add(records as u64, Ordering::Relaxed);
                        tracing::error!(error = %e, records, "a waiting record was refused by the store");
                    }
                    self.waiting -= records;
                    continue;
                }
            }
            self.waiting -= w.records();
        }
        self.counters
            .backlog
            .store(self.waiting as u64, Ordering::Relaxed);
        if self.backlog.is_empty() && before > 0 {
            tracing::info!(
                records = before,
                "the store is back: the waiting records are written"
            );
        }
    }

    fn refused(&self, what: &str, e: &StoreError, records: usize) {
        self.counters
            .failed
            .fetch_add(records as u64, Ordering::Relaxed);
        tracing::error!(error = %e, count = records, "could not record {what}");
    }
}

/// The journal behind one writer thread (see the module doc).
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::SyncSender<Command>,
    counters: Arc<RecorderCounters>,
    backend: &'static str,
}

impl Recorder {
    /// Starts the writer thread owning `journal`; it deletes questions older than
    /// `retention_days` at start and then daily.
    pub fn start(journal: Journal, retention_days: u32) -> Recorder {
        let (tx, rx) = mpsc::sync_channel::<Command>(QUEUE);
        let counters = Arc::new(RecorderCounters::default());
        counters.up.store(true, Ordering::Relaxed);
        let backend = journal.backend();
        let mut writer = Writer {
            journal,
            backlog: VecDeque::new(),
            waiting: 0,
            counters: counters.clone(),
            next_retry: Instant::now(),
            early: VecDeque::new(),
        };
        std::thread::Builder::new()
            .name("haipedia-store".into())
            .spawn(move || run(&mut writer, &rx, retention_days))
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "could not start the store thread"));
        Recorder {
            tx,
            counters,
            backend,
        }
    }

    /// What the writer counts (backlog, drops, outages).
    pub fn counters(&self) -> &RecorderCounters {
        &self.counters
    }

    /// The backend's name ("sqlite", "postgres").
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Queues a question for writing; never blocks (drops it with a log line when the queue is
    /// full). Its time is now unless given, whenever it is written.
    pub fn question(&self, mut q: QuestionRecord) {
        if q.asked_at.is_none() {
            q.asked_at = Some(now_utc());
        }
        if self.tx.try_send(Command::Question(q)).is_err() {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("question queue full or closed: a question was not recorded");
        }
    }

    /// Queues the record of a generation switch; never blocks.
    pub fn generation(&self, generation: u64) {
        if self.tx.try_send(Command::Generation(generation)).is_err() {
            tracing::warn!(
                generation,
                "queue full or closed: a generation switch was not recorded"
            );
        }
    }

    /// Records feedback (after every question queued before it); blocks until written, or
    /// until kept in the backlog while the store is unreachable.
    pub fn feedback(&self, f: FeedbackRecord) -> Result<(), StoreError> {
        self.ask(|reply| Command::Feedback(f, reply))
    }

    /// Writes every queued question, checkpoints the database and stops the writer thread; blocks.
    pub fn close(&self) -> Result<(), StoreError> {
        self.ask(Command::Close)
    }

    /// A page of the content-gap list (including every question queued before the call); blocks.
    pub fn unanswered(&self, state: GapState, page: Page) -> Result<Vec<GapGroup>, StoreError> {
        self.ask(|reply| Command::Unanswered(state, page, reply))
    }

    /// Marks gap group `id` as answered by `entry`, by `who`; `None` if there is no such group.
    pub fn handle_gap(
        &self,
        id: i64,
        entry: &str,
        who: &str,
    ) -> Result<Option<GapGroup>, StoreError> {
        self.ask(|reply| Command::HandleGap(id, entry.to_string(), who.to_string(), reply))
    }

    /// Gap group `id` (after every question queued before the call); blocks.
    pub fn gap(&self, id: i64) -> Result<Option<GapGroup>, StoreError> {
        self.ask(|reply| Command::Gap(id, reply))
    }

    /// Questions and feedback records stored (after every write queued before the call).
    pub fn counts(&self) -> Result<(usize, usize), StoreError> {
        self.ask(Command::Counts)
    }

    /// Sends the command `make` builds around a reply channel and waits for the reply.
    fn ask<T>(
        &self,
        make: impl FnOnce(mpsc::Sender<Result<T, StoreError>>) -> Command,
    ) -> Result<T, StoreError> {
        let (reply, answer) = mpsc::channel();
        self.tx.send(make(reply)).map_err(|_| StoreError::Closed)?;
        answer.recv().map_err(|_| StoreError::Closed)?
    }
}

/// The writer thread: commands in order, questions in batches, the backlog retried, the
/// retention applied daily.
fn run(writer: &mut Writer, rx: &mpsc::Receiver<Command>, retention_days: u32) {
    let mut pending: Option<Command> = None;
    let mut next_purge = Instant::now();
    let mut next_early = Instant::now();
    loop {
        if Instant::now() >= next_purge {
            match writer.journal.purge_older_than(retention_days) {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, retention_days, "old questions deleted"),
                Err(e) => tracing::error!(error = %e, "could not delete old questions"),
            }
            next_purge = Instant::now() + PURGE_EVERY;
        }
        if !writer.backlog.is_empty() {
            writer.retry();
        }
        if !writer.early.is_empty() && Instant::now() >= next_early {
            writer.retry_early();
            next_early = Instant::now() + EARLY_RETRY_EVERY;
        }
        let cmd = match pending.take() {
            Some(c) => c,
            None => {
                let wait = if !writer.early.is_empty() {
                    EARLY_RETRY_EVERY
                } else if !writer.backlog.is_empty() {
                    RETRY_EVERY
                } else {
                    PURGE_EVERY
                };
                match rx.recv_timeout(wait) {
                    Ok(c) => c,
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
        };
        match cmd {
            Command::Question(first) => {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match rx.try_recv() {
                        Ok(Command::Question(q)) => batch.push(q),
                        Ok(other) => {
                            pending = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let n = batch.len();
                if let Err(e) = writer.write(Waiting::Questions(batch)) {
                    writer.refused("questions", &e, n);
                }
            }
            Command::Generation(g) => {
                if let Err(e) = writer.write(Waiting::Generation(g)) {
                    writer.refused("the generation switch", &e, 1);
                }
            }
            Command::Feedback(f, reply) => {
                let _ = reply.send(writer.write(Waiting::Feedback(f)));
            }
            Command::Unanswered(state, page, reply) => {
                let _ = reply.send(writer.journal.unanswered(state, page));
            }
            Command::Gap(id, reply) => {
                let _ = reply.send(writer.journal.gap(id));
            }
            Command::HandleGap(id, entry, who, reply) => {
                let _ = reply.send(writer.journal.handle_gap(id, &entry, &who));
            }
            Command::Counts(reply) => {
                let counts = writer
                    .journal
                    .question_count()
                    .and_then(|q| Ok((q, writer.journal.feedback_count()?)));
                let _ = reply.send(counts);
            }
            Command::Close(reply) => {
                writer.next_retry = Instant::now();
                writer.retry();
                writer.retry_early();
                if writer.waiting > 0 || !writer.early.is_empty() {
                    tracing::error!(
                        records = writer.waiting + writer.early.len(),
                        "stopping with records not written (store unreachable, or feedback \
                         before its question): they are lost"
                    );
                }
                let _ = reply.send(writer.journal.checkpoint());
                return;
            }
        }
    }
}
