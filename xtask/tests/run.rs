//! `sync` runs on folders: what it writes, what `--check` refuses, and the pinned upstream.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use std::fs;
use std::path::{Path, PathBuf};

use xtask::drift::ChangeKind;
use xtask::sync::{self, API_FILES};
use xtask::workspace;

const V1: &str = include_str!("fixtures/widgets.v1.yml");
const V2: &str = include_str!("fixtures/widgets.v2.yml");

/// A folder laid out like upstream, with `text` under each of the three upstream names.
fn upstream(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in API_FILES {
        fs::write(dir.path().join(file.upstream), text).unwrap();
    }
    dir
}

fn options(upstream: &Path, out: &Path, check: bool) -> sync::Options {
    sync::Options {
        upstream: upstream.to_path_buf(),
        out_dir: out.to_path_buf(),
        overlay_dir: out.join("no-overlay"),
        check,
    }
}

#[test]
fn check_writes_nothing_and_reports_drift() {
    let upstream = upstream(V1);
    let out = tempfile::tempdir().unwrap();
    let report = sync::run(&options(upstream.path(), out.path(), true)).unwrap();
    assert!(report.has_drift());
    assert_eq!(
        fs::read_dir(out.path()).unwrap().count(),
        0,
        "check wrote files"
    );
    let added = report.files[0]
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Added)
        .count();
    assert_eq!(added, 5);
}

#[test]
fn a_sync_writes_the_files_and_a_second_check_passes() {
    let upstream = upstream(V1);
    let out = tempfile::tempdir().unwrap();
    let written = sync::run(&options(upstream.path(), out.path(), false)).unwrap();
    assert!(written.has_drift());
    for file in API_FILES {
        let text = fs::read_to_string(out.path().join(file.ours)).unwrap();
        assert!(
            text.starts_with("# Produced by `cargo xtask sync`"),
            "{text}"
        );
    }
    let again = sync::run(&options(upstream.path(), out.path(), true)).unwrap();
    assert!(!again.has_drift(), "{}", again.to_text());
}

#[test]
fn a_changed_upstream_fails_the_check_and_leaves_the_files_alone() {
    let out = tempfile::tempdir().unwrap();
    sync::run(&options(upstream(V1).path(), out.path(), false)).unwrap();
    let before = fs::read(out.path().join("sandbox.yaml")).unwrap();
    let report = sync::run(&options(upstream(V2).path(), out.path(), true)).unwrap();
    assert!(report.has_drift());
    assert_eq!(report.breaking_count(), 15, "{}", report.to_text());
    assert_eq!(fs::read(out.path().join("sandbox.yaml")).unwrap(), before);
}

#[test]
fn a_checkout_of_the_upstream_repository_is_accepted() {
    let checkout = tempfile::tempdir().unwrap();
    let specs = checkout.path().join("specs");
    fs::create_dir(&specs).unwrap();
    for file in API_FILES {
        fs::write(specs.join(file.upstream), V1).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    assert!(sync::run(&options(checkout.path(), out.path(), true)).is_ok());
}

#[test]
fn a_folder_without_the_upstream_files_is_explained() {
    let empty = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let error = sync::run(&options(empty.path(), out.path(), true)).unwrap_err();
    let text = format!("{error:#}");
    assert!(text.contains("holds no sandbox.openapi.yml"), "{text}");
    assert!(text.contains("--upstream"), "{text}");
}

/// The pinned upstream files, when this workspace sits beside `shared/`.
fn pinned() -> Option<PathBuf> {
    let dir = workspace::root().join("../shared/reference/mailtrap-openapi");
    if dir.join("sandbox.openapi.yml").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/reference/mailtrap-openapi is absent");
        None
    }
}

/// A folder holding the three-months-older upstream files under the current names.
fn inbox_era(pinned: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in API_FILES {
        let old = file
            .upstream
            .replace(".openapi.yml", ".inbox-era.openapi.yml");
        fs::copy(pinned.join(old), dir.path().join(file.upstream)).unwrap();
    }
    dir
}

fn real_options(upstream: &Path, out: &Path, check: bool) -> sync::Options {
    sync::Options {
        upstream: upstream.to_path_buf(),
        out_dir: out.to_path_buf(),
        overlay_dir: workspace::overlay_dir(),
        check,
    }
}

fn operations(report: &xtask::drift::Report, kind: ChangeKind) -> Vec<String> {
    report
        .files
        .iter()
        .flat_map(|f| &f.changes)
        .filter(|c| c.kind == kind)
        .map(|c| format!("{} {}", c.method, c.path))
        .collect()
}

#[test]
fn the_committed_description_matches_the_pinned_upstream() {
    let Some(pinned) = pinned() else { return };
    let report = sync::run(&real_options(&pinned, &workspace::openapi_dir(), true)).unwrap();
    assert!(!report.has_drift(), "{}", report.to_text());
}

#[test]
fn checking_against_the_inbox_era_upstream_fails_and_changes_nothing() {
    let Some(pinned) = pinned() else { return };
    let old = inbox_era(&pinned);
    let ours = workspace::openapi_dir();
    let before: Vec<Vec<u8>> = API_FILES
        .iter()
        .map(|f| fs::read(ours.join(f.ours)).unwrap())
        .collect();
    let report = sync::run(&real_options(old.path(), &ours, true)).unwrap();
    assert!(report.has_drift());
    let after: Vec<Vec<u8>> = API_FILES
        .iter()
        .map(|f| fs::read(ours.join(f.ours)).unwrap())
        .collect();
    assert_eq!(before, after, "a check changed openapi/");
    // The report describes what the sync would do to our files: the current operations go,
    // the inbox-era ones come.
    let removed = operations(&report, ChangeKind::Removed);
    let added = operations(&report, ChangeKind::Added);
    assert!(
        removed.contains(&"GET /api/sandboxes/{sandbox_id}/messages".to_owned()),
        "{removed:?}"
    );
    assert!(
        added.contains(&"GET /api/accounts/{account_id}/inboxes/{inbox_id}/messages".to_owned()),
        "{added:?}"
    );
}

#[test]
fn moving_from_the_inbox_era_to_the_current_upstream_is_reported() {
    let Some(pinned) = pinned() else { return };
    let old = inbox_era(&pinned);
    let committed = tempfile::tempdir().unwrap();
    sync::run(&real_options(old.path(), committed.path(), false)).unwrap();
    let report = sync::run(&real_options(&pinned, committed.path(), true)).unwrap();
    assert!(report.has_drift());
    let removed = operations(&report, ChangeKind::Removed);
    let added = operations(&report, ChangeKind::Added);
    // An operation that kept its operationId while its path moved is one changed operation.
    let moved: Vec<String> = report
        .files
        .iter()
        .flat_map(|f| &f.changes)
        .filter_map(|c| c.details.iter().find(|d| d.location == "path"))
        .map(|d| d.change.clone())
        .collect();
    let inbox = "/api/accounts/{account_id}/inboxes";
    let inbox_paths = removed.iter().filter(|op| op.contains(inbox)).count()
        + moved
            .iter()
            .filter(|m| m.starts_with(&format!("`{inbox}")))
            .count();
    let sandbox_paths = added
        .iter()
        .filter(|op| op.contains(" /api/sandboxes"))
        .count()
        + moved
            .iter()
            .filter(|m| m.contains("-> `/api/sandboxes"))
            .count();
    assert_eq!(inbox_paths, 24, "{removed:?} {moved:?}");
    assert_eq!(sandbox_paths, 24, "{added:?} {moved:?}");
    insta::assert_snapshot!("inbox_era_to_current", report.to_text());
}

/// Runs `cargo xtask sync` (the binary) with an empty overlay; returns its exit code and
/// standard output.
fn sync_binary(upstream: &Path, out: &Path, check: bool) -> (Option<i32>, String) {
    let no_overlay = out.join("no-overlay");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(["sync", "--upstream"]).arg(upstream);
    command
        .arg("--out")
        .arg(out)
        .arg("--overlay")
        .arg(&no_overlay);
    if check {
        command.arg("--check");
    }
    let output = command.output().unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// V1 written another way: JSON instead of YAML, paths and top-level keys in reverse order.
fn v1_rewritten() -> String {
    let mut doc = xtask::yaml::parse(V1, "widgets.v1.yml").unwrap();
    let reversed = |map: &serde_json::Map<String, serde_json::Value>| {
        let mut entries: Vec<_> = map.clone().into_iter().collect();
        entries.reverse();
        entries.into_iter().collect::<serde_json::Map<_, _>>()
    };
    let paths = reversed(doc["paths"].as_object().unwrap());
    doc["paths"] = serde_json::Value::Object(paths);
    let root = reversed(doc.as_object().unwrap());
    serde_json::to_string_pretty(&serde_json::Value::Object(root)).unwrap()
}

#[test]
fn the_check_exits_1_exactly_when_something_changed() {
    let out = tempfile::tempdir().unwrap();
    let (code, _) = sync_binary(upstream(V1).path(), out.path(), false);
    assert_eq!(code, Some(0), "the first sync writes and succeeds");
    let written = fs::read(out.path().join("sandbox.yaml")).unwrap();

    let (code, text) = sync_binary(upstream(V1).path(), out.path(), true);
    assert_eq!(code, Some(0), "nothing changed:\n{text}");
    assert!(text.contains("up to date"), "{text}");

    let rewritten = v1_rewritten();
    assert_ne!(rewritten, V1);
    let (code, text) = sync_binary(upstream(&rewritten).path(), out.path(), true);
    assert_eq!(code, Some(0), "only syntax and order changed:\n{text}");

    let (code, text) = sync_binary(upstream(V2).path(), out.path(), true);
    assert_eq!(code, Some(1), "V2 changes operations:\n{text}");
    assert!(text.contains("[breaking"), "{text}");
    assert_eq!(
        fs::read(out.path().join("sandbox.yaml")).unwrap(),
        written,
        "a check wrote"
    );

    let missing = out.path().join("nothing-here");
    let (code, _) = sync_binary(&missing, out.path(), true);
    assert_eq!(code, Some(2), "an error is not drift");
}
