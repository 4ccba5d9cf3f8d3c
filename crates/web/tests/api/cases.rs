//! Case scenarios: first-inquiry responsibility, transfer and the three-copy
//! form, returns, masking of reporters, duplicates, lists.

use crate::on_both;
use crate::support::TestApp;
use axum::http::StatusCode;
use pledge_domain::Role;
use pledge_domain::model::PageRequest;
use pledge_store::repo::*;
use serde_json::{Value, json};

async fn staffed(t: TestApp) -> (TestApp, i64, i64) {
    let csc = t.department("CSC", "客户服务中心").await;
    let ops = t.department("GAS-OPS", "燃气运行部").await;
    let t = t
        .with_named_staff("agent", Role::HotlineAgent, Some(csc))
        .await
        .with_named_staff("handler", Role::DepartmentHandler, Some(ops))
        .await
        .with_named_staff("supervisor", Role::QualitySupervisor, None)
        .await
        .with_named_staff("duty", Role::DutyManager, Some(csc))
        .await;
    (t, csc.get(), ops.get())
}

/// The case's own steps on its timeline (commitment clock events are left out).
fn kinds(detail: &Value) -> Vec<String> {
    detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .filter(|k| k.starts_with("case."))
        .collect()
}

on_both! {
    async fn a_complaint_travels_from_intake_to_close_and_keeps_its_first_responder(t) {
        let (t, _csc, ops) = staffed(t).await;
        let case = t.case("agent", "complaint", json!({"contact_name": "王建国", "contact_phone": "13812345678"})).await;
        let id = case["id"].as_i64().unwrap();
        let number = case["number"].as_str().unwrap();
        assert!(number.starts_with("GAS-") && number.len() == "GAS-20261123-000001".len(), "{number}");
        assert_eq!(case["state"], "received");
        assert_eq!(case["first_responder_id"], t.id_of("agent"));

        let (s, b) = t.post("agent", &format!("/api/v1/cases/{id}/transfer"), json!({"department_id": ops, "reason": "属燃气运行部职责"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["state"], "transferred");
        assert_eq!(b["department_id"], ops);

        let (s, b) = t.post("handler", &format!("/api/v1/cases/{id}/start"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["assignee_id"], t.id_of("handler"));
        let (s, b) = t.post("handler", &format!("/api/v1/cases/{id}/reply"), json!({"body": "已上门检查，问题已解决", "final": true})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["state"], "answered");
        let (s, b) = t.post("supervisor", &format!("/api/v1/cases/{id}/callback"), json!({})).await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("callback")));
        let (s, b) = t.post("agent", &format!("/api/v1/cases/{id}/close"), json!({"summary": "用户满意"})).await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("closed")), "{b}");
        assert_eq!(b["first_responder_id"], t.id_of("agent"), "the first responder never changes");
        assert!(b["closed_at"].is_string());

        let (_, detail) = t.get("supervisor", &format!("/api/v1/cases/{id}")).await;
        assert_eq!(kinds(&detail), ["case.received", "case.transferred", "case.started", "case.replied", "case.callback_started", "case.closed"]);
    }

    async fn a_transferred_complaint_has_three_form_copies_each_acknowledged_once(t) {
        let (t, csc, ops) = staffed(t).await;
        let id = t.case("agent", "complaint", json!({})).await["id"].as_i64().unwrap();
        t.post("agent", &format!("/api/v1/cases/{id}/transfer"), json!({"department_id": ops})).await;
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        let copies = d["form_copies"].as_array().unwrap();
        let by_copy = |name: &str| copies.iter().find(|c| c["copy"] == name).unwrap().clone();
        assert_eq!(copies.len(), 3);
        assert_eq!(by_copy("archive")["holder_department_id"], csc);
        assert_eq!(by_copy("department")["holder_department_id"], ops);
        assert!(by_copy("management")["holder_department_id"].is_i64(), "held by general management");

        let dept_copy = by_copy("department")["id"].as_i64().unwrap();
        let archive_copy = by_copy("archive")["id"].as_i64().unwrap();
        let path = |c: i64| format!("/api/v1/cases/{id}/form-copies/{c}/acknowledge");
        let (s, b) = t.post("handler", &path(archive_copy), json!({})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "another department's copy");
        let (s, b) = t.post("handler", &path(dept_copy), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["acknowledged_by"], t.id_of("handler"));
        let (s, b) = t.post("handler", &path(dept_copy), json!({})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_acknowledged")));

        // A consultation transferred the same way gets no form.
        let other = t.case("agent", "consultation", json!({})).await["id"].as_i64().unwrap();
        t.post("agent", &format!("/api/v1/cases/{other}/transfer"), json!({"department_id": ops})).await;
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{other}")).await;
        assert_eq!(d["form_copies"].as_array().unwrap().len(), 0);
    }

    async fn illegal_steps_are_refused_with_409_and_change_nothing(t) {
        let (t, _, _) = staffed(t).await;
        let id = t.case("agent", "repair", json!({"subkind": "inside_meter"})).await["id"].as_i64().unwrap();
        let (s, b) = t.post("agent", &format!("/api/v1/cases/{id}/close"), json!({})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("illegal_transition")), "{b}");
        let (s, b) = t.post("agent", &format!("/api/v1/cases/{id}/resume"), json!({})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("illegal_transition")));
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        assert_eq!(d["case"]["state"], "received");
        // No phone or customer was given: the receipt notice is skipped, visibly.
        assert_eq!(kinds(&d), ["case.received", "case.notice_skipped"]);
    }

    async fn an_answer_on_the_spot_closes_the_case_at_once(t) {
        let (t, _, _) = staffed(t).await;
        let c = t.case("agent", "consultation", json!({"answered_on_spot": "已告知用户营业时间"})).await;
        assert_eq!(c["state"], "closed");
        assert_eq!(c["answered_on_spot"], true);
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{}", c["id"])).await;
        assert_eq!(kinds(&d), ["case.received", "case.replied", "case.notice_skipped", "case.closed"]);
    }

    async fn a_return_needs_a_reason_and_goes_back_to_the_sender(t) {
        let (t, csc, ops) = staffed(t).await;
        let id = t.case("agent", "complaint", json!({})).await["id"].as_i64().unwrap();
        t.post("agent", &format!("/api/v1/cases/{id}/transfer"), json!({"department_id": ops})).await;
        let (s, b) = t.post("handler", &format!("/api/v1/cases/{id}/return"), json!({"reason": "  "})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")));
        let (s, b) = t.post("handler", &format!("/api/v1/cases/{id}/return"), json!({"reason": "属供水业务，非本部门职责"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["state"], "returned");
        assert_eq!(b["department_id"], csc);
        // The handler may not decide on it; the duty manager may, by taking it on.
        let (s, _) = t.post("handler", &format!("/api/v1/cases/{id}/start"), json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, b) = t.post("duty", &format!("/api/v1/cases/{id}/start"), json!({})).await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("in_progress")));
    }

    async fn a_reporters_identity_is_seen_only_by_supervisors_and_admins(t) {
        let (t, _, _) = staffed(t).await;
        let customer = t.customer("100000001", "李秀英", "13900001111").await;
        let c = t.case("agent", "report", json!({"contact_name": "李秀英", "contact_phone": "13900001111", "customer_id": customer})).await;
        let id = c["id"].as_i64().unwrap();
        assert_eq!(c["contact_name"], "李**");
        assert_eq!(c["contact_phone"], "139****1111");
        assert_eq!(c["customer_id"], Value::Null);

        for who in ["agent", "handler", "duty"] {
            let (_, d) = t.get(who, &format!("/api/v1/cases/{id}")).await;
            assert_eq!(d["identity_masked"], true, "{who}");
            assert_eq!(d["case"]["contact_phone"], "139****1111", "{who}");
            let received = &d["timeline"][0]["payload"];
            assert_eq!(received["contact_name"], "***", "{who} must not read it in the timeline");
            assert_eq!(received["customer_id"], "***");
            let (_, list) = t.get(who, "/api/v1/cases?kind=report").await;
            assert_eq!(list["items"][0]["contact_name"], "李**", "{who} in lists");
        }
        for who in ["supervisor", "admin"] {
            let (_, d) = t.get(who, &format!("/api/v1/cases/{id}")).await;
            assert_eq!(d["identity_masked"], false);
            assert_eq!(d["case"]["contact_name"], "李秀英");
            assert_eq!(d["case"]["customer_id"], customer);
        }
        // The supervisor's read of the reporter is in the access log.
        let (s, log) = t.get("supervisor", &format!("/api/v1/access-log?subject=case_reporter&subject_id={id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(log["total"].as_u64().unwrap() >= 2, "{log}");
        let (s, _) = t.get("agent", "/api/v1/access-log").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    async fn repeat_contacts_link_to_one_case_without_loops(t) {
        let (t, _, _) = staffed(t).await;
        let a = t.case("agent", "repair", json!({})).await["id"].as_i64().unwrap();
        let b = t.case("agent", "repair", json!({})).await["id"].as_i64().unwrap();
        let c = t.case("agent", "repair", json!({})).await["id"].as_i64().unwrap();
        let (s, body) = t.post("agent", &format!("/api/v1/cases/{b}/link"), json!({"original_id": a})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["duplicate_of"], a);
        // Linking to a duplicate points at its root.
        let (_, body) = t.post("agent", &format!("/api/v1/cases/{c}/link"), json!({"original_id": b})).await;
        assert_eq!(body["duplicate_of"], a);
        let (s, body) = t.post("agent", &format!("/api/v1/cases/{a}/link"), json!({"original_id": b})).await;
        assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("link_loop")));
        let (s, body) = t.post("agent", &format!("/api/v1/cases/{a}/link"), json!({"original_id": a})).await;
        assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("self_link")));
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{a}")).await;
        let dups: Vec<i64> = d["duplicates"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(dups, vec![b, c]);
    }

    async fn pages_count_every_match_and_read_nothing_past_the_end(t) {
        let (t, _, _) = staffed(t).await;
        for n in 0..5 {
            t.case("agent", "repair", json!({"subject": format!("分页测试 {n}")})).await;
        }
        let page = |offset: u64| {
            let t = &t;
            async move { t.get("agent", &format!("/api/v1/cases?limit=2&offset={offset}")).await.1 }
        };
        let ids = |p: &Value| p["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>();
        let (p0, p1, p2, past) = (page(0).await, page(2).await, page(4).await, page(5).await);
        for p in [&p0, &p1, &p2, &past] {
            assert_eq!(p["total"], 5, "the count ignores limit and offset");
        }
        assert_eq!((ids(&p0).len(), ids(&p1).len(), ids(&p2).len()), (2, 2, 1));
        let mut all = [ids(&p0), ids(&p1), ids(&p2)].concat();
        assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first across pages: {all:?}");
        all.dedup();
        assert_eq!(all.len(), 5, "no case on two pages");
        assert_eq!(ids(&past), Vec::<i64>::new());
        assert_eq!(page(1000).await["total"], 5);
        let (_, none) = t.get("agent", &format!("/api/v1/cases?q={}", urlencode("没有这个"))).await;
        assert_eq!((none["total"].as_u64(), none["items"].as_array().map(Vec::len)), (Some(0), Some(0)));

        // The same helper behind a list with no conditions at all.
        let store = t.store.read();
        let staff = store.staff_list(None, None, None, PageRequest::new(Some(2), Some(1))).await.unwrap();
        assert!(staff.total >= 5, "the administrator and four named staff: {}", staff.total);
        assert_eq!(staff.items.len(), 2);
        let past = store.staff_list(None, None, None, PageRequest::new(Some(2), Some(staff.total))).await.unwrap();
        assert_eq!((past.total, past.items.len()), (staff.total, 0));
    }

    async fn lists_filter_search_and_paginate(t) {
        let (t, _, ops) = staffed(t).await;
        for subject in ["燃气表漏气", "水压偏低", "暖气不热"] {
            t.case("agent", "repair", json!({"subject": subject})).await;
        }
        let moved = t.case("agent", "complaint", json!({"subject": "抄表员态度差"})).await["id"].as_i64().unwrap();
        t.post("agent", &format!("/api/v1/cases/{moved}/transfer"), json!({"department_id": ops})).await;

        let (_, all) = t.get("agent", "/api/v1/cases?limit=2").await;
        assert_eq!(all["total"], 4);
        assert_eq!(all["items"].as_array().unwrap().len(), 2);
        assert_eq!(all["items"][0]["id"], moved, "newest first");
        let (_, p2) = t.get("agent", "/api/v1/cases?limit=2&offset=2").await;
        assert_eq!(p2["items"].as_array().unwrap().len(), 2);

        let (_, q) = t.get("agent", &format!("/api/v1/cases?q={}", urlencode("水压"))).await;
        assert_eq!(q["total"], 1);
        assert_eq!(q["items"][0]["subject"], "水压偏低");
        let (_, k) = t.get("agent", "/api/v1/cases?kind=complaint").await;
        assert_eq!(k["total"], 1);
        let (_, d) = t.get("handler", &format!("/api/v1/cases?department_id={ops}&open=true")).await;
        assert_eq!(d["total"], 1);
        let (_, f) = t.get("handler", &format!("/api/v1/cases?first_responder_id={}&state=received,transferred", t.id_of("agent"))).await;
        assert_eq!(f["total"], 4);
        let (_, none) = t.get("agent", "/api/v1/cases?created_from=2001-01-01&created_to=2001-02-01").await;
        assert_eq!(none["total"], 0);
        let (s, b) = t.get("agent", "/api/v1/cases?state=lost").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_state")));
    }

    async fn reopening_needs_the_right_role_and_a_reason(t) {
        let (t, _, _) = staffed(t).await;
        let id = t.case("agent", "consultation", json!({"answered_on_spot": "已答复"})).await["id"].as_i64().unwrap();
        let (s, _) = t.post("handler", &format!("/api/v1/cases/{id}/reopen"), json!({"reason": "用户不满意"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, b) = t.post("duty", &format!("/api/v1/cases/{id}/reopen"), json!({"reason": "回访不满意"})).await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("in_progress")), "{b}");
        assert_eq!(b["closed_at"], Value::Null);
    }

    async fn notes_and_assignment_are_on_the_timeline(t) {
        let (t, _, _) = staffed(t).await;
        let id = t.case("agent", "suggestion", json!({})).await["id"].as_i64().unwrap();
        let (s, _) = t.post("agent", &format!("/api/v1/cases/{id}/notes"), json!({"body": "已向部门负责人汇报"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, b) = t.post("agent", &format!("/api/v1/cases/{id}/assign"), json!({"staff_id": t.id_of("handler")})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["assignee_id"], t.id_of("handler"));
        let (s, b) = t.post("agent", &format!("/api/v1/cases/{id}/assign"), json!({"staff_id": 999999})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_staff")));
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        assert_eq!(kinds(&d), ["case.received", "case.notice_skipped", "case.noted", "case.assigned"]);
        let note = d["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "case.noted").unwrap();
        assert_eq!(note["payload"]["body"], "已向部门负责人汇报");
    }

    async fn field_technicians_cannot_open_cases(t) {
        let t = t.with_staff(Role::FieldTechnician).await;
        let (s, b) = t.post("field_technician", "/api/v1/cases", json!({"utility": "gas", "kind": "repair", "channel": "phone", "subject": "x", "description": "y"})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
