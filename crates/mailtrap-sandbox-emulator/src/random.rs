//! Random values for credentials, tokens and template uuids.
//!
//! `fastrand` is not a cryptographic generator: these values protect a local test server, not
//! production data.

/// `len` lowercase hexadecimal digits.
pub(crate) fn hex(len: usize) -> String {
    (0..len)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect()
}

/// A fresh API token: 32 hexadecimal digits.
pub(crate) fn api_token() -> String {
    hex(32)
}

/// A random version-4 UUID in its usual text form.
pub(crate) fn uuid_v4() -> String {
    let variant = ['8', '9', 'a', 'b'];
    let variant = variant
        .get(fastrand::usize(0..variant.len()))
        .copied()
        .unwrap_or('8');
    format!(
        "{}-{}-4{}-{}{}-{}",
        hex(8),
        hex(4),
        hex(3),
        variant,
        hex(3),
        hex(12)
    )
}

/// Whether `s` has the text form of a UUID (any version).
pub(crate) fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == lengths.len()
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_the_right_shape() {
        for _ in 0..100 {
            let u = uuid_v4();
            assert!(is_uuid(&u), "{u}");
            assert_eq!(u.chars().nth(14), Some('4'));
        }
        assert!(!is_uuid("not-a-uuid"));
    }

    #[test]
    fn hex_has_the_requested_length() {
        assert_eq!(hex(14).len(), 14);
        assert!(api_token().chars().all(|c| c.is_ascii_hexdigit()));
    }
}
