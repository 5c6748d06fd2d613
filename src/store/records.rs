//! The records the store keeps and the lists it serves, whatever the backend.

use serde::Serialize;
use utoipa::ToSchema;

/// A question as recorded (the store masks the text, whatever the caller did).
#[derive(Debug, Clone, Default)]
pub struct QuestionRecord {
    /// Request id given to the caller.
    pub request_id: String,
    /// Question as asked (masked before it is written).
    pub question: String,
    /// Channel.
    pub channel: &'static str,
    /// Decision taken.
    pub decision: &'static str,
    /// Confidence.
    pub confidence: f64,
    /// First hit id, if any.
    pub top_id: Option<String>,
    /// Server time spent answering, in milliseconds.
    pub latency_ms: Option<f64>,
    /// The generation that answered.
    pub generation: Option<u64>,
    /// Category of the first hit (a catalogue service or a general topic).
    pub category: Option<String>,
    /// The catalogue service: the first hit's category when it is one, else the ticket draft's.
    pub service: Option<String>,
    /// When it was asked (UTC, `YYYY-MM-DDTHH:MM:SSZ`); none: when it is written. Set when
    /// questions are replayed or imported.
    pub asked_at: Option<String>,
}

/// Feedback on an answer.
#[derive(Debug, Clone)]
pub struct FeedbackRecord {
    /// The answered request.
    pub request_id: String,
    /// Iya / Tidak.
    pub helpful: bool,
    /// 1 (Sangat Tidak Puas) .. 5 (Sangat Puas).
    pub rating: Option<u8>,
    /// Free comment (masked before it is written).
    pub comment: Option<String>,
}

/// A group of similar unanswered questions.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GapGroup {
    /// Group id (to mark it handled).
    pub id: i64,
    /// The most recent question of the group (masked).
    pub question: String,
    /// How often questions of this group were asked.
    pub count: usize,
    /// Other phrasings in the group (masked, at most 5).
    pub examples: Vec<String>,
    /// When one was last asked (UTC, RFC 3339).
    pub last_asked: String,
    /// The entry an editor answered it with, once handled.
    pub entry: Option<String>,
    /// Who handled it.
    pub handled_by: Option<String>,
    /// When (UTC, RFC 3339). A question of the group asked later puts it back on the open list
    /// (`entry` then names the entry that did not answer it).
    pub handled_at: Option<String>,
}

/// Which gap groups a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GapState {
    /// Not handled, or asked again since: most frequent first.
    #[default]
    Open,
    /// Handled by an editor: most recently handled first.
    Handled,
}

/// A page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Items on the page.
    pub limit: usize,
    /// Items before it.
    pub offset: usize,
}

impl Page {
    /// The page a request asks for: `limit` 1-500 (default 100), `offset` default 0.
    pub fn of(limit: Option<usize>, offset: Option<usize>) -> Page {
        Page {
            limit: limit.unwrap_or(100).clamp(1, 500),
            offset: offset.unwrap_or(0),
        }
    }
}
