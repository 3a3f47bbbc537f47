//! Projects: list, create, show, rename, delete, and creating a sandbox in one.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::errors::{ApiError, ok};
use super::extract::{Ids, JsonBody, from_json};
use super::views::{self, Naming};
use crate::store::{StoreError, resources};

/// `{"name": ...}` inside the request envelope.
#[derive(Debug, Deserialize)]
struct NameParams {
    #[serde(default)]
    name: Option<String>,
}

pub(super) async fn list(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
) -> Response {
    let info = app.store.info();
    let body = app.store.read(|state| {
        state
            .reg
            .projects
            .values()
            .map(|p| views::project(state, info, p, naming))
            .collect::<Vec<_>>()
    });
    ok(&body)
}

pub(super) async fn create(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let params: NameParams = from_json(body.unwrap_envelope(&["project"]))?;
    let info = app.store.info();
    let view = app
        .store
        .write(|state, changes| {
            let id = resources::create_project(state, changes, params.name.as_deref())?;
            views::project_by_id(state, info, id, naming).ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(ok(&view))
}

pub(super) async fn show(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let id = ids.project()?;
    let info = app.store.info();
    let view = app
        .store
        .read(|state| views::project_by_id(state, info, id, naming))
        .ok_or(ApiError::NotFound)?;
    Ok(ok(&view))
}

pub(super) async fn update(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let id = ids.project()?;
    let params: NameParams = from_json(body.unwrap_envelope(&["project"]))?;
    let info = app.store.info();
    let view = app
        .store
        .write(|state, changes| {
            resources::update_project(state, changes, id, params.name.as_deref())?;
            views::project_by_id(state, info, id, naming).ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(ok(&view))
}

pub(super) async fn delete(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    let id = ids.project()?;
    app.store
        .write(|state, changes| resources::delete_project(state, changes, id))
        .await?;
    Ok(ok(&json!({ "id": id })))
}

pub(super) async fn create_sandbox(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let project_id = ids.project()?;
    let params: NameParams = from_json(body.unwrap_envelope(&naming.sandbox_envelopes()))?;
    let info = app.store.info();
    let view = app
        .store
        .write(|state, changes| {
            let id = resources::create_sandbox(state, changes, project_id, params.name.as_deref())?;
            views::sandbox_by_id(state, info, id).ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(ok(&view))
}
