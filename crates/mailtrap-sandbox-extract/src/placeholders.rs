//! Template placeholders left unrendered in a subject or body.

use std::fmt;

use super::links::url_spans;

/// Longest placeholder reported, in bytes: longer "matches" are prose, not a placeholder.
const MAX_PLACEHOLDER_LEN: usize = 200;

/// The part of a message a placeholder was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// The subject line.
    Subject,
    /// The plain-text body.
    Text,
    /// The HTML body (its source, attributes included).
    Html,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Subject => "subject",
            Self::Text => "text body",
            Self::Html => "HTML body",
        })
    }
}

/// The template syntax a placeholder is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlaceholderStyle {
    /// `{{name}}`, `{{ user.name }}`, `{{{raw}}}` (Mustache, Handlebars, Liquid, Jinja, Django),
    /// also percent-encoded inside a URL (`%7B%7Btoken%7D%7D`).
    DoubleBraces,
    /// `{% if ... %}`, `{# ... #}` (Jinja, Liquid, Django tags and comments).
    TemplateTag,
    /// `${name}` (JavaScript template literals, Java EL, FreeMarker, shell), also
    /// percent-encoded inside a URL (`%24%7Bname%7D`).
    DollarBraces,
    /// `#{name}` (Ruby interpolation in a single-quoted string).
    HashBraces,
    /// `<%= name %>` (ERB, EJS, ASP).
    AngleTag,
    /// `*|FNAME|*` (Mailchimp merge tags).
    MergeTag,
    /// `%name%`, `%FIRST_NAME%` (many mailing tools); not reported inside URLs, where `%` starts
    /// percent-encoding.
    Percent,
    /// `%s`, `%d`, `%(name)s` (printf and Python formatting).
    Printf,
}

impl fmt::Display for PlaceholderStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DoubleBraces => "{{ }}",
            Self::TemplateTag => "{% %}",
            Self::DollarBraces => "${ }",
            Self::HashBraces => "#{ }",
            Self::AngleTag => "<% %>",
            Self::MergeTag => "*| |*",
            Self::Percent => "% %",
            Self::Printf => "printf",
        })
    }
}

/// A template placeholder found in a subject or body: a sign that a template was not rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Placeholder {
    /// Where it was found.
    pub field: Field,
    /// Its syntax.
    pub style: PlaceholderStyle,
    /// The placeholder exactly as written, `{{ user.name }}`.
    pub raw: String,
    /// The expression inside, trimmed: `user.name`.
    pub name: String,
    /// Byte offset of its first character in the field.
    pub offset: usize,
    /// Line of its first character, from 1.
    pub line: usize,
    /// Column of its first character, in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}, column {}: {}",
            self.field, self.line, self.column, self.raw
        )
    }
}

/// Placeholders found where none should be; the error of [`check_placeholders`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnrenderedPlaceholders(pub Vec<Placeholder>);

impl fmt::Display for UnrenderedPlaceholders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "{count} unrendered template placeholder{} found",
            if count == 1 { "" } else { "s" }
        )?;
        for placeholder in &self.0 {
            write!(f, "\n  {placeholder}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnrenderedPlaceholders {}

/// Every placeholder in the given parts of a message, subject first, then text, then HTML.
///
/// ```
/// use mailtrap_sandbox_extract::{Field, unrendered_placeholders};
///
/// let found = unrendered_placeholders(
///     Some("Welcome, {{ first_name }}!"),
///     Some("Hi Ana,\nconfirm at https://app.example.test/c?t=${token}"),
///     Some("<p>Hi Ana</p>"),
/// );
/// assert_eq!(found.len(), 2);
/// assert_eq!((found[0].field, found[0].name.as_str()), (Field::Subject, "first_name"));
/// assert_eq!((found[1].line, found[1].raw.as_str()), (2, "${token}"));
/// ```
#[must_use]
pub fn unrendered_placeholders(
    subject: Option<&str>,
    text: Option<&str>,
    html: Option<&str>,
) -> Vec<Placeholder> {
    [
        (Field::Subject, subject),
        (Field::Text, text),
        (Field::Html, html),
    ]
    .into_iter()
    .filter_map(|(field, input)| input.map(|input| placeholders_in(field, input)))
    .flatten()
    .collect()
}

/// `Ok(())` when the subject and bodies contain no placeholder, otherwise an error listing
/// each, with where it is: handy with `?` in a test.
///
/// ```
/// use mailtrap_sandbox_extract::check_placeholders;
///
/// let error = check_placeholders(Some("Your invoice"), Some("Dear %FIRST_NAME%,"), None)
///     .unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "1 unrendered template placeholder found\n  text body line 1, column 6: %FIRST_NAME%"
/// );
/// ```
pub fn check_placeholders(
    subject: Option<&str>,
    text: Option<&str>,
    html: Option<&str>,
) -> Result<(), UnrenderedPlaceholders> {
    let found = unrendered_placeholders(subject, text, html);
    if found.is_empty() {
        Ok(())
    } else {
        Err(UnrenderedPlaceholders(found))
    }
}

/// Every placeholder of `input` (one field of a message), in order.
///
/// Recognised: `{{ }}` and `{{{ }}}`, `{% %}`, `{# #}`, `${ }`, `#{ }`, `<% %>`, `*| |*`,
/// `%name%` (a letter or `_` then letters, digits, `_`, `.` or `-`; two characters at least),
/// and printf-style `%s`, `%d`, `%(name)s` (not after a digit or letter). Each must close on the
/// same line, within 200 bytes, and hold a non-empty expression. Inside URLs, `%name%` is not
/// reported (percent-encoding looks the same) but percent-encoded braces are
/// (`%7B%7Btoken%7D%7D`). Plain single braces (`{name}`) are not recognised: CSS and JSON
/// use them too much.
///
/// ```
/// use mailtrap_sandbox_extract::{Field, placeholders_in};
///
/// let found = placeholders_in(Field::Subject, "Welcome, {{ user.name }}! 100% ready");
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].name, "user.name");
/// assert_eq!(found[0].to_string(), "subject line 1, column 10: {{ user.name }}");
/// ```
#[must_use]
pub fn placeholders_in(field: Field, input: &str) -> Vec<Placeholder> {
    let urls = url_spans(input);
    let in_url = |offset: usize| {
        urls.iter()
            .any(|(start, end)| (*start..*end).contains(&offset))
    };
    let bytes = input.as_bytes();
    let mut found = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let rest = bytes.get(offset..).unwrap_or_default();
        let matched = match_at(input, offset, rest, &in_url);
        if let Some((style, len, name)) = matched {
            let raw = input
                .get(offset..offset + len)
                .unwrap_or_default()
                .to_owned();
            let (line, column) = line_and_column(input, offset);
            found.push(Placeholder {
                field,
                style,
                raw,
                name,
                offset,
                line,
                column,
            });
            offset += len;
        } else {
            offset += 1;
        }
    }
    found
}

/// The placeholder starting at byte `offset` (`rest` is the input from there): its style,
/// length in bytes and trimmed expression.
fn match_at(
    input: &str,
    offset: usize,
    rest: &[u8],
    in_url: &dyn Fn(usize) -> bool,
) -> Option<(PlaceholderStyle, usize, String)> {
    use PlaceholderStyle as S;
    if rest.starts_with(b"{{{") {
        return delimited(rest, b"{{{", b"}}}").map(|(len, name)| (S::DoubleBraces, len, name));
    }
    let delimited_styles: [(&[u8], &[u8], PlaceholderStyle); 6] = [
        (b"{{", b"}}", S::DoubleBraces),
        (b"{%", b"%}", S::TemplateTag),
        (b"{#", b"#}", S::TemplateTag),
        (b"${", b"}", S::DollarBraces),
        (b"#{", b"}", S::HashBraces),
        (b"*|", b"|*", S::MergeTag),
    ];
    for (open, close, style) in delimited_styles {
        if rest.starts_with(open)
            && let Some((len, name)) = delimited(rest, open, close)
        {
            return Some((style, len, name));
        }
    }
    if rest.starts_with(b"<%") {
        let open: &[u8] = if rest.starts_with(b"<%=") || rest.starts_with(b"<%-") {
            b"<%="
        } else {
            b"<%"
        };
        return delimited(rest, open, b"%>").map(|(len, name)| (S::AngleTag, len, name));
    }
    if starts_with_ignore_case(rest, b"%7B%7B") {
        return encoded(rest, b"%7B%7B", b"%7D%7D").map(|(len, name)| (S::DoubleBraces, len, name));
    }
    if starts_with_ignore_case(rest, b"%24%7B") {
        return encoded(rest, b"%24%7B", b"%7D").map(|(len, name)| (S::DollarBraces, len, name));
    }
    if rest.first() == Some(&b'%') {
        let after_word = offset == 0
            || input
                .get(..offset)
                .and_then(|before| before.chars().next_back())
                .is_some_and(|c| !c.is_alphanumeric());
        if !after_word {
            return None;
        }
        if let Some(found) = printf(rest) {
            return Some(found);
        }
        if !in_url(offset) {
            return percent(rest);
        }
    }
    None
}

/// `open` expression `close` on one line with a non-empty expression.
fn delimited(rest: &[u8], open: &[u8], close: &[u8]) -> Option<(usize, String)> {
    let body = rest.get(open.len()..)?;
    let limit = body.len().min(MAX_PLACEHOLDER_LEN);
    let window = body.get(..limit)?;
    let end = find(window, close)?;
    let inner = window.get(..end)?;
    if inner.contains(&b'\n') || inner.contains(&b'\r') {
        return None;
    }
    let inner = std::str::from_utf8(inner).ok()?;
    // For `<%= x %>` and `{%- x -%}`, drop the whitespace-control marks from the name.
    let name = inner.trim().trim_matches(['-', '=', '~']).trim();
    if name.is_empty() || name.contains(['{', '}']) {
        return None;
    }
    Some((open.len() + end + close.len(), name.to_owned()))
}

/// Percent-encoded `open` expression `close` (inside a URL).
fn encoded(rest: &[u8], open: &[u8], close: &[u8]) -> Option<(usize, String)> {
    let body = rest.get(open.len()..)?;
    let limit = body.len().min(MAX_PLACEHOLDER_LEN);
    let window = body.get(..limit)?;
    let end = (0..window.len()).find(|i| {
        window
            .get(*i..)
            .is_some_and(|tail| starts_with_ignore_case(tail, close))
    })?;
    let inner = std::str::from_utf8(window.get(..end)?).ok()?;
    let name = inner.trim_matches(|c| c == '+').replace("%20", "");
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-%".contains(&b))
    {
        return None;
    }
    Some((open.len() + end + close.len(), name.to_owned()))
}

/// `%s`, `%d` or `%(name)s` followed by a non-word character.
fn printf(rest: &[u8]) -> Option<(PlaceholderStyle, usize, String)> {
    let followed_by_word = |len: usize| {
        rest.get(len)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    };
    match rest.get(1)? {
        b's' | b'd' if !followed_by_word(2) => Some((
            PlaceholderStyle::Printf,
            2,
            String::from_utf8_lossy(rest.get(..2)?).into_owned(),
        )),
        b'(' => {
            let close = rest
                .iter()
                .take(MAX_PLACEHOLDER_LEN)
                .position(|b| *b == b')')?;
            let name = std::str::from_utf8(rest.get(2..close)?).ok()?;
            let valid =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            let conversion = rest.get(close + 1)?;
            (valid && b"sdfr".contains(conversion) && !followed_by_word(close + 2))
                .then(|| (PlaceholderStyle::Printf, close + 2, name.to_owned()))
        }
        _ => None,
    }
}

/// `%name%`: a letter or `_`, then letters, digits, `_`, `.` or `-`; two characters at least.
fn percent(rest: &[u8]) -> Option<(PlaceholderStyle, usize, String)> {
    let body = rest.get(1..)?;
    let first = body.first()?;
    if !(first.is_ascii_alphabetic() || *first == b'_') {
        return None;
    }
    let len = body
        .iter()
        .take(MAX_PLACEHOLDER_LEN)
        .position(|b| !(b.is_ascii_alphanumeric() || b"_.-".contains(b)))?;
    if len < 2 || body.get(len) != Some(&b'%') {
        return None;
    }
    let name = std::str::from_utf8(body.get(..len)?).ok()?;
    Some((PlaceholderStyle::Percent, len + 2, name.to_owned()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn starts_with_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .get(..needle.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(needle))
}

/// Line and column (in characters), both from 1, of byte `offset`.
fn line_and_column(input: &str, offset: usize) -> (usize, usize) {
    let before = input.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_do_not_split_characters() {
        // Multi-byte characters around and inside must not break slicing.
        let found = placeholders_in(Field::Text, "héllo {{ prénom }} wörld %é% {{é");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "prénom");
        assert_eq!(found[0].column, 7);
    }
}
