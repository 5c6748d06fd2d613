//! Routing sweep on the tuning split of the development matrix: for every message of the sets on the
//! project's corpus, the nearest menu example once; then each (similarity, margin) setting's routing
//! precision and recall (requests of the routing set; every other message must not be routed). This
//! is how `RoutePolicy::default()` was chosen; it never looks at the held-back queries.
//!
//! cargo run --release --example route_sweep -- [eval/matrix.toml]

use haipedia::answer::{nearest_examples, route, RoutePolicy};
use haipedia::eval::matrix::{self, Split};

fn main() -> anyhow::Result<()> {
    let (spec, _, searcher, options) = matrix::tool_setup()?;
    // (text, wanted menu, nearest example)
    let mut messages = Vec::new();
    for set in spec.sets.iter().filter(|s| s.decisions.is_some()) {
        let (queries, generation) = matrix::open_set(&spec, set, &searcher, None, &options)?;
        for q in queries
            .iter()
            .filter(|q| matrix::in_split(set, q, Split::Tune))
        {
            let c = searcher.candidates(&generation, &q.query)?;
            let nearest = nearest_examples(&generation.menu_examples, &c.query_vector);
            messages.push((q.query.clone(), q.menu.unwrap_or(0), nearest));
        }
    }
    println!("{} tuning messages", messages.len());
    if let Ok(show) = std::env::var("ROUTE_SHOW") {
        // ROUTE_SHOW=0.90,0.02 lists that setting's mistakes
        let (s, m) = show.split_once(',').unwrap_or((&show, "0"));
        let policy = RoutePolicy {
            min_similarity: s.parse()?,
            margin: m.parse()?,
        };
        for (text, wanted, nearest) in &messages {
            let got = route(text, nearest, &policy).map_or(0, |r| r.number);
            if got != *wanted {
                let best = nearest.of((*wanted).max(got));
                println!(
                    "want {wanted} got {got} | {text} | {best:?} q{:?}",
                    nearest.of(0)
                );
            }
        }
    }
    println!("min_similarity margin | routed right / requests | wrong routes | precision recall");
    for s in 88..=94 {
        for margin in [-0.03, -0.02, -0.01, 0.0, 0.01, 0.02] {
            let policy = RoutePolicy {
                min_similarity: s as f32 / 100.0,
                margin,
            };
            let (mut right, mut wrong, mut requests) = (0, 0, 0);
            for (text, wanted, nearest) in &messages {
                requests += usize::from(*wanted != 0);
                match route(text, nearest, &policy) {
                    Some(r) if r.number == *wanted => right += 1,
                    Some(_) => wrong += 1,
                    None => {}
                }
            }
            let p = right as f64 / (right + wrong).max(1) as f64;
            let r = right as f64 / requests.max(1) as f64;
            println!(
                "{:.2} {margin:.2} | {right} / {requests} | {wrong} | {p:.3} {r:.3}",
                policy.min_similarity
            );
        }
    }
    Ok(())
}
