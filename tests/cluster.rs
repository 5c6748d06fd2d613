//! Past one machine (issue 15), for real: PostgreSQL and HAProxy from Debian's packages
//! (scripts/setup-cluster.sh), a builder and two readers (the release binary's code, started as
//! processes on loopback ports) behind deploy/haproxy.cfg as shipped. 32 connections ask distinct
//! questions (and rate some answers) for 60 s while an editor publishes twice on the builder, one
//! reader is killed with SIGKILL and restarted, and PostgreSQL is stopped for 10 s. Then: no
//! failed answer at the load balancer, every node on the new generation within 10 s of each
//! publish, every question and feedback record in PostgreSQL.

mod common;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::postgres::{free_port, Postgres};
use haipedia::index::IndexRoot;
use haipedia::store::EARLY_RETRY_EVERY;
use serde_json::Value;

const TOKEN: &str = "token-cluster-editor";
const CONNECTIONS: usize = 32;
const LOAD: Duration = Duration::from_secs(60);
/// A publish reaches every node within this (the bound).
const FOLLOW: Duration = Duration::from_secs(10);

/// One haipedia process.
struct Node {
    name: &'static str,
    port: u16,
    dir: PathBuf,
    env: Vec<(&'static str, String)>,
    child: Option<Child>,
}

impl Node {
    fn new(name: &'static str, dir: PathBuf, env: Vec<(&'static str, String)>) -> Node {
        std::fs::create_dir_all(&dir).unwrap();
        Node {
            name,
            port: free_port(),
            dir,
            env,
            child: None,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn start(&mut self) {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.dir.join("log"))
            .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_haipedia"));
        cmd.args(["serve", "--addr", &format!("127.0.0.1:{}", self.port)])
            .arg("--index")
            .arg(self.dir.join("indexes"))
            .current_dir(&self.dir)
            .env_remove("HAIPEDIA_CONFIG")
            .env("HAIPEDIA_DATABASE", self.dir.join("unused.sqlite"))
            .env("HAIPEDIA_ADMIN_TOKEN", TOKEN)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().unwrap());
    }

    fn wait_ready(&mut self, http: &reqwest::blocking::Client) {
        let started = Instant::now();
        loop {
            let ready = http
                .get(format!("{}/readyz", self.base()))
                .send()
                .is_ok_and(|r| r.status() == 200);
            if ready {
                return;
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            assert!(
                exited.is_none() && started.elapsed() < Duration::from_secs(180),
                "{} did not become ready ({exited:?}):\n{}",
                self.name,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// SIGKILL: no drain, no writing of what is queued.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// The generation this node serves (none while it does not answer).
    fn generation(&self, http: &reqwest::blocking::Client) -> Option<u64> {
        let r = http.get(format!("{}/healthz", self.base())).send().ok()?;
        r.json::<Value>().ok()?["generation"].as_u64()
    }

    fn metric(&self, http: &reqwest::blocking::Client, name: &str) -> Option<u64> {
        let text = http
            .get(format!("{}/metrics", self.base()))
            .send()
            .ok()?
            .text()
            .ok()?;
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// HAProxy with deploy/haproxy.cfg, its addresses replaced by the nodes' loopback ports.
struct Haproxy {
    child: Child,
    port: u16,
}

impl Haproxy {
    fn start(dir: &Path, nodes: &[&Node]) -> Haproxy {
        let port = free_port();
        let mut cfg = std::fs::read_to_string(common::project().join("deploy/haproxy.cfg"))
            .unwrap()
            .replace("10.0.0.10:80", &format!("127.0.0.1:{port}"));
        for (i, node) in nodes.iter().enumerate() {
            cfg = cfg.replace(
                &format!("10.0.0.1{}:8080", i + 1),
                &format!("127.0.0.1:{}", node.port),
            );
        }
        let path = dir.join("haproxy.cfg");
        std::fs::write(&path, cfg).unwrap();
        let check = Command::new("haproxy")
            .arg("-c")
            .arg("-f")
            .arg(&path)
            .output()
            .expect("haproxy is not installed: run scripts/setup-cluster.sh (make test does)");
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(File::create(dir.join("haproxy.log")).unwrap())
            .spawn()
            .unwrap();
        Haproxy { child, port }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client for the test's own calls: a new connection each time (a node closes idle ones,
/// and a reused connection closed meanwhile would fail the call, not the node).
fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// A load connection: kept alive to the load balancer, as the bot's is.
fn connection() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// What the load saw.
#[derive(Default)]
struct Seen {
    /// Answered request ids: by which node, when.
    answers: HashMap<String, (String, Instant)>,
    /// Rated request ids: the node that took the rating, when.
    feedback: HashMap<String, (String, Instant)>,
    /// Failed answers and ratings at the load balancer.
    failures: Vec<String>,
}

/// One connection's loop: distinct questions, every 20th answer rated.
fn load(lb: String, worker: usize, stop: Arc<AtomicBool>, seen: Arc<Mutex<Seen>>) {
    const WORDS: [&str; 12] = [
        "jam layanan",
        "reset password sakti",
        "sp2d terbit",
        "ajukan spm",
        "status tiket",
        "user terkunci",
        "revisi dipa",
        "pagu minus",
        "kppn sabtu",
        "aktivasi mfa",
        "cara buat paspor",
        "tarif pajak",
    ];
    let http = connection();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let question = format!(
            "{} {} pertanyaan {worker} ke {n}",
            WORDS[(worker + n) % WORDS.len()],
            WORDS[(worker * 7 + n * 3) % WORDS.len()]
        );
        let r = http
            .post(format!("{lb}/v1/answer"))
            .json(&serde_json::json!({ "question": question, "channel": "whatsapp" }))
            .send();
        let (id, node) = match r {
            Ok(r) if r.status() == 200 => {
                let node = header(&r);
                let body: Value = r.json().unwrap_or_default();
                let Some(id) = body["request_id"].as_str().map(str::to_string) else {
                    seen.lock()
                        .unwrap()
                        .failures
                        .push(format!("no request_id: {body}"));
                    continue;
                };
                (id, node)
            }
            other => {
                failed(&seen, "answer", other);
                continue;
            }
        };
        seen.lock()
            .unwrap()
            .answers
            .insert(id.clone(), (node, Instant::now()));
        if n.is_multiple_of(20) {
            let r = http
                .post(format!("{lb}/v1/feedback"))
                .json(&serde_json::json!({ "request_id": id, "helpful": n.is_multiple_of(40), "rating": 2 }))
                .send();
            match r {
                Ok(r) if r.status() == 201 => {
                    let node = header(&r);
                    seen.lock()
                        .unwrap()
                        .feedback
                        .insert(id, (node, Instant::now()));
                }
                other => failed(&seen, "feedback", other),
            }
        }
    }
}

/// Notes a failed call, with its status and body when there was a response.
fn failed(seen: &Mutex<Seen>, what: &str, r: reqwest::Result<reqwest::blocking::Response>) {
    let message = match r {
        Ok(r) => format!("{what} {}: {}", r.status(), r.text().unwrap_or_default()),
        Err(e) => format!("{what}: {e}"),
    };
    seen.lock().unwrap().failures.push(message);
}

fn header(r: &reqwest::blocking::Response) -> String {
    r.headers()
        .get("x-served-by")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?")
        .to_string()
}

/// An editor adds an entry on the builder and publishes; returns the new generation once the
/// builder serves it.
fn publish(builder: &Node, http: &reqwest::blocking::Client, n: usize) -> u64 {
    let entry = format!(
        "---\nid: klaster-{n}\ntitle: Layanan klaster {n}\ntype: faq\ncategory: Umum HAI-DJPb\n---\n\
         Pengumuman layanan nomor {n}: HAI-DJPb melayani permintaan klaster setiap hari kerja.\n"
    );
    std::fs::write(builder.dir.join(format!("corpus/klaster-{n}.md")), entry).unwrap();
    let r = http
        .post(format!("{}/v1/admin/reindex", builder.base()))
        .bearer_auth(TOKEN)
        .send()
        .unwrap_or_else(|e| panic!("{e}: {}", builder.log()));
    assert_eq!(r.status(), 202, "{}", r.text().unwrap_or_default());
    let job: Value = r.json().unwrap();
    let id = job["id"].as_u64().unwrap();
    let started = Instant::now();
    loop {
        let job: Value = http
            .get(format!("{}/v1/admin/reindex/{id}", builder.base()))
            .bearer_auth(TOKEN)
            .send()
            .unwrap()
            .json()
            .unwrap();
        match job["state"].as_str() {
            Some("succeeded") => return job["generation"].as_u64().unwrap(),
            Some("running") => {}
            other => panic!("publish {n} failed ({other:?}): {job}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "publish {n} hangs"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// How long until every node serves `generation` (fails past [`FOLLOW`]).
fn all_on(nodes: &[&Node], http: &reqwest::blocking::Client, generation: u64) -> Duration {
    let started = Instant::now();
    loop {
        let on: Vec<Option<u64>> = nodes.iter().map(|n| n.generation(http)).collect();
        if on.iter().all(|g| *g == Some(generation)) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() <= FOLLOW,
            "nodes not on generation {generation} within {FOLLOW:?}: {on:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn three_nodes_behind_haproxy_publish_lose_a_reader_and_the_store_and_fail_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let pg = Postgres::start();
    let store = pg.database();
    let http = http();

    let mut builder = Node::new(
        "builder",
        tmp.path().join("builder"),
        vec![
            ("HAIPEDIA_CLUSTER_ROLE", "builder".into()),
            ("HAIPEDIA_STORE_URL", store.clone()),
        ],
    );
    let corpus = builder.dir.join("corpus");
    common::copy_dir(&common::mini_corpus(), &corpus);
    builder
        .env
        .push(("HAIPEDIA_CORPUS", corpus.display().to_string()));
    common::build(&corpus, &IndexRoot::new(builder.dir.join("indexes")));
    builder.start();
    builder.wait_ready(&http);
    let reader = |name, dir: &str| {
        Node::new(
            name,
            tmp.path().join(dir),
            vec![
                ("HAIPEDIA_CLUSTER_ROLE", "reader".into()),
                ("HAIPEDIA_CLUSTER_BUILDER", builder.base()),
                ("HAIPEDIA_STORE_URL", store.clone()),
                // readers have no corpus of their own
                (
                    "HAIPEDIA_CORPUS",
                    tmp.path().join(dir).join("no-corpus").display().to_string(),
                ),
            ],
        )
    };
    let mut readers = [reader("reader1", "reader1"), reader("reader2", "reader2")];
    for r in readers.iter_mut() {
        r.start();
    }
    for r in readers.iter_mut() {
        r.wait_ready(&http);
    }
    let first = builder.generation(&http).unwrap();
    assert_eq!(
        readers[0].generation(&http),
        Some(first),
        "a new reader fetches the builder's generation"
    );
    // readers build nothing
    let refused = http
        .post(format!("{}/v1/admin/reindex", readers[0].base()))
        .bearer_auth(TOKEN)
        .send()
        .unwrap_or_else(|e| panic!("{e}: {}", readers[0].log()));
    assert_eq!(refused.status(), 409);

    let lb = Haproxy::start(tmp.path(), &[&builder, &readers[0], &readers[1]]);
    let started = Instant::now();
    while !http
        .get(format!("{}/readyz", lb.base()))
        .send()
        .is_ok_and(|r| r.status() == 200)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "haproxy did not come up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // let every node pass its health checks (rise 2) before the load
    std::thread::sleep(Duration::from_secs(2));

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let load_started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|w| {
            let (lb, stop, seen) = (lb.base(), stop.clone(), seen.clone());
            std::thread::spawn(move || load(lb, w, stop, seen))
        })
        .collect();
    let answered = || seen.lock().unwrap().answers.len();

    // (a) an editor publishes on the builder; every node follows
    std::thread::sleep(Duration::from_secs(5));
    let second = publish(&builder, &http, 1);
    assert!(second > first);
    let follow_1 = all_on(&[&builder, &readers[0], &readers[1]], &http, second);

    // (b) a reader is killed and restarted
    std::thread::sleep(Duration::from_secs(2));
    readers[0].kill();
    let killed_at = Instant::now();
    std::thread::sleep(Duration::from_secs(1));
    readers[0].start();
    readers[0].wait_ready(&http);
    let restarted_in = killed_at.elapsed();

    // (c) PostgreSQL stops for 10 s
    let before_outage = answered();
    pg.stop();
    std::thread::sleep(Duration::from_secs(10));
    pg.start_again();
    let during_outage = answered() - before_outage;

    // (a) the second publish
    let third = publish(&builder, &http, 2);
    assert!(third > second);
    let follow_2 = all_on(&[&builder, &readers[0], &readers[1]], &http, third);

    if let Some(rest) = LOAD.checked_sub(load_started.elapsed()) {
        std::thread::sleep(rest);
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let load_took = load_started.elapsed();

    // the nodes write what waited (backlogs, early feedback), then the count
    let nodes = [&builder, &readers[0], &readers[1]];
    let outages: u64 = nodes
        .iter()
        .filter_map(|n| n.metric(&http, "haipedia_store_outages_total"))
        .sum();
    let deadline = Instant::now() + Duration::from_secs(60);
    while nodes
        .iter()
        .any(|n| n.metric(&http, "haipedia_store_backlog_records") != Some(0))
    {
        assert!(Instant::now() < deadline, "backlogs were not written");
        std::thread::sleep(Duration::from_millis(500));
    }
    let seen = seen.lock().unwrap();
    let mut client = postgres::Client::connect(&store, postgres::NoTls).unwrap();
    let ids = |sql: &str, client: &mut postgres::Client| -> HashSet<String> {
        client
            .query(sql, &[])
            .unwrap()
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect()
    };
    // early feedback waits for its question for up to 2 minutes: give it time to land
    let deadline = Instant::now() + Duration::from_secs(30);
    let (questions, feedback) = loop {
        let questions = ids("SELECT request_id FROM questions", &mut client);
        let feedback = ids("SELECT request_id FROM feedback", &mut client);
        let missing = seen
            .feedback
            .keys()
            .filter(|id| !feedback.contains(*id))
            .count();
        if missing == 0 || Instant::now() > deadline {
            break (questions, feedback);
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    // SIGKILL loses what the killed process had not written yet: its last instants' records, and
    // feedback it accepted before its question (answered by another node) reached the store,
    // which waits in its memory for the next try
    let before_kill = |(node, at): &(String, Instant), window: Duration| {
        node == "reader1" && *at <= killed_at && killed_at.duration_since(*at) < window
    };
    let in_kill_window = |s: &(String, Instant)| before_kill(s, Duration::from_secs(1));
    let early_at_kill =
        |s: &(String, Instant)| before_kill(s, Duration::from_secs(1) + 5 * EARLY_RETRY_EVERY);
    let lost_questions: Vec<_> = seen
        .answers
        .iter()
        .filter(|(id, _)| !questions.contains(*id))
        .collect();
    let lost_feedback: Vec<_> = seen
        .feedback
        .iter()
        .filter(|(id, _)| !feedback.contains(*id))
        .collect();
    let unexplained_q: Vec<_> = lost_questions
        .iter()
        .filter(|(_, s)| !in_kill_window(s))
        .collect();
    // a rating of an answer whose question the kill lost cannot be stored either
    let unexplained_f: Vec<_> = lost_feedback
        .iter()
        .filter(|(id, s)| {
            !early_at_kill(s) && seen.answers.get(*id).is_none_or(|a| !in_kill_window(a))
        })
        .collect();
    let served: HashMap<&str, usize> =
        seen.answers.values().fold(HashMap::new(), |mut m, (n, _)| {
            *m.entry(n.as_str()).or_default() += 1;
            m
        });
    eprintln!(
        "cluster: {} answers ({:.0}/s over {:.0?}, by node {served:?}), {} during the store outage, \
         {} ratings; stored {} questions and {} ratings; lost to SIGKILL: {} questions, {} ratings; \
         publishes followed in {follow_1:?} and {follow_2:?}; reader back in {restarted_in:?}; \
         {outages} writes found the store down",
        seen.answers.len(),
        seen.answers.len() as f64 / load_took.as_secs_f64(),
        load_took,
        during_outage,
        seen.feedback.len(),
        questions.len(),
        feedback.len(),
        lost_questions.len(),
        lost_feedback.len(),
    );
    assert!(
        seen.failures.is_empty(),
        "{} failed at the load balancer: {:?}",
        seen.failures.len(),
        &seen.failures[..seen.failures.len().min(10)]
    );
    assert!(
        during_outage > 0,
        "answers went on while PostgreSQL was down"
    );
    assert!(outages > 0, "the outage was seen by the writers");
    assert!(
        unexplained_q.is_empty(),
        "questions lost: {}",
        unexplained_q.len()
    );
    assert!(
        unexplained_f.is_empty(),
        "ratings lost: {} (node, seconds before the kill: {:?})",
        unexplained_f.len(),
        unexplained_f
            .iter()
            .map(|(_, (node, at))| (node, killed_at.saturating_duration_since(*at).as_secs_f64()))
            .collect::<Vec<_>>()
    );
    assert!(seen.feedback.len() > 10);
    drop(lb);
}

/// A reader checks every file it fetches against the builder's list: a file changed on the
/// builder's disk after it was listed is refused, and nothing of the download is left behind.
#[test]
fn a_reader_refuses_a_file_that_does_not_match_the_list() {
    let tmp = tempfile::tempdir().unwrap();
    let http = http();
    let mut builder = Node::new(
        "builder",
        tmp.path().join("builder"),
        vec![("HAIPEDIA_CLUSTER_ROLE", "builder".into())],
    );
    common::build(
        &common::mini_corpus(),
        &IndexRoot::new(builder.dir.join("indexes")),
    );
    builder.start();
    builder.wait_ready(&http);

    // a good fetch: the same files, byte for byte
    let fine = IndexRoot::new(tmp.path().join("fine"));
    let generation = haipedia::cluster::fetch_generation(&builder.base(), &fine).unwrap();
    assert_eq!(fine.current().unwrap(), Some(generation));
    let theirs =
        haipedia::cluster::listing_of(&IndexRoot::new(builder.dir.join("indexes")), generation)
            .unwrap();
    assert_eq!(
        haipedia::cluster::listing_of(&fine, generation).unwrap(),
        theirs
    );

    // the listing is made once per generation; a file changed after that no longer matches it
    let manifest = IndexRoot::new(builder.dir.join("indexes"))
        .generation_dir(generation)
        .join("manifest.json");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push(' ');
    std::fs::write(&manifest, text).unwrap();
    let other = IndexRoot::new(tmp.path().join("other"));
    let err = haipedia::cluster::fetch_generation(&builder.base(), &other).unwrap_err();
    assert!(
        matches!(err, haipedia::cluster::ClusterError::Mismatch { ref path, .. } if path == "manifest.json"),
        "{err}"
    );
    assert_eq!(other.current().unwrap(), None);
    assert!(other.generations().unwrap().is_empty());
    let left: Vec<_> = std::fs::read_dir(other.dir()).unwrap().flatten().collect();
    assert!(left.is_empty(), "{left:?}");

    // the builder lists nothing outside its generation
    let r = http
        .get(format!(
            "{}/v1/cluster/files/{}/..%2FCURRENT",
            builder.base(),
            generation.0
        ))
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[test]
fn the_templated_unit_verifies() {
    // the env file is the operator's: its absence on this machine is expected
    let said = common::verify_unit("haipedia@.service", "haipedia@reader.service");
    let ours: Vec<&String> = said
        .iter()
        .filter(|l| !l.contains("/etc/haipedia/reader.env"))
        .collect();
    assert!(ours.is_empty(), "systemd-analyze verify: {said:?}");
}
