//! Bad input of every kind gets a 4xx with a stable code and a JSON body.

use crate::on_both;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

on_both! {
    async fn malformed_mistyped_unknown_and_oversized_bodies_are_refused(t) {
        let auth = format!("Bearer {}", t.token("admin"));
        let post = |body: Body, ct: Option<&str>| {
            let mut r = Request::post("/api/v1/cases").header("authorization", auth.clone());
            if let Some(ct) = ct { r = r.header("content-type", ct); }
            r.body(body).unwrap()
        };
        let cases = [
            (post(Body::from("{not json"), Some("application/json")), StatusCode::BAD_REQUEST, "malformed_json"),
            (post(Body::from(json!({"utility": 5}).to_string()), Some("application/json")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            (post(Body::from(json!({"utility": "gas", "kind": "repair", "channel": "phone", "subject": "a", "description": "b", "colour": "red"}).to_string()), Some("application/json")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            (post(Body::from("{}"), None), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            (post(Body::from(format!("{{\"subject\":\"{}\"}}", "x".repeat(pledge_web::MAX_BODY_BYTES + 10))), Some("application/json")), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        ];
        for (req, status, code) in cases {
            let (s, b) = t.raw(req).await;
            assert_eq!((s, b["error"]["code"].as_str()), (status, Some(code)), "{b}");
            assert!(b["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }

    async fn bad_values_unknown_ids_and_routes_have_their_own_codes(t) {
        let good = json!({"utility": "gas", "kind": "repair", "channel": "phone", "subject": "a", "description": "b"});
        for (field, value, code) in [
            ("kind", json!("gossip"), "invalid_kind"),
            ("channel", json!("pigeon"), "invalid_channel"),
            ("subkind", json!("new_connection"), "subkind_mismatch"),
            ("contact_phone", json!("555"), "invalid_phone"),
            ("customer_id", json!(987654), "unknown_customer"),
            ("subject", json!(""), "invalid_subject"),
            ("anonymous", json!(true), "anonymous_not_allowed"),
        ] {
            let mut b = good.clone();
            b[field] = value;
            let (s, body) = t.post("admin", "/api/v1/cases", b).await;
            assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{field}: {body}");
            assert_eq!(body["error"]["field"].as_str(), Some(field), "{body}");
        }
        let (s, b) = t.get("admin", "/api/v1/cases/424242").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        let (s, b) = t.get("admin", "/api/v1/cases/abc").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_path")));
        let (s, b) = t.get("admin", "/api/v1/cases?limit=many").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
        let (s, b) = t.get("admin", "/api/v1/cases?colour=red").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
        let (s, b) = t.send(Some("admin"), Method::DELETE, "/api/v1/cases/1", None).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")), "no API path deletes a case");
        let (s, b) = t.get("admin", "/api/v1/no-such-thing").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    }

    async fn messages_are_chinese_by_default_and_english_on_request(t) {
        let req = |lang: Option<&str>| {
            let mut r = Request::builder().method(Method::GET).uri("/api/v1/me");
            if let Some(l) = lang { r = r.header("accept-language", l); }
            r.body(Body::empty()).unwrap()
        };
        let (_, zh) = t.raw(req(None)).await;
        assert_eq!(zh["error"]["message"], "请先登录（用户名或密码错误，或登录已过期）");
        let (_, en) = t.raw(req(Some("en-GB,en;q=0.9"))).await;
        assert!(en["error"]["message"].as_str().unwrap().starts_with("sign in first"), "{en}");
    }
}
