//! A message's page: who and when, the actions, and tabs for the rendered HTML, text, the
//! links and one-time code, HTML source, raw source, headers, attachments, the spam report and
//! the HTML check. Opening a message marks it read. Also its downloads: the `.eml` and
//! attachments.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header::{
    CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::data::{self, Message};
use super::inbox::{ListParams, Listing};
use super::{Ui, format, inbox, layout, links, preview, source};
use crate::analysis;
use crate::http::AppState;
use crate::http::{bodies, mail_headers};
use crate::mail::{self, Disposition, ParsedAttachment, ParsedMail};

/// The tabs, in order (the digit keys pick them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    Html,
    Text,
    Links,
    Source,
    Raw,
    Headers,
    Attachments,
    Spam,
    Check,
}

impl Tab {
    const ALL: [Tab; 9] = [
        Tab::Html,
        Tab::Text,
        Tab::Links,
        Tab::Source,
        Tab::Raw,
        Tab::Headers,
        Tab::Attachments,
        Tab::Spam,
        Tab::Check,
    ];

    fn key(self) -> &'static str {
        match self {
            Tab::Html => "html",
            Tab::Text => "text",
            Tab::Links => "links",
            Tab::Source => "source",
            Tab::Raw => "raw",
            Tab::Headers => "headers",
            Tab::Attachments => "attachments",
            Tab::Spam => "spam",
            Tab::Check => "check",
        }
    }

    fn parse(key: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|tab| tab.key() == key)
    }
}

/// The preview's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Width {
    Desktop,
    Tablet,
    Phone,
}

impl Width {
    const ALL: [Width; 3] = [Width::Desktop, Width::Tablet, Width::Phone];

    fn key(self) -> &'static str {
        match self {
            Width::Desktop => "desktop",
            Width::Tablet => "tablet",
            Width::Phone => "phone",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Width::Desktop => "Desktop",
            Width::Tablet => "Tablet (768 px)",
            Width::Phone => "Phone (375 px)",
        }
    }
}

/// The query of a message's page: the list's place, the tab, and the preview's settings.
/// (Flat: numbers cannot come through a flattened query.)
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct MessageParams {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    before: Option<u64>,
    #[serde(default)]
    tab: Option<String>,
    #[serde(default)]
    width: Option<String>,
    #[serde(default)]
    remote: Option<String>,
    /// Set after a forward: to whom.
    #[serde(default)]
    forwarded: Option<String>,
}

impl MessageParams {
    fn list(&self) -> ListParams {
        ListParams {
            q: self.q.clone(),
            before: self.before,
        }
    }
}

/// What the tabs link to.
struct Place {
    base: String,
    list: ListParams,
    tab: Tab,
    width: Width,
    remote: bool,
}

impl Place {
    /// The list this message was opened from.
    fn list_url(&self) -> String {
        let sandbox = self
            .base
            .rsplit_once("/messages/")
            .map_or(self.base.as_str(), |(sandbox, _)| sandbox);
        self.list.url(sandbox)
    }

    fn to(&self, tab: Tab, width: Width, remote: bool) -> String {
        let before = self.list.before.map(|b| b.to_string());
        layout::url(
            &self.base,
            &[
                ("q", self.list.search()),
                ("before", before.as_deref()),
                ("tab", Some(tab.key())),
                ("width", (width != Width::Desktop).then_some(width.key())),
                ("remote", remote.then_some("1")),
            ],
        )
    }
}

/// The answer for a message that does not exist (any more).
fn no_such_message() -> Response {
    layout::error_page(
        StatusCode::NOT_FOUND,
        "No such message",
        "It may have been deleted, or its sandbox cleaned.",
    )
}

/// `GET /ui/sandboxes/{sandbox_id}/messages/{message_id}`.
pub(super) async fn page(
    State(app): State<AppState>,
    Extension(ui): Extension<Arc<Ui>>,
    Path((sandbox_id, message_id)): Path<(u64, u64)>,
    Query(params): Query<MessageParams>,
) -> Response {
    let Ok(mut message) = data::message(&app, sandbox_id, message_id) else {
        return no_such_message();
    };
    if !message.row.is_read {
        // Mark read on open; a failure to save is not worth refusing to show the message.
        if let Err(error) = data::set_read(&app, sandbox_id, message_id, true).await {
            tracing::warn!(%error, message_id, "the inbox could not mark a message read");
        } else {
            message.row.is_read = true;
        }
    }
    let Some(listing) = Listing::load(&app, sandbox_id, params.list()) else {
        return inbox::no_such_sandbox();
    };
    let parsed = mail::parse(&message.raw);
    let tab = params
        .tab
        .as_deref()
        .and_then(Tab::parse)
        .unwrap_or(if parsed.html.is_some() {
            Tab::Html
        } else {
            Tab::Text
        });
    let width = Width::ALL
        .into_iter()
        .find(|w| Some(w.key()) == params.width.as_deref())
        .unwrap_or(Width::Desktop);
    let place = Place {
        base: format!("/ui/sandboxes/{sandbox_id}/messages/{message_id}"),
        list: params.list(),
        tab,
        width,
        remote: params.remote.as_deref() == Some("1"),
    };
    let subject = if message.row.subject.trim().is_empty() {
        "(no subject)"
    } else {
        message.row.subject.as_str()
    };
    let title = inbox::title(&listing.sandbox, subject);
    let notice = params
        .forwarded
        .as_deref()
        .map(|email| format!("Forwarded to {email} (recorded; nothing is sent)."));
    let view = view(&ui, &message, &parsed, &place, subject, notice.as_deref());
    inbox::shell(&app, &ui, &listing, Some(message_id), &title, &view)
}

fn view(
    ui: &Ui,
    message: &Message,
    parsed: &ParsedMail,
    place: &Place,
    subject: &str,
    notice: Option<&str>,
) -> Markup {
    let spam = analysis::spam_report(parsed);
    let check = analysis::html_analysis(parsed.html.as_deref());
    let found = links::Found::of(parsed);
    let list_url = place.list_url();
    let labels = |tab: Tab| -> String {
        match tab {
            Tab::Html => "HTML".to_owned(),
            Tab::Text => "Text".to_owned(),
            Tab::Links => format!("Links {}", found.links.len()),
            Tab::Source => "Source".to_owned(),
            Tab::Raw => "Raw".to_owned(),
            Tab::Headers => "Headers".to_owned(),
            Tab::Attachments => format!("Attachments {}", parsed.attachments.len()),
            Tab::Spam => format!("Spam {:.1}", spam.score),
            Tab::Check => format!("HTML check {}", check.errors.len()),
        }
    };
    html! {
        article.message #message data-id=(message.row.id) {
            a.back href=(list_url) { "← Messages" }
            header.message-head {
                h1 { (subject) }
                (meta(message, parsed))
                (actions(ui, place, message))
                @if let Some(notice) = notice {
                    p.notice role="status" { (notice) }
                }
            }
            nav.tabs aria-label="Message views" {
                @for (index, tab) in Tab::ALL.into_iter().enumerate() {
                    a href=(place.to(tab, place.width, place.remote))
                        aria-current=[(tab == place.tab).then_some("page")]
                        data-key=(index + 1) {
                        (labels(tab))
                    }
                }
            }
            section.panel {
                @match place.tab {
                    Tab::Html => (html_tab(parsed, place)),
                    Tab::Text => (text_tab(parsed, &place.base)),
                    Tab::Links => (links::tab(&found)),
                    Tab::Source => (source_tab(parsed, &place.base)),
                    Tab::Raw => (raw_tab(message, &place.base)),
                    Tab::Headers => (headers_tab(message, parsed)),
                    Tab::Attachments => (attachments_tab(&place.base, parsed)),
                    Tab::Spam => (spam_tab(&spam)),
                    Tab::Check => (check_tab(&check)),
                }
            }
        }
    }
}

fn meta(message: &Message, parsed: &ParsedMail) -> Markup {
    let from = if parsed.from_all.is_empty() {
        format::person(&message.row.from_name, &message.row.from_email)
    } else {
        format::mailboxes(&parsed.from_all)
    };
    let bcc = mail_headers::bcc(parsed, &message.rcpt_to);
    html! {
        dl.meta {
            dt { "From" } dd { (from) }
            dt { "To" } dd { (format::mailboxes(&parsed.to)) }
            @if !parsed.cc.is_empty() {
                dt { "Cc" } dd { (format::mailboxes(&parsed.cc)) }
            }
            @if !bcc.is_empty() {
                dt { "Bcc" } dd { (format::mailboxes(&bcc)) }
            }
            @if !parsed.reply_to.is_empty() {
                dt { "Reply-To" } dd { (format::mailboxes(&parsed.reply_to)) }
            }
            dt { "Received" } dd {
                (format::time(&message.row.created_at))
                " through the " (message.origin)
                @if let Some(ip) = &message.client_ip { " from " (ip) }
                " · " (format::size(message.row.size))
            }
        }
    }
}

fn actions(ui: &Ui, place: &Place, message: &Message) -> Markup {
    let base = &place.base;
    let back = place.list_url();
    html! {
        div.actions {
            form method="post" action={ (base) "/read" } {
                input type="hidden" name="csrf" value=(ui.csrf);
                input type="hidden" name="read" value=(if message.row.is_read { "false" } else { "true" });
                input type="hidden" name="back" value=(back);
                button.small type="submit" data-shortcut="u" {
                    (if message.row.is_read { "Mark unread" } else { "Mark read" })
                }
            }
            form method="post" action={ (base) "/delete" } {
                input type="hidden" name="csrf" value=(ui.csrf);
                input type="hidden" name="back" value=(back);
                button.small.danger type="submit" data-shortcut="delete" { "Delete" }
            }
            details.forward {
                summary.button.small { "Forward" }
                form method="post" action={ (base) "/forward" } {
                    input type="hidden" name="csrf" value=(ui.csrf);
                    label for="forward-to" { "Forward to" }
                    input #forward-to type="email" name="email" required placeholder="qa@example.com";
                    button.small type="submit" { "Forward" }
                    p.muted { "The emulator records forwards (see " code { "/_emulator/forwards" } "); nothing is sent." }
                }
            }
            a.button.small href={ (base) "/eml" } download { "Download .eml" }
        }
    }
}

fn html_tab(parsed: &ParsedMail, place: &Place) -> Markup {
    let Some(html) = parsed.html.as_deref() else {
        return html! { p.empty { "This message has no HTML body." } };
    };
    let remote = preview::remote_resources(html);
    let frame = layout::url(
        &format!("{}/preview", place.base),
        &[("remote", place.remote.then_some("1"))],
    );
    html! {
        div.preview-bar {
            div.widths role="group" aria-label="Preview width" {
                @for width in Width::ALL {
                    a.button.small href=(place.to(Tab::Html, width, place.remote))
                        aria-current=[(width == place.width).then_some("true")]
                        data-width=(width.key()) {
                        (width.label())
                    }
                }
            }
            @if remote > 0 && !place.remote {
                p.remote role="note" {
                    "Remote content is blocked: this message loads " (remote)
                    (if remote == 1 { " resource" } else { " resources" })
                    " from other hosts. "
                    a href=(place.to(Tab::Html, place.width, true)) { "Load remote content" }
                }
            } @else if place.remote {
                p.remote role="note" {
                    "Remote content is loaded. "
                    a href=(place.to(Tab::Html, place.width, false)) { "Block it again" }
                }
            }
        }
        div.frame-wrap data-width=(place.width.key()) {
            iframe #preview src=(frame) title="The message's HTML"
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerpolicy="no-referrer" {}
        }
    }
}

fn text_tab(parsed: &ParsedMail, base: &str) -> Markup {
    let Some(text) = parsed.text.as_deref() else {
        return html! { p.empty { "This message has no text body." } };
    };
    let (shown, cut) = format::bounded(text);
    html! {
        pre.text { (shown) }
        (format::cut_note(cut, &format!("{base}/eml")))
    }
}

fn source_tab(parsed: &ParsedMail, base: &str) -> Markup {
    let Some(html) = parsed.html.as_deref() else {
        return html! { p.empty { "This message has no HTML body." } };
    };
    let (shown, cut) = format::bounded(html);
    html! {
        pre.source { code { (source::highlight(shown)) } }
        (format::cut_note(cut, &format!("{base}/eml")))
    }
}

fn raw_tab(message: &Message, base: &str) -> Markup {
    let raw = String::from_utf8_lossy(&message.raw);
    let (shown, cut) = format::bounded(&raw);
    html! {
        pre.raw { (shown) }
        (format::cut_note(cut, &format!("{base}/eml")))
    }
}

fn headers_tab(message: &Message, parsed: &ParsedMail) -> Markup {
    let bcc = mail_headers::bcc(parsed, &message.rcpt_to);
    html! {
        table.headers {
            caption { "Headers, in the order of the message" }
            tbody {
                @for (name, value) in &parsed.headers {
                    tr { th scope="row" { (name) } td { (value) } }
                }
                @if !bcc.is_empty() && !parsed.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("bcc")) {
                    tr.derived {
                        th scope="row" { "Bcc" }
                        td { (format::mailboxes(&bcc)) span.muted { " (from the envelope: no header names them)" } }
                    }
                }
            }
        }
        table.headers {
            caption { "Envelope" }
            tbody {
                tr { th scope="row" { "MAIL FROM" } td { (message.mail_from) } }
                tr { th scope="row" { "RCPT TO" } td { (message.rcpt_to.join(", ")) } }
                tr { th scope="row" { "Received through" } td { (message.origin) } }
                @if let Some(ip) = &message.client_ip {
                    tr { th scope="row" { "Client address" } td { (ip) } }
                }
            }
        }
    }
}

/// Image types shown as thumbnails (never SVG, which can carry script).
fn is_thumbnail_type(content_type: &str) -> bool {
    matches!(
        content_type.to_ascii_lowercase().as_str(),
        "image/png" | "image/jpeg" | "image/jpg" | "image/gif" | "image/webp" | "image/avif"
    )
}

fn attachments_tab(base: &str, parsed: &ParsedMail) -> Markup {
    if parsed.attachments.is_empty() {
        return html! { p.empty { "This message has no attachments." } };
    }
    html! {
        table.attachments {
            thead { tr { th { "" } th { "Name" } th { "Type" } th { "Size" } th { "" } } }
            tbody {
                @for (index, attachment) in parsed.attachments.iter().enumerate() {
                    @let href = format!("{base}/attachments/{index}");
                    tr {
                        td.thumb {
                            @if is_thumbnail_type(&attachment.content_type) {
                                img src={ (href) "?inline=1" } alt="" loading="lazy";
                            }
                        }
                        td {
                            (attachment.filename)
                            @if attachment.disposition == Disposition::Inline {
                                span.tag title={ "Content-ID: " (attachment.content_id.as_deref().unwrap_or("none")) } { "inline" }
                            }
                        }
                        td { code { (attachment.content_type) } }
                        td { (format::size(attachment.content.len())) }
                        td { a.button.small href=(href) download=(attachment.filename) { "Download" } }
                    }
                }
            }
        }
    }
}

fn spam_tab(report: &analysis::SpamReport) -> Markup {
    html! {
        p.verdict.spam[report.spam] {
            "Score " strong { (format!("{:.1}", report.score)) }
            " of a threshold of " (format!("{:.1}", report.threshold)) ": "
            (if report.spam { "this message looks like spam." } else { "not spam." })
        }
        @if report.details.is_empty() {
            p.empty { "No rule fired." }
        } @else {
            table.rules {
                thead { tr { th { "Points" } th { "Rule" } th { "What it means" } } }
                tbody {
                    @for rule in &report.details {
                        tr { td.num { (rule.pts) } td { code { (rule.rule_name) } } td { (rule.description) } }
                    }
                }
            }
        }
        p.muted { "The emulator scores with a small, deterministic rule set in SpamAssassin's spirit; Mailtrap's own report may differ." }
    }
}

fn check_tab(check: &analysis::HtmlAnalysis) -> Markup {
    html! {
        @if check.errors.is_empty() {
            p.empty { "No construct that common email clients lack support for." }
        } @else {
            table.rules {
                thead { tr { th { "Line" } th { "Construct" } th { "Desktop" } th { "Mobile" } th { "Web" } } }
                tbody {
                    @for issue in &check.errors {
                        tr {
                            td.num { (issue.error_line) }
                            td { code { (issue.rule_name) } }
                            td { (issue.email_clients.desktop.join(", ")) }
                            td { (issue.email_clients.mobile.join(", ")) }
                            td { (issue.email_clients.web.join(", ")) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET .../eml`: the message as a file.
pub(super) async fn eml(
    State(app): State<AppState>,
    Path((sandbox_id, message_id)): Path<(u64, u64)>,
) -> Response {
    let Ok(message) = data::message(&app, sandbox_id, message_id) else {
        return no_such_message();
    };
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("message/rfc822")),
            (
                CONTENT_DISPOSITION,
                bodies::eml_disposition(&message.row.subject),
            ),
        ],
        message.raw,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct AttachmentParams {
    #[serde(default)]
    inline: Option<String>,
}

/// `GET .../attachments/{index}`: a download, or (`?inline=1`) a thumbnail of an image.
/// Either way the content is never run: it is sandboxed and its type is not sniffed.
pub(super) async fn attachment(
    State(app): State<AppState>,
    Path((sandbox_id, message_id, index)): Path<(u64, u64, usize)>,
    Query(params): Query<AttachmentParams>,
) -> Response {
    let Ok(message) = data::message(&app, sandbox_id, message_id) else {
        return no_such_message();
    };
    let parsed = mail::parse(&message.raw);
    let Some(attachment) = parsed.attachments.into_iter().nth(index) else {
        return layout::error_page(
            StatusCode::NOT_FOUND,
            "No such attachment",
            "The message has fewer attachments.",
        );
    };
    attachment_response(attachment, params.inline.as_deref() == Some("1"))
}

fn attachment_response(attachment: ParsedAttachment, inline: bool) -> Response {
    let shown_inline = inline && is_thumbnail_type(&attachment.content_type);
    let content_type = HeaderValue::try_from(attachment.content_type.as_str())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = if shown_inline {
        HeaderValue::from_static("inline")
    } else {
        bodies::disposition(&attachment.filename)
    };
    (
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_DISPOSITION, disposition),
            (
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        attachment.content,
    )
        .into_response()
}
