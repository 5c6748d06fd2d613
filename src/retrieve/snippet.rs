//! Snippets: the window of a passage with the most query terms, with the matched words marked.

use std::collections::HashSet;
use std::ops::Range;

use serde::Serialize;

use crate::analysis::Analyzer;

/// A short excerpt and the byte ranges of the words that matched the query.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Snippet {
    /// Excerpt text (single line).
    pub text: String,
    /// Matched words, as byte ranges into `text`, sorted and non-overlapping.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The excerpt with matched words wrapped in `open` / `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 8 * self.highlights.len());
        let mut last = 0;
        for r in &self.highlights {
            out.push_str(&self.text[last..r.start]);
            out.push_str(open);
            out.push_str(&self.text[r.clone()]);
            out.push_str(close);
            last = r.end;
        }
        out.push_str(&self.text[last..]);
        out
    }

    /// HTML: text escaped, matched words in `<mark>`.
    pub fn html(&self) -> String {
        let mut out = String::new();
        let mut last = 0;
        for r in &self.highlights {
            out.push_str(&escape(&self.text[last..r.start]));
            out.push_str("<mark>");
            out.push_str(&escape(&self.text[r.clone()]));
            out.push_str("</mark>");
            last = r.end;
        }
        out.push_str(&escape(&self.text[last..]));
        out
    }
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const ELLIPSIS: &str = "…";

/// Makes a snippet of at most about `max_chars` characters from `text` for `terms`.
pub fn make_snippet(
    analyzer: &Analyzer,
    text: &str,
    terms: &HashSet<String>,
    max_chars: usize,
) -> Snippet {
    let flat: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let mut matches: Vec<Range<usize>> = analyzer
        .analyze(&flat)
        .into_iter()
        .filter(|t| terms.contains(&t.text))
        .map(|t| t.from..t.to)
        .collect();
    matches.sort_by_key(|r| (r.start, r.end));
    let max_bytes = byte_len_of_chars(&flat, 0, max_chars);
    // window start: the matched word from which the window covers the most distinct matches
    let mut best = (0usize, 0usize);
    for (i, m) in matches.iter().enumerate() {
        let start = m.start.saturating_sub(40);
        let covered = matches[i..]
            .iter()
            .take_while(|r| r.end <= start + max_bytes)
            .count();
        if covered > best.1 {
            best = (start, covered);
        }
    }
    let mut start = floor_word(&flat, best.0);
    if max_bytes >= flat.len() || start + max_bytes > flat.len() && matches.is_empty() {
        start = 0;
    }
    let end = ceil_char(&flat, (start + max_bytes).min(flat.len()));
    let end = if end < flat.len() {
        flat[..end].rfind(' ').filter(|&e| e > start).unwrap_or(end)
    } else {
        end
    };
    let body = &flat[start..end];
    let lead = body.len() - body.trim_start().len();
    let prefix = if start > 0 { ELLIPSIS } else { "" };
    let suffix = if end < flat.len() { ELLIPSIS } else { "" };
    let shift = |p: usize| p - start - lead + prefix.len();
    let mut highlights: Vec<Range<usize>> = Vec::new();
    for m in matches
        .iter()
        .filter(|m| m.start >= start + lead && m.end <= end)
    {
        let r = shift(m.start)..shift(m.end);
        match highlights.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => highlights.push(r),
        }
    }
    Snippet {
        text: format!("{prefix}{}{suffix}", body.trim()),
        highlights,
    }
}

fn byte_len_of_chars(s: &str, from: usize, chars: usize) -> usize {
    s[from..]
        .char_indices()
        .nth(chars)
        .map_or(s.len() - from, |(i, _)| i)
}

fn floor_word(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    match s[..i].rfind(' ') {
        Some(sp) if i > 0 => sp + 1,
        _ => 0,
    }
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snip(text: &str, query: &str, max: usize) -> Snippet {
        let a = Analyzer::new();
        let terms = a.query_terms(query).into_iter().collect();
        make_snippet(&a, text, &terms, max)
    }

    #[test]
    fn marks_matched_words_including_inflections() {
        let s = snip(
            "Reset password SAKTI dilakukan melalui\nmenu 6.",
            "cara reset kata sandi sakti",
            200,
        );
        assert_eq!(
            s.marked("[", "]"),
            "[Reset] [password] [SAKTI] dilakukan melalui menu 6."
        );
        let s = snip("Dana sudah dicairkan oleh KPPN.", "pencairan dana", 200);
        assert_eq!(s.marked("[", "]"), "[Dana] sudah [dicairkan] oleh KPPN.");
    }

    #[test]
    fn long_text_is_windowed_around_matches() {
        let text = format!(
            "{} SP2D terbit setelah SPM diuji. {}",
            "awal ".repeat(100),
            "akhir ".repeat(100)
        );
        let s = snip(&text, "sp2d spm", 80);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(
            s.marked("[", "]").contains("[SP2D] terbit setelah [SPM]"),
            "{}",
            s.text
        );
        assert!(s.text.chars().count() <= 84);
    }

    #[test]
    fn no_match_gives_the_beginning_and_html_is_escaped() {
        let s = snip("<b>Jam</b> layanan", "xyz", 200);
        assert!(s.highlights.is_empty());
        assert_eq!(s.html(), "&lt;b&gt;Jam&lt;/b&gt; layanan");
    }
}
