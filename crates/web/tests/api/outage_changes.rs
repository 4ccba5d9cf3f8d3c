//! Every change of an announced outage reaches every customer it concerns,
//! once per change (the revision in the dedup key); a node move tells the
//! customers it drops; confirming a suspected outage may announce it in the
//! same step; an unannounced emergency cannot be restored. On each utility.

use crate::on_both;
use crate::support::TestApp;
use axum::http::StatusCode;
use jiff::SignedDuration;
use pledge_domain::Role;
use pledge_domain::model::{NotificationFilter, PageRequest};
use pledge_store::repo::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const UTILITIES: [&str; 4] = ["gas", "water", "heat", "power"];

/// One utility's network: station → area X → buildings X1 (2 customers),
/// X2 (1 customer); station → area Y (1 customer).
pub struct Net {
    pub x: i64,
    pub x1: i64,
    pub in_x1: Vec<i64>,
    pub in_x2: Vec<i64>,
}

async fn node(t: &TestApp, utility: &str, parent: Option<i64>, level: &str, name: &str) -> i64 {
    let body = json!({"utility": utility, "parent_id": parent, "level": level, "name": name});
    let (s, b) = t.post("admin", "/api/v1/network/nodes", body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

async fn customer_at(t: &TestApp, utility: &str, number: String, node_id: i64) -> i64 {
    let body = json!({"utility": utility, "customer_number": number, "account_name": format!("用户{number}"), "category": "residential",
                      "phone": "13800000000", "address": format!("人民路 {number} 号"), "zone": "urban", "node_id": node_id});
    let (s, b) = t.post("admin", "/api/v1/customers", body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

pub async fn staffed(t: TestApp) -> TestApp {
    t.with_staff(Role::Dispatcher).await.with_staff(Role::DutyManager).await.with_staff(Role::HotlineAgent).await
}

pub async fn network(t: &TestApp, utility: &str, base: u32) -> Net {
    let station = node(t, utility, None, "station", &format!("{utility} 站")).await;
    let x = node(t, utility, Some(station), "area", "人民路片区").await;
    let y = node(t, utility, Some(station), "area", "解放路片区").await;
    let x1 = node(t, utility, Some(x), "building", "1 号楼").await;
    let x2 = node(t, utility, Some(x), "building", "2 号楼").await;
    let mut net = Net { x, x1, in_x1: vec![], in_x2: vec![] };
    net.in_x1.push(customer_at(t, utility, format!("{base}001"), x1).await);
    net.in_x1.push(customer_at(t, utility, format!("{base}002"), x1).await);
    net.in_x2.push(customer_at(t, utility, format!("{base}003"), x2).await);
    customer_at(t, utility, format!("{base}004"), y).await;
    net
}

fn at(local: &str) -> String {
    format!("{local}:00+08:00")
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// How many notices of `topic` each customer has about outage `outage`.
async fn told(t: &TestApp, outage: i64, topic: &str) -> BTreeMap<i64, u64> {
    let f = NotificationFilter {
        company_id: t.admin.staff.company_id,
        topic: Some(topic.into()),
        subject: Some("outage".into()),
        subject_id: Some(outage),
        ..Default::default()
    };
    let page = t.store.read().notifications(&f, PageRequest::new(Some(200), None)).await.unwrap();
    let mut m = BTreeMap::new();
    for n in page.items {
        *m.entry(n.customer_id.unwrap().get()).or_default() += 1;
    }
    m
}

fn each(customers: &[i64], n: u64) -> BTreeMap<i64, u64> {
    customers.iter().map(|&c| (c, n)).collect()
}

/// A planned outage on `node`, announced well ahead of every lead time.
async fn announced(t: &TestApp, utility: &str, node_id: i64) -> i64 {
    let body = json!({"utility": utility, "kind": "planned", "effect": "stop", "reason": "管道改线施工", "area": "人民路片区",
                      "node_id": node_id, "starts_at": at("2026-10-20T09:00"), "expected_restore_at": at("2026-10-20T17:00")});
    let (s, o) = t.post("dispatcher", "/api/v1/outages", body).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let (s, a) = t.post("dispatcher", &format!("/api/v1/outages/{}/announce", id(&o)), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    id(&o)
}

async fn patch(t: &TestApp, o: i64, body: Value) -> Value {
    let (s, b) =
        t.send(Some("dispatcher"), axum::http::Method::PATCH, &format!("/api/v1/outages/{o}"), Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

on_both! {
    async fn each_change_of_an_announced_outage_is_told_once_to_each_customer(t) {
        let t = staffed(t).await;
        for (k, utility) in UTILITIES.into_iter().enumerate() {
            let net = network(&t, utility, 300 + k as u32).await;
            let everyone: Vec<i64> = net.in_x1.iter().chain(&net.in_x2).copied().collect();
            let o = announced(&t, utility, net.x).await;
            assert_eq!(told(&t, o, "outage.announced").await, each(&everyone, 1), "{utility}");
            assert!(told(&t, o, "outage.updated").await.is_empty());
            patch(&t, o, json!({"starts_at": at("2026-10-21T09:00"), "expected_restore_at": at("2026-10-21T17:00")})).await;
            assert_eq!(told(&t, o, "outage.updated").await, each(&everyone, 1), "{utility}: the first change");
            patch(&t, o, json!({"expected_restore_at": at("2026-10-21T19:00")})).await;
            assert_eq!(told(&t, o, "outage.updated").await, each(&everyone, 2), "{utility}: the second change");
            let third = json!({"reason": "管道改线及阀门更换", "area": "人民路片区 1–2 号楼"});
            patch(&t, o, third.clone()).await;
            assert_eq!(told(&t, o, "outage.updated").await, each(&everyone, 3), "{utility}: the third change");
            // The same change again changes nothing, and tells no one.
            let d = patch(&t, o, third).await;
            assert_eq!(told(&t, o, "outage.updated").await, each(&everyone, 3), "{utility}: a repeat is a no-op");
            assert_eq!(d["expected_restore_at"], "2026-10-21T19:00:00+08:00");
        }
    }

    async fn a_node_move_tells_dropped_customers_it_no_longer_affects_them(t) {
        let t = staffed(t).await;
        for (k, utility) in UTILITIES.into_iter().enumerate() {
            let net = network(&t, utility, 400 + k as u32).await;
            let o = announced(&t, utility, net.x).await;
            let d = patch(&t, o, json!({"node_id": net.x1})).await;
            assert_eq!(d["affected_count"], 2, "{utility}: {d}");
            assert_eq!(told(&t, o, "outage.no_longer_affected").await, each(&net.in_x2, 1), "{utility}: dropped are told");
            assert_eq!(told(&t, o, "outage.updated").await, each(&net.in_x1, 1), "{utility}: kept hear of the change");
            // Repeating the move changes nothing.
            patch(&t, o, json!({"node_id": net.x1})).await;
            assert_eq!(told(&t, o, "outage.no_longer_affected").await, each(&net.in_x2, 1), "{utility}");
            assert_eq!(told(&t, o, "outage.updated").await, each(&net.in_x1, 1), "{utility}");
            let n = t.store.read().notifications(&NotificationFilter { company_id: t.admin.staff.company_id, topic: Some("outage.no_longer_affected".into()), subject_id: Some(o), ..Default::default() }, PageRequest::new(None, None)).await.unwrap();
            let v = &n.items[0].vars;
            assert_eq!((v["utility"].as_str(), v["starts_at"].as_str()), (Some(utility), Some("2026-10-20 09:00")), "{v}");
        }
    }

    async fn confirming_a_suspected_outage_may_announce_it_in_the_same_step(t) {
        let t = staffed(t).await;
        for (k, utility) in UTILITIES.into_iter().enumerate() {
            let net = network(&t, utility, 500 + k as u32).await;
            let (s, g) = t.send(Some("admin"), axum::http::Method::PUT, &format!("/api/v1/outages/grouping/{utility}"),
                Some(json!({"min_calls": 2, "window_minutes": 30, "level": "area"}))).await;
            assert_eq!(s, StatusCode::OK, "{g}");
            for c in [net.in_x1[0], net.in_x2[0]] {
                t.case("hotline_agent", "repair", json!({"utility": utility, "customer_id": c, "subkind": "no_supply"})).await;
            }
            let (_, raised) = t.get("dispatcher", "/api/v1/outages/suspected?state=raised").await;
            let s0 = raised["items"].as_array().unwrap().iter().find(|s| s["utility"] == utility).unwrap_or_else(|| panic!("{raised}")).clone();
            let (s, o) = t.post("dispatcher", &format!("/api/v1/outages/suspected/{}/confirm", id(&s0)),
                json!({"reason": "设备故障", "area": "人民路片区", "expected_restore_at": at("2026-09-30T18:00"), "announce": true})).await;
            assert_eq!(s, StatusCode::CREATED, "{utility}: {o}");
            assert_eq!((o["kind"].as_str(), o["state"].as_str()), (Some("emergency"), Some("in_progress")));
            assert!(o["announced_at"].is_string(), "{utility}: announced in the same step: {o}");
            let everyone: Vec<i64> = net.in_x1.iter().chain(&net.in_x2).copied().collect();
            assert_eq!(told(&t, id(&o), "outage.announced").await, each(&everyone, 1), "{utility}");
        }
        // Without `announce` the outage is confirmed and not yet announced.
        let net = network(&t, "gas", 590).await;
        for c in [net.in_x1[0], net.in_x1[1]] {
            t.case("hotline_agent", "repair", json!({"customer_id": c, "subkind": "no_supply"})).await;
        }
        let (_, raised) = t.get("dispatcher", "/api/v1/outages/suspected?state=raised").await;
        let s0 = raised["items"][0].clone();
        let (s, o) = t.post("dispatcher", &format!("/api/v1/outages/suspected/{}/confirm", id(&s0)),
            json!({"reason": "设备故障", "area": "人民路片区", "expected_restore_at": at("2026-09-30T18:00")})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert!(o["announced_at"].is_null(), "{o}");
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn an_unannounced_emergency_cannot_be_restored(t) {
        let t = staffed(t).await;
        for (k, utility) in UTILITIES.into_iter().enumerate() {
            let net = network(&t, utility, 600 + k as u32).await;
            let body = json!({"utility": utility, "kind": "emergency", "effect": "stop", "reason": "管道破裂", "area": "人民路片区",
                              "node_id": net.x, "starts_at": at("2026-09-30T09:30"), "expected_restore_at": at("2026-09-30T18:00")});
            let (s, o) = t.post("dispatcher", "/api/v1/outages", body).await;
            assert_eq!(s, StatusCode::CREATED, "{o}");
            let base = format!("/api/v1/outages/{}", id(&o));
            if utility == "gas" {
                let (s, b) = t.post("dispatcher", &format!("{base}/restore-notice"), json!({})).await;
                assert_eq!(s, StatusCode::OK, "{b}");
                t.advance(SignedDuration::from_mins(40));
            }
            let (s, e) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
            assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("restore_unannounced")), "{utility}: {e}");
            assert!(e["error"]["message"].as_str().unwrap().contains("C4a"), "the message names the rule: {e}");
            let (s, b) = t.post("dispatcher", &format!("{base}/announce"), json!({})).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            let (s, b) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
            assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("restored")), "{utility}: {b}");
        }
    }
}
