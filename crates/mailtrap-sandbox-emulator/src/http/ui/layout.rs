//! The page skeleton (head, top bar, side list of projects and sandboxes) and the pages that
//! stand alone: sign-in and errors.

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::assets;
use super::data::ProjectItem;

/// `key=value&...`, form-encoded.
pub(super) fn query(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        serializer.append_pair(key, value);
    }
    serializer.finish()
}

/// `path`, or `path?query` when some of `pairs` have a value.
pub(super) fn url(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let present: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(key, value)| value.map(|v| (*key, v)))
        .collect();
    if present.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query(&present))
    }
}

/// A whole HTML document.
pub(super) fn document(title: &str, body_class: &str, body: &Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) }
                link rel="icon" href=(assets::ICON.path()) type="image/svg+xml";
                link rel="stylesheet" href=(assets::CSS.path());
                script src=(assets::JS.path()) defer {}
            }
            body class=(body_class) { (body) }
        }
    }
}

/// An HTML answer.
pub(super) fn respond(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// The top bar of a signed-in page.
pub(super) fn top_bar(csrf: &str) -> Markup {
    html! {
        header.top {
            a.brand href="/" { (brand_mark()) span { "Mailtrap Sandbox" } small { "emulator" } }
            span.live #live role="status" title="New mail appears without a reload" hidden {}
            button.link.theme-toggle type="button" aria-keyshortcuts="t"
                title="Colour theme: the system's, light or dark" { "Theme: auto" }
            button.link.help-toggle type="button" data-action="help" aria-keyshortcuts="?" {
                "Shortcuts"
            }
            form.logout method="post" action="/ui/logout" {
                input type="hidden" name="csrf" value=(csrf);
                button.link type="submit" { "Sign out" }
            }
        }
    }
}

fn brand_mark() -> Markup {
    html! {
        svg.mark viewBox="0 0 24 24" aria-hidden="true" {
            path d="M3 6.5 12 13l9-6.5M4 5h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1Z" {}
        }
    }
}

/// A paper clip: the message has attachments.
pub(super) fn clip_icon() -> Markup {
    html! {
        svg.icon viewBox="0 0 24 24" aria-hidden="true" {
            path d="M20 11.5 12 19.5a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7L9.7 17.2a1.7 1.7 0 0 1-2.4-2.4L15 7.1" {}
        }
    }
}

/// The side list: projects and their sandboxes with unread counts.
pub(super) fn sidebar(projects: &[ProjectItem], selected: Option<u64>) -> Markup {
    html! {
        nav.sidebar #sidebar aria-label="Sandboxes" {
            @for project in projects {
                section.project {
                    h2 { (project.name) }
                    ul {
                        @for sandbox in &project.sandboxes {
                            li {
                                a.sandbox href={ "/ui/sandboxes/" (sandbox.id) }
                                    data-sandbox=(sandbox.id)
                                    aria-current=[(selected == Some(sandbox.id)).then_some("page")] {
                                    span.name { (sandbox.name) }
                                    span.badge data-unread=(sandbox.unread)
                                        title="unread messages"
                                        hidden[sandbox.unread == 0] { (sandbox.unread) }
                                }
                            }
                        }
                    }
                }
            }
            @if projects.is_empty() {
                p.muted { "No project yet." }
            }
        }
    }
}

/// The keyboard shortcuts, shown by `?`.
pub(super) fn shortcuts() -> Markup {
    html! {
        dialog #help aria-label="Keyboard shortcuts" {
            h2 { "Keyboard shortcuts" }
            dl.keys {
                dt { kbd { "j" } " / " kbd { "↓" } } dd { "next message" }
                dt { kbd { "k" } " / " kbd { "↑" } } dd { "previous message" }
                dt { kbd { "/" } } dd { "search" }
                dt { kbd { "1" } "–" kbd { "9" } } dd { "message tabs (HTML, text, links, ...)" }
                dt { kbd { "u" } } dd { "mark unread" }
                dt { kbd { "#" } " / " kbd { "Delete" } } dd { "delete the message" }
                dt { kbd { "Esc" } } dd { "back to the list" }
                dt { kbd { "t" } } dd { "colour theme: auto, light, dark" }
                dt { kbd { "?" } } dd { "this help" }
            }
            form method="dialog" { button type="submit" { "Close" } }
        }
    }
}

/// A page with only a message: errors, and answers to refused requests.
pub(super) fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = html! {
        main.card {
            h1 { (title) }
            p { (detail) }
            p { a href="/" { "Back to the inbox" } }
        }
    };
    respond(status, document(title, "standalone", &body))
}

/// The sign-in page.
pub(super) fn login_page(status: StatusCode, next: &str, error: Option<&str>) -> Response {
    let body = html! {
        main.card {
            h1 { (brand_mark()) " Mailtrap Sandbox emulator" }
            p { "Sign in with one of the emulator's API tokens: the one " code { "serve" }
                " printed, or " code { "MAILTRAP_EMULATOR_TOKEN" } "." }
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            form method="post" action="/ui/login" {
                input type="hidden" name="next" value=(next);
                label for="token" { "API token" }
                input #token type="password" name="token" required autocomplete="current-password"
                    autofocus spellcheck="false";
                button type="submit" { "Sign in" }
            }
            p.muted { "The token is kept in a cookie that scripts cannot read, for 30 days." }
        }
    };
    respond(
        status,
        document("Sign in · Mailtrap Sandbox", "standalone", &body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_only_the_values_given_encoded() {
        assert_eq!(url("/a", &[("q", None)]), "/a");
        assert_eq!(
            url("/a", &[("q", Some("x y&z")), ("before", Some("7"))]),
            "/a?q=x+y%26z&before=7"
        );
    }

    #[test]
    fn mail_text_in_a_page_is_escaped() {
        let projects = [ProjectItem {
            name: "<script>alert(1)</script>".to_owned(),
            sandboxes: Vec::new(),
        }];
        let page = sidebar(&projects, None).into_string();
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}"
        );
        assert!(!page.contains("<script>"));
    }
}
