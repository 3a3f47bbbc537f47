//! The HTML analysis: markup and CSS that common email clients do not support.
//! The rule table is documented on [`crate::analysis::html_analysis`].

use std::collections::BTreeSet;

use super::markup::{LineIndex, Node, nodes};
use super::{EmailClients, HtmlAnalysis, HtmlIssue, css};

// Client names used in the reports.
const OUTLOOK_WINDOWS: &str = "Outlook 2016-2021 (Windows)";
const OUTLOOK_MAC: &str = "Outlook (macOS)";
const APPLE_MAIL: &str = "Apple Mail (macOS)";
const THUNDERBIRD: &str = "Thunderbird";
const GMAIL_ANDROID: &str = "Gmail (Android)";
const GMAIL_IOS: &str = "Gmail (iOS)";
const OUTLOOK_ANDROID: &str = "Outlook (Android)";
const OUTLOOK_IOS: &str = "Outlook (iOS)";
const APPLE_MAIL_IOS: &str = "Apple Mail (iOS)";
const SAMSUNG_EMAIL: &str = "Samsung Email (Android)";
const GMAIL_WEB: &str = "Gmail (web)";
const OUTLOOK_COM: &str = "Outlook.com";
const YAHOO_WEB: &str = "Yahoo Mail (web)";
const AOL_WEB: &str = "AOL Mail (web)";

const ALL_DESKTOP: &[&str] = &[OUTLOOK_WINDOWS, OUTLOOK_MAC, APPLE_MAIL, THUNDERBIRD];
const ALL_MOBILE: &[&str] = &[
    GMAIL_ANDROID,
    GMAIL_IOS,
    OUTLOOK_ANDROID,
    OUTLOOK_IOS,
    APPLE_MAIL_IOS,
    SAMSUNG_EMAIL,
];
const ALL_WEB: &[&str] = &[GMAIL_WEB, OUTLOOK_COM, YAHOO_WEB, AOL_WEB];
const GMAIL_OUTLOOK_MOBILE: &[&str] = &[GMAIL_ANDROID, GMAIL_IOS, OUTLOOK_ANDROID, OUTLOOK_IOS];
const MAJOR_WEB: &[&str] = &[GMAIL_WEB, OUTLOOK_COM, YAHOO_WEB];

/// A rule of the HTML analysis and the clients that do not support what it flags.
#[derive(Debug)]
pub(crate) struct SupportRule {
    /// Rule name in the report.
    pub(crate) name: &'static str,
    /// Desktop clients without support.
    pub(crate) desktop: &'static [&'static str],
    /// Mobile clients without support.
    pub(crate) mobile: &'static [&'static str],
    /// Web clients without support.
    pub(crate) web: &'static [&'static str],
}

/// Every rule; kept in the order of the table in the documentation.
pub(crate) const RULES: &[SupportRule] = &[
    SupportRule {
        name: "html-script",
        desktop: ALL_DESKTOP,
        mobile: ALL_MOBILE,
        web: ALL_WEB,
    },
    SupportRule {
        name: "html-iframe",
        desktop: &[OUTLOOK_WINDOWS, OUTLOOK_MAC, THUNDERBIRD],
        mobile: ALL_MOBILE,
        web: ALL_WEB,
    },
    SupportRule {
        name: "html-object",
        desktop: ALL_DESKTOP,
        mobile: ALL_MOBILE,
        web: ALL_WEB,
    },
    SupportRule {
        name: "html-form",
        desktop: &[OUTLOOK_WINDOWS],
        mobile: GMAIL_OUTLOOK_MOBILE,
        web: MAJOR_WEB,
    },
    SupportRule {
        name: "html-video",
        desktop: &[OUTLOOK_WINDOWS, THUNDERBIRD],
        mobile: &[
            GMAIL_ANDROID,
            GMAIL_IOS,
            OUTLOOK_ANDROID,
            OUTLOOK_IOS,
            SAMSUNG_EMAIL,
        ],
        web: ALL_WEB,
    },
    SupportRule {
        name: "html-audio",
        desktop: &[OUTLOOK_WINDOWS, THUNDERBIRD],
        mobile: &[
            GMAIL_ANDROID,
            GMAIL_IOS,
            OUTLOOK_ANDROID,
            OUTLOOK_IOS,
            SAMSUNG_EMAIL,
        ],
        web: ALL_WEB,
    },
    SupportRule {
        name: "html-svg",
        desktop: &[OUTLOOK_WINDOWS],
        mobile: &[GMAIL_ANDROID, GMAIL_IOS, OUTLOOK_ANDROID],
        web: MAJOR_WEB,
    },
    SupportRule {
        name: "html-link-stylesheet",
        desktop: &[OUTLOOK_WINDOWS],
        mobile: GMAIL_OUTLOOK_MOBILE,
        web: ALL_WEB,
    },
    SupportRule {
        name: "css-style-element",
        desktop: &[],
        mobile: &[GMAIL_ANDROID],
        web: &[AOL_WEB],
    },
    SupportRule {
        name: "css-import",
        desktop: &[OUTLOOK_WINDOWS, OUTLOOK_MAC],
        mobile: GMAIL_OUTLOOK_MOBILE,
        web: ALL_WEB,
    },
    SupportRule {
        name: "css-font-face",
        desktop: &[OUTLOOK_WINDOWS],
        mobile: GMAIL_OUTLOOK_MOBILE,
        web: ALL_WEB,
    },
    SupportRule {
        name: "css-position",
        desktop: &[OUTLOOK_WINDOWS],
        mobile: GMAIL_OUTLOOK_MOBILE,
        web: MAJOR_WEB,
    },
    SupportRule {
        name: "css-display-flex",
        desktop: &[OUTLOOK_WINDOWS],
        mobile: &[OUTLOOK_ANDROID],
        web: &[OUTLOOK_COM, YAHOO_WEB],
    },
    SupportRule {
        name: "css-display-grid",
        desktop: &[OUTLOOK_WINDOWS],
        mobile: GMAIL_OUTLOOK_MOBILE,
        web: MAJOR_WEB,
    },
    SupportRule {
        name: "css-background-image",
        desktop: &[OUTLOOK_WINDOWS],
        mobile: &[OUTLOOK_ANDROID],
        web: &[],
    },
];

/// Analyses an HTML body.
pub(crate) fn analyse(html: Option<&str>) -> HtmlAnalysis {
    let mut found: BTreeSet<(u32, usize)> = BTreeSet::new();
    if let Some(html) = html.filter(|html| !html.trim().is_empty()) {
        let lines = LineIndex::new(html);
        for (rule, offset) in findings(html) {
            if let Some(index) = RULES.iter().position(|known| known.name == rule) {
                found.insert((lines.line(offset), index));
            }
        }
    }
    HtmlAnalysis {
        status: "success".to_owned(),
        errors: found
            .into_iter()
            .filter_map(|(line, index)| {
                let rule = RULES.get(index)?;
                Some(HtmlIssue {
                    error_line: line,
                    rule_name: rule.name.to_owned(),
                    email_clients: EmailClients {
                        desktop: rule.desktop.iter().map(|c| (*c).to_owned()).collect(),
                        mobile: rule.mobile.iter().map(|c| (*c).to_owned()).collect(),
                        web: rule.web.iter().map(|c| (*c).to_owned()).collect(),
                    },
                })
            })
            .collect(),
    }
}

/// (rule name, byte offset) of everything flagged in `html`.
fn findings(html: &str) -> Vec<(&'static str, usize)> {
    let mut found = Vec::new();
    let mut in_style = false;
    for node in nodes(html) {
        match &node {
            Node::Start {
                name,
                attrs,
                offset,
            } => {
                let offset = *offset;
                match name.as_str() {
                    "script" => found.push(("html-script", offset)),
                    "iframe" => found.push(("html-iframe", offset)),
                    "object" | "embed" | "applet" => found.push(("html-object", offset)),
                    "form" | "input" | "select" | "textarea" => found.push(("html-form", offset)),
                    "video" => found.push(("html-video", offset)),
                    "audio" => found.push(("html-audio", offset)),
                    "svg" => found.push(("html-svg", offset)),
                    "style" => {
                        found.push(("css-style-element", offset));
                        in_style = true;
                    }
                    "link"
                        if node.attr("rel").is_some_and(|rel| {
                            rel.value
                                .split_ascii_whitespace()
                                .any(|word| word.eq_ignore_ascii_case("stylesheet"))
                        }) =>
                    {
                        found.push(("html-link-stylesheet", offset));
                    }
                    _ => {}
                }
                if let Some(background) = node.attr("background")
                    && !background.value.trim().is_empty()
                {
                    found.push(("css-background-image", background.offset));
                }
                for attr in attrs.iter().filter(|attr| attr.name == "style") {
                    css_findings(&attr.value, attr.offset, &mut found);
                }
            }
            Node::End { name } if name == "style" => in_style = false,
            Node::Text { text, offset } if in_style => css_findings(text, *offset, &mut found),
            Node::End { .. } | Node::Text { .. } => {}
        }
    }
    found
}

/// Flags CSS in a stylesheet or a `style` attribute starting at `base` in the HTML. For an
/// attribute, `base` is the attribute's offset (entities may have shifted positions inside it).
fn css_findings(text: &str, base: usize, found: &mut Vec<(&'static str, usize)>) {
    let read = css::read(text);
    for (rule, offset) in &read.at_rules {
        match rule.as_str() {
            "@import" => found.push(("css-import", base + offset)),
            "@font-face" => found.push(("css-font-face", base + offset)),
            _ => {}
        }
    }
    for declaration in &read.declarations {
        let at = base + declaration.offset;
        let value = declaration.value.trim_end_matches("!important").trim();
        match declaration.property.as_str() {
            "position" if matches!(value, "absolute" | "fixed" | "relative" | "sticky") => {
                found.push(("css-position", at));
            }
            "display" if matches!(value, "flex" | "inline-flex") => {
                found.push(("css-display-flex", at));
            }
            "display" if matches!(value, "grid" | "inline-grid") => {
                found.push(("css-display-grid", at));
            }
            "background-image" if value.contains("url(") => {
                found.push(("css-background-image", at));
            }
            "background" if value.contains("url(") => found.push(("css-background-image", at)),
            _ => {}
        }
    }
}
