//! The agents' search page and the editors' page in Debian's headless Chromium, against the real
//! server on loopback with the real model. Screenshots of both pages at phone and desktop width are
//! written to `target/tmp/screenshots/` (not committed).

mod common;

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use common::browser::{key, Browser, Element};
use serde_json::{json, Value};

const TOKEN: &str = "token-editor-web";
const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 900);

type Site = common::MiniSite;

fn start() -> Site {
    common::mini_site(Some(TOKEN), |_| {})
}

/// The search tests share one server (they do not change it).
fn search_site() -> &'static Site {
    static S: OnceLock<Site> = OnceLock::new();
    S.get_or_init(start)
}

fn screenshot(browser: &Browser, name: &str) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("screenshots")
        .join(format!("{name}.png"));
    browser.screenshot(&path);
    eprintln!("screenshot: {}", path.display());
}

fn texts(browser: &Browser, css: &str) -> Vec<String> {
    browser
        .find_all(css)
        .iter()
        .map(|e| browser.text(e))
        .collect()
}

fn hit_ids(browser: &Browser) -> Vec<String> {
    browser
        .script(
            "return [...document.querySelectorAll('.hit-title')].map(a => decodeURIComponent(a.hash.slice(9)))",
            json!([]),
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until the hit list is the answer to the current query and filters, and returns its ids.
fn settled_hits(browser: &Browser, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    browser.wait_until("search results", || {
        let status = browser.text(&browser.find("#status")?);
        if status.is_empty() || status.starts_with("Mencari") {
            return None;
        }
        let ids = hit_ids(browser);
        ok(&ids).then_some(ids)
    })
}

/// Elements wider than the viewport (none means no sideways scrolling).
fn overflowing(browser: &Browser) -> Vec<String> {
    let v = browser.script(
        "return [...document.querySelectorAll('body *')]
           .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
           .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))",
        json!([]),
    );
    serde_json::from_value(v).unwrap_or_default()
}

/// Accessibility problems axe-core finds on the current page (WCAG 2 A and AA rules).
fn accessibility_violations(browser: &Browser) -> Vec<String> {
    let axe = common::project().join("tests/a11y/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&axe)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/setup-browser.sh", axe.display()));
    browser.script(&format!("{source}\nreturn true;"), json!([]));
    let found = browser.script_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
           .then(r => done({passes: r.passes.length, violations: r.violations.map(v =>
             `${v.id} (${v.impact}): ${v.help} at ` + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))}),
                 e => done({passes: 0, violations: ['axe failed: ' + e]}));",
    );
    assert!(
        found["passes"].as_u64().unwrap_or(0) > 10,
        "axe did not run: {found}"
    );
    serde_json::from_value(found["violations"].clone()).expect("a list of violations")
}

fn select(browser: &Browser, select: &str, value: &str) {
    let option = browser
        .find(&format!("{select} option[value=\"{value}\"]"))
        .unwrap_or_else(|| panic!("{select} has no option {value}"));
    browser.click(&option);
}

fn value(browser: &Browser, e: &Element) -> String {
    browser
        .property(e, "value")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn agent_searches_as_they_type_filters_opens_and_copies_an_answer() {
    let site = search_site();
    let b = Browser::open(DESKTOP.0, DESKTOP.1);
    b.goto(&format!("{}/", site.base));
    b.wait_for("#q");
    assert_eq!(b.focused_id(), "q", "the search box has focus on load");

    // typing alone searches (debounced): no Enter, no click
    b.press("lupa kata sandi sakti");
    let ids = settled_hits(&b, |ids| !ids.is_empty());
    assert_eq!(ids[0], "sakti-reset", "hits: {ids:?}");
    let first_title = b.text(&b.find(".hit-title").unwrap());
    assert!(first_title.contains("SAKTI"), "{first_title}");
    let marks = texts(&b, ".hit:first-child mark");
    assert!(
        marks.iter().any(|m| m.to_lowercase().contains("sakti")),
        "matched words are highlighted: {marks:?}"
    );
    assert!(b.text(&b.find("#status").unwrap()).contains("hasil"));

    // filter by type: only articles
    select(&b, "#jenis", "article");
    settled_hits(&b, |ids| !ids.contains(&"sakti-reset".to_string()));
    let metas = texts(&b, ".hit .meta");
    assert!(!metas.is_empty());
    assert!(metas.iter().all(|m| m.ends_with("Artikel")), "{metas:?}");

    // filter by category (catalogue service), all types
    select(&b, "#jenis", "");
    select(&b, "#kategori", "TIK.2 Layanan Pengelolaan User");
    let ids = settled_hits(&b, |ids| {
        !ids.is_empty()
            && ids
                .iter()
                .all(|id| id == "sakti-reset" || id == "digit-reset")
    });
    assert_eq!(ids[0], "sakti-reset");
    assert!(
        b.url().contains("category=TIK.2"),
        "filters are kept in the address: {}",
        b.url()
    );

    // no entry of that category is an article: the empty state suggests escalation
    select(&b, "#jenis", "article");
    settled_hits(&b, |ids| ids.is_empty());
    let empty = b.wait_for("#kosong");
    let said = b.text(&empty);
    assert!(said.contains("Tidak ada artikel yang cocok"), "{said}");
    assert!(said.contains("eskalasikan"), "{said}");

    // back to everything, open the first hit
    select(&b, "#jenis", "");
    select(&b, "#kategori", "");
    settled_hits(&b, |ids| ids.first().is_some_and(|id| id == "sakti-reset"));
    b.click(&b.find(".hit-title").unwrap());
    let heading = b.wait_for("#artikel-judul");
    b.wait_until("article loaded", || {
        (b.text(&heading) == first_title).then_some(())
    });
    assert!(b.url().ends_with("#artikel/sakti-reset"), "{}", b.url());
    assert!(b.text(&b.find("#artikel-meta").unwrap()).contains("TIK.2"));
    let body = b.text(&b.find("#artikel-isi").unwrap());
    assert!(body.len() > 40, "full text shown: {body}");
    let answer = value(&b, &b.find("#wa").unwrap());
    assert!(answer.contains('*'), "WhatsApp bold: {answer}");
    screenshot(&b, "search-desktop");
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "search page: {problems:#?}");

    // copy the WhatsApp answer and read the clipboard back
    b.grant("clipboard-read");
    b.grant("clipboard-write");
    b.click(&b.find("#salin").unwrap());
    b.wait_until("copied", || {
        (b.text(&b.find("#salin-status")?) == "Jawaban tersalin.").then_some(())
    });
    let clipboard = b.script_async(
        "const done = arguments[arguments.length - 1];
         navigator.clipboard.readText().then(done, e => done('error: ' + e))",
    );
    assert_eq!(clipboard.as_str(), Some(answer.as_str()));

    // a contract check with its satker code: no article answers it, and the draft button says
    // the bot routes it, to which menu and why
    b.goto(&format!(
        "{}/?q=kontrak+kami+udh+terdaftar+blm,+satker+012345",
        site.base
    ));
    b.wait_for("#kosong");
    b.click(&b.find("#draf").unwrap());
    let routed = b.wait_until("routed", || {
        let said = b.text(&b.find("#draf-status")?);
        said.contains("mengarahkan ke menu").then_some(said)
    });
    assert!(
        routed.contains("Menu 4") && routed.contains("dari ID atau nomor dalam pesan"),
        "{routed}"
    );

    // a query nothing answers: the weak hits are flagged and escalation is suggested, with a
    // ticket draft whose personal data is masked
    b.goto(&format!(
        "{}/?q=berapa+tarif+pajak+mobil+mewah+impor+nik+3174012345678901",
        site.base
    ));
    b.wait_for("#kosong");
    let said = b.text(&b.find("#kosong").unwrap());
    assert!(said.contains("eskalasikan"), "{said}");
    b.click(&b.find("#draf").unwrap());
    let draft = b.wait_for("#draf-teks");
    let text = value(&b, &draft);
    assert!(text.starts_with("Subjek: berapa tarif pajak"), "{text}");
    assert!(
        text.contains("Kronologi:") && text.contains("[NIK]"),
        "{text}"
    );
    assert!(!text.contains("3174012345678901"), "{text}");
    assert!(
        text.contains("Perkiraan layanan: belum dapat ditentukan"),
        "an off-topic question gets no service guess: {text}"
    );
    assert!(
        !b.url().contains("3174012345678901"),
        "a query with a NIK is not kept in the address: {}",
        b.url()
    );
    b.click(&b.find("#draf-salin").unwrap());
    b.wait_until("draft copied", || {
        (b.text(&b.find("#draf-status")?) == "Draf tiket tersalin.").then_some(())
    });
    screenshot(&b, "search-no-answer-desktop");
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "empty state: {problems:#?}");
}

#[test]
fn agent_page_works_by_keyboard_at_phone_width() {
    let site = search_site();
    let b = Browser::open(PHONE.0, PHONE.1);
    b.goto(&format!("{}/", site.base));
    b.wait_for("#q");
    b.press(&format!("status tiket saya{}", key::ENTER));
    let ids = settled_hits(&b, |ids| !ids.is_empty());
    assert_eq!(ids[0], "tiket-status", "{ids:?}");
    let wide = overflowing(&b);
    assert!(
        wide.is_empty(),
        "no sideways scrolling at phone width: {wide:?}"
    );
    screenshot(&b, "search-phone");

    // Tab from the box through the form to the first hit, Enter opens it
    let mut tabs = 0;
    while b.script(
        "return document.activeElement.classList.contains('hit-title')",
        json!([]),
    ) != Value::Bool(true)
    {
        b.press(key::TAB);
        tabs += 1;
        assert!(tabs < 10, "the first hit is reachable by Tab");
    }
    b.press(key::ENTER);
    b.wait_until("article focused", || {
        (b.focused_id() == "artikel-judul").then_some(())
    });
    assert!(
        !b.displayed(&b.find("#hits").unwrap()),
        "at phone width the article replaces the list"
    );
    b.wait_until("article loaded", || {
        b.text(&b.find("#artikel-judul")?)
            .contains("tiket")
            .then_some(())
    });
    screenshot(&b, "article-phone");
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "article at phone width: {problems:#?}");

    // Escape goes back to the list, focus on the hit that was opened
    b.press(key::ESCAPE);
    b.wait_until("list back", || b.displayed(&b.find("#hits")?).then_some(()));
    let back_on = b.script(
        "return document.activeElement.getAttribute('href')",
        json!([]),
    );
    assert_eq!(back_on.as_str(), Some("#artikel/tiket-status"));
}

fn ask(site: &Site, question: &str) -> Value {
    reqwest::blocking::Client::new()
        .post(format!("{}/v1/answer", site.base))
        .json(&json!({ "question": question }))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn job_status(b: &Browser) -> String {
    b.find("#job-status")
        .map(|e| b.text(&e))
        .unwrap_or_default()
}

fn wait_job_end(b: &Browser) -> String {
    b.wait_until("reindex finished", || {
        let s = job_status(b);
        (s.starts_with("Berhasil") || s.starts_with("Gagal")).then_some(s)
    })
}

fn served_generation(b: &Browser) -> u64 {
    let v = b.script(
        "const dt = [...document.querySelectorAll('#generasi dt')].find(d => d.textContent === 'Generasi aktif');
         return dt ? dt.nextElementSibling.textContent : ''",
        json!([]),
    );
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no current generation shown: {v}"))
}

#[test]
fn editor_logs_in_reindexes_sees_errors_rolls_back_and_reads_the_gap_list() {
    let site = start();
    let nik_question = "cara mengurus paspor haji untuk ibu saya NIK 3174012345678901";
    for _ in 0..2 {
        assert_eq!(ask(&site, nik_question)["decision"], "escalate");
    }

    let b = Browser::open(DESKTOP.0, DESKTOP.1);
    b.goto(&format!("{}/admin", site.base));
    b.wait_for("#token");
    assert_eq!(b.focused_id(), "token");
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "login form: {problems:#?}");

    // a wrong token is refused, the right one opens the panel
    b.press(&format!("salah{}", key::ENTER));
    b.wait_until("refused", || {
        b.text(&b.find("#masuk-status")?)
            .contains("Token salah")
            .then_some(())
    });
    b.press(&format!("{TOKEN}{}", key::ENTER));
    b.wait_for("#panel");
    let first = served_generation(&b);
    assert!(b
        .text(&b.find("#generasi").unwrap())
        .contains("8 (3 artikel, 5 FAQ)"));

    // the token is kept for the browser session: a reload does not ask again
    b.goto(&format!("{}/admin", site.base));
    b.wait_for("#panel");
    assert!(!b.displayed(&b.find("#masuk").unwrap()));

    // the content-gap list: masked, counted
    let row = b.wait_until("gap row", || {
        let rows = texts(&b, "#gap tbody tr");
        if rows.is_empty() {
            b.click(&b.find("#gap-muat")?);
            return None;
        }
        Some(rows[0].clone())
    });
    assert!(row.starts_with('2'), "asked twice: {row}");
    assert!(row.contains("[NIK]"), "{row}");
    assert!(!row.contains("3174012345678901"), "NIK masked: {row}");

    // a reindex after an editor's change: progress while running, then the new generation
    std::fs::write(
        site.corpus.join("baru.md"),
        "---\nid: kanal-baru\ntitle: Entri baru dari editor\ntype: faq\ncategory: Umum HAI-DJPb\n---\n\
         Entri ini ditambahkan editor untuk menguji indeks ulang dari halaman editor.\n",
    )
    .unwrap();
    b.script(
        "window.seen = []; new MutationObserver(() => window.seen.push(
           document.getElementById('job-status').textContent)).observe(
           document.getElementById('job-status'), {childList: true, characterData: true, subtree: true});",
        json!([]),
    );
    b.click(&b.find("#reindex").unwrap());
    let result = wait_job_end(&b);
    assert!(result.starts_with("Berhasil"), "{result}");
    let seen = b.script("return window.seen", json!([]));
    assert!(
        seen.to_string().contains("Indeks ulang #"),
        "progress was shown while running: {seen}"
    );
    let progress = b.script(
        "const p = document.getElementById('job-progress'); return [p.value, p.max]",
        json!([]),
    );
    assert_eq!(progress[0], progress[1], "progress bar full at the end");
    b.wait_until("status refreshed", || {
        (served_generation(&b) > first).then_some(())
    });
    let second = served_generation(&b);
    screenshot(&b, "admin-desktop");
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "editors' page: {problems:#?}");

    // a broken file: the job fails naming it, the served generation stays
    std::fs::write(
        site.corpus.join("rusak.md"),
        "---\nid: [tidak ditutup\n---\nisi\n",
    )
    .unwrap();
    b.click(&b.find("#reindex").unwrap());
    let result = wait_job_end(&b);
    assert!(result.starts_with("Gagal"), "{result}");
    assert!(result.contains("Generasi lama tetap dilayani"), "{result}");
    let problems = texts(&b, "#job-problems li").join("\n");
    assert!(
        problems.contains("rusak.md"),
        "the file is named: {problems}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(served_generation(&b), second);
    std::fs::remove_file(site.corpus.join("rusak.md")).unwrap();

    // rollback to the generation before the editor's change
    b.click(&b.find("#rollback").unwrap());
    let said = b.wait_until("rolled back", || {
        let s = b.text(&b.find("#rollback-status")?);
        (!s.is_empty()).then_some(s)
    });
    assert_eq!(
        said,
        format!("Dikembalikan: generasi {first} aktif (sebelumnya {second}).")
    );
    b.wait_until("status shows the old generation", || {
        (served_generation(&b) == first).then_some(())
    });

    // phone width, then log out
    b.resize(PHONE.0, PHONE.1);
    let wide = overflowing(&b);
    assert!(
        wide.is_empty(),
        "no sideways scrolling at phone width: {wide:?}"
    );
    screenshot(&b, "admin-phone");
    b.click(&b.find("#keluar").unwrap());
    b.wait_for("#token");
    assert!(!b.displayed(&b.find("#panel").unwrap()));
}

#[test]
fn editor_page_says_when_the_server_has_no_admin_token() {
    let site = common::mini_site(None, |_| {});
    let b = Browser::open(DESKTOP.0, DESKTOP.1);
    b.goto(&format!("{}/admin", site.base));
    // said at once, without a login form to fill in first
    let said = b.text(&b.wait_for("#nonaktif"));
    assert!(said.contains("dimatikan"), "{said}");
    assert!(b.find("#token").is_none(), "no login form");
    let problems = accessibility_violations(&b);
    assert!(
        problems.is_empty(),
        "editors' page switched off: {problems:#?}"
    );
    // the dashboard too
    b.goto(&format!("{}/admin/dashboard", site.base));
    let said = b.text(&b.wait_for("#nonaktif"));
    assert!(said.contains("dimatikan"), "{said}");
}

/// Waits until the editors' entry list shows `id` alone (the search's answer, not an earlier list).
fn only_listed(b: &Browser, id: &str) -> Element {
    b.wait_until("the entry alone in the list", || {
        if b.find_all("button.entry-open").len() != 1 {
            return None;
        }
        b.find(&format!("button.entry-open[data-id='{id}']"))
    })
}

#[test]
fn editor_edits_an_entry_resolves_a_conflict_publishes_and_agents_find_the_new_text() {
    let site = start();
    let b = Browser::open(DESKTOP.0, DESKTOP.1);
    b.goto(&format!("{}/admin", site.base));
    b.wait_for("#token");
    b.press(&format!("{TOKEN}{}", key::ENTER));
    b.wait_for("#panel");

    // find the entry by a word of its title, open it
    let search = b.wait_for("#entri-cari");
    b.type_into(&search, &format!("digit{}", key::ENTER));
    let open = only_listed(&b, "digit-reset");
    b.click(&open);
    b.wait_until("form filled", || {
        (value(&b, &b.find("#f-title")?) == "Layanan aplikasi Digit").then_some(())
    });
    assert_eq!(
        value(&b, &b.find("#f-questions").unwrap()),
        "akun digit terkunci"
    );
    let preview = b.wait_until("WhatsApp preview", || {
        let t = b.text(&b.find("#pratinjau-wa")?);
        (!t.is_empty()).then_some(t)
    });
    assert!(preview.contains("Layanan aplikasi Digit"), "{preview}");

    // a problem is shown at its field, and nothing is written
    let file = site.corpus.join("digit.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let title = b.find("#f-title").unwrap();
    b.clear(&title);
    b.click(&b.find("#entri-simpan").unwrap());
    let problem = b.wait_until("problem at the title", || {
        let t = b.text(&b.find("#m-title")?);
        (!t.is_empty()).then_some(t)
    });
    assert!(problem.contains("title"), "{problem}");
    assert_eq!(b.property(&title, "ariaInvalid"), json!("true"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    b.type_into(&title, "Layanan aplikasi Digit");

    // another editor saves the file meanwhile: the save shows both versions
    std::fs::write(
        &file,
        original.replace("tersedia", "tersedia (catatan editor lain)"),
    )
    .unwrap();
    let phrase = "Kode pemulihan Digit dikirim lewat surel dinas berwarna jingga.";
    b.type_into(&b.find("#f-body").unwrap(), &format!("\n\n{phrase}"));
    b.click(&b.find("#entri-simpan").unwrap());
    b.wait_until("conflict shown", || {
        b.find("#konflik").filter(|k| b.displayed(k))
    });
    assert!(b
        .text(&b.find("#konflik-anda").unwrap())
        .contains("surel dinas"));
    assert!(b
        .text(&b.find("#konflik-server").unwrap())
        .contains("catatan editor lain"));
    let problems = accessibility_violations(&b);
    assert!(
        problems.is_empty(),
        "entry form with a conflict: {problems:#?}"
    );
    screenshot(&b, "admin-entry-conflict");
    b.resize(PHONE.0, PHONE.1);
    let wide = overflowing(&b);
    assert!(wide.is_empty(), "entry form at phone width: {wide:?}");
    screenshot(&b, "admin-entry-phone");
    b.resize(DESKTOP.0, DESKTOP.1);
    b.click(&b.find("#konflik-timpa").unwrap());
    let saved = b.wait_until("saved", || {
        let t = b.text(&b.find("#entri-status")?);
        t.starts_with("Tersimpan").then_some(t)
    });
    assert!(saved.contains("Publikasikan"), "{saved}");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains(phrase), "{written}");
    assert!(haipedia::corpus::Corpus::load_dir(&site.corpus).is_ok());
    let history = b.wait_until("history row", || {
        let rows = texts(&b, "#riwayat tbody tr");
        (!rows.is_empty()).then_some(rows)
    });
    assert!(
        history[0].contains("disimpan") && history[0].contains("admin"),
        "{history:?}"
    );

    // publish, then the agents' page finds the new text
    b.click(&b.find("#entri-publikasi").unwrap());
    let result = wait_job_end(&b);
    assert!(result.starts_with("Berhasil"), "{result}");
    b.goto(&format!("{}/", site.base));
    b.wait_for("#q");
    b.press("surel dinas berwarna jingga");
    let ids = settled_hits(&b, |ids| !ids.is_empty());
    assert_eq!(ids[0], "digit-reset", "hits: {ids:?}");

    // undo the save from the entry's history: the other editor's version is back on disk
    let before_save = original.replace("tersedia", "tersedia (catatan editor lain)");
    b.goto(&format!("{}/admin", site.base));
    b.wait_for("#panel");
    let search = b.wait_for("#entri-cari");
    b.type_into(&search, &format!("digit{}", key::ENTER));
    let open = only_listed(&b, "digit-reset");
    b.click(&open);
    let undo = b.wait_until("undo button", || b.find("#riwayat button.undo"));
    b.click(&undo);
    let said = b.wait_until("undone", || {
        let t = b.text(&b.find("#riwayat-status")?);
        t.contains("dibatalkan").then_some(t)
    });
    assert!(said.starts_with("Perubahan #"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before_save);
    b.wait_until("form shows the restored body", || {
        value(&b, &b.find("#f-body")?)
            .contains("catatan editor lain")
            .then_some(())
    });
    let rows = texts(&b, "#riwayat tbody tr");
    assert!(rows[0].contains("pembatalan"), "{rows:?}");
}

#[test]
fn agent_proposes_a_faq_and_the_editor_answers_gaps_and_drafts_in_two_clicks() {
    let site = start();
    let gap = "cara mengurus paspor haji untuk ibu saya";
    assert_eq!(ask(&site, gap)["decision"], "escalate");

    // the agent answers an escalated question by phone, then proposes the answer as a FAQ
    let b = Browser::open(DESKTOP.0, DESKTOP.1);
    b.goto(&format!("{}/", site.base));
    b.wait_for("#q");
    let question = "resep rendang daging sapi khas padang";
    b.press(question);
    b.wait_until("no match shown", || {
        b.find("#kosong").filter(|k| b.displayed(k))
    });
    b.click(&b.find("#draf").unwrap());
    b.wait_until("ticket draft", || {
        b.find("#usul-jawaban").filter(|k| b.displayed(k))
    });
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "proposal form: {problems:#?}");
    let answer = "Pertanyaan ini di luar layanan HAI-DJPb; pengguna diarahkan ke kanal lain.";
    b.type_into(&b.find("#usul-jawaban").unwrap(), answer);
    b.click(&b.find("#usul-kirim").unwrap());
    let sent = b.wait_until("proposal sent", || {
        let t = b.text(&b.find("#usul-status")?);
        (!t.is_empty()).then_some(t)
    });
    assert!(sent.contains("terkirim"), "{sent}");
    screenshot(&b, "agent-proposal");

    // the editor sees the gap and the draft
    b.goto(&format!("{}/admin", site.base));
    b.wait_for("#token");
    b.press(&format!("{TOKEN}{}", key::ENTER));
    let row = b.wait_until("the gap group", || {
        b.find_all("#gap tbody tr")
            .into_iter()
            .find(|r| b.text(r).contains(gap))
    });
    let group = b.property(&row, "dataset")["group"]
        .as_str()
        .unwrap()
        .to_string();
    b.wait_until("the draft", || {
        b.find_all("#usulan li")
            .into_iter()
            .find(|d| b.text(d).contains(question))
    });
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "gaps and drafts: {problems:#?}");
    screenshot(&b, "admin-gaps-drafts");

    // click 1: "add to an entry", type a word, click 2: the entry
    let add = format!("#gap tr[data-group='{group}'] .gap-actions > button");
    b.click(&b.find(&add).unwrap());
    let picker = b.wait_for(&format!("#pilih-{group}"));
    assert_eq!(b.focused_id(), format!("pilih-{group}"));
    b.type_into(&picker, "digit");
    let choice = b.wait_until("the entry offered", || {
        b.find_all(&format!(
            "#gap tr[data-group='{group}'] .gap-choices button"
        ))
        .into_iter()
        .find(|c| b.text(c).contains("(digit-reset)"))
    });
    b.click(&choice);
    let said = b.wait_until("phrasing added", || {
        let t = b.text(&b.find("#gap-status")?);
        t.contains("frasa").then_some(t)
    });
    assert!(said.contains("digit-reset"), "{said}");
    let file = std::fs::read_to_string(site.corpus.join("digit.md")).unwrap();
    assert!(file.contains(gap), "{file}");
    assert!(b.find(&format!("#gap tr[data-group='{group}']")).is_none());
    b.click(&b.find("#gap-selesai-blok summary").unwrap());
    let handled = texts(&b, "#gap-selesai tbody tr").join("\n");
    assert!(
        handled.contains(gap) && handled.contains("digit-reset"),
        "{handled}"
    );

    // click 1: open the draft as a new FAQ (filled), name it, click 2: save
    let open = b
        .find_all("#usulan li")
        .into_iter()
        .find(|d| b.text(d).contains(question))
        .unwrap();
    let open_button = b
        .find_all("#usulan li button")
        .into_iter()
        .find(|x| b.text(x) == "Buka sebagai FAQ baru" && b.text(&open).contains(question))
        .unwrap();
    b.click(&open_button);
    b.wait_until("form filled from the draft", || {
        (value(&b, &b.find("#f-body")?) == answer).then_some(())
    });
    assert_eq!(value(&b, &b.find("#f-title").unwrap()), question);
    b.type_into(&b.find("#f-id").unwrap(), "faq-usulan-uji");
    b.click(&b.find("#entri-simpan").unwrap());
    let linked = b.wait_until("draft published as the entry", || {
        let t = b.text(&b.find("#usulan-status")?);
        t.contains("faq-usulan-uji").then_some(t)
    });
    assert!(linked.starts_with("Usulan disimpan"), "{linked}");
    assert!(site.corpus.join("faq-usulan-uji.md").exists());
    assert!(!texts(&b, "#usulan li").join("\n").contains(question));
    assert!(haipedia::corpus::Corpus::load_dir(&site.corpus).is_ok());

    b.resize(PHONE.0, PHONE.1);
    let wide = overflowing(&b);
    assert!(wide.is_empty(), "gaps at phone width: {wide:?}");
    screenshot(&b, "admin-gaps-phone");
}

#[test]
fn editor_uploads_a_document_sees_its_entries_and_saves_them() {
    let site = start();
    let doc = site.tmp.path().join("jam-kppn-unggah.html");
    std::fs::write(
        &doc,
        "<html><head><title>Jam layanan loket KPPN Unggah</title></head><body><nav>Beranda</nav>\
         <h1>Jam layanan loket KPPN Unggah</h1><p>Loket melayani satker pukul 08.00 sampai 16.00 WIB.</p>\
         <footer>Hak cipta 2026</footer></body></html>",
    )
    .unwrap();
    let b = Browser::open(DESKTOP.0, DESKTOP.1);
    b.goto(&format!("{}/admin", site.base));
    b.wait_for("#token");
    b.press(&format!("{TOKEN}{}", key::ENTER));
    b.wait_for("#panel");

    // the file is chosen and shown as entries: nothing is written yet
    b.type_into(&b.wait_for("#impor-berkas"), doc.to_str().unwrap());
    b.type_into(&b.find("#impor-kategori").unwrap(), "KPPN");
    b.click(&b.find("#impor-lihat").unwrap());
    let said = b.wait_until("the plan", || {
        let t = b.text(&b.find("#impor-status")?);
        t.contains("menjadi").then_some(t)
    });
    assert!(said.contains("1 entri"), "{said}");
    let planned = texts(&b, "#impor-entri li").join("\n");
    assert!(
        planned.contains("Jam layanan loket KPPN Unggah (baru)"),
        "{planned}"
    );
    let imported = site.corpus.join("imported");
    assert!(!imported.exists() || std::fs::read_dir(&imported).unwrap().count() == 0);
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "import plan: {problems:#?}");
    screenshot(&b, "admin-import-plan");

    // saved: the entry is in the corpus and in the entry list
    b.click(&b.find("#impor-simpan").unwrap());
    let said = b.wait_until("saved", || {
        let t = b.text(&b.find("#impor-status")?);
        t.contains("disimpan").then_some(t)
    });
    assert!(said.starts_with("1 entri disimpan"), "{said}");
    let file = std::fs::read_dir(&imported)
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("an entry file");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("08.00") && text.contains("category: \"KPPN\""),
        "{text}"
    );
    assert!(haipedia::corpus::Corpus::load_dir(&site.corpus).is_ok());
    b.wait_until("listed", || {
        texts(&b, "button.entry-open")
            .iter()
            .any(|t| t.contains("KPPN Unggah"))
            .then_some(())
    });

    // the same document again: nothing to save
    b.click(&b.find("#impor-lihat").unwrap());
    let said = b.wait_until("unchanged", || {
        let t = b.text(&b.find("#impor-status")?);
        t.contains("tidak berubah").then_some(t)
    });
    assert!(!b.displayed(&b.find("#impor-simpan").unwrap()), "{said}");
    b.resize(PHONE.0, PHONE.1);
    let wide = overflowing(&b);
    assert!(wide.is_empty(), "import at phone width: {wide:?}");
}

const SMALL_PHONE: (u32, u32) = (375, 812);

/// Elements reaching past the viewport outside a scrolling table, and whether the page itself
/// scrolls sideways.
fn dashboard_overflow(browser: &Browser) -> Value {
    browser.script(
        "const out = [...document.querySelectorAll('body *')]
           .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 0.5)
           .map(e => e.tagName + '#' + e.id + '.' + e.className);
         return {elements: out, page: document.scrollingElement.scrollWidth > window.innerWidth};",
        json!([]),
    )
}

/// The rows of a dashboard table as text (closed `<details>` too).
fn table_rows(browser: &Browser, id: &str) -> Vec<String> {
    let v = browser.script(
        "return [...document.querySelectorAll(`#tabel-${arguments[0]} tbody tr`)]
           .map(tr => [...tr.cells].map(td => td.textContent).join(' | '))",
        json!([id]),
    );
    serde_json::from_value(v).unwrap_or_default()
}

/// The SVG of a panel's chart at `size` (wide or narrow), decoded from its image.
fn chart_svg(browser: &Browser, panel: &str, size: &str) -> String {
    browser
        .script(
            "const img = document.querySelector(`#panel-${arguments[0]} img.chart.${arguments[1]}`);
             return img ? decodeURIComponent(img.src.slice(img.src.indexOf(',') + 1)) : ''",
            json!([panel, size]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn summary(browser: &Browser, term: &str) -> String {
    browser
        .script(
            "const dt = [...document.querySelectorAll('#ringkasan dt')].find(d => d.textContent === arguments[0]);
             return dt ? dt.nextElementSibling.textContent : ''",
            json!([term]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// axe-core's findings with every dashboard table open (closed `<details>` are not checked).
fn violations_with_tables_open(browser: &Browser) -> Vec<String> {
    let toggle = "document.querySelectorAll('details').forEach(d => d.open = arguments[0])";
    browser.script(toggle, json!([true]));
    let problems = accessibility_violations(browser);
    browser.script(toggle, json!([false]));
    problems
}

/// Waits until the dashboard shows `questions` questions in its summary.
fn wait_summary(browser: &Browser, questions: &str) {
    browser.wait_until(&format!("{questions} questions in the summary"), || {
        (summary(browser, "Pertanyaan") == questions).then_some(())
    });
}

#[test]
fn supervisor_reads_the_dashboard_at_desktop_and_phone_width() {
    // four known days ending yesterday (tests/common/seed.rs): 14 questions, feedback, gaps
    let a = haipedia::stats::today_wib() - time::Duration::days(4);
    let site = common::mini_site(Some(TOKEN), |config| {
        common::seed::seed(&config.server.database, a)
    });
    let day = |i: i64| haipedia::stats::day_string(a + time::Duration::days(i));

    // the editors' page links the dashboard
    let b = Browser::open(DESKTOP.0, DESKTOP.1);
    b.goto(&format!("{}/admin", site.base));
    b.wait_for("#token");
    b.press(&format!("{TOKEN}{}", key::ENTER));
    b.wait_for("#panel");
    b.click(
        &b.find("a[href='/admin/dashboard']")
            .expect("a link to the dashboard"),
    );

    // the token is kept in the tab: the dashboard opens on the last 7 days (x0 and x1 inside)
    b.wait_for("#ringkasan");
    wait_summary(&b, "16");
    assert_eq!(value(&b, &b.find("#periode").unwrap()), "7");
    assert_eq!(value(&b, &b.find("#sampai").unwrap()), day(4));

    // the seeded period A..D
    b.goto(&format!(
        "{}/admin/dashboard?from={}&to={}",
        site.base,
        day(0),
        day(3)
    ));
    wait_summary(&b, "14");
    assert_eq!(summary(&b, "Dijawab langsung"), "50%");
    assert_eq!(summary(&b, "Dieskalasi"), "28,6%");
    assert_eq!(summary(&b, "Umpan balik membantu"), "75%");
    assert_eq!(summary(&b, "Generasi baru"), "2");
    let status = b.text(&b.find("#periode-status").unwrap());
    assert!(
        status.starts_with(&format!(
            "{} sampai {} (WIB), semua kanal: 14 pertanyaan",
            day(0),
            day(3)
        )),
        "{status}"
    );

    // tables behind the charts
    assert_eq!(
        table_rows(&b, "decisions"),
        vec![
            format!("{} | 8 | 4 | 1 | 1 | 2", day(0)),
            format!("{} | 4 | 2 | 1 | 0 | 1", day(1)),
            format!("{} | 0 | 0 | 0 | 0 | 0", day(2)),
            format!("{} | 2 | 1 | 0 | 0 | 1", day(3)),
        ]
    );
    assert_eq!(
        table_rows(&b, "latency")[0],
        format!("{} | 8 | 30,0 | 70,0", day(0))
    );
    assert_eq!(
        table_rows(&b, "latency")[2],
        format!("{} | 0 | – | –", day(2))
    );
    let shares = table_rows(&b, "shares");
    assert!(
        shares[0].starts_with(&format!("{} | 50,0% | 25,0% | 8 (", day(0))),
        "{shares:?}"
    );
    assert!(shares[1].contains("| 9 ("), "{shares:?}");
    assert_eq!(table_rows(&b, "ratings")[4], "5 Sangat Puas | 2 | 28,6%");
    assert_eq!(
        table_rows(&b, "categories")[0],
        "TIK.2 Layanan Pengelolaan User | 5 | 4 | 0 | 0 | 1 | 80,0%"
    );
    assert_eq!(
        table_rows(&b, "categories")[1],
        "(tanpa kategori) | 4 | 1 | 0 | 1 | 2 | 25,0%"
    );
    let reliability = table_rows(&b, "reliability");
    assert_eq!(reliability[2], "0,80–0,85 | 2 | 0,83 | 2 | 2 | 100,0%");
    let gaps = table_rows(&b, "gaps");
    assert!(
        gaps[0].contains("paspor") && gaps[0].ends_with("| 3 | 4"),
        "{gaps:?}"
    );
    assert!(
        gaps.iter().any(|g| g.contains("[NIK]"))
            && !gaps.iter().any(|g| g.contains("3174012345678901")),
        "{gaps:?}"
    );
    let page = b.script("return document.body.innerHTML", json!([]));
    assert!(
        !page.to_string().contains("3174012345678901")
            && !page.to_string().contains("budi@example.com")
    );
    assert!(
        b.find("#panel-gaps a[href='/admin#celah']").is_some(),
        "the gap list is linked"
    );

    // charts: every image loaded, at desktop size, with a text alternative; bars and marks drawn
    let charts = b.script(
        "return [...document.querySelectorAll('img.chart.wide')].map(i =>
           [i.complete && i.naturalWidth > 0, getComputedStyle(i).display !== 'none', i.alt.length > 20])",
        json!([]),
    );
    assert_eq!(charts.as_array().map(Vec::len), Some(8), "{charts}");
    assert!(
        charts
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c == &json!([true, true, true])),
        "{charts}"
    );
    let bars = chart_svg(&b, "decisions", "wide");
    let fills = |svg: &str, color: &str| svg.matches(&format!("fill=\"{color}\"")).count();
    assert_eq!(
        [
            fills(&bars, "#009E73"),
            fills(&bars, "#E69F00"),
            fills(&bars, "#56B4E9"),
            fills(&bars, "#D55E00")
        ],
        [3, 2, 1, 3],
        "answered on A, B, D; clarified on A, B; routed on A; escalated on A, B, D"
    );
    let shares_svg = chart_svg(&b, "shares", "wide");
    let marked = |svg: &str, g: &str| svg.contains(&format!(">\n{g}\n</text>"));
    assert!(
        marked(&shares_svg, "G8") && marked(&shares_svg, "G9"),
        "switches marked"
    );
    assert!(marked(&chart_svg(&b, "latency", "narrow"), "G9"));
    let legend = texts(&b, "#panel-decisions .legend li");
    assert_eq!(
        legend,
        ["Dijawab", "Klarifikasi", "Dialihkan ke menu", "Dieskalasi"]
    );

    // accessibility with every table open, then the desktop screenshot
    let problems = violations_with_tables_open(&b);
    assert!(
        problems.is_empty(),
        "dashboard at desktop width: {problems:#?}"
    );
    screenshot(&b, "dashboard-desktop");

    // one channel
    select(&b, "#kanal", "web");
    wait_summary(&b, "2");
    assert!(b.url().contains("channel=web"), "{}", b.url());

    // a CSV of one table, downloaded with the token
    b.click(&b.find("#panel-decisions button.csv").unwrap());
    let said = b.wait_until("CSV downloaded", || {
        let t = b.text(&b.find("#panel-decisions .csv-status")?);
        (!t.is_empty()).then_some(t)
    });
    assert_eq!(
        said,
        format!(
            "CSV diunduh: haipedia-decisions-{}-{}-web.csv",
            day(0),
            day(3)
        )
    );

    // a period the API refuses: the field is marked, the message names it
    select(&b, "#kanal", "");
    wait_summary(&b, "14");
    b.script(
        "document.getElementById('dari').value = arguments[0];
         document.getElementById('sampai').value = arguments[1];",
        json!([day(3), day(0)]),
    );
    b.click(&b.find("#tampilkan").unwrap());
    let refused = b.wait_until("refused", || {
        let t = b.text(&b.find("#periode-status")?);
        t.starts_with("Tidak dapat").then_some(t)
    });
    assert!(refused.contains("from:"), "{refused}");
    assert_eq!(
        b.property(&b.find("#dari").unwrap(), "ariaInvalid"),
        json!("true")
    );

    // phone width: the phone-sized charts, no sideways scrolling, no violations
    select(&b, "#periode", "30");
    wait_summary(&b, "16");
    b.resize(SMALL_PHONE.0, SMALL_PHONE.1);
    let shown = b.script(
        "return [...document.querySelectorAll('img.chart')].filter(i => getComputedStyle(i).display !== 'none')
           .map(i => i.classList.contains('narrow') && i.getBoundingClientRect().right <= window.innerWidth)",
        json!([]),
    );
    let debug = b.script(
        "return [window.innerWidth, ...[...document.querySelectorAll('img.chart')].filter(i => getComputedStyle(i).display !== 'none')
           .map(i => i.className + ' ' + i.getBoundingClientRect().width + ' ' + i.getBoundingClientRect().right)]",
        json!([]),
    );
    assert_eq!(
        shown,
        json!(vec![true; 8]),
        "phone-sized charts that fit: {debug}"
    );
    let overflow = dashboard_overflow(&b);
    assert_eq!(
        overflow,
        json!({"elements": [], "page": false}),
        "no sideways scrolling at phone width"
    );
    let problems = violations_with_tables_open(&b);
    assert!(
        problems.is_empty(),
        "dashboard at phone width: {problems:#?}"
    );
    screenshot(&b, "dashboard-phone");
    b.script(
        "document.getElementById('panel-shares').scrollIntoView()",
        json!([]),
    );
    screenshot(&b, "dashboard-phone-shares");

    // logging out asks for the token again
    b.script("window.scrollTo(0, 0)", json!([]));
    b.click(&b.find("#keluar").unwrap());
    b.wait_for("#token");
    let problems = accessibility_violations(&b);
    assert!(problems.is_empty(), "dashboard login: {problems:#?}");
}
