//! Long documents as several entries: one per top-level section, each saying which part of how
//! many it is and naming the other parts, so an agent who opens one finds the rest.
//!
//! A body longer than [`SPLIT_ABOVE_CHARS`] is cut at its top-level headings: the highest
//! heading level that occurs at least twice. Text before the first such heading joins the first
//! part; a section shorter than [`MIN_PART_CHARS`] joins the part before it (or the next, at the
//! start), and a section above [`MAX_PART_CHARS`] is cut further at paragraphs, so every entry
//! stays well within the corpus file cap.

/// Bodies up to this many characters stay one entry (about 30 passages of the model's window;
/// the shipped entries are under 6 KB; 9 of the 90 SAKTI guides are longer once cleaned).
pub const SPLIT_ABOVE_CHARS: usize = 30_000;

/// The shortest section that becomes an entry of its own.
pub const MIN_PART_CHARS: usize = 2_000;

/// The longest part; a longer section is cut at paragraph ends.
pub const MAX_PART_CHARS: usize = 200_000;

/// One part of a document: the heading it starts with (if any) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The top-level heading the part starts with, without its `#` marks.
    pub heading: Option<String>,
    /// Markdown text of the part.
    pub text: String,
}

/// The document's parts: one, or one per top-level section (see the module doc).
pub fn split(body: &str) -> Vec<Part> {
    let whole = || {
        vec![Part {
            heading: None,
            text: body.to_string(),
        }]
    };
    if body.chars().count() <= SPLIT_ABOVE_CHARS {
        return whole();
    }
    let Some(level) = top_level(body) else {
        return cut_long(whole());
    };
    let mut parts: Vec<Part> = vec![Part {
        heading: None,
        text: String::new(),
    }];
    for line in body.lines() {
        if heading_level(line) == Some(level) {
            parts.push(Part {
                heading: Some(line.trim_start_matches('#').trim().to_string()),
                text: String::new(),
            });
        }
        if let Some(part) = parts.last_mut() {
            part.text.push_str(line);
            part.text.push('\n');
        }
    }
    let mut merged: Vec<Part> = Vec::new();
    for part in parts {
        let short = part.text.chars().count() < MIN_PART_CHARS;
        match merged.last_mut() {
            // the preamble, or a short section: added to the part before
            Some(last) if short || last.text.chars().count() < MIN_PART_CHARS => {
                last.text.push_str(&part.text);
                if last.heading.is_none() {
                    last.heading = part.heading;
                }
            }
            _ => merged.push(part),
        }
    }
    for part in &mut merged {
        part.text = part.text.trim().to_string();
    }
    merged.retain(|p| !p.text.is_empty());
    cut_long(merged)
}

/// Parts above [`MAX_PART_CHARS`] cut at paragraph ends (the pieces keep the heading).
fn cut_long(parts: Vec<Part>) -> Vec<Part> {
    let mut out = Vec::new();
    for part in parts {
        if part.text.chars().count() <= MAX_PART_CHARS {
            out.push(part);
            continue;
        }
        let mut piece = String::new();
        for para in part.text.split("\n\n") {
            if !piece.is_empty() && piece.chars().count() + para.chars().count() > MAX_PART_CHARS {
                out.push(Part {
                    heading: part.heading.clone(),
                    text: std::mem::take(&mut piece),
                });
            }
            if !piece.is_empty() {
                piece.push_str("\n\n");
            }
            piece.push_str(para);
        }
        if !piece.is_empty() {
            out.push(Part {
                heading: part.heading.clone(),
                text: piece,
            });
        }
    }
    out
}

/// The level of a Markdown heading line (`## x` -> 2).
fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    let rest = &line[hashes..];
    ((1..=6).contains(&hashes) && rest.starts_with(' ') && !rest.trim().is_empty())
        .then_some(hashes)
}

/// The highest heading level used at least twice.
fn top_level(body: &str) -> Option<usize> {
    let mut counts = [0usize; 7];
    for line in body.lines() {
        if let Some(level) = heading_level(line) {
            counts[level] += 1;
        }
    }
    (1..=6).find(|&l| counts[l] >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(heading: &str, chars: usize) -> String {
        format!("{heading}\n{}\n", "kata ".repeat(chars / 5))
    }

    #[test]
    fn short_documents_stay_whole() {
        let body = format!("{}{}", section("## A", 100), section("## B", 100));
        assert_eq!(split(&body).len(), 1);
    }

    #[test]
    fn long_documents_split_at_top_level_sections() {
        let body = format!(
            "Pengantar singkat.\n# Judul dokumen\n{}{}{}{}",
            section("## A. Pertama", 20_000),
            section("### A.1 detail", 5_000),
            section("## B. Kedua", 500),
            section("## C. Ketiga", 20_000),
        );
        let parts = split(&body);
        let headings: Vec<_> = parts.iter().map(|p| p.heading.as_deref()).collect();
        // the preamble joins the first part; B is short and joins A
        assert_eq!(headings, vec![Some("A. Pertama"), Some("C. Ketiga")]);
        assert!(parts[0].text.starts_with("Pengantar singkat."));
        assert!(parts[0].text.contains("## B. Kedua"));
        let total: usize = parts.iter().map(|p| p.text.len()).sum();
        assert!(total + 10 >= body.trim().len());
    }

    #[test]
    fn huge_sections_are_cut_at_paragraphs() {
        let para = "kata ".repeat(1_000);
        let body = vec![para.trim(); 500].join("\n\n");
        let parts = split(&body);
        assert!(parts.len() >= 3, "{}", parts.len());
        assert!(parts
            .iter()
            .all(|p| p.text.chars().count() <= MAX_PART_CHARS));
    }
}
