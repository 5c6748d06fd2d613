//! The numbers behind each chart as tables: shown under the chart (Indonesian number format) and
//! downloaded as CSV (plain numbers, shares as fractions).

use serde::Serialize;
use utoipa::ToSchema;

use super::{wib_string, DayStats, Stats, TopicCount};

/// The tables, by id: the dashboard shows them and `stats.csv?table=` exports them.
pub const TABLES: [&str; 9] = [
    "decisions",
    "shares",
    "ratings",
    "helpful",
    "services",
    "categories",
    "gaps",
    "reliability",
    "latency",
];

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (names, days, masked questions).
    Text(String),
    /// A count.
    Count(u64),
    /// A share in [0, 1] (shown as a percentage).
    Share(Option<f64>),
    /// Milliseconds.
    Ms(Option<f64>),
    /// A confidence or mean (two decimals).
    Number(Option<f64>),
}

impl Cell {
    /// As shown on the page: `1.234`, `81,2%`, `12,3`, `–` for none.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => thousands(*n),
            Cell::Share(Some(s)) => format!("{}%", decimal(s * 100.0, 1)),
            Cell::Ms(Some(v)) => decimal(*v, 1),
            Cell::Number(Some(v)) => decimal(*v, 2),
            Cell::Share(None) | Cell::Ms(None) | Cell::Number(None) => "–".into(),
        }
    }

    /// As written to CSV: plain numbers, empty for none, text quoted when needed.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(t) => csv_text(t),
            Cell::Count(n) => n.to_string(),
            Cell::Share(v) | Cell::Number(v) => v.map(|v| format!("{v:.4}")).unwrap_or_default(),
            Cell::Ms(v) => v.map(|v| format!("{v:.1}")).unwrap_or_default(),
        }
    }

    fn numeric(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// A table: columns and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// One of [`TABLES`].
    pub id: &'static str,
    /// Column headings.
    pub columns: Vec<&'static str>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A table as the page shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TableView {
    /// The table's id (`stats.csv?table=`).
    pub id: &'static str,
    /// Column headings.
    pub columns: Vec<&'static str>,
    /// Whether each column holds numbers (right-aligned).
    pub numeric: Vec<bool>,
    /// Rows of formatted values.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as the page shows it.
    pub fn view(&self) -> TableView {
        let numeric = (0..self.columns.len())
            .map(|c| {
                self.rows
                    .first()
                    .and_then(|r| r.get(c))
                    .is_some_and(Cell::numeric)
            })
            .collect();
        TableView {
            id: self.id,
            columns: self.columns.clone(),
            numeric,
            rows: self
                .rows
                .iter()
                .map(|r| r.iter().map(Cell::display).collect())
                .collect(),
        }
    }

    /// The table as CSV (comma-separated, CRLF line ends as RFC 4180 has them).
    pub fn csv(&self) -> String {
        let mut out = self
            .columns
            .iter()
            .map(|c| csv_text(c))
            .collect::<Vec<_>>()
            .join(",");
        out.push_str("\r\n");
        for row in &self.rows {
            out.push_str(&row.iter().map(Cell::csv).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// The table `id` of `stats` (none for an unknown id).
pub fn table(stats: &Stats, id: &str) -> Option<Table> {
    let day_rows = |f: &dyn Fn(&DayStats) -> Vec<Cell>| -> Vec<Vec<Cell>> {
        stats
            .days
            .iter()
            .map(|d| {
                let mut row = vec![Cell::Text(d.day.clone())];
                row.extend(f(d));
                row
            })
            .collect()
    };
    let (id, columns, rows): (&'static str, Vec<&'static str>, Vec<Vec<Cell>>) = match id {
        "decisions" => (
            "decisions",
            vec![
                "Tanggal (WIB)",
                "Pertanyaan",
                "Dijawab",
                "Klarifikasi",
                "Dialihkan ke menu",
                "Dieskalasi",
            ],
            day_rows(&|d| {
                let c = d.figures.decisions;
                [c.questions, c.answered, c.clarified, c.routed, c.escalated]
                    .map(Cell::Count)
                    .to_vec()
            }),
        ),
        "shares" => (
            "shares",
            vec![
                "Tanggal (WIB)",
                "Dijawab langsung",
                "Dieskalasi",
                "Generasi mulai dilayani",
            ],
            day_rows(&|d| {
                let switched: Vec<String> = stats
                    .generations
                    .iter()
                    .filter(|g| g.day == d.day)
                    .map(|g| format!("{} ({})", g.generation, wib_string(&g.at)))
                    .collect();
                vec![
                    Cell::Share(d.figures.share_answered),
                    Cell::Share(d.figures.share_escalated),
                    Cell::Text(switched.join("; ")),
                ]
            }),
        ),
        "ratings" => {
            let ratings = stats.totals.feedback.ratings;
            let rated: u64 = ratings.iter().sum();
            let rows = RATING_NAMES
                .iter()
                .zip(ratings)
                .map(|(name, n)| {
                    vec![
                        Cell::Text(name.to_string()),
                        Cell::Count(n),
                        Cell::Share(super::share(n, rated)),
                    ]
                })
                .collect();
            ("ratings", vec!["Penilaian", "Jumlah", "Bagian"], rows)
        }
        "helpful" => (
            "helpful",
            vec![
                "Tanggal (WIB)",
                "Umpan balik",
                "Membantu (Iya)",
                "Tingkat membantu",
                "Nilai 1",
                "Nilai 2",
                "Nilai 3",
                "Nilai 4",
                "Nilai 5",
            ],
            day_rows(&|d| {
                let f = d.figures.feedback;
                let mut row = vec![
                    Cell::Count(f.given),
                    Cell::Count(f.helpful),
                    Cell::Share(d.figures.helpful_rate),
                ];
                row.extend(f.ratings.map(Cell::Count));
                row
            }),
        ),
        "services" => (
            "services",
            topic_columns("Layanan katalog"),
            topic_rows(&stats.services),
        ),
        "categories" => (
            "categories",
            topic_columns("Kategori"),
            topic_rows(&stats.categories),
        ),
        "gaps" => (
            "gaps",
            vec![
                "Pertanyaan (disamarkan)",
                "Ditanyakan di periode",
                "Ditanyakan seluruhnya",
            ],
            stats
                .gaps
                .iter()
                .map(|g| {
                    vec![
                        Cell::Text(g.question.clone()),
                        Cell::Count(g.asked),
                        Cell::Count(g.total),
                    ]
                })
                .collect(),
        ),
        "reliability" => (
            "reliability",
            vec![
                "Keyakinan",
                "Jawaban langsung",
                "Rata-rata keyakinan",
                "Dengan umpan balik",
                "Membantu",
                "Tingkat membantu",
            ],
            stats
                .reliability
                .iter()
                .filter(|b| b.answers > 0)
                .map(|b| {
                    vec![
                        Cell::Text(format!("{}–{}", decimal(b.from, 2), decimal(b.to, 2))),
                        Cell::Count(b.answers),
                        Cell::Number(b.mean_confidence),
                        Cell::Count(b.rated),
                        Cell::Count(b.helpful),
                        Cell::Share(b.helpful_rate),
                    ]
                })
                .collect(),
        ),
        "latency" => (
            "latency",
            vec!["Tanggal (WIB)", "Jawaban terukur", "p50 (ms)", "p99 (ms)"],
            day_rows(&|d| {
                vec![
                    Cell::Count(d.latency.map_or(0, |l| l.measured)),
                    Cell::Ms(d.latency.map(|l| l.p50_ms)),
                    Cell::Ms(d.latency.map(|l| l.p99_ms)),
                ]
            }),
        ),
        _ => return None,
    };
    Some(Table { id, columns, rows })
}

/// The five rating levels of the bot, 1 to 5.
pub const RATING_NAMES: [&str; 5] = [
    "1 Sangat Tidak Puas",
    "2 Tidak Puas",
    "3 Cukup Puas",
    "4 Puas",
    "5 Sangat Puas",
];

/// What a topic without a category is called.
pub const NO_CATEGORY: &str = "(tanpa kategori)";

fn topic_columns(first: &'static str) -> Vec<&'static str> {
    vec![
        first,
        "Pertanyaan",
        "Dijawab",
        "Klarifikasi",
        "Dialihkan ke menu",
        "Dieskalasi",
        "Dijawab langsung",
    ]
}

fn topic_rows(topics: &[TopicCount]) -> Vec<Vec<Cell>> {
    topics
        .iter()
        .map(|t| {
            let c = t.decisions;
            let name = if t.name.is_empty() {
                NO_CATEGORY
            } else {
                &t.name
            };
            let mut row = vec![Cell::Text(name.to_string())];
            row.extend(
                [c.questions, c.answered, c.clarified, c.routed, c.escalated].map(Cell::Count),
            );
            row.push(Cell::Share(t.share_answered));
            row
        })
        .collect()
}

/// `n` with dots between thousands: 1.234.567.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `v` with `places` decimals and a decimal comma.
pub fn decimal(v: f64, places: usize) -> String {
    format!("{v:.places$}").replace('.', ",")
}

fn csv_text(t: &str) -> String {
    // a leading =, +, - or @ would be a formula to a spreadsheet
    let t = if t.starts_with(['=', '+', '-', '@']) {
        format!("'{t}")
    } else {
        t.to_string()
    };
    if t.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_shown_the_indonesian_way_and_exported_plain() {
        assert_eq!(thousands(1_234_567), "1.234.567");
        assert_eq!(thousands(12), "12");
        assert_eq!(Cell::Share(Some(0.8126)).display(), "81,3%");
        assert_eq!(Cell::Share(Some(0.8126)).csv(), "0.8126");
        assert_eq!(Cell::Ms(None).display(), "–");
        assert_eq!(Cell::Ms(None).csv(), "");
        assert_eq!(Cell::Text("a, \"b\"".into()).csv(), "\"a, \"\"b\"\"\"");
        assert_eq!(Cell::Text("=SUM(A1)".into()).csv(), "'=SUM(A1)");
    }
}
