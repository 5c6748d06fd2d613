//! Calibrated confidence: a logistic model from [`Features`] to P(the first hit answers the question),
//! fitted on labelled queries, shipped as JSON beside the corpus, and judged by AUROC and ECE.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::features::{Features, FEATURE_NAMES};

/// A probability that the returned answer is correct, in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Confidence(pub f64);

/// The fitted model and how it was fitted (`corpus/eval/calibration.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Feature names, in order; must match [`FEATURE_NAMES`].
    pub features: Vec<String>,
    /// Per-feature mean used for standardising.
    pub mean: Vec<f64>,
    /// Per-feature standard deviation used for standardising.
    pub std: Vec<f64>,
    /// Logistic weights of the standardised features.
    pub weights: Vec<f64>,
    /// Logistic intercept.
    pub bias: f64,
    /// What it was fitted on and how it scored on held-back queries.
    pub fitted: FitInfo,
}

/// Provenance and held-back quality of a calibration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FitInfo {
    /// Labelled query file.
    pub queries_file: String,
    /// blake3 of that file's content when fitted.
    pub queries_hash: String,
    /// Queries used for fitting.
    pub fit_queries: usize,
    /// Queries held back (qid hash rule, see [`held_back`]).
    pub held_back_queries: usize,
    /// Embedding model of the index it was fitted on.
    pub model_id: String,
    /// UTC time of fitting.
    pub fitted_at: String,
    /// L2 strength chosen by cross-validation on the fitting queries.
    #[serde(default)]
    pub l2: f64,
}

/// blake3 of a file's bytes (hex), to recognise the file a calibration was fitted on.
pub fn file_hash(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| blake3::hash(&b).to_hex().to_string())
        .unwrap_or_default()
}

impl FitInfo {
    /// Provenance of a fit made now on `fit_queries` of `queries_file` (`held_back_queries` kept out).
    pub fn now(queries_file: &Path, fit_queries: usize, held_back_queries: usize) -> FitInfo {
        FitInfo {
            queries_file: queries_file.display().to_string(),
            queries_hash: file_hash(queries_file),
            fit_queries,
            held_back_queries,
            model_id: crate::embed::MODEL_ID.to_string(),
            fitted_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            l2: 0.0,
        }
    }
}

/// Why a calibration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// The file could not be read or parsed.
    #[error("calibration {path}: {message}; refit it with `haipedia calibrate`")]
    Invalid {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// A generation's own adjustment of the shipped model, fitted by its build on the corpus's labelled
/// queries when it has enough: `P = sigmoid(scale * logit(p) + shift)`. The shipped model ranks well
/// across corpora, but how often its "0.8" is right depends on the corpus and on how many of its
/// questions are out of scope; a few dozen labels fix that level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Slope on the logit.
    pub scale: f64,
    /// Offset on the logit.
    pub shift: f64,
    /// Labelled queries it was fitted on (0: none, identity).
    pub queries: usize,
}

/// Fewest labelled queries a build fits an [`Adjustment`] on.
pub const MIN_ADJUSTMENT_QUERIES: usize = 30;

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

impl Adjustment {
    /// No adjustment.
    pub fn identity() -> Adjustment {
        Adjustment {
            scale: 1.0,
            shift: 0.0,
            queries: 0,
        }
    }

    /// The adjustment a generation was published with (manifest `fits.confidence_adjustment`).
    pub fn of(generation: &crate::index::IndexGeneration) -> Adjustment {
        generation
            .manifest
            .fits
            .get("confidence_adjustment")
            .and_then(|v| Adjustment::deserialize(v).ok())
            .unwrap_or_else(Adjustment::identity)
    }

    /// Fits scale and shift on (shipped-model probability, first hit correct) pairs, pulled towards
    /// the identity so a few labels move it only as far as they show.
    pub fn fit(points: &[(f64, bool)]) -> Adjustment {
        if points.len() < MIN_ADJUSTMENT_QUERIES {
            return Adjustment::identity();
        }
        let n = points.len() as f64;
        let pull = 1.0 / n;
        let loss = |a: f64, b: f64| {
            points
                .iter()
                .map(|(p, y)| {
                    let q = sigmoid(a * logit(*p) + b).clamp(1e-12, 1.0 - 1e-12);
                    if *y {
                        -q.ln()
                    } else {
                        -(1.0 - q).ln()
                    }
                })
                .sum::<f64>()
                / n
                + pull / 2.0 * ((a - 1.0).powi(2) + b * b)
        };
        let (mut a, mut b) = (1.0, 0.0);
        // damped Newton steps on the penalised log-loss (two parameters)
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (p, y) in points {
                let z = logit(*p);
                let q = sigmoid(a * z + b);
                let e = q - f64::from(u8::from(*y));
                let w = q * (1.0 - q);
                ga += e * z;
                gb += e;
                haa += w * z * z;
                hab += w * z;
                hbb += w;
            }
            let (ga, gb) = (ga / n + pull * (a - 1.0), gb / n + pull * b);
            let (haa, hab, hbb) = (haa / n + pull, hab / n, hbb / n + pull);
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-15 {
                break;
            }
            let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
            let before = loss(a, b);
            let mut step = 1.0;
            while step > 1e-4 && loss(a - step * da, b - step * db) > before {
                step /= 2.0;
            }
            a -= step * da;
            b -= step * db;
            if (step * da).abs() + (step * db).abs() < 1e-9 {
                break;
            }
        }
        Adjustment {
            scale: a,
            shift: b,
            queries: points.len(),
        }
    }

    /// This adjustment read against `reference`, one fitted the same way where the model is known
    /// to be calibrated: `reference^-1 ∘ self` on the logit. Fitted on label-free points, both carry
    /// the points' own bias (they are easier than users' questions); the composition cancels it.
    pub fn relative_to(&self, reference: &Adjustment) -> Adjustment {
        if self.queries == 0 || reference.queries == 0 || reference.scale.abs() < 1e-6 {
            return *self;
        }
        Adjustment {
            scale: self.scale / reference.scale,
            shift: (self.shift - reference.shift) / reference.scale,
            queries: self.queries,
        }
    }

    /// The adjusted confidence.
    pub fn apply(&self, c: Confidence) -> Confidence {
        if self.queries == 0 {
            return c;
        }
        Confidence(sigmoid(self.scale * logit(c.0) + self.shift))
    }
}

/// Whether a labelled query is held back from fitting (about a third, decided by its qid alone).
pub fn held_back(qid: &str) -> bool {
    blake3::hash(qid.as_bytes()).as_bytes()[0].is_multiple_of(3)
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Calibration {
    /// Loads and checks a calibration file.
    pub fn load(path: &Path) -> Result<Calibration, CalibrationError> {
        let invalid = |message: String| CalibrationError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let c: Calibration = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let n = FEATURE_NAMES.len();
        if c.features != FEATURE_NAMES
            || c.mean.len() != n
            || c.std.len() != n
            || c.weights.len() != n
        {
            return Err(invalid(format!("features differ from {FEATURE_NAMES:?}")));
        }
        Ok(c)
    }

    /// Writes the calibration as pretty JSON.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(
            path,
            serde_json::to_string_pretty(self).unwrap_or_default() + "\n",
        )
    }

    /// P(first hit correct) for these features on `generation` (its own [`Adjustment`] applied).
    pub fn confidence_on(
        &self,
        generation: &crate::index::IndexGeneration,
        f: &Features,
    ) -> Confidence {
        Adjustment::of(generation).apply(self.confidence(f))
    }

    /// P(first hit correct) for these features, before any generation's adjustment.
    pub fn confidence(&self, f: &Features) -> Confidence {
        let z = self.bias
            + f.0
                .iter()
                .zip(&self.mean)
                .zip(&self.std)
                .zip(&self.weights)
                .map(|(((x, m), s), w)| w * (x - m) / s)
                .sum::<f64>();
        Confidence(sigmoid(z))
    }

    /// Fits a logistic model on (features, correct?) pairs, its L2 strength chosen by 5-fold
    /// cross-validation (log-loss) on the same pairs, so no other queries are needed to choose it.
    pub fn fit(samples: &[(Features, bool)], mut fitted: FitInfo) -> Calibration {
        let l2 = choose_l2(samples);
        fitted.l2 = l2;
        Calibration::fit_with(samples, l2, fitted)
    }

    /// Fits a logistic model (L2-regularised, gradient descent) with a given L2 strength.
    fn fit_with(samples: &[(Features, bool)], l2: f64, fitted: FitInfo) -> Calibration {
        let n = FEATURE_NAMES.len();
        let count = samples.len().max(1) as f64;
        let mean: Vec<f64> = (0..n)
            .map(|j| samples.iter().map(|(f, _)| f.0[j]).sum::<f64>() / count)
            .collect();
        let std: Vec<f64> = (0..n)
            .map(|j| {
                let var = samples
                    .iter()
                    .map(|(f, _)| (f.0[j] - mean[j]).powi(2))
                    .sum::<f64>()
                    / count;
                var.sqrt().max(1e-6)
            })
            .collect();
        let xs: Vec<Vec<f64>> = samples
            .iter()
            .map(|(f, _)| (0..n).map(|j| (f.0[j] - mean[j]) / std[j]).collect())
            .collect();
        let ys: Vec<f64> = samples
            .iter()
            .map(|(_, y)| f64::from(u8::from(*y)))
            .collect();
        let (mut w, mut b) = (vec![0.0; n], 0.0);
        let rate = 0.5;
        for _ in 0..3000 {
            let mut gw = vec![0.0; n];
            let mut gb = 0.0;
            for (x, y) in xs.iter().zip(&ys) {
                let p = sigmoid(b + x.iter().zip(&w).map(|(a, c)| a * c).sum::<f64>());
                let e = p - y;
                gb += e;
                for j in 0..n {
                    gw[j] += e * x[j];
                }
            }
            b -= rate * gb / count;
            for j in 0..n {
                w[j] -= rate * (gw[j] / count + l2 * w[j]);
            }
        }
        Calibration {
            features: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
            mean,
            std,
            weights: w,
            bias: b,
            fitted,
        }
    }
}

/// L2 strengths tried when fitting.
const L2_GRID: [f64; 5] = [1e-3, 1e-2, 3e-2, 1e-1, 3e-1];
/// Cross-validation folds.
const FOLDS: usize = 5;

/// The L2 strength with the lowest cross-validated log-loss (the smallest when there is too little data).
fn choose_l2(samples: &[(Features, bool)]) -> f64 {
    if samples.len() < FOLDS * 4 {
        return L2_GRID[0];
    }
    let loss = |l2: f64| -> f64 {
        (0..FOLDS)
            .map(|fold| {
                let (train, test): (Vec<_>, Vec<_>) = samples
                    .iter()
                    .enumerate()
                    .partition(|(i, _)| i % FOLDS != fold);
                let train: Vec<_> = train.into_iter().map(|(_, s)| s.clone()).collect();
                let c = Calibration::fit_with(&train, l2, FitInfo::default());
                test.iter()
                    .map(|(_, (f, y))| {
                        let p = c.confidence(f).0.clamp(1e-6, 1.0 - 1e-6);
                        if *y {
                            -p.ln()
                        } else {
                            -(1.0 - p).ln()
                        }
                    })
                    .sum::<f64>()
            })
            .sum()
    };
    L2_GRID
        .iter()
        .map(|&l2| (l2, loss(l2)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(L2_GRID[0], |(l2, _)| l2)
}

/// Quality of confidence scores against outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfidenceMetrics {
    /// Queries judged.
    pub queries: usize,
    /// Area under the ROC curve of confidence for "first hit correct".
    pub auroc: f64,
    /// Expected calibration error over 10 equal-width bins.
    pub ece: f64,
    /// Mean squared error of the probabilities.
    pub brier: f64,
    /// Share of queries answered (confidence >= answer threshold).
    pub answered: f64,
    /// Share of answered queries whose first hit was correct.
    pub answered_precision: f64,
    /// Share of queries answered or clarified (confidence >= clarify threshold).
    pub clarified_or_answered: f64,
    /// Share of out-of-scope queries escalated (confidence < clarify threshold).
    pub out_of_scope_escalated: f64,
    /// Reliability table: (bin upper bound, mean confidence, observed accuracy, count).
    pub reliability: Vec<(f64, f64, f64, usize)>,
}

/// Reliability table of (confidence, first hit correct, ..) points over 10 equal-width bins: (bin
/// upper bound, mean confidence, observed accuracy, count), empty bins left out.
fn reliability(points: &[(f64, bool, bool)]) -> Vec<(f64, f64, f64, usize)> {
    (0..10)
        .filter_map(|bin| {
            let (lo, hi) = (bin as f64 / 10.0, (bin + 1) as f64 / 10.0);
            let inside: Vec<_> = points
                .iter()
                .filter(|p| p.0 >= lo && (p.0 < hi || bin == 9))
                .collect();
            let k = inside.len() as f64;
            (!inside.is_empty()).then(|| {
                let conf = inside.iter().map(|p| p.0).sum::<f64>() / k;
                let acc = inside.iter().filter(|p| p.1).count() as f64 / k;
                (hi, conf, acc, inside.len())
            })
        })
        .collect()
}

/// Expected calibration error of (confidence, first hit correct, ..) points: the count-weighted
/// gap between mean confidence and accuracy over the reliability table's 10 bins.
pub fn ece(points: &[(f64, bool, bool)]) -> f64 {
    let n = points.len().max(1) as f64;
    reliability(points)
        .iter()
        .map(|&(_, conf, acc, k)| k as f64 / n * (conf - acc).abs())
        .sum()
}

/// Judges confidences: (confidence, first hit correct, query in scope).
pub fn judge(points: &[(f64, bool, bool)], answer_at: f64, clarify_at: f64) -> ConfidenceMetrics {
    let n = points.len().max(1) as f64;
    let pos = points.iter().filter(|p| p.1).count() as f64;
    let neg = points.len() as f64 - pos;
    // AUROC: probability that a correct case outranks an incorrect one (ties count half)
    let mut pairs = 0.0;
    for a in points.iter().filter(|p| p.1) {
        for b in points.iter().filter(|p| !p.1) {
            pairs += if a.0 > b.0 {
                1.0
            } else if a.0 == b.0 {
                0.5
            } else {
                0.0
            };
        }
    }
    let auroc = if pos > 0.0 && neg > 0.0 {
        pairs / (pos * neg)
    } else {
        0.5
    };
    let ece = ece(points);
    let reliability = reliability(points);
    let answered: Vec<_> = points.iter().filter(|p| p.0 >= answer_at).collect();
    let oos: Vec<_> = points.iter().filter(|p| !p.2).collect();
    ConfidenceMetrics {
        queries: points.len(),
        auroc,
        ece,
        brier: points
            .iter()
            .map(|p| (p.0 - f64::from(u8::from(p.1))).powi(2))
            .sum::<f64>()
            / n,
        answered: answered.len() as f64 / n,
        answered_precision: if answered.is_empty() {
            0.0
        } else {
            answered.iter().filter(|p| p.1).count() as f64 / answered.len() as f64
        },
        clarified_or_answered: points.iter().filter(|p| p.0 >= clarify_at).count() as f64 / n,
        out_of_scope_escalated: if oos.is_empty() {
            0.0
        } else {
            oos.iter().filter(|p| p.0 < clarify_at).count() as f64 / oos.len() as f64
        },
        reliability,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> FitInfo {
        FitInfo {
            queries_file: "t".into(),
            ..FitInfo::default()
        }
    }

    #[test]
    fn fitting_separable_data_ranks_and_calibrates() {
        // correct when the first feature is high
        let samples: Vec<(Features, bool)> = (0..200)
            .map(|i| {
                let x = i as f64 / 200.0;
                (
                    Features([x, 0.1, 0.5, 1.0, 1.0, 2.0, 1.0]),
                    (i * 7919 % 200) as f64 / 200.0 < x,
                )
            })
            .collect();
        let c = Calibration::fit(&samples, info());
        let lo = c
            .confidence(&Features([0.1, 0.1, 0.5, 1.0, 1.0, 2.0, 1.0]))
            .0;
        let hi = c
            .confidence(&Features([0.9, 0.1, 0.5, 1.0, 1.0, 2.0, 1.0]))
            .0;
        assert!(lo < 0.3 && hi > 0.7, "{lo} {hi}");
        let points: Vec<(f64, bool, bool)> = samples
            .iter()
            .map(|(f, y)| (c.confidence(f).0, *y, true))
            .collect();
        let m = judge(&points, 0.7, 0.4);
        assert!(m.auroc > 0.8, "{m:?}");
        assert!(m.ece < 0.1, "{m:?}");
    }

    #[test]
    fn an_adjustment_moves_an_overconfident_model_to_the_observed_rate() {
        // the model says 0.9 but only half of these are right
        let points: Vec<(f64, bool)> = (0..200).map(|i| (0.9, i % 2 == 0)).collect();
        let a = Adjustment::fit(&points);
        let adjusted = a.apply(Confidence(0.9)).0;
        assert!((adjusted - 0.5).abs() < 0.1, "{a:?} -> {adjusted}");
        assert_eq!(Adjustment::fit(&points[..10]), Adjustment::identity());
        assert_eq!(
            Adjustment::identity().apply(Confidence(0.3)),
            Confidence(0.3)
        );
    }

    #[test]
    fn judge_counts_answered_and_escalated() {
        let m = judge(
            &[
                (0.9, true, true),
                (0.8, false, true),
                (0.1, false, false),
                (0.5, false, false),
            ],
            0.7,
            0.4,
        );
        assert_eq!(m.answered, 0.5);
        assert_eq!(m.answered_precision, 0.5);
        assert_eq!(m.out_of_scope_escalated, 0.5);
        assert_eq!(m.auroc, 1.0);
        let held = (0..300)
            .filter(|i| held_back(&format!("dev-{i:03}")))
            .count();
        assert!((70..130).contains(&held), "{held} of 300 held back");
    }
}
