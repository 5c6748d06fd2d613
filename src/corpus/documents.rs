//! Plain documents (Markdown or text without front matter, e.g. OCR'd guides): one article per file,
//! its id the slug of the file name and its title the first heading (else the file name). Used by the
//! evaluation matrix on document collections written elsewhere; editors' entries keep front matter.

use std::path::Path;

use super::error::is_unsafe_char;
use super::{
    read_file, CorpusError, CorpusErrorKind, CorpusErrors, Entry, EntryId, EntryType, Origin,
    MAX_ENTRY_FILE_BYTES,
};

/// The entry id for a document file name: lowercase ASCII letters and digits, other runs as `-`
/// ("Juknis Void SPM.md" -> "juknis-void-spm").
pub fn document_id(file_name: &str) -> EntryId {
    let stem = file_name
        .strip_suffix(".md")
        .or_else(|| file_name.strip_suffix(".txt"))
        .unwrap_or(file_name);
    let mut id = String::new();
    for c in stem.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    EntryId(id.trim_matches('-').to_string())
}

/// Loads every `*.md` / `*.txt` file directly in `dir` (not `README.md`) as an article. Only
/// regular files of at most [`MAX_ENTRY_FILE_BYTES`] are read; a symbolic link, FIFO, socket or
/// device of such a name, or a name that is not UTF-8 or holds control characters, is reported.
pub fn load_documents(dir: &Path) -> Result<Vec<Entry>, CorpusErrors> {
    let unreadable = |path: &Path, e: std::io::Error| CorpusError {
        path: path.to_path_buf(),
        line: 1,
        kind: CorpusErrorKind::Unreadable(e.to_string()),
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for item in std::fs::read_dir(dir).map_err(|e| CorpusErrors(vec![unreadable(dir, e)]))? {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                errors.push(unreadable(dir, e));
                continue;
            }
        };
        let path = item.path();
        let report = |kind| CorpusError {
            path: path.clone(),
            line: 1,
            kind,
        };
        let name = item.file_name();
        let Some(name) = name.to_str() else {
            if !name.as_encoded_bytes().starts_with(b".") {
                errors.push(report(CorpusErrorKind::BadFileName("is not valid UTF-8")));
            }
            continue;
        };
        if name == "README.md" || !(name.ends_with(".md") || name.ends_with(".txt")) {
            continue;
        }
        let file_type = match item.file_type() {
            Ok(t) => t,
            Err(e) => {
                errors.push(unreadable(&path, e));
                continue;
            }
        };
        if file_type.is_dir() {
            continue;
        }
        if name.chars().any(is_unsafe_char) {
            errors.push(report(CorpusErrorKind::BadFileName(
                "holds control characters (a newline, a tab, ...)",
            )));
        } else if file_type.is_symlink() {
            errors.push(report(CorpusErrorKind::SymbolicLink));
        } else {
            files.push(path);
        }
    }
    files.sort();
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    let mut entries = Vec::new();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let text = match read_file(&path, MAX_ENTRY_FILE_BYTES, false) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if text.trim().is_empty() {
            errors.push(CorpusError {
                path: path.clone(),
                line: 1,
                kind: CorpusErrorKind::EmptyBody,
            });
            continue;
        }
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map(|t| t.trim().to_string())
            .unwrap_or_else(|| {
                name.trim_end_matches(".md")
                    .trim_end_matches(".txt")
                    .to_string()
            });
        entries.push(Entry {
            id: document_id(name),
            title,
            kind: EntryType::Article,
            category: None,
            tags: vec![],
            questions: vec![],
            updated: None,
            action: None,
            body: text,
            origin: Origin { path, line: 1 },
        });
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(CorpusErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_slugs_of_file_names() {
        assert_eq!(document_id("Juknis Void SPM.md").0, "juknis-void-spm");
        assert_eq!(
            document_id("2021--Juknis penihilan (1).md").0,
            "2021-juknis-penihilan-1"
        );
        assert_eq!(
            document_id("Juknis_Perekaman_Supplier_Tipe_1,2,7_Rev.1.md").0,
            "juknis-perekaman-supplier-tipe-1-2-7-rev-1"
        );
        assert!(EntryId::is_valid(
            &document_id("Lampiran 1 - Juknis TKDN v1.1.md").0
        ));
    }

    #[test]
    fn loads_each_file_as_an_article() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("A guide.md"),
            "intro\n# Void SPM\nlangkah 1",
        )
        .unwrap();
        std::fs::write(dir.path().join("README.md"), "not an entry").unwrap();
        let entries = load_documents(dir.path()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].id.0.as_str(), entries[0].title.as_str()),
            ("a-guide", "Void SPM")
        );
    }
}
