//! The dashboard's aggregates in PostgreSQL: the same queries as SQLite's (`query.rs`), over the
//! same covering indexes, in one read-only snapshot; the rows are summed by the same [`Sums`].

use postgres::{IsolationLevel, Row};

use super::period::StatsQuery;
use super::query::{switch, Sums, TOP_GAPS};
use super::{GapCount, Stats};
use crate::store::postgres::Conn;
use crate::store::StoreError;

/// Every aggregate of `query`, in one repeatable-read transaction.
pub(super) fn compute(conn: &mut Conn, query: &StatsQuery) -> Result<Stats, StoreError> {
    conn.run(|c| {
        let mut tx = c
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let mut sums = Sums::new(query);
        let (from, to, channel) = sums.bounds();
        for r in tx.query(
            "SELECT day, decision, confidence_bin::bigint, helpful, rating::bigint, count(*),
                    coalesce(sum(confidence), 0)
             FROM questions
             WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR channel = $3)
             GROUP BY day, decision, confidence_bin, helpful, rating",
            &[&from, &to, &channel],
        )? {
            sums.decision((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get::<_, i64>(5)? as u64,
                r.try_get(6)?,
            ));
        }

        let timed = tx.query(
            "SELECT day, count(*) FROM questions
             WHERE day BETWEEN $1 AND $2 AND latency_ms IS NOT NULL
                AND ($3::text IS NULL OR channel = $3)
             GROUP BY day",
            &[&from, &to, &channel],
        )?;
        let nth = tx.prepare(
            "SELECT latency_ms FROM questions
             WHERE day = $1 AND latency_ms IS NOT NULL AND ($2::text IS NULL OR channel = $2)
             ORDER BY latency_ms LIMIT 1 OFFSET $3",
        )?;
        for r in &timed {
            let day: &str = r.try_get(0)?;
            let n: i64 = r.try_get(1)?;
            sums.latency(day, n as u64, |offset| {
                tx.query_one(&nth, &[&day, &channel, &offset])?.try_get(0)
            })?;
        }

        for r in tx.query(
            "SELECT coalesce(category, ''), service, decision, count(*) FROM questions
             WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR channel = $3)
             GROUP BY day, category, service, decision",
            &[&from, &to, &channel],
        )? {
            sums.topic(
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get::<_, i64>(3)? as u64,
            );
        }

        let gap = |r: &Row| -> Result<GapCount, postgres::Error> {
            Ok(GapCount {
                group: r.try_get(0)?,
                question: r.try_get(1)?,
                total: r.try_get::<_, i64>(2)? as u64,
                asked: r.try_get::<_, i64>(3)? as u64,
            })
        };
        let gaps = tx
            .query(
                "SELECT g.id, g.question, g.count, t.n FROM (
                    SELECT gap_group, count(*) AS n FROM questions
                    WHERE day BETWEEN $1 AND $2 AND gap_group IS NOT NULL
                       AND ($3::text IS NULL OR channel = $3)
                    GROUP BY gap_group) t
                 JOIN gap_groups g ON g.id = t.gap_group
                 ORDER BY t.n DESC, g.last_asked DESC, g.id LIMIT $4",
                &[&from, &to, &channel, &(TOP_GAPS as i64)],
            )?
            .iter()
            .map(gap)
            .collect::<Result<Vec<_>, _>>()?;

        let (start, end) = query.utc_bounds();
        let generations = tx
            .query(
                "SELECT generation, started_at FROM generations
                 WHERE started_at >= $1 AND started_at < $2 ORDER BY started_at, id",
                &[&start, &end],
            )?
            .iter()
            .map(|r| Ok(switch(r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()?;
        tx.commit()?;
        Ok(sums.finish(gaps, generations))
    })
}
