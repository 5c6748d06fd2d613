//! The supervisors' figures (issue 16): the aggregation on a real SQLite store (and a real
//! PostgreSQL one, the same figures) seeded with known
//! rows (tests/common/seed.rs), then `/v1/admin/stats`, `stats.csv` and `dashboard` on the real
//! server: token, validation, the same figures, no personal data.

mod common;

use common::seed::{self, ANGGARAN, NIK, PENGADUAN, TIK2, UMUM};
use haipedia::answer::Channel;
use haipedia::stats::{Stats, StatsQuery, StatsReader};
use reqwest::blocking::Client;
use serde_json::Value;
use time::macros::date;
use time::{Date, Duration};

const TOKEN: &str = "token-supervisor";

fn query(a: Date, channel: Option<&str>) -> StatsQuery {
    StatsQuery::parse(
        Some(&haipedia::stats::day_string(a)),
        Some(&haipedia::stats::day_string(a + Duration::days(3))),
        channel,
        a,
    )
    .expect("query")
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Every figure of the seeded period A..D, as written out in tests/common/seed.rs.
fn check_period(s: &Stats, a: Date) {
    let day = |i: i64| haipedia::stats::day_string(a + Duration::days(i));
    assert_eq!((s.from.clone(), s.to.clone()), (day(0), day(3)));
    assert_eq!(
        s.days.iter().map(|d| d.day.clone()).collect::<Vec<_>>(),
        (0..4).map(day).collect::<Vec<_>>()
    );

    // decisions per day, the rows on both sides of each WIB midnight in their day
    let counts: Vec<[u64; 5]> = s
        .days
        .iter()
        .map(|d| {
            let c = d.figures.decisions;
            [c.questions, c.answered, c.clarified, c.routed, c.escalated]
        })
        .collect();
    assert_eq!(
        counts,
        vec![[8, 4, 1, 1, 2], [4, 2, 1, 0, 1], [0; 5], [2, 1, 0, 0, 1]]
    );
    let a_day = &s.days[0].figures;
    assert!(close(a_day.share_answered, 0.5) && close(a_day.share_escalated, 0.25));
    assert_eq!(
        (
            s.days[2].figures.share_answered,
            s.days[2].figures.helpful_rate
        ),
        (None, None)
    );
    assert!(close(s.days[3].figures.share_escalated, 0.5));

    // feedback and ratings per day (the latest per answer; b2 has no rating)
    let feedback: Vec<(u64, u64, [u64; 5])> = s
        .days
        .iter()
        .map(|d| {
            (
                d.figures.feedback.given,
                d.figures.feedback.helpful,
                d.figures.feedback.ratings,
            )
        })
        .collect();
    assert_eq!(
        feedback,
        vec![
            (4, 2, [1, 1, 0, 1, 1]),
            (3, 3, [0, 0, 1, 0, 1]),
            (0, 0, [0; 5]),
            (1, 1, [0, 0, 0, 1, 0])
        ]
    );
    assert!(
        close(s.days[0].figures.helpful_rate, 0.5) && close(s.days[1].figures.helpful_rate, 1.0)
    );

    // totals
    let t = &s.totals;
    let c = t.decisions;
    assert_eq!(
        [c.questions, c.answered, c.clarified, c.routed, c.escalated],
        [14, 7, 2, 1, 4]
    );
    assert!(close(t.share_answered, 0.5) && close(t.share_escalated, 4.0 / 14.0));
    assert_eq!(
        (t.feedback.given, t.feedback.helpful, t.feedback.ratings),
        (8, 6, [1, 1, 1, 2, 2])
    );
    assert!(close(t.helpful_rate, 0.75));
    assert!(close(t.feedback.mean_rating(), 24.0 / 7.0));

    // latency: nearest-rank percentiles per day; d2 (an older row) is not timed
    let latency: Vec<Option<(u64, f64, f64)>> = s
        .days
        .iter()
        .map(|d| d.latency.map(|l| (l.measured, l.p50_ms, l.p99_ms)))
        .collect();
    assert_eq!(
        latency,
        vec![
            Some((8, 30.0, 70.0)),
            Some((4, 25.0, 45.0)),
            None,
            Some((1, 100.0, 100.0))
        ]
    );

    // generation switches inside the period only, with their WIB day
    let switches: Vec<(u64, String, String)> = s
        .generations
        .iter()
        .map(|g| (g.generation, g.day.clone(), g.at.clone()))
        .collect();
    assert_eq!(
        switches,
        vec![
            (8, day(0), seed::stored(a, 0, (2, 0, 0))),
            (9, day(1), seed::stored(a, 1, (14, 30, 0)))
        ]
    );

    // categories and services, most asked first
    let topics = |list: &[haipedia::stats::TopicCount]| -> Vec<(String, [u64; 5])> {
        list.iter()
            .map(|t| {
                let c = t.decisions;
                (
                    t.name.clone(),
                    [c.questions, c.answered, c.clarified, c.routed, c.escalated],
                )
            })
            .collect()
    };
    assert_eq!(
        topics(&s.categories),
        vec![
            (TIK2.to_string(), [5, 4, 0, 0, 1]),
            (String::new(), [4, 1, 0, 1, 2]),
            (UMUM.to_string(), [3, 1, 1, 0, 1]),
            (ANGGARAN.to_string(), [2, 1, 1, 0, 0]),
        ]
    );
    assert_eq!(
        topics(&s.services),
        vec![
            (TIK2.to_string(), [5, 4, 0, 0, 1]),
            (ANGGARAN.to_string(), [2, 1, 1, 0, 0]),
            (PENGADUAN.to_string(), [1, 0, 0, 0, 1]),
        ]
    );
    assert!(close(s.categories[0].share_answered, 0.8));

    // unanswered groups: the three paspor questions of the period (not x1's), then the single ones
    assert_eq!((s.gaps[0].asked, s.gaps[0].total), (3, 4), "{:?}", s.gaps);
    assert!(s.gaps[0].question.contains("paspor"));
    let mut rest: Vec<(u64, String)> = s.gaps[1..]
        .iter()
        .map(|g| (g.asked, g.question.clone()))
        .collect();
    rest.sort();
    assert_eq!(
        rest,
        vec![
            (1, "jam layanan kppn sabtu".to_string()),
            (1, "syarat pengajuan tup".to_string()),
            (1, "tarif pajak mobil mewah nik [NIK]".to_string()),
        ]
    );

    // reliability: direct answers per twentieth of confidence against their helpful rate
    let bins: Vec<(usize, u64, u64, u64)> = s
        .reliability
        .iter()
        .enumerate()
        .filter(|(_, b)| b.answers > 0)
        .map(|(i, b)| (i, b.answers, b.rated, b.helpful))
        .collect();
    assert_eq!(
        bins,
        vec![
            (14, 1, 1, 1),
            (15, 1, 1, 1),
            (16, 2, 2, 2),
            (18, 2, 1, 0),
            (19, 1, 1, 1)
        ]
    );
    assert!(close(s.reliability[16].mean_confidence, 0.83));
    assert!(close(s.reliability[18].helpful_rate, 0.0));
    assert_eq!(s.reliability.len(), 20);
}

/// The same rows in PostgreSQL give the same figures (the store contract, for the dashboard).
#[test]
fn figures_of_a_seeded_postgres_store() {
    let pg = common::postgres::Postgres::start();
    let location = haipedia::store::Location::Postgres(pg.database());
    let a = date!(2026 - 03 - 02);
    let mut journal = haipedia::store::Journal::new(
        location.open().unwrap(),
        haipedia::analysis::Analyzer::new(),
    )
    .unwrap();
    seed::seed_journal(&mut journal, a);
    let reader = StatsReader::at(&location);
    let s = reader.stats(&query(a, None)).unwrap();
    check_period(&s, a);

    // and exactly what SQLite gives, channel by channel
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("q.sqlite");
    seed::seed(&path, a);
    let sqlite = StatsReader::new(&path);
    let same = |mut s: Stats| {
        s.took_ms = 0.0;
        serde_json::to_value(s).unwrap()
    };
    for channel in [None, Some("web"), Some("whatsapp"), Some("agent")] {
        assert_eq!(
            same(reader.stats(&query(a, channel)).unwrap()),
            same(sqlite.stats(&query(a, channel)).unwrap()),
            "{channel:?}"
        );
    }
}

#[test]
fn figures_of_a_seeded_store() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("q.sqlite");
    let a = date!(2026 - 03 - 02);
    seed::seed(&path, a);
    let reader = StatsReader::new(&path);
    let s = reader.stats(&query(a, None)).unwrap();
    check_period(&s, a);

    // one channel
    let web = reader.stats(&query(a, Some("web"))).unwrap();
    let c = web.totals.decisions;
    assert_eq!([c.questions, c.answered, c.escalated], [2, 1, 1]);
    assert_eq!(web.channel.as_deref(), Some("web"));
    assert_eq!(web.gaps.len(), 1);
    let agent = reader.stats(&query(a, Some("agent"))).unwrap();
    assert_eq!(agent.totals.decisions.questions, 1);
    let mut all = 0;
    for name in Channel::NAMES {
        all += reader
            .stats(&query(a, Some(name)))
            .unwrap()
            .totals
            .decisions
            .questions;
    }
    assert_eq!(all, 14, "the channels partition the questions");

    // a single day, the empty one, and the tables behind the charts
    let one = StatsQuery::parse(Some("2026-03-04"), Some("2026-03-04"), None, a).unwrap();
    let s = reader.stats(&one).unwrap();
    assert_eq!(
        (s.days.len(), s.totals.decisions.questions, s.gaps.len()),
        (1, 0, 0)
    );
    let s = reader.stats(&query(a, None)).unwrap();
    let csv = haipedia::stats::tables::table(&s, "decisions")
        .unwrap()
        .csv();
    assert!(
        csv.starts_with("Tanggal (WIB),Pertanyaan,Dijawab,"),
        "{csv}"
    );
    assert!(
        csv.contains("2026-03-02,8,4,1,1,2\r\n") && csv.contains("2026-03-04,0,0,0,0,0\r\n"),
        "{csv}"
    );
    let latency = haipedia::stats::tables::table(&s, "latency").unwrap().csv();
    assert!(
        latency.contains("2026-03-04,0,,\r\n") && latency.contains("2026-03-02,8,30.0,70.0\r\n"),
        "{latency}"
    );
    for panel in haipedia::stats::panels(&s).unwrap() {
        let text = serde_json::to_string(&panel).unwrap();
        assert!(
            !text.contains(NIK) && !text.contains("budi@example.com"),
            "{}",
            panel.id
        );
        if let Some(chart) = &panel.chart {
            for svg in [&chart.wide, &chart.narrow] {
                assert!(
                    svg.starts_with("<svg") && svg.contains("viewBox"),
                    "{}",
                    panel.id
                );
            }
        }
    }
}

fn client() -> Client {
    Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

fn get(url: &str, token: Option<&str>) -> reqwest::blocking::Response {
    let mut r = client().get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().unwrap()
}

fn error(url: &str, token: Option<&str>) -> (u16, String, String) {
    let r = get(url, token);
    let status = r.status().as_u16();
    let body: Value = r.json().unwrap();
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[test]
fn the_stats_api_checks_the_token_and_the_period_and_serves_the_seeded_figures() {
    // the period ends yesterday (WIB): the server keeps a year of questions and purges older ones
    let a = haipedia::stats::today_wib() - Duration::days(4);
    let site = common::mini_site(Some(TOKEN), |config| seed::seed(&config.server.database, a));
    let day = |i: i64| haipedia::stats::day_string(a + Duration::days(i));
    let period = format!("from={}&to={}", day(0), day(3));
    let stats = format!("{}/v1/admin/stats?{period}", site.base);

    // the token: none or a wrong one is a JSON 401
    for token in [None, Some("salah")] {
        let (status, code, _) = error(&stats, token);
        assert_eq!((status, code.as_str()), (401, "unauthorized"));
    }

    // bad parameters name their field
    for (q, status, code, field) in [
        ("from=2026-13-01", 422, "invalid_date", "from"),
        ("to=kemarin", 422, "invalid_date", "to"),
        (
            "from=2026-03-10&to=2026-03-01",
            422,
            "invalid_period",
            "from",
        ),
        (
            "from=2024-01-01&to=2026-01-01",
            422,
            "period_too_long",
            "to",
        ),
        ("channel=telegram", 422, "unknown_channel", "channel"),
    ] {
        let (s, c, message) = error(&format!("{}/v1/admin/stats?{q}", site.base), Some(TOKEN));
        assert_eq!((s, c.as_str()), (status, code), "{q}: {message}");
        assert!(message.starts_with(&format!("{field}:")), "{q}: {message}");
    }
    let (s, c, _) = error(
        &format!("{}/v1/admin/stats.csv?{period}&table=rahasia", site.base),
        Some(TOKEN),
    );
    assert_eq!((s, c.as_str()), (422, "unknown_table"));

    // the figures: the same as the store gives, read through the server
    let r = get(&stats, Some(TOKEN));
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().unwrap();
    let s: Stats = serde_json::from_value(body.clone()).unwrap();
    check_period(&s, a);
    assert_eq!(body["timezone"], "Asia/Jakarta (WIB, UTC+7)");
    assert_eq!(body["days"][0]["decisions"]["answered"], 4);
    assert_eq!(body["days"][0]["latency"]["p99_ms"], 70.0);

    // defaults: the week ending today, every channel
    let week: Value = get(&format!("{}/v1/admin/stats", site.base), Some(TOKEN))
        .json()
        .unwrap();
    assert_eq!(week["days"].as_array().unwrap().len(), 7);
    assert_eq!(
        week["to"],
        haipedia::stats::day_string(haipedia::stats::today_wib())
    );
    assert_eq!(
        week["totals"]["decisions"]["questions"], 16,
        "x0 and x1 fall inside the week"
    );
    let web: Value = get(&format!("{stats}&channel=web"), Some(TOKEN))
        .json()
        .unwrap();
    assert_eq!(web["totals"]["decisions"]["questions"], 2);

    // CSV of one table, as the page downloads it
    let r = get(
        &format!(
            "{}/v1/admin/stats.csv?{period}&table=decisions&channel=all",
            site.base
        ),
        Some(TOKEN),
    );
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains(&format!(
            "haipedia-decisions-{}-{}-semua.csv",
            day(0),
            day(3)
        )),
        "{disposition}"
    );
    let csv = r.text().unwrap();
    assert!(csv.contains(&format!("{},8,4,1,1,2\r\n", day(0))), "{csv}");
    let gaps = get(
        &format!("{}/v1/admin/stats.csv?{period}&table=gaps", site.base),
        Some(TOKEN),
    )
    .text()
    .unwrap();
    assert!(gaps.contains("[NIK]") && !gaps.contains(NIK), "{gaps}");

    // the page's data: panels with charts and tables, no personal data anywhere
    let r = get(
        &format!("{}/v1/admin/dashboard?{period}", site.base),
        Some(TOKEN),
    );
    assert_eq!(r.status(), 200);
    let text = r.text().unwrap();
    assert!(!text.contains(NIK) && !text.contains("budi@example.com"));
    let view: Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = view["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, haipedia::stats::tables::TABLES.to_vec());
    assert!(view["panels"][0]["chart"]["wide"]
        .as_str()
        .unwrap()
        .starts_with("<svg"));
    assert!(
        view["panels"][6]["chart"].is_null(),
        "the gap list is a table"
    );

    // the page is served under the strict policy; the API is documented
    let page = get(&format!("{}/admin/dashboard", site.base), None);
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
    let api: Value = get(&format!("{}/openapi.json", site.base), None)
        .json()
        .unwrap();
    for path in [
        "/v1/admin/stats",
        "/v1/admin/stats.csv",
        "/v1/admin/dashboard",
    ] {
        assert!(api["paths"][path]["get"].is_object(), "{path} documented");
    }
    assert!(api["components"]["schemas"]["Stats"].is_object());
}
