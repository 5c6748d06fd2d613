//! Import errors: each names the document (or the entry file) it concerns and says what to do.

/// Why one document was not imported (nothing is written for it; the others go on).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// The file or folder could not be read.
    #[error("{file}: cannot read: {reason}")]
    Unreadable {
        /// The document, as shown.
        file: String,
        /// The system's explanation.
        reason: String,
    },
    /// Larger than the importer reads (checked from its metadata before reading).
    #[error("{file}: the file is {size} bytes; at most {max} are imported (split the document)")]
    TooLarge {
        /// The document, as shown.
        file: String,
        /// Its size in bytes.
        size: u64,
        /// [`super::MAX_DOCUMENT_BYTES`].
        max: u64,
    },
    /// A file of zero bytes.
    #[error("{file}: the file is empty")]
    Empty {
        /// The document, as shown.
        file: String,
    },
    /// An extension the importer does not read.
    #[error(
        "{file}: not a supported document: import .pdf, .docx, .html/.htm, .md/.markdown or .txt"
    )]
    Unsupported {
        /// The document, as shown.
        file: String,
    },
    /// The content is not what the extension says (a binary file named `.pdf`, ...).
    #[error(
        "{file}: named as {expected}, but the content is {found}: rename it or export it again"
    )]
    Mislabelled {
        /// The document, as shown.
        file: String,
        /// What the extension promises ("a PDF").
        expected: &'static str,
        /// What the bytes are ("a ZIP archive (DOCX?)", "binary data").
        found: &'static str,
    },
    /// Text formats that are not text (bad UTF-8, NUL bytes).
    #[error("{file}: not a text file: {reason}")]
    NotText {
        /// The document, as shown.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// The parser found the document broken or truncated.
    #[error("{file}: the {format} file is damaged or truncated: {reason}")]
    Corrupt {
        /// The document, as shown.
        file: String,
        /// "PDF" or "DOCX".
        format: &'static str,
        /// The parser's explanation.
        reason: String,
    },
    /// Protected by a password (or an encrypted Office container).
    #[error("{file}: the document is encrypted or password-protected: save an unprotected copy and import that")]
    Encrypted {
        /// The document, as shown.
        file: String,
    },
    /// A PDF whose pages hold no text: a scan.
    #[error("{file}: the PDF has {pages} page(s) but no text layer (a scanned document?); import does no OCR: run OCR on it first, or import the text")]
    NoTextLayer {
        /// The document, as shown.
        file: String,
        /// Its number of pages.
        pages: usize,
    },
    /// Nothing left once the document is read and cleaned.
    #[error("{file}: the document has no text to import")]
    NoText {
        /// The document, as shown.
        file: String,
    },
    /// The parser crate panicked on this document (contained; the import goes on).
    #[error("{file}: the {format} parser failed on this document (a damaged or unusual file): export it again")]
    ParserFailed {
        /// The document, as shown.
        file: String,
        /// "PDF", "DOCX" or "HTML".
        format: &'static str,
    },
    /// The entry id the document maps to already belongs to another entry.
    #[error("{file}: entry id '{id}' is already used by {other}: rename the document, or move that entry")]
    IdTaken {
        /// The document, as shown.
        file: String,
        /// The entry id.
        id: String,
        /// Who holds it ("the entry file x.md", "document y.pdf of this import").
        other: String,
    },
    /// Writing or removing an entry file failed.
    #[error("{file}: cannot write {target}: {reason}")]
    Write {
        /// The document, as shown.
        file: String,
        /// The entry file, as shown.
        target: String,
        /// The system's explanation.
        reason: String,
    },
    /// The entry made from the document does not pass the corpus checks (a bug: please report).
    #[error("{file}: the entry made from it is not valid: {reason}")]
    Invalid {
        /// The document, as shown.
        file: String,
        /// The corpus check's message.
        reason: String,
    },
}
