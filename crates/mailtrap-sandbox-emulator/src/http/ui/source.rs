//! HTML source, highlighted: tags, attribute names, attribute values, comments and doctypes
//! wrapped in `<span>`s, everything escaped. It reproduces the source exactly (only markup is
//! added around it) and never fails, whatever the input: unclosed tags and comments run to
//! the end.

use std::fmt::Write as _;

use maud::{Escaper, Markup, PreEscaped};

/// Elements whose content is text up to their end tag.
const RAW_TEXT: [&str; 4] = ["script", "style", "textarea", "title"];

/// The highlighted source.
pub(super) fn highlight(html: &str) -> Markup {
    let mut out = String::with_capacity(html.len() + html.len() / 2);
    let mut rest = html;
    while !rest.is_empty() {
        let (piece, after) = if rest.starts_with("<!--") {
            let end = rest
                .get(4..)
                .and_then(|r| r.find("-->"))
                .map_or(rest.len(), |at| at + 7);
            let (comment, after) = split(rest, end);
            span(&mut out, "c", comment);
            (None, after)
        } else if starts_tag(rest) {
            let (tag, after) = split(rest, tag_end(rest));
            let name = highlight_tag(&mut out, tag);
            (name, after)
        } else {
            let end = rest
                .get(1..)
                .and_then(|r| r.find('<'))
                .map_or(rest.len(), |at| at + 1);
            let (text, after) = split(rest, end);
            escape(&mut out, text);
            (None, after)
        };
        rest = after;
        // The content of <script>, <style>, ... is text up to the end tag.
        if let Some(name) = piece.filter(|n| RAW_TEXT.contains(&n.as_str())) {
            let end = find_ignoring_case(rest, &format!("</{name}")).unwrap_or(rest.len());
            let (text, after) = split(rest, end);
            escape(&mut out, text);
            rest = after;
        }
    }
    PreEscaped(out)
}

fn split(text: &str, at: usize) -> (&str, &str) {
    text.split_at_checked(at).unwrap_or((text, ""))
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.char_indices().map(|(at, _)| at).find(|&at| {
        haystack
            .get(at..at + needle.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(needle))
    })
}

/// `<a`, `</a`, `<!x` or `<?x`: the start of a tag, a doctype or a processing instruction.
fn starts_tag(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next() == Some('<')
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
}

/// The byte just after the `>` that ends the tag starting `text` (quotes respected), or the
/// end of `text`.
fn tag_end(text: &str) -> usize {
    let mut quote: Option<char> = None;
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return at + 1,
            _ => {}
        }
    }
    text.len()
}

/// Writes one tag; returns its lower-case name when it is a start tag.
fn highlight_tag(out: &mut String, tag: &str) -> Option<String> {
    if tag.starts_with("<!") || tag.starts_with("<?") {
        span(out, "d", tag);
        return None;
    }
    let closing = tag.starts_with("</");
    let open = if closing { 2 } else { 1 };
    let name_end = tag
        .char_indices()
        .skip(open)
        .find(|(_, c)| c.is_whitespace() || matches!(c, '>' | '/'))
        .map_or(tag.len(), |(at, _)| at);
    let (start, mut rest) = split(tag, name_end);
    span(out, "t", start);
    // Attributes: name[=value], whitespace, then `>` or `/>`.
    while !rest.is_empty() {
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            let end = rest
                .char_indices()
                .find(|(_, c)| !c.is_whitespace())
                .map_or(rest.len(), |(at, _)| at);
            let (space, after) = split(rest, end);
            escape(out, space);
            rest = after;
        } else if rest == ">" || rest == "/>" || c == '/' {
            let end = if c == '/' && rest.len() > 1 && !rest.starts_with("/>") {
                1
            } else {
                rest.len()
            };
            let (punct, after) = split(rest, end);
            span(out, "t", punct);
            rest = after;
        } else {
            let end = rest
                .char_indices()
                .find(|(_, c)| c.is_whitespace() || matches!(c, '=' | '>' | '/'))
                .map_or(rest.len(), |(at, _)| at)
                .max(c.len_utf8());
            let (name, after) = split(rest, end);
            span(out, "a", name);
            rest = after;
            if let Some(value) = rest.strip_prefix('=') {
                out.push('=');
                let end = match value.chars().next() {
                    Some(q @ ('"' | '\'')) => value
                        .get(1..)
                        .and_then(|v| v.find(q))
                        .map_or(value.len(), |at| at + 2),
                    _ => value
                        .char_indices()
                        .find(|(_, c)| c.is_whitespace() || *c == '>')
                        .map_or(value.len(), |(at, _)| at),
                };
                let (value, after) = split(value, end);
                span(out, "v", value);
                rest = after;
            }
        }
    }
    (!closing).then(|| start.get(open..).unwrap_or_default().to_ascii_lowercase())
}

fn escape(out: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = Escaper::new(out).write_str(text);
}

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    let _ = write!(out, "<span class=\"{class}\">");
    escape(out, text);
    out.push_str("</span>");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of highlighted markup: spans removed, entities decoded.
    fn text_of(markup: &str) -> String {
        let mut text = String::new();
        let mut rest = markup;
        while let Some(at) = rest.find('<') {
            text.push_str(&rest[..at]);
            let end = rest[at..].find('>').unwrap();
            rest = &rest[at + end + 1..];
        }
        text.push_str(rest);
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    }

    #[test]
    fn the_source_is_reproduced_exactly() {
        for html in [
            "<!DOCTYPE html><html lang=en><head><title>a < b</title></head>",
            "<p class=\"x\" data-y='1 > 2' hidden>Hi & bye</p><br/><img src=a.png />",
            "<script>if (a<b && c>d) { x = \"</p>\" }</script><style>p>a{}</style>",
            "<!-- a comment with <tags> --><a href=\"https://x.example/?a=1&b=2\">x</a>",
            "text < not a tag, <3 and <unclosed attr=\"never closed",
            "<!-- never closed",
            "<é ü=ö>ünïcode</é>",
            "",
            "<",
            "</>",
            "<a b=>",
            "<a =b>",
        ] {
            let highlighted = highlight(html).into_string();
            assert_eq!(text_of(&highlighted), html, "{highlighted}");
        }
    }

    #[test]
    fn parts_are_classed() {
        let highlighted = highlight("<a href=\"x\">y</a><!-- z -->").into_string();
        assert_eq!(
            highlighted,
            "<span class=\"t\">&lt;a</span> <span class=\"a\">href</span>=<span class=\"v\">&quot;x&quot;</span><span class=\"t\">&gt;</span>y<span class=\"t\">&lt;/a</span><span class=\"t\">&gt;</span><span class=\"c\">&lt;!-- z --&gt;</span>"
        );
    }
}
