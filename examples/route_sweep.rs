//! Routing sweep on the tuning split of the development matrix: for every message of the sets on the
//! project's corpus, the nearest menu examples and the menu model's reading once; then each
//! (probability, similarity) setting's routing precision and recall (requests of the routing set;
//! every other message must not be routed). This is how `RoutePolicy::default()` was chosen; it
//! never looks at the held-back queries.
//!
//! cargo run --release --example route_sweep -- [eval/matrix.toml]
//! ROUTE_SHOW=0.5,0.91 lists that setting's mistakes.

use haipedia::answer::{nearest_examples, route, RoutePolicy};
use haipedia::eval::matrix::{self, Split};

fn main() -> anyhow::Result<()> {
    let (spec, _, searcher, options) = matrix::tool_setup()?;
    // (text, wanted menu, nearest examples and the model's reading)
    let mut messages = Vec::new();
    for set in spec.sets.iter().filter(|s| s.decisions.is_some()) {
        let (queries, generation) = matrix::open_set(&spec, set, &searcher, None, &options)?;
        let fitting = std::time::Instant::now();
        generation.menu_model();
        eprintln!(
            "{}: menu model fitted on {} examples in {:.0} ms",
            set.name,
            generation.menu_examples.len(),
            fitting.elapsed().as_secs_f64() * 1000.0
        );
        for q in queries
            .iter()
            .filter(|q| matrix::in_split(set, q, Split::Tune))
        {
            let c = searcher.candidates(&generation, &q.query)?;
            let nearest = nearest_examples(
                &generation.menu_examples,
                generation.menu_model(),
                &c.query_vector,
            );
            messages.push((q.query.clone(), q.menu.unwrap_or(0), nearest));
        }
    }
    println!("{} tuning messages", messages.len());
    if let Ok(show) = std::env::var("ROUTE_SHOW") {
        let (p, s) = show.split_once(',').unwrap_or((&show, "0"));
        let policy = RoutePolicy {
            min_probability: p.parse()?,
            min_similarity: s.parse()?,
        };
        for (text, wanted, nearest) in &messages {
            let got = route(text, nearest, &policy).map_or(0, |r| r.number);
            if got != *wanted {
                let menu = (*wanted).max(got);
                println!(
                    "want {wanted} got {got} | {text} | p {:.3} {:?} q{:?}",
                    nearest.probability(menu),
                    nearest.of(menu),
                    nearest.of(0)
                );
            }
        }
    }
    println!("min_probability min_similarity | routed right / requests | wrong routes | precision recall");
    for probability in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8] {
        for similarity in [0.0, 0.89, 0.90, 0.91, 0.92, 0.93] {
            let policy = RoutePolicy {
                min_probability: probability,
                min_similarity: similarity,
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
                "{probability:.2} {similarity:.2} | {right} / {requests} | {wrong} | {p:.3} {r:.3}"
            );
        }
    }
    Ok(())
}
