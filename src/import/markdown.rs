//! Markdown and plain-text documents (`.md`, `.markdown`, `.txt`): UTF-8 text; a form feed
//! separates pages when the converter kept them. A leading YAML front matter block is dropped
//! (its `title:` is taken as the title); plain text gets its heading-shaped lines marked.

use super::{Extracted, ImportError};
use crate::import::clean;

/// Reads a Markdown (`plain` false) or plain-text (`plain` true) document.
pub fn extract(file: &str, bytes: &[u8], plain: bool) -> Result<Extracted, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotText {
        file: file.to_string(),
        reason: format!("not UTF-8 at byte {}", e.valid_up_to()),
    })?;
    if text.contains('\0') {
        return Err(ImportError::NotText {
            file: file.to_string(),
            reason: "it holds NUL bytes (binary data)".to_string(),
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (front_title, text) = strip_front_matter(text);
    let pages = text
        .split('\u{c}')
        .map(|page| {
            if plain {
                clean::mark_plain_headings(page)
            } else {
                page.to_string()
            }
        })
        .collect();
    Ok(Extracted {
        title: front_title,
        pages,
    })
}

/// The `title:` of a leading `---` front matter block (if any) and the text after the block.
fn strip_front_matter(text: &str) -> (Option<String>, &str) {
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return (None, text);
    }
    let mut offset = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut title = None;
    for line in lines {
        offset += line.len();
        let trimmed = line.trim_end();
        if trimmed == "---" {
            return (title, &text[offset..]);
        }
        if let Some(value) = trimmed.strip_prefix("title:") {
            let value = value.trim().trim_matches(['"', '\'']).trim();
            if !value.is_empty() {
                title = Some(value.to_string());
            }
        }
    }
    (None, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_dropped_and_its_title_kept() {
        let e = extract(
            "a.md",
            b"---\nid: x\ntitle: \"Judul\"\n---\n# H\nisi",
            false,
        )
        .unwrap();
        assert_eq!(e.title.as_deref(), Some("Judul"));
        assert_eq!(e.pages, vec!["# H\nisi".to_string()]);
        // an unclosed block is text
        let e = extract("a.md", b"---\nisi", false).unwrap();
        assert_eq!((e.title, e.pages.len()), (None, 1));
    }

    #[test]
    fn form_feeds_split_pages_and_binary_is_refused() {
        let e = extract("a.txt", b"BAB I UMUM\nsatu\x0cdua", true).unwrap();
        assert_eq!(
            e.pages,
            vec!["## BAB I UMUM\nsatu".to_string(), "dua".into()]
        );
        let err = extract("a.md", b"ab\xff\xfe", false).unwrap_err();
        assert!(err.to_string().starts_with("a.md: "), "{err}");
        assert!(extract("a.md", b"ab\0cd", false).is_err());
    }
}
