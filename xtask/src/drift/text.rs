//! The drift report as text, one line per change.

use std::fmt::Write as _;

use serde_json::Value;

use super::{ChangeKind, Difference, FileDrift, RecordChange, Recorded, Report, canonical};
use crate::sync::overlay::short;

/// At most this many inner differences are listed under one changed record.
const INNER_LIMIT: usize = 12;

pub(super) fn render(report: &Report) -> String {
    let mut out = String::from(
        "Drift from the committed openapi/ to what sync makes of the upstream files \
         (+ added: only in the upstream result; - removed: only in the committed files):\n",
    );
    for file in &report.files {
        render_file(file, &mut out);
    }
    let changes: usize = report.files.iter().map(|f| f.changes.len()).sum();
    let problems: usize = report.files.iter().map(|f| f.overlay.problems.len()).sum();
    let _ = writeln!(
        out,
        "Summary: {changes} operation change(s), {} breaking; {problems} overlay problem(s).",
        report.breaking_count()
    );
    out
}

fn render_file(file: &FileDrift, out: &mut String) {
    let count = |kind| file.changes.iter().filter(|c| c.kind == kind).count();
    let breaking = file.changes.iter().filter(|c| c.breaking).count();
    let state = if !file.changed {
        "up to date".to_owned()
    } else if file.changes.is_empty() {
        "no operation changed (see below)".to_owned()
    } else {
        format!(
            "{} added, {} removed, {} changed, {breaking} breaking",
            count(ChangeKind::Added),
            count(ChangeKind::Removed),
            count(ChangeKind::Changed)
        )
    };
    let _ = writeln!(
        out,
        "{}: {} -> {} operations; {state}",
        file.file, file.operations_before, file.operations_after
    );
    for change in &file.changes {
        let (sign, word) = match change.kind {
            ChangeKind::Removed => ('-', "removed"),
            ChangeKind::Added => ('+', "added"),
            ChangeKind::Changed => ('~', "changed"),
        };
        let flag = if change.breaking { "  [breaking]" } else { "" };
        let _ = writeln!(
            out,
            "  {sign} {word:<7} {} {} ({}){flag}",
            change.method, change.path, change.operation_id
        );
        for detail in &change.details {
            let verdict = if detail.breaking {
                format!("[breaking: {}]", detail.reason)
            } else {
                format!("({})", detail.reason)
            };
            let _ = writeln!(
                out,
                "      {}: {}  {verdict}",
                detail.location, detail.change
            );
        }
    }
    if !file.other.is_empty() {
        let _ = writeln!(out, "  outside operations:");
        for difference in &file.other {
            difference_line("      ", difference, out);
        }
    }
    let overlay = &file.overlay;
    if !overlay.upstream_changes.is_empty() {
        let _ = writeln!(out, "  upstream changes under overlay corrections:");
        for change in &overlay.upstream_changes {
            render_record_change(change, out);
        }
    }
    if !overlay.problems.is_empty() {
        let _ = writeln!(
            out,
            "  overlay problems (fix the overlay; `--check` fails until then):"
        );
        for problem in &overlay.problems {
            let _ = writeln!(out, "      {problem}");
        }
    }
    if !overlay.kept_only_by_overlay.is_empty() {
        let _ = writeln!(
            out,
            "  kept only by the overlay (upstream does not describe them): {}",
            grouped(&overlay.kept_only_by_overlay)
        );
    }
}

fn render_record_change(change: &RecordChange, out: &mut String) {
    let sentence = match (&change.before, &change.after) {
        (Recorded::NotCorrected, Recorded::UpstreamLacks) => {
            "now set by the overlay (upstream has nothing there)".to_owned()
        }
        (Recorded::NotCorrected, Recorded::UpstreamValue(value)) => {
            format!("now corrected by the overlay (upstream: {})", short(value))
        }
        (_, Recorded::NotCorrected) => "no longer corrected by the overlay".to_owned(),
        (Recorded::UpstreamLacks, Recorded::UpstreamValue(value)) => format!(
            "upstream now has {} where the overlay sets its own value",
            short(value)
        ),
        (Recorded::UpstreamValue(value), Recorded::UpstreamLacks) => {
            format!("upstream no longer has it (it had {})", short(value))
        }
        (Recorded::UpstreamValue(a), Recorded::UpstreamValue(b)) => {
            let mut inner = Vec::new();
            canonical::differences(a, b, "", &mut inner);
            match inner.as_slice() {
                [only] if only.path.is_empty() => format!(
                    "upstream changed what the overlay replaces: {}",
                    change_of(only.before.as_ref(), only.after.as_ref())
                ),
                _ => "upstream changed what the overlay replaces:".to_owned(),
            }
        }
        (Recorded::UpstreamLacks, Recorded::UpstreamLacks) => String::new(),
    };
    let _ = writeln!(out, "      {}: {sentence}", change.path);
    if let (Recorded::UpstreamValue(a), Recorded::UpstreamValue(b)) =
        (&change.before, &change.after)
    {
        let mut inner = Vec::new();
        canonical::differences(a, b, "", &mut inner);
        inner.retain(|d| !d.path.is_empty());
        for difference in inner.iter().take(INNER_LIMIT) {
            difference_line("          ", difference, out);
        }
        if inner.len() > INNER_LIMIT {
            let _ = writeln!(out, "          ... and {} more", inner.len() - INNER_LIMIT);
        }
    }
}

/// `Message.inbox_id, Specifier.id, Specifier.email, Extra` as
/// `Message.inbox_id, Specifier.{id, email}, Extra`.
fn grouped(names: &[String]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for name in names {
        let (schema, property) = match name.split_once('.') {
            Some((schema, property)) => (schema, Some(property)),
            None => (name.as_str(), None),
        };
        match (groups.iter_mut().find(|(s, _)| *s == schema), property) {
            (Some((_, properties)), Some(property)) => properties.push(property),
            (None, Some(property)) => groups.push((schema, vec![property])),
            (_, None) => groups.push((schema, Vec::new())),
        }
    }
    groups
        .iter()
        .map(|(schema, properties)| match properties.as_slice() {
            [] => (*schema).to_owned(),
            [one] => format!("{schema}.{one}"),
            many => format!("{schema}.{{{}}}", many.join(", ")),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `path: before -> after`, indented.
fn difference_line(indent: &str, difference: &Difference, out: &mut String) {
    let _ = writeln!(
        out,
        "{indent}{}: {}",
        difference.path,
        change_of(difference.before.as_ref(), difference.after.as_ref())
    );
}

/// `before -> after`; for two lists of plain values, the values added and removed.
fn change_of(before: Option<&Value>, after: Option<&Value>) -> String {
    let plain = |list: &[Value]| list.iter().all(|v| !v.is_object() && !v.is_array());
    if let (Some(Value::Array(a)), Some(Value::Array(b))) = (before, after)
        && plain(a)
        && plain(b)
    {
        let listed = |from: &[Value], without: &[Value]| {
            from.iter()
                .filter(|v| !without.contains(v))
                .map(|v| {
                    format!(
                        "`{}`",
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (added, removed) = (listed(b, a), listed(a, b));
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("values added: {added}"));
        }
        if !removed.is_empty() {
            parts.push(format!("values removed: {removed}"));
        }
        if parts.is_empty() {
            parts.push("values reordered".to_owned());
        }
        return parts.join("; ");
    }
    format!("{} -> {}", shown(before), shown(after))
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), short)
}
