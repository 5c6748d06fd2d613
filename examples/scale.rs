//! The 100,000-passage scale benchmark's build half (`benches/scale.sh` runs it, then serves the
//! result). Real text: the TyDiQA-id and IDK-MRC passages of ../shared/data (about 7,000 distinct
//! paragraphs), embedded once by the real model and cached in `target/scale/real-vectors.bin`.
//! Each paragraph is entry 0 of its family; the other entries of the family recombine its sentences
//! (rotated, plus one sentence of another paragraph), and their vectors are its real vector with
//! Gaussian noise (cosine about 0.93 to it), so lexical and vector indexes both see 100,000
//! distinct passages without 100,000 model runs. Prints the build time, index size, time to open a
//! generation and HNSW recall@10 against exact search on real TyDiQA questions.
//!
//! ENTRIES=100000 cargo run --release --example scale

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use haipedia::answer::Calibration;
use haipedia::config::Config;
use haipedia::corpus::{Corpus, Passage};
use haipedia::embed::{Embedder, DIMENSIONS};
use haipedia::eval::load_queries;
use haipedia::index::{BuildOptions, IndexGeneration, IndexRoot, KnownVectors};
use haipedia::retrieve::Searcher;

/// Entries per corpus JSONL file (the loader caps a file's size).
const PER_FILE: usize = 10_000;
/// Per-dimension noise of a perturbed vector: cosine to the source about 1/sqrt(1 + 384 s^2) = 0.93.
const NOISE: f32 = 0.02;

/// Distinct paragraphs of the Indonesian sets in ../shared/data.
fn real_paragraphs(shared: &Path) -> anyhow::Result<Vec<String>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for file in ["tydiqa-id-train/corpus.jsonl", "idk-mrc-train/corpus.jsonl"] {
        for line in std::fs::read_to_string(shared.join(file))?.lines() {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let text = v["text"].as_str().unwrap_or_default().trim().to_string();
            if text.split_whitespace().count() >= 12 && seen.insert(text.clone()) {
                out.push(text);
            }
        }
    }
    Ok(out)
}

/// The paragraphs' vectors, embedded once and cached beside the corpus (keyed by their texts).
fn real_vectors(
    embedder: &Embedder,
    texts: &[String],
    dir: &Path,
) -> anyhow::Result<Vec<Vec<f32>>> {
    let key = blake3::hash(texts.join("\n").as_bytes())
        .to_hex()
        .to_string();
    let (file, key_file) = (dir.join("real-vectors.bin"), dir.join("real-vectors.key"));
    if std::fs::read_to_string(&key_file).ok().as_deref() == Some(key.as_str()) {
        let bytes = std::fs::read(&file)?;
        let flat: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if flat.len() == texts.len() * DIMENSIONS {
            return Ok(flat.chunks(DIMENSIONS).map(<[f32]>::to_vec).collect());
        }
    }
    eprintln!(
        "embedding {} real paragraphs once (cached in {})",
        texts.len(),
        dir.display()
    );
    let started = Instant::now();
    let vectors = embedder.embed_passages(texts, 32, &|done| {
        if done % 1024 < 32 {
            eprintln!(
                "  {done} / {} ({:.0} s)",
                texts.len(),
                started.elapsed().as_secs_f64()
            );
        }
    })?;
    let bytes: Vec<u8> = vectors
        .iter()
        .flatten()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    std::fs::write(&file, bytes)?;
    std::fs::write(&key_file, key)?;
    Ok(vectors)
}

/// A deterministic standard normal stream (xorshift64* and Box-Muller).
struct Gauss(u64);

impl Gauss {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }

    fn next(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

/// `v` plus noise seeded by `seed`, back to unit length.
fn perturbed(v: &[f32], seed: u64) -> Vec<f32> {
    let mut g = Gauss(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out: Vec<f32> = v.iter().map(|x| x + NOISE * g.next()).collect();
    let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    out.iter_mut().for_each(|x| *x /= norm);
    out
}

/// The text of entry `k`: its family's paragraph, or a recombination of it.
fn entry_text(paragraphs: &[String], k: usize) -> String {
    let (family, variant) = (k % paragraphs.len(), k / paragraphs.len());
    if variant == 0 {
        return paragraphs[family].clone();
    }
    let sentences: Vec<&str> = paragraphs[family]
        .split(". ")
        .filter(|s| !s.is_empty())
        .collect();
    let mut text: Vec<&str> = sentences
        .iter()
        .cycle()
        .skip(variant % sentences.len())
        .take(sentences.len())
        .copied()
        .collect();
    let other = &paragraphs[(family + 7919 * variant) % paragraphs.len()];
    text.push(other.split(". ").next().unwrap_or_default());
    text.join(". ")
}

/// Writes the corpus of `entries` entries as JSONL files into `dir` (replacing what was there).
fn write_corpus(paragraphs: &[String], entries: usize, dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    for (n, start) in (0..entries).step_by(PER_FILE).enumerate() {
        let mut file = std::io::BufWriter::new(std::fs::File::create(
            dir.join(format!("part-{n:03}.jsonl")),
        )?);
        for k in start..(start + PER_FILE).min(entries) {
            let line =
                serde_json::json!({ "id": format!("s{k:06}"), "text": entry_text(paragraphs, k) });
            writeln!(file, "{line}")?;
        }
        file.flush()?;
    }
    Ok(())
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

fn main() -> anyhow::Result<()> {
    let entries: usize = std::env::var("ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let project = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = project.join("../shared/data");
    let work = project.join("target/scale");
    std::fs::create_dir_all(&work)?;
    let config = Config::default();
    let embedder = Arc::new(Embedder::from_config(&config)?);
    let paragraphs = real_paragraphs(&shared)?;
    let real = Arc::new(real_vectors(&embedder, &paragraphs, &work)?);
    let corpus_dir = work.join("corpus");
    write_corpus(&paragraphs, entries, &corpus_dir)?;
    let corpus = Corpus::load_dir(&corpus_dir)?;

    // entry k's passages: the real vector for an unchanged paragraph, else a perturbed copy
    let sources = Arc::new(paragraphs.clone());
    let known = KnownVectors(Arc::new(move |p: &Passage| {
        let k: usize = p.entry.0.strip_prefix('s')?.parse().ok()?;
        let family = k % sources.len();
        let v = &real[family];
        if k < sources.len() && p.ordinal == 0 && p.text.trim() == sources[family] {
            Some(v.clone())
        } else {
            Some(perturbed(v, (k as u64) << 8 | u64::from(p.ordinal)))
        }
    }));
    let root = IndexRoot::new(work.join("indexes"));
    if root.dir().exists() {
        std::fs::remove_dir_all(root.dir())?;
    }
    let searcher = Searcher::new(embedder.clone(), config.retrieve.clone());
    let calibration = Calibration::load(&project.join("corpus/eval/calibration.json"))?;
    let options = BuildOptions {
        known_vectors: Some(known),
        ..BuildOptions::from_config(&config, true)
    };
    let started = Instant::now();
    let report = haipedia::reindex::build_fitted(
        &corpus,
        &corpus_dir,
        &searcher,
        Some(&calibration),
        &root,
        &options,
        &|_| {},
    )?;
    let build = started.elapsed().as_secs_f64();
    let counts = &report.manifest.counts;
    println!(
        "corpus: {} entries, {} passages ({} embedded by the build, the rest real or perturbed vectors from {} real paragraphs)",
        counts.entries, counts.passages, counts.embedded, paragraphs.len()
    );
    println!(
        "build: {build:.1} s; index size {:.0} MiB",
        dir_size(&report.dir) as f64 / (1 << 20) as f64
    );
    let mut opens = Vec::new();
    let mut generation = None;
    for _ in 0..3 {
        let t = Instant::now();
        generation = Some(IndexGeneration::open_current(&root)?);
        opens.push(t.elapsed().as_secs_f64());
    }
    opens.sort_by(f64::total_cmp);
    println!("open a generation: {:.2} s (median of 3)", opens[1]);
    let generation = generation.ok_or_else(|| anyhow::anyhow!("no generation"))?;

    // HNSW recall@10 against exact search, real TyDiQA questions
    let questions: Vec<String> = load_queries(&shared.join("tydiqa-id-train/queries.jsonl"))?
        .into_iter()
        .take(300)
        .map(|q| q.query)
        .collect();
    let vectors = embedder.embed_queries(&questions)?;
    let r = &config.retrieve;
    let (mut found, mut ann_ms, mut exact_ms) = (0usize, 0.0, 0.0);
    for q in &vectors {
        let t = Instant::now();
        let ann: HashSet<usize> = generation
            .vectors
            .search(q, r.vector_candidates, r.ef_search)
            .into_iter()
            .take(10)
            .map(|h| h.0)
            .collect();
        ann_ms += t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let exact = generation.vectors.search_exact(q, 10);
        exact_ms += t.elapsed().as_secs_f64() * 1e3;
        found += exact.iter().filter(|h| ann.contains(&h.0)).count();
    }
    let n = vectors.len() as f64;
    println!(
        "HNSW recall@10 against exact search: {:.3} ({} questions; {:.2} ms per HNSW search, {:.2} ms exact)",
        found as f64 / (10.0 * n),
        vectors.len(),
        ann_ms / n,
        exact_ms / n
    );
    Ok(())
}
