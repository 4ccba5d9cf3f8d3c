//! Outage rules on every path (issue 20, items 1 and 2): a change that moves
//! an announced outage's start earlier, or adds customers, keeps the notice
//! period of its rule (C3, C3w, C3p, C3t, C24a) or needs a duty manager's
//! override and counts as breached; added customers get the full
//! announcement; `temporary` is a power kind; the gas restore notice names a
//! time inside the C5 window, can be corrected, and restore waits 30 minutes.

use crate::on_both;
use crate::support::{START, TestApp};
use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use pledge_domain::model::{NotificationFilter, PageRequest};
use pledge_store::repo::*;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

static NUMBER: AtomicU32 = AtomicU32::new(300001);

/// A station with two areas, two customers below each.
struct Net {
    station: i64,
    a1: i64,
    in_a1: usize,
    in_a2: usize,
}

async fn node(t: &TestApp, utility: &str, parent: Option<i64>, level: &str, name: &str) -> i64 {
    let (s, b) = t
        .post(
            "admin",
            "/api/v1/network/nodes",
            json!({"utility": utility, "parent_id": parent, "level": level, "name": name}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

async fn customer_at(t: &TestApp, utility: &str, node_id: i64) {
    let number = NUMBER.fetch_add(1, Ordering::SeqCst).to_string();
    let (s, b) = t
        .post(
            "admin",
            "/api/v1/customers",
            json!({"utility": utility, "customer_number": number, "account_name": format!("用户{number}"), "category": "residential",
                   "phone": "13800000000", "address": format!("人民路 {number} 号"), "zone": "urban", "node_id": node_id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

async fn network(t: &TestApp, utility: &str) -> Net {
    let station = node(t, utility, None, "station", &format!("{utility} 站")).await;
    let a1 = node(t, utility, Some(station), "area", "人民路片区").await;
    let a2 = node(t, utility, Some(station), "area", "解放路片区").await;
    for n in [a1, a1, a2, a2] {
        customer_at(t, utility, n).await;
    }
    Net { station, a1, in_a1: 2, in_a2: 2 }
}

fn now(t: &TestApp) -> Timestamp {
    Timestamp::from_microsecond(t.now_us.load(Ordering::SeqCst)).unwrap()
}

fn rfc(t: Timestamp) -> String {
    t.to_string()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// A utility's Chinese name, as refusals name it.
fn zh(utility: &str) -> &'static str {
    pledge_domain::Utility::parse(utility).map(|u| u.name_zh()).unwrap_or("?")
}

async fn notices(t: &TestApp, topic: &str) -> u64 {
    let f =
        NotificationFilter { company_id: t.admin.staff.company_id, topic: Some(topic.into()), ..Default::default() };
    t.store.read().notifications(&f, PageRequest::new(None, None)).await.unwrap().total
}

async fn create(
    t: &TestApp,
    utility: &str,
    kind: &str,
    node_id: i64,
    starts: Timestamp,
    hours: i64,
) -> (StatusCode, Value) {
    t.post(
        "dispatcher",
        "/api/v1/outages",
        json!({"utility": utility, "kind": kind, "node_id": node_id, "reason": "管网检修", "area": "人民路",
               "starts_at": rfc(starts), "expected_restore_at": rfc(starts + SignedDuration::from_hours(hours))}),
    )
    .await
}

fn clocks<'a>(d: &'a Value, rule: &str) -> Vec<&'a Value> {
    d["clocks"].as_array().unwrap().iter().filter(|c| c["rule_id"] == rule).collect()
}

/// Planned kinds with a lead-time rule: utility, kind, rule, lead (hours).
/// Heat outages last 10 h (C24a covers those over 8 h).
const LEADS: &[(&str, &str, &str, i64)] = &[
    ("gas", "planned", "C3", 48),
    ("water", "planned", "C3w", 24),
    ("heat", "planned", "C24a", 24),
    ("power", "planned", "C3p", 168),
    ("power", "temporary", "C3t", 24),
];

on_both! {
    async fn moving_an_announced_start_into_the_lead_time_needs_the_override_each_time(t) {
        let t = crate::outages::staffed(t).await;
        for &(utility, kind, rule, lead) in LEADS {
            let net = network(&t, utility).await;
            let lead = SignedDuration::from_hours(lead);
            // Announced in time: starts 3 days beyond the lead time.
            let starts = now(&t) + lead + SignedDuration::from_hours(72);
            let (s, o) = create(&t, utility, kind, net.a1, starts, 10).await;
            assert_eq!(s, StatusCode::CREATED, "{utility} {kind}: {o}");
            let base = format!("/api/v1/outages/{}", id(&o));
            let (s, o) = t.post("dispatcher", &format!("{base}/announce"), json!({})).await;
            assert_eq!(s, StatusCode::OK, "{utility} {kind}: {o}");
            assert_eq!(clocks(&o, rule)[0]["outcome"], "met", "{utility} {kind}");
            let updated_before = notices(&t, "outage.updated").await;
            for change in 1..=3i64 {
                // Each change moves the start an hour further inside the lead time.
                let to = now(&t) + lead - SignedDuration::from_hours(change);
                let body = json!({"starts_at": rfc(to)});
                let (s, e) = t.patch("dispatcher", &base, body.clone()).await;
                assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("lead_time_too_short")), "{utility} {kind} #{change}: {e}");
                let msg = e["error"]["message"].as_str().unwrap();
                assert!(msg.contains(rule) && msg.contains(zh(utility)) && msg.contains(&format!("{} 小时", lead.as_hours())), "{utility}: {msg}");
                // A dispatcher may not override; a duty manager may.
                let mut with = body.clone();
                with["override_reason"] = json!("上游抢修，必须提前");
                let (s, _) = t.patch("dispatcher", &base, with.clone()).await;
                assert_eq!(s, StatusCode::FORBIDDEN, "{utility} {kind} #{change}");
                let (s, d) = t.patch("duty_manager", &base, with).await;
                assert_eq!(s, StatusCode::OK, "{utility} {kind} #{change}: {d}");
                assert_eq!(d["starts_at"].as_str().map(|s| s.parse::<Timestamp>().unwrap()), Some(to));
                assert_eq!(d["override_reason"], "上游抢修，必须提前");
                // The announcement's clock stays met; each late change adds a breached one.
                let c = clocks(&d, rule);
                assert_eq!(c.len() as i64, 1 + change, "{utility} {kind}: {}", d["clocks"]);
                assert_eq!(c.iter().filter(|c| c["outcome"] == "breached").count() as i64, change, "{utility} {kind}");
                // Nothing moves the start later than before without the rule noticing: later is accepted plainly.
                t.advance(SignedDuration::from_mins(1));
            }
            // Each of the three changes reached every customer told, once.
            assert_eq!(notices(&t, "outage.updated").await, updated_before + 3 * net.in_a1 as u64, "{utility} {kind}");
            // A later start is no breach of the notice period.
            let later = now(&t) + lead + SignedDuration::from_hours(100);
            let (s, d) = t.patch("dispatcher", &base, json!({"starts_at": rfc(later), "expected_restore_at": rfc(later + SignedDuration::from_hours(10))})).await;
            assert_eq!(s, StatusCode::OK, "{utility} {kind}: {d}");
        }
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_node_move_that_adds_customers_checks_the_lead_time_and_announces_to_them(t) {
        let t = crate::outages::staffed(t).await;
        for &(utility, kind, rule, lead) in LEADS {
            let net = network(&t, utility).await;
            let lead = SignedDuration::from_hours(lead);
            let starts = now(&t) + lead + SignedDuration::from_hours(2);
            let (_, o) = create(&t, utility, kind, net.a1, starts, 10).await;
            let base = format!("/api/v1/outages/{}", id(&o));
            let announced = notices(&t, "outage.announced").await;
            let updated = notices(&t, "outage.updated").await;
            let (s, o) = t.post("dispatcher", &format!("{base}/announce"), json!({})).await;
            assert_eq!(s, StatusCode::OK, "{o}");
            assert_eq!(notices(&t, "outage.announced").await, announced + net.in_a1 as u64, "{utility}");
            // Three hours on, the start is inside the lead time: adding A2's customers breaks it.
            t.advance(SignedDuration::from_hours(3));
            let (s, e) = t.patch("dispatcher", &base, json!({"node_id": net.station})).await;
            assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("lead_time_too_short")), "{utility}: {e}");
            assert!(e["error"]["message"].as_str().unwrap().contains(rule), "{e}");
            let (s, d) = t.patch("duty_manager", &base, json!({"node_id": net.station, "override_reason": "扩大检修范围"})).await;
            assert_eq!(s, StatusCode::OK, "{utility}: {d}");
            assert_eq!(d["affected_count"].as_u64(), Some((net.in_a1 + net.in_a2) as u64), "{utility}");
            // The added customers get the announcement; those told before get the change.
            assert_eq!(notices(&t, "outage.announced").await, announced + (net.in_a1 + net.in_a2) as u64, "{utility}");
            assert_eq!(notices(&t, "outage.updated").await, updated + net.in_a1 as u64, "{utility}");
            assert_eq!(clocks(&d, rule).iter().filter(|c| c["outcome"] == "breached").count(), 1, "{utility}");
            // Moving back to A1 adds nobody: no lead-time check.
            let (s, d) = t.patch("dispatcher", &base, json!({"node_id": net.a1})).await;
            assert_eq!(s, StatusCode::OK, "{utility}: {d}");
        }
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn temporary_is_a_power_kind_and_late_announcements_name_their_rule(t) {
        let t = crate::outages::staffed(t).await;
        for utility in ["gas", "water", "heat"] {
            let net = network(&t, utility).await;
            let (s, e) = create(&t, utility, "temporary", net.a1, now(&t) + SignedDuration::from_hours(72), 10).await;
            assert_eq!((s, e["error"]["code"].as_str(), e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_outage_kind"), Some("kind")), "{utility}: {e}");
        }
        // Each utility's late announcement names its own rule, utility and figure (in Chinese too).
        for &(utility, kind, rule, lead) in LEADS {
            let net = network(&t, utility).await;
            let (s, o) = create(&t, utility, kind, net.a1, now(&t) + SignedDuration::from_hours(lead - 1), 10).await;
            assert_eq!(s, StatusCode::CREATED, "{o}");
            assert_eq!(clocks(&o, rule).len(), 1, "{utility} {kind}: {}", o["clocks"]);
            let (s, e) = t.post("dispatcher", &format!("/api/v1/outages/{}/announce", id(&o)), json!({})).await;
            assert_eq!(s, StatusCode::CONFLICT);
            let msg = e["error"]["message"].as_str().unwrap();
            assert!(msg.contains(rule) && msg.contains(zh(utility)) && msg.contains(&format!("{lead} 小时")), "{msg}");
        }
    }

    async fn water_and_power_emergencies_must_be_told_at_once(t) {
        let t = crate::outages::staffed(t).await;
        for utility in ["water", "power"] {
            let net = network(&t, utility).await;
            let (s, o) = create(&t, utility, "emergency", net.a1, now(&t) - SignedDuration::from_mins(10), 6).await;
            assert_eq!(s, StatusCode::CREATED, "{o}");
            let c = clocks(&o, "C4w");
            assert_eq!((c.len(), c[0]["state"].as_str()), (1, Some("running")), "{utility}: {}", o["clocks"]);
            let due: Timestamp = c[0]["due_at"].as_str().unwrap().parse().unwrap();
            assert_eq!(due, now(&t) + SignedDuration::from_hours(1), "{utility}: our default hour");
            t.advance(SignedDuration::from_mins(20));
            let (_, d) = t.post("dispatcher", &format!("/api/v1/outages/{}/announce", id(&o)), json!({})).await;
            assert_eq!(clocks(&d, "C4w")[0]["outcome"], "met", "{utility}");
        }
    }

    async fn the_gas_restore_notice_names_a_time_in_the_window_can_be_corrected_and_restore_waits(t) {
        let t = crate::outages::staffed(t).await;
        assert_eq!(now(&t), START.parse::<Timestamp>().unwrap()); // 10:00
        let net = network(&t, "gas").await;
        let (s, o) = create(&t, "gas", "emergency", net.a1, now(&t) - SignedDuration::from_mins(30), 6).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let base = format!("/api/v1/outages/{}", id(&o));
        // An emergency is restored only once its customers were told (C4a).
        let (s, b) = t.post("dispatcher", &format!("{base}/announce"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        // 21:00 is outside 08:00–20:00: refused, naming 08:00 the next day.
        let (s, e) = t.post("dispatcher", &format!("{base}/restore-notice"), json!({"restore_at": "2026-09-30T21:00:00+08:00"})).await;
        assert_eq!((s, e["error"]["code"].as_str(), e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("restore_outside_window"), Some("restore_at")), "{e}");
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(msg.contains("2026-10-01 08:00") && msg.contains("C5") && msg.contains("燃气"), "{msg}");
        let (s, e) = t.post("dispatcher", &format!("{base}/restore-notice"), json!({"restore_at": "2026-10-01T23:30:00+08:00"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("2026-10-02 08:00"), "{e}");
        assert_eq!(notices(&t, "outage.restore_notice").await, 0, "nothing sent");
        // 12:00 is fine; a correction to 13:00 is accepted and sent again.
        let (s, d) = t.post("dispatcher", &format!("{base}/restore-notice"), json!({"restore_at": "2026-09-30T12:00:00+08:00"})).await;
        assert_eq!((s, d["state"].as_str()), (StatusCode::OK, Some("restore_notified")), "{d}");
        assert_eq!(notices(&t, "outage.restore_notice").await, net.in_a1 as u64);
        t.advance(SignedDuration::from_mins(5));
        let (s, d) = t.post("dispatcher", &format!("{base}/restore-notice"), json!({"restore_at": "2026-09-30T13:00:00+08:00"})).await;
        assert_eq!((s, d["state"].as_str()), (StatusCode::OK, Some("restore_notified")), "{d}");
        assert_eq!(d["expected_restore_at"], "2026-09-30T13:00:00+08:00");
        assert_eq!(notices(&t, "outage.restore_notice").await, 2 * net.in_a1 as u64, "the correction reaches every customer");
        // A correction outside the window is refused like the first notice.
        let (s, _) = t.post("dispatcher", &format!("{base}/restore-notice"), json!({"restore_at": "2026-09-30T20:30:00+08:00"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        // Restore 10 minutes after the latest notice (10:05): too soon, naming 10:35.
        t.advance(SignedDuration::from_mins(10));
        let (s, e) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("restore_too_soon")), "{e}");
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(msg.contains("2026-09-30 10:35") && msg.contains("30 分钟") && msg.contains("C5"), "{msg}");
        t.advance(SignedDuration::from_mins(20));
        let (s, d) = t.post("dispatcher", &format!("{base}/restore"), json!({})).await;
        assert_eq!((s, d["state"].as_str()), (StatusCode::OK, Some("restored")), "{d}");
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }
}
