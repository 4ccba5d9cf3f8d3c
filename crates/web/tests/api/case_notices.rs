//! Deadlines a customer can trust (issue 10, items 2–4): an upstream
//! platform's deadline runs as a clock and the case shows the stricter one;
//! the customer is told the case number and deadline at receipt, every
//! approved extension and the answer, through the outbox; a reporter only
//! with consent; a customer without contact is skipped visibly; a policy
//! leaving a case kind of the company's utilities unruled is refused.

use crate::on_both;
use crate::support::TestApp;
use axum::http::StatusCode;
use jiff::SignedDuration;
use pledge_domain::commitment::policy::SHIPPED_TOML;
use pledge_domain::model::{NotificationFilter, NotificationRecord, PageRequest};
use pledge_domain::notify::{ChannelKind, Locale, Template};
use pledge_domain::{CustomerId, Role};
use pledge_store::repo::*;
use serde_json::{Value, json};

const UTILITIES: [&str; 4] = ["gas", "water", "heat", "power"];
const PHONE: &str = "13900000009";

async fn staffed(t: TestApp) -> TestApp {
    t.with_staff(Role::HotlineAgent).await.with_staff(Role::DutyManager).await
}

async fn detail(t: &TestApp, id: i64) -> Value {
    let (s, d) = t.get("hotline_agent", &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

fn clock<'a>(d: &'a Value, rule: &str) -> &'a Value {
    d["clocks"].as_array().unwrap().iter().find(|c| c["rule_id"] == rule).unwrap_or_else(|| panic!("no {rule} in {d}"))
}

/// The outbox rows about case `id`, oldest first.
async fn outbox(t: &TestApp, id: i64) -> Vec<NotificationRecord> {
    let f = NotificationFilter {
        company_id: t.admin.staff.company_id,
        subject: Some("case".into()),
        subject_id: Some(id),
        ..Default::default()
    };
    let mut items = t.store.read().notifications(&f, PageRequest::new(None, None)).await.unwrap().items;
    items.reverse();
    items
}

/// The shipped text of a queued notice.
fn text(n: &NotificationRecord) -> String {
    Template::shipped(&n.topic, n.locale).unwrap().body.render(&n.vars, n.locale)
}

fn skipped(d: &Value) -> Vec<(String, String)> {
    d["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["state"] == "skipped")
        .map(|n| (n["topic"].as_str().unwrap().to_owned(), n["reason"].as_str().unwrap().to_owned()))
        .collect()
}

on_both! {
    async fn an_upstream_deadline_earlier_than_ours_is_the_cases_deadline_and_is_met_on_the_answer(t) {
        let t = staffed(t).await;
        for utility in UTILITIES {
            // Received Wed 30 Sep 10:00; our C1 is due Sat 10 Oct (make-up working day); 12345 wants 2 Oct.
            let c = t.case("hotline_agent", "consultation", json!({"utility": utility, "contact_phone": PHONE,
                "upstream": {"platform": "12345", "reference": format!("12345-{utility}"), "due": "2026-10-02T10:00:00+08:00"}})).await;
            let id = c["id"].as_i64().unwrap();
            let d = detail(&t, id).await;
            assert_eq!(clock(&d, "C1")["due_at"], "2026-10-10T10:00:00+08:00", "{utility}");
            let up = clock(&d, "UPSTREAM");
            assert_eq!((up["due_at"].as_str(), up["state"].as_str()), (Some("2026-10-02T10:00:00+08:00"), Some("running")), "{utility}");
            assert_eq!(d["deadline"], json!({"due_at": "2026-10-02T10:00:00+08:00", "rule_id": "UPSTREAM"}), "{utility}");
            let started: Vec<&Value> = d["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "clock.started" && e["payload"]["rule_id"] == "UPSTREAM").collect();
            assert_eq!(started.len(), 1, "{utility}: the upstream clock is ledgered");

            // The customer is promised the stricter deadline.
            let rows = outbox(&t, id).await;
            assert_eq!(rows.len(), 1, "{utility}");
            assert_eq!((rows[0].topic.as_str(), rows[0].channel, rows[0].address.as_deref()), ("case.received", ChannelKind::Sms, Some(PHONE)));
            assert_eq!(rows[0].vars["due_at"], "2026-10-02 10:00");
            let body = text(&rows[0]);
            assert!(body.contains(c["number"].as_str().unwrap()) && body.contains("2026-10-02 10:00"), "{body}");

            let (s, b) = t.post("hotline_agent", &format!("/api/v1/cases/{id}/reply"), json!({"body": "已为您查明原因并处理完毕", "final": true})).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            let d = detail(&t, id).await;
            let up = clock(&d, "UPSTREAM");
            assert_eq!((up["state"].as_str(), up["outcome"].as_str()), (Some("stopped"), Some("met")), "{utility}");
            assert_eq!(d["deadline"], Value::Null, "no clock runs after the answer");
            let rows = outbox(&t, id).await;
            assert_eq!(rows.iter().map(|r| r.topic.as_str()).collect::<Vec<_>>(), ["case.received", "case.answered"]);
            assert!(text(&rows[1]).contains("已为您查明原因并处理完毕"), "{}", text(&rows[1]));
            let states: Vec<&str> = d["notices"].as_array().unwrap().iter().map(|n| n["state"].as_str().unwrap()).collect();
            assert_eq!(states, ["queued", "queued"]);
        }
    }

    async fn a_later_upstream_deadline_leaves_ours_in_force_and_an_unanswered_one_breaches(t) {
        let t = staffed(t).await;
        let later = t.case("hotline_agent", "complaint", json!({"utility": "heat", "contact_phone": PHONE,
            "upstream": {"platform": "12345", "reference": "12345-1", "due": "2026-10-20T10:00:00+08:00"}})).await;
        let d = detail(&t, later["id"].as_i64().unwrap()).await;
        assert_ne!(d["deadline"]["rule_id"], "UPSTREAM", "{}", d["deadline"]);
        assert_eq!(clock(&d, "UPSTREAM")["state"], "running");

        let soon = t.case("hotline_agent", "consultation", json!({"utility": "power", "contact_phone": PHONE,
            "upstream": {"platform": "95598", "reference": "95598-1", "due": "2026-09-30T16:00:00+08:00"}})).await;
        let id = soon["id"].as_i64().unwrap();
        t.advance(SignedDuration::from_hours(7));
        let r = t.app.sweep_clocks(100).await.unwrap();
        assert!(r.breached >= 1, "{r:?}");
        let d = detail(&t, id).await;
        let up = clock(&d, "UPSTREAM");
        assert_eq!((up["breached"].as_bool(), up["state"].as_str()), (Some(true), Some("running")));
        assert_eq!(clock(&d, "C1")["breached"], false);
    }

    async fn every_approved_extension_is_told_with_its_new_deadline_and_reason(t) {
        let t = staffed(t).await;
        let customer = t.customer("200001", "赵六", "13800000077").await;
        let c = t.case("hotline_agent", "consultation", json!({"customer_id": customer})).await;
        let id = c["id"].as_i64().unwrap();
        let d = detail(&t, id).await;
        let clock_id = clock(&d, "C1")["id"].as_i64().unwrap();
        let path = format!("/api/v1/cases/{id}/clocks/{clock_id}/extension");
        for (due, reason) in [("2026-10-15T10:00:00+08:00", "需等待燃气公司检测报告"), ("2026-10-20T10:00:00+08:00", "检测机构延期出具报告")] {
            let (s, b) = t.post("duty_manager", &path, json!({"new_due": due, "reason": reason})).await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        let rows = outbox(&t, id).await;
        let ext: Vec<&NotificationRecord> = rows.iter().filter(|r| r.topic == "case.extended").collect();
        assert_eq!(ext.len(), 2, "a second extension is told again");
        assert!(ext.iter().all(|r| r.customer_id == Some(CustomerId(customer)) && r.address.as_deref() == Some("13800000077")));
        assert_eq!((ext[0].vars["previous_due_at"].as_str(), ext[0].vars["due_at"].as_str()), (Some("2026-10-10 10:00"), Some("2026-10-15 10:00")));
        assert_eq!((ext[1].vars["previous_due_at"].as_str(), ext[1].vars["due_at"].as_str()), (Some("2026-10-15 10:00"), Some("2026-10-20 10:00")));
        let body = text(ext[1]);
        assert!(body.contains("检测机构延期出具报告") && body.contains("2026-10-20 10:00") && body.contains(c["number"].as_str().unwrap()), "{body}");
        let d = detail(&t, id).await;
        assert_eq!(d["deadline"], json!({"due_at": "2026-10-20T10:00:00+08:00", "rule_id": "C1"}));
        assert_eq!(d["notices"].as_array().unwrap().len(), 3);
    }

    async fn a_customer_with_only_an_email_address_is_told_by_email_in_their_language(t) {
        let t = staffed(t).await;
        let (_, with_email, _) = crate::notify_queue::three_customers(&t).await;
        let c = t.case("hotline_agent", "consultation", json!({"customer_id": with_email})).await;
        let rows = outbox(&t, c["id"].as_i64().unwrap()).await;
        assert_eq!((rows[0].channel, rows[0].address.as_deref(), rows[0].locale), (ChannelKind::Email, Some("li.si@example.test"), Locale::En));
        let body = text(&rows[0]);
        assert!(body.starts_with("Dear customer") && body.contains("2026-10-10 10:00"), "{body}");
    }

    async fn a_reporter_is_told_only_with_consent_and_an_anonymous_one_never(t) {
        let t = staffed(t).await;
        for utility in UTILITIES {
            let agreed = t.case("hotline_agent", "report", json!({"utility": utility, "contact_phone": PHONE, "notify_consent": true})).await;
            assert_eq!(agreed["notify_consent"], true);
            let rows = outbox(&t, agreed["id"].as_i64().unwrap()).await;
            assert_eq!((rows.len(), rows[0].topic.as_str(), rows[0].address.as_deref()), (1, "case.received", Some(PHONE)), "{utility}");

            let silent = t.case("hotline_agent", "report", json!({"utility": utility, "contact_phone": PHONE})).await;
            assert_eq!(silent["notify_consent"], false, "a reporter is not told unless they agree");
            let id = silent["id"].as_i64().unwrap();
            t.post("hotline_agent", &format!("/api/v1/cases/{id}/reply"), json!({"body": "已核实处理", "final": true})).await;
            assert!(outbox(&t, id).await.is_empty(), "{utility}");
            let d = detail(&t, id).await;
            assert_eq!(skipped(&d), [("case.received".to_owned(), "no_consent".to_owned()), ("case.answered".to_owned(), "no_consent".to_owned())]);
            let received = d["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "case.received").unwrap();
            assert_eq!(received["payload"]["notify_consent"], false);

            let anonymous = t.case("hotline_agent", "report", json!({"utility": utility, "anonymous": true, "notify_consent": true})).await;
            assert_eq!(anonymous["notify_consent"], false, "an anonymous reporter is never told");
            let id = anonymous["id"].as_i64().unwrap();
            assert!(outbox(&t, id).await.is_empty());
            assert_eq!(skipped(&detail(&t, id).await), [("case.received".to_owned(), "anonymous".to_owned())]);
        }
    }

    async fn a_customer_without_phone_or_address_is_skipped_and_the_case_shows_it(t) {
        let t = staffed(t).await;
        let (_, _, silent) = crate::notify_queue::three_customers(&t).await;
        let c = t.case("hotline_agent", "consultation", json!({"customer_id": silent})).await;
        let id = c["id"].as_i64().unwrap();
        assert!(outbox(&t, id).await.is_empty(), "nothing goes to the log as if told");
        let d = detail(&t, id).await;
        assert_eq!(skipped(&d), [("case.received".to_owned(), "no_contact".to_owned())]);
        let ev = d["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "case.notice_skipped").expect("ledgered");
        assert_eq!((ev["payload"]["topic"].as_str(), ev["payload"]["reason"].as_str()), (Some("case.received"), Some("no_contact")));

        // The contact phone given on the case stands in for the customer record.
        let c = t.case("hotline_agent", "consultation", json!({"customer_id": silent, "contact_phone": PHONE})).await;
        let rows = outbox(&t, c["id"].as_i64().unwrap()).await;
        assert_eq!((rows[0].channel, rows[0].address.as_deref(), rows[0].customer_id), (ChannelKind::Sms, Some(PHONE), Some(silent)));
    }

    async fn an_answer_on_the_spot_tells_the_answer_with_the_case_number_only(t) {
        let t = staffed(t).await;
        let c = t.case("hotline_agent", "consultation", json!({"contact_phone": PHONE, "answered_on_spot": "阶梯气价为每立方米2.8元"})).await;
        let rows = outbox(&t, c["id"].as_i64().unwrap()).await;
        assert_eq!(rows.iter().map(|r| r.topic.as_str()).collect::<Vec<_>>(), ["case.answered"]);
        let body = text(&rows[0]);
        assert!(body.contains(c["number"].as_str().unwrap()) && body.contains("阶梯气价为每立方米2.8元"), "{body}");
    }

    async fn a_case_kind_without_a_deadline_is_not_promised_one(t) {
        let t = staffed(t).await;
        for kind in ["praise", "nuisance"] {
            let c = t.case("hotline_agent", kind, json!({"contact_phone": PHONE})).await;
            let id = c["id"].as_i64().unwrap();
            assert!(outbox(&t, id).await.is_empty(), "{kind}");
            let reason = if kind == "nuisance" { "nuisance" } else { "no_deadline" };
            assert_eq!(skipped(&detail(&t, id).await), [("case.received".to_owned(), reason.to_owned())]);
        }
    }

    async fn a_policy_leaving_water_repairs_unruled_is_refused(t) {
        let without = |src: &str, id: &str| -> String {
            let at = src.find(&format!("\nid = \"{id}\"\n")).unwrap();
            let start = src[..at].rfind("[[commitments]]").unwrap();
            let end = src[at..].find("\n[[").map_or(src.len(), |i| at + i + 1);
            format!("{}{}", &src[..start], &src[end..])
        };
        let v2 = SHIPPED_TOML.replacen("version = 1\n", "version = 2\n", 1);
        let no_water_repairs = without(&without(&v2, "C17"), "D3");
        // A policy serving only gas, heat and power, on a company that serves water too.
        let not_for_water = no_water_repairs.replacen("company = \"default\"\n", "company = \"default\"\nutilities = [\"gas\", \"heat\", \"power\"]\n", 1);
        for source in [no_water_repairs, not_for_water] {
            let (s, b) = t.send(Some("admin"), axum::http::Method::PUT, "/api/v1/admin/policy", Some(json!({"source": source}))).await;
            assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("policy_uncovered_case_kind")), "{b}");
            let msg = b["error"]["message"].as_str().unwrap();
            assert!(msg.contains("water") && msg.contains("repair"), "{msg}");
        }
        let (_, p) = t.get("admin", "/api/v1/admin/policy").await;
        assert_eq!(p["version"], 1, "nothing changed");
        // The shipped policy passes for a company serving all four utilities.
        let (s, b) = t.send(Some("admin"), axum::http::Method::PUT, "/api/v1/admin/policy", Some(json!({"source": v2}))).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }

    async fn a_stored_policy_failing_the_check_keeps_the_server_up_on_the_shipped_one(t) {
        let v5 = SHIPPED_TOML.replacen("version = 1\n", "version = 5\n", 1).replacen("company = \"default\"\n", "company = \"default\"\nutilities = [\"gas\"]\n", 1);
        let v5 = {
            let at = v5.find("\nid = \"C33a\"\n").unwrap();
            let start = v5[..at].rfind("[[commitments]]").unwrap();
            let end = v5[at..].find("\n[[").map_or(v5.len(), |i| at + i + 1);
            format!("{}{}", &v5[..start], &v5[end..])
        };
        assert!(pledge_domain::commitment::Policy::from_toml(&v5).is_ok(), "reads on its own");
        let mut tx = t.store.begin().await.unwrap();
        tx.insert_policy(t.admin.staff.company_id, 5, &v5, None, t.app.now().as_microsecond()).await.unwrap();
        tx.commit().await.unwrap();
        let other = t.another_server().await;
        let p = other.policy_source(&t.admin).unwrap();
        assert_eq!((p.version, p.stored), (1, false), "the shipped policy stays in force");
    }
}
