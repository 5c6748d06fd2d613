//! Labelled queries (`{"qid"?, "query", "relevant": [ids]}` JSONL) and retrieval quality metrics.

pub mod decisions;
pub mod matrix;
pub mod uncertainty;

pub use crate::answer::file_hash;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::corpus::{Corpus, CorpusError, CorpusErrorKind, CorpusErrors, EntryId};

/// One labelled query; an empty `relevant` means the knowledge base has no answer (escalate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledQuery {
    /// Optional identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qid: Option<String>,
    /// The question as a user writes it.
    pub query: String,
    /// Entries that answer it.
    #[serde(default)]
    pub relevant: Vec<EntryId>,
    /// Those of `relevant` that a blind pooled judgment added to the writer's labels (entries that
    /// also answer it; `examples/judge_pool.rs`); the writer's own are the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pooled: Vec<EntryId>,
    /// Routing sets: the bot menu the message asks to perform (2-6), or 0 for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu: Option<u8>,
    /// The kind of question, for reports by kind (e.g. a near miss's "number", a message's "request").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl LabelledQuery {
    /// Whether the knowledge base should answer it (some entry is relevant).
    pub fn in_scope(&self) -> bool {
        !self.relevant.is_empty()
    }
}

/// Reads a labelled query file; every bad line is reported with its number.
pub fn load_queries(path: &Path) -> Result<Vec<LabelledQuery>, CorpusErrors> {
    let err = |line, kind| CorpusError {
        path: path.to_path_buf(),
        line,
        kind,
    };
    // the corpus's own rules: a regular file, never a FIFO or device, at most the JSONL cap
    let text = crate::corpus::read_text(path, crate::corpus::MAX_JSONL_FILE_BYTES, true)
        .map_err(|e| CorpusErrors(vec![e]))?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<LabelledQuery>(line) {
            Ok(q) if q.query.trim().is_empty() => {
                errors.push(err(i + 1, CorpusErrorKind::MissingField("query")))
            }
            Ok(q) => out.push((i + 1, q)),
            Err(e) => errors.push(err(
                i + 1,
                CorpusErrorKind::Syntax {
                    format: "JSON",
                    message: e.to_string(),
                },
            )),
        }
    }
    if errors.is_empty() {
        Ok(out.into_iter().map(|(_, q)| q).collect())
    } else {
        Err(CorpusErrors(errors))
    }
}

/// Validates every `*.jsonl` directly in `dir` against `corpus`; returns how many queries there are.
pub fn check_dir(dir: &Path, corpus: &Corpus) -> Result<usize, CorpusErrors> {
    let Ok(items) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut files: Vec<_> = items
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut count = 0;
    let mut errors = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        match load_queries(&file) {
            Ok(queries) => {
                count += queries.len();
                // line numbers: the n-th non-blank line
                let lines: Vec<usize> = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                    .map(|(i, _)| i + 1)
                    .collect();
                for (q, line) in queries.iter().zip(lines) {
                    for id in q.relevant.iter().filter(|id| corpus.get(&id.0).is_none()) {
                        errors.push(CorpusError {
                            path: file.clone(),
                            line,
                            kind: CorpusErrorKind::UnknownId(id.0.clone()),
                        });
                    }
                }
            }
            Err(mut e) => errors.append(&mut e.0),
        }
    }
    if errors.is_empty() {
        Ok(count)
    } else {
        Err(CorpusErrors(errors))
    }
}

/// Retrieval quality over the in-scope queries of a labelled set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RetrievalMetrics {
    /// Queries evaluated (all).
    pub queries: usize,
    /// Queries with at least one relevant entry (the metrics below average over these).
    pub in_scope: usize,
    /// Share of queries whose first hit is relevant.
    pub hit_at_1: f64,
    /// Mean share of relevant entries in the top 1.
    pub recall_at_1: f64,
    /// Mean share of relevant entries in the top 5.
    pub recall_at_5: f64,
    /// Mean share of relevant entries in the top 10.
    pub recall_at_10: f64,
    /// Mean reciprocal rank of the first relevant entry within the top 10.
    pub mrr_at_10: f64,
    /// Mean nDCG@10 with binary relevance.
    pub ndcg_at_10: f64,
}

/// Scores one ranked list of entry ids against the relevant set: (hit@1, R@1, R@5, R@10, RR@10, nDCG@10).
pub fn score_ranking(ranked: &[&str], relevant: &[EntryId]) -> [f64; 6] {
    let is_rel = |id: &str| relevant.iter().any(|r| r.0 == id);
    let n = relevant.len().max(1) as f64;
    let recall = |k: usize| ranked.iter().take(k).filter(|id| is_rel(id)).count() as f64 / n;
    let rr = ranked
        .iter()
        .take(10)
        .position(|id| is_rel(id))
        .map_or(0.0, |p| 1.0 / (p as f64 + 1.0));
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .filter(|(_, id)| is_rel(id))
        .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(10))
        .map(|i| 1.0 / (i as f64 + 2.0).log2())
        .sum();
    let hit1 = ranked.first().is_some_and(|id| is_rel(id));
    [
        f64::from(u8::from(hit1)),
        recall(1),
        recall(5),
        recall(10),
        rr,
        if ideal > 0.0 { dcg / ideal } else { 0.0 },
    ]
}

impl RetrievalMetrics {
    /// Averages per-query scores from [`score_ranking`] over the in-scope queries.
    pub fn from_scores(queries: usize, scores: &[[f64; 6]]) -> RetrievalMetrics {
        let n = scores.len().max(1) as f64;
        let mean = |i: usize| scores.iter().map(|s| s[i]).sum::<f64>() / n;
        RetrievalMetrics {
            queries,
            in_scope: scores.len(),
            hit_at_1: mean(0),
            recall_at_1: mean(1),
            recall_at_5: mean(2),
            recall_at_10: mean(3),
            mrr_at_10: mean(4),
            ndcg_at_10: mean(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fitting_file_is_recognised_by_path_or_content() {
        let dir = tempfile::tempdir().unwrap();
        let dev = dir.path().join("dev.jsonl");
        let copy = dir.path().join("copy.jsonl");
        let other = dir.path().join("test.jsonl");
        std::fs::write(&dev, "{\"query\": \"a\", \"relevant\": []}\n").unwrap();
        std::fs::copy(&dev, &copy).unwrap();
        std::fs::write(&other, "{\"query\": \"b\", \"relevant\": []}\n").unwrap();
        let (name, hash) = (dev.display().to_string(), file_hash(&dev));
        assert!(is_fitting_file(&name, &hash, &dev));
        assert!(is_fitting_file(&name, &hash, &copy), "same content");
        assert!(!is_fitting_file(&name, &hash, &other));
        std::fs::write(&dev, "{\"query\": \"a\", \"relevant\": [\"x\"]}\n").unwrap();
        assert!(
            is_fitting_file(&name, &hash, &dev),
            "labels edited since fitting"
        );
    }

    fn ids(v: &[&str]) -> Vec<EntryId> {
        v.iter().map(|s| EntryId(s.to_string())).collect()
    }

    #[test]
    fn ranking_scores() {
        let s = score_ranking(&["a", "b", "c"], &ids(&["b"]));
        assert_eq!(s[0], 0.0);
        assert_eq!(s[1], 0.0);
        assert_eq!(s[2], 1.0);
        assert_eq!(s[4], 0.5);
        assert!((s[5] - 1.0 / 3f64.log2()).abs() < 1e-9);
        let perfect = score_ranking(&["a", "b"], &ids(&["a", "b"]));
        assert_eq!(perfect, [1.0, 0.5, 1.0, 1.0, 1.0, 1.0]);
        let m = RetrievalMetrics::from_scores(3, &[perfect, s]);
        assert_eq!((m.queries, m.in_scope), (3, 2));
        assert_eq!(m.hit_at_1, 0.5);
    }
}

/// One labelled query run through search: ranking, confidence features, and whether the first hit is right.
#[derive(Debug, Clone)]
pub struct Assessed {
    /// The labelled query.
    pub query: LabelledQuery,
    /// Entry ids, best first (top 10).
    pub ranked: Vec<String>,
    /// Confidence features of the results.
    pub features: crate::answer::Features,
    /// Whether the first hit is relevant (always false out of scope).
    pub correct: bool,
}

/// Runs every query through search and feature extraction.
pub fn assess_queries(
    searcher: &crate::retrieve::Searcher,
    generation: &crate::index::IndexGeneration,
    queries: &[LabelledQuery],
) -> Result<Vec<Assessed>, crate::retrieve::RetrieveError> {
    queries
        .iter()
        .map(|q| {
            let (results, features) =
                crate::answer::search_with_features(searcher, generation, &q.query, 10)?;
            let ranked: Vec<String> = results.hits.iter().map(|h| h.id.0.clone()).collect();
            let correct = ranked
                .first()
                .is_some_and(|id| q.relevant.iter().any(|r| &r.0 == id));
            Ok(Assessed {
                query: q.clone(),
                ranked,
                features,
                correct,
            })
        })
        .collect()
}

/// Retrieval metrics over the in-scope assessed queries.
pub fn retrieval_metrics(assessed: &[Assessed]) -> RetrievalMetrics {
    let scores: Vec<[f64; 6]> = assessed
        .iter()
        .filter(|a| a.query.in_scope())
        .map(|a| {
            let ranked: Vec<&str> = a.ranked.iter().map(String::as_str).collect();
            score_ranking(&ranked, &a.query.relevant)
        })
        .collect();
    RetrievalMetrics::from_scores(assessed.len(), &scores)
}

/// (confidence on `generation`, first hit correct, in scope) of each assessed query, as
/// [`crate::answer::judge`] takes them; with `held_back_only`, only the queries a calibration is
/// never fitted on.
pub fn confidence_points(
    assessed: &[Assessed],
    calibration: &crate::answer::Calibration,
    generation: &crate::index::IndexGeneration,
    held_back_only: bool,
) -> Vec<(f64, bool, bool)> {
    assessed
        .iter()
        .filter(|a| !held_back_only || crate::answer::held_back(split_key(&a.query)))
        .map(|a| {
            (
                calibration.confidence_on(generation, &a.features).0,
                a.correct,
                a.query.in_scope(),
            )
        })
        .collect()
}

/// The qid used for the held-back rule (queries without one are keyed by their text).
pub fn split_key(q: &LabelledQuery) -> &str {
    q.qid.as_deref().unwrap_or(&q.query)
}

/// Whether `queries` is the file a calibration was fitted on: the same path (even if labels were
/// edited since) or the same content. Confidence is then judged on its held-back queries only.
pub fn is_fitting_file(fitted_file: &str, fitted_hash: &str, queries: &Path) -> bool {
    let same_path = match (
        std::fs::canonicalize(fitted_file),
        std::fs::canonicalize(queries),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    same_path || fitted_hash == file_hash(queries)
}
