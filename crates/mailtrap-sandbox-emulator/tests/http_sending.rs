//! The sending API: single and batch sends, templates, validation and auth.
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

fn message_id(body: &Value) -> u64 {
    body["message_ids"][0].as_str().unwrap().parse().unwrap()
}

fn full_request() -> Value {
    json!({
        "from": {"email": "sender@example.test", "name": "Sender"},
        "to": [{"email": "to@example.test", "name": "To One"}],
        "cc": [{"email": "cc@example.test"}],
        "bcc": [{"email": "secret@example.test"}],
        "reply_to": {"email": "reply@example.test"},
        "subject": "Sent through the API",
        "text": "Plain body",
        "html": "<p>HTML body</p>",
        "attachments": [{"content": "aGVsbG8gd29ybGQ=", "filename": "hello.txt", "type": "text/plain"}],
        "headers": {"X-Trace": "abc"},
        "custom_variables": {"user_id": "42"},
        "category": "Integration Test"
    })
}

#[tokio::test]
async fn a_send_is_stored_in_the_sandbox() {
    let env = start().await;
    let sandbox = env.sandbox();
    let response = env
        .send_json(
            Method::POST,
            &format!("/api/send/{sandbox}"),
            &full_request(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_json(&response);
    assert!(response.headers().get("x-ratelimit-limit").is_none());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["success"], true);
    let id = message_id(&body);
    assert!(id > u64::from(u32::MAX));

    let message = env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages/{id}"))
        .await;
    assert_eq!(message["subject"], "Sent through the API");
    assert_eq!(message["from_email"], "sender@example.test");
    assert_eq!(message["from_name"], "Sender");
    assert_eq!(message["to_email"], "to@example.test");
    assert_eq!(message["template_id"], 0);
    assert_eq!(message["smtp_information"], json!({"ok": false}));
    let headers = env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages/{id}/mail_headers"
        ))
        .await;
    assert_eq!(headers["headers"]["bcc"], "secret@example.test");
    assert_eq!(headers["headers"]["x_trace"], "abc");
    let text = env
        .get(&format!("/api/sandboxes/{sandbox}/messages/{id}/body.txt"))
        .await;
    assert_eq!(text.text().await.unwrap().trim_end(), "Plain body");
    let attachments = env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages/{id}/attachments"
        ))
        .await;
    assert_eq!(attachments[0]["filename"], "hello.txt");
    let download = env
        .get(attachments[0]["download_path"].as_str().unwrap())
        .await;
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"hello world");
    let sandbox_view = env.get_json(&format!("/api/sandboxes/{sandbox}")).await;
    assert_eq!(sandbox_view["emails_count"], 1);
}

#[tokio::test]
async fn send_errors_use_the_sending_shape() {
    let env = start().await;
    let sandbox = env.sandbox();
    let path = format!("/api/send/{sandbox}");
    let check = |expected: StatusCode| {
        move |response: reqwest::Response| async move {
            assert_eq!(response.status(), expected);
            assert_json(&response);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["success"], false, "{body}");
            body["errors"].as_array().unwrap().clone()
        }
    };
    let missing = json!({"from": {"email": "a@example.test"}, "to": [{"email": "b@example.test"}]});
    let errors =
        check(StatusCode::BAD_REQUEST)(env.send_json(Method::POST, &path, &missing).await).await;
    assert!(
        errors.contains(&json!("'subject' is required")),
        "{errors:?}"
    );
    assert!(
        errors.contains(&json!("must specify either text or html body")),
        "{errors:?}"
    );

    let wrong_type = json!({"from": {"email": "a@example.test"}, "to": "b@example.test", "subject": "s", "text": "t"});
    let errors =
        check(StatusCode::BAD_REQUEST)(env.send_json(Method::POST, &path, &wrong_type).await).await;
    assert!(
        errors[0].as_str().unwrap().starts_with("'to'"),
        "{errors:?}"
    );

    let malformed = env
        .req(Method::POST, &path)
        .header("content-type", "application/json")
        .body("{\"from\": ")
        .send()
        .await
        .unwrap();
    let errors = check(StatusCode::BAD_REQUEST)(malformed).await;
    assert!(
        errors[0].as_str().unwrap().contains("not valid JSON"),
        "{errors:?}"
    );

    let array = env.send_json(Method::POST, &path, &json!([1, 2])).await;
    check(StatusCode::BAD_REQUEST)(array).await;

    for missing in ["/api/send/999", "/api/send/abc", "/api/batch/999"] {
        let response = env.send_json(Method::POST, missing, &full_request()).await;
        let errors = check(StatusCode::NOT_FOUND)(response).await;
        assert_eq!(errors, [json!("Not Found")], "{missing}");
    }

    let unauthorized = env
        .client
        .post(env.url(&path))
        .json(&full_request())
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert!(unauthorized.headers().get("x-ratelimit-limit").is_none());
    assert_eq!(
        unauthorized.json::<Value>().await.unwrap(),
        json!({"success": false, "errors": ["Unauthorized"]})
    );
    let wrong = env
        .client
        .post(env.url(&path))
        .header("Api-Token", "wrong")
        .json(&full_request())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = env
        .client
        .post(env.url(&path))
        .header("Api-Token", TOKEN)
        .json(&full_request())
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
}

#[tokio::test]
async fn templates_are_rendered_with_their_variables() {
    let env = start().await;
    let sandbox = env.sandbox();
    let path = format!("/api/send/{sandbox}");
    let body = env
        .ok_json(
            Method::POST,
            &path,
            &json!({
                "from": {"email": "sender@example.test"},
                "to": [{"email": "to@example.test"}],
                "template_uuid": env.emu.template_uuid(),
                "template_variables": {"user": {"name": "Ada <3"}, "company": "Acme"}
            }),
        )
        .await;
    let id = message_id(&body);
    let base = format!("/api/sandboxes/{sandbox}/messages/{id}");
    let message = env.get_json(&base).await;
    assert_eq!(message["subject"], "Welcome to Acme, Ada <3!");
    assert!(message["template_id"].as_u64().unwrap() > 0);
    assert_eq!(message["template_variables"]["company"], "Acme");
    let text = env
        .get(&format!("{base}/body.txt"))
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("Hello Ada <3,"), "{text}");
    let html = env
        .get(&format!("{base}/body.html"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<strong>Ada &lt;3</strong>"), "{html}");

    // A template registered through the control API.
    let registered = env
        .ok_json(
            Method::POST,
            "/_emulator/templates",
            &json!({"name": "Receipt", "subject": "Receipt {{number}}", "text": "Total: {{total}}"}),
        )
        .await;
    let uuid = registered["uuid"].as_str().unwrap();
    let body = env
        .ok_json(
            Method::POST,
            &path,
            &json!({
                "from": {"email": "sender@example.test"},
                "to": [{"email": "to@example.test"}],
                "template_uuid": uuid,
                "template_variables": {"number": 7, "total": "9.99"}
            }),
        )
        .await;
    let message = env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages/{}",
            message_id(&body)
        ))
        .await;
    assert_eq!(message["subject"], "Receipt 7");
    assert_eq!(message["template_id"], registered["id"]);

    let unknown = env
        .send_json(
            Method::POST,
            &path,
            &json!({
                "from": {"email": "sender@example.test"},
                "to": [{"email": "to@example.test"}],
                "template_uuid": "00000000-0000-4000-8000-000000000000"
            }),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body: Value = unknown.json().await.unwrap();
    assert!(
        body["errors"][0]
            .as_str()
            .unwrap()
            .contains("template_uuid"),
        "{body}"
    );

    let mixed = env
        .send_json(
            Method::POST,
            &path,
            &json!({
                "from": {"email": "sender@example.test"},
                "to": [{"email": "to@example.test"}],
                "subject": "Not allowed",
                "template_uuid": env.emu.template_uuid()
            }),
        )
        .await;
    assert_eq!(mixed.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_batch_merges_base_and_reports_each_message() {
    let env = start().await;
    let sandbox = env.sandbox();
    let path = format!("/api/batch/{sandbox}");
    let body = env
        .ok_json(
            Method::POST,
            &path,
            &json!({
                "base": {"from": {"email": "sender@example.test", "name": "Batch"}, "subject": "Batch Subject", "text": "Batch Text"},
                "requests": [
                    {"to": [{"email": "one@example.test", "name": "One"}]},
                    {"to": [{"email": "two@example.test"}], "subject": "Own subject"},
                    {"to": []},
                    {"to": [{"email": "four@example.test"}], "template_uuid": "00000000-0000-4000-8000-000000000000", "subject": null, "text": null},
                    "not an object"
                ]
            }),
        )
        .await;
    assert_eq!(body["success"], true);
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 5);
    assert_eq!(responses[0]["success"], true);
    assert_eq!(responses[1]["success"], true);
    assert_eq!(responses[2]["success"], false);
    assert!(responses[2].get("message_ids").is_none());
    assert_eq!(
        responses[2]["errors"],
        json!(["'to', 'cc' or 'bcc' address is required"])
    );
    assert_eq!(responses[3]["success"], false);
    assert_eq!(responses[4]["success"], false);
    let first = message_id(&responses[0]);
    let second = message_id(&responses[1]);
    let list = env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages"))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"], second);
    assert_eq!(list[0]["subject"], "Own subject");
    assert_eq!(list[1]["id"], first);
    assert_eq!(list[1]["subject"], "Batch Subject");
    assert_eq!(list[1]["from_name"], "Batch");

    // Whole-request problems are 400s.
    let too_many: Vec<Value> = (0..501)
        .map(|_| json!({"to": [{"email": "x@example.test"}]}))
        .collect();
    for (bad, needle) in [
        (json!({"requests": too_many}), "at most 500"),
        (json!({"requests": "x"}), "must be an array"),
        (json!({"base": 1, "requests": []}), "'base'"),
        (json!({}), "'requests' is required"),
        (json!({"requests": []}), "at least one"),
    ] {
        let response = env.send_json(Method::POST, &path, &bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{needle}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["success"], false);
        assert!(
            body["errors"][0].as_str().unwrap().contains(needle),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_batch_of_500_is_accepted() {
    let env = start().await;
    let sandbox = env.sandbox();
    let requests: Vec<Value> = (0..500)
        .map(|i| json!({"to": [{"email": format!("user{i}@example.test")}]}))
        .collect();
    let body = env
        .ok_json(
            Method::POST,
            &format!("/api/batch/{sandbox}"),
            &json!({"base": {"from": {"email": "s@example.test"}, "subject": "Hi", "text": "t"}, "requests": requests}),
        )
        .await;
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 500);
    assert!(responses.iter().all(|r| r["success"] == true));
    let view = env.get_json(&format!("/api/sandboxes/{sandbox}")).await;
    assert_eq!(view["emails_count"], 500);
}
