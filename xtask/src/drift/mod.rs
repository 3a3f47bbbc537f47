//! The drift report: what `sync` would change in each committed file of `openapi/`, operation
//! by operation, whether each change breaks a client of the generated code, and what the
//! overlay does to upstream.
//!
//! Two files differ only when they differ for a client: key order, YAML style, how a
//! nullable type was written upstream, whether a schema is a `$ref` or written inline, and the
//! order of paths, parameters, `required` and `enum` lists change nothing (see
//! [`canonical`]). When they differ, every difference is reported: inside operations with a
//! verdict (see [`operations`] for the rules), anywhere else with its JSON path and both
//! values.

pub mod canonical;
pub mod operations;
pub mod schema;
mod text;
pub mod unions;

use serde::Serialize;
use serde_json::Value;

pub use canonical::Difference;

use crate::sync::overlay::PROSE;

/// The drift of every file.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Report {
    /// One entry per API file.
    pub files: Vec<FileDrift>,
}

/// The drift of one file.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct FileDrift {
    /// The file, relative to the workspace root (`openapi/sandbox.yaml`).
    pub file: String,
    /// Operations in the committed file.
    pub operations_before: usize,
    /// Operations in the new result.
    pub operations_after: usize,
    /// Whether the file differs for a client (then `sync` rewrites it and `--check` fails).
    pub changed: bool,
    /// Operation changes: removed, then added, then changed, each by path.
    pub changes: Vec<OperationChange>,
    /// Differences outside operations (descriptions, `info`, servers, security), with their
    /// JSON path and both values.
    pub other: Vec<Difference>,
    /// What the overlay does to upstream.
    pub overlay: OverlayReport,
}

/// What the overlay does to upstream, for one file.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct OverlayReport {
    /// Entries that apply to nothing or that upstream made obsolete; `--check` fails on them.
    pub problems: Vec<String>,
    /// Changes of upstream under the overlay's corrections (from the `x-overlay` record).
    pub upstream_changes: Vec<RecordChange>,
    /// Schemas and properties that exist only because of the overlay's `additions`.
    pub kept_only_by_overlay: Vec<String>,
}

/// What happened to an operation.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The operation is gone.
    Removed,
    /// The operation is new.
    Added,
    /// The operation exists in both, differently.
    Changed,
}

/// One operation's change.
#[derive(Debug, Serialize, PartialEq)]
pub struct OperationChange {
    /// Removed, added or changed.
    pub kind: ChangeKind,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template (the new one for added and changed operations).
    pub path: String,
    /// operationId (the new one for added and changed operations).
    pub operation_id: String,
    /// Whether a client written against the committed file breaks.
    pub breaking: bool,
    /// What changed inside a changed operation.
    pub details: Vec<Detail>,
}

/// One change inside an operation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Detail {
    /// Where: `response \`[].color\``, `query parameter \`page\``, `request body`.
    pub location: String,
    /// What: `removed`, `added, optional (string)`, `integer -> string`, `now nullable`.
    pub change: String,
    /// Whether it breaks a client.
    pub breaking: bool,
    /// Why it does or does not.
    pub reason: String,
}

impl Detail {
    /// A breaking change.
    pub fn breaking(location: &str, change: String, reason: &str) -> Self {
        Self {
            location: location.to_owned(),
            change,
            breaking: true,
            reason: reason.to_owned(),
        }
    }

    /// A change that does not break a client.
    pub fn fine(location: &str, change: String, reason: &str) -> Self {
        Self {
            location: location.to_owned(),
            change,
            breaking: false,
            reason: reason.to_owned(),
        }
    }

    /// A change no rule classifies: shown with both values, for the maintainer to judge.
    pub fn unclassified(location: &str, change: String) -> Self {
        Self::fine(location, change, "not classified: read it")
    }
}

/// How the `x-overlay` record of one place changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordChange {
    /// The corrected place (`schemas.MessageFields.properties.is_read.type`).
    pub path: String,
    /// What upstream had there, per the committed file.
    pub before: Recorded,
    /// What upstream has there now.
    pub after: Recorded,
}

/// What the record says about one place.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Recorded {
    /// The overlay does not change this place.
    NotCorrected,
    /// The overlay sets something upstream does not have.
    UpstreamLacks,
    /// The overlay replaces this upstream value.
    UpstreamValue(Value),
}

impl Report {
    /// Whether `--check` fails: a file would change, or the overlay has problems.
    pub fn has_drift(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.changed || !f.overlay.problems.is_empty())
    }

    /// Number of breaking operation changes.
    pub fn breaking_count(&self) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.changes)
            .filter(|c| c.breaking)
            .count()
    }

    /// The report as plain text.
    pub fn to_text(&self) -> String {
        text::render(self)
    }
}

/// Compares the committed document with the new one (`before` is `Value::Null` when there
/// was no file). Overlay problems and additions are filled in by the caller.
pub fn compare(file: &str, before: &Value, after: &Value) -> FileDrift {
    let mut drift = FileDrift {
        file: file.to_owned(),
        operations_before: operations::count(before),
        operations_after: operations::count(after),
        ..FileDrift::default()
    };
    drift.changed = canonical::canonical(before) != canonical::canonical(after);
    if drift.changed {
        drift.changes = operations::compare(before, after);
        drift.other = outside_operations(before, after);
        drift.overlay.upstream_changes = record_changes(before, after);
        if drift.changes.is_empty()
            && drift.other.is_empty()
            && drift.overlay.upstream_changes.is_empty()
        {
            // No rule explains the difference: show it raw rather than fail with nothing to read.
            canonical::differences(
                &canonical::canonical(before),
                &canonical::canonical(after),
                "",
                &mut drift.other,
            );
        }
    }
    drift
}

/// Differences outside operations: structure (`info`, servers, security schemes, ...) and
/// prose anywhere (the descriptions and summaries the overlay writes).
fn outside_operations(before: &Value, after: &Value) -> Vec<Difference> {
    let strip = |doc: &Value| {
        let mut doc = canonical::canonical(doc);
        if let Value::Object(root) = &mut doc {
            root.shift_remove("paths");
            root.shift_remove("x-overlay");
        }
        doc
    };
    let mut out = Vec::new();
    canonical::differences(&strip(before), &strip(after), "", &mut out);
    let without_record = |doc: &Value| {
        let mut doc = doc.clone();
        if let Value::Object(root) = &mut doc {
            root.shift_remove("x-overlay");
        }
        doc
    };
    let mut all = Vec::new();
    canonical::differences(
        &without_record(before),
        &without_record(after),
        "",
        &mut all,
    );
    out.extend(all.into_iter().filter(|d| {
        let last = d.path.rsplit('.').next().unwrap_or_default();
        PROSE.contains(&last) && !d.path.starts_with("info.")
    }));
    out
}

/// The state of every recorded place of a document's `x-overlay`.
fn records(doc: &Value) -> std::collections::BTreeMap<String, Recorded> {
    let mut out = std::collections::BTreeMap::new();
    if let Some(Value::Object(values)) = doc.pointer("/x-overlay/upstream-values") {
        for (path, value) in values {
            out.insert(path.clone(), Recorded::UpstreamValue(value.clone()));
        }
    }
    if let Some(Value::Array(paths)) = doc.pointer("/x-overlay/upstream-lacks") {
        for path in paths.iter().filter_map(Value::as_str) {
            out.insert(path.to_owned(), Recorded::UpstreamLacks);
        }
    }
    out
}

fn record_changes(before: &Value, after: &Value) -> Vec<RecordChange> {
    let (a, b) = (records(before), records(after));
    let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter_map(|path| {
            let old = a.get(path).cloned().unwrap_or(Recorded::NotCorrected);
            let new = b.get(path).cloned().unwrap_or(Recorded::NotCorrected);
            (old != new).then(|| RecordChange {
                path: path.clone(),
                before: old,
                after: new,
            })
        })
        .collect()
}
