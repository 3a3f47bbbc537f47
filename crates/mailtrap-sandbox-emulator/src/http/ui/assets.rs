//! The stylesheet, script and icon, compiled into the binary. Pages link them with a hash of
//! their content in the query, so browsers may cache them for good.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// One embedded file.
#[derive(Debug)]
pub(super) struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
    path: LazyLock<String>,
}

impl Asset {
    /// `/ui/assets/<name>?v=<hash of the content>`.
    pub(super) fn path(&self) -> &str {
        &self.path
    }
}

/// FNV-1a, 64 bits: a cache buster, not a security measure.
fn fingerprint(body: &str) -> u64 {
    body.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_str!(concat!("assets/", $name)),
            path: LazyLock::new(|| {
                format!(
                    "/ui/assets/{}?v={:016x}",
                    $name,
                    fingerprint(include_str!(concat!("assets/", $name)))
                )
            }),
        }
    };
}

/// The stylesheet (light and dark).
pub(super) static CSS: Asset = asset!("app.css", "text/css; charset=utf-8");
/// The script: live updates, keyboard, infinite scroll, local times.
pub(super) static JS: Asset = asset!("app.js", "text/javascript; charset=utf-8");
/// The icon.
pub(super) static ICON: Asset = asset!("icon.svg", "image/svg+xml");

/// `GET /ui/assets/{name}`.
pub(super) async fn serve(Path(name): Path<String>) -> Response {
    let Some(asset) = [&CSS, &JS, &ICON].into_iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (CONTENT_TYPE, asset.content_type),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.body,
    )
        .into_response()
}
