//! The development matrix: several labelled corpora evaluated in one run. For each, HAIPEDIA's hybrid,
//! its lexical and vector sides alone and a plain RRF(k=60) of the same two rankings are scored on
//! the same candidates, with the hybrid's calibrated confidence beside the single signals it should
//! beat. Sets are data (`eval/matrix.toml`); indexes are cached per corpus and rebuilt only on change.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::decisions::{DecisionCounts, DecisionReport, Judge};
use super::uncertainty::{calibrated_ece, paired_interval, Interval};
use super::{load_queries, score_ranking, LabelledQuery, RetrievalMetrics};
use crate::answer::{
    held_back, judge, search_with_features, Adjustment, Answerer, Calibration, Channel,
    ConfidenceMetrics, Features,
};
use crate::corpus::{document_id, load_documents, Corpus, CorpusErrors, Entry, EntryId};
use crate::index::{self, BuildOptions, IndexError, IndexGeneration, IndexRoot};
use crate::retrieve::{Candidates, Evidence, Fusion, RetrieveError, Searcher};

/// Why the matrix could not run.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// The matrix file is unreadable or malformed.
    #[error("{path}: {message}")]
    Spec {
        /// The matrix file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A set's corpus or queries are invalid.
    #[error("set {set}: {source}")]
    Corpus {
        /// The set.
        set: String,
        /// The problems.
        source: CorpusErrors,
    },
    /// Labels name entries the set's corpus does not have.
    #[error("set {set}: labels name unknown entries: {labels}")]
    UnknownLabels {
        /// The set.
        set: String,
        /// `qid: label` pairs.
        labels: String,
    },
    /// Building or opening a set's index failed.
    #[error("set {set}: {source}")]
    Index {
        /// The set.
        set: String,
        /// The failure.
        source: IndexError,
    },
    /// A search failed.
    #[error("set {set}: {source}")]
    Search {
        /// The set.
        set: String,
        /// The failure.
        source: RetrieveError,
    },
}

/// Which queries of a set are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    /// Only the held-back queries (never used to tune anything).
    HeldBack,
    /// Only the queries tuning may look at.
    Tune,
    /// Every query.
    All,
}

/// How a set's queries are divided into tuning and held-back parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Holdout {
    /// About a third, chosen by the qid's hash ([`held_back`]).
    #[default]
    QidHash,
    /// The whole set is held back (a blind test set).
    All,
}

/// One labelled corpus of the matrix, as written in the matrix file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetSpec {
    /// Short name shown in the table.
    pub name: String,
    /// A corpus folder (Markdown + JSONL) or one JSONL file of entries.
    pub corpus: Option<PathBuf>,
    /// A folder of plain documents, one article per file (labels may name the files).
    pub documents: Option<PathBuf>,
    /// Labelled queries (JSONL).
    pub queries: PathBuf,
    /// Only the first this many queries, in file order (a slice of a large set).
    pub max_queries: Option<usize>,
    /// With `max_queries` on a JSONL corpus: entries kept besides those the queries name.
    pub distractors: Option<usize>,
    /// How the queries are split.
    #[serde(default)]
    pub holdout: Holdout,
    /// Lowest acceptable figures on the held-back split (tests/quality.rs checks them).
    #[serde(default)]
    pub floors: Floors,
    /// Also run the bot's decisions on the queries and judge them this way (a routing set has no
    /// entry labels: it only appears in the decisions table).
    pub decisions: Option<Judge>,
}

/// Quality floors of one set: a regression in analysis, fusion or calibration falls below one.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Floors {
    /// The hybrid's hit@1.
    pub hit_at_1: Option<f64>,
    /// The hybrid's nDCG@10.
    pub ndcg_at_10: Option<f64>,
    /// AUROC of the calibrated confidence.
    pub auroc: Option<f64>,
    /// Share of out-of-scope questions escalated.
    pub out_of_scope_escalated: Option<f64>,
    /// Share of direct answers that come from a relevant entry.
    pub answer_precision: Option<f64>,
    /// Share of routes that go to the requested menu.
    pub routing_precision: Option<f64>,
    /// Share of requests routed to their menu.
    pub routing_recall: Option<f64>,
    /// Highest acceptable share of must-escalate questions answered directly.
    pub wrongly_answered_at_most: Option<f64>,
}

impl SetReport {
    /// The floors of `spec` this report falls below, as readable lines.
    pub fn below(&self, floors: &Floors) -> Vec<String> {
        let hybrid = &self.retrieval[0].1;
        let d = self.decisions.as_ref().map(|d| &d.all);
        let mut below: Vec<String> = [
            ("hit@1", floors.hit_at_1, Some(hybrid.hit_at_1)),
            ("nDCG@10", floors.ndcg_at_10, Some(hybrid.ndcg_at_10)),
            ("AUROC", floors.auroc, Some(self.confidence.auroc)),
            (
                "out-of-scope escalated",
                floors.out_of_scope_escalated,
                Some(self.confidence.out_of_scope_escalated),
            ),
            (
                "direct-answer precision",
                floors.answer_precision,
                d.and_then(DecisionCounts::precision),
            ),
            (
                "routing precision",
                floors.routing_precision,
                d.and_then(DecisionCounts::routing_precision),
            ),
            (
                "routing recall",
                floors.routing_recall,
                d.and_then(DecisionCounts::routing_recall),
            ),
        ]
        .into_iter()
        .filter_map(|(name, floor, value)| {
            let floor = floor?;
            let value = value.unwrap_or(0.0);
            (value < floor).then(|| format!("{}: {name} {value:.3} < floor {floor:.3}", self.name))
        })
        .collect();
        if let (Some(ceiling), Some(value)) = (
            floors.wrongly_answered_at_most,
            d.and_then(DecisionCounts::wrongly_answered),
        ) {
            if value > ceiling {
                below.push(format!(
                    "{}: must-escalate answered directly {value:.3} > {ceiling:.3}",
                    self.name
                ));
            }
        }
        below
    }
}

/// The matrix file: sets and the cache folder for their indexes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixSpec {
    /// Index cache folder (relative to the matrix file).
    pub cache: PathBuf,
    /// The sets, in table order.
    #[serde(rename = "set")]
    pub sets: Vec<SetSpec>,
}

impl MatrixSpec {
    /// Reads a matrix file; relative paths in it are taken from the file's folder.
    pub fn load(path: &Path) -> Result<MatrixSpec, MatrixError> {
        let spec_err = |message: String| MatrixError::Spec {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| spec_err(e.to_string()))?;
        let mut spec: MatrixSpec = toml::from_str(&text).map_err(|e| spec_err(e.to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let at = |p: &Path| base.join(p);
        spec.cache = at(&spec.cache);
        for set in &mut spec.sets {
            if set.corpus.is_some() == set.documents.is_some() {
                return Err(spec_err(format!(
                    "set {}: give exactly one of `corpus` and `documents`",
                    set.name
                )));
            }
            set.corpus = set.corpus.as_deref().map(at);
            set.documents = set.documents.as_deref().map(at);
            set.queries = at(&set.queries);
        }
        Ok(spec)
    }
}

/// A ranking method compared in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// What HAIPEDIA serves: the fusion this corpus's build fitted on its labelled queries.
    Hybrid,
    /// The default fusion, which a corpus without labelled queries gets.
    Unfitted,
    /// The BM25 side alone.
    Lexical,
    /// The vector side alone.
    Vector,
    /// Plain reciprocal-rank fusion (k = 60, equal weights) of the two sides.
    Rrf,
}

impl Method {
    /// Every method, in table order.
    pub const ALL: [Method; 5] = [
        Method::Hybrid,
        Method::Unfitted,
        Method::Lexical,
        Method::Vector,
        Method::Rrf,
    ];

    /// The name shown in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Hybrid => "hybrid",
            Method::Unfitted => "hybrid, no labels",
            Method::Lexical => "lexical",
            Method::Vector => "vector",
            Method::Rrf => "rrf60",
        }
    }
}

/// The figures of one set.
#[derive(Debug, Clone, Serialize)]
pub struct SetReport {
    /// Set name.
    pub name: String,
    /// Entries indexed.
    pub entries: usize,
    /// Passages indexed.
    pub passages: usize,
    /// Queries scored (after the split).
    pub queries: usize,
    /// Of which out of scope (no relevant entry).
    pub out_of_scope: usize,
    /// The fusion the set's build served with, and how it was chosen.
    pub fits: serde_json::Value,
    /// Retrieval per method, in [`Method::ALL`] order.
    pub retrieval: Vec<(Method, RetrievalMetrics)>,
    /// The hybrid's calibrated confidence.
    pub confidence: ConfidenceMetrics,
    /// The hybrid against its best baseline, and the ECE chance alone gives on this set.
    pub margins: Margins,
    /// AUROC of single signals for "the hybrid's first hit is right": top-1 cosine, BM25 margin,
    /// fused score.
    pub signals: Signals,
    /// How the set's labels judge decisions, when they do.
    pub judge: Option<Judge>,
    /// The bot's decisions on the queries (sets with `decisions`).
    pub decisions: Option<DecisionReport>,
}

/// The hybrid's margins over its best baseline with their 95% paired bootstrap intervals (absent
/// without in-scope queries), and the ECE a perfectly calibrated confidence would show on as many
/// questions ([`super::uncertainty`]): what separates a real loss or miscalibration from chance.
#[derive(Debug, Clone, Serialize)]
pub struct Margins {
    /// The baseline with the best hit@1, and the hybrid's hit@1 minus it.
    pub hit_at_1: Option<(Method, Interval)>,
    /// The baseline with the best nDCG@10, and the hybrid's nDCG@10 minus it.
    pub ndcg_at_10: Option<(Method, Interval)>,
    /// 95th percentile of the ECE of a perfectly calibrated confidence with these confidences.
    pub calibrated_ece: f64,
}

impl Margins {
    /// From each method's per-query scores (in [`Method::ALL`] order), their means and the
    /// hybrid's (confidence, right, in scope) points.
    fn measure(
        per_query: &[Vec<[f64; 6]>],
        retrieval: &[(Method, RetrievalMetrics)],
        points: &[(f64, bool, bool)],
    ) -> Margins {
        let against_best = |metric: usize, mean: fn(&RetrievalMetrics) -> f64| {
            if per_query[0].is_empty() {
                return None;
            }
            let (at, (best, _)) = retrieval
                .iter()
                .enumerate()
                .filter(|(_, (m, _))| matches!(m, Method::Lexical | Method::Vector | Method::Rrf))
                .max_by(|(_, (_, a)), (_, (_, b))| mean(a).total_cmp(&mean(b)))?;
            let column =
                |m: usize| -> Vec<f64> { per_query[m].iter().map(|s| s[metric]).collect() };
            Some((*best, paired_interval(&column(0), &column(at))))
        };
        Margins {
            hit_at_1: against_best(0, |m| m.hit_at_1),
            ndcg_at_10: against_best(5, |m| m.ndcg_at_10),
            calibrated_ece: calibrated_ece(points),
        }
    }
}

/// AUROC of raw signals, the baselines a calibrated confidence must beat.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Signals {
    /// Cosine of the best vector candidate.
    pub top_cosine: f64,
    /// (best BM25 - second BM25) / best BM25.
    pub bm25_margin: f64,
    /// The hybrid's fused score of its first hit.
    pub fused_score: f64,
}

/// One query's outcome for every method, and its signals.
struct Scored {
    rankings: Vec<Vec<EntryId>>,
    confidence: f64,
    signals: [f64; 3],
}

/// Loads a set's corpus and queries (sliced, labels resolved and checked).
pub fn load_set(set: &SetSpec) -> Result<(Corpus, Vec<LabelledQuery>), MatrixError> {
    let corpus_err = |source| MatrixError::Corpus {
        set: set.name.clone(),
        source,
    };
    let mut queries = load_queries(&set.queries).map_err(corpus_err)?;
    if let Some(n) = set.max_queries {
        queries.truncate(n);
    }
    let mut menu_examples = Vec::new();
    let mut entries: Vec<Entry> = match (&set.corpus, &set.documents) {
        (_, Some(dir)) => {
            // labels may name the document files
            for q in &mut queries {
                for r in &mut q.relevant {
                    if r.0.ends_with(".md") || r.0.ends_with(".txt") {
                        *r = document_id(&r.0);
                    }
                }
            }
            load_documents(dir).map_err(corpus_err)?
        }
        (Some(p), None) if p.extension().is_some_and(|e| e == "jsonl") => {
            Corpus::read_jsonl(p).map_err(corpus_err)?
        }
        (Some(p), None) => {
            let corpus = Corpus::load_dir(p).map_err(corpus_err)?;
            menu_examples = corpus.menu_examples;
            corpus.entries
        }
        (None, None) => vec![],
    };
    if let Some(distractors) = set.distractors {
        let named: std::collections::HashSet<&str> = queries
            .iter()
            .flat_map(|q| q.relevant.iter().map(|r| r.0.as_str()))
            .collect();
        let mut others = 0;
        entries.retain(|e| {
            if named.contains(e.id.0.as_str()) {
                return true;
            }
            others += 1;
            others <= distractors
        });
    }
    let mut corpus = Corpus::from_entries(entries).map_err(corpus_err)?;
    corpus.menu_examples = menu_examples;
    let unknown: Vec<String> = queries
        .iter()
        .flat_map(|q| {
            q.relevant
                .iter()
                .filter(|r| corpus.get(&r.0).is_none())
                .map(move |r| format!("{}: {}", super::split_key(q), r))
        })
        .collect();
    if !unknown.is_empty() {
        return Err(MatrixError::UnknownLabels {
            set: set.name.clone(),
            labels: unknown.join(", "),
        });
    }
    Ok((corpus, queries))
}

/// Whether a query of `set` is scored under `split`.
pub fn in_split(set: &SetSpec, q: &LabelledQuery, split: Split) -> bool {
    let held = match set.holdout {
        Holdout::All => true,
        Holdout::QidHash => held_back(super::split_key(q)),
    };
    match split {
        Split::All => true,
        Split::HeldBack => held,
        Split::Tune => !held,
    }
}

/// The labelled queries a build of this set's corpus tunes on, as the product would: a corpus folder
/// brings its own (`eval/dev.jsonl`, tuning part); a set made of documents or a JSONL file lends its
/// own tuning split to play that part.
pub fn tuning_queries(
    set: &SetSpec,
    queries: &[LabelledQuery],
) -> Result<Vec<LabelledQuery>, MatrixError> {
    match &set.corpus {
        Some(dir) if dir.is_dir() => {
            crate::tune::corpus_tuning_queries(dir).map_err(|source| MatrixError::Index {
                set: set.name.clone(),
                source,
            })
        }
        _ => Ok(queries
            .iter()
            .filter(|q| in_split(set, q, Split::Tune))
            .cloned()
            .collect()),
    }
}

/// Builds (or reuses) the set's index under `cache`, fitted on `tuning` (and, given the shipped
/// `calibration`, its confidence adjustment), and opens it.
pub fn open_set_index(
    set: &SetSpec,
    corpus: &Corpus,
    tuning: &[LabelledQuery],
    searcher: &Searcher,
    calibration: Option<&Calibration>,
    cache: &Path,
    options: &BuildOptions,
) -> Result<IndexGeneration, MatrixError> {
    let index_err = |source| MatrixError::Index {
        set: set.name.clone(),
        source,
    };
    // sets over the same corpus share one index folder (a new fit rebuilds it, reusing the vectors)
    let folder = blake3::hash(corpus_key(set).as_bytes()).to_hex();
    let root = IndexRoot::new(cache.join(&folder.as_str()[..16]));
    let options = BuildOptions {
        fit_inputs: crate::tune::fingerprint(tuning, calibration, &searcher.default_fusion()),
        ..options.clone()
    };
    let fitter = searcher.with_query_cache(crate::tune::FIT_QUERY_CACHE);
    let fit = crate::tune::fit_closure(&fitter, tuning, calibration);
    index::build_and_fit(corpus, searcher.embedder(), &root, &options, &|_| {}, &fit)
        .map_err(index_err)?;
    root.collect_garbage(2).map_err(index_err)?;
    IndexGeneration::open_current(&root).map_err(index_err)
}

/// Entry ids of a fused or single-side ranking, best first, at most 10.
fn ids(generation: &IndexGeneration, ranked: impl Iterator<Item = usize>) -> Vec<EntryId> {
    ranked
        .take(10)
        .map(|e| generation.entries[e].id.clone())
        .collect()
}

fn side(generation: &IndexGeneration, side: &[(usize, Evidence)]) -> Vec<EntryId> {
    ids(generation, side.iter().map(|(e, _)| *e))
}

/// Scores every query of `set` under `split` on its index.
pub fn run_set(
    set: &SetSpec,
    queries: &[LabelledQuery],
    generation: &IndexGeneration,
    answerer: &Answerer,
    split: Split,
) -> Result<SetReport, MatrixError> {
    let searcher = answerer.searcher();
    let calibration = answerer.calibration();
    let thresholds = answerer.thresholds();
    let search_err = |source| MatrixError::Search {
        set: set.name.clone(),
        source,
    };
    let chosen: Vec<&LabelledQuery> = queries.iter().filter(|q| in_split(set, q, split)).collect();
    let mut scored = Vec::with_capacity(chosen.len());
    for q in &chosen {
        let (results, features) =
            search_with_features(searcher, generation, &q.query, 10).map_err(search_err)?;
        let c: Candidates = searcher
            .candidates(generation, &q.query)
            .map_err(search_err)?;
        let rrf = c.fuse(&Fusion::PLAIN_RRF);
        let unfitted = c.fuse(&searcher.default_fusion());
        let bm25 = |i: usize| c.lexical.get(i).map_or(0.0, |(_, e)| f64::from(e.score));
        scored.push(Scored {
            rankings: vec![
                results.hits.iter().map(|h| h.id.clone()).collect(),
                ids(generation, unfitted.iter().map(|f| f.entry)),
                side(generation, &c.lexical),
                side(generation, &c.vector),
                ids(generation, rrf.iter().map(|f| f.entry)),
            ],
            confidence: calibration.confidence_on(generation, &features).0,
            signals: [
                c.vector.first().map_or(0.0, |(_, e)| f64::from(e.score)),
                if bm25(0) > 0.0 {
                    (bm25(0) - bm25(1)) / bm25(0)
                } else {
                    0.0
                },
                results.hits.first().map_or(0.0, |h| f64::from(h.score)),
            ],
        });
    }
    // per method, each in-scope query's scores
    let per_query: Vec<Vec<[f64; 6]>> = (0..Method::ALL.len())
        .map(|m| {
            chosen
                .iter()
                .zip(&scored)
                .filter(|(q, _)| q.in_scope())
                .map(|(q, s)| {
                    let ranked: Vec<&str> = s.rankings[m].iter().map(|r| r.0.as_str()).collect();
                    score_ranking(&ranked, &q.relevant)
                })
                .collect()
        })
        .collect();
    let retrieval: Vec<(Method, RetrievalMetrics)> = Method::ALL
        .iter()
        .zip(&per_query)
        .map(|(method, scores)| (*method, RetrievalMetrics::from_scores(chosen.len(), scores)))
        .collect();
    let correct: Vec<bool> = chosen
        .iter()
        .zip(&scored)
        .map(|(q, s)| {
            s.rankings[0]
                .first()
                .is_some_and(|id| q.relevant.contains(id))
        })
        .collect();
    let points: Vec<(f64, bool, bool)> = chosen
        .iter()
        .zip(&scored)
        .zip(&correct)
        .map(|((q, s), ok)| (s.confidence, *ok, q.in_scope()))
        .collect();
    let decisions = match set.decisions {
        None => None,
        Some(judge) => {
            let mut report = DecisionReport::default();
            for q in &chosen {
                let answer = answerer
                    .answer(generation, &q.query, Channel::WhatsApp)
                    .map_err(search_err)?;
                report.add(q, &answer, judge);
            }
            Some(report)
        }
    };
    let signal_auroc = |i: usize| {
        let pts: Vec<(f64, bool, bool)> = scored
            .iter()
            .zip(&correct)
            .map(|(s, ok)| (s.signals[i], *ok, true))
            .collect();
        judge(&pts, 1.0, 1.0).auroc
    };
    let margins = Margins::measure(&per_query, &retrieval, &points);
    Ok(SetReport {
        name: set.name.clone(),
        entries: generation.entries.len(),
        passages: generation.passages.len(),
        queries: chosen.len(),
        out_of_scope: chosen.iter().filter(|q| !q.in_scope()).count(),
        fits: generation.manifest.fits.clone(),
        retrieval,
        confidence: judge(&points, thresholds.0, thresholds.1),
        margins,
        signals: Signals {
            top_cosine: signal_auroc(0),
            bm25_margin: signal_auroc(1),
            fused_score: signal_auroc(2),
        },
        judge: set.decisions,
        decisions,
    })
}

/// Loads a set and builds (or reuses) its index fitted on its tuning queries, with the confidence
/// adjustment for `calibration` when given: the queries and the generation to score them on.
pub fn open_set(
    spec: &MatrixSpec,
    set: &SetSpec,
    searcher: &Searcher,
    calibration: Option<&Calibration>,
    options: &BuildOptions,
) -> Result<(Vec<LabelledQuery>, IndexGeneration), MatrixError> {
    let (corpus, queries) = load_set(set)?;
    let tuning = tuning_queries(set, &queries)?;
    let generation = open_set_index(
        set,
        &corpus,
        &tuning,
        searcher,
        calibration,
        &spec.cache,
        options,
    )?;
    Ok((queries, generation))
}

/// Runs every set of `spec`: load, index (cached, fitted on the set's tuning queries), score `split`.
pub fn run(
    spec: &MatrixSpec,
    answerer: &Answerer,
    options: &BuildOptions,
    split: Split,
) -> Result<Vec<SetReport>, MatrixError> {
    let mut reports = Vec::new();
    for set in &spec.sets {
        let (queries, generation) = open_set(
            spec,
            set,
            answerer.searcher(),
            Some(answerer.calibration()),
            options,
        )?;
        reports.push(run_set(set, &queries, &generation, answerer, split)?);
    }
    Ok(reports)
}

/// One labelled query's confidence features on its set's generation (relative to its reference).
#[derive(Debug, Clone)]
pub struct ConfidenceSample {
    /// Which corpus it belongs to (sets over the same corpus share it).
    pub corpus: String,
    /// Features of the hybrid search.
    pub features: Features,
    /// Whether the first hit is relevant.
    pub correct: bool,
    /// Whether some entry answers it.
    pub in_scope: bool,
    /// Whether it is in the set's held-back split.
    pub held_back: bool,
}

/// Which corpus a set searches (its folder, file or documents folder).
pub fn corpus_key(set: &SetSpec) -> String {
    set.corpus
        .as_ref()
        .or(set.documents.as_ref())
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// A label-free point of one corpus: a probe (see [`crate::tune::probe_points`]) or a question of
/// the out-of-scope bank.
#[derive(Debug, Clone)]
pub struct ProbeSample {
    /// The corpus it was made from.
    pub corpus: String,
    /// Features of the hybrid search.
    pub features: Features,
    /// Whether the first hit is the entry the probe came from (never, for the bank's questions).
    pub correct: bool,
}

/// Confidence samples of every query of every set, and the label-free points of every corpus
/// (indexes built and fitted as [`run`] does).
pub fn confidence_samples(
    spec: &MatrixSpec,
    searcher: &Searcher,
    options: &BuildOptions,
) -> Result<(Vec<ConfidenceSample>, Vec<ProbeSample>), MatrixError> {
    let mut samples = Vec::new();
    let mut probes: Vec<ProbeSample> = Vec::new();
    // a routing set's messages have no entry labels: they say nothing about answers
    for set in spec
        .sets
        .iter()
        .filter(|s| s.decisions != Some(Judge::Routing))
    {
        // the shipped model is what is being fitted here: no adjustment on top of the old one
        let (queries, generation) = open_set(spec, set, searcher, None, options)?;
        let corpus = corpus_key(set);
        if !probes.iter().any(|p| p.corpus == corpus) {
            let (fusion, reference) = (
                searcher.fusion(&generation),
                crate::answer::Reference::of(&generation),
            );
            let mut points = crate::tune::probe_points(searcher, &generation, fusion, &reference)
                .map_err(|source| MatrixError::Search {
                set: set.name.clone(),
                source,
            })?;
            let bank = crate::tune::reference_questions();
            let bank = crate::tune::bank_features(searcher, &generation, fusion, &bank).map_err(
                |source| MatrixError::Index {
                    set: set.name.clone(),
                    source,
                },
            )?;
            points.extend(bank.into_iter().map(|f| (f.relative_to(&reference), false)));
            probes.extend(points.into_iter().map(|(features, correct)| ProbeSample {
                corpus: corpus.clone(),
                features,
                correct,
            }));
        }
        for q in &queries {
            let (results, features) = search_with_features(searcher, &generation, &q.query, 10)
                .map_err(|source| MatrixError::Search {
                    set: set.name.clone(),
                    source,
                })?;
            samples.push(ConfidenceSample {
                corpus: corpus_key(set),
                features,
                correct: results
                    .hits
                    .first()
                    .is_some_and(|h| q.relevant.contains(&h.id)),
                in_scope: q.in_scope(),
                held_back: in_split(set, q, Split::HeldBack),
            });
        }
    }
    Ok((samples, probes))
}

/// Confidence of a model fitted without one corpus, on that corpus's held-back queries.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// The corpus left out of the fit.
    pub corpus: String,
    /// Figures on its held-back queries, the model as fitted.
    pub metrics: ConfidenceMetrics,
    /// The ECE a perfectly calibrated confidence would show there with the model's confidences
    /// (95th percentile, [`calibrated_ece`]).
    pub calibrated_ece: f64,
    /// The same with the adjustment fitted on the corpus's own label-free points.
    pub probed: ConfidenceMetrics,
    /// The same with that adjustment read against the one the other corpora's points give (where
    /// the model is calibrated): the easiness of probes cancels out.
    pub transferred: ConfidenceMetrics,
}

/// The model's (probability, first hit right) pairs on `points`.
fn adjustment_points<'a>(
    c: &Calibration,
    points: impl Iterator<Item = &'a ProbeSample>,
) -> Vec<(f64, bool)> {
    points
        .map(|p| (c.confidence(&p.features).0, p.correct))
        .collect()
}

/// Leave-one-corpus-out: for each corpus, a calibration fitted on the other corpora's tuning
/// samples, judged on this corpus's held-back samples, as fitted and with its label-free
/// adjustments (fitted on `probes`).
pub fn leave_one_corpus_out(
    samples: &[ConfidenceSample],
    probes: &[ProbeSample],
    thresholds: (f64, f64),
) -> Vec<LeftOut> {
    let mut corpora: Vec<&str> = samples.iter().map(|s| s.corpus.as_str()).collect();
    corpora.sort();
    corpora.dedup();
    corpora
        .into_iter()
        .map(|left_out| {
            let fit: Vec<(Features, bool)> = samples
                .iter()
                .filter(|s| s.corpus != left_out && !s.held_back)
                .map(|s| (s.features.clone(), s.correct))
                .collect();
            let c = Calibration::fit(&fit, crate::answer::FitInfo::default());
            let own = Adjustment::fit(&adjustment_points(
                &c,
                probes.iter().filter(|p| p.corpus == left_out),
            ));
            let others = Adjustment::fit(&adjustment_points(
                &c,
                probes.iter().filter(|p| p.corpus != left_out),
            ));
            let points = |adjustment: Adjustment| -> Vec<(f64, bool, bool)> {
                samples
                    .iter()
                    .filter(|s| s.corpus == left_out && s.held_back)
                    .map(|s| {
                        let p = adjustment.apply(c.confidence(&s.features)).0;
                        (p, s.correct, s.in_scope)
                    })
                    .collect()
            };
            let judged = |points: &[(f64, bool, bool)]| judge(points, thresholds.0, thresholds.1);
            let as_fitted = points(Adjustment::identity());
            LeftOut {
                corpus: left_out.to_string(),
                metrics: judged(&as_fitted),
                calibrated_ece: calibrated_ece(&as_fitted),
                probed: judged(&points(own)),
                transferred: judged(&points(own.relative_to(&others))),
            }
        })
        .collect()
}

/// The matrix as a Markdown table (the README's quality section prints this).
pub fn table(reports: &[SetReport]) -> String {
    let mut out = String::from(
        "| set (entries / passages) | queries (out of scope) | method | hit@1 | R@10 | MRR@10 | nDCG@10 | AUROC | ECE | P@answer | answered | out of scope escalated |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in reports.iter().filter(|r| r.judge != Some(Judge::Routing)) {
        for (i, (method, m)) in r.retrieval.iter().enumerate() {
            let head = if i == 0 {
                format!(
                    "{} ({} / {}) | {} ({})",
                    r.name, r.entries, r.passages, r.queries, r.out_of_scope
                )
            } else {
                " | ".to_string()
            };
            let conf = match method {
                Method::Hybrid => format!(
                    "{:.3} | {:.3} | {:.3} | {:.3} | {}",
                    r.confidence.auroc,
                    r.confidence.ece,
                    r.confidence.answered_precision,
                    r.confidence.answered,
                    if r.out_of_scope > 0 {
                        format!("{:.3}", r.confidence.out_of_scope_escalated)
                    } else {
                        "-".to_string()
                    }
                ),
                Method::Unfitted => " | | | |".to_string(),
                Method::Lexical => format!("{:.3} (BM25 margin) | | | |", r.signals.bm25_margin),
                Method::Vector => format!("{:.3} (top-1 cosine) | | | |", r.signals.top_cosine),
                Method::Rrf => format!("{:.3} (fused score) | | | |", r.signals.fused_score),
            };
            let retrieval = if m.in_scope == 0 {
                "- | - | - | -".to_string()
            } else {
                format!(
                    "{:.3} | {:.3} | {:.3} | {:.3}",
                    m.hit_at_1, m.recall_at_10, m.mrr_at_10, m.ndcg_at_10
                )
            };
            out.push_str(&format!(
                "| {head} | {} | {retrieval} | {conf} |\n",
                method.as_str()
            ));
        }
    }
    out
}

/// The hybrid's margins over its best baseline and its ECE, each beside what chance gives on the
/// set's size ([`Margins`]), as a Markdown table.
pub fn margins_table(reports: &[SetReport]) -> String {
    let mut out = String::from(
        "| set | answerable | hit@1: hybrid - best baseline [95% interval] | nDCG@10: hybrid - best baseline [95% interval] | ECE | ECE of a calibrated confidence (95th percentile) |\n\
         |---|---|---|---|---|---|\n",
    );
    let margin = |m: &Option<(Method, Interval)>| match m {
        Some((method, i)) => format!(
            "{:+.3} [{:+.3}, {:+.3}] vs {}",
            i.difference,
            i.low,
            i.high,
            method.as_str()
        ),
        None => "-".to_string(),
    };
    for r in reports.iter().filter(|r| r.judge != Some(Judge::Routing)) {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.3} | {:.3} |\n",
            r.name,
            r.queries - r.out_of_scope,
            margin(&r.margins.hit_at_1),
            margin(&r.margins.ndcg_at_10),
            r.confidence.ece,
            r.margins.calibrated_ece,
        ));
    }
    out
}

/// The bot's decisions on the sets that judge them, overall and by kind, as a Markdown table.
pub fn decisions_table(reports: &[SetReport]) -> String {
    let mut out = String::from(
        "| set | kind | messages | answerable answered directly | direct-answer precision | must-escalate answered directly | must-escalate with a service | routing precision | routing recall |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    for r in reports {
        let Some(d) = &r.decisions else { continue };
        let rows =
            std::iter::once(("all", &d.all)).chain(d.by_kind.iter().map(|(k, c)| (k.as_str(), c)));
        for (kind, c) in rows {
            out.push_str(&format!(
                "| {} | {kind} | {} | {} | {} | {} | {} | {} | {} |\n",
                r.name,
                c.messages,
                pct(c.answered_share()),
                pct(c.precision()),
                pct(c.wrongly_answered()),
                pct(c.with_service()),
                pct(c.routing_precision()),
                pct(c.routing_recall()),
            ));
        }
    }
    out
}

/// What a matrix tool (the sweeps under `examples/`) starts from: the matrix file named as the first
/// argument (default `eval/matrix.toml`), the default configuration, a searcher with the real model
/// and the build options.
pub fn tool_setup() -> anyhow::Result<(MatrixSpec, crate::config::Config, Searcher, BuildOptions)> {
    let path = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "eval/matrix.toml".into()),
    );
    let spec = MatrixSpec::load(&path)?;
    let config = crate::config::Config::default();
    let searcher = Searcher::new(
        std::sync::Arc::new(crate::embed::Embedder::from_config(&config)?),
        config.retrieve.clone(),
    );
    let options = BuildOptions::from_config(&config, false);
    Ok((spec, config, searcher, options))
}
