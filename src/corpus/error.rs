//! Corpus errors: every one names the file and the line.

use std::fmt;
use std::path::PathBuf;

/// One problem in one corpus file, at one line.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusError {
    /// The file at fault.
    pub path: PathBuf,
    /// 1-based line of the problem (1 when it concerns the whole file).
    pub line: usize,
    /// What is wrong.
    pub kind: CorpusErrorKind,
}

/// What can be wrong with a corpus file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CorpusErrorKind {
    /// The file could not be read (permissions, not UTF-8, ...).
    #[error("cannot read file: {0}")]
    Unreadable(String),
    /// A Markdown entry without the opening `---` front matter line.
    #[error("missing front matter: the file must start with a line '---'")]
    MissingFrontMatter,
    /// Front matter opened but never closed.
    #[error("front matter is not closed: add a line '---' after it")]
    UnclosedFrontMatter,
    /// YAML or JSON that does not parse or does not fit the schema.
    #[error("invalid {format}: {message}")]
    Syntax {
        /// "front matter" or "JSON".
        format: &'static str,
        /// The parser's explanation.
        message: String,
    },
    /// A required field is absent or blank.
    #[error("missing or empty field '{0}'")]
    MissingField(&'static str),
    /// A menu example names a menu the bot does not have.
    #[error("invalid menu {0}: use 2-6 (the bot's transactional menus) or 0 (a question)")]
    InvalidMenu(u8),
    /// The entry id has characters other than a-z, 0-9, '-', '_' and '.'.
    #[error("invalid id '{0}': use lowercase letters, digits, '-', '_' or '.'")]
    InvalidId(String),
    /// `type` is neither `article` nor `faq`.
    #[error("invalid type '{0}': use 'article' or 'faq'")]
    InvalidType(String),
    /// Two entries share one id.
    #[error("duplicate id '{id}' (first defined in {first})")]
    DuplicateId {
        /// The id used twice.
        id: String,
        /// `path:line` of the first definition.
        first: String,
    },
    /// A labelled query names an entry that does not exist.
    #[error("unknown entry id '{0}' in 'relevant'")]
    UnknownId(String),
    /// The entry has no body text.
    #[error("empty body: the entry has no text")]
    EmptyBody,
}

impl fmt::Display for CorpusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.kind)
    }
}

impl std::error::Error for CorpusError {}

/// All problems found in a corpus; loading fails if there is at least one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} problem(s) in the corpus:\n{}", .0.len(), render(.0))]
pub struct CorpusErrors(pub Vec<CorpusError>);

fn render(errors: &[CorpusError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}
