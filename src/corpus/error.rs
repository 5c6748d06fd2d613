//! Corpus errors: every one names the file and the line.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

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
    /// A FIFO, socket, device or folder where a file was expected: only regular files are read
    /// (opening a FIFO would wait forever, a device would never end).
    #[error("not a regular file ({0}): only regular files are read")]
    NotRegularFile(&'static str),
    /// A symbolic link: links are never followed, so nothing outside the corpus folder is read
    /// and no folder is walked twice.
    #[error("symbolic link: links are not followed; put the file or folder itself in the corpus")]
    SymbolicLink,
    /// The file is larger than the loader reads (checked before reading).
    #[error("file is {size} bytes; at most {max} are read")]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The cap for this kind of file.
        max: u64,
    },
    /// A file or folder name that cannot be shown or matched safely.
    #[error("file name {0}: rename it")]
    BadFileName(&'static str),
    /// A front matter field of the wrong YAML type (never converted or dropped silently).
    #[error("'{field}' must be {expected}, but {found}")]
    WrongType {
        /// The front matter key.
        field: &'static str,
        /// What it must be ("a string", "a list of strings", ...).
        expected: &'static str,
        /// What was written ("it is a number (12345)", "item 2 is null", ...).
        found: String,
    },
    /// A YAML tag (`!!binary`, `!!str`, `!name`, `!<...>`): front matter is plain text.
    #[error("YAML tag '{0}' is not allowed: write the value as plain text")]
    YamlTag(String),
    /// `updated` is not a date written YYYY-MM-DD.
    #[error("invalid date '{0}' in 'updated': write YYYY-MM-DD")]
    InvalidDate(String),
}

impl fmt::Display for CorpusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", shown(&self.path), self.line, self.kind)
    }
}

/// Whether `c` must not appear as itself in a message: control characters (a newline in a file
/// name would forge a line of `check`'s output), line separators and bidirectional overrides.
pub(crate) fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// A path as messages show it: unsafe characters (see [`is_unsafe_char`]) escaped as in Rust
/// (`\n`, `\u{202e}`), bytes that are not UTF-8 as `\xNN`; any other path is shown unchanged.
pub(crate) fn shown(path: &Path) -> String {
    let mut out = String::new();
    for chunk in path.as_os_str().as_encoded_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_unsafe_char(c) {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_without_control_characters() {
        assert_eq!(shown(Path::new("corpus/bot/a b.md")), "corpus/bot/a b.md");
        assert_eq!(
            shown(Path::new("a\nb.md:1: forged\u{202e}.md")),
            "a\\nb.md:1: forged\\u{202e}.md"
        );
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let raw = std::ffi::OsStr::from_bytes(b"x\xff\x1b.md");
            assert_eq!(shown(Path::new(raw)), "x\\xff\\u{1b}.md");
        }
    }
}
