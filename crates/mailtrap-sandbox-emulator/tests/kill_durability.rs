//! kill -9 loses no acknowledged message: an emulator with a data directory runs in a child
//! process (this test binary run again as the server), eight SMTP clients deliver to it, and
//! once a number of messages are acknowledged (`250` after `DATA`) it is killed with `SIGKILL`
//! while more are in flight. Restarted on the same directory, every acknowledged message is
//! there.
//!
//! The default test makes one round of 300 (a few seconds in CI). The figure, three
//! rounds of 2,000, is the ignored test `three_rounds_of_2000`, run in release for
//! `BENCHMARKS.md`: `cargo test --release -p mailtrap-sandbox-emulator --features persist
//! --test kill_durability -- --ignored three_rounds --nocapture`.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout
)]

mod http_support;

use std::collections::HashSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use http_support::{TOKEN, start_with};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mailtrap_sandbox_emulator::EmulatorConfig;
use tokio::sync::Mutex;

/// Set in the child: the data directory to serve.
const CHILD_DIR: &str = "MAILTRAP_KILL_TEST_DATA_DIR";
const SENDERS: usize = 8;
/// A round that takes longer than this fails rather than hang.
const ROUND_DEADLINE: Duration = Duration::from_secs(120);

fn config(dir: &Path) -> EmulatorConfig {
    let mut config = EmulatorConfig::ephemeral();
    config.api_token = Some(TOKEN.to_owned());
    config.data_dir = Some(dir.to_path_buf());
    config.web_ui = false;
    // No oldest message dropped: every acknowledged one must stay.
    config.sandbox_limits.max_size = 0;
    config
}

/// The child's side: serves the data directory until killed (or until the test that started
/// it is gone: its stdin closes). Does nothing unless run by the tests below.
#[test]
#[ignore = "the server the kill tests start in a child process"]
fn serve_until_killed() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emu = config(Path::new(&dir)).start().await.unwrap();
        let sandbox = emu.sandbox();
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "READY {} {} {}",
            emu.smtp_addr().port(),
            sandbox.smtp_username,
            sandbox.smtp_password
        )
        .unwrap();
        out.flush().unwrap();
        drop(out);
        std::future::pending::<()>().await;
    });
}

/// The server process; killed when dropped, so that a failing test leaves none behind.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Server {
    process: ServerProcess,
    port: u16,
    user: String,
    password: String,
}

fn spawn_server(dir: &Path) -> Server {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "serve_until_killed", "--ignored", "--nocapture"])
        .env(CHILD_DIR, dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let process = ServerProcess(child);
    let mut reader = BufReader::new(stdout);
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the server ended");
        if let Some(ready) = line.strip_prefix("READY ") {
            let words: Vec<&str> = ready.split_whitespace().collect();
            return Server {
                process,
                port: words[0].parse().unwrap(),
                user: words[1].to_owned(),
                password: words[2].to_owned(),
            };
        }
    }
}

/// What one round saw.
struct Round {
    acknowledged: usize,
    stored: usize,
    elapsed: Duration,
}

/// Delivers until `kill_after` messages are acknowledged, kills the server, restarts on the
/// same directory and checks every acknowledged message is there.
async fn round(round: usize, kill_after: usize) -> Round {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let server = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        move || spawn_server(&dir)
    })
    .await
    .unwrap();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.port)
        .credentials(Credentials::new(
            server.user.clone(),
            server.password.clone(),
        ))
        .build();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let killed = Arc::new(AtomicBool::new(false));
    let process = Arc::new(Mutex::new(server.process));
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let transport = transport.clone();
            let acknowledged = Arc::clone(&acknowledged);
            let killed = Arc::clone(&killed);
            let process = Arc::clone(&process);
            tokio::spawn(async move {
                for i in 0.. {
                    let subject = format!("round {round} sender {sender} message {i}");
                    let email = Message::builder()
                        .from("shop@example.test".parse::<Mailbox>().unwrap())
                        .to("buyer@example.test".parse::<Mailbox>().unwrap())
                        .subject(subject.clone())
                        .body("Thanks for your order.".to_owned())
                        .unwrap();
                    if transport.send(email).await.is_err() {
                        // Killed: nothing more can be acknowledged.
                        assert!(killed.load(Ordering::SeqCst), "{subject} was refused");
                        return;
                    }
                    let mut acknowledged = acknowledged.lock().await;
                    acknowledged.push(subject);
                    if acknowledged.len() == kill_after {
                        // The other senders have messages in flight.
                        killed.store(true, Ordering::SeqCst);
                        process.lock().await.0.kill().unwrap();
                    }
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    drop(transport);
    // Gone before the restart opens the directory again.
    process.lock().await.0.wait().unwrap();
    let acknowledged = acknowledged.lock().await.clone();
    assert!(acknowledged.len() >= kill_after);

    let env = start_with(config(dir.path())).await;
    let sandbox = env.sandbox();
    let mut stored = HashSet::new();
    let mut last_id: Option<u64> = None;
    loop {
        let path = match last_id {
            Some(id) => format!("/api/sandboxes/{sandbox}/messages?last_id={id}"),
            None => format!("/api/sandboxes/{sandbox}/messages"),
        };
        let page = env.get_json(&path).await;
        let page = page.as_array().unwrap();
        let Some(last) = page.last() else { break };
        last_id = last["id"].as_u64();
        stored.extend(
            page.iter()
                .map(|m| m["subject"].as_str().unwrap().to_owned()),
        );
    }
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|s| !stored.contains(*s))
        .collect();
    assert!(
        lost.is_empty(),
        "round {round}: {} of {} acknowledged messages lost, e.g. {:?}",
        lost.len(),
        acknowledged.len(),
        lost.first()
    );
    env.emu.shutdown().await;
    Round {
        acknowledged: acknowledged.len(),
        stored: stored.len(),
        elapsed: started.elapsed(),
    }
}

async fn rounds(count: usize, kill_after: usize) {
    for n in 0..count {
        let seen = tokio::time::timeout(ROUND_DEADLINE, round(n, kill_after))
            .await
            .unwrap_or_else(|_| panic!("round {n} took more than {ROUND_DEADLINE:?}"));
        // Stored beyond the acknowledged: received whole, killed before the `250` went out.
        println!(
            "round {n}: {} acknowledged, all of them stored after the restart; {} stored in all; \
             {:.2?}",
            seen.acknowledged, seen.stored, seen.elapsed
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_acknowledged_message_is_lost_when_the_process_is_killed() {
    rounds(1, 300).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "the issue's measurement (three rounds of 2,000), for BENCHMARKS.md: run in release"]
async fn three_rounds_of_2000() {
    rounds(3, 2_000).await;
}
