//! Editors import a document from the browser: the page sends the file's bytes, sees the entries
//! the import would create, update or remove, and sends it again to write them (each write
//! recorded in the change log, so it can be undone). Nothing is published until a reindex.

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::entries::blocking;
use super::{ApiError, AppState};
use crate::changes::{Action as ChangeAction, NewChange};
use crate::config::Role;
use crate::import::{Action, ImportError, Importer, Plan};

/// The folder of the corpus that imported entries go to (as `haipedia import` does by default).
pub const IMPORT_FOLDER: &str = "imported";

/// The import route, with its own body limit.
pub fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/admin/import", post(import))
        .layer(DefaultBodyLimit::max(state.config.admin.max_import_bytes))
}

/// One import at a time: two uploads of one document must not interleave their writes.
static IMPORTING: Mutex<()> = Mutex::new(());

/// The uploaded document and what to do with it.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// The document's file name; its extension picks the format (`.pdf`, `.docx`, `.html`,
    /// `.htm`, `.md`, `.markdown`, `.txt`).
    name: String,
    /// Category given to its entries.
    category: Option<String>,
    /// `true`: write the entries; otherwise only show them (default).
    apply: Option<bool>,
}

/// An entry the import creates, updates, leaves or removes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedEntry {
    /// Entry id.
    id: String,
    /// Title.
    title: String,
    /// File, relative to the corpus folder.
    path: String,
    /// `create`, `update`, `unchanged` or `remove`.
    action: &'static str,
    /// The file's text as it would be written (empty for unchanged and removed entries).
    text: String,
    /// The change recording the write, once applied.
    change: Option<i64>,
}

/// What importing one document does (or did).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// The document's file name.
    source_file: String,
    /// `blake3:<hex>` of its bytes.
    source_hash: String,
    /// `pdf`, `docx`, `html`, `markdown` or `text`.
    format: &'static str,
    /// Overall: `create`, `update` or `unchanged`.
    action: &'static str,
    /// Whether the entries were written.
    applied: bool,
    /// The entries.
    entries: Vec<ImportedEntry>,
}

/// Import a document (raw bytes in the body) into `<corpus>/imported`: without `apply=true`,
/// only the entries it would write; with it, they are written and recorded (not published).
#[utoipa::path(post, path = "/v1/admin/import", security(("bearer" = [])), params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportResult), (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 413, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)))]
pub async fn import(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<ImportParams>, QueryRejection>,
    body: Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Editor)?;
    let Query(p) = params?;
    let apply = p.apply.unwrap_or(false);
    let result = blocking(move || {
        let _one = IMPORTING.lock().unwrap_or_else(|e| e.into_inner());
        let corpus = state.config.paths.corpus.clone();
        let mut importer =
            Importer::new(&corpus.join(IMPORT_FOLDER), p.category).map_err(import_error)?;
        let plan = importer.plan_bytes(&p.name, &body).map_err(import_error)?;
        refuse_taken_ids(&state, &plan, &corpus)?;
        let before: Vec<Option<String>> = plan
            .entries
            .iter()
            .map(|e| std::fs::read_to_string(&e.path).ok())
            .collect();
        if apply {
            importer.apply(&plan).map_err(import_error)?;
        }
        Ok(result_of(&plan, &corpus, apply, |i| {
            let entry = &plan.entries[i];
            let action = match entry.action {
                Action::Create => ChangeAction::Create,
                Action::Update => ChangeAction::Save,
                Action::Remove => ChangeAction::Retire,
                Action::Unchanged => return None,
            };
            let after = (entry.action != Action::Remove).then(|| entry.text.clone());
            state
                .changes
                .record_logged(NewChange {
                    who: caller.name.clone(),
                    action,
                    entry: Some(entry.id.0.clone()),
                    path: Some(relative(&entry.path, &corpus)),
                    before: before[i].clone(),
                    after,
                    undoes: None,
                })
                .map(|c| c.id)
        }))
    })
    .await?;
    Ok(Json(result))
}

/// Refuses (409) a plan that would create an entry whose id another file of the corpus already
/// holds: the corpus would no longer load, and the next publish would fail.
fn refuse_taken_ids(state: &AppState, plan: &Plan, corpus: &Path) -> Result<(), ApiError> {
    let existing = state
        .entries
        .list(&crate::editing::EntryFilter::default())
        .map_err(super::entries::edit_error)?;
    for entry in plan.entries.iter().filter(|e| e.action == Action::Create) {
        let path = relative(&entry.path, corpus);
        if let Some(other) = existing
            .iter()
            .find(|x| x.id == entry.id.0 && x.path != path)
        {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "id_taken",
                format!(
                    "{}: its entry id '{}' is already used by {}; rename the document and import it again",
                    plan.source_file, entry.id, other.path
                ),
            ));
        }
    }
    Ok(())
}

/// The response for `plan`; `record(i)` records entry `i`'s write when `applied`.
fn result_of(
    plan: &Plan,
    corpus: &Path,
    applied: bool,
    mut record: impl FnMut(usize) -> Option<i64>,
) -> ImportResult {
    ImportResult {
        source_file: plan.source_file.clone(),
        source_hash: plan.source_hash.clone(),
        format: plan.format.as_str(),
        action: plan.action.as_str(),
        applied,
        entries: plan
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| ImportedEntry {
                id: e.id.0.clone(),
                title: e.title.clone(),
                path: relative(&e.path, corpus),
                action: e.action.as_str(),
                text: e.text.clone(),
                change: if applied { record(i) } else { None },
            })
            .collect(),
    }
}

/// `path` relative to the corpus folder, with `/` separators.
fn relative(path: &Path, corpus: &Path) -> String {
    path.strip_prefix(corpus)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn import_error(e: ImportError) -> ApiError {
    let status = match &e {
        ImportError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        ImportError::Write { .. } => return ApiError::internal(e),
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, "import_failed", e.to_string())
}
