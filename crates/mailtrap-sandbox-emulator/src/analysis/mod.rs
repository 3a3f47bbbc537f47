//! Deterministic message analysis: the spam report and the HTML analysis.
//!
//! SEAM (keep these names and signatures): [`spam_report`] and [`html_analysis`] return the
//! inner `report` object of `GET .../spam_report` and `GET .../analyze`; the HTTP layer wraps
//! them in `{"report": ...}`.

use serde::Serialize;

use crate::mail::ParsedMail;

mod css;
mod html_support;
mod markup;
mod spam;

/// One rule that fired, in Mailtrap's shape (`Pts` is a string such as `"0.1"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpamRule {
    /// Points as a decimal string.
    #[serde(rename = "Pts")]
    pub pts: String,
    /// Rule name, `MISSING_MID`.
    #[serde(rename = "RuleName")]
    pub rule_name: String,
    /// What the rule means.
    #[serde(rename = "Description")]
    pub description: String,
}

/// A spam report in Mailtrap's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpamReport {
    /// `0`.
    #[serde(rename = "ResponseCode")]
    pub response_code: i64,
    /// `EX_OK`.
    #[serde(rename = "ResponseMessage")]
    pub response_message: String,
    /// `1.1`.
    #[serde(rename = "ResponseVersion")]
    pub response_version: String,
    /// Sum of the points.
    #[serde(rename = "Score")]
    pub score: f64,
    /// `Score >= Threshold`.
    #[serde(rename = "Spam")]
    pub spam: bool,
    /// The threshold.
    #[serde(rename = "Threshold")]
    pub threshold: f64,
    /// Rules that fired.
    #[serde(rename = "Details")]
    pub details: Vec<SpamRule>,
}

/// Clients that do not support a construct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct EmailClients {
    /// Desktop clients.
    pub desktop: Vec<String>,
    /// Mobile clients.
    pub mobile: Vec<String>,
    /// Web clients.
    pub web: Vec<String>,
}

/// One construct flagged by the HTML analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HtmlIssue {
    /// 1-based line of the HTML body.
    pub error_line: u32,
    /// Rule name.
    pub rule_name: String,
    /// Clients that do not support it.
    pub email_clients: EmailClients,
}

/// An HTML analysis in Mailtrap's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HtmlAnalysis {
    /// `success`.
    pub status: String,
    /// Flagged constructs.
    pub errors: Vec<HtmlIssue>,
}

/// Scores a message with a small, deterministic rule set in SpamAssassin's spirit.
///
/// `Score` is the sum of the points of the rules that fired (exact to one decimal), `Threshold`
/// is 5.0 and `Spam` is `Score >= Threshold`. `Details` lists the rules that fired, in the
/// order of this table, with `Pts` as a decimal string (`"0.1"`).
///
/// | rule | points | fires when |
/// |---|---|---|
/// | `MISSING_MID` | 0.1 | there is no `Message-ID` header |
/// | `MISSING_DATE` | 1.4 | there is no `Date` header |
/// | `MISSING_FROM` | 1.0 | there is no `From` address |
/// | `MISSING_HEADERS` | 1.0 | there is no `To` header (a Bcc-only message, for one) |
/// | `MISSING_SUBJECT` | 1.8 | the subject is absent or blank |
/// | `SUBJ_ALL_CAPS` | 0.5 | the subject has 5 or more letters and none is lower case |
/// | `SUBJ_EXCESS_EXCLAMATION` | 0.8 | the subject has 3 or more `!` |
/// | `EMPTY_MESSAGE` | 2.3 | there is no text body, no HTML body and no attachment |
/// | `HTML_MESSAGE` | 0.0 | there is an HTML body (informational) |
/// | `MIME_HTML_ONLY` | 0.7 | there is an HTML body and no (non-blank) text body |
/// | `HTML_IMAGE_ONLY` | 1.2 | the HTML has an `<img>` and fewer than 100 visible letters and digits |
/// | `HTML_LINK_MISMATCH` | 1.5 | a link's text is a URL or domain (`www.bank.example`) on another site than its `href` (a subdomain of either side counts as the same site) |
/// | `NUMERIC_HTTP_ADDR` | 1.2 | a link (HTML `href` or a URL in the text body) points to an IP address |
/// | `URI_SHORTENER` | 1.0 | a link goes to a known URL shortener (bit.ly, tinyurl.com, t.co, goo.gl, ow.ly, is.gd, …) |
///
/// Visible HTML text excludes `<head>`, `<title>`, `<style>` and `<script>` content.
pub fn spam_report(mail: &ParsedMail) -> SpamReport {
    spam::report(mail)
}

/// Flags HTML constructs that common email clients do not support, with the 1-based line of
/// the HTML body each occurs on (one entry per rule and line, sorted by line). `None`, empty or
/// blank HTML gives `success` with no errors. The HTML is read with a real tokenizer
/// (`html5gum`): text inside `<style>` is read as CSS; `style` attributes are read as CSS too.
///
/// | rule | flags | desktop clients | mobile clients | web clients |
/// |---|---|---|---|---|
/// | `html-script` | `<script>` | all four | all six | all four |
/// | `html-iframe` | `<iframe>` | Outlook (Windows, macOS), Thunderbird | all six | all four |
/// | `html-object` | `<object>`, `<embed>`, `<applet>` | all four | all six | all four |
/// | `html-form` | `<form>`, `<input>`, `<select>`, `<textarea>` | Outlook (Windows) | Gmail and Outlook apps | Gmail, Outlook.com, Yahoo |
/// | `html-video` | `<video>` | Outlook (Windows), Thunderbird | Gmail and Outlook apps, Samsung Email | all four |
/// | `html-audio` | `<audio>` | Outlook (Windows), Thunderbird | Gmail and Outlook apps, Samsung Email | all four |
/// | `html-svg` | `<svg>` | Outlook (Windows) | Gmail (Android, iOS), Outlook (Android) | Gmail, Outlook.com, Yahoo |
/// | `html-link-stylesheet` | `<link rel="stylesheet">` | Outlook (Windows) | Gmail and Outlook apps | all four |
/// | `css-style-element` | `<style>` | none | Gmail (Android) with non-Gmail accounts | AOL |
/// | `css-import` | `@import` | Outlook (Windows, macOS) | Gmail and Outlook apps | all four |
/// | `css-font-face` | `@font-face` (web fonts) | Outlook (Windows) | Gmail and Outlook apps | all four |
/// | `css-position` | `position: absolute/fixed/relative/sticky` | Outlook (Windows) | Gmail and Outlook apps | Gmail, Outlook.com, Yahoo |
/// | `css-display-flex` | `display: flex/inline-flex` | Outlook (Windows) | Outlook (Android) | Outlook.com, Yahoo |
/// | `css-display-grid` | `display: grid/inline-grid` | Outlook (Windows) | Gmail and Outlook apps | Gmail, Outlook.com, Yahoo |
/// | `css-background-image` | `background-image: url(…)`, `background: … url(…)`, `background="…"` attribute | Outlook (Windows) | Outlook (Android) | none |
///
/// Client names in the report: desktop `Outlook 2016-2021 (Windows)`, `Outlook (macOS)`,
/// `Apple Mail (macOS)`, `Thunderbird`; mobile `Gmail (Android)`, `Gmail (iOS)`,
/// `Outlook (Android)`, `Outlook (iOS)`, `Apple Mail (iOS)`, `Samsung Email (Android)`; web
/// `Gmail (web)`, `Outlook.com`, `Yahoo Mail (web)`, `AOL Mail (web)`.
pub fn html_analysis(html: Option<&str>) -> HtmlAnalysis {
    html_support::analyse(html)
}
