//! Projects and sandboxes on current and legacy paths.
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

const SANDBOX_FIELDS: &[&str] = &[
    "id",
    "name",
    "username",
    "password",
    "max_size",
    "status",
    "email_username",
    "email_username_enabled",
    "sent_messages_count",
    "forwarded_messages_count",
    "used",
    "forward_from_email_address",
    "project_id",
    "domain",
    "pop3_domain",
    "email_domain",
    "api_domain",
    "emails_count",
    "emails_unread_count",
    "last_message_sent_at",
    "smtp_ports",
    "pop3_ports",
    "max_message_size",
    "permissions",
];

fn assert_sandbox_shape(sandbox: &Value) {
    for field in SANDBOX_FIELDS {
        assert!(sandbox.get(field).is_some(), "missing {field} in {sandbox}");
    }
}

#[tokio::test]
async fn the_seeded_state_is_one_project_with_one_usable_sandbox() {
    let env = start().await;
    let projects = env.get_json("/api/projects").await;
    assert_eq!(projects.as_array().unwrap().len(), 1);
    let project = &projects[0];
    assert_eq!(project["id"], env.project());
    assert!(
        project["share_links"]["admin"]
            .as_str()
            .unwrap()
            .starts_with("http://")
    );
    let sandbox = &project["sandboxes"][0];
    assert_sandbox_shape(sandbox);
    assert_eq!(sandbox["id"], env.sandbox());
    assert_eq!(sandbox["project_id"], env.project());
    assert_eq!(sandbox["username"], env.emu.sandbox().smtp_username);
    assert_eq!(sandbox["password"], env.emu.sandbox().smtp_password);
    assert_eq!(sandbox["email_username_enabled"], true);
    assert_eq!(sandbox["smtp_ports"], json!([env.emu.smtp_addr().port()]));
    assert_eq!(sandbox["last_message_sent_at"], Value::Null);
    let address = format!(
        "{}@{}",
        sandbox["email_username"].as_str().unwrap(),
        sandbox["email_domain"].as_str().unwrap()
    );
    assert_eq!(address, env.emu.sandbox().email_address);
}

#[tokio::test]
async fn projects_are_created_renamed_listed_and_deleted() {
    let env = start().await;
    let created = env
        .ok_json(
            Method::POST,
            "/api/projects",
            &json!({"project": {"name": "Billing"}}),
        )
        .await;
    let id = created["id"].as_u64().unwrap();
    assert_eq!(created["name"], "Billing");
    assert_eq!(created["sandboxes"], json!([]));
    assert_eq!(created["permissions"]["can_destroy"], true);

    let renamed = env
        .ok_json(
            Method::PATCH,
            &format!("/api/projects/{id}"),
            &json!({"project": {"name": "Invoices"}}),
        )
        .await;
    assert_eq!(renamed["name"], "Invoices");
    assert_eq!(
        env.get_json(&format!("/api/projects/{id}")).await["name"],
        "Invoices"
    );

    let sandbox = env
        .ok_json(
            Method::POST,
            &format!("/api/projects/{id}/sandboxes"),
            &json!({"sandbox": {"name": "QA"}}),
        )
        .await;
    assert_sandbox_shape(&sandbox);
    assert_eq!(sandbox["project_id"], id);
    assert_eq!(sandbox["email_username_enabled"], false);
    let sandbox_id = sandbox["id"].as_u64().unwrap();
    let project = env.get_json(&format!("/api/projects/{id}")).await;
    assert_eq!(project["sandboxes"][0]["id"], sandbox_id);

    let deleted = env
        .ok_json(Method::DELETE, &format!("/api/projects/{id}"), &json!({}))
        .await;
    assert_eq!(deleted, json!({"id": id}));
    let gone = env.get(&format!("/api/projects/{id}")).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let gone = env.get(&format!("/api/sandboxes/{sandbox_id}")).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_json(&gone);
    assert_eq!(
        gone.json::<Value>().await.unwrap(),
        json!({"error": "Not Found"})
    );
}

#[tokio::test]
async fn names_are_validated_like_rails() {
    let env = start().await;
    let cases = [
        (
            json!({"project": {"name": ""}}),
            json!(["can't be blank", "is too short (minimum is 2 characters)"]),
        ),
        (
            json!({"project": {"name": "a"}}),
            json!(["is too short (minimum is 2 characters)"]),
        ),
        (
            json!({"project": {"name": "x".repeat(101)}}),
            json!(["is too long (maximum is 100 characters)"]),
        ),
        (
            json!({"project": {}}),
            json!(["can't be blank", "is too short (minimum is 2 characters)"]),
        ),
    ];
    for (body, errors) in cases {
        let response = env.send_json(Method::POST, "/api/projects", &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        assert_json(&response);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"errors": {"name": errors}})
        );
    }
    // Exactly 2 and 100 characters are fine; a bare body is wrapped like Rails does.
    env.ok_json(Method::POST, "/api/projects", &json!({"name": "ok"}))
        .await;
    env.ok_json(
        Method::POST,
        "/api/projects",
        &json!({"project": {"name": "y".repeat(100)}}),
    )
    .await;
    let path = format!("/api/projects/{}/sandboxes", env.project());
    let response = env
        .send_json(Method::POST, &path, &json!({"sandbox": {"name": " "}}))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let path = format!("/api/sandboxes/{}", env.sandbox());
    let response = env
        .send_json(
            Method::PATCH,
            &path,
            &json!({"sandbox": {"email_username": "Not Valid!"}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errors"]["email_username"][0]
            .as_str()
            .unwrap()
            .starts_with("is invalid")
    );
}

#[tokio::test]
async fn sandbox_actions_return_the_full_sandbox() {
    let env = start().await;
    let id = env.sandbox();
    let base = format!("/api/sandboxes/{id}");
    let before = env.get_json(&base).await;

    let updated = env
        .ok_json(
            Method::PATCH,
            &base,
            &json!({"sandbox": {"name": "Renamed", "email_username": "my-box"}}),
        )
        .await;
    assert_sandbox_shape(&updated);
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["email_username"], "my-box");

    let reset = env
        .ok_json(
            Method::PATCH,
            &format!("{base}/reset_credentials"),
            &json!({}),
        )
        .await;
    assert_sandbox_shape(&reset);
    assert_ne!(reset["password"], before["password"]);
    assert_ne!(reset["username"], before["username"]);

    let toggled = env
        .ok_json(
            Method::PATCH,
            &format!("{base}/toggle_email_username"),
            &json!({}),
        )
        .await;
    assert_eq!(toggled["email_username_enabled"], false);
    let toggled = env
        .ok_json(
            Method::PATCH,
            &format!("{base}/toggle_email_username"),
            &json!({}),
        )
        .await;
    assert_eq!(toggled["email_username_enabled"], true);

    let renamed = env
        .ok_json(
            Method::PATCH,
            &format!("{base}/reset_email_username"),
            &json!({}),
        )
        .await;
    assert_ne!(renamed["email_username"], "my-box");

    env.deliver_simple(id, "one", "a@example.test", "x").await;
    env.deliver_simple(id, "two", "b@example.test", "y").await;
    let read = env
        .ok_json(Method::PATCH, &format!("{base}/all_read"), &json!({}))
        .await;
    assert_eq!(read["emails_count"], 2);
    assert_eq!(read["emails_unread_count"], 0);
    assert_eq!(read["sent_messages_count"], 2);
    assert_eq!(read["used"], true);
    assert!(
        read["last_message_sent_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    let cleaned = env
        .ok_json(Method::PATCH, &format!("{base}/clean"), &json!({}))
        .await;
    assert_eq!(cleaned["emails_count"], 0);
    assert_eq!(cleaned["sent_messages_count"], 2);
    assert_eq!(env.get_json(&format!("{base}/messages")).await, json!([]));

    let deleted = env.ok_json(Method::DELETE, &base, &json!({})).await;
    assert_sandbox_shape(&deleted);
    assert_eq!(deleted["id"], id);
    assert_eq!(env.get(&base).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(env.get_json("/api/sandboxes").await, json!([]));
}

#[tokio::test]
async fn email_usernames_are_unique() {
    let env = start().await;
    let path = format!("/api/projects/{}/sandboxes", env.project());
    let other = env
        .ok_json(Method::POST, &path, &json!({"sandbox": {"name": "Other"}}))
        .await;
    let taken = env
        .get_json(&format!("/api/sandboxes/{}", env.sandbox()))
        .await["email_username"]
        .clone();
    let response = env
        .send_json(
            Method::PATCH,
            &format!("/api/sandboxes/{}", other["id"]),
            &json!({"sandbox": {"email_username": taken}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"errors": {"email_username": ["has already been taken"]}})
    );
}

#[tokio::test]
async fn legacy_paths_share_the_handlers_with_legacy_names() {
    let env = start().await;
    let account = env.account();
    let legacy = |rest: &str| format!("/api/accounts/{account}{rest}");

    let inboxes = env.get_json(&legacy("/inboxes")).await;
    assert_eq!(inboxes[0]["id"], env.sandbox());
    let projects = env.get_json(&legacy("/projects")).await;
    assert_eq!(projects[0]["inboxes"][0]["id"], env.sandbox());
    assert!(projects[0].get("sandboxes").is_none());

    let project = env
        .ok_json(
            Method::POST,
            &legacy("/projects"),
            &json!({"project": {"name": "Legacy"}}),
        )
        .await;
    assert_eq!(project["inboxes"], json!([]));
    let pid = project["id"].as_u64().unwrap();
    let inbox = env
        .ok_json(
            Method::POST,
            &legacy(&format!("/projects/{pid}/inboxes")),
            &json!({"inbox": {"name": "Test Inbox", "project_id": pid}}),
        )
        .await;
    assert_sandbox_shape(&inbox);
    let iid = inbox["id"].as_u64().unwrap();
    let renamed = env
        .ok_json(
            Method::PATCH,
            &legacy(&format!("/inboxes/{iid}")),
            &json!({"inbox": {"name": "Updated Inbox"}}),
        )
        .await;
    assert_eq!(renamed["name"], "Updated Inbox");
    for action in [
        "clean",
        "all_read",
        "reset_credentials",
        "toggle_email_username",
        "reset_email_username",
    ] {
        let body = env
            .ok_json(
                Method::PATCH,
                &legacy(&format!("/inboxes/{iid}/{action}")),
                &json!({}),
            )
            .await;
        assert_eq!(body["id"], iid, "{action}");
    }
    let shown = env.get_json(&format!("/api/sandboxes/{iid}")).await;
    assert_eq!(shown["name"], "Updated Inbox");
    env.ok_json(
        Method::DELETE,
        &legacy(&format!("/inboxes/{iid}")),
        &json!({}),
    )
    .await;
    let deleted = env
        .ok_json(
            Method::DELETE,
            &legacy(&format!("/projects/{pid}")),
            &json!({}),
        )
        .await;
    assert_eq!(deleted, json!({"id": pid}));
}

#[tokio::test]
async fn a_wrong_account_id_is_not_found() {
    let env = start().await;
    for path in [
        format!("/api/accounts/{}/inboxes", env.account() + 1),
        "/api/accounts/abc/inboxes".to_owned(),
        format!("/api/accounts/{}/projects", env.account() + 1),
        format!("/api/accounts/{}/account_accesses", env.account() + 1),
    ] {
        let response = env.get(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_json(&response);
    }
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_not_found() {
    let env = start().await;
    let sandbox = env.sandbox();
    for path in [
        "/api/sandboxes/999".to_owned(),
        "/api/sandboxes/-1".to_owned(),
        "/api/sandboxes/abc".to_owned(),
        "/api/sandboxes/0".to_owned(),
        "/api/sandboxes/99999999999999999999999".to_owned(),
        "/api/projects/1".to_owned(),
        format!("/api/sandboxes/{sandbox}/messages/1"),
        format!("/api/sandboxes/{sandbox}/messages/x/body.txt"),
        format!("/api/sandboxes/{sandbox}/messages/5000000001/body.eml"),
        format!("/api/sandboxes/{sandbox}/messages/5000000001/attachments"),
        "/api/nothing/here".to_owned(),
        // `/` is the web inbox; unknown paths beside it are not found.
        "/ui/nothing/here".to_owned(),
    ] {
        let response = env.get(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_json(&response);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"error": "Not Found"})
        );
    }
    // A method the route does not have is a JSON 404 too.
    let response = env
        .send_json(Method::PUT, "/api/sandboxes", &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_json(&response);
}
