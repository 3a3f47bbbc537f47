//! The workspace README shows code that CI compiles: each Rust block is preceded by a
//! `<!-- file: PATH -->` marker and must be that example file, word for word (less its
//! leading `//!` comment and `#![...]` attributes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// (marker path, block text) for every Rust block of the README.
fn rust_blocks(readme: &str) -> Vec<(Option<String>, String)> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines().peekable();
    let mut marker: Option<String> = None;
    while let Some(line) = lines.next() {
        if let Some(path) = line
            .strip_prefix("<!-- file: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        {
            marker = Some(path.to_owned());
            continue;
        }
        if line.trim_start().starts_with("```rust") {
            let mut body = String::new();
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            blocks.push((marker.take(), body));
        } else if !line.trim().is_empty() {
            marker = None;
        }
    }
    blocks
}

/// The example as the README shows it: without its leading doc comment and attributes.
fn shown_part(source: &str) -> String {
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.peek() {
        let line = line.trim_start();
        if line.starts_with("//!") || line.starts_with("#![") || line.is_empty() {
            lines.next();
        } else {
            break;
        }
    }
    lines.map(|l| format!("{l}\n")).collect()
}

#[test]
fn every_rust_block_of_the_readme_is_a_compiled_example() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let blocks = rust_blocks(&readme);
    assert!(
        blocks.len() >= 2,
        "the README has a quickstart and a recipe"
    );
    for (marker, block) in blocks {
        let path = marker.unwrap_or_else(|| {
            panic!("a Rust block of README.md has no `<!-- file: ... -->` marker:\n{block}")
        });
        let source = std::fs::read_to_string(workspace().join(&path))
            .unwrap_or_else(|e| panic!("README.md shows {path}, which cannot be read: {e}"));
        assert!(
            path.contains("/examples/"),
            "{path}: README code must come from an example that CI compiles"
        );
        assert_eq!(block, shown_part(&source), "README.md and {path} differ");
    }
}

#[test]
fn the_facade_readme_shows_compiled_files() {
    let readme =
        std::fs::read_to_string(workspace().join("crates/mailtrap-sandbox/README.md")).unwrap();
    let marked: Vec<(String, String)> = rust_blocks(&readme)
        .into_iter()
        .filter_map(|(marker, block)| marker.map(|path| (path, block)))
        .collect();
    let paths: Vec<&str> = marked.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "crates/mailtrap-sandbox/examples/quickstart.rs",
            "tests/tests/test_your_emails.rs"
        ]
    );
    for (path, block) in marked {
        let source = std::fs::read_to_string(workspace().join(&path)).unwrap();
        assert_eq!(
            block,
            shown_part(&source),
            "the facade README and {path} differ"
        );
    }
}

#[test]
fn the_readme_shows_the_two_commands_first() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let first_block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    assert_eq!(
        first_block,
        "cargo run -p mailtrap-sandbox-cli -- demo\ncargo test --workspace\n"
    );
}
