//! Where the server keeps what it records: questions (masked), feedback, the editors' gap list,
//! generation switches, FAQ drafts and the change log.
//!
//! Two backends behind one trait, [`Store`]: SQLite (`sqlite.rs`, embedded, the one-machine
//! default) and PostgreSQL (`postgres.rs`, behind the `postgres` cargo feature, shared by the
//! nodes of a cluster). A backend moves rows in and out; what the rows mean stays above it: gap
//! grouping in `gaps.rs` ([`Journal`]), masking in [`Journal`] and the writer thread with its
//! outage queue in `recorder.rs` ([`Recorder`]). One contract suite (tests/store.rs) runs on both,
//! and the dashboard's figures are checked on both (tests/stats.rs).

mod gaps;
#[cfg(feature = "postgres")]
pub mod postgres;
mod recorder;
mod records;
pub mod sqlite;

use std::path::{Path, PathBuf};

pub use gaps::Journal;
pub use recorder::{Recorder, RecorderCounters, EARLY_RETRY_EVERY};
pub use records::{FeedbackRecord, GapGroup, GapState, Page, QuestionRecord};

/// Storage errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL answered with an error (the statement, not the connection, failed).
    #[error("postgresql: {0}")]
    Postgres(String),
    /// The database cannot be reached now (connection refused, lost or timed out): records are
    /// queued and written when it is back.
    #[error("the store at {at} is unreachable: {reason}")]
    Unavailable {
        /// Where the store is (the URL without its password).
        at: String,
        /// Why.
        reason: String,
    },
    /// The database folder could not be created.
    #[error("database folder {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The versioned migrations could not be applied.
    #[error("migrating the store at {at}: {reason}")]
    Migration {
        /// Where the store is.
        at: String,
        /// What failed.
        reason: String,
    },
    /// `[store] url` names a backend this binary does not have.
    #[error("store url {0:?}: use postgres://... (built with the `postgres` feature) or leave it empty for SQLite")]
    Unsupported(String),
    /// The writer thread is gone.
    #[error("the question store is not running")]
    Closed,
    /// Feedback for a request that was never answered here.
    #[error("unknown request id {0}")]
    UnknownRequest(String),
}

impl StoreError {
    /// Whether the store could not be reached (as opposed to refusing a statement): the records
    /// of such a write are kept and written again later.
    pub fn is_outage(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}

/// A gap group's row, as the writer needs it to match new gap questions.
#[derive(Debug, Clone)]
pub struct GroupTerms {
    /// Group id.
    pub id: i64,
    /// Its analysed terms, space-separated and sorted.
    pub terms: String,
}

/// A question as written: masked, its time and gap group decided.
#[derive(Debug, Clone, Copy)]
pub struct QuestionRow<'a> {
    /// The record (its `question` is not used: see `masked`).
    pub record: &'a QuestionRecord,
    /// The masked text.
    pub masked: &'a str,
    /// When it was asked (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    pub asked_at: &'a str,
    /// Its gap group, when it is a gap.
    pub group: Option<i64>,
}

/// One backend: rows in and out, in the backend's own SQL. Calls between [`Store::begin`] and
/// [`Store::commit`] are one transaction. Used by one thread at a time (the recorder's).
pub trait Store: Send {
    /// "sqlite" or "postgres" (logs and metrics).
    fn name(&self) -> &'static str;
    /// Starts a transaction.
    fn begin(&mut self) -> Result<(), StoreError>;
    /// Commits the transaction.
    fn commit(&mut self) -> Result<(), StoreError>;
    /// Abandons the transaction, if one is open (errors are ignored: the connection may be gone).
    fn rollback(&mut self);
    /// Inserts a question, or replaces the one with its request id.
    fn put_question(&mut self, q: QuestionRow<'_>) -> Result<(), StoreError>;
    /// The stored (masked) text and gap group of request `request_id`.
    fn question(&mut self, request_id: &str) -> Result<Option<(String, Option<i64>)>, StoreError>;
    /// Inserts or replaces the feedback on a request (its comment masked already) and copies
    /// helpful and rating onto the question's row (the dashboard reads them there).
    fn put_feedback(&mut self, f: &FeedbackRecord, at: &str) -> Result<(), StoreError>;
    /// Puts question `request_id` into gap group `group`.
    fn set_group(&mut self, request_id: &str, group: i64) -> Result<(), StoreError>;
    /// Gap questions without a group (request id, masked text, asked at), oldest first: those of a
    /// database written before groups existed.
    fn ungrouped_gaps(&mut self) -> Result<Vec<(String, String, String)>, StoreError>;
    /// The `limit` most recently asked gap groups, most recent first.
    fn recent_groups(&mut self, limit: usize) -> Result<Vec<GroupTerms>, StoreError>;
    /// The shown question and the examples (a JSON list) of group `id`.
    fn group_text(&mut self, id: i64) -> Result<Option<(String, String)>, StoreError>;
    /// A new group of one question; returns its id.
    fn new_group(&mut self, terms: &str, question: &str, asked_at: &str)
        -> Result<i64, StoreError>;
    /// One more question in group `id`: it is shown now, with `examples` (JSON), and the group
    /// is open again.
    fn grow_group(
        &mut self,
        id: i64,
        question: &str,
        examples: &str,
        asked_at: &str,
    ) -> Result<(), StoreError>;
    /// One page of groups in `state`: open ones most frequent first, handled ones most recently
    /// handled first.
    fn groups(&mut self, state: GapState, page: Page) -> Result<Vec<GapGroup>, StoreError>;
    /// Group `id`.
    fn group(&mut self, id: i64) -> Result<Option<GapGroup>, StoreError>;
    /// Marks group `id` answered by `entry`, by `who`, at `at`.
    fn handle_group(&mut self, id: i64, entry: &str, who: &str, at: &str)
        -> Result<(), StoreError>;
    /// The generation recorded last.
    fn last_generation(&mut self) -> Result<Option<u64>, StoreError>;
    /// Records that `generation` serves from `at` on.
    fn put_generation(&mut self, generation: u64, at: &str) -> Result<(), StoreError>;
    /// Deletes questions (with their feedback), gap groups and generation switches older than
    /// `cutoff` (UTC, as stored); returns the number of questions deleted.
    fn purge_before(&mut self, cutoff: &str) -> Result<usize, StoreError>;
    /// Number of stored questions.
    fn question_count(&mut self) -> Result<usize, StoreError>;
    /// Number of stored feedback records.
    fn feedback_count(&mut self) -> Result<usize, StoreError>;
    /// Makes what was written durable in the main files (SQLite merges its WAL; no-op elsewhere).
    fn checkpoint(&mut self) -> Result<(), StoreError>;
}

/// Where the store is: the one setting that picks the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (the embedded default).
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://user:password@host:port/db`).
    Postgres(String),
}

impl Location {
    /// `url` when given (it must be a `postgres://` or `postgresql://` URL), else the SQLite file
    /// `database`.
    pub fn of(url: Option<&str>, database: &Path) -> Result<Location, StoreError> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(Location::Sqlite(database.to_path_buf())),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                if cfg!(feature = "postgres") {
                    Ok(Location::Postgres(u.to_string()))
                } else {
                    Err(StoreError::Unsupported(redact(u)))
                }
            }
            Some(u) => Err(StoreError::Unsupported(redact(u))),
        }
    }

    /// Opens the backend here (migrating it to this version's schema).
    pub fn open(&self) -> Result<Box<dyn Store>, StoreError> {
        match self {
            Location::Sqlite(path) => Ok(Box::new(sqlite::SqliteStore::open(path)?)),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Ok(Box::new(postgres::PgStore::connect(url)?)),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(url) => Err(StoreError::Unsupported(redact(url))),
        }
    }

    /// For logs: the file, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(u) => redact(u),
        }
    }
}

/// A plain connection for the tables written outside the recorder (the change log, the drafts):
/// few writes, each from an editor's request.
pub enum Db {
    /// The SQLite file.
    Sqlite(rusqlite::Connection),
    /// The PostgreSQL database.
    #[cfg(feature = "postgres")]
    Postgres(Box<postgres::Conn>),
}

impl Db {
    /// A connection to the store at `location`; SQLite is migrated as the store's own connection
    /// is (PostgreSQL's tables come from the migrations the journal applies at start).
    pub fn open(location: &Location) -> Result<Db, StoreError> {
        match location {
            Location::Sqlite(path) => Ok(Db::Sqlite(sqlite::open_migrated(path)?)),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Ok(Db::Postgres(Box::new(postgres::Conn::connect(url)?))),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(url) => Err(StoreError::Unsupported(redact(url))),
        }
    }
}

/// `url` with the password (between `:` and `@` after the scheme) replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Now, UTC to the second, as stored (`YYYY-MM-DDTHH:MM:SSZ`).
pub fn now_utc() -> String {
    utc_string(time::OffsetDateTime::now_utc())
}

/// `t` in UTC to the second, as stored.
pub fn utc_string(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The day in WIB (UTC+7, the contact centre's time) of a stored UTC time, `YYYY-MM-DD`: the
/// dashboard groups by it. A time that does not parse keeps its first ten characters.
pub fn wib_day(stored_utc: &str) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    match time::PrimitiveDateTime::parse(stored_utc, &format) {
        Ok(t) => {
            let d = (t.assume_utc() + time::Duration::hours(7)).date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        }
        Err(_) => stored_utc.chars().take(10).collect(),
    }
}

/// The twentieth of `[0, 1]` a confidence falls in (0..=19), as the dashboard's reliability
/// table bins it.
pub fn confidence_bin(confidence: f64) -> i64 {
    ((confidence * 20.0) as i64).clamp(0, 19)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn locations_days_and_redaction() {
        let db = Path::new("data/x.sqlite");
        assert_eq!(Location::of(None, db).unwrap(), Location::Sqlite(db.into()));
        assert_eq!(
            Location::of(Some("  "), db).unwrap(),
            Location::Sqlite(db.into())
        );
        assert!(Location::of(Some("mysql://x"), db).is_err());
        assert_eq!(
            redact("postgres://app:secret@db:5432/h"),
            "postgres://app:***@db:5432/h"
        );
        assert_eq!(wib_day("2026-01-31T17:00:00Z"), "2026-02-01");
        assert_eq!(wib_day("2026-01-31T16:59:59Z"), "2026-01-31");
        assert_eq!((confidence_bin(1.0), confidence_bin(-0.2)), (19, 0));
        assert_eq!(confidence_bin(0.07), 1);
    }
}
