//! Where an answer's time goes, and how close answering comes to the embedding bound: on the
//! project's corpus (built into `target/profile-index`, vectors reused), with the 350 dev questions
//! and the query cache off.
//!
//! 1. one caller: median time of the query embedding alone and of the whole answer (in-process),
//!    and what the coverage check's first read of each entry costs;
//! 2. all cores busy (one caller per core, distinct questions, `MEASURE_SECONDS` each): bare query
//!    embeddings per second and in-process answers per second, and their ratio.
//!
//! SESSIONS=2 THREADS=1 MEASURE_SECONDS=10 cargo run --release --example answer_profile

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use haipedia::answer::{Answerer, Calibration, Channel};
use haipedia::config::Config;
use haipedia::corpus::Corpus;
use haipedia::embed::Embedder;
use haipedia::eval::load_queries;
use haipedia::index::{self, BuildOptions, IndexGeneration, IndexRoot};
use haipedia::retrieve::Searcher;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn percentile(xs: &[f64], q: f64) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    xs[((xs.len() as f64 * q) as usize).min(xs.len() - 1)]
}

/// Calls `work(i)` with distinct `i` from `callers` threads for `seconds`; calls per second.
fn throughput(callers: usize, seconds: u64, work: &(dyn Fn(usize) + Sync)) -> f64 {
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..callers {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    work(next.fetch_add(1, Ordering::Relaxed));
                }
            });
        }
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
    });
    next.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    let mut config = Config::default();
    config.embed.sessions = env("SESSIONS", config.embed.sessions);
    config.embed.threads = env("THREADS", config.embed.threads);
    config.retrieve.query_cache = 0;
    let seconds = env("MEASURE_SECONDS", 10) as u64;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let embedder = Arc::new(Embedder::from_config(&config)?);
    let root = IndexRoot::new(project.join("target/profile-index"));
    let corpus = Corpus::load_dir(&project.join("corpus"))?;
    index::build(
        &corpus,
        &embedder,
        &root,
        &BuildOptions::from_config(&config, false),
        &|_| {},
    )?;
    let generation = IndexGeneration::open_current(&root)?;
    let calibration = Calibration::load(&project.join("corpus/eval/calibration.json"))?;
    let searcher = Arc::new(Searcher::new(embedder.clone(), config.retrieve.clone()));
    let answerer = Answerer::new(searcher, calibration, config.answer.clone());
    let questions: Vec<String> = load_queries(&project.join("corpus/eval/dev.jsonl"))?
        .into_iter()
        .map(|q| q.query)
        .collect();
    let ask = |i: usize| &questions[i % questions.len()];
    // warm up (the answerer's term spread is computed on its first answer)
    answerer.answer(&generation, ask(0), Channel::WhatsApp)?;
    let (mut embed, mut answer) = (Vec::new(), Vec::new());
    for q in &questions {
        let t = Instant::now();
        embedder.embed_query(q)?;
        embed.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        answerer.answer(&generation, q, Channel::WhatsApp)?;
        answer.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let answer_p99 = percentile(&answer, 0.99);
    let (embed, answer) = (median(embed), median(answer));
    println!(
        "layout: {} session(s) x {} thread(s) (0 = one per core), {cores} cores, {} questions",
        config.embed.sessions,
        config.embed.threads,
        questions.len()
    );
    println!(
        "one caller: embedding {embed:.2} ms, whole answer {answer:.2} ms (median; the rest {:.2} ms), p99 {answer_p99:.2} ms",
        answer - embed
    );
    // the coverage check's first read of an entry (then kept): one model run over its texts
    let fresh = Answerer::new(
        Arc::new(Searcher::new(embedder.clone(), config.retrieve.clone())),
        Calibration::load(&project.join("corpus/eval/calibration.json"))?,
        config.answer.clone(),
    );
    let mut reads = Vec::new();
    for entry in &generation.entries {
        let passage = generation
            .passages_of(&entry.id)
            .first()
            .copied()
            .unwrap_or(0);
        let t = Instant::now();
        fresh.coverage(&generation, ask(0), &entry.id.0, passage)?;
        reads.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "reading an entry for the coverage check: median {:.2} ms, p99 {:.2} ms ({} entries)",
        median(reads.clone()),
        percentile(&reads, 0.99),
        reads.len()
    );
    let bare = throughput(cores, seconds, &|i| {
        let _ = embedder.embed_query(ask(i));
    });
    let answers = throughput(cores, seconds, &|i| {
        let _ = answerer.answer(&generation, ask(i), Channel::WhatsApp);
    });
    println!(
        "{cores} callers: {bare:.1} embeddings/s, {answers:.1} answers/s in-process, ratio {:.2}",
        answers / bare
    );
    Ok(())
}
