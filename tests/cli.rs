//! The `haipedia` binary end to end: check, index, search.

mod common;

use std::fs;

fn copy_mini() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in fs::read_dir(common::mini_corpus()).unwrap().flatten() {
        fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    dir
}

#[test]
fn check_names_the_corrupt_file_and_line() {
    let corpus = copy_mini();
    let (code, out, _) = common::haipedia(&["check", "--corpus", corpus.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ok: 8 entries"), "{out}");
    let bad = corpus.path().join("rusak.md");
    fs::write(&bad, "---\nid: rusak\ntitle: [tidak ditutup\n---\nisi\n").unwrap();
    fs::write(
        corpus.path().join("zz-dup.md"),
        "---\nid: jam-layanan\ntitle: Lagi\n---\nisi\n",
    )
    .unwrap();
    let (code, _, err) = common::haipedia(&["check", "--corpus", corpus.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("{}:3: invalid front matter", bad.display())),
        "{err}"
    );
    assert!(
        !err.contains("at line"),
        "one line number, the file's: {err}"
    );
    assert!(
        err.contains("zz-dup.md:2: duplicate id 'jam-layanan'"),
        "{err}"
    );
}

#[test]
fn index_then_search_and_a_corrupt_corpus_keeps_the_old_generation() {
    let corpus = copy_mini();
    let out = tempfile::tempdir().unwrap();
    let (c, o) = (
        corpus.path().to_str().unwrap(),
        out.path().to_str().unwrap(),
    );
    let (code, stdout, stderr) = common::haipedia(&["index", "--corpus", c, "--out", o]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("built gen-000001"), "{stdout}");

    let (code, stdout, _) = common::haipedia(&[
        "search",
        "cara reset password sakti",
        "--index",
        o,
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["hits"][0]["id"], "sakti-reset");
    assert!(v["hits"][0]["snippet_html"]
        .as_str()
        .unwrap()
        .contains("<mark>"));

    // eval, with the editors' worklist of misses
    let labelled = out.path().join("labelled.jsonl");
    fs::write(
        &labelled,
        "{\"qid\": \"q-1\", \"query\": \"lupa password sakti\", \"relevant\": [\"sakti-reset\"]}\n\
         {\"qid\": \"q-2\", \"query\": \"cara reset password sakti\", \"relevant\": [\"jam-layanan\"]}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = common::haipedia(&[
        "eval",
        "--queries",
        labelled.to_str().unwrap(),
        "--index",
        o,
        "--misses",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("hit@1 0.500"), "{stdout}");
    assert!(
        stdout.contains("q-2 | ") && stdout.contains("| sakti-reset | jam-layanan | cara reset"),
        "{stdout}"
    );
    assert!(!stdout.contains("q-1 | "), "{stdout}");

    fs::write(
        corpus.path().join("rusak.jsonl"),
        "{\"id\": \"x\", \"title\": \"t\"\n",
    )
    .unwrap();
    let (code, _, stderr) = common::haipedia(&["index", "--corpus", c, "--out", o]);
    assert_eq!(code, 1);
    assert!(stderr.contains("rusak.jsonl:1"), "{stderr}");
    assert_eq!(
        fs::read_to_string(out.path().join("CURRENT"))
            .unwrap()
            .trim(),
        "gen-000001"
    );
    let (code, stdout, _) =
        common::haipedia(&["search", "jam layanan", "--index", o, "--limit", "1"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("[jam-layanan]"), "{stdout}");
}

#[test]
fn search_without_an_index_says_what_to_do() {
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = common::haipedia(&[
        "search",
        "apa saja",
        "--index",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("haipedia index"), "{err}");
}
