//! Every shape real traffic shows (see the project's API facts) decodes into the generated
//! types. The fixtures are our own, written to reproduce those shapes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use chrono::{TimeZone, Utc};
use mailtrap_sandbox_api::{accounts, sandbox, sending};
use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned>(name: &str) -> T {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn a_legacy_message_with_inbox_id_and_no_blacklist_check() {
    let message: sandbox::types::Message = decode("message-legacy.json");
    assert_eq!(message.id, Some(6_100_200_300));
    assert_eq!(message.inbox_id, Some(9001));
    assert_eq!(message.sandbox_id, None);
    assert_eq!(message.template_id, Some(0));
    assert_eq!(message.template_variables, None);
    assert_eq!(message.from_name.as_deref(), Some(""));
    assert_eq!(
        message.blacklists_report_info,
        Some(sandbox::types::BlacklistsReportInfo::Boolean(false))
    );
    let smtp = message.smtp_information.unwrap();
    assert_eq!(smtp.ok, Some(false));
    assert_eq!(smtp.data, None);
    // -12:00 is read as the instant it names.
    assert_eq!(
        message.sent_at,
        Some(
            Utc.with_ymd_and_hms(2026, 3, 2, 20, 15, 30).unwrap()
                + chrono::Duration::milliseconds(120)
        )
    );
    assert_eq!(
        message.html_path.as_deref(),
        Some("/api/testing_message_parts/ZmFrZS10b2tlbg%2Fabc+def=/body.html")
    );
}

#[test]
fn a_current_message_with_a_blacklist_report_and_smtp_envelope() {
    let message: sandbox::types::Message = decode("message-current.json");
    assert_eq!(message.id, Some(4_294_967_301), "ids above 2^32");
    assert_eq!(message.sandbox_id, Some(9002));
    assert_eq!(message.template_id, None, "template_id: null");
    assert_eq!(
        message.template_variables.unwrap()["plan"],
        serde_json::json!("pro")
    );
    let Some(sandbox::types::BlacklistsReportInfo::BlacklistsReport(report)) =
        message.blacklists_report_info
    else {
        panic!("expected a report");
    };
    assert_eq!(report.result.as_deref(), Some("success"));
    assert_eq!(report.report.len(), 2);
    assert_eq!(report.report[1].url, None, "fields may be missing");
    let data = message.smtp_information.unwrap().data.unwrap();
    assert_eq!(
        data.rcpt_to_addrs,
        ["li@example.test", "audit@example.test"]
    );
}

#[test]
fn a_blacklist_report_with_only_some_fields() {
    let message: sandbox::types::Message = decode("message-partial-blacklist.json");
    assert_eq!(message.template_id, Some(42));
    let Some(sandbox::types::BlacklistsReportInfo::BlacklistsReport(report)) =
        message.blacklists_report_info
    else {
        panic!("expected a report");
    };
    assert_eq!(report.result.as_deref(), Some("pending"));
    assert!(report.report.is_empty() && report.domain.is_none());
}

#[test]
fn spam_points_as_strings_and_numbers() {
    let response: sandbox::types::SpamReportResponse = decode("spam-report.json");
    let report = response.report.unwrap();
    assert_eq!(report.score, Some(1.3));
    assert_eq!(
        report.details[0].pts,
        Some(sandbox::types::SpamRulePts::String("1.2".to_owned()))
    );
    assert_eq!(
        report.details[1].pts,
        Some(sandbox::types::SpamRulePts::Number(0.1))
    );
}

#[test]
fn html_analysis_with_status() {
    let response: sandbox::types::HtmlAnalysisResponse = decode("html-analysis.json");
    let report = response.report.unwrap();
    assert_eq!(report.status.as_deref(), Some("success"));
    assert_eq!(report.errors[0].error_line, Some(12));
    assert_eq!(
        report.errors[0].email_clients.as_ref().unwrap().desktop,
        ["Outlook 2019"]
    );
}

#[test]
fn forward_with_success() {
    let response: sandbox::types::ForwardResponse = decode("forward.json");
    assert_eq!(response.success, Some(true));
}

#[test]
fn attachment_with_an_empty_content_id() {
    let attachment: sandbox::types::Attachment = decode("attachment.json");
    assert_eq!(attachment.content_id.as_deref(), Some(""));
    assert_eq!(attachment.message_id, Some(6_100_200_300));
    assert_eq!(
        attachment.download_path.as_deref(),
        Some("/api/testing_message_parts/YXR0YWNo%2Bx+y=/attachment_download")
    );
}

#[test]
fn sandbox_with_a_null_password_and_an_empty_last_message_time() {
    let sandbox: sandbox::types::Sandbox = decode("sandbox.json");
    assert_eq!(sandbox.password, None);
    assert_eq!(sandbox.last_message_sent_at.as_deref(), Some(""));
    assert_eq!(sandbox.smtp_ports, [25, 587, 2525]);
}

#[test]
fn legacy_project_with_inboxes_an_unknown_status_and_no_share_links() {
    let project: sandbox::types::Project = decode("project-legacy.json");
    assert_eq!(project.share_links, None);
    assert!(project.sandboxes.is_empty());
    assert_eq!(project.inboxes[0].status.as_deref(), Some("frozen"));
    assert_eq!(project.inboxes[0].last_message_sent_at, None);
}

#[test]
fn headers_as_a_string_map() {
    let response: sandbox::types::MailHeadersResponse = decode("headers.json");
    assert_eq!(response.headers["bcc"], "not available for your plan");
    assert_eq!(response.headers["mime_version"], "1.0");
}

#[test]
fn batch_response_with_per_item_errors() {
    let response: sending::types::BatchSendResponse = decode("batch-response.json");
    assert_eq!(response.responses[0].message_ids, ["6100200301"]);
    assert_eq!(response.responses[1].success, Some(false));
    assert_eq!(response.responses[1].errors.len(), 2);
}

#[test]
fn send_response_without_message_ids() {
    let response: sending::types::SendResponse = decode("send-response.json");
    assert_eq!(response.success, Some(true));
    assert!(response.message_ids.is_empty());
}

#[test]
fn account_accesses_with_an_invite_and_an_unknown_specifier_type() {
    let accesses: Vec<accounts::types::AccountAccess> = decode("account-accesses.json");
    let invite = accesses[0].specifier.as_ref().unwrap();
    assert_eq!(invite.email.as_deref(), Some("new@example.test"));
    assert_eq!(invite.name, None);
    assert_eq!(accesses[1].specifier_type.as_deref(), Some("Robot"));
    assert_eq!(accesses[1].resources[0].access_level, Some(1000));
}
