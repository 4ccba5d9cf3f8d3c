//! Cross-site request forgery guard: besides the `SameSite=Lax` session
//! cookie, a console POST must name our own origin in `Origin` (or, from
//! older browsers, `Referer`). Anything else is refused before a handler runs.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The host (with port) a URL such as `http://host:port/path` names.
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Whether a state-changing request comes from a page we served.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    let claimed = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
        .or_else(|| headers.get(header::REFERER).and_then(|v| v.to_str().ok()));
    claimed.and_then(url_host).is_some_and(|h| h.eq_ignore_ascii_case(host))
}

pub async fn same_origin_posts(req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD && !same_origin(req.headers()) {
        tracing::warn!(path = %req.uri().path(), "console POST refused: not from our origin");
        return (StatusCode::FORBIDDEN, "cross-site request refused / 跨站请求已拒绝").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_our_own_origin_may_post() {
        assert!(same_origin(&headers(&[(header::HOST, "127.0.0.1:8080"), (header::ORIGIN, "http://127.0.0.1:8080")])));
        assert!(same_origin(&headers(&[
            (header::HOST, "desk.example"),
            (header::REFERER, "https://desk.example/cases/1")
        ])));
        assert!(!same_origin(&headers(&[(header::HOST, "desk.example"), (header::ORIGIN, "https://evil.example")])));
        assert!(!same_origin(&headers(&[(header::HOST, "desk.example"), (header::ORIGIN, "null")])));
        assert!(!same_origin(&headers(&[(header::HOST, "desk.example")])));
        assert!(!same_origin(&headers(&[
            (header::HOST, "desk.example"),
            (header::REFERER, "https://desk.example.evil.example/")
        ])));
    }
}
