//! Registry scenarios: customers with validation and search, the supply
//! network and "everyone below a node", staff management.

use crate::on_both;
use axum::http::StatusCode;
use pledge_domain::Role;
use serde_json::json;

on_both! {
    async fn customers_are_validated_at_the_edge(t) {
        let base = json!({"utility": "water", "customer_number": "200000001", "account_name": "张伟", "category": "residential",
                          "phone": "13700001111", "address": "城关镇 建设路 8 号", "zone": "urban", "floor_area_m2": 89});
        let with = |k: &str, v: serde_json::Value| { let mut b = base.clone(); b[k] = v; b };
        for (field, value, code) in [
            ("customer_number", json!("12a45"), "invalid_customer_number"),
            ("phone", json!("12345"), "invalid_phone"),
            ("category", json!("vip"), "invalid_category"),
            ("zone", json!("suburb"), "invalid_zone"),
            ("utility", json!("oil"), "invalid_utility"),
            ("account_name", json!("   "), "invalid_account_name"),
            ("floor_area_m2", json!(0), "invalid_floor_area"),
            ("special_care", json!(["vip"]), "invalid_special_care"),
            ("node_id", json!(424242), "unknown_node"),
        ] {
            let (s, b) = t.post("admin", "/api/v1/customers", with(field, value)).await;
            assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{field}: {b}");
        }
        let (s, b) = t.post("admin", "/api/v1/customers", base.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["customer_number"], "200000001");
        assert_eq!(b["premises"]["floor_area_m2"], 89);
        let (s, b) = t.post("admin", "/api/v1/customers", base).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_customer_number")));
    }

    async fn customers_are_found_by_number_phone_name_or_address_and_reads_are_logged(t) {
        let t = t.with_staff(Role::HotlineAgent).await;
        let a = t.customer("100000101", "陈秀兰", "13611112222").await;
        t.customer("100000102", "刘强", "13633334444").await;
        let (_, r) = t.get("hotline_agent", "/api/v1/customers?q=1000001").await;
        assert_eq!(r["total"], 2);
        let (_, r) = t.get("hotline_agent", "/api/v1/customers?q=1111").await;
        assert_eq!(r["items"][0]["id"], a);
        let (_, r) = t.get("hotline_agent", &format!("/api/v1/customers?q={}", "%E9%99%88")).await; // 陈
        assert_eq!(r["total"], 1);
        let (_, r) = t.get("hotline_agent", "/api/v1/customers?q=100%25").await; // a literal % matches nothing
        assert_eq!(r["total"], 0);
        let (s, c) = t.get("hotline_agent", &format!("/api/v1/customers/{a}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(c["account_name"], "陈秀兰");
        let (_, log) = t.get("admin", &format!("/api/v1/access-log?subject=customer&subject_id={a}&staff_id={}", t.id_of("hotline_agent"))).await;
        assert_eq!(log["total"], 4, "three searches that showed the customer and one read: {log}");
        let (s, c) = t.patch("hotline_agent", &format!("/api/v1/customers/{a}"), json!({"phone": "", "special_care": ["elderly"]})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["phone"], serde_json::Value::Null);
        assert_eq!(c["special_care"], json!(["elderly"]));
    }

    async fn the_access_log_shows_only_the_readers_company(t) {
        let a = t.customer("100000201", "陈秀兰", "13611112222").await;
        let (s, _) = t.get("admin", &format!("/api/v1/customers/{a}")).await;
        assert_eq!(s, StatusCode::OK);
        let other = t.app.bootstrap(pledge_app::registry::Bootstrap {
            company_code: "OTHER".into(), company_name: "另一公用事业公司".into(), hotline: "0356-96001".into(),
            utilities: vec![pledge_domain::Utility::Water], admin_username: "other_admin".into(),
            admin_name: "另一管理员".into(), admin_password: pledge_app::auth::Secret::new(crate::support::PASSWORD),
        }).await.unwrap();
        let all = pledge_domain::model::PageRequest::new(None, None);
        assert!(t.app.access_log(&t.admin, None, None, None, all).await.unwrap().total > 0, "the reader's own company sees the read");
        let theirs = t.app.access_log(&other, None, None, None, all).await.unwrap();
        assert_eq!(theirs.total, 0, "another company sees none of it: {:?}", theirs.items);
    }

    async fn everyone_below_a_network_node_is_one_query(t) {
        let node = |utility: &str, parent: Option<i64>, level: &str, name: &str| json!({"utility": utility, "parent_id": parent, "level": level, "name": name});
        let (s, station) = t.post("admin", "/api/v1/network/nodes", node("gas", None, "station", "城东门站")).await;
        assert_eq!(s, StatusCode::CREATED, "{station}");
        let station = station["id"].as_i64().unwrap();
        let main_a = t.post("admin", "/api/v1/network/nodes", node("gas", Some(station), "main", "东干线")).await.1["id"].as_i64().unwrap();
        let main_b = t.post("admin", "/api/v1/network/nodes", node("gas", Some(station), "main", "西干线")).await.1["id"].as_i64().unwrap();
        let leaf_a = t.post("admin", "/api/v1/network/nodes", node("gas", Some(main_a), "building", "锦绣家园")).await.1["id"].as_i64().unwrap();
        let leaf_b = t.post("admin", "/api/v1/network/nodes", node("gas", Some(main_b), "building", "白土岭村")).await.1["id"].as_i64().unwrap();
        let (s, b) = t.post("admin", "/api/v1/network/nodes", node("water", Some(station), "main", "错接")).await;
        assert_eq!(s, StatusCode::CONFLICT, "a water node cannot hang under a gas station: {b}");
        for (i, leaf) in [leaf_a, leaf_a, leaf_a, leaf_b].into_iter().enumerate() {
            let (s, b) = t.post("admin", "/api/v1/customers", json!({"utility": "gas", "customer_number": format!("10000020{i}"), "account_name": "住户",
                "category": "residential", "address": "地址", "zone": "urban", "node_id": leaf})).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        for (node, expected) in [(station, 4), (main_a, 3), (leaf_b, 1)] {
            let (_, n) = t.get("admin", &format!("/api/v1/network/nodes/{node}")).await;
            assert_eq!(n["customers_below"], expected, "{n}");
        }
        let (_, r) = t.get("admin", &format!("/api/v1/customers?below_node={main_b}")).await;
        assert_eq!(r["total"], 1);
        let (_, roots) = t.get("admin", "/api/v1/network/nodes?utility=gas").await;
        assert_eq!(roots.as_array().unwrap().len(), 1);
        let (_, kids) = t.get("admin", &format!("/api/v1/network/nodes?utility=gas&parent_id={station}")).await;
        assert_eq!(kids.as_array().unwrap().len(), 2);
    }

    async fn staff_see_their_company_and_its_utilities(t) {
        let t = t.with_staff(Role::HallClerk).await;
        let (s, c) = t.get("hall_clerk", "/api/v1/company").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(c["code"], "TEST");
        assert_eq!(c["utilities"], json!(["gas", "heat", "power", "water"]));
    }

    async fn only_administrators_manage_staff(t) {
        let t = t.with_staff(Role::DutyManager).await;
        let body = json!({"username": "new.agent", "display_name": "新坐席", "role": "hotline_agent", "password": "long-enough"});
        let (s, _) = t.post("duty_manager", "/api/v1/staff", body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, b) = t.post("admin", "/api/v1/staff", body.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["role_name"], "热线坐席");
        let (s, b) = t.post("admin", "/api/v1/staff", body).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
        let (s, b) = t.post("admin", "/api/v1/staff", json!({"username": "x y", "display_name": "a", "role": "admin", "password": "long-enough"})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_username")));
        let (s, b) = t.post("admin", "/api/v1/staff", json!({"username": "shorty", "display_name": "a", "role": "admin", "password": "short"})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password")));
        let id = t.id_of("duty_manager");
        let (s, b) = t.patch("admin", &format!("/api/v1/staff/{id}"), json!({"active": false})).await;
        assert_eq!((s, b["active"].as_bool()), (StatusCode::OK, Some(false)));
        let (s, _) = t.get("duty_manager", "/api/v1/me").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "a deactivated account's sessions stop working");
        let (_, list) = t.get("admin", "/api/v1/staff?role=duty_manager").await;
        assert_eq!(list["total"], 1);
    }
}
