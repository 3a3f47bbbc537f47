//! The README's quickstart (`examples/quickstart.rs`) runs as written against the emulator,
//! started in-process: the compiled example, with only the environment a user would set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use mailtrap_sandbox_emulator::EmulatorConfig;

/// `target/<profile>/examples/quickstart`, which `cargo test` builds with the tests.
fn quickstart() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let profile = deps.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: `cargo test -p mailtrap-sandbox` builds it (a `--test` filter does not; \
         run `cargo build -p mailtrap-sandbox --example quickstart` first)",
        path.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_quickstart_runs_against_the_emulator() {
    let emulator = EmulatorConfig::ephemeral().start().await.unwrap();
    let mut command = Command::new(quickstart());
    command
        .arg(emulator.sandbox().id.to_string())
        .env_clear()
        .env("MAILTRAP_API_TOKEN", emulator.api_token())
        .env("MAILTRAP_BASE_URL", emulator.base_url());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("caught message"), "{stdout}");
    assert!(
        stdout.contains("text body: Your sign-in code is 482913."),
        "{stdout}"
    );
}
