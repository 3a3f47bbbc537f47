//! Where things are in the workspace.

use std::path::{Path, PathBuf};

/// The workspace root (the parent of the `xtask` package).
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// `openapi/`, where our OpenAPI description lives.
pub fn openapi_dir() -> PathBuf {
    root().join("openapi")
}

/// `openapi/overlay/`, our hand-written corrections and descriptions.
pub fn overlay_dir() -> PathBuf {
    openapi_dir().join("overlay")
}

/// Where the generated modules of the low-level crate go.
pub fn generated_dir() -> PathBuf {
    root().join("crates/mailtrap-sandbox-api/src/generated")
}

/// A path relative to the workspace root, for messages.
pub fn display(path: &Path) -> String {
    let root = root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}
