//! `ProjectHandle::with_temp_sandbox` against the emulator: the test gets a sandbox of its
//! own, which is gone afterwards whether the test passed, returned an error or panicked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use futures_util::FutureExt as _;
use mailtrap_sandbox::{Client, Email, Error, MessageFilter, SandboxId};
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator};

async fn start() -> (RunningEmulator, Client) {
    let emulator = EmulatorConfig::ephemeral().start().await.unwrap();
    let client = Client::for_emulator(&emulator).unwrap();
    (emulator, client)
}

async fn is_gone(client: &Client, id: SandboxId) -> bool {
    client.sandbox(id).get().await.unwrap_err().is_not_found()
}

#[tokio::test]
async fn a_passing_test_has_a_fresh_sandbox_then_it_is_deleted() {
    let (emulator, client) = start().await;
    // A leftover of an earlier test, with the same subject, in the seeded sandbox.
    let seeded = client.sandbox(emulator.sandbox().id);
    let leftover = Email::new()
        .from("robot@shop.example")
        .to("ana@example.com");
    seeded
        .send(leftover.subject("Welcome").text("old"))
        .await
        .unwrap();

    let project = client.project(emulator.project().id);
    let (id, name, text) = project
        .with_temp_sandbox("sign-up test", |sandbox| async move {
            let info = sandbox.get().await?;
            assert_eq!(info.emails_count, 0, "nothing of another test in it");
            let email = Email::new()
                .from("robot@shop.example")
                .to("ana@example.com");
            sandbox.send(email.subject("Welcome").text("new")).await?;
            let message = sandbox
                .wait_for(MessageFilter::new().subject("Welcome"))
                .send()
                .await?;
            let text = sandbox.message(message.id).text().await?;
            Ok::<_, Error>((sandbox.id(), info.name, text))
        })
        .await
        .unwrap();
    assert!(name.starts_with("sign-up test "), "{name}");
    assert_eq!(text.trim(), "new");
    assert!(is_gone(&client, id).await);
    // The seeded sandbox is untouched.
    assert_eq!(seeded.get().await.unwrap().emails_count, 1);
}

#[tokio::test]
async fn a_test_returning_an_error_gets_it_back_and_the_sandbox_is_deleted() {
    let (emulator, client) = start().await;
    let used = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&used);
    let err = client
        .project(emulator.project().id)
        .with_temp_sandbox("failing", |sandbox| async move {
            *seen.lock().unwrap() = Some(sandbox.id());
            Err::<(), _>(Error::InvalidArgument("the test failed".to_owned()))
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("the test failed"), "{err}");
    let id = used.lock().unwrap().expect("the test ran");
    assert!(is_gone(&client, id).await);
}

#[tokio::test]
async fn a_panicking_test_still_panics_and_the_sandbox_is_deleted() {
    let (emulator, client) = start().await;
    let used = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&used);
    let project = client.project(emulator.project().id);
    let outcome = std::panic::AssertUnwindSafe(project.with_temp_sandbox(
        "panicking",
        |sandbox| async move {
            *seen.lock().unwrap() = Some(sandbox.id());
            assert_eq!(1 + 1, 3, "a failed assertion");
            Ok::<(), Error>(())
        },
    ))
    .catch_unwind()
    .await;
    let panic = outcome.expect_err("the panic goes on");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("a failed assertion"), "{message}");
    let id = used.lock().unwrap().expect("the test ran");
    assert!(is_gone(&client, id).await);
}
