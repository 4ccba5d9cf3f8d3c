//! The OpenAPI document is generated from the handlers and pinned, so the API
//! cannot drift without this snapshot changing in review.

use crate::on_both;
use axum::http::StatusCode;

#[test]
fn the_openapi_document_is_pinned() {
    let doc = serde_json::to_value(pledge_web::openapi::document()).unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
    insta::assert_json_snapshot!("openapi", doc);
}

on_both! {
    async fn the_document_health_and_metrics_are_served(t) {
        let (s, doc) = t.send(None, axum::http::Method::GET, "/api/v1/openapi.json", None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(doc["paths"]["/api/v1/cases"]["post"].is_object());
        let (s, h) = t.send(None, axum::http::Method::GET, "/healthz", None).await;
        assert_eq!((s, h["status"].as_str()), (StatusCode::OK, Some("ok")));
        t.get("admin", "/api/v1/me").await;
        let (s, m) = t.send(None, axum::http::Method::GET, "/metrics", None).await;
        assert_eq!(s, StatusCode::OK);
        let text = m.as_str().unwrap();
        assert!(text.contains("pledge_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"200\"} 1"), "{text}");
        assert!(text.contains("pledge_http_request_duration_seconds_bucket"), "{text}");
    }
}
