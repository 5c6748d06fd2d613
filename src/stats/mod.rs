//! The supervisors' figures (issue 16): questions per WIB day by decision, shares answered and
//! escalated with the generation switches, feedback and ratings, the catalogue services and
//! categories asked about, the most frequent unanswered groups, a reliability picture of the
//! direct answers' confidence, and latency percentiles.
//!
//! Everything is aggregated by the database from the masked question store (`crate::store` keeps
//! the columns and indexes; this module only reads, on a connection of its own; SQLite in
//! `query.rs`, PostgreSQL in `postgres.rs`, the same sums for both): each aggregate is a
//! range scan of one covering index in the order its GROUP BY needs, so a year of traffic (about a
//! million questions) is summed without sorting or reading the table. `tables` turns the figures
//! into the tables and CSV files behind each chart, `charts` draws the charts as SVG (plotters).

pub mod charts;
mod period;
#[cfg(feature = "postgres")]
mod postgres;
mod query;
mod report;
pub mod tables;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use period::{
    day_string, today_wib, utc_string, wib_string, PeriodError, StatsQuery, DEFAULT_DAYS, MAX_DAYS,
    WIB,
};
pub use query::{StatsError, StatsReader, TOP_GAPS, TOP_TOPICS};
pub use report::{panels, Panel};

/// Questions counted by the decision the bot took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionCounts {
    /// All questions.
    pub questions: u64,
    /// Answered directly (`answer`).
    pub answered: u64,
    /// Offered choices (`clarify`).
    pub clarified: u64,
    /// Sent to a bot menu (`route`).
    pub routed: u64,
    /// Escalated to a ticket (`escalate`).
    pub escalated: u64,
}

impl DecisionCounts {
    /// Adds `n` questions decided `decision` (as stored; an unknown name counts only in the total).
    pub fn add(&mut self, decision: &str, n: u64) {
        self.questions += n;
        match decision {
            "answer" => self.answered += n,
            "clarify" => self.clarified += n,
            "route" => self.routed += n,
            "escalate" => self.escalated += n,
            _ => {}
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &DecisionCounts) {
        self.questions += other.questions;
        self.answered += other.answered;
        self.clarified += other.clarified;
        self.routed += other.routed;
        self.escalated += other.escalated;
    }

    /// Share answered directly (none without questions).
    pub fn share_answered(&self) -> Option<f64> {
        share(self.answered, self.questions)
    }

    /// Share escalated (none without questions).
    pub fn share_escalated(&self) -> Option<f64> {
        share(self.escalated, self.questions)
    }
}

/// Users' feedback on the questions of a day or period (the latest per answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackCounts {
    /// Questions with feedback.
    pub given: u64,
    /// Of which "Iya" (helpful).
    pub helpful: u64,
    /// Ratings 1 (Sangat Tidak Puas) to 5 (Sangat Puas): how many of each.
    pub ratings: [u64; 5],
}

impl FeedbackCounts {
    /// Share of feedback that found the answer helpful (none without feedback).
    pub fn helpful_rate(&self) -> Option<f64> {
        share(self.helpful, self.given)
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &FeedbackCounts) {
        self.given += other.given;
        self.helpful += other.helpful;
        for (a, b) in self.ratings.iter_mut().zip(other.ratings) {
            *a += b;
        }
    }

    /// The mean rating (none without ratings).
    pub fn mean_rating(&self) -> Option<f64> {
        let n: u64 = self.ratings.iter().sum();
        let sum: u64 = (1..=5).zip(self.ratings).map(|(r, c)| r * c).sum();
        (n > 0).then(|| sum as f64 / n as f64)
    }
}

/// Figures of one day or of the whole period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    /// Questions by decision.
    pub decisions: DecisionCounts,
    /// Share answered directly (0-1).
    pub share_answered: Option<f64>,
    /// Share escalated (0-1).
    pub share_escalated: Option<f64>,
    /// Feedback and ratings.
    pub feedback: FeedbackCounts,
    /// Share of feedback that was helpful (0-1).
    pub helpful_rate: Option<f64>,
}

impl Figures {
    /// The figures of these counts, shares computed.
    pub fn of(decisions: DecisionCounts, feedback: FeedbackCounts) -> Figures {
        Figures {
            share_answered: decisions.share_answered(),
            share_escalated: decisions.share_escalated(),
            helpful_rate: feedback.helpful_rate(),
            decisions,
            feedback,
        }
    }
}

/// Server latency of a day's answers (nearest-rank percentiles).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Latency {
    /// Answers timed (questions recorded before latency was kept are not).
    pub measured: u64,
    /// Median, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
}

/// One WIB day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DayStats {
    /// The day, `YYYY-MM-DD` (WIB).
    pub day: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: Figures,
    /// Its latency (none when no answer was timed).
    pub latency: Option<Latency>,
}

/// A generation that started serving in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GenerationSwitch {
    /// The generation.
    pub generation: u64,
    /// When it started serving (UTC, RFC 3339).
    pub at: String,
    /// The day it started serving, `YYYY-MM-DD` (WIB).
    pub day: String,
}

/// Questions about one catalogue service or category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TopicCount {
    /// The service or category (of the first hit; "" for questions without one).
    pub name: String,
    /// Its questions by decision.
    pub decisions: DecisionCounts,
    /// Share answered directly (0-1).
    pub share_answered: Option<f64>,
}

/// A group of unanswered questions and how often it was asked in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GapCount {
    /// The group's id.
    pub group: i64,
    /// The group's most recent question (masked).
    pub question: String,
    /// Questions of the group in the period (and channel).
    pub asked: u64,
    /// Questions of the group ever kept.
    pub total: u64,
}

/// Direct answers whose confidence fell in one twentieth of [0, 1], against their feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfidenceBin {
    /// Lower bound of the confidence (inclusive).
    pub from: f64,
    /// Upper bound (exclusive; 1 inclusive for the last bin).
    pub to: f64,
    /// Direct answers in the bin.
    pub answers: u64,
    /// Mean confidence of those answers.
    pub mean_confidence: Option<f64>,
    /// Of those, answers with feedback.
    pub rated: u64,
    /// Of those, helpful.
    pub helpful: u64,
    /// helpful / rated: what the confidence should predict.
    pub helpful_rate: Option<f64>,
}

/// Bins of [`ConfidenceBin`].
pub const CONFIDENCE_BINS: usize = 20;

/// Every figure of the dashboard for one period and channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// First day, `YYYY-MM-DD` (WIB).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// The channel, or none for all.
    pub channel: Option<String>,
    /// Days are calendar days in this zone.
    pub timezone: String,
    /// The whole period.
    pub totals: Figures,
    /// Every day of the period, first to last (days without questions too).
    pub days: Vec<DayStats>,
    /// Generations that started serving in the period, in order.
    pub generations: Vec<GenerationSwitch>,
    /// The catalogue services asked about, most asked first (at most [`TOP_TOPICS`]).
    pub services: Vec<TopicCount>,
    /// The categories asked about (services and general topics), most asked first (at most
    /// [`TOP_TOPICS`]).
    pub categories: Vec<TopicCount>,
    /// The most frequent unanswered groups of the period (at most [`TOP_GAPS`]).
    pub gaps: Vec<GapCount>,
    /// Direct answers by confidence, against their helpful rate.
    pub reliability: Vec<ConfidenceBin>,
    /// Time the aggregation took, in milliseconds.
    pub took_ms: f64,
}

/// The time zone days are counted in.
pub const TIMEZONE: &str = "Asia/Jakarta (WIB, UTC+7)";

/// `part / whole`, none when `whole` is 0.
fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
