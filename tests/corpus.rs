//! Invariants of the shipped corpus and its labelled set (no model needed).

use std::collections::HashSet;
use std::path::PathBuf;

use haipedia::catalogue::{GENERAL_CATEGORIES as GENERAL, SERVICES as CATALOGUE};
use haipedia::corpus::{Corpus, EntryType};
use haipedia::eval;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn corpus() -> Corpus {
    Corpus::load_dir(&corpus_dir()).expect("the shipped corpus is valid")
}

#[test]
fn the_corpus_loads_with_unique_ids_and_known_categories() {
    let corpus = corpus();
    assert!(corpus.len() >= 150, "{} entries", corpus.len());
    for e in &corpus.entries {
        let category = e.category.as_deref().unwrap_or("");
        assert!(
            CATALOGUE.contains(&category) || GENERAL.contains(&category),
            "{}: unknown category {category:?}",
            e.origin
        );
        assert_eq!(
            e.origin.path.file_stem().and_then(|s| s.to_str()),
            Some(e.id.0.as_str()),
            "file name = id"
        );
        if e.kind == EntryType::Faq {
            assert!(
                (2..=5).contains(&e.questions.len()),
                "{}: {} phrasings",
                e.origin,
                e.questions.len()
            );
        }
    }
}

#[test]
fn every_catalogue_service_has_an_article() {
    let corpus = corpus();
    for service in CATALOGUE {
        assert!(
            corpus
                .entries
                .iter()
                .any(|e| e.kind == EntryType::Article && e.category.as_deref() == Some(service)),
            "no article for {service}"
        );
    }
}

#[test]
fn the_labelled_set_is_large_valid_and_not_copied_from_the_entries() {
    let corpus = corpus();
    let dir = corpus_dir().join("eval");
    assert!(eval::check_dir(&dir, &corpus).expect("every relevant id exists") >= 300);
    let queries = eval::load_queries(&dir.join("dev.jsonl")).unwrap();
    let out_of_scope = queries.iter().filter(|q| !q.in_scope()).count();
    assert!(
        out_of_scope * 3 >= queries.len(),
        "{out_of_scope} of {} out of scope",
        queries.len()
    );
    let phrasings: HashSet<String> = corpus
        .entries
        .iter()
        .flat_map(|e| e.questions.iter().chain(std::iter::once(&e.title)))
        .map(|q| q.trim().to_lowercase())
        .collect();
    let mut qids = HashSet::new();
    for q in &queries {
        assert!(
            !phrasings.contains(&q.query.trim().to_lowercase()),
            "copied: {}",
            q.query
        );
        assert!(qids.insert(q.qid.clone()), "duplicate qid {:?}", q.qid);
    }
}
