//! Indonesian text analysis for BM25: fold, split, slang, English words, treasury synonyms,
//! stopwords, Sastrawi stems.
//!
//! The same [`Analyzer`] runs at index time (as a tantivy tokenizer) and at query time, so both sides
//! always agree on terms.

mod english;
mod stopwords;
mod synonyms;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock, RwLock};

use sastrawi::{Dictionary, Stemmer};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

pub use english::ENGLISH;
pub use stopwords::STOPWORDS;
pub use synonyms::{SynonymTable, GROUPS, SLANG};

/// Name under which the analyzer is registered in tantivy indexes.
pub const TOKENIZER_NAME: &str = "haipedia_id";

/// Version of the analysis code; bump when tokenising, folding or stemming changes.
const ANALYSIS_VERSION: u32 = 1;

/// Rules of the analysis switched off for a measurement (`haipedia eval --matrix --ablate`): what
/// each rule does is read off the matrix with and without it. Never set by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ablation {
    /// Chat slang rewriting ("gmn" -> "bagaimana").
    pub slang: bool,
    /// Treasury synonyms and acronyms ("surat perintah pencairan dana" = "sp2d").
    pub synonyms: bool,
    /// Stopword removal.
    pub stopwords: bool,
    /// Sastrawi stemming.
    pub stemming: bool,
    /// English words rewritten to the corpus's Indonesian word ("rejected" -> "ditolak").
    pub english: bool,
}

impl Ablation {
    /// Parses a comma-separated list of rule names (slang, synonyms, stopwords, stemming, english).
    pub fn parse(list: &str) -> Result<Ablation, String> {
        let mut off = Ablation::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "slang" => off.slang = true,
                "synonyms" => off.synonyms = true,
                "stopwords" => off.stopwords = true,
                "stemming" => off.stemming = true,
                "english" => off.english = true,
                other => {
                    return Err(format!(
                    "'{other}' is not an analysis rule: use slang, synonyms, stopwords, stemming, english"
                ))
                }
            }
        }
        Ok(off)
    }
}

static ABLATION: OnceLock<Ablation> = OnceLock::new();

/// Switches `off` rules off for every analyzer this process builds from now on (and in the
/// fingerprint, so indexes built otherwise are rebuilt); once per process, before any analyzer.
pub fn ablate(off: Ablation) -> Result<(), Ablation> {
    ABLATION.set(off).map_err(|_| ablation())
}

fn ablation() -> Ablation {
    ABLATION.get().copied().unwrap_or_default()
}

/// Identifies the analysis a lexical index was built with (code version, synonym, slang and stopword
/// tables): an index built with other analysis is rebuilt even if the corpus did not change.
pub fn fingerprint() -> String {
    let mut h = blake3::Hasher::new();
    h.update(&ANALYSIS_VERSION.to_le_bytes());
    for (canonical, variants) in synonyms::GROUPS {
        h.update(canonical.as_bytes());
        for v in *variants {
            h.update(b"\x1f");
            h.update(v.as_bytes());
        }
        h.update(b"\x1e");
    }
    for (from, to) in synonyms::SLANG.iter().chain(english::ENGLISH) {
        h.update(from.as_bytes());
        h.update(b"\x1f");
        h.update(to.as_bytes());
        h.update(b"\x1e");
    }
    for w in stopwords::STOPWORDS {
        h.update(w.as_bytes());
        h.update(b"\x1e");
    }
    let off = ablation();
    if off != Ablation::default() {
        h.update(format!("{off:?}").as_bytes());
    }
    format!("v{ANALYSIS_VERSION}-{}", &h.finalize().to_hex()[..16])
}

/// One analysed term with its byte span in the original text.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Normalised, stemmed (or canonical) term.
    pub text: String,
    /// Byte offset where the source words start.
    pub from: usize,
    /// Byte offset where the source words end.
    pub to: usize,
    /// Token position (synonym tokens share the position of their first word).
    pub position: usize,
}

/// The Indonesian analyzer; cheap to clone (shared tables).
#[derive(Clone)]
pub struct Analyzer {
    inner: Arc<Tables>,
}

/// Most distinct words whose analysis is remembered (a few MB).
const MEMO_LIMIT: usize = 200_000;

struct Tables {
    /// Word -> term (None: stopword), filled as words are seen; stemming is the costly step.
    memo: RwLock<HashMap<String, Option<String>>>,
    synonyms: SynonymTable,
    /// Chat slang and English words, each to its standard Indonesian word(s) (the tables share no key).
    rewrites: HashMap<&'static str, &'static str>,
    stopwords: HashSet<&'static str>,
    canonical: HashSet<&'static str>,
    stemming: bool,
}

fn stemmer() -> &'static Stemmer<'static> {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    static STEMMER: OnceLock<Stemmer<'static>> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::new(DICT.get_or_init(Dictionary::new)))
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

impl Analyzer {
    /// Builds the analyzer tables (synonyms, slang, stopwords) and warms the stemmer.
    pub fn new() -> Analyzer {
        let split = |s: &str| words(s).into_iter().map(|(w, _, _)| w).collect();
        stemmer();
        let off = ablation();
        let groups = if off.synonyms { &[][..] } else { GROUPS };
        Analyzer {
            inner: Arc::new(Tables {
                memo: RwLock::new(HashMap::new()),
                synonyms: SynonymTable::new(groups, split),
                rewrites: (if off.slang { &[][..] } else { SLANG })
                    .iter()
                    .chain(if off.english { &[][..] } else { ENGLISH })
                    .copied()
                    .collect(),
                stopwords: if off.stopwords {
                    HashSet::new()
                } else {
                    stopwords::STOPWORDS.iter().copied().collect()
                },
                canonical: groups.iter().map(|(c, _)| *c).collect(),
                stemming: !off.stemming,
            }),
        }
    }

    /// Analyses `text` into search terms.
    pub fn analyze(&self, text: &str) -> Vec<Term> {
        let t = &self.inner;
        // 1. fold and split, 2. rewrite chat slang (may expand to several words) and English words
        let mut toks: Vec<(String, usize, usize)> = Vec::new();
        for (w, from, to) in words(text) {
            match t.rewrites.get(w.as_str()) {
                Some(std) => toks.extend(std.split(' ').map(|s| (s.to_string(), from, to))),
                None => toks.push((w, from, to)),
            }
        }
        let plain: Vec<&str> = toks.iter().map(|(w, _, _)| w.as_str()).collect();
        let mut out = Vec::new();
        let mut position = 0;
        let mut i = 0;
        while i < toks.len() {
            // 3. synonyms: the longest variant starting here
            if let Some((span, canonical)) = t.synonyms.match_at(&plain, i) {
                out.push(Term {
                    text: canonical.to_string(),
                    from: toks[i].1,
                    to: toks[i + span - 1].2,
                    position,
                });
                if span == 1 {
                    position += 1;
                    i += 1;
                    continue;
                }
                // multi-word variants keep their own (stemmed) words too
                for (w, from, to) in &toks[i..i + span] {
                    if let Some(term) = self.word_term(w) {
                        out.push(Term {
                            text: term,
                            from: *from,
                            to: *to,
                            position,
                        });
                        position += 1;
                    }
                }
                i += span;
                continue;
            }
            let (w, from, to) = &toks[i];
            if let Some(term) = self.word_term(w) {
                out.push(Term {
                    text: term,
                    from: *from,
                    to: *to,
                    position,
                });
                position += 1;
            }
            i += 1;
        }
        out
    }

    /// Terms of `text` without positions, de-duplicated in order: what a query asks for.
    pub fn query_terms(&self, text: &str) -> Vec<String> {
        let mut seen = HashSet::new();
        self.analyze(text)
            .into_iter()
            .filter_map(|t| seen.insert(t.text.clone()).then_some(t.text))
            .collect()
    }

    /// A plain word as a term: dropped if a stopword, stemmed if an Indonesian word (memoised).
    fn word_term(&self, w: &str) -> Option<String> {
        if let Some(hit) = self.inner.memo.read().ok().and_then(|m| m.get(w).cloned()) {
            return hit;
        }
        let term = self.word_term_uncached(w);
        if let Ok(mut memo) = self.inner.memo.write() {
            if memo.len() < MEMO_LIMIT {
                memo.insert(w.to_string(), term.clone());
            }
        }
        term
    }

    fn word_term_uncached(&self, w: &str) -> Option<String> {
        let t = &self.inner;
        if t.stopwords.contains(w) {
            return None;
        }
        if !t.stemming
            || t.canonical.contains(w)
            || w.len() <= 3
            || w.bytes().any(|b| b.is_ascii_digit())
        {
            return Some(w.to_string());
        }
        let stem = stemmer().stem_word(w);
        if stem.is_empty() {
            Some(w.to_string())
        } else if t.stopwords.contains(stem.as_ref()) {
            // "apakah", "siapakah", "caranya": inflected function words
            None
        } else {
            Some(stem.into_owned())
        }
    }
}

/// Invisible formatting characters (zero-width spaces and joiners, direction marks, word joiners,
/// the BOM, the Mongolian vowel separator, the soft hyphen): they carry no meaning in a question.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// Whether `text` has anything but whitespace, control and invisible formatting characters (a
/// question of only `\u{0}` or zero-width spaces is empty).
pub fn has_visible(text: &str) -> bool {
    text.chars()
        .any(|c| !(c.is_whitespace() || c.is_control() || is_invisible(c)))
}

/// Lowercase, diacritics-folded alphanumeric words with their byte spans in `text`.
/// Hyphens and dots inside words split them ("e-mail" -> "e", "mail"; "16.00" -> "16", "00").
pub fn words(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((fold(&text[s..i]), s, i));
        }
    }
    if let Some(s) = start {
        out.push((fold(&text[s..]), s, text.len()));
    }
    out.retain(|(w, _, _)| !w.is_empty());
    out
}

/// Lowercases and strips diacritics (NFKD without combining marks): "Café" -> "cafe".
pub fn fold(word: &str) -> String {
    word.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The analyzer as a tantivy tokenizer (register it under [`TOKENIZER_NAME`]).
#[derive(Clone, Default)]
pub struct IndonesianTokenizer {
    analyzer: Analyzer,
}

impl IndonesianTokenizer {
    /// Wraps an analyzer for tantivy.
    pub fn new(analyzer: Analyzer) -> Self {
        IndonesianTokenizer { analyzer }
    }
}

/// Pre-computed tokens handed to tantivy.
pub struct TermStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for IndonesianTokenizer {
    type TokenStream<'a> = TermStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermStream {
        let tokens = self
            .analyzer
            .analyze(text)
            .into_iter()
            .map(|t| Token {
                offset_from: t.from,
                offset_to: t.to,
                position: t.position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        TermStream { tokens, next: 0 }
    }
}

impl TokenStream for TermStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ablations_name_the_rules_they_switch_off() {
        let off = Ablation::parse("slang, stemming").unwrap();
        assert!(off.slang && off.stemming && !off.synonyms && !off.stopwords && !off.english);
        assert!(Ablation::parse("english").unwrap().english);
        assert_eq!(Ablation::parse("").unwrap(), Ablation::default());
        assert!(Ablation::parse("synonym").unwrap_err().contains("synonym"));
    }

    fn terms(text: &str) -> Vec<String> {
        Analyzer::new().query_terms(text)
    }

    #[test]
    fn acronyms_and_long_forms_meet() {
        assert!(terms("surat perintah membayar").contains(&"spm".to_string()));
        assert!(terms("Surat Perintah Pencairan Dana").contains(&"sp2d".to_string()));
        assert_eq!(terms("SP2D"), vec!["sp2d"]);
        assert!(terms("satuan kerja").contains(&"satker".to_string()));
        assert!(terms("kata sandi").contains(&"password".to_string()));
        assert_eq!(terms("pw"), vec!["password"]);
    }

    #[test]
    fn slang_stopwords_and_stems() {
        assert_eq!(
            terms("gmn cara reset pw sakti"),
            vec!["reset", "password", "sakti"]
        );
        assert_eq!(terms("pencairan"), vec!["cair"]);
        assert_eq!(terms("Dikembalikan"), vec!["kembali"]);
        assert!(terms("sp2d sy blm cair").contains(&"cair".to_string()));
        assert!(terms("hari kerja").contains(&"kerja".to_string()));
    }

    #[test]
    fn slang_and_english_share_no_word() {
        let slang: HashSet<&str> = SLANG.iter().map(|(w, _)| *w).collect();
        assert!(ENGLISH.iter().all(|(w, _)| !slang.contains(w)));
    }

    #[test]
    fn english_words_meet_the_corpus_words() {
        assert_eq!(terms("payment rejected"), terms("pembayaran ditolak"));
        assert_eq!(terms("forgot account"), vec!["lupa", "akun"]);
    }

    #[test]
    fn folding_and_offsets() {
        let text = "Café  SPM-nya";
        let t = Analyzer::new().analyze(text);
        assert_eq!(t[0].text, "cafe");
        assert_eq!(&text[t[0].from..t[0].to], "Café");
        assert!(t.iter().any(|x| x.text == "spm"));
    }
}
