//! Writing entries: an entry's fields as the Markdown file the loader reads (plain YAML where
//! safe, double-quoted otherwise), checked by parsing it back exactly as `haipedia check` does with
//! each problem at its form field, the file's version (blake3 of its bytes), and atomic writes
//! (a temporary file in the same folder, fsync, rename, folder fsync).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Corpus, CorpusErrorKind, Entry, EntryType, ImportStamp, MAX_ENTRY_FILE_BYTES};

/// Front matter keys an edit does not set, carried over from the file being replaced.
pub const KEPT_KEYS: [&str; 5] = ["action", "source", "source_file", "source_hash", "imported"];

/// One validation problem, at the form field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// `id`, `title`, `type`, `category`, `tags`, `questions` or `body`.
    pub field: String,
    /// What is wrong, as `haipedia check` says it.
    pub message: String,
}

/// An entry's fields as an editor wrote them, and the front matter the file keeps.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    /// Entry id (already checked to be a slug).
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// `faq` or `article` (anything else is reported at `type`).
    pub kind: &'a str,
    /// Category, if any.
    pub category: Option<&'a str>,
    /// Keywords.
    pub tags: &'a [String],
    /// Alternative phrasings.
    pub questions: &'a [String],
    /// Markdown body.
    pub body: &'a str,
    /// The `updated` date, YYYY-MM-DD.
    pub updated: &'a str,
    /// Front matter carried over from the file being replaced ([`kept_fields`]).
    pub kept: &'a BTreeMap<&'static str, String>,
}

/// The version of a file's text: blake3 of its bytes, in hex.
pub fn version_of(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex().to_string()
}

/// The string values of [`KEPT_KEYS`] in a file's front matter.
pub fn kept_fields(text: &str) -> BTreeMap<&'static str, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    lines.next();
    let front: String = lines.take_while(|l| l.trim_end() != "---").collect();
    let map: BTreeMap<String, serde_yaml::Value> = serde_yaml::from_str(&front).unwrap_or_default();
    KEPT_KEYS
        .into_iter()
        .filter_map(|k| match map.get(k) {
            Some(serde_yaml::Value::String(s)) => Some((k, s.clone())),
            _ => None,
        })
        .collect()
}

/// A YAML scalar for `s`: plain when it is safely plain text, else double-quoted (a JSON string
/// is a valid YAML double-quoted scalar).
fn scalar(s: &str) -> String {
    let keyword = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
    );
    let plain = !s.is_empty()
        && !keyword
        && s.parse::<f64>().is_err()
        && s.chars().next().is_some_and(char::is_alphanumeric)
        && !s.ends_with(' ')
        && s.chars()
            .all(|c| c.is_alphanumeric() || " -_.,()/?'&+".contains(c));
    if plain {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}

/// The file text of `draft` and, for each of its lines, the form field it belongs to.
pub fn render(draft: &Draft<'_>) -> (String, Vec<&'static str>) {
    let (id, input, kept, today) = (draft.id, draft, draft.kept, draft.updated);
    let mut text = String::from("---\n");
    let mut lines = vec!["id"];
    let mut line = |text: &mut String, field: &'static str, s: String| {
        text.push_str(&s);
        text.push('\n');
        lines.push(field);
    };
    line(&mut text, "id", format!("id: {id}"));
    line(
        &mut text,
        "title",
        format!("title: {}", scalar(input.title)),
    );
    line(&mut text, "type", format!("type: {}", scalar(input.kind)));
    if let Some(c) = input.category.filter(|c| !c.trim().is_empty()) {
        line(&mut text, "category", format!("category: {}", scalar(c)));
    }
    for (key, field, items) in [
        ("tags", "tags", input.tags),
        ("questions", "questions", input.questions),
    ] {
        if !items.is_empty() {
            line(&mut text, field, format!("{key}:"));
            for item in items {
                line(&mut text, field, format!("  - {}", scalar(item)));
            }
        }
    }
    line(&mut text, "updated", format!("updated: {today}"));
    for (key, value) in kept {
        line(&mut text, key, format!("{key}: {}", scalar(value)));
    }
    line(&mut text, "body", "---".to_string());
    text.push_str(input.body.trim());
    text.push('\n');
    (text, lines)
}

/// Checks `text` (rendered from `input`, `lines` its fields) exactly as the loader reads it at
/// `path`, and that it holds what the editor typed; every problem comes back at its field.
pub fn check(
    path: &Path,
    text: &str,
    lines: &[&'static str],
    input: &Draft<'_>,
) -> Result<(Entry, ImportStamp), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, kind: CorpusErrorKind| {
        problems.push(FieldProblem {
            field: field.to_string(),
            message: kind.to_string(),
        })
    };
    if input.title.trim().is_empty() {
        problem("title", CorpusErrorKind::MissingField("title"));
    }
    if EntryType::parse(input.kind).is_none() {
        problem("type", CorpusErrorKind::InvalidType(input.kind.to_string()));
    }
    if input.body.trim().is_empty() {
        problem("body", CorpusErrorKind::EmptyBody);
    }
    if text.len() as u64 > MAX_ENTRY_FILE_BYTES {
        problem(
            "body",
            CorpusErrorKind::TooLarge {
                size: text.len() as u64,
                max: MAX_ENTRY_FILE_BYTES,
            },
        );
    }
    match Corpus::parse_markdown_stamped(path, text) {
        Ok((entry, stamp)) => {
            let same = |field: &str, ok: bool, problems: &mut Vec<FieldProblem>| {
                if !ok {
                    problems.push(FieldProblem {
                        field: field.to_string(),
                        message: "cannot be stored exactly as written: remove leading or trailing \
                                  spaces and control characters"
                            .into(),
                    });
                }
            };
            same("title", entry.title == input.title, &mut problems);
            same(
                "category",
                entry.category.as_deref().map(str::trim)
                    == input.category.map(str::trim).filter(|c| !c.is_empty()),
                &mut problems,
            );
            same("tags", entry.tags == input.tags, &mut problems);
            same(
                "questions",
                entry.questions == input.questions,
                &mut problems,
            );
            if problems.is_empty() {
                return Ok((entry, stamp));
            }
        }
        Err(e) => {
            let field = lines
                .get(e.line.saturating_sub(1))
                .copied()
                .unwrap_or("body");
            if !problems
                .iter()
                .any(|p| p.field == field && p.message == e.kind.to_string())
            {
                problems.push(FieldProblem {
                    field: field.to_string(),
                    message: e.kind.to_string(),
                });
            }
        }
    }
    Err(problems)
}

/// Writes `text` to `path` atomically: a temporary file beside it, flushed to disk, renamed over
/// it, then the folder flushed. On failure the temporary file is removed and `path` is unchanged.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), std::io::Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("entry");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    } else {
        sync_dir(path);
    }
    result
}

/// Temporary files of [`write_atomic`] older than this are leftovers of a killed writer.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporary files a killed writer left under `dir` (hidden `.<name>.<uuid>.tmp`,
/// untouched for an hour, so a running writer's are spared); returns the ones removed. The
/// corpus loader never reads them; this keeps them from piling up.
pub fn remove_stale_temporaries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut removed = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(items) = std::fs::read_dir(&folder) else {
            continue;
        };
        for item in items.flatten() {
            let Ok(kind) = item.file_type() else { continue };
            let path = item.path();
            if kind.is_dir() {
                folders.push(path);
                continue;
            }
            let name = item.file_name();
            let name = name.to_string_lossy();
            let stale = item
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= STALE_AFTER);
            if kind.is_file()
                && name.starts_with('.')
                && name.ends_with(".tmp")
                && stale
                && std::fs::remove_file(&path).is_ok()
            {
                removed.push(path);
            }
        }
    }
    removed
}

/// Removes `path` and flushes its folder, so the removal survives a crash.
pub fn remove_synced(path: &Path) -> Result<(), std::io::Error> {
    std::fs::remove_file(path)?;
    sync_dir(path);
    Ok(())
}

/// Flushes the folder holding `path` (so a rename or removal survives a crash); best effort.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_old_temporaries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("imported");
        std::fs::create_dir(&sub).unwrap();
        let old = sub.join(".a.md.0123456789abcdef0123456789abcdef.tmp");
        let fresh = dir
            .path()
            .join(".b.md.fedcba9876543210fedcba9876543210.tmp");
        let entry = dir.path().join("c.md");
        for p in [&old, &fresh, &entry] {
            std::fs::write(p, "x").unwrap();
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for p in [&old, &entry] {
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(two_hours_ago)
                .unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path()), vec![old.clone()]);
        assert!(!old.exists() && fresh.exists() && entry.exists());
    }

    use super::*;

    #[test]
    fn drafts_round_trip_with_kept_fields_and_odd_text() {
        let kept = kept_fields(
            "---\nid: a\nsource: PER-8\nimported: 2026-11-30T07:00:00Z\ntitle: x\n---\nb\n",
        );
        assert_eq!(kept.get("source").map(String::as_str), Some("PER-8"));
        let tags = vec![
            "sakti".to_string(),
            "2026".into(),
            "a: b".into(),
            "yes".into(),
        ];
        let questions = vec!["- apa #ini".to_string(), "gmn cara reset pw?".into()];
        let draft = Draft {
            id: "a",
            title: "Judul: \"x\" #1",
            kind: "faq",
            category: Some("TIK.2 Layanan"),
            tags: &tags,
            questions: &questions,
            body: "## Bagian\n---\nisi",
            updated: "2026-11-30",
            kept: &kept,
        };
        let (text, lines) = render(&draft);
        assert_eq!(text.lines().count(), lines.len() + 3, "{text}");
        let (entry, stamp) = check(Path::new("a.md"), &text, &lines, &draft).unwrap();
        assert_eq!(entry.title, draft.title);
        assert_eq!(entry.tags, tags);
        assert_eq!(entry.questions, questions);
        assert_eq!(entry.body, "## Bagian\n---\nisi");
        assert_eq!(stamp.imported.as_deref(), Some("2026-11-30T07:00:00Z"));
        assert!(
            text.contains("category: TIK.2 Layanan\n"),
            "plain where safe: {text}"
        );
    }

    #[test]
    fn problems_come_at_their_fields() {
        let kept = BTreeMap::new();
        let draft = Draft {
            id: "a",
            title: " ",
            kind: "blog",
            category: None,
            tags: &[],
            questions: &[],
            body: " ",
            updated: "2026-11-30",
            kept: &kept,
        };
        let (text, lines) = render(&draft);
        let problems = check(Path::new("a.md"), &text, &lines, &draft).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "type", "body"], "{problems:?}");
    }

    #[test]
    fn writes_are_atomic_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_atomic(&path, "one").unwrap();
        write_atomic(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(version_of("two"), blake3::hash(b"two").to_hex().to_string());
        remove_synced(&path).unwrap();
        assert!(!path.exists());
    }
}
