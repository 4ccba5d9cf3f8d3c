//! Work order scenarios: a dispatcher raises a job on a repair case, the crew
//! reports setting off, arriving and finishing, and the case's clocks that
//! wait on the crew (C8 on site, C7 repaired) stop with those reports.

use crate::on_both;
use crate::support::TestApp;
use axum::http::StatusCode;
use jiff::SignedDuration;
use pledge_domain::Role;
use serde_json::{Value, json};

async fn crewed(t: TestApp) -> TestApp {
    t.with_staff(Role::HotlineAgent)
        .await
        .with_staff(Role::Dispatcher)
        .await
        .with_named_staff("tech1", Role::FieldTechnician, None)
        .await
        .with_named_staff("tech2", Role::FieldTechnician, None)
        .await
}

fn clock<'a>(clocks: &'a Value, rule: &str) -> &'a Value {
    clocks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} clock in {clocks}"))
}

/// A gas emergency repair case (C7 and C8 start with it) and a work order on it for tech1.
async fn emergency_job(t: &TestApp) -> (i64, i64) {
    let case = t
        .case(
            "hotline_agent",
            "repair",
            json!({"subkind": "emergency", "subject": "燃气泄漏", "description": "楼道内有燃气味"}),
        )
        .await;
    let case_id = case["id"].as_i64().unwrap();
    let (s, w) = t
        .post(
            "dispatcher",
            &format!("/api/v1/cases/{case_id}/work-orders"),
            json!({"instructions": "携带检漏仪，立即到场", "crew_id": t.id_of("tech1")}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    (case_id, w["id"].as_i64().unwrap())
}

on_both! {
    async fn a_crew_on_site_in_time_meets_c8_and_finishing_meets_c7(t) {
        let t = crewed(t).await;
        let (case_id, wo) = emergency_job(&t).await;
        let (_, c) = t.get("dispatcher", &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(c["case"]["state"], "waiting_work_order");
        let (_, d) = t.get("tech1", &format!("/api/v1/work-orders/{wo}")).await;
        assert_eq!(d["work_order"]["state"], "dispatched");
        assert_eq!(clock(&d["clocks"], "C8")["state"], "running");

        let (s, w) = t.post("tech1", &format!("/api/v1/work-orders/{wo}/depart"), json!({})).await;
        assert_eq!((s, w["state"].as_str()), (StatusCode::OK, Some("en_route")), "{w}");
        t.advance(SignedDuration::from_mins(20));
        let (s, w) = t.post("tech1", &format!("/api/v1/work-orders/{wo}/arrive"), json!({})).await;
        assert_eq!((s, w["state"].as_str()), (StatusCode::OK, Some("on_site")), "{w}");
        let (_, d) = t.get("tech1", &format!("/api/v1/work-orders/{wo}")).await;
        let c8 = clock(&d["clocks"], "C8");
        assert_eq!((c8["state"].as_str(), c8["outcome"].as_str()), (Some("stopped"), Some("met")), "{c8}");
        assert_eq!(clock(&d["clocks"], "C7")["state"], "running");

        t.advance(SignedDuration::from_hours(2));
        let (s, w) = t
            .post("tech1", &format!("/api/v1/work-orders/{wo}/complete"), json!({"result": "更换阀门，复查无泄漏", "fee_fen": 12000, "signed_by": "张三"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{w}");
        assert_eq!((w["state"].as_str(), w["fee_fen"].as_i64(), w["signed_by"].as_str()), (Some("done"), Some(12000), Some("张三")));
        assert!(w["on_site_at"].is_string() && w["done_at"].is_string());
        let (_, c) = t.get("dispatcher", &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(c["case"]["state"], "in_progress", "the case goes back to its handler");
        let c7 = c["clocks"].as_array().unwrap().iter().find(|x| x["rule_id"] == "C7").unwrap();
        assert_eq!(c7["outcome"], "met");
        let kinds: Vec<&str> = c["timeline"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).filter(|k| k.starts_with("work_order.")).collect();
        assert_eq!(kinds, ["work_order.created", "work_order.dispatched", "work_order.departed", "work_order.arrived", "work_order.completed"]);
        let report = t.app.audit_verify().await.unwrap();
        assert!(report.is_clean(), "{report:?}");
    }

    async fn a_crew_arriving_after_thirty_minutes_breaches_c8(t) {
        let t = crewed(t).await;
        let (_, wo) = emergency_job(&t).await;
        t.advance(SignedDuration::from_mins(45));
        let r = t.app.sweep_clocks(100).await.unwrap();
        assert_eq!(r.breached, 1, "C8 is past due, C7 is not");
        t.post("tech1", &format!("/api/v1/work-orders/{wo}/arrive"), json!({})).await;
        let (_, d) = t.get("dispatcher", &format!("/api/v1/work-orders/{wo}")).await;
        let c8 = clock(&d["clocks"], "C8");
        assert_eq!((c8["breached"].as_bool(), c8["outcome"].as_str()), (Some(true), Some("breached")), "{c8}");
    }

    async fn only_the_assigned_crew_reports_and_steps_follow_the_lifecycle(t) {
        let t = crewed(t).await;
        let (case_id, wo) = emergency_job(&t).await;
        let (s, e) = t.post("tech2", &format!("/api/v1/work-orders/{wo}/arrive"), json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, e) = t.post("tech1", &format!("/api/v1/work-orders/{wo}/complete"), json!({"result": "完成"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("illegal_transition")), "not on site yet: {e}");
        let (s, e) = t.post("dispatcher", &format!("/api/v1/work-orders/{wo}/dispatch"), json!({"crew_id": t.id_of("hotline_agent")})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_field_technician")), "{e}");
        let (s, e) = t.post("hotline_agent", &format!("/api/v1/cases/{case_id}/work-orders"), json!({"instructions": "上门"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, e) = t.post("tech1", &format!("/api/v1/work-orders/{wo}/complete"), json!({"result": "完成", "fee_fen": -5})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fee")), "{e}");
        // Reassigning to tech2 moves the job to their list.
        let (s, w) = t.post("dispatcher", &format!("/api/v1/work-orders/{wo}/dispatch"), json!({"crew_id": t.id_of("tech2")})).await;
        assert_eq!((s, w["crew_id"].as_i64()), (StatusCode::OK, Some(t.id_of("tech2"))), "{w}");
        let (_, mine) = t.get("tech1", "/api/v1/work-orders").await;
        assert_eq!(mine["total"], 0, "{mine}");
        let (_, mine) = t.get("tech2", "/api/v1/work-orders?state=dispatched,en_route").await;
        assert_eq!((mine["total"].as_u64(), mine["items"][0]["id"].as_i64()), (Some(1), Some(wo)), "{mine}");
        t.post("tech2", &format!("/api/v1/work-orders/{wo}/arrive"), json!({})).await;
        let (s, e) = t.post("dispatcher", &format!("/api/v1/work-orders/{wo}/cancel"), json!({"reason": "用户取消"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "a job under way on site is finished, not cancelled: {e}");
        let (s, e) = t.get("dispatcher", "/api/v1/work-orders?state=finished").await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_state")));
    }

    async fn cancelling_the_last_work_order_hands_the_case_back(t) {
        let t = crewed(t).await;
        let case = t.case("hotline_agent", "repair", json!({})).await;
        let case_id = case["id"].as_i64().unwrap();
        let (_, a) = t.post("dispatcher", &format!("/api/v1/cases/{case_id}/work-orders"), json!({"instructions": "上门检查表具",
            "appointment_from": "2026-10-08T09:00:00+08:00", "appointment_to": "2026-10-08T11:00:00+08:00"})).await;
        let (_, b) = t.post("dispatcher", &format!("/api/v1/cases/{case_id}/work-orders"), json!({"instructions": "复查管线"})).await;
        assert_eq!(a["state"], "open");
        assert_eq!(a["appointment_from"], "2026-10-08T09:00:00+08:00");
        t.post("dispatcher", &format!("/api/v1/work-orders/{}/cancel", a["id"]), json!({"reason": "重复派工"})).await;
        let (_, c) = t.get("dispatcher", &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(c["case"]["state"], "waiting_work_order", "one job is still open");
        let (s, w) = t.post("dispatcher", &format!("/api/v1/work-orders/{}/cancel", b["id"]), json!({"reason": "用户已自行处理"})).await;
        assert_eq!((s, w["cancel_reason"].as_str()), (StatusCode::OK, Some("用户已自行处理")));
        let (_, c) = t.get("dispatcher", &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(c["case"]["state"], "in_progress");
        let (s, e) = t.post("dispatcher", &format!("/api/v1/cases/{case_id}/work-orders"), json!({"instructions": "上门",
            "appointment_from": "2026-10-08T11:00:00+08:00", "appointment_to": "2026-10-08T09:00:00+08:00"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_appointment")), "{e}");
        let report = t.app.audit_verify().await.unwrap();
        assert!(report.is_clean(), "{report:?}");
    }
}
