//! Commitment scenarios: clocks start with the case on the statutory
//! calendar, pause while waiting on the customer, warn and breach exactly
//! once (also with two servers sweeping), escalate, extend, and are counted.

use crate::on_both;
use crate::support::TestApp;
use axum::http::StatusCode;
use jiff::SignedDuration;
use pledge_domain::Role;
use serde_json::{Value, json};

async fn staffed(t: TestApp) -> TestApp {
    t.with_staff(Role::HotlineAgent).await.with_staff(Role::DutyManager).await
}

fn clock<'a>(detail: &'a Value, rule: &str) -> &'a Value {
    detail["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} clock in {detail}"))
}

fn count(detail: &Value, kind: &str) -> usize {
    detail["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == kind).count()
}

const DAY: SignedDuration = SignedDuration::from_hours(24);

on_both! {
    async fn a_consultation_is_due_three_working_days_later_skipping_national_day(t) {
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{id}")).await;
        let c1 = clock(&d, "C1");
        // Received Wed 30 Sep 10:00; 1–7 Oct are off; 8, 9 and the make-up Saturday 10 Oct count.
        assert_eq!(c1["due_at"], "2026-10-10T10:00:00+08:00");
        assert_eq!(c1["state"], "running");
        assert_eq!(c1["remaining_seconds"], 10 * 24 * 3600);
        assert_eq!(count(&d, "clock.started"), 1);
    }

    async fn an_answer_on_the_spot_meets_the_commitment(t) {
        let t = staffed(t).await;
        let c = t.case("hotline_agent", "consultation", json!({"answered_on_spot": "已当场答复"})).await;
        let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{}", c["id"])).await;
        let c1 = clock(&d, "C1");
        assert_eq!((c1["state"].as_str(), c1["outcome"].as_str()), (Some("stopped"), Some("met")));
    }

    async fn warnings_and_the_breach_fire_once_each_and_the_breach_escalates(t) {
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        assert_eq!(t.app.sweep_clocks(100).await.unwrap().warned, 0, "nothing is due yet");
        t.advance(DAY * 5 + SignedDuration::from_mins(1)); // past 50 % of the ten-day span
        let r = t.app.sweep_clocks(100).await.unwrap();
        assert_eq!((r.warned, r.breached), (1, 0));
        assert_eq!(t.app.sweep_clocks(100).await.unwrap().warned, 0, "a threshold fires once");
        t.advance(DAY * 6); // past the due time: 80 % and the breach together
        let r = t.app.sweep_clocks(100).await.unwrap();
        assert_eq!((r.warned, r.breached), (1, 1));
        assert_eq!(t.app.sweep_clocks(100).await.unwrap(), Default::default());
        let (_, d) = t.get("duty_manager", &format!("/api/v1/cases/{id}")).await;
        let c1 = clock(&d, "C1");
        assert_eq!(c1["warned"], json!([50, 80]));
        assert_eq!(c1["breached"], true);
        assert!(c1["remaining_seconds"].as_i64().unwrap() < 0);
        assert_eq!((count(&d, "clock.warned"), count(&d, "clock.breached"), count(&d, "clock.escalated")), (2, 1, 1));
        let esc = d["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "clock.escalated").unwrap();
        assert_eq!(esc["payload"]["to"], json!(["duty_manager", "department_head"]));
        // Answering late stops the clock as breached, and the ledger still verifies.
        t.post("hotline_agent", &format!("/api/v1/cases/{id}/reply"), json!({"body": "已答复", "final": true})).await;
        let (_, d) = t.get("duty_manager", &format!("/api/v1/cases/{id}")).await;
        assert_eq!(clock(&d, "C1")["outcome"], "breached");
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn two_servers_sweeping_together_fire_each_threshold_once(t) {
        let t = staffed(t).await;
        let mut ids = Vec::new();
        for _ in 0..20 {
            ids.push(t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap());
        }
        let other = t.another_server().await;
        t.advance(DAY * 20); // past every due time, within the sign-in tokens' life
        let (a, b) = tokio::join!(t.app.sweep_clocks(7), other.sweep_clocks(7));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.breached + b.breached, 20, "{a:?} {b:?}");
        assert_eq!(a.warned + b.warned, 40);
        for id in ids {
            let (s, d) = t.get("duty_manager", &format!("/api/v1/cases/{id}")).await;
            assert_eq!(s, StatusCode::OK, "{d}");
            assert_eq!((count(&d, "clock.breached"), count(&d, "clock.escalated")), (1, 1), "case {id}");
        }
    }

    async fn a_sweep_larger_than_one_statement_keeps_the_ledger_chain_whole(t) {
        // 150 clocks firing 50 %, 80 %, breach and escalation together: 600
        // ledger events, more than one multi-row statement holds.
        let t = staffed(t).await;
        let mut ids = Vec::new();
        for _ in 0..150 {
            ids.push(t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap());
        }
        t.advance(DAY * 20);
        let r = t.app.sweep_clocks(1000).await.unwrap();
        assert_eq!((r.examined, r.warned, r.breached), (150, 300, 150));
        assert_eq!(t.app.sweep_clocks(1000).await.unwrap(), Default::default(), "nothing fires twice");
        for id in [ids[0], ids[77], ids[149]] {
            let (_, d) = t.get("duty_manager", &format!("/api/v1/cases/{id}")).await;
            assert_eq!((count(&d, "clock.warned"), count(&d, "clock.breached"), count(&d, "clock.escalated")), (2, 1, 1), "case {id}");
            assert_eq!(clock(&d, "C1")["breached"], true);
        }
        let report = t.app.audit_verify().await.unwrap();
        assert!(report.is_clean(), "{report:?}");
    }

    async fn waiting_on_the_customer_pauses_the_clock(t) {
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        t.post("hotline_agent", &format!("/api/v1/cases/{id}/start"), json!({})).await;
        let (s, _) = t.post("hotline_agent", &format!("/api/v1/cases/{id}/wait"), json!({"on": "customer"})).await;
        assert_eq!(s, StatusCode::OK);
        let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{id}")).await;
        assert_eq!(clock(&d, "C1")["state"], "paused");
        t.advance(DAY * 2);
        assert_eq!(t.app.sweep_clocks(100).await.unwrap().examined, 0, "a paused clock is not swept");
        t.post("hotline_agent", &format!("/api/v1/cases/{id}/resume"), json!({})).await;
        let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{id}")).await;
        let c1 = clock(&d, "C1");
        assert_eq!(c1["state"], "running");
        assert_eq!(c1["due_at"], "2026-10-12T10:00:00+08:00", "due moved by the two paused days");
    }

    async fn only_duty_managers_and_admins_approve_extensions_and_they_are_recorded(t) {
        let t = staffed(t).await.with_staff(Role::DepartmentHandler).await;
        let id = t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{id}")).await;
        let clock_id = clock(&d, "C1")["id"].as_i64().unwrap();
        let path = format!("/api/v1/cases/{id}/clocks/{clock_id}/extension");
        let body = json!({"new_due": "2026-10-15T10:00:00+08:00", "reason": "需等待燃气公司检测报告"});
        for who in ["hotline_agent", "department_handler"] {
            let (s, b) = t.post(who, &path, body.clone()).await;
            assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{who}");
        }
        let (s, b) = t.post("duty_manager", &path, body).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["due_at"], "2026-10-15T10:00:00+08:00");
        assert_eq!(b["extensions"][0]["reason"], "需等待燃气公司检测报告");
        let (s, b) = t.post("duty_manager", &path, json!({"new_due": "2026-10-01T10:00:00+08:00", "reason": "提前"})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("extension_refused")));
        let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{id}")).await;
        assert_eq!(count(&d, "clock.extended"), 1);
    }

    async fn a_gas_complaint_runs_the_transfer_hour_and_the_answer_clock(t) {
        let t = staffed(t).await;
        let id = t.case("hotline_agent", "complaint", json!({})).await["id"].as_i64().unwrap();
        let (_, d) = t.get("hotline_agent", &format!("/api/v1/cases/{id}")).await;
        assert_eq!(clock(&d, "C9")["due_at"], "2026-09-30T11:00:00+08:00");
        clock(&d, "C1");
    }

    async fn on_time_rates_are_counted_per_commitment(t) {
        let t = staffed(t).await;
        t.case("hotline_agent", "consultation", json!({"answered_on_spot": "已答复"})).await;
        let late = t.case("hotline_agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        t.case("hotline_agent", "consultation", json!({})).await;
        t.advance(DAY * 11);
        t.app.sweep_clocks(100).await.unwrap();
        t.post("hotline_agent", &format!("/api/v1/cases/{late}/reply"), json!({"body": "已答复", "final": true})).await;
        let (s, st) = t.get("duty_manager", "/api/v1/commitments/stats?from=2026-09-01").await;
        assert_eq!(s, StatusCode::OK, "{st}");
        let c1 = st["rows"].as_array().unwrap().iter().find(|r| r["rule_id"] == "C1").unwrap();
        assert_eq!((c1["stopped"].as_u64(), c1["met"].as_u64(), c1["breached"].as_u64(), c1["open"].as_u64(), c1["overdue"].as_u64()), (Some(2), Some(1), Some(1), Some(1), Some(1)));
        assert_eq!(c1["on_time_rate"], 0.5);
        assert_eq!(st["at_risk"].as_array().unwrap().len(), 1, "the open, overdue clock");
        let (_, by) = t.get("duty_manager", "/api/v1/commitments/stats?from=2026-09-01&by=utility").await;
        assert_eq!(by["rows"][0]["utility"], "gas");
    }
}
