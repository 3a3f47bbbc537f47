//! `cargo xtask <command>`: see `cargo xtask --help`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use xtask::{codegen, sync, workspace};

#[derive(Parser)]
#[command(about = "Project automation for the Mailtrap Sandbox SDK workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Produce openapi/*.yaml from Mailtrap's published OpenAPI files and our overlay, and
    /// print what changed (the drift report).
    Sync {
        /// Folder with upstream's sandbox.openapi.yml, sandbox-sending.openapi.yml and
        /// account-management.openapi.yml (or a checkout of mailtrap/mailtrap-openapi).
        #[arg(long)]
        upstream: PathBuf,
        /// Write nothing; exit with status 1 when openapi/ would change.
        #[arg(long)]
        check: bool,
        /// Print the drift report as JSON.
        #[arg(long)]
        json: bool,
        /// Folder of our description (default: the workspace's openapi/).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Folder of the overlay (default: the workspace's openapi/overlay/); an API whose
        /// overlay file is missing gets none.
        #[arg(long, value_name = "DIR")]
        overlay: Option<PathBuf>,
    },
    /// Generate crates/mailtrap-sandbox-api/src/generated/*.rs from openapi/*.yaml.
    Codegen {
        /// Write nothing; exit with status 1 and a diff when the committed code is stale.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Sync {
            upstream,
            check,
            json,
            out,
            overlay,
        } => {
            let options = sync::Options {
                upstream,
                out_dir: out.unwrap_or_else(workspace::openapi_dir),
                overlay_dir: overlay.unwrap_or_else(workspace::overlay_dir),
                check,
            };
            let report = sync::run(&options)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.to_text());
            }
            let problems: usize = report.files.iter().map(|f| f.overlay.problems.len()).sum();
            if check && report.has_drift() {
                eprintln!(
                    "openapi/ is out of date with upstream or the overlay: read the drift report \
                     above, fix openapi/overlay/ where it lists problems, run `cargo xtask sync \
                     --upstream <dir>`, then `cargo xtask codegen`."
                );
                return Ok(ExitCode::FAILURE);
            }
            if !check && report.files.iter().any(|f| f.changed) {
                eprintln!("openapi/ updated; now run `cargo xtask codegen`.");
            }
            if problems > 0 {
                eprintln!(
                    "the overlay has {problems} problem(s), listed above: fix openapi/overlay/ \
                     and run the sync again."
                );
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Codegen { check } => {
            let outcome = codegen::run(check)?;
            if check && !outcome.stale.is_empty() {
                print!("{}", outcome.diff);
                eprintln!(
                    "generated code is stale ({}): run `cargo xtask codegen` and commit the result.",
                    outcome.stale.join(", ")
                );
                return Ok(ExitCode::FAILURE);
            }
            if outcome.stale.is_empty() {
                println!("generated code is up to date");
            } else {
                println!("regenerated {}", outcome.stale.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
