//! Retrieval: lexical and vector candidates, weighted fusion, one hit per entry, snippets.

mod fusion;
mod snippet;

use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use serde::{Deserialize, Serialize};

pub use fusion::{best_per_entry, fuse, Evidence, Fused, Fusion, FusionWeights};
pub use snippet::{escape, make_snippet, Snippet};

use crate::analysis::Analyzer;
use crate::config::RetrieveConfig;
use crate::corpus::{EntryId, EntryType};
use crate::embed::{EmbedError, Embedder};
use crate::index::{Generation, IndexError, IndexGeneration};

/// Longest question accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2000;
/// Snippet length in characters.
const SNIPPET_CHARS: usize = 220;

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum RetrieveError {
    /// Nothing but whitespace was asked.
    #[error("the query is empty")]
    EmptyQuery,
    /// The query is longer than [`MAX_QUERY_CHARS`].
    #[error("the query has {0} characters; at most {MAX_QUERY_CHARS} are accepted")]
    QueryTooLong(usize),
    /// Embedding the query failed.
    #[error(transparent)]
    Embed(#[from] EmbedError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// A search: the query and optional filters.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The user's text.
    pub query: String,
    /// Most hits returned.
    pub limit: usize,
    /// Only entries of this category (catalogue service), compared case-insensitively.
    pub category: Option<String>,
    /// Only entries of this type.
    pub kind: Option<EntryType>,
    /// Leave snippets empty (callers that only need the ranking, e.g. answering).
    pub skip_snippets: bool,
    /// Fuse with this instead of the generation's fusion (fitting a generation before it is served).
    pub fusion: Option<Fusion>,
}

/// One entry found.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// Entry id.
    pub id: EntryId,
    /// Entry title.
    pub title: String,
    /// Article or FAQ.
    #[serde(rename = "type")]
    pub kind: EntryType,
    /// Category (catalogue service).
    pub category: Option<String>,
    /// Excerpt of the best passage with matched words.
    pub snippet: Snippet,
    /// Fused score: orders hits of one query, not a probability.
    pub score: f32,
    /// BM25 evidence.
    #[serde(skip)]
    pub lexical: Option<Evidence>,
    /// Vector evidence.
    #[serde(skip)]
    pub vector: Option<Evidence>,
    /// Passage shown.
    #[serde(skip)]
    pub passage: usize,
}

/// Hits plus what produced them.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Best first, at most `limit`.
    pub hits: Vec<SearchHit>,
    /// Entries matched in all (after filters, before the limit).
    pub total: usize,
    /// Analysed query terms used for BM25.
    pub terms: Vec<String>,
    /// Generation searched.
    pub generation: Generation,
    /// The query's unit vector (for confidence features).
    pub query_vector: Vec<f32>,
    /// Time taken.
    pub took: Duration,
}

/// What each side found for one query, before fusion.
#[derive(Debug, Clone)]
pub struct Candidates {
    /// Analysed query terms used for BM25.
    pub terms: Vec<String>,
    /// The query's unit vector.
    pub query_vector: Vec<f32>,
    /// Entries by their best passage's BM25 score, best first.
    pub lexical: Vec<(usize, Evidence)>,
    /// Entries by their best passage's cosine, best first.
    pub vector: Vec<(usize, Evidence)>,
    /// The lowest cosine among the vector passage candidates (what "not similar" means here).
    pub vector_floor: f32,
}

impl Candidates {
    /// The two rankings fused by `fusion`.
    pub fn fuse(&self, fusion: &Fusion) -> Vec<Fused> {
        fusion.fuse(&self.lexical, &self.vector, self.vector_floor)
    }
}

/// Runs hybrid searches over a generation; holds the shared model and analyzer.
pub struct Searcher {
    embedder: Arc<Embedder>,
    analyzer: Analyzer,
    config: RetrieveConfig,
    /// Vectors of recent queries (an agent refining filters, the bot's search after routing checks).
    query_vectors: Option<Mutex<LruCache<String, Vec<f32>>>>,
}

impl Searcher {
    /// A searcher using `embedder` for query vectors.
    pub fn new(embedder: Arc<Embedder>, config: RetrieveConfig) -> Searcher {
        Searcher {
            embedder,
            analyzer: Analyzer::new(),
            query_vectors: NonZeroUsize::new(config.query_cache)
                .map(|n| Mutex::new(LruCache::new(n))),
            config,
        }
    }

    /// The unit vector of `query` as typed, from the cache when recent.
    fn query_vector(&self, query: &str) -> Result<Vec<f32>, EmbedError> {
        let text = query.to_string();
        let cached = self
            .query_vectors
            .as_ref()
            .and_then(|c| c.lock().ok()?.get(&text).cloned());
        if let Some(v) = cached {
            return Ok(v);
        }
        let v = self.embedder.embed_query(&text)?;
        if let Some(mut c) = self.query_vectors.as_ref().and_then(|c| c.lock().ok()) {
            c.put(text, v.clone());
        }
        Ok(v)
    }

    /// A searcher sharing this one's model and settings with its own cache of `capacity` query
    /// vectors (a build's fitting queries recur at every reindex; they should not crowd out users').
    pub fn with_query_cache(&self, capacity: usize) -> Searcher {
        Searcher::new(
            self.embedder.clone(),
            RetrieveConfig {
                query_cache: capacity,
                ..self.config.clone()
            },
        )
    }

    /// Embeds the `queries` not yet in the cache in batches (much faster than one by one).
    pub fn warm(&self, queries: &[String]) -> Result<(), EmbedError> {
        let Some(cache) = &self.query_vectors else {
            return Ok(());
        };
        let missing: Vec<String> = {
            let Ok(c) = cache.lock() else { return Ok(()) };
            let mut seen = HashSet::new();
            queries
                .iter()
                .map(|q| q.trim().to_string())
                .filter(|q| !c.contains(q) && seen.insert(q.clone()))
                .collect()
        };
        let vectors = self.embedder.embed_queries(&missing)?;
        if let Ok(mut c) = cache.lock() {
            for (q, v) in missing.into_iter().zip(vectors) {
                c.put(q, v);
            }
        }
        Ok(())
    }

    /// The embedding model (shared with index builds).
    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    /// The analyzer (shared with snippets and features).
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The evidence for `query` before fusion: analysed terms, query vector, and the best passage of
    /// each entry in the lexical and in the vector ranking.
    pub fn candidates(
        &self,
        generation: &IndexGeneration,
        query: &str,
    ) -> Result<Candidates, RetrieveError> {
        let query = query.trim();
        if !crate::analysis::has_visible(query) {
            return Err(RetrieveError::EmptyQuery);
        }
        let chars = query.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(RetrieveError::QueryTooLong(chars));
        }
        let terms = self.analyzer.query_terms(query);
        let lexical = generation
            .lexical
            .search(&terms, self.config.lexical_candidates)?;
        let query_vector = self.query_vector(query)?;
        let vector = generation.vectors.search(
            &query_vector,
            self.config.vector_candidates,
            self.config.ef_search,
        );
        let entry_of = |p: usize| generation.entry_of_passage(p);
        Ok(Candidates {
            lexical: best_per_entry(
                lexical
                    .iter()
                    .map(|&(p, s)| (entry_of(p as usize), p as usize, s)),
            ),
            vector_floor: vector.last().map_or(0.0, |&(_, s)| s),
            vector: best_per_entry(vector.iter().map(|&(p, s)| (entry_of(p), p, s))),
            terms,
            query_vector,
        })
    }

    /// The configured fusion: what a build without labelled queries serves with.
    pub fn default_fusion(&self) -> Fusion {
        self.config.fusion
    }

    /// The fusion `generation` was fitted with (its manifest's `fits.fusion`), else the default.
    pub fn fusion(&self, generation: &IndexGeneration) -> Fusion {
        generation
            .manifest
            .fits
            .get("fusion")
            .and_then(|v| Fusion::deserialize(v).ok())
            .unwrap_or(self.config.fusion)
    }

    /// Searches `generation` for `request`.
    pub fn search(
        &self,
        generation: &IndexGeneration,
        request: &SearchRequest,
    ) -> Result<SearchResults, RetrieveError> {
        let started = Instant::now();
        let candidates = self.candidates(generation, &request.query)?;
        let fused = candidates.fuse(&request.fusion.unwrap_or_else(|| self.fusion(generation)));
        let Candidates {
            terms,
            query_vector: qv,
            ..
        } = candidates;
        let category = request.category.as_deref().map(str::to_lowercase);
        let kept: Vec<Fused> = fused
            .into_iter()
            .filter(|f| {
                let e = &generation.entries[f.entry];
                request.kind.is_none_or(|k| e.kind == k)
                    && category.as_deref().is_none_or(|c| {
                        e.category.as_deref().map(str::to_lowercase).as_deref() == Some(c)
                    })
            })
            .collect();
        let term_set: HashSet<String> = terms.iter().cloned().collect();
        let hits = kept
            .iter()
            .take(request.limit)
            .map(|f| {
                let e = &generation.entries[f.entry];
                let passage = f.passage();
                let record = &generation.passages[passage];
                // FAQs: show the answer, not the alternative phrasings
                let text = match (&record.heading, e.kind) {
                    (_, EntryType::Faq) => e.body.clone(),
                    (Some(h), _) => format!("{h}: {}", record.text),
                    (None, _) => record.text.clone(),
                };
                SearchHit {
                    id: e.id.clone(),
                    title: e.display_title(),
                    kind: e.kind,
                    category: e.category.clone(),
                    snippet: if request.skip_snippets {
                        Snippet::default()
                    } else {
                        make_snippet(&self.analyzer, &text, &term_set, SNIPPET_CHARS)
                    },
                    score: f.score,
                    lexical: f.lexical,
                    vector: f.vector,
                    passage,
                }
            })
            .collect();
        Ok(SearchResults {
            hits,
            total: kept.len(),
            terms,
            generation: generation.generation(),
            query_vector: qv,
            took: started.elapsed(),
        })
    }
}
