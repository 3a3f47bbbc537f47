//! The control API under `/_emulator/`: fault rules, templates, recorded forwards, rate-limit
//! enforcement, sandbox limits, status and reset. It needs the start-up API token, is never
//! rate limited and is never failed by fault rules.

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, patch, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::errors::{ApiError, ok};
use super::extract::{Ids, JsonBody, from_json};
use super::views;
use crate::faults::{FaultError, FaultSpec, SmtpFaultSpec};
use crate::ratelimit::{LIMIT, WINDOW};
use crate::store::accounts::{self, TemplateInput};
use crate::store::{StoreError, resources};
use crate::templates::Template;
use crate::time;

/// The control routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_emulator/status", get(status))
        .route("/_emulator/reset", post(reset))
        .route(
            "/_emulator/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/_emulator/faults/{fault_id}",
            axum::routing::delete(remove_fault),
        )
        .route(
            "/_emulator/smtp_faults",
            get(list_smtp_faults)
                .post(add_smtp_fault)
                .delete(clear_smtp_faults),
        )
        .route(
            "/_emulator/smtp_faults/{fault_id}",
            axum::routing::delete(remove_smtp_fault),
        )
        .route(
            "/_emulator/templates",
            get(list_templates).post(add_template),
        )
        .route(
            "/_emulator/templates/{uuid}",
            get(show_template).delete(delete_template),
        )
        .route("/_emulator/forwards", get(forwards))
        .route("/_emulator/rate_limit", get(rate_limit).put(set_rate_limit))
        .route("/_emulator/sandboxes/{sandbox_id}", patch(sandbox_limits))
}

impl From<FaultError> for ApiError {
    fn from(error: FaultError) -> Self {
        ApiError::Invalid(error.0)
    }
}

fn status_view(app: &AppState) -> Value {
    let counts = app.store.read(|state| {
        json!({
            "projects": state.reg.projects.len(),
            "sandboxes": state.reg.sandboxes.len(),
            "messages": state.messages.total(),
            "templates": state.reg.templates.len(),
        })
    });
    json!({
        "summary": app.summary,
        "counts": counts,
        "faults": app.faults.list_http(),
        "smtp_faults": app.faults.list_smtp(),
        "rate_limit": rate_limit_view(app),
    })
}

async fn status(State(app): State<AppState>) -> Response {
    ok(&status_view(&app))
}

async fn reset(State(app): State<AppState>) -> Result<Response, ApiError> {
    app.store.reset().await?;
    app.faults.reset()?;
    app.limiter.reset();
    Ok(ok(&status_view(&app)))
}

async fn list_faults(State(app): State<AppState>) -> Response {
    ok(&json!({ "faults": app.faults.list_http() }))
}

async fn add_fault(State(app): State<AppState>, body: JsonBody) -> Result<Response, ApiError> {
    let spec: FaultSpec = from_json(body.0)?;
    Ok(ok(&app.faults.add_http(spec)?))
}

async fn clear_faults(State(app): State<AppState>) -> Response {
    ok(&json!({ "cleared": app.faults.clear_http() }))
}

fn fault_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

async fn remove_fault(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = fault_id(&id.map_err(|_| ApiError::NotFound)?.0)?;
    if app.faults.remove_http(id) {
        Ok(ok(&json!({ "id": id })))
    } else {
        Err(ApiError::NotFound)
    }
}

async fn list_smtp_faults(State(app): State<AppState>) -> Response {
    ok(&json!({ "smtp_faults": app.faults.list_smtp() }))
}

async fn add_smtp_fault(State(app): State<AppState>, body: JsonBody) -> Result<Response, ApiError> {
    let spec: SmtpFaultSpec = from_json(body.0)?;
    Ok(ok(&app.faults.add_smtp(spec)?))
}

async fn clear_smtp_faults(State(app): State<AppState>) -> Response {
    ok(&json!({ "cleared": app.faults.clear_smtp() }))
}

async fn remove_smtp_fault(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = fault_id(&id.map_err(|_| ApiError::NotFound)?.0)?;
    if app.faults.remove_smtp(id) {
        Ok(ok(&json!({ "id": id })))
    } else {
        Err(ApiError::NotFound)
    }
}

fn template_view(t: &Template) -> Value {
    json!({
        "id": t.id,
        "uuid": t.uuid,
        "name": t.name,
        "subject": t.subject,
        "text": t.text,
        "html": t.html,
        "created_at": time::format(&t.created_at),
    })
}

async fn list_templates(State(app): State<AppState>) -> Response {
    let list = app.store.read(|state| {
        state
            .reg
            .templates
            .values()
            .map(template_view)
            .collect::<Vec<_>>()
    });
    ok(&list)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateParams {
    #[serde(default)]
    uuid: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    html: Option<String>,
}

async fn add_template(State(app): State<AppState>, body: JsonBody) -> Result<Response, ApiError> {
    let p: TemplateParams = from_json(body.0)?;
    let input = TemplateInput {
        uuid: p.uuid,
        name: p.name,
        subject: p.subject,
        text: p.text,
        html: p.html,
    };
    let view = app
        .store
        .write(|state, changes| {
            let uuid = accounts::add_template(state, changes, input)?;
            state
                .reg
                .templates
                .get(&uuid)
                .map(template_view)
                .ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(ok(&view))
}

async fn show_template(
    State(app): State<AppState>,
    uuid: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let uuid = uuid.map_err(|_| ApiError::NotFound)?.0;
    let view = app
        .store
        .read(|state| {
            state
                .reg
                .templates
                .get(&uuid.to_ascii_lowercase())
                .map(template_view)
        })
        .ok_or(ApiError::NotFound)?;
    Ok(ok(&view))
}

async fn delete_template(
    State(app): State<AppState>,
    uuid: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let uuid = uuid.map_err(|_| ApiError::NotFound)?.0;
    app.store
        .write(|state, changes| accounts::delete_template(state, changes, &uuid))
        .await?;
    Ok(ok(&json!({ "uuid": uuid.to_ascii_lowercase() })))
}

async fn forwards(State(app): State<AppState>) -> Response {
    let list = app.store.read(|state| {
        state
            .reg
            .forwards
            .iter()
            .map(|f| {
                json!({
                    "sandbox_id": f.sandbox_id,
                    "message_id": f.message_id,
                    "email": f.email,
                    "forwarded_at": time::format(&f.forwarded_at),
                })
            })
            .collect::<Vec<_>>()
    });
    ok(&list)
}

fn rate_limit_view(app: &AppState) -> Value {
    json!({
        "enforce": app.limiter.enforced(),
        "limit": LIMIT,
        "window_seconds": WINDOW.as_secs(),
        "tracked_tokens": app.limiter.tracked(),
    })
}

async fn rate_limit(State(app): State<AppState>) -> Response {
    ok(&rate_limit_view(&app))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitParams {
    enforce: bool,
}

async fn set_rate_limit(State(app): State<AppState>, body: JsonBody) -> Result<Response, ApiError> {
    let params: RateLimitParams = from_json(body.0)?;
    app.limiter.set_enforced(params.enforce);
    app.limiter.clear();
    Ok(ok(&rate_limit_view(&app)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitParams {
    #[serde(default)]
    max_size: Option<u64>,
    #[serde(default)]
    max_message_size: Option<u64>,
}

async fn sandbox_limits(
    State(app): State<AppState>,
    ids: Ids,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let id = ids.sandbox()?;
    let params: LimitParams = from_json(body.0)?;
    let info = app.store.info();
    let view = app
        .store
        .write(|state, changes| {
            resources::set_limits(state, changes, id, params.max_size, params.max_message_size)?;
            views::sandbox_by_id(state, info, id).ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(ok(&view))
}
