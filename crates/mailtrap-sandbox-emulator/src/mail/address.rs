//! Email address syntax check, as strict as a sending API needs: `local@domain.tld`.

/// Whether `address` is a bare `local@domain.tld` address, checked by `email_address` (RFC 5322
/// `addr-spec`, at most 64 + 254 octets) with a domain of at least two labels and no address
/// literal (`user@[127.0.0.1]`), and further refusing what sending APIs refuse: a quoted local
/// part, and a last label of digits only (`user@127.0.0.1`).
pub(crate) fn is_valid_email(address: &str) -> bool {
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
    use super::is_valid_email;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "user@example.com",
            "first.last+tag@mail.example.co.uk",
            "o'brien@example.org",
            "x@a-b.io",
            "josé@exämple.de",
        ] {
            assert!(is_valid_email(ok), "{ok} should be valid");
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
            "<user@example.com>",
            "Name <user@example.com>",
        ] {
            assert!(!is_valid_email(bad), "{bad:?} should be invalid");
        }
        assert!(!is_valid_email(&format!("{}@example.com", "a".repeat(65))));
    }
}
