//! Indexing throughput: a cold build of the project's corpus (every passage embedded) and a rebuild
//! where every vector is reused.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use haipedia::corpus::Corpus;
use haipedia::index::IndexRoot;

fn indexing(c: &mut Criterion) {
    let embedder = common::embedder();
    let corpus = Corpus::load_dir(&common::corpus_dir()).unwrap();
    let mut group = c.benchmark_group("index_starter_corpus");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("cold", |b| {
        b.iter(|| {
            let tmp = tempfile::tempdir().unwrap();
            common::build(&corpus, &embedder, &IndexRoot::new(tmp.path()))
        })
    });
    let tmp = tempfile::tempdir().unwrap();
    let root = IndexRoot::new(tmp.path());
    common::build(&corpus, &embedder, &root);
    group.bench_function("unchanged_rebuild", |b| {
        b.iter(|| common::build(&corpus, &embedder, &root))
    });
    group.finish();
}

criterion_group!(benches, indexing);
criterion_main!(benches);
