//! JSONL import: one entry per line, `{"id","title","text", optional "type","category","tags","questions"}`.
//! Exports and evaluation sets often have no titles: `title` may be absent or empty here (Markdown
//! entries, written by editors, must have one); such entries are shown by their first words.

use std::path::Path;

use serde::Deserialize;

use super::{validate, CorpusError, CorpusErrorKind, Entry, EntryId, EntryType, Origin};

#[derive(Debug, Deserialize)]
struct Line {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
    updated: Option<String>,
    action: Option<String>,
}

/// Parses a JSONL file; blank lines are allowed, every bad line is reported.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Entry>, Vec<CorpusError>> {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let err = |kind| CorpusError {
            path: path.to_path_buf(),
            line,
            kind,
        };
        let parsed: Line = match serde_json::from_str(raw) {
            Ok(p) => p,
            Err(e) => {
                errors.push(err(CorpusErrorKind::Syntax {
                    format: "JSON",
                    message: e.to_string(),
                }));
                continue;
            }
        };
        let kind = match parsed.kind.as_deref() {
            None => EntryType::Article,
            Some(k) => match EntryType::parse(k) {
                Some(t) => t,
                None => {
                    errors.push(err(CorpusErrorKind::InvalidType(k.to_string())));
                    continue;
                }
            },
        };
        let entry = Entry {
            id: EntryId(parsed.id.trim().to_string()),
            title: parsed.title.trim().to_string(),
            kind,
            category: parsed.category.filter(|c| !c.trim().is_empty()),
            tags: parsed.tags,
            questions: parsed.questions,
            updated: parsed.updated,
            action: parsed.action,
            body: parsed.text.trim().to_string(),
            origin: Origin {
                path: path.to_path_buf(),
                line,
            },
        };
        match validate(&entry, false) {
            Ok(()) => entries.push(entry),
            Err(kind) => errors.push(err(kind)),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_and_reports_bad_ones() {
        let ok = parse(Path::new("a.jsonl"), "{\"id\":\"x\",\"title\":\"T\",\"text\":\"isi\"}\n\n{\"id\":\"y\",\"title\":\"U\",\"text\":\"isi\",\"type\":\"faq\"}\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].kind, EntryType::Faq);
        assert_eq!(ok[1].origin.line, 3);
        let errs = parse(
            Path::new("a.jsonl"),
            "{\"id\":\"x\",\"title\":\"T\",\"text\":\"isi\"}\n{\"id\": \n{\"id\":\"z\",\"text\":\" \"}\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].line, 2);
        assert_eq!(
            errs[1].to_string(),
            "a.jsonl:3: empty body: the entry has no text"
        );
        let untitled = parse(
            Path::new("a.jsonl"),
            "{\"id\":\"u\",\"text\":\"Satu dua tiga\"}",
        )
        .unwrap();
        assert_eq!(untitled[0].display_title(), "Satu dua tiga");
    }
}
