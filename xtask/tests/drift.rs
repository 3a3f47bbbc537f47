//! The drift report between two versions of our fixture description.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use xtask::drift;
use xtask::sync::{self, overlay::Overlay};

const V1: &str = include_str!("fixtures/widgets.v1.yml");
const V2: &str = include_str!("fixtures/widgets.v2.yml");

fn report() -> drift::Report {
    let before = sync::build(V1, "widgets.v1.yml", &Overlay::default())
        .unwrap()
        .doc;
    let after = sync::build(V2, "widgets.v2.yml", &Overlay::default())
        .unwrap()
        .doc;
    drift::Report {
        files: vec![drift::compare("openapi/widgets.yaml", &before, &after)],
    }
}

#[test]
fn text_report() {
    insta::assert_snapshot!(report().to_text());
}

#[test]
fn json_report() {
    insta::assert_json_snapshot!(report());
}

#[test]
fn removed_operations_and_new_required_inputs_are_breaking() {
    let report = report();
    let changes = &report.files[0].changes;
    let find = |id: &str| changes.iter().find(|c| c.operation_id == id).unwrap();
    assert_eq!(find("deleteWidget").kind, drift::ChangeKind::Removed);
    assert!(find("deleteWidget").breaking);
    assert_eq!(find("updateWidget").kind, drift::ChangeKind::Added);
    assert!(!find("updateWidget").breaking);
    assert!(find("listWidgets").breaking);
    assert!(find("createWidget").breaking);
}

#[test]
fn identical_documents_have_no_drift() {
    let doc = sync::build(V1, "widgets.v1.yml", &Overlay::default())
        .unwrap()
        .doc;
    let file = drift::compare("openapi/widgets.yaml", &doc, &doc);
    assert!(file.changes.is_empty());
    assert!(!file.changed);
}
