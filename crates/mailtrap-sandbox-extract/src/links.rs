//! Links in HTML (`<a href>`, `<area href>`) and in plain text (`http(s)://` URLs).

use std::collections::HashSet;

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// A link of an HTML body: where it points and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Anchor {
    /// The `href` attribute, HTML entities decoded and surrounding whitespace removed, as written
    /// otherwise (relative links stay relative).
    pub href: String,
    /// The visible text of the link with whitespace collapsed; for an image link, the image's
    /// `alt` text; for `<area>`, its `alt` attribute. Empty when the link has no text.
    pub text: String,
}

/// Every link of an email: those of its HTML body (`<a href>`, `<area href>`), then the URLs
/// of its text body, without duplicates (the first occurrence is kept).
///
/// ```
/// use mailtrap_sandbox_extract::links_in_body;
///
/// let html = r#"<a href="https://app.example.test/confirm?t=1">Confirm</a>"#;
/// let text = "Confirm: https://app.example.test/confirm?t=1\nHelp: https://help.example.test";
/// assert_eq!(
///     links_in_body(Some(html), Some(text)),
///     ["https://app.example.test/confirm?t=1", "https://help.example.test"]
/// );
/// ```
#[must_use]
pub fn links_in_body(html: Option<&str>, text: Option<&str>) -> Vec<String> {
    let html = html.map(links_in_html).unwrap_or_default();
    let text = text.map(links_in_text).unwrap_or_default();
    dedup(html.into_iter().chain(text))
}

/// The `href` of every `<a>` and `<area>` element of `html`, in document order, without
/// duplicates (the first occurrence is kept).
///
/// Entities are decoded (`&amp;` becomes `&`), ASCII whitespace around the value and tabs or
/// line breaks inside it are removed, as browsers do; empty `href`s are skipped. Every scheme is
/// kept (`mailto:`, `tel:`, relative paths, `#fragment`); filter the result if you only want
/// web links. The HTML is tokenized (with `html5gum`), so links inside comments, `<script>` or
/// `<style>` are not reported.
///
/// ```
/// use mailtrap_sandbox_extract::links_in_html;
///
/// let html = r#"<p><a href="https://app.example.test/reset?u=7&amp;t=a1b2">Reset</a>
///   <a href=" https://app.example.test/help ">Help</a>
///   <a href="https://app.example.test/reset?u=7&amp;t=a1b2">again</a></p>"#;
/// assert_eq!(
///     links_in_html(html),
///     ["https://app.example.test/reset?u=7&t=a1b2", "https://app.example.test/help"]
/// );
/// ```
#[must_use]
pub fn links_in_html(html: &str) -> Vec<String> {
    dedup(anchors_in_html(html).into_iter().map(|anchor| anchor.href))
}

/// Every `<a href>` and `<area href>` of `html` with its text, in document order (duplicates
/// kept, as each may carry a different text). See [`links_in_html`] for how `href` is read.
///
/// ```
/// use mailtrap_sandbox_extract::anchors_in_html;
///
/// let html = r#"<a href="/confirm?id=1"><b>Confirm</b>   your
///   address</a> <a href="/logo"><img src="logo.png" alt="Example Inc."></a>"#;
/// let anchors = anchors_in_html(html);
/// assert_eq!(anchors[0].text, "Confirm your address");
/// assert_eq!(anchors[1].href, "/logo");
/// assert_eq!(anchors[1].text, "Example Inc.");
/// ```
#[must_use]
pub fn anchors_in_html(html: &str) -> Vec<Anchor> {
    let mut anchors = Vec::new();
    // The anchor being read (its href and text so far), when inside an `<a href>`.
    let mut open: Option<(String, String)> = None;
    for token in tokens(html) {
        match token {
            Token::StartTag(tag) => {
                let name = tag.name.as_slice();
                if name == b"a" {
                    // An `<a>` cannot nest: a new one ends the previous one.
                    close_anchor(&mut open, &mut anchors);
                    open = attribute(&tag.attributes, b"href").map(|href| (href, String::new()));
                } else if name == b"area" {
                    if let Some(href) = attribute(&tag.attributes, b"href") {
                        let text = attribute(&tag.attributes, b"alt").unwrap_or_default();
                        push_anchor(&mut anchors, href, &text);
                    }
                } else if name == b"img"
                    && let (Some((_, text)), Some(alt)) =
                        (open.as_mut(), attribute(&tag.attributes, b"alt"))
                {
                    text.push(' ');
                    text.push_str(&alt);
                }
            }
            Token::EndTag(tag) if tag.name.as_slice() == b"a" => {
                close_anchor(&mut open, &mut anchors);
            }
            Token::String(text) => {
                if let Some((_, anchor_text)) = open.as_mut() {
                    anchor_text.push_str(&String::from_utf8_lossy(&text.value));
                }
            }
            _ => {}
        }
    }
    close_anchor(&mut open, &mut anchors);
    anchors
}

/// The `http://` and `https://` URLs of a plain-text body, in order, without duplicates.
///
/// A URL starts at `http://` or `https://` (any case) not preceded by a letter or digit, and
/// runs to the next whitespace, `<`, `>`, `"` or `` ` ``. Trailing punctuation that usually
/// ends the sentence rather than the URL (`.` `,` `;` `:` `!` `?` `'` `*` `_`) is trimmed, and
/// so is a closing `)`, `]` or `}` without its opening partner inside the URL: `(see
/// https://example.test/a_(b))` gives `https://example.test/a_(b)`. Candidates without a host
/// (`https://` alone) are skipped.
///
/// ```
/// use mailtrap_sandbox_extract::links_in_text;
///
/// let text = "Reset it at https://app.example.test/reset?t=Zx9. Questions? \
///             Write to us (https://help.example.test/contact) or see <https://example.test/faq>.";
/// assert_eq!(
///     links_in_text(text),
///     [
///         "https://app.example.test/reset?t=Zx9",
///         "https://help.example.test/contact",
///         "https://example.test/faq",
///     ]
/// );
/// ```
#[must_use]
pub fn links_in_text(text: &str) -> Vec<String> {
    dedup(
        url_spans(text)
            .into_iter()
            .filter_map(|(start, end)| text.get(start..end))
            .map(str::to_owned),
    )
}

/// Byte ranges of the URLs of `text` (see [`links_in_text`]), duplicates included.
pub(crate) fn url_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let bytes = text.as_bytes();
    let mut position = 0;
    while let Some(found) = find_scheme(text, position) {
        let (start, after_scheme) = found;
        let end = text
            .get(start..)
            .and_then(|rest| {
                rest.char_indices()
                    .find(|&(_, c)| ends_url(c))
                    .map(|(offset, _)| start + offset)
            })
            .unwrap_or(text.len());
        let end = trim_url_end(text, start, end);
        let host_present = end > after_scheme
            && text
                .get(start..end)
                .and_then(|candidate| url::Url::parse(candidate).ok())
                .is_some_and(|url| url.host_str().is_some_and(|host| !host.is_empty()));
        if host_present {
            spans.push((start, end));
        }
        position = end.max(after_scheme);
        if position >= bytes.len() {
            break;
        }
    }
    spans
}

/// The next `http://` or `https://` at or after byte `from` that starts a word: its start and
/// the byte after `://`.
fn find_scheme(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut index = from;
    while index < bytes.len() {
        let rest = bytes.get(index..)?;
        let scheme_len = if starts_with_ignore_case(rest, b"https://") {
            8
        } else if starts_with_ignore_case(rest, b"http://") {
            7
        } else {
            0
        };
        if scheme_len > 0 {
            let starts_word = index == 0
                || text
                    .get(..index)
                    .and_then(|before| before.chars().next_back())
                    .is_none_or(|c| !c.is_alphanumeric());
            if starts_word && text.is_char_boundary(index) {
                return Some((index, index + scheme_len));
            }
        }
        index += 1;
    }
    None
}

fn starts_with_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .get(..needle.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(needle))
}

/// Characters that cannot be part of a URL written in running text.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`')
}

/// Moves `end` back over trailing punctuation and unbalanced closing brackets.
fn trim_url_end(text: &str, start: usize, mut end: usize) -> usize {
    loop {
        let Some(candidate) = text.get(start..end) else {
            return end;
        };
        let Some(last) = candidate.chars().next_back() else {
            return end;
        };
        let trim = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_' => true,
            ')' => unbalanced(candidate, '(', ')'),
            ']' => unbalanced(candidate, '[', ']'),
            '}' => unbalanced(candidate, '{', '}'),
            _ => false,
        };
        if !trim {
            return end;
        }
        end -= last.len_utf8();
    }
}

fn unbalanced(candidate: &str, open: char, close: char) -> bool {
    candidate.matches(close).count() > candidate.matches(open).count()
}

/// The tokens of `html`, with `<script>`, `<style>`, `<textarea>` and `<title>` contents read as
/// text rather than markup.
pub(crate) fn tokens(html: &str) -> impl Iterator<Item = Token> + '_ {
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    Tokenizer::new_with_emitter(html, emitter).filter_map(Result::ok)
}

/// An attribute's value as a string, for a link: whitespace trimmed, tabs and line breaks
/// removed; `None` when absent or empty.
fn attribute(
    attributes: &std::collections::BTreeMap<
        html5gum::HtmlString,
        html5gum::Spanned<html5gum::HtmlString, ()>,
    >,
    name: &[u8],
) -> Option<String> {
    let value = attributes.get(name)?;
    let value = String::from_utf8_lossy(&value.value);
    let cleaned: String = value
        .trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

fn close_anchor(open: &mut Option<(String, String)>, anchors: &mut Vec<Anchor>) {
    if let Some((href, text)) = open.take() {
        push_anchor(anchors, href, &text);
    }
}

fn push_anchor(anchors: &mut Vec<Anchor>, href: String, text: &str) {
    anchors.push(Anchor {
        href,
        text: collapse_whitespace(text),
    });
}

/// `text` with runs of whitespace replaced by one space, trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Keeps the first occurrence of each string, in order.
fn dedup(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(item.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_must_start_a_word() {
        assert!(links_in_text("xhttps://a.example.test").is_empty());
        assert_eq!(
            links_in_text("(https://a.example.test)"),
            ["https://a.example.test"]
        );
    }

    #[test]
    fn scheme_without_host_is_skipped() {
        assert!(links_in_text("see https:// and http://.").is_empty());
    }

    #[test]
    fn non_ascii_before_scheme_is_safe() {
        assert_eq!(
            links_in_text("é→https://a.example.test/ü"),
            ["https://a.example.test/ü"]
        );
    }
}
