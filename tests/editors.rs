//! The editors' entry API on a real loopback server (real model, real SQLite file, a copy of the
//! mini corpus): list, read, save, retire, preview, the change log, undo, named tokens and roles.

mod common;

use std::path::Path;
use std::sync::{Barrier, OnceLock};
use std::time::{Duration, Instant};

use haipedia::config::{Config, Role, TokenConfig};
use haipedia::corpus::Corpus;
use reqwest::blocking::Client;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// `HAIPEDIA_ADMIN_TOKEN`: an admin named "admin".
const ADMIN: &str = "token-admin-editors";
/// A named editor token, configured by its hash.
const EDITOR: &str = "token-ani-editor";
/// A named admin token, configured by its hash.
const BOSS: &str = "token-budi-admin";

fn sha256_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One server for this binary (tests use their own entry ids).
fn site() -> &'static common::MiniSite {
    static S: OnceLock<common::MiniSite> = OnceLock::new();
    S.get_or_init(|| {
        common::mini_site(Some(ADMIN), |config| {
            config.admin.tokens = vec![
                TokenConfig {
                    name: "ani".into(),
                    role: Role::Editor,
                    sha256: sha256_hex(EDITOR),
                },
                TokenConfig {
                    name: "budi".into(),
                    role: Role::Admin,
                    sha256: sha256_hex(BOSS),
                },
            ];
        })
    })
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Sends `method path` with `token` and an optional JSON body; the status and the JSON body
/// (every answer of these routes is JSON, errors included).
fn call(method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
    let url = format!("{}{path}", site().base);
    let mut r = client().request(method.parse().unwrap(), url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    let r = r.send().unwrap();
    let status = r.status().as_u16();
    let json = r
        .json()
        .unwrap_or_else(|e| panic!("{method} {path}: not JSON: {e}"));
    (status, json)
}

fn faq(title: &str, body: &str) -> Value {
    json!({
        "title": title,
        "type": "faq",
        "category": "TIK.2 Layanan Pengelolaan User",
        "tags": ["uji", "2026"],
        "questions": ["bagaimana cara uji", "uji: apa itu?"],
        "body": body,
    })
}

fn with_version(mut v: Value, version: &str) -> Value {
    v["version"] = json!(version);
    v
}

fn corpus() -> &'static Path {
    &site().corpus
}

/// The whole corpus still passes `haipedia check`'s loader.
fn assert_corpus_valid() {
    if let Err(e) = Corpus::load_dir(corpus()) {
        panic!("corpus no longer valid:\n{e}");
    }
}

#[test]
fn entries_are_listed_filtered_paged_and_read_with_their_version() {
    let (s, all) = call("GET", "/v1/admin/entries", Some(EDITOR), None);
    assert_eq!(s, 200, "{all}");
    let ids: Vec<&str> = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"digit-reset"), "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] <= w[1]), "sorted by id");
    // JSONL entries are listed but cannot be written from the page
    let jsonl = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "extra.jsonl")
        .expect("a JSONL entry");
    assert_eq!(jsonl["editable"], false);
    let (s, v) = call(
        "GET",
        &format!("/v1/admin/entries/{}", jsonl["id"].as_str().unwrap()),
        Some(EDITOR),
        None,
    );
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("not_editable"))
    );

    let (_, digit) = call(
        "GET",
        "/v1/admin/entries?q=DIGIT%20akun",
        Some(EDITOR),
        None,
    );
    let (_, digit_title) = call(
        "GET",
        "/v1/admin/entries?q=aplikasi+digit",
        Some(EDITOR),
        None,
    );
    assert_eq!(digit["total"], 0, "every word must match the id or title");
    assert_eq!(
        digit_title["entries"][0]["id"], "digit-reset",
        "{digit_title}"
    );
    let (_, faqs) = call(
        "GET",
        "/v1/admin/entries?type=faq&category=TIK.2%20Layanan%20Pengelolaan%20User",
        Some(EDITOR),
        None,
    );
    assert!(faqs["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["type"] == "faq" && e["category"] == "TIK.2 Layanan Pengelolaan User"));
    let (_, page) = call(
        "GET",
        "/v1/admin/entries?limit=2&offset=1",
        Some(EDITOR),
        None,
    );
    assert_eq!(page["entries"].as_array().unwrap().len(), 2);
    assert_eq!(page["entries"][0]["id"], all["entries"][1]["id"]);
    let (s, bad) = call("GET", "/v1/admin/entries?type=blog", Some(EDITOR), None);
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (400, Some("invalid_query"))
    );

    let (s, one) = call("GET", "/v1/admin/entries/digit-reset", Some(EDITOR), None);
    assert_eq!(s, 200, "{one}");
    assert_eq!(one["path"], "digit.md");
    assert_eq!(one["title"], "Layanan aplikasi Digit");
    assert_eq!(one["questions"][0], "akun digit terkunci");
    let bytes = std::fs::read(corpus().join("digit.md")).unwrap();
    assert_eq!(one["version"], blake3::hash(&bytes).to_hex().to_string());
    let (s, v) = call("GET", "/v1/admin/entries/tidak-ada", Some(EDITOR), None);
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_found")));
}

/// Names in the folder holding the corpus, other than the databases tests open there.
fn files_beside_the_corpus() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site().tmp.path())
        .unwrap()
        .flatten()
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains(".sqlite"))
        .collect();
    names.sort();
    names
}

#[test]
fn bad_ids_and_path_traversal_are_refused_and_write_nothing() {
    let before = files_beside_the_corpus();
    for id in [
        "..%2Fetc",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "..",
        ".hidden",
        "Besar",
        "a%00b",
        "a%20b",
        "sub%2Fx",
        "%2Fetc%2Fpasswd",
    ] {
        for method in ["GET", "PUT", "DELETE"] {
            let body = (method == "PUT").then(|| faq("Judul", "isi"));
            let (s, v) = call(
                method,
                &format!("/v1/admin/entries/{id}"),
                Some(EDITOR),
                body.as_ref(),
            );
            // the URL parser resolves ".." and "%2e%2e" before sending: /v1/admin/, no route
            let dots =
                matches!(id, ".." | "%2e%2e") && s == 404 && v["error"]["code"] == "not_found";
            assert!(
                (s, v["error"]["code"].as_str()) == (400, Some("invalid_id")) || dots,
                "{method} {id}: {s} {v}"
            );
        }
    }
    assert!(!site().tmp.path().join("etc.md").exists());
    assert_eq!(
        files_beside_the_corpus(),
        before,
        "nothing written beside the corpus"
    );
    assert_corpus_valid();
}

#[test]
fn saves_create_update_and_refuse_a_stale_version() {
    let (s, created) = call(
        "PUT",
        "/v1/admin/entries/uji-simpan",
        Some(EDITOR),
        Some(&faq("Uji simpan", "Isi pertama.")),
    );
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["path"], "uji-simpan.md");
    let file = corpus().join("uji-simpan.md");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        created["version"],
        blake3::hash(text.as_bytes()).to_hex().to_string()
    );
    assert!(
        text.contains("title: Uji simpan\n"),
        "plain YAML where safe:\n{text}"
    );
    assert_corpus_valid();
    let parsed = Corpus::parse_markdown(&file, &text).unwrap();
    assert_eq!(parsed.tags, vec!["uji", "2026"]);
    assert_eq!(parsed.questions[1], "uji: apa itu?");

    let v1 = created["version"].as_str().unwrap().to_string();
    let (s, updated) = call(
        "PUT",
        "/v1/admin/entries/uji-simpan",
        Some(EDITOR),
        Some(&with_version(faq("Uji simpan", "Isi kedua."), &v1)),
    );
    assert_eq!(s, 200, "{updated}");
    assert_eq!(updated["body"], "Isi kedua.");
    assert_ne!(updated["version"], json!(v1));

    // an edit that started from the first version is refused, with what is there now
    let (s, conflict) = call(
        "PUT",
        "/v1/admin/entries/uji-simpan",
        Some(EDITOR),
        Some(&with_version(faq("Uji simpan", "Isi ketiga."), &v1)),
    );
    assert_eq!(s, 409, "{conflict}");
    assert_eq!(conflict["error"]["code"], "version_conflict");
    assert_eq!(conflict["current"]["version"], updated["version"]);
    assert_eq!(conflict["current"]["entry"]["body"], "Isi kedua.");
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("Isi kedua."));
    // without a version, the save goes through
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-simpan",
        Some(EDITOR),
        Some(&faq("Uji simpan", "Isi keempat.")),
    );
    assert_eq!(s, 200);

    // an existing entry goes back to its own file, and import stamps stay
    let hash = format!("blake3:{}", "a".repeat(64));
    std::fs::create_dir_all(corpus().join("imported")).unwrap();
    let imported = corpus().join("imported/uji-impor.md");
    std::fs::write(
        &imported,
        format!("---\nid: uji-impor\ntitle: Juknis\nsource_file: \"Juknis A.pdf\"\nsource_hash: {hash}\nimported: 2026-11-30T07:00:00Z\n---\nisi lama\n"),
    )
    .unwrap();
    let (s, saved) = call(
        "PUT",
        "/v1/admin/entries/uji-impor",
        Some(EDITOR),
        Some(&json!({"title": "Juknis A", "type": "article", "body": "isi baru"})),
    );
    assert_eq!(
        (s, saved["path"].as_str()),
        (200, Some("imported/uji-impor.md")),
        "{saved}"
    );
    assert!(!corpus().join("uji-impor.md").exists());
    let (_, stamp) =
        Corpus::parse_markdown_stamped(&imported, &std::fs::read_to_string(&imported).unwrap())
            .unwrap();
    assert_eq!(stamp.source_hash.as_deref(), Some(hash.as_str()));
    assert_eq!(stamp.source_file.as_deref(), Some("Juknis A.pdf"));
    assert_corpus_valid();
}

#[test]
fn invalid_fields_are_422_at_the_field_and_change_nothing() {
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-valid",
        Some(EDITOR),
        Some(&faq("Uji valid", "Isi.")),
    );
    assert_eq!(s, 201);
    let before = std::fs::read(corpus().join("uji-valid.md")).unwrap();
    let (s, v) = call(
        "PUT",
        "/v1/admin/entries/uji-valid",
        Some(EDITOR),
        Some(&json!({"title": "  ", "type": "blog", "body": "\n \n"})),
    );
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"]["code"], "invalid_entry");
    let at = |field: &str| -> String {
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["field"] == field)
            .and_then(|p| p["message"].as_str())
            .unwrap_or_else(|| panic!("no problem at {field}: {v}"))
            .to_string()
    };
    assert!(at("title").contains("'title'"));
    assert!(at("type").contains("invalid type 'blog'"));
    assert!(at("body").contains("empty body"));
    // a field of the wrong JSON type, an unknown field, a missing field: 422 before anything
    for body in [
        json!({"title": "T", "type": "faq", "body": "b", "tags": [1, 2]}),
        json!({"title": "T", "type": "faq", "body": "b", "updated": "kemarin"}),
        json!({"title": "T", "type": "faq"}),
    ] {
        let (s, v) = call(
            "PUT",
            "/v1/admin/entries/uji-valid",
            Some(EDITOR),
            Some(&body),
        );
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("invalid_body")),
            "{body}"
        );
    }
    // not JSON at all
    let r = client()
        .put(format!("{}/v1/admin/entries/uji-valid", site().base))
        .bearer_auth(EDITOR)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        std::fs::read(corpus().join("uji-valid.md")).unwrap(),
        before
    );
    // nothing is written for a new entry that does not validate
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-tidak-valid",
        Some(EDITOR),
        Some(&json!({"title": "T", "type": "faq", "body": ""})),
    );
    assert_eq!(s, 422);
    assert!(!corpus().join("uji-tidak-valid.md").exists());
    assert_corpus_valid();
}

#[test]
fn a_1_mb_body_is_refused_with_413() {
    let big = faq("Uji besar", &"kata ".repeat(210_000));
    let (s, v) = call(
        "PUT",
        "/v1/admin/entries/uji-besar",
        Some(EDITOR),
        Some(&big),
    );
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (413, Some("body_too_large"))
    );
    assert!(!corpus().join("uji-besar.md").exists());
    // a long article under the limit is fine (far above the 16 KiB of the other routes)
    let long = faq("Uji panjang", &"kata ".repeat(20_000));
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-panjang",
        Some(EDITOR),
        Some(&long),
    );
    assert_eq!(s, 201);
}

#[test]
fn concurrent_saves_of_one_version_give_one_200_and_one_409() {
    let (s, created) = call(
        "PUT",
        "/v1/admin/entries/uji-balapan",
        Some(EDITOR),
        Some(&faq("Uji balapan", "Awal.")),
    );
    assert_eq!(s, 201);
    let version = created["version"].as_str().unwrap().to_string();
    for round in 0..5 {
        let (_, current) = call("GET", "/v1/admin/entries/uji-balapan", Some(EDITOR), None);
        let version = if round == 0 {
            version.clone()
        } else {
            current["version"].as_str().unwrap().to_string()
        };
        let barrier = Barrier::new(2);
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = ["A", "B"]
                .into_iter()
                .map(|who| {
                    let (barrier, version) = (&barrier, version.clone());
                    scope.spawn(move || {
                        let body = with_version(
                            faq("Uji balapan", &format!("Versi {who} ronde {round}.")),
                            &version,
                        );
                        barrier.wait();
                        call(
                            "PUT",
                            "/v1/admin/entries/uji-balapan",
                            Some(EDITOR),
                            Some(&body),
                        )
                        .0
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, vec![200, 409], "round {round}: {statuses:?}");
        let text = std::fs::read_to_string(corpus().join("uji-balapan.md")).unwrap();
        assert!(
            text.contains(&format!("ronde {round}.")),
            "one whole version: {text}"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(corpus())
        .unwrap()
        .flatten()
        .filter(|f| {
            // this test's own: other tests save other entries into the same folder meanwhile
            let name = f.file_name().to_string_lossy().into_owned();
            name.starts_with(".uji-balapan.md.") && name.ends_with(".tmp")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}

#[test]
fn every_change_is_recorded_and_can_be_undone() {
    let path = corpus().join("uji-riwayat.md");
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-riwayat",
        Some(EDITOR),
        Some(&faq("Uji riwayat", "Satu.")),
    );
    assert_eq!(s, 201);
    let first = std::fs::read_to_string(&path).unwrap();
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-riwayat",
        Some(BOSS),
        Some(&faq("Uji riwayat", "Dua.")),
    );
    assert_eq!(s, 200);
    let (s, retired) = call(
        "DELETE",
        "/v1/admin/entries/uji-riwayat",
        Some(EDITOR),
        None,
    );
    assert_eq!(s, 200, "{retired}");
    assert!(!path.exists());
    let (s, v) = call(
        "DELETE",
        "/v1/admin/entries/uji-riwayat",
        Some(EDITOR),
        None,
    );
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, _) = call("GET", "/v1/admin/entries/uji-riwayat", Some(EDITOR), None);
    assert_eq!(s, 404);

    let (s, log) = call(
        "GET",
        "/v1/admin/changes?entry=uji-riwayat",
        Some(EDITOR),
        None,
    );
    assert_eq!(s, 200, "{log}");
    let changes = log["changes"].as_array().unwrap();
    let summary: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c["action"].as_str().unwrap(), c["who"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        vec![("retire", "ani"), ("save", "budi"), ("create", "ani")],
        "newest first"
    );
    assert_eq!(changes[2]["before"], Value::Null);
    assert_eq!(changes[2]["after"].as_str(), Some(first.as_str()));
    assert_eq!(changes[0]["after"], Value::Null);
    assert!(changes[0]["before"].as_str().unwrap().contains("Dua."));
    let (_, paged) = call(
        "GET",
        "/v1/admin/changes?entry=uji-riwayat&limit=1&offset=1",
        Some(EDITOR),
        None,
    );
    assert_eq!(paged["changes"][0]["action"], "save");
    let id = |i: usize| changes[i]["id"].as_i64().unwrap();

    // an editor may not undo
    let (s, v) = call(
        "POST",
        &format!("/v1/admin/changes/{}/undo", id(0)),
        Some(EDITOR),
        None,
    );
    assert_eq!((s, v["error"]["code"].as_str()), (403, Some("forbidden")));
    // the save cannot be undone while the file is not as it left it (retired since)
    let (s, v) = call(
        "POST",
        &format!("/v1/admin/changes/{}/undo", id(1)),
        Some(BOSS),
        None,
    );
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("changed_since")),
        "{v}"
    );
    // undo the retirement: the file is back
    let (s, undo) = call(
        "POST",
        &format!("/v1/admin/changes/{}/undo", id(0)),
        Some(BOSS),
        None,
    );
    assert_eq!(s, 200, "{undo}");
    assert_eq!(
        (undo["action"].as_str(), undo["who"].as_str()),
        (Some("undo"), Some("budi"))
    );
    assert_eq!(undo["undoes"], id(0));
    assert!(std::fs::read_to_string(&path).unwrap().contains("Dua."));
    let (s, v) = call(
        "POST",
        &format!("/v1/admin/changes/{}/undo", id(0)),
        Some(ADMIN),
        None,
    );
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("already_undone"))
    );
    // undo the save: the first version is back, byte for byte
    let (s, _) = call(
        "POST",
        &format!("/v1/admin/changes/{}/undo", id(1)),
        Some(ADMIN),
        None,
    );
    assert_eq!(s, 200);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
    // undo the creation: the file is removed
    let (s, _) = call(
        "POST",
        &format!("/v1/admin/changes/{}/undo", id(2)),
        Some(ADMIN),
        None,
    );
    assert_eq!(s, 200);
    assert!(!path.exists());
    let (_, log) = call(
        "GET",
        "/v1/admin/changes?entry=uji-riwayat",
        Some(EDITOR),
        None,
    );
    let undone: Vec<Option<i64>> = log["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "undo")
        .map(|c| c["undone_by"].as_i64())
        .collect();
    assert!(undone.iter().all(Option::is_some), "{log}");
    for bad in ["999999", "abc", "-1"] {
        let (s, _) = call(
            "POST",
            &format!("/v1/admin/changes/{bad}/undo"),
            Some(ADMIN),
            None,
        );
        assert!(s == 404 || s == 400, "{bad}: {s}");
    }
    assert_corpus_valid();
}

#[test]
fn an_entry_named_by_labelled_queries_is_not_retired() {
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-rujukan",
        Some(EDITOR),
        Some(&faq("Uji rujukan", "Isi.")),
    );
    assert_eq!(s, 201);
    let eval = corpus().join("eval");
    std::fs::create_dir_all(&eval).unwrap();
    let queries = eval.join("uji-rujukan.jsonl");
    std::fs::write(
        &queries,
        "{\"query\": \"uji rujukan\", \"relevant\": [\"uji-rujukan\"]}\n",
    )
    .unwrap();
    let (s, v) = call(
        "DELETE",
        "/v1/admin/entries/uji-rujukan",
        Some(EDITOR),
        None,
    );
    std::fs::remove_file(&queries).unwrap();
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("referenced")),
        "{v}"
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("uji-rujukan.jsonl:1"));
    assert!(corpus().join("uji-rujukan.md").exists());
    let (s, _) = call(
        "DELETE",
        "/v1/admin/entries/uji-rujukan",
        Some(EDITOR),
        None,
    );
    assert_eq!(s, 200);
}

#[test]
fn tokens_roles_reindex_and_rollback_are_on_record() {
    for token in [None, Some("salah"), Some("")] {
        for (method, path) in [
            ("GET", "/v1/admin/entries"),
            ("GET", "/v1/admin/entries/digit-reset"),
            ("PUT", "/v1/admin/entries/uji-peran"),
            ("DELETE", "/v1/admin/entries/digit-reset"),
            ("GET", "/v1/admin/changes"),
            ("POST", "/v1/admin/changes/1/undo"),
            ("POST", "/v1/admin/preview"),
        ] {
            let body = matches!(method, "PUT" | "POST").then(|| faq("T", "b"));
            let (s, v) = call(method, path, token, body.as_ref());
            assert_eq!(
                (s, v["error"]["code"].as_str()),
                (401, Some("unauthorized")),
                "{method} {path}"
            );
        }
    }
    assert!(corpus().join("digit.md").exists());
    let (s, me) = call("GET", "/v1/admin/whoami", Some(EDITOR), None);
    assert_eq!(
        (s, me["name"].as_str(), me["role"].as_str()),
        (200, Some("ani"), Some("editor"))
    );
    let (_, me) = call("GET", "/v1/admin/whoami", Some(ADMIN), None);
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("admin"), Some("admin"))
    );

    let (s, preview) = call(
        "POST",
        "/v1/admin/preview",
        Some(EDITOR),
        Some(&faq("Cara uji *tebal*", "Langkah **satu**.")),
    );
    assert_eq!(s, 200, "{preview}");
    let text = preview["whatsapp"].as_str().unwrap();
    assert!(
        text.contains("Cara uji") && text.contains("*satu*"),
        "{text}"
    );

    // an editor publishes; rollback needs an admin
    let (s, v) = call("POST", "/v1/admin/rollback", Some(EDITOR), None);
    assert_eq!((s, v["error"]["code"].as_str()), (403, Some("forbidden")));
    let (s, job) = call("POST", "/v1/admin/reindex", Some(EDITOR), None);
    assert!(s == 202 || s == 409, "{s} {job}");
    let id = job["id"].as_u64().unwrap();
    let started = Instant::now();
    loop {
        let (_, j) = call(
            "GET",
            &format!("/v1/admin/reindex/{id}"),
            Some(EDITOR),
            None,
        );
        if j["state"] != "running" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "reindex too slow"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (_, log) = call("GET", "/v1/admin/changes", Some(EDITOR), None);
    let reindex = log["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "reindex" && c["who"] == "ani");
    if s == 202 {
        let reindex = reindex.expect("the reindex is on record");
        assert_eq!(reindex["after"], format!("reindex job {id}"));
        let (s, v) = call("POST", "/v1/admin/rollback", Some(BOSS), None);
        if s == 200 {
            let (_, log) = call("GET", "/v1/admin/changes?limit=500", Some(EDITOR), None);
            assert!(log["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["action"] == "rollback"
                    && c["who"] == "budi"
                    && c["after"] == format!("generation {}", v["generation"])));
        } else {
            assert_eq!(s, 409, "{v}");
        }
        // reindex and rollback are not file changes: undo refuses them
        let (s, v) = call(
            "POST",
            &format!("/v1/admin/changes/{}/undo", reindex["id"]),
            Some(BOSS),
            None,
        );
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (409, Some("not_undoable"))
        );
    }
}

#[test]
fn without_any_token_the_editors_page_says_so_and_the_routes_are_off() {
    let mut config = Config::default();
    config.paths.corpus = site().corpus.clone();
    config.paths.indexes = site().indexes.clone();
    config.server.database = site().tmp.path().join("off.sqlite");
    config.answer.calibration = common::project().join("corpus/eval/calibration.json");
    let base = common::serve(config);
    let page = client()
        .get(format!("{base}/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("Halaman editor dimatikan"), "{page}");
    assert!(!page.contains("type=\"password\""), "no login form");
    let r = client()
        .get(format!("{base}/v1/admin/entries"))
        .bearer_auth("apa-saja")
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = r.json().unwrap();
    assert_eq!(v["error"]["code"], "admin_disabled");
    // with tokens, the page asks for one
    let page = client()
        .get(format!("{}/admin", site().base))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("type=\"password\""));
}

/// The open gap group whose question contains `words`, if any.
fn gap_with(words: &str) -> Option<Value> {
    let (s, v) = call("GET", "/v1/admin/unanswered", Some(EDITOR), None);
    assert_eq!(s, 200, "{v}");
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["question"].as_str().unwrap().contains(words))
        .cloned()
}

#[test]
fn a_gap_becomes_a_phrasing_leaves_the_list_and_keeps_its_entry() {
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-celah",
        Some(EDITOR),
        Some(&faq("Uji celah pengembalian dana", "Isi uji.")),
    );
    assert_eq!(s, 201);
    // an off-topic question escalates and becomes a gap group, masked
    let question = "bagaimana prosedur retur dana hibah luar negeri, nik saya 3174012345678901";
    let (s, a) = call(
        "POST",
        "/v1/answer",
        None,
        Some(&json!({ "question": question })),
    );
    assert_eq!((s, a["decision"].as_str()), (200, Some("escalate")), "{a}");
    let group = gap_with("retur dana hibah luar negeri").expect("the escalation is a gap");
    let text = group["question"].as_str().unwrap().to_string();
    assert!(!text.contains("3174012345678901"), "{text}");
    let id = group["id"].as_i64().unwrap();

    let resolve = |entry: &str, add: bool| {
        call(
            "POST",
            &format!("/v1/admin/unanswered/{id}/resolve"),
            Some(EDITOR),
            Some(&json!({ "entry": entry, "add_phrasing": add })),
        )
    };
    let (s, v) = resolve("tidak-ada-entri", true);
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (404, Some("not_found")),
        "{v}"
    );
    let (s, v) = call(
        "POST",
        "/v1/admin/unanswered/999999/resolve",
        Some(EDITOR),
        Some(&json!({ "entry": "uji-celah" })),
    );
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (404, Some("unknown_group"))
    );
    let (s, v) = call(
        "POST",
        &format!("/v1/admin/unanswered/{id}/resolve"),
        None,
        Some(&json!({ "entry": "uji-celah" })),
    );
    assert_eq!(s, 401, "{v}");

    let (s, done) = resolve("uji-celah", true);
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["changed"], true);
    assert_eq!(done["group"]["entry"], "uji-celah");
    assert_eq!(done["group"]["handled_by"], "ani");
    let phrasings = done["entry"]["questions"].as_array().unwrap();
    assert_eq!(phrasings.last().unwrap().as_str(), Some(text.as_str()));
    let file = std::fs::read_to_string(corpus().join("uji-celah.md")).unwrap();
    assert!(file.contains("retur dana hibah luar negeri") && !file.contains("3174012345678901"));
    assert_corpus_valid();
    // the addition is the editor's recorded save
    let (_, log) = call(
        "GET",
        "/v1/admin/changes?entry=uji-celah",
        Some(EDITOR),
        None,
    );
    assert_eq!(log["changes"][0]["action"], "save");
    assert_eq!(log["changes"][0]["who"], "ani");

    assert!(
        gap_with("retur dana hibah luar negeri").is_none(),
        "left the list"
    );
    let (_, handled) = call(
        "GET",
        "/v1/admin/unanswered?handled=true",
        Some(EDITOR),
        None,
    );
    let linked = handled["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .expect("on the handled list");
    assert_eq!(linked["entry"], "uji-celah");
    let (s, v) = resolve("uji-celah", true);
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("already_handled"))
    );
}

#[test]
fn agents_propose_drafts_that_editors_publish_or_reject() {
    let propose = |question: &str, answer: &str| {
        call(
            "POST",
            "/v1/drafts",
            None,
            Some(&json!({ "question": question, "answer": answer })),
        )
    };
    let (s, v) = propose("  ", "jawaban");
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (422, Some("invalid_draft")),
        "{v}"
    );
    let (s, v) = propose("tanya", &"x".repeat(10_001));
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (422, Some("invalid_draft")),
        "{v}"
    );
    let (s, v) = call(
        "POST",
        "/v1/drafts",
        None,
        Some(&json!({ "question": "q" })),
    );
    assert_eq!(s, 422, "{v}");

    let (s, draft) = propose(
        "uji draf: kapan batas unggah dokumen, hp saya 081234567890",
        "Menurut petugas: hubungi KPPN mitra kerja Anda. E-mail uji@contoh.go.id",
    );
    assert_eq!(s, 201, "{draft}");
    let text = format!("{} {}", draft["question"], draft["answer"]);
    assert!(
        !text.contains("081234567890") && !text.contains("uji@contoh.go.id"),
        "{text}"
    );
    assert_eq!(draft["status"], "open");
    let id = draft["id"].as_i64().unwrap();
    let (s, other) = propose("uji draf kedua", "jawaban kedua");
    assert_eq!(s, 201);

    let (s, v) = call("GET", "/v1/admin/drafts", None, None);
    assert_eq!(s, 401, "{v}");
    let (s, list) = call("GET", "/v1/admin/drafts", Some(EDITOR), None);
    assert_eq!(s, 200, "{list}");
    assert!(list["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == id));
    let (s, _) = call("GET", "/v1/admin/drafts?status=bogus", Some(EDITOR), None);
    assert_eq!(s, 400);

    // publishing needs the entry the editor wrote from it
    let publish = |draft: i64, entry: &str| {
        call(
            "POST",
            &format!("/v1/admin/drafts/{draft}/publish"),
            Some(EDITOR),
            Some(&json!({ "entry": entry })),
        )
    };
    let (s, _) = publish(id, "uji-draf");
    assert_eq!(s, 404);
    let (s, _) = call(
        "PUT",
        "/v1/admin/entries/uji-draf",
        Some(EDITOR),
        Some(&faq(
            "Batas unggah dokumen",
            "Hubungi KPPN mitra kerja Anda.",
        )),
    );
    assert_eq!(s, 201);
    let (s, done) = publish(id, "uji-draf");
    assert_eq!(s, 200, "{done}");
    assert_eq!(
        (
            done["status"].as_str(),
            done["entry"].as_str(),
            done["handled_by"].as_str()
        ),
        (Some("published"), Some("uji-draf"), Some("ani"))
    );
    let (s, v) = publish(id, "uji-draf");
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("already_handled"))
    );
    let other = other["id"].as_i64().unwrap();
    let (s, rejected) = call(
        "DELETE",
        &format!("/v1/admin/drafts/{other}"),
        Some(EDITOR),
        None,
    );
    assert_eq!((s, rejected["status"].as_str()), (200, Some("rejected")));
    let (_, open) = call("GET", "/v1/admin/drafts", Some(EDITOR), None);
    assert!(open["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["id"] != id && d["id"] != other));
    let (_, published) = call(
        "GET",
        "/v1/admin/drafts?status=published",
        Some(EDITOR),
        None,
    );
    assert!(published["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == id));
    let (s, _) = call("DELETE", "/v1/admin/drafts/424242", Some(EDITOR), None);
    assert_eq!(s, 404);
}

/// Uploads `bytes` as document `name` to the import route.
fn upload(name: &str, bytes: Vec<u8>, apply: bool, token: Option<&str>) -> (u16, Value) {
    let url = format!(
        "{}/v1/admin/import?name={name}&category=KPPN&apply={apply}",
        site().base
    );
    let mut r = client()
        .post(url)
        .header("content-type", "application/octet-stream")
        .body(bytes);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().unwrap();
    (r.status().as_u16(), r.json().unwrap())
}

#[test]
fn an_uploaded_document_is_shown_then_imported_and_recorded() {
    let html = "<html><head><title>Jam layanan KPPN Uji Unggah</title></head><body>\
        <nav>Beranda Profil</nav><h1>Jam layanan KPPN Uji Unggah</h1>\
        <p>Loket melayani satker pada hari kerja pukul 08.00 sampai 16.00 WIB.</p>\
        <footer>Hak cipta 2026</footer></body></html>";
    let (s, v) = upload("kppn-unggah.html", html.into(), false, None);
    assert_eq!(s, 401, "{v}");

    // first what it would write: nothing is written
    let (s, plan) = upload("kppn-unggah.html", html.into(), false, Some(EDITOR));
    assert_eq!(s, 200, "{plan}");
    assert_eq!(
        (plan["action"].as_str(), plan["applied"].as_bool()),
        (Some("create"), Some(false))
    );
    let entry = &plan["entries"][0];
    let path = entry["path"].as_str().unwrap().to_string();
    assert!(path.starts_with("imported/"), "{path}");
    assert_eq!(entry["title"], "Jam layanan KPPN Uji Unggah");
    let text = entry["text"].as_str().unwrap();
    assert!(
        text.contains("pukul 08.00") && !text.contains("Hak cipta"),
        "{text}"
    );
    assert!(!corpus().join(&path).exists());

    // then written, recorded as the editor's creation, valid, and unchanged when sent again
    let (s, done) = upload("kppn-unggah.html", html.into(), true, Some(EDITOR));
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["applied"], true);
    let written = std::fs::read_to_string(corpus().join(&path)).unwrap();
    assert_eq!(written, done["entries"][0]["text"].as_str().unwrap());
    assert!(
        written.contains("source_file: \"kppn-unggah.html\""),
        "{written}"
    );
    assert_corpus_valid();
    let id = done["entries"][0]["id"].as_str().unwrap();
    let (_, log) = call(
        "GET",
        &format!("/v1/admin/changes?entry={id}"),
        Some(EDITOR),
        None,
    );
    assert_eq!(log["changes"][0]["action"], "create");
    assert_eq!(log["changes"][0]["who"], "ani");
    assert_eq!(log["changes"][0]["id"], done["entries"][0]["change"]);
    let (s, again) = upload("kppn-unggah.html", html.into(), true, Some(EDITOR));
    assert_eq!((s, again["action"].as_str()), (200, Some("unchanged")));
    // a document whose entry id another file holds is refused before anything is written
    let (s, v) = upload("digit-reset.html", html.into(), false, Some(EDITOR));
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("id_taken")),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("digit.md"),
        "{v}"
    );

    // bad documents: a clear error naming the file, nothing written
    let imported = || {
        let mut names: Vec<_> = std::fs::read_dir(corpus().join("imported"))
            .unwrap()
            .map(|f| f.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = imported();
    for (name, bytes, says) in [
        ("laporan.pdf", b"\x00\x01 bukan pdf".to_vec(), "laporan.pdf"),
        ("catatan.exe", b"MZ".to_vec(), "catatan.exe"),
        ("kosong.html", Vec::new(), "kosong.html"),
    ] {
        let (s, v) = upload(name, bytes, true, Some(EDITOR));
        assert_eq!(s, 422, "{name}: {v}");
        assert_eq!(v["error"]["code"], "import_failed");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(says),
            "{v}"
        );
    }
    assert_eq!(imported(), before);
    // a document over `admin.max_import_bytes` (20 MiB) is refused from its announced length,
    // before its bytes are read
    use std::io::{Read, Write};
    let mut raw = std::net::TcpStream::connect(site().base.trim_start_matches("http://")).unwrap();
    write!(
        raw,
        "POST /v1/admin/import?name=besar.pdf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {EDITOR}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        21 * 1024 * 1024
    )
    .unwrap();
    let mut head = [0u8; 64];
    let n = raw.read(&mut head).unwrap();
    let head = String::from_utf8_lossy(&head[..n]);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
}
