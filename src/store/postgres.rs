//! The shared backend: PostgreSQL, which every node of a cluster writes to (`[store] url` or
//! `HAIPEDIA_STORE_URL`). The synchronous client (`postgres`), since the store is written by a
//! thread of its own; the schema is refinery's versioned migrations in `migrations/postgres/`,
//! applied at start under an advisory lock (nodes starting together migrate once).
//!
//! A connection that fails is dropped and made again at the next call, so the server outlives a
//! PostgreSQL restart; while it is down, calls fail with [`StoreError::Unavailable`] and the
//! recorder queues what it writes.

use std::str::FromStr;
use std::time::Duration;

use postgres::{Client, NoTls};

use super::{
    confidence_bin, redact, wib_day, FeedbackRecord, GapGroup, GapState, GroupTerms, Page,
    QuestionRow, Store, StoreError,
};

mod embedded {
    refinery::embed_migrations!("src/store/migrations/postgres");
}

/// Advisory lock key held while migrating ("HAIP" in ASCII).
const MIGRATION_LOCK: i64 = 0x4841_4950;

/// How long connecting may take before the store counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// One connection to PostgreSQL, made again after it fails (not inside a transaction, whose
/// statements must all run on one connection).
pub struct Conn {
    config: postgres::Config,
    at: String,
    client: Option<Client>,
    in_transaction: bool,
}

impl Conn {
    /// A connection to `url`, made now (so a wrong URL or password shows at start).
    pub fn connect(url: &str) -> Result<Conn, StoreError> {
        let at = redact(url);
        let mut config = postgres::Config::from_str(url).map_err(|e| StoreError::Migration {
            at: at.clone(),
            reason: format!("not a PostgreSQL URL: {e}"),
        })?;
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            .application_name("haipedia");
        let mut conn = Conn {
            config,
            at,
            client: None,
            in_transaction: false,
        };
        conn.run(|_| Ok(()))?;
        Ok(conn)
    }

    /// Where, for messages (the URL without its password).
    pub fn at(&self) -> &str {
        &self.at
    }

    /// Runs `f` on the connection, connecting first when there is none; an error that means the
    /// connection is gone drops it and is [`StoreError::Unavailable`]. Called from an async task
    /// (an editor's request), it runs on a thread of its own: the synchronous client drives its
    /// own runtime, which cannot start inside another.
    pub fn run<T: Send>(
        &mut self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error> + Send,
    ) -> Result<T, StoreError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.run_here(f);
        }
        let joined = std::thread::scope(|s| s.spawn(|| self.run_here(f)).join());
        joined.unwrap_or_else(|_| Err(self.unavailable("the store call panicked")))
    }

    fn run_here<T>(
        &mut self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            if self.in_transaction {
                return Err(self.unavailable("the connection was lost in a transaction"));
            }
            self.client = None;
            let client = self
                .config
                .connect(NoTls)
                .map_err(|e| self.unavailable(&e.to_string()))?;
            self.client = Some(client);
        }
        let Some(client) = self.client.as_mut() else {
            return Err(self.unavailable("no connection"));
        };
        match f(client) {
            Ok(t) => Ok(t),
            Err(e) => {
                let err = classify(&self.at, &e);
                if err.is_outage() || client.is_closed() {
                    self.client = None;
                }
                Err(err)
            }
        }
    }

    fn unavailable(&self, reason: &str) -> StoreError {
        StoreError::Unavailable {
            at: self.at.clone(),
            reason: reason.to_string(),
        }
    }

    /// Applies the migrations this version has and the database lacks.
    pub fn migrate(&mut self) -> Result<(), StoreError> {
        let at = self.at.clone();
        let client =
            match self.run(|c| c.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])) {
                Ok(_) => self.client.as_mut(),
                Err(e) => return Err(e),
            };
        let Some(client) = client else {
            return Err(self.unavailable("no connection"));
        };
        let result = embedded::migrations::runner().run(client);
        let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
        result.map(|_| ()).map_err(|e| StoreError::Migration {
            at,
            reason: e.to_string(),
        })
    }
}

/// Whether `e` means the server or the connection is gone (the records wait) or a statement was
/// refused (it is an error of its own).
fn classify(at: &str, e: &postgres::Error) -> StoreError {
    match e.as_db_error() {
        // 08: connection exception, 57P: operator intervention (shutdown, starting up)
        Some(db)
            if !(db.code().code().starts_with("08") || db.code().code().starts_with("57P")) =>
        {
            StoreError::Postgres(format!("{}: {}", db.code().code(), db.message()))
        }
        _ => StoreError::Unavailable {
            at: at.to_string(),
            reason: e.to_string(),
        },
    }
}

/// The PostgreSQL backend of the question journal.
pub struct PgStore {
    conn: Conn,
}

impl PgStore {
    /// Connects to `url` and applies the migrations.
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        let mut conn = Conn::connect(url)?;
        conn.migrate()?;
        Ok(PgStore { conn })
    }
}

const GAP_COLUMNS: &str =
    "id, question, count, examples, last_asked, handled_entry, handled_by, handled_at";

fn gap_row(r: &postgres::Row) -> Result<GapGroup, postgres::Error> {
    let examples: String = r.try_get(3)?;
    Ok(GapGroup {
        id: r.try_get(0)?,
        question: r.try_get(1)?,
        count: r.try_get::<_, i64>(2)? as usize,
        examples: serde_json::from_str(&examples).unwrap_or_default(),
        last_asked: r.try_get(4)?,
        entry: r.try_get(5)?,
        handled_by: r.try_get(6)?,
        handled_at: r.try_get(7)?,
    })
}

fn count(r: &postgres::Row) -> Result<usize, postgres::Error> {
    Ok(r.try_get::<_, i64>(0)?.max(0) as usize)
}

impl Store for PgStore {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        self.conn.run(|c| c.batch_execute("BEGIN"))?;
        self.conn.in_transaction = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        let result = self.conn.run(|c| c.batch_execute("COMMIT"));
        self.conn.in_transaction = false;
        result
    }

    fn rollback(&mut self) {
        self.conn.in_transaction = false;
        if let Some(client) = self.conn.client.as_mut().filter(|c| !c.is_closed()) {
            let _ = client.batch_execute("ROLLBACK");
        }
    }

    fn put_question(&mut self, q: QuestionRow<'_>) -> Result<(), StoreError> {
        let r = q.record;
        let generation = r.generation.map(|g| g as i64);
        let day = wib_day(q.asked_at);
        let bin = confidence_bin(r.confidence) as i32;
        self.conn.run(|c| {
            c.execute(
                "INSERT INTO questions
                 (request_id, asked_at, question, channel, decision, confidence, top_id, gap_group,
                  latency_ms, generation, category, service, day, confidence_bin)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT (request_id) DO UPDATE SET asked_at = excluded.asked_at,
                    question = excluded.question, channel = excluded.channel,
                    decision = excluded.decision, confidence = excluded.confidence,
                    top_id = excluded.top_id, gap_group = excluded.gap_group,
                    latency_ms = excluded.latency_ms, generation = excluded.generation,
                    category = excluded.category, service = excluded.service,
                    day = excluded.day, confidence_bin = excluded.confidence_bin",
                &[
                    &r.request_id,
                    &q.asked_at,
                    &q.masked,
                    &r.channel,
                    &r.decision,
                    &r.confidence,
                    &r.top_id,
                    &q.group,
                    &r.latency_ms,
                    &generation,
                    &r.category,
                    &r.service,
                    &day,
                    &bin,
                ],
            )
        })?;
        Ok(())
    }

    fn question(&mut self, request_id: &str) -> Result<Option<(String, Option<i64>)>, StoreError> {
        self.conn.run(|c| {
            c.query_opt(
                "SELECT question, gap_group FROM questions WHERE request_id = $1",
                &[&request_id],
            )?
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
        })
    }

    fn put_feedback(&mut self, f: &FeedbackRecord, at: &str) -> Result<(), StoreError> {
        let rating = f.rating.map(i32::from);
        self.conn.run(|c| {
            c.execute(
                "INSERT INTO feedback (request_id, given_at, helpful, rating, comment)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (request_id) DO UPDATE SET given_at = excluded.given_at,
                    helpful = excluded.helpful, rating = excluded.rating, comment = excluded.comment",
                &[&f.request_id, &at, &f.helpful, &rating, &f.comment],
            )?;
            c.execute(
                "UPDATE questions SET helpful = $1, rating = $2 WHERE request_id = $3",
                &[&f.helpful, &rating, &f.request_id],
            )
        })?;
        Ok(())
    }

    fn set_group(&mut self, request_id: &str, group: i64) -> Result<(), StoreError> {
        self.conn.run(|c| {
            c.execute(
                "UPDATE questions SET gap_group = $1 WHERE request_id = $2",
                &[&group, &request_id],
            )
        })?;
        Ok(())
    }

    fn ungrouped_gaps(&mut self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.conn.run(|c| {
            c.query(
                "SELECT q.request_id, q.question, q.asked_at FROM questions q
                 WHERE q.gap_group IS NULL AND (q.decision = 'escalate'
                    OR EXISTS (SELECT 1 FROM feedback f WHERE f.request_id = q.request_id
                               AND (NOT f.helpful OR f.rating <= 2)))
                 ORDER BY q.asked_at, q.request_id",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
        })
    }

    fn recent_groups(&mut self, limit: usize) -> Result<Vec<GroupTerms>, StoreError> {
        let limit = limit as i64;
        self.conn.run(|c| {
            c.query(
                "SELECT id, terms FROM gap_groups ORDER BY last_asked DESC, id DESC LIMIT $1",
                &[&limit],
            )?
            .iter()
            .map(|r| {
                Ok(GroupTerms {
                    id: r.try_get(0)?,
                    terms: r.try_get(1)?,
                })
            })
            .collect()
        })
    }

    fn group_text(&mut self, id: i64) -> Result<Option<(String, String)>, StoreError> {
        self.conn.run(|c| {
            c.query_opt(
                "SELECT question, examples FROM gap_groups WHERE id = $1",
                &[&id],
            )?
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
        })
    }

    fn new_group(
        &mut self,
        terms: &str,
        question: &str,
        asked_at: &str,
    ) -> Result<i64, StoreError> {
        self.conn.run(|c| {
            c.query_one(
                "INSERT INTO gap_groups (terms, question, count, last_asked)
                 VALUES ($1, $2, 1, $3) RETURNING id",
                &[&terms, &question, &asked_at],
            )?
            .try_get(0)
        })
    }

    fn grow_group(
        &mut self,
        id: i64,
        question: &str,
        examples: &str,
        asked_at: &str,
    ) -> Result<(), StoreError> {
        self.conn.run(|c| {
            c.execute(
                "UPDATE gap_groups SET count = count + 1, question = $1, examples = $2,
                 last_asked = $3, handled_at = NULL WHERE id = $4",
                &[&question, &examples, &asked_at, &id],
            )
        })?;
        Ok(())
    }

    fn groups(&mut self, state: GapState, page: Page) -> Result<Vec<GapGroup>, StoreError> {
        let filter = match state {
            GapState::Open => "WHERE handled_at IS NULL ORDER BY count DESC, last_asked DESC",
            GapState::Handled => "WHERE handled_at IS NOT NULL ORDER BY handled_at DESC, id DESC",
        };
        let sql = format!("SELECT {GAP_COLUMNS} FROM gap_groups {filter} LIMIT $1 OFFSET $2");
        let (limit, offset) = (page.limit as i64, page.offset as i64);
        self.conn.run(|c| {
            c.query(sql.as_str(), &[&limit, &offset])?
                .iter()
                .map(gap_row)
                .collect()
        })
    }

    fn group(&mut self, id: i64) -> Result<Option<GapGroup>, StoreError> {
        let sql = format!("SELECT {GAP_COLUMNS} FROM gap_groups WHERE id = $1");
        self.conn.run(|c| {
            c.query_opt(sql.as_str(), &[&id])?
                .as_ref()
                .map(gap_row)
                .transpose()
        })
    }

    fn handle_group(
        &mut self,
        id: i64,
        entry: &str,
        who: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        self.conn.run(|c| {
            c.execute(
                "UPDATE gap_groups SET handled_entry = $2, handled_by = $3, handled_at = $4
                 WHERE id = $1",
                &[&id, &entry, &who, &at],
            )
        })?;
        Ok(())
    }

    fn last_generation(&mut self) -> Result<Option<u64>, StoreError> {
        let last: Option<i64> = self.conn.run(|c| {
            c.query_opt(
                "SELECT generation FROM generations ORDER BY started_at DESC, id DESC LIMIT 1",
                &[],
            )?
            .map(|r| r.try_get(0))
            .transpose()
        })?;
        Ok(last.map(|g| g as u64))
    }

    fn put_generation(&mut self, generation: u64, at: &str) -> Result<(), StoreError> {
        let generation = generation as i64;
        self.conn.run(|c| {
            c.execute(
                "INSERT INTO generations (generation, started_at) VALUES ($1, $2)",
                &[&generation, &at],
            )
        })?;
        Ok(())
    }

    fn purge_before(&mut self, cutoff: &str) -> Result<usize, StoreError> {
        self.conn.run(|c| {
            // feedback goes with its question (ON DELETE CASCADE)
            let deleted = c.execute("DELETE FROM questions WHERE asked_at < $1", &[&cutoff])?;
            c.execute("DELETE FROM gap_groups WHERE last_asked < $1", &[&cutoff])?;
            c.execute("DELETE FROM generations WHERE started_at < $1", &[&cutoff])?;
            Ok(deleted as usize)
        })
    }

    fn question_count(&mut self) -> Result<usize, StoreError> {
        self.conn
            .run(|c| count(&c.query_one("SELECT COUNT(*) FROM questions", &[])?))
    }

    fn feedback_count(&mut self) -> Result<usize, StoreError> {
        self.conn
            .run(|c| count(&c.query_one("SELECT COUNT(*) FROM feedback", &[])?))
    }

    fn checkpoint(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}
