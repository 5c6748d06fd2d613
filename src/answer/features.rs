//! Confidence features: what the search results say about whether the first hit answers the question.
//! Raw scores are not probabilities; these features feed the calibrated model in `calibrate`.

use std::collections::HashSet;

use crate::embed::cosine;
use crate::index::IndexGeneration;
use crate::retrieve::{SearchHit, SearchResults};

/// Names of the features, in vector order (stored with the calibration).
pub const FEATURE_NAMES: [&str; 7] = [
    "top_cosine",
    "cosine_margin",
    "term_coverage",
    "lexical_first",
    "vector_first",
    "bm25_per_term",
    "log_terms",
];

/// Feature vector of one search.
#[derive(Debug, Clone, PartialEq)]
pub struct Features(pub [f64; 7]);

/// Best cosine between the query and any passage of the hit's entry.
fn entry_cosine(generation: &IndexGeneration, results: &SearchResults, hit: &SearchHit) -> f32 {
    if let Some(v) = hit.vector {
        return v.score;
    }
    let q = &results.query_vector;
    generation
        .passages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.entry == hit.id)
        .map(|(i, _)| cosine(q, generation.vectors.vector(i)))
        .fold(f32::MIN, f32::max)
        .max(0.0)
}

impl Features {
    /// Features of `results` (searched on `generation`); all zero when there is no hit.
    pub fn of(
        generation: &IndexGeneration,
        results: &SearchResults,
        entry_terms: &HashSet<String>,
    ) -> Features {
        let Some(top) = results.hits.first() else {
            return Features([0.0; 7]);
        };
        let top_cos = entry_cosine(generation, results, top);
        let second = results
            .hits
            .get(1)
            .map_or(0.0, |h| entry_cosine(generation, results, h));
        let n_terms = results.terms.len();
        let covered = results
            .terms
            .iter()
            .filter(|t| entry_terms.contains(*t))
            .count();
        let coverage = if n_terms == 0 {
            0.0
        } else {
            covered as f64 / n_terms as f64
        };
        let bm25 = top.lexical.map_or(0.0, |l| l.score as f64);
        Features([
            top_cos as f64,
            (top_cos - second) as f64,
            coverage,
            f64::from(u8::from(top.lexical.is_some_and(|l| l.rank == 1))),
            f64::from(u8::from(top.vector.is_some_and(|v| v.rank == 1))),
            bm25 / n_terms.max(1) as f64,
            (1.0 + n_terms as f64).ln(),
        ])
    }
}
