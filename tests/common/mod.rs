//! Shared helpers for integration tests: the real model (loaded once per test binary) and builds.
#![allow(dead_code)]

pub mod browser;
pub mod postgres;
pub mod seed;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use haipedia::config::Config;
use haipedia::corpus::Corpus;
use haipedia::embed::Embedder;
use haipedia::index::{BuildOptions, BuildReport, IndexGeneration, IndexRoot};
use haipedia::retrieve::{SearchRequest, Searcher};
use haipedia::server::{build_state, serve_on};

/// The real embedding model, loaded once for the whole test binary.
pub fn embedder() -> Arc<Embedder> {
    static E: OnceLock<Arc<Embedder>> = OnceLock::new();
    E.get_or_init(|| {
        Arc::new(
            Embedder::from_config(&Config::default()).expect("run scripts/setup-model.sh first"),
        )
    })
    .clone()
}

/// The project folder.
pub fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The small test corpus.
pub fn mini_corpus() -> PathBuf {
    project().join("tests/fixtures/mini")
}

/// Builds `corpus_dir` into `root` with default options, fitted as `haipedia index` fits it.
pub fn build(corpus_dir: &Path, root: &IndexRoot) -> BuildReport {
    let corpus = Corpus::load_dir(corpus_dir).expect("valid corpus");
    let calibration =
        haipedia::answer::Calibration::load(&project().join(&Config::default().answer.calibration))
            .ok();
    haipedia::reindex::build_fitted(
        &corpus,
        corpus_dir,
        &searcher(),
        calibration.as_ref(),
        root,
        &BuildOptions::from_config(&Config::default(), true),
        &|_| {},
    )
    .expect("build")
}

/// A searcher with default retrieval settings.
pub fn searcher() -> Searcher {
    Searcher::new(embedder(), Config::default().retrieve)
}

/// Ids of the hits for `query`, best first.
pub fn ids(generation: &IndexGeneration, query: &str, limit: usize) -> Vec<String> {
    searcher()
        .search(
            generation,
            &SearchRequest {
                query: query.into(),
                limit,
                ..Default::default()
            },
        )
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.id.0)
        .collect()
}

/// Copies the files (not sub-folders) of `from` into a new folder `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap().flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    }
}

/// Starts the real server in-process on an ephemeral loopback port; returns its base URL.
pub fn serve(config: Config) -> String {
    let state = Arc::new(build_state(config).expect("server state"));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                serve_on(tokio::net::TcpListener::from_std(listener).unwrap(), state)
                    .await
                    .unwrap();
            })
    });
    format!("http://{addr}")
}

/// A served copy of the mini corpus that a test may change.
pub struct MiniSite {
    /// Base URL of the server.
    pub base: String,
    /// The corpus folder the server reindexes.
    pub corpus: PathBuf,
    /// The index root.
    pub indexes: PathBuf,
    /// Holds the folders.
    pub tmp: tempfile::TempDir,
}

/// Copies the mini corpus, builds it and serves it with `token`, after `adjust` has its say on the
/// configuration.
pub fn mini_site(token: Option<&str>, adjust: impl FnOnce(&mut Config)) -> MiniSite {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let indexes = tmp.path().join("indexes");
    copy_dir(&mini_corpus(), &corpus);
    build(&corpus, &IndexRoot::new(&indexes));
    let mut config = Config::default();
    config.paths.corpus = corpus.clone();
    config.paths.indexes = indexes.clone();
    config.server.database = tmp.path().join("db.sqlite");
    config.server.admin_token = token.map(str::to_string);
    config.answer.calibration = project().join("corpus/eval/calibration.json");
    adjust(&mut config);
    MiniSite {
        base: serve(config),
        corpus,
        indexes,
        tmp,
    }
}

/// Runs the `haipedia` binary with `args` from the project folder: exit code, stdout, stderr.
pub fn haipedia(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_haipedia"))
        .args(args)
        .current_dir(project())
        .output()
        .expect("run haipedia");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `systemd-analyze verify` of the unit `deploy/<file>` as shipped (installed as `installed`),
/// pointed at this build's binary: the lines it says about our unit (none: it verifies).
/// `make test` installs systemd-analyze (scripts/setup-browser.sh).
pub fn verify_unit(file: &str, installed: &str) -> Vec<String> {
    let unit = std::fs::read_to_string(project().join("deploy").join(file)).unwrap();
    // verify checks that ExecStart exists
    let unit = unit.replace("/usr/local/bin/haipedia", env!("CARGO_BIN_EXE_haipedia"));
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(installed);
    std::fs::write(&path, unit).unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    // verify also reports on units it pulls in from the host; only lines about ours count
    said.lines()
        .filter(|l| l.contains("haipedia"))
        .map(str::to_string)
        .collect()
}
