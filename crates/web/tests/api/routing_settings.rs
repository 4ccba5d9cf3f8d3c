//! Routing as settings: where C16 sends an unknown outage and which
//! department holds the complaint form's management copy, per company and
//! utility, validated when saved, with the old department codes as fallback.

use crate::on_both;
use crate::outage_changes::{UTILITIES, network, staffed};
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

async fn put(t: &TestApp, who: &str, purpose: &str, body: Value) -> (StatusCode, Value) {
    t.send(Some(who), Method::PUT, &format!("/api/v1/admin/routing/{purpose}"), Some(body)).await
}

/// The department a no-supply call with no known outage lands in.
async fn c16(t: &TestApp, utility: &str, customer: i64) -> Value {
    t.case("hotline_agent", "repair", json!({"utility": utility, "customer_id": customer, "subkind": "no_supply"}))
        .await["department_id"]
        .clone()
}

/// The holder of a transferred complaint's management copy.
async fn management_copy(t: &TestApp, to: i64) -> Value {
    let id = t.case("hotline_agent", "complaint", json!({})).await["id"].as_i64().unwrap();
    let (s, b) = t.post("hotline_agent", &format!("/api/v1/cases/{id}/transfer"), json!({"department_id": to})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{id}")).await;
    d["form_copies"].as_array().unwrap().iter().find(|c| c["copy"] == "management").unwrap()["holder_department_id"]
        .clone()
}

on_both! {
    async fn routing_settings_are_validated_and_route_c16_and_the_management_copy(t) {
        let t = staffed(t).await;
        let mut nets = Vec::new();
        for (k, u) in UTILITIES.into_iter().enumerate() {
            nets.push(network(&t, u, 700 + k as u32).await);
        }
        let eng = t.department("ENG", "工程部").await.get();
        let faults = t.department("FAULT", "故障研判中心").await.get();
        let water_eng = t.department("WATER-ENG", "供水工程部").await.get();
        let qs = t.department("QS", "质量监督部").await.get();
        let ops = t.department("OPS", "运行部").await.get();
        let gmo = t.admin.staff.department_id.unwrap().get();

        // Unset: the old codes (ENG, GMO) still route.
        for (u, net) in UTILITIES.into_iter().zip(&nets) {
            assert_eq!(c16(&t, u, net.in_x1[0]).await, eng, "{u}: fallback to ENG");
        }
        assert_eq!(management_copy(&t, ops).await, gmo, "fallback to GMO");
        let (s, list) = t.get("admin", "/api/v1/admin/routing").await;
        assert_eq!((s, list), (StatusCode::OK, json!([])));

        // Validated when saved.
        let other = t.app.bootstrap(pledge_app::registry::Bootstrap {
            company_code: "OTHER".into(), company_name: "另一公用事业公司".into(), hotline: "0356-96001".into(),
            utilities: vec![pledge_domain::Utility::Water], admin_username: "other_admin".into(),
            admin_name: "另一管理员".into(), admin_password: pledge_app::auth::Secret::new(crate::support::PASSWORD),
        }).await.unwrap();
        let foreign = other.staff.department_id.unwrap().get();
        for (purpose, body, code) in [
            ("engineering", json!({"department_id": foreign}), "unknown_department"),
            ("engineering", json!({"department_id": 999_999}), "unknown_department"),
            ("management_copy", json!({"utility": "gas", "department_id": foreign}), "unknown_department"),
            ("dispatch", json!({"department_id": eng}), "invalid_routing_purpose"),
            ("engineering", json!({"utility": "oil", "department_id": eng}), "invalid_utility"),
        ] {
            let (s, e) = put(&t, "admin", purpose, body.clone()).await;
            assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{purpose} {body}: {e}");
        }
        let (s, _) = put(&t, "hotline_agent", "engineering", json!({"department_id": faults})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, list) = t.get("admin", "/api/v1/admin/routing").await;
        assert_eq!(list, json!([]), "nothing refused was saved");

        // Set for every utility, and for water on its own.
        let (s, r) = put(&t, "admin", "engineering", json!({"department_id": faults})).await;
        assert_eq!((s, r), (StatusCode::OK, json!({"purpose": "engineering", "utility": null, "department_id": faults})));
        let (s, _) = put(&t, "admin", "engineering", json!({"utility": "water", "department_id": water_eng})).await;
        assert_eq!(s, StatusCode::OK);
        for (u, net) in UTILITIES.into_iter().zip(&nets) {
            let want = if u == "water" { water_eng } else { faults };
            assert_eq!(c16(&t, u, net.in_x1[1]).await, want, "{u}: C16 follows the setting");
        }
        // Saving again replaces.
        let (s, _) = put(&t, "admin", "engineering", json!({"utility": "water", "department_id": eng})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(c16(&t, "water", nets[1].in_x2[0]).await, eng);

        let (s, _) = put(&t, "admin", "management_copy", json!({"department_id": qs})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(management_copy(&t, ops).await, qs, "the management copy follows the setting");

        let (_, list) = t.get("admin", "/api/v1/admin/routing").await;
        assert_eq!(list, json!([
            {"purpose": "engineering", "utility": null, "department_id": faults},
            {"purpose": "engineering", "utility": "water", "department_id": eng},
            {"purpose": "management_copy", "utility": null, "department_id": qs},
        ]));
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }
}
