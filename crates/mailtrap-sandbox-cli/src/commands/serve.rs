//! `serve`: run the emulator until Ctrl-C (or SIGTERM), printing its start-up summary.

use mailtrap_sandbox_emulator::{EmulatorConfig, StartError};

use crate::cli::ServeArgs;
use crate::failure::{CliResult, ExitCode, Failure};
use crate::output::{Out, note};

pub(super) async fn run(args: ServeArgs, out: Out) -> CliResult {
    let mut config = EmulatorConfig::new();
    config.http_addr = args.http_addr;
    config.smtp_addr = args.smtp_addr;
    config.https_addr = args.https_addr;
    config.api_token = args.api_token.map(|token| token.trim().to_owned());
    config.data_dir = args.data_dir;
    config.enforce_rate_limit = args.enforce_rate_limit;
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
        () = stop_signal() => {
            note("Stopping the emulator…");
            emulator.shutdown().await;
            Ok(())
        }
        () = emulator.stopped() => {
            Err(Failure::error("the emulator stopped unexpectedly (run with -v to see why)"))
        }
    }
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
