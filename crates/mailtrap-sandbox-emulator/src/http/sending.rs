//! The sending API on the emulator's listener: `POST /api/send/{sandbox_id}` and
//! `POST /api/batch/{sandbox_id}` in Mailtrap's JSON send format. Messages are composed
//! ([`crate::mail::compose`]) and stored in the sandbox; nothing leaves the machine.

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::AppState;
use super::errors::{ApiError, json};
use super::extract::{Ids, parse_json, read_body};
use crate::conn::ConnInfo;
use crate::delivery::DeliveryError;
use crate::mail::{self, Composed, SendRequest};
use crate::store::Incoming;
use crate::store::Waiter;
use crate::store::model::{Origin, StoredEnvelope, TemplateUse};
use crate::templates;

/// Largest sending request body (Mailtrap's batch limit is 50 MB).
const SEND_BODY_LIMIT: usize = 50 * 1024 * 1024;
/// Most messages in one batch.
const BATCH_LIMIT: usize = 500;

/// The sending routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/send/{sandbox_id}", post(send))
        .route("/api/batch/{sandbox_id}", post(batch))
}

/// `{"success": false, "errors": [...]}` with `status`.
fn failure(status: StatusCode, errors: &[String]) -> Response {
    json(status, &json!({"success": false, "errors": errors}))
}

/// Reads the sandbox id and the JSON object body, or answers the sending-style error.
async fn read_request(
    app: &AppState,
    ids: Result<Ids, ApiError>,
    request: Request,
) -> Result<(u64, Option<String>, Map<String, Value>), Response> {
    let not_found = || failure(StatusCode::NOT_FOUND, &["Not Found".to_owned()]);
    let sandbox_id = ids.and_then(|ids| ids.sandbox()).map_err(|_| not_found())?;
    if !app
        .store
        .read(|state| state.reg.sandboxes.contains_key(&sandbox_id))
    {
        return Err(not_found());
    }
    let client_ip = request
        .extensions()
        .get::<ConnectInfo<ConnInfo>>()
        .map(|ConnectInfo(info)| info.remote.ip().to_string());
    let bytes = read_body(request, SEND_BODY_LIMIT, app.idle_timeout)
        .await
        .map_err(|error| match error {
            ApiError::TooLarge(_) => failure(
                StatusCode::PAYLOAD_TOO_LARGE,
                &[format!(
                    "The request body is larger than {SEND_BODY_LIMIT} bytes"
                )],
            ),
            ApiError::BodyTimeout => failure(
                StatusCode::REQUEST_TIMEOUT,
                &["The request body stopped arriving; send it again".to_owned()],
            ),
            ApiError::BadRequest(message) => failure(StatusCode::BAD_REQUEST, &[message]),
            _ => failure(
                StatusCode::BAD_REQUEST,
                &["The request body could not be read".to_owned()],
            ),
        })?;
    match parse_json(&bytes) {
        Ok(Value::Object(map)) => Ok((sandbox_id, client_ip, map)),
        Ok(_) => Err(failure(
            StatusCode::BAD_REQUEST,
            &["The request body must be a JSON object".to_owned()],
        )),
        Err(e) => Err(failure(StatusCode::BAD_REQUEST, &[e])),
    }
}

/// Turns one JSON message into raw bytes, rendering its template if it names one.
fn prepare(app: &AppState, message: Value) -> Result<(Composed, Option<TemplateUse>), Vec<String>> {
    let mut request: SendRequest = serde_path_to_error::deserialize(message).map_err(|e| {
        let path = e.path().to_string();
        vec![format!("'{path}': {}", e.into_inner())]
    })?;
    let template = match request.template_uuid.clone() {
        None => None,
        Some(uuid) => {
            let mut errors = Vec::new();
            for (field, present) in [
                ("subject", request.subject.is_some()),
                ("text", request.text.is_some()),
                ("html", request.html.is_some()),
            ] {
                if present {
                    errors.push(format!(
                        "'{field}' cannot be used together with 'template_uuid'"
                    ));
                }
            }
            let found = app.store.read(|state| {
                state
                    .reg
                    .templates
                    .get(&uuid.trim().to_ascii_lowercase())
                    .cloned()
            });
            let Some(template) = found else {
                errors.push(format!(
                    "'template_uuid' does not name a known template: '{uuid}'"
                ));
                return Err(errors);
            };
            if !errors.is_empty() {
                return Err(errors);
            }
            let rendered = templates::render(&template, request.template_variables.as_ref());
            request.subject = Some(rendered.subject);
            request.text = rendered.text;
            request.html = rendered.html;
            Some(TemplateUse {
                id: template.id,
                variables: request.template_variables.clone(),
            })
        }
    };
    let composed = mail::compose(&request)?;
    Ok((composed, template))
}

/// Stores a composed message; returns its id and what to wait for.
fn store(
    app: &AppState,
    sandbox_id: u64,
    client_ip: Option<String>,
    composed: Composed,
    template: Option<TemplateUse>,
) -> Result<(u64, Waiter), DeliveryError> {
    app.store.deliver_deferred(Incoming {
        sandbox_id,
        raw: composed.raw,
        envelope: StoredEnvelope {
            mail_from: composed.mail_from,
            rcpt_to: composed.rcpt_to,
            client_ip,
        },
        origin: Origin::Api,
        template,
    })
}

fn delivery_failure(error: &DeliveryError) -> Response {
    match error {
        DeliveryError::NoSuchSandbox => failure(StatusCode::NOT_FOUND, &["Not Found".to_owned()]),
        DeliveryError::TooLarge(_) => failure(StatusCode::BAD_REQUEST, &[error.to_string()]),
        DeliveryError::Storage(_) => {
            failure(StatusCode::INTERNAL_SERVER_ERROR, &[error.to_string()])
        }
    }
}

/// `POST /api/send/{sandbox_id}`.
async fn send(
    State(app): State<AppState>,
    ids: Result<Ids, ApiError>,
    request: Request,
) -> Response {
    let (sandbox_id, client_ip, body) = match read_request(&app, ids, request).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    let (composed, template) = match prepare(&app, Value::Object(body)) {
        Ok(prepared) => prepared,
        Err(errors) => return failure(StatusCode::BAD_REQUEST, &errors),
    };
    let (id, waiter) = match store(&app, sandbox_id, client_ip, composed, template) {
        Ok(stored) => stored,
        Err(e) => return delivery_failure(&e),
    };
    if let Err(e) = waiter.wait().await {
        app.store.forget(sandbox_id, id);
        return failure(StatusCode::INTERNAL_SERVER_ERROR, &[e]);
    }
    json(
        StatusCode::OK,
        &json!({"success": true, "message_ids": [id.to_string()]}),
    )
}

/// `base` fields apply to every request that does not set them.
fn merge(base: Option<&Map<String, Value>>, request: Value) -> Result<Value, Vec<String>> {
    let Value::Object(mut request) = request else {
        return Err(vec![
            "each entry of 'requests' must be a JSON object".to_owned(),
        ]);
    };
    if let Some(base) = base {
        for (key, value) in base {
            match request.get(key) {
                None | Some(Value::Null) => {
                    request.insert(key.clone(), value.clone());
                }
                Some(_) => {}
            }
        }
    }
    Ok(Value::Object(request))
}

/// `POST /api/batch/{sandbox_id}`: per-message results inside an HTTP 200.
async fn batch(
    State(app): State<AppState>,
    ids: Result<Ids, ApiError>,
    request: Request,
) -> Response {
    let (sandbox_id, client_ip, mut body) = match read_request(&app, ids, request).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    let base = match body.remove("base") {
        None | Some(Value::Null) => None,
        Some(Value::Object(base)) => Some(base),
        Some(_) => {
            return failure(
                StatusCode::BAD_REQUEST,
                &["'base' must be a JSON object".to_owned()],
            );
        }
    };
    let requests = match body.remove("requests") {
        Some(Value::Array(requests)) => requests,
        None | Some(Value::Null) => {
            return failure(
                StatusCode::BAD_REQUEST,
                &["'requests' is required".to_owned()],
            );
        }
        Some(_) => {
            return failure(
                StatusCode::BAD_REQUEST,
                &["'requests' must be an array".to_owned()],
            );
        }
    };
    if requests.is_empty() {
        return failure(
            StatusCode::BAD_REQUEST,
            &["'requests' must contain at least one message".to_owned()],
        );
    }
    if requests.len() > BATCH_LIMIT {
        return failure(
            StatusCode::BAD_REQUEST,
            &[format!(
                "'requests' must contain at most {BATCH_LIMIT} messages, not {}",
                requests.len()
            )],
        );
    }
    let mut responses = Vec::with_capacity(requests.len());
    let mut pending = Vec::new();
    for request in requests {
        let prepared = merge(base.as_ref(), request).and_then(|m| prepare(&app, m));
        let result = match prepared {
            Err(errors) => json!({"success": false, "errors": errors}),
            Ok((composed, template)) => {
                match store(&app, sandbox_id, client_ip.clone(), composed, template) {
                    Ok((id, waiter)) => {
                        pending.push((id, waiter));
                        json!({"success": true, "message_ids": [id.to_string()]})
                    }
                    Err(e) => json!({"success": false, "errors": [e.to_string()]}),
                }
            }
        };
        responses.push(result);
    }
    for (id, waiter) in pending {
        if let Err(e) = waiter.wait().await {
            app.store.forget(sandbox_id, id);
            return failure(StatusCode::INTERNAL_SERVER_ERROR, &[e]);
        }
    }
    json(
        StatusCode::OK,
        &json!({"success": true, "responses": responses}),
    )
}
