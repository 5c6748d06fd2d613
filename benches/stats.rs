//! The dashboard's figures over a year of traffic (issue 16): fills a real SQLite store through
//! `Store` with about a million questions (2025, four channels, every decision, feedback and
//! ratings, gap groups, a publish every two weeks), then times `StatsReader::stats` for a year,
//! a month, a week and a day, and prints min, median, p99 and max of each.
//!
//! cargo bench --bench stats            (builds the database once under target/, a few minutes)
//! STATS_RUNS=50 cargo bench --bench stats

use std::path::PathBuf;
use std::time::Instant;

use haipedia::analysis::Analyzer;
use haipedia::catalogue::{GENERAL_CATEGORIES, SERVICES};
use haipedia::draws::Draws;
use haipedia::stats::{utc_string, StatsQuery, StatsReader, WIB};
use haipedia::store::{FeedbackRecord, Journal, QuestionRecord};
use time::macros::date;
use time::{Date, Duration, Time};

/// Questions in the year.
const QUESTIONS: u64 = 1_000_000;
const FIRST_DAY: Date = date!(2025 - 01 - 01);
const DAYS: u64 = 365;

const TOPICS: [&str; 12] = [
    "sakti",
    "spm",
    "sp2d",
    "digit",
    "kontrak",
    "revisi dipa",
    "gaji",
    "tukin",
    "lpj",
    "up tup",
    "rekening",
    "pajak",
];
const DETAILS: [&str; 10] = [
    "cara",
    "syarat",
    "lama proses",
    "gagal",
    "ditolak",
    "status",
    "batas waktu",
    "biaya",
    "formulir",
    "kontak",
];

/// Question `i`: its time of day follows office hours; decisions, channels,
/// categories, latency and feedback have the shares a contact centre sees.
fn question(i: u64, rng: &mut Draws) -> (QuestionRecord, Option<FeedbackRecord>) {
    let day = i * DAYS / QUESTIONS;
    let date = FIRST_DAY + Duration::days(day as i64);
    let weekend = matches!(
        date.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    );
    // office hours mostly (07-17 WIB), some in the evening
    let hour = if rng.unit() < 0.8 {
        7 + rng.below(10)
    } else {
        rng.below(24)
    } as u8;
    let at =
        Time::from_hms(hour, rng.below(60) as u8, rng.below(60) as u8).unwrap_or(Time::MIDNIGHT);
    let asked_at = utc_string(date.with_time(at).assume_offset(WIB));
    let channel = match rng.below(100) {
        0..=69 => "whatsapp",
        70..=84 => "web",
        85..=92 => "portal",
        _ => "agent",
    };
    let d = rng.below(100);
    let (decision, confidence) = match d {
        0..=54 => ("answer", 0.70 + 0.30 * rng.unit()),
        55..=69 => ("clarify", 0.40 + 0.30 * rng.unit()),
        70..=81 => ("route", 1.0),
        _ => ("escalate", 0.40 * rng.unit()),
    };
    // a skewed choice of topic: the first services are asked most
    let pick = (rng.unit() * rng.unit() * 24.0) as usize;
    let category = (decision != "route").then(|| {
        if pick < 20 {
            SERVICES[pick].to_string()
        } else {
            GENERAL_CATEGORIES[pick - 20].to_string()
        }
    });
    let service = category
        .clone()
        .filter(|c| haipedia::catalogue::is_service(c));
    // a publish every two weeks makes answers a little slower or faster; a few slow outliers
    let generation = 1 + day / 14;
    let base = 18.0 + (generation % 3) as f64 * 4.0 + if weekend { -2.0 } else { 0.0 };
    let latency = base * (1.0 + rng.unit())
        + if rng.below(100) == 0 {
            200.0 * rng.unit()
        } else {
            0.0
        };
    let topic = TOPICS[rng.below(TOPICS.len() as u64) as usize];
    let detail = DETAILS[rng.below(DETAILS.len() as u64) as usize];
    let record = QuestionRecord {
        request_id: format!("q{i}"),
        question: format!("{detail} {topic} satker {}", 100_000 + rng.below(900_000)),
        channel,
        decision,
        confidence,
        top_id: None,
        latency_ms: Some(latency),
        generation: Some(generation),
        category,
        service,
        asked_at: Some(asked_at),
    };
    // a fifth of answers and choices get feedback; helpful about as often as the confidence says
    let feedback = (matches!(decision, "answer" | "clarify") && rng.below(5) == 0).then(|| {
        let helpful = rng.unit() < confidence;
        let rating = if helpful {
            3 + rng.below(3)
        } else {
            1 + rng.below(3)
        } as u8;
        FeedbackRecord {
            request_id: format!("q{i}"),
            helpful,
            rating: (rng.below(10) < 8).then_some(rating),
            comment: None,
        }
    });
    (record, feedback)
}

/// The database, filled once (kept under target/ for the next run).
fn database() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stats-1m-v1.sqlite");
    let mut store = Journal::open(&path, Analyzer::new()).expect("store");
    let have = store.question_count().expect("count") as u64;
    if have < QUESTIONS {
        let started = Instant::now();
        let mut rng = Draws(have.wrapping_mul(31) + 7);
        let mut next_generation = 1 + have * DAYS / QUESTIONS / 14;
        for start in (have..QUESTIONS).step_by(10_000) {
            let (batch, feedback): (Vec<_>, Vec<_>) = (start..(start + 10_000).min(QUESTIONS))
                .map(|i| question(i, &mut rng))
                .unzip();
            for q in &batch {
                let g = q.generation.unwrap_or(1);
                if g >= next_generation {
                    let day = FIRST_DAY + Duration::days(((g - 1) * 14) as i64);
                    let at = utc_string(
                        day.with_time(Time::from_hms(19, 0, 0).unwrap_or(Time::MIDNIGHT))
                            .assume_offset(WIB),
                    );
                    store.record_generation_at(g, &at).expect("generation");
                    next_generation = g + 1;
                }
            }
            store.record_questions(&batch).expect("record");
            for f in feedback.iter().flatten() {
                store.record_feedback(f).expect("feedback");
            }
            eprint!("\rfilling: {} questions", start + batch.len() as u64);
        }
        store.checkpoint().expect("checkpoint");
        eprintln!(" in {:.0} s", started.elapsed().as_secs_f64());
    }
    path
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this with no flag: build only
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let path = database();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let runs: usize = std::env::var("STATS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let reader = StatsReader::new(&path);
    let last = FIRST_DAY + Duration::days(DAYS as i64 - 1);
    let period = |days: i64, channel: Option<&str>| {
        let from = haipedia::stats::day_string(last - Duration::days(days - 1));
        let to = haipedia::stats::day_string(last);
        StatsQuery::parse(Some(&from), Some(&to), channel, last).expect("period")
    };
    println!(
        "stats over {} questions ({:.0} MB database), {runs} runs each, ms:",
        QUESTIONS,
        size as f64 / 1e6
    );
    println!(
        "{:<24} {:>8} {:>8} {:>8} {:>8} {:>10}",
        "period", "min", "median", "p99", "max", "questions"
    );
    for (name, query) in [
        ("year (365 days)", period(365, None)),
        ("year, whatsapp only", period(365, Some("whatsapp"))),
        ("30 days", period(30, None)),
        ("7 days", period(7, None)),
        ("1 day", period(1, None)),
    ] {
        let mut times = Vec::with_capacity(runs);
        let mut questions = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let stats = reader.stats(&query).expect("stats");
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            questions = stats.totals.decisions.questions;
        }
        times.sort_by(f64::total_cmp);
        let rank = |p: f64| times[((p * runs as f64).ceil() as usize).clamp(1, runs) - 1];
        println!(
            "{name:<24} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {questions:>10}",
            times[0],
            rank(0.5),
            rank(0.99),
            times[runs - 1]
        );
    }
    // the page's charts and tables for the year, drawn from the figures
    let stats = reader.stats(&period(365, None)).expect("stats");
    let started = Instant::now();
    let panels = haipedia::stats::panels(&stats).expect("panels");
    println!(
        "charts and tables for the year: {:.1} ms, {} panels, {:.0} kB of JSON",
        started.elapsed().as_secs_f64() * 1000.0,
        panels.len(),
        serde_json::to_string(&panels).map(|s| s.len()).unwrap_or(0) as f64 / 1e3
    );
}
