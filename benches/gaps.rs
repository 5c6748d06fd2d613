//! The editors' gap list and question recording with 1 million stored questions (issue 17: the list
//! is a query, not a scan, and the store thread never blocks writes for long).
//!
//! cargo bench --bench gaps   (builds the database once under target/, about a minute)

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use haipedia::analysis::Analyzer;
use haipedia::store::{GapState, Journal, Page, QuestionRecord};

const QUESTIONS: usize = 1_000_000;

/// Words questions are made of: 40 topics x 30 details, so gap questions form many groups.
const TOPICS: [&str; 40] = [
    "paspor",
    "visa",
    "pajak",
    "bpjs",
    "pensiun",
    "kur",
    "umkm",
    "sim",
    "ktp",
    "kk",
    "npwp",
    "lpse",
    "taspen",
    "asabri",
    "beasiswa",
    "cpns",
    "pppk",
    "tunjangan",
    "gaji",
    "thr",
    "zakat",
    "haji",
    "listrik",
    "air",
    "tol",
    "kereta",
    "pesawat",
    "bank",
    "kredit",
    "asuransi",
    "saham",
    "emas",
    "tanah",
    "rumah",
    "mobil",
    "motor",
    "sekolah",
    "kuliah",
    "rumah sakit",
    "obat",
];
const DETAILS: [&str; 30] = [
    "cara daftar",
    "syarat",
    "biaya",
    "lama proses",
    "lokasi kantor",
    "jam buka",
    "online",
    "perpanjang",
    "hilang",
    "rusak",
    "ganti nama",
    "pindah alamat",
    "batas usia",
    "denda",
    "formulir",
    "antrian",
    "nomor telepon",
    "email resmi",
    "status",
    "pembatalan",
    "pengembalian",
    "ahli waris",
    "luar negeri",
    "anak",
    "lansia",
    "disabilitas",
    "darurat",
    "akhir pekan",
    "libur",
    "kuota",
];

/// Question `i`: one in ten is escalated; the two coined words make most gap questions a group
/// of their own (a worst case for grouping: about 100,000 groups).
fn record(i: usize) -> QuestionRecord {
    let escalate = i % 10 == 3;
    let mix = i.wrapping_mul(2_654_435_761) % 1_000_003;
    QuestionRecord {
        request_id: format!("q{i}"),
        question: format!(
            "{} {} hal{} perihal{}",
            DETAILS[mix % DETAILS.len()],
            TOPICS[(mix / 30) % TOPICS.len()],
            mix % 997,
            (mix / 997) % 211
        ),
        channel: "whatsapp",
        decision: if escalate { "escalate" } else { "answer" },
        confidence: 0.5,
        ..Default::default()
    }
}

/// The database with `QUESTIONS` questions, built once.
fn store() -> Journal {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gaps-1m-v2.sqlite");
    let mut store = Journal::open(&path, Analyzer::new()).expect("store");
    let have = store.question_count().expect("count");
    for start in (have..QUESTIONS).step_by(10_000) {
        let batch: Vec<QuestionRecord> = (start..(start + 10_000).min(QUESTIONS))
            .map(record)
            .collect();
        store.record_questions(&batch).expect("record");
    }
    store
}

fn gaps(c: &mut Criterion) {
    let mut store = store();
    let mut group = c.benchmark_group("gaps_1m_questions");
    group.bench_function("gap_list_first_page_100", |b| {
        b.iter(|| {
            store
                .unanswered(
                    GapState::Open,
                    Page {
                        limit: 100,
                        offset: 0,
                    },
                )
                .expect("list")
        })
    });
    group.bench_function("gap_list_page_50_of_100", |b| {
        b.iter(|| {
            store
                .unanswered(
                    GapState::Open,
                    Page {
                        limit: 100,
                        offset: 4_900,
                    },
                )
                .expect("list")
        })
    });
    // fresh ids beyond what earlier runs added
    let mut next = store.question_count().expect("count") + QUESTIONS;
    group.bench_function("record_batch_of_10_with_one_gap", |b| {
        b.iter(|| {
            let batch: Vec<QuestionRecord> = (next..next + 10).map(record).collect();
            next += 10;
            store.record_questions(&batch).expect("record")
        })
    });
    group.finish();
}

criterion_group!(benches, gaps);
criterion_main!(benches);
