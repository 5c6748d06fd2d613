//! Editors' endpoints: reindex in the background, follow the job, roll back, see what is served.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::handlers::require_admin;
use super::{join_error, ApiError, AppState};
use crate::changes::{Action, NewChange};
use crate::config::Role;
use crate::index::{IndexGeneration, Manifest};
use crate::reindex::JobStatus;

/// Start a reindex of the corpus folder (202 with the job; 409 with the running one).
#[utoipa::path(post, path = "/v1/admin/reindex", security(("bearer" = [])),
    responses((status = 202, body = JobStatus), (status = 409, body = JobStatus), (status = 401, body = super::ErrorBody)))]
pub async fn reindex(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Editor)?;
    Ok(match state.start_reindex() {
        Ok(job) => {
            state.changes.record_logged(NewChange {
                who: caller.name,
                action: Action::Reindex,
                entry: None,
                path: None,
                before: Some(format!(
                    "generation {}",
                    state.generation.load().generation().0
                )),
                after: Some(format!("reindex job {}", job.id)),
                undoes: None,
            });
            (StatusCode::ACCEPTED, Json(job)).into_response()
        }
        Err(running) => (StatusCode::CONFLICT, Json(*running)).into_response(),
    })
}

/// A reindex job's progress and result.
#[utoipa::path(get, path = "/v1/admin/reindex/{id}", security(("bearer" = [])), params(("id" = u64, Path)),
    responses((status = 200, body = JobStatus), (status = 404, body = super::ErrorBody)))]
pub async fn reindex_job(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Json<JobStatus>, ApiError> {
    // the token first: an unauthenticated caller learns nothing, not even about the path
    require_admin(&state, &headers)?;
    let Path(id) = id?;
    id.parse()
        .ok()
        .and_then(|id| state.reindexer.job(id))
        .map(Json)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no reindex job {id}"),
            )
        })
}

/// What is served and what is on disk.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminStatus {
    /// Manifest of the generation being served.
    #[schema(value_type = Object)]
    manifest: Manifest,
    /// Generations on disk, oldest first.
    generations: Vec<u64>,
    /// The last reindex job, if any.
    last_job: Option<JobStatus>,
    /// This node's role, generation and (readers) lag behind the builder.
    cluster: super::cluster::ClusterView,
}

/// Current generation, corpus counts, generations on disk, last build.
#[utoipa::path(get, path = "/v1/admin/status", security(("bearer" = [])), responses((status = 200, body = AdminStatus)))]
pub async fn status(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<AdminStatus>, ApiError> {
    require_admin(&state, &headers)?;
    let generations = state
        .reindexer
        .root()
        .generations()
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|g| g.0)
        .collect();
    Ok(Json(AdminStatus {
        manifest: state.generation.load().manifest.clone(),
        generations,
        last_job: state.reindexer.last(),
        cluster: super::cluster::view(&state),
    }))
}

/// Result of a rollback.
#[derive(Debug, Serialize, ToSchema)]
pub struct RollbackResponse {
    /// Generation now served.
    generation: u64,
    /// Generation served before.
    previous: u64,
}

/// Make the previous generation current again (admin role).
#[utoipa::path(post, path = "/v1/admin/rollback", security(("bearer" = [])),
    responses((status = 200, body = RollbackResponse), (status = 409, body = super::ErrorBody)))]
pub async fn rollback(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<RollbackResponse>, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Admin)?;
    if state
        .reindexer
        .last()
        .is_some_and(|j| j.state == crate::reindex::JobState::Running)
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "reindex_running",
            "wait for the running reindex to finish",
        ));
    }
    let worker = state.clone();
    tokio::task::spawn_blocking(move || {
        let root = worker.reindexer.root();
        let before = worker.generation.load().generation();
        let target = root
            .previous()
            .map_err(ApiError::internal)?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "no_previous_generation",
                    "there is no older generation to roll back to",
                )
            })?;
        let generation = IndexGeneration::open(root, target).map_err(ApiError::internal)?;
        root.set_current(target).map_err(ApiError::internal)?;
        worker.switch_to(generation);
        tracing::info!(from = %before, to = %target, "rolled back");
        worker.changes.record_logged(NewChange {
            who: caller.name,
            action: Action::Rollback,
            entry: None,
            path: None,
            before: Some(format!("generation {}", before.0)),
            after: Some(format!("generation {}", target.0)),
            undoes: None,
        });
        Ok(Json(RollbackResponse {
            generation: target.0,
            previous: before.0,
        }))
    })
    .await
    .map_err(join_error)?
}
