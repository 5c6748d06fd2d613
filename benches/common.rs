//! Shared set-up for the benchmarks: the real model and an index of the project's corpus.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use haipedia::config::Config;
use haipedia::corpus::Corpus;
use haipedia::embed::Embedder;
use haipedia::index::{self, BuildOptions, BuildReport, IndexRoot};

/// The project's corpus folder.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The real model.
pub fn embedder() -> Arc<Embedder> {
    Arc::new(Embedder::from_config(&Config::default()).expect("run scripts/setup-model.sh first"))
}

/// Builds `corpus` into `root` with the default configuration.
pub fn build(corpus: &Corpus, embedder: &Embedder, root: &IndexRoot) -> BuildReport {
    index::build(
        corpus,
        embedder,
        root,
        &BuildOptions::from_config(&Config::default(), true),
        &|_| {},
    )
    .expect("build")
}
