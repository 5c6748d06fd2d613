//! Questions and user feedback in SQLite: what was asked (masked), what the bot decided, how users
//! rated it, and the editors' content-gap list built from it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use utoipa::ToSchema;

use crate::analysis::Analyzer;
use crate::privacy::mask;

/// Storage errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database folder could not be created.
    #[error("database folder {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The writer thread is gone.
    #[error("the question store is not running")]
    Closed,
    /// Feedback for a request that was never answered here.
    #[error("unknown request id {0}")]
    UnknownRequest(String),
}

/// A question as recorded (the store masks the text, whatever the caller did).
#[derive(Debug, Clone, Default)]
pub struct QuestionRecord {
    /// Request id given to the caller.
    pub request_id: String,
    /// Question as asked (masked before it is written).
    pub question: String,
    /// Channel.
    pub channel: &'static str,
    /// Decision taken.
    pub decision: &'static str,
    /// Confidence.
    pub confidence: f64,
    /// First hit id, if any.
    pub top_id: Option<String>,
    /// Server time spent answering, in milliseconds.
    pub latency_ms: Option<f64>,
    /// The generation that answered.
    pub generation: Option<u64>,
    /// Category of the first hit (a catalogue service or a general topic).
    pub category: Option<String>,
    /// The catalogue service: the first hit's category when it is one, else the ticket draft's.
    pub service: Option<String>,
    /// When it was asked (UTC, `YYYY-MM-DDTHH:MM:SSZ`); none: when it is written. Set when
    /// questions are replayed or imported.
    pub asked_at: Option<String>,
}

/// Feedback on an answer.
#[derive(Debug, Clone)]
pub struct FeedbackRecord {
    /// The answered request.
    pub request_id: String,
    /// Iya / Tidak.
    pub helpful: bool,
    /// 1 (Sangat Tidak Puas) .. 5 (Sangat Puas).
    pub rating: Option<u8>,
    /// Free comment (masked before it is written).
    pub comment: Option<String>,
}

/// A group of similar unanswered questions.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GapGroup {
    /// Group id (to mark it handled).
    pub id: i64,
    /// The most recent question of the group (masked).
    pub question: String,
    /// How often questions of this group were asked.
    pub count: usize,
    /// Other phrasings in the group (masked, at most 5).
    pub examples: Vec<String>,
    /// When one was last asked (UTC, RFC 3339).
    pub last_asked: String,
    /// The entry an editor answered it with, once handled.
    pub entry: Option<String>,
    /// Who handled it.
    pub handled_by: Option<String>,
    /// When (UTC, RFC 3339). A question of the group asked later puts it back on the open list
    /// (`entry` then names the entry that did not answer it).
    pub handled_at: Option<String>,
}

/// Which gap groups a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GapState {
    /// Not handled, or asked again since: most frequent first.
    #[default]
    Open,
    /// Handled by an editor: most recently handled first.
    Handled,
}

/// The SQLite store (one connection; callers serialise access). Gap questions (escalated, or
/// rated badly later) are grouped as they are written, so the editors' list is one indexed query.
pub struct Store {
    conn: Connection,
    analyzer: Analyzer,
    /// The most recently active gap groups, by their terms.
    groups: GapIndex,
}

/// Recently active gap groups, found by the terms they share with a new question: a new gap
/// question is compared with the groups that share a term with it, not with every group.
#[derive(Debug, Default)]
struct GapIndex {
    /// Terms of each group.
    terms: HashMap<i64, HashSet<String>>,
    /// Groups by when they were last active (a counter), and the reverse.
    by_recency: BTreeMap<u64, i64>,
    recency: HashMap<i64, u64>,
    /// Groups having each term ("" for groups without terms).
    by_term: HashMap<String, HashSet<i64>>,
    clock: u64,
}

impl GapIndex {
    /// The most recently active group whose terms overlap `terms` by Jaccard >= 0.5.
    fn find(&self, terms: &HashSet<String>) -> Option<i64> {
        let keys: Vec<&str> = if terms.is_empty() {
            vec![""]
        } else {
            terms.iter().map(String::as_str).collect()
        };
        keys.iter()
            .filter_map(|k| self.by_term.get(*k))
            .flatten()
            .filter(|id| {
                let t = &self.terms[*id];
                let inter = t.intersection(terms).count() as f64;
                let union = t.union(terms).count().max(1) as f64;
                inter / union >= 0.5 || (t.is_empty() && terms.is_empty())
            })
            .max_by_key(|id| self.recency[*id])
            .copied()
    }

    /// Marks the known group `id` as the most recently active one.
    fn refresh(&mut self, id: i64) {
        if let Some(old) = self.recency.remove(&id) {
            self.by_recency.remove(&old);
        }
        self.clock += 1;
        self.recency.insert(id, self.clock);
        self.by_recency.insert(self.clock, id);
    }

    /// Adds group `id` with `terms` as the most recently active group, forgetting the least recent
    /// beyond [`GROUPS_IN_MEMORY`].
    fn touch(&mut self, id: i64, terms: HashSet<String>) {
        self.refresh(id);
        let keys: Vec<String> = if terms.is_empty() {
            vec![String::new()]
        } else {
            terms.iter().cloned().collect()
        };
        for k in keys {
            self.by_term.entry(k).or_default().insert(id);
        }
        self.terms.insert(id, terms);
        while self.recency.len() > GROUPS_IN_MEMORY {
            let Some((_, oldest)) = self.by_recency.pop_first() else {
                break;
            };
            self.recency.remove(&oldest);
            if let Some(terms) = self.terms.remove(&oldest) {
                for k in terms.iter().map(String::as_str).chain([""]) {
                    if let Some(ids) = self.by_term.get_mut(k) {
                        ids.remove(&oldest);
                    }
                }
            }
        }
    }
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS questions (
    request_id TEXT PRIMARY KEY,
    asked_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    question   TEXT NOT NULL,
    channel    TEXT NOT NULL,
    decision   TEXT NOT NULL,
    confidence REAL NOT NULL,
    top_id     TEXT
);
CREATE INDEX IF NOT EXISTS questions_decision ON questions(decision);
CREATE TABLE IF NOT EXISTS feedback (
    request_id TEXT NOT NULL REFERENCES questions(request_id),
    given_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    helpful    INTEGER NOT NULL,
    rating     INTEGER,
    comment    TEXT
);
CREATE INDEX IF NOT EXISTS questions_asked ON questions(asked_at);
CREATE TABLE IF NOT EXISTS gap_groups (
    id         INTEGER PRIMARY KEY,
    terms      TEXT NOT NULL,
    question   TEXT NOT NULL,
    examples   TEXT NOT NULL DEFAULT '[]',
    count      INTEGER NOT NULL,
    last_asked TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS gap_groups_rank ON gap_groups(count DESC, last_asked DESC);
";

/// Groups kept in memory for matching new gap questions (the most recently active ones).
const GROUPS_IN_MEMORY: usize = 5_000;

/// Other phrasings kept per gap group.
const EXAMPLES_PER_GROUP: usize = 5;

impl Store {
    /// Opens (creating if needed) the database at `path`; `analyzer` groups gap questions.
    pub fn open(path: &Path, analyzer: Analyzer) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let conn = Connection::open(path)?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        let mut store = Store {
            conn,
            analyzer,
            groups: GapIndex::default(),
        };
        store.load_groups()?;
        store.backfill_gaps()?;
        Ok(store)
    }

    /// Reads the term sets of the most recently active groups.
    fn load_groups(&mut self) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, terms FROM gap_groups ORDER BY last_asked DESC, id DESC LIMIT ?1",
        )?;
        let rows: Vec<(i64, String)> = stmt
            .query_map(params![GROUPS_IN_MEMORY as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?;
        self.groups = GapIndex::default();
        // oldest first, so the most recent ends up most recent
        for (id, terms) in rows.into_iter().rev() {
            let terms = terms
                .split(' ')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            self.groups.touch(id, terms);
        }
        Ok(())
    }

    /// Groups the gap questions of a database written before groups existed (once).
    fn backfill_gaps(&mut self) -> Result<(), StoreError> {
        let rows: Vec<(String, String, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT q.request_id, q.question, q.asked_at FROM questions q
                 WHERE q.gap_group IS NULL AND (q.decision = 'escalate'
                    OR EXISTS (SELECT 1 FROM feedback f WHERE f.request_id = q.request_id
                               AND (f.helpful = 0 OR f.rating <= 2)))
                 ORDER BY q.asked_at, q.rowid",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            rows
        };
        if rows.is_empty() {
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction()?;
        for (id, question, asked_at) in rows {
            let group = group_gap(&tx, &self.analyzer, &mut self.groups, &question, &asked_at)?;
            tx.execute(
                "UPDATE questions SET gap_group = ?1 WHERE request_id = ?2",
                params![group, id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records answered questions in one transaction; the text is masked here.
    pub fn record_questions(&mut self, questions: &[QuestionRecord]) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let now = now_utc();
        for q in questions {
            let masked = mask(&q.question);
            let asked_at = q.asked_at.as_deref().unwrap_or(&now);
            let group = if q.decision == "escalate" {
                Some(group_gap(
                    &tx,
                    &self.analyzer,
                    &mut self.groups,
                    &masked,
                    asked_at,
                )?)
            } else {
                None
            };
            tx.prepare_cached(
                "INSERT OR REPLACE INTO questions
                 (request_id, asked_at, question, channel, decision, confidence, top_id, gap_group,
                  latency_ms, generation, category, service)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                q.request_id,
                asked_at,
                masked,
                q.channel,
                q.decision,
                q.confidence,
                q.top_id,
                group,
                q.latency_ms,
                q.generation.map(|g| g as i64),
                q.category,
                q.service
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records feedback on a known request: one per answer, a later one replaces it. A bad
    /// rating makes the question a gap (grouped now, if it was not one already).
    pub fn record_feedback(&mut self, f: &FeedbackRecord) -> Result<(), StoreError> {
        let known: Option<(String, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT question, gap_group FROM questions WHERE request_id = ?1",
                params![f.request_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((question, group)) = known else {
            return Err(StoreError::UnknownRequest(f.request_id.to_string()));
        };
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO feedback (request_id, helpful, rating, comment) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(request_id) DO UPDATE SET given_at = excluded.given_at,
                helpful = excluded.helpful, rating = excluded.rating, comment = excluded.comment",
            params![
                f.request_id,
                f.helpful,
                f.rating,
                f.comment.as_deref().map(mask)
            ],
        )?;
        // the dashboard's aggregation reads the latest feedback from the question's own row
        tx.execute(
            "UPDATE questions SET helpful = ?1, rating = ?2 WHERE request_id = ?3",
            params![f.helpful, f.rating, f.request_id],
        )?;
        let bad = !f.helpful || f.rating.is_some_and(|r| r <= 2);
        if bad && group.is_none() {
            let group = group_gap(&tx, &self.analyzer, &mut self.groups, &question, &now_utc())?;
            tx.execute(
                "UPDATE questions SET gap_group = ?1 WHERE request_id = ?2",
                params![group, f.request_id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes questions (and their feedback) asked before `days` days ago, gap groups last
    /// active before then and generation switches older than that; returns the number of
    /// questions deleted.
    pub fn purge_older_than(&mut self, days: u32) -> Result<usize, StoreError> {
        let cutoff = format!("-{days} days");
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "DELETE FROM feedback WHERE request_id IN (SELECT request_id FROM questions
             WHERE asked_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?1))",
            params![cutoff],
        )?;
        let deleted = tx.execute(
            "DELETE FROM questions WHERE asked_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?1)",
            params![cutoff],
        )?;
        tx.execute(
            "DELETE FROM gap_groups WHERE last_asked < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?1)",
            params![cutoff],
        )?;
        tx.execute(
            "DELETE FROM generations WHERE started_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?1)",
            params![cutoff],
        )?;
        tx.commit()?;
        self.load_groups()?;
        Ok(deleted)
    }

    /// One page of the gap groups (escalated or badly rated questions grouped by shared terms),
    /// most frequent first: an indexed query, however many questions are stored.
    pub fn unanswered(&self, state: GapState, page: Page) -> Result<Vec<GapGroup>, StoreError> {
        let filter = match state {
            GapState::Open => "WHERE handled_at IS NULL ORDER BY count DESC, last_asked DESC",
            GapState::Handled => "WHERE handled_at IS NOT NULL ORDER BY handled_at DESC, id DESC",
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {GAP_COLUMNS} FROM gap_groups {filter} LIMIT ?1 OFFSET ?2"
        ))?;
        let groups = stmt
            .query_map(params![page.limit as i64, page.offset as i64], gap_row)?
            .collect::<Result<_, _>>()?;
        Ok(groups)
    }

    /// Marks gap group `id` as answered by `entry` (by `who`, now); `None` if there is no such
    /// group.
    pub fn handle_gap(
        &self,
        id: i64,
        entry: &str,
        who: &str,
    ) -> Result<Option<GapGroup>, StoreError> {
        self.conn.execute(
            "UPDATE gap_groups SET handled_entry = ?2, handled_by = ?3, handled_at = ?4 WHERE id = ?1",
            params![id, entry, who, now_utc()],
        )?;
        self.gap(id)
    }

    /// Gap group `id`, if there is one.
    pub fn gap(&self, id: i64) -> Result<Option<GapGroup>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {GAP_COLUMNS} FROM gap_groups WHERE id = ?1"),
                [id],
                gap_row,
            )
            .optional()?)
    }

    /// Records that `generation` now serves (at start, after a reindex or a rollback), unless it
    /// already was the last one recorded: the dashboard marks these switches on its time axis.
    pub fn record_generation(&mut self, generation: u64) -> Result<(), StoreError> {
        self.record_generation_at(generation, &now_utc())
    }

    /// [`Store::record_generation`] at a given time (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    pub fn record_generation_at(&mut self, generation: u64, at: &str) -> Result<(), StoreError> {
        let last: Option<i64> = self
            .conn
            .query_row(
                "SELECT generation FROM generations ORDER BY started_at DESC, rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if last != Some(generation as i64) {
            self.conn.execute(
                "INSERT INTO generations (generation, started_at) VALUES (?1, ?2)",
                params![generation as i64, at],
            )?;
        }
        Ok(())
    }

    /// Merges the write-ahead log into the database file (at shutdown).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Number of recorded questions.
    pub fn question_count(&self) -> Result<usize, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM questions", [], |r| r.get::<_, i64>(0))?
            as usize)
    }
}

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
    /// Write what is queued, merge the WAL into the database file and stop.
    Close(mpsc::Sender<Result<(), StoreError>>),
}

/// A page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Items on the page.
    pub limit: usize,
    /// Items before it.
    pub offset: usize,
}

impl Page {
    /// The page a request asks for: `limit` 1-500 (default 100), `offset` default 0.
    pub fn of(limit: Option<usize>, offset: Option<usize>) -> Page {
        Page {
            limit: limit.unwrap_or(100).clamp(1, 500),
            offset: offset.unwrap_or(0),
        }
    }
}

/// How often the store deletes questions past the retention period.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Questions waiting to be written before new ones are dropped (with a log line).
const QUEUE: usize = 10_000;

/// The store behind one writer thread: requests hand questions over without waiting, questions are
/// written in batches, and feedback and reads are served in order after the questions before them.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::SyncSender<Command>,
}

impl Recorder {
    /// Starts the writer thread owning `store`; it deletes questions older than `retention_days`
    /// at start and then daily.
    pub fn start(mut store: Store, retention_days: u32) -> Recorder {
        let (tx, rx) = mpsc::sync_channel::<Command>(QUEUE);
        std::thread::Builder::new()
            .name("haipedia-store".into())
            .spawn(move || {
                let mut pending: Option<Command> = None;
                let mut next_purge = std::time::Instant::now();
                loop {
                    if std::time::Instant::now() >= next_purge {
                        match store.purge_older_than(retention_days) {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(deleted = n, retention_days, "old questions deleted"),
                            Err(e) => tracing::error!(error = %e, "could not delete old questions"),
                        }
                        next_purge = std::time::Instant::now() + PURGE_EVERY;
                    }
                    let cmd = match pending.take() {
                        Some(c) => c,
                        None => match rx.recv_timeout(PURGE_EVERY) {
                            Ok(c) => c,
                            Err(mpsc::RecvTimeoutError::Timeout) => continue,
                            Err(mpsc::RecvTimeoutError::Disconnected) => return,
                        },
                    };
                    match cmd {
                        Command::Question(first) => {
                            let mut batch = vec![first];
                            while batch.len() < 512 {
                                match rx.try_recv() {
                                    Ok(Command::Question(q)) => batch.push(q),
                                    Ok(other) => {
                                        pending = Some(other);
                                        break;
                                    }
                                    Err(_) => break,
                                }
                            }
                            if let Err(e) = store.record_questions(&batch) {
                                tracing::error!(error = %e, count = batch.len(), "could not record questions");
                            }
                        }
                        Command::Generation(g) => {
                            if let Err(e) = store.record_generation(g) {
                                tracing::error!(error = %e, generation = g, "could not record the generation switch");
                            }
                        }
                        Command::Feedback(f, reply) => {
                            let _ = reply.send(store.record_feedback(&f));
                        }
                        Command::Unanswered(state, page, reply) => {
                            let _ = reply.send(store.unanswered(state, page));
                        }
                        Command::Gap(id, reply) => {
                            let _ = reply.send(store.gap(id));
                        }
                        Command::HandleGap(id, entry, who, reply) => {
                            let _ = reply.send(store.handle_gap(id, &entry, &who));
                        }
                        Command::Close(reply) => {
                            let _ = reply.send(store.checkpoint());
                            return;
                        }
                    }
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "could not start the store thread"));
        Recorder { tx }
    }

    /// Queues a question for writing; never blocks (drops it with a log line when the queue is full).
    pub fn question(&self, q: QuestionRecord) {
        if self.tx.try_send(Command::Question(q)).is_err() {
            tracing::warn!("question queue full or closed: a question was not recorded");
        }
    }

    /// Queues the record of a generation switch; never blocks (see [`Store::record_generation`]).
    pub fn generation(&self, generation: u64) {
        if self.tx.try_send(Command::Generation(generation)).is_err() {
            tracing::warn!(
                generation,
                "queue full or closed: a generation switch was not recorded"
            );
        }
    }

    /// Records feedback (after every question queued before it); blocks until written.
    pub fn feedback(&self, f: FeedbackRecord) -> Result<(), StoreError> {
        let (reply, answer) = mpsc::channel();
        self.tx
            .send(Command::Feedback(f, reply))
            .map_err(|_| StoreError::Closed)?;
        answer.recv().map_err(|_| StoreError::Closed)?
    }

    /// Writes every queued question, checkpoints the database and stops the writer thread; blocks.
    pub fn close(&self) -> Result<(), StoreError> {
        let (reply, answer) = mpsc::channel();
        self.tx
            .send(Command::Close(reply))
            .map_err(|_| StoreError::Closed)?;
        answer.recv().map_err(|_| StoreError::Closed)?
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

/// Puts a gap question into the first recently active group whose terms overlap it by Jaccard
/// >= 0.5, or a new group; returns the group id. The group shows its most recent question.
fn group_gap(
    conn: &Connection,
    analyzer: &Analyzer,
    groups: &mut GapIndex,
    question: &str,
    asked_at: &str,
) -> Result<i64, StoreError> {
    let terms: HashSet<String> = analyzer.query_terms(question).into_iter().collect();
    let id = match groups.find(&terms) {
        Some(id) => {
            let (previous, examples): (String, String) = conn.query_row(
                "SELECT question, examples FROM gap_groups WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut examples: Vec<String> = serde_json::from_str(&examples).unwrap_or_default();
            if previous != question
                && !examples.contains(&previous)
                && examples.len() < EXAMPLES_PER_GROUP
            {
                examples.push(previous);
            }
            examples.retain(|e| e != question);
            conn.execute(
                "UPDATE gap_groups SET count = count + 1, question = ?1, examples = ?2,
                 last_asked = ?3, handled_at = NULL WHERE id = ?4",
                params![
                    question,
                    serde_json::to_string(&examples).unwrap_or_else(|_| "[]".into()),
                    asked_at,
                    id
                ],
            )?;
            groups.refresh(id);
            id
        }
        None => {
            let mut sorted: Vec<&str> = terms.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            conn.execute(
                "INSERT INTO gap_groups (terms, question, count, last_asked) VALUES (?1, ?2, 1, ?3)",
                params![sorted.join(" "), question, asked_at],
            )?;
            let id = conn.last_insert_rowid();
            groups.touch(id, terms);
            id
        }
    };
    Ok(id)
}

const GAP_COLUMNS: &str =
    "id, question, count, examples, last_asked, handled_entry, handled_by, handled_at";

fn gap_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GapGroup> {
    let examples: String = r.get(3)?;
    Ok(GapGroup {
        id: r.get(0)?,
        question: r.get(1)?,
        count: r.get::<_, i64>(2)? as usize,
        examples: serde_json::from_str(&examples).unwrap_or_default(),
        last_asked: r.get(4)?,
        entry: r.get(5)?,
        handled_by: r.get(6)?,
        handled_at: r.get(7)?,
    })
}

/// Whether `table` has `column`.
fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
        .exists(params![table, column])?)
}

/// Brings a database written by an older version up to this schema.
fn migrate(conn: &Connection) -> Result<(), StoreError> {
    if !has_column(conn, "gap_groups", "handled_at")? {
        conn.execute_batch(
            "ALTER TABLE gap_groups ADD COLUMN handled_entry TEXT;
             ALTER TABLE gap_groups ADD COLUMN handled_by TEXT;
             ALTER TABLE gap_groups ADD COLUMN handled_at TEXT;",
        )?;
    }
    if !has_column(conn, "questions", "gap_group")? {
        conn.execute_batch("ALTER TABLE questions ADD COLUMN gap_group INTEGER")?;
    }
    // one feedback per answer: keep the latest of any duplicates older versions wrote
    conn.execute_batch(
        "DELETE FROM feedback WHERE rowid NOT IN (SELECT MAX(rowid) FROM feedback GROUP BY request_id);
         DROP INDEX IF EXISTS feedback_request;
         CREATE UNIQUE INDEX IF NOT EXISTS feedback_one_per_request ON feedback(request_id);",
    )?;
    migrate_for_stats(conn)
}

/// Columns, the generations table and the indexes the dashboard's aggregation reads
/// (`crate::stats`): every aggregate is a range scan of one index that covers it, in the order its
/// GROUP BY needs. Rows of older versions keep NULL latency, generation, category and service.
fn migrate_for_stats(conn: &Connection) -> Result<(), StoreError> {
    let has = |column: &str| -> Result<bool, StoreError> {
        Ok(conn
            .prepare("SELECT 1 FROM pragma_table_xinfo('questions') WHERE name = ?1")?
            .exists([column])?)
    };
    for (column, definition) in [
        ("latency_ms", "REAL"),
        ("generation", "INTEGER"),
        ("category", "TEXT"),
        ("service", "TEXT"),
        // the day in WIB (UTC+7) and a twentieth of the confidence, computed by SQLite
        (
            "day",
            "TEXT GENERATED ALWAYS AS (date(asked_at, '+7 hours')) VIRTUAL",
        ),
        (
            "confidence_bin",
            "INTEGER GENERATED ALWAYS AS (min(max(CAST(confidence * 20 AS INTEGER), 0), 19)) VIRTUAL",
        ),
    ] {
        if !has(column)? {
            conn.execute_batch(&format!(
                "ALTER TABLE questions ADD COLUMN {column} {definition}"
            ))?;
        }
    }
    // the latest feedback, copied onto its question (kept by record_feedback)
    if !has("helpful")? {
        conn.execute_batch(
            "ALTER TABLE questions ADD COLUMN helpful INTEGER;
             ALTER TABLE questions ADD COLUMN rating INTEGER;
             UPDATE questions SET helpful = f.helpful, rating = f.rating
                FROM feedback f WHERE f.request_id = questions.request_id;",
        )?;
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS generations (
            generation INTEGER NOT NULL,
            started_at TEXT NOT NULL
         );
         CREATE INDEX IF NOT EXISTS generations_started ON generations(started_at);
         CREATE INDEX IF NOT EXISTS questions_stats_decisions ON questions
            (day, decision, confidence_bin, helpful, rating, channel, confidence);
         CREATE INDEX IF NOT EXISTS questions_stats_topics ON questions
            (day, category, service, decision, channel);
         CREATE INDEX IF NOT EXISTS questions_stats_latency ON questions
            (day, latency_ms, channel) WHERE latency_ms IS NOT NULL;
         CREATE INDEX IF NOT EXISTS questions_stats_gaps ON questions
            (day, gap_group, channel) WHERE gap_group IS NOT NULL;",
    )?;
    Ok(())
}

/// Now in UTC, as stored (RFC 3339, seconds).
fn now_utc() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, text: &str, decision: &'static str) -> QuestionRecord {
        QuestionRecord {
            request_id: id.into(),
            question: text.into(),
            channel: "whatsapp",
            decision,
            confidence: 0.1,
            ..Default::default()
        }
    }

    #[test]
    fn stores_masked_and_groups_gaps_by_frequency() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("db/haipedia.sqlite");
        let recorder = Recorder::start(Store::open(&path, Analyzer::new()).unwrap(), 365);
        recorder.question(q(
            "a",
            "cara buat paspor online nik 3174012345678901",
            "escalate",
        ));
        recorder.question(q("b", "cara buat paspor online", "escalate"));
        recorder.question(q("c", "jam layanan hai djpb", "answer"));
        recorder.question(q("d", "tarif pajak umkm", "escalate"));
        recorder.question(q("e", "reset sakti gagal terus", "answer"));
        let feedback = |id: &str, comment: Option<&str>| FeedbackRecord {
            request_id: id.into(),
            helpful: false,
            rating: Some(1),
            comment: comment.map(str::to_string),
        };
        // feedback right after its question: the question is written first
        recorder
            .feedback(feedback("e", Some("email saya a@b.co")))
            .unwrap();
        assert!(matches!(
            recorder.feedback(feedback("zz", None)),
            Err(StoreError::UnknownRequest(_))
        ));
        let gaps = recorder
            .unanswered(
                GapState::Open,
                Page {
                    limit: 10,
                    offset: 0,
                },
            )
            .unwrap();
        assert_eq!(gaps.len(), 3, "{gaps:?}");
        assert_eq!(gaps[0].count, 2);
        assert!(gaps[0].question.contains("paspor"));
        assert!(gaps.iter().any(|g| g.question.contains("reset sakti")));

        // handled groups leave the open list, keep their entry, and come back when asked again
        let page = Page {
            limit: 10,
            offset: 0,
        };
        let handled = recorder
            .handle_gap(gaps[0].id, "faq-paspor", "ani")
            .unwrap()
            .unwrap();
        assert_eq!(handled.entry.as_deref(), Some("faq-paspor"));
        assert!(handled.handled_at.is_some());
        assert!(recorder.handle_gap(9_999, "x", "ani").unwrap().is_none());
        assert_eq!(recorder.gap(handled.id).unwrap(), Some(handled.clone()));
        let open = recorder.unanswered(GapState::Open, page).unwrap();
        assert_eq!(open.len(), 2);
        assert!(open.iter().all(|g| g.id != handled.id));
        let done = recorder.unanswered(GapState::Handled, page).unwrap();
        assert_eq!(
            done.iter().map(|g| g.id).collect::<Vec<_>>(),
            vec![handled.id]
        );
        recorder.question(q("f", "cara buat paspor online?", "escalate"));
        let open = recorder.unanswered(GapState::Open, page).unwrap();
        let again = open.iter().find(|g| g.id == handled.id).expect("reopened");
        assert_eq!(
            (again.count, again.entry.as_deref()),
            (3, Some("faq-paspor"))
        );
        assert!(recorder
            .unanswered(GapState::Handled, page)
            .unwrap()
            .is_empty());
        drop(recorder);
        std::thread::sleep(std::time::Duration::from_millis(100));
        let raw = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(!text.contains("3174012345678901") && !text.contains("a@b.co"));
    }

    #[test]
    fn one_feedback_per_answer_the_later_replaces_it() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("s.sqlite"), Analyzer::new()).unwrap();
        store
            .record_questions(&[q("a", "jam layanan", "answer")])
            .unwrap();
        for (helpful, rating) in [(true, 5), (false, 1), (true, 4)] {
            store
                .record_feedback(&FeedbackRecord {
                    request_id: "a".into(),
                    helpful,
                    rating: Some(rating),
                    comment: None,
                })
                .unwrap();
        }
        let (n, rating): (i64, i64) = store
            .conn
            .query_row("SELECT COUNT(*), MAX(rating) FROM feedback", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((n, rating), (1, 4));
        // the bad rating in between made it a gap, and it stays one
        let page = Page {
            limit: 10,
            offset: 0,
        };
        assert_eq!(store.unanswered(GapState::Open, page).unwrap().len(), 1);
    }

    #[test]
    fn old_questions_are_purged_and_old_databases_are_migrated() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("old.sqlite");
        {
            // the schema of the previous version, with duplicate feedback and an old escalation
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE questions (request_id TEXT PRIMARY KEY,
                    asked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                    question TEXT NOT NULL, channel TEXT NOT NULL, decision TEXT NOT NULL,
                    confidence REAL NOT NULL, top_id TEXT);
                 CREATE TABLE feedback (request_id TEXT NOT NULL REFERENCES questions(request_id),
                    given_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                    helpful INTEGER NOT NULL, rating INTEGER, comment TEXT);
                 CREATE INDEX feedback_request ON feedback(request_id);
                 INSERT INTO questions VALUES ('old', '2020-01-01T00:00:00Z', 'visa kerja jepang',
                    'whatsapp', 'escalate', 0.1, NULL);
                 INSERT INTO questions (request_id, question, channel, decision, confidence)
                    VALUES ('new', 'visa kerja korea', 'whatsapp', 'escalate', 0.1);
                 INSERT INTO feedback (request_id, helpful) VALUES ('new', 1), ('new', 0);",
            )
            .unwrap();
        }
        let store = Store::open(&path, Analyzer::new()).unwrap();
        let page = Page {
            limit: 10,
            offset: 0,
        };
        let gaps = store.unanswered(GapState::Open, page).unwrap();
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(
            gaps[0].count, 2,
            "both visa questions, grouped on migration"
        );
        let feedback: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM feedback", [], |r| r.get(0))
            .unwrap();
        assert_eq!(feedback, 1);
        // the dashboard's columns: feedback copied onto its question, the WIB day computed
        let (helpful, day, latency): (Option<i64>, String, Option<f64>) = store
            .conn
            .query_row(
                "SELECT helpful, day, latency_ms FROM questions WHERE request_id = 'old'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((helpful, day.as_str(), latency), (None, "2020-01-01", None));
        let helpful: Option<i64> = store
            .conn
            .query_row(
                "SELECT helpful FROM questions WHERE request_id = 'new'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(helpful, Some(0), "the later of the duplicates");
        drop(store);
        // opening again changes nothing
        let mut store = Store::open(&path, Analyzer::new()).unwrap();
        store
            .record_generation_at(3, "2020-01-01T00:00:00Z")
            .unwrap();
        store.record_generation(4).unwrap();
        assert_eq!(store.purge_older_than(365).unwrap(), 1);
        let generations: Vec<i64> = store
            .conn
            .prepare("SELECT generation FROM generations")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            generations,
            vec![4],
            "switches past the retention go with their questions"
        );
        assert_eq!(store.question_count().unwrap(), 1);
    }
}
