//! The spam report: a small, deterministic rule set in SpamAssassin's spirit.
//! The rule table is documented on [`crate::analysis::spam_report`].

use url::{Host, Url};

use super::markup::{Node, nodes};
use super::{SpamReport, SpamRule};
use crate::mail::ParsedMail;

/// Score at and above which a message is called spam.
pub(crate) const THRESHOLD_TENTHS: u32 = 50;

/// Visible HTML text shorter than this (in letters and digits) next to an image makes the
/// message "image only".
const IMAGE_ONLY_MAX_TEXT: usize = 100;
/// Subjects with at least this many `!` are flagged.
const EXCLAMATIONS_FLAGGED: usize = 3;
/// All-caps subjects need at least this many letters to be flagged.
const ALL_CAPS_MIN_LETTERS: usize = 5;

/// Hosts of well-known URL shorteners.
pub(crate) const URL_SHORTENERS: &[&str] = &[
    "bit.ly",
    "bitly.com",
    "tinyurl.com",
    "goo.gl",
    "t.co",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "tiny.cc",
    "shorturl.at",
    "rb.gy",
    "t.ly",
];

/// A rule: name, points in tenths, description.
#[derive(Debug)]
pub(crate) struct Rule {
    /// Rule name in the report.
    pub(crate) name: &'static str,
    /// Points, in tenths of a point.
    pub(crate) tenths: u32,
    /// What the rule means.
    pub(crate) description: &'static str,
}

/// Every rule, in report order.
pub(crate) const RULES: &[Rule] = &[
    Rule {
        name: "MISSING_MID",
        tenths: 1,
        description: "The message has no Message-ID header",
    },
    Rule {
        name: "MISSING_DATE",
        tenths: 14,
        description: "The message has no Date header",
    },
    Rule {
        name: "MISSING_FROM",
        tenths: 10,
        description: "The message has no From address",
    },
    Rule {
        name: "MISSING_HEADERS",
        tenths: 10,
        description: "The message has no To header",
    },
    Rule {
        name: "MISSING_SUBJECT",
        tenths: 18,
        description: "The message has no subject, or an empty one",
    },
    Rule {
        name: "SUBJ_ALL_CAPS",
        tenths: 5,
        description: "The subject is written in capital letters only",
    },
    Rule {
        name: "SUBJ_EXCESS_EXCLAMATION",
        tenths: 8,
        description: "The subject contains three or more exclamation marks",
    },
    Rule {
        name: "EMPTY_MESSAGE",
        tenths: 23,
        description: "The message has no text, no HTML and no attachment",
    },
    Rule {
        name: "HTML_MESSAGE",
        tenths: 0,
        description: "The message contains HTML",
    },
    Rule {
        name: "MIME_HTML_ONLY",
        tenths: 7,
        description: "The message has an HTML body but no plain-text alternative",
    },
    Rule {
        name: "HTML_IMAGE_ONLY",
        tenths: 12,
        description: "The HTML shows images but almost no text",
    },
    Rule {
        name: "HTML_LINK_MISMATCH",
        tenths: 15,
        description: "A link's text shows a different domain than the one it points to",
    },
    Rule {
        name: "NUMERIC_HTTP_ADDR",
        tenths: 12,
        description: "A link points to a numeric IP address instead of a host name",
    },
    Rule {
        name: "URI_SHORTENER",
        tenths: 10,
        description: "A link goes through a URL shortener",
    },
];

/// What the HTML body shows.
#[derive(Debug, Default)]
struct HtmlFacts {
    images: usize,
    visible_chars: usize,
    /// (href, link text).
    links: Vec<(String, String)>,
}

fn html_facts(html: &str) -> HtmlFacts {
    let mut facts = HtmlFacts::default();
    // Depth inside elements whose text is not shown.
    let mut hidden = 0usize;
    let mut open_link: Option<(String, String)> = None;
    for node in nodes(html) {
        match node {
            Node::Start {
                ref name,
                ref attrs,
                ..
            } => match name.as_str() {
                "img" => facts.images += 1,
                "script" | "style" | "title" | "head" => hidden += 1,
                "a" => {
                    if let Some((href, text)) = open_link.take() {
                        facts.links.push((href, text));
                    }
                    if let Some(href) = attrs.iter().find(|a| a.name == "href") {
                        open_link = Some((href.value.trim().to_owned(), String::new()));
                    }
                }
                _ => {}
            },
            Node::End { ref name } => match name.as_str() {
                "script" | "style" | "title" | "head" => hidden = hidden.saturating_sub(1),
                "a" => {
                    if let Some(link) = open_link.take() {
                        facts.links.push(link);
                    }
                }
                _ => {}
            },
            Node::Text { ref text, .. } => {
                if hidden == 0 {
                    facts.visible_chars += text.chars().filter(|c| c.is_alphanumeric()).count();
                    if let Some((_, link_text)) = open_link.as_mut() {
                        link_text.push_str(text);
                    }
                }
            }
        }
    }
    if let Some(link) = open_link {
        facts.links.push(link);
    }
    facts
}

/// `http(s)://` URLs written in plain text.
fn text_urls(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '(' | ')'))
        .filter(|word| {
            let lower = word.get(..8).unwrap_or(word).to_ascii_lowercase();
            lower.starts_with("http://") || lower.starts_with("https://")
        })
        .map(|word| word.trim_end_matches(['.', ',', ';', ':', '!', '?', ']']))
}

fn web_url(href: &str) -> Option<Url> {
    Url::parse(href)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
}

fn is_numeric(url: &Url) -> bool {
    matches!(url.host(), Some(Host::Ipv4(_) | Host::Ipv6(_)))
}

fn is_shortener(url: &Url) -> bool {
    url.host_str().is_some_and(|host| {
        let host = host.strip_prefix("www.").unwrap_or(host);
        URL_SHORTENERS.contains(&host)
    })
}

/// The domain a link's text displays, when the text looks like a URL or a bare domain.
fn displayed_domain(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.contains(char::is_whitespace) || !text.contains('.') {
        return None;
    }
    let candidate = if text.contains("://") {
        text.to_owned()
    } else {
        format!("http://{text}")
    };
    let url = web_url(&candidate)?;
    let host = url.host_str()?.to_ascii_lowercase();
    // A domain has a letter-only top-level label of two letters or more.
    let tld = host.rsplit('.').next()?;
    (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())).then_some(host)
}

fn base_domain(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

/// Whether two hosts belong together: equal, or one a subdomain of the other.
fn same_site(a: &str, b: &str) -> bool {
    let (a, b) = (base_domain(a), base_domain(b));
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

fn is_link_mismatch(href: &str, text: &str) -> bool {
    let Some(shown) = displayed_domain(text) else {
        return false;
    };
    let Some(target) = web_url(href).and_then(|url| url.host_str().map(str::to_ascii_lowercase))
    else {
        return false;
    };
    !same_site(&shown, &target)
}

/// Names of the rules that fire for `mail`, in table order.
pub(crate) fn fired_rules(mail: &ParsedMail) -> Vec<&'static str> {
    let header = |name: &str| {
        mail.headers
            .iter()
            .any(|(written, _)| written.eq_ignore_ascii_case(name))
    };
    let html = mail.html.as_deref().filter(|html| !html.trim().is_empty());
    let text = mail.text.as_deref().filter(|text| !text.trim().is_empty());
    let facts = html.map(html_facts).unwrap_or_default();
    let urls: Vec<Url> = facts
        .links
        .iter()
        .map(|(href, _)| href.as_str())
        .chain(text.map(text_urls).into_iter().flatten())
        .filter_map(web_url)
        .collect();
    let subject = mail.subject.trim();
    let letters: Vec<char> = subject.chars().filter(|c| c.is_alphabetic()).collect();

    let mut fired = Vec::new();
    let mut check = |name: &'static str, condition: bool| {
        if condition {
            fired.push(name);
        }
    };
    check(
        "MISSING_MID",
        mail.message_id.is_none() && !header("Message-ID"),
    );
    check("MISSING_DATE", mail.date.is_none() && !header("Date"));
    check("MISSING_FROM", mail.from.is_none());
    check("MISSING_HEADERS", !header("To"));
    check("MISSING_SUBJECT", subject.is_empty());
    check(
        "SUBJ_ALL_CAPS",
        letters.len() >= ALL_CAPS_MIN_LETTERS
            && letters.iter().all(|c| !c.is_lowercase())
            && letters.iter().any(|c| c.is_uppercase()),
    );
    check(
        "SUBJ_EXCESS_EXCLAMATION",
        subject.matches('!').count() >= EXCLAMATIONS_FLAGGED,
    );
    check(
        "EMPTY_MESSAGE",
        html.is_none() && text.is_none() && mail.attachments.is_empty(),
    );
    check("HTML_MESSAGE", html.is_some());
    check("MIME_HTML_ONLY", html.is_some() && text.is_none());
    check(
        "HTML_IMAGE_ONLY",
        facts.images > 0 && facts.visible_chars < IMAGE_ONLY_MAX_TEXT,
    );
    check(
        "HTML_LINK_MISMATCH",
        facts
            .links
            .iter()
            .any(|(href, text)| is_link_mismatch(href, text)),
    );
    check("NUMERIC_HTTP_ADDR", urls.iter().any(is_numeric));
    check("URI_SHORTENER", urls.iter().any(is_shortener));
    fired
}

/// Scores `mail`.
pub(crate) fn report(mail: &ParsedMail) -> SpamReport {
    let fired = fired_rules(mail);
    let details: Vec<&Rule> = RULES
        .iter()
        .filter(|rule| fired.contains(&rule.name))
        .collect();
    let tenths: u32 = details.iter().map(|rule| rule.tenths).sum();
    SpamReport {
        response_code: 0,
        response_message: "EX_OK".to_owned(),
        response_version: "1.1".to_owned(),
        score: f64::from(tenths) / 10.0,
        spam: tenths >= THRESHOLD_TENTHS,
        threshold: f64::from(THRESHOLD_TENTHS) / 10.0,
        details: details
            .into_iter()
            .map(|rule| SpamRule {
                pts: format!("{}.{}", rule.tenths / 10, rule.tenths % 10),
                rule_name: rule.name.to_owned(),
                description: rule.description.to_owned(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displayed_domains() {
        assert_eq!(
            displayed_domain("www.Bank.example.com"),
            Some("www.bank.example.com".into())
        );
        assert_eq!(
            displayed_domain("https://pay.example/login"),
            Some("pay.example".into())
        );
        assert_eq!(displayed_domain("Click here"), None);
        assert_eq!(displayed_domain("version 1.2"), None);
        assert_eq!(displayed_domain("1.2"), None);
    }

    #[test]
    fn site_matching() {
        assert!(same_site("www.example.com", "example.com"));
        assert!(same_site("example.com", "click.example.com"));
        assert!(!same_site("example.com", "example.com.evil.test"));
        assert!(!same_site("bank.example", "phish.test"));
    }

    #[test]
    fn urls_in_text() {
        let urls: Vec<&str> =
            text_urls("see https://a.example/x. and (http://1.2.3.4/y), not ftp://b").collect();
        assert_eq!(urls, ["https://a.example/x", "http://1.2.3.4/y"]);
    }

    #[test]
    fn every_rule_is_named_once() {
        for rule in RULES {
            assert_eq!(RULES.iter().filter(|r| r.name == rule.name).count(), 1);
        }
    }
}
