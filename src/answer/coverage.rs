//! Whether the entry chosen for a direct answer states what the question asks for. A close entry is
//! not enough: "sehari maksimal brp kali bisa reset?" asks a limit the reset entry never states,
//! "menu info sp2d bisa buat sp2d tahun 2019?" names a year it never mentions, "alamat url
//! myintress" asks for a URL that only other entries talk about. Such questions are clarified
//! instead of answered with an entry that does not say it.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::analysis::Analyzer;
use crate::corpus::Entry;
use crate::embed::TokenVectors;

/// A question word that the chosen entry lacks and at most this many other entries have is a
/// specific topic the entry does not cover (chosen on the matrix's tuning split with
/// `examples/decision_dump.rs`: near misses answered 15 -> 7 of 99, direct-answer precision 0.757 ->
/// 0.809, answerable answered 0.392 -> 0.349).
const TOPIC_SPREAD: u32 = 2;

/// A detail the question asks for and the entry does not state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", content = "asked", rename_all = "snake_case")]
pub enum DetailGap {
    /// A number or year the question names that appears nowhere in the entry.
    Figure(String),
    /// A limit (maximum, minimum, how many times) of an entry that states none.
    Limit(String),
    /// A reason (why) of an entry that gives none.
    Reason(String),
    /// A web or e-mail address, a street address or a phone number of an entry that gives none.
    Contact(String),
    /// A time of day ("jam berapa") of an entry that states no hour.
    Time(String),
    /// An amount asked in a unit ("berapa persen", "brp lama") of an entry that states none in it.
    Amount(String),
    /// A specific word of the question that the entry lacks and only a few other entries have.
    Topic(String),
    /// A word of the question that no part of the entry covers, by the model's reading of both
    /// (a second word at least as poorly covered backs it, or it is the question's only content
    /// word; see [`CoveragePolicy`]).
    Uncovered(String),
}

/// When the model's reading of a question and an entry says the entry does not cover the question.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoveragePolicy {
    /// A question whose two least covered words are both below this, or whose one content word
    /// (not a number) is, is not covered.
    pub word_at: f32,
    /// A topic word (see [`DetailGap::Topic`]) that the entry lacks as a term but covers at least
    /// this well in the model's reading (a paraphrase, slang, a typo) is not a gap.
    pub topic_word_at: f32,
    /// Generations with more entries skip the check: an entry's texts are read by the model the
    /// first time it is about to be answered (about 0.1 s) and kept, for this many entries.
    pub max_entries: usize,
}

impl Default for CoveragePolicy {
    /// Chosen on the matrix's tuning split (dev, near-miss, English, out-of-scope) with
    /// `examples/decision_dump.rs`; see the README's decisions section for the trade-off.
    fn default() -> Self {
        CoveragePolicy {
            word_at: 0.80,
            topic_word_at: 0.84,
            max_entries: 1000,
        }
    }
}

impl CoveragePolicy {
    /// The least covered word of `coverage` when the two least covered are below `word_at`, or
    /// the only word when it is (and is not a number).
    pub fn uncovered(&self, coverage: &[(String, f32)]) -> Option<DetailGap> {
        let mut sorted: Vec<&(String, f32)> = coverage.iter().collect();
        sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
        match sorted.as_slice() {
            [weakest, second, ..] if second.1 < self.word_at => {
                Some(DetailGap::Uncovered(weakest.0.clone()))
            }
            // the question's only content word ("hai kak, ada orang?"); a number alone is left to
            // the figure check (the model splits numbers into pieces it reads poorly)
            [only] if only.1 < self.word_at && !only.0.chars().all(|c| c.is_ascii_digit()) => {
                Some(DetailGap::Uncovered(only.0.clone()))
            }
            _ => None,
        }
    }

    /// Whether the model reads the topic word `term` (an analysed term) as covered: some word of
    /// the question that analyses to it is covered at least `topic_word_at`.
    pub fn covers_topic(
        &self,
        term: &str,
        coverage: &[(String, f32)],
        analyzer: &Analyzer,
    ) -> bool {
        coverage.iter().any(|(word, c)| {
            *c >= self.topic_word_at && analyzer.query_terms(word).iter().any(|t| t == term)
        })
    }
}

/// Words that say who asks, when, how politely or how they feel, not what they ask: chat fillers,
/// pronouns, modal and time words, the service's own name, English function words (beside the
/// BM25 stopwords). Neither coverage check asks an entry to cover them.
#[rustfmt::skip]
const CHAT_WORDS: &[&str] = &[
    // negation, pronouns, address
    "yg", "ga", "gak", "nggak", "enggak", "engga", "gk", "tidak", "tdk", "sy", "saya", "aku", "gue",
    "gw", "kami", "kita", "kamu", "km", "anda", "dia", "mereka", "min", "admin", "kak", "mas",
    "mbak", "bapak", "pak", "gan", "sis",
    // particles and connectors
    "dong", "ya", "yah", "nih", "tuh", "kok", "deh", "sih", "kan", "lho", "loh", "kah", "pun",
    "gitu", "gini", "emang", "memang", "cuma", "doang", "aja", "saja", "tp", "tapi", "trus",
    "terus", "trs", "jadi", "jd", "sama", "sm", "jg", "juga", "dll", "dsb", "dst", "tau", "tahu",
    "soalnya", "kayaknya", "sepertinya", "katanya", "sebenarnya", "sebenernya", "banget", "bgt",
    // modal and aspect
    "bisa", "bs", "mau", "pengen", "pengin", "pingin", "perlu", "butuh", "tolong", "mohon", "bantu",
    "minta", "coba", "udah", "udh", "sdh", "sudah", "belum", "blm", "masih", "msh", "lg", "abis",
    "gimana", "gmn",
    // time of asking
    "skrg", "sekarang", "kemarin", "kemaren", "kmrn", "tadi", "td", "barusan", "besok",
    // conditions, quantity, channel words that ask nothing
    "kalo", "klo", "semua", "lewat", "via", "ok", "oke",
    // how the asker feels
    "bingung", "takut", "khawatir",
    // the service itself: every entry is about it
    "djpb",
    // English
    "the", "a", "an", "is", "are", "was", "to", "of", "for", "in", "on", "my", "me", "we", "our",
    "i", "can", "how", "what", "do", "does", "please", "pls", "and", "or", "with", "it", "be",
    "this", "that", "at", "by", "from", "your", "you", "hi", "hello", "thanks", "help", "need",
    "want",
];

/// The model's token vectors of an entry's texts, kept in 8 bits (a quarter of the memory; cosines
/// move by about 0.002): what the coverage check compares a question's tokens with.
#[derive(Debug, Clone, Default)]
pub struct EntryTokens {
    /// Per token: the scale of its 8-bit components.
    scales: Vec<f32>,
    /// Tokens' components, [`crate::embed::DIMENSIONS`] per token.
    data: Vec<i8>,
}

impl EntryTokens {
    /// Quantises every token vector of `texts`.
    pub fn of(texts: &[TokenVectors]) -> EntryTokens {
        let mut tokens = EntryTokens::default();
        for v in texts.iter().flat_map(|t| &t.vectors) {
            let scale = v.iter().fold(0.0f32, |m, x| m.max(x.abs())) / 127.0;
            let scale = if scale > 0.0 { scale } else { 1.0 };
            tokens.scales.push(scale);
            tokens.data.extend(
                v.iter()
                    .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
            );
        }
        tokens
    }

    /// The tokens of several texts as one.
    pub fn join(pieces: &[std::sync::Arc<EntryTokens>]) -> EntryTokens {
        EntryTokens {
            scales: pieces
                .iter()
                .flat_map(|p| p.scales.iter().copied())
                .collect(),
            data: pieces.iter().flat_map(|p| p.data.iter().copied()).collect(),
        }
    }

    /// The best cosine of the unit vector `v` to any token.
    fn best(&self, v: &[f32]) -> f32 {
        let dims = v.len().max(1);
        self.data
            .chunks_exact(dims)
            .zip(&self.scales)
            .map(|(row, scale)| {
                let mut lanes = [0.0f32; 8];
                for (x, y) in v.chunks_exact(8).zip(row.chunks_exact(8)) {
                    for i in 0..8 {
                        lanes[i] += x[i] * f32::from(y[i]);
                    }
                }
                let tail: f32 = v
                    .chunks_exact(8)
                    .remainder()
                    .iter()
                    .zip(row.chunks_exact(8).remainder())
                    .map(|(x, y)| x * f32::from(*y))
                    .sum();
                (lanes.iter().sum::<f32>() + tail) * scale
            })
            .fold(f32::MIN, f32::max)
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.data.len() + 4 * self.scales.len()
    }
}

/// How well the entry covers each content word of the question, by the model's reading: for each
/// word, the weakest of its tokens' best cosine to any token of the entry's texts. Punctuation is
/// dropped; stopwords, chat fillers and one-letter words are left out.
pub fn word_coverage(question: &TokenVectors, entry: &EntryTokens) -> Vec<(String, f32)> {
    let best = |v: &[f32]| entry.best(v);
    question
        .words
        .iter()
        .filter_map(|(typed, tokens)| {
            let word: String = typed
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            let content = word.chars().count() >= 2
                && !crate::analysis::STOPWORDS.contains(&word.as_str())
                && !CHAT_WORDS.contains(&word.as_str());
            let covered = question
                .vectors
                .get(tokens.clone())?
                .iter()
                .map(|v| best(v))
                .fold(f32::MAX, f32::min);
            content.then_some((word, covered))
        })
        .collect()
}

/// How many entries of a generation use each analysed term.
#[derive(Debug, Clone, Default)]
pub struct TermSpread(HashMap<String, u32>);

impl TermSpread {
    /// Counts, for every term, the entries whose full text has it; chat words ask for no topic.
    pub fn of(entries: &[Entry], analyzer: &Analyzer) -> TermSpread {
        let mut spread: HashMap<String, u32> = HashMap::new();
        for e in entries {
            let terms: HashSet<String> = analyzer.query_terms(&e.full_text()).into_iter().collect();
            for t in terms {
                *spread.entry(t).or_default() += 1;
            }
        }
        for t in analyzer.query_terms(&CHAT_WORDS.join(" ")) {
            spread.remove(&t);
        }
        TermSpread(spread)
    }

    /// The first of `question_terms` that `entry_terms` lacks and 1..=[`TOPIC_SPREAD`] entries have.
    pub fn topic_gap(
        &self,
        question_terms: &[String],
        entry_terms: &HashSet<String>,
    ) -> Option<DetailGap> {
        question_terms
            .iter()
            .find(|t| {
                !entry_terms.contains(*t)
                    && self
                        .0
                        .get(*t)
                        .is_some_and(|&n| (1..=TOPIC_SPREAD).contains(&n))
            })
            .map(|t| DetailGap::Topic(t.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specific_word_only_other_entries_have_is_a_topic_gap() {
        let spread = TermSpread(HashMap::from([
            ("url".to_string(), 2),
            ("reset".to_string(), 40),
            ("sakti".to_string(), 30),
        ]));
        let entry: HashSet<String> = ["reset", "sakti"].map(String::from).into();
        let q = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            spread.topic_gap(&q(&["url", "sakti"]), &entry),
            Some(DetailGap::Topic("url".into()))
        );
        // common words and words no entry has (English, typos) say nothing
        assert_eq!(
            spread.topic_gap(&q(&["reset", "sakti", "please"]), &entry),
            None
        );
    }

    #[test]
    fn chat_words_ask_for_no_topic() {
        let analyzer = Analyzer::new();
        let entry = |body: &str| Entry {
            id: crate::corpus::EntryId(body.into()),
            title: "Reset SAKTI".into(),
            kind: crate::corpus::EntryType::Faq,
            category: None,
            tags: vec![],
            questions: vec![],
            updated: None,
            action: None,
            body: body.into(),
            origin: crate::corpus::Origin {
                path: "e.md".into(),
                line: 1,
            },
        };
        let entries = [
            entry("Kemarin dan tadi: password dikirim lewat SMS."),
            entry("Alamat url aplikasi."),
        ];
        let spread = TermSpread::of(&entries, &analyzer);
        let terms = analyzer.query_terms("kemarin td reset sakti, url nya?");
        let entry_terms: HashSet<String> = analyzer
            .query_terms(&entries[0].full_text())
            .into_iter()
            .collect();
        assert_eq!(
            spread.topic_gap(&terms, &entry_terms),
            Some(DetailGap::Topic("url".into()))
        );
        let terms = analyzer.query_terms("kemarin td reset sakti ga bisa");
        let entry_terms: HashSet<String> = analyzer
            .query_terms(&entries[1].full_text())
            .into_iter()
            .collect();
        // "kemarin" and "td" are rare in the corpus and the entry lacks them, but they ask nothing
        assert_eq!(spread.topic_gap(&terms, &entry_terms), None);
    }

    fn tokens(words: &[(&str, [f32; 2])]) -> TokenVectors {
        TokenVectors {
            vectors: words.iter().map(|(_, v)| v.to_vec()).collect(),
            words: words
                .iter()
                .enumerate()
                .map(|(i, (w, _))| (w.to_string(), i..i + 1))
                .collect(),
        }
    }

    #[test]
    fn two_words_the_entry_does_not_cover_are_a_gap() {
        let entry = EntryTokens::of(&[tokens(&[("supplier", [1.0, 0.0])])]);
        let covered = word_coverage(
            &tokens(&[
                ("Supplier?", [1.0, 0.0]),
                ("yg", [0.0, 1.0]),
                ("baru", [0.9, 0.436]),
            ]),
            &entry,
        );
        // punctuation dropped, fillers left out
        assert_eq!(covered.len(), 2);
        assert_eq!(covered[0].0, "supplier");
        let policy = CoveragePolicy::default();
        assert_eq!(policy.uncovered(&covered), None);
        let weak = word_coverage(
            &tokens(&[
                ("supplier", [1.0, 0.0]),
                ("mfa", [0.0, 1.0]),
                ("token", [0.6, 0.8]),
            ]),
            &entry,
        );
        assert_eq!(
            policy.uncovered(&weak),
            Some(DetailGap::Uncovered("mfa".into()))
        );
        // one weak word alone (a typo, a name) is not enough
        let one = word_coverage(
            &tokens(&[("supplier", [1.0, 0.0]), ("mfa", [0.0, 1.0])]),
            &entry,
        );
        assert_eq!(policy.uncovered(&one), None);
        // ... unless it is the question's only content word; a lone number is the figure check's
        let lone = word_coverage(&tokens(&[("mfa", [0.0, 1.0])]), &entry);
        assert_eq!(
            policy.uncovered(&lone),
            Some(DetailGap::Uncovered("mfa".into()))
        );
        let number = word_coverage(&tokens(&[("14090", [0.0, 1.0])]), &entry);
        assert_eq!(policy.uncovered(&number), None);
    }
}
