//! Reading the API token from a request: `Authorization: Bearer <token>` or `Api-Token: <token>`.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

/// The tokens a request presents, `Api-Token` first.
pub(crate) fn presented_tokens(headers: &HeaderMap) -> Vec<&str> {
    let mut tokens = Vec::new();
    for value in headers.get_all("api-token") {
        if let Ok(token) = value.to_str() {
            let token = token.trim();
            if !token.is_empty() {
                tokens.push(token);
            }
        }
    }
    for value in headers.get_all(AUTHORIZATION) {
        let Ok(value) = value.to_str() else {
            continue;
        };
        let value = value.trim();
        if let Some((scheme, token)) = value.split_once(' ')
            && scheme.eq_ignore_ascii_case("bearer")
        {
            let token = token.trim();
            if !token.is_empty() {
                tokens.push(token);
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn both_header_forms_are_read() {
        let mut headers = HeaderMap::new();
        assert!(presented_tokens(&headers).is_empty());
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer  abc "));
        assert_eq!(presented_tokens(&headers), ["abc"]);
        headers.insert("Api-Token", HeaderValue::from_static("def"));
        assert_eq!(presented_tokens(&headers), ["def", "abc"]);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(presented_tokens(&headers), ["def"]);
    }
}
