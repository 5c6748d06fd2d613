//! Cleaning of extracted text, shared by every format: page furniture out (page numbers, lines
//! repeated at the top or bottom of many pages, image placeholders, lines of stray symbols),
//! words hyphenated across line ends joined, tables and headings kept as Markdown.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// A page-number line: `12`, `- 12 -`, `Halaman 3`, `Hal. 3 dari 20`, `Page 2 of 9`, `3/20`,
/// `12 | P a g e`, or a lowercase roman numeral alone (`iv`, front matter pages).
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:
            (?:halaman|hal\.?|hlm\.?|page|p\.)?\s*[-–—]?\s*\d{1,4}\s*[-–—]?
                (?:\s*(?:dari|of|/)\s*\d{1,4})?
          | \d{1,4}\s*\|\s*p\s*a\s*g\s*e
          | (?-i:[ivxl]{1,5})
        )\s*$",
    )
    .unwrap_or_else(|e| panic!("page number pattern: {e}"))
});

/// An image placeholder as OCR converters write it: `![0_image_0.png](0_image_0.png)`.
static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"!\[[^\]\n]*\]\([^)\n]*\)").unwrap_or_else(|e| panic!("image pattern: {e}"))
});

/// `kata- kata`: a reduplicated word whose hyphen OCR or line joining left a space after.
static SPLIT_REDUPLICATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\w+)- (\w+)\b").unwrap_or_else(|e| panic!("reduplication pattern: {e}"))
});

/// How many lines at the top and at the bottom of a page may be a running header or footer.
const EDGE_LINES: usize = 3;

/// The fewest pages a document needs before lines repeated on its pages count as furniture.
const MIN_PAGES_FOR_REPEATS: usize = 3;

/// Cleans the pages of one document into one Markdown text (see the module doc for the rules).
pub fn clean_pages(pages: &[String]) -> String {
    let pages: Vec<Vec<String>> = pages.iter().map(|p| normalize_lines(p)).collect();
    let repeated = repeated_edge_lines(&pages);
    let mut lines = Vec::new();
    for page in &pages {
        let (first, last) = edges(page);
        for (i, line) in page.iter().enumerate() {
            let at_edge = first.contains(&i) || last.contains(&i);
            if at_edge && repeated.contains_key(&furniture_key(line)) {
                continue;
            }
            lines.push(line.clone());
        }
        // a page ends a paragraph
        lines.push(String::new());
    }
    let lines = drop_furniture_lines(lines);
    let lines = join_hyphenated(lines);
    tidy(&lines)
}

/// The page's lines: no carriage returns, control characters or soft hyphens, trailing spaces
/// trimmed, tabs as spaces, inline image placeholders removed.
fn normalize_lines(page: &str) -> Vec<String> {
    page.replace("\r\n", "\n")
        .replace('\r', "\n")
        .lines()
        .map(|line| {
            let line: String = line
                .chars()
                .filter(|&c| c != '\u{ad}' && c != '\u{feff}')
                .map(|c| if c == '\t' { ' ' } else { c })
                .filter(|c| !c.is_control())
                .collect();
            let line = if line.contains("![") {
                IMAGE.replace_all(&line, "").into_owned()
            } else {
                line
            };
            line.trim_end().to_string()
        })
        .collect()
}

/// Indices of the first and of the last [`EDGE_LINES`] non-blank lines of a page; on a page of
/// at most twice that many lines only the first and the last line (the body of a short page
/// would otherwise be taken for its header or footer).
fn edges(page: &[String]) -> (Vec<usize>, Vec<usize>) {
    let filled: Vec<usize> = (0..page.len())
        .filter(|&i| !page[i].trim().is_empty())
        .collect();
    let k = if filled.len() > 2 * EDGE_LINES {
        EDGE_LINES
    } else {
        1
    };
    let first = filled.iter().take(k).copied().collect();
    let last = filled.iter().rev().take(k).copied().collect();
    (first, last)
}

/// A line as compared across pages: spaces collapsed, lowercase, and a number at its start or
/// end as `#` (where running headers and footers carry the page number; other numbers must
/// match, so `Langkah 2` and `Langkah 3` stay different lines).
fn furniture_key(line: &str) -> String {
    let words: Vec<String> = line
        .split_whitespace()
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
        .collect();
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let number = !w.is_empty() && w.chars().all(|c| c.is_ascii_digit());
            if number && (i == 0 || i == last) {
                "#".to_string()
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lines (as [`furniture_key`]s) found among the edge lines of at least half of the pages (and
/// of at least [`MIN_PAGES_FOR_REPEATS`]), with the number of pages they are on.
fn repeated_edge_lines(pages: &[Vec<String>]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    if pages.len() < MIN_PAGES_FOR_REPEATS {
        return counts;
    }
    for page in pages {
        let (first, last) = edges(page);
        let mut keys: Vec<String> = first
            .iter()
            .chain(&last)
            .map(|&i| furniture_key(&page[i]))
            .filter(|k| !k.is_empty())
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            *counts.entry(key).or_default() += 1;
        }
    }
    let needed = MIN_PAGES_FOR_REPEATS.max(pages.len().div_ceil(2));
    counts.retain(|_, n| *n >= needed);
    counts
}

/// Whether a line is a table row or a code fence, which are kept as they are.
fn is_structure(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('|') || t.starts_with("```")
}

/// Whether a line is page furniture wherever it stands: a page number, or a line with no letter
/// or digit (`�`, `→`, `-`, a rule), or a heading with no text.
pub fn is_furniture_line(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || is_structure(t) {
        return false;
    }
    if PAGE_NUMBER.is_match(t) {
        return true;
    }
    let text = t.trim_start_matches('#');
    !text.chars().any(char::is_alphanumeric)
}

/// The lines without furniture lines (outside code blocks).
fn drop_furniture_lines(lines: Vec<String>) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && is_furniture_line(&line) {
            continue;
        }
        out.push(line);
    }
    out
}

/// Joins a word hyphenated across a line end (`penyele-` / `saian` -> `penyelesaian`); a
/// reduplicated word keeps its hyphen (`transaksi-` / `transaksi` -> `transaksi-transaksi`),
/// and so does `kata- kata` within a line.
fn join_hyphenated(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut iter = lines.into_iter().peekable();
    while let Some(mut line) = iter.next() {
        while let Some(next) = iter.peek() {
            let Some((head, tail)) = hyphen_join(&line, next) else {
                break;
            };
            line = format!("{head}{tail}");
            iter.next();
        }
        let line = if line.contains("- ") {
            SPLIT_REDUPLICATION
                .replace_all(&line, |c: &regex::Captures| {
                    if c[1].to_lowercase() == c[2].to_lowercase() {
                        format!("{}-{}", &c[1], &c[2])
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned()
        } else {
            line
        };
        out.push(line);
    }
    out
}

/// `line` ending in a letter and `-`, and `next` starting with a lowercase letter: the joined
/// halves (hyphen dropped unless the word is reduplicated).
fn hyphen_join(line: &str, next: &str) -> Option<(String, String)> {
    if is_structure(line) || is_structure(next) {
        return None;
    }
    let stem = line.strip_suffix('-')?;
    let last_word = stem.rsplit(|c: char| !c.is_alphabetic()).next()?;
    if last_word.chars().count() < 2 || !stem.ends_with(char::is_alphabetic) {
        return None;
    }
    let next = next.trim_start();
    if !next.starts_with(char::is_lowercase) {
        return None;
    }
    let first_word = next
        .split(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    if first_word.to_lowercase() == last_word.to_lowercase() {
        Some((line.to_string(), next.to_string()))
    } else {
        Some((stem.to_string(), next.to_string()))
    }
}

/// Lines joined with blank runs collapsed to one blank line and no blank lines at either end.
fn tidy(lines: &[String]) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in lines {
        if line.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// A heading level for a line of plain text (PDF, `.txt`) that reads as a section heading:
/// `BAB II ...` (1), `II. ...` / `A. ...` (2), or a short line in capitals (2). Plain text has
/// no heading marks, so only these shapes are taken; anything else stays a paragraph line.
pub fn plain_heading_level(line: &str) -> Option<usize> {
    static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:(BAB\s+[IVXLC\d]+)|([IVXLC]+|[A-Z])\.)\s+\p{Lu}")
            .unwrap_or_else(|e| panic!("heading pattern: {e}"))
    });
    let t = line.trim();
    let words = t.split_whitespace().count();
    if t.chars().count() > 90 || words == 0 || t.ends_with(['.', ',', ';', ':']) {
        return None;
    }
    if let Some(c) = NUMBERED.captures(t) {
        return Some(if c.get(1).is_some() { 1 } else { 2 });
    }
    let letters: Vec<char> = t.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.len() >= 6 && letters.iter().all(|c| c.is_uppercase());
    (capitals && (2..=10).contains(&words)).then_some(2)
}

/// Marks plain-text heading lines (see [`plain_heading_level`]) as Markdown headings.
pub fn mark_plain_headings(text: &str) -> String {
    text.lines()
        .map(|line| match plain_heading_level(line) {
            Some(level) if !line.trim_start().starts_with('#') => {
                format!("{} {}", "#".repeat(level + 1), line.trim())
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One Markdown table row from cell texts: pipes escaped, line breaks as spaces.
pub fn table_row(cells: &[String]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| {
            c.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace('|', "\\|")
        })
        .collect();
    format!("| {} |", cells.join(" | "))
}

/// A Markdown table from rows of cells (the first row as its header); rows are padded to the
/// widest row so every row has the same number of cells.
pub fn table(rows: &[Vec<String>]) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return String::new();
    }
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut row = row.clone();
        row.resize(width, String::new());
        out.push(table_row(&row));
        if i == 0 {
            out.push(format!("|{}", "---|".repeat(width)));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn page_numbers_go() {
        for line in [
            "12",
            " - 3 - ",
            "Halaman 3",
            "Hal. 3 dari 20",
            "Page 2 of 9",
            "3/20",
            "7 | P a g e",
            "iv",
        ] {
            assert!(is_furniture_line(line), "{line}");
        }
        for line in [
            "1. Login",
            "Langkah 3",
            "| 1 | Modul |",
            "2020 Petunjuk Teknis",
            "SPM 211",
            "I",
        ] {
            assert!(!is_furniture_line(line), "{line}");
        }
        let text = clean_pages(&pages(&["Paragraf satu.\n\n5\n\n## B. Menu\nIsi."]));
        assert_eq!(text, "Paragraf satu.\n\n## B. Menu\nIsi.");
    }

    #[test]
    fn symbols_images_and_empty_headings_go() {
        let text = clean_pages(&pages(&[
            "![0_image_0.png](0_image_0.png)\n�\n→\n## \nLogin ![x](y.png) dulu\n|---|---|\n```\n-\n```",
        ]));
        assert_eq!(text, "Login  dulu\n|---|---|\n```\n-\n```");
    }

    #[test]
    fn running_headers_and_footers_go() {
        let page = |n: usize, body: &str| {
            format!("Petunjuk Teknis SAKTI\nModul Pembayaran\n\n{body}\n\nDirektorat Sistem Perbendaharaan {n}\n{n}")
        };
        let texts: Vec<String> = (1..=4)
            .map(|n| {
                page(
                    n,
                    &format!("Isi halaman {n}.\nLangkah satu.\nLangkah dua.\nLangkah tiga."),
                )
            })
            .collect();
        let text = clean_pages(&texts);
        assert!(!text.contains("Petunjuk Teknis SAKTI"), "{text}");
        assert!(!text.contains("Direktorat Sistem"), "{text}");
        assert!(!text.contains("Modul Pembayaran"), "{text}");
        for n in 1..=4 {
            assert!(text.contains(&format!("Isi halaman {n}.")), "{text}");
        }
        // two pages are too few to tell a running header from a repeated line
        let text = clean_pages(&texts[..2]);
        assert!(text.contains("Petunjuk Teknis SAKTI"), "{text}");
        // a line repeated in the middle of pages is content, and so is the body of short pages
        let texts: Vec<String> = (1..=4)
            .map(|n| format!("Judul {n}\nA\nB\nKlik Simpan.\nC\nD\nE"))
            .collect();
        assert_eq!(clean_pages(&texts).matches("Klik Simpan.").count(), 4);
        let texts: Vec<String> = (1..=4)
            .map(|n| format!("Judul\nLangkah {n}: klik Proses.\nHalaman {n}"))
            .collect();
        assert_eq!(
            clean_pages(&texts),
            "Langkah 1: klik Proses.\n\nLangkah 2: klik Proses.\n\nLangkah 3: klik Proses.\n\nLangkah 4: klik Proses."
        );
    }

    #[test]
    fn hyphenated_words_are_joined() {
        let text = clean_pages(&pages(&[
            "proses penyele-\nsaian tagihan\ntransaksi-\ntransaksi lain\nNomor SPM-\nBaru\nmenu- menu dan Laporan- laporan, PPK- pejabat",
        ]));
        assert_eq!(
            text,
            "proses penyelesaian tagihan\ntransaksi-transaksi lain\nNomor SPM-\nBaru\nmenu-menu dan Laporan-laporan, PPK- pejabat"
        );
    }

    #[test]
    fn plain_headings_are_marked() {
        assert_eq!(plain_heading_level("BAB II PEREKAMAN"), Some(1));
        assert_eq!(plain_heading_level("A. Menu Void SP2D"), Some(2));
        assert_eq!(plain_heading_level("DESKRIPSI SINGKAT"), Some(2));
        assert_eq!(plain_heading_level("A. Klik tombol simpan."), None);
        assert_eq!(plain_heading_level("Klik tombol Simpan"), None);
        assert_eq!(plain_heading_level("SPM"), None);
        assert_eq!(
            mark_plain_headings("BAB I UMUM\nteks\nII. Alur Proses"),
            "## BAB I UMUM\nteks\n### II. Alur Proses"
        );
    }

    #[test]
    fn tables_are_markdown() {
        let rows = vec![
            vec!["No".to_string(), "Uraian".to_string()],
            vec![
                "1".to_string(),
                "Modul | PEM\nbaru".to_string(),
                "x".to_string(),
            ],
        ];
        assert_eq!(
            table(&rows),
            "| No | Uraian |  |\n|---|---|---|\n| 1 | Modul \\| PEM baru | x |"
        );
    }
}
