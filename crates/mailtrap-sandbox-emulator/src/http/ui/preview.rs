//! The message's HTML as a document of its own, for the inbox's `<iframe sandbox>`.
//!
//! The HTML is hostile. Its document is sandboxed twice: by the frame's `sandbox` attribute
//! (no `allow-scripts`, no `allow-same-origin`) and by the `sandbox` directive of its
//! Content-Security-Policy, which holds even when the document is opened on its own. The
//! policy runs no script, submits no form, and loads images, styles, fonts and media only from
//! `data:` URLs, until the user asks for remote content (`?remote=1`, which allows `http:` and
//! `https:` too). Inline images (`cid:`) are embedded as `data:` URLs, since the frame's
//! requests carry no session. Links open in a new tab, outside the sandbox (they are the
//! links under test), with no referrer.

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use html5gum::{DefaultEmitter, Token, Tokenizer};
use serde::Deserialize;

use super::{data, layout};
use crate::http::AppState;
use crate::mail::{self, ParsedMail};

/// The policy with remote content blocked.
const LOCAL_ONLY: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; \
     font-src data:; media-src data:; form-action 'none'; base-uri 'none'; \
     frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox";

/// The policy once the user asked for remote content.
const WITH_REMOTE: &str = "default-src 'none'; img-src data: http: https:; \
     style-src 'unsafe-inline' data: http: https:; font-src data: http: https:; \
     media-src data: http: https:; form-action 'none'; base-uri 'none'; \
     frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox";

/// Put before the message's own markup (in its `<head>` when it has one).
const PROLOGUE: &str = "<base target=\"_blank\"><meta name=\"referrer\" content=\"no-referrer\">";

#[derive(Debug, Deserialize)]
pub(super) struct PreviewParams {
    #[serde(default)]
    remote: Option<String>,
}

/// `GET /ui/sandboxes/{sandbox_id}/messages/{message_id}/preview`.
pub(super) async fn document(
    State(app): State<AppState>,
    Path((sandbox_id, message_id)): Path<(u64, u64)>,
    Query(params): Query<PreviewParams>,
) -> Response {
    let Ok(message) = data::message(&app, sandbox_id, message_id) else {
        return layout::error_page(StatusCode::NOT_FOUND, "No such message", "");
    };
    let parsed = mail::parse(&message.raw);
    let Some(html) = parsed.html.as_deref() else {
        return layout::error_page(StatusCode::NOT_FOUND, "No HTML body", "");
    };
    let policy = if params.remote.as_deref() == Some("1") {
        WITH_REMOTE
    } else {
        LOCAL_ONLY
    };
    let body = with_prologue(&inline_images(html, &parsed));
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy)),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// `cid:` references replaced by `data:` URLs of the inline parts.
fn inline_images(html: &str, parsed: &ParsedMail) -> String {
    let mut html = html.to_owned();
    for attachment in &parsed.attachments {
        let Some(cid) = attachment.content_id.as_deref().filter(|c| !c.is_empty()) else {
            continue;
        };
        let reference = format!("cid:{cid}");
        if !html.contains(&reference) {
            continue;
        }
        let content_type: String = attachment
            .content_type
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '+' | '-'))
            .collect();
        let url = format!(
            "data:{content_type};base64,{}",
            STANDARD.encode(&attachment.content)
        );
        html = html.replace(&reference, &url);
    }
    html
}

/// Where the prologue goes: after `<head ...>`, else after the doctype, else first.
fn prologue_offset(html: &str) -> usize {
    let lower = html.to_ascii_lowercase();
    let after_tag = |start: usize| lower.get(start..)?.find('>').map(|end| start + end + 1);
    let head = lower.match_indices("<head").find_map(|(at, _)| {
        let next = lower.as_bytes().get(at + 5).copied();
        matches!(next, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/'))
            .then(|| after_tag(at))
            .flatten()
    });
    if let Some(offset) = head {
        return offset;
    }
    let trimmed = lower.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with("<!doctype") {
        let start = lower.len() - trimmed.len();
        return after_tag(start).unwrap_or(0);
    }
    0
}

fn with_prologue(html: &str) -> String {
    let offset = prologue_offset(html);
    let (before, after) = html.split_at_checked(offset).unwrap_or(("", html));
    format!("{before}{PROLOGUE}{after}")
}

fn is_remote(url: &str) -> bool {
    let url = url.trim_start().to_ascii_lowercase();
    url.starts_with("http:") || url.starts_with("https:") || url.starts_with("//")
}

/// The CSS `url(...)`s and `@import "..."`s of `css` that point to other hosts.
fn remote_in_css(css: &str) -> usize {
    let lower = css.to_ascii_lowercase();
    let urls = lower
        .match_indices("url(")
        .filter(|(at, _)| {
            lower
                .get(at + 4..)
                .is_some_and(|rest| is_remote(rest.trim_start_matches(['"', '\'', ' '])))
        })
        .count();
    let imports = lower
        .match_indices("@import")
        .filter(|(at, _)| {
            lower.get(at + 7..).is_some_and(|rest| {
                let rest = rest.trim_start().trim_start_matches(['"', '\'']);
                // `@import url(...)` was counted above.
                !rest.starts_with("url(") && is_remote(rest)
            })
        })
        .count();
    urls + imports
}

/// How many images, styles, fonts and media the HTML would load from other hosts: what the
/// policy blocks until the user asks.
pub(super) fn remote_resources(html: &str) -> usize {
    let mut count = 0;
    let mut in_style = false;
    let mut emitter = DefaultEmitter::default();
    // Read <style> content as text (CSS), as a browser does.
    emitter.naively_switch_states(true);
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                in_style = name == "style";
                for (attr, value) in &tag.attributes {
                    let attr = String::from_utf8_lossy(attr).to_ascii_lowercase();
                    let value = String::from_utf8_lossy(value);
                    count += match attr.as_str() {
                        "src" | "background" | "poster" => usize::from(is_remote(&value)),
                        "srcset" => value.split(',').filter(|c| is_remote(c)).count(),
                        "href" if name == "link" => usize::from(is_remote(&value)),
                        "style" => remote_in_css(&value),
                        _ => 0,
                    };
                }
            }
            Token::EndTag(_) => in_style = false,
            Token::String(text) if in_style => {
                count += remote_in_css(&String::from_utf8_lossy(&text));
            }
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prologue_goes_into_the_head_or_after_the_doctype() {
        assert_eq!(
            with_prologue("<!DOCTYPE html><html><HEAD><title>x</title>"),
            format!("<!DOCTYPE html><html><HEAD>{PROLOGUE}<title>x</title>")
        );
        assert_eq!(
            with_prologue("<head lang=en><p>x"),
            format!("<head lang=en>{PROLOGUE}<p>x")
        );
        assert_eq!(
            with_prologue("<header>x</header>"),
            format!("{PROLOGUE}<header>x</header>")
        );
        assert_eq!(
            with_prologue("\n<!doctype html><p>x"),
            format!("\n<!doctype html>{PROLOGUE}<p>x")
        );
        assert_eq!(with_prologue("<head"), format!("{PROLOGUE}<head"));
        assert_eq!(with_prologue(""), PROLOGUE);
    }

    #[test]
    fn remote_images_styles_and_fonts_are_counted() {
        let html = r#"<html><head>
            <link rel="stylesheet" href="https://cdn.example/a.css">
            <style>@import "https://cdn.example/b.css"; .x { background: url( 'http://img.example/bg.png') }
            .y { background: url(data:image/png;base64,AAAA) }</style></head>
            <body background="//img.example/body.png">
            <img src="https://img.example/pixel.gif"><img src="cid:logo"><img src="data:image/gif;base64,R0l">
            <img srcset="https://img.example/a.png 1x, /local.png 2x, http://img.example/b.png 3x">
            <p style="background-image:url(https://img.example/c.png)">x</p>
            <a href="https://example.com/not-a-resource">link</a></body></html>"#;
        assert_eq!(remote_resources(html), 8);
        assert_eq!(remote_resources("<p>plain</p>"), 0);
    }

    #[test]
    fn inline_parts_become_data_urls() {
        let parsed = ParsedMail {
            attachments: vec![crate::mail::ParsedAttachment {
                filename: "logo.png".to_owned(),
                content_type: "image/png\"><script>".to_owned(),
                content_id: Some("logo@x".to_owned()),
                disposition: crate::mail::Disposition::Inline,
                transfer_encoding: None,
                content: vec![1, 2, 3],
            }],
            ..ParsedMail::default()
        };
        assert_eq!(
            inline_images(r#"<img src="cid:logo@x">"#, &parsed),
            r#"<img src="data:image/pngscript;base64,AQID">"#
        );
    }
}
