//! The spam report: each rule fires when it should and only then; the JSON shape is Mailtrap's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mailtrap_sandbox_emulator::analysis::{SpamReport, spam_report};
use mailtrap_sandbox_emulator::mail::parse;

/// A clean message: every header present, text and HTML, nothing suspicious.
fn clean(html: &str, text: &str, subject: &str) -> String {
    format!(
        "From: Shop <shop@store.example>\r\n\
To: Buyer <buyer@home.example>\r\n\
Subject: {subject}\r\n\
Message-ID: <order-1@store.example>\r\n\
Date: Tue, 02 Jan 2024 09:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"alt\"\r\n\
\r\n\
--alt\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
{text}\r\n\
--alt\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
{html}\r\n\
--alt--\r\n"
    )
}

const LONG_TEXT: &str = "Thank you for your order. Your parcel leaves our warehouse tomorrow \
morning and should reach you within three working days.";

fn html_with(body: &str) -> String {
    format!("<html><body><p>{LONG_TEXT}</p>{body}</body></html>")
}

fn report_for(raw: &str) -> SpamReport {
    spam_report(&parse(raw.as_bytes()))
}

fn fired(report: &SpamReport) -> Vec<&str> {
    report
        .details
        .iter()
        .map(|d| d.rule_name.as_str())
        .collect()
}

fn fires(raw: &str, rule: &str) -> bool {
    fired(&report_for(raw)).contains(&rule)
}

fn baseline() -> String {
    clean(&html_with(""), LONG_TEXT, "Your order has shipped")
}

#[test]
fn clean_message_only_gets_the_informational_html_rule() {
    let report = report_for(&baseline());
    assert_eq!(fired(&report), ["HTML_MESSAGE"]);
    assert_eq!(report.score, 0.0);
    assert!(!report.spam);
    assert_eq!(report.details[0].pts, "0.0");
}

#[test]
fn missing_mid() {
    assert!(!fires(&baseline(), "MISSING_MID"));
    let raw = baseline().replace("Message-ID: <order-1@store.example>\r\n", "");
    assert!(fires(&raw, "MISSING_MID"));
}

#[test]
fn missing_date() {
    assert!(!fires(&baseline(), "MISSING_DATE"));
    let raw = baseline().replace("Date: Tue, 02 Jan 2024 09:00:00 +0000\r\n", "");
    assert!(fires(&raw, "MISSING_DATE"));
}

#[test]
fn missing_from() {
    assert!(!fires(&baseline(), "MISSING_FROM"));
    let raw = baseline().replace("From: Shop <shop@store.example>\r\n", "");
    assert!(fires(&raw, "MISSING_FROM"));
}

#[test]
fn missing_headers_means_no_to() {
    assert!(!fires(&baseline(), "MISSING_HEADERS"));
    let raw = baseline().replace("To: Buyer <buyer@home.example>\r\n", "");
    assert!(fires(&raw, "MISSING_HEADERS"));
}

#[test]
fn missing_subject_absent_or_blank() {
    assert!(!fires(&baseline(), "MISSING_SUBJECT"));
    assert!(fires(
        &clean(&html_with(""), LONG_TEXT, "   "),
        "MISSING_SUBJECT"
    ));
    let raw = baseline().replace("Subject: Your order has shipped\r\n", "");
    assert!(fires(&raw, "MISSING_SUBJECT"));
}

#[test]
fn subject_all_caps() {
    let with = |subject: &str| fires(&clean(&html_with(""), LONG_TEXT, subject), "SUBJ_ALL_CAPS");
    assert!(with("FREE MONEY INSIDE"));
    assert!(with("ÜBER ANGEBOT 2024"));
    assert!(!with("Free money inside"));
    assert!(!with("OK 42"), "too few letters");
    assert!(!with("2024-01-02 12:00"), "no letters");
}

#[test]
fn subject_excess_exclamation() {
    let with = |subject: &str| {
        fires(
            &clean(&html_with(""), LONG_TEXT, subject),
            "SUBJ_EXCESS_EXCLAMATION",
        )
    };
    assert!(with("Act now!!!"));
    assert!(with("Win! Win! Win!"));
    assert!(!with("Hello! Welcome!"));
}

#[test]
fn empty_message() {
    assert!(!fires(&baseline(), "EMPTY_MESSAGE"));
    let raw = "From: a@b.example\r\nTo: c@d.example\r\nSubject: nothing\r\n\r\n   \r\n";
    assert!(fires(raw, "EMPTY_MESSAGE"));
    let with_attachment = "From: a@b.example\r\nSubject: file\r\n\
Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\
Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n%PDF\r\n--m--\r\n";
    assert!(!fires(with_attachment, "EMPTY_MESSAGE"));
}

#[test]
fn html_message_and_html_only() {
    let text_only = "From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\n\r\nplain words\r\n";
    assert!(!fires(text_only, "HTML_MESSAGE"));
    assert!(!fires(text_only, "MIME_HTML_ONLY"));
    assert!(fires(&baseline(), "HTML_MESSAGE"));
    assert!(!fires(&baseline(), "MIME_HTML_ONLY"));
    let html_only = format!(
        "From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n{}\r\n",
        html_with("")
    );
    assert!(fires(&html_only, "HTML_MESSAGE"));
    assert!(fires(&html_only, "MIME_HTML_ONLY"));
}

#[test]
fn html_image_only() {
    let image_only = clean(
        "<html><head><title>A long title that is not visible text at all, really not</title></head>\
<body><img src=\"https://cdn.store.example/banner.png\"><p>Buy</p></body></html>",
        LONG_TEXT,
        "Sale",
    );
    assert!(fires(&image_only, "HTML_IMAGE_ONLY"));
    let image_with_text = clean(
        &html_with("<img src=\"https://cdn.store.example/banner.png\">"),
        LONG_TEXT,
        "Sale",
    );
    assert!(!fires(&image_with_text, "HTML_IMAGE_ONLY"));
    let no_image = clean("<p>Buy</p>", LONG_TEXT, "Sale");
    assert!(!fires(&no_image, "HTML_IMAGE_ONLY"));
}

#[test]
fn html_link_mismatch() {
    let with = |link: &str| {
        fires(
            &clean(&html_with(link), LONG_TEXT, "Account notice"),
            "HTML_LINK_MISMATCH",
        )
    };
    assert!(with(
        "<a href=\"https://login.phish.test/x\">www.mybank.example</a>"
    ));
    assert!(with(
        "<a href=\"http://phish.test\">https://mybank.example/login</a>"
    ));
    assert!(!with(
        "<a href=\"https://mybank.example/login\">www.mybank.example</a>"
    ));
    assert!(!with(
        "<a href=\"https://click.mybank.example/t/1\">mybank.example</a>"
    ));
    assert!(!with("<a href=\"https://phish.test\">Log in here</a>"));
}

#[test]
fn numeric_http_addr_in_html_or_text() {
    let html_link = clean(
        &html_with("<a href=\"http://192.0.2.7/pay\">pay</a>"),
        LONG_TEXT,
        "Invoice",
    );
    assert!(fires(&html_link, "NUMERIC_HTTP_ADDR"));
    let text_link = clean(
        &html_with(""),
        "Pay at http://[2001:db8::1]/pay today.",
        "Invoice",
    );
    assert!(fires(&text_link, "NUMERIC_HTTP_ADDR"));
    let named = clean(
        &html_with("<a href=\"https://pay.store.example/\">pay</a>"),
        "see https://store.example/a",
        "Invoice",
    );
    assert!(!fires(&named, "NUMERIC_HTTP_ADDR"));
}

#[test]
fn uri_shortener() {
    let html_link = clean(
        &html_with("<a href=\"https://bit.ly/3xYz\">offer</a>"),
        LONG_TEXT,
        "Offer",
    );
    assert!(fires(&html_link, "URI_SHORTENER"));
    let text_link = clean(&html_with(""), "Go to https://tinyurl.com/abc now", "Offer");
    assert!(fires(&text_link, "URI_SHORTENER"));
    let normal = clean(
        &html_with("<a href=\"https://bitly.example/3xYz\">offer</a>"),
        LONG_TEXT,
        "Offer",
    );
    assert!(!fires(&normal, "URI_SHORTENER"));
}

#[test]
fn score_is_the_rounded_sum_and_spam_is_at_threshold() {
    let raw = "Subject: FREE!!!\r\nContent-Type: text/html\r\n\r\n<img src=\"http://10.0.0.1/a.png\"><a href=\"https://bit.ly/x\">x</a>\r\n";
    let report = report_for(raw);
    let names = fired(&report);
    assert_eq!(
        names,
        [
            "MISSING_MID",
            "MISSING_DATE",
            "MISSING_FROM",
            "MISSING_HEADERS",
            "SUBJ_EXCESS_EXCLAMATION",
            "HTML_MESSAGE",
            "MIME_HTML_ONLY",
            "HTML_IMAGE_ONLY",
            "URI_SHORTENER",
        ]
    );
    // 0.1 + 1.4 + 1.0 + 1.0 + 0.8 + 0.0 + 0.7 + 1.2 + 1.0 = 7.2 ("FREE" has 4 letters: not all-caps).
    assert_eq!(report.score, 7.2);
    assert!(report.spam);
    assert_eq!(report.threshold, 5.0);
    let pts: Vec<&str> = report.details.iter().map(|d| d.pts.as_str()).collect();
    assert_eq!(
        pts,
        [
            "0.1", "1.4", "1.0", "1.0", "0.8", "0.0", "0.7", "1.2", "1.0"
        ]
    );
}

#[test]
fn report_json_has_mailtraps_field_names() {
    let raw = baseline().replace("Message-ID: <order-1@store.example>\r\n", "");
    let json = serde_json::to_value(report_for(&raw)).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "Details",
            "ResponseCode",
            "ResponseMessage",
            "ResponseVersion",
            "Score",
            "Spam",
            "Threshold"
        ]
    );
    assert_eq!(json["ResponseCode"], 0);
    assert_eq!(json["ResponseMessage"], "EX_OK");
    assert_eq!(json["ResponseVersion"], "1.1");
    assert_eq!(json["Score"], 0.1);
    assert_eq!(json["Spam"], false);
    assert_eq!(json["Threshold"], 5.0);
    let detail = json["Details"][0].as_object().unwrap();
    let mut detail_keys: Vec<&str> = detail.keys().map(String::as_str).collect();
    detail_keys.sort_unstable();
    assert_eq!(detail_keys, ["Description", "Pts", "RuleName"]);
    assert_eq!(detail["Pts"], "0.1");
    assert_eq!(detail["RuleName"], "MISSING_MID");
}

#[test]
fn analysis_is_deterministic() {
    let raw = baseline();
    assert_eq!(report_for(&raw), report_for(&raw));
}
