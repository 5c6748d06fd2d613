//! Route handlers: parse, call the library on a blocking thread, shape the JSON.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{join_error, ApiError, AppState, ErrorBody};
use crate::answer::{Answer, Channel, Decision, Escalation, Field, Found, Menu, Route, Source};
use crate::corpus::EntryType;
use crate::privacy::for_log;
use crate::retrieve::{SearchRequest, MAX_QUERY_CHARS};
use crate::store::{FeedbackRecord, GapGroup, QuestionRecord};

/// The OpenAPI description, generated from the handlers and types below.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "HAIPEDIA",
        description = "Knowledge-base answers for the HAI-DJPb WhatsApp bot, agents and editors"
    ),
    paths(
        answer,
        search,
        facets,
        article,
        feedback,
        super::gaps::unanswered,
        super::gaps::resolve,
        super::gaps::propose,
        super::gaps::drafts,
        super::gaps::publish,
        super::gaps::reject,
        super::upload::import,
        healthz,
        readyz,
        metrics,
        openapi,
        super::admin::reindex,
        super::admin::reindex_job,
        super::admin::status,
        super::admin::rollback,
        super::dashboard::stats,
        super::dashboard::stats_csv,
        super::dashboard::dashboard,
        super::entries::whoami,
        super::entries::list,
        super::entries::read,
        super::entries::save,
        super::entries::retire,
        super::entries::preview,
        super::entries::changes,
        super::entries::undo,
        super::cluster::generation,
        super::cluster::file
    ),
    components(schemas(
        AnswerRequest,
        AnswerResponse,
        Answer,
        Decision,
        Source,
        Escalation,
        Route,
        Menu,
        Field,
        Found,
        SearchResponse,
        SearchHitJson,
        ArticleResponse,
        FacetsResponse,
        Facet,
        FeedbackRequest,
        FeedbackResponse,
        super::cluster::ClusterView,
        crate::cluster::FollowerStatus,
        crate::cluster::Listing,
        crate::cluster::FileEntry,
        super::gaps::UnansweredResponse,
        super::gaps::Resolution,
        super::gaps::Resolved,
        super::gaps::DraftList,
        super::gaps::Publication,
        super::upload::ImportResult,
        super::upload::ImportedEntry,
        crate::drafts::NewDraft,
        crate::drafts::Draft,
        crate::drafts::DraftStatus,
        GapGroup,
        Health,
        ErrorBody,
        crate::reindex::JobStatus,
        crate::reindex::JobState,
        super::admin::AdminStatus,
        super::admin::RollbackResponse,
        super::dashboard::DashboardView,
        crate::stats::Stats,
        crate::stats::Figures,
        crate::stats::DecisionCounts,
        crate::stats::FeedbackCounts,
        crate::stats::Latency,
        crate::stats::DayStats,
        crate::stats::GenerationSwitch,
        crate::stats::TopicCount,
        crate::stats::GapCount,
        crate::stats::ConfidenceBin,
        crate::stats::Panel,
        crate::stats::charts::ChartView,
        crate::stats::charts::LegendItem,
        crate::stats::tables::TableView,
        super::entries::EntryList,
        super::entries::Retired,
        super::entries::WhoAmI,
        super::entries::Preview,
        super::entries::ChangeList,
        crate::editing::EntryInput,
        crate::editing::StoredEntry,
        crate::editing::EntrySummary,
        crate::corpus::FieldProblem,
        crate::changes::Change,
        crate::changes::Action
    ))
)]
pub struct ApiDoc;

/// A question from the bot.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// The user's message (1-2000 characters).
    pub question: String,
    /// "whatsapp" (default) or "web".
    pub channel: Option<String>,
}

/// The bot's instructions for one question.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResponse {
    #[serde(flatten)]
    answer: Answer,
    /// Id to send feedback about this answer.
    request_id: String,
    /// Server time spent, in milliseconds.
    took_ms: f64,
}

fn normalise(question: &str) -> String {
    question
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn check_question(question: &str) -> Result<(), ApiError> {
    if !crate::analysis::has_visible(question) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_question",
            "the question is empty",
        ));
    }
    let n = question.chars().count();
    if n > MAX_QUERY_CHARS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "question_too_long",
            format!("the question has {n} characters; at most {MAX_QUERY_CHARS} are accepted"),
        ));
    }
    Ok(())
}

/// Answer, clarify, escalate or route a question.
#[utoipa::path(post, path = "/v1/answer", request_body = AnswerRequest,
    responses((status = 200, body = AnswerResponse), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<Arc<AppState>>,
    payload: Result<Json<AnswerRequest>, JsonRejection>,
) -> Result<Json<AnswerResponse>, ApiError> {
    let started = Instant::now();
    let Json(request) = payload?;
    check_question(&request.question)?;
    let channel_name = Channel::name(request.channel.as_deref()).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_channel",
            e.to_string(),
        )
    })?;
    let channel = Channel::of(channel_name);
    let request_id = uuid::Uuid::new_v4().to_string();
    let generation = state.generation.load_full();
    let generation_number = generation.generation().0;
    let key = (
        generation.generation(),
        channel == Channel::Web,
        normalise(&request.question),
    );
    let cached = state
        .cache
        .lock()
        .ok()
        .and_then(|mut c| c.get(&key).cloned());
    state.metrics.cache(cached.is_some());
    let worker = state.clone();
    let id = request_id.clone();
    let answer = tokio::task::spawn_blocking(move || -> Result<Answer, ApiError> {
        let answer = match cached {
            Some(a) => a,
            None => {
                let a = worker
                    .answerer
                    .answer(&generation, &request.question, channel)?;
                if let Ok(mut c) = worker.cache.lock() {
                    c.put(key, a.clone());
                }
                a
            }
        };
        let decision = answer.decision.as_str();
        tracing::info!(request_id = %id, decision, confidence = answer.confidence.0,
            question = %for_log(&request.question), "answered");
        let top = answer.suggestions.first();
        let category = top.and_then(|s| s.category.clone());
        let service = category
            .clone()
            .filter(|c| crate::catalogue::is_service(c))
            .or_else(|| answer.escalation.as_ref().and_then(|e| e.service.clone()));
        worker.recorder.question(QuestionRecord {
            request_id: id,
            question: request.question,
            channel: channel_name,
            decision,
            confidence: answer.confidence.0,
            top_id: top.map(|s| s.id.clone()),
            latency_ms: Some(started.elapsed().as_secs_f64() * 1000.0),
            generation: Some(generation_number),
            category,
            service,
            asked_at: None,
        });
        Ok(answer)
    })
    .await
    .map_err(join_error)??;
    state.metrics.decision(answer.decision.as_str());
    Ok(Json(AnswerResponse {
        answer,
        request_id,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    }))
}

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// The query.
    q: Option<String>,
    /// Most hits (1-50, default 10).
    limit: Option<usize>,
    /// Only this category.
    category: Option<String>,
    /// Only this type: article or faq.
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitJson {
    id: String,
    title: String,
    /// Excerpt, plain text.
    snippet: String,
    /// Excerpt, HTML-escaped, matched words in `<mark>`.
    snippet_html: String,
    score: f32,
    #[serde(rename = "type")]
    kind: String,
    category: Option<String>,
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    hits: Vec<SearchHitJson>,
    /// Entries matched before the limit.
    total: usize,
    /// Calibrated probability that the best unfiltered hit answers the query (as for the bot).
    confidence: f64,
    /// The bot would escalate this query: no entry is likely to answer it.
    escalate: bool,
    took_ms: f64,
}

/// Hybrid search for agents.
#[utoipa::path(get, path = "/v1/search", params(SearchParams),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<Arc<AppState>>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let started = Instant::now();
    let Query(p) = params?;
    let query = p.q.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing_query",
            "give the query as ?q=",
        )
    })?;
    check_question(&query)?;
    let limit = p.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_limit",
            "limit must be between 1 and 50",
        ));
    }
    let kind = match p.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(EntryType::parse(k).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_type",
                "type must be article or faq",
            )
        })?),
    };
    let request = SearchRequest {
        query,
        limit,
        category: p.category.filter(|c| !c.is_empty()),
        kind,
        skip_snippets: false,
        fusion: None,
    };
    let generation = state.generation.load_full();
    let worker = state.clone();
    let (results, confidence) = tokio::task::spawn_blocking(move || {
        let results = worker.answerer.searcher().search(&generation, &request)?;
        // the confidence is the question's, as the bot would see it: a filtered search needs the
        // unfiltered one, else the same results give it
        let confidence = if request.category.is_none() && request.kind.is_none() {
            worker.answerer.confidence_of(&generation, &results)
        } else {
            worker.answerer.assess(&generation, &request.query)?.2
        };
        Ok::<_, crate::retrieve::RetrieveError>((results, confidence))
    })
    .await
    .map_err(join_error)??;
    let hits = results
        .hits
        .iter()
        .map(|h| SearchHitJson {
            id: h.id.0.clone(),
            title: h.title.clone(),
            snippet: h.snippet.text.clone(),
            snippet_html: h.snippet.html(),
            score: h.score,
            kind: h.kind.as_str().to_string(),
            category: h.category.clone(),
        })
        .collect();
    Ok(Json(SearchResponse {
        hits,
        total: results.total,
        confidence: confidence.0,
        escalate: results.hits.is_empty() || state.answerer.escalates(confidence),
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    }))
}

/// One filter value and how many entries have it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Facet {
    name: String,
    count: usize,
}

/// The values the search filters can take in the served generation.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsResponse {
    /// Categories (catalogue services and the general ones), by name.
    categories: Vec<Facet>,
    /// Entry types: article, faq.
    types: Vec<Facet>,
}

fn count_by<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Facet> {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for name in names {
        *counts.entry(name).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(name, count)| Facet {
            name: name.to_string(),
            count,
        })
        .collect()
}

/// Categories and types of the served entries, for the agents' filters.
#[utoipa::path(get, path = "/v1/facets", responses((status = 200, body = FacetsResponse)))]
pub async fn facets(State(state): State<Arc<AppState>>) -> Json<FacetsResponse> {
    let generation = state.generation.load();
    let entries = &generation.entries;
    Json(FacetsResponse {
        categories: count_by(entries.iter().filter_map(|e| e.category.as_deref())),
        types: count_by(entries.iter().map(|e| e.kind.as_str())),
    })
}

/// A whole entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleResponse {
    id: String,
    title: String,
    #[serde(rename = "type")]
    kind: String,
    category: Option<String>,
    tags: Vec<String>,
    questions: Vec<String>,
    updated: Option<String>,
    action: Option<String>,
    /// Markdown body.
    body: String,
    /// The body as a WhatsApp-ready answer.
    whatsapp: String,
}

/// One entry, for agents.
#[utoipa::path(get, path = "/v1/articles/{id}", params(("id" = String, Path, description = "entry id")),
    responses((status = 200, body = ArticleResponse), (status = 404, body = ErrorBody)))]
pub async fn article(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<ArticleResponse>, ApiError> {
    let Path(id) = id?;
    let generation = state.generation.load();
    let e = generation.entry(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no entry with id '{id}'"),
        )
    })?;
    Ok(Json(ArticleResponse {
        id: e.id.0.clone(),
        title: e.display_title(),
        kind: e.kind.as_str().to_string(),
        category: e.category.clone(),
        tags: e.tags.clone(),
        questions: e.questions.clone(),
        updated: e.updated.clone(),
        action: e.action.clone(),
        body: e.body.clone(),
        whatsapp: crate::answer::article_message(e),
    }))
}

/// A user's rating of an answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedbackRequest {
    /// `request_id` of the answer.
    request_id: String,
    /// Iya (true) / Tidak (false).
    helpful: bool,
    /// 1 (Sangat Tidak Puas) to 5 (Sangat Puas).
    rating: Option<u8>,
    /// Free text (personal data is masked before storing).
    comment: Option<String>,
}

/// Feedback accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackResponse {
    status: &'static str,
}

/// The connecting client, when the server knows it.
pub type Client = Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>;

/// Refuses (429) a client past its feedback and proposal allowance for the minute.
pub fn within_rate(state: &AppState, client: Client) -> Result<(), ApiError> {
    match client {
        Some(axum::Extension(axum::extract::ConnectInfo(addr)))
            if !state.feedback_limiter.allow(addr.ip()) =>
        {
            Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "too many submissions from this client; retry in a minute",
            ))
        }
        _ => Ok(()),
    }
}

/// Record feedback on an answer.
#[utoipa::path(post, path = "/v1/feedback", request_body = FeedbackRequest,
    responses((status = 201, body = FeedbackResponse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn feedback(
    State(state): State<Arc<AppState>>,
    client: Client,
    payload: Result<Json<FeedbackRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    within_rate(&state, client)?;
    let Json(f) = payload?;
    if f.rating.is_some_and(|r| !(1..=5).contains(&r)) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_rating",
            "rating must be 1 to 5",
        ));
    }
    if f.comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "comment_too_long",
            "comment is too long",
        ));
    }
    let worker = state.clone();
    tokio::task::spawn_blocking(move || {
        worker
            .recorder
            .feedback(FeedbackRecord {
                request_id: f.request_id,
                helpful: f.helpful,
                rating: f.rating,
                comment: f.comment,
            })
            .map_err(|e| match e {
                crate::store::StoreError::UnknownRequest(id) => ApiError::new(
                    StatusCode::NOT_FOUND,
                    "unknown_request",
                    format!("no answer with request_id '{id}'"),
                ),
                other => ApiError::internal(other),
            })
    })
    .await
    .map_err(join_error)??;
    Ok((
        StatusCode::CREATED,
        Json(FeedbackResponse { status: "recorded" }),
    )
        .into_response())
}

/// Checks the bearer token of an editor (any role): the editors' routes are off (403) without
/// a configured token.
pub fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    state
        .tokens
        .authorize(headers, crate::config::Role::Editor)
        .map(|_| ())
}

/// Liveness and what is served.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    /// Current generation.
    generation: u64,
    /// Entries in it.
    entries: usize,
    /// This node's role, and for a reader the builder's generation and the lag.
    cluster: super::cluster::ClusterView,
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
pub async fn healthz(State(state): State<Arc<AppState>>) -> Json<Health> {
    let g = state.generation.load();
    Json(Health {
        status: "ok",
        generation: g.generation().0,
        entries: g.entries.len(),
        cluster: super::cluster::view(&state),
    })
}

/// Ready to answer: a generation is loaded and the model embeds a question.
#[utoipa::path(get, path = "/readyz", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn readyz(State(state): State<Arc<AppState>>) -> Result<Json<Health>, ApiError> {
    let worker = state.clone();
    let model = tokio::task::spawn_blocking(move || {
        worker
            .answerer
            .searcher()
            .embedder()
            .embed_query("siap")
            .map(|_| ())
    })
    .await
    .map_err(join_error)?;
    let g = state.generation.load();
    match model {
        Ok(()) if !g.entries.is_empty() => Ok(Json(Health {
            status: "ready",
            generation: g.generation().0,
            entries: g.entries.len(),
            cluster: super::cluster::view(&state),
        })),
        Ok(()) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the served generation has no entries",
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("the model does not answer: {e}"),
        )),
    }
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses((status = 200, content_type = "text/plain")))]
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render() + &state.recorder.counters().render(state.recorder.backend()),
    )
        .into_response()
}

/// This API's OpenAPI description.
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, content_type = "application/json")))]
pub async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// JSON 404 for unknown routes.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// JSON 405 for known routes with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}
