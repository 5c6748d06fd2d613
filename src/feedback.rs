//! Questions and user feedback in SQLite: what was asked (masked), what the bot decided, how users
//! rated it, and the editors' content-gap list built from it.

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
#[derive(Debug, Clone)]
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
    /// The most recent question of the group (masked).
    pub question: String,
    /// How often questions of this group were asked.
    pub count: usize,
    /// Other phrasings in the group (masked, at most 5).
    pub examples: Vec<String>,
    /// When one was last asked (UTC, RFC 3339).
    pub last_asked: String,
}

/// The SQLite store (one connection; callers serialise access).
pub struct Store {
    conn: Connection,
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
CREATE INDEX IF NOT EXISTS feedback_request ON feedback(request_id);
";

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let conn = Connection::open(path)?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn })
    }

    /// Records answered questions in one transaction; the text is masked here.
    pub fn record_questions(&mut self, questions: &[QuestionRecord]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO questions (request_id, question, channel, decision, confidence, top_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for q in questions {
                stmt.execute(params![
                    q.request_id,
                    mask(&q.question),
                    q.channel,
                    q.decision,
                    q.confidence,
                    q.top_id
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records feedback on a known request.
    pub fn record_feedback(&self, f: &FeedbackRecord) -> Result<(), StoreError> {
        let known: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM questions WHERE request_id = ?1",
                params![f.request_id],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_none() {
            return Err(StoreError::UnknownRequest(f.request_id.to_string()));
        }
        self.conn.execute(
            "INSERT INTO feedback (request_id, helpful, rating, comment) VALUES (?1, ?2, ?3, ?4)",
            params![
                f.request_id,
                f.helpful,
                f.rating,
                f.comment.as_deref().map(mask)
            ],
        )?;
        Ok(())
    }

    /// Escalated or badly rated questions, grouped by shared terms, most frequent first.
    pub fn unanswered(
        &self,
        analyzer: &Analyzer,
        limit: usize,
    ) -> Result<Vec<GapGroup>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT q.question, q.asked_at FROM questions q
             WHERE q.decision = 'escalate'
                OR EXISTS (SELECT 1 FROM feedback f WHERE f.request_id = q.request_id
                           AND (f.helpful = 0 OR f.rating <= 2))
             ORDER BY q.asked_at DESC, q.rowid DESC",
        )?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(group_similar(analyzer, rows, limit))
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
    Feedback(FeedbackRecord, mpsc::Sender<Result<(), StoreError>>),
    Unanswered(usize, mpsc::Sender<Result<Vec<GapGroup>, StoreError>>),
}

/// Questions waiting to be written before new ones are dropped (with a log line).
const QUEUE: usize = 10_000;

/// The store behind one writer thread: requests hand questions over without waiting, questions are
/// written in batches, and feedback and reads are served in order after the questions before them.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::SyncSender<Command>,
}

impl Recorder {
    /// Starts the writer thread owning `store`.
    pub fn start(mut store: Store, analyzer: Analyzer) -> Recorder {
        let (tx, rx) = mpsc::sync_channel::<Command>(QUEUE);
        std::thread::Builder::new()
            .name("haipedia-store".into())
            .spawn(move || {
                let mut pending: Option<Command> = None;
                loop {
                    let Some(cmd) = pending.take().or_else(|| rx.recv().ok()) else {
                        return;
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
                        Command::Feedback(f, reply) => {
                            let _ = reply.send(store.record_feedback(&f));
                        }
                        Command::Unanswered(limit, reply) => {
                            let _ = reply.send(store.unanswered(&analyzer, limit));
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

    /// Records feedback (after every question queued before it); blocks until written.
    pub fn feedback(&self, f: FeedbackRecord) -> Result<(), StoreError> {
        let (reply, answer) = mpsc::channel();
        self.tx
            .send(Command::Feedback(f, reply))
            .map_err(|_| StoreError::Closed)?;
        answer.recv().map_err(|_| StoreError::Closed)?
    }

    /// The content-gap list (including every question queued before the call); blocks.
    pub fn unanswered(&self, limit: usize) -> Result<Vec<GapGroup>, StoreError> {
        let (reply, answer) = mpsc::channel();
        self.tx
            .send(Command::Unanswered(limit, reply))
            .map_err(|_| StoreError::Closed)?;
        answer.recv().map_err(|_| StoreError::Closed)?
    }
}

/// Greedy grouping: a question joins the first group whose terms overlap it by Jaccard >= 0.5.
fn group_similar(analyzer: &Analyzer, rows: Vec<(String, String)>, limit: usize) -> Vec<GapGroup> {
    use std::collections::HashSet;
    let mut groups: Vec<(HashSet<String>, GapGroup)> = Vec::new();
    for (question, asked_at) in rows {
        let terms: HashSet<String> = analyzer.query_terms(&question).into_iter().collect();
        let similar = groups.iter_mut().find(|(t, _)| {
            let inter = t.intersection(&terms).count() as f64;
            let union = t.union(&terms).count().max(1) as f64;
            inter / union >= 0.5 || (t.is_empty() && terms.is_empty())
        });
        match similar {
            Some((_, g)) => {
                g.count += 1;
                if g.examples.len() < 5 && g.question != question && !g.examples.contains(&question)
                {
                    g.examples.push(question);
                }
            }
            None => groups.push((
                terms,
                GapGroup {
                    question,
                    count: 1,
                    examples: Vec::new(),
                    last_asked: asked_at,
                },
            )),
        }
    }
    let mut out: Vec<GapGroup> = groups.into_iter().map(|(_, g)| g).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_asked.cmp(&a.last_asked)));
    out.truncate(limit);
    out
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
            top_id: None,
        }
    }

    #[test]
    fn stores_masked_and_groups_gaps_by_frequency() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("db/haipedia.sqlite");
        let recorder = Recorder::start(Store::open(&path).unwrap(), Analyzer::new());
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
        let gaps = recorder.unanswered(10).unwrap();
        assert_eq!(gaps.len(), 3, "{gaps:?}");
        assert_eq!(gaps[0].count, 2);
        assert!(gaps[0].question.contains("paspor"));
        assert!(gaps.iter().any(|g| g.question.contains("reset sakti")));
        drop(recorder);
        std::thread::sleep(std::time::Duration::from_millis(100));
        let raw = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(!text.contains("3174012345678901") && !text.contains("a@b.co"));
    }
}
