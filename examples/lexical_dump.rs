//! Writes what `scripts/bm25_layouts.py` compares: for each matrix set with labelled tuning
//! queries (`DUMP_SETS=a,b` names them), its entries, its passages with our analyzer's terms per
//! lexical field, and its in-scope tuning queries with their terms. Tuning split only.
//!
//! cargo run --release --example lexical_dump -- eval/matrix.toml /tmp/lexical

use haipedia::analysis::Analyzer;
use haipedia::eval::matrix::{self, Split};

fn main() -> anyhow::Result<()> {
    let (spec, _, searcher, options) = matrix::tool_setup()?;
    let out = std::path::PathBuf::from(std::env::args().nth(2).unwrap_or("/tmp/lexical".into()));
    std::fs::create_dir_all(&out)?;
    let wanted = std::env::var("DUMP_SETS")
        .unwrap_or("haipedia-dev,sakti-juknis,english,tydiqa-id,idk-mrc".into());
    let analyzer = Analyzer::new();
    let terms = |text: &str| -> Vec<String> {
        analyzer.analyze(text).into_iter().map(|t| t.text).collect()
    };
    let mut names = String::new();
    for set in spec
        .sets
        .iter()
        .filter(|s| wanted.split(',').any(|n| n == s.name))
    {
        let (queries, generation) = matrix::open_set(&spec, set, &searcher, None, &options)?;
        let lines = |rows: Vec<serde_json::Value>| -> String {
            rows.iter().map(|r| format!("{r}\n")).collect()
        };
        let entries = generation
            .entries
            .iter()
            .map(|e| serde_json::json!({"id": e.id.0, "title": e.title, "questions": e.questions, "body": e.body}))
            .collect();
        let passages = generation
            .passages
            .iter()
            .filter_map(|p| {
                let e = generation.entry(&p.entry.0)?;
                let body = format!("{}\n{}", p.heading.as_deref().unwrap_or(""), p.text);
                Some(serde_json::json!({
                    "entry": p.entry.0, "title": e.title, "heading": p.heading, "text": p.text,
                    "terms": {"title": terms(&e.title), "questions": terms(&e.questions.join("\n")), "body": terms(&body)},
                }))
            })
            .collect();
        let tuning = queries
            .iter()
            .filter(|q| q.in_scope() && matrix::in_split(set, q, Split::Tune))
            .map(|q| serde_json::json!({"qid": q.qid, "query": q.query, "relevant": q.relevant, "terms": analyzer.query_terms(&q.query)}))
            .collect();
        std::fs::write(
            out.join(format!("{}.entries.jsonl", set.name)),
            lines(entries),
        )?;
        std::fs::write(
            out.join(format!("{}.passages.jsonl", set.name)),
            lines(passages),
        )?;
        std::fs::write(
            out.join(format!("{}.queries.jsonl", set.name)),
            lines(tuning),
        )?;
        names.push_str(&format!("{}\n", set.name));
    }
    std::fs::write(out.join("sets.txt"), names)?;
    Ok(())
}
