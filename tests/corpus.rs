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

// Hardening: what the loader reads, how it reports what it refuses. Each load runs on a thread with
// a deadline, so a loader that hangs (a FIFO) or walks forever (links to the folder itself) fails.

mod hardening {
    use std::path::Path;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use haipedia::corpus::{load_documents, Corpus, CorpusErrors, MAX_ENTRY_FILE_BYTES};

    /// Longest a load of these tiny folders may take.
    const DEADLINE: Duration = Duration::from_secs(1);

    fn entry(id: &str) -> String {
        format!("---\nid: {id}\ntitle: Judul {id}\ntype: faq\n---\nIsi jawaban.\n")
    }

    /// A corpus folder holding one good entry.
    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("good.md"), entry("good")).unwrap();
        dir
    }

    /// Runs `load` on a thread and fails the test if it does not finish within [`DEADLINE`].
    fn within_deadline<T: Send + 'static>(load: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        let started = Instant::now();
        std::thread::spawn(move || {
            let _ = tx.send(load());
        });
        let out = rx
            .recv_timeout(DEADLINE)
            .unwrap_or_else(|_| panic!("loading took longer than {DEADLINE:?}"));
        assert!(started.elapsed() < DEADLINE);
        out
    }

    /// The problems `Corpus::load_dir` reports, each rendered as `check` prints it.
    fn problems(dir: &Path) -> Vec<String> {
        let dir = dir.to_path_buf();
        let result = within_deadline(move || Corpus::load_dir(&dir));
        rendered(result.map(|c| c.len()))
    }

    fn rendered<T: std::fmt::Debug>(result: Result<T, CorpusErrors>) -> Vec<String> {
        let errors = result.expect_err("the folder must not load");
        let lines: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
        for line in &lines {
            assert!(!line.contains('\n'), "one line per problem: {line:?}");
        }
        lines
    }

    /// The one problem reported for `name` (a file name in `dir`).
    fn problem_for(problems: &[String], dir: &Path, name: &str) -> String {
        let prefix = format!("{}:", dir.join(name).display());
        let found: Vec<&String> = problems.iter().filter(|p| p.starts_with(&prefix)).collect();
        assert_eq!(found.len(), 1, "{name}: {problems:#?}");
        found[0].clone()
    }

    #[cfg(unix)]
    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_reported_not_opened() {
        let dir = folder();
        mkfifo(&dir.path().join("x.md"));
        let problems = problems(dir.path());
        assert_eq!(
            problems,
            vec![format!(
                "{}:1: not a regular file (a FIFO): only regular files are read",
                dir.path().join("x.md").display()
            )]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_among_menu_examples_is_reported_not_opened() {
        let dir = folder();
        std::fs::create_dir(dir.path().join("menus")).unwrap();
        mkfifo(&dir.path().join("menus/examples.jsonl"));
        let problems = problems(dir.path());
        let p = problem_for(&problems, &dir.path().join("menus"), "examples.jsonl");
        assert!(
            p.ends_with(":1: not a regular file (a FIFO): only regular files are read"),
            "{p}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn two_links_to_the_folder_itself_do_not_loop() {
        let dir = folder();
        std::os::unix::fs::symlink(".", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("b")).unwrap();
        let problems = problems(dir.path());
        assert_eq!(problems.len(), 2, "{problems:#?}");
        for name in ["a", "b"] {
            let p = problem_for(&problems, dir.path(), name);
            assert!(p.ends_with(":1: symbolic link: links are not followed; put the file or folder itself in the corpus"), "{p}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_dev_zero_is_not_read() {
        let dir = folder();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.md")).unwrap();
        let problems = problems(dir.path());
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problem_for(&problems, dir.path(), "zero.md").contains(":1: symbolic link"));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_file_outside_the_folder_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), entry("secret")).unwrap();
        let dir = folder();
        std::os::unix::fs::symlink(
            outside.path().join("secret.md"),
            dir.path().join("secret.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd.jsonl")).unwrap();
        let problems = problems(dir.path());
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problem_for(&problems, dir.path(), "secret.md").contains(":1: symbolic link"));
        assert!(problem_for(&problems, dir.path(), "passwd.jsonl").contains(":1: symbolic link"));
    }

    #[test]
    fn an_oversized_file_is_refused_before_reading() {
        let dir = folder();
        let size = MAX_ENTRY_FILE_BYTES as usize + 1;
        let mut text = entry("big");
        text.push_str(&"a".repeat(size - text.len()));
        std::fs::write(dir.path().join("big.md"), text).unwrap();
        let problems = problems(dir.path());
        assert_eq!(
            problems,
            vec![format!(
                "{}:1: file is {size} bytes; at most {MAX_ENTRY_FILE_BYTES} are read",
                dir.path().join("big.md").display()
            )]
        );
    }

    #[test]
    fn wrong_front_matter_types_are_errors_at_their_key() {
        // (file, front matter line after id and title, expected message); the key is on line 4
        let cases = [
            ("id-number", "", "'id' must be a string, but it is a number (12345): put it in quotes if it is meant as text"),
            ("tags-hex", "tags: [0x10]", "'tags' must be a list of strings, but item 1 is a number (16): put it in quotes if it is meant as text"),
            ("tags-exponent", "tags: [a, 1e3]", "'tags' must be a list of strings, but item 2 is a number (1000.0): put it in quotes if it is meant as text"),
            ("tags-bool", "tags: [a, true]", "'tags' must be a list of strings, but item 2 is a boolean (true): put it in quotes if it is meant as text"),
            ("questions-number", "questions: [a, 2.5]", "'questions' must be a list of strings, but item 2 is a number (2.5): put it in quotes if it is meant as text"),
            ("tags-null", "tags: [a, null]", "'tags' must be a list of strings, but item 2 is null"),
            ("tags-all", "tags: [1, 2.5, true, null]", "'tags' must be a list of strings, but item 3 is a boolean (true): put it in quotes if it is meant as text"),
            ("questions-nested", "questions: [a, [b]]", "'questions' must be a list of strings, but item 2 is a list"),
            ("updated-mapping", "updated: {a: 1}", "'updated' must be a date written YYYY-MM-DD, but it is a mapping"),
            ("updated-number", "updated: 2026", "'updated' must be a date written YYYY-MM-DD, but it is a number (2026): put it in quotes if it is meant as text"),
            ("updated-text", "updated: 22-11-2026", "invalid date '22-11-2026' in 'updated': write YYYY-MM-DD"),
            ("binary-title", "category: !!binary aGVsbG8=", "YAML tag '!!binary' is not allowed: write the value as plain text"),
            ("verbatim-tag", "category: !<tag:yaml.org,2002:binary> aGVsbG8=", "YAML tag '!<tag:yaml.org,2002:binary>' is not allowed: write the value as plain text"),
            ("str-tag", "action: !!str 6", "YAML tag '!!str' is not allowed: write the value as plain text"),
            ("action-number", "action: 6", "'action' must be a string, but it is a number (6): put it in quotes if it is meant as text"),
            ("category-bool", "category: true", "'category' must be a string, but it is a boolean (true): put it in quotes if it is meant as text"),
            ("type-list", "type: [faq]", "'type' must be a string, but it is a list"),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (name, line, _) in &cases {
            let text = if *name == "id-number" {
                "---\ntitle: Judul\ntype: faq\nid: 12345\n---\nIsi.\n".to_string()
            } else {
                format!("---\nid: {name}\ntitle: Judul\n{line}\n---\nIsi.\n")
            };
            std::fs::write(dir.path().join(format!("{name}.md")), text).unwrap();
        }
        let problems = problems(dir.path());
        assert_eq!(problems.len(), cases.len(), "{problems:#?}");
        for (name, _, message) in cases {
            let p = problem_for(&problems, dir.path(), &format!("{name}.md"));
            assert!(p.ends_with(&format!(".md:4: {message}")), "{p}");
        }
    }

    #[test]
    fn strict_front_matter_still_reads_plain_values() {
        let dir = tempfile::tempdir().unwrap();
        let text = "---\nid: a\ntitle: \"12345\"\ntype: faq\ncategory: Umum HAI-DJPb\ntags: [sakti, '2024', 14090, 2026.0]\n\
                    questions:\n  - gmn\n  - \"true\"\nupdated: 2026-11-22\naction: '6'\nsource: Panduan\n---\nIsi.\n";
        std::fs::write(dir.path().join("a.md"), text).unwrap();
        let path = dir.path().to_path_buf();
        let corpus = within_deadline(move || Corpus::load_dir(&path)).unwrap();
        let e = &corpus.entries[0];
        assert_eq!(e.title, "12345");
        assert_eq!(
            e.tags,
            vec!["sakti", "2024", "14090", "2026.0"],
            "numbers as written"
        );
        assert_eq!(e.questions, vec!["gmn", "true"]);
        assert_eq!(e.updated.as_deref(), Some("2026-11-22"));
        assert_eq!(e.action.as_deref(), Some("6"));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_with_a_newline_is_shown_escaped() {
        let dir = folder();
        let forged = "x.md:1: forged\nfake.md";
        std::fs::write(dir.path().join(forged), entry("forged")).unwrap();
        let problems = problems(dir.path());
        assert_eq!(
            problems,
            vec![format!(
                "{}/x.md:1: forged\\nfake.md:1: file name holds control characters (a newline, a tab, ...): rename it",
                dir.path().display()
            )]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_that_is_not_utf8_is_reported() {
        use std::os::unix::ffi::OsStrExt;
        let dir = folder();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
        std::fs::write(dir.path().join(name), entry("cafe")).unwrap();
        let problems = problems(dir.path());
        assert_eq!(
            problems,
            vec![format!(
                "{}/caf\\xe9.md:1: file name is not valid UTF-8: rename it",
                dir.path().display()
            )]
        );
    }

    #[test]
    fn a_yaml_bomb_fails_fast_at_its_key() {
        let dir = folder();
        // nine levels of nine aliases: 9^9 strings if expanded
        let mut bomb = String::from("---\nid: bomb\ntitle: Bom\nupdated:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(", ");
            bomb.push_str(&format!("  {}: &{} [{refs}]\n", w[1], w[1]));
        }
        bomb.push_str("tags: *i\n---\nIsi.\n");
        std::fs::write(dir.path().join("bomb.md"), &bomb).unwrap();
        let in_lists =
            "---\nid: lists\ntitle: Bom\ntags: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n\
                        questions: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                        category: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
                        action: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\nIsi.\n";
        std::fs::write(dir.path().join("lists.md"), in_lists).unwrap();
        let problems = problems(dir.path());
        assert_eq!(problems.len(), 2, "{problems:#?}");
        let p = problem_for(&problems, dir.path(), "bomb.md");
        assert!(
            p.ends_with(".md:4: 'updated' must be a date written YYYY-MM-DD, but it is a mapping"),
            "{p}"
        );
        let p = problem_for(&problems, dir.path(), "lists.md");
        assert!(
            p.contains(".md:5: 'questions' must be a list of strings, but item 1 is a list"),
            "{p}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn documents_are_read_only_from_regular_files() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Panduan.md"), "# Panduan\nisi").unwrap();
        mkfifo(&dir.path().join("fifo.md"));
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.txt")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd.md")).unwrap();
        let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
        std::fs::write(dir.path().join(odd), "isi").unwrap();
        std::fs::write(
            dir.path().join("big.md"),
            "a".repeat(MAX_ENTRY_FILE_BYTES as usize + 1),
        )
        .unwrap();
        let path = dir.path().to_path_buf();
        let problems = rendered(within_deadline(move || load_documents(&path)));
        assert_eq!(problems.len(), 5, "{problems:#?}");
        let p = |name: &str| problem_for(&problems, dir.path(), name);
        assert!(
            p("fifo.md").ends_with(":1: not a regular file (a FIFO): only regular files are read")
        );
        assert!(p("zero.txt").contains(":1: symbolic link"));
        assert!(p("passwd.md").contains(":1: symbolic link"));
        assert!(p("big.md").contains(":1: file is 2097153 bytes"));
        let cafe = format!(
            "{}/caf\\xe9.md:1: file name is not valid UTF-8: rename it",
            dir.path().display()
        );
        assert!(problems.contains(&cafe), "{problems:#?}");
    }
}
