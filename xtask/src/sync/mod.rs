//! `cargo xtask sync`: our OpenAPI 3.0.3 description produced from Mailtrap's published
//! OpenAPI 3.1 files plus `openapi/overlay/`, with a drift report.
//!
//! The pipeline, in order (each step in its own module):
//! 1. [`structure`]: keep structure only (no upstream prose, examples or code samples; no
//!    error responses);
//! 2. [`convert`]: 3.1 constructs rewritten in 3.0.3 form;
//! 3. [`types`]: ids and parameters typed as real traffic shows;
//! 4. [`flatten`]: `allOf` compositions of plain objects merged;
//! 5. [`hoist`]: inline object schemas named;
//! 6. [`overlay`]: our corrections and descriptions (upstream's values under corrections
//!    recorded in `x-overlay`);
//! 7. [`finish`]: response enumerations opened, unused schemas dropped, components sorted;
//! 8. [`validate`]: what progenitor cannot take is reported, operation by operation.
//!
//! The committed file is rewritten only when the result differs from it for a client (see
//! [`crate::drift`]), and then in its key and parameter order, so that a reordering upstream
//! changes nothing and a real change shows as a small diff.

pub mod convert;
pub mod finish;
pub mod flatten;
pub mod hoist;
pub mod overlay;
pub mod structure;
pub mod types;
pub mod validate;
pub mod walk;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::drift::{self, FileDrift, Report};
use crate::workspace;
use overlay::{Applied, Overlay};

/// One API: its upstream file, our file, and its overlay.
#[derive(Debug, Clone, Copy)]
pub struct ApiFile {
    /// File name in the upstream `specs/` folder.
    pub upstream: &'static str,
    /// File name in `openapi/`.
    pub ours: &'static str,
    /// File name in `openapi/overlay/`.
    pub overlay: &'static str,
}

/// The three APIs.
pub const API_FILES: [ApiFile; 3] = [
    ApiFile {
        upstream: "sandbox.openapi.yml",
        ours: "sandbox.yaml",
        overlay: "sandbox.yaml",
    },
    ApiFile {
        upstream: "sandbox-sending.openapi.yml",
        ours: "sending.yaml",
        overlay: "sending.yaml",
    },
    ApiFile {
        upstream: "account-management.openapi.yml",
        ours: "accounts.yaml",
        overlay: "accounts.yaml",
    },
];

/// The result of building one file.
#[derive(Debug)]
pub struct Built {
    /// The document.
    pub doc: Value,
    /// What the overlay did: its problems, its additions, what it replaced.
    pub applied: Applied,
}

/// Runs the whole pipeline on one upstream document. Pure: no file access.
pub fn build(upstream_text: &str, upstream_name: &str, overlay: &Overlay) -> Result<Built> {
    let upstream = crate::yaml::parse(upstream_text, upstream_name)?;
    let mut doc = structure::keep_structure(&upstream)
        .with_context(|| format!("cannot read the structure of {upstream_name}"))?;
    convert::to_openapi_30(&mut doc).with_context(|| format!("in {upstream_name}"))?;
    types::fix(&mut doc);
    flatten::all_of(&mut doc);
    hoist::hoist(&mut doc);
    let mut applied = overlay::apply(&mut doc, overlay).context("cannot apply the overlay")?;
    finish::open_response_enums(&mut doc);
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    finish::remove_unused_components(&mut doc);
    finish::sort_components(&mut doc);
    applied.check_still_used(&doc);
    let record = overlay::record_value(&applied, &doc, &components);
    if let (Value::Object(root), Value::Object(record)) = (&mut doc, record)
        && !record.is_empty()
    {
        root.insert("x-overlay".to_owned(), Value::Object(record));
    }
    let problems = validate::problems(&doc);
    if !problems.is_empty() {
        bail!(
            "the description built from {upstream_name} cannot be used by progenitor:\n  - {}\n\
             Fix it with a correction in openapi/overlay/ and run the sync again.",
            problems.join("\n  - ")
        );
    }
    Ok(Built { doc, applied })
}

/// The comment at the top of each produced file.
pub fn header(file: &ApiFile) -> String {
    format!(
        "Produced by `cargo xtask sync` from Mailtrap's published OpenAPI description (see\n\
         openapi/UPSTREAM.md) and our corrections in openapi/overlay/{}.\n\
         `x-overlay` at the end records upstream's values where the overlay changed them, so\n\
         that an upstream change under a correction shows in the drift report.\n\
         Do not edit by hand: change the overlay and run the sync again.",
        file.overlay
    )
}

/// Options of a sync run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Folder holding the upstream files (or a checkout whose `specs/` holds them).
    pub upstream: PathBuf,
    /// Folder of our description (`openapi/`).
    pub out_dir: PathBuf,
    /// Folder of the overlay (`openapi/overlay/`).
    pub overlay_dir: PathBuf,
    /// Compare only; write nothing.
    pub check: bool,
}

/// Runs the sync: builds every file, compares with the committed ones, writes them unless
/// `check`. Returns the drift report.
pub fn run(options: &Options) -> Result<Report> {
    let upstream_dir = upstream_folder(&options.upstream)?;
    let mut report = Report::default();
    let mut outputs = Vec::new();
    for file in API_FILES {
        let upstream_path = upstream_dir.join(file.upstream);
        let upstream_text = fs::read_to_string(&upstream_path)
            .with_context(|| format!("cannot read {}", upstream_path.display()))?;
        let overlay_path = options.overlay_dir.join(file.overlay);
        let overlay = match fs::read_to_string(&overlay_path) {
            Ok(text) => Overlay::parse(&text, &workspace::display(&overlay_path))?,
            Err(_) => Overlay::default(),
        };
        let built = build(&upstream_text, file.upstream, &overlay)?;

        let out_path = options.out_dir.join(file.ours);
        let committed_text = fs::read_to_string(&out_path).ok();
        let committed = match &committed_text {
            Some(text) => crate::yaml::parse(text, &workspace::display(&out_path))?,
            None => Value::Null,
        };
        let doc = drift::canonical::align(&built.doc, &committed);
        let mut drift = file_drift(&format!("openapi/{}", file.ours), &committed, built);
        let comment = crate::yaml::comment(&header(&file));
        if let Some(text) = &committed_text
            && !text.starts_with(&comment)
        {
            drift.changed = true;
            let old: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
            drift.other.push(drift::Difference {
                path: "(the comment at the top of the file)".to_owned(),
                before: Some(Value::String(old.join("\n"))),
                after: Some(Value::String(comment.trim_end().to_owned())),
            });
        }
        if drift.changed {
            outputs.push((out_path, crate::yaml::render(&doc, &header(&file))?));
        }
        report.files.push(drift);
    }
    if !options.check {
        fs::create_dir_all(&options.out_dir)?;
        for (path, text) in outputs {
            fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(report)
}

/// The drift of one file: the committed document (`Value::Null` when there is none) against
/// a fresh build, with what the overlay did.
pub fn file_drift(file: &str, committed: &Value, built: Built) -> FileDrift {
    let mut drift = drift::compare(file, committed, &built.doc);
    drift.overlay.problems = built.applied.problems;
    drift.overlay.kept_only_by_overlay = built.applied.added;
    drift
}

/// Accepts either the folder holding the files or a checkout of the upstream repository.
fn upstream_folder(dir: &Path) -> Result<PathBuf> {
    let first = API_FILES[0].upstream;
    for candidate in [dir.to_path_buf(), dir.join("specs")] {
        if candidate.join(first).is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "{} holds no {first}: point --upstream at a checkout of mailtrap/mailtrap-openapi (or its \
         specs/ folder)",
        dir.display()
    )
}
