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
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
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
fn the_systemd_unit_verifies() {
    // `make test` installs systemd-analyze (scripts/setup-browser.sh)
    // the unit as shipped, pointed at this build's binary (verify checks that ExecStart exists)
    let unit = std::fs::read_to_string(common::project().join("deploy/haipedia.service")).unwrap();
    let unit = unit.replace("/usr/local/bin/haipedia", env!("CARGO_BIN_EXE_haipedia"));
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("haipedia.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    // verify also reports on units it pulls in from the host; only lines about ours count
    let ours: Vec<&str> = said.lines().filter(|l| l.contains("haipedia")).collect();
    assert!(ours.is_empty(), "systemd-analyze verify: {said}");
}
