//! What protects the inbox's pages: their security headers, the same-origin check of every
//! change, and the anti-forgery token of forms.
//!
//! `SameSite=Strict` keeps the session cookie off requests started by other sites, but the
//! other ports of the same host are the same *site* (an application under test on
//! `localhost:3000`, say). So a change is accepted only when the browser says it came from
//! this very origin (`Origin`, `Sec-Fetch-Site`) and when it carries the token embedded in the
//! inbox's forms, which another page cannot read.

use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::layout;

/// The policy of the inbox's own pages: its script, style and images only; frames only from
/// itself (the message preview); never framed.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// A new anti-forgery token: 32 hex digits from the operating system's random source.
pub(super) fn new_csrf_token() -> String {
    let mut bytes = [0_u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (unheard of where the emulator runs): fall back to a seeded
        // generator rather than refuse to start.
        bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is the token, compared in constant time.
pub(super) fn csrf_matches(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0_u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Whether the browser says that a request comes from a page of this origin. Browsers send
/// `Origin` with every `POST` and `Sec-Fetch-Site` with every request; a client that sends
/// neither (curl, a script) is not a browser that could be tricked into the request.
pub(super) fn from_same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && site.as_bytes() != b"same-origin"
    {
        return false;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    authority.is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

/// Refuses changes that come from another origin, and gives every answer the security
/// headers of a page (unless it set its own policy, as the message preview does).
pub(super) async fn guard(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD);
    if !safe && !from_same_origin(request.headers()) {
        return layout::error_page(
            StatusCode::FORBIDDEN,
            "This change did not come from the inbox",
            "The request came from another page or site, so it was refused. Reload the inbox \
             and try again from there.",
        );
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Never a referrer to another site; but `no-referrer` would also make browsers send
    // `Origin: null` with the inbox's own form posts, which the same-origin check refuses.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The answer to a form whose anti-forgery token is missing or wrong.
pub(super) fn forged() -> Response {
    layout::error_page(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "The page that sent it is from an earlier run of the emulator, or from elsewhere. \
         Reload the inbox and try again.",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_this_origin_may_change_things() {
        assert!(from_same_origin(&headers(&[("host", "127.0.0.1:8025")])));
        assert!(from_same_origin(&headers(&[
            ("host", "127.0.0.1:8025"),
            ("origin", "http://127.0.0.1:8025"),
            ("sec-fetch-site", "same-origin"),
        ])));
        assert!(from_same_origin(&headers(&[
            ("host", "localhost:8443"),
            ("origin", "https://LOCALHOST:8443"),
        ])));
        // Another port of the same host is the same site, not the same origin.
        assert!(!from_same_origin(&headers(&[
            ("host", "127.0.0.1:8025"),
            ("origin", "http://127.0.0.1:3000"),
        ])));
        assert!(!from_same_origin(&headers(&[
            ("host", "127.0.0.1:8025"),
            ("sec-fetch-site", "same-site"),
        ])));
        assert!(!from_same_origin(&headers(&[
            ("host", "127.0.0.1:8025"),
            ("origin", "null"),
        ])));
        assert!(!from_same_origin(&headers(&[(
            "origin",
            "http://127.0.0.1:8025"
        )])));
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let token = new_csrf_token();
        assert_eq!(token.len(), 32);
        assert_ne!(token, new_csrf_token());
        assert!(csrf_matches(&token, &token.clone()));
        assert!(!csrf_matches(&token, &token[..31]));
        assert!(!csrf_matches(&token, ""));
        assert!(!csrf_matches(&token, &"0".repeat(32)));
    }
}
