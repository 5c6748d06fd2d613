//! Passages: articles are cut at headings and paragraphs to fit the model window; FAQs stay whole.

use serde::{Deserialize, Serialize};

use super::{Entry, EntryId, EntryType};

/// Counts model tokens of a passage as it will be embedded (prefix and special tokens included).
pub trait TokenCounter: Sync {
    /// Tokens `text` takes in the model's window.
    fn count(&self, text: &str) -> usize;
}

/// Whitespace word counter (plus two for the special tokens): for tests and rough estimates only.
pub struct WordCounter;

impl TokenCounter for WordCounter {
    fn count(&self, text: &str) -> usize {
        text.split_whitespace().count() + 2
    }
}

/// The unit that is embedded and indexed: a piece of one entry with its heading context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Entry the passage belongs to.
    pub entry: EntryId,
    /// Position of the passage within its entry, from 0.
    pub ordinal: u32,
    /// Section heading the passage sits under, if any.
    pub heading: Option<String>,
    /// Passage text (for FAQs: the alternative questions, then the answer).
    pub text: String,
}

impl Passage {
    /// Text given to the embedding model (without its `passage: ` prefix): title, heading, text.
    pub fn embedding_text(&self, title: &str) -> String {
        let context = match (title.trim(), &self.heading) {
            ("", None) => return self.text.clone(),
            ("", Some(h)) => h.clone(),
            (t, None) => t.to_string(),
            (t, Some(h)) => format!("{t} — {h}"),
        };
        format!("{context}\n{}", self.text)
    }
}

/// Prefix the embedding model puts before passages; counted in the window.
pub const PASSAGE_PREFIX: &str = "passage: ";

/// Cuts `entry` into passages of at most `max_tokens` model tokens (FAQs are never cut).
pub fn chunk_entry(entry: &Entry, counter: &dyn TokenCounter, max_tokens: usize) -> Vec<Passage> {
    if entry.kind == EntryType::Faq {
        let mut text = entry.questions.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&entry.body);
        return vec![Passage {
            entry: entry.id.clone(),
            ordinal: 0,
            heading: None,
            text,
        }];
    }
    let mut passages = Vec::new();
    for (heading, blocks) in sections(&entry.body) {
        let probe = Passage {
            entry: entry.id.clone(),
            ordinal: 0,
            heading: heading.clone(),
            text: String::new(),
        };
        let context = format!("{PASSAGE_PREFIX}{}", probe.embedding_text(&entry.title));
        let budget = max_tokens.saturating_sub(counter.count(&context)).max(16);
        for text in pack(&blocks, counter, budget) {
            passages.push(Passage {
                entry: entry.id.clone(),
                ordinal: passages.len() as u32,
                heading: heading.clone(),
                text,
            });
        }
    }
    passages
}

/// Splits a Markdown body into (heading, paragraphs) sections; empty sections are dropped.
fn sections(body: &str) -> Vec<(Option<String>, Vec<String>)> {
    let mut out: Vec<(Option<String>, Vec<String>)> = vec![(None, Vec::new())];
    let mut para = String::new();
    let flush = |para: &mut String, out: &mut Vec<(Option<String>, Vec<String>)>| {
        if !para.trim().is_empty() {
            if let Some(last) = out.last_mut() {
                last.1.push(para.trim().to_string());
            }
        }
        para.clear();
    };
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            flush(&mut para, &mut out);
            let heading = trimmed.trim_start_matches('#').trim().to_string();
            out.push((Some(heading).filter(|h| !h.is_empty()), Vec::new()));
        } else if trimmed.is_empty() {
            flush(&mut para, &mut out);
        } else {
            para.push_str(line);
            para.push('\n');
        }
    }
    flush(&mut para, &mut out);
    out.retain(|(_, blocks)| !blocks.is_empty());
    out
}

/// Greedily packs paragraphs into texts of at most `budget` tokens, splitting oversized paragraphs.
fn pack(blocks: &[String], counter: &dyn TokenCounter, budget: usize) -> Vec<String> {
    let pieces = blocks
        .iter()
        .flat_map(|b| split_to_fit(b, counter, budget))
        .collect();
    greedy(pieces, budget, "\n\n")
        .into_iter()
        .map(|(text, _)| text)
        .collect()
}

/// Joins consecutive (text, cost) units with `sep` while their total cost stays within `budget`.
fn greedy(units: Vec<(String, usize)>, budget: usize, sep: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for (unit, c) in units {
        if !current.is_empty() && used + c > budget {
            out.push((std::mem::take(&mut current), used));
            used = 0;
        }
        if !current.is_empty() {
            current.push_str(sep);
        }
        current.push_str(&unit);
        used += c;
    }
    if !current.is_empty() {
        out.push((current, used));
    }
    out
}

/// Cost of a piece inside a passage: its tokens without the two special tokens.
fn cost(counter: &dyn TokenCounter, text: &str) -> usize {
    counter.count(text).saturating_sub(2).max(1)
}

/// A paragraph as pieces that each fit `budget`: whole, else by sentences, else by words.
fn split_to_fit(block: &str, counter: &dyn TokenCounter, budget: usize) -> Vec<(String, usize)> {
    let c = cost(counter, block);
    if c <= budget {
        return vec![(block.to_string(), c)];
    }
    let sentences: Vec<&str> = block
        .split_inclusive(['.', '?', '!', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let units = if sentences.len() > 1 {
        sentences
            .iter()
            .flat_map(|s| split_to_fit(s, counter, budget))
            .collect()
    } else {
        block
            .split_whitespace()
            .map(|w| (w.to_string(), cost(counter, w)))
            .collect()
    };
    greedy(units, budget, " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{EntryId, Origin};

    fn entry(kind: EntryType, body: &str) -> Entry {
        Entry {
            id: EntryId("e".into()),
            title: "Judul".into(),
            kind,
            category: None,
            tags: vec![],
            questions: vec!["gmn caranya".into()],
            updated: None,
            action: None,
            body: body.into(),
            origin: Origin {
                path: "e.md".into(),
                line: 1,
            },
        }
    }

    #[test]
    fn faq_stays_whole_with_its_questions() {
        let long = "kata ".repeat(1000);
        let p = chunk_entry(&entry(EntryType::Faq, &long), &WordCounter, 50);
        assert_eq!(p.len(), 1);
        assert!(p[0].text.starts_with("gmn caranya\nkata"));
    }

    #[test]
    fn article_is_cut_at_headings_and_fits_the_budget() {
        let body = format!(
            "Pembuka singkat.\n\n## Langkah\n\n{}\n\n{}\n\n## Syarat\n\n{}",
            "satu dua tiga. ".repeat(30),
            "empat lima ".repeat(40),
            "enam"
        );
        let ps = chunk_entry(&entry(EntryType::Article, &body), &WordCounter, 40);
        assert!(ps.len() >= 4, "{ps:#?}");
        assert_eq!(ps[0].heading, None);
        assert_eq!(ps.last().unwrap().heading.as_deref(), Some("Syarat"));
        for (i, p) in ps.iter().enumerate() {
            assert_eq!(p.ordinal as usize, i);
            let full = format!("{PASSAGE_PREFIX}{}", p.embedding_text("Judul"));
            assert!(
                WordCounter.count(&full) <= 40,
                "{}: {}",
                WordCounter.count(&full),
                full
            );
        }
        let all: String = ps
            .iter()
            .map(|p| p.text.clone())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(all.matches("empat").count(), 40, "no words lost");
    }
}
