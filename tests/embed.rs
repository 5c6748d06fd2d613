//! The real multilingual-e5-small model, loaded offline from the set-up location.

use haipedia::answer::{word_coverage, CoveragePolicy, DetailGap, EntryTokens};
use haipedia::config::Config;
use haipedia::corpus::TokenCounter;
use haipedia::embed::{cosine, Embedder, ModelFiles, DIMENSIONS};

#[test]
fn real_model_ranks_an_indonesian_paraphrase_first() {
    let embedder = Embedder::from_config(&Config::default()).expect("model set up");
    let q = embedder.embed_query("lupa kata sandi sakti").unwrap();
    assert_eq!(q.len(), DIMENSIONS);
    let docs = vec![
        "Reset password SAKTI melalui WhatsApp Bot menu 6 dengan NIK dan kode satker".to_string(),
        "Informasi SP2D memerlukan nomor SP2D 15 digit".to_string(),
        "Jam layanan HAI-DJPb adalah 08.00 sampai 16.00 WIB".to_string(),
    ];
    let d = embedder.embed_passages(&docs, 8, &|_| {}).unwrap();
    let scores: Vec<f32> = d.iter().map(|v| cosine(&q, v)).collect();
    assert!(scores[0] > scores[1] && scores[0] > scores[2], "{scores:?}");
    // a vector alone equals the same vector in a batch
    let alone = embedder.embed_passages(&docs[1..2], 1, &|_| {}).unwrap();
    assert!(cosine(&alone[0], &d[1]) > 0.999);
}

#[test]
fn the_tokens_of_a_question_are_read_in_the_run_that_embeds_it() {
    let embedder = Embedder::from_config(&Config::default()).expect("model set up");
    let question = "gmn cara daftar supplier baru di SAKTI?";
    let vector = embedder.embed_query(question).unwrap();
    // the same vector as a batched run (mean pooling as fastembed does it)
    let batched = embedder.embed_queries(&[question.to_string()]).unwrap();
    assert!(cosine(&vector, &batched[0]) > 0.9999);
    let tokens = embedder.query_tokens(question).unwrap();
    let words: Vec<&str> = tokens.words.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(
        words,
        ["gmn", "cara", "daftar", "supplier", "baru", "di", "SAKTI?"]
    );
    assert!(tokens
        .vectors
        .iter()
        .all(|v| (cosine(v, v) - 1.0).abs() < 1e-4));
    // an entry about resetting passwords covers a reset question, not a supplier one
    let entry = EntryTokens::of(&embedder
        .passage_tokens(&[
            "Reset password SAKTI".to_string(),
            "Reset password SAKTI melalui WhatsApp Bot menu 6: password baru dikirim lewat SMS."
                .to_string(),
        ])
        .unwrap());
    let policy = CoveragePolicy::default();
    let reset = word_coverage(
        &embedder.query_tokens("cara reset password sakti").unwrap(),
        &entry,
    );
    assert_eq!(policy.uncovered(&reset), None, "{reset:?}");
    let supplier = word_coverage(&tokens, &entry);
    assert!(
        matches!(policy.uncovered(&supplier), Some(DetailGap::Uncovered(_))),
        "{supplier:?}"
    );
}

#[test]
fn token_counts_include_special_tokens() {
    let embedder = Embedder::from_config(&Config::default()).expect("model set up");
    assert_eq!(embedder.count(""), 2);
    assert!(embedder.count("passage: reset password SAKTI") > 4);
}

#[test]
fn missing_model_gives_one_clear_error() {
    let mut config = Config::default();
    config.paths.model_dir = Some("/nonexistent/model".into());
    let err = Embedder::load(&ModelFiles::locate(&config), 1)
        .err()
        .expect("must fail")
        .to_string();
    assert!(err.contains("/nonexistent/model"), "{err}");
    assert!(err.contains("setup-model.sh"), "{err}");
}

#[test]
fn two_sessions_share_a_build_and_keep_input_order() {
    let files = ModelFiles::locate(&Config::default());
    let one = Embedder::load_sessions(&files, 1, 1).expect("model set up");
    let two = Embedder::load_sessions(&files, 2, 1).expect("model set up");
    // texts of many lengths, so the length-sorted batches interleave the input order
    let texts: Vec<String> = (0..23)
        .map(|i| {
            format!(
                "Petunjuk nomor {i}: {}",
                "unggah dokumen SPM ".repeat(i % 7 + 1)
            )
        })
        .collect();
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let a = one.embed_passages(&texts, 4, &|_| {}).unwrap();
    let b = two
        .embed_passages(&texts, 4, &|done| {
            seen.fetch_max(done, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
    assert_eq!(seen.into_inner(), texts.len(), "progress reaches the total");
    assert_eq!(a.len(), b.len());
    for (i, x) in a.iter().enumerate() {
        // the same text's vector, and closer to it than to any other text's
        let nearest = (0..b.len())
            .max_by(|&j, &k| cosine(x, &b[j]).total_cmp(&cosine(x, &b[k])))
            .unwrap();
        assert_eq!(nearest, i);
        assert!(cosine(x, &b[i]) > 0.999);
    }
}
