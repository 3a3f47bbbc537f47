//! Parsing `.eml` messages: multipart structure, attachments, encoded headers, garbage.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use mailtrap_sandbox::eml::{Disposition, Eml, EmlError};
use mailtrap_sandbox::extract::{Field, PlaceholderStyle};

/// A sign-up confirmation as a typical application sends it: alternative text and HTML, an
/// inline logo, a PDF attachment, encoded and folded headers.
fn welcome_eml() -> String {
    [
        "Return-Path: <bounce@app.example.test>",
        "Received: from mta.example.test (mta.example.test [192.0.2.10])",
        "\tby mx.sandbox.test with ESMTPS id 4f1c; Tue, 05 Nov 2024 10:15:02 +0000",
        "From: =?UTF-8?Q?Caf=C3=A9_Example?= <no-reply@app.example.test>",
        "To: =?UTF-8?B?QW5hIEzDrW1h?= <ana@example.test>, ben@example.test",
        "Cc: Team <team@example.test>",
        "Reply-To: \"Support, Example\" <help@example.test>",
        "Subject: =?UTF-8?Q?Bem-vinda_=C3=A0_Example?= =?UTF-8?Q?,_Ana!?=",
        "Date: Tue, 05 Nov 2024 10:15:00 -0300",
        "Message-ID: <welcome-81.1730812500@app.example.test>",
        "X-Campaign: signup",
        "x-campaign: second-value",
        "X-Long-Header: first part",
        "   continued on the next line",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"outer-b0und\"",
        "",
        "This is a multi-part message in MIME format.",
        "--outer-b0und",
        "Content-Type: multipart/related; boundary=\"rel-b0und\"",
        "",
        "--rel-b0und",
        "Content-Type: multipart/alternative; boundary=\"alt-b0und\"",
        "",
        "--alt-b0und",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Ol=C3=A1 Ana,",
        "",
        "Confirm your address: https://app.example.test/confirm?u=3D81&t=3DQm9%2Fx+Y%3=",
        "D.",
        "Your confirmation code is 518 204.",
        "--alt-b0und",
        "Content-Type: text/html; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        // <p>Olá Ana,</p><p><a href="https://app.example.test/confirm?u=81&amp;t=Qm9%2Fx+Y%3D">Confirm my address</a></p><img src="cid:logo@example">
        "PHA+T2zDoSBBbmEsPC9wPjxwPjxhIGhyZWY9Imh0dHBzOi8vYXBwLmV4YW1wbGUudGVzdC9jb25m",
        "aXJtP3U9ODEmYW1wO3Q9UW05JTJGeCtZJTNEIj5Db25maXJtIG15IGFkZHJlc3M8L2E+PC9wPjxp",
        "bWcgc3JjPSJjaWQ6bG9nb0BleGFtcGxlIj4=",
        "--alt-b0und--",
        "--rel-b0und",
        "Content-Type: image/png",
        "Content-Transfer-Encoding: base64",
        "Content-ID: <logo@example>",
        "Content-Disposition: inline; filename=\"logo.png\"",
        "",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "--rel-b0und--",
        "--outer-b0und",
        "Content-Type: application/pdf; name=\"=?UTF-8?Q?Termos_de_servi=C3=A7o.pdf?=\"",
        "Content-Transfer-Encoding: base64",
        "Content-Disposition: attachment; filename*=UTF-8''Termos%20de%20servi%C3%A7o.pdf",
        "",
        "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCnRyYWlsZXIKPDw+PgolJUVPRgo=",
        "--outer-b0und",
        "Content-Type: text/csv; charset=utf-8",
        "Content-Disposition: attachment; filename=\"plan.csv\"",
        "",
        "plan,price",
        "pro,12",
        "--outer-b0und--",
        "",
    ]
    .join("\r\n")
}

#[test]
fn addresses_subject_date_and_ids_are_decoded() {
    let eml = Eml::parse(welcome_eml()).unwrap();
    let from = eml.from().unwrap();
    assert_eq!(from.name.as_deref(), Some("Café Example"));
    assert_eq!(from.email, "no-reply@app.example.test");
    let to: Vec<(Option<&str>, &str)> = eml
        .to()
        .iter()
        .map(|m| (m.name.as_deref(), m.email.as_str()))
        .collect();
    assert_eq!(
        to,
        [
            (Some("Ana Líma"), "ana@example.test"),
            (None, "ben@example.test")
        ]
    );
    assert_eq!(eml.cc()[0].to_string(), "Team <team@example.test>");
    assert!(eml.bcc().is_empty());
    assert_eq!(eml.reply_to()[0].name.as_deref(), Some("Support, Example"));
    assert!(eml.has_recipient("ANA@example.test"));
    assert!(eml.has_recipient("team@example.test"));
    assert!(!eml.has_recipient("nobody@example.test"));
    assert_eq!(eml.subject(), Some("Bem-vinda à Example, Ana!"));
    assert_eq!(
        eml.date().unwrap().to_rfc3339(),
        "2024-11-05T10:15:00-03:00"
    );
    assert_eq!(
        eml.message_id(),
        Some("welcome-81.1730812500@app.example.test")
    );
}

#[test]
fn headers_keep_order_and_are_looked_up_ignoring_case() {
    let eml = Eml::parse(welcome_eml()).unwrap();
    let names: Vec<&str> = eml.headers().iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"Return-Path"));
    assert_eq!(names.last(), Some(&"Content-Type"));
    assert_eq!(eml.header("x-campaign"), Some("signup"));
    assert_eq!(
        eml.header_all("X-CAMPAIGN").collect::<Vec<_>>(),
        ["signup", "second-value"]
    );
    assert_eq!(
        eml.header("X-Long-Header"),
        Some("first part continued on the next line")
    );
    assert_eq!(
        eml.header("to"),
        Some("Ana Líma <ana@example.test>, ben@example.test")
    );
    assert_eq!(eml.header("date"), Some("Tue, 05 Nov 2024 10:15:00 -0300"));
    assert!(
        eml.header("received").unwrap().starts_with(
            "from mta.example.test (mta.example.test [192.0.2.10]) by mx.sandbox.test"
        )
    );
    assert_eq!(eml.header("X-Missing"), None);
}

#[test]
fn bodies_are_decoded() {
    let eml = Eml::parse(welcome_eml()).unwrap();
    let text = eml.text().unwrap();
    assert!(text.starts_with("Olá Ana,"), "{text}");
    assert!(
        text.contains("https://app.example.test/confirm?u=81&t=Qm9%2Fx+Y%3D."),
        "{text}"
    );
    let html = eml.html().unwrap();
    assert!(html.contains("<p>Olá Ana,</p>"), "{html}");
}

#[test]
fn attachments_and_inline_parts_are_listed() {
    let eml = Eml::parse(welcome_eml()).unwrap();
    let parts: Vec<(Option<&str>, &str, Option<&str>, Disposition, usize)> = eml
        .attachments()
        .iter()
        .map(|a| {
            (
                a.filename.as_deref(),
                a.content_type.as_str(),
                a.content_id.as_deref(),
                a.disposition,
                a.size(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            (
                Some("logo.png"),
                "image/png",
                Some("logo@example"),
                Disposition::Inline,
                70
            ),
            (
                Some("Termos de serviço.pdf"),
                "application/pdf",
                None,
                Disposition::Attachment,
                71
            ),
            (
                Some("plan.csv"),
                "text/csv",
                None,
                Disposition::Attachment,
                18
            ),
        ]
    );
    let logo = eml.inline_part("cid:logo@example").unwrap();
    assert!(logo.is_inline());
    assert!(logo.content.starts_with(b"\x89PNG\r\n"));
    assert_eq!(eml.inline_part("<logo@example>"), Some(logo));
    let pdf = eml.attachment("Termos de serviço.pdf").unwrap();
    assert!(pdf.content.starts_with(b"%PDF-1.4"));
    assert_eq!(
        eml.attachment("plan.csv").unwrap().text(),
        Some("plan,price\r\npro,12")
    );
    assert!(eml.attachment("nope.txt").is_none());
}

#[test]
fn extraction_helpers_work_on_the_parsed_message() {
    let eml = Eml::parse(welcome_eml()).unwrap();
    assert_eq!(
        eml.links(),
        ["https://app.example.test/confirm?u=81&t=Qm9%2Fx+Y%3D",]
    );
    assert_eq!(
        eml.link_with_text("confirm my").as_deref(),
        Some("https://app.example.test/confirm?u=81&t=Qm9%2Fx+Y%3D")
    );
    assert_eq!(
        eml.link_containing("/confirm").as_deref(),
        Some("https://app.example.test/confirm?u=81&t=Qm9%2Fx+Y%3D")
    );
    assert_eq!(eml.anchors().len(), 1);
    assert_eq!(eml.one_time_code().as_deref(), Some("518204"));
    assert!(eml.placeholders().is_empty());
    assert!(eml.check_placeholders().is_ok());
}

#[test]
fn html_only_message_with_placeholders() {
    let raw = "From: app@example.test\r\n\
               To: ana@example.test\r\n\
               Subject: Hello {{ first_name }}\r\n\
               Content-Type: text/html; charset=iso-8859-1\r\n\
               Content-Transfer-Encoding: quoted-printable\r\n\
               \r\n\
               <p>Ol=E1 %FIRST_NAME%, your sign-in code:</p><h1>40 7788</h1>\r\n\
               <p>Ignore 2025.</p><a href=3D\"https://app.example.test/s?t=3D${token}\">go</a>\r\n";
    let eml = Eml::parse(raw).unwrap();
    assert_eq!(eml.text(), None);
    assert!(eml.html().unwrap().contains("Olá"));
    // No text body: the code is looked for in the HTML's text.
    assert_eq!(
        eml.one_time_code(),
        None,
        "two digits then four: not one code"
    );
    let found = eml.placeholders();
    let summary: Vec<(Field, PlaceholderStyle, &str)> = found
        .iter()
        .map(|p| (p.field, p.style, p.name.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (Field::Subject, PlaceholderStyle::DoubleBraces, "first_name"),
            (Field::Html, PlaceholderStyle::Percent, "FIRST_NAME"),
            (Field::Html, PlaceholderStyle::DollarBraces, "token"),
        ]
    );
    let err = eml.check_placeholders().unwrap_err();
    assert_eq!(err.0.len(), 3);
}

#[test]
fn code_in_html_only_message() {
    let raw = "From: app@example.test\r\nTo: ana@example.test\r\nSubject: Code\r\n\
               Content-Type: text/html\r\n\r\n<p>Your verification code</p><p><b>660 917</b></p>\r\n";
    assert_eq!(
        Eml::parse(raw).unwrap().one_time_code().as_deref(),
        Some("660917")
    );
}

#[test]
fn group_addresses_are_flattened() {
    let raw = "From: app@example.test\r\n\
               To: Friends: ana@example.test, \"Ben B\" <ben@example.test>;, solo@example.test\r\n\
               Subject: Group\r\n\r\nBody\r\n";
    let eml = Eml::parse(raw).unwrap();
    let emails: Vec<&str> = eml.to().iter().map(|m| m.email.as_str()).collect();
    assert_eq!(
        emails,
        ["ana@example.test", "ben@example.test", "solo@example.test"]
    );
    assert_eq!(eml.text(), Some("Body\r\n"));
}

#[test]
fn bare_lf_messages_parse() {
    let raw = "From: a@example.test\nTo: b@example.test\nSubject: LF only\n\nHello\nthere\n";
    let eml = Eml::parse(raw).unwrap();
    assert_eq!(eml.subject(), Some("LF only"));
    assert_eq!(eml.text(), Some("Hello\nthere\n"));
}

#[test]
fn empty_input_is_an_error() {
    for raw in ["", "   \r\n\t "] {
        let err = Eml::parse(raw).unwrap_err();
        assert!(matches!(err, EmlError::NotAMessage(_)), "{err:?}");
        assert_eq!(err.to_string(), "not an email message: the input is empty");
    }
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.eml");
    let err = Eml::read(&path).unwrap_err();
    assert!(matches!(err, EmlError::Io { .. }));
    assert!(err.to_string().contains("absent.eml"), "{err}");
}

#[test]
fn file_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("welcome.eml");
    std::fs::write(&path, welcome_eml()).unwrap();
    assert_eq!(
        Eml::read(&path).unwrap(),
        Eml::parse(welcome_eml()).unwrap()
    );
}

#[test]
fn garbage_never_panics() {
    let mut inputs: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02\xff\xfe".to_vec(),
        b"not an email at all".to_vec(),
        b":::\r\n:\r\n\r\n".to_vec(),
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x\r\n--x--".to_vec(),
        b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n----\r\n".to_vec(),
        b"Subject: =?UTF-8?B?!!!notbase64?=\r\nFrom: <<<@>>>\r\nDate: yesterday-ish\r\n\r\n"
            .to_vec(),
        b"Content-Transfer-Encoding: base64\r\n\r\n$$$$not base64$$$$".to_vec(),
        b"Content-Type: text/plain; charset=x-unknown-charset\r\n\r\n\xe9\xe8".to_vec(),
        "Subject: ünïcödé raw\r\n\r\nbody".as_bytes().to_vec(),
    ];
    // Deep nesting and a truncated copy of a real message.
    let mut nested = String::new();
    for depth in 0..200 {
        nested.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{depth}\r\n\r\n--b{depth}\r\n"
        ));
    }
    inputs.push(nested.into_bytes());
    let welcome = welcome_eml().into_bytes();
    for cut in [10, 100, 500, 1000, 1500, welcome.len() - 3] {
        inputs.push(welcome[..cut].to_vec());
    }
    for input in inputs {
        if let Ok(eml) = Eml::parse(&input) {
            // Every accessor copes with whatever was read.
            let _ = (
                eml.links(),
                eml.one_time_code(),
                eml.placeholders(),
                eml.anchors(),
            );
            let _ = format!("{eml:?}");
        }
    }
}

#[test]
fn debug_is_short() {
    let eml = Eml::parse(welcome_eml()).unwrap();
    let debug = format!("{eml:?}");
    assert!(debug.contains("attachments: 3"), "{debug}");
    assert!(!debug.contains("iVBOR"), "{debug}");
}
