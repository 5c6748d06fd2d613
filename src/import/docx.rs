//! DOCX documents: the ZIP's `word/document.xml` read with `quick-xml`. Paragraphs in a heading
//! style (`Heading1`..`Heading6`, `Judul1`.., or with an outline level) become Markdown headings,
//! list paragraphs `- ` items, tables Markdown tables; the title is `dc:title` of
//! `docProps/core.xml`. Headers, footers, footnotes, comments and images live in other parts
//! and are not read, so running headers and page numbers never reach the text.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{Extracted, ImportError};
use crate::import::clean;

/// The most bytes read from one part of the archive once inflated (a guard against ZIP bombs:
/// a 50 MiB document's text is far below it).
pub const MAX_PART_BYTES: u64 = 128 * 1024 * 1024;

/// Whether `bytes` start like a ZIP archive (a DOCX is one).
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Whether `bytes` start like an OLE compound file: an old `.doc`, or a password-protected
/// Office document (Office encrypts into this container).
pub fn looks_like_ole(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
}

/// Reads the body of a DOCX document as Markdown.
pub fn extract(file: &str, bytes: &[u8]) -> Result<Extracted, ImportError> {
    let corrupt = |reason: String| ImportError::Corrupt {
        file: file.to_string(),
        format: "DOCX",
        reason,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let document = read_part(&mut archive, "word/document.xml")
        .map_err(corrupt)?
        .ok_or_else(|| corrupt("it has no word/document.xml (not a Word document)".into()))?;
    let title = read_part(&mut archive, "docProps/core.xml")
        .ok()
        .flatten()
        .and_then(|core| core_title(&core));
    let body = body_markdown(&document).map_err(corrupt)?;
    Ok(Extracted {
        title,
        pages: vec![body],
    })
}

/// One part of the archive as text (at most [`MAX_PART_BYTES`]); `None` when it is absent.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, String> {
    let part = match archive.by_name(name) {
        Ok(part) => part,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    let mut bytes = Vec::new();
    part.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(format!(
            "{name} inflates to more than {MAX_PART_BYTES} bytes"
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("{name} is not UTF-8 XML"))
}

/// `dc:title` of `docProps/core.xml`.
fn core_title(core: &str) -> Option<String> {
    let mut reader = Reader::from_str(core);
    let mut inside = false;
    let mut title = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == "title" => inside = true,
            Event::End(e) if e.local_name().as_ref() == "title" => break,
            Event::Text(t) if inside => title.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if inside => title.push_str(&entity(&r.into_inner())),
            Event::Eof => break,
            _ => {}
        }
    }
    let title = title.trim();
    (!title.is_empty()).then(|| title.to_string())
}

/// The text of an XML entity reference (`amp`, `#233`, `#x41`).
fn entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        _ => name
            .strip_prefix("#x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
    }
}

/// The value of attribute `w:val` (by local name `val`).
fn val(e: &BytesStart<'_>) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == "val")
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// The heading level a paragraph style id stands for (`Heading2`, `heading 2`, `Judul2`,
/// `Title`).
fn style_level(style: &str) -> Option<usize> {
    let s = style.to_ascii_lowercase().replace(' ', "");
    if s == "title" || s == "judul" {
        return Some(1);
    }
    let digits = s
        .strip_prefix("heading")
        .or_else(|| s.strip_prefix("judul"))?;
    digits.parse::<usize>().ok().filter(|l| (1..=6).contains(l))
}

/// One paragraph as it is read.
#[derive(Default)]
struct Paragraph {
    text: String,
    level: Option<usize>,
    list: bool,
}

impl Paragraph {
    /// The paragraph as a Markdown line (empty when it has no text).
    fn markdown(&self) -> String {
        let text = self.text.trim();
        if text.is_empty() {
            return String::new();
        }
        match (self.level, self.list) {
            (Some(level), _) => format!("{} {}", "#".repeat((level + 1).min(6)), text),
            (None, true) => format!("- {text}"),
            (None, false) => text.to_string(),
        }
    }
}

/// The body of `word/document.xml` as Markdown: paragraphs separated by blank lines, tables as
/// Markdown tables (a nested table's text goes into its cell).
fn body_markdown(xml: &str) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut blocks: Vec<String> = Vec::new();
    let mut para: Option<Paragraph> = None;
    // open tables: rows of cells; each cell's paragraphs
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_text = false;
    let mut depth = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("word/document.xml: {e}"))?;
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof if depth > 0 => {
                return Err("word/document.xml ends inside an element (truncated)".into())
            }
            _ => {}
        }
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "p" => para = Some(Paragraph::default()),
                "pStyle" => {
                    if let (Some(p), Some(style)) = (para.as_mut(), val(&e)) {
                        p.level = p.level.or(style_level(&style));
                        p.list |= style.to_ascii_lowercase().contains("list");
                    }
                }
                "outlineLvl" => {
                    let level = val(&e).and_then(|v| v.parse::<usize>().ok());
                    if let (Some(p), Some(level)) = (para.as_mut(), level) {
                        if level < 6 {
                            p.level = Some(level + 1);
                        }
                    }
                }
                "numPr" => {
                    if let Some(p) = para.as_mut() {
                        p.list = true;
                    }
                }
                "t" => in_text = true,
                "tab" => push(&mut para, " "),
                "br" | "cr" => push(&mut para, "\n"),
                "tbl" => tables.push(Vec::new()),
                "tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.push(Vec::new());
                    }
                }
                "tc" => {
                    if let Some(row) = tables.last_mut().and_then(|t| t.last_mut()) {
                        row.push(String::new());
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => push(&mut para, &t.xml10_content()),
            Event::GeneralRef(r) if in_text => push(&mut para, &entity(&r.into_inner())),
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    let line = para.take().map(|p| p.markdown()).unwrap_or_default();
                    let cell = tables
                        .last_mut()
                        .and_then(|t| t.last_mut())
                        .and_then(|r| r.last_mut());
                    match cell {
                        _ if line.is_empty() => {}
                        Some(cell) => {
                            if !cell.is_empty() {
                                cell.push(' ');
                            }
                            cell.push_str(&line);
                        }
                        None => blocks.push(line),
                    }
                }
                "tbl" => {
                    let rows = tables.pop().unwrap_or_default();
                    let text = clean::table(&rows);
                    let cell = tables
                        .last_mut()
                        .and_then(|t| t.last_mut())
                        .and_then(|r| r.last_mut());
                    match cell {
                        Some(cell) => {
                            // a nested table: its rows as text inside the outer cell
                            let flat: Vec<String> = rows.iter().map(|r| r.join(" ")).collect();
                            cell.push_str(&flat.join("; "));
                        }
                        None if !text.is_empty() => blocks.push(text),
                        None => {}
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(blocks.join("\n\n"))
}

/// Appends run text to the open paragraph.
fn push(para: &mut Option<Paragraph>, text: &str) {
    if let Some(p) = para.as_mut() {
        p.text.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn paragraphs_headings_lists_and_tables() {
        let xml = format!(
            r#"<w:document {W}><w:body>
            <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Tujuan</w:t></w:r></w:p>
            <w:p><w:r><w:t xml:space="preserve">Reset </w:t></w:r><w:r><w:t>password &amp; MFA</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr><w:r><w:t>Login</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>No</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Uraian</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Modul</w:t></w:r></w:p><w:p><w:r><w:t>PEM</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#
        );
        assert_eq!(
            body_markdown(&xml).unwrap(),
            "## Tujuan\n\nReset password & MFA\n\n- Login\n\n| No | Uraian |\n|---|---|\n| 1 | Modul PEM |"
        );
        assert!(body_markdown("<w:document><w:body><w:p>").is_err());
    }

    #[test]
    fn styles_and_titles() {
        assert_eq!(style_level("Heading2"), Some(2));
        assert_eq!(style_level("Judul3"), Some(3));
        assert_eq!(style_level("Title"), Some(1));
        assert_eq!(style_level("Normal"), None);
        assert_eq!(
            core_title(
                r#"<cp:coreProperties><dc:title>Juknis &amp; SOP</dc:title></cp:coreProperties>"#
            ),
            Some("Juknis & SOP".to_string())
        );
        assert_eq!(entity("#x41"), "A");
    }
}
