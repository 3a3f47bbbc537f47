//! Sandboxes: list, show, update, delete, and the actions (clean, mark all read, new
//! credentials, email address on/off, new email address).

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::AppState;
use super::errors::{ApiError, ok};
use super::extract::{Ids, JsonBody, from_json};
use super::views::{self, Naming};
use crate::store::{Changes, State as StoreState, StoreError, resources};

#[derive(Debug, Deserialize)]
struct UpdateParams {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email_username: Option<String>,
}

pub(super) async fn list(State(app): State<AppState>) -> Response {
    let info = app.store.info();
    ok(&app.store.read(|state| views::sandboxes(state, info)))
}

pub(super) async fn show(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    let id = ids.sandbox()?;
    let info = app.store.info();
    let view = app
        .store
        .read(|state| views::sandbox_by_id(state, info, id))
        .ok_or(ApiError::NotFound)?;
    Ok(ok(&view))
}

pub(super) async fn update(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let id = ids.sandbox()?;
    let params: UpdateParams = from_json(body.unwrap_envelope(&naming.sandbox_envelopes()))?;
    let info = app.store.info();
    let view = app
        .store
        .write(|state, changes| {
            resources::update_sandbox(
                state,
                changes,
                id,
                params.name.as_deref(),
                params.email_username.as_deref(),
            )?;
            views::sandbox_by_id(state, info, id).ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(ok(&view))
}

pub(super) async fn delete(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    let id = ids.sandbox()?;
    let info = app.store.info();
    let view = app
        .store
        .write(|state, changes| {
            let view = views::sandbox_by_id(state, info, id).ok_or(StoreError::NotFound)?;
            resources::delete_sandbox(state, changes, id)?;
            Ok::<_, StoreError>(view)
        })
        .await?;
    Ok(ok(&view))
}

type Action = fn(&mut StoreState, &mut Changes, u64) -> Result<(), StoreError>;

async fn act(app: &AppState, ids: Ids, action: Action) -> Result<Response, ApiError> {
    let id = ids.sandbox()?;
    let info = app.store.info();
    let view = app
        .store
        .write(|state, changes| {
            action(state, changes, id)?;
            views::sandbox_by_id(state, info, id).ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(ok(&view))
}

pub(super) async fn clean(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    act(&app, ids, resources::clean_sandbox).await
}

pub(super) async fn all_read(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    act(&app, ids, resources::mark_all_read).await
}

pub(super) async fn reset_credentials(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    act(&app, ids, resources::reset_credentials).await
}

pub(super) async fn toggle_email_username(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    act(&app, ids, resources::toggle_email_username).await
}

pub(super) async fn reset_email_username(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    act(&app, ids, resources::reset_email_username).await
}
