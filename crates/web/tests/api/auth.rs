//! Sign-in scenarios.

use crate::on_both;
use crate::support::PASSWORD;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

on_both! {
    async fn wrong_passwords_and_unknown_users_get_the_same_401(t) {
        for (u, p) in [("admin", "wrong-password"), ("nobody", PASSWORD)] {
            let (s, b) = t.send(None, Method::POST, "/api/v1/auth/login", Some(json!({"username": u, "password": p}))).await;
            assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
        }
        let (s, _) = t.send(None, Method::GET, "/api/v1/me", None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let req = Request::get("/api/v1/me").header("authorization", format!("Bearer {}", "0".repeat(64))).body(Body::empty()).unwrap();
        assert_eq!(t.raw(req).await.0, StatusCode::UNAUTHORIZED);
    }

    async fn a_browser_session_cookie_signs_in_and_logout_ends_it(t) {
        let req = Request::post("/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(Body::from(json!({"username": "admin", "password": PASSWORD, "kind": "cookie"}).to_string()))
            .unwrap();
        let res = tower::ServiceExt::oneshot(t.router.clone(), req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        let pair = cookie.split(';').next().unwrap().to_owned();
        let me = |pair: String| Request::get("/api/v1/me").header("cookie", pair).body(Body::empty()).unwrap();
        let (s, b) = t.raw(me(pair.clone())).await;
        assert_eq!((s, b["username"].as_str()), (StatusCode::OK, Some("admin")));
        let out = Request::post("/api/v1/auth/logout").header("cookie", pair.clone()).body(Body::empty()).unwrap();
        assert_eq!(t.raw(out).await.0, StatusCode::NO_CONTENT);
        assert_eq!(t.raw(me(pair)).await.0, StatusCode::UNAUTHORIZED);
    }
}
