//! Warm search latency on the project's corpus, query embedding included.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use haipedia::config::Config;
use haipedia::corpus::Corpus;
use haipedia::index::{IndexGeneration, IndexRoot};
use haipedia::retrieve::{SearchRequest, Searcher};

const QUERIES: [&str; 6] = [
    "cara reset password sakti",
    "sp2d saya belum cair, cek dimana ya",
    "jam layanan hai djpb",
    "bagaimana meneruskan tiket hai-cso ke hai djpb",
    "sla layanan pengelolaan user berapa jam",
    "apa itu layanan broadcast",
];

fn search(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let root = IndexRoot::new(tmp.path());
    let embedder = common::embedder();
    let corpus = Corpus::load_dir(&common::corpus_dir()).unwrap();
    common::build(&corpus, &embedder, &root);
    let generation = IndexGeneration::open_current(&root).unwrap();
    let searcher = Searcher::new(embedder.clone(), Config::default().retrieve);
    let mut i = 0;
    c.bench_function("hybrid_search_warm", |b| {
        b.iter(|| {
            i = (i + 1) % QUERIES.len();
            let request = SearchRequest {
                query: QUERIES[i].to_string(),
                limit: 10,
                ..Default::default()
            };
            searcher.search(&generation, &request).unwrap()
        })
    });
    c.bench_function("embed_query", |b| {
        b.iter(|| embedder.embed_query(QUERIES[0]).unwrap())
    });
    let terms = searcher.analyzer().query_terms(QUERIES[1]);
    c.bench_function("lexical_only", |b| {
        b.iter(|| generation.lexical.search(&terms, 50).unwrap())
    });
    let q = embedder.embed_query(QUERIES[1]).unwrap();
    c.bench_function("hnsw_only", |b| {
        b.iter(|| generation.vectors.search(&q, 50, 96))
    });
    c.bench_function("exact_vector_only", |b| {
        b.iter(|| generation.vectors.search_exact(&q, 50))
    });
}

criterion_group!(benches, search);
criterion_main!(benches);
