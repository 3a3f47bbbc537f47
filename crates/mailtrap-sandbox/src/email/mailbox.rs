//! Email addresses with an optional display name.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An email address with an optional display name: `Ana Lima <ana@example.com>`.
///
/// Built from a string in either form, or from a `(name, email)` pair:
///
/// ```
/// use mailtrap_sandbox::email::Mailbox;
///
/// let plain = Mailbox::from("ana@example.com");
/// assert_eq!((plain.name.as_deref(), plain.email.as_str()), (None, "ana@example.com"));
///
/// let named = Mailbox::from("\"Lima, Ana\" <ana@example.com>");
/// assert_eq!(named.name.as_deref(), Some("Lima, Ana"));
/// assert_eq!(named.email, "ana@example.com");
///
/// let pair = Mailbox::from(("Support", "help@example.com"));
/// assert_eq!(pair.to_string(), "Support <help@example.com>");
/// ```
///
/// Conversions never fail: a malformed address is kept as given and reported when the email
/// is validated (see [`Email::validate`](super::Email::validate)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Mailbox {
    /// Display name, when there is one.
    pub name: Option<String>,
    /// The address, `ana@example.com`.
    pub email: String,
}

impl Mailbox {
    /// A mailbox from its parts; an empty or blank name counts as none.
    ///
    /// ```
    /// use mailtrap_sandbox::Mailbox;
    ///
    /// assert_eq!(Mailbox::new(Some("Ana Lima"), "ana@example.com").to_string(), "Ana Lima <ana@example.com>");
    /// assert_eq!(Mailbox::new(Some(" "), "ana@example.com").name, None);
    /// assert_eq!(Mailbox::new(None::<String>, "ana@example.com").to_string(), "ana@example.com");
    /// ```
    pub fn new(name: Option<impl Into<String>>, email: impl Into<String>) -> Self {
        let name = name.map(Into::into).filter(|name| !name.trim().is_empty());
        Self {
            name,
            email: email.into().trim().to_owned(),
        }
    }

    /// Parses `email`, `<email>`, `Name <email>` or `"Name" <email>` (quotes and `\`
    /// escapes in the name removed). Anything else is kept whole as the address.
    ///
    /// ```
    /// use mailtrap_sandbox::Mailbox;
    ///
    /// let from = Mailbox::parse(r#""Shop \"Deals\"" <deals@shop.example>"#);
    /// assert_eq!(from.name.as_deref(), Some(r#"Shop "Deals""#));
    /// assert_eq!(from.email, "deals@shop.example");
    /// ```
    #[must_use]
    pub fn parse(input: &str) -> Self {
        let input = input.trim();
        if let Some(without_close) = input.strip_suffix('>')
            && let Some(open) = without_close.rfind('<')
        {
            let name = without_close.get(..open).unwrap_or_default().trim();
            let email = without_close.get(open + 1..).unwrap_or_default().trim();
            return Self::new(Some(unquote(name)), email);
        }
        Self::new(None::<String>, input)
    }

    /// Whether the address is a plain `local@domain.tld` address, as the sending API wants
    /// it (checked with the `email_address` crate): a dot-atom local part (letters, digits,
    /// ``!#$%&'*+-/=?^_`{|}~`` and non-ASCII letters, single dots between them) and a domain
    /// name of at least two labels whose last is not all digits. Quoted local parts, comments
    /// and address literals (`user@[127.0.0.1]`) are refused.
    ///
    /// ```
    /// use mailtrap_sandbox::email::Mailbox;
    ///
    /// assert!(Mailbox::from("first.last+tag@mail.example.co.uk").is_valid());
    /// assert!(!Mailbox::from("user@localhost").is_valid());
    /// assert!(!Mailbox::from("two@@example.com").is_valid());
    /// ```
    #[must_use]
    pub fn is_valid(&self) -> bool {
        mailtrap_sandbox_rules::is_valid_address(&self.email)
    }

    /// The address's domain (after the last `@`), when it has one.
    ///
    /// ```
    /// use mailtrap_sandbox::Mailbox;
    ///
    /// assert_eq!(Mailbox::parse("Ana <ana@example.com>").domain(), Some("example.com"));
    /// assert_eq!(Mailbox::parse("ana").domain(), None);
    /// ```
    #[must_use]
    pub fn domain(&self) -> Option<&str> {
        self.email.rsplit_once('@').map(|(_, domain)| domain)
    }
}

impl fmt::Display for Mailbox {
    /// `Name <email>`, the name quoted when it holds characters that need it; `email` alone
    /// without a name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) if name.contains([',', ';', '"', '<', '>', '@', ':', '(', ')']) => {
                let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
                write!(f, "\"{escaped}\" <{}>", self.email)
            }
            Some(name) => write!(f, "{name} <{}>", self.email),
            None => f.write_str(&self.email),
        }
    }
}

impl From<&str> for Mailbox {
    fn from(input: &str) -> Self {
        Self::parse(input)
    }
}

impl From<String> for Mailbox {
    fn from(input: String) -> Self {
        Self::parse(&input)
    }
}

impl From<&String> for Mailbox {
    fn from(input: &String) -> Self {
        Self::parse(input)
    }
}

impl From<&Mailbox> for Mailbox {
    fn from(mailbox: &Mailbox) -> Self {
        mailbox.clone()
    }
}

impl<N: Into<String>, E: Into<String>> From<(N, E)> for Mailbox {
    /// `(name, email)`.
    fn from((name, email): (N, E)) -> Self {
        Self::new(Some(name), email)
    }
}

/// Removes surrounding double quotes and `\` escapes from a display name.
fn unquote(name: &str) -> String {
    let Some(inner) = name
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return name.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                out.push(escaped);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        let cases = [
            ("ana@example.com", None, "ana@example.com"),
            ("  <ana@example.com> ", None, "ana@example.com"),
            (
                "Ana Lima <ana@example.com>",
                Some("Ana Lima"),
                "ana@example.com",
            ),
            (
                "\"Lima, Ana\" <ana@example.com>",
                Some("Lima, Ana"),
                "ana@example.com",
            ),
            (
                "\"Say \\\"hi\\\"\" <hi@example.com>",
                Some("Say \"hi\""),
                "hi@example.com",
            ),
            ("\"\" <x@example.com>", None, "x@example.com"),
            ("Broken <", None, "Broken <"),
        ];
        for (input, name, email) in cases {
            let parsed = Mailbox::parse(input);
            assert_eq!(parsed.name.as_deref(), name, "{input}");
            assert_eq!(parsed.email, email, "{input}");
        }
    }

    #[test]
    fn display_round_trips() {
        for input in [
            "ana@example.com",
            "Ana <ana@example.com>",
            "\"Lima, Ana\" <a@example.com>",
        ] {
            let mailbox = Mailbox::parse(input);
            assert_eq!(Mailbox::parse(&mailbox.to_string()), mailbox);
        }
    }
}
