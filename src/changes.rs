//! The editors' change log: who changed what and when, with the file's text before and after,
//! in the `changes` table of the server's store (beside the questions: SQLite, or PostgreSQL in a
//! cluster).
//!
//! Entry text is content written by editors and is stored as written in the corpus; the change
//! log never holds users' questions. Writes are few (one per editor action), so the log keeps its
//! own connection instead of queueing behind the question recorder.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::{Db, Location};

/// Change log errors.
#[derive(Debug, thiserror::Error)]
pub enum ChangeLogError {
    /// SQLite failed.
    #[error("change log database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The store (PostgreSQL) failed or cannot be reached.
    #[error("change log: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// An existing entry saved.
    Save,
    /// A new entry written.
    Create,
    /// An entry's file removed.
    Retire,
    /// A reindex (publish) started.
    Reindex,
    /// The previous generation made current again.
    Rollback,
    /// An earlier change undone.
    Undo,
}

impl Action {
    /// The lowercase name stored and served.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Save => "save",
            Action::Create => "create",
            Action::Retire => "retire",
            Action::Reindex => "reindex",
            Action::Rollback => "rollback",
            Action::Undo => "undo",
        }
    }

    fn parse(s: &str) -> Action {
        match s {
            "save" => Action::Save,
            "create" => Action::Create,
            "retire" => Action::Retire,
            "reindex" => Action::Reindex,
            "rollback" => Action::Rollback,
            _ => Action::Undo,
        }
    }
}

/// A change to record.
#[derive(Debug, Clone)]
pub struct NewChange {
    /// The token's name.
    pub who: String,
    /// What was done.
    pub action: Action,
    /// The entry concerned, if any.
    pub entry: Option<String>,
    /// The file concerned, relative to the corpus folder.
    pub path: Option<String>,
    /// Text (or state) before (`None`: no file).
    pub before: Option<String>,
    /// Text (or state) after (`None`: no file).
    pub after: Option<String>,
    /// The change this one undoes.
    pub undoes: Option<i64>,
}

/// A recorded change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Change {
    /// Id (increasing).
    pub id: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// The token's name.
    pub who: String,
    /// What was done.
    pub action: Action,
    /// The entry concerned.
    pub entry: Option<String>,
    /// The file, relative to the corpus folder.
    pub path: Option<String>,
    /// Text (or state) before.
    pub before: Option<String>,
    /// Text (or state) after.
    pub after: Option<String>,
    /// The change this one undoes.
    pub undoes: Option<i64>,
    /// The change that undid this one, if any.
    pub undone_by: Option<i64>,
}

const COLUMNS: &str = "c.id, c.at, c.who, c.action, c.entry, c.path, c.before, c.after, c.undoes, \
     (SELECT MIN(u.id) FROM changes u WHERE u.undoes = c.id)";

/// The change log over one database.
pub struct ChangeLog {
    conn: Mutex<Db>,
}

impl ChangeLog {
    /// Opens (creating the table if needed) the change log in the SQLite database at `path`.
    pub fn open(path: &Path) -> Result<ChangeLog, ChangeLogError> {
        ChangeLog::at(&Location::Sqlite(path.to_path_buf()))
    }

    /// The change log in the store at `location` (PostgreSQL: migrated by the journal's open).
    pub fn at(location: &Location) -> Result<ChangeLog, ChangeLogError> {
        Ok(ChangeLog {
            conn: Mutex::new(Db::open(location)?),
        })
    }

    /// Records `change` now; returns it as stored.
    pub fn record(&self, change: NewChange) -> Result<Change, ChangeLogError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let at = crate::store::now_utc();
        let id = match &mut *conn {
            Db::Sqlite(conn) => {
                conn.execute(
                    "INSERT INTO changes (at, who, action, entry, path, before, after, undoes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        at,
                        change.who,
                        change.action.as_str(),
                        change.entry,
                        change.path,
                        change.before,
                        change.after,
                        change.undoes
                    ],
                )?;
                conn.last_insert_rowid()
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(conn) => conn.run(|c| {
                c.query_one(
                    "INSERT INTO changes (at, who, action, entry, path, before, after, undoes)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[
                        &at,
                        &change.who,
                        &change.action.as_str(),
                        &change.entry,
                        &change.path,
                        &change.before,
                        &change.after,
                        &change.undoes,
                    ],
                )?
                .try_get(0)
            })?,
        };
        drop(conn);
        Ok(self.get(id)?.unwrap_or_else(|| unreachable_change(id)))
    }

    /// Records `change`, logging a failure instead of returning it: for actions that have already
    /// happened and must not fail for want of their record.
    pub fn record_logged(&self, change: NewChange) -> Option<Change> {
        let action = change.action.as_str();
        self.record(change)
            .map_err(|e| tracing::error!(error = %e, action, "could not record a change"))
            .ok()
    }

    /// Change `id`, if recorded.
    pub fn get(&self, id: i64) -> Result<Option<Change>, ChangeLogError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        match &mut *conn {
            Db::Sqlite(conn) => Ok(conn
                .query_row(
                    &format!("SELECT {COLUMNS} FROM changes c WHERE c.id = ?1"),
                    [id],
                    row,
                )
                .optional()?),
            #[cfg(feature = "postgres")]
            Db::Postgres(conn) => {
                let sql = format!("SELECT {COLUMNS} FROM changes c WHERE c.id = $1");
                Ok(conn.run(|c| {
                    c.query_opt(sql.as_str(), &[&id])?
                        .as_ref()
                        .map(pg_row)
                        .transpose()
                })?)
            }
        }
    }

    /// Changes newest first, of one entry when `entry` is given.
    pub fn list(
        &self,
        entry: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Change>, ChangeLogError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        match &mut *conn {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM changes c WHERE (?1 IS NULL OR c.entry = ?1)
                     ORDER BY c.id DESC LIMIT ?2 OFFSET ?3"
                ))?;
                let rows = stmt.query_map(params![entry, limit as i64, offset as i64], row)?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(conn) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM changes c WHERE ($1::text IS NULL OR c.entry = $1)
                     ORDER BY c.id DESC LIMIT $2 OFFSET $3"
                );
                let (limit, offset) = (limit as i64, offset as i64);
                Ok(conn.run(|c| {
                    c.query(sql.as_str(), &[&entry, &limit, &offset])?
                        .iter()
                        .map(pg_row)
                        .collect()
                })?)
            }
        }
    }
}

/// A change that was just inserted but cannot be read back (not expected): its id alone.
fn unreachable_change(id: i64) -> Change {
    Change {
        id,
        at: crate::store::now_utc(),
        who: String::new(),
        action: Action::Undo,
        entry: None,
        path: None,
        before: None,
        after: None,
        undoes: None,
        undone_by: None,
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Change> {
    Ok(Change {
        id: r.get(0)?,
        at: r.get(1)?,
        who: r.get(2)?,
        action: Action::parse(&r.get::<_, String>(3)?),
        entry: r.get(4)?,
        path: r.get(5)?,
        before: r.get(6)?,
        after: r.get(7)?,
        undoes: r.get(8)?,
        undone_by: r.get(9)?,
    })
}

#[cfg(feature = "postgres")]
fn pg_row(r: &postgres::Row) -> Result<Change, postgres::Error> {
    Ok(Change {
        id: r.try_get(0)?,
        at: r.try_get(1)?,
        who: r.try_get(2)?,
        action: Action::parse(r.try_get(3)?),
        entry: r.try_get(4)?,
        path: r.try_get(5)?,
        before: r.try_get(6)?,
        after: r.try_get(7)?,
        undoes: r.try_get(8)?,
        undone_by: r.try_get(9)?,
    })
}

// tested with the other store tables on both backends: tests/store.rs (`change_log`)
