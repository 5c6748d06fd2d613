//! A question store with known rows for the dashboard's tests: four WIB days A..D (C empty), rows
//! on both sides of each WIB midnight, feedback, gaps, generation switches and one row of an older
//! version (no latency). The figures it must give are written out in the tests.
#![allow(dead_code)]

use std::path::Path;

use haipedia::analysis::Analyzer;
use haipedia::stats::{utc_string, WIB};
use haipedia::store::{FeedbackRecord, Journal, QuestionRecord};
use time::{Date, Duration, Time};

/// TIK.2, a catalogue service.
pub const TIK2: &str = "TIK.2 Layanan Pengelolaan User";
/// Another catalogue service.
pub const ANGGARAN: &str = "Layanan Konsultasi Teknis Pelaksanaan Anggaran";
/// A general category (not a service).
pub const UMUM: &str = "Umum HAI-DJPb";
/// The catalogue service of complaints.
pub const PENGADUAN: &str = "Layanan Pengaduan";
/// A NIK in one question: it must never reach the dashboard.
pub const NIK: &str = "3174012345678901";

/// One seeded question: id, days after day A (-1: the day before the period), WIB time of day,
/// channel, decision, confidence, latency (ms), category, service, feedback (helpful, rating) and
/// the question.
type Row = (
    &'static str,
    i64,
    (u8, u8, u8),
    &'static str,
    &'static str,
    f64,
    Option<f64>,
    Option<&'static str>,
    Option<&'static str>,
    Option<(bool, Option<u8>)>,
    &'static str,
);

/// The stored UTC time of `day` days after `a` at WIB `hms`.
pub fn stored(a: Date, day: i64, (h, m, s): (u8, u8, u8)) -> String {
    let t = Time::from_hms(h, m, s).expect("time");
    utc_string((a + Duration::days(day)).with_time(t).assume_offset(WIB))
}

/// Writes the known rows into the store at `path`, day A being `a`.
pub fn seed(path: &Path, a: Date) {
    let mut store = Journal::open(path, Analyzer::new()).expect("store");
    seed_journal(&mut store, a);
}

/// Writes the known rows through `store` (any backend), day A being `a`.
pub fn seed_journal(store: &mut Journal, a: Date) {
    let t = Some(TIK2);
    #[rustfmt::skip]
    let rows: [Row; 16] = [
        // the day before the period, one second before midnight WIB: not counted
        ("x0", -1, (23, 59, 59), "whatsapp", "answer", 0.9, Some(1.0), t, t, None, "reset sakti"),
        // day A: 8 questions
        ("a1", 0, (0, 10, 0), "whatsapp", "answer", 0.72, Some(10.0), t, t, Some((true, Some(5))), "lupa password sakti"),
        ("a2", 0, (8, 0, 0), "whatsapp", "answer", 0.76, Some(20.0), t, t, Some((true, Some(4))), "user sakti terkunci"),
        ("a3", 0, (9, 0, 0), "whatsapp", "answer", 0.91, Some(30.0), Some(UMUM), None, Some((false, Some(2))), "jam layanan kppn sabtu"),
        ("a4", 0, (10, 0, 0), "web", "answer", 0.93, Some(40.0), Some(ANGGARAN), Some(ANGGARAN), None, "revisi dipa"),
        ("a5", 0, (11, 0, 0), "whatsapp", "clarify", 0.55, Some(50.0), Some(UMUM), None, Some((false, Some(1))), "syarat pengajuan tup"),
        ("a6", 0, (12, 0, 0), "whatsapp", "route", 1.0, Some(5.0), None, None, None, "cek status sp2d 123456789012345"),
        ("a7", 0, (13, 0, 0), "whatsapp", "escalate", 0.2, Some(60.0), Some(UMUM), Some(PENGADUAN), None, "cara buat paspor"),
        ("a8", 0, (23, 59, 59), "agent", "escalate", 0.1, Some(70.0), None, None, None, "cara buat paspor online"),
        // day B: 4 questions, the first at midnight WIB
        ("b1", 1, (0, 0, 0), "whatsapp", "answer", 0.82, Some(15.0), t, t, Some((true, Some(5))), "reset mfa sakti"),
        ("b2", 1, (9, 0, 0), "whatsapp", "answer", 0.84, Some(25.0), t, t, Some((true, None)), "aktivasi user sakti"),
        ("b3", 1, (10, 0, 0), "web", "escalate", 0.3, Some(35.0), t, t, None, "tarif pajak mobil mewah nik 3174012345678901"),
        ("b4", 1, (11, 0, 0), "portal", "clarify", 0.45, Some(45.0), Some(ANGGARAN), Some(ANGGARAN), Some((true, Some(3))), "pagu minus"),
        // day C: nothing; day D: 2 questions, one as an older version stored it (no latency)
        ("d1", 3, (14, 0, 0), "whatsapp", "escalate", 0.15, Some(100.0), None, None, None, "cara buat paspor anak"),
        ("d2", 3, (15, 0, 0), "whatsapp", "answer", 0.99, None, None, None, Some((true, Some(4))), "alamat kppn"),
        // the day after the period, at midnight WIB: not counted
        ("x1", 4, (0, 0, 0), "whatsapp", "escalate", 0.1, Some(1.0), None, None, None, "cara buat paspor dinas"),
    ];
    for (
        id,
        day,
        at,
        channel,
        decision,
        confidence,
        latency_ms,
        category,
        service,
        feedback,
        question,
    ) in rows
    {
        store
            .record_questions(&[QuestionRecord {
                request_id: id.into(),
                question: question.into(),
                channel,
                decision,
                confidence,
                top_id: None,
                latency_ms,
                generation: Some(1),
                category: category.map(str::to_string),
                service: service.map(str::to_string),
                asked_at: Some(stored(a, day, at)),
            }])
            .expect("record");
        if let Some((helpful, rating)) = feedback {
            store
                .record_feedback(&FeedbackRecord {
                    request_id: id.into(),
                    helpful,
                    rating,
                    comment: Some("email saya budi@example.com".into()),
                })
                .expect("feedback");
        }
    }
    // switches: before the period, on A at 02:00 and B at 14:30 WIB, then at midnight after D
    for (generation, day, at) in [
        (7, -5, (9, 0, 0)),
        (8, 0, (2, 0, 0)),
        (9, 1, (14, 30, 0)),
        (10, 4, (0, 0, 0)),
    ] {
        store
            .record_generation_at(generation, &stored(a, day, at))
            .expect("generation");
    }
    store.checkpoint().expect("checkpoint");
}
