//! Editors' entry routes: list, read, save and retire entries, preview the WhatsApp message, and
//! the change log with undo. Each handler checks the token first, then translates to
//! [`crate::editing`] and [`crate::changes`] on a blocking thread.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{join_error, ApiError, AppState};
use crate::changes::Change;
use crate::config::Role;
use crate::corpus::{Entry, EntryId, EntryType, Origin};
use crate::editing::{EditError, EntryFilter, EntryInput, EntrySummary, StoredEntry};
use crate::store::Page;

/// The entry and change-log routes, with the entry body limit.
pub fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    let limit = state.config.admin.max_entry_bytes;
    Router::new()
        .route("/v1/admin/entries", get(list))
        .route("/v1/admin/entries/{id}", get(read).put(save).delete(retire))
        .route("/v1/admin/preview", post(preview))
        .route("/v1/admin/changes", get(changes))
        .route("/v1/admin/changes/{id}/undo", post(undo))
        .route("/v1/admin/whoami", get(whoami))
        .layer(DefaultBodyLimit::max(limit))
}

/// Filters and page of the entry list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Words that must all appear in the id or title.
    q: Option<String>,
    /// Exact category.
    category: Option<String>,
    /// `faq` or `article`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Items on the page (1-500, default 100).
    limit: Option<usize>,
    /// Items to skip (default 0).
    offset: Option<usize>,
}

/// A page of the entry list.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryList {
    /// Matching entries in all.
    total: usize,
    /// This page, sorted by id.
    entries: Vec<EntrySummary>,
}

/// The caller of an editors' route: its token's name and role.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhoAmI {
    /// Token name.
    name: String,
    /// `editor` or `admin`.
    role: &'static str,
}

/// Runs `work` on a blocking thread.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(join_error)?
}

/// The token's name and role.
#[utoipa::path(get, path = "/v1/admin/whoami", security(("bearer" = [])),
    responses((status = 200, body = WhoAmI), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn whoami(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<WhoAmI>, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Editor)?;
    Ok(Json(WhoAmI {
        name: caller.name,
        role: caller.role.as_str(),
    }))
}

/// Entries, filtered by words of the id or title, category and type.
#[utoipa::path(get, path = "/v1/admin/entries", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = EntryList), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<EntryList>, ApiError> {
    state.tokens.authorize(&headers, Role::Editor)?;
    let Query(p) = params?;
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(EntryType::parse(k).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "type must be 'faq' or 'article'",
            )
        })?),
    };
    let filter = EntryFilter {
        q: p.q,
        category: p.category.filter(|c| !c.is_empty()),
        kind,
    };
    let Page { limit, offset } = Page::of(p.limit, p.offset);
    let worker = state.clone();
    let all = blocking(move || worker.entries.list(&filter).map_err(edit_error)).await?;
    Ok(Json(EntryList {
        total: all.len(),
        entries: all.into_iter().skip(offset).take(limit).collect(),
    }))
}

/// One entry with every field, its file (relative to the corpus folder) and `version`.
#[utoipa::path(get, path = "/v1/admin/entries/{id}", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = StoredEntry), (status = 400, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn read(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<StoredEntry>, ApiError> {
    state.tokens.authorize(&headers, Role::Editor)?;
    let Path(id) = id?;
    let worker = state.clone();
    blocking(move || worker.entries.get(&id).map(Json).map_err(edit_error)).await
}

/// Save an entry: 201 created, 200 updated, 409 with the current version and entry when
/// `version` is stale, 422 with the problems at their fields. Does not publish.
#[utoipa::path(put, path = "/v1/admin/entries/{id}", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = EntryInput,
    responses((status = 200, body = StoredEntry), (status = 201, body = StoredEntry), (status = 400, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn save(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<EntryInput>, JsonRejection>,
) -> Result<Response, Response> {
    let caller = state
        .tokens
        .authorize(&headers, Role::Editor)
        .map_err(IntoResponse::into_response)?;
    let Path(id) = id.map_err(|e| ApiError::from(e).into_response())?;
    let Json(input) = body.map_err(|e| ApiError::from(e).into_response())?;
    let worker = state.clone();
    let saved = tokio::task::spawn_blocking(move || {
        worker
            .entries
            .save(&id, &input, &caller.name, &worker.changes)
    })
    .await
    .map_err(|e| join_error(e).into_response())?
    .map_err(edit_response)?;
    let status = if saved.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(saved.entry)).into_response())
}

/// Retire an entry: its file is removed (404 if there is none; 409 while labelled queries name
/// it). Does not publish.
#[utoipa::path(delete, path = "/v1/admin/entries/{id}", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Retired), (status = 400, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody)))]
pub async fn retire(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Retired>, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Editor)?;
    let Path(id) = id?;
    let worker = state.clone();
    let entry = id.clone();
    let written = blocking(move || {
        worker
            .entries
            .retire(&entry, &caller.name, &worker.changes)
            .map_err(edit_error)
    })
    .await?;
    Ok(Json(Retired {
        retired: id,
        path: written.path,
        change: written.change,
    }))
}

/// A retired entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct Retired {
    /// Its id.
    retired: String,
    /// The removed file, relative to the corpus folder.
    path: String,
    /// The change recording it (undo restores the file).
    change: Option<i64>,
}

/// The WhatsApp message the bot would send for an entry as edited.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    /// The message text, WhatsApp markup.
    whatsapp: String,
}

/// Preview the WhatsApp message of an entry being edited (nothing is saved).
#[utoipa::path(post, path = "/v1/admin/preview", security(("bearer" = [])), request_body = EntryInput,
    responses((status = 200, body = Preview), (status = 422, body = super::ErrorBody)))]
pub async fn preview(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<EntryInput>, JsonRejection>,
) -> Result<Json<Preview>, ApiError> {
    state.tokens.authorize(&headers, Role::Editor)?;
    let Json(input) = body?;
    let entry = Entry {
        id: EntryId("preview".into()),
        title: input.title.trim().to_string(),
        kind: EntryType::parse(&input.kind).unwrap_or(EntryType::Faq),
        category: input.category,
        tags: input.tags,
        questions: input.questions,
        updated: None,
        action: None,
        body: input.body.trim().to_string(),
        origin: Origin {
            path: "preview.md".into(),
            line: 1,
        },
    };
    Ok(Json(Preview {
        whatsapp: crate::answer::article_message(&entry),
    }))
}

/// Filter and page of the change log.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ChangeParams {
    /// Only changes of this entry.
    entry: Option<String>,
    /// Items on the page (1-500, default 100).
    limit: Option<usize>,
    /// Items to skip (default 0).
    offset: Option<usize>,
}

/// A page of the change log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    /// The changes.
    changes: Vec<Change>,
}

/// Who changed what and when, newest first.
#[utoipa::path(get, path = "/v1/admin/changes", security(("bearer" = [])), params(ChangeParams),
    responses((status = 200, body = ChangeList), (status = 401, body = super::ErrorBody)))]
pub async fn changes(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<ChangeParams>, QueryRejection>,
) -> Result<Json<ChangeList>, ApiError> {
    state.tokens.authorize(&headers, Role::Editor)?;
    let Query(p) = params?;
    let Page { limit, offset } = Page::of(p.limit, p.offset);
    let worker = state.clone();
    let changes = blocking(move || {
        worker
            .changes
            .list(p.entry.as_deref().filter(|e| !e.is_empty()), limit, offset)
            .map_err(ApiError::internal)
    })
    .await?;
    Ok(Json(ChangeList { changes }))
}

/// Undo a change to an entry file (admin): the file goes back to what it was before (a created
/// file is removed, a retired one restored); the undo is recorded. 409 when the file changed
/// after it, or the change was undone already or is not a file change.
#[utoipa::path(post, path = "/v1/admin/changes/{id}/undo", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Change), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody)))]
pub async fn undo(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Change>, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Admin)?;
    let Path(id) = id?;
    let id: i64 = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            "the change id is a number",
        )
    })?;
    let worker = state.clone();
    blocking(move || {
        worker
            .entries
            .undo(id, &caller.name, &worker.changes)
            .map(Json)
            .map_err(edit_error)
    })
    .await
}

/// The error of an edit; a stale version and validation problems get their own bodies.
pub(super) fn edit_response(e: EditError) -> Response {
    match e {
        EditError::Conflict { ref current, .. } => {
            let version = current.as_ref().map(|c| c.version.clone());
            let body = json!({
                "error": { "code": "version_conflict", "message": e.to_string() },
                "current": { "version": version, "entry": current },
            });
            (StatusCode::CONFLICT, Json(body)).into_response()
        }
        EditError::Invalid(ref problems) => {
            let body = json!({
                "error": { "code": "invalid_entry", "message": e.to_string() },
                "problems": problems,
            });
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
        other => edit_error(other).into_response(),
    }
}

/// An edit error as a plain API error.
pub(super) fn edit_error(e: EditError) -> ApiError {
    let (status, code) = match &e {
        EditError::InvalidId(_) => (StatusCode::BAD_REQUEST, "invalid_id"),
        EditError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        EditError::Conflict { .. } => (StatusCode::CONFLICT, "version_conflict"),
        EditError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_entry"),
        EditError::NotEditable { .. } => (StatusCode::CONFLICT, "not_editable"),
        EditError::Diverged { .. } => (StatusCode::CONFLICT, "changed_since"),
        EditError::Referenced { .. } => (StatusCode::CONFLICT, "referenced"),
        EditError::UnknownChange(_) => (StatusCode::NOT_FOUND, "not_found"),
        EditError::AlreadyUndone { .. } => (StatusCode::CONFLICT, "already_undone"),
        EditError::NotUndoable { .. } => (StatusCode::CONFLICT, "not_undoable"),
        EditError::BadPath(_)
        | EditError::Listing(_)
        | EditError::Io { .. }
        | EditError::Log(_) => return ApiError::internal(e),
    };
    ApiError::new(status, code, e.to_string())
}
