//! Answering: route transactional requests, search, compute a calibrated confidence, decide between
//! answer / clarify / escalate, and compose the payload the WhatsApp bot sends.

mod calibrate;
mod compose;
mod coverage;
mod details;
mod features;
mod route;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use utoipa::ToSchema;

pub use calibrate::{
    ece, file_hash, held_back, judge, Adjustment, Calibration, CalibrationError, Confidence,
    ConfidenceMetrics, FitInfo, MIN_ADJUSTMENT_QUERIES,
};
pub use compose::{whatsapp_markup, Channel, Escalation, UnknownChannel, WHATSAPP_LIMIT};
pub use coverage::{word_coverage, CoveragePolicy, DetailGap, EntryTokens, TermSpread};
pub use details::detail_gap;
pub use features::{Features, Reference, FEATURE_NAMES};
pub use route::{
    nearest_examples, route, Field, Found, Menu, NearestExamples, Route, RoutePolicy, RouteSignal,
};

use crate::config::AnswerConfig;
use crate::index::IndexGeneration;
use crate::privacy::mask;
use crate::retrieve::{RetrieveError, SearchRequest, SearchResults, Searcher};

/// What the bot should do with a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Send the answer.
    Answer,
    /// Offer the suggestions as choices.
    Clarify,
    /// Open a ticket to HAI-DJPb.
    Escalate,
    /// A transaction: send the user to a bot menu.
    Route,
}

impl Decision {
    /// Every decision, in the order reports show them.
    pub const ALL: [Decision; 4] = [
        Decision::Answer,
        Decision::Clarify,
        Decision::Route,
        Decision::Escalate,
    ];

    /// The lowercase name (as serialised and stored).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Answer => "answer",
            Decision::Clarify => "clarify",
            Decision::Escalate => "escalate",
            Decision::Route => "route",
        }
    }
}

/// Which signal decided, for the bot's operators ("why did the bot do that?").
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum DecidedBy {
    /// A menu request (`route.signal` says whether by an identifier or by examples).
    Route,
    /// The calibrated confidence against the thresholds.
    Confidence {
        /// Answer at or above.
        answer_at: f64,
        /// Clarify at or above (below: escalate).
        clarify_at: f64,
    },
    /// Confident, but the best entry does not state the detail asked for: clarified instead.
    DetailNotStated {
        /// The detail.
        gap: DetailGap,
    },
    /// Nothing in the knowledge base matched.
    NoResults,
}

/// An entry an answer is based on or suggests.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Source {
    /// Entry id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Catalogue service or general category.
    pub category: Option<String>,
    /// article or faq.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The outcome for one question (the server adds request id and timing).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Answer {
    /// What to do.
    pub decision: Decision,
    /// P(the answer is correct), calibrated; 1 for rule-based routes.
    #[schema(value_type = f64)]
    pub confidence: Confidence,
    /// Text ready to send (answer, choices, routing or escalation message).
    pub answer: Option<String>,
    /// Entries the answer comes from (the first hit).
    pub sources: Vec<Source>,
    /// Top entries for the bot's buttons (when clarifying; also given otherwise).
    pub suggestions: Vec<Source>,
    /// Ticket prefill (when escalating).
    pub escalation: Option<Escalation>,
    /// The bot menu (when routing).
    pub route: Option<Route>,
    /// Which signal decided.
    pub decided_by: DecidedBy,
}

/// A whole entry as a WhatsApp message (for agents copying an answer).
pub fn article_message(entry: &crate::corpus::Entry) -> String {
    compose::answer_text(entry, None, Channel::WhatsApp)
}

/// Searches `question` (at most `limit` hits) and computes the confidence features of the results,
/// relative to the generation's [`Reference`].
pub fn search_with_features(
    searcher: &Searcher,
    generation: &IndexGeneration,
    question: &str,
    limit: usize,
) -> Result<(SearchResults, Features), RetrieveError> {
    let (results, raw) = search_with_raw_features(searcher, generation, question, limit, None)?;
    Ok((results, raw.relative_to(&Reference::of(generation))))
}

/// [`search_with_features`] with the features as measured (no reference) and, optionally, another
/// fusion than the generation's (a build measures its reference before it is published).
pub fn search_with_raw_features(
    searcher: &Searcher,
    generation: &IndexGeneration,
    question: &str,
    limit: usize,
    fusion: Option<crate::retrieve::Fusion>,
) -> Result<(SearchResults, Features), RetrieveError> {
    let (results, features, _) = search_scored(searcher, generation, question, limit, fusion)?;
    Ok((results, features))
}

/// The search, its raw features and the analysed terms of the best entry (which the features and
/// the answerability check both read: analysed once).
fn search_scored(
    searcher: &Searcher,
    generation: &IndexGeneration,
    question: &str,
    limit: usize,
    fusion: Option<crate::retrieve::Fusion>,
) -> Result<(SearchResults, Features, HashSet<String>), RetrieveError> {
    let results = searcher.search(
        generation,
        &SearchRequest {
            query: question.to_string(),
            limit,
            skip_snippets: true,
            fusion,
            ..Default::default()
        },
    )?;
    let (features, entry_terms) = score_results(searcher, generation, &results);
    Ok((results, features, entry_terms))
}

/// The raw confidence features of `results` and the analysed terms of their best entry.
fn score_results(
    searcher: &Searcher,
    generation: &IndexGeneration,
    results: &SearchResults,
) -> (Features, HashSet<String>) {
    let entry_terms = results
        .hits
        .first()
        .and_then(|h| generation.entry(&h.id.0))
        .map(|e| {
            searcher
                .analyzer()
                .query_terms(&e.full_text())
                .into_iter()
                .collect()
        })
        .unwrap_or_default();
    (Features::of(generation, results, &entry_terms), entry_terms)
}

/// The catalogue service two of the three best hits share (the first such in rank order): a
/// ticket draft's guess needs that much agreement, else the agent picks the service.
fn shared_service(results: &SearchResults) -> Option<String> {
    let services: Vec<&str> = results
        .hits
        .iter()
        .take(3)
        .filter_map(|h| h.category.as_deref())
        .filter(|c| crate::catalogue::is_service(c))
        .collect();
    services
        .iter()
        .find(|s| services.iter().filter(|t| t == s).count() >= 2)
        .map(|s| s.to_string())
}

/// Turns questions into decisions with a shared searcher and a fitted calibration.
pub struct Answerer {
    searcher: Arc<Searcher>,
    calibration: Calibration,
    config: AnswerConfig,
    /// Term spread of the last generation answered from (keyed by corpus hash and generation).
    spread: Mutex<Vec<(String, Arc<TermSpread>)>>,
    /// The model's token vectors of the texts of entries recently answered from, by content (for
    /// [`TEXTS_KEPT_PER_ENTRY`] texts per entry of `config.coverage.max_entries`).
    text_tokens: Mutex<lru::LruCache<blake3::Hash, Arc<EntryTokens>>>,
    /// Held while a text is read for `text_tokens`.
    reading: Mutex<()>,
}

/// Texts of an entry the coverage check reads: an FAQ entry whole, a long guide's title, phrasings
/// and matched passage with the next passages (one model run of at most this many texts).
const ENTRY_TEXTS_READ: usize = 8;

/// Texts kept per entry the coverage check may read (the starter corpus has 5.8 per entry).
const TEXTS_KEPT_PER_ENTRY: usize = 6;

impl Answerer {
    /// An answerer with `calibration` and the decision thresholds of `config`.
    pub fn new(
        searcher: Arc<Searcher>,
        calibration: Calibration,
        config: AnswerConfig,
    ) -> Answerer {
        let kept = std::num::NonZeroUsize::new(config.coverage.max_entries * TEXTS_KEPT_PER_ENTRY)
            .unwrap_or(std::num::NonZeroUsize::MIN);
        Answerer {
            searcher,
            calibration,
            config,
            spread: Mutex::new(Vec::new()),
            text_tokens: Mutex::new(lru::LruCache::new(kept)),
            reading: Mutex::new(()),
        }
    }

    /// How many entries of `generation` use each term (computed once per generation; the two
    /// latest are kept, so requests still on the previous generation during a switch find theirs).
    fn spread(&self, generation: &IndexGeneration) -> Arc<TermSpread> {
        let key = format!(
            "{}/{}",
            generation.manifest.corpus_hash,
            generation.generation().0
        );
        let known = |slots: &Vec<(String, Arc<TermSpread>)>| {
            slots
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, s)| s.clone())
        };
        let lock = || self.spread.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(spread) = known(&lock()) {
            return spread;
        }
        // computed outside the lock: a large corpus takes seconds, other generations' requests go on
        let spread = Arc::new(TermSpread::of(
            &generation.entries,
            self.searcher.analyzer(),
        ));
        let mut slots = lock();
        if let Some(spread) = known(&slots) {
            return spread;
        }
        slots.push((key, spread.clone()));
        if slots.len() > 2 {
            slots.remove(0);
        }
        spread
    }

    /// The model's token vectors of an entry's title, phrasings and passages, the matched passage
    /// `passage` first, at most [`ENTRY_TEXTS_READ`] texts. Each text is read once and kept by its
    /// content, so a new generation reads only the texts an edit changed.
    fn entry_tokens(
        &self,
        generation: &IndexGeneration,
        entry: &crate::corpus::Entry,
        passage: usize,
    ) -> Result<EntryTokens, RetrieveError> {
        let own = generation.passages_of(&entry.id);
        let matched = own.iter().copied().filter(|&p| p == passage);
        let others = own.iter().copied().filter(|&p| p != passage);
        let texts = std::iter::once(&entry.title).chain(&entry.questions).chain(
            matched
                .chain(others)
                .filter_map(|p| generation.passages.get(p))
                .map(|p| &p.text),
        );
        let lock = || self.text_tokens.lock().unwrap_or_else(|p| p.into_inner());
        let mut pieces = Vec::new();
        for text in texts.take(ENTRY_TEXTS_READ) {
            let key = blake3::hash(text.as_bytes());
            let known = || lock().get(&key).cloned();
            let piece = match known() {
                Some(piece) => piece,
                None => {
                    // one reader at a time: requests arriving together for one entry (a start, a
                    // new generation) read it once, the others find it read
                    let _reading = self.reading.lock().unwrap_or_else(|p| p.into_inner());
                    match known() {
                        Some(piece) => piece,
                        None => {
                            let read = self
                                .searcher
                                .embedder()
                                .passage_tokens(std::slice::from_ref(text))?;
                            let piece = Arc::new(EntryTokens::of(&read));
                            lock().put(key, piece.clone());
                            piece
                        }
                    }
                }
            };
            pieces.push(piece);
        }
        Ok(EntryTokens::join(&pieces))
    }

    /// How well the entry `id` (its passage `passage` first) covers each content word of
    /// `question`, by the model's reading (see [`word_coverage`]); empty for an unknown entry.
    pub fn coverage(
        &self,
        generation: &IndexGeneration,
        question: &str,
        id: &str,
        passage: usize,
    ) -> Result<Vec<(String, f32)>, RetrieveError> {
        let Some(entry) = generation.entry(id) else {
            return Ok(Vec::new());
        };
        let entry = self.entry_tokens(generation, entry, passage)?;
        let question = self.searcher.embedder().query_tokens(question)?;
        Ok(word_coverage(&question, &entry))
    }

    /// Computes what answering from `generation` needs once, before it serves (the server calls it
    /// at start and before switching generations, so no user waits for it).
    pub fn prepare(&self, generation: &IndexGeneration) {
        self.spread(generation);
        generation.menu_model();
    }

    /// The shipped calibration (each generation adjusts it, see [`Adjustment`]).
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// The decision thresholds: (answer at, clarify at).
    pub fn thresholds(&self) -> (f64, f64) {
        (self.config.answer_at, self.config.clarify_at)
    }

    /// The searcher used.
    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// Searches and scores a question: the results, their features and the calibrated confidence.
    pub fn assess(
        &self,
        generation: &IndexGeneration,
        question: &str,
    ) -> Result<(SearchResults, Features, Confidence), RetrieveError> {
        let (results, features, confidence, _) = self.assess_scored(generation, question)?;
        Ok((results, features, confidence))
    }

    /// [`Answerer::assess`], with the analysed terms of the best entry.
    fn assess_scored(
        &self,
        generation: &IndexGeneration,
        question: &str,
    ) -> Result<(SearchResults, Features, Confidence, HashSet<String>), RetrieveError> {
        let (results, raw, top_terms) = search_scored(
            &self.searcher,
            generation,
            question,
            self.config.suggestions.max(5),
            None,
        )?;
        let features = raw.relative_to(&Reference::of(generation));
        let confidence = self.calibration.confidence_on(generation, &features);
        Ok((results, features, confidence, top_terms))
    }

    /// The calibrated confidence that the first of `results` (a search of `generation` with its
    /// own fusion) answers the question: what [`Answerer::assess`] gives, without searching again.
    pub fn confidence_of(
        &self,
        generation: &IndexGeneration,
        results: &SearchResults,
    ) -> Confidence {
        let (raw, _) = score_results(&self.searcher, generation, results);
        self.calibration
            .confidence_on(generation, &raw.relative_to(&Reference::of(generation)))
    }

    /// Whether a question with `confidence` is escalated rather than answered or clarified.
    pub fn escalates(&self, confidence: Confidence) -> bool {
        confidence.0 < self.config.clarify_at
    }

    /// Answers `question` from `generation` for `channel`.
    pub fn answer(
        &self,
        generation: &IndexGeneration,
        question: &str,
        channel: Channel,
    ) -> Result<Answer, RetrieveError> {
        let (results, _, confidence, top_terms) = self.assess_scored(generation, question)?;
        let nearest = nearest_examples(
            &generation.menu_examples,
            generation.menu_model(),
            &results.query_vector,
        );
        if let Some(r) = route(question, &nearest, &self.config.route) {
            return Ok(Answer {
                decision: Decision::Route,
                confidence: Confidence(1.0),
                answer: Some(compose::route_text(&r)),
                sources: vec![],
                suggestions: vec![],
                escalation: None,
                route: Some(r),
                decided_by: DecidedBy::Route,
            });
        }
        let source = |id: &str| {
            generation.entry(id).map(|e| Source {
                id: e.id.0.clone(),
                title: e.display_title(),
                category: e.category.clone(),
                kind: e.kind.as_str().to_string(),
            })
        };
        let suggestions: Vec<Source> = results
            .hits
            .iter()
            .take(self.config.suggestions)
            .filter_map(|h| source(&h.id.0))
            .collect();
        let top = results.hits.first();
        let by_confidence = DecidedBy::Confidence {
            answer_at: self.config.answer_at,
            clarify_at: self.config.clarify_at,
        };
        // the detail checks, cheapest first; the model's reading only for what the words pass
        let gap = || -> Result<Option<DetailGap>, RetrieveError> {
            let Some((hit, entry)) = top.and_then(|h| Some((h, generation.entry(&h.id.0)?))) else {
                return Ok(None);
            };
            if let Some(gap) = detail_gap(question, &entry.full_text()) {
                return Ok(Some(gap));
            }
            let policy = &self.config.coverage;
            let coverage = if generation.entries.len() <= policy.max_entries {
                self.coverage(generation, question, &entry.id.0, hit.passage)?
            } else {
                Vec::new()
            };
            let topic = self
                .spread(generation)
                .topic_gap(&results.terms, &top_terms)
                .filter(|gap| match gap {
                    DetailGap::Topic(term) => {
                        !policy.covers_topic(term, &coverage, self.searcher.analyzer())
                    }
                    _ => true,
                });
            Ok(topic.or_else(|| policy.uncovered(&coverage)))
        };
        let (decision, decided_by) = if results.hits.is_empty() {
            (Decision::Escalate, DecidedBy::NoResults)
        } else if self.escalates(confidence) {
            (Decision::Escalate, by_confidence)
        } else if confidence.0 < self.config.answer_at {
            (Decision::Clarify, by_confidence)
        } else if let Some(gap) = gap()? {
            (Decision::Clarify, DecidedBy::DetailNotStated { gap })
        } else {
            (Decision::Answer, by_confidence)
        };
        let (answer, escalation) = match decision {
            Decision::Answer => {
                let text = top.and_then(|h| {
                    let entry = generation.entry(&h.id.0)?;
                    let passage = generation.passages.get(h.passage).map(|p| p.text.as_str());
                    Some(compose::answer_text(entry, passage, channel))
                });
                (text, None)
            }
            Decision::Clarify => {
                let titles: Vec<String> = suggestions.iter().map(|s| s.title.clone()).collect();
                (Some(compose::clarify_text(&titles)), None)
            }
            _ => {
                let service = (confidence.0 >= self.config.service_at)
                    .then(|| shared_service(&results))
                    .flatten();
                let e =
                    compose::escalation(&mask(question), service, time::OffsetDateTime::now_utc());
                (Some(compose::escalate_text(&e)), Some(e))
            }
        };
        let sources = match decision {
            Decision::Answer => top.and_then(|h| source(&h.id.0)).into_iter().collect(),
            _ => vec![],
        };
        Ok(Answer {
            decision,
            confidence,
            answer,
            sources,
            suggestions,
            escalation,
            route: None,
            decided_by,
        })
    }
}
