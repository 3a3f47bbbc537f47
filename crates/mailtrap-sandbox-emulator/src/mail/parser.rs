//! Raw RFC 5322 bytes → [`ParsedMail`], with `mail-parser`.
//!
//! The parser is total: whatever the bytes, the result is a [`ParsedMail`]. Bytes without any
//! header are treated as a body with no headers; headers without a body give no body.

use std::borrow::Cow;

use mail_parser::{
    Addr, Address, Header, HeaderName, HeaderValue, Message, MessageParser, MessagePart,
    MimeHeaders, PartType,
};

use super::{Disposition, Mailbox, ParsedAttachment, ParsedMail};

/// Parses raw message bytes into a [`ParsedMail`]. Never fails and never panics.
pub(crate) fn parse_mail(raw: &[u8]) -> ParsedMail {
    match MessageParser::default().parse(raw) {
        Some(message) => from_message(raw, &message),
        None => without_headers(raw),
    }
}

/// Bytes in which no header could be found: keep them as the plain-text body.
fn without_headers(raw: &[u8]) -> ParsedMail {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim_start_matches(['\r', '\n']);
    ParsedMail {
        text: (!text.is_empty()).then(|| text.to_owned()),
        ..ParsedMail::default()
    }
}

fn from_message(raw: &[u8], message: &Message<'_>) -> ParsedMail {
    let Some(root) = message.parts.first() else {
        return without_headers(raw);
    };
    let headers = &root.headers;
    // mail-parser reads a line without a colon as a header with an empty value; bytes whose
    // "headers" are all like that are not a message at all.
    if !headers.iter().any(|header| has_colon(raw, header)) {
        return without_headers(raw);
    }

    let from_all = mailboxes(headers, &HeaderName::From);
    let mut parsed = ParsedMail {
        subject: first_header(headers, &HeaderName::Subject)
            .and_then(|header| header.value.as_text())
            .map(|subject| subject.trim().to_owned())
            .unwrap_or_default(),
        from: from_all.first().cloned(),
        from_all,
        to: mailboxes(headers, &HeaderName::To),
        cc: mailboxes(headers, &HeaderName::Cc),
        bcc: mailboxes(headers, &HeaderName::Bcc),
        reply_to: mailboxes(headers, &HeaderName::ReplyTo),
        message_id: message_id(raw, headers),
        date: first_header(headers, &HeaderName::Date)
            .map(|header| raw_value(raw, header))
            .filter(|date| !date.is_empty()),
        headers: headers
            .iter()
            .filter(|header| has_colon(raw, header))
            .map(|header| (header_name(raw, header), decoded_value(raw, header)))
            .collect(),
        text: first_body(message, &message.text_body, false),
        html: first_body(message, &message.html_body, true),
        attachments: Vec::new(),
    };

    let mut attachment_parts: Vec<&MessagePart<'_>> = message
        .attachments
        .iter()
        .filter_map(|id| message.parts.get(usize::try_from(*id).ok()?))
        .collect();
    // A multipart message cut short leaves its body part unterminated, and mail-parser then
    // classes it as an attachment; an unnamed text part without a disposition is a body.
    if parsed.text.is_none()
        && let Some(position) = attachment_parts
            .iter()
            .position(|part| stray_body(part, false))
    {
        parsed.text = attachment_parts
            .remove(position)
            .text_contents()
            .map(str::to_owned);
    }
    if parsed.html.is_none()
        && let Some(position) = attachment_parts
            .iter()
            .position(|part| stray_body(part, true))
    {
        parsed.html = attachment_parts
            .remove(position)
            .text_contents()
            .map(str::to_owned);
    }
    parsed.attachments = attachment_parts
        .into_iter()
        .enumerate()
        .map(|(index, part)| attachment(part, index + 1))
        .collect();
    parsed
}

/// Whether the header was written with its colon (see [`from_message`]).
fn has_colon(raw: &[u8], header: &Header<'_>) -> bool {
    slice_text(raw, header.offset_field, header.offset_start)
        .trim_end()
        .ends_with(':')
}

/// An unnamed text or HTML part with no `Content-Disposition`.
fn stray_body(part: &MessagePart<'_>, html: bool) -> bool {
    let kind_matches = match &part.body {
        PartType::Html(_) => html,
        PartType::Text(_) => !html && is_plain_text(part),
        _ => false,
    };
    kind_matches && part.content_disposition().is_none() && part.attachment_name().is_none()
}

/// The first header of that name (mail-parser's own lookup returns the last one).
fn first_header<'a, 'x>(
    headers: &'a [Header<'x>],
    name: &HeaderName<'_>,
) -> Option<&'a Header<'x>> {
    headers.iter().find(|header| &header.name == name)
}

/// Every mailbox of every header with that name, groups flattened.
fn mailboxes(headers: &[Header<'_>], name: &HeaderName<'_>) -> Vec<Mailbox> {
    headers
        .iter()
        .filter(|header| &header.name == name)
        .filter_map(|header| header.value.as_address())
        .flat_map(|address| match address {
            Address::List(list) => list.iter().collect::<Vec<_>>(),
            Address::Group(groups) => groups.iter().flat_map(|g| g.addresses.iter()).collect(),
        })
        .filter_map(mailbox)
        .collect()
}

fn mailbox(addr: &Addr<'_>) -> Option<Mailbox> {
    let email = addr.address.as_deref().map(str::trim).unwrap_or_default();
    if email.is_empty() {
        return None;
    }
    Some(Mailbox {
        email: email.to_owned(),
        name: addr
            .name
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned(),
    })
}

fn message_id(raw: &[u8], headers: &[Header<'_>]) -> Option<String> {
    let header = first_header(headers, &HeaderName::MessageId)?;
    let id = match &header.value {
        HeaderValue::Text(id) => id.trim().to_owned(),
        HeaderValue::TextList(ids) => ids.first().map(|id| id.trim().to_owned())?,
        // Not parseable as an id: fall back to what was written, brackets removed.
        _ => raw_value(raw, header)
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_owned(),
    };
    (!id.is_empty()).then_some(id)
}

/// The bytes of a header between two offsets, as text (lossy for 8-bit bytes).
fn slice_text(raw: &[u8], start: u32, end: u32) -> Cow<'_, str> {
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return Cow::Borrowed("");
    };
    raw.get(start..end)
        .map(String::from_utf8_lossy)
        .unwrap_or(Cow::Borrowed(""))
}

/// The header name as written in the message.
fn header_name(raw: &[u8], header: &Header<'_>) -> String {
    let written = slice_text(raw, header.offset_field, header.offset_start);
    let written = written.trim_end().trim_end_matches(':').trim();
    if written.is_empty() {
        header.name.as_str().to_owned()
    } else {
        written.to_owned()
    }
}

/// The header value as written, unfolded and trimmed.
fn raw_value(raw: &[u8], header: &Header<'_>) -> String {
    unfold(&slice_text(raw, header.offset_start, header.offset_end))
}

/// Removes folding line breaks and trims the value.
fn unfold(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .filter(|piece| !piece.is_empty())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The header value as written, unfolded, with RFC 2047 encoded words decoded.
fn decoded_value(raw: &[u8], header: &Header<'_>) -> String {
    let value = raw_value(raw, header);
    if !value.contains("=?") {
        return value;
    }
    decode_encoded_words(&value).unwrap_or(value)
}

/// Decodes RFC 2047 encoded words by letting mail-parser read the value as an unstructured
/// header (its decoder is not public on its own).
fn decode_encoded_words(value: &str) -> Option<String> {
    let mut synthetic = Vec::with_capacity(value.len() + 16);
    synthetic.extend_from_slice(b"Subject: ");
    synthetic.extend_from_slice(value.as_bytes());
    synthetic.extend_from_slice(b"\r\n\r\n");
    let message = MessageParser::default().parse_headers(&synthetic)?;
    message
        .parts
        .first()?
        .headers
        .first()?
        .value
        .as_text()
        .map(str::to_owned)
}

/// The first body part of the wanted kind: text/plain (`html == false`) or text/html. mail-parser
/// lists an HTML part among the text bodies when there is no text one (and vice versa); those
/// conversions are skipped so that an HTML-only message reports no text body.
fn first_body(message: &Message<'_>, ids: &[u32], html: bool) -> Option<String> {
    ids.iter()
        .filter_map(|id| message.parts.get(usize::try_from(*id).ok()?))
        .find_map(|part| match &part.body {
            PartType::Html(body) if html => Some(body.to_string()),
            PartType::Text(body) if !html && is_plain_text(part) => Some(body.to_string()),
            _ => None,
        })
}

fn is_plain_text(part: &MessagePart<'_>) -> bool {
    part.content_type().is_none_or(|ct| {
        ct.c_type.eq_ignore_ascii_case("text")
            && ct
                .c_subtype
                .as_deref()
                .is_none_or(|sub| sub.eq_ignore_ascii_case("plain"))
    })
}

fn attachment(part: &MessagePart<'_>, position: usize) -> ParsedAttachment {
    let content_type = content_type(part);
    let filename = part
        .attachment_name()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map_or_else(
            || generated_filename(&content_type, position),
            str::to_owned,
        );
    let disposition = if part.content_disposition().is_some_and(|cd| cd.is_inline()) {
        Disposition::Inline
    } else {
        Disposition::Attachment
    };
    ParsedAttachment {
        filename,
        content_type,
        content_id: part
            .content_id()
            .map(|id| {
                id.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
            .filter(|id| !id.is_empty()),
        disposition,
        transfer_encoding: part
            .content_transfer_encoding()
            .map(|te| te.trim().to_owned())
            .filter(|te| !te.is_empty()),
        content: part.contents().to_vec(),
    }
}

/// `type/subtype` in lower case, with the default the part's kind implies when none is given.
fn content_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.c_subtype.as_deref() {
            Some(sub) => format!("{}/{}", ct.c_type, sub).to_ascii_lowercase(),
            None => ct.c_type.to_ascii_lowercase(),
        },
        None => match part.body {
            PartType::Text(_) => "text/plain".to_owned(),
            PartType::Html(_) => "text/html".to_owned(),
            PartType::Message(_) => "message/rfc822".to_owned(),
            _ => "application/octet-stream".to_owned(),
        },
    }
}

/// `attachment-<n>.<ext>` for a part that names no file.
fn generated_filename(content_type: &str, position: usize) -> String {
    let extension = super::media_types::extension_for(content_type).unwrap_or("bin");
    format!("attachment-{position}.{extension}")
}
