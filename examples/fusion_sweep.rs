//! Fusion sweep on the tuning split of the development matrix: gathers each query's candidates once,
//! then scores every blend setting against each set's best baseline (lexical, vector, plain RRF) and
//! lists the settings whose worst margin is largest. This is how `Fusion::default()` was chosen;
//! it never looks at the held-back queries.
//!
//! cargo run --release --example fusion_sweep -- [eval/matrix.toml]

use haipedia::eval::matrix::{self, Split};
use haipedia::eval::LabelledQuery;
use haipedia::retrieve::{Candidates, Fused, Fusion};
use haipedia::tune::ranking_scores as score;

fn main() -> anyhow::Result<()> {
    let (spec, _, searcher, options) = matrix::tool_setup()?;
    let mut grid = Vec::new();
    for lexical in [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7] {
        for agreement in [0.0, 0.1, 0.2, 0.3, 0.5] {
            for k in [10.0, 30.0, 60.0] {
                grid.push(Fusion::Blend {
                    lexical,
                    agreement,
                    k,
                });
            }
        }
    }
    let mut worst = vec![f64::INFINITY; grid.len()];
    let mut mean = vec![0.0; grid.len()];
    for set in &spec.sets {
        let (queries, generation) = matrix::open_set(&spec, set, &searcher, None, &options)?;
        let tune: Vec<&LabelledQuery> = queries
            .iter()
            .filter(|q| q.in_scope() && matrix::in_split(set, q, Split::Tune))
            .collect();
        if tune.is_empty() {
            continue;
        }
        let runs: Vec<(Candidates, &LabelledQuery)> = tune
            .into_iter()
            .map(|q| Ok((searcher.candidates(&generation, &q.query)?, q)))
            .collect::<anyhow::Result<_>>()?;
        let entries = |f: Vec<Fused>| f.into_iter().map(|f| f.entry).collect::<Vec<_>>();
        let side =
            |s: &[(usize, haipedia::retrieve::Evidence)]| s.iter().map(|(e, _)| *e).collect();
        let baselines = [
            score(&generation, &runs, &|c| side(&c.lexical)),
            score(&generation, &runs, &|c| side(&c.vector)),
            score(&generation, &runs, &|c| entries(c.fuse(&Fusion::PLAIN_RRF))),
        ];
        let best = baselines
            .iter()
            .fold((0.0f64, 0.0f64), |a, b| (a.0.max(b.0), a.1.max(b.1)));
        println!(
            "{}: {} tuning queries, best baseline hit@1 {:.3} nDCG@10 {:.3}",
            set.name,
            runs.len(),
            best.0,
            best.1
        );
        for (i, fusion) in grid.iter().enumerate() {
            let (hit, ndcg) = score(&generation, &runs, &|c| entries(c.fuse(fusion)));
            worst[i] = worst[i].min((hit - best.0).min(ndcg - best.1));
            mean[i] += hit + ndcg;
        }
    }
    let mut order: Vec<usize> = (0..grid.len()).collect();
    order.sort_by(|&a, &b| {
        worst[b]
            .total_cmp(&worst[a])
            .then(mean[b].total_cmp(&mean[a]))
    });
    println!("worst margin over the best baseline | sum of hit@1 + nDCG@10 | fusion");
    for &i in order.iter().take(10) {
        println!("{:+.4} | {:.3} | {:?}", worst[i], mean[i], grid[i]);
    }
    Ok(())
}
