//! The emulator's modules import one way: each module may use only modules of the layers below
//! its own, never one beside it or above it. This test reads the source files, finds every
//! `crate::module` path (in `use` lines and in code; comments are skipped) and every `super::`
//! path that climbs out of its module, and fails naming the file, the line and the import.
//!
//! A new top-level module must be added to [`LAYERS`] (the test fails until it is), and
//! MAINTAINING.md describes the same layers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first, each with its top-level modules (`src/NAME.rs` or `src/NAME/`).
/// A module may import from the layers below its own only.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations",
        &[
            "conn",
            "delivery",
            "mail",
            "private_files",
            "random",
            "ratelimit",
            "summary",
            "templates",
            "time",
        ],
    ),
    ("built on foundations", &["analysis", "certs"]),
    ("faults", &["faults"]),
    ("errors", &["error"]),
    ("settings", &["config"]),
    ("store", &["store"]),
    ("servers", &["http", "https", "smtp"]),
    ("start-up", &["server"]),
];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layer index of a top-level module, if it is listed.
fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The module path of a file relative to `src/`: `store/mod.rs` → `[store]`,
/// `http/ui/data.rs` → `[http, ui, data]`, `lib.rs` → `[]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

/// The identifier at the start of `text`.
fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The top-level modules a line of code names: `crate::a`, `crate::{a, b::c}`, and `super::`
/// chains that climb to the crate root from the file's module (`here`).
fn modules_named(line: &str, here: &[String]) -> Vec<String> {
    let mut named = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = &rest[..at];
        rest = &rest[at + "crate::".len()..];
        // `$crate::` in a macro, or a longer identifier ending in `crate`.
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or("");
            for item in group.split(',') {
                let name = ident(item.trim());
                if !name.is_empty() && name != "self" {
                    named.push(name.to_owned());
                }
            }
        } else {
            named.push(ident(rest).to_owned());
        }
    }
    // `super::super::x` from `store/messages.rs` names `x` at the root. Inside an inline
    // `mod tests` a `super` climbs one level less than counted here, so a climb that reaches
    // the root only there names what is not a module and is ignored below.
    let mut rest = line;
    while let Some(at) = rest.find("super::") {
        let before = &rest[..at];
        let mut chain = &rest[at..];
        let mut supers = 0;
        while let Some(next) = chain.strip_prefix("super::") {
            supers += 1;
            chain = next;
        }
        rest = chain;
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name = ident(chain);
        if supers >= here.len() && !here.is_empty() && name.starts_with(char::is_lowercase) {
            named.push(name.to_owned());
        }
    }
    named
}

/// Whether a line is a comment (doc comments included), where paths are prose.
fn is_comment(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("//") || trimmed.starts_with("/*") || trimmed.starts_with('*')
}

#[test]
fn every_module_is_in_a_layer_and_every_listed_module_exists() {
    let mut found: Vec<String> = fs::read_dir(src_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|e| e == "rs"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "lib")
        .collect();
    found.sort();
    found.dedup();
    let unlisted: Vec<&String> = found.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        unlisted.is_empty(),
        "modules in src/ that no layer lists: {unlisted:?}; add each to LAYERS in \
         tests/layers.rs (and to MAINTAINING.md's description of the layers)"
    );
    let mut listed: Vec<&str> = LAYERS.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    listed.sort_unstable();
    let before = listed.len();
    listed.dedup();
    assert_eq!(before, listed.len(), "a module is listed in two layers");
    let missing: Vec<&&str> = listed
        .iter()
        .filter(|m| !found.iter().any(|f| f == *m))
        .collect();
    assert!(
        missing.is_empty(),
        "LAYERS lists modules that src/ does not have: {missing:?}"
    );
}

#[test]
fn modules_import_only_from_the_layers_below() {
    let src = src_dir();
    let mut wrong = Vec::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).unwrap().to_path_buf();
        let here = module_path(&relative);
        // The crate root declares and re-exports the modules: it is above every layer.
        let Some(top) = here.first() else { continue };
        let Some(own) = layer_of(top) else {
            // Reported by the other test.
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            if is_comment(line) {
                continue;
            }
            for target in modules_named(line, &here) {
                if target == *top {
                    continue;
                }
                let Some(theirs) = layer_of(&target) else {
                    if target.chars().next().is_some_and(char::is_uppercase) {
                        // An item of the crate root (`crate::Store`): name its module instead.
                        wrong.push(format!(
                            "src/{}:{}: `crate::{target}` goes through the crate root; \
                             import it from its module: {}",
                            relative.display(),
                            number + 1,
                            line.trim()
                        ));
                    }
                    continue;
                };
                if theirs >= own {
                    let way = if theirs == own { "sideways" } else { "up" };
                    wrong.push(format!(
                        "src/{}:{}: `{top}` ({}) imports `{target}` ({}), {way}: {}",
                        relative.display(),
                        number + 1,
                        LAYERS[own].0,
                        LAYERS[theirs].0,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that go sideways or up (move the piece to the lower layer, or the module to \
         another layer in LAYERS and MAINTAINING.md if it belongs there):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_sees_imports_in_their_usual_forms() {
    let here = |path: &str| module_path(Path::new(path));
    assert_eq!(
        modules_named(
            "use crate::smtp::DeliveryError;",
            &here("store/messages.rs")
        ),
        ["smtp"]
    );
    assert_eq!(
        modules_named(
            "use crate::{delivery::Envelope, smtp, self};",
            &here("store/backend.rs")
        ),
        ["delivery", "smtp"]
    );
    assert_eq!(
        modules_named(
            "    let p = crate::mail::parse(&raw);",
            &here("store/mod.rs")
        ),
        ["mail"]
    );
    assert_eq!(
        modules_named(
            "use super::super::http::AppState;",
            &here("store/messages.rs")
        ),
        ["http"]
    );
    // Within its own module, and `$crate` in a macro, name nothing at the root.
    assert!(modules_named("use super::AppState;", &here("http/ui/data.rs")).is_empty());
    assert!(modules_named("use super::super::AppState;", &here("http/ui/data.rs")).is_empty());
    assert!(modules_named("$crate::time::now()", &here("store/mod.rs")).is_empty());
    assert!(is_comment(
        "    /// It implements [`crate::smtp::SmtpBackend`]"
    ));
    assert_eq!(here("lib.rs"), Vec::<String>::new());
    assert_eq!(here("http/mod.rs"), ["http"]);
}
