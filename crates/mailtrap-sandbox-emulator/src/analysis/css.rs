//! Just enough CSS reading for the HTML analysis: declarations (`property: value`) and at-rules
//! (`@font-face`, `@import`), each with its byte offset in the stylesheet or `style` attribute.

/// A `property: value` pair, both lower case and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declaration {
    /// Property name.
    pub(crate) property: String,
    /// Value.
    pub(crate) value: String,
    /// Byte offset of the property in the CSS text.
    pub(crate) offset: usize,
}

/// What a piece of CSS contains.
#[derive(Debug, Default)]
pub(crate) struct Css {
    /// Declarations, in order.
    pub(crate) declarations: Vec<Declaration>,
    /// At-rule names (`@font-face`, lower case) with their offsets.
    pub(crate) at_rules: Vec<(String, usize)>,
}

/// Reads a stylesheet or the content of a `style` attribute. Comments are skipped; anything
/// that is not a declaration or an at-rule is ignored.
pub(crate) fn read(css: &str) -> Css {
    let cleaned = blank_comments(css);
    let mut result = Css::default();
    let mut segment_start = 0;
    for (index, byte) in cleaned.bytes().enumerate() {
        if matches!(byte, b'{' | b'}' | b';') {
            let segment = cleaned.get(segment_start..index).unwrap_or_default();
            classify(segment, segment_start, byte == b'{', &mut result);
            segment_start = index + 1;
        }
    }
    let rest = cleaned.get(segment_start..).unwrap_or_default();
    classify(rest, segment_start, false, &mut result);
    result
}

fn classify(segment: &str, segment_start: usize, is_prelude: bool, result: &mut Css) {
    let trimmed = segment.trim_start();
    let offset = segment_start + (segment.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    if trimmed.is_empty() {
        return;
    }
    if let Some(rule) = trimmed.strip_prefix('@') {
        let name: String = rule
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        result
            .at_rules
            .push((format!("@{}", name.to_ascii_lowercase()), offset));
        return;
    }
    if is_prelude {
        return; // a selector
    }
    if let Some((property, value)) = trimmed.split_once(':') {
        let property = property.trim();
        if !property.is_empty()
            && property
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            result.declarations.push(Declaration {
                property: property.to_ascii_lowercase(),
                value: value.trim().to_ascii_lowercase(),
                offset,
            });
        }
    }
}

/// Replaces `/* ... */` comments with spaces, keeping every offset (and line) in place.
fn blank_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start..).unwrap_or_default();
        let end = after.find("*/").map_or(after.len(), |end| end + 2);
        let comment = after.get(..end).unwrap_or_default();
        for c in comment.chars() {
            if c == '\n' {
                out.push('\n');
            } else {
                out.extend(std::iter::repeat_n(' ', c.len_utf8()));
            }
        }
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_with_offsets() {
        let css = "p { color: red; POSITION : absolute }\n.a:hover{display:flex}";
        let read = read(css);
        let props: Vec<(&str, &str, usize)> = read
            .declarations
            .iter()
            .map(|d| (d.property.as_str(), d.value.as_str(), d.offset))
            .collect();
        assert_eq!(
            props,
            [
                ("color", "red", 4),
                ("position", "absolute", 16),
                ("display", "flex", css.find("display").unwrap()),
            ]
        );
        assert!(read.at_rules.is_empty());
    }

    #[test]
    fn at_rules_and_comments() {
        let css = "/* position: fixed; é */@import url(x.css);\n@font-face { font-family: X; src: url(x.woff) }";
        let read = read(css);
        assert_eq!(
            read.at_rules,
            [
                ("@import".to_owned(), css.find("@import").unwrap()),
                ("@font-face".to_owned(), css.find("@font-face").unwrap()),
            ]
        );
        assert!(read.declarations.iter().all(|d| d.property != "position"));
        assert_eq!(blank_comments(css).len(), css.len());
    }
}
