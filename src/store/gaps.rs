//! The journal: questions and feedback written through any backend, masked here, with the gap
//! questions (escalated, or rated badly later) grouped as they are written so the editors' list
//! is one indexed query. Grouping lives above the backends: they only store the groups.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::{
    now_utc, utc_string, FeedbackRecord, GapGroup, GapState, Page, QuestionRecord, QuestionRow,
    Store, StoreError,
};
use crate::analysis::Analyzer;
use crate::privacy::mask;

/// Groups kept in memory for matching new gap questions (the most recently active ones).
const GROUPS_IN_MEMORY: usize = 5_000;

/// Other phrasings kept per gap group.
const EXAMPLES_PER_GROUP: usize = 5;

/// How long the groups in memory are trusted with a shared store, where other nodes add groups
/// too: after this they are read again before the next write.
const SHARED_GROUPS_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// Questions and feedback over one backend (one caller at a time: the recorder's thread).
pub struct Journal {
    store: Box<dyn Store>,
    analyzer: Analyzer,
    /// The most recently active gap groups, by their terms.
    groups: GapIndex,
    /// A transaction failed after the groups in memory changed: read them again before the next
    /// write.
    stale: bool,
    /// When the groups were read.
    loaded_at: std::time::Instant,
}

/// Recently active gap groups, found by the terms they share with a new question: a new gap
/// question is compared with the groups that share a term with it, not with every group.
#[derive(Debug, Default)]
struct GapIndex {
    /// Terms of each group.
    terms: HashMap<i64, HashSet<String>>,
    /// Groups by when they were last active (a counter), and the reverse.
    by_recency: BTreeMap<u64, i64>,
    recency: HashMap<i64, u64>,
    /// Groups having each term ("" for groups without terms).
    by_term: HashMap<String, HashSet<i64>>,
    clock: u64,
}

impl GapIndex {
    /// The most recently active group whose terms overlap `terms` by Jaccard >= 0.5.
    fn find(&self, terms: &HashSet<String>) -> Option<i64> {
        let keys: Vec<&str> = if terms.is_empty() {
            vec![""]
        } else {
            terms.iter().map(String::as_str).collect()
        };
        keys.iter()
            .filter_map(|k| self.by_term.get(*k))
            .flatten()
            .filter(|id| {
                let Some(t) = self.terms.get(*id) else {
                    return false;
                };
                let inter = t.intersection(terms).count() as f64;
                let union = t.union(terms).count().max(1) as f64;
                inter / union >= 0.5 || (t.is_empty() && terms.is_empty())
            })
            .max_by_key(|id| self.recency.get(*id).copied().unwrap_or(0))
            .copied()
    }

    /// Marks the known group `id` as the most recently active one.
    fn refresh(&mut self, id: i64) {
        if let Some(old) = self.recency.remove(&id) {
            self.by_recency.remove(&old);
        }
        self.clock += 1;
        self.recency.insert(id, self.clock);
        self.by_recency.insert(self.clock, id);
    }

    /// Adds group `id` with `terms` as the most recently active group, forgetting the least recent
    /// beyond [`GROUPS_IN_MEMORY`].
    fn touch(&mut self, id: i64, terms: HashSet<String>) {
        self.refresh(id);
        let keys: Vec<String> = if terms.is_empty() {
            vec![String::new()]
        } else {
            terms.iter().cloned().collect()
        };
        for k in keys {
            self.by_term.entry(k).or_default().insert(id);
        }
        self.terms.insert(id, terms);
        while self.recency.len() > GROUPS_IN_MEMORY {
            let Some((_, oldest)) = self.by_recency.pop_first() else {
                break;
            };
            self.recency.remove(&oldest);
            if let Some(terms) = self.terms.remove(&oldest) {
                for k in terms.iter().map(String::as_str).chain([""]) {
                    if let Some(ids) = self.by_term.get_mut(k) {
                        ids.remove(&oldest);
                    }
                }
            }
        }
    }
}

impl Journal {
    /// The journal over the SQLite database at `path` (created and migrated if needed).
    pub fn open(path: &Path, analyzer: Analyzer) -> Result<Journal, StoreError> {
        Journal::new(Box::new(super::sqlite::SqliteStore::open(path)?), analyzer)
    }

    /// The journal over `store`; `analyzer` groups gap questions. Reads the recent groups and
    /// groups the gap questions of a database written before groups existed.
    pub fn new(store: Box<dyn Store>, analyzer: Analyzer) -> Result<Journal, StoreError> {
        let mut journal = Journal {
            store,
            analyzer,
            groups: GapIndex::default(),
            stale: true,
            loaded_at: std::time::Instant::now(),
        };
        journal.fresh_groups()?;
        journal.backfill_gaps()?;
        Ok(journal)
    }

    /// The backend's name ("sqlite", "postgres").
    pub fn backend(&self) -> &'static str {
        self.store.name()
    }

    /// Reads the term sets of the most recently active groups when they may be out of date
    /// (after a failed write; with a shared store, also when other nodes may have added some).
    fn fresh_groups(&mut self) -> Result<(), StoreError> {
        let shared = self.store.name() != "sqlite";
        let expired = shared && self.loaded_at.elapsed() > SHARED_GROUPS_FOR;
        if !(self.stale || expired) {
            return Ok(());
        }
        let rows = self.store.recent_groups(GROUPS_IN_MEMORY)?;
        self.groups = GapIndex::default();
        // oldest first, so the most recent ends up most recent
        for row in rows.into_iter().rev() {
            let terms = row
                .terms
                .split(' ')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            self.groups.touch(row.id, terms);
        }
        self.stale = false;
        self.loaded_at = std::time::Instant::now();
        Ok(())
    }

    /// Runs `write` in one transaction; a failure rolls it back and marks the groups in memory
    /// for reloading (they may name a group the rollback removed).
    fn transaction<T>(
        &mut self,
        write: impl FnOnce(&mut Journal) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.fresh_groups()?;
        self.store.begin()?;
        let result = write(self).and_then(|t| self.store.commit().map(|()| t));
        if result.is_err() {
            self.store.rollback();
            self.stale = true;
        }
        result
    }

    /// Groups the gap questions of a database written before groups existed (once).
    fn backfill_gaps(&mut self) -> Result<(), StoreError> {
        let rows = self.store.ungrouped_gaps()?;
        if rows.is_empty() {
            return Ok(());
        }
        self.transaction(|j| {
            for (id, question, asked_at) in rows {
                let group = j.group_gap(&question, &asked_at)?;
                j.store.set_group(&id, group)?;
            }
            Ok(())
        })
    }

    /// Records answered questions in one transaction; the text is masked here.
    pub fn record_questions(&mut self, questions: &[QuestionRecord]) -> Result<(), StoreError> {
        let now = now_utc();
        self.transaction(|j| {
            for q in questions {
                let masked = mask(&q.question);
                let asked_at = q.asked_at.as_deref().unwrap_or(&now);
                let group = if q.decision == "escalate" {
                    Some(j.group_gap(&masked, asked_at)?)
                } else {
                    None
                };
                j.store.put_question(QuestionRow {
                    record: q,
                    masked: &masked,
                    asked_at,
                    group,
                })?;
            }
            Ok(())
        })
    }

    /// Records feedback on a known request: one per answer, a later one replaces it. A bad
    /// rating makes the question a gap (grouped now, if it was not one already).
    pub fn record_feedback(&mut self, f: &FeedbackRecord) -> Result<(), StoreError> {
        let Some((question, group)) = self.store.question(&f.request_id)? else {
            return Err(StoreError::UnknownRequest(f.request_id.to_string()));
        };
        let masked = FeedbackRecord {
            comment: f.comment.as_deref().map(mask),
            ..f.clone()
        };
        let now = now_utc();
        self.transaction(|j| {
            j.store.put_feedback(&masked, &now)?;
            let bad = !f.helpful || f.rating.is_some_and(|r| r <= 2);
            if bad && group.is_none() {
                let group = j.group_gap(&question, &now)?;
                j.store.set_group(&f.request_id, group)?;
            }
            Ok(())
        })
    }

    /// Deletes questions (and their feedback) asked before `days` days ago, gap groups last
    /// active before then and generation switches older than that; returns the number of
    /// questions deleted.
    pub fn purge_older_than(&mut self, days: u32) -> Result<usize, StoreError> {
        let cutoff =
            utc_string(time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days)));
        let deleted = self.transaction(|j| j.store.purge_before(&cutoff))?;
        self.stale = true;
        self.fresh_groups()?;
        Ok(deleted)
    }

    /// One page of the gap groups (escalated or badly rated questions grouped by shared terms),
    /// most frequent first: an indexed query, however many questions are stored.
    pub fn unanswered(&mut self, state: GapState, page: Page) -> Result<Vec<GapGroup>, StoreError> {
        self.store.groups(state, page)
    }

    /// Marks gap group `id` as answered by `entry` (by `who`, now); `None` if there is no such
    /// group.
    pub fn handle_gap(
        &mut self,
        id: i64,
        entry: &str,
        who: &str,
    ) -> Result<Option<GapGroup>, StoreError> {
        self.store.handle_group(id, entry, who, &now_utc())?;
        self.store.group(id)
    }

    /// Gap group `id`, if there is one.
    pub fn gap(&mut self, id: i64) -> Result<Option<GapGroup>, StoreError> {
        self.store.group(id)
    }

    /// Records that `generation` now serves (at start, after a reindex or a rollback), unless it
    /// already was the last one recorded: the dashboard marks these switches on its time axis.
    pub fn record_generation(&mut self, generation: u64) -> Result<(), StoreError> {
        self.record_generation_at(generation, &now_utc())
    }

    /// [`Journal::record_generation`] at a given time (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    pub fn record_generation_at(&mut self, generation: u64, at: &str) -> Result<(), StoreError> {
        if self.store.last_generation()? != Some(generation) {
            self.store.put_generation(generation, at)?;
        }
        Ok(())
    }

    /// Makes what was written durable in the main files (SQLite merges its WAL; at shutdown).
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.store.checkpoint()
    }

    /// Number of recorded questions.
    pub fn question_count(&mut self) -> Result<usize, StoreError> {
        self.store.question_count()
    }

    /// Number of recorded feedback records (one per answer rated).
    pub fn feedback_count(&mut self) -> Result<usize, StoreError> {
        self.store.feedback_count()
    }

    /// Puts a gap question into the first recently active group whose terms overlap it by
    /// Jaccard >= 0.5, or a new group; returns the group id. The group shows its most recent
    /// question. Called inside a transaction.
    fn group_gap(&mut self, question: &str, asked_at: &str) -> Result<i64, StoreError> {
        let terms: HashSet<String> = self.analyzer.query_terms(question).into_iter().collect();
        let known = match self.groups.find(&terms) {
            Some(id) => self.store.group_text(id)?.map(|text| (id, text)),
            None => None,
        };
        let id = match known {
            Some((id, (previous, examples))) => {
                let mut examples: Vec<String> = serde_json::from_str(&examples).unwrap_or_default();
                if previous != question
                    && !examples.contains(&previous)
                    && examples.len() < EXAMPLES_PER_GROUP
                {
                    examples.push(previous);
                }
                examples.retain(|e| e != question);
                let examples = serde_json::to_string(&examples).unwrap_or_else(|_| "[]".into());
                self.store.grow_group(id, question, &examples, asked_at)?;
                self.groups.refresh(id);
                id
            }
            None => {
                let mut sorted: Vec<&str> = terms.iter().map(String::as_str).collect();
                sorted.sort_unstable();
                let id = self
                    .store
                    .new_group(&sorted.join(" "), question, asked_at)?;
                self.groups.touch(id, terms);
                id
            }
        };
        Ok(id)
    }
}
