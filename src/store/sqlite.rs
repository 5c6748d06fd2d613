//! The embedded backend: one SQLite file beside the server (the one-machine default). Its schema
//! is refinery's versioned migrations in `migrations/sqlite/`, applied at open; a file written
//! before versioned migrations is first brought to version 1 by the checks of [`upgrade`].

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use super::{FeedbackRecord, GapGroup, GapState, GroupTerms, Page, QuestionRow, Store, StoreError};

mod embedded {
    refinery::embed_migrations!("src/store/migrations/sqlite");
}

/// The tables of the first versions (before any column was added): the start of [`upgrade`].
const FIRST_TABLES: &str = "
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

/// The SQLite backend (one connection).
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings it up to this schema.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Ok(SqliteStore {
            conn: open_migrated(path)?,
        })
    }
}

/// A connection to the database at `path` (its folder created if needed), migrated to this
/// version's schema: the store's, and the change log's and the drafts' own connections.
pub(crate) fn open_migrated(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    if has_table(&conn, "questions")? && !has_table(&conn, "refinery_schema_history")? {
        upgrade(&conn)?;
    }
    embedded::migrations::runner()
        .run(&mut conn)
        .map_err(|e| StoreError::Migration {
            at: path.display().to_string(),
            reason: e.to_string(),
        })?;
    Ok(conn)
}

impl Store for SqliteStore {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("BEGIN")?)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    fn rollback(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    fn put_question(&mut self, q: QuestionRow<'_>) -> Result<(), StoreError> {
        let r = q.record;
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO questions
                 (request_id, asked_at, question, channel, decision, confidence, top_id, gap_group,
                  latency_ms, generation, category, service)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                r.request_id,
                q.asked_at,
                q.masked,
                r.channel,
                r.decision,
                r.confidence,
                r.top_id,
                q.group,
                r.latency_ms,
                r.generation.map(|g| g as i64),
                r.category,
                r.service
            ])?;
        Ok(())
    }

    fn question(&mut self, request_id: &str) -> Result<Option<(String, Option<i64>)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT question, gap_group FROM questions WHERE request_id = ?1",
                params![request_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn put_feedback(&mut self, f: &FeedbackRecord, at: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO feedback (request_id, given_at, helpful, rating, comment)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(request_id) DO UPDATE SET given_at = excluded.given_at,
                helpful = excluded.helpful, rating = excluded.rating, comment = excluded.comment",
            params![f.request_id, at, f.helpful, f.rating, f.comment],
        )?;
        self.conn.execute(
            "UPDATE questions SET helpful = ?1, rating = ?2 WHERE request_id = ?3",
            params![f.helpful, f.rating, f.request_id],
        )?;
        Ok(())
    }

    fn set_group(&mut self, request_id: &str, group: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE questions SET gap_group = ?1 WHERE request_id = ?2",
            params![group, request_id],
        )?;
        Ok(())
    }

    fn ungrouped_gaps(&mut self) -> Result<Vec<(String, String, String)>, StoreError> {
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
        Ok(rows)
    }

    fn recent_groups(&mut self, limit: usize) -> Result<Vec<GroupTerms>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, terms FROM gap_groups ORDER BY last_asked DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt
            .query_map(params![limit as i64], |r| {
                Ok(GroupTerms {
                    id: r.get(0)?,
                    terms: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn group_text(&mut self, id: i64) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT question, examples FROM gap_groups WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn new_group(
        &mut self,
        terms: &str,
        question: &str,
        asked_at: &str,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO gap_groups (terms, question, count, last_asked) VALUES (?1, ?2, 1, ?3)",
            params![terms, question, asked_at],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn grow_group(
        &mut self,
        id: i64,
        question: &str,
        examples: &str,
        asked_at: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE gap_groups SET count = count + 1, question = ?1, examples = ?2,
             last_asked = ?3, handled_at = NULL WHERE id = ?4",
            params![question, examples, asked_at, id],
        )?;
        Ok(())
    }

    fn groups(&mut self, state: GapState, page: Page) -> Result<Vec<GapGroup>, StoreError> {
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

    fn group(&mut self, id: i64) -> Result<Option<GapGroup>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {GAP_COLUMNS} FROM gap_groups WHERE id = ?1"),
                [id],
                gap_row,
            )
            .optional()?)
    }

    fn handle_group(
        &mut self,
        id: i64,
        entry: &str,
        who: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE gap_groups SET handled_entry = ?2, handled_by = ?3, handled_at = ?4 WHERE id = ?1",
            params![id, entry, who, at],
        )?;
        Ok(())
    }

    fn last_generation(&mut self) -> Result<Option<u64>, StoreError> {
        let last: Option<i64> = self
            .conn
            .query_row(
                "SELECT generation FROM generations ORDER BY started_at DESC, rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(last.map(|g| g as u64))
    }

    fn put_generation(&mut self, generation: u64, at: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO generations (generation, started_at) VALUES (?1, ?2)",
            params![generation as i64, at],
        )?;
        Ok(())
    }

    fn purge_before(&mut self, cutoff: &str) -> Result<usize, StoreError> {
        self.conn.execute(
            "DELETE FROM feedback WHERE request_id IN
             (SELECT request_id FROM questions WHERE asked_at < ?1)",
            params![cutoff],
        )?;
        let deleted = self
            .conn
            .execute("DELETE FROM questions WHERE asked_at < ?1", params![cutoff])?;
        self.conn.execute(
            "DELETE FROM gap_groups WHERE last_asked < ?1",
            params![cutoff],
        )?;
        self.conn.execute(
            "DELETE FROM generations WHERE started_at < ?1",
            params![cutoff],
        )?;
        Ok(deleted)
    }

    fn question_count(&mut self) -> Result<usize, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM questions", [], |r| r.get::<_, i64>(0))?
            as usize)
    }

    fn feedback_count(&mut self) -> Result<usize, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM feedback", [], |r| r.get::<_, i64>(0))?
            as usize)
    }

    fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
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

/// Whether the database has `table`.
fn has_table(conn: &Connection, table: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
        .exists([table])?)
}

/// Whether `table` has `column`.
fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare("SELECT 1 FROM pragma_table_xinfo(?1) WHERE name = ?2")?
        .exists(params![table, column])?)
}

/// Brings a database written before versioned migrations to version 1 (whose migration then
/// finds everything in place).
fn upgrade(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(FIRST_TABLES)?;
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

/// Columns the dashboard's aggregation reads (`crate::stats`); the generations table and the
/// covering indexes come from the V1 migration, which runs right after. Rows of older versions
/// keep NULL latency, generation, category and service.
fn migrate_for_stats(conn: &Connection) -> Result<(), StoreError> {
    for (column, definition) in [
        ("latency_ms", "REAL"),
        ("generation", "INTEGER"),
        ("category", "TEXT"),
        ("service", "TEXT"),
        // the day in WIB (UTC+7) and a twentieth of the confidence, computed by SQLite (the
        // same as `super::wib_day` and `super::confidence_bin`, which PostgreSQL's rows store)
        (
            "day",
            "TEXT GENERATED ALWAYS AS (date(asked_at, '+7 hours')) VIRTUAL",
        ),
        (
            "confidence_bin",
            "INTEGER GENERATED ALWAYS AS (min(max(CAST(confidence * 20 AS INTEGER), 0), 19)) VIRTUAL",
        ),
    ] {
        if !has_column(conn, "questions", column)? {
            conn.execute_batch(&format!(
                "ALTER TABLE questions ADD COLUMN {column} {definition}"
            ))?;
        }
    }
    // the latest feedback, copied onto its question (kept by put_feedback)
    if !has_column(conn, "questions", "helpful")? {
        conn.execute_batch(
            "ALTER TABLE questions ADD COLUMN helpful INTEGER;
             ALTER TABLE questions ADD COLUMN rating INTEGER;
             UPDATE questions SET helpful = f.helpful, rating = f.rating
                FROM feedback f WHERE f.request_id = questions.request_id;",
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;
    use crate::store::{GapState, Journal};

    #[test]
    fn old_databases_are_migrated_and_old_questions_purged() {
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
        let mut journal = Journal::open(&path, Analyzer::new()).unwrap();
        let page = Page {
            limit: 10,
            offset: 0,
        };
        let gaps = journal.unanswered(GapState::Open, page).unwrap();
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(
            gaps[0].count, 2,
            "both visa questions, grouped on migration"
        );
        assert_eq!(journal.feedback_count().unwrap(), 1);
        drop(journal);
        let conn = Connection::open(&path).unwrap();
        // brought to version 1, then versioned like a new file
        let version: i64 = conn
            .query_row(
                "SELECT MAX(version) FROM refinery_schema_history",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(version, 1);
        // the dashboard's columns: feedback copied onto its question, the WIB day computed
        let (helpful, day, latency): (Option<i64>, String, Option<f64>) = conn
            .query_row(
                "SELECT helpful, day, latency_ms FROM questions WHERE request_id = 'old'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((helpful, day.as_str(), latency), (None, "2020-01-01", None));
        // the generations table and the covering indexes, from the V1 migration
        for name in [
            "generations",
            "questions_stats_decisions",
            "questions_stats_gaps",
        ] {
            assert!(
                conn.prepare("SELECT 1 FROM sqlite_master WHERE name = ?1")
                    .unwrap()
                    .exists([name])
                    .unwrap(),
                "{name}"
            );
        }
        let helpful: Option<i64> = conn
            .query_row(
                "SELECT helpful FROM questions WHERE request_id = 'new'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(helpful, Some(0), "the later of the duplicates");
        drop(conn);
        // opening again changes nothing; the retention deletes the old question
        let mut journal = Journal::open(&path, Analyzer::new()).unwrap();
        assert_eq!(journal.purge_older_than(365).unwrap(), 1);
        assert_eq!(journal.question_count().unwrap(), 1);
    }
}
