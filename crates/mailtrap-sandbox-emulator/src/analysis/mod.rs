//! Deterministic message analysis: the spam report and the HTML analysis.
//!
//! SEAM (keep these names and signatures): [`spam_report`] and [`html_analysis`] return the
//! inner `report` object of `GET .../spam_report` and `GET .../analyze`; the HTTP layer wraps
//! them in `{"report": ...}`.

use serde::Serialize;

use crate::mail::ParsedMail;

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

/// Scores a message with the documented rule set.
pub fn spam_report(mail: &ParsedMail) -> SpamReport {
    let _ = mail;
    SpamReport {
        response_code: 0,
        response_message: "EX_OK".to_owned(),
        response_version: "1.1".to_owned(),
        score: 0.0,
        spam: false,
        threshold: 5.0,
        details: Vec::new(),
    }
}

/// Flags HTML constructs that common email clients do not support.
pub fn html_analysis(html: Option<&str>) -> HtmlAnalysis {
    let _ = html;
    HtmlAnalysis {
        status: "success".to_owned(),
        errors: Vec::new(),
    }
}
