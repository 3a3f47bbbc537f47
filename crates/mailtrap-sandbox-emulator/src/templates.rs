//! Email templates for the sending API (`template_uuid` + `template_variables`).
//!
//! Placeholders are `{{name}}` or `{{user.name}}` (a dotted path into the variables); in HTML
//! the value is escaped, and `{{{name}}}` inserts it unescaped. A missing variable renders as
//! nothing. [`fill_placeholders`] and [`escape_html`] are public for other renderers of the
//! same syntax (the `mailtrap-sandbox demo` command's).

use std::convert::Infallible;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A registered template.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Template {
    pub(crate) id: u64,
    pub(crate) uuid: String,
    pub(crate) name: String,
    pub(crate) subject: String,
    pub(crate) text: Option<String>,
    pub(crate) html: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
}

/// A template with its variables filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    pub(crate) subject: String,
    pub(crate) text: Option<String>,
    pub(crate) html: Option<String>,
}

/// Fills `template` with `variables`.
pub(crate) fn render(template: &Template, variables: Option<&Value>) -> Rendered {
    Rendered {
        subject: render_str(&template.subject, variables, false),
        text: template
            .text
            .as_deref()
            .map(|t| render_str(t, variables, false)),
        html: template
            .html
            .as_deref()
            .map(|t| render_str(t, variables, true)),
    }
}

/// Fills the placeholders of one string; a missing variable renders as nothing.
pub(crate) fn render_str(source: &str, variables: Option<&Value>, html: bool) -> String {
    let filled = fill_placeholders(source, html, |path| {
        Ok::<_, Infallible>(lookup(variables, path))
    });
    filled.unwrap_or_else(|never| match never {})
}

/// Replaces each `{{name}}` of `source` (the name trimmed of spaces) with `value(name)`. In
/// HTML (`html`), values are escaped with [`escape_html`], except in triple-braced
/// placeholders (`{{{name}}}`), which insert them as they are. A `{{` that is never closed is
/// left as it is. The first error `value` returns is returned.
///
/// ```
/// use mailtrap_sandbox_emulator::templates::fill_placeholders;
///
/// let filled = fill_placeholders("<p>Hi {{ name }}</p>", true, |name| match name {
///     "name" => Ok("Ana & Bo".to_owned()),
///     other => Err(format!("no value for {other}")),
/// });
/// assert_eq!(filled.as_deref(), Ok("<p>Hi Ana &amp; Bo</p>"));
/// ```
pub fn fill_placeholders<E>(
    source: &str,
    html: bool,
    mut value: impl FnMut(&str) -> Result<String, E>,
) -> Result<String, E> {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start..).unwrap_or("");
        let (raw, open, close) = if after.starts_with("{{{") {
            (true, 3, "}}}")
        } else {
            (false, 2, "}}")
        };
        let inner = after.get(open..).unwrap_or("");
        let Some(end) = inner.find(close) else {
            out.push_str(after);
            return Ok(out);
        };
        let value = value(inner.get(..end).unwrap_or("").trim())?;
        if html && !raw {
            out.push_str(&escape_html(&value));
        } else {
            out.push_str(&value);
        }
        rest = inner.get(end + close.len()..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

fn lookup(variables: Option<&Value>, path: &str) -> String {
    let Some(mut current) = variables else {
        return String::new();
    };
    for key in path.split('.') {
        match current.get(key) {
            Some(next) => current = next,
            None => return String::new(),
        }
    }
    match current {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Escapes text for HTML content and attribute values: `&`, `<`, `>`, `"` and `'`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn placeholders_are_filled_from_dotted_paths() {
        let vars = json!({"name": "Ada", "user": {"name": "Grace", "age": 85}, "n": null});
        assert_eq!(
            render_str(
                "Hi {{name}}, {{ user.name }} ({{user.age}}){{n}}{{missing}}!",
                Some(&vars),
                false
            ),
            "Hi Ada, Grace (85)!"
        );
        assert_eq!(render_str("{{name}}", None, false), "");
        assert_eq!(
            render_str("open {{ never closed", Some(&vars), false),
            "open {{ never closed"
        );
    }

    #[test]
    fn html_values_are_escaped_unless_triple_braced() {
        let vars = json!({"v": "<b>&</b>"});
        assert_eq!(
            render_str("{{v}}", Some(&vars), true),
            "&lt;b&gt;&amp;&lt;/b&gt;"
        );
        assert_eq!(render_str("{{{v}}}", Some(&vars), true), "<b>&</b>");
        assert_eq!(render_str("{{v}}", Some(&vars), false), "<b>&</b>");
    }
}
