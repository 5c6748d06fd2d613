//! Label-free calibration points that a build makes from its own corpus. Questions are cut from each
//! entry's title, phrasings and sentences, shortened and thinned the way users type, and searched
//! against the generation: the first hit is right when it is the entry they came from. Together with
//! the out-of-scope bank (questions no entry answers), they show how the shipped confidence model
//! reads this corpus without anyone labelling a query.

use serde::{Deserialize, Serialize};

use crate::analysis::words;
use crate::corpus::{Entry, EntryId};
use crate::index::IndexGeneration;

/// Most probes a build makes (one search each).
pub const MAX_PROBES: usize = 240;
/// Fewest words a probe keeps; shorter sources are skipped.
const MIN_WORDS: usize = 3;
/// Most words a probe keeps (what users type is short).
const MAX_WORDS: usize = 8;
/// Share of a source's words a probe keeps (the rest are dropped, as users leave words out).
const KEEP: f64 = 0.7;

/// Where in its entry a probe was cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// The entry's title.
    Title,
    /// One of an FAQ's alternative phrasings.
    Phrasing,
    /// A sentence of the body.
    Sentence,
}

/// A question made from an entry, and the entry it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The shortened question.
    pub question: String,
    /// The entry it was cut from (the right first hit).
    pub entry: EntryId,
    /// What it was cut from.
    pub kind: ProbeKind,
}

/// A deterministic number in [0, 1) for `key` (the same corpus always gives the same probes).
fn unit(key: &str) -> f64 {
    let h = blake3::hash(key.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h.as_bytes()[..8]);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// `text` shortened as a user would type it: about [`KEEP`] of its words, at most [`MAX_WORDS`],
/// lowercased; `None` when fewer than [`MIN_WORDS`] remain.
fn shorten(text: &str, key: &str) -> Option<String> {
    let all: Vec<String> = words(text).into_iter().map(|(w, _, _)| w).collect();
    if all.len() < MIN_WORDS {
        return None;
    }
    // a window of the source (long sentences are not asked whole), then thinned
    let window = (MAX_WORDS as f64 / KEEP).ceil() as usize;
    let start = if all.len() > window {
        (unit(&format!("{key}#start")) * (all.len() - window + 1) as f64) as usize
    } else {
        0
    };
    let kept: Vec<&str> = all[start..(start + window).min(all.len())]
        .iter()
        .enumerate()
        .filter(|(i, _)| unit(&format!("{key}#{i}")) < KEEP)
        .map(|(_, w)| w.as_str())
        .take(MAX_WORDS)
        .collect();
    (kept.len() >= MIN_WORDS).then(|| kept.join(" "))
}

/// Sentences of a body with 6 to 40 words (list items and table rows count as sentences).
fn sentences(body: &str) -> Vec<&str> {
    body.split(['.', '?', '!', '\n'])
        .filter(|s| (6..=40).contains(&words(s).len()))
        .collect()
}

/// The probes of one entry, in the order a build uses them: one of each kind it has.
fn entry_probes(entry: &Entry) -> Vec<Probe> {
    let id = &entry.id.0;
    let pick = |n: usize, key: &str| (unit(key) * n as f64) as usize;
    let mut sources: Vec<(ProbeKind, &str)> = vec![(ProbeKind::Title, entry.title.as_str())];
    if !entry.questions.is_empty() {
        let at = pick(entry.questions.len(), &format!("{id}/phrasing"));
        sources.push((ProbeKind::Phrasing, entry.questions[at].as_str()));
    }
    let body = sentences(&entry.body);
    if !body.is_empty() {
        sources.push((
            ProbeKind::Sentence,
            body[pick(body.len(), &format!("{id}/sentence"))],
        ));
    }
    sources
        .into_iter()
        .filter_map(|(kind, text)| {
            shorten(text, &format!("{id}/{kind:?}")).map(|question| Probe {
                question,
                entry: entry.id.clone(),
                kind,
            })
        })
        .collect()
}

/// Up to [`MAX_PROBES`] probes of `generation`: entries in a fixed pseudo-random order, one probe
/// each per round (title, phrasing, then a sentence), so a large corpus spreads them over many
/// entries and a small one asks each entry more than once.
pub fn probes(generation: &IndexGeneration) -> Vec<Probe> {
    let mut entries: Vec<&Entry> = generation.entries.iter().collect();
    entries.sort_by(|a, b| unit(&a.id.0).total_cmp(&unit(&b.id.0)));
    let per_entry: Vec<Vec<Probe>> = entries.into_iter().map(entry_probes).collect();
    let rounds = per_entry.iter().map(Vec::len).max().unwrap_or(0);
    (0..rounds)
        .flat_map(|round| per_entry.iter().filter_map(move |p| p.get(round).cloned()))
        .take(MAX_PROBES)
        .collect()
}

/// How the served confidence reads a generation's label-free points, recorded by its build: a
/// health check an operator can compare between generations (a corpus edit that makes entries
/// harder to find, or off-topic questions look closer, shows here). Probes are easier than users'
/// questions, so these are not the confidence's accuracy on users' questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeCheck {
    /// Probes searched.
    pub probes: usize,
    /// Share of probes whose first hit is the entry they came from.
    pub first_hit_right: f64,
    /// Mean confidence on the probes.
    pub probe_confidence: f64,
    /// Bank questions searched (no entry answers them).
    pub bank_questions: usize,
    /// Mean confidence on the bank's questions.
    pub bank_confidence: f64,
    /// AUROC of the confidence for "first hit right" over probes and bank together.
    pub auroc: f64,
}

impl ProbeCheck {
    /// The check from (confidence, first hit right) of each probe and the confidence of each bank
    /// question.
    pub fn measure(probes: &[(f64, bool)], bank: &[f64]) -> ProbeCheck {
        fn mean(xs: impl Iterator<Item = f64>, n: usize) -> f64 {
            xs.sum::<f64>() / n.max(1) as f64
        }
        let mut points: Vec<(f64, bool, bool)> =
            probes.iter().map(|&(p, ok)| (p, ok, true)).collect();
        points.extend(bank.iter().map(|&p| (p, false, false)));
        ProbeCheck {
            probes: probes.len(),
            first_hit_right: mean(
                probes.iter().map(|p| f64::from(u8::from(p.1))),
                probes.len(),
            ),
            probe_confidence: mean(probes.iter().map(|p| p.0), probes.len()),
            bank_questions: bank.len(),
            bank_confidence: mean(bank.iter().copied(), bank.len()),
            auroc: crate::answer::judge(&points, 1.0, 1.0).auroc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_is_a_short_thinned_part_of_its_source() {
        let source = "Cara mengajukan reset password aplikasi SAKTI melalui WhatsApp Bot HAI-DJPb \
                      bagi operator satker yang lupa kata sandi";
        let p = shorten(source, "e/Title").expect("long enough");
        let n = p.split(' ').count();
        assert!((MIN_WORDS..=MAX_WORDS).contains(&n), "{p}");
        let source_words: Vec<String> = words(source).into_iter().map(|w| w.0).collect();
        assert!(
            p.split(' ').all(|w| source_words.iter().any(|s| s == w)),
            "{p}"
        );
        assert_eq!(shorten(source, "e/Title"), Some(p), "deterministic");
        assert_eq!(shorten("reset password", "e/Title"), None);
    }

    #[test]
    fn the_check_counts_probes_and_bank() {
        let c = ProbeCheck::measure(&[(0.9, true), (0.4, false)], &[0.1, 0.2]);
        assert_eq!((c.probes, c.bank_questions), (2, 2));
        assert!((c.first_hit_right - 0.5).abs() < 1e-9);
        assert!((c.probe_confidence - 0.65).abs() < 1e-9);
        assert!((c.bank_confidence - 0.15).abs() < 1e-9);
        assert!((c.auroc - 1.0).abs() < 1e-9, "{c:?}");
    }

    #[test]
    fn sentences_are_those_of_a_question_size() {
        let body = "Singkat.\nLangkah pertama adalah membuka menu utama aplikasi SAKTI. Ya.";
        assert_eq!(
            sentences(body),
            vec!["Langkah pertama adalah membuka menu utama aplikasi SAKTI"]
        );
    }
}
