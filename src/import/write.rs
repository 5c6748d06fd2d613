//! Entry files of an import folder: what is there already (and from which document), the
//! Markdown of a new entry, and writing it atomically (temporary file, fsync, rename) under a
//! name made only of the entry id, so nothing lands outside the folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::corpus::{read_text, shown, Corpus, EntryId, ImportStamp, MAX_ENTRY_FILE_BYTES};

/// An entry file found in the import folder.
#[derive(Debug, Clone)]
pub struct Existing {
    /// Its id, or `None` when the file does not parse as an entry.
    pub id: Option<EntryId>,
    /// What an import recorded in it.
    pub stamp: ImportStamp,
    /// Its category.
    pub category: Option<String>,
}

/// The entry files directly in `dir` (`*.md`, not `README.md`, not hidden), keyed by path.
/// A missing folder has none.
pub fn scan(dir: &Path) -> Result<HashMap<PathBuf, Existing>, std::io::Error> {
    let mut found = HashMap::new();
    let items = match std::fs::read_dir(dir) {
        Ok(items) => items,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e),
    };
    for item in items {
        let item = item?;
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') || name == "README.md" || !name.ends_with(".md") {
            continue;
        }
        let path = item.path();
        let parsed = read_text(&path, MAX_ENTRY_FILE_BYTES, false)
            .and_then(|text| Corpus::parse_markdown_stamped(&path, &text));
        let existing = match parsed {
            Ok((entry, stamp)) => Existing {
                id: Some(entry.id),
                stamp,
                category: entry.category,
            },
            Err(_) => Existing {
                id: None,
                stamp: ImportStamp::default(),
                category: None,
            },
        };
        found.insert(path, existing);
    }
    Ok(found)
}

/// The front matter fields of an imported entry.
pub struct Fields<'a> {
    /// Entry id (a slug).
    pub id: &'a EntryId,
    /// Title.
    pub title: &'a str,
    /// Category, if one was given.
    pub category: Option<&'a str>,
    /// The document's file name.
    pub source_file: &'a str,
    /// `blake3:<hex>` of the document.
    pub source_hash: &'a str,
    /// Import time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub imported: &'a str,
}

/// The entry file's text: front matter (strings as YAML double-quoted scalars) and body.
pub fn render(fields: &Fields<'_>, body: &str) -> String {
    // a JSON string is a valid YAML double-quoted scalar
    let quoted = |s: &str| serde_json::Value::String(s.to_string()).to_string();
    let mut text = String::from("---\n");
    text.push_str(&format!("id: {}\n", fields.id));
    text.push_str(&format!("title: {}\n", quoted(fields.title)));
    text.push_str("type: article\n");
    if let Some(category) = fields.category {
        text.push_str(&format!("category: {}\n", quoted(category)));
    }
    text.push_str(&format!("source_file: {}\n", quoted(fields.source_file)));
    text.push_str(&format!("source_hash: {}\n", fields.source_hash));
    text.push_str(&format!("imported: {}\n", fields.imported));
    text.push_str("---\n");
    text.push_str(body.trim());
    text.push('\n');
    text
}

/// The path of entry `id` in `dir`; `None` if the id is not a plain file name (it always is for
/// the slugs the importer makes: this is the last guard before writing).
pub fn entry_path(dir: &Path, id: &EntryId) -> Option<PathBuf> {
    let name = format!("{id}.md");
    let plain = EntryId::is_file_name(&id.0) && Path::new(&name).components().count() == 1;
    plain.then(|| dir.join(name))
}

pub use crate::corpus::write::write_atomic;

/// A path as messages show it.
pub fn display(path: &Path) -> String {
    shown(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_entries_parse_back() {
        let id = EntryId("juknis-a".into());
        let hash = format!("blake3:{}", "0".repeat(64));
        let fields = Fields {
            id: &id,
            title: "Juknis: \"A\" #1\n",
            category: Some("SAKTI"),
            source_file: "Juknis: A.pdf",
            source_hash: &hash,
            imported: "2026-11-30T07:00:00Z",
        };
        let text = render(&fields, "## Bagian\nisi");
        let (entry, stamp) = Corpus::parse_markdown_stamped(Path::new("x.md"), &text).unwrap();
        assert_eq!(entry.title, "Juknis: \"A\" #1");
        assert_eq!(entry.category.as_deref(), Some("SAKTI"));
        assert_eq!(stamp.source_file.as_deref(), Some("Juknis: A.pdf"));
        assert_eq!(stamp.source_hash.as_deref(), Some(hash.as_str()));
        assert_eq!(entry.body, "## Bagian\nisi");
    }

    #[test]
    fn paths_stay_in_the_folder_and_writes_are_atomic() {
        let dir = tempfile::tempdir().unwrap();
        assert!(entry_path(dir.path(), &EntryId("../x".into())).is_none());
        assert!(entry_path(dir.path(), &EntryId("a/b".into())).is_none());
        assert!(entry_path(dir.path(), &EntryId("..".into())).is_none());
        let path = entry_path(dir.path(), &EntryId("a-b_1".into())).unwrap();
        assert_eq!(path.parent(), Some(dir.path()));
        write_atomic(&path, "one").unwrap();
        write_atomic(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }
}
