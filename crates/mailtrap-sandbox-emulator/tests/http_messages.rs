//! Messages: list semantics, single-message operations, bodies, headers, attachments, and the
//! opaque message-part links.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use base64::Engine as _;
use http_support::*;
use mailtrap_sandbox_emulator::smtp::{DeliveryError, Envelope, SmtpBackend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_list_is_newest_first_thirty_per_page_with_last_id_and_page() {
    let env = start().await;
    let sandbox = env.sandbox();
    let mut delivered = Vec::new();
    for i in 0..65 {
        delivered.push(
            env.deliver_simple(sandbox, &format!("Message {i}"), "to@example.test", "body")
                .await,
        );
    }
    assert!(delivered[0] > u64::from(u32::MAX), "ids exceed 32 bits");
    let newest_first: Vec<u64> = delivered.iter().rev().copied().collect();
    let base = format!("/api/sandboxes/{sandbox}/messages");

    let page1 = ids(&env.get_json(&base).await);
    assert_eq!(page1, newest_first[..30]);
    let page2 = ids(&env.get_json(&format!("{base}?last_id={}", page1[29])).await);
    assert_eq!(page2, newest_first[30..60]);
    let page3 = ids(&env.get_json(&format!("{base}?last_id={}", page2[29])).await);
    assert_eq!(page3, newest_first[60..]);
    let end = env.get_json(&format!("{base}?last_id={}", page3[4])).await;
    assert_eq!(end, json!([]));
    // last_id need not exist: ids strictly below it.
    let below = ids(&env
        .get_json(&format!("{base}?last_id={}", delivered[10]))
        .await);
    assert_eq!(below[0], delivered[9]);
    // page counts 30 at a time.
    assert_eq!(
        ids(&env.get_json(&format!("{base}?page=2")).await),
        newest_first[30..60]
    );
    assert_eq!(
        ids(&env.get_json(&format!("{base}?page=1")).await),
        newest_first[..30]
    );
    assert_eq!(env.get_json(&format!("{base}?page=4")).await, json!([]));
    for bad in ["last_id=abc", "last_id=0", "page=-1", "page=x"] {
        let response = env.get(&format!("{base}?{bad}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_json(&response);
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("positive integer"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn search_covers_subject_addresses_and_text_and_combines_with_last_id() {
    let env = start().await;
    let sandbox = env.sandbox();
    let reset = env
        .deliver_simple(
            sandbox,
            "Password reset",
            "alice@example.test",
            "Click the link",
        )
        .await;
    let welcome = env
        .deliver_simple(
            sandbox,
            "Welcome",
            "bob@example.test",
            "Your ORDER number is 42",
        )
        .await;
    let second_reset = env
        .deliver_simple(
            sandbox,
            "Another password RESET",
            "carol@example.test",
            "again",
        )
        .await;
    let base = format!("/api/sandboxes/{sandbox}/messages");
    let search = |q: &str| format!("{base}?search={q}");
    assert_eq!(
        ids(&env.get_json(&search("reset")).await),
        [second_reset, reset]
    );
    assert_eq!(
        ids(&env.get_json(&search("BOB%40example")).await),
        [welcome]
    );
    assert_eq!(ids(&env.get_json(&search("order+number")).await), [welcome]);
    assert_eq!(ids(&env.get_json(&search("sender+person")).await).len(), 3);
    assert_eq!(env.get_json(&search("nothing-matches")).await, json!([]));
    assert_eq!(
        ids(&env
            .get_json(&format!("{base}?search=reset&last_id={second_reset}"))
            .await),
        [reset]
    );
    assert_eq!(
        ids(&env
            .get_json(&format!("{base}?last_id={second_reset}&search=reset"))
            .await),
        [reset]
    );
}

#[tokio::test]
async fn a_message_has_mailtraps_fields_and_can_be_read_and_deleted() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver(
            sandbox,
            &rich_message(),
            &[
                "bob@example.test",
                "carol@example.test",
                "hidden@example.test",
            ],
        )
        .await;
    let path = format!("/api/sandboxes/{sandbox}/messages/{id}");
    let message = env.get_json(&path).await;
    assert_eq!(message["id"], id);
    assert_eq!(message["sandbox_id"], sandbox);
    assert_eq!(message["subject"], "Quarterly report");
    assert_eq!(message["from_email"], "ada@example.test");
    assert_eq!(message["from_name"], "Ada Lovelace");
    assert_eq!(message["to_email"], "bob@example.test");
    assert_eq!(message["to_name"], "Bob Builder");
    assert_eq!(message["is_read"], false);
    assert_eq!(message["template_id"], Value::Null);
    assert_eq!(message["template_variables"], Value::Null);
    assert!(message["text_body_size"].as_u64().unwrap() > 0);
    assert!(message["html_body_size"].as_u64().unwrap() > 0);
    assert!(
        message["human_size"].as_str().unwrap().ends_with("Bytes")
            || message["human_size"].as_str().unwrap().ends_with("KB")
    );
    let created = message["created_at"].as_str().unwrap();
    assert_eq!(created.len(), "2026-01-04T16:55:50.867Z".len(), "{created}");
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok());
    assert_eq!(message["smtp_information"]["ok"], true);
    assert_eq!(
        message["smtp_information"]["data"]["mail_from_addr"],
        "sender@example.test"
    );
    assert_eq!(message["blacklists_report_info"]["domain"], "example.test");
    for field in [
        "html_path",
        "txt_path",
        "raw_path",
        "download_path",
        "html_source_path",
    ] {
        let link = message[field].as_str().unwrap();
        assert!(link.starts_with("/api/testing_message_parts/"), "{link}");
        assert!(
            link.contains("%2F") && link.contains('+') && link.contains('='),
            "{link}"
        );
    }

    let read = env
        .ok_json(Method::PATCH, &path, &json!({"message": {"is_read": true}}))
        .await;
    assert_eq!(read["is_read"], true);
    assert_eq!(read["subject"], "Quarterly report");
    assert_ne!(read["updated_at"], message["updated_at"]);
    let unread = env
        .ok_json(
            Method::PATCH,
            &path,
            &json!({"message": {"is_read": "false"}}),
        )
        .await;
    assert_eq!(unread["is_read"], false);
    let read = env
        .ok_json(
            Method::PATCH,
            &path,
            &json!({"message": {"is_read": "true"}}),
        )
        .await;
    assert_eq!(read["is_read"], true);
    let sandbox_view = env.get_json(&format!("/api/sandboxes/{sandbox}")).await;
    assert_eq!(sandbox_view["emails_unread_count"], 0);
    let response = env
        .send_json(Method::PATCH, &path, &json!({"message": {"is_read": 5}}))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errors"]["is_read"][0]
            .as_str()
            .unwrap()
            .contains("true or false"),
        "{body}"
    );

    let deleted = env.ok_json(Method::DELETE, &path, &json!({})).await;
    assert_eq!(deleted["id"], id);
    assert_eq!(deleted["is_read"], true);
    assert_eq!(env.get(&path).await.status(), StatusCode::NOT_FOUND);
    let again = env.send_json(Method::DELETE, &path, &json!({})).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bodies_have_their_content_types() {
    let env = start().await;
    let sandbox = env.sandbox();
    let raw = rich_message();
    let id = env.deliver(sandbox, &raw, &["bob@example.test"]).await;
    let base = format!("/api/sandboxes/{sandbox}/messages/{id}");

    let text = env.get(&format!("{base}/body.txt")).await;
    assert_eq!(text.status(), StatusCode::OK);
    assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        text.text().await.unwrap().trim_end(),
        "The report is attached."
    );

    let html = env.get(&format!("{base}/body.html")).await;
    assert_eq!(html.headers()["content-type"], "text/html; charset=utf-8");
    let html = html.text().await.unwrap();
    assert!(html.contains("<p>The report is attached.</p>"));
    assert!(
        html.contains("/api/testing_message_parts/"),
        "cid: links point at the attachment: {html}"
    );

    let source = env.get(&format!("{base}/body.htmlsource")).await;
    assert_eq!(source.headers()["content-type"], "text/html; charset=utf-8");
    assert!(
        source
            .text()
            .await
            .unwrap()
            .contains("cid:logo@example.test")
    );

    let raw_body = env.get(&format!("{base}/body.raw")).await;
    assert_eq!(
        raw_body.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(raw_body.text().await.unwrap(), raw.replace('\n', "\r\n"));

    let eml = env.get(&format!("{base}/body.eml")).await;
    assert_eq!(eml.headers()["content-type"], "message/rfc822");
    let disposition = eml.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"Quarterly report.eml\""),
        "{disposition}"
    );
    assert_eq!(
        eml.bytes().await.unwrap(),
        raw.replace('\n', "\r\n").as_bytes()
    );

    // A text-only message has no HTML part: 409 with a text body.
    let plain = env
        .deliver_simple(sandbox, "plain", "x@example.test", "just text")
        .await;
    let conflict = env
        .get(&format!(
            "/api/sandboxes/{sandbox}/messages/{plain}/body.html"
        ))
        .await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    assert_eq!(
        conflict.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert!(conflict.text().await.unwrap().starts_with("Conflict"));
}

#[tokio::test]
async fn message_part_links_resolve_only_when_followed_verbatim() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver(sandbox, &rich_message(), &["bob@example.test"])
        .await;
    let message = env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages/{id}"))
        .await;
    let expect = [
        ("html_path", "text/html; charset=utf-8"),
        ("txt_path", "text/plain; charset=utf-8"),
        ("raw_path", "text/plain; charset=utf-8"),
        ("download_path", "message/rfc822"),
        ("html_source_path", "text/html; charset=utf-8"),
    ];
    for (field, content_type) in expect {
        let link = message[field].as_str().unwrap();
        let response = env.get(link).await;
        assert_eq!(response.status(), StatusCode::OK, "{field}: {link}");
        assert_eq!(response.headers()["content-type"], content_type, "{field}");
        // A client that decodes or re-encodes the path gets a 404.
        for mangled in [
            link.replace("%2F", "/"),
            link.replace("%2F", "%252F"),
            link.replace('+', "%2B"),
            link.replace('=', "%3D"),
        ] {
            let response = env.get(&mangled).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{mangled}");
        }
    }
    // Links need the token too.
    let link = message["txt_path"].as_str().unwrap();
    let response = env.client.get(env.url(link)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // A deleted message's links are gone.
    env.ok_json(
        Method::DELETE,
        &format!("/api/sandboxes/{sandbox}/messages/{id}"),
        &json!({}),
    )
    .await;
    let response = env.get(link).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_json(&response);
}

#[tokio::test]
async fn attachments_are_listed_filtered_shown_and_downloaded() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver(sandbox, &rich_message(), &["bob@example.test"])
        .await;
    let base = format!("/api/sandboxes/{sandbox}/messages/{id}/attachments");
    let list = env.get_json(&base).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let pdf = list.iter().find(|a| a["filename"] == "report.pdf").unwrap();
    let logo = list.iter().find(|a| a["filename"] == "logo.png").unwrap();
    assert_eq!(pdf["attachment_type"], "attachment");
    assert_eq!(pdf["content_type"], "application/pdf");
    assert_eq!(pdf["content_id"], "");
    assert_eq!(pdf["message_id"], id);
    assert!(pdf["id"].as_u64().unwrap() > u64::from(u32::MAX));
    assert_eq!(logo["attachment_type"], "inline");
    assert_eq!(logo["content_id"], "logo@example.test");
    let pdf_bytes = base64::engine::general_purpose::STANDARD
        .decode("JVBERi0xLjQKJcOkw7w=")
        .unwrap();
    assert_eq!(pdf["attachment_size"], pdf_bytes.len());

    let inline = env
        .get_json(&format!("{base}?attachment_type=inline"))
        .await;
    assert_eq!(ids(&inline), [logo["id"].as_u64().unwrap()]);
    let only = env
        .get_json(&format!("{base}?attachment_type=attachment"))
        .await;
    assert_eq!(ids(&only), [pdf["id"].as_u64().unwrap()]);

    let shown = env.get_json(&format!("{base}/{}", pdf["id"])).await;
    assert_eq!(&shown, pdf);
    let missing = env
        .get(&format!("{base}/{}", pdf["id"].as_u64().unwrap() + 100))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let download = env.get(pdf["download_path"].as_str().unwrap()).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("report.pdf")
    );
    assert_eq!(download.bytes().await.unwrap(), pdf_bytes);
}

#[tokio::test]
async fn mail_headers_are_snake_case_strings_with_bcc_from_the_envelope() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver(
            sandbox,
            &rich_message(),
            &[
                "bob@example.test",
                "carol@example.test",
                "hidden@example.test",
            ],
        )
        .await;
    let headers = env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages/{id}/mail_headers"
        ))
        .await;
    let headers = &headers["headers"];
    assert_eq!(headers["subject"], "Quarterly report");
    assert!(
        headers["from"]
            .as_str()
            .unwrap()
            .contains("ada@example.test")
    );
    assert!(headers["to"].as_str().unwrap().contains("bob@example.test"));
    assert!(
        headers["cc"]
            .as_str()
            .unwrap()
            .contains("carol@example.test")
    );
    assert_eq!(headers["mime_version"], "1.0");
    assert!(
        headers["content_type"]
            .as_str()
            .unwrap()
            .starts_with("multipart/mixed")
    );
    assert_eq!(headers["x_custom_header"], "custom value");
    assert_eq!(headers["bcc"], "hidden@example.test");
    assert!(headers.as_object().unwrap().values().all(Value::is_string));
    // No hidden recipient: no bcc key.
    let plain = env
        .deliver_simple(sandbox, "plain", "x@example.test", "text")
        .await;
    let headers = env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages/{plain}/mail_headers"
        ))
        .await;
    assert!(headers["headers"].get("bcc").is_none());
}

#[tokio::test]
async fn spam_report_and_html_analysis_have_mailtraps_shapes() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver(sandbox, &rich_message(), &["bob@example.test"])
        .await;
    let base = format!("/api/sandboxes/{sandbox}/messages/{id}");
    let spam = env.get_json(&format!("{base}/spam_report")).await;
    let report = &spam["report"];
    assert_eq!(report["ResponseCode"], 0);
    assert_eq!(report["ResponseMessage"], "EX_OK");
    assert!(report["Score"].is_number());
    assert!(report["Spam"].is_boolean());
    for detail in report["Details"].as_array().unwrap() {
        assert!(detail["Pts"].is_string(), "{detail}");
    }
    let analysis = env.get_json(&format!("{base}/analyze")).await;
    assert_eq!(analysis["report"]["status"], "success");
    assert!(analysis["report"]["errors"].is_array());
    for path in ["spam_report", "analyze", "mail_headers", "attachments"] {
        let response = env
            .get(&format!(
                "/api/sandboxes/{sandbox}/messages/{}/{path}",
                id + 1000
            ))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn forwarding_is_recorded_not_sent() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver_simple(sandbox, "fwd", "x@example.test", "text")
        .await;
    let path = format!("/api/sandboxes/{sandbox}/messages/{id}/forward");
    let body = env
        .ok_json(
            Method::POST,
            &path,
            &json!({"email": "someone@example.test"}),
        )
        .await;
    assert_eq!(body["success"], true);
    assert!(body["message"].is_string());
    let forwards = env.get_json("/_emulator/forwards").await;
    assert_eq!(forwards[0]["email"], "someone@example.test");
    assert_eq!(forwards[0]["message_id"], id);
    let sandbox_view = env.get_json(&format!("/api/sandboxes/{sandbox}")).await;
    assert_eq!(sandbox_view["forwarded_messages_count"], 1);
    for bad in [
        json!({}),
        json!({"email": "not an address"}),
        // The sending API's address rules (mailtrap-sandbox-rules): a domain of two labels,
        // no display name.
        json!({"email": "someone@localhost"}),
        json!({"email": "Someone <someone@example.test>"}),
        json!({"email": 7}),
    ] {
        let response = env.send_json(Method::POST, &path, &bad).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_json(&response);
    }
    let missing = env
        .send_json(
            Method::POST,
            &format!("/api/sandboxes/{sandbox}/messages/{}/forward", id + 1),
            &json!({"email": "someone@example.test"}),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn legacy_message_paths_say_inbox_id() {
    let env = start().await;
    let sandbox = env.sandbox();
    let id = env
        .deliver_simple(sandbox, "legacy", "x@example.test", "text")
        .await;
    let base = format!("/api/accounts/{}/inboxes/{sandbox}/messages", env.account());
    let list = env.get_json(&base).await;
    assert_eq!(list[0]["inbox_id"], sandbox);
    assert!(list[0].get("sandbox_id").is_none());
    let message = env.get_json(&format!("{base}/{id}")).await;
    assert_eq!(message["inbox_id"], sandbox);
    let text = env.get(&format!("{base}/{id}/body.txt")).await;
    assert_eq!(text.status(), StatusCode::OK);
    let link = message["txt_path"].as_str().unwrap();
    assert_eq!(env.get(link).await.text().await.unwrap().trim_end(), "text");
    let read = env
        .ok_json(
            Method::PATCH,
            &format!("{base}/{id}"),
            &json!({"message": {"is_read": true}}),
        )
        .await;
    assert_eq!(read["inbox_id"], sandbox);
    for path in [
        "spam_report",
        "analyze",
        "mail_headers",
        "attachments",
        "body.eml",
    ] {
        let response = env.get(&format!("{base}/{id}/{path}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let deleted = env
        .ok_json(Method::DELETE, &format!("{base}/{id}"), &json!({}))
        .await;
    assert_eq!(deleted["inbox_id"], sandbox);
}

#[tokio::test]
async fn max_size_drops_the_oldest_and_max_message_size_refuses_big_messages() {
    let env = start().await;
    let sandbox = env.sandbox();
    let limited = env
        .ok_json(
            Method::PATCH,
            &format!("/_emulator/sandboxes/{sandbox}"),
            &json!({"max_size": 3, "max_message_size": 2000}),
        )
        .await;
    assert_eq!(limited["max_size"], 3);
    assert_eq!(limited["max_message_size"], 2000);
    let mut delivered = Vec::new();
    for i in 0..5 {
        delivered.push(
            env.deliver_simple(sandbox, &format!("m{i}"), "x@example.test", "t")
                .await,
        );
    }
    let list = env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages"))
        .await;
    assert_eq!(ids(&list), [delivered[4], delivered[3], delivered[2]]);
    // Lowering the limit drops the oldest at once.
    env.ok_json(
        Method::PATCH,
        &format!("/_emulator/sandboxes/{sandbox}"),
        &json!({"max_size": 1}),
    )
    .await;
    let list = env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages"))
        .await;
    assert_eq!(ids(&list), [delivered[4]]);

    let store = env.emu.store();
    let big = simple_message("big", "x@example.test", &"x".repeat(3000)).into_bytes();
    let envelope = Envelope {
        mail_from: "a@example.test".to_owned(),
        rcpt_to: vec!["x@example.test".to_owned()],
        client_ip: "127.0.0.1".parse().unwrap(),
    };
    let result = tokio::task::spawn_blocking(move || {
        (
            store.max_message_size(sandbox),
            store.deliver(sandbox, big, envelope),
        )
    })
    .await
    .unwrap();
    assert_eq!(result, (Some(2000), Err(DeliveryError::TooLarge(2000))));
}
