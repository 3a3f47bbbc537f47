//! Mailtrap's JSON send format → a validated MIME message and its envelope, with `mail-builder`.
//!
//! Validation reports every problem at once, in the sending API's wording:
//!
//! | problem | error |
//! |---|---|
//! | no `from`, or an empty address | `'from' is required` |
//! | malformed `from` address | `'from' address is invalid` |
//! | no recipient in `to`, `cc` and `bcc` | `'to', 'cc' or 'bcc' address is required` |
//! | malformed address in `to`/`cc`/`bcc`/`reply_to` | `'to' address is invalid: "..."` (one per address) |
//! | more than 1000 addresses in one field | `'to' must not contain more than 1000 addresses` |
//! | no or empty `subject` (unless `template_uuid` is set) | `'subject' is required` |
//! | neither `text` nor `html` (non-empty) | `must specify either text or html body` |
//! | attachment without `filename` | `'attachments[0].filename' is required` |
//! | attachment without `content` | `'attachments[0].content' is required` |
//! | attachment content not base64 | `'attachments[0].content' is not valid base64` |
//! | attachment `disposition` other than `attachment`/`inline` | `'attachments[0].disposition' must be 'attachment' or 'inline'` |
//! | `category` longer than 255 characters | `'category' is too long (maximum is 255 characters)` |
//! | `custom_variables` over 1000 bytes as JSON | `'custom_variables' must not exceed 1000 bytes` |
//! | a header name that is not printable ASCII without `:` | `'headers' contains an invalid header name: "..."` |
//! | a header value with a line break | `'headers' value of "X" must not contain line breaks` |
//! | a reserved header (From, To, Subject, Content-Type, ...) | `'headers' must not set the reserved header "From"` |
//!
//! `Content-Transfer-Encoding` given in `headers` is ignored (the real API replaces it too).
//! `Reply-To` in `headers` is honoured only when the `reply_to` field is absent.

use std::borrow::Cow;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::text::Text;
use mail_builder::mime::{BodyPart, MimePart};

use mailtrap_sandbox_rules::{
    CATEGORY_HEADER, CUSTOM_VARIABLES_HEADER, MAX_CATEGORY_LEN, MAX_CUSTOM_VARIABLES_BYTES,
    MAX_RECIPIENTS_PER_FIELD, is_valid_address, reserved_header,
};

use super::media_types::guess_from_filename;
use super::{Composed, SendAddress, SendAttachment, SendRequest};

/// Base64 as senders write it: standard alphabet, padding optional, line breaks allowed
/// (they are removed before decoding).
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// An attachment after validation.
struct Part {
    filename: String,
    content_type: String,
    inline: bool,
    content_id: Option<String>,
    content: Vec<u8>,
}

/// Validates `request` and builds the message. See the module documentation for the rules.
pub(crate) fn compose_message(request: &SendRequest) -> Result<Composed, Vec<String>> {
    let mut errors = Vec::new();

    let from = check_from(request.from.as_ref(), &mut errors);
    check_recipients(request, &mut errors);
    if let Some(reply_to) = &request.reply_to {
        check_addresses("reply_to", std::slice::from_ref(reply_to), &mut errors);
    }
    let subject = non_empty(request.subject.as_deref());
    if subject.is_none() && request.template_uuid.is_none() {
        errors.push("'subject' is required".to_owned());
    }
    let text = non_empty(request.text.as_deref());
    let html = non_empty(request.html.as_deref());
    if text.is_none() && html.is_none() {
        errors.push("must specify either text or html body".to_owned());
    }
    let parts = check_attachments(&request.attachments, &mut errors);
    if let Some(category) = &request.category
        && category.chars().count() > MAX_CATEGORY_LEN
    {
        errors.push(format!(
            "'category' is too long (maximum is {MAX_CATEGORY_LEN} characters)"
        ));
    }
    let custom_variables = if request.custom_variables.is_empty() {
        None
    } else {
        let json = serde_json::to_string(&request.custom_variables).unwrap_or_default();
        if json.len() > MAX_CUSTOM_VARIABLES_BYTES {
            errors.push(format!(
                "'custom_variables' must not exceed {MAX_CUSTOM_VARIABLES_BYTES} bytes"
            ));
        }
        Some(json)
    };
    let headers = check_headers(request, &mut errors);

    let Some(from) = from else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut builder = MessageBuilder::new().from(address(from));
    if !request.to.is_empty() {
        builder = builder.to(address_list(&request.to));
    }
    if !request.cc.is_empty() {
        builder = builder.cc(address_list(&request.cc));
    }
    if let Some(reply_to) = &request.reply_to {
        builder = builder.reply_to(address(reply_to));
    }
    builder = builder.subject(Text::new(subject.unwrap_or_default()));
    for (name, value) in headers {
        builder = builder.header(name, Text::new(value));
    }
    if let Some(category) = &request.category {
        builder = builder.header(CATEGORY_HEADER, Text::new(category.as_str()));
    }
    if let Some(json) = custom_variables {
        builder = builder.header(CUSTOM_VARIABLES_HEADER, Text::new(json));
    }
    builder = builder.body(mime_tree(text, html, parts));

    let raw = builder
        .write_to_vec()
        .map_err(|error| vec![format!("the message could not be built: {error}")])?;

    Ok(Composed {
        raw,
        mail_from: from.email.trim().to_owned(),
        rcpt_to: request
            .to
            .iter()
            .chain(&request.cc)
            .chain(&request.bcc)
            .map(|recipient| recipient.email.trim().to_owned())
            .collect(),
    })
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.trim().is_empty())
}

fn check_from<'a>(
    from: Option<&'a SendAddress>,
    errors: &mut Vec<String>,
) -> Option<&'a SendAddress> {
    match from {
        Some(from) if !from.email.trim().is_empty() => {
            if is_valid_address(from.email.trim()) {
                Some(from)
            } else {
                errors.push("'from' address is invalid".to_owned());
                None
            }
        }
        _ => {
            errors.push("'from' is required".to_owned());
            None
        }
    }
}

fn check_recipients(request: &SendRequest, errors: &mut Vec<String>) {
    if request.to.is_empty() && request.cc.is_empty() && request.bcc.is_empty() {
        errors.push("'to', 'cc' or 'bcc' address is required".to_owned());
    }
    for (field, list) in [
        ("to", &request.to),
        ("cc", &request.cc),
        ("bcc", &request.bcc),
    ] {
        if list.len() > MAX_RECIPIENTS_PER_FIELD {
            errors.push(format!(
                "'{field}' must not contain more than {MAX_RECIPIENTS_PER_FIELD} addresses"
            ));
        }
        check_addresses(field, list, errors);
    }
}

fn check_addresses(field: &str, list: &[SendAddress], errors: &mut Vec<String>) {
    for entry in list {
        if !is_valid_address(entry.email.trim()) {
            errors.push(format!("'{field}' address is invalid: {:?}", entry.email));
        }
    }
}

fn check_attachments(attachments: &[SendAttachment], errors: &mut Vec<String>) -> Vec<Part> {
    let mut parts = Vec::with_capacity(attachments.len());
    for (index, attachment) in attachments.iter().enumerate() {
        let field = format!("attachments[{index}]");
        let filename = attachment.filename.trim();
        if filename.is_empty() {
            errors.push(format!("'{field}.filename' is required"));
        }
        let inline = match attachment.disposition.as_deref().map(str::trim) {
            None | Some("") => false,
            Some(value) if value.eq_ignore_ascii_case("attachment") => false,
            Some(value) if value.eq_ignore_ascii_case("inline") => true,
            Some(_) => {
                errors.push(format!(
                    "'{field}.disposition' must be 'attachment' or 'inline'"
                ));
                false
            }
        };
        let compact: String = attachment
            .content
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let content = if compact.is_empty() {
            errors.push(format!("'{field}.content' is required"));
            None
        } else {
            match LENIENT_BASE64.decode(compact.as_bytes()) {
                Ok(content) => Some(content),
                Err(_) => {
                    errors.push(format!("'{field}.content' is not valid base64"));
                    None
                }
            }
        };
        let content_type = attachment
            .content_type
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map_or_else(|| guess_from_filename(filename).to_owned(), str::to_owned);
        if let Some(content) = content {
            parts.push(Part {
                filename: filename.to_owned(),
                content_type,
                inline,
                content_id: attachment
                    .content_id
                    .as_deref()
                    .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>'))
                    .filter(|id| !id.is_empty())
                    .map(str::to_owned),
                content,
            });
        }
    }
    parts
}

/// Valid custom headers in name order (the request's map is sorted), minus those the real API ignores.
fn check_headers<'a>(
    request: &'a SendRequest,
    errors: &mut Vec<String>,
) -> Vec<(&'a str, &'a str)> {
    let mut headers = Vec::with_capacity(request.headers.len());
    for (name, value) in &request.headers {
        let name = name.as_str();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            errors.push(format!(
                "'headers' contains an invalid header name: {name:?}"
            ));
            continue;
        }
        if value.contains(['\r', '\n']) {
            errors.push(format!(
                "'headers' value of {name:?} must not contain line breaks"
            ));
            continue;
        }
        if let Some(reserved) = reserved_header(name) {
            errors.push(format!(
                "'headers' must not set the reserved header {reserved:?}"
            ));
            continue;
        }
        let ignored = name.eq_ignore_ascii_case("Content-Transfer-Encoding")
            || (name.eq_ignore_ascii_case("Reply-To") && request.reply_to.is_some());
        if !ignored {
            headers.push((name, value.as_str()));
        }
    }
    headers
}

fn address(entry: &SendAddress) -> Address<'_> {
    let name = entry
        .name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty());
    Address::new_address(name, entry.email.trim())
}

fn address_list(list: &[SendAddress]) -> Address<'_> {
    Address::new_list(list.iter().map(address).collect())
}

/// Builds the body:
/// `multipart/mixed[ multipart/related[ multipart/alternative[text, html], inline… ], attachment… ]`,
/// each level present only when needed.
fn mime_tree<'x>(text: Option<&'x str>, html: Option<&'x str>, parts: Vec<Part>) -> MimePart<'x> {
    let text_part =
        text.map(|text| MimePart::new("text/plain", BodyPart::Text(Cow::Borrowed(text))));
    let html_part =
        html.map(|html| MimePart::new("text/html", BodyPart::Text(Cow::Borrowed(html))));
    let mut body = match (text_part, html_part) {
        (Some(text), Some(html)) => MimePart::new("multipart/alternative", vec![text, html]),
        (Some(only), None) | (None, Some(only)) => only,
        // Validation guarantees a body; an empty text part keeps the builder total anyway.
        (None, None) => MimePart::new("text/plain", BodyPart::Text(Cow::Borrowed(""))),
    };

    let (inline, attached): (Vec<Part>, Vec<Part>) =
        parts.into_iter().partition(|part| part.inline);
    if !inline.is_empty() {
        let mut related = vec![body];
        related.extend(inline.into_iter().map(leaf));
        body = MimePart::new("multipart/related", related);
    }
    if !attached.is_empty() {
        let mut mixed = vec![body];
        mixed.extend(attached.into_iter().map(leaf));
        body = MimePart::new("multipart/mixed", mixed);
    }
    body
}

fn leaf<'x>(part: Part) -> MimePart<'x> {
    let disposition = ContentType::new(if part.inline { "inline" } else { "attachment" })
        .attribute("filename", part.filename);
    let mut mime = MimePart::new(
        ContentType::new(part.content_type),
        BodyPart::Binary(Cow::Owned(part.content)),
    )
    .header("Content-Disposition", disposition);
    if let Some(content_id) = part.content_id {
        mime = mime.cid(content_id);
    }
    mime
}
