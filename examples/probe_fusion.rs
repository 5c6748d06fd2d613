//! Fusion chosen without labels: each matrix corpus's fusion fitted on its label-free probes
//! (questions cut from its own entries, right when the first hit is their entry), judged on the
//! corpus's labelled tuning queries against the default blend and the fit on those labels.
//! Tuning split only.
//!
//! cargo run --release --example probe_fusion -- [eval/matrix.toml]

use haipedia::eval::matrix::{self, Split};
use haipedia::eval::LabelledQuery;
use haipedia::index::IndexGeneration;
use haipedia::retrieve::{Candidates, Evidence, Fusion, Searcher};
use haipedia::tune::{grid, least_losing, probes, ranking_scores};

type Runs<'a> = Vec<(Candidates, &'a LabelledQuery)>;

fn runs<'a>(
    searcher: &Searcher,
    generation: &IndexGeneration,
    queries: &'a [LabelledQuery],
) -> anyhow::Result<Runs<'a>> {
    queries
        .iter()
        .map(|q| Ok((searcher.candidates(generation, &q.query)?, q)))
        .collect()
}

/// (best baseline, default, fit-rule choice) on `runs`.
fn judge(generation: &IndexGeneration, runs: &Runs, default: Fusion) -> ((f64, f64), Fusion) {
    let side = |s: &[(usize, Evidence)]| s.iter().map(|(e, _)| *e).collect();
    let fused = |f: Fusion| move |c: &Candidates| c.fuse(&f).into_iter().map(|f| f.entry).collect();
    let baselines = [
        ranking_scores(generation, runs, &|c| side(&c.lexical)),
        ranking_scores(generation, runs, &|c| side(&c.vector)),
        ranking_scores(generation, runs, &fused(Fusion::PLAIN_RRF)),
    ];
    let best = baselines
        .iter()
        .fold((0.0f64, 0.0f64), |a, b| (a.0.max(b.0), a.1.max(b.1)));
    let judged = std::iter::once(default)
        .chain(grid())
        .map(|f| (f, ranking_scores(generation, runs, &fused(f))));
    (best, least_losing(judged, best).1.fusion)
}

fn main() -> anyhow::Result<()> {
    let (spec, _, searcher, options) = matrix::tool_setup()?;
    let default = searcher.default_fusion();
    let mut seen = std::collections::HashSet::new();
    for set in &spec.sets {
        let (queries, generation) = matrix::open_set(&spec, set, &searcher, None, &options)?;
        let tune: Vec<LabelledQuery> = queries
            .iter()
            .filter(|q| q.in_scope() && matrix::in_split(set, q, Split::Tune))
            .cloned()
            .collect();
        if tune.is_empty() {
            continue;
        }
        let probe_queries: Vec<LabelledQuery> = probes(&generation)
            .into_iter()
            .map(|p| LabelledQuery {
                qid: None,
                query: p.question,
                relevant: vec![p.entry],
                pooled: vec![],
                menu: None,
                kind: None,
            })
            .collect();
        let key = matrix::corpus_key(set);
        let probe_runs = runs(&searcher, &generation, &probe_queries)?;
        let (probe_best, from_probes) = judge(&generation, &probe_runs, default);
        let tune_runs = runs(&searcher, &generation, &tune)?;
        let (best, from_labels) = judge(&generation, &tune_runs, default);
        let fresh = seen.insert(key);
        println!(
            "{} ({} tuning, {} probes{}): best baseline {:.3}/{:.3} (probes {:.3}/{:.3})",
            set.name,
            tune_runs.len(),
            probe_runs.len(),
            if fresh { "" } else { ", same corpus" },
            best.0,
            best.1,
            probe_best.0,
            probe_best.1
        );
        for (name, f) in [
            ("default", default),
            ("probes", from_probes),
            ("labels", from_labels),
        ] {
            let (hit, ndcg) = ranking_scores(&generation, &tune_runs, &|c| {
                c.fuse(&f).into_iter().map(|f| f.entry).collect()
            });
            println!(
                "  {name:8} {hit:.3} / {ndcg:.3}  margin {:+.3} / {:+.3}  {f:?}",
                hit - best.0,
                ndcg - best.1
            );
        }
    }
    Ok(())
}
