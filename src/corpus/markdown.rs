//! Markdown entries: YAML front matter between `---` lines, then the body.

use std::path::Path;

use serde::Deserialize;

use super::{validate, CorpusError, CorpusErrorKind, Entry, EntryId, EntryType, Origin};

/// Front matter fields; unknown keys are rejected so a typo never silently drops data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Option<String>,
    title: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
    updated: Option<serde_yaml::Value>,
    action: Option<String>,
    /// Where the facts come from (for editors; not indexed).
    #[allow(dead_code)]
    source: Option<String>,
}

/// Parses one Markdown entry file.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Entry, CorpusError> {
    let err = |line: usize, kind| CorpusError {
        path: path.to_path_buf(),
        line,
        kind,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return Err(err(1, CorpusErrorKind::MissingFrontMatter));
    }
    let mut front = String::new();
    let mut closed_at = None;
    for (i, line) in lines.by_ref().enumerate() {
        if line.trim_end() == "---" {
            closed_at = Some(i + 2);
            break;
        }
        front.push_str(line);
    }
    let Some(close_line) = closed_at else {
        return Err(err(1, CorpusErrorKind::UnclosedFrontMatter));
    };
    let body: String = lines.collect();
    let fm: FrontMatter = serde_yaml::from_str(&front).map_err(|e| {
        let (line, message) = match e.location() {
            // the parser counts from the front matter's first line; the file has '---' above it
            Some(l) => {
                let text = e.to_string();
                let suffix = format!(" at line {} column {}", l.line(), l.column());
                let text = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
                (l.line() + 1, format!("{text} (column {})", l.column()))
            }
            None => (1, e.to_string()),
        };
        err(
            line,
            CorpusErrorKind::Syntax {
                format: "front matter",
                message,
            },
        )
    })?;
    let key_line = |key: &str| key_line(&front, key).unwrap_or(1);
    let kind = match fm.kind.as_deref() {
        None => EntryType::Article,
        Some(k) => EntryType::parse(k).ok_or_else(|| {
            err(
                key_line("type"),
                CorpusErrorKind::InvalidType(k.to_string()),
            )
        })?,
    };
    let entry = Entry {
        id: EntryId(fm.id.unwrap_or_default().trim().to_string()),
        title: fm.title.unwrap_or_default().trim().to_string(),
        kind,
        category: fm.category.filter(|c| !c.trim().is_empty()),
        tags: fm.tags,
        questions: fm.questions,
        updated: fm.updated.and_then(|v| match v {
            serde_yaml::Value::String(s) => Some(s),
            serde_yaml::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
        action: fm.action,
        body: body.trim().to_string(),
        origin: Origin {
            path: path.to_path_buf(),
            line: key_line("id"),
        },
    };
    validate(&entry, true).map_err(|kind| {
        let line = match kind {
            CorpusErrorKind::EmptyBody => close_line,
            CorpusErrorKind::MissingField(f) => key_line(f),
            _ => key_line("id"),
        };
        err(line, kind)
    })?;
    Ok(entry)
}

/// 1-based file line of a top-level front matter key (the file's line 1 is the opening `---`).
fn key_line(front: &str, key: &str) -> Option<usize> {
    front
        .lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map(|i| i + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Entry, CorpusError> {
        parse(Path::new("x.md"), text)
    }

    #[test]
    fn parses_a_faq() {
        let e = parse_str("---\nid: a-b\ntitle: Judul\ntype: faq\ntags: [sakti]\nquestions:\n  - gmn\nupdated: 2026-11-22\n---\nIsi jawaban.\n").unwrap();
        assert_eq!(e.id.0, "a-b");
        assert_eq!(e.kind, EntryType::Faq);
        assert_eq!(e.questions, vec!["gmn"]);
        assert_eq!(e.updated.as_deref(), Some("2026-11-22"));
        assert_eq!(e.body, "Isi jawaban.");
        assert_eq!(e.origin.line, 2);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_str("---\nid: a\ntitle: [unclosed\n---\nbody\n").unwrap_err();
        assert!(matches!(e.kind, CorpusErrorKind::Syntax { .. }), "{e}");
        assert_eq!(e.line, 3, "{e}");
        let e = parse_str("---\nid: a\ntitle: t\ntype: blog\n---\nbody\n").unwrap_err();
        assert_eq!(
            (e.line, e.kind),
            (4, CorpusErrorKind::InvalidType("blog".into()))
        );
        let e = parse_str("---\nid: a\ntitle: t\n---\n\n").unwrap_err();
        assert_eq!((e.line, e.kind), (4, CorpusErrorKind::EmptyBody));
        let e = parse_str("---\nid: a\nbody: t\n---\nx\n").unwrap_err();
        assert!(e.to_string().starts_with("x.md:"), "{e}");
        let e = parse_str("no front matter").unwrap_err();
        assert_eq!(e.kind, CorpusErrorKind::MissingFrontMatter);
        let e = parse_str("---\nid: a\n").unwrap_err();
        assert_eq!(e.kind, CorpusErrorKind::UnclosedFrontMatter);
        let e = parse_str("---\nid: Bad Id\ntitle: t\n---\nx\n").unwrap_err();
        assert_eq!(e.kind, CorpusErrorKind::InvalidId("Bad Id".into()));
        let e = parse_str("---\nid: a\n---\nx\n").unwrap_err();
        assert_eq!(e.kind, CorpusErrorKind::MissingField("title"));
    }
}
