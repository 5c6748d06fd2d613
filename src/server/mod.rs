//! The HTTP API (axum): translates requests to library calls and results to JSON, nothing more.

mod admin;
mod auth;
mod cluster;
mod dashboard;
mod entries;
mod error;
mod gaps;
mod handlers;
mod listener;
mod metrics;
mod pages;
mod rate;
mod upload;

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arc_swap::ArcSwap;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use lru::LruCache;

pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use handlers::ApiDoc;
pub use metrics::Metrics;
pub use rate::RateLimiter;

use crate::answer::{Answer, Answerer};
use crate::config::Config;
use crate::index::{BuildOptions, Generation, IndexGeneration, IndexRoot};
use crate::reindex::Reindexer;
use crate::store::{Journal, Recorder};

/// Key of the answer cache: generation, channel and the normalised question.
type CacheKey = (Generation, bool, String);

/// Everything a request handler needs, shared by all requests.
pub struct AppState {
    /// The generation new requests search (swapped atomically on reindex).
    pub generation: ArcSwap<IndexGeneration>,
    /// Searching, scoring and composing.
    pub answerer: Answerer,
    /// Questions and feedback, written by a background thread.
    pub recorder: Recorder,
    /// The dashboard's figures, read from the same database on a connection of their own.
    pub stats: crate::stats::StatsReader,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Feedback requests per client and minute.
    pub feedback_limiter: RateLimiter,
    /// Answers of repeated questions.
    cache: Mutex<LruCache<CacheKey, Answer>>,
    /// Background index builds.
    pub reindexer: Arc<Reindexer>,
    /// The configuration the server started with.
    pub config: Config,
    /// Editors' tokens and roles.
    pub tokens: auth::Tokens,
    /// The corpus's entry files, written by editors.
    pub entries: crate::editing::EntryFiles,
    /// Who changed what (editors' saves, retirements, reindexes, rollbacks).
    pub changes: crate::changes::ChangeLog,
    /// FAQ drafts proposed by agents, waiting for editors.
    pub drafts: crate::drafts::DraftBox,
    /// The builder's listings of its generations, for readers to fetch.
    pub published: crate::cluster::Published,
    /// A reader's following of the builder (started with the server).
    pub follower: std::sync::OnceLock<crate::cluster::Follower>,
}

impl AppState {
    /// State serving `generation` with `answerer`, recording into `journal`.
    pub fn new(
        generation: IndexGeneration,
        answerer: Answerer,
        journal: Journal,
        changes: crate::changes::ChangeLog,
        drafts: crate::drafts::DraftBox,
        config: Config,
    ) -> AppState {
        let reindexer = Arc::new(Reindexer::new(
            config.paths.corpus.clone(),
            IndexRoot::new(&config.paths.indexes),
            answerer.searcher(),
            Some(answerer.calibration().clone()),
            BuildOptions::from_config(&config, false),
            config.paths.keep_generations,
        ));
        let size =
            NonZeroUsize::new(config.server.cache_entries.max(1)).unwrap_or(NonZeroUsize::MIN);
        // `build_state` checked the location already; a bad one falls back to the SQLite file
        let stats_at = config
            .store_location()
            .unwrap_or_else(|_| crate::store::Location::Sqlite(config.server.database.clone()));
        let recorder = Recorder::start(journal, config.server.retention_days);
        recorder.generation(generation.generation().0);
        AppState {
            generation: ArcSwap::from_pointee(generation),
            answerer,
            recorder,
            stats: crate::stats::StatsReader::at(&stats_at),
            feedback_limiter: RateLimiter::new(config.server.feedback_per_minute),
            metrics: Metrics::default(),
            cache: Mutex::new(LruCache::new(size)),
            reindexer,
            tokens: auth::Tokens::from_config(&config),
            entries: crate::editing::EntryFiles::new(&config.paths.corpus),
            changes,
            drafts,
            published: crate::cluster::Published::new(IndexRoot::new(&config.paths.indexes)),
            follower: std::sync::OnceLock::new(),
            config,
        }
    }

    /// A reader follows the builder from now on (see `crate::cluster`).
    fn follow_builder(self: &Arc<Self>) {
        let Some(builder) = self.config.cluster.builder.clone() else {
            tracing::error!(
                "a reader without [cluster] builder: it serves what it has and never updates"
            );
            return;
        };
        tracing::info!(%builder, "following the builder");
        let served = self.clone();
        let target = self.clone();
        let follower = crate::cluster::Follower::start(
            builder,
            IndexRoot::new(&self.config.paths.indexes),
            self.config.paths.keep_generations,
            std::time::Duration::from_millis(self.config.cluster.poll_ms.max(100)),
            move || served.generation.load().generation(),
            move |generation| target.switch_to(generation),
        );
        let _ = self.follower.set(follower);
    }

    /// Starts a reindex of the corpus folder that switches this server to the new generation when
    /// complete; returns the running job instead if one is already building.
    pub fn start_reindex(
        self: &Arc<Self>,
    ) -> Result<crate::reindex::JobStatus, Box<crate::reindex::JobStatus>> {
        let target = self.clone();
        self.reindexer.start(move |generation| {
            tracing::info!(generation = %generation.generation(), "switching to the new generation");
            target.switch_to(generation);
        })
    }

    /// Serves `generation` from now on (after a reindex or a rollback), prepared before the
    /// switch; the switch is recorded for the dashboard's time axis.
    pub fn switch_to(&self, generation: IndexGeneration) {
        self.answerer.prepare(&generation);
        let number = generation.generation().0;
        self.generation.store(Arc::new(generation));
        self.recorder.generation(number);
    }

    /// Rebuilds whenever the corpus folder changes (debounced), on a thread of its own.
    fn watch_corpus(self: &Arc<Self>) -> std::io::Result<()> {
        let state = self.clone();
        let dir = self.config.paths.corpus.clone();
        let debounce = std::time::Duration::from_millis(self.config.server.watch_debounce_ms);
        tracing::info!(corpus = %dir.display(), ?debounce, "watching the corpus for changes");
        std::thread::Builder::new()
            .name("corpus-watch".into())
            .spawn(move || {
                crate::watch::watch(&dir, debounce, || match state.start_reindex() {
                    Ok(job) => {
                        tracing::info!(job = job.id, "corpus changed: reindex started");
                        true
                    }
                    Err(_) => false,
                })
            })
            .map(|_| ())
    }
}

/// The router with every route, the body limit, metrics and JSON fallbacks.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.server.max_body_bytes;
    Router::new()
        .route("/v1/answer", post(handlers::answer))
        .route("/v1/search", get(handlers::search))
        .route("/v1/articles/{id}", get(handlers::article))
        .route("/v1/facets", get(handlers::facets))
        .route("/v1/feedback", post(handlers::feedback))
        .route("/v1/admin/reindex", post(admin::reindex))
        .route("/v1/admin/reindex/{id}", get(admin::reindex_job))
        .route("/v1/admin/rollback", post(admin::rollback))
        .route("/v1/admin/status", get(admin::status))
        .route("/v1/admin/stats", get(dashboard::stats))
        .route("/v1/admin/stats.csv", get(dashboard::stats_csv))
        .route("/v1/admin/dashboard", get(dashboard::dashboard))
        .route("/v1/cluster/generation", get(cluster::generation))
        .route("/v1/cluster/files/{generation}/{*path}", get(cluster::file))
        .merge(entries::routes(&state))
        .merge(gaps::routes())
        .merge(upload::routes(&state))
        .route("/healthz", get(handlers::healthz))
        .route("/readyz", get(handlers::readyz))
        .route("/metrics", get(handlers::metrics))
        .route("/openapi.json", get(handlers::openapi))
        .route("/", get(pages::search_page))
        .route("/admin", get(pages::admin_page))
        .route("/admin/dashboard", get(pages::dashboard_page))
        .route("/assets/{name}", get(pages::asset))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            std::time::Duration::from_millis(state.config.server.body_timeout_ms.max(1)),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Rejects an announced body over the limit before anything reads it (so `Expect: 100-continue`
/// gets an immediate 413, not `100 Continue`), and finishes every response: error bodies are JSON
/// whatever layer made them, `nosniff` everywhere, `no-store` on JSON (answers and the admin list
/// hold users' questions).
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // entry saves carry whole articles and imports whole documents: they have their own limits
    let path = request.uri().path();
    let admin = &state.config.admin;
    let max = if path.starts_with("/v1/admin/entries/") || path == "/v1/admin/preview" {
        admin.max_entry_bytes
    } else if path == "/v1/admin/import" {
        admin.max_import_bytes
    } else {
        0
    }
    .max(state.config.server.max_body_bytes);
    // a reader builds and edits nothing: the builder does (haproxy sends editors there)
    let reader_write = state.config.cluster.role == crate::cluster::Role::Reader
        && path.starts_with("/v1/admin/")
        && request.method() != axum::http::Method::GET;
    let mut response = if reader_write {
        cluster::not_the_builder(&state).into_response()
    } else if announced.is_some_and(|n| n > max as u64) {
        ApiError::body_too_large().into_response()
    } else {
        next.run(request).await
    };
    let is_json = |r: &Response| {
        r.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"))
    };
    let failed = response.status().is_client_error() || response.status().is_server_error();
    if failed && !is_json(&response) {
        let close = response.headers().get(header::CONNECTION).cloned();
        response = error::json_error_for(response.status());
        if let Some(close) = close {
            response.headers_mut().insert(header::CONNECTION, close);
        }
    }
    let json = is_json(&response);
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if json {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// HTTP methods counted under their own name in the metrics; any other is `OTHER`, so a client
/// cannot add series by inventing methods.
const KNOWN_METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT",
];

/// Counts and times every request under its route pattern.
async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = KNOWN_METHODS
        .into_iter()
        .find(|m| *m == request.method().as_str())
        .unwrap_or("OTHER");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    state.metrics.request(
        method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Loads everything the configuration names and serves on `addr` until Ctrl-C.
pub async fn serve(config: Config, addr: SocketAddr) -> anyhow::Result<()> {
    let state = Arc::new(tokio::task::spawn_blocking(move || build_state(config)).await??);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(listener, state).await
}

/// Serves `state` on an already bound listener until Ctrl-C.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
) -> anyhow::Result<()> {
    tracing::info!(addr = %listener.local_addr()?, generation = %state.generation.load().generation(), "serving");
    match state.config.cluster.role {
        crate::cluster::Role::Reader => state.follow_builder(),
        _ if state.config.server.watch => state.watch_corpus()?,
        _ => {}
    }
    let limits = listener::Limits::of(&state.config.server);
    listener::serve(listener, router(state.clone()), limits, stop_signal()).await?;
    // requests are drained; queued questions are written and the WAL merged before exit
    let recorder = state.recorder.clone();
    match tokio::task::spawn_blocking(move || recorder.close()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "could not close the question store"),
        Err(e) => tracing::error!(error = %e, "could not close the question store"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGTERM (what systemd and orchestrators send) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM: draining requests, then stopping"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: draining requests, then stopping"),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; stopping on Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Opens the current generation, the model, the calibration and the database.
pub fn build_state(config: Config) -> anyhow::Result<AppState> {
    use crate::answer::Calibration;
    use crate::embed::Embedder;
    use crate::retrieve::Searcher;
    let root = IndexRoot::new(&config.paths.indexes);
    if config.cluster.role == crate::cluster::Role::Reader && root.current()?.is_none() {
        first_generation(&config, &root)?;
    }
    for stale in root.remove_stale_staging() {
        tracing::warn!(folder = %stale, "removed a half-written generation left by an interrupted build");
    }
    for stale in crate::corpus::write::remove_stale_temporaries(&config.paths.corpus) {
        tracing::warn!(file = %stale.display(), "removed a temporary file left by an interrupted save");
    }
    let generation = IndexGeneration::open_current(&root)?;
    if generation.manifest.fits.is_null() {
        tracing::warn!(generation = %generation.generation(),
            "this generation was built without fits (an older version): confidence is not calibrated \
             for its corpus until the next reindex (`haipedia index` or POST /v1/admin/reindex)");
    }
    let embedder = Arc::new(Embedder::from_config(&config)?);
    let calibration = Calibration::load(&config.answer.calibration)?;
    let searcher = Arc::new(Searcher::new(embedder, config.retrieve.clone()));
    let answerer = Answerer::new(searcher, calibration, config.answer.clone());
    answerer.prepare(&generation);
    let location = config.store_location()?;
    tracing::info!(store = %location.describe(), "opening the store");
    let journal = Journal::new(location.open()?, crate::analysis::Analyzer::new())?;
    let changes = crate::changes::ChangeLog::at(&location)?;
    let drafts = crate::drafts::DraftBox::at(&location)?;
    Ok(AppState::new(
        generation, answerer, journal, changes, drafts, config,
    ))
}

/// A new reader's first generation, fetched from the builder (tried for a minute).
fn first_generation(config: &Config, root: &IndexRoot) -> anyhow::Result<()> {
    let builder = config.cluster.builder.as_deref().ok_or_else(|| {
        anyhow::anyhow!("a reader needs [cluster] builder (HAIPEDIA_CLUSTER_BUILDER)")
    })?;
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match crate::cluster::fetch_generation(builder, root) {
            Ok(g) => {
                tracing::info!(generation = %g, %builder, "fetched the first generation from the builder");
                return Ok(());
            }
            Err(e) if Instant::now() < deadline => {
                tracing::warn!(error = %e, "waiting for the builder");
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Status used when a blocking task itself failed (panicked or was cancelled).
fn join_error(e: tokio::task::JoinError) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        format!("request task failed: {e}"),
    )
}
