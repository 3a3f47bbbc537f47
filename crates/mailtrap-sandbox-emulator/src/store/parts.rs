//! The opaque `/api/testing_message_parts/<token>/...` links of message bodies and attachments.
//!
//! Like Mailtrap's, a token is standard Base64 with `/` written as `%2F`, so it always contains
//! `%2F`, `+` and `=`: a client that follows the link verbatim gets the part; one that decodes
//! or re-encodes the path gets a 404. The token names the sandbox, the message and, for
//! attachments, the attachment's position.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Encodes to `+/+/` in Base64, so every token has both `+` and `%2F`.
const PREFIX: [u8; 3] = [0xFB, 0xFF, 0xBF];
const MESSAGE: u8 = b'm';
const ATTACHMENT: u8 = b'a';

/// The route prefix.
pub(crate) const ROUTE_PREFIX: &str = "/api/testing_message_parts/";

/// What a token points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartRef {
    /// A message (its bodies).
    Message { sandbox_id: u64, message_id: u64 },
    /// The attachment at `index` of a message.
    Attachment {
        sandbox_id: u64,
        message_id: u64,
        index: u16,
    },
}

fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes).replace('/', "%2F")
}

/// The token of a message (20 bytes: one `=` of padding).
pub(crate) fn message_token(sandbox_id: u64, message_id: u64) -> String {
    let mut bytes = Vec::with_capacity(20);
    bytes.extend_from_slice(&PREFIX);
    bytes.push(MESSAGE);
    bytes.extend_from_slice(&sandbox_id.to_be_bytes());
    bytes.extend_from_slice(&message_id.to_be_bytes());
    encode(&bytes)
}

/// The token of an attachment (22 bytes: two `=` of padding).
pub(crate) fn attachment_token(sandbox_id: u64, message_id: u64, index: u16) -> String {
    let mut bytes = Vec::with_capacity(22);
    bytes.extend_from_slice(&PREFIX);
    bytes.push(ATTACHMENT);
    bytes.extend_from_slice(&sandbox_id.to_be_bytes());
    bytes.extend_from_slice(&message_id.to_be_bytes());
    bytes.extend_from_slice(&index.to_be_bytes());
    encode(&bytes)
}

/// The download path of an attachment.
pub(crate) fn attachment_path(sandbox_id: u64, message_id: u64, index: u16) -> String {
    format!(
        "{ROUTE_PREFIX}{}/attachment_download",
        attachment_token(sandbox_id, message_id, index)
    )
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let slice: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_be_bytes(slice))
}

/// Decodes a token exactly as it appears in the request path (not percent-decoded).
pub(crate) fn decode(raw: &str) -> Option<PartRef> {
    let base64 = raw.replace("%2F", "/").replace("%2f", "/");
    if base64.contains('%') {
        return None;
    }
    let bytes = STANDARD.decode(base64).ok()?;
    if bytes.get(..3)? != PREFIX {
        return None;
    }
    let sandbox_id = u64_at(&bytes, 4)?;
    let message_id = u64_at(&bytes, 12)?;
    match (bytes.get(3)?, bytes.len()) {
        (&MESSAGE, 20) => Some(PartRef::Message {
            sandbox_id,
            message_id,
        }),
        (&ATTACHMENT, 22) => {
            let index: [u8; 2] = bytes.get(20..22)?.try_into().ok()?;
            Some(PartRef::Attachment {
                sandbox_id,
                message_id,
                index: u16::from_be_bytes(index),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_the_awkward_characters_and_round_trip() {
        for (sandbox, message) in [(1, 1), (4_310_001, 5_000_000_001), (u64::MAX, 0)] {
            let token = message_token(sandbox, message);
            assert!(
                token.contains("%2F") && token.contains('+') && token.ends_with('='),
                "{token}"
            );
            assert_eq!(
                decode(&token),
                Some(PartRef::Message {
                    sandbox_id: sandbox,
                    message_id: message
                })
            );
            let token = attachment_token(sandbox, message, 7);
            assert!(
                token.contains("%2F") && token.contains('+') && token.ends_with("=="),
                "{token}"
            );
            assert_eq!(
                decode(&token),
                Some(PartRef::Attachment {
                    sandbox_id: sandbox,
                    message_id: message,
                    index: 7
                })
            );
        }
    }

    #[test]
    fn re_encoded_tokens_are_refused() {
        let token = message_token(4_310_001, 5_000_000_001);
        assert_eq!(decode(&token.replace("%2F", "%252F")), None);
        assert_eq!(decode(&token.replace('+', "%2B")), None);
        assert_eq!(decode(&token.replace('+', " ")), None);
        assert_eq!(decode(&token.replace('=', "%3D")), None);
        assert_eq!(decode("garbage"), None);
    }
}
