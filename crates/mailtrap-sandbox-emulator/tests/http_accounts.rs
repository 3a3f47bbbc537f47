//! Accounts, account accesses, permissions, API tokens, billing and sub-accounts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use http_support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Whether the official Python SDK (2.11) can decode `access` as an account access: its
/// dataclasses make every field below required, with this JSON type (its `Specifier` needs all
/// four fields, which only a `User` has). `Err` names the first field that fails.
fn python_sdk_decodes(access: &Value) -> Result<(), String> {
    let specifier = &access["specifier"];
    let mut checks: Vec<(String, bool)> = vec![
        ("id".into(), access["id"].is_u64()),
        (
            "specifier_type".into(),
            access["specifier_type"].is_string(),
        ),
        ("specifier.id".into(), specifier["id"].is_u64()),
        ("specifier.email".into(), specifier["email"].is_string()),
        ("specifier.name".into(), specifier["name"].is_string()),
        (
            "specifier.two_factor_authentication_enabled".into(),
            specifier["two_factor_authentication_enabled"].is_boolean(),
        ),
        ("resources".into(), access["resources"].is_array()),
    ];
    for (i, resource) in access["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        checks.push((
            format!("resources[{i}].resource_id"),
            resource["resource_id"].is_u64(),
        ));
        checks.push((
            format!("resources[{i}].resource_type"),
            resource["resource_type"].is_string(),
        ));
        checks.push((
            format!("resources[{i}].access_level"),
            resource["access_level"].is_u64(),
        ));
    }
    for flag in ["can_read", "can_update", "can_destroy", "can_leave"] {
        checks.push((
            format!("permissions.{flag}"),
            access["permissions"][flag].is_boolean(),
        ));
    }
    match checks.into_iter().find(|(_, ok)| !ok) {
        Some((field, _)) => Err(field),
        None => Ok(()),
    }
}

fn assert_decodes_like_the_python_sdk(access: &Value) {
    if let Err(field) = python_sdk_decodes(access) {
        panic!("the Python SDK cannot decode `{field}` of {access}");
    }
}

#[test]
fn the_python_sdk_check_refuses_the_shapes_that_broke_it() {
    // Our own examples of each kind of access, in the shapes Mailtrap answers with.
    let resources = json!([{"resource_type": "project", "resource_id": 3, "access_level": 10}]);
    let permissions =
        json!({"can_read": true, "can_update": false, "can_destroy": false, "can_leave": false});
    let user = json!({
        "id": 11, "specifier_type": "User",
        "specifier": {"id": 21, "email": "sam@example.test", "name": "Sam",
                      "two_factor_authentication_enabled": true},
        "resources": resources, "permissions": permissions,
    });
    let token = json!({
        "id": 12, "specifier_type": "ApiToken",
        "specifier": {"id": 22, "name": "CI", "author_name": "Sam", "token": "…a1b2",
                      "expires_at": null},
        "resources": resources, "permissions": permissions,
    });
    let invite = json!({
        "id": 13, "specifier_type": "Invite",
        "specifier": {"id": 23, "email": "new@example.test"},
        "resources": resources, "permissions": permissions,
    });
    let mut string_level = user.clone();
    string_level["resources"][0]["access_level"] = json!("viewer");

    assert_eq!(python_sdk_decodes(&user), Ok(()));
    // A token entry (what the emulator used to list) has no email.
    assert_eq!(
        python_sdk_decodes(&token),
        Err("specifier.email".to_owned())
    );
    // An invite has no name: the SDK cannot decode Mailtrap's own invites either (the
    // emulator seeds none).
    assert_eq!(
        python_sdk_decodes(&invite),
        Err("specifier.name".to_owned())
    );
    assert_eq!(
        python_sdk_decodes(&string_level),
        Err("resources[0].access_level".to_owned())
    );
}

#[tokio::test]
async fn one_account_with_an_owner_and_a_teammate() {
    let env = start().await;
    let accounts = env.get_json("/api/accounts").await;
    assert_eq!(
        accounts,
        json!([{"id": env.account(), "name": "Emulator account", "access_levels": [1000]}])
    );
    // A token created now is not listed either: Mailtrap lists people (User, Invite) only.
    env.ok_json(Method::POST, "/api/api_tokens", &json!({"name": "Extra"}))
        .await;

    let legacy_path = format!("/api/accounts/{}/account_accesses", env.account());
    for path in ["/api/account_accesses", legacy_path.as_str()] {
        let accesses = env.get_json(path).await;
        let accesses = accesses.as_array().unwrap();
        assert_eq!(accesses.len(), 2, "{path}: {accesses:?}");
        for access in accesses {
            assert_eq!(access["specifier_type"], "User", "{path}");
            assert_decodes_like_the_python_sdk(access);
        }
        let owner = &accesses[0];
        assert_eq!(
            owner["resources"][0],
            json!({"resource_type": "account", "resource_id": env.account(), "access_level": 1000})
        );
        let teammate = &accesses[1];
        assert_eq!(
            teammate["specifier"]["email"],
            "teammate@emulator.localhost"
        );
        assert_eq!(
            teammate["resources"],
            json!([{"resource_type": "project", "resource_id": env.project(), "access_level": 10}])
        );
        assert_eq!(
            teammate["permissions"],
            json!({"can_read": true, "can_update": true, "can_destroy": true, "can_leave": false})
        );
    }

    let tree = env.get_json("/api/permissions/resources").await;
    assert_eq!(tree[0]["type"], "account");
    assert_eq!(tree[0]["resources"][0]["type"], "project");
    assert_eq!(tree[0]["resources"][0]["id"], env.project());
    assert_eq!(tree[0]["resources"][0]["resources"][0]["type"], "sandbox");
    assert_eq!(tree[0]["resources"][0]["resources"][0]["id"], env.sandbox());
    let legacy = env
        .get_json(&format!(
            "/api/accounts/{}/permissions/resources",
            env.account()
        ))
        .await;
    assert_eq!(legacy[0]["resources"][0]["resources"][0]["type"], "inbox");
}

#[tokio::test]
async fn api_tokens_are_created_used_reset_and_deleted() {
    let env = start().await;
    let listed = env.get_json("/api/api_tokens").await;
    assert_eq!(listed[0]["last_4_digits"], &TOKEN[TOKEN.len() - 4..]);
    assert!(listed[0].get("token").is_none());

    let created = env
        .ok_json(
            Method::POST,
            "/api/api_tokens",
            &json!({"name": "CI", "resources": [
                {"resource_type": "project", "resource_id": env.project().to_string(), "access_level": 10}
            ]}),
        )
        .await;
    let id = created["id"].as_u64().unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    assert_eq!(created["name"], "CI");
    assert_eq!(created["resources"][0]["resource_type"], "project");
    assert_eq!(created["resources"][0]["access_level"], 10);

    // The new token works, with either header.
    let response = env
        .client
        .get(env.url("/api/sandboxes"))
        .header("Api-Token", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let shown = env.get_json(&format!("/api/api_tokens/{id}")).await;
    assert!(shown.get("token").is_none());
    assert_eq!(shown["last_4_digits"], &secret[secret.len() - 4..]);

    let reset = env
        .ok_json(
            Method::POST,
            &format!("/api/api_tokens/{id}/reset"),
            &json!({}),
        )
        .await;
    let new_secret = reset["token"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let old = env
        .client
        .get(env.url("/api/sandboxes"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);

    let deleted = env
        .req(Method::DELETE, &format!("/api/api_tokens/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(deleted.bytes().await.unwrap().is_empty());
    let gone = env
        .client
        .get(env.url("/api/sandboxes"))
        .bearer_auth(&new_secret)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        env.get(&format!("/api/api_tokens/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );

    for bad in [
        json!({"name": ""}),
        json!({"name": "x", "resources": [{"resource_type": "project", "resource_id": 1, "access_level": 10}]}),
        json!({"name": "x", "resources": [{"resource_type": "planet", "resource_id": 1, "access_level": 10}]}),
        json!({"name": "x", "resources": [{"resource_type": "account", "resource_id": env.account(), "access_level": "god"}]}),
    ] {
        let response = env.send_json(Method::POST, "/api/api_tokens", &bad).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_json(&response);
    }
    // Legacy paths list the same tokens.
    let legacy = env
        .get_json(&format!("/api/accounts/{}/api_tokens", env.account()))
        .await;
    assert_eq!(legacy.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn accesses_filter_by_project_sandbox_and_domain_in_every_form() {
    let env = start().await;
    let project = env.project();
    let sandbox = env.sandbox();
    let other_project = env
        .ok_json(
            Method::POST,
            "/api/projects",
            &json!({"project": {"name": "Other"}}),
        )
        .await["id"]
        .as_u64()
        .unwrap();
    // A token limited to the other project.
    env.ok_json(
        Method::POST,
        "/api/api_tokens",
        &json!({"name": "Scoped", "resources": [{"resource_type": "project", "resource_id": other_project, "access_level": "viewer"}]}),
    )
    .await;
    let count = |v: Value| v.as_array().unwrap().len();
    assert_eq!(count(env.get_json("/api/account_accesses").await), 2);
    // The owner's account-wide access matches every filter; the teammate's only the seeded
    // project and its sandboxes. The scoped token is never listed.
    for (query, expected) in [
        (format!("project_ids[]={other_project}"), 1),
        ("domain_ids[]=5".to_owned(), 1),
    ] {
        let listed = env
            .get_json(&format!("/api/account_accesses?{query}"))
            .await;
        assert_eq!(count(listed), expected, "{query}");
    }
    for query in [
        format!("project_ids[]={project}"),
        format!("project_ids%5B%5D={project}"),
        format!("project_ids={project}"),
        format!("sandbox_ids[]={sandbox}"),
    ] {
        assert_eq!(
            count(
                env.get_json(&format!("/api/account_accesses?{query}"))
                    .await
            ),
            2,
            "{query}"
        );
    }
    for query in [
        format!("project_ids[]={project}&project_ids[]={other_project}"),
        format!("project_ids={project},{other_project}"),
        format!("project_ids={project}&project_ids={other_project}"),
    ] {
        assert_eq!(
            count(
                env.get_json(&format!("/api/account_accesses?{query}"))
                    .await
            ),
            2,
            "{query}"
        );
    }
    let legacy = env
        .get_json(&format!(
            "/api/accounts/{}/account_accesses?inbox_ids[]={sandbox}",
            env.account()
        ))
        .await;
    assert_eq!(count(legacy), 2);
    let bad = env.get("/api/account_accesses?project_ids[]=abc").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_json(&bad);
}

#[tokio::test]
async fn a_teammates_permissions_are_updated_in_bulk_and_their_access_removed() {
    let env = start().await;
    let accesses = env.get_json("/api/account_accesses").await;
    let access = accesses
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["specifier"]["email"] == "teammate@emulator.localhost")
        .unwrap()
        .clone();
    let access_id = access["id"].as_u64().unwrap();
    let bulk = format!("/api/account_accesses/{access_id}/permissions/bulk");

    let body = env
        .ok_json(
            Method::PUT,
            &bulk,
            &json!({"permissions": [
                {"resource_id": env.sandbox().to_string(), "resource_type": "sandbox", "access_level": "viewer"},
                {"resource_id": env.project(), "resource_type": "project", "access_level": 100},
                {"resource_id": env.account().to_string(), "resource_type": "account", "access_level": "admin", "_destroy": true}
            ]}),
        )
        .await;
    assert!(body["message"].is_string());
    let accesses = env.get_json("/api/account_accesses").await;
    let updated = accesses
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == access_id)
        .unwrap()
        .clone();
    // The project's level changed in place, the sandbox was added, the account (which the
    // teammate never had) was left alone.
    assert_eq!(
        updated["resources"],
        json!([
            {"resource_type": "project", "resource_id": env.project(), "access_level": 100},
            {"resource_type": "sandbox", "resource_id": env.sandbox(), "access_level": 10}
        ])
    );
    // Legacy naming of the same access.
    let legacy = env
        .get_json(&format!("/api/accounts/{}/account_accesses", env.account()))
        .await;
    let legacy = legacy
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == access_id)
        .unwrap()
        .clone();
    assert_eq!(legacy["resources"][1]["resource_type"], "inbox");

    for bad in [
        json!({"permissions": [{"resource_id": "999", "resource_type": "project", "access_level": "viewer"}]}),
        json!({"permissions": [{"resource_id": "x", "resource_type": "project", "access_level": "viewer"}]}),
        json!({"permissions": [{"resource_id": 1, "resource_type": "star", "access_level": "viewer"}]}),
        json!({"permissions": "all"}),
        json!({}),
    ] {
        let response = env.send_json(Method::PUT, &bulk, &bad).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_json(&response);
    }
    let missing = env
        .send_json(
            Method::PUT,
            "/api/account_accesses/1/permissions/bulk",
            &json!({"permissions": []}),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // The owner's access cannot be changed or removed.
    let owner_id = accesses
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["specifier_type"] == "User")
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let forbidden = env
        .send_json(
            Method::DELETE,
            &format!("/api/account_accesses/{owner_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden.json::<Value>().await.unwrap(),
        json!({"errors": "Account access forbidden"})
    );

    let deleted = env
        .ok_json(
            Method::DELETE,
            &format!("/api/account_accesses/{access_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(deleted, json!({"id": access_id}));
    // The teammate is no longer listed, for any resource.
    let left = env.get_json("/api/account_accesses").await;
    assert!(
        left.as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != access_id),
        "{left}"
    );
    let again = env
        .send_json(
            Method::DELETE,
            &format!("/api/account_accesses/{access_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn billing_usage_counts_messages() {
    let env = start().await;
    env.deliver_simple(env.sandbox(), "a", "x@example.test", "t")
        .await;
    let usage = env.get_json("/api/billing/usage").await;
    assert_eq!(
        usage["testing"]["usage"]["sent_messages_count"]["current"],
        1
    );
    let start = usage["billing"]["cycle_start"].as_str().unwrap();
    let end = usage["billing"]["cycle_end"].as_str().unwrap();
    assert!(start < end);
    let legacy = env
        .get_json(&format!("/api/accounts/{}/billing/usage", env.account()))
        .await;
    assert_eq!(legacy["testing"], usage["testing"]);
}

#[tokio::test]
async fn sub_accounts_belong_to_the_organization() {
    let env = start().await;
    let org = env.emu.summary().organization_id;
    let path = format!("/api/organizations/{org}/sub_accounts");
    assert_eq!(env.get_json(&path).await, json!([]));
    let created = env
        .ok_json(
            Method::POST,
            &path,
            &json!({"account": {"name": "Client A"}}),
        )
        .await;
    assert_eq!(created["name"], "Client A");
    assert_eq!(env.get_json(&path).await, json!([created]));
    let blank = env
        .send_json(Method::POST, &path, &json!({"account": {"name": " "}}))
        .await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = env
        .get(&format!("/api/organizations/{}/sub_accounts", org + 1))
        .await;
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn legacy_account_routes_work_like_the_current_ones() {
    let env = start().await;
    let legacy = |rest: &str| format!("/api/accounts/{}{rest}", env.account());
    let created = env
        .ok_json(
            Method::POST,
            &legacy("/api_tokens"),
            &json!({"name": "Legacy", "resources": [{"resource_type": "inbox", "resource_id": env.sandbox(), "access_level": 100}]}),
        )
        .await;
    assert_eq!(created["resources"][0]["resource_type"], "inbox");
    let id = created["id"].as_u64().unwrap();
    let shown = env.get_json(&legacy(&format!("/api_tokens/{id}"))).await;
    assert_eq!(shown["name"], "Legacy");
    let reset = env
        .ok_json(
            Method::POST,
            &legacy(&format!("/api_tokens/{id}/reset")),
            &json!({}),
        )
        .await;
    assert_ne!(reset["token"], created["token"]);

    let accesses = env.get_json(&legacy("/account_accesses")).await;
    let access = accesses
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["specifier"]["email"] == "teammate@emulator.localhost")
        .unwrap()
        .clone();
    let access_id = access["id"].as_u64().unwrap();
    let other_project = env
        .ok_json(
            Method::POST,
            &legacy("/projects"),
            &json!({"project": {"name": "Legacy project"}}),
        )
        .await["id"]
        .as_u64()
        .unwrap();
    env.ok_json(
        Method::PUT,
        &legacy(&format!("/account_accesses/{access_id}/permissions/bulk")),
        &json!({"permissions": [{"resource_id": other_project.to_string(), "resource_type": "project", "access_level": "viewer"}]}),
    )
    .await;
    let filtered = env
        .get_json(&legacy(&format!(
            "/account_accesses?project_ids[]={other_project}"
        )))
        .await;
    assert!(
        filtered
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == access_id)
    );
    let deleted = env
        .ok_json(
            Method::DELETE,
            &legacy(&format!("/account_accesses/{access_id}")),
            &json!({}),
        )
        .await;
    assert_eq!(deleted, json!({"id": access_id}));

    let other = env
        .ok_json(
            Method::POST,
            &legacy("/api_tokens"),
            &json!({"name": "To delete"}),
        )
        .await;
    let response = env
        .req(
            Method::DELETE,
            &legacy(&format!("/api_tokens/{}", other["id"])),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let wrong_account = env
        .get(&format!("/api/accounts/{}/api_tokens", env.account() + 7))
        .await;
    assert_eq!(wrong_account.status(), StatusCode::NOT_FOUND);
}
