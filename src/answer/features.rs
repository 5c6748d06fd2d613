//! Confidence features: what the search results say about whether the first hit answers the question.
//! Raw scores are not probabilities; these features feed the calibrated model in `calibrate`.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

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

/// Features measured as similarity, whose scale depends on the corpus (how close an unrelated
/// question comes to some passage): these are taken relative to the generation's [`Reference`].
const RELATIVE: [usize; 4] = [0, 1, 2, 5];

/// How out-of-scope questions look on one generation: the mean and spread of each feature over a bank
/// of questions no corpus of this service answers. Fitted by each build; the calibrated model reads
/// features relative to it, so a corpus of long Wikipedia passages and one of short FAQs mean the
/// same thing by "0.3 above what a random question gets".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// Mean of each feature over the bank.
    pub mean: Vec<f64>,
    /// Standard deviation of each feature over the bank.
    pub std: Vec<f64>,
    /// Bank questions it was measured on.
    pub questions: usize,
}

impl Reference {
    /// No adjustment (generations built before references existed).
    pub fn identity() -> Reference {
        Reference {
            mean: vec![0.0; FEATURE_NAMES.len()],
            std: vec![1.0; FEATURE_NAMES.len()],
            questions: 0,
        }
    }

    /// The reference measured on `samples` (raw features of bank questions).
    pub fn measure(samples: &[Features]) -> Reference {
        let n = samples.len().max(1) as f64;
        let mean: Vec<f64> = (0..FEATURE_NAMES.len())
            .map(|j| samples.iter().map(|f| f.0[j]).sum::<f64>() / n)
            .collect();
        let std = (0..FEATURE_NAMES.len())
            .map(|j| {
                let var = samples
                    .iter()
                    .map(|f| (f.0[j] - mean[j]).powi(2))
                    .sum::<f64>()
                    / n;
                var.sqrt().max(1e-3)
            })
            .collect();
        Reference {
            mean,
            std,
            questions: samples.len(),
        }
    }

    /// The reference a generation was published with (manifest `fits.confidence_reference`).
    pub fn of(generation: &IndexGeneration) -> Reference {
        generation
            .manifest
            .fits
            .get("confidence_reference")
            .and_then(|v| Reference::deserialize(v).ok())
            .filter(|r| r.mean.len() == FEATURE_NAMES.len() && r.std.len() == FEATURE_NAMES.len())
            .unwrap_or_else(Reference::identity)
    }
}

impl Features {
    /// The similarity features in units of the reference's spread above its mean.
    pub fn relative_to(mut self, reference: &Reference) -> Features {
        for j in RELATIVE {
            self.0[j] = (self.0[j] - reference.mean[j]) / reference.std[j];
        }
        self
    }
}

/// Best cosine between the query and any passage of the hit's entry.
fn entry_cosine(generation: &IndexGeneration, results: &SearchResults, hit: &SearchHit) -> f32 {
    if let Some(v) = hit.vector {
        return v.score;
    }
    // the entry's own passages only: no per-request scan of the whole generation
    let q = &results.query_vector;
    generation
        .passages_of(&hit.id)
        .iter()
        .map(|&i| cosine(q, generation.vectors.vector(i)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_features_are_read_against_the_reference() {
        let bank = [
            Features([0.8, 0.0, 0.2, 0.0, 0.0, 1.0, 1.0]),
            Features([0.9, 0.1, 0.4, 1.0, 1.0, 3.0, 2.0]),
        ];
        let r = Reference::measure(&bank);
        assert_eq!(r.questions, 2);
        let f = Features([0.95, 0.05, 0.3, 1.0, 0.0, 2.0, 1.5]).relative_to(&r);
        // 0.95 is 2 spreads (0.05) above the bank's mean cosine 0.85; flags and length stay
        assert!((f.0[0] - 2.0).abs() < 1e-9, "{f:?}");
        assert_eq!((f.0[3], f.0[4], f.0[6]), (1.0, 0.0, 1.5));
        assert_eq!(
            Features([0.5; 7]).relative_to(&Reference::identity()),
            Features([0.5; 7])
        );
    }
}
