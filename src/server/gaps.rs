//! From a gap to an answer: the editors' list of unanswered question groups, marking a group
//! answered (adding its question to an entry's phrasings, or linking the new FAQ written from it),
//! and the FAQ drafts agents propose for questions the bot could not answer.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::entries::{blocking, edit_error};
use super::handlers::{within_rate, Client};
use super::{ApiError, AppState};
use crate::config::Role;
use crate::drafts::{Draft, DraftError, DraftStatus, NewDraft};
use crate::editing::StoredEntry;
use crate::store::{GapGroup, GapState, Page};

/// The gap and draft routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/admin/unanswered", get(unanswered))
        .route("/v1/admin/unanswered/{group}/resolve", post(resolve))
        .route("/v1/drafts", post(propose))
        .route("/v1/admin/drafts", get(drafts))
        .route("/v1/admin/drafts/{id}/publish", post(publish))
        .route("/v1/admin/drafts/{id}", delete(reject))
}

/// Which groups and which page.
#[derive(Debug, Deserialize, IntoParams)]
pub struct GapParams {
    /// `true`: the groups editors have handled, most recent first (default: the open ones).
    handled: Option<bool>,
    /// Items on the page (1-500, default 100).
    limit: Option<usize>,
    /// Items to skip (default 0).
    offset: Option<usize>,
}

/// The editors' content-gap list.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnansweredResponse {
    groups: Vec<GapGroup>,
}

/// Escalated and badly rated questions, grouped: the open groups most frequent first, or the
/// handled ones with the entry that answers them.
#[utoipa::path(get, path = "/v1/admin/unanswered", security(("bearer" = [])), params(GapParams),
    responses((status = 200, body = UnansweredResponse), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn unanswered(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<GapParams>, QueryRejection>,
) -> Result<Json<UnansweredResponse>, ApiError> {
    state.tokens.authorize(&headers, Role::Editor)?;
    let Query(p) = params?;
    let which = match p.handled {
        Some(true) => GapState::Handled,
        _ => GapState::Open,
    };
    let page = Page::of(p.limit, p.offset);
    let groups = blocking(move || {
        state
            .recorder
            .unanswered(which, page)
            .map_err(ApiError::internal)
    })
    .await?;
    Ok(Json(UnansweredResponse { groups }))
}

/// How a gap group was answered.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// The entry that answers the group's questions.
    entry: String,
    /// Add the group's question to the entry's phrasings (saved as the editor's change, not
    /// published); `false` when the entry was written from the question already.
    #[serde(default)]
    add_phrasing: bool,
}

/// A handled gap group and the entry that answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Resolved {
    /// The group, now handled.
    group: GapGroup,
    /// The entry as stored.
    entry: StoredEntry,
    /// Whether the entry was changed (its phrasings got the question).
    changed: bool,
}

/// Mark a gap group answered by an entry, adding the group's question to its phrasings when
/// asked. The group leaves the open list (and comes back if asked again).
#[utoipa::path(post, path = "/v1/admin/unanswered/{group}/resolve", security(("bearer" = [])),
    params(("group" = i64, Path)), request_body = Resolution,
    responses((status = 200, body = Resolved), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn resolve(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    group: Result<Path<i64>, PathRejection>,
    body: Result<Json<Resolution>, JsonRejection>,
) -> Result<Json<Resolved>, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Editor)?;
    let Path(group) = group?;
    let Json(resolution) = body?;
    let resolved = blocking(move || {
        let question = open_group(&state, group)?.question;
        let (entry, changed) = if resolution.add_phrasing {
            state
                .entries
                .add_phrasing(&resolution.entry, &question, &caller.name, &state.changes)
        } else {
            state.entries.get(&resolution.entry).map(|e| (e, false))
        }
        .map_err(edit_error)?;
        let group = state
            .recorder
            .handle_gap(group, &entry.id, &caller.name)
            .map_err(ApiError::internal)?
            .ok_or_else(|| no_group(group))?;
        Ok(Resolved {
            group,
            entry,
            changed,
        })
    })
    .await?;
    Ok(Json(resolved))
}

/// The open gap group `id` (a handled one is 409).
fn open_group(state: &AppState, id: i64) -> Result<GapGroup, ApiError> {
    let group = state
        .recorder
        .gap(id)
        .map_err(ApiError::internal)?
        .ok_or_else(|| no_group(id))?;
    match (&group.handled_at, &group.entry) {
        (Some(_), Some(entry)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "already_handled",
            format!(
                "group {id} was handled by {} with entry '{entry}'",
                group.handled_by.as_deref().unwrap_or("an editor")
            ),
        )),
        _ => Ok(group),
    }
}

fn no_group(id: i64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_group",
        format!("no gap group {id}"),
    )
}

/// Propose a FAQ from a question the bot could not answer and the answer the agent gave: stored
/// masked for the editors, never served until an editor publishes an entry from it.
#[utoipa::path(post, path = "/v1/drafts", request_body = NewDraft,
    responses((status = 201, body = Draft), (status = 422, body = super::ErrorBody),
        (status = 429, body = super::ErrorBody), (status = 503, body = super::ErrorBody)))]
pub async fn propose(
    State(state): State<Arc<AppState>>,
    client: Client,
    body: Result<Json<NewDraft>, JsonRejection>,
) -> Result<Response, ApiError> {
    within_rate(&state, client)?;
    let Json(draft) = body?;
    let stored = blocking(move || state.drafts.propose(&draft).map_err(draft_error)).await?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

/// Which drafts and which page.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DraftParams {
    /// `open` (default), `published` or `rejected`.
    status: Option<DraftStatus>,
    /// Items on the page (1-500, default 100).
    limit: Option<usize>,
    /// Items to skip (default 0).
    offset: Option<usize>,
}

/// A page of drafts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftList {
    drafts: Vec<Draft>,
}

/// Drafts agents proposed, oldest first.
#[utoipa::path(get, path = "/v1/admin/drafts", security(("bearer" = [])), params(DraftParams),
    responses((status = 200, body = DraftList), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody)))]
pub async fn drafts(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<DraftParams>, QueryRejection>,
) -> Result<Json<DraftList>, ApiError> {
    state.tokens.authorize(&headers, Role::Editor)?;
    let Query(p) = params?;
    let page = Page::of(p.limit, p.offset);
    let status = p.status.unwrap_or(DraftStatus::Open);
    let drafts = blocking(move || {
        state
            .drafts
            .list(status, page.limit, page.offset)
            .map_err(draft_error)
    })
    .await?;
    Ok(Json(DraftList { drafts }))
}

/// The entry a draft became.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// The entry written from the draft (it must exist).
    entry: String,
}

/// Mark a draft published as an entry the editor wrote from it (the entry must exist; publish
/// the corpus to serve it).
#[utoipa::path(post, path = "/v1/admin/drafts/{id}/publish", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Publication,
    responses((status = 200, body = Draft), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn publish(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Publication>, JsonRejection>,
) -> Result<Json<Draft>, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Editor)?;
    let Path(id) = id?;
    let Json(publication) = body?;
    let draft = blocking(move || {
        let entry = state.entries.get(&publication.entry).map_err(edit_error)?;
        state
            .drafts
            .close(id, Some(&entry.id), &caller.name)
            .map_err(draft_error)
    })
    .await?;
    Ok(Json(draft))
}

/// Reject a draft (kept, marked rejected).
#[utoipa::path(delete, path = "/v1/admin/drafts/{id}", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Draft), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn reject(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Draft>, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Editor)?;
    let Path(id) = id?;
    let draft = blocking(move || {
        state
            .drafts
            .close(id, None, &caller.name)
            .map_err(draft_error)
    })
    .await?;
    Ok(Json(draft))
}

fn draft_error(e: DraftError) -> ApiError {
    let (status, code) = match &e {
        DraftError::Empty { .. } | DraftError::TooLong { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_draft")
        }
        DraftError::NotFound(_) => (StatusCode::NOT_FOUND, "unknown_draft"),
        DraftError::Handled { .. } => (StatusCode::CONFLICT, "already_handled"),
        DraftError::Full => (StatusCode::SERVICE_UNAVAILABLE, "drafts_full"),
        DraftError::Store(s) if s.is_outage() => {
            (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable")
        }
        DraftError::Sqlite(_) | DraftError::Store(_) => return ApiError::internal(e),
    };
    ApiError::new(status, code, e.to_string())
}
