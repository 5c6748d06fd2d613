//! Which rule for choosing a build's fusion holds up on queries it did not see? On each labelled
//! matrix corpus's tuning split only (never the held-back part), 30 random halves: a rule chooses
//! on half A, and the choice is judged on half B against B's best baseline (lexical alone, vector
//! alone, plain RRF). Rules: the best mean of hit@1 and nDCG@10 if it beats the default by 1.5
//! queries (the rule before 2026-11-30), the largest worst margin over the best baseline (the
//! rule of 2026-11-30), the default, plain RRF, the best mean without the guard, and the worst
//! margin averaged with the grid neighbours' (the rule `tune::fit` uses since FIT_VERSION 11).
//! `PROBE_SEED=987` draws other halves.
//!
//! PROBE_SETS=haipedia-dev,sakti-juknis cargo run --release --example fit_rule_probe
use haipedia::eval::matrix::{self, Split};
use haipedia::eval::LabelledQuery;
use haipedia::retrieve::{Candidates, Fused, Fusion};
use haipedia::tune::ranking_scores as score;

fn main() -> anyhow::Result<()> {
    let (spec, _, searcher, options) = matrix::tool_setup()?;
    let grid = haipedia::tune::grid();
    let default = Fusion::default();
    let names = std::env::var("PROBE_SETS")
        .unwrap_or_else(|_| "haipedia-dev,sakti-juknis,tydiqa-id,idk-mrc".into());
    for set in spec
        .sets
        .iter()
        .filter(|s| names.split(',').any(|n| n == s.name))
    {
        let (queries, generation) = matrix::open_set(&spec, set, &searcher, None, &options)?;
        let tune: Vec<&LabelledQuery> = queries
            .iter()
            .filter(|q| q.in_scope() && matrix::in_split(set, q, Split::Tune))
            .collect();
        let runs: Vec<(Candidates, &LabelledQuery)> = tune
            .into_iter()
            .map(|q| Ok((searcher.candidates(&generation, &q.query)?, q)))
            .collect::<anyhow::Result<_>>()?;
        let n = runs.len();
        let entries = |f: Vec<Fused>| f.into_iter().map(|f| f.entry).collect::<Vec<_>>();
        let side =
            |s: &[(usize, haipedia::retrieve::Evidence)]| s.iter().map(|(e, _)| *e).collect();
        // per-query scores, once: [fusion i][query j] = (hit, ndcg)
        let per_query = |rank: &dyn Fn(&Candidates) -> Vec<usize>| -> Vec<(f64, f64)> {
            runs.iter()
                .map(|r| score(&generation, std::slice::from_ref(r), rank))
                .collect()
        };
        let fus: Vec<Vec<(f64, f64)>> = grid
            .iter()
            .map(|f| per_query(&|c| entries(c.fuse(f))))
            .collect();
        let def = per_query(&|c| entries(c.fuse(&default)));
        let bases = [
            per_query(&|c| side(&c.lexical)),
            per_query(&|c| side(&c.vector)),
            per_query(&|c| entries(c.fuse(&Fusion::PLAIN_RRF))),
        ];
        let mean = |v: &[(f64, f64)], idx: &[usize]| {
            let k = idx.len().max(1) as f64;
            idx.iter()
                .fold((0.0, 0.0), |a, &j| (a.0 + v[j].0 / k, a.1 + v[j].1 / k))
        };
        let best_base = |idx: &[usize]| {
            bases
                .iter()
                .map(|b| mean(b, idx))
                .fold((0.0f64, 0.0f64), |a, b| (a.0.max(b.0), a.1.max(b.1)))
        };
        let rules = [
            "best-mean+1.5",
            "worst-margin",
            "default",
            "rrf",
            "best-mean",
            "smoothed",
        ];
        let mut margin = vec![(0.0, 0.0, 0usize); rules.len()];
        let mut seed: u64 = std::env::var("PROBE_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(12345);
        let reps = 30;
        for _ in 0..reps {
            let mut a = Vec::new();
            let mut b = Vec::new();
            for j in 0..n {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if (seed >> 33).is_multiple_of(2) {
                    a.push(j)
                } else {
                    b.push(j)
                }
            }
            let s = |v: &[(f64, f64)], idx: &[usize]| {
                let m = mean(v, idx);
                (m.0 + m.1) / 2.0
            };
            // current rule
            let d = s(&def, &a);
            let (bi, bs) = (0..grid.len())
                .map(|i| (i, s(&fus[i], &a)))
                .fold((usize::MAX, d), |x, y| if y.1 > x.1 { y } else { x });
            let current: &[(f64, f64)] = if bi != usize::MAX && bs >= d + 1.5 / a.len() as f64 {
                &fus[bi]
            } else {
                &def
            };
            let mean_argmax: &[(f64, f64)] = if bi != usize::MAX { &fus[bi] } else { &def };
            let ba = best_base(&a);
            let worst = (0..grid.len())
                .max_by(|&x, &y| {
                    let w = |i: usize| {
                        let m = mean(&fus[i], &a);
                        ((m.0 - ba.0).min(m.1 - ba.1), m.0 + m.1)
                    };
                    let (wx, mx) = w(x);
                    let (wy, my) = w(y);
                    wx.total_cmp(&wy).then(mx.total_cmp(&my))
                })
                .unwrap_or(0);
            // the rule `tune::fit` uses since FIT_VERSION 11, over the default and the grid
            let smoothed = haipedia::tune::least_losing(
                std::iter::once((default, mean(&def, &a))).chain(
                    grid.iter()
                        .enumerate()
                        .map(|(i, f)| (*f, mean(&fus[i], &a))),
                ),
                ba,
            )
            .1
            .fusion;
            let smoothed: &[(f64, f64)] = match grid.iter().position(|f| *f == smoothed) {
                Some(i) => &fus[i],
                None => &def,
            };
            let chosen: [&[(f64, f64)]; 6] =
                [current, &fus[worst], &def, &bases[2], mean_argmax, smoothed];
            let bb = best_base(&b);
            for (k, c) in chosen.iter().enumerate() {
                let m = mean(c, &b);
                let (mh, mn) = (m.0 - bb.0, m.1 - bb.1);
                margin[k].0 += mh / reps as f64;
                margin[k].1 += mn / reps as f64;
                if mh >= -0.01 && mn >= -0.01 {
                    margin[k].2 += 1;
                }
            }
        }
        for (k, r) in rules.iter().enumerate() {
            println!(
                "{} ({n} q) {r:>13}: mean margin hit@1 {:+.4} nDCG {:+.4}, never-loses {}/{reps}",
                set.name, margin[k].0, margin[k].1, margin[k].2
            );
        }
    }
    Ok(())
}
