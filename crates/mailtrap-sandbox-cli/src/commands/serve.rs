//! `serve`: run the emulator until Ctrl-C (or SIGTERM), printing its start-up summary.

use mailtrap_sandbox_emulator::{EmulatorConfig, StartError};

use crate::cli::ServeArgs;
use crate::failure::{CliResult, ExitCode, Failure};
use crate::output::{Out, note};

pub(super) async fn run(args: ServeArgs, out: Out) -> CliResult {
    // Listening starts here, before the summary is printed: a script that reads the summary
    // and stops the server at once must not meet the signal's default action instead.
    let stop = stop_signal();
    let mut config = EmulatorConfig::new();
    config.http_addr = args.http_addr;
    config.smtp_addr = args.smtp_addr;
    config.https_addr = args.https_addr;
    config.api_token = args.api_token.map(|token| token.trim().to_owned());
    config.data_dir = args.data_dir;
    config.enforce_rate_limit = args.enforce_rate_limit;
    config.web_ui = !args.no_ui;
    let emulator = config.start().await.map_err(|err| {
        let code = match err {
            StartError::InvalidConfig(_) => ExitCode::Usage,
            _ => ExitCode::Error,
        };
        Failure::new(code, err.to_string())
    })?;
    // The summary holds the API token on purpose: it is what clients need to connect.
    out.show(emulator.summary(), ToString::to_string)?;
    if !out.is_json() {
        note("Press Ctrl-C to stop.");
    }
    tokio::select! {
        () = stop => {
            note("Stopping the emulator…");
            emulator.shutdown().await;
            Ok(())
        }
        () = emulator.stopped() => {
            Err(Failure::error("the emulator stopped unexpectedly (run with -v to see why)"))
        }
    }
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix. On Unix both handlers are installed when this
/// is called, not when the future is first polled.
#[cfg(unix)]
fn stop_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let terminate = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    async move {
        let terminated = async {
            match terminate {
                Ok(mut terminate) => {
                    terminate.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        };
        let interrupted = async {
            match interrupt {
                Ok(mut interrupt) => {
                    interrupt.recv().await;
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        };
        tokio::select! {
            () = terminated => {}
            () = interrupted => {}
        }
    }
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> impl Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
