//! Index generations with the real model: build, reuse of vectors, failure safety, stability.

mod common;

use std::fs;

use haipedia::index::{Generation, IndexGeneration, IndexRoot};

#[test]
fn a_rebuild_reuses_every_unchanged_vector_and_switches_current() {
    let tmp = tempfile::tempdir().unwrap();
    let root = IndexRoot::new(tmp.path());
    let first = common::build(&common::mini_corpus(), &root);
    assert_eq!(first.manifest.generation, Generation(1));
    assert_eq!(first.manifest.counts.entries, 8);
    assert_eq!(first.manifest.counts.reused, 0);
    assert_eq!(
        first.manifest.counts.embedded,
        first.manifest.counts.passages
    );

    // one changed entry: only its passage is embedded again
    let corpus = tempfile::tempdir().unwrap();
    for f in fs::read_dir(common::mini_corpus()).unwrap().flatten() {
        fs::copy(f.path(), corpus.path().join(f.file_name())).unwrap();
    }
    let path = corpus.path().join("digit.md");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("menu 5", "menu 5 (Aplikasi Digit)");
    fs::write(&path, text).unwrap();
    let second = common::build(corpus.path(), &root);
    assert_eq!(second.manifest.generation, Generation(2));
    assert_eq!(second.manifest.counts.embedded, 1);
    assert_eq!(
        second.manifest.counts.reused,
        second.manifest.counts.passages - 1
    );
    assert_ne!(second.manifest.corpus_hash, first.manifest.corpus_hash);
    assert_eq!(root.current().unwrap(), Some(Generation(2)));
    assert_eq!(
        root.generations().unwrap(),
        vec![Generation(1), Generation(2)]
    );
}

#[test]
fn a_failed_build_keeps_the_old_generation_current_and_leaves_no_half_generation() {
    let tmp = tempfile::tempdir().unwrap();
    let root = IndexRoot::new(tmp.path());
    common::build(&common::mini_corpus(), &root);
    // the next generation's place is taken by a file: publishing must fail
    fs::write(tmp.path().join("gen-000002"), "in the way").unwrap();
    let corpus = haipedia::corpus::Corpus::load_dir(&common::mini_corpus()).unwrap();
    let err = haipedia::index::build(
        &corpus,
        &common::embedder(),
        &root,
        &haipedia::index::BuildOptions {
            max_tokens: 320,
            batch_size: 8,
            force: true,
            fit_inputs: String::new(),
            known_vectors: None,
        },
        &|_| {},
    )
    .expect_err("publishing onto a file fails");
    assert!(err.to_string().contains("gen-000002"), "{err}");
    assert_eq!(root.current().unwrap(), Some(Generation(1)));
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(haipedia::index::STAGING_PREFIX))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let generation = IndexGeneration::open_current(&root).unwrap();
    assert_eq!(
        common::ids(&generation, "jam layanan", 1),
        vec!["jam-layanan"]
    );
}

#[test]
fn results_are_identical_across_independent_builds_of_the_same_corpus() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (ra, rb) = (IndexRoot::new(a.path()), IndexRoot::new(b.path()));
    let ma = common::build(&common::mini_corpus(), &ra).manifest;
    let mb = common::build(&common::mini_corpus(), &rb).manifest;
    assert_eq!(ma.corpus_hash, mb.corpus_hash);
    let (ga, gb) = (
        IndexGeneration::open_current(&ra).unwrap(),
        IndexGeneration::open_current(&rb).unwrap(),
    );
    for q in [
        "reset sakti",
        "kapan dana cair",
        "feedback tiket",
        "email",
        "menu 5",
    ] {
        assert_eq!(common::ids(&ga, q, 8), common::ids(&gb, q, 8), "query {q}");
    }
}

#[test]
fn hnsw_agrees_with_exact_search_on_the_top_passages() {
    let tmp = tempfile::tempdir().unwrap();
    let root = IndexRoot::new(tmp.path());
    common::build(&common::mini_corpus(), &root);
    let generation = IndexGeneration::open_current(&root).unwrap();
    let q = common::embedder().embed_query("status tiket").unwrap();
    let exact = generation.vectors.search_exact(&q, 5);
    assert_eq!(generation.vectors.search(&q, 5, 64), exact);
}

#[test]
fn an_unchanged_corpus_is_rebuilt_only_when_the_analysis_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = IndexRoot::new(tmp.path());
    let corpus = haipedia::corpus::Corpus::load_dir(&common::mini_corpus()).unwrap();
    let options =
        haipedia::index::BuildOptions::from_config(&haipedia::config::Config::default(), false);
    let build = || haipedia::index::build(&corpus, &common::embedder(), &root, &options, &|_| {});
    let first = build().unwrap();
    assert_eq!(
        first.manifest.analysis,
        haipedia::index::lexical_fingerprint()
    );
    assert!(build().unwrap().unchanged, "same corpus, same analysis");

    // a generation built with other synonyms or stopwords (or before they were recorded)
    let path = root
        .generation_dir(first.manifest.generation)
        .join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    manifest.as_object_mut().unwrap().remove("analysis");
    fs::write(&path, manifest.to_string()).unwrap();
    let rebuilt = build().unwrap();
    assert!(!rebuilt.unchanged);
    assert_eq!(rebuilt.manifest.generation, Generation(2));
    assert_eq!(rebuilt.manifest.counts.embedded, 0, "vectors are reused");
}
