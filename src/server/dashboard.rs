//! The supervisors' dashboard routes (editor or admin token): the figures as JSON, each table as
//! CSV, and the panels (charts and tables) the page shows. The library does the work
//! (`crate::stats`); these only check the query and translate.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{join_error, ApiError, AppState, ErrorBody};
use crate::config::Role;
use crate::stats::tables::{table, TABLES};
use crate::stats::{panels, today_wib, Panel, PeriodError, Stats, StatsQuery};

/// The period and channel of a report.
#[derive(Debug, Deserialize, IntoParams)]
pub struct StatsParams {
    /// First day, `YYYY-MM-DD` in WIB (default: six days before `to`).
    from: Option<String>,
    /// Last day, inclusive, `YYYY-MM-DD` in WIB (default: today); at most 366 days after `from`.
    to: Option<String>,
    /// whatsapp, web, portal or agent; empty or `all` for every channel.
    channel: Option<String>,
}

/// A table of the report, as CSV.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CsvParams {
    /// First day, `YYYY-MM-DD` in WIB (default: six days before `to`).
    from: Option<String>,
    /// Last day, inclusive, `YYYY-MM-DD` in WIB (default: today).
    to: Option<String>,
    /// whatsapp, web, portal or agent; empty or `all` for every channel.
    channel: Option<String>,
    /// Which table: decisions, shares, ratings, helpful, services, categories, gaps,
    /// reliability or latency.
    table: Option<String>,
}

/// The dashboard page's data: the figures and, per panel, its chart and table.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardView {
    /// The figures.
    stats: Stats,
    /// The panels, in order.
    panels: Vec<Panel>,
}

impl From<PeriodError> for ApiError {
    fn from(e: PeriodError) -> ApiError {
        let code = match e {
            PeriodError::BadDate { .. } => "invalid_date",
            PeriodError::Reversed { .. } => "invalid_period",
            PeriodError::TooLong { .. } => "period_too_long",
            PeriodError::UnknownChannel(_) => "unknown_channel",
        };
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, e.to_string())
    }
}

/// Checks the token and the parameters, then computes the figures on a blocking thread.
async fn figures(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    params: Result<StatsParams, QueryRejection>,
) -> Result<Stats, ApiError> {
    // the token first: an unauthenticated caller learns nothing about the parameters
    state.tokens.authorize(headers, Role::Editor)?;
    let p = params?;
    let query = StatsQuery::parse(
        p.from.as_deref(),
        p.to.as_deref(),
        p.channel.as_deref(),
        today_wib(),
    )?;
    let worker = state.clone();
    tokio::task::spawn_blocking(move || worker.stats.stats(&query).map_err(ApiError::internal))
        .await
        .map_err(join_error)?
}

/// Questions, decisions, feedback, topics, gaps, reliability and latency for a period (WIB days).
#[utoipa::path(get, path = "/v1/admin/stats", security(("bearer" = [])), params(StatsParams),
    responses((status = 200, body = Stats), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn stats(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<StatsParams>, QueryRejection>,
) -> Result<Json<Stats>, ApiError> {
    Ok(Json(figures(&state, &headers, params.map(|q| q.0)).await?))
}

/// One table of the report as CSV (the numbers behind one chart of the dashboard).
#[utoipa::path(get, path = "/v1/admin/stats.csv", security(("bearer" = [])), params(CsvParams),
    responses((status = 200, content_type = "text/csv"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn stats_csv(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<CsvParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    state.tokens.authorize(&headers, Role::Editor)?;
    let Query(p) = params?;
    let id = p.table.unwrap_or_default();
    if !TABLES.contains(&id.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_table",
            format!("table: use one of {}", TABLES.join(", ")),
        ));
    }
    let period = StatsParams {
        from: p.from,
        to: p.to,
        channel: p.channel,
    };
    let stats = figures(&state, &headers, Ok(period)).await?;
    let csv = table(&stats, &id)
        .map(|t| t.csv())
        .ok_or_else(|| ApiError::internal(format!("table {id} not made")))?;
    let channel = stats.channel.as_deref().unwrap_or("semua");
    let name = format!("haipedia-{id}-{}-{}-{channel}.csv", stats.from, stats.to);
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(ApiError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        csv,
    )
        .into_response())
}

/// The dashboard page's data: figures, charts (SVG at desktop and phone size) and tables.
#[utoipa::path(get, path = "/v1/admin/dashboard", security(("bearer" = [])), params(StatsParams),
    responses((status = 200, body = DashboardView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<StatsParams>, QueryRejection>,
) -> Result<Json<DashboardView>, ApiError> {
    let stats = figures(&state, &headers, params.map(|q| q.0)).await?;
    let view = tokio::task::spawn_blocking(move || {
        let panels = panels(&stats).map_err(ApiError::internal)?;
        Ok::<_, ApiError>(DashboardView { stats, panels })
    })
    .await
    .map_err(join_error)??;
    Ok(Json(view))
}
