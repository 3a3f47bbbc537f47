//! HTML tokenized once with `html5gum` into a flat list of nodes carrying byte offsets, plus a
//! line index to turn offsets into 1-based line numbers.

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// An attribute of a start tag.
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    /// Lower-case name.
    pub(crate) name: String,
    /// Value, entities decoded.
    pub(crate) value: String,
    /// Byte offset of the attribute in the HTML.
    pub(crate) offset: usize,
}

/// One token of the HTML.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// `<name ...>`.
    Start {
        /// Lower-case tag name.
        name: String,
        /// Attributes in name order.
        attrs: Vec<Attr>,
        /// Byte offset of the `<`.
        offset: usize,
    },
    /// `</name>`.
    End {
        /// Lower-case tag name.
        name: String,
    },
    /// Character data (raw inside `<style>`/`<script>`).
    Text {
        /// The text.
        text: String,
        /// Byte offset of its first character.
        offset: usize,
    },
}

impl Node {
    /// The value of an attribute of a start tag.
    pub(crate) fn attr(&self, wanted: &str) -> Option<&Attr> {
        match self {
            Node::Start { attrs, .. } => attrs.iter().find(|attr| attr.name == wanted),
            _ => None,
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Tokenizes `html`. Malformed markup is recovered from as browsers do; never fails.
pub(crate) fn nodes(html: &str) -> Vec<Node> {
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    // Treat <style>, <script>, <title>, <textarea> content as text, as a browser would.
    emitter.naively_switch_states(true);
    let mut nodes: Vec<Node> = Vec::new();
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => nodes.push(Node::Start {
                name: lossy(&tag.name).to_ascii_lowercase(),
                attrs: tag
                    .attributes
                    .iter()
                    .map(|(name, value)| Attr {
                        name: lossy(name).to_ascii_lowercase(),
                        value: lossy(&value.value),
                        offset: value.span.start,
                    })
                    .collect(),
                offset: tag.span.start,
            }),
            Token::EndTag(tag) => nodes.push(Node::End {
                name: lossy(&tag.name).to_ascii_lowercase(),
            }),
            Token::String(text) => {
                let value = lossy(&text.value);
                // Merge runs of adjacent text so that CSS is seen whole.
                if let Some(Node::Text {
                    text: previous,
                    offset,
                }) = nodes.last_mut()
                    && *offset + previous.len() == text.span.start
                {
                    previous.push_str(&value);
                } else {
                    nodes.push(Node::Text {
                        text: value,
                        offset: text.span.start,
                    });
                }
            }
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    nodes
}

/// Maps byte offsets to 1-based line numbers.
#[derive(Debug)]
pub(crate) struct LineIndex {
    /// Byte offsets at which each line after the first starts.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line breaks of `text`.
    pub(crate) fn new(text: &str) -> Self {
        Self {
            starts: text
                .bytes()
                .enumerate()
                .filter(|(_, byte)| *byte == b'\n')
                .map(|(index, _)| index + 1)
                .collect(),
        }
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> u32 {
        let line = self.starts.partition_point(|start| *start <= offset) + 1;
        u32::try_from(line).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let index = LineIndex::new("a\nbc\n\nd");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(1), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(5), 3);
        assert_eq!(index.line(6), 4);
    }

    #[test]
    fn tags_text_and_offsets() {
        let html = "<p class=X>hi &amp; bye</p>\n<style>a{b:c}</style>";
        let nodes = nodes(html);
        let Some(Node::Start { name, offset, .. }) = nodes.first() else {
            panic!("{nodes:?}")
        };
        assert_eq!((name.as_str(), *offset), ("p", 0));
        assert_eq!(nodes[0].attr("class").map(|a| a.value.as_str()), Some("X"));
        assert!(
            nodes
                .iter()
                .any(|n| matches!(n, Node::Text { text, .. } if text == "hi & bye"))
        );
        let style_text = nodes.iter().find_map(|n| match n {
            Node::Text { text, offset } if text.contains('{') => Some((text.clone(), *offset)),
            _ => None,
        });
        let (text, offset) = style_text.unwrap();
        assert_eq!(text, "a{b:c}");
        assert_eq!(&html[offset..offset + text.len()], "a{b:c}");
    }
}
