//! Outage scenarios: the lead time and its duty-manager override (a C3
//! breach), the gas restore window and notice (C5), refused input, the
//! affected-customer snapshot, hotline matching (C16), trouble-call grouping
//! and answering every attached case on restoration.

use crate::on_both;
use crate::support::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use jiff::SignedDuration;
use pledge_domain::model::{NotificationFilter, PageRequest};
use pledge_domain::{CustomerId, Role};
use pledge_store::repo::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The gas network of the tests: station → areas A1, A2; A1 → buildings B1, B2.
pub struct Net {
    pub a1: i64,
    pub a2: i64,
    pub b1: i64,
    /// Customers below B1 (3), B2 (2) and A2 (2).
    pub in_b1: Vec<i64>,
    pub in_b2: Vec<i64>,
    pub in_a2: Vec<i64>,
}

async fn node(t: &TestApp, parent: Option<i64>, level: &str, name: &str) -> i64 {
    let (s, b) = t
        .post(
            "admin",
            "/api/v1/network/nodes",
            json!({"utility": "gas", "parent_id": parent, "level": level, "name": name}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

async fn customer_at(t: &TestApp, number: &str, node_id: i64) -> i64 {
    let (s, b) = t
        .post(
            "admin",
            "/api/v1/customers",
            json!({"utility": "gas", "customer_number": number, "account_name": format!("用户{number}"), "category": "residential",
                   "phone": "13800000000", "address": format!("人民路 {number} 号"), "zone": "urban", "node_id": node_id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

pub async fn staffed(t: TestApp) -> TestApp {
    t.with_staff(Role::Dispatcher).await.with_staff(Role::DutyManager).await.with_staff(Role::HotlineAgent).await
}

pub async fn network(t: &TestApp) -> Net {
    let station = node(t, None, "station", "城东门站").await;
    let a1 = node(t, Some(station), "area", "人民路片区").await;
    let a2 = node(t, Some(station), "area", "解放路片区").await;
    let b1 = node(t, Some(a1), "building", "1 号楼").await;
    let b2 = node(t, Some(a1), "building", "2 号楼").await;
    let mut n = 200001;
    let mut many = |count: usize| {
        let v: Vec<String> = (0..count)
            .map(|_| {
                n += 1;
                n.to_string()
            })
            .collect();
        v
    };
    let (nb1, nb2, na2) = (many(3), many(2), many(2));
    let mut net = Net { a1, a2, b1, in_b1: vec![], in_b2: vec![], in_a2: vec![] };
    for num in nb1 {
        net.in_b1.push(customer_at(t, &num, b1).await);
    }
    for num in nb2 {
        net.in_b2.push(customer_at(t, &num, b2).await);
    }
    for num in na2 {
        net.in_a2.push(customer_at(t, &num, a2).await);
    }
    net
}

/// Local Shanghai time `2026-10-03T09:00` as RFC 3339.
fn at(local: &str) -> String {
    format!("{local}:00+08:00")
}

pub async fn create(t: &TestApp, who: &str, body: Value) -> (StatusCode, Value) {
    let mut b = json!({"utility": "gas", "kind": "planned", "reason": "中压管道改线施工", "area": "人民路 1–2 号楼",
                       "starts_at": at("2026-10-05T09:00"), "expected_restore_at": at("2026-10-05T17:00")});
    if let (Value::Object(m), Value::Object(e)) = (&mut b, body) {
        m.extend(e);
    }
    t.post(who, "/api/v1/outages", b).await
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

async fn notifications(t: &TestApp, topic: &str) -> u64 {
    let f =
        NotificationFilter { company_id: t.admin.staff.company_id, topic: Some(topic.into()), ..Default::default() };
    t.store.read().notifications(&f, PageRequest::new(None, None)).await.unwrap().total
}

fn stat<'a>(stats: &'a Value, rule: &str) -> &'a Value {
    stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} row in {stats}"))
}

on_both! {
    async fn an_announcement_fixes_the_customers_below_the_node_and_tells_each_once(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let (s, o) = create(&t, "dispatcher", json!({"node_id": net.a1})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert_eq!((o["state"].as_str(), o["affected_count"].as_u64(), o["affected_now"].as_u64()), (Some("draft"), Some(0), Some(5)));
        let (s, o) = t.post("dispatcher", &format!("/api/v1/outages/{}/announce", id(&o)), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        assert_eq!((o["state"].as_str(), o["affected_count"].as_u64()), (Some("announced"), Some(5)));
        let (_, page) = t.get("dispatcher", &format!("/api/v1/outages/{}/customers?limit=2", id(&o))).await;
        assert_eq!(page["total"], 5);
        let mut seen = BTreeSet::new();
        for offset in [0, 2, 4] {
            let (_, p) = t.get("dispatcher", &format!("/api/v1/outages/{}/customers?limit=2&offset={offset}", id(&o))).await;
            seen.extend(p["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()));
        }
        let below: BTreeSet<i64> = net.in_b1.iter().chain(&net.in_b2).copied().collect();
        assert_eq!(seen, below, "the snapshot is exactly the customers below A1");
        assert_eq!(notifications(&t, "outage.announced").await, 5);
        // The announcement's queue and notify_customers share dedup keys: nobody is told twice.
        let mut tx = t.store.begin().await.unwrap();
        let ids: Vec<CustomerId> = below.iter().copied().map(CustomerId).collect();
        let again = pledge_app::notify::notify_customers(&mut tx, t.admin.staff.company_id, "outage.announced", "outage", id(&o), &ids, &json!({}), 0).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(again, 0);
        // Announced 4 days ahead: C3 is met.
        let (_, stats) = t.get("dispatcher", "/api/v1/commitments/stats?from=2026-09-01&to=2026-10-31").await;
        assert_eq!((stat(&stats, "C3")["met"].as_u64(), stat(&stats, "C3")["breached"].as_u64()), (Some(1), Some(0)));
        // Moving it to A2 recomputes the snapshot; the new customers, never
        // told before, get the full announcement rather than a change notice.
        let (s, o) = t.patch("dispatcher", &format!("/api/v1/outages/{}", id(&o)), json!({"node_id": net.a2})).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        assert_eq!(o["affected_count"], 2);
        assert_eq!(notifications(&t, "outage.announced").await, 7);
        assert_eq!(notifications(&t, "outage.updated").await, 0);
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_late_announcement_is_refused_unless_a_duty_manager_overrides_and_counts_as_a_c3_breach(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        // Now is 30 Sep 10:00; a start on 1 Oct 09:00 leaves 23 hours.
        let (_, o) = create(&t, "dispatcher", json!({"node_id": net.b1, "starts_at": at("2026-10-01T09:00"), "expected_restore_at": at("2026-10-01T12:00")})).await;
        let path = format!("/api/v1/outages/{}/announce", id(&o));
        let (s, e) = t.post("dispatcher", &path, json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("lead_time_too_short")));
        assert!(e["error"]["message"].as_str().unwrap().contains("48"), "{e}");
        let req = Request::post(&path).header("authorization", format!("Bearer {}", t.token("dispatcher"))).header("content-type", "application/json")
            .header("accept-language", "en").body(Body::from("{}")).unwrap();
        let (_, e) = t.raw(req).await;
        assert!(e["error"]["message"].as_str().unwrap().contains("C3 needs gas customers told 48 hours"), "{e}");
        let (s, _) = t.post("dispatcher", &path, json!({"override_reason": "抢修后必须立即改线"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a dispatcher may not override");
        assert_eq!(notifications(&t, "outage.announced").await, 0, "nothing was told on a refusal");
        let (s, o) = t.post("duty_manager", &path, json!({"override_reason": "抢修后必须立即改线"})).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        assert_eq!((o["state"].as_str(), o["override_reason"].as_str()), (Some("announced"), Some("抢修后必须立即改线")));
        assert_eq!(o["override_by"], t.id_of("duty_manager"));
        let (_, stats) = t.get("duty_manager", "/api/v1/commitments/stats?from=2026-09-01&to=2026-10-31").await;
        assert_eq!((stat(&stats, "C3")["met"].as_u64(), stat(&stats, "C3")["breached"].as_u64()), (Some(0), Some(1)));
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn gas_comes_back_only_after_the_notice_and_between_8_and_20(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let (s, o) = create(&t, "dispatcher", json!({"kind": "emergency", "node_id": net.b1, "starts_at": at("2026-09-30T09:30"), "expected_restore_at": at("2026-09-30T18:00")})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert_eq!((o["state"].as_str(), o["affected_count"].as_u64()), (Some("in_progress"), Some(3)));
        let base = format!("/api/v1/outages/{}", id(&o));
        let (s, e) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("restore_notice_first")));
        t.advance(SignedDuration::from_hours(11)); // 21:00
        let (s, o) = t.post("dispatcher", &format!("{base}/restore-notice"), json!({})).await;
        assert_eq!((s, o["state"].as_str()), (StatusCode::OK, Some("restore_notified")));
        assert_eq!(notifications(&t, "outage.restore_notice").await, 3);
        let (s, e) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("outside_restore_window")));
        assert_eq!(e["error"]["message"], "燃气只能在 8:00 至 20:00 之间恢复供应");
        t.advance(SignedDuration::from_mins(11 * 60 + 30)); // 08:30 the next day
        let (s, e) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("restore_unannounced")), "an emergency is told before it ends");
        let (s, _) = t.post("dispatcher", &format!("{base}/announce"), json!({})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, o) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
        assert_eq!((s, o["state"].as_str()), (StatusCode::OK, Some("restored")));
        assert_eq!(o["restored_at"], "2026-10-01T08:30:00+08:00");
        assert_eq!(notifications(&t, "outage.restored").await, 3);
        // A restored outage is finished.
        let (s, _) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT);
    }

    async fn an_emergency_reported_to_the_authority_meets_c4b(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let (_, o) = create(&t, "dispatcher", json!({"kind": "emergency", "node_id": net.a2, "starts_at": at("2026-09-30T09:50"), "expected_restore_at": at("2026-09-30T15:00")})).await;
        let base = format!("/api/v1/outages/{}", id(&o));
        t.advance(SignedDuration::from_mins(20));
        let (s, o) = t.post("dispatcher", &format!("{base}/report-to-authority"), json!({"note": "已电话报告市燃气办"})).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        assert!(o["authority_reported_at"].is_string());
        let (s, e) = t.post("dispatcher", &format!("{base}/report-to-authority"), json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_reported")));
        let (s, _) = t.post("dispatcher", &format!("{base}/announce"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "an emergency is announced while it runs");
        let (_, stats) = t.get("dispatcher", "/api/v1/commitments/stats?from=2026-09-01&to=2026-10-31").await;
        assert_eq!(stat(&stats, "C4b")["met"], 1);
        assert_eq!(stat(&stats, "C4a")["met"], 1);
    }

    async fn bad_outages_are_refused_with_clear_codes(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let (s, e) = create(&t, "dispatcher", json!({"node_id": net.a1, "expected_restore_at": at("2026-10-05T08:00")})).await;
        assert_eq!((s, e["error"]["code"].as_str(), e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("restore_before_start"), Some("expected_restore_at")));
        let (s, e) = create(&t, "dispatcher", json!({"node_id": 999_999})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_node")));
        let (s, e) = create(&t, "dispatcher", json!({"node_id": net.a1, "utility": "water"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("node_utility_mismatch")));
        let (s, e) = create(&t, "dispatcher", json!({"node_id": net.a1, "kind": "sometimes"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_outage_kind")));
        let (s, _) = create(&t, "hotline_agent", json!({"node_id": net.a1})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, first) = create(&t, "dispatcher", json!({"node_id": net.a1})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, e) = create(&t, "dispatcher", json!({"node_id": net.a1, "starts_at": at("2026-10-05T16:00"), "expected_restore_at": at("2026-10-05T20:00")})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("outage_overlap")));
        assert_eq!(e["error"]["message"], "同一节点在重叠的时间内已有停供，请勿重复发布");
        // Back to back is no overlap; after a cancellation the slot is free again.
        let (s, _) = create(&t, "dispatcher", json!({"node_id": net.a1, "starts_at": at("2026-10-05T17:00"), "expected_restore_at": at("2026-10-05T19:00")})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, o) = t.post("dispatcher", &format!("/api/v1/outages/{}/cancel", id(&first)), json!({"reason": "施工改期"})).await;
        assert_eq!((s, o["state"].as_str()), (StatusCode::OK, Some("cancelled")));
        let (s, _) = create(&t, "dispatcher", json!({"node_id": net.a1, "starts_at": at("2026-10-05T10:00"), "expected_restore_at": at("2026-10-05T12:00")})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, list) = t.get("dispatcher", "/api/v1/outages?open=true&limit=1").await;
        assert_eq!((list["total"].as_u64(), list["items"].as_array().unwrap().len()), (Some(2), 1));
    }

    async fn a_repair_call_from_under_an_active_outage_hangs_under_it(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let (_, o) = create(&t, "dispatcher", json!({"node_id": net.a1})).await;
        t.post("dispatcher", &format!("/api/v1/outages/{}/announce", id(&o)), json!({})).await;
        let inside = t.case("hotline_agent", "repair", json!({"customer_id": net.in_b2[0], "subkind": "no_supply"})).await;
        // The agent sees the cause, area and expected restoration at once.
        assert_eq!(inside["outages"][0]["id"], id(&o), "{inside}");
        assert_eq!(inside["outages"][0]["area"], "人民路 1–2 号楼");
        let (_, linked) = t.get("hotline_agent", &format!("/api/v1/cases/{}/outages", id(&inside))).await;
        assert_eq!(linked.as_array().unwrap().len(), 1, "{linked}");
        assert_eq!((linked[0]["id"].as_i64(), linked[0]["reason"].as_str()), (Some(id(&o)), Some("中压管道改线施工")));
        assert_eq!(linked[0]["expected_restore_at"], "2026-10-05T17:00:00+08:00");
        let (_, mine) = t.get("hotline_agent", &format!("/api/v1/customers/{}/outages", net.in_b2[0])).await;
        assert_eq!(mine[0]["area"], "人民路 1–2 号楼");
        let outside = t.case("hotline_agent", "consultation", json!({"customer_id": net.in_a2[0]})).await;
        assert_eq!(outside["outages"], json!([]));
        let (_, none) = t.get("hotline_agent", &format!("/api/v1/cases/{}/outages", id(&outside))).await;
        assert_eq!(none, json!([]));
        let (_, detail) = t.get("dispatcher", &format!("/api/v1/outages/{}", id(&o))).await;
        assert_eq!(detail["case_ids"], json!([id(&inside)]));
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn no_supply_calls_are_grouped_confirmed_and_answered_together_on_restoration(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let eng = t.department("ENG", "工程部").await;
        let (s, g) = t.send(Some("admin"), axum::http::Method::PUT, "/api/v1/outages/grouping/gas", Some(json!({"min_calls": 3, "window_minutes": 30, "level": "area"}))).await;
        assert_eq!(s, StatusCode::OK, "{g}");
        let call = |c: i64| t.case("hotline_agent", "repair", json!({"customer_id": c, "subkind": "no_supply"}));
        let first = call(net.in_b1[0]).await;
        assert_eq!(first["department_id"], eng.get(), "with no known outage, engineering investigates");
        let (_, raised) = t.get("dispatcher", "/api/v1/outages/suspected").await;
        assert_eq!(raised["total"], 0, "one call is not yet a suspected outage");
        t.advance(SignedDuration::from_mins(10));
        let _other_area = call(net.in_a2[0]).await;
        let second = call(net.in_b2[0]).await;
        t.advance(SignedDuration::from_mins(10));
        let third = call(net.in_b1[1]).await;
        let (_, raised) = t.get("dispatcher", "/api/v1/outages/suspected").await;
        assert_eq!(raised["total"], 1, "{raised}");
        let s0 = &raised["items"][0];
        assert_eq!((s0["node_id"].as_i64(), s0["calls"].as_u64()), (Some(net.a1), Some(3)));
        let sid = id(s0);
        let (s, o) = t.post("dispatcher", &format!("/api/v1/outages/suspected/{sid}/confirm"),
            json!({"reason": "调压箱故障", "area": "人民路片区", "expected_restore_at": at("2026-09-30T16:00"), "announce": true})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert_eq!((o["kind"].as_str(), o["state"].as_str(), o["affected_count"].as_u64()), (Some("emergency"), Some("in_progress"), Some(5)));
        assert_eq!(o["starts_at"], "2026-09-30T10:00:00+08:00", "the outage runs from the first call");
        let mut cases: Vec<i64> = o["case_ids"].as_array().unwrap().iter().map(|c| c.as_i64().unwrap()).collect();
        cases.sort();
        assert_eq!(cases, vec![id(&first), id(&second), id(&third)]);
        let (s, e) = t.post("dispatcher", &format!("/api/v1/outages/suspected/{sid}/dismiss"), json!({"note": "误报"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("suspect_decided")));
        // A later caller below A1 is matched to the confirmed outage at once.
        let late = call(net.in_b2[1]).await;
        assert_ne!(late["department_id"], eng.get());
        let base = format!("/api/v1/outages/{}", id(&o));
        t.post("dispatcher", &format!("{base}/restore-notice"), json!({})).await;
        t.advance(SignedDuration::from_mins(30)); // C5: 30 minutes after the notice
        let (s, o) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        for c in [&first, &second, &third, &late] {
            let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{}", id(c))).await;
            assert_eq!(d["case"]["state"], "answered", "case {} is answered with the outage", id(c));
        }
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_suspected_outage_can_be_dismissed(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        for c in [net.in_b1[0], net.in_b1[1], net.in_b2[0]] {
            t.case("hotline_agent", "repair", json!({"customer_id": c, "subkind": "no_supply"})).await;
        }
        let (_, raised) = t.get("dispatcher", "/api/v1/outages/suspected").await;
        let sid = id(&raised["items"][0]);
        let (s, d) = t.post("dispatcher", &format!("/api/v1/outages/suspected/{sid}/dismiss"), json!({"note": "各户表后阀门问题，非管网故障"})).await;
        assert_eq!((s, d["state"].as_str()), (StatusCode::OK, Some("dismissed")));
        let (_, raised) = t.get("dispatcher", "/api/v1/outages/suspected").await;
        assert_eq!(raised["total"], 0);
    }
}
