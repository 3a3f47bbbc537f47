//! Accounts, account accesses, permissions, API tokens, billing and sub-accounts.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Expect, Reply, client, expect};
use httpmock::MockServer;
use mailtrap_sandbox::models::{
    AccessLevel, PermissionChange, ResourceType, SpecifierType, TokenResource,
};
use mailtrap_sandbox::{AccountAccessId, AccountId, ApiTokenId, Error};
use serde_json::{Value, json};

fn accesses_json() -> Value {
    json!([
        {
            "id": 6100,
            "specifier_type": "User",
            "specifier": {"id": 810, "email": "lin@team.example", "name": "Lin Park", "two_factor_authentication_enabled": true},
            "resources": [{"resource_type": "project", "resource_id": 300, "access_level": 100}],
            "permissions": {"can_read": true, "can_update": true, "can_destroy": true, "can_leave": false}
        },
        {
            "id": 6101,
            "specifier_type": "Invite",
            "specifier": {"id": 811, "email": "new@team.example"},
            "resources": [{"resource_type": "inbox", "resource_id": 77001, "access_level": 10}],
            "permissions": {"can_read": false, "can_update": true, "can_destroy": true, "can_leave": false}
        },
        {
            "id": 6102,
            "specifier_type": "ApiToken",
            "specifier": {"id": 812, "name": "CI token", "author_name": "Lin Park", "token": "****ab12", "expires_at": null},
            "resources": [{"resource_type": "account", "resource_id": 5000, "access_level": 1000}],
            "permissions": {"can_read": true, "can_update": false, "can_destroy": false, "can_leave": false}
        },
        {
            "id": 6103,
            "specifier_type": "ServiceAccount",
            "specifier": {"id": 813},
            "resources": [{"resource_type": "mailing_list", "resource_id": 1, "access_level": 42}]
        }
    ])
}

#[tokio::test]
async fn accounts_lists_accounts() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/accounts"),
        Reply::json(json!([{"id": 5000, "name": "Shop QA", "access_levels": [1000, 100]}])),
    )
    .await;
    let accounts = client(&server).accounts().await.unwrap();
    mock.assert_async().await;
    assert_eq!(accounts[0].id, AccountId::new(5000));
    assert_eq!(accounts[0].name, "Shop QA");
    assert_eq!(
        accounts[0].access_levels,
        vec![AccessLevel::Owner, AccessLevel::Admin]
    );
}

#[tokio::test]
async fn account_accesses_decode_every_specifier() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/account_accesses"),
        Reply::json(accesses_json()),
    )
    .await;
    let accesses = client(&server)
        .account_accesses()
        .list()
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(accesses.len(), 4);
    assert_eq!(accesses[0].id, AccountAccessId::new(6100));
    assert_eq!(accesses[0].specifier_type, SpecifierType::User);
    assert_eq!(accesses[0].specifier.name.as_deref(), Some("Lin Park"));
    assert_eq!(
        accesses[0].specifier.two_factor_authentication_enabled,
        Some(true)
    );
    assert_eq!(
        accesses[0].resources[0].resource_type,
        ResourceType::Project
    );
    assert_eq!(accesses[0].resources[0].access_level, AccessLevel::Admin);
    assert_eq!(accesses[1].specifier_type, SpecifierType::Invite);
    assert_eq!(
        accesses[1].specifier.email.as_deref(),
        Some("new@team.example")
    );
    assert_eq!(accesses[1].specifier.name, None);
    assert_eq!(
        accesses[1].resources[0].resource_type,
        ResourceType::Sandbox
    );
    assert_eq!(accesses[2].specifier_type, SpecifierType::ApiToken);
    assert_eq!(accesses[2].specifier.token.as_deref(), Some("****ab12"));
    assert_eq!(
        accesses[3].specifier_type,
        SpecifierType::Other("ServiceAccount".to_owned())
    );
    assert_eq!(
        accesses[3].resources[0].resource_type,
        ResourceType::Other("mailing_list".to_owned())
    );
    assert_eq!(
        accesses[3].resources[0].access_level,
        AccessLevel::Other(42)
    );
    assert!(!accesses[3].permissions.can_read);
}

#[tokio::test]
async fn account_accesses_send_rails_style_arrays() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/account_accesses").query(
            "domain_ids%5B%5D=9&project_ids%5B%5D=300&sandbox_ids%5B%5D=1&sandbox_ids%5B%5D=2",
        ),
        Reply::json(json!([])),
    )
    .await;
    let accesses = client(&server)
        .account_accesses()
        .list()
        .sandbox_ids([1u64, 2])
        .project_ids([300u64])
        .domain_ids([9u64])
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert!(accesses.is_empty());
}

#[tokio::test]
async fn project_and_sandbox_users_filter_by_their_id() {
    let server = MockServer::start_async().await;
    let (project, _) = expect(
        &server,
        Expect::new("GET", "/api/account_accesses").query("project_ids%5B%5D=300"),
        Reply::json(accesses_json()),
    )
    .await;
    let (sandbox, _) = expect(
        &server,
        Expect::new("GET", "/api/account_accesses").query("sandbox_ids%5B%5D=77001"),
        Reply::json(json!([])),
    )
    .await;
    let client = client(&server);
    assert_eq!(client.project(300).users().send().await.unwrap().len(), 4);
    assert!(
        client
            .sandbox(77_001)
            .users()
            .send()
            .await
            .unwrap()
            .is_empty()
    );
    project.assert_async().await;
    sandbox.assert_async().await;
}

#[tokio::test]
async fn remove_account_access_returns_its_id() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("DELETE", "/api/account_accesses/6101"),
        Reply::json(json!({"id": 6101})),
    )
    .await;
    let id = client(&server).account_access(6101).remove().await.unwrap();
    mock.assert_async().await;
    assert_eq!(id, AccountAccessId::new(6101));
}

#[tokio::test]
async fn update_permissions_puts_the_changes_in_bulk() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &server,
        Expect::new("PUT", "/api/account_accesses/6100/permissions/bulk"),
        Reply::json(json!({"message": "Permissions have been updated!"})),
    )
    .await;
    let message = client(&server)
        .account_access(6100)
        .update_permissions([
            PermissionChange::grant(ResourceType::Project, 300, AccessLevel::Viewer),
            PermissionChange::grant(ResourceType::Sandbox, 77_001, AccessLevel::Admin),
            PermissionChange::revoke(ResourceType::Sandbox, 77_002),
        ])
        .await
        .unwrap();
    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "permissions": [
        {
          "access_level": "viewer",
          "resource_id": "300",
          "resource_type": "project"
        },
        {
          "access_level": "admin",
          "resource_id": "77001",
          "resource_type": "sandbox"
        },
        {
          "access_level": "viewer",
          "_destroy": true,
          "resource_id": "77002",
          "resource_type": "sandbox"
        }
      ]
    }
    "#);
    assert_eq!(message, "Permissions have been updated!");
}

#[tokio::test]
async fn update_permissions_refuses_an_empty_list() {
    let server = MockServer::start_async().await;
    let err = client(&server)
        .account_access(6100)
        .update_permissions([])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
}

#[tokio::test]
async fn permission_resources_are_a_tree() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/permissions/resources"),
        Reply::json(json!([{
            "id": 5000, "name": "Shop QA", "type": "account", "access_level": 1000,
            "resources": [{"id": 300, "name": "Checkout", "type": "project", "access_level": 100,
                "resources": [{"id": 77001, "name": "Staging", "type": "sandbox", "access_level": 100, "resources": []}]}]
        }])),
    )
    .await;
    let resources = client(&server).permission_resources().await.unwrap();
    mock.assert_async().await;
    assert_eq!(resources[0].resource_type, ResourceType::Account);
    assert_eq!(resources[0].access_level, Some(AccessLevel::Owner));
    let sandbox = &resources[0].resources[0].resources[0];
    assert_eq!(sandbox.id, 77_001);
    assert_eq!(sandbox.resource_type, ResourceType::Sandbox);
}

fn token_json(id: u64, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "last_4_digits": "c0de",
        "created_by": "Lin Park",
        "expires_at": null,
        "resources": [
            {"resource_type": "sandbox", "resource_id": 77001, "access_level": 100},
            {"resource_type": "project", "resource_id": "300", "access_level": 10}
        ]
    })
}

#[tokio::test]
async fn list_api_tokens() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/api_tokens"),
        Reply::json(json!([token_json(70, "CI")])),
    )
    .await;
    let tokens = client(&server).api_tokens().list().await.unwrap();
    mock.assert_async().await;
    assert_eq!(tokens[0].id, ApiTokenId::new(70));
    assert_eq!(tokens[0].last_4_digits.as_deref(), Some("c0de"));
    assert_eq!(tokens[0].expires_at, None);
    assert_eq!(tokens[0].resources[0].resource_type, ResourceType::Sandbox);
    assert_eq!(tokens[0].resources[1].resource_id, 300);
    assert_eq!(tokens[0].resources[1].access_level, AccessLevel::Viewer);
}

#[tokio::test]
async fn create_api_token_posts_name_and_resources() {
    let server = MockServer::start_async().await;
    let mut created = token_json(71, "Nightly");
    created["token"] = json!("f00dfacecafebeef0123456789abcdef");
    let (mock, recorded) = expect(
        &server,
        Expect::new("POST", "/api/api_tokens"),
        Reply::json(created),
    )
    .await;
    let token = client(&server)
        .api_tokens()
        .create("Nightly")
        .resource(TokenResource::new(
            ResourceType::Sandbox,
            77_001u64,
            AccessLevel::Admin,
        ))
        .resource(TokenResource::new(
            ResourceType::Project,
            300u64,
            AccessLevel::Viewer,
        ))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "name": "Nightly",
      "resources": [
        {
          "access_level": 100,
          "resource_id": 77001,
          "resource_type": "sandbox"
        },
        {
          "access_level": 10,
          "resource_id": 300,
          "resource_type": "project"
        }
      ]
    }
    "#);
    assert_eq!(token.token.id, ApiTokenId::new(71));
    assert_eq!(token.value.expose(), "f00dfacecafebeef0123456789abcdef");
    assert!(
        !format!("{token:?}").contains("f00dface"),
        "Debug must redact the token"
    );
}

#[tokio::test]
async fn get_api_token() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/api_tokens/70"),
        Reply::json(token_json(70, "CI")),
    )
    .await;
    let token = client(&server).api_token(70).get().await.unwrap();
    mock.assert_async().await;
    assert_eq!(token.name, "CI");
}

#[tokio::test]
async fn delete_api_token_accepts_204_and_200() {
    for (status, body) in [(204, Vec::new()), (200, b"{}".to_vec())] {
        let server = MockServer::start_async().await;
        let (mock, _) = expect(
            &server,
            Expect::new("DELETE", "/api/api_tokens/70"),
            Reply::text(status, "application/json", body),
        )
        .await;
        client(&server).api_token(70).delete().await.unwrap();
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn reset_api_token_returns_the_new_value() {
    let server = MockServer::start_async().await;
    let mut reset = token_json(70, "CI");
    reset["token"] = json!("0123456789abcdef0123456789abcdef");
    let (mock, recorded) = expect(
        &server,
        Expect::new("POST", "/api/api_tokens/70/reset"),
        Reply::json(reset),
    )
    .await;
    let token = client(&server).api_token(70).reset().await.unwrap();
    mock.assert_async().await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(token.value.expose(), "0123456789abcdef0123456789abcdef");
}

#[tokio::test]
async fn billing_usage_reads_cycle_and_counters() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/billing/usage"),
        Reply::json(json!({
            "billing": {"cycle_start": "2025-03-01T00:00:00.000Z", "cycle_end": "2025-03-31T23:59:59.000Z"},
            "testing": {"plan": {"name": "Team"}, "usage": {
                "sent_messages_count": {"current": 1234, "limit": 10000},
                "forwarded_messages_count": {"current": 5, "limit": 100}}},
            "sending": {"plan": {"name": "Free"}, "usage": {"sent_messages_count": {"current": 0, "limit": 1000}}}
        })),
    )
    .await;
    let usage = client(&server).billing_usage().await.unwrap();
    mock.assert_async().await;
    assert_eq!(
        usage.cycle_start.unwrap().to_rfc3339(),
        "2025-03-01T00:00:00+00:00"
    );
    let testing = usage.testing.unwrap();
    assert_eq!(testing.plan.as_deref(), Some("Team"));
    assert_eq!(testing.sent_messages.unwrap().current, 1234);
    assert_eq!(testing.forwarded_messages.unwrap().limit, Some(100));
    assert!(usage.sending.unwrap().forwarded_messages.is_none());
    assert!(usage.marketing.is_none());
}

#[tokio::test]
async fn organization_sub_accounts_list() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/organizations/40/sub_accounts"),
        Reply::json(json!([{"id": 5001, "name": "EU shop"}, {"id": 5002, "name": "US shop"}])),
    )
    .await;
    let accounts = client(&server)
        .organization(40)
        .sub_accounts()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[1].id, AccountId::new(5002));
}

#[tokio::test]
async fn organization_sub_account_create() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &server,
        Expect::new("POST", "/api/organizations/40/sub_accounts"),
        Reply::json(json!({"id": 5003, "name": "APAC shop"})),
    )
    .await;
    let account = client(&server)
        .organization(40)
        .create_sub_account("APAC shop")
        .await
        .unwrap();
    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "account": {
        "name": "APAC shop"
      }
    }
    "#);
    assert_eq!(account.name, "APAC shop");
}
