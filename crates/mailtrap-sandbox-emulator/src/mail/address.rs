//! Email address syntax check, as strict as a sending API needs: `local@domain.tld`.

/// Longest address accepted (RFC 5321's path limit less the angle brackets).
const MAX_ADDRESS_LEN: usize = 254;
/// Longest local part (RFC 5321).
const MAX_LOCAL_LEN: usize = 64;
/// Longest domain label (RFC 1035).
const MAX_LABEL_LEN: usize = 63;

/// Whether `address` is a plain `local@domain` address: a dot-atom local part (letters, digits,
/// ``!#$%&'*+-/=?^_`{|}~`` and non-ASCII letters, single dots between them) and a domain of at
/// least two labels of letters, digits and inner hyphens. Quoted local parts, comments and
/// address literals (`[127.0.0.1]`) are refused, as sending APIs do.
pub(crate) fn is_valid_email(address: &str) -> bool {
    if address.is_empty() || address.len() > MAX_ADDRESS_LEN {
        return false;
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    valid_local_part(local) && valid_domain(domain)
}

fn valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || "!#$%&'*+-/=?^_`{|}~".contains(c)
                        || (!c.is_ascii() && c.is_alphanumeric())
                })
        })
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= MAX_LABEL_LEN
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| {
                    c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
                })
        })
        && labels
            .last()
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
