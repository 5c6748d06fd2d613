//! Import: the documents editors already have (PDF with a text layer, DOCX, HTML, Markdown and
//! plain text) turned into article entries of an import folder, which `haipedia check` and
//! `haipedia index` then read like any other corpus folder.
//!
//! Per document: read (at most [`MAX_DOCUMENT_BYTES`], checked before reading; the format is
//! checked against the content) -> hash (blake3) -> compared with the entries it made before
//! (same hash and category: unchanged, nothing is extracted) -> extracted by its format's
//! module (parsers run contained: a panic is an error for that document) -> cleaned
//! ([`clean`]: page furniture out, hyphenation joined) -> one entry, or one per top-level
//! section when long ([`split`]) -> written atomically ([`write`]). A document that fails
//! writes nothing and the others go on. In the data flow it comes before `corpus`; in the
//! module graph it sits above it.

mod clean;
mod docx;
mod error;
mod html;
mod markdown;
mod pdf;
mod split;
mod write;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::corpus::{document_id, read_file, CorpusErrorKind, EntryId, MAX_ENTRY_FILE_BYTES};

pub use clean::{clean_pages, is_furniture_line};
pub use error::ImportError;
pub use split::{MAX_PART_CHARS, MIN_PART_CHARS, SPLIT_ABOVE_CHARS};

/// The largest document imported (50 MiB: the biggest guides are a few MB; a larger file is
/// more likely a scan or a bundle). Checked from the file's metadata before it is read.
pub const MAX_DOCUMENT_BYTES: u64 = 50 * 1024 * 1024;

/// The folder under the corpus that imports go to when no other is named.
pub const DEFAULT_FOLDER: &str = "imported";

/// The longest entry id made from a file name (longer slugs are cut).
const MAX_ID_CHARS: usize = 80;

/// The longest title kept.
const MAX_TITLE_CHARS: usize = 200;

/// What a format module reads from a document: its title (from metadata) and its pages'
/// text (Markdown where the format has structure; one page when the format has no pages).
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// Title from the document's metadata, if it has one.
    pub title: Option<String>,
    /// Text per page.
    pub pages: Vec<String>,
}

/// The document formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// PDF with a text layer.
    Pdf,
    /// Word (Office Open XML).
    Docx,
    /// HTML page.
    Html,
    /// Markdown.
    Markdown,
    /// Plain text.
    Text,
}

impl Format {
    /// The format a file name's extension promises, if it is read.
    pub fn of(name: &str) -> Option<Format> {
        let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" => Some(Format::Text),
            _ => None,
        }
    }

    /// The format's name in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
            Format::Html => "HTML",
            Format::Markdown => "Markdown",
            Format::Text => "text",
        }
    }
}

/// What an import does to one entry file (or to a whole document: the strongest of its entries').
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A new entry file.
    Create,
    /// An entry file made from an earlier version of the document, rewritten.
    Update,
    /// The document did not change: nothing is written.
    Unchanged,
    /// A part the new version of the document no longer has: its file is removed.
    Remove,
}

impl Action {
    /// The word the CLI and the API print.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Remove => "remove",
        }
    }
}

/// One entry an import would write (or leave, or remove).
#[derive(Debug, Clone, Serialize)]
pub struct PlannedEntry {
    /// Its id.
    pub id: EntryId,
    /// Its title.
    pub title: String,
    /// Its file.
    pub path: PathBuf,
    /// What happens to it.
    pub action: Action,
    /// The file's whole text (front matter and body); empty for unchanged and removed entries.
    pub text: String,
}

/// What importing one document would do.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The document's file name (recorded as `source_file`).
    pub source_file: String,
    /// `blake3:<hex>` of its bytes.
    pub source_hash: String,
    /// Its format.
    pub format: Format,
    /// What happens overall: create, update or unchanged.
    pub action: Action,
    /// Its entries (and parts to remove).
    pub entries: Vec<PlannedEntry>,
}

/// The result of importing many documents: a plan per document read, an error per other one.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Documents read (applied unless it was a dry run).
    pub plans: Vec<Plan>,
    /// Documents that failed: nothing was written for them.
    pub errors: Vec<ImportError>,
}

impl ImportReport {
    /// Documents whose overall action is `action`.
    pub fn count(&self, action: Action) -> usize {
        self.plans.iter().filter(|p| p.action == action).count()
    }

    /// Entry files the imported documents have now (removed parts not counted).
    pub fn entries(&self) -> usize {
        self.plans
            .iter()
            .flat_map(|p| &p.entries)
            .filter(|e| e.action != Action::Remove)
            .count()
    }
}

/// Imports documents into one folder of entries.
pub struct Importer {
    out: PathBuf,
    category: Option<String>,
    imported_at: String,
    existing: HashMap<PathBuf, write::Existing>,
    /// Entry ids claimed by a document of this run: id -> the document's path, as shown.
    claimed: HashMap<EntryId, String>,
}

impl Importer {
    /// An importer writing into `out` (created when needed); entries get `category`. The entry
    /// files already in `out` are read once here.
    pub fn new(out: &Path, category: Option<String>) -> Result<Importer, ImportError> {
        let existing = write::scan(out).map_err(|e| ImportError::Unreadable {
            file: write::display(out),
            reason: e.to_string(),
        })?;
        let imported_at = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string());
        Ok(Importer {
            out: out.to_path_buf(),
            category: category
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
            imported_at,
            existing,
            claimed: HashMap::new(),
        })
    }

    /// The folder entries are written to.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Plans (and unless `dry_run` applies) every document; `progress(done, total)` is called
    /// after each one. Errors are collected, never stop the others.
    pub fn run(
        &mut self,
        files: &[PathBuf],
        dry_run: bool,
        progress: &dyn Fn(usize, usize),
    ) -> ImportReport {
        let mut report = ImportReport::default();
        for (i, path) in files.iter().enumerate() {
            let result = self.plan_file(path).and_then(|plan| {
                if dry_run {
                    Ok(plan)
                } else {
                    self.apply(&plan).map(|_| plan)
                }
            });
            match result {
                Ok(plan) => report.plans.push(plan),
                Err(e) => report.errors.push(e),
            }
            progress(i + 1, files.len());
        }
        report
    }

    /// Reads one document file (a regular file of at most [`MAX_DOCUMENT_BYTES`], links
    /// followed since the editor named it) and plans its import.
    pub fn plan_file(&mut self, path: &Path) -> Result<Plan, ImportError> {
        let file = write::display(path);
        let name =
            path.file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| ImportError::Unreadable {
                    file: file.clone(),
                    reason: "the file name is not UTF-8".to_string(),
                })?;
        let format = Format::of(name).ok_or(ImportError::Unsupported { file: file.clone() })?;
        let bytes = read_file(path, MAX_DOCUMENT_BYTES, true).map_err(|e| match e.kind {
            CorpusErrorKind::TooLarge { size, max } => ImportError::TooLarge {
                file: file.clone(),
                size,
                max,
            },
            other => ImportError::Unreadable {
                file: file.clone(),
                reason: other.to_string(),
            },
        })?;
        self.plan_named(&file, name, format, &bytes)
    }

    /// Plans the import of a document given as bytes with its file name (the editors' upload).
    pub fn plan_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<Plan, ImportError> {
        let file = name.to_string();
        let name = Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.chars().any(crate::corpus::is_unsafe_char))
            .ok_or_else(|| ImportError::Unsupported { file: file.clone() })?;
        let format = Format::of(name).ok_or(ImportError::Unsupported { file: file.clone() })?;
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(ImportError::TooLarge {
                file,
                size: bytes.len() as u64,
                max: MAX_DOCUMENT_BYTES,
            });
        }
        self.plan_named(&file, name, format, bytes)
    }

    /// Writes a plan's created and updated entries, then removes the parts it no longer has.
    pub fn apply(&mut self, plan: &Plan) -> Result<(), ImportError> {
        let failed = |path: &Path, e: std::io::Error| ImportError::Write {
            file: plan.source_file.clone(),
            target: write::display(path),
            reason: e.to_string(),
        };
        for entry in &plan.entries {
            match entry.action {
                Action::Create | Action::Update => {
                    write::write_atomic(&entry.path, &entry.text)
                        .map_err(|e| failed(&entry.path, e))?;
                    self.existing.insert(
                        entry.path.clone(),
                        write::Existing {
                            id: Some(entry.id.clone()),
                            stamp: crate::corpus::ImportStamp {
                                source_file: Some(plan.source_file.clone()),
                                source_hash: Some(plan.source_hash.clone()),
                                imported: Some(self.imported_at.clone()),
                            },
                            category: self.category.clone(),
                        },
                    );
                }
                Action::Remove => {
                    match std::fs::remove_file(&entry.path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(failed(&entry.path, e)),
                    }
                    self.existing.remove(&entry.path);
                }
                Action::Unchanged => {}
            }
        }
        Ok(())
    }

    /// Sniffs, hashes, compares, extracts, cleans, splits and renders one document.
    fn plan_named(
        &mut self,
        file: &str,
        name: &str,
        format: Format,
        bytes: &[u8],
    ) -> Result<Plan, ImportError> {
        if bytes.is_empty() {
            return Err(ImportError::Empty {
                file: file.to_string(),
            });
        }
        check_content(file, format, bytes)?;
        let source_hash = format!("blake3:{}", blake3::hash(bytes).to_hex());
        let base = base_id(name, &source_hash);
        let before: Vec<(PathBuf, EntryId)> = self
            .existing
            .iter()
            .filter(|(_, e)| e.stamp.source_file.as_deref() == Some(name))
            .filter_map(|(p, e)| e.id.clone().map(|id| (p.clone(), id)))
            .collect();
        self.claim(
            file,
            &before.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>(),
        )?;
        let unchanged = !before.is_empty()
            && self
                .existing
                .values()
                .filter(|e| e.stamp.source_file.as_deref() == Some(name))
                .all(|e| {
                    e.stamp.source_hash.as_deref() == Some(source_hash.as_str())
                        && e.category == self.category
                });
        if unchanged {
            let mut entries: Vec<PlannedEntry> = before
                .into_iter()
                .map(|(path, id)| PlannedEntry {
                    id,
                    title: String::new(),
                    path,
                    action: Action::Unchanged,
                    text: String::new(),
                })
                .collect();
            entries.sort_by(|a, b| a.id.cmp(&b.id));
            return Ok(Plan {
                source_file: name.to_string(),
                source_hash,
                format,
                action: Action::Unchanged,
                entries,
            });
        }
        let extracted = extract(file, format, bytes)?;
        let body = clean::clean_pages(&extracted.pages);
        if !body.chars().any(char::is_alphanumeric) {
            return Err(ImportError::NoText {
                file: file.to_string(),
            });
        }
        let title = clean_title(
            extracted
                .title
                .or_else(|| title_line(format, &body))
                .unwrap_or_else(|| stem(name).replace('_', " ")),
        );
        let parts = split::split(&body);
        let ids: Vec<EntryId> = if parts.len() == 1 {
            vec![base.clone()]
        } else {
            (1..=parts.len())
                .map(|i| EntryId(format!("{base}_{i}")))
                .collect()
        };
        let mut entries = Vec::new();
        for (i, (part, id)) in parts.iter().zip(&ids).enumerate() {
            let path = write::entry_path(&self.out, id).ok_or_else(|| ImportError::Invalid {
                file: file.to_string(),
                reason: format!("entry id '{id}' is not a plain file name"),
            })?;
            let action = self.action_for(file, name, id, &path)?;
            let (part_title, part_body) = if parts.len() == 1 {
                (title.clone(), part.text.clone())
            } else {
                let others: Vec<String> = ids
                    .iter()
                    .filter(|o| *o != id)
                    .map(|o| o.to_string())
                    .collect();
                let part_title = match &part.heading {
                    Some(h) if !h.replace("**", "").trim().eq_ignore_ascii_case(&title) => {
                        clean_title(format!("{title} — {h}"))
                    }
                    _ => clean_title(format!("{title} (bagian {})", i + 1)),
                };
                let note = format!(
                    "_Bagian {} dari {} dokumen «{title}»; bagian lain: {}._",
                    i + 1,
                    parts.len(),
                    others.join(", ")
                );
                (part_title, format!("{note}\n\n{}", part.text))
            };
            let text = write::render(
                &write::Fields {
                    id,
                    title: &part_title,
                    category: self.category.as_deref(),
                    source_file: name,
                    source_hash: &source_hash,
                    imported: &self.imported_at,
                },
                &part_body,
            );
            verify(file, &path, &text)?;
            entries.push(PlannedEntry {
                id: id.clone(),
                title: part_title,
                path,
                action,
                text,
            });
        }
        for (path, id) in before {
            if !ids.contains(&id) {
                entries.push(PlannedEntry {
                    id,
                    title: String::new(),
                    path,
                    action: Action::Remove,
                    text: String::new(),
                });
            }
        }
        self.claim(file, &ids)?;
        let action = if entries.iter().all(|e| e.action == Action::Create) {
            Action::Create
        } else {
            Action::Update
        };
        Ok(Plan {
            source_file: name.to_string(),
            source_hash,
            format,
            action,
            entries,
        })
    }

    /// Claims ids for the document `file` in this run; an id another document of the run
    /// claimed is an error.
    fn claim(&mut self, file: &str, ids: &[EntryId]) -> Result<(), ImportError> {
        for id in ids {
            if let Some(other) = self.claimed.get(id).filter(|o| *o != file) {
                return Err(ImportError::IdTaken {
                    file: file.to_string(),
                    id: id.to_string(),
                    other: format!("document {other} of this import"),
                });
            }
        }
        for id in ids {
            self.claimed.insert(id.clone(), file.to_string());
        }
        Ok(())
    }

    /// Create or update for entry `id` at `path`; an error when the id or the file belongs to
    /// an entry that was not imported from this document.
    fn action_for(
        &self,
        file: &str,
        name: &str,
        id: &EntryId,
        path: &Path,
    ) -> Result<Action, ImportError> {
        let taken = |other: String| ImportError::IdTaken {
            file: file.to_string(),
            id: id.to_string(),
            other,
        };
        for (other_path, e) in &self.existing {
            let same_file = other_path == path;
            let same_id = e.id.as_ref() == Some(id);
            if !same_file && !same_id {
                continue;
            }
            let ours = e.stamp.source_file.as_deref() == Some(name) && e.id.as_ref() == Some(id);
            if !ours {
                let what = match &e.stamp.source_file {
                    Some(source) if e.id.is_some() => format!(
                        "the entry file {} (imported from {source})",
                        write::display(other_path)
                    ),
                    _ if e.id.is_none() => format!(
                        "the file {} (not a valid entry)",
                        write::display(other_path)
                    ),
                    _ => format!(
                        "the entry file {} (written by hand)",
                        write::display(other_path)
                    ),
                };
                return Err(taken(what));
            }
        }
        if self.existing.contains_key(path) {
            Ok(Action::Update)
        } else if path.exists() || path.symlink_metadata().is_ok() {
            Err(taken(format!("the file {}", write::display(path))))
        } else {
            Ok(Action::Create)
        }
    }
}

/// Refuses content that is not what the extension says.
fn check_content(file: &str, format: Format, bytes: &[u8]) -> Result<(), ImportError> {
    let found = sniff(bytes);
    let mislabelled = |expected| ImportError::Mislabelled {
        file: file.to_string(),
        expected,
        found,
    };
    match format {
        Format::Pdf if !pdf::looks_like_pdf(bytes) => Err(mislabelled("a PDF")),
        Format::Docx if docx::looks_like_ole(bytes) => Err(ImportError::Encrypted {
            file: file.to_string(),
        }),
        Format::Docx if !docx::looks_like_zip(bytes) => Err(mislabelled("a DOCX document")),
        Format::Html | Format::Markdown | Format::Text
            if pdf::looks_like_pdf(bytes) || docx::looks_like_zip(bytes) =>
        {
            Err(mislabelled("a text file"))
        }
        _ => Ok(()),
    }
}

/// What bytes look like, for a message.
fn sniff(bytes: &[u8]) -> &'static str {
    if pdf::looks_like_pdf(bytes) {
        "a PDF"
    } else if docx::looks_like_zip(bytes) {
        "a ZIP archive (a DOCX?)"
    } else if docx::looks_like_ole(bytes) {
        "an old Office file (.doc) or an encrypted Office document"
    } else if std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok() && !bytes.contains(&0) {
        "text"
    } else {
        "binary data"
    }
}

/// Runs the format's extractor with panics contained (parser crates may panic on bad input).
fn extract(file: &str, format: Format, bytes: &[u8]) -> Result<Extracted, ImportError> {
    let run = || match format {
        Format::Pdf => pdf::extract(file, bytes),
        Format::Docx => docx::extract(file, bytes),
        Format::Html => html::extract(file, bytes),
        Format::Markdown => markdown::extract(file, bytes, false),
        Format::Text => markdown::extract(file, bytes, true),
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(ImportError::ParserFailed {
            file: file.to_string(),
            format: format.as_str(),
        })
    })
}

/// Checks that the rendered entry passes the corpus loader, as `haipedia check` will.
fn verify(file: &str, path: &Path, text: &str) -> Result<(), ImportError> {
    if text.len() as u64 > MAX_ENTRY_FILE_BYTES {
        return Err(ImportError::Invalid {
            file: file.to_string(),
            reason: format!("the entry is {} bytes, above the corpus cap", text.len()),
        });
    }
    crate::corpus::Corpus::parse_markdown(path, text)
        .map(|_| ())
        .map_err(|e| ImportError::Invalid {
            file: file.to_string(),
            reason: e.kind.to_string(),
        })
}

/// The file name without its extension.
fn stem(name: &str) -> &str {
    Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name)
}

/// The entry id of a document: the slug of its file name without extension (as the
/// evaluation matrix names documents), at most [`MAX_ID_CHARS`]; a name with no ASCII letter or
/// digit gets `dokumen-` and the start of its hash.
fn base_id(name: &str, hash: &str) -> EntryId {
    let slug = document_id(stem(name)).0;
    let mut slug: String = slug.chars().take(MAX_ID_CHARS).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        let hex = hash.trim_start_matches("blake3:");
        slug = format!("dokumen-{}", &hex[..hex.len().min(12)]);
    }
    EntryId(slug)
}

/// The title a document's text gives when its metadata has none: for DOCX and HTML the first
/// level-1 heading (Word's Title or Heading 1 style, `<h1>`); for Markdown a `# ` heading on
/// the first line (converted documents put cover-page fragments in headings further down, so
/// only a title line counts); PDF and plain text have no heading marks of their own. Else the
/// caller takes the file name.
fn title_line(format: Format, body: &str) -> Option<String> {
    let text = |line: &str| {
        let t = line.trim_start_matches('#').replace("**", "");
        let t = t.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    match format {
        Format::Docx | Format::Html => body.lines().filter(|l| l.starts_with("## ")).find_map(text),
        Format::Markdown => body
            .lines()
            .next()
            .filter(|l| l.starts_with("# "))
            .and_then(text),
        Format::Pdf | Format::Text => None,
    }
}

/// A title on one line: no emphasis marks or control characters, spaces collapsed, at most
/// [`MAX_TITLE_CHARS`].
fn clean_title(title: String) -> String {
    let words: Vec<&str> = title.split_whitespace().collect();
    let title: String = words
        .join(" ")
        .replace("**", "")
        .chars()
        .filter(|c| !crate::corpus::is_unsafe_char(*c))
        .collect();
    if title.chars().count() <= MAX_TITLE_CHARS {
        title
    } else {
        let mut cut: String = title.chars().take(MAX_TITLE_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// The documents under `paths`: files as named (any extension: an unsupported one is an error
/// for it), folders walked recursively for the supported extensions (hidden entries,
/// `README.md` and symbolic links inside folders are skipped). Sorted per argument.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<ImportError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(ImportError::Unreadable {
                    file: write::display(path),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        if !meta.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        let mut pending = vec![path.clone()];
        while let Some(dir) = pending.pop() {
            let items = match std::fs::read_dir(&dir) {
                Ok(items) => items,
                Err(e) => {
                    errors.push(ImportError::Unreadable {
                        file: write::display(&dir),
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            for item in items.flatten() {
                let name = item.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.starts_with('.') || name == "README.md" {
                    continue;
                }
                match item.file_type() {
                    Ok(t) if t.is_dir() => pending.push(item.path()),
                    Ok(t) if t.is_file() && Format::of(name).is_some() => found.push(item.path()),
                    _ => {}
                }
            }
        }
        found.sort();
        files.extend(found);
    }
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_titles_and_formats() {
        let hash = format!("blake3:{}", "ab".repeat(32));
        assert_eq!(base_id("Juknis Void SPM.md", &hash).0, "juknis-void-spm");
        assert_eq!(base_id("SOP Reset.DOCX", &hash).0, "sop-reset");
        assert_eq!(base_id("Петунжук.pdf", &hash).0, "dokumen-abababababab");
        assert!(base_id(&format!("{}.pdf", "a".repeat(300)), &hash).0.len() <= MAX_ID_CHARS);
        assert_eq!(Format::of("a.HTM"), Some(Format::Html));
        assert_eq!(Format::of("a.doc"), None);
        assert_eq!(
            title_line(Format::Markdown, "# **Judul**\n## A"),
            Some("Judul".to_string())
        );
        assert_eq!(title_line(Format::Markdown, "teks\n# Sampul"), None);
        assert_eq!(
            title_line(Format::Html, "teks\n### Sub\n## Judul"),
            Some("Judul".to_string())
        );
        assert_eq!(title_line(Format::Pdf, "## BAB I"), None);
        assert_eq!(clean_title(" a \n b\u{202e} ".to_string()), "a b");
    }

    #[test]
    fn content_must_match_the_extension() {
        let e = check_content("x.pdf", Format::Pdf, b"\x00\x01binary").unwrap_err();
        assert!(e.to_string().contains("binary data"), "{e}");
        let e = check_content(
            "x.docx",
            Format::Docx,
            &[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
        );
        assert!(matches!(e, Err(ImportError::Encrypted { .. })));
        assert!(check_content("x.md", Format::Markdown, b"%PDF-1.4").is_err());
        assert!(check_content("x.md", Format::Markdown, b"# a").is_ok());
    }
}
