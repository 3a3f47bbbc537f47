#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

/// Most addresses in one of `to`, `cc`, `bcc`.
pub const MAX_RECIPIENTS_PER_FIELD: usize = 1000;
/// Longest `category`, in characters.
pub const MAX_CATEGORY_LEN: usize = 255;
/// Largest `custom_variables`, in bytes of JSON.
pub const MAX_CUSTOM_VARIABLES_BYTES: usize = 1000;

/// The header that carries an email's `category`.
pub const CATEGORY_HEADER: &str = "X-MT-Category";
/// The header that carries an email's `custom_variables`, as JSON.
pub const CUSTOM_VARIABLES_HEADER: &str = "X-MT-Custom-Variables";

/// Headers a request may not set among its custom `headers` (compared ignoring case): the API
/// sets them itself from the request's fields. (`Content-Transfer-Encoding` is accepted, and
/// replaced by the API.)
pub const RESERVED_HEADERS: &[&str] = &[
    "From",
    "To",
    "Cc",
    "Bcc",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Disposition",
    "Return-Path",
    "Received",
    CATEGORY_HEADER,
    CUSTOM_VARIABLES_HEADER,
];

/// The reserved header `name` is, ignoring case, as [`RESERVED_HEADERS`] spells it; `None` for
/// a header a request may set.
///
/// ```
/// use mailtrap_sandbox_rules::reserved_header;
///
/// assert_eq!(reserved_header("return-path"), Some("Return-Path"));
/// assert_eq!(reserved_header("X-Campaign"), None);
/// ```
pub fn reserved_header(name: &str) -> Option<&'static str> {
    RESERVED_HEADERS
        .iter()
        .find(|reserved| reserved.eq_ignore_ascii_case(name))
        .copied()
}

/// Whether `address` is a bare `local@domain.tld` address the sending API accepts: an RFC 5322
/// `addr-spec` (checked by `email_address`, at most 64 + 254 octets) with a domain of at least
/// two labels and no address literal (`user@[127.0.0.1]`), and further refusing what sending
/// APIs refuse: a quoted local part, and a last label of digits only (`user@127.0.0.1`).
/// A display name (`Ana <ana@example.com>`) is not part of an address.
///
/// ```
/// use mailtrap_sandbox_rules::is_valid_address;
///
/// assert!(is_valid_address("ana.lima+test@example.com"));
/// assert!(!is_valid_address("Ana <ana@example.com>"));
/// assert!(!is_valid_address("ana@localhost"));
/// ```
pub fn is_valid_address(address: &str) -> bool {
    let options = email_address::Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    email_address::EmailAddress::parse_with_options(address, options).is_ok()
        && !address.starts_with('"')
        && address
            .rsplit('.')
            .next()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "user@example.com",
            "first.last+tag@mail.example.co.uk",
            "o'brien@example.org",
            "x@a-b.io",
            "josé@exämple.de",
        ] {
            assert!(is_valid_address(ok), "{ok} should be valid");
        }
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "user@",
            "user@localhost",
            "user@@example.com",
            "a@b@example.com",
            "user@-example.com",
            "user@example-.com",
            "user@exa mple.com",
            "us er@example.com",
            ".user@example.com",
            "user.@example.com",
            "us..er@example.com",
            "user@example..com",
            "user@127.0.0.1",
            "user@[127.0.0.1]",
            "\"quoted\"@example.com",
            "<user@example.com>",
            "Name <user@example.com>",
        ] {
            assert!(!is_valid_address(bad), "{bad:?} should be invalid");
        }
        assert!(!is_valid_address(&format!(
            "{}@example.com",
            "a".repeat(65)
        )));
        assert!(!is_valid_address(&format!("a@{}.com", "b".repeat(64))));
    }

    #[test]
    fn reserved_headers_are_found_ignoring_case() {
        assert_eq!(reserved_header("message-id"), Some("Message-ID"));
        assert_eq!(reserved_header("X-MT-CATEGORY"), Some(CATEGORY_HEADER));
        assert_eq!(reserved_header("Content-Transfer-Encoding"), None);
        assert_eq!(reserved_header("Reply-To"), None);
    }
}
