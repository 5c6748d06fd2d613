//! The store contract: the same checks on each backend (SQLite in a temporary file, a real
//! PostgreSQL started in a temporary folder), so the embedded default and the cluster's shared
//! store keep the same records, gap list, change log and drafts. Then PostgreSQL's outage: answers'
//! records wait in memory, counted, and none is lost when it comes back.

mod common;

use std::time::{Duration, Instant};

use common::postgres::Postgres;
use haipedia::analysis::Analyzer;
use haipedia::changes::{Action, ChangeLog, NewChange};
use haipedia::drafts::{DraftBox, DraftError, DraftStatus, NewDraft};
use haipedia::store::{
    FeedbackRecord, GapState, Journal, Location, Page, QuestionRecord, Recorder, StoreError,
};

const NIK: &str = "3174012345678901";
const PAGE: Page = Page {
    limit: 10,
    offset: 0,
};

fn q(id: &str, text: &str, decision: &'static str) -> QuestionRecord {
    QuestionRecord {
        request_id: id.into(),
        question: text.into(),
        channel: "whatsapp",
        decision,
        confidence: 0.1,
        ..Default::default()
    }
}

fn bad(id: &str, comment: Option<&str>) -> FeedbackRecord {
    FeedbackRecord {
        request_id: id.into(),
        helpful: false,
        rating: Some(1),
        comment: comment.map(str::to_string),
    }
}

fn journal(at: &Location) -> Journal {
    Journal::new(at.open().expect("open the store"), Analyzer::new()).expect("journal")
}

/// Questions masked, gaps grouped by frequency, handled groups leave the open list and come back
/// when asked again; feedback only on known requests.
fn gaps_are_grouped_and_handled(at: &Location) {
    let recorder = Recorder::start(journal(at), 365);
    recorder.question(q(
        "a",
        &format!("cara buat paspor online nik {NIK}"),
        "escalate",
    ));
    recorder.question(q("b", "cara buat paspor online", "escalate"));
    recorder.question(q("c", "jam layanan hai djpb", "answer"));
    recorder.question(q("d", "tarif pajak umkm", "escalate"));
    recorder.question(q("e", "reset sakti gagal terus", "answer"));
    // feedback right after its question: the question is written first
    recorder
        .feedback(bad("e", Some("email saya a@b.co")))
        .unwrap();
    // an unknown request: refused by the embedded store; a shared one waits for another node to
    // write the question (see `early_feedback`), so it accepts it and never writes it
    let unknown = recorder.feedback(bad("zz", None));
    match at {
        Location::Sqlite(_) => assert!(matches!(unknown, Err(StoreError::UnknownRequest(_)))),
        Location::Postgres(_) => assert!(unknown.is_ok()),
    }
    let gaps = recorder.unanswered(GapState::Open, PAGE).unwrap();
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    assert_eq!(gaps[0].count, 2);
    assert!(gaps[0].question.contains("paspor"));
    assert!(gaps.iter().any(|g| g.question.contains("reset sakti")));
    assert!(gaps
        .iter()
        .all(|g| !g.question.contains(NIK) && g.examples.iter().all(|e| !e.contains(NIK))));

    let handled = recorder
        .handle_gap(gaps[0].id, "faq-paspor", "ani")
        .unwrap()
        .unwrap();
    assert_eq!(handled.entry.as_deref(), Some("faq-paspor"));
    assert!(handled.handled_at.is_some());
    assert!(recorder.handle_gap(9_999, "x", "ani").unwrap().is_none());
    assert_eq!(recorder.gap(handled.id).unwrap(), Some(handled.clone()));
    let open = recorder.unanswered(GapState::Open, PAGE).unwrap();
    assert_eq!(open.len(), 2);
    assert!(open.iter().all(|g| g.id != handled.id));
    let done = recorder.unanswered(GapState::Handled, PAGE).unwrap();
    assert_eq!(
        done.iter().map(|g| g.id).collect::<Vec<_>>(),
        vec![handled.id]
    );
    recorder.question(q("f", "cara buat paspor online?", "escalate"));
    let open = recorder.unanswered(GapState::Open, PAGE).unwrap();
    let again = open.iter().find(|g| g.id == handled.id).expect("reopened");
    assert_eq!(
        (again.count, again.entry.as_deref()),
        (3, Some("faq-paspor"))
    );
    assert!(recorder
        .unanswered(GapState::Handled, PAGE)
        .unwrap()
        .is_empty());
    assert_eq!(recorder.counts().unwrap(), (6, 1));
    recorder.close().unwrap();
}

/// One feedback per answer, the later replaces it; a bad rating in between made it a gap and it
/// stays one. Generation switches are recorded when they change; the retention deletes what is
/// older, with its feedback.
fn feedback_generations_and_retention(at: &Location) {
    let mut j = journal(at);
    j.record_questions(&[q("a", "jam layanan", "answer")])
        .unwrap();
    for (helpful, rating) in [(true, 5), (false, 1), (true, 4)] {
        j.record_feedback(&FeedbackRecord {
            request_id: "a".into(),
            helpful,
            rating: Some(rating),
            comment: None,
        })
        .unwrap();
    }
    assert_eq!(j.feedback_count().unwrap(), 1);
    assert_eq!(j.unanswered(GapState::Open, PAGE).unwrap().len(), 1);

    let mut old = q("old", "visa kerja jepang", "escalate");
    old.asked_at = Some("2020-01-01T00:00:00Z".into());
    j.record_questions(&[old]).unwrap();
    j.record_feedback(&bad("old", None)).unwrap();
    j.record_generation_at(3, "2020-01-01T00:00:00Z").unwrap();
    j.record_generation(4).unwrap();
    j.record_generation(4).unwrap();
    assert_eq!(j.question_count().unwrap(), 2);
    assert_eq!(j.purge_older_than(365).unwrap(), 1);
    assert_eq!(j.question_count().unwrap(), 1);
    assert_eq!(
        j.feedback_count().unwrap(),
        1,
        "the old one's feedback went with it"
    );
    // opening again keeps everything
    drop(j);
    let mut j = journal(at);
    assert_eq!(j.question_count().unwrap(), 1);
    assert_eq!(j.unanswered(GapState::Open, PAGE).unwrap().len(), 1);
}

/// The change log: records, filters by entry, links undos.
fn change_log(at: &Location) {
    let log = ChangeLog::at(at).unwrap();
    let change = |action, entry: &str, undoes| NewChange {
        who: "ani".into(),
        action,
        entry: Some(entry.into()),
        path: Some(format!("{entry}.md")),
        before: None,
        after: Some("x".into()),
        undoes,
    };
    let a = log.record(change(Action::Create, "a", None)).unwrap();
    log.record(change(Action::Save, "b", None)).unwrap();
    let u = log.record(change(Action::Undo, "a", Some(a.id))).unwrap();
    assert_eq!(log.list(None, 10, 0).unwrap().len(), 3);
    let of_a = log.list(Some("a"), 10, 0).unwrap();
    assert_eq!(
        of_a.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![u.id, a.id]
    );
    assert_eq!(of_a[1].undone_by, Some(u.id));
    assert_eq!(of_a[1].action, Action::Create);
    assert_eq!(log.list(None, 1, 1).unwrap()[0].entry.as_deref(), Some("b"));
    assert_eq!(log.get(a.id).unwrap().map(|c| c.who), Some("ani".into()));
}

/// Drafts: masked, listed by status, closed once.
fn drafts(at: &Location) {
    let drafts = DraftBox::at(at).unwrap();
    let d = drafts
        .propose(&NewDraft {
            question: format!("nik saya {NIK} tidak terdaftar"),
            answer: "Hubungi KPPN.".into(),
            request_id: Some("r1".into()),
        })
        .unwrap();
    assert!(!d.question.contains(NIK));
    assert_eq!(d.status, DraftStatus::Open);
    assert_eq!(
        drafts.list(DraftStatus::Open, 10, 0).unwrap(),
        vec![d.clone()]
    );
    let done = drafts.close(d.id, Some("faq-nik"), "ani").unwrap();
    assert_eq!(
        (done.status, done.entry.as_deref()),
        (DraftStatus::Published, Some("faq-nik"))
    );
    assert!(matches!(
        drafts.close(d.id, None, "ani"),
        Err(DraftError::Handled { .. })
    ));
    assert!(matches!(
        drafts.close(999, None, "ani"),
        Err(DraftError::NotFound(999))
    ));
    assert_eq!(drafts.list(DraftStatus::Published, 10, 0).unwrap().len(), 1);
}

/// Every check of the contract, each on a fresh database from `fresh`.
fn contract(fresh: impl Fn() -> Location) {
    gaps_are_grouped_and_handled(&fresh());
    feedback_generations_and_retention(&fresh());
    // the journal creates (or migrates) the tables; the change log and drafts share its database
    let shared = fresh();
    drop(journal(&shared));
    change_log(&shared);
    drafts(&shared);
}

#[test]
fn sqlite_keeps_the_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    contract(|| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Location::Sqlite(tmp.path().join(i.to_string()).join("haipedia.sqlite"))
    });
    // nothing personal reaches the files
    for i in 0..3 {
        let raw = std::fs::read(tmp.path().join(format!("{i}/haipedia.sqlite"))).unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(!text.contains(NIK) && !text.contains("a@b.co"));
    }
}

#[test]
fn postgres_keeps_the_contract_and_outlives_an_outage() {
    let pg = Postgres::start();
    contract(|| Location::Postgres(pg.database()));
    // nothing personal reaches the tables
    let url = pg.database();
    gaps_are_grouped_and_handled(&Location::Postgres(url.clone()));
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let text: String = client
        .query_one(
            "SELECT string_agg(question, ' ') || coalesce((SELECT string_agg(comment, ' ')
             FROM feedback), '') FROM questions",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(text.contains("paspor"));
    assert!(!text.contains(NIK) && !text.contains("a@b.co"), "{text}");
    drop(client);

    early_feedback(&Location::Postgres(pg.database()));
    outage(&pg, &Location::Postgres(pg.database()));
}

/// In a cluster, feedback may reach a node before the node that answered wrote the question:
/// it is accepted and written when the question arrives.
fn early_feedback(at: &Location) {
    let b = Recorder::start(journal(at), 365);
    b.feedback(bad("elsewhere", None)).unwrap();
    assert_eq!(b.counts().unwrap(), (0, 0));
    let a = Recorder::start(journal(at), 365);
    a.question(q("elsewhere", "jam layanan", "answer"));
    assert_eq!(a.counts().unwrap(), (1, 0));
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.counts().unwrap().1 == 0 {
        assert!(
            Instant::now() < deadline,
            "the early feedback was not written"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    a.close().unwrap();
    b.close().unwrap();
}

/// PostgreSQL stops while questions and feedback keep coming: they wait in memory (counted),
/// reads fail as unavailable, and when it is back every record is written.
fn outage(pg: &Postgres, at: &Location) {
    let recorder = Recorder::start(journal(at), 365);
    recorder.question(q("before", "jam layanan", "answer"));
    assert_eq!(recorder.counts().unwrap(), (1, 0));
    pg.stop();
    for i in 0..50 {
        recorder.question(q(&format!("q{i}"), "reset sakti gagal", "escalate"));
    }
    // accepted while the store is down, written after its question
    recorder
        .feedback(bad("q7", Some("tidak membantu")))
        .unwrap();
    recorder.feedback(bad("before", None)).unwrap();
    assert!(matches!(
        recorder.unanswered(GapState::Open, PAGE),
        Err(StoreError::Unavailable { .. })
    ));
    let counters = recorder.counters();
    assert!(!counters.up());
    assert_eq!(counters.backlog(), 52);
    assert_eq!(counters.dropped(), 0);
    let metrics = counters.render("postgres");
    assert!(metrics.contains("haipedia_store_backlog_records{backend=\"postgres\"} 52"));
    assert!(metrics.contains("haipedia_store_up{backend=\"postgres\"} 0"));

    pg.start_again();
    let deadline = Instant::now() + Duration::from_secs(30);
    while recorder.counters().backlog() > 0 {
        assert!(Instant::now() < deadline, "the backlog was not written");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (questions, feedback) = recorder.counts().unwrap();
    assert_eq!(questions, 51);
    assert_eq!(feedback, 2);
    assert!(recorder.counters().up());
    let gaps = recorder.unanswered(GapState::Open, PAGE).unwrap();
    assert!(gaps.iter().any(|g| g.count == 50), "{gaps:?}");
    recorder.close().unwrap();
}
