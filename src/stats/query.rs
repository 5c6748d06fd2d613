//! The SQL behind the figures: one range scan of a covering index per aggregate (the indexes are
//! made by `crate::store`'s migrations), GROUP BY in index order, summed up here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rusqlite::{params, Connection, OpenFlags};

use super::period::{day_string, StatsQuery};
use super::{
    ConfidenceBin, DayStats, DecisionCounts, FeedbackCounts, Figures, GapCount, GenerationSwitch,
    Latency, Stats, TopicCount, CONFIDENCE_BINS, TIMEZONE,
};
use crate::store::Location;

/// Services and categories listed.
pub const TOP_TOPICS: usize = 10;

/// Unanswered groups listed.
pub const TOP_GAPS: usize = 10;

/// Reading the figures failed.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// SQLite failed (or the database lacks the dashboard's indexes: open it with
    /// `store::Journal::open` once to migrate it).
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The store (PostgreSQL) failed or cannot be reached.
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
}

/// Where the figures are read from.
enum Source {
    Sqlite {
        path: PathBuf,
        conn: Mutex<Option<Connection>>,
    },
    #[cfg(feature = "postgres")]
    Postgres {
        url: String,
        conn: Mutex<Option<Box<crate::store::postgres::Conn>>>,
    },
}

/// Reads the figures from the question database on a connection of its own (so the writer
/// thread never waits for a report), one report at a time.
pub struct StatsReader {
    source: Source,
}

impl StatsReader {
    /// A reader of the SQLite database at `path` (opened on first use).
    pub fn new(path: &Path) -> StatsReader {
        StatsReader {
            source: Source::Sqlite {
                path: path.to_path_buf(),
                conn: Mutex::new(None),
            },
        }
    }

    /// A reader of the store at `location` (connected on first use).
    pub fn at(location: &Location) -> StatsReader {
        match location {
            Location::Sqlite(path) => StatsReader::new(path),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => StatsReader {
                source: Source::Postgres {
                    url: url.clone(),
                    conn: Mutex::new(None),
                },
            },
            // `Location::of` refuses PostgreSQL URLs in a build without it
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(_) => StatsReader::new(Path::new("")),
        }
    }

    /// The figures of `query`.
    pub fn stats(&self, query: &StatsQuery) -> Result<Stats, StatsError> {
        let started = Instant::now();
        let stats = match &self.source {
            Source::Sqlite { path, conn } => {
                let mut slot = conn.lock().unwrap_or_else(|p| p.into_inner());
                let result = (|| {
                    let conn = match slot.take() {
                        Some(c) => c,
                        None => Connection::open_with_flags(
                            path,
                            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                        )?,
                    };
                    let stats = compute(&conn, query);
                    // a connection that failed is dropped, the next report opens a new one
                    if stats.is_ok() {
                        *slot = Some(conn);
                    }
                    stats
                })();
                result.map_err(|source| StatsError::Sqlite {
                    path: path.display().to_string(),
                    source,
                })?
            }
            #[cfg(feature = "postgres")]
            Source::Postgres { url, conn } => {
                let mut slot = conn.lock().unwrap_or_else(|p| p.into_inner());
                let conn = match slot.as_mut() {
                    Some(c) => c,
                    None => slot.insert(Box::new(crate::store::postgres::Conn::connect(url)?)),
                };
                super::postgres::compute(conn, query)?
            }
        };
        Ok(Stats {
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            ..stats
        })
    }
}

/// The figures of one report while they are read: rows from either backend are added here in
/// the order their queries give them, then [`Sums::finish`] makes the report.
pub(super) struct Sums<'q> {
    query: &'q StatsQuery,
    days: Vec<String>,
    slot: HashMap<String, usize>,
    decisions: Vec<DecisionCounts>,
    feedback: Vec<FeedbackCounts>,
    bins: Vec<BinSums>,
    latency: Vec<Option<Latency>>,
    services: HashMap<String, DecisionCounts>,
    categories: HashMap<String, DecisionCounts>,
}

/// One group of the decisions query: day, decision, confidence bin, helpful, rating, count and
/// sum of confidence.
pub(super) type DecisionRow<'a> = (
    &'a str,
    &'a str,
    Option<i64>,
    Option<bool>,
    Option<i64>,
    u64,
    f64,
);

impl<'q> Sums<'q> {
    /// Empty sums over the days of `query`.
    pub(super) fn new(query: &'q StatsQuery) -> Sums<'q> {
        let days: Vec<String> = query.days().map(day_string).collect();
        let slot = days
            .iter()
            .enumerate()
            .map(|(i, d)| (d.clone(), i))
            .collect();
        let n = days.len();
        Sums {
            query,
            days,
            slot,
            decisions: vec![DecisionCounts::default(); n],
            feedback: vec![FeedbackCounts::default(); n],
            bins: vec![BinSums::default(); CONFIDENCE_BINS],
            latency: vec![None; n],
            services: HashMap::new(),
            categories: HashMap::new(),
        }
    }

    /// The first and last day (`YYYY-MM-DD`, WIB) and the channel, the queries' parameters.
    pub(super) fn bounds(&self) -> (String, String, Option<&'q str>) {
        (
            day_string(self.query.from),
            day_string(self.query.to),
            self.query.channel,
        )
    }

    /// Adds one group of questions by day, decision, bin and feedback.
    pub(super) fn decision(&mut self, row: DecisionRow<'_>) {
        let (day, decision, bin, helpful, rating, n, confidence) = row;
        let Some(&i) = self.slot.get(day) else {
            return;
        };
        self.decisions[i].add(decision, n);
        if let Some(helpful) = helpful {
            self.feedback[i].given += n;
            self.feedback[i].helpful += if helpful { n } else { 0 };
        }
        if let Some(r) = rating.filter(|r| (1..=5).contains(r)) {
            self.feedback[i].ratings[r as usize - 1] += n;
        }
        if decision == "answer" {
            let b = &mut self.bins[bin.unwrap_or(0).clamp(0, CONFIDENCE_BINS as i64 - 1) as usize];
            b.answers += n;
            b.confidence += confidence;
            if let Some(helpful) = helpful {
                b.rated += n;
                b.helpful += if helpful { n } else { 0 };
            }
        }
    }

    /// Sets the latency of `day` from its `n` timed answers, `nth(offset)` reading the value at
    /// an offset in ascending order.
    pub(super) fn latency<E>(
        &mut self,
        day: &str,
        n: u64,
        mut nth: impl FnMut(i64) -> Result<f64, E>,
    ) -> Result<(), E> {
        let Some(&i) = self.slot.get(day) else {
            return Ok(());
        };
        let mut at = |p: f64| nth(nearest_rank(p, n as usize).saturating_sub(1) as i64);
        self.latency[i] = Some(Latency {
            measured: n,
            p50_ms: at(0.50)?,
            p99_ms: at(0.99)?,
        });
        Ok(())
    }

    /// Adds `n` questions of a category (and service) with `decision`.
    pub(super) fn topic(&mut self, category: &str, service: Option<&str>, decision: &str, n: u64) {
        add_topic(&mut self.categories, category, decision, n);
        if let Some(service) = service {
            add_topic(&mut self.services, service, decision, n);
        }
    }

    /// The report, with the gap groups and generation switches read apart.
    pub(super) fn finish(self, gaps: Vec<GapCount>, generations: Vec<GenerationSwitch>) -> Stats {
        let mut total_decisions = DecisionCounts::default();
        let mut total_feedback = FeedbackCounts::default();
        let (decisions, feedback, latency) = (&self.decisions, &self.feedback, &self.latency);
        let days = self
            .days
            .into_iter()
            .enumerate()
            .map(|(i, day)| {
                total_decisions.merge(&decisions[i]);
                total_feedback.merge(&feedback[i]);
                DayStats {
                    day,
                    figures: Figures::of(decisions[i], feedback[i]),
                    latency: latency[i],
                }
            })
            .collect();
        Stats {
            from: day_string(self.query.from),
            to: day_string(self.query.to),
            channel: self.query.channel.map(str::to_string),
            timezone: TIMEZONE.to_string(),
            totals: Figures::of(total_decisions, total_feedback),
            days,
            generations,
            services: top(self.services),
            categories: top(self.categories),
            gaps,
            reliability: self
                .bins
                .iter()
                .enumerate()
                .map(|(i, b)| b.bin(i))
                .collect(),
            took_ms: 0.0,
        }
    }
}

/// A generation switch as stored: the number and when (UTC).
pub(super) fn switch(generation: i64, at: String) -> GenerationSwitch {
    GenerationSwitch {
        generation: generation as u64,
        day: super::wib_string(&at).chars().take(10).collect(),
        at,
    }
}

/// Every aggregate of `query`, in one read transaction (one snapshot of the database).
fn compute(conn: &Connection, query: &StatsQuery) -> rusqlite::Result<Stats> {
    let tx = conn.unchecked_transaction()?;
    let mut sums = Sums::new(query);
    let (from, to, channel) = sums.bounds();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT day, decision, confidence_bin, helpful, rating, count(*), total(confidence)
             FROM questions INDEXED BY questions_stats_decisions
             WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR channel = ?3)
             GROUP BY day, decision, confidence_bin, helpful, rating",
        )?;
        let mut rows = stmt.query(params![from, to, channel])?;
        while let Some(r) = rows.next()? {
            sums.decision((
                r.get_ref(0)?.as_str()?,
                r.get_ref(1)?.as_str()?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, i64>(5)? as u64,
                r.get(6)?,
            ));
        }
    }

    // latency: the timed answers per day, then the two ranks of each day read from the index
    // (SQLite steps over the entries before them; nothing is sorted or copied out)
    {
        let timed: Vec<(String, i64)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT day, count(*) FROM questions INDEXED BY questions_stats_latency
                 WHERE day BETWEEN ?1 AND ?2 AND latency_ms IS NOT NULL
                    AND (?3 IS NULL OR channel = ?3)
                 GROUP BY day",
            )?;
            let rows =
                stmt.query_map(params![from, to, channel], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut nth = tx.prepare_cached(
            "SELECT latency_ms FROM questions INDEXED BY questions_stats_latency
             WHERE day = ?1 AND latency_ms IS NOT NULL AND (?2 IS NULL OR channel = ?2)
             ORDER BY latency_ms LIMIT 1 OFFSET ?3",
        )?;
        for (day, n) in timed {
            sums.latency(&day, n as u64, |offset| {
                nth.query_row(params![day, channel, offset], |r| r.get(0))
            })?;
        }
    }

    {
        let mut stmt = tx.prepare_cached(
            "SELECT category, service, decision, count(*)
             FROM questions INDEXED BY questions_stats_topics
             WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR channel = ?3)
             GROUP BY day, category, service, decision",
        )?;
        let mut rows = stmt.query(params![from, to, channel])?;
        while let Some(r) = rows.next()? {
            sums.topic(
                r.get_ref(0)?.as_str_or_null()?.unwrap_or_default(),
                r.get_ref(1)?.as_str_or_null()?,
                r.get_ref(2)?.as_str()?,
                r.get::<_, i64>(3)? as u64,
            );
        }
    }

    let gaps = {
        let mut stmt = tx.prepare_cached(
            "SELECT g.id, g.question, g.count, t.n FROM (
                SELECT gap_group, count(*) AS n FROM questions INDEXED BY questions_stats_gaps
                WHERE day BETWEEN ?1 AND ?2 AND gap_group IS NOT NULL
                   AND (?3 IS NULL OR channel = ?3)
                GROUP BY gap_group) t
             JOIN gap_groups g ON g.id = t.gap_group
             ORDER BY t.n DESC, g.last_asked DESC, g.id LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![from, to, channel, TOP_GAPS as i64], |r| {
            Ok(GapCount {
                group: r.get(0)?,
                question: r.get(1)?,
                total: r.get::<_, i64>(2)? as u64,
                asked: r.get::<_, i64>(3)? as u64,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };

    let generations = {
        let (start, end) = query.utc_bounds();
        let mut stmt = tx.prepare_cached(
            "SELECT generation, started_at FROM generations
             WHERE started_at >= ?1 AND started_at < ?2 ORDER BY started_at, rowid",
        )?;
        let rows = stmt.query_map(params![start, end], |r| Ok(switch(r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    tx.finish()?;
    Ok(sums.finish(gaps, generations))
}

/// Sums of one confidence bin while reading.
#[derive(Debug, Clone, Copy, Default)]
struct BinSums {
    answers: u64,
    confidence: f64,
    rated: u64,
    helpful: u64,
}

impl BinSums {
    fn bin(&self, i: usize) -> ConfidenceBin {
        let width = 1.0 / CONFIDENCE_BINS as f64;
        ConfidenceBin {
            from: i as f64 * width,
            to: (i + 1) as f64 * width,
            answers: self.answers,
            mean_confidence: (self.answers > 0).then(|| self.confidence / self.answers as f64),
            rated: self.rated,
            helpful: self.helpful,
            helpful_rate: super::share(self.helpful, self.rated),
        }
    }
}

fn add_topic(topics: &mut HashMap<String, DecisionCounts>, name: &str, decision: &str, n: u64) {
    match topics.get_mut(name) {
        Some(c) => c.add(decision, n),
        None => topics.entry(name.to_string()).or_default().add(decision, n),
    }
}

/// The [`TOP_TOPICS`] most asked, ties by name.
fn top(topics: HashMap<String, DecisionCounts>) -> Vec<TopicCount> {
    let mut all: Vec<TopicCount> = topics
        .into_iter()
        .map(|(name, decisions)| TopicCount {
            name,
            share_answered: decisions.share_answered(),
            decisions,
        })
        .collect();
    all.sort_by(|a, b| {
        b.decisions
            .questions
            .cmp(&a.decisions.questions)
            .then_with(|| a.name.cmp(&b.name))
    });
    all.truncate(TOP_TOPICS);
    all
}

/// The nearest rank of percentile `p` among `n` values: ceil(p * n), at least 1.
fn nearest_rank(p: f64, n: usize) -> usize {
    ((p * n as f64).ceil() as usize).clamp(1, n.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_ranks() {
        assert_eq!(
            (nearest_rank(0.5, 200), nearest_rank(0.99, 200)),
            (100, 198)
        );
        assert_eq!((nearest_rank(0.5, 8), nearest_rank(0.99, 8)), (4, 8));
        assert_eq!((nearest_rank(0.5, 1), nearest_rank(0.99, 1)), (1, 1));
    }
}
