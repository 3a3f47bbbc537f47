//! SASL `PLAIN` and `LOGIN` decoding (RFC 4616, draft-murchison-sasl-login).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// `Username:` in base64, the `AUTH LOGIN` username prompt.
pub(crate) const LOGIN_USERNAME_PROMPT: &str = "VXNlcm5hbWU6";
/// `Password:` in base64, the `AUTH LOGIN` password prompt.
pub(crate) const LOGIN_PASSWORD_PROMPT: &str = "UGFzc3dvcmQ6";

/// Why a client's SASL response was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SaslError {
    /// Not base64.
    BadBase64,
    /// Base64, but not the mechanism's format.
    Malformed,
    /// The client sent `*`.
    Cancelled,
}

/// Decodes one base64 SASL response line (CRLF already removed). `=` is the empty response.
pub(crate) fn decode(response: &str) -> Result<Vec<u8>, SaslError> {
    let response = response.trim();
    if response == "*" {
        return Err(SaslError::Cancelled);
    }
    if response == "=" || response.is_empty() {
        return Ok(Vec::new());
    }
    STANDARD.decode(response).map_err(|_| SaslError::BadBase64)
}

/// Splits a decoded `PLAIN` response `authzid NUL authcid NUL password` into
/// (username, password).
pub(crate) fn plain_credentials(decoded: &[u8]) -> Result<(String, String), SaslError> {
    let mut fields = decoded.split(|byte| *byte == 0);
    let (Some(_authzid), Some(user), Some(password), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(SaslError::Malformed);
    };
    let user = String::from_utf8(user.to_vec()).map_err(|_| SaslError::Malformed)?;
    let password = String::from_utf8(password.to_vec()).map_err(|_| SaslError::Malformed)?;
    if user.is_empty() {
        return Err(SaslError::Malformed);
    }
    Ok((user, password))
}

/// A decoded `LOGIN` field (username or password) as text.
pub(crate) fn login_field(decoded: Vec<u8>) -> Result<String, SaslError> {
    String::from_utf8(decoded).map_err(|_| SaslError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain() {
        let decoded = decode(&STANDARD.encode(b"\0user\0p\xc3\xa4ss")).unwrap();
        assert_eq!(
            plain_credentials(&decoded),
            Ok(("user".to_owned(), "päss".to_owned()))
        );
        let with_authzid = decode(&STANDARD.encode(b"admin\0user\0pw")).unwrap();
        assert_eq!(
            plain_credentials(&with_authzid),
            Ok(("user".to_owned(), "pw".to_owned()))
        );
        assert_eq!(plain_credentials(b"user\0pw"), Err(SaslError::Malformed));
        assert_eq!(plain_credentials(b"a\0b\0c\0d"), Err(SaslError::Malformed));
        assert_eq!(plain_credentials(b"\0\0pw"), Err(SaslError::Malformed));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("*"), Err(SaslError::Cancelled));
        assert_eq!(decode("=="), Err(SaslError::BadBase64));
        assert_eq!(decode("not base64!"), Err(SaslError::BadBase64));
        assert_eq!(decode("="), Ok(Vec::new()));
        assert_eq!(decode("dXNlcg=="), Ok(b"user".to_vec()));
    }
}
