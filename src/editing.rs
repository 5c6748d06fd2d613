//! Editing the corpus from the editors' page: entries read from and written back to their own
//! Markdown files, validated as `haipedia check` validates them, with a version check.
//!
//! The version of an entry is the blake3 hash of its file's bytes: an edit carries the version it
//! started from and is refused (409) when the file changed since. Writes are atomic (a temporary
//! file in the same folder, fsync, rename) and serialised by one mutex, so two saves never
//! interleave and the version check and the write are one step. A new entry is written to
//! `<corpus>/<id>.md`, a name made only of a validated id, so no path leaves the corpus folder.
//! Each write is recorded in the [`ChangeLog`] (who, the file's text before and after) while the
//! lock is held, so the log's order is the files' order; an undo writes a change's previous text
//! back, only when the file is still as that change left it. Saving never reindexes: publishing
//! is the reindex job's work.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::changes::{Action, Change, ChangeLog, ChangeLogError, NewChange};
use crate::corpus::write::{self, kept_fields, version_of, write_atomic, Draft};
use crate::corpus::{
    read_text, Corpus, CorpusError, CorpusErrorKind, Entry, EntryId, EntryType, FieldProblem,
    ImportStamp, MAX_ENTRY_FILE_BYTES, MAX_JSONL_FILE_BYTES,
};

/// Why an edit was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The id is not a slug (lowercase letters, digits, '-', '_', '.'; not starting with '.').
    #[error("invalid id '{0}': use lowercase letters, digits, '-', '_' or '.'")]
    InvalidId(String),
    /// No Markdown entry has this id.
    #[error("no entry '{0}'")]
    NotFound(String),
    /// The file changed since the version the edit started from.
    #[error("entry '{id}' changed since version {given}")]
    Conflict {
        /// The entry.
        id: String,
        /// The version the edit started from.
        given: String,
        /// What is there now (`None`: retired).
        current: Option<Box<StoredEntry>>,
    },
    /// The entry would not pass `haipedia check`: each problem at its field.
    #[error("the entry does not validate: {}", .0.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldProblem>),
    /// The entry lives in a JSONL file, which the editors' page does not write.
    #[error("entry '{id}' is in {path}: edit that JSONL file instead")]
    NotEditable {
        /// The entry.
        id: String,
        /// Its file, relative to the corpus folder.
        path: String,
    },
    /// Labelled queries (`<corpus>/eval/*.jsonl`) name the entry: retiring it would fail
    /// `haipedia check`.
    #[error("labelled queries name entry '{id}': {}; change them first", .places.join("; "))]
    Referenced {
        /// The entry.
        id: String,
        /// Each query naming it, `file:line: message`.
        places: Vec<String>,
    },
    /// An undo found the file no longer as the change left it.
    #[error("{path} changed after this change: undo the later changes first")]
    Diverged {
        /// The file, relative to the corpus folder.
        path: String,
    },
    /// No change with this id.
    #[error("no change {0}")]
    UnknownChange(i64),
    /// The change was undone already.
    #[error("change {id} was undone by change {by}")]
    AlreadyUndone {
        /// The change.
        id: i64,
        /// The undo.
        by: i64,
    },
    /// A reindex or rollback: not a file change.
    #[error("a {action} is not undone here (reindex again, or roll back)")]
    NotUndoable {
        /// What the change did.
        action: &'static str,
    },
    /// The change log failed.
    #[error(transparent)]
    Log(#[from] ChangeLogError),
    /// A recorded path that is not a Markdown file inside the corpus folder.
    #[error("path '{0}' is not an entry file inside the corpus folder")]
    BadPath(String),
    /// The corpus folder could not be listed.
    #[error("corpus folder: {0}")]
    Listing(CorpusError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What an editor submits for an entry.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// Title shown to users.
    pub title: String,
    /// `faq` or `article`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Catalogue service or general category.
    #[serde(default)]
    pub category: Option<String>,
    /// Free keywords.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Alternative phrasings (FAQs).
    #[serde(default)]
    pub questions: Vec<String>,
    /// Markdown body.
    pub body: String,
    /// The version the edit started from (absent: save whatever is there).
    #[serde(default)]
    pub version: Option<String>,
}

impl EntryInput {
    /// The input as it is written: title and category trimmed, list items trimmed, blank items
    /// dropped.
    fn normalised(&self) -> EntryInput {
        let items = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        EntryInput {
            title: self.title.trim().to_string(),
            kind: self.kind.trim().to_string(),
            category: self
                .category
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            tags: items(&self.tags),
            questions: items(&self.questions),
            body: self.body.clone(),
            version: self.version.clone(),
        }
    }
}

/// An entry as stored: its fields, its file and its version.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StoredEntry {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `faq` or `article`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Category.
    pub category: Option<String>,
    /// Keywords.
    pub tags: Vec<String>,
    /// Alternative phrasings.
    pub questions: Vec<String>,
    /// Last update date (YYYY-MM-DD).
    pub updated: Option<String>,
    /// Bot menu.
    pub action: Option<String>,
    /// Markdown body.
    pub body: String,
    /// Imported entries: the document's file name.
    pub source_file: Option<String>,
    /// File path relative to the corpus folder.
    pub path: String,
    /// blake3 (hex) of the file's bytes.
    pub version: String,
}

/// A line of the entry list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntrySummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `faq` or `article`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Category.
    pub category: Option<String>,
    /// File path relative to the corpus folder.
    pub path: String,
    /// Whether the page can write it (Markdown; JSONL entries are listed but not editable).
    pub editable: bool,
}

/// Filters of the entry list.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    /// Words that must all appear in the id or title (case-insensitive).
    pub q: Option<String>,
    /// Exact category.
    pub category: Option<String>,
    /// Exact type.
    pub kind: Option<EntryType>,
}

/// A file's text before and after a write (`None`: no file), and the change recording it.
#[derive(Debug, Clone)]
pub struct Written {
    /// File path relative to the corpus folder.
    pub path: String,
    /// Text before.
    pub before: Option<String>,
    /// Text after.
    pub after: Option<String>,
    /// The change recording it (`None` if the log could not be written; that is logged).
    pub change: Option<i64>,
}

/// Result of a save.
#[derive(Debug, Clone)]
pub struct Saved {
    /// Whether the entry is new.
    pub created: bool,
    /// The file's texts.
    pub written: Written,
    /// The entry as now stored.
    pub entry: StoredEntry,
}

/// Where an id lives.
enum Found {
    /// A Markdown file: its path, text, entry and import stamp.
    Markdown(PathBuf, String, Box<Entry>, ImportStamp),
    /// A JSONL file.
    Jsonl(PathBuf),
}

/// The entry files of one corpus folder, written one at a time.
pub struct EntryFiles {
    dir: PathBuf,
    lock: Mutex<()>,
}

impl EntryFiles {
    /// The entry files under `dir` (the configured corpus folder).
    pub fn new(dir: &Path) -> EntryFiles {
        EntryFiles {
            dir: dir.to_path_buf(),
            lock: Mutex::new(()),
        }
    }

    /// Every entry matching `filter`, sorted by id; files that do not parse are left out (the
    /// reindex job reports them).
    pub fn list(&self, filter: &EntryFilter) -> Result<Vec<EntrySummary>, EditError> {
        let words: Vec<String> = filter
            .q
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let mut out = Vec::new();
        for (path, entry) in self.all_entries()? {
            let haystack = format!("{} {}", entry.id, entry.title).to_lowercase();
            let keep = words.iter().all(|w| haystack.contains(w))
                && filter
                    .category
                    .as_deref()
                    .is_none_or(|c| entry.category.as_deref() == Some(c))
                && filter.kind.is_none_or(|k| entry.kind == k);
            if keep {
                out.push(EntrySummary {
                    editable: path.extension().is_some_and(|e| e == "md"),
                    path: self.relative(&path),
                    id: entry.id.0,
                    title: entry.title,
                    kind: entry.kind.as_str().to_string(),
                    category: entry.category,
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The Markdown entry `id` with its version and file.
    pub fn get(&self, id: &str) -> Result<StoredEntry, EditError> {
        check_id(id)?;
        match self.find(id)? {
            Some(Found::Markdown(path, text, entry, stamp)) => {
                Ok(self.stored(&path, &text, &entry, &stamp))
            }
            Some(Found::Jsonl(path)) => Err(EditError::NotEditable {
                id: id.to_string(),
                path: self.relative(&path),
            }),
            None => Err(EditError::NotFound(id.to_string())),
        }
    }

    /// Validates and writes entry `id`: back to its own file, or to `<corpus>/<id>.md` when new.
    /// With `input.version`, refuses when the file is no longer that version.
    /// Recorded in `log` as `who`'s save (or creation).
    pub fn save(
        &self,
        id: &str,
        input: &EntryInput,
        who: &str,
        log: &ChangeLog,
    ) -> Result<Saved, EditError> {
        check_id(id)?;
        let input = &input.normalised();
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let found = self.find(id)?;
        let (path, before, kept) = match found {
            Some(Found::Jsonl(path)) => {
                return Err(EditError::NotEditable {
                    id: id.to_string(),
                    path: self.relative(&path),
                })
            }
            Some(Found::Markdown(path, text, _, _)) => {
                let kept = kept_fields(&text);
                (path, Some(text), kept)
            }
            None => (self.dir.join(format!("{id}.md")), None, BTreeMap::new()),
        };
        if let Some(given) = &input.version {
            let current = before.as_deref().map(version_of);
            if current.as_deref() != Some(given.as_str()) {
                let current = match (
                    &before,
                    Corpus::parse_markdown_stamped(&path, before.as_deref().unwrap_or("")),
                ) {
                    (Some(text), Ok((entry, stamp))) => {
                        Some(Box::new(self.stored(&path, text, &entry, &stamp)))
                    }
                    _ => None,
                };
                return Err(EditError::Conflict {
                    id: id.to_string(),
                    given: given.clone(),
                    current,
                });
            }
        }
        if before.is_none() && path.exists() {
            return Err(EditError::Invalid(vec![FieldProblem {
                field: "id".into(),
                message: format!(
                    "{} exists and holds another entry (or does not parse): pick another id",
                    self.relative(&path)
                ),
            }]));
        }
        let updated = today();
        let draft = Draft {
            id,
            title: &input.title,
            kind: &input.kind,
            category: input.category.as_deref(),
            tags: &input.tags,
            questions: &input.questions,
            body: &input.body,
            updated: &updated,
            kept: &kept,
        };
        let (text, lines) = write::render(&draft);
        let (entry, stamp) =
            write::check(&path, &text, &lines, &draft).map_err(EditError::Invalid)?;
        write_atomic(&path, &text).map_err(|source| self.io(&path, source))?;
        let created = before.is_none();
        let action = if created {
            Action::Create
        } else {
            Action::Save
        };
        let written = self.recorded(
            log,
            NewChange {
                who: who.to_string(),
                action,
                entry: Some(id.to_string()),
                path: Some(self.relative(&path)),
                before,
                after: Some(text.clone()),
                undoes: None,
            },
        );
        Ok(Saved {
            created,
            written,
            entry: self.stored(&path, &text, &entry, &stamp),
        })
    }

    /// Adds `phrasing` to entry `id`'s alternative phrasings as `who`'s save, unless the entry
    /// has it already (as a phrasing or its title, in any case); returns the entry as stored and
    /// whether it changed.
    pub fn add_phrasing(
        &self,
        id: &str,
        phrasing: &str,
        who: &str,
        log: &ChangeLog,
    ) -> Result<(StoredEntry, bool), EditError> {
        let current = self.get(id)?;
        let phrasing = phrasing.trim();
        let same = |known: &String| known.trim().to_lowercase() == phrasing.to_lowercase();
        if phrasing.is_empty() || same(&current.title) || current.questions.iter().any(same) {
            return Ok((current, false));
        }
        let mut questions = current.questions.clone();
        questions.push(phrasing.to_string());
        let input = EntryInput {
            title: current.title.clone(),
            kind: current.kind.clone(),
            category: current.category.clone(),
            tags: current.tags.clone(),
            questions,
            body: current.body.clone(),
            version: Some(current.version.clone()),
        };
        self.save(id, &input, who, log).map(|s| (s.entry, true))
    }

    /// Records a write in `log`; a failure is logged (the file is written already).
    fn recorded(&self, log: &ChangeLog, change: NewChange) -> Written {
        let id = log.record_logged(change.clone()).map(|c| c.id);
        Written {
            path: change.path.unwrap_or_default(),
            before: change.before,
            after: change.after,
            change: id,
        }
    }

    /// Retires entry `id`: removes its Markdown file (refused while labelled queries name it);
    /// recorded in `log` as `who`'s.
    pub fn retire(&self, id: &str, who: &str, log: &ChangeLog) -> Result<Written, EditError> {
        check_id(id)?;
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        match self.find(id)? {
            Some(Found::Markdown(path, text, _, _)) => {
                let places = self.queries_naming(id);
                if !places.is_empty() {
                    return Err(EditError::Referenced {
                        id: id.to_string(),
                        places,
                    });
                }
                write::remove_synced(&path).map_err(|source| self.io(&path, source))?;
                Ok(self.recorded(
                    log,
                    NewChange {
                        who: who.to_string(),
                        action: Action::Retire,
                        entry: Some(id.to_string()),
                        path: Some(self.relative(&path)),
                        before: Some(text),
                        after: None,
                        undoes: None,
                    },
                ))
            }
            Some(Found::Jsonl(path)) => Err(EditError::NotEditable {
                id: id.to_string(),
                path: self.relative(&path),
            }),
            None => Err(EditError::NotFound(id.to_string())),
        }
    }

    /// Undoes change `id` of the log as `who`: its file goes back to the text before it (a
    /// created file is removed, a retired one restored), only when the file is still as the
    /// change left it. The undo is recorded and returned.
    pub fn undo(&self, id: i64, who: &str, log: &ChangeLog) -> Result<Change, EditError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let change = log.get(id)?.ok_or(EditError::UnknownChange(id))?;
        if let Some(by) = change.undone_by {
            return Err(EditError::AlreadyUndone { id, by });
        }
        let path = match (&change.path, change.action) {
            (Some(path), Action::Save | Action::Create | Action::Retire | Action::Undo) => path,
            _ => {
                return Err(EditError::NotUndoable {
                    action: change.action.as_str(),
                })
            }
        };
        let (before, after) =
            self.revert(path, change.after.as_deref(), change.before.as_deref())?;
        Ok(log.record(NewChange {
            who: who.to_string(),
            action: Action::Undo,
            entry: change.entry.clone(),
            path: Some(path.clone()),
            before,
            after,
            undoes: Some(id),
        })?)
    }

    /// Puts file `path` (relative to the corpus folder) back from `now` to `then` (`None`: no
    /// file), refusing when it is not `now` any more; returns the texts before and after. The
    /// caller holds the lock.
    fn revert(
        &self,
        path: &str,
        now: Option<&str>,
        then: Option<&str>,
    ) -> Result<(Option<String>, Option<String>), EditError> {
        let full = self.inside(path)?;
        let current = match read_text(&full, MAX_ENTRY_FILE_BYTES, false) {
            Ok(text) => Some(text),
            Err(_) if !full.exists() => None,
            Err(e) => return Err(self.io(&full, std::io::Error::other(e.kind.to_string()))),
        };
        if current.as_deref() != now {
            return Err(EditError::Diverged {
                path: path.to_string(),
            });
        }
        match then {
            Some(text) => {
                write_atomic(&full, text).map_err(|source| self.io(&full, source))?;
            }
            None => {
                write::remove_synced(&full).map_err(|source| self.io(&full, source))?;
            }
        }
        Ok((current, then.map(str::to_string)))
    }

    /// `path` (relative, from the change log) as a Markdown file inside the corpus folder.
    fn inside(&self, path: &str) -> Result<PathBuf, EditError> {
        let rel = Path::new(path);
        let plain = rel.components().all(|c| matches!(c, Component::Normal(_)))
            && rel.extension().is_some_and(|e| e == "md")
            && !path.split('/').any(|p| p.starts_with('.'));
        if !plain {
            return Err(EditError::BadPath(path.to_string()));
        }
        Ok(self.dir.join(rel))
    }

    /// The labelled queries under `<corpus>/eval` that name `id` (as `haipedia check` would
    /// report them without it); none when the rest of the corpus cannot be checked.
    fn queries_naming(&self, id: &str) -> Vec<String> {
        let Ok(entries) = self.all_entries() else {
            return Vec::new();
        };
        let others = entries
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| e.id.0 != id)
            .collect();
        let Ok(corpus) = Corpus::from_entries(others) else {
            return Vec::new();
        };
        let unknown = CorpusErrorKind::UnknownId(id.to_string());
        match crate::eval::check_dir(&self.dir.join("eval"), &corpus) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .0
                .into_iter()
                .filter(|e| e.kind == unknown)
                .map(|e| e.to_string())
                .collect(),
        }
    }

    /// Every entry that parses, with its file.
    fn all_entries(&self) -> Result<Vec<(PathBuf, Entry)>, EditError> {
        let (files, _) = Corpus::entry_files(&self.dir).map_err(EditError::Listing)?;
        let mut out = Vec::new();
        for path in files {
            if path.extension().is_some_and(|e| e == "jsonl") {
                if let Ok(entries) = read_text(&path, MAX_JSONL_FILE_BYTES, false)
                    .map_err(|e| crate::corpus::CorpusErrors(vec![e]))
                    .and_then(|text| Corpus::parse_jsonl(&path, &text))
                {
                    out.extend(entries.into_iter().map(|e| (path.clone(), e)));
                }
            } else if let Ok(entry) = read_text(&path, MAX_ENTRY_FILE_BYTES, false)
                .and_then(|text| Corpus::parse_markdown(&path, &text))
            {
                out.push((path, entry));
            }
        }
        Ok(out)
    }

    /// Where entry `id` lives (the first file, in load order, that holds it).
    fn find(&self, id: &str) -> Result<Option<Found>, EditError> {
        let (files, _) = Corpus::entry_files(&self.dir).map_err(EditError::Listing)?;
        for path in files {
            if path.extension().is_some_and(|e| e == "jsonl") {
                let holds = read_text(&path, MAX_JSONL_FILE_BYTES, false)
                    .ok()
                    .and_then(|text| Corpus::parse_jsonl(&path, &text).ok())
                    .is_some_and(|es| es.iter().any(|e| e.id.0 == id));
                if holds {
                    return Ok(Some(Found::Jsonl(path)));
                }
                continue;
            }
            let Ok(text) = read_text(&path, MAX_ENTRY_FILE_BYTES, false) else {
                continue;
            };
            if let Ok((entry, stamp)) = Corpus::parse_markdown_stamped(&path, &text) {
                if entry.id.0 == id {
                    return Ok(Some(Found::Markdown(path, text, Box::new(entry), stamp)));
                }
            }
        }
        Ok(None)
    }

    fn stored(&self, path: &Path, text: &str, entry: &Entry, stamp: &ImportStamp) -> StoredEntry {
        StoredEntry {
            id: entry.id.0.clone(),
            title: entry.title.clone(),
            kind: entry.kind.as_str().to_string(),
            category: entry.category.clone(),
            tags: entry.tags.clone(),
            questions: entry.questions.clone(),
            updated: entry.updated.clone(),
            action: entry.action.clone(),
            body: entry.body.clone(),
            source_file: stamp.source_file.clone(),
            path: self.relative(path),
            version: version_of(text),
        }
    }

    /// `path` relative to the corpus folder, with '/' separators.
    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.dir)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn io(&self, path: &Path, source: std::io::Error) -> EditError {
        EditError::Io {
            path: self.relative(path),
            source,
        }
    }
}

/// Refuses ids that are not plain slugs (the file name is made from the id).
fn check_id(id: &str) -> Result<(), EditError> {
    if EntryId::is_file_name(id) && id.len() <= 200 {
        Ok(())
    } else {
        Err(EditError::InvalidId(id.escape_default().to_string()))
    }
}

/// Today's date in UTC, `YYYY-MM-DD` (the `updated` field of a saved entry).
fn today() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change log in a folder of its own (`.0` must outlive the log).
    fn log() -> (tempfile::TempDir, ChangeLog) {
        let dir = tempfile::tempdir().unwrap();
        let log = ChangeLog::open(&dir.path().join("changes.sqlite")).unwrap();
        (dir, log)
    }

    fn input(title: &str, body: &str) -> EntryInput {
        EntryInput {
            title: title.into(),
            kind: "faq".into(),
            category: Some("SAKTI".into()),
            tags: vec!["sakti".into(), "2026".into(), "a: b".into()],
            questions: vec!["gmn cara reset pw?".into(), "- apa #ini".into()],
            body: body.into(),
            version: None,
        }
    }

    #[test]
    fn saves_round_trip_and_keep_import_stamps() {
        let dir = tempfile::tempdir().unwrap();
        let hash = format!("blake3:{}", "0".repeat(64));
        std::fs::write(
            dir.path().join("imp.md"),
            format!("---\nid: imp\ntitle: A\nsource_file: \"a.pdf\"\nsource_hash: {hash}\nimported: 2026-11-30T07:00:00Z\nsource: PER-8\n---\nisi\n"),
        )
        .unwrap();
        let files = EntryFiles::new(dir.path());
        let (_keep, log) = log();
        let got = files.get("imp").unwrap();
        let saved = files
            .save(
                "imp",
                &EntryInput {
                    version: Some(got.version.clone()),
                    ..input("Judul: \"x\"", "baru")
                },
                "ani",
                &log,
            )
            .unwrap();
        assert!(!saved.created);
        let text = std::fs::read_to_string(dir.path().join("imp.md")).unwrap();
        let (entry, stamp) = Corpus::parse_markdown_stamped(Path::new("x"), &text).unwrap();
        assert_eq!(entry.title, "Judul: \"x\"");
        assert_eq!(entry.tags, vec!["sakti", "2026", "a: b"]);
        assert_eq!(entry.questions[1], "- apa #ini");
        assert_eq!(stamp.source_hash.as_deref(), Some(hash.as_str()));
        assert!(text.contains("source: PER-8"));
        // the old version is refused now
        let stale = files.save(
            "imp",
            &EntryInput {
                version: Some(got.version),
                ..input("B", "c")
            },
            "ani",
            &log,
        );
        assert!(matches!(
            stale,
            Err(EditError::Conflict {
                current: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn problems_come_at_their_fields_and_ids_stay_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let files = EntryFiles::new(dir.path());
        let (_keep, log) = log();
        let Err(EditError::Invalid(p)) = files.save(
            "new",
            &EntryInput {
                kind: "blog".into(),
                ..input(" ", " ")
            },
            "ani",
            &log,
        ) else {
            panic!("must not validate")
        };
        let fields: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
        assert!(
            fields.contains(&"title") && fields.contains(&"type") && fields.contains(&"body"),
            "{p:?}"
        );
        for bad in ["../x", "a/b", "..", ".hidden", "A", ""] {
            assert!(
                matches!(
                    files.save(bad, &input("t", "b"), "ani", &log),
                    Err(EditError::InvalidId(_))
                ),
                "{bad}"
            );
        }
        assert!(files.inside("../x.md").is_err());
        assert!(files.inside("/etc/x.md").is_err());
        assert!(files.inside("a/.x.md").is_err());
        assert!(files.inside("a/x.md").is_ok());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn retire_and_undo_are_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let files = EntryFiles::new(dir.path());
        let (_keep, log) = log();
        let saved = files.save("a", &input("T", "B"), "ani", &log).unwrap();
        assert!(saved.created);
        let retired = files.retire("a", "budi", &log).unwrap();
        assert!(matches!(files.get("a"), Err(EditError::NotFound(_))));
        let undo = files.undo(retired.change.unwrap(), "budi", &log).unwrap();
        assert_eq!(undo.undoes, retired.change);
        assert_eq!(files.get("a").unwrap().title, "T");
        assert!(matches!(
            files.undo(retired.change.unwrap(), "budi", &log),
            Err(EditError::AlreadyUndone { .. })
        ));
        // the creation cannot be undone over the file as it is now unless it is unchanged
        files.save("a", &input("T2", "B"), "ani", &log).unwrap();
        assert!(matches!(
            files.undo(saved.written.change.unwrap(), "budi", &log),
            Err(EditError::Diverged { .. })
        ));
        assert!(matches!(
            files.undo(999, "budi", &log),
            Err(EditError::UnknownChange(999))
        ));
        let actions: Vec<&str> = log
            .list(Some("a"), 10, 0)
            .unwrap()
            .iter()
            .map(|c| c.action.as_str())
            .collect();
        assert_eq!(actions, vec!["save", "undo", "retire", "create"]);
    }
}
