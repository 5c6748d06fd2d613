//! FAQ drafts proposed by agents: a question the bot could not answer with the answer the agent
//! gave, kept (masked) in the `drafts` table of the server's store (SQLite, or PostgreSQL in a
//! cluster) until an editor turns
//! it into an entry or rejects it. A draft is never served: only an entry written from it and
//! published is.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::{Db, Location};

/// Longest question accepted in a draft, in characters (the agents' search box allows as much).
pub const MAX_QUESTION_CHARS: usize = 2_000;

/// Longest answer accepted in a draft, in characters.
pub const MAX_ANSWER_CHARS: usize = 10_000;

/// Open drafts kept at most: past this, proposals are refused until editors catch up (the
/// proposal route is open to the agents' network, so its growth is bounded).
pub const MAX_OPEN_DRAFTS: usize = 5_000;

/// Draft errors.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// SQLite failed.
    #[error("drafts database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The store (PostgreSQL) failed or cannot be reached.
    #[error("drafts: {0}")]
    Store(#[from] crate::store::StoreError),
    /// A required field is empty.
    #[error("`{field}` is empty")]
    Empty {
        /// The field.
        field: &'static str,
    },
    /// A field is longer than allowed.
    #[error("`{field}` is longer than {max} characters")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// No draft has this id.
    #[error("no draft {0}")]
    NotFound(i64),
    /// The draft was already published or rejected.
    #[error("draft {id} is already {status}")]
    Handled {
        /// The draft.
        id: i64,
        /// What happened to it.
        status: &'static str,
    },
    /// Too many drafts wait for an editor.
    #[error("{MAX_OPEN_DRAFTS} drafts already wait for an editor")]
    Full,
}

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DraftStatus {
    /// Waiting for an editor.
    Open,
    /// An entry was written from it.
    Published,
    /// An editor turned it down.
    Rejected,
}

impl DraftStatus {
    /// The lowercase name stored and served.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Open => "open",
            DraftStatus::Published => "published",
            DraftStatus::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> DraftStatus {
        match s {
            "published" => DraftStatus::Published,
            "rejected" => DraftStatus::Rejected,
            _ => DraftStatus::Open,
        }
    }
}

/// A proposal from the agents' page, before it is checked and masked.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewDraft {
    /// The question as the user asked it.
    pub question: String,
    /// The answer the agent gave.
    pub answer: String,
    /// The answer request it comes from, if any.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// A stored draft (question and answer masked).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Draft {
    /// Draft id.
    pub id: i64,
    /// When it was proposed (UTC, RFC 3339).
    pub proposed_at: String,
    /// The question (masked).
    pub question: String,
    /// The agent's answer (masked).
    pub answer: String,
    /// The answer request it comes from, if given.
    pub request_id: Option<String>,
    /// Where it stands.
    pub status: DraftStatus,
    /// The entry written from it, once published.
    pub entry: Option<String>,
    /// The editor who published or rejected it.
    pub handled_by: Option<String>,
    /// When (UTC, RFC 3339).
    pub handled_at: Option<String>,
}

const COLUMNS: &str =
    "id, proposed_at, question, answer, request_id, status, entry, handled_by, handled_at";

/// The drafts over one database.
pub struct DraftBox {
    conn: Mutex<Db>,
}

impl DraftBox {
    /// Opens (creating the table if needed) the drafts in the SQLite database at `path`.
    pub fn open(path: &Path) -> Result<DraftBox, DraftError> {
        DraftBox::at(&Location::Sqlite(path.to_path_buf()))
    }

    /// The drafts in the store at `location` (PostgreSQL: migrated by the journal's open).
    pub fn at(location: &Location) -> Result<DraftBox, DraftError> {
        Ok(DraftBox {
            conn: Mutex::new(Db::open(location)?),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Db> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Checks, masks and stores a proposal; returns it as stored.
    pub fn propose(&self, draft: &NewDraft) -> Result<Draft, DraftError> {
        let question = checked("question", &draft.question, MAX_QUESTION_CHARS)?;
        let answer = checked("answer", &draft.answer, MAX_ANSWER_CHARS)?;
        let request_id = draft
            .request_id
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| crate::privacy::mask(&r.chars().take(64).collect::<String>()));
        let now = crate::store::now_utc();
        let mut conn = self.conn();
        let id = match &mut *conn {
            Db::Sqlite(conn) => {
                let open: i64 = conn.query_row(
                    "SELECT COUNT(*) FROM drafts WHERE status = 'open'",
                    [],
                    |r| r.get(0),
                )?;
                if open as usize >= MAX_OPEN_DRAFTS {
                    return Err(DraftError::Full);
                }
                conn.execute(
                    "INSERT INTO drafts (proposed_at, question, answer, request_id) VALUES (?1, ?2, ?3, ?4)",
                    params![now, question, answer, request_id],
                )?;
                conn.last_insert_rowid()
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(conn) => {
                let open: i64 = conn.run(|c| {
                    c.query_one("SELECT COUNT(*) FROM drafts WHERE status = 'open'", &[])?
                        .try_get(0)
                })?;
                if open as usize >= MAX_OPEN_DRAFTS {
                    return Err(DraftError::Full);
                }
                conn.run(|c| {
                    c.query_one(
                        "INSERT INTO drafts (proposed_at, question, answer, request_id)
                         VALUES ($1, $2, $3, $4) RETURNING id",
                        &[&now, &question, &answer, &request_id],
                    )?
                    .try_get(0)
                })?
            }
        };
        drop(conn);
        self.get(id)?.ok_or(DraftError::NotFound(id))
    }

    /// Draft `id`, if stored.
    pub fn get(&self, id: i64) -> Result<Option<Draft>, DraftError> {
        match &mut *self.conn() {
            Db::Sqlite(conn) => Ok(conn
                .query_row(
                    &format!("SELECT {COLUMNS} FROM drafts WHERE id = ?1"),
                    [id],
                    row,
                )
                .optional()?),
            #[cfg(feature = "postgres")]
            Db::Postgres(conn) => {
                let sql = format!("SELECT {COLUMNS} FROM drafts WHERE id = $1");
                Ok(conn.run(|c| {
                    c.query_opt(sql.as_str(), &[&id])?
                        .as_ref()
                        .map(pg_row)
                        .transpose()
                })?)
            }
        }
    }

    /// Drafts with `status`, oldest first (the order editors work through them).
    pub fn list(
        &self,
        status: DraftStatus,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Draft>, DraftError> {
        match &mut *self.conn() {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM drafts WHERE status = ?1 ORDER BY id LIMIT ?2 OFFSET ?3"
                ))?;
                let rows =
                    stmt.query_map(params![status.as_str(), limit as i64, offset as i64], row)?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(conn) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM drafts WHERE status = $1 ORDER BY id LIMIT $2 OFFSET $3"
                );
                let (limit, offset) = (limit as i64, offset as i64);
                Ok(conn.run(|c| {
                    c.query(sql.as_str(), &[&status.as_str(), &limit, &offset])?
                        .iter()
                        .map(pg_row)
                        .collect()
                })?)
            }
        }
    }

    /// Marks an open draft published as `entry` (or rejected when `entry` is `None`) by `who`.
    pub fn close(&self, id: i64, entry: Option<&str>, who: &str) -> Result<Draft, DraftError> {
        let status = match entry {
            Some(_) => DraftStatus::Published,
            None => DraftStatus::Rejected,
        };
        let now = crate::store::now_utc();
        let changed = match &mut *self.conn() {
            Db::Sqlite(conn) => conn.execute(
                "UPDATE drafts SET status = ?2, entry = ?3, handled_by = ?4, handled_at = ?5
                 WHERE id = ?1 AND status = 'open'",
                params![id, status.as_str(), entry, who, now],
            )? as u64,
            #[cfg(feature = "postgres")]
            Db::Postgres(conn) => conn.run(|c| {
                c.execute(
                    "UPDATE drafts SET status = $2, entry = $3, handled_by = $4, handled_at = $5
                     WHERE id = $1 AND status = 'open'",
                    &[&id, &status.as_str(), &entry, &who, &now],
                )
            })?,
        };
        let draft = self.get(id)?.ok_or(DraftError::NotFound(id))?;
        if changed == 0 {
            return Err(DraftError::Handled {
                id,
                status: draft.status.as_str(),
            });
        }
        Ok(draft)
    }
}

#[cfg(feature = "postgres")]
fn pg_row(r: &postgres::Row) -> Result<Draft, postgres::Error> {
    Ok(Draft {
        id: r.try_get(0)?,
        proposed_at: r.try_get(1)?,
        question: r.try_get(2)?,
        answer: r.try_get(3)?,
        request_id: r.try_get(4)?,
        status: DraftStatus::parse(r.try_get(5)?),
        entry: r.try_get(6)?,
        handled_by: r.try_get(7)?,
        handled_at: r.try_get(8)?,
    })
}

/// `text` trimmed and masked, or why it cannot be stored.
fn checked(field: &'static str, text: &str, max: usize) -> Result<String, DraftError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DraftError::Empty { field });
    }
    if text.chars().count() > max {
        return Err(DraftError::TooLong { field, max });
    }
    Ok(crate::privacy::mask(text))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Draft> {
    Ok(Draft {
        id: r.get(0)?,
        proposed_at: r.get(1)?,
        question: r.get(2)?,
        answer: r.get(3)?,
        request_id: r.get(4)?,
        status: DraftStatus::parse(&r.get::<_, String>(5)?),
        entry: r.get(6)?,
        handled_by: r.get(7)?,
        handled_at: r.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(question: &str, answer: &str) -> NewDraft {
        NewDraft {
            question: question.into(),
            answer: answer.into(),
            request_id: None,
        }
    }

    #[test]
    fn proposals_are_masked_listed_and_closed_once() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = DraftBox::open(&dir.path().join("db.sqlite")).unwrap();
        let d = drafts
            .propose(&proposal(
                "  nik saya 3174012345678901 tidak terdaftar, hub 0812-3456-7890 ",
                "Silakan hubungi KPPN mitra kerja.",
            ))
            .unwrap();
        assert!(!d.question.contains("3174012345678901"), "{}", d.question);
        assert!(!d.question.contains("3456"), "{}", d.question);
        assert!(d.question.starts_with("nik saya"));
        assert_eq!(d.status, DraftStatus::Open);
        let other = drafts
            .propose(&proposal("apa itu sp2d", "Surat perintah pencairan dana."))
            .unwrap();
        assert_eq!(
            drafts.list(DraftStatus::Open, 10, 0).unwrap(),
            vec![d.clone(), other.clone()]
        );

        let published = drafts.close(d.id, Some("faq-nik"), "ani").unwrap();
        assert_eq!(published.status, DraftStatus::Published);
        assert_eq!(published.entry.as_deref(), Some("faq-nik"));
        assert_eq!(published.handled_by.as_deref(), Some("ani"));
        assert!(matches!(
            drafts.close(d.id, None, "budi"),
            Err(DraftError::Handled {
                status: "published",
                ..
            })
        ));
        assert_eq!(
            drafts.close(other.id, None, "budi").unwrap().status,
            DraftStatus::Rejected
        );
        assert!(drafts.list(DraftStatus::Open, 10, 0).unwrap().is_empty());
        assert!(matches!(
            drafts.close(999, None, "x"),
            Err(DraftError::NotFound(999))
        ));
    }

    #[test]
    fn empty_and_long_fields_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = DraftBox::open(&dir.path().join("db.sqlite")).unwrap();
        assert!(matches!(
            drafts.propose(&proposal(" ", "x")),
            Err(DraftError::Empty { field: "question" })
        ));
        let long = "a".repeat(MAX_ANSWER_CHARS + 1);
        assert!(matches!(
            drafts.propose(&proposal("q", &long)),
            Err(DraftError::TooLong {
                field: "answer",
                ..
            })
        ));
    }
}
