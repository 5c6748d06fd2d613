//! Corpus: load HAIPEDIA entries (Markdown with front matter, or JSONL), validate them, cut passages.

mod chunk;
mod documents;
mod error;
mod files;
mod jsonl;
mod markdown;
mod menus;
pub mod write;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use chunk::{chunk_entry, Passage, TokenCounter, WordCounter};
pub use documents::{document_id, load_documents};
pub(crate) use error::{is_unsafe_char, shown};
pub use error::{CorpusError, CorpusErrorKind, CorpusErrors};
use files::Listing;
pub(crate) use files::{read_file, read_text};
pub use files::{MAX_ENTRY_FILE_BYTES, MAX_JSONL_FILE_BYTES};
pub use markdown::ImportStamp;
pub use menus::{MenuExample, MENU_NUMBERS};
pub use write::FieldProblem;

/// Stable identifier of an entry (front matter `id` or JSONL `id`); passages of one entry share it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(pub String);

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl EntryId {
    /// Whether `id` is a valid slug: non-empty, lowercase letters, digits, '-', '_' or '.'.
    pub fn is_valid(id: &str) -> bool {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
    }

    /// Whether `id` can name its own file `<id>.md` in a folder: a valid slug that does not start
    /// with '.' (no hidden file, no `..`).
    pub fn is_file_name(id: &str) -> bool {
        EntryId::is_valid(id) && !id.starts_with('.')
    }
}

/// Kind of entry: a longer article (cut into passages) or an FAQ (one question, kept whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    /// Explanatory text, possibly long, with sections.
    Article,
    /// One question and its answer, with alternative phrasings.
    Faq,
}

impl EntryType {
    /// Parses `article` / `faq` (case-insensitive).
    pub fn parse(s: &str) -> Option<EntryType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "article" => Some(EntryType::Article),
            "faq" => Some(EntryType::Faq),
            _ => None,
        }
    }

    /// The lowercase name used in files and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryType::Article => "article",
            EntryType::Faq => "faq",
        }
    }
}

/// Where an entry came from, for error messages and editors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// Corpus file.
    pub path: PathBuf,
    /// 1-based line where the entry starts (JSONL) or its `id` is declared (Markdown).
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", error::shown(&self.path), self.line)
    }
}

/// One HAIPEDIA article or FAQ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable id.
    pub id: EntryId,
    /// Title shown to users.
    pub title: String,
    /// Article or FAQ.
    #[serde(rename = "type")]
    pub kind: EntryType,
    /// Catalogue service (or general HAI-DJPb category) the entry belongs to.
    pub category: Option<String>,
    /// Free keywords.
    pub tags: Vec<String>,
    /// Alternative phrasings of the question (FAQs).
    pub questions: Vec<String>,
    /// Last update date as written by the editor.
    pub updated: Option<String>,
    /// Bot menu the entry belongs to (e.g. `whatsapp-menu-6`).
    pub action: Option<String>,
    /// Markdown body.
    pub body: String,
    /// File and line it was loaded from.
    pub origin: Origin,
}

impl Entry {
    /// Everything a question can be matched against: title, phrasings, tags and body.
    pub fn full_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.title,
            self.questions.join("\n"),
            self.tags.join(" "),
            self.body
        )
    }

    /// The title, or for untitled imports the first words of the body.
    pub fn display_title(&self) -> String {
        if !self.title.trim().is_empty() {
            return self.title.clone();
        }
        let words: Vec<&str> = self.body.split_whitespace().collect();
        let mut title = words.iter().take(12).copied().collect::<Vec<_>>().join(" ");
        if words.len() > 12 {
            title.push('…');
        }
        title
    }
}

/// A validated set of entries with unique ids.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Entries in a stable order (sorted by id).
    pub entries: Vec<Entry>,
    /// Example messages for the bot's transactional menus (`menus/*.jsonl`), in file order.
    pub menu_examples: Vec<MenuExample>,
}

impl Corpus {
    /// Loads every `*.md` and `*.jsonl` file under `dir`, skipping `README.md`, hidden files and any
    /// `eval/` folder (labelled queries live there); `menus/*.jsonl` holds menu examples, not
    /// entries. Only regular files are read, each up to [`MAX_ENTRY_FILE_BYTES`] (Markdown) or
    /// [`MAX_JSONL_FILE_BYTES`] (JSONL); symbolic links, FIFOs, sockets and devices that would be
    /// read, and names that are not UTF-8 or hold control characters, are reported instead. All
    /// problems are reported together.
    pub fn load_dir(dir: &Path) -> Result<Corpus, CorpusErrors> {
        let listing = Listing::of(dir).map_err(|e| CorpusErrors(vec![e]))?;
        let mut errors = listing.errors;
        let mut entries = Vec::new();
        for path in listing.entries {
            let jsonl = path.extension().is_some_and(|e| e == "jsonl");
            let max = if jsonl {
                MAX_JSONL_FILE_BYTES
            } else {
                MAX_ENTRY_FILE_BYTES
            };
            let text = match read_text(&path, max, false) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let parsed = if jsonl {
                jsonl::parse(&path, &text)
            } else {
                markdown::parse(&path, &text)
                    .map(|e| vec![e])
                    .map_err(|e| vec![e])
            };
            match parsed {
                Ok(mut es) => entries.append(&mut es),
                Err(mut es) => errors.append(&mut es),
            }
        }
        errors.extend(duplicate_ids(&entries));
        let mut menu_examples = Vec::new();
        for path in listing.menus {
            let parsed = read_text(&path, MAX_JSONL_FILE_BYTES, false)
                .map_err(|e| vec![e])
                .and_then(|text| menus::parse(&path, &text));
            match parsed {
                Ok(mut m) => menu_examples.append(&mut m),
                Err(mut es) => errors.append(&mut es),
            }
        }
        if !errors.is_empty() {
            return Err(CorpusErrors(errors));
        }
        let mut corpus = Corpus::sorted(entries);
        corpus.menu_examples = menu_examples;
        Ok(corpus)
    }

    /// Reads one JSONL file of entries, in file order (every bad line reported). The path is
    /// followed if it is a symbolic link (it is named, not found), but it must lead to a regular
    /// file of at most [`MAX_JSONL_FILE_BYTES`].
    pub fn read_jsonl(path: &Path) -> Result<Vec<Entry>, CorpusErrors> {
        let text =
            read_text(path, MAX_JSONL_FILE_BYTES, true).map_err(|e| CorpusErrors(vec![e]))?;
        jsonl::parse(path, &text).map_err(CorpusErrors)
    }

    /// Parses one Markdown entry from its text, as [`Corpus::load_dir`] does for each file (`path`
    /// names it in errors).
    pub fn parse_markdown(path: &Path, text: &str) -> Result<Entry, CorpusError> {
        markdown::parse(path, text)
    }

    /// [`Corpus::parse_markdown`], with what `haipedia import` recorded in the front matter.
    pub fn parse_markdown_stamped(
        path: &Path,
        text: &str,
    ) -> Result<(Entry, ImportStamp), CorpusError> {
        markdown::parse_stamped(path, text)
    }

    /// The entry files (Markdown and JSONL) [`Corpus::load_dir`] reads under `dir`, and the
    /// problems it would report about the folder's other files.
    pub fn entry_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<CorpusError>), CorpusError> {
        Listing::of(dir).map(|l| (l.entries, l.errors))
    }

    /// Parses JSONL entries from text, as [`Corpus::read_jsonl`] does for a file.
    pub fn parse_jsonl(path: &Path, text: &str) -> Result<Vec<Entry>, CorpusErrors> {
        jsonl::parse(path, text).map_err(CorpusErrors)
    }

    /// Builds a corpus from entries made elsewhere, rejecting duplicate ids.
    pub fn from_entries(entries: Vec<Entry>) -> Result<Corpus, CorpusErrors> {
        let errors = duplicate_ids(&entries);
        if errors.is_empty() {
            Ok(Corpus::sorted(entries))
        } else {
            Err(CorpusErrors(errors))
        }
    }

    fn sorted(mut entries: Vec<Entry>) -> Corpus {
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Corpus {
            entries,
            menu_examples: Vec::new(),
        }
    }

    /// The entry with this id, if any.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.id.0.as_str().cmp(id))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the corpus has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One error per entry whose id was already used by an earlier entry.
fn duplicate_ids(entries: &[Entry]) -> Vec<CorpusError> {
    let mut first: HashMap<&str, &Origin> = HashMap::new();
    let mut errors = Vec::new();
    for entry in entries {
        if let Some(prev) = first.get(entry.id.0.as_str()) {
            errors.push(CorpusError {
                path: entry.origin.path.clone(),
                line: entry.origin.line,
                kind: CorpusErrorKind::DuplicateId {
                    id: entry.id.0.clone(),
                    first: prev.to_string(),
                },
            });
        } else {
            first.insert(&entry.id.0, &entry.origin);
        }
    }
    errors
}

/// Checks the fields every entry needs; `require_title` for formats written by editors.
pub(crate) fn validate(entry: &Entry, require_title: bool) -> Result<(), CorpusErrorKind> {
    if entry.id.0.trim().is_empty() {
        return Err(CorpusErrorKind::MissingField("id"));
    }
    if !EntryId::is_valid(&entry.id.0) {
        return Err(CorpusErrorKind::InvalidId(entry.id.0.clone()));
    }
    if entry.body.trim().is_empty() {
        return Err(CorpusErrorKind::EmptyBody);
    }
    if require_title && entry.title.trim().is_empty() {
        return Err(CorpusErrorKind::MissingField("title"));
    }
    Ok(())
}
