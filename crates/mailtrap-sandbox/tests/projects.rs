//! Projects: list, create, get, update, delete, and creating a sandbox in one.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Expect, Reply, client, expect, project_json, sandbox_json};
use httpmock::MockServer;
use mailtrap_sandbox::{ApiErrorKind, Error, ProjectId, SandboxId};
use serde_json::json;

#[tokio::test]
async fn list_projects_decodes_sandboxes_and_inboxes() {
    let server = MockServer::start_async().await;
    let mut legacy = project_json(310, "Legacy shape");
    let sandboxes = legacy["sandboxes"].take();
    legacy.as_object_mut().unwrap().remove("sandboxes");
    legacy.as_object_mut().unwrap().remove("share_links");
    legacy["inboxes"] = sandboxes;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/projects"),
        Reply::json(json!([project_json(300, "Checkout"), legacy])),
    )
    .await;

    let projects = client(&server).projects().list().await.unwrap();

    mock.assert_async().await;
    assert_eq!(projects.len(), 2);
    assert_eq!(projects[0].id, ProjectId::new(300));
    assert_eq!(projects[0].name, "Checkout");
    assert_eq!(
        projects[0]
            .share_links
            .as_ref()
            .and_then(|links| links.viewer.as_deref()),
        Some("https://share.example/v/1")
    );
    assert!(projects[0].permissions.can_update);
    assert_eq!(projects[0].sandboxes[0].id, SandboxId::new(77_001));
    // The legacy form: `inboxes` and no share links.
    assert!(projects[1].share_links.is_none());
    assert_eq!(projects[1].sandboxes.len(), 1);
    assert_eq!(
        projects[1].sandboxes[0].project_id,
        Some(ProjectId::new(310))
    );
}

#[tokio::test]
async fn create_project_posts_the_name() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &server,
        Expect::new("POST", "/api/projects"),
        Reply::json(project_json(301, "Newsletter QA")),
    )
    .await;

    let project = client(&server)
        .projects()
        .create("Newsletter QA")
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(recorded.content_type().as_deref(), Some("application/json"));
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "project": {
        "name": "Newsletter QA"
      }
    }
    "#);
    assert_eq!(project.id, ProjectId::new(301));
}

#[tokio::test]
async fn create_project_refuses_an_empty_name_without_sending() {
    let server = MockServer::start_async().await;
    let err = client(&server).projects().create("   ").await.unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "invalid argument: the project name is empty"
    );
}

#[tokio::test]
async fn create_project_maps_422_field_errors() {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect(
        &server,
        Expect::new("POST", "/api/projects"),
        Reply::json(json!({"errors": {"name": ["is too short (minimum is 2 characters)"]}}))
            .status(422),
    )
    .await;

    let err = client(&server).projects().create("Q").await.unwrap_err();

    assert_eq!(err.kind(), Some(ApiErrorKind::Validation));
    let api = err.api().unwrap();
    assert_eq!(
        api.field_errors()["name"],
        vec!["is too short (minimum is 2 characters)"]
    );
}

#[tokio::test]
async fn get_project_reads_one() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/projects/302"),
        Reply::json(project_json(302, "Billing")),
    )
    .await;

    let project = client(&server).project(302).get().await.unwrap();

    mock.assert_async().await;
    assert_eq!(project.name, "Billing");
    assert_eq!(project.sandboxes[0].name, "Staging");
}

#[tokio::test]
async fn update_project_patches_the_name() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &server,
        Expect::new("PATCH", "/api/projects/303"),
        Reply::json(project_json(303, "Renamed")),
    )
    .await;

    let project = client(&server)
        .project(303)
        .update("Renamed")
        .await
        .unwrap();

    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "project": {
        "name": "Renamed"
      }
    }
    "#);
    assert_eq!(project.name, "Renamed");
}

#[tokio::test]
async fn delete_project_returns_its_id() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("DELETE", "/api/projects/304"),
        Reply::json(json!({"id": 304})),
    )
    .await;

    let id = client(&server).project(304).delete().await.unwrap();

    mock.assert_async().await;
    assert_eq!(id, ProjectId::new(304));
}

#[tokio::test]
async fn create_sandbox_posts_into_the_project() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &server,
        Expect::new("POST", "/api/projects/305/sandboxes"),
        Reply::json(sandbox_json(77_010, 305, "Signup flow")),
    )
    .await;

    let sandbox = client(&server)
        .project(305)
        .create_sandbox("Signup flow")
        .await
        .unwrap();

    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "sandbox": {
        "name": "Signup flow"
      }
    }
    "#);
    assert_eq!(sandbox.id, SandboxId::new(77_010));
    assert_eq!(sandbox.project_id, Some(ProjectId::new(305)));
}

/// The description lists 200 only; another success status must not turn into an error.
#[tokio::test]
async fn a_201_answer_is_decoded_like_a_200() {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect(
        &server,
        Expect::new("POST", "/api/projects"),
        Reply::json(project_json(306, "Created")).status(201),
    )
    .await;
    let project = client(&server).projects().create("Created").await.unwrap();
    assert_eq!(project.id, ProjectId::new(306));
}
