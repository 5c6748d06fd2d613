//! The SQL behind the figures: one range scan of a covering index per aggregate (the indexes are
//! made by `crate::feedback`'s migration), GROUP BY in index order, summed up here.

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

/// Services and categories listed.
pub const TOP_TOPICS: usize = 10;

/// Unanswered groups listed.
pub const TOP_GAPS: usize = 10;

/// Reading the figures failed.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// SQLite failed (or the database lacks the dashboard's indexes: open it with
    /// `feedback::Store::open` once to migrate it).
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
}

/// Reads the figures from the question database on a read-only connection of its own (so the
/// writer thread never waits for a report), one report at a time.
pub struct StatsReader {
    path: PathBuf,
    conn: Mutex<Option<Connection>>,
}

impl StatsReader {
    /// A reader of the database at `path` (opened on first use).
    pub fn new(path: &Path) -> StatsReader {
        StatsReader {
            path: path.to_path_buf(),
            conn: Mutex::new(None),
        }
    }

    /// The figures of `query`.
    pub fn stats(&self, query: &StatsQuery) -> Result<Stats, StatsError> {
        let started = Instant::now();
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let result = (|| {
            let conn = match slot.take() {
                Some(c) => c,
                None => Connection::open_with_flags(
                    &self.path,
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
        result
            .map(|mut s| {
                s.took_ms = started.elapsed().as_secs_f64() * 1000.0;
                s
            })
            .map_err(|source| StatsError::Sqlite {
                path: self.path.display().to_string(),
                source,
            })
    }
}

/// Every aggregate of `query`, in one read transaction (one snapshot of the database).
fn compute(conn: &Connection, query: &StatsQuery) -> rusqlite::Result<Stats> {
    let tx = conn.unchecked_transaction()?;
    let from = day_string(query.from);
    let to = day_string(query.to);
    let days: Vec<String> = query.days().map(day_string).collect();
    let slot: HashMap<&str, usize> = days
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    let channel = query.channel;

    let mut decisions = vec![DecisionCounts::default(); days.len()];
    let mut feedback = vec![FeedbackCounts::default(); days.len()];
    let mut bins = vec![BinSums::default(); CONFIDENCE_BINS];
    {
        let mut stmt = tx.prepare_cached(
            "SELECT day, decision, confidence_bin, helpful, rating, count(*), total(confidence)
             FROM questions INDEXED BY questions_stats_decisions
             WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR channel = ?3)
             GROUP BY day, decision, confidence_bin, helpful, rating",
        )?;
        let mut rows = stmt.query(params![from, to, channel])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = slot.get(r.get_ref(0)?.as_str()?) else {
                continue;
            };
            let decision = r.get_ref(1)?.as_str()?;
            let bin: Option<i64> = r.get(2)?;
            let helpful: Option<bool> = r.get(3)?;
            let rating: Option<i64> = r.get(4)?;
            let n = r.get::<_, i64>(5)? as u64;
            decisions[i].add(decision, n);
            if let Some(helpful) = helpful {
                feedback[i].given += n;
                feedback[i].helpful += if helpful { n } else { 0 };
            }
            if let Some(r) = rating.filter(|r| (1..=5).contains(r)) {
                feedback[i].ratings[r as usize - 1] += n;
            }
            if decision == "answer" {
                let b = &mut bins[bin.unwrap_or(0).clamp(0, CONFIDENCE_BINS as i64 - 1) as usize];
                b.answers += n;
                b.confidence += r.get::<_, f64>(6)?;
                if let Some(helpful) = helpful {
                    b.rated += n;
                    b.helpful += if helpful { n } else { 0 };
                }
            }
        }
    }

    // latency: the timed answers per day, then the two ranks of each day read from the index
    // (SQLite steps over the entries before them; nothing is sorted or copied out)
    let mut latency: Vec<Option<Latency>> = vec![None; days.len()];
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
            let Some(&i) = slot.get(day.as_str()) else {
                continue;
            };
            let mut at = |p: f64| -> rusqlite::Result<f64> {
                let offset = nearest_rank(p, n as usize).saturating_sub(1) as i64;
                nth.query_row(params![day, channel, offset], |r| r.get(0))
            };
            latency[i] = Some(Latency {
                measured: n as u64,
                p50_ms: at(0.50)?,
                p99_ms: at(0.99)?,
            });
        }
    }

    let mut services: HashMap<String, DecisionCounts> = HashMap::new();
    let mut categories: HashMap<String, DecisionCounts> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT category, service, decision, count(*)
             FROM questions INDEXED BY questions_stats_topics
             WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR channel = ?3)
             GROUP BY day, category, service, decision",
        )?;
        let mut rows = stmt.query(params![from, to, channel])?;
        while let Some(r) = rows.next()? {
            let category = r.get_ref(0)?.as_str_or_null()?.unwrap_or_default();
            let service = r.get_ref(1)?.as_str_or_null()?;
            let decision = r.get_ref(2)?.as_str()?;
            let n = r.get::<_, i64>(3)? as u64;
            add_topic(&mut categories, category, decision, n);
            if let Some(service) = service {
                add_topic(&mut services, service, decision, n);
            }
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
        let rows = stmt.query_map(params![start, end], |r| {
            let at: String = r.get(1)?;
            Ok(GenerationSwitch {
                generation: r.get::<_, i64>(0)? as u64,
                day: super::wib_string(&at).chars().take(10).collect(),
                at,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    tx.finish()?;

    let mut total_decisions = DecisionCounts::default();
    let mut total_feedback = FeedbackCounts::default();
    let days = days
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
    Ok(Stats {
        from,
        to,
        channel: channel.map(str::to_string),
        timezone: TIMEZONE.to_string(),
        totals: Figures::of(total_decisions, total_feedback),
        days,
        generations,
        services: top(services),
        categories: top(categories),
        gaps,
        reliability: bins.iter().enumerate().map(|(i, b)| b.bin(i)).collect(),
        took_ms: 0.0,
    })
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
