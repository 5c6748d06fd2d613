//! Fusion-weight sweep: retrieves lexical and vector candidates once per labelled query, then scores
//! every weight setting. Use it on tuning data (e.g. ../shared/data/tydiqa-id-train), never on the
//! set you report.
//!
//! cargo run --release --example fusion_sweep -- INDEX_DIR QUERIES.jsonl [MAX_QUERIES]

use std::path::PathBuf;

use haipedia::analysis::Analyzer;
use haipedia::config::Config;
use haipedia::embed::Embedder;
use haipedia::eval::{load_queries, score_ranking, RetrievalMetrics};
use haipedia::index::{IndexGeneration, IndexRoot};
use haipedia::retrieve::{best_per_entry, fuse, FusionWeights};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let index = PathBuf::from(args.get(1).expect("INDEX_DIR"));
    let queries = load_queries(&PathBuf::from(args.get(2).expect("QUERIES")))?;
    let max: usize = args
        .get(3)
        .map_or(usize::MAX, |s| s.parse().unwrap_or(usize::MAX));
    let config = Config::default();
    let generation = IndexGeneration::open_current(&IndexRoot::new(index))?;
    let embedder = Embedder::from_config(&config)?;
    let analyzer = Analyzer::new();
    let r = &config.retrieve;
    let mut runs = Vec::new();
    for q in queries.iter().filter(|q| q.in_scope()).take(max) {
        let terms = analyzer.query_terms(&q.query);
        let lex = generation.lexical.search(&terms, r.lexical_candidates)?;
        let qv = embedder.embed_query(&analyzer.expand_terms(&q.query))?;
        let vec_ = generation
            .vectors
            .search(&qv, r.vector_candidates, r.ef_search);
        let e = |p: usize| generation.entry_of_passage(p);
        let lex = best_per_entry(lex.iter().map(|&(p, s)| (e(p as usize), p as usize, s)));
        let vec_ = best_per_entry(vec_.iter().map(|&(p, s)| (e(p), p, s)));
        runs.push((lex, vec_, q.relevant.clone()));
    }
    println!(
        "{} queries; weights (lexical, vector, k) -> hit@1 MRR@10 nDCG@10 R@10",
        runs.len()
    );
    for k in [10.0, 60.0] {
        for lw in [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0] {
            for vw in [0.0, 1.0] {
                if vw == 0.0 && lw != 1.0 {
                    continue;
                }
                let w = FusionWeights {
                    lexical: lw,
                    vector: vw,
                    k,
                };
                let scores: Vec<[f64; 6]> = runs
                    .iter()
                    .map(|(lex, vec_, rel)| {
                        let fused = fuse(lex, vec_, w);
                        let ids: Vec<&str> = fused
                            .iter()
                            .take(10)
                            .map(|f| generation.entries[f.entry].id.0.as_str())
                            .collect();
                        score_ranking(&ids, rel)
                    })
                    .collect();
                let m = RetrievalMetrics::from_scores(runs.len(), &scores);
                println!(
                    "({lw:.2}, {vw:.2}, {k:>4}) -> {:.3} {:.3} {:.3} {:.3}",
                    m.hit_at_1, m.mrr_at_10, m.ndcg_at_10, m.recall_at_10
                );
            }
        }
    }
    Ok(())
}
