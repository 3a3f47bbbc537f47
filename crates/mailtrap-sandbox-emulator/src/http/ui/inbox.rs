//! A sandbox's page: the side list, its messages newest first (search, paging by cursor), and
//! how to send mail into it; plus the fragments the script fetches (more rows, the side list).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::data::{self, PAGE_SIZE, Row, SandboxInfo};
use super::{Ui, format, layout};
use crate::http::AppState;

/// Where the list is: the search, and the cursor (the page shows messages below `before`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct ListParams {
    #[serde(default)]
    pub(super) q: Option<String>,
    #[serde(default)]
    pub(super) before: Option<u64>,
}

impl ListParams {
    /// The search, when there is one.
    pub(super) fn search(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// `path` with this search and cursor.
    pub(super) fn url(&self, path: &str) -> String {
        let before = self.before.map(|b| b.to_string());
        layout::url(path, &[("q", self.search()), ("before", before.as_deref())])
    }
}

/// A page of the list, with its sandbox.
#[derive(Debug)]
pub(super) struct Listing {
    pub(super) sandbox: SandboxInfo,
    pub(super) params: ListParams,
    pub(super) rows: Vec<Row>,
}

impl Listing {
    /// Reads the sandbox and one page of its messages.
    pub(super) fn load(app: &AppState, sandbox_id: u64, params: ListParams) -> Option<Self> {
        let sandbox = data::sandbox(app, sandbox_id)?;
        let rows = data::rows(app, sandbox_id, params.search(), params.before).ok()?;
        Some(Self {
            sandbox,
            params,
            rows,
        })
    }
}

/// The answer for a sandbox that does not exist (any more).
pub(super) fn no_such_sandbox() -> Response {
    layout::error_page(
        StatusCode::NOT_FOUND,
        "No such sandbox",
        "It may have been deleted. Pick another one from the inbox.",
    )
}

/// The title of a sandbox's pages: its unread count first.
pub(super) fn title(sandbox: &SandboxInfo, what: &str) -> String {
    let unread = if sandbox.unread > 0 {
        format!("({}) ", sandbox.unread)
    } else {
        String::new()
    };
    format!("{unread}{what} · Mailtrap Sandbox")
}

/// A signed-in page of a sandbox: top bar, side list, message list, and `view`.
pub(super) fn shell(
    app: &AppState,
    ui: &Ui,
    listing: &Listing,
    selected: Option<u64>,
    title: &str,
    view: &Markup,
) -> Response {
    let projects = data::projects(app);
    let sandbox = &listing.sandbox;
    let class = if selected.is_some() {
        "app reading"
    } else {
        "app"
    };
    let body = html! {
        (layout::top_bar(&ui.csrf))
        div.panes #app data-sandbox=(sandbox.id) data-message=[selected]
            data-search=[listing.params.search()] data-paged[listing.params.before.is_some()] {
            (layout::sidebar(&projects, Some(sandbox.id)))
            (list_pane(ui, listing, selected))
            main.view #view { (view) }
        }
        (layout::shortcuts())
        div.toast #toast role="status" aria-live="polite" hidden {}
    };
    layout::respond(StatusCode::OK, layout::document(title, class, &body))
}

fn list_pane(ui: &Ui, listing: &Listing, selected: Option<u64>) -> Markup {
    let sandbox = &listing.sandbox;
    let base = format!("/ui/sandboxes/{}", sandbox.id);
    let params = &listing.params;
    html! {
        section.list #list aria-label="Messages" {
            div.list-head {
                div.title {
                    h1 { (sandbox.name) }
                    span.muted { (sandbox.project_name) }
                }
                p.counts #counts {
                    span data-count=(sandbox.count) { (sandbox.count) }
                    (if sandbox.count == 1 { " message · " } else { " messages · " })
                    span data-unread=(sandbox.unread) { (sandbox.unread) } " unread"
                }
                form.search role="search" method="get" action=(base) {
                    input #search type="search" name="q" value=[params.search()]
                        placeholder="Search subject, addresses, text" aria-label="Search messages"
                        aria-keyshortcuts="/";
                    button type="submit" { "Search" }
                    @if params.search().is_some() {
                        a.clear href=(base) { "Clear" }
                    }
                }
                div.list-actions {
                    form method="post" action={ (base) "/read" } {
                        input type="hidden" name="csrf" value=(ui.csrf);
                        button.small type="submit" disabled[sandbox.unread == 0] { "Mark all read" }
                    }
                    form method="post" action={ (base) "/clean" }
                        data-confirm={ "Delete all " (sandbox.count) " messages of “" (sandbox.name) "”?" } {
                        input type="hidden" name="csrf" value=(ui.csrf);
                        button.small.danger type="submit" disabled[sandbox.count == 0] { "Clean sandbox" }
                    }
                }
            }
            @if params.before.is_some() {
                a.newer href=(ListParams { before: None, ..params.clone() }.url(&base)) {
                    "↑ Newest messages"
                }
            }
            ol.rows #rows { (rows(sandbox.id, params, &listing.rows, selected)) }
            @if listing.rows.is_empty() {
                (empty_list(listing))
            }
        }
    }
}

/// The rows of a page, then the link to the next (older) page when this one is full.
fn rows(sandbox_id: u64, params: &ListParams, rows: &[Row], selected: Option<u64>) -> Markup {
    let list_path = format!("/ui/sandboxes/{sandbox_id}");
    html! {
        @for row in rows {
            (row_item(sandbox_id, params, row, selected))
        }
        @if let Some(last) = rows.last().filter(|_| rows.len() >= PAGE_SIZE) {
            @let older = ListParams { before: Some(last.id), ..params.clone() };
            li.more {
                a.older href=(older.url(&list_path))
                    data-rows=(older.url(&format!("{list_path}/rows"))) {
                    "Older messages"
                }
            }
        }
    }
}

fn row_item(sandbox_id: u64, params: &ListParams, row: &Row, selected: Option<u64>) -> Markup {
    let href = params.url(&format!("/ui/sandboxes/{sandbox_id}/messages/{}", row.id));
    let from = if row.from_name.trim().is_empty() {
        row.from_email.as_str()
    } else {
        row.from_name.trim()
    };
    html! {
        li.row.unread[!row.is_read] data-id=(row.id) {
            a href=(href) aria-current=[(selected == Some(row.id)).then_some("true")] {
                span.from title=(row.from_email) { (from) }
                span.when { (format::time(&row.created_at)) }
                span.subject {
                    @if row.subject.trim().is_empty() {
                        span.muted { "(no subject)" }
                    } @else {
                        (row.subject)
                    }
                }
                span.to { "To " (format::person(&row.to_name, &row.to_email)) }
                span.size {
                    @if row.attachments > 0 {
                        span.clip title={ (row.attachments) " attachment(s)" } {
                            (layout::clip_icon())
                            span.visually-hidden { "has attachments, " }
                        }
                    }
                    (format::size(row.size))
                }
                @if !row.is_read {
                    span.visually-hidden { ", unread" }
                }
            }
        }
    }
}

fn empty_list(listing: &Listing) -> Markup {
    html! {
        div.empty {
            @if let Some(search) = listing.params.search() {
                p { "No message matches “" (search) "”." }
            } @else if listing.params.before.is_some() {
                p { "No older messages." }
            } @else {
                p { "No mail yet. New messages appear here as they arrive." }
            }
        }
    }
}

/// How to send mail into the sandbox: SMTP settings and the sending API.
pub(super) fn how_to_send(sandbox: &SandboxInfo) -> Markup {
    let curl = format!(
        "curl -H \"Authorization: Bearer $MAILTRAP_API_TOKEN\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{{\"from\":{{\"email\":\"app@example.com\"}},\"to\":[{{\"email\":\"ana@example.com\"}}],\"subject\":\"Hello\",\"text\":\"Hi Ana\"}}' \\\n  {}/api/send/{}",
        sandbox.base_url, sandbox.id
    );
    html! {
        section.card.how {
            h2 { "Send mail to “" (sandbox.name) "”" }
            p { "Point your application's SMTP settings here (any TLS setting; plain works):" }
            dl.pairs {
                dt { "Host" } dd { code { (sandbox.smtp_host) } }
                dt { "Port" } dd { code { (sandbox.smtp_port) } }
                dt { "Username" } dd { code { (sandbox.username) } }
                dt { "Password" } dd { code { (sandbox.password) } }
                @if let Some(address) = &sandbox.email_address {
                    dt { "Address" } dd { code { (address) } " (no login needed)" }
                }
            }
            p { "Or use the sending API:" }
            pre.code { code { (curl) } }
        }
    }
}

/// `GET /ui/sandboxes/{id}`.
pub(super) async fn page(
    State(app): State<AppState>,
    Extension(ui): Extension<Arc<Ui>>,
    Path(sandbox_id): Path<u64>,
    Query(params): Query<ListParams>,
) -> Response {
    let Some(listing) = Listing::load(&app, sandbox_id, params) else {
        return no_such_sandbox();
    };
    let title = title(&listing.sandbox, &listing.sandbox.name);
    let view = html! {
        div.placeholder {
            @if listing.sandbox.count > 0 {
                p.muted.hint { "Select a message to read it." }
            }
            (how_to_send(&listing.sandbox))
        }
    };
    shell(&app, &ui, &listing, None, &title, &view)
}

/// `GET /ui/sandboxes/{id}/rows`: the rows of one page (for infinite scroll and live updates).
pub(super) async fn rows_fragment(
    State(app): State<AppState>,
    Path(sandbox_id): Path<u64>,
    Query(params): Query<ListParams>,
) -> Response {
    match data::rows(&app, sandbox_id, params.search(), params.before) {
        Ok(found) => layout::respond(StatusCode::OK, rows(sandbox_id, &params, &found, None)),
        Err(_) => no_such_sandbox(),
    }
}

/// `GET /ui/sidebar?selected=ID`: the side list (after projects or sandboxes change).
pub(super) async fn sidebar(
    State(app): State<AppState>,
    Query(params): Query<SidebarParams>,
) -> Response {
    let projects = data::projects(&app);
    layout::respond(StatusCode::OK, layout::sidebar(&projects, params.selected))
}

#[derive(Debug, Deserialize)]
pub(super) struct SidebarParams {
    #[serde(default)]
    selected: Option<u64>,
}
