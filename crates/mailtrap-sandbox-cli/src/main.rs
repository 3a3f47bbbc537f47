//! `mailtrap-sandbox`: every Mailtrap Sandbox API operation from the shell, a local emulator
//! (`serve`) and a guided demo of the whole email-testing flow (`demo`).
//!
//! Run `mailtrap-sandbox --help` for the commands and exit codes.

mod cli;
mod commands;
mod context;
mod demo;
mod email_file;
mod escape;
mod failure;
mod output;
mod render;
mod save;
mod table;
mod values;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

use crate::cli::Cli;
use crate::failure::ExitCode;

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version exit 0, usage errors exit 2, as clap decides.
        Err(err) => err.exit(),
    };
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            output::report_failure(&failure::Failure::error(format!(
                "could not start the async runtime: {err}"
            )));
            return std::process::ExitCode::from(ExitCode::Error as u8);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            output::report_failure(&failure);
            std::process::ExitCode::from(failure.code as u8)
        }
    }
}

/// `-v` traces each request of the SDK (and the emulator's events under `serve`) on stderr;
/// `-vv` traces everything. Without `-v`, warnings only, or what `RUST_LOG` asks for.
fn init_tracing(verbose: u8) {
    let filter = match verbose {
        0 => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        1 => EnvFilter::new(
            "warn,mailtrap_sandbox=debug,mailtrap_sandbox_emulator=info,mailtrap_sandbox_cli=debug",
        ),
        _ => EnvFilter::new("trace"),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(verbose > 0)
        .try_init();
}
