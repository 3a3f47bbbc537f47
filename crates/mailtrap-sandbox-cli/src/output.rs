//! Everything the command writes: results on stdout (human text, or one JSON document with
//! `--json`), failures and notes on stderr, and spinners or progress bars on stderr when it is
//! a terminal. No other module writes to the terminal.

use std::io::{IsTerminal as _, Write as _};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::failure::{CliResult, Failure};

/// Where and how results are written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Out {
    json: bool,
}

impl Out {
    /// Human output, or JSON with `json`.
    pub(crate) fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether `--json` was given.
    pub(crate) fn is_json(self) -> bool {
        self.json
    }

    /// Writes a result: `value` as JSON with `--json`, otherwise the text `human` makes of it.
    pub(crate) fn show<T: Serialize + ?Sized>(
        self,
        value: &T,
        human: impl FnOnce(&T) -> String,
    ) -> CliResult {
        if self.json {
            let text = serde_json::to_string_pretty(value).map_err(|err| {
                Failure::error(format!("could not write the result as JSON: {err}"))
            })?;
            stdout_line(&text)
        } else {
            stdout_line(&human(value))
        }
    }

    /// Writes a line of human output (nothing with `--json`).
    pub(crate) fn line(self, text: &str) -> CliResult {
        if self.json { Ok(()) } else { stdout_line(text) }
    }

    /// Writes raw bytes to stdout (a message body).
    pub(crate) fn bytes(self, bytes: &[u8]) -> CliResult {
        let mut stdout = std::io::stdout().lock();
        ignore_broken_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush()))
    }

    /// A spinner on stderr while something is awaited (hidden unless stderr is a terminal).
    pub(crate) fn spinner(self, message: impl Into<String>) -> ProgressBar {
        if !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner().with_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A byte progress bar on stderr (hidden unless stderr is a terminal); a spinner with a
    /// byte count when the size is unknown.
    pub(crate) fn progress_bytes(
        self,
        total: Option<u64>,
        message: impl Into<String>,
    ) -> ProgressBar {
        if !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg} {bytes} {bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_message(message.into());
        bar
    }
}

/// Writes a failure on stderr: `error: ...` and, when there is one, `hint: ...`.
pub(crate) fn report_failure(failure: &Failure) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{failure}");
}

/// Writes a note for the person at the terminal on stderr (never part of the result).
pub(crate) fn note(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

fn stdout_line(text: &str) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    ignore_broken_pipe(writeln!(stdout, "{text}").and_then(|()| stdout.flush()))
}

/// A closed stdout (`| head`) is not a failure of the command.
fn ignore_broken_pipe(result: std::io::Result<()>) -> CliResult {
    match result {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::error(format!("could not write to stdout: {err}")))
        }
        _ => Ok(()),
    }
}
