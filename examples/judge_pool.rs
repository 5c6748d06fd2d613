//! Pools the candidate entries of every query of the project's labelled sets for a blind relevance
//! judgment (as TREC pools runs): the union of the top 3 of the hybrid (fitted and unfitted), its lexical
//! and vector sides and plain RRF, plus the labelled entries, in an order that says nothing about rank or label.
//! A judge who never sees the rankings marks which candidates state the answer; every method is then
//! scored against the same judged labels, so the pool favours none of them.
//!
//! cargo run --release --example judge_pool -- [eval/matrix.toml] > pool.jsonl

use std::collections::BTreeSet;

use haipedia::answer::search_with_features;
use haipedia::eval::matrix;
use haipedia::retrieve::Fusion;

/// Candidates taken from the top of each ranking.
const DEPTH: usize = 3;

fn main() -> anyhow::Result<()> {
    let (spec, _config, searcher, options) = matrix::tool_setup()?;
    for set in spec
        .sets
        .iter()
        .filter(|s| s.name == "haipedia-dev" || s.name == "haipedia-test")
    {
        let (queries, generation) = matrix::open_set(&spec, set, &searcher, None, &options)?;
        let id = |i: usize| generation.entries[i].id.0.clone();
        for q in &queries {
            let c = searcher.candidates(&generation, &q.query)?;
            let (hybrid, _) = search_with_features(&searcher, &generation, &q.query, DEPTH)?;
            let mut pool: BTreeSet<String> = q.relevant.iter().map(|r| r.0.clone()).collect();
            pool.extend(hybrid.hits.iter().map(|h| h.id.0.clone()));
            pool.extend(c.lexical.iter().take(DEPTH).map(|(i, _)| id(*i)));
            pool.extend(c.vector.iter().take(DEPTH).map(|(i, _)| id(*i)));
            for fusion in [Fusion::PLAIN_RRF, searcher.default_fusion()] {
                pool.extend(c.fuse(&fusion).iter().take(DEPTH).map(|f| id(f.entry)));
            }
            // ordered by a hash of query and id: neither rank nor label shows
            let mut candidates: Vec<String> = pool.into_iter().collect();
            candidates
                .sort_by_key(|e| blake3::hash(format!("{:?}:{e}", q.qid).as_bytes()).to_hex());
            println!(
                "{}",
                serde_json::json!({"set": set.name, "qid": q.qid, "query": q.query, "candidates": candidates})
            );
        }
    }
    Ok(())
}
