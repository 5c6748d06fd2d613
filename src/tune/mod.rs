//! Fits made by each build for its own corpus, on the staged generation before it is published:
//! - the fusion of the two rankings, chosen on the corpus's own labelled queries when it has enough
//!   of them (a corpus without labels keeps the default, which was chosen on the development matrix);
//! - the confidence reference: how the out-of-scope bank (questions no corpus of this service
//!   answers, shipped in the binary) looks on this corpus, so confidence features mean the same on
//!   every corpus (see [`crate::answer::Reference`]);
//! - the confidence adjustment: the shipped model's level corrected on the corpus's labelled queries
//!   when it has enough (see [`crate::answer::Adjustment`]);
//! - the confidence check: how the served confidence reads questions cut from the corpus's own
//!   entries and the bank's (label-free, see [`probes`]), for operators to compare generations.
//!
//! What was fitted, and how it scored, goes into the generation's manifest (`fits`).

mod probes;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::answer::{
    held_back, search_with_raw_features, Adjustment, Calibration, Confidence, Features, Reference,
};
use crate::eval::{load_queries, score_ranking, split_key, LabelledQuery};
use crate::index::{IndexError, IndexGeneration};
use crate::retrieve::{Candidates, Fusion, RetrieveError, Searcher};

pub use probes::{probes, Probe, ProbeCheck, ProbeKind, MAX_PROBES};

/// Query vectors a fitting searcher keeps ([`Searcher::with_query_cache`]): the bank and a corpus's
/// tuning queries, embedded once per process and reused by every later reindex.
pub const FIT_QUERY_CACHE: usize = 4096;

/// Fewest in-scope tuning queries for which a build departs from the default fusion.
pub const MIN_TUNING_QUERIES: usize = 30;

/// What a build fitted, as stored in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fits {
    /// The fusion this generation serves with.
    pub fusion: Fusion,
    /// How it was chosen.
    pub fusion_fit: FusionFit,
    /// How out-of-scope questions look here (confidence features are read relative to it).
    pub confidence_reference: Reference,
    /// The shipped confidence model's correction for this corpus (identity without labels).
    pub confidence_adjustment: Adjustment,
    /// How the served confidence reads this corpus's label-free points (absent without a model).
    #[serde(default)]
    pub confidence_check: Option<ProbeCheck>,
}

/// The out-of-scope bank (our own questions: other agencies, general knowledge, chit-chat, English).
const OUT_OF_SCOPE_BANK: &str = include_str!("../../eval/sets/out-of-scope.jsonl");

/// The bank's questions a build measures its reference on: its tuning part (the held-back part is
/// the matrix's `out-of-scope` set).
pub fn reference_questions() -> Vec<String> {
    OUT_OF_SCOPE_BANK
        .lines()
        .filter_map(|l| serde_json::from_str::<LabelledQuery>(l).ok())
        .filter(|q| !held_back(split_key(q)))
        .map(|q| q.query)
        .collect()
}

/// The raw confidence features of the bank's `questions` on `generation` searched with `fusion`.
pub fn bank_features(
    searcher: &Searcher,
    generation: &IndexGeneration,
    fusion: Fusion,
    questions: &[String],
) -> Result<Vec<Features>, IndexError> {
    questions
        .iter()
        .map(|q| search_with_raw_features(searcher, generation, q, 5, Some(fusion)).map(|(_, f)| f))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| IndexError::Fit(e.to_string()))
}

/// Label-free calibration points of `generation` searched with `fusion`: each [`probes`] question's
/// features (relative to `reference`) and whether its first hit is the entry it came from.
pub fn probe_points(
    searcher: &Searcher,
    generation: &IndexGeneration,
    fusion: Fusion,
    reference: &Reference,
) -> Result<Vec<(Features, bool)>, RetrieveError> {
    let probes = probes(generation);
    let questions: Vec<String> = probes.iter().map(|p| p.question.clone()).collect();
    searcher.warm(&questions)?;
    probes
        .iter()
        .map(|p| {
            let (results, raw) =
                search_with_raw_features(searcher, generation, &p.question, 5, Some(fusion))?;
            let right = results.hits.first().is_some_and(|h| h.id == p.entry);
            Ok((raw.relative_to(reference), right))
        })
        .collect()
}

/// How the fusion was chosen, with its figures on the tuning queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FusionFit {
    /// In-scope labelled queries used.
    pub queries: usize,
    /// "default" (too few queries, or the default's worst margin is the best) or "fitted".
    pub chosen: String,
    /// Mean of hit@1 and nDCG@10 of the default fusion on them.
    pub default_score: f64,
    /// The same for the chosen fusion.
    pub chosen_score: f64,
    /// The chosen fusion's worst margin over the best baseline on them: the smaller of its hit@1
    /// and its nDCG@10 minus the best of lexical alone, vector alone and plain RRF.
    #[serde(default)]
    pub worst_margin: f64,
    /// That margin averaged with its grid neighbours' (what the choice compares, see [`fit`]).
    #[serde(default)]
    pub smoothed_margin: f64,
}

/// The labelled queries a corpus folder brings for its own builds: the tuning part of
/// `<corpus_dir>/eval/dev.jsonl` (none when the file is missing).
pub fn corpus_tuning_queries(corpus_dir: &Path) -> Result<Vec<LabelledQuery>, IndexError> {
    tuning_queries(&corpus_dir.join("eval").join("dev.jsonl"))
}

/// The tuning part of a labelled query file: every query not held back (by qid hash). A missing
/// file means no labels.
pub fn tuning_queries(path: &Path) -> Result<Vec<LabelledQuery>, IndexError> {
    if !path.exists() {
        return Ok(vec![]);
    }
    let queries = load_queries(path)?;
    Ok(queries
        .into_iter()
        .filter(|q| !held_back(split_key(q)))
        .collect())
}

/// Version of the fitting code; bump when what a fit does changes, so generations are refitted
/// (11: the fusion with the largest worst margin over the best baseline, averaged with its grid
/// neighbours').
const FIT_VERSION: u32 = 11;

/// Fingerprint of the fitting code, the tuning queries, the bank, the shipped calibration and the
/// default fusion a fit must beat (what [`crate::index::BuildOptions::fit_inputs`] records: a new
/// default refits an unchanged corpus).
pub fn fingerprint(
    queries: &[LabelledQuery],
    calibration: Option<&Calibration>,
    default_fusion: &Fusion,
) -> String {
    let text = serde_json::to_string(queries).unwrap_or_default()
        + OUT_OF_SCOPE_BANK
        + &serde_json::to_string(&calibration).unwrap_or_default()
        + &serde_json::to_string(default_fusion).unwrap_or_default();
    format!(
        "v{FIT_VERSION}-{}",
        &blake3::hash(text.as_bytes()).to_hex()[..16]
    )
}

/// Lexical shares of the grid's blends.
const LEXICAL_STEPS: [f32; 10] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0];
/// Agreement weights of the grid's blends.
const AGREEMENT_STEPS: [f32; 4] = [0.0, 0.2, 0.5, 1.0];

/// The fusion candidates tried: blends across the lexical share and agreement weight, each side alone
/// and plain RRF.
pub fn grid() -> Vec<Fusion> {
    let mut grid = vec![Fusion::PLAIN_RRF];
    for lexical in LEXICAL_STEPS {
        for agreement in AGREEMENT_STEPS {
            grid.push(Fusion::Blend {
                lexical,
                agreement,
                k: 60.0,
            });
        }
    }
    grid
}

/// Whether `a` and `b` are blends one grid step apart (lexical share or agreement weight).
fn grid_neighbours(a: Fusion, b: Fusion) -> bool {
    let (
        Fusion::Blend {
            lexical: la,
            agreement: aa,
            k: ka,
        },
        Fusion::Blend {
            lexical: lb,
            agreement: ab,
            k: kb,
        },
    ) = (a, b)
    else {
        return false;
    };
    let step = |steps: &[f32], x: f32, y: f32| {
        let at = |v: f32| steps.iter().position(|s| (s - v).abs() < 1e-6);
        matches!((at(x), at(y)), (Some(i), Some(j)) if i.abs_diff(j) == 1)
    };
    ka == kb
        && ((aa == ab && step(&LEXICAL_STEPS, la, lb))
            || (la == lb && step(&AGREEMENT_STEPS, aa, ab)))
}

/// Mean (hit@1, nDCG@10) of the entry rankings `rank` makes from candidates gathered once (a
/// fusion, or one side alone): what the fit and `examples/fusion_sweep.rs` compare.
pub fn ranking_scores(
    generation: &IndexGeneration,
    runs: &[(Candidates, &LabelledQuery)],
    rank: &dyn Fn(&Candidates) -> Vec<usize>,
) -> (f64, f64) {
    let n = runs.len().max(1) as f64;
    let (mut hit, mut ndcg) = (0.0, 0.0);
    for (c, q) in runs {
        let ids: Vec<&str> = rank(c)
            .into_iter()
            .take(10)
            .map(|e| generation.entries[e].id.0.as_str())
            .collect();
        let s = score_ranking(&ids, &q.relevant);
        hit += s[0];
        ndcg += s[5];
    }
    (hit / n, ndcg / n)
}

/// Fits the fusion of `generation` on `tuning` (labelled queries of this corpus; labels naming
/// entries the generation lacks are ignored), then measures the confidence reference and fits the
/// adjustment of `calibration` (when given) with that fusion. `searcher` should keep enough query
/// vectors for the bank and `tuning` (see [`FIT_QUERY_CACHE`]): each is searched more than once.
pub fn fit(
    searcher: &Searcher,
    generation: &IndexGeneration,
    tuning: &[LabelledQuery],
    calibration: Option<&Calibration>,
) -> Result<Fits, IndexError> {
    let known: Vec<&LabelledQuery> = tuning
        .iter()
        .filter(|q| q.relevant.iter().all(|r| generation.entry(&r.0).is_some()))
        .collect();
    let bank_questions = reference_questions();
    let mut questions = bank_questions.clone();
    questions.extend(known.iter().map(|q| q.query.clone()));
    searcher
        .warm(&questions)
        .map_err(|e| IndexError::Fit(e.to_string()))?;
    let (fusion, fusion_fit) = fit_fusion(searcher, generation, &known)?;
    let bank = bank_features(searcher, generation, fusion, &bank_questions)?;
    let confidence_reference = Reference::measure(&bank);
    // the shipped model's confidence on each bank question, read against the reference
    let bank: Vec<f64> = match calibration {
        Some(c) => bank
            .into_iter()
            .map(|f| c.confidence(&f.relative_to(&confidence_reference)).0)
            .collect(),
        None => Vec::new(),
    };
    let confidence_adjustment = match calibration {
        Some(c) if known.len() >= crate::answer::MIN_ADJUSTMENT_QUERIES => {
            // the corpus's labelled questions, and the bank's as ones it must not answer: the
            // bot's stream has both
            let mut points: Vec<(f64, bool)> = bank.iter().map(|&p| (p, false)).collect();
            let labelled = known
                .iter()
                .map(|q| {
                    let (results, raw) =
                        search_with_raw_features(searcher, generation, &q.query, 5, Some(fusion))?;
                    let features: Features = raw.relative_to(&confidence_reference);
                    let correct = results
                        .hits
                        .first()
                        .is_some_and(|h| q.relevant.contains(&h.id));
                    Ok((c.confidence(&features).0, correct))
                })
                .collect::<Result<Vec<_>, crate::retrieve::RetrieveError>>()
                .map_err(|e| IndexError::Fit(e.to_string()))?;
            points.extend(labelled);
            Adjustment::fit(&points)
        }
        _ => Adjustment::identity(),
    };
    let confidence_check = match calibration {
        Some(c) => {
            let probes = probe_points(searcher, generation, fusion, &confidence_reference)
                .map_err(|e| IndexError::Fit(e.to_string()))?;
            let served = |p: f64| confidence_adjustment.apply(Confidence(p)).0;
            let probes: Vec<(f64, bool)> = probes
                .iter()
                .map(|(f, ok)| (served(c.confidence(f).0), *ok))
                .collect();
            let bank: Vec<f64> = bank.iter().map(|&p| served(p)).collect();
            Some(ProbeCheck::measure(&probes, &bank))
        }
        None => None,
    };
    Ok(Fits {
        fusion,
        fusion_fit,
        confidence_reference,
        confidence_adjustment,
        confidence_check,
    })
}

/// The fusion chosen on the in-scope `tuning` queries, and how: of the default and the grid, the
/// one whose worst margin over this corpus's best baseline (lexical alone, vector alone, plain
/// RRF; hit@1 and nDCG@10 each), averaged with its grid neighbours', is largest, ties to the
/// larger hit@1 + nDCG@10 ([`least_losing`]). Aiming at "never below the better baseline" holds
/// up better on queries the fit did not see than the best mean did (random halves of each matrix
/// corpus's tuning split: see the README's Retrieval section).
fn fit_fusion(
    searcher: &Searcher,
    generation: &IndexGeneration,
    tuning: &[&LabelledQuery],
) -> Result<(Fusion, FusionFit), IndexError> {
    let usable: Vec<&LabelledQuery> = tuning.iter().copied().filter(|q| q.in_scope()).collect();
    let default = searcher.default_fusion();
    if usable.len() < MIN_TUNING_QUERIES {
        let fit = FusionFit {
            queries: usable.len(),
            chosen: "default".into(),
            default_score: 0.0,
            chosen_score: 0.0,
            worst_margin: 0.0,
            smoothed_margin: 0.0,
        };
        return Ok((default, fit));
    }
    let runs = usable
        .into_iter()
        .map(|q| Ok((searcher.candidates(generation, &q.query)?, q)))
        .collect::<Result<Vec<_>, crate::retrieve::RetrieveError>>()
        .map_err(|e| IndexError::Fit(e.to_string()))?;
    let side = |s: &[(usize, crate::retrieve::Evidence)]| s.iter().map(|(e, _)| *e).collect();
    let fused = |f: Fusion| {
        move |c: &Candidates| c.fuse(&f).into_iter().map(|f| f.entry).collect::<Vec<_>>()
    };
    let baselines = [
        ranking_scores(generation, &runs, &|c| side(&c.lexical)),
        ranking_scores(generation, &runs, &|c| side(&c.vector)),
        ranking_scores(generation, &runs, &fused(Fusion::PLAIN_RRF)),
    ];
    let best = baselines
        .iter()
        .fold((0.0f64, 0.0f64), |a, b| (a.0.max(b.0), a.1.max(b.1)));
    let judged = std::iter::once(default)
        .chain(grid())
        .map(|f| (f, ranking_scores(generation, &runs, &fused(f))));
    let (default_score, chosen) = least_losing(judged, best);
    let fit = FusionFit {
        queries: runs.len(),
        chosen: if chosen.fusion != default {
            "fitted"
        } else {
            "default"
        }
        .into(),
        default_score,
        chosen_score: chosen.mean,
        worst_margin: chosen.worst_margin,
        smoothed_margin: chosen.smoothed_margin,
    };
    Ok((chosen.fusion, fit))
}

/// A fusion with its figures on the tuning queries.
#[derive(Debug, Clone, Copy)]
pub struct Judged {
    /// The fusion.
    pub fusion: Fusion,
    /// The smaller of hit@1 and nDCG@10 minus the best baseline's.
    pub worst_margin: f64,
    /// Mean of hit@1 and nDCG@10.
    pub mean: f64,
    /// The worst margin averaged with the grid neighbours' (what the choice compares).
    pub smoothed_margin: f64,
}

/// Of `candidates` (fusion, (hit@1, nDCG@10)), the first being the default, the one with the
/// largest worst margin over `best` (the best baseline's hit@1 and nDCG@10) averaged with its grid
/// neighbours' (one step of lexical share or agreement: a lone spike on a few hundred tuning
/// queries is more often noise than a better fusion), ties to the larger mean and then to the
/// earlier; with the default's mean. The rule [`fit`] chooses by (`examples/fit_rule_probe.rs`
/// judges it).
pub fn least_losing(
    candidates: impl IntoIterator<Item = (Fusion, (f64, f64))>,
    best: (f64, f64),
) -> (f64, Judged) {
    let judged: Vec<Judged> = candidates
        .into_iter()
        .map(|(fusion, (hit, ndcg))| Judged {
            fusion,
            worst_margin: (hit - best.0).min(ndcg - best.1),
            mean: (hit + ndcg) / 2.0,
            smoothed_margin: 0.0,
        })
        .collect();
    let smoothed: Vec<Judged> = judged
        .iter()
        .map(|j| {
            let around: Vec<f64> = judged
                .iter()
                .filter(|n| grid_neighbours(j.fusion, n.fusion))
                .map(|n| n.worst_margin)
                .collect();
            Judged {
                smoothed_margin: (j.worst_margin + around.iter().sum::<f64>())
                    / (1 + around.len()) as f64,
                ..*j
            }
        })
        .collect();
    let Some(&first) = smoothed.first() else {
        let none = Judged {
            fusion: Fusion::default(),
            worst_margin: 0.0,
            mean: 0.0,
            smoothed_margin: 0.0,
        };
        return (0.0, none);
    };
    let chosen = smoothed.iter().skip(1).fold(first, |a, &b| {
        let better = b.smoothed_margin > a.smoothed_margin
            || (b.smoothed_margin == a.smoothed_margin && b.mean > a.mean);
        if better {
            b
        } else {
            a
        }
    });
    (first.mean, chosen)
}

/// [`fit`] as the closure [`crate::index::build_and_fit`] takes.
pub fn fit_closure<'a>(
    searcher: &'a Searcher,
    tuning: &'a [LabelledQuery],
    calibration: Option<&'a Calibration>,
) -> impl Fn(&IndexGeneration) -> Result<serde_json::Value, IndexError> + Sync + 'a {
    move |generation| {
        let fits = fit(searcher, generation, tuning, calibration)?;
        serde_json::to_value(fits).map_err(|e| IndexError::Fit(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fusion_that_loses_least_to_the_best_baseline_wins() {
        let blend = |lexical| Fusion::Blend {
            lexical,
            agreement: 0.0,
            k: 60.0,
        };
        let best = (0.80, 0.85);
        // the default: below the best baseline on both
        let default = (blend(0.3), (0.78, 0.84));
        // the best mean, but 0.04 below the baseline's hit@1
        let greedy = (blend(0.9), (0.76, 0.99));
        // never below it
        let steady = (blend(0.5), (0.81, 0.86));
        let (default_mean, chosen) = least_losing([default, greedy, steady], best);
        assert!((default_mean - 0.81).abs() < 1e-9);
        assert_eq!(chosen.fusion, blend(0.5));
        assert!((chosen.worst_margin - 0.01).abs() < 1e-9);
        // equal worst margins: the larger mean; all equal: the default stays
        let richer = (blend(0.6), (0.81, 0.90));
        assert_eq!(
            least_losing([default, steady, richer], best).1.fusion,
            blend(0.6)
        );
        assert_eq!(least_losing([default, default], best).1.fusion, blend(0.3));
        // a lone spike loses to a plateau: 0.4 is best alone, but its neighbours fall away
        let plateau = [
            default,
            (blend(0.3), (0.79, 0.84)),
            (blend(0.4), (0.84, 0.89)),
            (blend(0.5), (0.70, 0.80)),
            (blend(0.6), (0.82, 0.87)),
            (blend(0.7), (0.82, 0.87)),
            (blend(0.8), (0.82, 0.87)),
        ];
        let chosen = least_losing(plateau, best).1;
        assert_eq!(chosen.fusion, blend(0.7));
        assert!((chosen.smoothed_margin - 0.02).abs() < 1e-9, "{chosen:?}");
    }

    #[test]
    fn grid_neighbours_are_one_step_apart() {
        let blend = |lexical, agreement| Fusion::Blend {
            lexical,
            agreement,
            k: 60.0,
        };
        assert!(grid_neighbours(blend(0.8, 0.2), blend(1.0, 0.2)));
        assert!(grid_neighbours(blend(0.3, 0.5), blend(0.3, 1.0)));
        assert!(!grid_neighbours(blend(0.3, 0.5), blend(0.4, 1.0)));
        assert!(!grid_neighbours(blend(0.3, 0.0), blend(0.5, 0.0)));
        assert!(!grid_neighbours(Fusion::PLAIN_RRF, blend(0.0, 0.0)));
    }
}
