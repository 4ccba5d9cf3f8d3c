//! Clock life (SPEC "Clock life", issue 10): every clock ends with its
//! subject, and the conformance table pins which commitments Pledge keeps,
//! per rule and utility: the clock starts, pauses, is met, breaches, is
//! withdrawn, is extended, ends on close and restarts on reopen.

use crate::on_both;
use crate::support::{Backend, TestApp};
use axum::http::StatusCode;
use jiff::SignedDuration;
use pledge_domain::Role;
use serde_json::{Value, json};

async fn staffed(t: TestApp) -> TestApp {
    t.with_staff(Role::HotlineAgent)
        .await
        .with_staff(Role::DutyManager)
        .await
        .with_staff(Role::Dispatcher)
        .await
        .with_named_staff("tech1", Role::FieldTechnician, None)
        .await
}

/// How a rule's clock is met: by the answer, the crew on site, or the work done.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Stop {
    Answer,
    OnSite,
    Done,
}

/// One pinned commitment: rule, utility, case kind and subkind, how it is met, whether waiting on the
/// customer pauses it, its due time for a case received at the tests' start (Wed 30 Sep 2026 10:00,
/// before National Day), and the rule a reopened case gets.
struct Pinned {
    rule: &'static str,
    utility: &'static str,
    kind: &'static str,
    subkind: Option<&'static str>,
    stop: Stop,
    pauses: bool,
    due: &'static str,
    reopen: &'static str,
}

#[rustfmt::skip]
const PINNED: &[Pinned] = &[
    // rule   utility   kind                    subkind          met by        pause  due (received 30 Sep 10:00)    reopened
    Pinned { rule: "C1",   utility: "gas",   kind: "consultation",         subkind: None,              stop: Stop::Answer, pauses: true,  due: "2026-10-10T10:00:00+08:00", reopen: "D2" },
    Pinned { rule: "C1",   utility: "water", kind: "billing_inquiry",      subkind: None,              stop: Stop::Answer, pauses: true,  due: "2026-10-10T10:00:00+08:00", reopen: "D2" },
    Pinned { rule: "C1",   utility: "heat",  kind: "suggestion",           subkind: None,              stop: Stop::Answer, pauses: true,  due: "2026-10-10T10:00:00+08:00", reopen: "D2" },
    Pinned { rule: "C1",   utility: "power", kind: "consultation",         subkind: None,              stop: Stop::Answer, pauses: true,  due: "2026-10-10T10:00:00+08:00", reopen: "D2" },
    Pinned { rule: "C9",   utility: "gas",   kind: "complaint",            subkind: None,              stop: Stop::Answer, pauses: false, due: "2026-09-30T11:00:00+08:00", reopen: "D2" },
    Pinned { rule: "C26a", utility: "heat",  kind: "complaint",            subkind: None,              stop: Stop::Answer, pauses: true,  due: "2026-10-05T10:00:00+08:00", reopen: "D2" },
    Pinned { rule: "C26b", utility: "heat",  kind: "report",               subkind: None,              stop: Stop::Answer, pauses: true,  due: "2026-10-07T10:00:00+08:00", reopen: "D2" },
    Pinned { rule: "D1",   utility: "gas",   kind: "business_application", subkind: None,              stop: Stop::Answer, pauses: true,  due: DUE_D1,                      reopen: "D2" },
    Pinned { rule: "D1",   utility: "water", kind: "business_application", subkind: None,              stop: Stop::Answer, pauses: true,  due: DUE_D1,                      reopen: "D2" },
    Pinned { rule: "D1",   utility: "heat",  kind: "business_application", subkind: None,              stop: Stop::Answer, pauses: true,  due: DUE_D1,                      reopen: "D2" },
    Pinned { rule: "D1",   utility: "power", kind: "business_application", subkind: None,              stop: Stop::Answer, pauses: true,  due: DUE_D1,                      reopen: "D2" },
    Pinned { rule: "C7",   utility: "gas",   kind: "repair",               subkind: None,              stop: Stop::Done,   pauses: true,  due: "2026-10-01T10:00:00+08:00", reopen: "C7" },
    Pinned { rule: "C17",  utility: "water", kind: "repair",               subkind: None,              stop: Stop::Done,   pauses: true,  due: "2026-10-01T10:00:00+08:00", reopen: "C17" },
    Pinned { rule: "C24c", utility: "heat",  kind: "repair",               subkind: None,              stop: Stop::Done,   pauses: true,  due: "2026-09-30T22:00:00+08:00", reopen: "C24c" },
    Pinned { rule: "C33a", utility: "power", kind: "repair",               subkind: None,              stop: Stop::Done,   pauses: true,  due: "2026-10-01T10:00:00+08:00", reopen: "C33a" },
    Pinned { rule: "C8",   utility: "gas",   kind: "repair",               subkind: Some("emergency"), stop: Stop::OnSite, pauses: false, due: "2026-09-30T10:30:00+08:00", reopen: "C8" },
    Pinned { rule: "D3",   utility: "water", kind: "repair",               subkind: Some("emergency"), stop: Stop::OnSite, pauses: false, due: "2026-09-30T11:00:00+08:00", reopen: "D3" },
    Pinned { rule: "D4",   utility: "heat",  kind: "repair",               subkind: Some("emergency"), stop: Stop::OnSite, pauses: false, due: "2026-09-30T11:00:00+08:00", reopen: "D4" },
    Pinned { rule: "D5",   utility: "power", kind: "repair",               subkind: Some("emergency"), stop: Stop::OnSite, pauses: false, due: "2026-09-30T10:45:00+08:00", reopen: "D5" },
];

/// Five working days from Wed 30 Sep 2026 10:00 over National Day (1–7 Oct off, Sat 10 Oct worked).
const DUE_D1: &str = "2026-10-13T10:00:00+08:00";

async fn open(t: &TestApp, p: &Pinned) -> i64 {
    let mut extra = json!({"utility": p.utility, "subkind": p.subkind});
    if p.kind == "report" {
        extra["contact_name"] = json!("王先生");
    }
    t.case("hotline_agent", p.kind, extra).await["id"].as_i64().unwrap()
}

async fn detail(t: &TestApp, id: i64) -> Value {
    let (s, d) = t.get("duty_manager", &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

/// The running (or last) clock of `rule` on the case.
fn clock_of(d: &Value, rule: &str) -> Value {
    let all: Vec<&Value> = d["clocks"].as_array().unwrap().iter().filter(|c| c["rule_id"] == rule).collect();
    all.iter()
        .find(|c| c["state"] != "stopped")
        .or(all.last())
        .map(|c| (*c).clone())
        .unwrap_or_else(|| panic!("no {rule} clock in {}", d["clocks"]))
}

fn count(d: &Value, kind: &str) -> usize {
    d["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == kind).count()
}

async fn ok(t: &TestApp, who: &str, path: &str, body: Value) -> Value {
    let (s, b) = t.post(who, path, body).await;
    assert!(s.is_success(), "{path}: {s} {b}");
    b
}

/// Drives the rule's stop event on the case.
async fn meet(t: &TestApp, p: &Pinned, id: i64) {
    match p.stop {
        Stop::Answer => {
            ok(t, "hotline_agent", &format!("/api/v1/cases/{id}/reply"), json!({"body": "已答复", "final": true}))
                .await;
        }
        Stop::OnSite | Stop::Done => {
            let crew = t.id_of("tech1");
            let wo = ok(
                t,
                "dispatcher",
                &format!("/api/v1/cases/{id}/work-orders"),
                json!({"instructions": "上门", "crew_id": crew}),
            )
            .await;
            let wo = wo["id"].as_i64().unwrap();
            ok(t, "tech1", &format!("/api/v1/work-orders/{wo}/arrive"), json!({})).await;
            if p.stop == Stop::Done {
                ok(t, "tech1", &format!("/api/v1/work-orders/{wo}/complete"), json!({"result": "已修复"})).await;
            }
        }
    }
}

async fn answer_and_close(t: &TestApp, id: i64) {
    ok(t, "hotline_agent", &format!("/api/v1/cases/{id}/reply"), json!({"body": "已答复", "final": true})).await;
    ok(t, "hotline_agent", &format!("/api/v1/cases/{id}/close"), json!({})).await;
}

fn outcome(c: &Value) -> (&str, &str) {
    (c["state"].as_str().unwrap(), c["outcome"].as_str().unwrap_or("-"))
}

on_both! {
    async fn conformance_every_pinned_commitment_starts_pauses_meets_breaches_withdraws_extends_ends_and_restarts(t) {
        let t = staffed(t).await;
        // Starts: every row's clock runs with its due time, saying what started it.
        let mut started = Vec::new();
        for p in PINNED {
            let id = open(&t, p).await;
            let c = clock_of(&detail(&t, id).await, p.rule);
            assert_eq!((c["state"].as_str(), c["due_at"].as_str()), (Some("running"), Some(p.due)), "{} {}", p.rule, p.utility);
            assert_eq!(c["started_by"], json!({"rule_id": p.rule, "policy_version": 1, "event": "case.received"}), "{}", p.rule);
            started.push(id);
        }
        // Withdrawn (explicit decision) on the cases just opened, before any is due.
        for (p, id) in PINNED.iter().zip(&started) {
            let c = clock_of(&detail(&t, *id).await, p.rule);
            let w = ok(&t, "duty_manager", &format!("/api/v1/clocks/{}/withdraw", c["id"]), json!({"reason": "用户撤回诉求"})).await;
            assert_eq!(outcome(&w), ("stopped", "withdrawn"), "{}", p.rule);
            assert_eq!(w["ending"]["withdraw_kind"], "decision");
        }
        // Met: the rule's own stop event, in time.
        for p in PINNED {
            let id = open(&t, p).await;
            meet(&t, p, id).await;
            let c = clock_of(&detail(&t, id).await, p.rule);
            assert_eq!(outcome(&c), ("stopped", "met"), "{} {}", p.rule, p.utility);
            assert_eq!(c["ending"]["by"], "stop_event", "{}", p.rule);
        }
        // Pauses: waiting on the customer holds the clock and moves its due time by the wait.
        for p in PINNED.iter().filter(|p| p.pauses) {
            let id = open(&t, p).await;
            let before = clock_of(&detail(&t, id).await, p.rule)["due_at"].clone();
            ok(&t, "hotline_agent", &format!("/api/v1/cases/{id}/start"), json!({})).await;
            ok(&t, "hotline_agent", &format!("/api/v1/cases/{id}/wait"), json!({"on": "customer"})).await;
            assert_eq!(clock_of(&detail(&t, id).await, p.rule)["state"], "paused", "{}", p.rule);
            ok(&t, "hotline_agent", &format!("/api/v1/cases/{id}/resume"), json!({})).await;
            let c = clock_of(&detail(&t, id).await, p.rule);
            assert_eq!((c["state"].as_str(), &c["due_at"]), (Some("running"), &before), "{}: no time passed while paused", p.rule);
        }
        // Extended: a duty manager moves the deadline a day later.
        for p in PINNED {
            let id = open(&t, p).await;
            let c = clock_of(&detail(&t, id).await, p.rule);
            let due: jiff::Timestamp = c["due_at"].as_str().unwrap().parse().unwrap();
            let new_due = due.checked_add(SignedDuration::from_hours(24)).unwrap();
            let e = ok(&t, "duty_manager", &format!("/api/v1/cases/{id}/clocks/{}/extension", c["id"]), json!({"new_due": new_due.to_string(), "reason": "需协调第三方"})).await;
            assert_eq!(e["extensions"].as_array().unwrap().len(), 1, "{}", p.rule);
        }
        // Ends on close, restarts on reopen: the kind's reopen rule (D2) or its own rule again.
        for p in PINNED {
            let id = open(&t, p).await;
            answer_and_close(&t, id).await;
            let d = detail(&t, id).await;
            assert!(d["clocks"].as_array().unwrap().iter().all(|c| c["state"] == "stopped"), "{}: {}", p.rule, d["clocks"]);
            assert_eq!(outcome(&clock_of(&d, p.rule)).1, "met", "{}", p.rule);
            ok(&t, "duty_manager", &format!("/api/v1/cases/{id}/reopen"), json!({"reason": "回访不满意"})).await;
            let c = clock_of(&detail(&t, id).await, p.reopen);
            assert_eq!((c["state"].as_str(), c["started_by"]["event"].as_str()), (Some("running"), Some("case.reopened")), "{} reopened", p.rule);
        }
        // Breaches: past the due time the sweeper breaches every running clock; a late answer or close keeps it breached.
        let mut late = Vec::new();
        for p in PINNED {
            late.push(open(&t, p).await);
        }
        t.advance(SignedDuration::from_hours(24 * 20));
        t.app.sweep_clocks(1000).await.unwrap();
        for (p, id) in PINNED.iter().zip(&late) {
            let c = clock_of(&detail(&t, *id).await, p.rule);
            assert_eq!(c["breached"], true, "{}", p.rule);
            let (s, e) = t.post("duty_manager", &format!("/api/v1/clocks/{}/withdraw", c["id"]), json!({"reason": "迟了"})).await;
            assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("clock_overdue")), "{}", p.rule);
            answer_and_close(&t, *id).await;
            assert_eq!(outcome(&clock_of(&detail(&t, *id).await, p.rule)), ("stopped", "breached"), "{}", p.rule);
        }
        let utilities: std::collections::BTreeSet<_> = PINNED.iter().map(|p| p.utility).collect();
        assert_eq!(utilities.len(), 4, "all four utilities are pinned");
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }
}

async fn tamper(t: &TestApp, sql: &str) {
    use sqlx::{Connection, Executor};
    let sql = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()));
    match t.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&t.db_url).await.unwrap();
            c.execute(sql).await.unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&t.db_url).await.unwrap();
            c.execute(sql).await.unwrap();
        }
    }
}

on_both! {
    async fn a_gas_repair_answered_on_the_spot_ends_c7_met_and_never_shows_overdue(t) {
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "repair", json!({"answered_on_spot": "已指导用户复位燃气表"})).await["id"].as_i64().unwrap();
        let d = detail(&t, id).await;
        assert_eq!(d["case"]["state"], "closed");
        let c7 = clock_of(&d, "C7");
        assert_eq!(outcome(&c7), ("stopped", "met"));
        assert_eq!(c7["ending"], json!({"by": "subject_ended", "how": "closed", "withdraw_kind": null, "reason": null, "by_id": null}));
        t.advance(SignedDuration::from_hours(24 * 20)); // weeks later (the API tokens last 30 days)
        assert_eq!(t.app.sweep_clocks(100).await.unwrap().breached, 0);
        let (_, board) = t.get("duty_manager", "/api/v1/commitments/at-risk?hours=720").await;
        assert!(board.as_array().unwrap().iter().all(|c| c["rule_id"] != "C7"), "a closed case is not on the duty board: {board}");
    }

    async fn closing_a_case_ends_every_running_clock(t) {
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "repair", json!({})).await["id"].as_i64().unwrap();
        answer_and_close(&t, id).await;
        let d = detail(&t, id).await;
        assert_eq!(outcome(&clock_of(&d, "C7")), ("stopped", "met"));
        assert_eq!(count(&d, "clock.stopped"), 1);
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_case_with_an_active_work_order_cannot_be_answered(t) {
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "repair", json!({})).await["id"].as_i64().unwrap();
        let wo = ok(&t, "dispatcher", &format!("/api/v1/cases/{id}/work-orders"), json!({"instructions": "上门", "crew_id": t.id_of("tech1")})).await;
        let before = detail(&t, id).await;
        let (s, e) = t.post("hotline_agent", &format!("/api/v1/cases/{id}/reply"), json!({"body": "已修好", "final": true})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("active_work_order")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(&format!("work order {}", wo["id"])), "{e}");
        let after = detail(&t, id).await;
        assert_eq!((after["case"]["state"].clone(), after["timeline"].as_array().unwrap().len()), (before["case"]["state"].clone(), before["timeline"].as_array().unwrap().len()), "nothing half-applied");
        assert_eq!(clock_of(&after, "C7")["state"], "running");
        // Cancelling the work order never ends the case's clocks; then the answer is allowed.
        ok(&t, "dispatcher", &format!("/api/v1/work-orders/{}/cancel", wo["id"]), json!({"reason": "改派"})).await;
        assert_eq!(clock_of(&detail(&t, id).await, "C7")["state"], "running");
        ok(&t, "hotline_agent", &format!("/api/v1/cases/{id}/reply"), json!({"body": "无需维修", "final": true})).await;
    }

    async fn a_cancelled_outage_withdraws_its_clocks(t) {
        let t = crate::outages::staffed(t).await;
        let net = crate::outages::network(&t).await;
        let (s, o) = crate::outages::create(&t, "dispatcher", json!({"node_id": net.b1})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert_eq!(o["clocks"][0]["rule_id"], "C3");
        assert_eq!(o["clocks"][0]["started_by"]["event"], "outage.scheduled");
        let o = ok(&t, "dispatcher", &format!("/api/v1/outages/{}/cancel", o["id"]), json!({"reason": "施工改期"})).await;
        let c3 = &o["clocks"][0];
        assert_eq!(outcome(c3), ("stopped", "withdrawn"));
        assert_eq!((c3["ending"]["withdraw_kind"].as_str(), c3["ending"]["reason"].as_str()), (Some("outage_cancelled"), Some("施工改期")));
        assert_eq!(c3["ending"]["by_id"], t.id_of("dispatcher").to_string());
        let (_, stats) = t.get("duty_manager", "/api/v1/commitments/stats?from=2026-09-01&to=2026-10-31").await;
        let row = stats["rows"].as_array().unwrap().iter().find(|r| r["rule_id"] == "C3").unwrap().clone();
        assert_eq!((row["met"].as_u64(), row["breached"].as_u64(), row["withdrawn"].as_u64()), (Some(0), Some(0), Some(1)));
        assert_eq!(row["on_time_rate"], Value::Null, "a withdrawn clock is never counted as met");
    }

    async fn a_duplicate_case_gives_up_its_clocks(t) {
        let t = staffed(t).await;
        let first = t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        let dup = t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        ok(&t, "hotline_agent", &format!("/api/v1/cases/{dup}/link"), json!({"original_id": first})).await;
        let c1 = clock_of(&detail(&t, dup).await, "C1");
        assert_eq!((outcome(&c1), c1["ending"]["withdraw_kind"].as_str()), (("stopped", "withdrawn"), Some("duplicate")));
        assert_eq!(clock_of(&detail(&t, first).await, "C1")["state"], "running");
    }

    async fn withdrawing_a_clock_needs_the_right_a_reason_and_time_left(t) {
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        let c = clock_of(&detail(&t, id).await, "C1");
        let path = format!("/api/v1/clocks/{}/withdraw", c["id"]);
        let (s, _) = t.post("hotline_agent", &path, json!({"reason": "不需要"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = t.post("duty_manager", &path, json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("clock_withdrawal_incomplete")));
        let (s, _) = t.post("duty_manager", "/api/v1/clocks/999999/withdraw", json!({"reason": "x"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(clock_of(&detail(&t, id).await, "C1")["state"], "running", "nothing half-applied");
        let w = ok(&t, "duty_manager", &path, json!({"reason": "用户已自行解决"})).await;
        assert_eq!((w["ending"]["reason"].as_str(), w["ending"]["by_id"].clone()), (Some("用户已自行解决"), json!(t.id_of("duty_manager").to_string())));
        let (s, e) = t.post("duty_manager", &path, json!({"reason": "再来"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("clock_ended")));
        let d = detail(&t, id).await;
        assert_eq!(count(&d, "clock.withdrawn"), 1);
        let (_, stats) = t.get("duty_manager", "/api/v1/commitments/stats?from=2026-09-01&to=2026-10-31").await;
        let row = stats["rows"].as_array().unwrap().iter().find(|r| r["rule_id"] == "C1").unwrap().clone();
        assert_eq!((row["met"].as_u64(), row["withdrawn"].as_u64()), (Some(0), Some(1)));
    }

    async fn stray_clocks_from_before_are_found_by_the_audit_and_repaired_once(t) {
        use pledge_store::repo::*;
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "repair", json!({})).await["id"].as_i64().unwrap();
        answer_and_close(&t, id).await;
        // What an older version left: the case closed, its C7 still running.
        let mut rec = t.store.read().clocks_of("case", id).await.unwrap().remove(0);
        rec.clock.stopped_at = None;
        rec.clock.ending = None;
        let body = serde_json::to_string(&rec.clock).unwrap();
        tamper(&t, &format!("UPDATE clocks SET state = 'running', stopped_at = NULL, outcome = NULL, body = '{body}' WHERE id = {}", rec.id)).await;
        let f = t.app.audit_verify().await.unwrap().findings;
        assert!(matches!(f.as_slice(), [pledge_domain::ledger::Finding::StrayClock { .. }]), "{f:?}");
        t.advance(SignedDuration::from_hours(24 * 10));
        let r = t.app.repair_stray_clocks().await.unwrap();
        assert_eq!((r.repaired, r.met, r.breached, r.withdrawn), (1, 1, 0, 0), "ended at the case's close, in time");
        assert_eq!(t.app.repair_stray_clocks().await.unwrap().repaired, 0, "idempotent");
        let d = detail(&t, id).await;
        assert_eq!(outcome(&clock_of(&d, "C7")), ("stopped", "met"));
        assert_eq!(count(&d, "clock.repaired"), 1);
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }
}
