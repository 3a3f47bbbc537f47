//! Every operation of the API description has a facade test. The table below maps each
//! operationId of `openapi/*.yaml` to the tests that send it and check the decoded answer;
//! this test fails when the specs gain an operation the table lacks, when the table names an
//! operation the specs no longer have, or when a named test does not exist.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::path::Path;

/// operationId → tests (`file::function`, in this directory).
const COVERAGE: &[(&str, &[&str])] = &[
    // openapi/sandbox.yaml
    (
        "getSandboxes",
        &["sandboxes::list_sandboxes_decodes_every_sandbox"],
    ),
    (
        "getProjects",
        &["projects::list_projects_decodes_sandboxes_and_inboxes"],
    ),
    (
        "createProject",
        &[
            "projects::create_project_posts_the_name",
            "projects::create_project_maps_422_field_errors",
        ],
    ),
    ("getProject", &["projects::get_project_reads_one"]),
    (
        "deleteProject",
        &["projects::delete_project_returns_its_id"],
    ),
    (
        "updateProject",
        &["projects::update_project_patches_the_name"],
    ),
    (
        "createSandbox",
        &["projects::create_sandbox_posts_into_the_project"],
    ),
    (
        "getSandboxAttributes",
        &["sandboxes::get_sandbox_reads_one"],
    ),
    (
        "deleteSandbox",
        &["sandboxes::delete_sandbox_answers_with_the_sandbox_as_it_was"],
    ),
    (
        "updateSandbox",
        &[
            "sandboxes::update_sandbox_patches_only_what_was_set",
            "sandboxes::update_sandbox_with_only_a_name_sends_only_the_name",
        ],
    ),
    ("cleanSandbox", &["sandboxes::clean_sandbox_patches_clean"]),
    (
        "markAsReadSandbox",
        &["sandboxes::mark_all_read_patches_all_read"],
    ),
    (
        "resetSandboxCredentials",
        &["sandboxes::reset_credentials_patches_reset_credentials"],
    ),
    (
        "enableSandboxEmailAddresses",
        &[
            "sandboxes::toggle_email_address_patches_the_toggle",
            "sandboxes::enable_email_address_toggles_only_when_off",
            "sandboxes::disable_email_address_toggles_only_when_on",
        ],
    ),
    (
        "resetEmailUserNamePerSandbox",
        &["sandboxes::reset_email_address_patches_reset_email_username"],
    ),
    (
        "showSandboxEmailMessage",
        &[
            "messages::get_message_decodes_the_legacy_shape",
            "messages::get_message_keeps_a_template",
        ],
    ),
    (
        "deleteSandboxEmailMessage",
        &["messages::delete_message_answers_with_the_message"],
    ),
    (
        "updateSandboxEmailMessage",
        &[
            "messages::mark_read_and_unread_send_a_json_boolean",
            "messages::mark_read_body_snapshot",
        ],
    ),
    (
        "getSandboxEmailMessage",
        &[
            "messages::list_sends_search_and_cursor_and_decodes_a_page",
            "messages::list_without_options_sends_no_query",
            "messages::list_sends_a_page_number",
            "pagination::the_stream_walks_pages_of_30_20_and_stops_on_empty",
        ],
    ),
    (
        "forwardSandboxEmailMessage",
        &[
            "messages::forward_posts_the_address_and_reads_success",
            "messages::forward_with_only_a_message_counts_as_success",
        ],
    ),
    (
        "getSandboxEmailMessageSpamReport",
        &["messages::spam_report_reads_points_as_numbers_or_strings"],
    ),
    (
        "getSandboxEmailMessageHTMLAnalysis",
        &["messages::html_analysis_reads_status_and_issues"],
    ),
    (
        "getSandboxEmailMessageBodyAsTxt",
        &[
            "messages::body_endpoints_return_text_and_bytes",
            "messages::a_missing_message_on_a_body_endpoint_is_not_found",
        ],
    ),
    (
        "getSandboxEmailMessageBodyAsRaw",
        &[
            "messages::body_endpoints_return_text_and_bytes",
            "messages::raw_bytes_and_eml_keep_non_utf8_bytes",
        ],
    ),
    (
        "getSandboxEmailMessageBodyAsHtmlSource",
        &["messages::body_endpoints_return_text_and_bytes"],
    ),
    (
        "getSandboxEmailMessageBodyAsHtml",
        &[
            "messages::body_endpoints_return_text_and_bytes",
            "messages::a_missing_body_part_is_its_own_kind",
        ],
    ),
    (
        "getSandboxEmailMessageBodyAsEml",
        &[
            "messages::body_endpoints_return_text_and_bytes",
            "messages::raw_bytes_and_eml_keep_non_utf8_bytes",
        ],
    ),
    (
        "getMailHeadersOfEmailMessage",
        &["messages::headers_are_a_string_map"],
    ),
    (
        "getSandboxMessageAttachments",
        &[
            "attachments::list_attachments_decodes_empty_and_null_content_ids",
            "attachments::list_attachments_filters_by_type",
        ],
    ),
    (
        "getSandboxMessageAttachment",
        &["attachments::get_attachment_reads_one"],
    ),
    // openapi/sending.yaml
    (
        "sendEmail",
        &[
            "sending::send_posts_the_email_to_the_sending_host",
            "sending::send_without_message_ids",
        ],
    ),
    (
        "batchSendEmail",
        &[
            "sending::batch_posts_base_and_requests",
            "sending::batch_keeps_per_item_errors",
        ],
    ),
    // openapi/accounts.yaml
    ("getAllAccounts", &["accounts::accounts_lists_accounts"]),
    (
        "getAllUsersInAccount",
        &[
            "accounts::account_accesses_decode_every_specifier",
            "accounts::account_accesses_send_rails_style_arrays",
            "accounts::project_and_sandbox_users_filter_by_their_id",
        ],
    ),
    (
        "deleteAccountAccessById",
        &["accounts::remove_account_access_returns_its_id"],
    ),
    (
        "updateUserPermissions",
        &["accounts::update_permissions_puts_the_changes_in_bulk"],
    ),
    (
        "getResources",
        &["accounts::permission_resources_are_a_tree"],
    ),
    ("listApiTokens", &["accounts::list_api_tokens"]),
    (
        "createApiToken",
        &["accounts::create_api_token_posts_name_and_resources"],
    ),
    ("getApiToken", &["accounts::get_api_token"]),
    (
        "deleteApiToken",
        &["accounts::delete_api_token_accepts_204_and_200"],
    ),
    (
        "resetApiToken",
        &["accounts::reset_api_token_returns_the_new_value"],
    ),
    (
        "getAccountBillingUsage",
        &["accounts::billing_usage_reads_cycle_and_counters"],
    ),
    (
        "getOrganizationSubAccounts",
        &["accounts::organization_sub_accounts_list"],
    ),
    (
        "createOrganizationSubAccount",
        &["accounts::organization_sub_account_create"],
    ),
];

/// The operationIds of the workspace's API description.
fn spec_operation_ids() -> BTreeSet<String> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi");
    let mut ids = BTreeSet::new();
    for name in ["sandbox.yaml", "sending.yaml", "accounts.yaml"] {
        let path = specs.join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        for line in text.lines() {
            if let Some(id) = line.trim().strip_prefix("operationId:") {
                assert!(
                    ids.insert(id.trim().trim_matches(['"', '\'']).to_owned()),
                    "duplicate operationId {id}"
                );
            }
        }
    }
    ids
}

#[test]
fn every_operation_id_has_a_facade_test() {
    let specs = spec_operation_ids();
    let table: BTreeSet<String> = COVERAGE.iter().map(|(id, _)| (*id).to_owned()).collect();
    assert_eq!(
        table.len(),
        COVERAGE.len(),
        "an operationId appears twice in the table"
    );
    let untested: Vec<_> = specs.difference(&table).collect();
    let stale: Vec<_> = table.difference(&specs).collect();
    assert!(
        untested.is_empty(),
        "operations without a facade test: {untested:?}"
    );
    assert!(
        stale.is_empty(),
        "the table names operations the specs do not have: {stale:?}"
    );
    assert_eq!(specs.len(), 45);
}

#[test]
fn every_named_test_exists() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for (operation, tests) in COVERAGE {
        assert!(!tests.is_empty(), "{operation} names no test");
        for test in *tests {
            let (file, function) = test.split_once("::").unwrap();
            let source = std::fs::read_to_string(dir.join(format!("{file}.rs")))
                .unwrap_or_else(|err| panic!("{operation}: tests/{file}.rs: {err}"));
            assert!(
                source.contains(&format!("async fn {function}()"))
                    || source.contains(&format!("fn {function}()")),
                "{operation}: no test `{function}` in tests/{file}.rs"
            );
        }
    }
}
