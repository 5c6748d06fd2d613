//! PDF documents with a text layer, read page by page with `pdf-extract` (over `lopdf`). The
//! title comes from the document information (`/Title`). A PDF whose pages hold no text (a
//! scan) is refused: no OCR is done. Encrypted PDFs open only when they need no password.

use pdf_extract::{Document, Object, PlainTextOutput};

use super::{Extracted, ImportError};
use crate::import::clean;

/// Where a PDF must announce itself (`%PDF-`): within its first 1024 bytes.
pub const MAGIC_WINDOW: usize = 1024;

/// Whether `bytes` start like a PDF.
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(MAGIC_WINDOW)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Reads the text of every page; the parser runs contained (it may panic on broken files).
pub fn extract(file: &str, bytes: &[u8]) -> Result<Extracted, ImportError> {
    let corrupt = |reason: String| ImportError::Corrupt {
        file: file.to_string(),
        format: "PDF",
        reason,
    };
    let mut doc = Document::load_mem(bytes).map_err(|e| {
        // an encryption dictionary the reader cannot use is a protected file, not a broken one
        if bytes.windows(8).any(|w| w == b"/Encrypt") {
            ImportError::Encrypted {
                file: file.to_string(),
            }
        } else {
            corrupt(e.to_string())
        }
    })?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(ImportError::Encrypted {
            file: file.to_string(),
        });
    }
    let title = info_title(&doc);
    let mut pages = Vec::new();
    for number in doc.get_pages().keys() {
        let mut text = String::new();
        let mut output = PlainTextOutput::new(&mut text);
        pdf_extract::output_doc_page(&doc, &mut output, *number)
            .map_err(|e| corrupt(format!("page {number}: {e}")))?;
        pages.push(clean::mark_plain_headings(&text));
    }
    if pages.is_empty() {
        return Err(corrupt("it has no pages".to_string()));
    }
    if !pages.iter().any(|p| p.chars().any(char::is_alphanumeric)) {
        return Err(ImportError::NoTextLayer {
            file: file.to_string(),
            pages: pages.len(),
        });
    }
    Ok(Extracted { title, pages })
}

/// `/Title` of the document information dictionary, if it holds text.
fn info_title(doc: &Document) -> Option<String> {
    let info = match doc.trailer.get(b"Info").ok()? {
        Object::Reference(id) => doc.get_object(*id).ok()?,
        other => other,
    };
    let title = info.as_dict().ok()?.get(b"Title").ok()?;
    let bytes = match title {
        Object::String(bytes, _) => bytes,
        _ => return None,
    };
    let text = decode_text_string(bytes);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A PDF text string: UTF-16BE after a byte order mark, UTF-8 after its mark, else
/// PDFDocEncoding (read as Latin-1, which it matches for letters).
fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(utf8) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_decode() {
        assert_eq!(decode_text_string(b"Juknis"), "Juknis");
        assert_eq!(decode_text_string(&[0xfe, 0xff, 0, b'A', 0, b'b']), "Ab");
        assert_eq!(decode_text_string(&[0xe9]), "é");
    }

    #[test]
    fn broken_pdfs_are_errors() {
        assert!(looks_like_pdf(b"\n%PDF-1.7\n"));
        assert!(!looks_like_pdf(b"PK\x03\x04"));
        let e = extract("x.pdf", b"%PDF-1.4\nnonsense").unwrap_err();
        assert!(matches!(e, ImportError::Corrupt { .. }), "{e}");
        assert!(e.to_string().starts_with("x.pdf: "), "{e}");
    }
}
