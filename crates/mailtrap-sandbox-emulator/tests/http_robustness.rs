//! Bad input never panics, hangs or drops the connection: malformed JSON, wrong types, odd
//! paths and ids, oversized bodies, missing or wrong tokens on every route family.
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

#[tokio::test]
async fn malformed_json_is_a_400_naming_the_problem() {
    let env = start().await;
    let sandbox = env.sandbox();
    for (method, path) in [
        (Method::POST, "/api/projects".to_owned()),
        (Method::PATCH, format!("/api/sandboxes/{sandbox}")),
        (
            Method::PUT,
            "/api/account_accesses/1/permissions/bulk".to_owned(),
        ),
        (Method::POST, "/_emulator/faults".to_owned()),
    ] {
        for body in ["{", "{\"project\": }", "nul", "\u{0}\u{1}"] {
            let response = env
                .req(method.clone(), &path)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "{method} {path} {body:?}"
            );
            assert_json(&response);
            let body: Value = response.json().await.unwrap();
            assert!(
                body["error"].as_str().unwrap().contains("not valid JSON"),
                "{body}"
            );
        }
    }
    // Invalid UTF-8 too.
    let response = env
        .req(Method::POST, "/api/projects")
        .body(vec![b'{', 0xff, 0xfe, b'}'])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // A JSON value that is not an object.
    let response = env
        .send_json(Method::POST, "/api/projects", &json!([1, 2]))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_json(&response);
}

#[tokio::test]
async fn wrong_types_are_a_422_naming_the_field() {
    let env = start().await;
    let sandbox = env.sandbox();
    let cases = [
        (
            Method::POST,
            "/api/projects".to_owned(),
            json!({"project": {"name": 5}}),
            "name",
        ),
        (
            Method::PATCH,
            format!("/api/sandboxes/{sandbox}"),
            json!({"sandbox": {"name": ["x"]}}),
            "name",
        ),
        (
            Method::PATCH,
            format!("/api/sandboxes/{sandbox}"),
            json!({"sandbox": {"email_username": false}}),
            "email_username",
        ),
        (
            Method::POST,
            "/api/api_tokens".to_owned(),
            json!({"name": "x", "resources": "all"}),
            "resources",
        ),
        (
            Method::PUT,
            "/_emulator/rate_limit".to_owned(),
            json!({"enforce": "yes"}),
            "enforce",
        ),
    ];
    for (method, path, body, field) in cases {
        let response = env.send_json(method.clone(), &path, &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}"
        );
        assert_json(&response);
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"].get(field).is_some(), "{field}: {body}");
    }
}

#[tokio::test]
async fn bodies_without_a_content_type_or_empty_are_read() {
    let env = start().await;
    let response = env
        .req(Method::POST, "/api/projects")
        .body("{\"project\": {\"name\": \"No header\"}}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = env.req(Method::POST, "/api/projects").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = env
        .req(
            Method::PATCH,
            &format!("/api/sandboxes/{}/clean", env.sandbox()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn oversized_bodies_are_a_413() {
    let env = start().await;
    let big = format!(
        "{{\"project\": {{\"name\": \"{}\"}}}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let response = env
        .req(Method::POST, "/api/projects")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_json(&response);
}

#[tokio::test]
async fn odd_paths_and_queries_are_json_errors() {
    let env = start().await;
    let sandbox = env.sandbox();
    for path in [
        "/api/sandboxes/%ZZ".to_owned(),
        "/api/sandboxes/%FF%FE".to_owned(),
        "/api/sandboxes/1.5".to_owned(),
        "/api/sandboxes/%2F".to_owned(),
        "/api/testing_message_parts/abc/body.txt".to_owned(),
        "/api/testing_message_parts/%%%/body.txt".to_owned(),
        "/api/testing_message_parts//body.txt".to_owned(),
        format!("/api/sandboxes/{sandbox}/messages/1/attachments/x"),
        "/_emulator/faults/abc".to_owned(),
        "/_emulator/nothing".to_owned(),
        "/api/accounts/0/inboxes".to_owned(),
    ] {
        let response = env.get(&path).await;
        assert!(
            response.status().is_client_error(),
            "{path}: {}",
            response.status()
        );
        assert_json(&response);
    }
    let response = env
        .get(&format!(
            "/api/sandboxes/{sandbox}/messages?search=%FF&last_id=&page="
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_route_family_needs_the_token_in_either_header() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver_simple(sandbox, "auth", "x@example.test", "t")
        .await;
    let message = env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages/{id}"))
        .await;
    let paths = [
        "/api/sandboxes".to_owned(),
        "/api/accounts".to_owned(),
        format!("/api/accounts/{}/inboxes", env.account()),
        format!("/api/sandboxes/{sandbox}/messages/{id}/body.txt"),
        message["txt_path"].as_str().unwrap().to_owned(),
        "/_emulator/status".to_owned(),
        "/api/billing/usage".to_owned(),
    ];
    for path in &paths {
        let none = env.client.get(env.url(path)).send().await.unwrap();
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_json(&none);
        assert_eq!(
            none.headers()["www-authenticate"],
            "Token realm=\"Application\""
        );
        assert_eq!(
            none.json::<Value>().await.unwrap(),
            json!({"error": "Incorrect API token"})
        );
        for (name, value) in [
            ("authorization", "Bearer wrong".to_owned()),
            ("api-token", "wrong".to_owned()),
            ("authorization", format!("Basic {TOKEN}")),
        ] {
            let wrong = env
                .client
                .get(env.url(path))
                .header(name, value)
                .send()
                .await
                .unwrap();
            assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{path} {name}");
        }
        for (name, value) in [
            ("authorization", format!("Bearer {TOKEN}")),
            ("authorization", format!("bearer {TOKEN}")),
            ("api-token", TOKEN.to_owned()),
        ] {
            let right = env
                .client
                .get(env.url(path))
                .header(name, value)
                .send()
                .await
                .unwrap();
            assert_eq!(right.status(), StatusCode::OK, "{path} {name}");
        }
    }
}

/// Many method, path and body combinations: every answer is a well-formed HTTP response below
/// 500, and the server keeps serving.
#[tokio::test]
async fn a_sweep_of_bad_requests_never_breaks_the_server() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver(sandbox, &rich_message(), &["bob@example.test"])
        .await;
    let account = env.account();
    let templates = [
        "/api/sandboxes/{s}".to_owned(),
        "/api/sandboxes/{s}/messages/{m}".to_owned(),
        "/api/sandboxes/{s}/messages/{m}/forward".to_owned(),
        "/api/sandboxes/{s}/messages/{m}/attachments/{m}".to_owned(),
        "/api/sandboxes/{s}/clean".to_owned(),
        "/api/projects/{s}".to_owned(),
        "/api/projects/{s}/sandboxes".to_owned(),
        format!("/api/accounts/{account}/inboxes/{{s}}/messages/{{m}}"),
        "/api/account_accesses/{s}/permissions/bulk".to_owned(),
        "/api/api_tokens/{s}/reset".to_owned(),
        "/api/send/{s}".to_owned(),
        "/api/batch/{s}".to_owned(),
        "/_emulator/sandboxes/{s}".to_owned(),
        "/_emulator/templates".to_owned(),
    ];
    let values = [
        sandbox.to_string(),
        id.to_string(),
        "-1".to_owned(),
        "abc".to_owned(),
        "18446744073709551616".to_owned(),
    ];
    let bodies = [
        "".to_owned(),
        "{}".to_owned(),
        "[]".to_owned(),
        "null".to_owned(),
        "\"text\"".to_owned(),
        "{\"sandbox\": null, \"project\": 1, \"message\": [], \"email\": {}, \"permissions\": [{}], \"requests\": [null]}".to_owned(),
        "{\"name\": \"\u{1F600}\u{0}\"}".to_owned(),
        "{{{{".to_owned(),
    ];
    let methods = [
        Method::GET,
        Method::POST,
        Method::PATCH,
        Method::PUT,
        Method::DELETE,
    ];
    let mut count = 0;
    for template in &templates {
        for value in &values {
            let path = template.replace("{s}", value).replace("{m}", value);
            for method in &methods {
                for body in &bodies {
                    let response = env
                        .req(method.clone(), &path)
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("{method} {path} {body:?}: {e}"));
                    assert!(
                        response.status().as_u16() < 500,
                        "{method} {path} {body:?}: {}",
                        response.status()
                    );
                    count += 1;
                }
            }
        }
    }
    assert!(count > 2000);
    assert_eq!(env.get("/api/accounts").await.status(), StatusCode::OK);
}
