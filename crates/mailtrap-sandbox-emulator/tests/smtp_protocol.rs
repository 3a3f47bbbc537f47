//! SMTP protocol edge cases, scripted over a raw TCP connection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod smtp_support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mailtrap_sandbox_emulator::smtp::{DeliveryError, SmtpConfig, SmtpStage};
use smtp_support::{ALPHA, BETA, Raw, message, start, start_with};

#[tokio::test]
async fn greeting_and_ehlo_capabilities() {
    let server = start().await;
    let mut client = Raw::connect(server.addr).await;
    let reply = client.cmd("EHLO client.test", "250").await;
    for capability in [
        "PIPELINING",
        "SIZE 52428800",
        "8BITMIME",
        "ENHANCEDSTATUSCODES",
        "AUTH PLAIN LOGIN",
    ] {
        assert!(
            reply.lines().any(|l| l[4..] == *capability),
            "{capability} missing in {reply}"
        );
    }
    // STARTTLS only with the `tls` feature.
    assert_eq!(
        reply.lines().any(|l| &l[4..] == "STARTTLS"),
        cfg!(feature = "tls"),
        "{reply}"
    );
    assert!(reply.lines().last().unwrap().starts_with("250 "));
    let helo = client.cmd("HELO client.test", "250").await;
    assert!(!helo.contains("AUTH"));
    client.cmd("QUIT", "221").await;
    assert!(client.is_closed().await);
}

#[tokio::test]
async fn authenticated_delivery_with_auth_plain_inline() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("MAIL FROM:<sender@client.test>", "250").await;
    client.cmd("RCPT TO:<anyone@anywhere.test>", "250").await;
    client.cmd("RCPT TO:<hidden@anywhere.test>", "250").await;
    client.cmd("DATA", "354").await;
    client
        .send_bytes(b"Subject: hi\r\n\r\n..leading dot line\r\n.\r\nnot the end\r\n.\r\n")
        .await;
    // Only ". CRLF" alone ends the data, and dots are unstuffed.
    let reply = client.reply().await;
    assert!(
        reply.starts_with("250 2.0.0 Ok: queued as 5000000001"),
        "{reply}"
    );

    let delivered = server.backend.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].sandbox, ALPHA);
    assert_eq!(
        delivered[0].raw,
        b"Subject: hi\r\n\r\n.leading dot line\r\n".to_vec()
    );
    // The lone "." line ended the message; "not the end" was then read as a command.
    let envelope = &delivered[0].envelope;
    assert_eq!(envelope.mail_from, "sender@client.test");
    assert_eq!(
        envelope.rcpt_to,
        ["anyone@anywhere.test", "hidden@anywhere.test"]
    );
    assert!(envelope.client_ip.is_loopback());
}

#[tokio::test]
async fn auth_plain_on_continuation_and_auth_login() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    let prompt = client.cmd("AUTH PLAIN", "334").await;
    assert_eq!(prompt, "334 ");
    client
        .cmd(&STANDARD.encode("\0beta\0beta-pass"), "235")
        .await;
    client.cmd("AUTH PLAIN", "503").await;

    let mut login = Raw::ehlo(server.addr).await;
    let user_prompt = login.cmd("AUTH LOGIN", "334").await;
    assert_eq!(user_prompt, "334 VXNlcm5hbWU6");
    let password_prompt = login.cmd(&STANDARD.encode("alpha"), "334").await;
    assert_eq!(password_prompt, "334 UGFzc3dvcmQ6");
    login.cmd(&STANDARD.encode("alpha-pass"), "235").await;

    // LOGIN with the username given up front.
    let mut inline = Raw::ehlo(server.addr).await;
    inline
        .cmd(
            &format!("AUTH LOGIN {}", STANDARD.encode("beta")),
            "334 UGFzc3dvcmQ6",
        )
        .await;
    inline.cmd(&STANDARD.encode("beta-pass"), "235").await;
}

#[tokio::test]
async fn wrong_credentials_bad_base64_and_unknown_mechanism() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client
        .cmd(
            &format!("AUTH PLAIN {}", STANDARD.encode("\0alpha\0wrong")),
            "535 5.7.8",
        )
        .await;
    client.cmd("AUTH PLAIN ***not-base64***", "501 5.5.2").await;
    client
        .cmd(
            &format!("AUTH PLAIN {}", STANDARD.encode("no-nul-bytes")),
            "501 5.5.2",
        )
        .await;
    client.cmd("AUTH LOGIN", "334").await;
    client.cmd("%%%", "501 5.5.2").await;
    client.cmd("AUTH LOGIN", "334").await;
    client.cmd("*", "501 5.7.0").await;
    client.cmd("AUTH CRAM-MD5", "504").await;
    // Still unauthenticated: an unknown recipient needs AUTH.
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("RCPT TO:<x@elsewhere.test>", "530 5.7.0").await;
    assert!(server.backend.delivered().is_empty());
}

#[tokio::test]
async fn unauthenticated_delivery_to_sandbox_addresses() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("RCPT TO:<stranger@elsewhere.test>", "530").await;
    client.cmd("RCPT TO:<Alpha@Inbox.Test>", "250").await;
    client.cmd("RCPT TO:<beta@inbox.test>", "250").await;
    client.cmd("RCPT TO:<alpha@inbox.test>", "250").await;
    client.cmd("DATA", "354").await;
    client
        .send_bytes(message("to sandboxes", "hello").as_bytes())
        .await;
    let reply = client.cmd(".", "250").await;
    assert!(reply.contains("5000000001, 5000000002"), "{reply}");
    let delivered = server.backend.delivered();
    let sandboxes: Vec<u64> = delivered.iter().map(|d| d.sandbox).collect();
    assert_eq!(sandboxes, [ALPHA, BETA], "each sandbox once");
    assert_eq!(
        delivered[0].envelope.rcpt_to,
        ["Alpha@Inbox.Test", "beta@inbox.test", "alpha@inbox.test"]
    );
}

#[tokio::test]
async fn commands_out_of_order_get_503() {
    let server = start().await;
    let mut client = Raw::connect(server.addr).await;
    client.cmd("MAIL FROM:<a@client.test>", "503").await;
    client.cmd("AUTH PLAIN", "503").await;
    client.cmd("EHLO client.test", "250").await;
    client.cmd("RCPT TO:<alpha@inbox.test>", "503").await;
    client.cmd("DATA", "503").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("MAIL FROM:<a@client.test>", "503").await;
    client.cmd("DATA", "503 5.5.1 Need RCPT").await;
    client
        .cmd(
            &format!("AUTH PLAIN {}", STANDARD.encode("\0alpha\0alpha-pass")),
            "503",
        )
        .await;
    client.cmd("RSET", "250").await;
    client.cmd("RCPT TO:<alpha@inbox.test>", "503").await;
}

#[tokio::test]
async fn other_commands() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.cmd("NOOP", "250").await;
    client.cmd("VRFY someone", "252").await;
    client.cmd("HELP", "214").await;
    client.cmd("EXPN list", "502").await;
    client.cmd("BDAT 10 LAST", "502").await;
    client.cmd("FROB nicate", "500 5.5.2").await;
    client.cmd("MAIL FROM:<a@client.test> FOO=BAR", "555").await;
    client.cmd("MAIL FROM:no-brackets", "501").await;
    // The null reverse-path of bounces is accepted, and so are ESMTP parameters we advertise.
    client
        .cmd("MAIL FROM:<> BODY=8BITMIME SMTPUTF8 SIZE=100", "250")
        .await;
    client.cmd("RSET", "250").await;
    client.cmd("QUIT", "221").await;
}

#[tokio::test]
async fn declared_size_over_the_sandbox_limit() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client
        .cmd("MAIL FROM:<a@client.test> SIZE=20001", "552 5.3.4")
        .await;
    client
        .cmd("MAIL FROM:<a@client.test> SIZE=20000", "250")
        .await;
    client.cmd("RSET", "250").await;

    // Unauthenticated: the limit is known once the recipient names the sandbox.
    let mut anonymous = Raw::ehlo(server.addr).await;
    anonymous
        .cmd("MAIL FROM:<a@client.test> SIZE=30000", "250")
        .await;
    anonymous.cmd("RCPT TO:<alpha@inbox.test>", "552").await;
    anonymous.cmd("RCPT TO:<beta@inbox.test>", "250").await;

    let mut huge = Raw::ehlo(server.addr).await;
    huge.cmd("MAIL FROM:<a@client.test> SIZE=999999999", "552")
        .await;
}

#[tokio::test]
async fn actual_data_over_the_sandbox_limit() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("RCPT TO:<x@y.test>", "250").await;
    client.cmd("DATA", "354").await;
    let line = format!("{}\r\n", "x".repeat(998));
    let mut body = String::from("Subject: big\r\n\r\n");
    for _ in 0..25 {
        body.push_str(&line);
    }
    client.send_bytes(body.as_bytes()).await;
    client.cmd(".", "552 5.3.4").await;
    // The session goes on.
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("RCPT TO:<x@y.test>", "250").await;
    client.cmd("DATA", "354").await;
    client.send_bytes(b"Subject: small\r\n\r\nok\r\n").await;
    client.cmd(".", "250").await;
    assert_eq!(server.backend.delivered().len(), 1);
}

#[tokio::test]
async fn too_many_recipients() {
    let config = SmtpConfig {
        max_recipients: 3,
        ..SmtpConfig::default()
    };
    let server = start_with(config).await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    for i in 0..3 {
        client.cmd(&format!("RCPT TO:<r{i}@y.test>"), "250").await;
    }
    client.cmd("RCPT TO:<r4@y.test>", "452 4.5.3").await;
    client.cmd("DATA", "354").await;
    client.send_bytes(b"Subject: x\r\n\r\nx\r\n").await;
    client.cmd(".", "250").await;
    assert_eq!(server.backend.delivered()[0].envelope.rcpt_to.len(), 3);
}

#[tokio::test]
async fn two_hundred_recipients_deliver_to_the_hundred_accepted() {
    // The default limit: 100 recipients. The other 100 are refused with 452, which is an
    // answer about those addresses, not an error of the client: the session goes on and the
    // message is delivered for the accepted ones (on `main` it was closed with 421 and lost).
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    for i in 0..200 {
        let expected = if i < 100 { "250 2.1.5" } else { "452 4.5.3" };
        client
            .cmd(&format!("RCPT TO:<r{i}@y.test>"), expected)
            .await;
    }
    client.cmd("DATA", "354").await;
    client.send_bytes(b"Subject: many\r\n\r\nx\r\n").await;
    client.cmd(".", "250 2.0.0").await;
    let delivered = server.backend.delivered();
    assert_eq!(delivered.len(), 1);
    let rcpt_to = &delivered[0].envelope.rcpt_to;
    assert_eq!(rcpt_to.len(), 100);
    assert_eq!(rcpt_to.first().map(String::as_str), Some("r0@y.test"));
    assert_eq!(rcpt_to.last().map(String::as_str), Some("r99@y.test"));
    // The session is still usable.
    client.cmd("NOOP", "250").await;
}

#[tokio::test]
async fn refused_recipients_are_bounded_per_message() {
    // Past the limit plus an allowance of 1,000, refused recipients count as failed commands
    // again, so a client cannot send RCPT TO forever.
    let server = start_with(SmtpConfig {
        max_recipients: 2,
        ..SmtpConfig::default()
    })
    .await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    for i in 0..1002 {
        let expected = if i < 2 { "250" } else { "452 4.5.3" };
        client
            .cmd(&format!("RCPT TO:<r{i}@y.test>"), expected)
            .await;
    }
    for i in 0..19 {
        client.cmd(&format!("RCPT TO:<x{i}@y.test>"), "452").await;
    }
    client.send("RCPT TO:<last@y.test>").await;
    assert!(client.reply().await.starts_with("452"));
    let reply = client.reply().await;
    assert!(reply.starts_with("421 4.7.0 Too many errors"), "{reply}");
    assert!(client.is_closed().await);
}

#[tokio::test]
async fn unauthenticated_mail_reaches_the_sandbox_despite_refused_recipients() {
    // Without logging in, addresses that are no sandbox's are refused (530); 30 of them do not
    // end the session, and the message lands in the sandbox it was addressed to.
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("RCPT TO:<alpha@inbox.test>", "250").await;
    for i in 0..30 {
        client
            .cmd(&format!("RCPT TO:<someone{i}@elsewhere.test>"), "530")
            .await;
    }
    client.cmd("DATA", "354").await;
    client.send_bytes(b"Subject: x\r\n\r\nx\r\n").await;
    client.cmd(".", "250").await;
    let delivered = server.backend.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].sandbox, ALPHA);
    assert_eq!(delivered[0].envelope.rcpt_to, ["alpha@inbox.test"]);
}

#[tokio::test]
async fn the_full_recipient_allowance_fits_in_the_command_limit() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    for i in 0..100 {
        client.cmd(&format!("RCPT TO:<r{i}@y.test>"), "250").await;
    }
    client.cmd("DATA", "354").await;
    client.send_bytes(b"Subject: x\r\n\r\nx\r\n").await;
    client.cmd(".", "250").await;
    assert_eq!(server.backend.delivered()[0].envelope.rcpt_to.len(), 100);
}

#[tokio::test]
async fn overlong_lines() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client
        .cmd(&format!("NOOP {}", "x".repeat(5000)), "500 5.5.2")
        .await;
    client.cmd("NOOP", "250").await;

    client.login("beta", "beta-pass").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("RCPT TO:<x@y.test>", "250").await;
    client.cmd("DATA", "354").await;
    // Longer than a command line but accepted in DATA.
    let long_line = "y".repeat(200_000);
    client
        .send_bytes(format!("Subject: long\r\n\r\n{long_line}\r\n").as_bytes())
        .await;
    client.cmd(".", "250").await;
    let delivered = server.backend.delivered();
    assert!(String::from_utf8_lossy(&delivered[0].raw).contains(&long_line));

    // A command line with no end at all: the server gives up and closes.
    let mut runaway = Raw::ehlo(server.addr).await;
    runaway.send_bytes(&vec![b'z'; 100_000]).await;
    let reply = runaway.reply().await;
    assert!(reply.starts_with("421"), "{reply}");
    assert!(runaway.is_closed().await);
}

#[tokio::test]
async fn garbage_bytes_do_not_break_the_server() {
    let server = start().await;
    let mut rng = fastrand::Rng::with_seed(42);
    for round in 0..20 {
        let mut client = Raw::connect(server.addr).await;
        let garbage: Vec<u8> = (0..rng.usize(1..2000)).map(|_| rng.u8(..)).collect();
        client.send_bytes(&garbage).await;
        if round % 2 == 0 {
            client.send_bytes(b"\r\nQUIT\r\n").await;
        }
        drop(client);
    }
    // After all that, a normal session works.
    let mut client = Raw::ehlo(server.addr).await;
    client.cmd("NOOP", "250").await;
    assert!(server.backend.delivered().is_empty());
}

#[tokio::test]
async fn too_many_errors_close_the_session() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    for _ in 0..19 {
        client.cmd("BOGUS", "500").await;
    }
    client.cmd("BOGUS", "500").await;
    let reply = client.reply().await;
    assert!(reply.starts_with("421 4.7.0"), "{reply}");
    assert!(client.is_closed().await);
}

#[tokio::test]
async fn abrupt_disconnect_mid_data_delivers_nothing() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("RCPT TO:<x@y.test>", "250").await;
    client.cmd("DATA", "354").await;
    client.send_bytes(b"Subject: cut\r\n\r\nhalf a mess").await;
    drop(client);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(server.backend.delivered().is_empty());
    // The server is still serving.
    let mut next = Raw::ehlo(server.addr).await;
    next.cmd("NOOP", "250").await;
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order() {
    let server = start().await;
    let mut client = Raw::connect(server.addr).await;
    let token = STANDARD.encode("\0alpha\0alpha-pass");
    client
        .send_bytes(
            format!(
                "EHLO client.test\r\nAUTH PLAIN {token}\r\nMAIL FROM:<a@client.test>\r\n\
RCPT TO:<one@y.test>\r\nRCPT TO:<two@y.test>\r\nDATA\r\n"
            )
            .as_bytes(),
        )
        .await;
    for code in ["250", "235", "250", "250", "250", "354"] {
        let reply = client.reply().await;
        assert!(reply.starts_with(code), "expected {code}, got {reply}");
    }
    client
        .send_bytes(b"Subject: piped\r\n\r\nbody\r\n.\r\nMAIL FROM:<b@client.test>\r\nRCPT TO:<three@y.test>\r\nDATA\r\n")
        .await;
    for code in ["250", "250", "250", "354"] {
        let reply = client.reply().await;
        assert!(reply.starts_with(code), "expected {code}, got {reply}");
    }
    client
        .send_bytes(b"Subject: second\r\n\r\nx\r\n.\r\nQUIT\r\n")
        .await;
    assert!(client.reply().await.starts_with("250"));
    assert!(client.reply().await.starts_with("221"));
    assert_eq!(server.backend.delivered().len(), 2);
}

#[tokio::test]
async fn fault_rules_at_each_stage() {
    let server = start().await;
    server
        .backend
        .add_fault(SmtpStage::Auth, "beta", 454, "4.7.0 Auth fault injected");
    server.backend.add_fault(
        SmtpStage::MailFrom,
        "bounce@client.test",
        550,
        "5.7.1 Sender refused",
    );
    server
        .backend
        .add_fault(SmtpStage::RcptTo, "full@y.test", 452, "4.2.2 Mailbox full");
    server
        .backend
        .add_fault(SmtpStage::RcptTo, "drop@y.test", 421, "4.3.0 Going away");

    let mut client = Raw::ehlo(server.addr).await;
    let reply = client
        .cmd(
            &format!("AUTH PLAIN {}", STANDARD.encode("\0beta\0beta-pass")),
            "454",
        )
        .await;
    assert_eq!(reply, "454 4.7.0 Auth fault injected");
    client.login("alpha", "alpha-pass").await;
    assert_eq!(
        client.cmd("MAIL FROM:<bounce@client.test>", "550").await,
        "550 5.7.1 Sender refused"
    );
    client.cmd("MAIL FROM:<fine@client.test>", "250").await;
    assert_eq!(
        client.cmd("RCPT TO:<full@y.test>", "452").await,
        "452 4.2.2 Mailbox full"
    );
    client.cmd("RCPT TO:<ok@y.test>", "250").await;
    client.cmd("DATA", "354").await;
    client.send_bytes(b"Subject: x\r\n\r\nx\r\n").await;
    client.cmd(".", "250").await;
    assert_eq!(
        server.backend.delivered()[0].envelope.rcpt_to,
        ["ok@y.test"]
    );

    // A 421 fault closes the session.
    client.cmd("MAIL FROM:<fine@client.test>", "250").await;
    client.cmd("RCPT TO:<drop@y.test>", "421").await;
    assert!(client.is_closed().await);
}

#[tokio::test]
async fn delivery_errors_map_to_smtp_codes() {
    let server = start().await;
    for (error, code) in [
        (DeliveryError::TooLarge(10), "552 5.3.4"),
        (DeliveryError::NoSuchSandbox, "550 5.1.1"),
        (DeliveryError::Storage("disk full".into()), "451 4.3.0"),
    ] {
        *server.backend.fail_delivery.lock().unwrap() = Some(error);
        let mut client = Raw::ehlo(server.addr).await;
        client.login("alpha", "alpha-pass").await;
        client.cmd("MAIL FROM:<a@client.test>", "250").await;
        client.cmd("RCPT TO:<x@y.test>", "250").await;
        client.cmd("DATA", "354").await;
        client.send_bytes(b"Subject: x\r\n\r\nx\r\n").await;
        client.cmd(".", code).await;
    }
}

#[tokio::test]
async fn deleted_sandbox_is_refused_at_mail_from() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    server.backend.deleted.lock().unwrap().push(ALPHA);
    client.cmd("MAIL FROM:<a@client.test>", "550 5.1.1").await;
}

#[tokio::test]
async fn idle_sessions_time_out() {
    let server = start_with(SmtpConfig {
        idle_timeout: Duration::from_millis(300),
        ..SmtpConfig::default()
    })
    .await;
    let mut client = Raw::ehlo(server.addr).await;
    let reply = client.reply().await;
    assert!(reply.starts_with("421 4.4.2"), "{reply}");
    assert!(client.is_closed().await);
}

#[tokio::test]
async fn a_command_line_dripped_a_byte_at_a_time_times_out() {
    // The idle timeout bounds a whole line, not the gap between two bytes: a client that keeps
    // sending one byte every 50 ms and never ends its line is closed all the same.
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
    let idle = Duration::from_millis(400);
    let server = start_with(SmtpConfig {
        idle_timeout: idle,
        ..SmtpConfig::default()
    })
    .await;
    let client = Raw::ehlo(server.addr).await;
    let (read, mut write) = client.reader.into_inner().into_split();
    let started = std::time::Instant::now();
    let drip = tokio::spawn(async move {
        for byte in b"NOOP".iter().chain(std::iter::repeat(&b'x')).take(200) {
            if write.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut read = tokio::io::BufReader::new(read);
    let mut reply = String::new();
    tokio::time::timeout(Duration::from_secs(5), read.read_line(&mut reply))
        .await
        .expect("an answer within 5 s")
        .unwrap();
    let elapsed = started.elapsed();
    assert!(reply.starts_with("421 4.4.2"), "{reply}");
    // Closed at the idle timeout, long before the 10 s of dripping end (the bound leaves room
    // for a busy machine).
    assert!(elapsed >= idle && elapsed < idle * 8, "{elapsed:?}");
    let mut rest = String::new();
    assert_eq!(read.read_line(&mut rest).await.unwrap_or(0), 0, "{rest}");
    drip.abort();
}

/// A server with `idle` as its idle timeout, and a logged-in client that has just begun `DATA`.
async fn inside_data(idle: Duration) -> (smtp_support::Server, Raw) {
    let server = start_with(SmtpConfig {
        idle_timeout: idle,
        ..SmtpConfig::default()
    })
    .await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("MAIL FROM:<a@client.test>", "250").await;
    client.cmd("RCPT TO:<r@y.test>", "250").await;
    client.cmd("DATA", "354").await;
    (server, client)
}

#[tokio::test]
async fn a_client_gone_quiet_inside_data_times_out_and_nothing_is_stored() {
    let idle = Duration::from_millis(300);
    let (server, mut client) = inside_data(idle).await;
    // Half a message and half a line, then nothing.
    client
        .send_bytes(b"Subject: stalled\r\n\r\nThe first line\r\nand half of the sec")
        .await;
    let started = std::time::Instant::now();
    let reply = client.reply().await;
    assert!(reply.starts_with("421 4.4.2"), "{reply}");
    assert!(started.elapsed() < idle * 10, "{:?}", started.elapsed());
    assert!(client.is_closed().await);
    assert!(server.backend.delivered().is_empty());
}

#[tokio::test]
async fn a_slow_but_steady_message_is_received() {
    // Lines that each arrive within the idle timeout keep DATA going past it in total (twice
    // the timeout here; each gap is a quarter of it, which leaves room for a busy machine).
    let idle = Duration::from_secs(1);
    let (server, mut client) = inside_data(idle).await;
    client.send_bytes(b"Subject: steady\r\n\r\n").await;
    for i in 0..8 {
        tokio::time::sleep(idle / 4).await;
        client.send(&format!("line {i}")).await;
    }
    client.cmd(".", "250 2.0.0").await;
    let delivered = server.backend.delivered();
    assert_eq!(delivered.len(), 1);
    assert!(String::from_utf8_lossy(&delivered[0].raw).ends_with("line 7\r\n"));
}

#[tokio::test]
async fn command_count_without_delivery_is_limited() {
    let server = start_with(SmtpConfig {
        max_commands_per_message: 5,
        ..SmtpConfig::default()
    })
    .await;
    let mut client = Raw::ehlo(server.addr).await;
    for _ in 0..4 {
        client.cmd("NOOP", "250").await;
    }
    // EHLO and four NOOPs make five; the sixth command is answered, then the session ends.
    client.cmd("NOOP", "250").await;
    let reply = client.reply().await;
    assert!(reply.starts_with("421 4.7.0"), "{reply}");
    assert!(client.is_closed().await);
}

#[tokio::test]
async fn connection_limit() {
    let server = start_with(SmtpConfig {
        max_connections: 2,
        ..SmtpConfig::default()
    })
    .await;
    let _first = Raw::connect(server.addr).await;
    let _second = Raw::connect(server.addr).await;
    let stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut third = Raw {
        reader: tokio::io::BufReader::new(stream),
    };
    let reply = third.reply().await;
    assert!(
        reply.starts_with("421 4.7.0 Too many connections"),
        "{reply}"
    );
}

#[tokio::test]
async fn a_slot_is_free_as_soon_as_a_session_ends() {
    // Saturate the limit, see the next connection refused, end every session, and connect at
    // once: the slot is free (on `main` the next connection after a saturation got 421 until
    // the accept loop had come round again).
    let limit = 8;
    let server = start_with(SmtpConfig {
        max_connections: limit,
        ..SmtpConfig::default()
    })
    .await;
    for round in 0..3 {
        let mut sessions = Vec::new();
        for _ in 0..limit {
            sessions.push(Raw::connect(server.addr).await);
        }
        let stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let mut over = Raw {
            reader: tokio::io::BufReader::new(stream),
        };
        let reply = over.reply().await;
        assert!(reply.starts_with("421 4.7.0"), "round {round}: {reply}");
        for session in &mut sessions {
            session.cmd("QUIT", "221").await;
        }
        let mut next = Raw::ehlo(server.addr).await;
        next.cmd("QUIT", "221").await;
    }
}

#[tokio::test]
async fn starttls_with_a_parameter_is_a_syntax_error() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.cmd("STARTTLS now", "501 5.5.4").await;
    client.cmd("STARTTLS\t x", "501 5.5.4").await;
    // The session is still in plaintext and usable.
    client.cmd("NOOP", "250").await;
}

#[tokio::test]
async fn graceful_shutdown() {
    let server = start().await;
    let mut idle = Raw::ehlo(server.addr).await;
    server.shutdown.cancel();
    let reply = idle.reply().await;
    assert!(reply.starts_with("421 4.3.2"), "{reply}");
    assert!(idle.is_closed().await);
    tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .expect("serve returns after shutdown")
        .unwrap()
        .unwrap();
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
}

#[cfg(feature = "tls")]
#[tokio::test]
async fn starttls_discards_pipelined_plaintext_and_requires_a_new_ehlo() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    // A command smuggled after STARTTLS in the same packet must not be executed.
    client.send_bytes(b"STARTTLS\r\nNOOP\r\n").await;
    let reply = client.reply().await;
    assert!(reply.starts_with("220 2.0.0"), "{reply}");
    // The server now expects a TLS handshake; plaintext gets no SMTP reply.
    client.send_bytes(b"EHLO again\r\n").await;
    let next = client.reply().await;
    assert!(!next.starts_with("250"), "{next}");
    smtp_support::eventually(|| server.backend.delivered().is_empty()).await;
}
