//! Messages: list (paging, search), show, mark read, delete, forward, spam report, HTML
//! analysis, headers, attachments.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::errors::{ApiError, ok};
use super::extract::{Flag, Ids, JsonBody, Query, from_json};
use super::views::{self, Naming};
use crate::analysis;
use crate::mail::{self, Disposition};
use crate::store::ListQuery;
use crate::store::model::FullMessage;

pub(super) async fn list(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
    query: Query,
) -> Result<Response, ApiError> {
    let sandbox = ids.sandbox()?;
    let list_query = ListQuery {
        search: query
            .get("search")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase),
        last_id: query.positive("last_id")?,
        page: query.positive("page")?,
    };
    let entries = app.store.list_messages(sandbox, &list_query)?;
    let body: Vec<views::MessageView<'_>> =
        entries.iter().map(|e| views::message(e, naming)).collect();
    Ok(ok(&body))
}

pub(super) fn entry(app: &AppState, ids: Ids) -> Result<FullMessage, ApiError> {
    Ok(app.store.message(ids.sandbox()?, ids.message()?)?)
}

pub(super) async fn show(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let entry = app.store.message_entry(ids.sandbox()?, ids.message()?)?;
    Ok(ok(&views::message(&entry, naming)))
}

#[derive(Debug, Deserialize)]
struct UpdateParams {
    #[serde(default)]
    is_read: Option<Flag>,
}

pub(super) async fn update(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let (sandbox, message) = (ids.sandbox()?, ids.message()?);
    let params: UpdateParams = from_json(body.unwrap_envelope(&["message"]))?;
    let updated = app
        .store
        .set_read(sandbox, message, params.is_read.map(|f| f.0))
        .await?;
    Ok(ok(&views::message(&updated, naming)))
}

pub(super) async fn delete(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let deleted = app
        .store
        .delete_message(ids.sandbox()?, ids.message()?)
        .await?;
    Ok(ok(&views::message(&deleted, naming)))
}

#[derive(Debug, Deserialize)]
struct ForwardParams {
    #[serde(default)]
    email: Option<String>,
}

pub(super) async fn forward(
    State(app): State<AppState>,
    ids: Ids,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let (sandbox, message) = (ids.sandbox()?, ids.message()?);
    app.store.message_entry(sandbox, message)?;
    let params: ForwardParams = from_json(body.unwrap_envelope(&["message"]))?;
    let email = params.email.unwrap_or_default();
    if email.trim().is_empty() {
        return Err(ApiError::invalid("email", "can't be blank"));
    }
    if !mail::is_valid_email(email.trim()) {
        return Err(ApiError::invalid("email", "is invalid"));
    }
    app.store
        .forward(sandbox, message, email.trim().to_owned())
        .await?;
    Ok(ok(&json!({
        "success": true,
        "message": "The message was forwarded (the emulator records forwards; nothing is sent)",
    })))
}

pub(super) async fn spam_report(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let entry = entry(&app, ids)?;
    let parsed = mail::parse(&entry.raw);
    Ok(ok(&json!({ "report": analysis::spam_report(&parsed) })))
}

pub(super) async fn analyze(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    let entry = entry(&app, ids)?;
    let parsed = mail::parse(&entry.raw);
    Ok(ok(
        &json!({ "report": analysis::html_analysis(parsed.html.as_deref()) }),
    ))
}

pub(super) async fn attachments(
    State(app): State<AppState>,
    ids: Ids,
    query: Query,
) -> Result<Response, ApiError> {
    let entry = entry(&app, ids)?;
    let wanted = query.get("attachment_type").map(str::to_ascii_lowercase);
    let parsed = mail::parse(&entry.raw);
    let list: Vec<Value> = parsed
        .attachments
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            let kind = match a.disposition {
                Disposition::Attachment => "attachment",
                Disposition::Inline => "inline",
            };
            wanted.as_deref().is_none_or(|w| w == kind)
        })
        .map(|(i, a)| views::attachment(&entry.entry, i, a))
        .collect();
    Ok(ok(&list))
}

pub(super) async fn attachment(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let attachment_id = ids.attachment()?;
    let entry = entry(&app, ids)?;
    let index = attachment_id
        .checked_sub(entry.entry.data.meta.first_attachment_id)
        .and_then(|i| usize::try_from(i).ok())
        .ok_or(ApiError::NotFound)?;
    let parsed = mail::parse(&entry.raw);
    let found = parsed.attachments.get(index).ok_or(ApiError::NotFound)?;
    Ok(ok(&views::attachment(&entry.entry, index, found)))
}
