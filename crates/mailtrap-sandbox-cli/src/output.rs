//! Everything the command writes: results on stdout (human text, or one JSON document with
//! `--json`), failures and notes on stderr, and spinners or progress bars on stderr when it is
//! a terminal. No other module writes to the terminal.
//!
//! Human output passes through [`crate::escape`] on its way out: whatever a mail or a server
//! put in it, control characters reach the terminal escaped. `--json` is written exactly.

use std::io::{IsTerminal as _, Write as _};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::escape::{Utf8Chunks, inert_body, inert_lines};
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
            stdout_line(&inert_lines(&human(value)))
        }
    }

    /// Writes a line of human output (nothing with `--json`).
    pub(crate) fn line(self, text: &str) -> CliResult {
        if self.json {
            Ok(())
        } else {
            stdout_line(&inert_lines(text))
        }
    }

    /// A writer for a message body on stdout: the bytes as they are when stdout is a file or
    /// a pipe, text with control characters escaped when it is a terminal.
    pub(crate) fn body_writer(self) -> BodyWriter {
        BodyWriter {
            terminal: std::io::stdout().is_terminal().then(Utf8Chunks::default),
        }
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

/// Writes a body to stdout, chunk by chunk (see [`Out::body_writer`]).
#[derive(Debug)]
pub(crate) struct BodyWriter {
    /// The decoder, when stdout is a terminal.
    terminal: Option<Utf8Chunks>,
}

impl BodyWriter {
    /// Writes the next chunk.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> CliResult {
        match &mut self.terminal {
            None => stdout_bytes(bytes),
            Some(decoder) => stdout_bytes(inert_body(&decoder.push(bytes)).as_bytes()),
        }
    }

    /// Writes what is left at the end.
    pub(crate) fn finish(mut self) -> CliResult {
        match &mut self.terminal {
            None => Ok(()),
            Some(decoder) => stdout_bytes(inert_body(&decoder.finish()).as_bytes()),
        }
    }
}

/// Writes a failure on stderr: `error: ...` and, when there is one, `hint: ...` (each with
/// control characters escaped: they may quote a server).
pub(crate) fn report_failure(failure: &Failure) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{failure}");
}

/// Writes a note for the person at the terminal on stderr (never part of the result).
pub(crate) fn note(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", inert_lines(text));
}

fn stdout_bytes(bytes: &[u8]) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    ignore_broken_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush()))
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
