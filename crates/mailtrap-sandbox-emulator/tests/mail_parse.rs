//! `mail::parse` on hand-written messages, ordinary and odd.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mailtrap_sandbox_emulator::mail::{Disposition, Mailbox, parse};

fn mailbox(name: &str, email: &str) -> Mailbox {
    Mailbox {
        email: email.to_owned(),
        name: name.to_owned(),
    }
}

#[test]
fn simple_text_message() {
    let raw = b"From: Ada Lovelace <ada@engine.example>\r\n\
To: charles@engine.example, \"Babbage, C.\" <cb@engine.example>\r\n\
Cc: team@engine.example\r\n\
Reply-To: replies@engine.example\r\n\
Subject: Notes on the engine\r\n\
Message-ID: <note-1@engine.example>\r\n\
Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n\
\r\n\
The engine weaves algebraic patterns.\r\n";
    let mail = parse(raw);
    assert_eq!(mail.subject, "Notes on the engine");
    assert_eq!(
        mail.from,
        Some(mailbox("Ada Lovelace", "ada@engine.example"))
    );
    assert_eq!(
        mail.to,
        vec![
            mailbox("", "charles@engine.example"),
            mailbox("Babbage, C.", "cb@engine.example")
        ]
    );
    assert_eq!(mail.cc, vec![mailbox("", "team@engine.example")]);
    assert!(mail.bcc.is_empty());
    assert_eq!(mail.reply_to, vec![mailbox("", "replies@engine.example")]);
    assert_eq!(mail.message_id.as_deref(), Some("note-1@engine.example"));
    assert_eq!(
        mail.date.as_deref(),
        Some("Mon, 01 Jan 2024 10:00:00 +0000")
    );
    assert_eq!(
        mail.text.as_deref(),
        Some("The engine weaves algebraic patterns.\r\n")
    );
    assert_eq!(mail.html, None);
    assert!(mail.attachments.is_empty());
    let names: Vec<&str> = mail.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "From",
            "To",
            "Cc",
            "Reply-To",
            "Subject",
            "Message-ID",
            "Date"
        ]
    );
    assert_eq!(mail.headers[5].1, "<note-1@engine.example>");
}

#[test]
fn header_names_keep_their_case_and_values_are_unfolded_and_decoded() {
    let raw = "X-custom-HEADER: first part\r\n  second part\r\n\
Subject: =?UTF-8?B?w4ljbGFpciBhdSBjaG9jb2xhdA==?=\r\n\
From: =?ISO-8859-1?Q?Fran=E7ois?= <fr@example.org>\r\n\
\r\nbody\r\n";
    let mail = parse(raw.as_bytes());
    assert_eq!(mail.headers[0].0, "X-custom-HEADER");
    assert_eq!(mail.headers[0].1, "first part  second part");
    assert_eq!(
        mail.headers[1],
        ("Subject".to_owned(), "Éclair au chocolat".to_owned())
    );
    assert_eq!(mail.subject, "Éclair au chocolat");
    assert_eq!(mail.headers[2].1, "François <fr@example.org>");
    assert_eq!(mail.from, Some(mailbox("François", "fr@example.org")));
}

#[test]
fn alternative_bodies_are_charset_decoded() {
    let raw = b"From: a@example.com\r\n\
Subject: alt\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Caf=E9 cr=E8me\r\n\
--b1\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
PHA+Q2Fmw6kgY3LDqG1lPC9wPg==\r\n\
--b1--\r\n";
    let mail = parse(raw);
    assert_eq!(mail.text.as_deref().map(str::trim_end), Some("Café crème"));
    assert_eq!(mail.html.as_deref(), Some("<p>Café crème</p>"));
    assert!(mail.attachments.is_empty());
}

#[test]
fn html_only_message_has_no_text_body() {
    let raw = b"From: a@example.com\r\nContent-Type: text/html\r\n\r\n<b>hi</b>\r\n";
    let mail = parse(raw);
    assert_eq!(mail.text, None);
    assert_eq!(mail.html.as_deref().map(str::trim_end), Some("<b>hi</b>"));
}

#[test]
fn attachments_and_inline_parts() {
    let raw = b"From: a@example.com\r\n\
To: b@example.com\r\n\
Subject: files\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: multipart/related; boundary=\"rel\"\r\n\
\r\n\
--rel\r\n\
Content-Type: text/html\r\n\
\r\n\
<img src=\"cid:logo@x\">\r\n\
--rel\r\n\
Content-Type: image/png\r\n\
Content-Disposition: inline; filename=\"logo.png\"\r\n\
Content-ID: <logo@x>\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
iVBORw0KGgo=\r\n\
--rel--\r\n\
--outer\r\n\
Content-Type: application/pdf; name=\"report.pdf\"\r\n\
Content-Disposition: attachment\r\n\
Content-Transfer-Encoding: Base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--outer\r\n\
Content-Type: application/octet-stream\r\n\
Content-Disposition: attachment\r\n\
\r\n\
raw bytes\r\n\
--outer--\r\n";
    let mail = parse(raw);
    assert_eq!(
        mail.html.as_deref().map(str::trim_end),
        Some("<img src=\"cid:logo@x\">")
    );
    assert_eq!(mail.attachments.len(), 3, "{:#?}", mail.attachments);

    let logo = &mail.attachments[0];
    assert_eq!(logo.filename, "logo.png");
    assert_eq!(logo.content_type, "image/png");
    assert_eq!(logo.content_id.as_deref(), Some("logo@x"));
    assert_eq!(logo.disposition, Disposition::Inline);
    assert_eq!(logo.transfer_encoding.as_deref(), Some("base64"));
    assert_eq!(logo.content, b"\x89PNG\r\n\x1a\n");

    let pdf = &mail.attachments[1];
    assert_eq!(pdf.filename, "report.pdf", "name= of Content-Type is used");
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.content_id, None);
    assert_eq!(pdf.disposition, Disposition::Attachment);
    assert_eq!(
        pdf.transfer_encoding.as_deref(),
        Some("Base64"),
        "as written"
    );
    assert_eq!(pdf.content, b"%PDF-1.4\n");

    let unnamed = &mail.attachments[2];
    assert_eq!(unnamed.filename, "attachment-3.bin");
    assert_eq!(unnamed.transfer_encoding, None);
    assert_eq!(unnamed.content, b"raw bytes");
}

#[test]
fn unnamed_part_gets_an_extension_from_its_type() {
    let raw = b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\
Content-Type: text/plain\r\n\r\nbody\r\n--x\r\n\
Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/\r\n--x--\r\n";
    let mail = parse(raw);
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename, "attachment-1.jpg");
    assert_eq!(mail.attachments[0].content, [0xff, 0xd8, 0xff]);
}

#[test]
fn missing_headers_give_empty_values() {
    let mail = parse(b"Subject: only a subject\r\n\r\nhello");
    assert_eq!(mail.subject, "only a subject");
    assert_eq!(mail.from, None);
    assert!(mail.to.is_empty());
    assert_eq!(mail.message_id, None);
    assert_eq!(mail.date, None);
    assert_eq!(mail.text.as_deref(), Some("hello"));
}

#[test]
fn from_without_name_has_empty_name() {
    let mail = parse(b"From: <bare@example.com>\r\n\r\nx");
    assert_eq!(mail.from, Some(mailbox("", "bare@example.com")));
}

#[test]
fn bcc_header_and_groups() {
    let raw =
        b"To: Friends: one@example.com, Two <two@example.com>;\r\nBcc: hidden@example.com\r\n\r\nx";
    let mail = parse(raw);
    assert_eq!(
        mail.to,
        vec![
            mailbox("", "one@example.com"),
            mailbox("Two", "two@example.com")
        ]
    );
    assert_eq!(mail.bcc, vec![mailbox("", "hidden@example.com")]);
}

#[test]
fn eight_bit_headers_and_body_without_mime() {
    let mut raw = b"Subject: caf\xc3\xa9 \xff\r\nFrom: a@example.com\r\n\r\n".to_vec();
    raw.extend_from_slice(b"na\xefve \xe9t\xe9\r\n");
    let mail = parse(&raw);
    assert!(mail.subject.starts_with("caf"));
    assert!(mail.text.is_some());
}

#[test]
fn bytes_without_headers_become_the_body() {
    let mail = parse(b"just some text, no headers at all");
    assert!(mail.headers.is_empty());
    assert_eq!(mail.subject, "");
    assert_eq!(
        mail.text.as_deref(),
        Some("just some text, no headers at all")
    );
    assert_eq!(parse(b"").text, None);
}

#[test]
fn truncated_multipart_does_not_panic_and_keeps_what_it_can() {
    let raw = b"From: a@example.com\r\nSubject: cut\r\n\
Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\n\
Content-Type: text/plain\r\n\r\nbeginning of the te";
    let mail = parse(raw);
    assert_eq!(mail.subject, "cut");
    assert!(mail.text.unwrap_or_default().starts_with("beginning"));
}

#[test]
fn malformed_message_id_is_kept_as_written() {
    let mail = parse(b"Message-ID: not-an-id\r\n\r\nx");
    assert_eq!(mail.message_id.as_deref(), Some("not-an-id"));
}

#[test]
fn nested_message_is_an_attachment() {
    let raw = b"Subject: fwd\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\
Content-Type: text/plain\r\n\r\nsee attached\r\n--m\r\n\
Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--m--\r\n";
    let mail = parse(raw);
    assert_eq!(
        mail.text.as_deref().map(str::trim_end),
        Some("see attached")
    );
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].content_type, "message/rfc822");
    assert_eq!(mail.attachments[0].filename, "attachment-1.eml");
    assert!(mail.attachments[0].content.starts_with(b"Subject: inner"));
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let alphabet: &[u8] =
        b"ab:-=?\r\n \t<>@\"\\;,.boundary--Content-Type: multipart/mixed\x00\xff\xc3=?utf-8?B?";
    for round in 0..2000 {
        let len = rng.usize(0..600);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if round % 2 == 0 {
                    rng.u8(..)
                } else {
                    alphabet[rng.usize(..alphabet.len())]
                }
            })
            .collect();
        let _ = parse(&bytes);
    }
}

#[test]
fn mime_skeletons_with_random_cuts_never_panic() {
    let base: &[u8] = b"From: \"X\" <x@example.com>\r\nSubject: =?utf-8?q?hi_there?=\r\n\
Content-Type: multipart/mixed; boundary=\"q\"\r\n\r\n--q\r\nContent-Type: multipart/alternative; boundary=\"r\"\r\n\r\n\
--r\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=C1=C2=\r\n\
--r\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+aGk8L2I+\r\n--r--\r\n\
--q\r\nContent-Type: image/gif\r\nContent-Disposition: attachment; filename*=utf-8''%C3%A9.gif\r\n\
Content-Transfer-Encoding: base64\r\n\r\nR0lGOD\r\n--q--\r\n";
    for cut in 0..=base.len() {
        let _ = parse(&base[..cut]);
    }
    let full = parse(base);
    assert_eq!(full.subject, "hi there");
    assert_eq!(full.html.as_deref().map(str::trim_end), Some("<b>hi</b>"));
    assert_eq!(full.attachments.len(), 1);
    assert_eq!(full.attachments[0].filename, "é.gif");
}
