//! Message bodies (`body.txt`, `body.raw`, `body.html`, `body.htmlsource`, `body.eml`) and the
//! `/api/testing_message_parts/<token>/...` links to bodies and attachments.

use axum::extract::{OriginalUri, State};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::errors::{ApiError, TEXT_CONTENT_TYPE};
use super::extract::Ids;
use crate::mail::{self, ParsedAttachment};
use crate::store::model::FullMessage;
use crate::store::parts::{self, PartRef};

/// A body part of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The text/plain body.
    Text,
    /// The whole message as text.
    Raw,
    /// The HTML body, with `cid:` images pointing at their attachments.
    Html,
    /// The HTML body as sent.
    HtmlSource,
    /// The whole message as a download.
    Eml,
}

impl Part {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "body.txt" => Part::Text,
            "body.raw" => Part::Raw,
            "body.html" => Part::Html,
            "body.htmlsource" => Part::HtmlSource,
            "body.eml" => Part::Eml,
            _ => return None,
        })
    }
}

const HTML_CONTENT_TYPE: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

fn conflict(what: &str) -> ApiError {
    ApiError::Conflict(format!("Conflict: this message has no {what} part"))
}

/// Answers one body part of a message.
pub(crate) fn respond(message: &FullMessage, part: Part) -> Result<Response, ApiError> {
    let raw = &message.raw;
    let entry = &message.entry;
    match part {
        Part::Raw => Ok(([(CONTENT_TYPE, TEXT_CONTENT_TYPE)], raw.clone()).into_response()),
        Part::Eml => {
            let disposition = eml_disposition(&entry.data.digest.subject);
            Ok((
                [
                    (CONTENT_TYPE, HeaderValue::from_static("message/rfc822")),
                    (CONTENT_DISPOSITION, disposition),
                ],
                raw.clone(),
            )
                .into_response())
        }
        Part::Text => {
            let text = mail::parse(raw).text.ok_or_else(|| conflict("text"))?;
            Ok(([(CONTENT_TYPE, TEXT_CONTENT_TYPE)], text).into_response())
        }
        Part::HtmlSource => {
            let html = mail::parse(raw).html.ok_or_else(|| conflict("HTML"))?;
            Ok(([(CONTENT_TYPE, HTML_CONTENT_TYPE)], html).into_response())
        }
        Part::Html => {
            let parsed = mail::parse(raw);
            let mut html = parsed.html.ok_or_else(|| conflict("HTML"))?;
            for (index, attachment) in parsed.attachments.iter().enumerate() {
                if let Some(cid) = &attachment.content_id {
                    let index = u16::try_from(index).unwrap_or(u16::MAX);
                    let path = parts::attachment_path(entry.data.sandbox_id, entry.data.id, index);
                    html = html.replace(&format!("cid:{cid}"), &path);
                }
            }
            Ok(([(CONTENT_TYPE, HTML_CONTENT_TYPE)], html).into_response())
        }
    }
}

/// `attachment; filename="<subject>.eml"; filename*=UTF-8''<subject>.eml`.
pub(crate) fn eml_disposition(subject: &str) -> HeaderValue {
    let base = if subject.trim().is_empty() {
        "message"
    } else {
        subject.trim()
    };
    disposition(&format!("{base}.eml"))
}

/// A `Content-Disposition: attachment` header naming `filename`.
pub(crate) fn disposition(filename: &str) -> HeaderValue {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let value = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        rfc5987(filename)
    );
    HeaderValue::try_from(value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Percent-encodes a header parameter value (RFC 5987).
fn rfc5987(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn attachment_response(attachment: &ParsedAttachment) -> Response {
    let content_type = HeaderValue::try_from(attachment.content_type.as_str())
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    (
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_DISPOSITION, disposition(&attachment.filename)),
        ],
        attachment.content.clone(),
    )
        .into_response()
}

async fn body(app: &AppState, ids: Ids, part: Part) -> Result<Response, ApiError> {
    let entry = app.store.message(ids.sandbox()?, ids.message()?)?;
    respond(&entry, part)
}

pub(super) async fn text(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    body(&app, ids, Part::Text).await
}

pub(super) async fn raw(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    body(&app, ids, Part::Raw).await
}

pub(super) async fn html(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    body(&app, ids, Part::Html).await
}

pub(super) async fn html_source(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    body(&app, ids, Part::HtmlSource).await
}

pub(super) async fn eml(State(app): State<AppState>, ids: Ids) -> Result<Response, ApiError> {
    body(&app, ids, Part::Eml).await
}

/// `GET /api/testing_message_parts/<token>/<part>`: the token is read from the raw path, so
/// only a link followed verbatim resolves.
pub(super) async fn by_token(
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let rest = uri
        .path()
        .strip_prefix(parts::ROUTE_PREFIX)
        .ok_or(ApiError::NotFound)?;
    let (token, part) = rest.split_once('/').ok_or(ApiError::NotFound)?;
    match (parts::decode(token).ok_or(ApiError::NotFound)?, part) {
        (
            PartRef::Message {
                sandbox_id,
                message_id,
            },
            part,
        ) => {
            let part = Part::from_name(part).ok_or(ApiError::NotFound)?;
            let entry = app.store.message(sandbox_id, message_id)?;
            respond(&entry, part)
        }
        (
            PartRef::Attachment {
                sandbox_id,
                message_id,
                index,
            },
            "attachment_download",
        ) => {
            let entry = app.store.message(sandbox_id, message_id)?;
            let parsed = mail::parse(&entry.raw);
            let attachment = parsed
                .attachments
                .get(usize::from(index))
                .ok_or(ApiError::NotFound)?;
            Ok(attachment_response(attachment))
        }
        _ => Err(ApiError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eml_file_names_are_quoted_and_encoded() {
        assert_eq!(
            eml_disposition("Hello from us").to_str().unwrap(),
            "attachment; filename=\"Hello from us.eml\"; filename*=UTF-8''Hello%20from%20us.eml"
        );
        assert_eq!(
            eml_disposition("Grüße \"x\"").to_str().unwrap(),
            "attachment; filename=\"Gr__e _x_.eml\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%22x%22.eml"
        );
        assert!(
            eml_disposition("")
                .to_str()
                .unwrap()
                .contains("message.eml")
        );
    }
}
