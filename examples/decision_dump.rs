//! Dumps the bot's decision on every tuning message of the matrix's decision sets, with the query
//! terms the chosen entry does not cover (and whether another entry has them): the material the
//! answerability rules are designed on. Never reads the held-back split.
//!
//! `DUMP_SETS=idk-mrc,tydiqa-id` dumps the named sets instead; `DUMP_ALL_CHECKS=1` answers from
//! confidence 0 (clarify and escalate bars unchanged) so every detail check shows what it decides.
//!
//! cargo run --release --example decision_dump -- [eval/matrix.toml] > decisions.jsonl

use std::collections::HashSet;
use std::sync::Arc;

use haipedia::answer::{Answerer, Calibration, Channel};
use haipedia::eval::matrix::{self, Split};

fn main() -> anyhow::Result<()> {
    let (spec, mut config, searcher, options) = matrix::tool_setup()?;
    if std::env::var_os("DUMP_ALL_CHECKS").is_some() {
        config.answer.answer_at = 0.0;
    }
    let calibration = Calibration::load(&config.answer.calibration)?;
    let answerer = Answerer::new(Arc::new(searcher), calibration, config.answer.clone());
    // DUMP_SETS=idk-mrc,tydiqa-id dumps those sets instead (the answerability reading on corpora
    // the decision rules were not designed on)
    let named = std::env::var("DUMP_SETS").ok();
    let wanted = |s: &matrix::SetSpec| match &named {
        Some(names) => names.split(',').any(|n| n == s.name),
        None => s.decisions.is_some(),
    };
    for set in spec.sets.iter().filter(|s| wanted(s)) {
        let (queries, generation) = matrix::open_set(
            &spec,
            set,
            answerer.searcher(),
            Some(answerer.calibration()),
            &options,
        )?;
        let analyzer = answerer.searcher().analyzer();
        let entry_terms = |i: usize| -> HashSet<String> {
            let e = &generation.entries[i];
            let text = format!(
                "{}\n{}\n{}\n{}",
                e.title,
                e.questions.join("\n"),
                e.tags.join(" "),
                e.body
            );
            analyzer.query_terms(&text).into_iter().collect()
        };
        let mut df: std::collections::HashMap<String, usize> = Default::default();
        for i in 0..generation.entries.len() {
            for t in entry_terms(i) {
                *df.entry(t).or_default() += 1;
            }
        }
        for q in queries
            .iter()
            .filter(|q| matrix::in_split(set, q, Split::Tune))
        {
            let a = answerer.answer(&generation, &q.query, Channel::WhatsApp)?;
            let top = a.suggestions.first().map(|s| s.id.clone());
            let top_terms = top
                .as_deref()
                .and_then(|id| generation.entries.iter().position(|e| e.id.0 == id))
                .map(entry_terms)
                .unwrap_or_default();
            let coverage = match a.suggestions.first() {
                Some(hit) => {
                    let passage = answerer
                        .assess(&generation, &q.query)?
                        .0
                        .hits
                        .first()
                        .map_or(0, |h| h.passage);
                    answerer.coverage(&generation, &q.query, &hit.id, passage)?
                }
                None => Vec::new(),
            };
            let terms = analyzer.query_terms(&q.query);
            let uncovered: Vec<(String, usize)> = terms
                .iter()
                .filter(|t| !top_terms.contains(*t))
                .map(|t| (t.clone(), df.get(t).copied().unwrap_or(0)))
                .collect();
            println!(
                "{}",
                serde_json::json!({
                    "set": set.name, "entries": generation.entries.len(), "qid": q.qid, "query": q.query, "kind": q.kind,
                    "menu": q.menu, "relevant": q.relevant, "decision": a.decision,
                    "confidence": a.confidence.0, "top": top,
                    "correct": top.as_ref().is_some_and(|t| q.relevant.iter().any(|r| &r.0 == t)),
                    "terms": terms, "uncovered": uncovered, "decided_by": a.decided_by,
                    "coverage": coverage,
                })
            );
        }
    }
    Ok(())
}
