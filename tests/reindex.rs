//! Editors' reindex on a live server: hot swap under load, incremental embedding, failures that change
//! nothing, a killed build, rollback, and the admin guard.

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use haipedia::config::Config;
use haipedia::index::{BuildOptions, IndexRoot};
use haipedia::reindex::{JobState, Reindexer};
use haipedia::server::build_state;
use reqwest::blocking::Client;
use serde_json::{json, Value};

const TOKEN: &str = "token-editor";

/// A served copy of the mini corpus: (base URL, corpus dir, index dir, temp holder).
fn start(
    token: Option<&str>,
) -> (
    String,
    std::path::PathBuf,
    std::path::PathBuf,
    tempfile::TempDir,
) {
    let site = common::mini_site(token, |_| {});
    (site.base, site.corpus, site.indexes, site.tmp)
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

fn admin(method: &str, url: &str) -> reqwest::blocking::Response {
    let c = client();
    let r = if method == "POST" {
        c.post(url)
    } else {
        c.get(url)
    };
    r.bearer_auth(TOKEN).send().unwrap()
}

/// Starts a reindex and waits for its end; returns the final job.
fn reindex(base: &str) -> Value {
    let r = admin("POST", &format!("{base}/v1/admin/reindex"));
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().unwrap()["id"].as_u64().unwrap();
    let started = Instant::now();
    loop {
        let job: Value = admin("GET", &format!("{base}/v1/admin/reindex/{id}"))
            .json()
            .unwrap();
        if job["state"] != "running" {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "job did not end: {job}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn generation(base: &str) -> u64 {
    client()
        .get(format!("{base}/healthz"))
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap()["generation"]
        .as_u64()
        .unwrap()
}

#[test]
fn serve_watch_rebuilds_after_an_editor_saves_a_file() {
    let site = common::mini_site(None, |config| {
        config.server.watch = true;
        config.server.watch_debounce_ms = 300;
    });
    let first = generation(&site.base);
    std::fs::write(
        site.corpus.join("baru.md"),
        "---\nid: entri-baru\ntitle: Entri baru\ntype: faq\ncategory: Umum HAI-DJPb\n---\nIsi entri baru.\n",
    )
    .unwrap();
    let started = Instant::now();
    while client()
        .get(format!("{}/v1/articles/entri-baru", site.base))
        .send()
        .unwrap()
        .status()
        != 200
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the saved file was never picked up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(generation(&site.base), first + 1);
    // a broken save is not served; fixing it is picked up again
    std::fs::write(site.corpus.join("baru.md"), "---\nid: [rusak\n---\n").unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        generation(&site.base),
        first + 1,
        "the old generation keeps serving"
    );
    std::fs::remove_file(site.corpus.join("baru.md")).unwrap();
    let started = Instant::now();
    while generation(&site.base) != first + 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the fix was never picked up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        client()
            .get(format!("{}/v1/articles/entri-baru", site.base))
            .send()
            .unwrap()
            .status(),
        404
    );
}

#[test]
fn queries_never_fail_while_editors_reindex_and_only_changed_passages_are_embedded() {
    let (base, corpus, _, _tmp) = start(Some(TOKEN));
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, bad) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let workers: Vec<_> = (0..3)
        .map(|w| {
            let (base, stop, ok, bad) = (base.clone(), stop.clone(), ok.clone(), bad.clone());
            std::thread::spawn(move || {
                let c = client();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let good = if w == 0 {
                        let r = c
                            .post(format!("{base}/v1/answer"))
                            .json(&json!({"question": format!("jam layanan hai djpb {i}")}))
                            .send();
                        r.is_ok_and(|r| r.status() == 200)
                    } else {
                        // every generation is complete: the entry is always there and found first
                        c.get(format!(
                            "{base}/v1/search?q=jam%20layanan%20hai%20djpb&limit=3"
                        ))
                        .send()
                        .ok()
                        .filter(|r| r.status() == 200)
                        .and_then(|r| r.json::<Value>().ok())
                        .is_some_and(|v| v["hits"][0]["id"] == "jam-layanan")
                    };
                    (if good { &ok } else { &bad }).fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let first = generation(&base);
    for round in 1..=5 {
        let path = corpus.join("jam-layanan.md");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\nCatatan revisi {round}.\n")).unwrap();
        let job = reindex(&base);
        assert_eq!(job["state"], "succeeded", "{job}");
        assert_eq!(
            job["embedded_total"], 1,
            "only the changed FAQ is embedded: {job}"
        );
        assert_eq!(generation(&base), first + round);
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(
        bad.load(Ordering::Relaxed),
        0,
        "failed requests during reindexing"
    );
    assert!(
        ok.load(Ordering::Relaxed) >= 10,
        "{} requests",
        ok.load(Ordering::Relaxed)
    );
    // keep_generations = 3: the oldest was collected
    let status: Value = admin("GET", &format!("{base}/v1/admin/status"))
        .json()
        .unwrap();
    assert_eq!(
        status["generations"].as_array().unwrap().len(),
        3,
        "{status}"
    );
    assert_eq!(status["manifest"]["generation"], first + 5);
    // each generation carries what its build fitted: the fusion and the confidence reference
    let fits = &status["manifest"]["fits"];
    assert!(fits["fusion"]["kind"].is_string(), "{status}");
    assert!(
        fits["confidence_reference"]["questions"].as_u64() >= Some(100),
        "{status}"
    );
    // and the label-free check of its confidence: probes cut from its entries rank above the bank
    let check = &fits["confidence_check"];
    assert!(check["probes"].as_u64() >= Some(10), "{status}");
    assert!(check["first_hit_right"].as_f64() > Some(0.5), "{status}");
    assert!(
        check["probe_confidence"].as_f64() > check["bank_confidence"].as_f64(),
        "{status}"
    );
}

#[test]
fn a_corrupt_file_fails_the_job_by_name_and_answers_keep_coming() {
    let (base, corpus, _, _tmp) = start(Some(TOKEN));
    let before = generation(&base);
    std::fs::write(
        corpus.join("rusak.md"),
        "---\nid: rusak\ntitle: [tidak ditutup\n---\nisi\n",
    )
    .unwrap();
    let job = reindex(&base);
    assert_eq!(job["state"], "failed");
    let problems = job["problems"].to_string();
    assert!(problems.contains("rusak.md:3"), "{job}");
    assert_eq!(generation(&base), before);
    let r = client()
        .post(format!("{base}/v1/answer"))
        .json(&json!({"question": "jam layanan hai djpb"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let status: Value = admin("GET", &format!("{base}/v1/admin/status"))
        .json()
        .unwrap();
    assert_eq!(status["last_job"]["state"], "failed");
}

fn article_status(base: &str, id: &str) -> u16 {
    client()
        .get(format!("{base}/v1/articles/{id}"))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn rollback_returns_to_the_previous_generation() {
    let (base, corpus, indexes, _tmp) = start(Some(TOKEN));
    let r = admin("POST", &format!("{base}/v1/admin/rollback"));
    assert_eq!(r.status(), 409, "nothing to roll back to yet");
    std::fs::write(corpus.join("baru.md"), "---\nid: baru\ntitle: Entri baru\ntype: faq\nquestions: [a, b]\n---\nIsi entri baru tentang kanal layanan.\n").unwrap();
    assert_eq!(reindex(&base)["state"], "succeeded");
    assert_eq!(article_status(&base, "baru"), 200);
    let v: Value = admin("POST", &format!("{base}/v1/admin/rollback"))
        .json()
        .unwrap();
    assert_eq!(
        (v["previous"].as_u64(), v["generation"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(generation(&base), 1);
    assert_eq!(article_status(&base, "baru"), 404);
    assert_eq!(
        std::fs::read_to_string(indexes.join("CURRENT"))
            .unwrap()
            .trim(),
        "gen-000001"
    );
}

#[test]
fn admin_endpoints_refuse_missing_or_wrong_tokens_and_are_off_without_one() {
    let (base, _, _, _tmp) = start(Some(TOKEN));
    let c = client();
    for route in ["/v1/admin/reindex", "/v1/admin/rollback"] {
        assert_eq!(
            c.post(format!("{base}{route}")).send().unwrap().status(),
            401
        );
        assert_eq!(
            c.post(format!("{base}{route}"))
                .bearer_auth("salah")
                .send()
                .unwrap()
                .status(),
            401
        );
    }
    assert_eq!(
        c.get(format!("{base}/v1/admin/status"))
            .send()
            .unwrap()
            .status(),
        401
    );
    let (open, _, _, _tmp2) = start(None);
    let r = c
        .post(format!("{open}/v1/admin/reindex"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[test]
fn one_build_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    common::copy_dir(&common::mini_corpus(), &corpus);
    let root = IndexRoot::new(tmp.path().join("indexes"));
    let options = BuildOptions {
        max_tokens: 320,
        batch_size: 8,
        force: true,
        fit_inputs: String::new(),
        known_vectors: None,
    };
    let reindexer = Arc::new(Reindexer::new(
        corpus,
        root,
        &common::searcher(),
        None,
        options,
        3,
    ));
    let (release, wait) = mpsc::channel::<()>();
    // the first job holds in its publish step until released
    let first = reindexer
        .start(move |_| {
            let _ = wait.recv();
        })
        .unwrap();
    let started = Instant::now();
    while reindexer.job(first.id).unwrap().stage != "switching" {
        assert!(started.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(20));
    }
    let refused = reindexer.start(|_| {}).expect_err("a second job must wait");
    assert_eq!(refused.id, first.id);
    release.send(()).unwrap();
    while reindexer.job(first.id).unwrap().state == JobState::Running {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(reindexer.job(first.id).unwrap().state, JobState::Succeeded);
    assert!(reindexer.start(|_| {}).is_ok());
}

#[test]
fn a_build_killed_midway_leaves_the_old_generation_serving_after_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let indexes = tmp.path().join("indexes");
    common::build(&common::mini_corpus(), &IndexRoot::new(&indexes));
    // a big build (the whole project corpus) killed once its staging folder exists
    let mut child = Command::new(env!("CARGO_BIN_EXE_haipedia"))
        .args([
            "index",
            "--corpus",
            common::project().join("corpus").to_str().unwrap(),
            "--out",
            indexes.to_str().unwrap(),
        ])
        .current_dir(common::project())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let staging = loop {
        let found = std::fs::read_dir(&indexes).unwrap().flatten().find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(haipedia::index::STAGING_PREFIX)
        });
        if let Some(e) = found {
            break e.path();
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the build never started writing"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(indexes.join("CURRENT"))
            .unwrap()
            .trim(),
        "gen-000001"
    );
    // restart: the half generation is removed, the old one is served
    let mut config = Config::default();
    config.paths.indexes = indexes.clone();
    config.server.database = tmp.path().join("db.sqlite");
    config.answer.calibration = common::project().join("corpus/eval/calibration.json");
    let state = build_state(config).unwrap();
    assert!(
        !staging.exists(),
        "half-written generation removed at start-up"
    );
    assert_eq!(state.generation.load().generation().0, 1);
    assert_eq!(IndexRoot::new(&indexes).generations().unwrap().len(), 1);
}
