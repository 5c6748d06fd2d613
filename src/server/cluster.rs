//! The cluster's routes: the builder lists and serves its current generation's files to readers;
//! every node reports its role, generation and lag.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::{join_error, ApiError, AppState};
use crate::cluster::{FollowerStatus, Listing, Role};
use crate::index::Generation;

/// A node's place in the cluster.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClusterView {
    /// `single`, `builder` or `reader`.
    pub role: &'static str,
    /// The generation this node serves.
    pub generation: u64,
    /// Readers: the generation the builder served when last asked.
    pub builder_generation: Option<u64>,
    /// Readers: generations behind the builder (0: up to date).
    pub lag: Option<u64>,
    /// Readers: the follower's state (last check, last error, generations fetched).
    pub follower: Option<FollowerStatus>,
}

/// Where this node stands.
pub fn view(state: &AppState) -> ClusterView {
    let generation = state.generation.load().generation().0;
    let follower = state.follower.get().map(|f| f.status());
    let builder_generation = follower.as_ref().and_then(|f| f.builder_generation);
    ClusterView {
        role: state.config.cluster.role.as_str(),
        generation,
        builder_generation,
        lag: builder_generation.map(|b| b.saturating_sub(generation)),
        follower,
    }
}

/// The generation this node serves and its files (size, blake3), for readers to fetch.
#[utoipa::path(get, path = "/v1/cluster/generation", responses((status = 200, body = Listing)))]
pub async fn generation(State(state): State<Arc<AppState>>) -> Result<Json<Listing>, ApiError> {
    if state.config.cluster.role == Role::Reader {
        return Err(not_the_builder(&state));
    }
    let worker = state.clone();
    let listing = tokio::task::spawn_blocking(move || {
        let served = worker.generation.load().generation();
        worker.published.listing(served)
    })
    .await
    .map_err(join_error)?
    .map_err(ApiError::internal)?;
    Ok(Json((*listing).clone()))
}

/// One file of a published generation.
#[utoipa::path(get, path = "/v1/cluster/files/{generation}/{path}",
    params(("generation" = u64, Path), ("path" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = super::ErrorBody)))]
pub async fn file(
    State(state): State<Arc<AppState>>,
    Path((generation, path)): Path<(u64, String)>,
) -> Result<Response, ApiError> {
    if state.config.cluster.role == Role::Reader {
        return Err(not_the_builder(&state));
    }
    let worker = state.clone();
    let found =
        tokio::task::spawn_blocking(move || worker.published.file(Generation(generation), &path))
            .await
            .map_err(join_error)?
            .map_err(ApiError::internal)?;
    let Some(found) = found else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such file in that generation",
        ));
    };
    let file = tokio::fs::File::open(&found)
        .await
        .map_err(ApiError::internal)?;
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        Body::from_stream(tokio_util::io::ReaderStream::new(file)),
    )
        .into_response())
}

/// The 409 a reader gives to what only the builder does.
pub fn not_the_builder(state: &AppState) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "not_the_builder",
        format!(
            "this node is a reader: build, publish and edit on the builder ({})",
            state
                .config
                .cluster
                .builder
                .as_deref()
                .unwrap_or("see [cluster] builder")
        ),
    )
}
