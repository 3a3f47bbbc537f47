//! The "Links" tab: what a test of this message would assert on. Its links (with their text),
//! its one-time code, and the template placeholders left unrendered, found as the
//! `mailtrap-sandbox` client finds them (the same `mailtrap-sandbox-extract` crate).

use std::collections::HashSet;

use mailtrap_sandbox_extract as extract;
use maud::{Markup, html};

use crate::mail::ParsedMail;

/// At most this many links are listed (a newsletter can have thousands).
const SHOWN_LINKS: usize = 500;

/// A link of the message.
#[derive(Debug)]
pub(super) struct Link {
    pub(super) href: String,
    /// The link's text (HTML links only).
    pub(super) text: Option<String>,
    /// `HTML` or `text`: the body it is in (the first, when in both).
    pub(super) body: &'static str,
}

/// What the tab shows.
#[derive(Debug)]
pub(super) struct Found {
    pub(super) links: Vec<Link>,
    /// The code, and the body it was found in.
    code: Option<(String, &'static str)>,
    placeholders: Vec<extract::Placeholder>,
}

impl Found {
    /// Reads a message's links, code and placeholders.
    pub(super) fn of(parsed: &ParsedMail) -> Self {
        let html = parsed.html.as_deref();
        let text = parsed.text.as_deref();
        let mut seen = HashSet::new();
        let mut links = Vec::new();
        for anchor in html.map(extract::anchors_in_html).unwrap_or_default() {
            if seen.insert(anchor.href.clone()) {
                links.push(Link {
                    href: anchor.href,
                    text: Some(anchor.text).filter(|t| !t.is_empty()),
                    body: "HTML",
                });
            }
        }
        for href in text.map(extract::links_in_text).unwrap_or_default() {
            if seen.insert(href.clone()) {
                links.push(Link {
                    href,
                    text: None,
                    body: "text",
                });
            }
        }
        let finder = extract::CodeFinder::new();
        let code = text
            .and_then(|text| finder.find(text))
            .map(|code| (code, "text body"))
            .or_else(|| {
                html.and_then(|html| finder.find(&extract::html_to_text(html)))
                    .map(|code| (code, "HTML body"))
            });
        let placeholders = extract::unrendered_placeholders(Some(&parsed.subject), text, html);
        Self {
            links,
            code,
            placeholders,
        }
    }
}

/// Whether a link may be followed from the page: web addresses only (never `javascript:`,
/// `data:` or a relative path, which would resolve against the inbox).
fn followable(href: &str) -> bool {
    let lower = href.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The tab.
pub(super) fn tab(found: &Found) -> Markup {
    html! {
        section.found {
            h2 { "One-time code" }
            @if let Some((code, body)) = &found.code {
                p { span.code-found #code { (code) } span.muted { " found in the " (body) } }
            } @else {
                p.muted { "No one-time code found (4 to 8 digits, near a word such as “code”)." }
            }
        }
        section.found {
            h2 { "Links " span.muted { (found.links.len()) } }
            @if found.links.is_empty() {
                p.muted { "The message has no links." }
            } @else {
                table.links {
                    thead { tr { th { "Text" } th { "Address" } th { "In" } } }
                    tbody {
                        @for link in found.links.iter().take(SHOWN_LINKS) {
                            tr {
                                td {
                                    @if let Some(text) = &link.text { (text) }
                                    @else { span.muted { "—" } }
                                }
                                td {
                                    @if followable(&link.href) {
                                        a href=(link.href) target="_blank" rel="noopener noreferrer" { (link.href) }
                                    } @else {
                                        code { (link.href) }
                                    }
                                }
                                td.muted { (link.body) }
                            }
                        }
                    }
                }
                @if found.links.len() > SHOWN_LINKS {
                    p.note { "Only the first " (SHOWN_LINKS) " links are listed." }
                }
            }
        }
        section.found {
            h2 { "Unrendered placeholders" }
            @if found.placeholders.is_empty() {
                p.muted { "None: no " code { "{{name}}" } ", " code { "${name}" } ", "
                    code { "%NAME%" } " or similar was left in the subject or bodies." }
            } @else {
                table.rules {
                    thead { tr { th { "Where" } th { "Line" } th { "Placeholder" } } }
                    tbody {
                        @for placeholder in &found.placeholders {
                            tr.warn {
                                td { (placeholder.field) }
                                td.num { (placeholder.line) ":" (placeholder.column) }
                                td { code { (placeholder.raw) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(subject: &str, text: Option<&str>, html: Option<&str>) -> ParsedMail {
        ParsedMail {
            subject: subject.to_owned(),
            text: text.map(str::to_owned),
            html: html.map(str::to_owned),
            ..ParsedMail::default()
        }
    }

    #[test]
    fn links_code_and_placeholders_are_found_once_each() {
        let found = Found::of(&parsed(
            "Welcome {{ name }}",
            Some(
                "Confirm: https://app.example.test/c?t=1\nDocs: https://docs.example.test\nYour code is 482 913.",
            ),
            Some(
                r#"<a href="https://app.example.test/c?t=1">Confirm</a> <a href="javascript:alert(1)">x</a>"#,
            ),
        ));
        let hrefs: Vec<_> = found
            .links
            .iter()
            .map(|l| (l.href.as_str(), l.body))
            .collect();
        assert_eq!(
            hrefs,
            [
                ("https://app.example.test/c?t=1", "HTML"),
                ("javascript:alert(1)", "HTML"),
                ("https://docs.example.test", "text"),
            ]
        );
        assert_eq!(found.code, Some(("482913".to_owned(), "text body")));
        assert_eq!(found.placeholders.len(), 1);
        let page = tab(&found).into_string();
        assert!(page.contains(r#"<a href="https://app.example.test/c?t=1" target="_blank""#));
        assert!(
            page.contains("<code>javascript:alert(1)</code>"),
            "never a live javascript: link: {page}"
        );
    }

    #[test]
    fn the_code_may_come_from_the_html() {
        let found = Found::of(&parsed("", None, Some("<p>Your code: <b>7731</b></p>")));
        assert_eq!(found.code, Some(("7731".to_owned(), "HTML body")));
        assert!(found.links.is_empty());
    }
}
