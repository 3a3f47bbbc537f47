//! The readable text of an HTML body.

use html5gum::Token;

use super::links::tokens;

/// Elements whose content is not shown.
const HIDDEN: &[&[u8]] = &[
    b"head",
    b"script",
    b"style",
    b"template",
    b"title",
    b"noscript",
];

/// Elements that start a new line.
const BLOCKS: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"br",
    b"center",
    b"dd",
    b"div",
    b"dl",
    b"dt",
    b"footer",
    b"form",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"header",
    b"hr",
    b"li",
    b"main",
    b"nav",
    b"ol",
    b"p",
    b"pre",
    b"section",
    b"table",
    b"tbody",
    b"td",
    b"tfoot",
    b"th",
    b"thead",
    b"tr",
    b"ul",
];

/// The text a reader sees in `html`: character references decoded, the content of `<head>`,
/// `<script>`, `<style>`, `<title>` and `<template>` left out, one line per block element
/// (paragraphs, table cells, list items, `<br>`...), whitespace collapsed within lines, empty
/// lines dropped.
///
/// ```
/// use mailtrap_sandbox_extract::html_to_text;
///
/// let html = "<html><head><style>p{color:red}</style></head><body>\
///             <p>Your code is</p><div><b>481&nbsp;207</b></div>Thanks,<br>The team</body></html>";
/// assert_eq!(html_to_text(html), "Your code is\n481 207\nThanks,\nThe team");
/// ```
#[must_use]
pub fn html_to_text(html: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut hidden_depth: usize = 0;
    for token in tokens(html) {
        match token {
            Token::StartTag(tag) => {
                let name = tag.name.as_slice();
                if HIDDEN.contains(&name) && !tag.self_closing {
                    hidden_depth += 1;
                } else if BLOCKS.contains(&name) {
                    end_line(&mut line, &mut lines);
                }
            }
            Token::EndTag(tag) => {
                let name = tag.name.as_slice();
                if HIDDEN.contains(&name) {
                    hidden_depth = hidden_depth.saturating_sub(1);
                } else if BLOCKS.contains(&name) {
                    end_line(&mut line, &mut lines);
                }
            }
            Token::String(text) if hidden_depth == 0 => {
                line.push_str(&String::from_utf8_lossy(&text.value));
            }
            _ => {}
        }
    }
    end_line(&mut line, &mut lines);
    lines.join("\n")
}

fn end_line(line: &mut String, lines: &mut Vec<String>) {
    // `split_whitespace` also splits on no-break spaces, which `&nbsp;` decodes to.
    let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if !collapsed.is_empty() {
        lines.push(collapsed);
    }
    line.clear();
}
