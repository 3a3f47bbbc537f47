//! Fault injection (HTTP and SMTP), the control API, reset, and the rate limit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use std::time::{Duration, Instant};

use http_support::*;
use mailtrap_sandbox_emulator::smtp::{SmtpBackend, SmtpStage};
use mailtrap_sandbox_emulator::{EmulatorConfig, FaultSpec, SmtpFaultSpec, SmtpFaultStage};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[tokio::test]
async fn fail_the_next_n_matching_requests() {
    let env = start().await;
    let rule = env
        .ok_json(
            Method::POST,
            "/_emulator/faults",
            &json!({"kind": "fail", "status": 503, "times": 2, "path_prefix": "/api/sandboxes", "method": "GET"}),
        )
        .await;
    assert_eq!(rule["remaining"], 2);
    assert!(rule["id"].is_u64());
    for _ in 0..2 {
        // Other paths and methods are untouched.
        assert_eq!(env.get("/api/projects").await.status(), StatusCode::OK);
        let response = env.get("/api/sandboxes").await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_json(&response);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"error": "Service Unavailable"})
        );
    }
    assert_eq!(env.get("/api/sandboxes").await.status(), StatusCode::OK);
    let listed = env.get_json("/_emulator/faults").await;
    assert_eq!(listed["faults"][0]["fired"], 2);
    assert_eq!(listed["faults"][0]["remaining"], 0);
}

#[tokio::test]
async fn failures_carry_the_given_body_and_headers() {
    let env = start().await;
    env.ok_json(
        Method::POST,
        "/_emulator/faults",
        &json!({"kind": "fail", "status": 429, "body": {"errors": "Rate limit exceeded"}, "headers": {"Retry-After": "7"}, "times": 1}),
    )
    .await;
    env.ok_json(
        Method::POST,
        "/_emulator/faults",
        &json!({"kind": "fail", "status": 502, "body": "<html>Bad gateway</html>", "headers": {"content-type": "text/html"}, "times": 1}),
    )
    .await;
    let first = env.get("/api/sandboxes").await;
    assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers()["retry-after"], "7");
    assert_eq!(
        first.json::<Value>().await.unwrap(),
        json!({"errors": "Rate limit exceeded"})
    );
    let second = env.get("/api/sandboxes").await;
    assert_eq!(second.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(second.headers()["content-type"], "text/html");
    assert_eq!(second.text().await.unwrap(), "<html>Bad gateway</html>");
    assert_eq!(env.get("/api/sandboxes").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_percentage_fails_about_that_share() {
    let env = start().await;
    env.ok_json(
        Method::POST,
        "/_emulator/faults",
        &json!({"kind": "fail", "status": 500, "percentage": 50}),
    )
    .await;
    let mut failed = 0;
    for _ in 0..200 {
        if env.get("/api/accounts").await.status() == StatusCode::INTERNAL_SERVER_ERROR {
            failed += 1;
        }
    }
    // Binomial(200, 0.5): outside 50..=150 has a probability below 1e-12.
    assert!((50..=150).contains(&failed), "{failed} of 200 failed");
}

#[tokio::test]
async fn delays_hold_the_answer_back() {
    let env = start().await;
    env.ok_json(
        Method::POST,
        "/_emulator/faults",
        &json!({"kind": "delay", "delay_ms": 400, "times": 1}),
    )
    .await;
    let started = Instant::now();
    let response = env.get("/api/sandboxes").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    // A client with a shorter timeout gives up.
    env.emu
        .add_fault(FaultSpec::delay(Duration::from_secs(5)).times(1))
        .unwrap();
    let timed_out = env
        .req(Method::GET, "/api/sandboxes")
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(timed_out.is_timeout(), "{timed_out:?}");
}

#[tokio::test]
async fn dropped_connections_close_without_a_response() {
    let env = start().await;
    env.emu
        .add_fault(FaultSpec::drop_connection().times(1).method("GET"))
        .unwrap();
    let error = env
        .req(Method::GET, "/api/sandboxes")
        .send()
        .await
        .expect_err("the connection is closed without an answer");
    assert!(!error.is_timeout() && error.status().is_none(), "{error:?}");
    // The next request (on a new connection) is served.
    assert_eq!(env.get("/api/sandboxes").await.status(), StatusCode::OK);

    // Seen from a raw socket: the server closes after reading the request.
    env.emu
        .add_fault(FaultSpec::drop_connection().times(1))
        .unwrap();
    let mut stream = TcpStream::connect(env.emu.http_addr()).await.unwrap();
    stream
        .write_all(
            b"GET /api/sandboxes HTTP/1.1\r\nHost: x\r\nApi-Token: test-token-0123456789\r\n\r\n",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer),
    )
    .await
    .expect("the server closes the connection");
    assert!(
        read.is_err() || answer.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn rules_are_listed_removed_and_cleared_and_never_touch_the_control_api() {
    let env = start().await;
    let catch_all = env
        .ok_json(
            Method::POST,
            "/_emulator/faults",
            &json!({"kind": "fail", "status": 500}),
        )
        .await;
    let other = env
        .ok_json(
            Method::POST,
            "/_emulator/faults",
            &json!({"kind": "delay", "delay_ms": 1}),
        )
        .await;
    assert_eq!(
        env.get("/api/sandboxes").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // Control routes keep working under a catch-all failure.
    let listed = env.get_json("/_emulator/faults").await;
    assert_eq!(listed["faults"].as_array().unwrap().len(), 2);
    let removed = env
        .ok_json(
            Method::DELETE,
            &format!("/_emulator/faults/{}", catch_all["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(removed["id"], catch_all["id"]);
    let missing = env
        .send_json(Method::DELETE, "/_emulator/faults/999999", &json!({}))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(env.get("/api/sandboxes").await.status(), StatusCode::OK);
    env.ok_json(Method::POST, "/_emulator/faults", &json!({"kind": "drop"}))
        .await;
    let cleared = env
        .ok_json(Method::DELETE, "/_emulator/faults", &json!({}))
        .await;
    assert_eq!(cleared["cleared"], 2);
    assert_eq!(env.get_json("/_emulator/faults").await["faults"], json!([]));
    assert_eq!(env.get("/api/sandboxes").await.status(), StatusCode::OK);
    let _ = other;
}

#[tokio::test]
async fn bad_rules_are_refused_with_field_errors() {
    let env = start().await;
    for (rule, field) in [
        (json!({"kind": "fail"}), "status"),
        (json!({"kind": "fail", "status": 99}), "status"),
        (json!({"kind": "delay"}), "delay_ms"),
        (json!({"kind": "drop", "status": 500}), "status"),
        (
            json!({"kind": "fail", "status": 500, "percentage": 0}),
            "percentage",
        ),
        (
            json!({"kind": "fail", "status": 500, "path_prefix": "api"}),
            "path_prefix",
        ),
        (json!({"kind": "explode"}), "kind"),
        (json!({"kind": "fail", "status": 500, "time": 2}), "time"),
        (json!({"kind": "fail", "status": "500"}), "status"),
    ] {
        let response = env
            .send_json(Method::POST, "/_emulator/faults", &rule)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{rule}"
        );
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"].get(field).is_some(), "{rule}: {body}");
    }
    let response = env
        .send_json(
            Method::POST,
            "/_emulator/smtp_faults",
            &json!({"stage": "rcpt_to", "code": 250}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn start_up_faults_apply_and_reset_restores_them() {
    let mut config = EmulatorConfig::ephemeral();
    config.faults = vec![FaultSpec::fail(500).times(1).path_prefix("/api/projects")];
    let env = start_with(config).await;
    assert_eq!(
        env.get("/api/projects").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(env.get("/api/projects").await.status(), StatusCode::OK);
    env.ok_json(
        Method::POST,
        "/api/projects",
        &json!({"project": {"name": "Extra"}}),
    )
    .await;
    env.deliver_simple(env.sandbox(), "before reset", "x@example.test", "t")
        .await;
    env.ok_json(
        Method::POST,
        "/_emulator/faults",
        &json!({"kind": "fail", "status": 418}),
    )
    .await;

    let status = env
        .ok_json(Method::POST, "/_emulator/reset", &json!({}))
        .await;
    assert_eq!(status["counts"]["projects"], 1);
    assert_eq!(status["counts"]["messages"], 0);
    assert_eq!(status["faults"].as_array().unwrap().len(), 1);
    assert_eq!(status["faults"][0]["status"], 500);
    // The start-up rule fires again, then the seeded state is back.
    assert_eq!(
        env.get("/api/projects").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let projects = env.get_json("/api/projects").await;
    assert_eq!(projects.as_array().unwrap().len(), 1);
    assert_eq!(projects[0]["id"], env.project());
    let sandbox = &projects[0]["sandboxes"][0];
    assert_eq!(sandbox["username"], env.emu.sandbox().smtp_username);
    assert_eq!(sandbox["sent_messages_count"], 0);
    assert_eq!(
        env.get_json(&format!("/api/sandboxes/{}/messages", env.sandbox()))
            .await,
        json!([])
    );
}

#[tokio::test]
async fn the_control_api_needs_the_start_up_token() {
    let env = start().await;
    let response = env
        .client
        .get(env.url("/_emulator/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Token realm=\"Application\""
    );
    assert!(response.headers().get("x-ratelimit-limit").is_none());
    // A token made through the API can manage resources but not the emulator.
    let created = env
        .ok_json(Method::POST, "/api/api_tokens", &json!({"name": "Other"}))
        .await;
    let other = created["token"].as_str().unwrap();
    let response = env
        .client
        .get(env.url("/_emulator/status"))
        .bearer_auth(other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let status = env.get_json("/_emulator/status").await;
    assert_eq!(status["summary"]["account_id"], env.account());
    assert_eq!(status["summary"]["sandbox"]["id"], env.sandbox());
}

/// A minimal SMTP client over raw TCP.
struct Smtp {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Smtp {
    async fn connect(env: &Env) -> Self {
        let stream = TcpStream::connect(env.emu.smtp_addr()).await.unwrap();
        let (read, writer) = stream.into_split();
        let mut smtp = Smtp {
            reader: BufReader::new(read),
            writer,
        };
        assert!(smtp.reply().await.starts_with("220"));
        smtp.cmd("EHLO client.test").await;
        smtp
    }

    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return all;
            }
        }
    }

    async fn cmd(&mut self, line: &str) -> String {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
        self.reply().await
    }
}

#[tokio::test]
async fn smtp_fault_rules_reject_matching_commands() {
    let env = start().await;
    env.ok_json(
        Method::POST,
        "/_emulator/smtp_faults",
        &json!({"stage": "rcpt_to", "matches": "*@blocked.test", "code": 550, "message": "No such user here"}),
    )
    .await;
    env.emu
        .add_smtp_fault(
            SmtpFaultSpec::new(SmtpFaultStage::MailFrom, 451)
                .matching("slow@*")
                .times(1),
        )
        .unwrap();
    let address = env.emu.sandbox().email_address.clone();
    let mut smtp = Smtp::connect(&env).await;
    assert!(
        smtp.cmd("MAIL FROM:<slow@example.test>")
            .await
            .starts_with("451")
    );
    assert!(
        smtp.cmd("MAIL FROM:<slow@example.test>")
            .await
            .starts_with("250")
    );
    let rejected = smtp.cmd("RCPT TO:<someone@blocked.test>").await;
    assert!(
        rejected.starts_with("550") && rejected.contains("No such user here"),
        "{rejected}"
    );
    assert!(
        smtp.cmd(&format!("RCPT TO:<{address}>"))
            .await
            .starts_with("250")
    );
    assert!(smtp.cmd("DATA").await.starts_with("354"));
    let data = "From: slow@example.test\r\nTo: someone\r\nSubject: Over SMTP\r\n\r\nHello\r\n.";
    let queued = smtp.cmd(data).await;
    assert!(queued.starts_with("250"), "{queued}");
    let list = env
        .get_json(&format!("/api/sandboxes/{}/messages", env.sandbox()))
        .await;
    assert_eq!(list[0]["subject"], "Over SMTP");
    assert_eq!(
        list[0]["smtp_information"]["data"]["rcpt_to_addrs"],
        json!([address])
    );

    // AUTH rules match the username; the backend is what the SMTP server asks.
    let auth = env
        .ok_json(
            Method::POST,
            "/_emulator/smtp_faults",
            &json!({"stage": "auth", "matches": "locked-*", "code": 535, "message": "Account locked"}),
        )
        .await;
    let store = env.emu.store();
    assert_eq!(
        store.smtp_fault(SmtpStage::Auth, "locked-user"),
        Some((535, "Account locked".to_owned()))
    );
    assert_eq!(store.smtp_fault(SmtpStage::Auth, "free-user"), None);
    env.ok_json(
        Method::DELETE,
        &format!("/_emulator/smtp_faults/{}", auth["id"]),
        &json!({}),
    )
    .await;
    assert_eq!(store.smtp_fault(SmtpStage::Auth, "locked-user"), None);

    let listed = env.get_json("/_emulator/smtp_faults").await;
    assert_eq!(listed["smtp_faults"].as_array().unwrap().len(), 2);
    let cleared = env
        .ok_json(Method::DELETE, "/_emulator/smtp_faults", &json!({}))
        .await;
    assert_eq!(cleared["cleared"], 2);
    let mut smtp = Smtp::connect(&env).await;
    assert!(
        smtp.cmd("MAIL FROM:<slow@example.test>")
            .await
            .starts_with("250")
    );
    assert!(
        smtp.cmd("RCPT TO:<someone@blocked.test>")
            .await
            .starts_with("5"),
        "unknown address"
    );
}

#[tokio::test]
async fn management_responses_carry_rate_limit_headers() {
    let env = start().await;
    let first = env.get("/api/sandboxes").await;
    assert_eq!(first.headers()["x-ratelimit-limit"], "150");
    let remaining: u32 = first.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let second = env.get("/api/projects").await;
    let next: u32 = second.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(next, remaining - 1);
    // Errors carry them too; the control API does not count.
    let not_found = env.get("/api/sandboxes/1").await;
    assert_eq!(not_found.headers()["x-ratelimit-limit"], "150");
    let unauthorized = env
        .client
        .get(env.url("/api/sandboxes"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.headers()["x-ratelimit-limit"], "150");
    let control = env.get("/_emulator/status").await;
    assert!(control.headers().get("x-ratelimit-remaining").is_none());
    let after = env.get("/api/projects").await;
    let after: u32 = after.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(after, next - 2);
}

#[tokio::test]
async fn an_enforced_limit_answers_429_beyond_150_per_window() {
    let mut config = EmulatorConfig::ephemeral();
    config.enforce_rate_limit = true;
    let env = start_with(config).await;
    for i in 0..150u32 {
        let response = env.get("/api/accounts").await;
        assert_eq!(response.status(), StatusCode::OK, "request {i}");
        assert_eq!(
            response.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap(),
            (149 - i).to_string()
        );
    }
    let limited = env.get("/api/accounts").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["x-ratelimit-remaining"], "0");
    assert_json(&limited);
    assert_eq!(
        limited.json::<Value>().await.unwrap(),
        json!({"errors": "Rate limit exceeded"})
    );
    // Sending and control are not limited; another token has its own window.
    let sent = env
        .send_json(
            Method::POST,
            &format!("/api/send/{}", env.sandbox()),
            &json!({"from": {"email": "a@example.test"}, "to": [{"email": "b@example.test"}], "subject": "s", "text": "t"}),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
    let other = env
        .client
        .get(env.url("/api/accounts"))
        .bearer_auth("some-other-token")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(other.headers()["x-ratelimit-remaining"], "149");
    // Turning enforcement off through the control API clears the counts.
    let view = env
        .ok_json(
            Method::PUT,
            "/_emulator/rate_limit",
            &json!({"enforce": false}),
        )
        .await;
    assert_eq!(
        view,
        json!({"enforce": false, "limit": 150, "window_seconds": 10, "tracked_tokens": 0})
    );
    assert_eq!(env.get("/api/accounts").await.status(), StatusCode::OK);
}
