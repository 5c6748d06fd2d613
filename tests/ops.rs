//! Running HAIPEDIA as a service: it stops cleanly on SIGTERM (requests drained, the SQLite WAL
//! merged, a log line, exit 0), runs from any working directory, says when it is ready, and its
//! systemd unit passes `systemd-analyze verify`.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use haipedia::index::IndexRoot;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until the server at `base` is ready (or fails the test if it exits or takes 2 minutes).
fn wait_ready(child: &mut std::process::Child, client: &reqwest::blocking::Client, base: &str) {
    let started = Instant::now();
    while client
        .get(format!("{base}/readyz"))
        .send()
        .map(|r| r.status().as_u16())
        .ok()
        != Some(200)
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "server did not become ready"
        );
        assert!(child.try_wait().unwrap().is_none(), "server exited early");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

#[test]
fn sigterm_drains_checkpoints_and_exits_zero_from_any_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("indexes");
    common::build(&common::mini_corpus(), &IndexRoot::new(&index));
    let db = tmp.path().join("db.sqlite");
    let port = free_port();
    // started from an unrelated folder with no configuration file: the default paths (model,
    // calibration) resolve against the project folder, not the working directory
    let elsewhere = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_haipedia"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--index"])
        .arg(&index)
        .current_dir(elsewhere.path())
        .env("HAIPEDIA_DATABASE", &db)
        .env_remove("HAIPEDIA_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = client();
    wait_ready(&mut child, &client, &base);
    for q in ["jam layanan", "resep nasi goreng"] {
        let r = client
            .post(format!("{base}/v1/answer"))
            .json(&serde_json::json!({ "question": q }))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(log.contains("SIGTERM") && log.contains("stopped"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes in a log that is not a terminal"
    );
    let wal = tmp.path().join("db.sqlite-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "the WAL was merged into the database");
    let stored = std::fs::read(&db).unwrap();
    assert!(String::from_utf8_lossy(&stored).contains("resep nasi goreng"));
}

#[test]
fn a_kill_during_saves_never_leaves_a_half_written_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    common::copy_dir(&common::mini_corpus(), &corpus);
    let index = tmp.path().join("indexes");
    common::build(&corpus, &IndexRoot::new(&index));
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_haipedia"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--index"])
        .arg(&index)
        .env("HAIPEDIA_CORPUS", &corpus)
        .env("HAIPEDIA_DATABASE", tmp.path().join("db.sqlite"))
        .env("HAIPEDIA_ADMIN_TOKEN", "token-kill")
        .env_remove("HAIPEDIA_CONFIG")
        .env_remove("HAIPEDIA_TOKENS")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&mut child, &client(), &base);

    // two writers save ~300 KB versions of one entry as fast as they can; the server is killed
    // (SIGKILL: no cleanup) in the middle
    let body = |mark: char| {
        let line = format!("Baris uji {mark} untuk penyimpanan yang diputus di tengah jalan.\n");
        format!("AWAL-{mark}\n\n{}\nAKHIR-{mark}\n", line.repeat(5_000))
    };
    let saves = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for mark in ['A', 'B'] {
            let (base, saves, text) = (&base, &saves, body(mark));
            scope.spawn(move || {
                let client = client();
                let entry = serde_json::json!({
                    "title": "Uji penyimpanan besar", "type": "article", "body": text,
                });
                while let Ok(r) = client
                    .put(format!("{base}/v1/admin/entries/uji-besar"))
                    .bearer_auth("token-kill")
                    .json(&entry)
                    .send()
                {
                    assert!(r.status().is_success(), "{}", r.status());
                    saves.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        let started = Instant::now();
        while saves.load(std::sync::atomic::Ordering::Relaxed) < 20 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "saves do not go through"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    });

    // the entry is one whole version, the corpus loads, and a leftover temporary file (if the
    // kill hit one) is hidden from the loader
    let text = std::fs::read_to_string(corpus.join("uji-besar.md")).unwrap();
    let whole = ['A', 'B']
        .iter()
        .any(|m| text.contains(&format!("AWAL-{m}")) && text.contains(&format!("AKHIR-{m}")));
    assert!(whole, "a half-written file: {} bytes", text.len());
    let corpus_now = haipedia::corpus::Corpus::load_dir(&corpus)
        .unwrap_or_else(|e| panic!("the corpus no longer loads: {e}"));
    assert!(corpus_now.entries.iter().any(|e| e.id.0 == "uji-besar"));
    for file in std::fs::read_dir(&corpus).unwrap() {
        let name = file.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            name.ends_with(".md") || name.ends_with(".jsonl") || name.starts_with('.'),
            "a stray file: {name}"
        );
    }
}

#[test]
fn the_systemd_unit_verifies() {
    let ours = common::verify_unit("haipedia.service", "haipedia.service");
    assert!(ours.is_empty(), "systemd-analyze verify: {ours:?}");
}
