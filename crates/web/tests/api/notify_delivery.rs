//! Delivery scenarios: a real SMTP server that accepts, refuses or hangs,
//! an SMS gateway that fails once, a worker that dies holding a lease, two
//! servers sharing the queue, escalations, and templates. Nothing is lost
//! and nothing is sent twice.

use crate::notify_queue::three_customers;
use crate::notify_support::{SmtpSink, WebhookSink, hanging_server, notifier, quick, smtp_config};
use crate::on_both;
use crate::support::TestApp;
use axum::http::StatusCode;
use jiff::SignedDuration;
use pledge_app::notify::notify_customers;
use pledge_domain::model::{NewCustomer, NotificationFilter, NotificationRecord, PageRequest};
use pledge_domain::notify::{ChannelKind, DeliveryState};
use pledge_domain::{AccountName, CustomerCategory, CustomerId, CustomerNumber, Phone, Role, Utility};
use pledge_store::repo::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

const MINUTE: SignedDuration = SignedDuration::from_mins(1);

fn vars() -> Value {
    json!({"utility": "gas", "kind": "planned", "area": "城关镇", "reason": "管道检修", "starts_at": "2026-10-08 09:00",
           "expected_restore_at": "2026-10-08 17:00", "hotline": "0356-96000"})
}

/// Queues `topic` about outage 7 for `customers`.
async fn queue(t: &TestApp, customers: &[CustomerId]) -> u64 {
    let mut tx = t.store.begin().await.unwrap();
    let n = notify_customers(
        &mut tx,
        t.admin.staff.company_id,
        "outage.announced",
        "outage",
        7,
        customers,
        &vars(),
        t.app.now().as_microsecond(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    n
}

/// Every notification of the company, oldest first.
async fn rows(t: &TestApp) -> Vec<NotificationRecord> {
    let f = NotificationFilter { company_id: t.admin.staff.company_id, ..Default::default() };
    let mut v = t.store.read().notifications(&f, PageRequest::new(Some(200), None)).await.unwrap().items;
    v.reverse();
    v
}

async fn row_of(t: &TestApp, customer: CustomerId) -> NotificationRecord {
    rows(t).await.into_iter().find(|n| n.customer_id == Some(customer)).expect("a notification for the customer")
}

/// Seconds from now until the row's next attempt.
fn wait_s(t: &TestApp, n: &NotificationRecord) -> i64 {
    (n.next_attempt_at.expect("a next attempt") - t.app.now().as_microsecond()) / 1_000_000
}

/// `n` customers with mobile phones, written straight to the store.
async fn many_customers(t: &TestApp, n: u32) -> Vec<CustomerId> {
    let mut tx = t.store.begin().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let c = NewCustomer {
            company_id: t.admin.staff.company_id,
            utility: Utility::Gas,
            number: CustomerNumber::parse(&format!("{}", 500_000 + i)).unwrap(),
            account_name: AccountName::parse(&format!("用户{i}")).unwrap(),
            category: CustomerCategory::Residential,
            phone: Some(Phone::parse(&format!("139{:08}", i)).unwrap()),
            special_care: vec![],
            premises_id: None,
        };
        ids.push(tx.insert_customer(&c).await.unwrap());
    }
    tx.commit().await.unwrap();
    ids
}

on_both! {
    async fn email_reaches_a_real_smtp_server_in_each_customers_language(t) {
        let mut sink = SmtpSink::start("accept").await;
        let (a, b, c) = three_customers(&t).await;
        let (s, body) = t.send(Some("admin"), axum::http::Method::PUT, &format!("/api/v1/admin/customers/{c}/contact"), Some(json!({"email": "wang.wu@example.test"}))).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(queue(&t, &[a, b, c]).await, 3);
        let n = notifier(&t.app, Some(smtp_config(sink.port)), None, quick(3));
        let r = n.drain().await.unwrap();
        assert_eq!((r.claimed, r.sent, r.retrying, r.dead), (3, 3, 0, 0));

        let mut got = [sink.next().await, sink.next().await];
        got.sort_by_key(|m| m["rcpt"][0].as_str().unwrap_or_default().to_owned());
        let (en, zh) = (&got[0], &got[1]);
        assert_eq!(en["rcpt"], json!(["li.si@example.test"]));
        assert_eq!(en["subject"], "测试公用事业公司: gas supply interruption in 城关镇");
        let en_body = en["body"].as_str().unwrap();
        assert!(en_body.starts_with("Dear customer, because of 管道检修") && en_body.contains("(planned)") && en_body.contains("call 0356-96000"), "{en_body}");
        assert_eq!(zh["rcpt"], json!(["wang.wu@example.test"]));
        assert_eq!(zh["subject"], "【测试公用事业公司】燃气停供通知：城关镇");
        assert!(zh["body"].as_str().unwrap().contains("城关镇将于2026-10-08 09:00起计划停止燃气供应"), "{}", zh["body"]);

        // The proof, per customer: who, how, when.
        let (s, list) = t.get("admin", "/api/v1/admin/notifications?subject=outage&subject_id=7").await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 3);
        for item in list["items"].as_array().unwrap() {
            assert_eq!((item["state"].as_str(), item["attempts"].as_u64()), (Some("sent"), Some(1)), "{item}");
            assert!(item["sent_at"].is_string());
            let via = if item["customer_id"] == a.get() { "log" } else { "email" }; // no SMS gateway configured here
            assert_eq!(item["sent_via"], via);
        }
        let (_, log) = t.get("admin", &format!("/api/v1/access-log?subject=customer&subject_id={b}")).await;
        assert!(log["items"].as_array().unwrap().iter().any(|e| e["action"] == "list" && e["staff_id"] == t.admin.id().get()), "reading addresses is logged: {log}");
        let (_, sum) = t.get("admin", "/api/v1/notifications/summary?subject=outage&subject_id=7").await;
        assert_eq!((sum["total"].as_u64(), sum["sent"].as_u64(), sum["pending"].as_u64(), sum["dead"].as_u64()), (Some(3), Some(3), Some(0), Some(0)));
        assert_eq!(sum["counts"], json!([{"state": "sent", "channel": "email", "count": 2}, {"state": "sent", "channel": "log", "count": 1}]));
        assert_eq!(n.drain().await.unwrap().claimed, 0, "nothing is sent twice");
    }

    async fn a_refusing_smtp_server_is_retried_with_backoff_then_the_message_is_dead(t) {
        let mut sink = SmtpSink::start("refuse550").await;
        let (_, b, _) = three_customers(&t).await;
        queue(&t, &[b]).await;
        let n = notifier(&t.app, Some(smtp_config(sink.port)), None, quick(3));
        assert_eq!(n.drain().await.unwrap().retrying, 1);
        assert_eq!(sink.next().await["code"], 550);
        let r = row_of(&t, b).await;
        assert_eq!((r.state, r.attempts), (DeliveryState::Retrying, 1));
        assert!(r.last_error.as_deref().unwrap_or_default().contains("550"), "{:?}", r.last_error);
        assert!((60..=120).contains(&wait_s(&t, &r)), "first backoff {} s", wait_s(&t, &r));
        assert_eq!(n.drain().await.unwrap().claimed, 0, "not tried again before the backoff");

        t.advance(MINUTE * 5);
        assert_eq!(n.drain().await.unwrap().retrying, 1);
        assert_eq!(sink.next().await["code"], 550);
        let r = row_of(&t, b).await;
        assert!((120..=240).contains(&wait_s(&t, &r)), "second backoff {} s", wait_s(&t, &r));

        t.advance(MINUTE * 5);
        assert_eq!(n.drain().await.unwrap().dead, 1);
        assert_eq!(sink.next().await["code"], 550);
        let r = row_of(&t, b).await;
        assert_eq!((r.state, r.attempts, r.next_attempt_at), (DeliveryState::Dead, 3, None));
        t.advance(SignedDuration::from_hours(24));
        assert_eq!(n.drain().await.unwrap().claimed, 0, "a dead letter waits for an administrator");

        let (_, dead) = t.get("admin", "/api/v1/admin/notifications?state=dead").await;
        assert_eq!(dead["total"], 1);
        assert!(dead["items"][0]["last_error"].as_str().unwrap().contains("550"));
        let id = dead["items"][0]["id"].as_i64().unwrap();
        let (s, again) = t.post("admin", &format!("/api/v1/admin/notifications/{id}/retry"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!((again["state"].as_str(), again["attempts"].as_u64()), (Some("queued"), Some(0)));
        let (s, e) = t.post("admin", &format!("/api/v1/admin/notifications/{id}/retry"), json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("notification_not_retryable")));
    }

    async fn a_hanging_smtp_server_times_out_and_a_later_retry_sends_exactly_once(t) {
        let port = hanging_server().await;
        let (_, b, _) = three_customers(&t).await;
        queue(&t, &[b]).await;
        let mut cfg = smtp_config(port);
        cfg.timeout = Duration::from_secs(1);
        let n = notifier(&t.app, Some(cfg), None, quick(2));
        assert_eq!(n.drain().await.unwrap().retrying, 1);
        assert!(row_of(&t, b).await.last_error.unwrap_or_default().starts_with("SMTP"));
        t.advance(MINUTE * 5);
        assert_eq!(n.drain().await.unwrap().dead, 1);

        // The relay is back; an administrator sends the dead letter again.
        let mut sink = SmtpSink::start("accept").await;
        let n = notifier(&t.app, Some(smtp_config(sink.port)), None, quick(2));
        let id = row_of(&t, b).await.id;
        let (s, _) = t.post("admin", &format!("/api/v1/admin/notifications/{id}/retry"), json!({})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(n.drain().await.unwrap().sent, 1);
        assert_eq!(sink.next().await["rcpt"], json!(["li.si@example.test"]));
        assert_eq!(n.drain().await.unwrap().claimed, 0);
        assert_eq!(row_of(&t, b).await.state, DeliveryState::Sent);
    }

    async fn the_sms_gateway_gets_the_configured_headers_and_body_and_a_500_is_retried(t) {
        let hook = WebhookSink::start(1).await;
        let (a, _, _) = three_customers(&t).await;
        queue(&t, &[a]).await;
        let n = notifier(&t.app, None, Some(hook.config()), quick(3));
        assert_eq!(n.drain().await.unwrap().retrying, 1);
        let r = row_of(&t, a).await;
        assert_eq!(r.last_error.as_deref(), Some("webhook: HTTP 500"));
        t.advance(MINUTE * 5);
        assert_eq!(n.drain().await.unwrap().sent, 1);

        let hits = hook.hits();
        assert_eq!(hits.len(), 2, "one failure, one success");
        for h in &hits {
            assert_eq!(h.headers["x-api-key"], "k-123");
            assert_eq!(h.headers["content-type"], "application/json");
            assert_eq!(h.headers["idempotency-key"], format!("pledge-notification-{}", r.id).as_str());
            let body: Value = serde_json::from_str(&h.body).expect("the body template yields JSON");
            assert_eq!((body["mobile"].as_str(), body["lang"].as_str()), (Some("13800000001"), Some("zh-CN")));
            assert_eq!(body["ref"], r.id.to_string());
            assert!(body["content"].as_str().unwrap().contains("城关镇将于2026-10-08 09:00起计划停止燃气供应"));
        }
        let r = row_of(&t, a).await;
        assert_eq!((r.state, r.sent_via, r.attempts, r.last_error), (DeliveryState::Sent, Some(ChannelKind::Sms), 2, None));
    }

    async fn the_background_worker_delivers_and_stops_cleanly(t) {
        let hook = WebhookSink::start(0).await;
        let (a, _, _) = three_customers(&t).await;
        queue(&t, &[a]).await;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = notifier(&t.app, None, Some(hook.config()), quick(3)).spawn(stopped);
        hook.wait_for(1).await;
        stop.send(true).unwrap();
        worker.await.expect("the worker stops without panicking");
        // It stopped after recording the round it was in.
        let row = row_of(&t, a).await;
        assert_eq!((row.state, row.attempts, hook.hits().len()), (DeliveryState::Sent, 1, 1));
    }

    async fn a_claimed_but_unrecorded_notification_is_sent_after_its_lease(t) {
        let hook = WebhookSink::start(0).await;
        let (a, _, _) = three_customers(&t).await;
        queue(&t, &[a]).await;
        // A worker claims the row and dies before sending or recording.
        let now = t.app.now().as_microsecond();
        let mut tx = t.store.begin().await.unwrap();
        let claimed = tx.claim_notifications("crashed", now, now + 300_000_000, 10).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(claimed.len(), 1);

        let n = notifier(&t.app, None, Some(hook.config()), quick(3));
        assert_eq!(n.drain().await.unwrap().claimed, 0, "the lease holds");
        t.advance(MINUTE * 5 + SignedDuration::from_secs(1));
        let r = n.drain().await.unwrap();
        assert_eq!((r.claimed, r.sent), (1, 1));
        assert_eq!(hook.hits().len(), 1);
        let row = row_of(&t, a).await;
        assert_eq!((row.state, row.attempts), (DeliveryState::Sent, 2));
        // The dead worker's late record changes nothing.
        let mut tx = t.store.begin().await.unwrap();
        assert!(!tx.record_failure(row.id, "crashed", "late", None, now).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(row_of(&t, a).await.state, DeliveryState::Sent);
    }

    async fn two_servers_never_deliver_one_notification_twice(t) {
        let hook = WebhookSink::start(0).await;
        let ids = many_customers(&t, 200).await;
        assert_eq!(queue(&t, &ids).await, 200);
        let other = t.another_server().await;
        let mut cfg = quick(3);
        cfg.batch = 10;
        cfg.concurrency = 4;
        let n1 = notifier(&t.app, None, Some(hook.config()), cfg.clone());
        let n2 = notifier(&other, None, Some(hook.config()), cfg);
        let (r1, r2) = tokio::join!(n1.drain(), n2.drain());
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert_eq!((r1.sent + r2.sent, r1.superseded + r2.superseded), (200, 0));
        let refs: Vec<String> = hook.hits().iter().map(|h| serde_json::from_str::<Value>(&h.body).unwrap()["ref"].as_str().unwrap().to_owned()).collect();
        assert_eq!(refs.len(), 200, "one request per notification");
        assert_eq!(refs.iter().collect::<HashSet<_>>().len(), 200, "no notification twice");
        assert!(rows(&t).await.iter().all(|n| n.state == DeliveryState::Sent && n.attempts == 1));
    }

    async fn a_breach_is_delivered_to_the_duty_manager_and_the_department_head(t) {
        let dept = t.department("ENG", "工程部").await;
        let t = t.with_staff(Role::HotlineAgent).await.with_staff(Role::DutyManager).await.with_named_staff("head1", Role::DepartmentHandler, Some(dept)).await;
        let (duty, head) = (t.id_of("duty_manager"), t.id_of("head1"));
        let (s, b) = t.send(Some("admin"), axum::http::Method::PUT, &format!("/api/v1/admin/departments/{dept}/head"), Some(json!({"staff_id": head}))).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        let (s, b) = t.send(Some("admin"), axum::http::Method::PUT, &format!("/api/v1/admin/staff/{duty}/contact"), Some(json!({"email": "not an address"}))).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_email")));
        let (s, _) = t.send(Some("admin"), axum::http::Method::PUT, &format!("/api/v1/admin/staff/{duty}/contact"), Some(json!({"email": "duty@utility.test", "locale": "en"}))).await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        let case = t.case("hotline_agent", "consultation", json!({})).await;
        let (s, b) = t.post("hotline_agent", &format!("/api/v1/cases/{}/transfer", case["id"]), json!({"department_id": dept, "reason": "需工程部答复"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        t.advance(SignedDuration::from_hours(24 * 11));
        let swept = t.app.sweep_clocks(100).await.unwrap();
        assert!(swept.breached >= 1);

        let n = notifier(&t.app, None, None, quick(3));
        let r = n.drain().await.unwrap();
        assert_eq!((r.claimed, r.sent), (2 * swept.breached, 2 * swept.breached));
        assert_eq!(n.drain().await.unwrap().claimed, 0);
        assert_eq!(t.another_server().await.fan_out_escalations(10).await.unwrap(), 0, "each escalation fans out once");

        let (_, list) = t.get("admin", "/api/v1/admin/notifications?topic=clock.escalated").await;
        let items = list["items"].as_array().unwrap();
        let to: HashSet<i64> = items.iter().map(|i| i["staff_id"].as_i64().unwrap()).collect();
        assert_eq!(to, HashSet::from([duty, head]));
        let duty_msg = items.iter().find(|i| i["staff_id"] == duty).unwrap();
        assert_eq!((duty_msg["channel"].as_str(), duty_msg["address"].as_str(), duty_msg["locale"].as_str()), (Some("email"), Some("duty@utility.test"), Some("en")));
        assert_eq!(duty_msg["vars"]["case_number"], case["number"]);
        assert_eq!(duty_msg["vars"]["department"], "工程部");
    }

    async fn templates_are_checked_when_saved_and_used_when_sending(t) {
        let t = t.with_staff(Role::HotlineAgent).await;
        let (s, list) = t.get("admin", "/api/v1/admin/notification-templates").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 20, "ten topics in two languages");
        assert!(list.as_array().unwrap().iter().all(|x| x["source"] == "shipped"));
        let (s, _) = t.get("hotline_agent", "/api/v1/admin/notification-templates").await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let put = |path: &str, body: Value| {
            let t = &t;
            let path = format!("/api/v1/admin/notification-templates/{path}");
            async move { t.send(Some("admin"), axum::http::Method::PUT, &path, Some(body)).await }
        };
        let (s, e) = put("outage.announced/zh-CN", json!({"subject": "停气", "body": "{area}停气，{customer_name}"})).await;
        assert_eq!((s, e["error"]["code"].as_str(), e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("template_unknown_placeholder"), Some("body")));
        assert!(e["error"]["message"].as_str().unwrap().starts_with("通知模板使用了该主题没有的占位符（"), "{e}");
        let (_, e) = put("outage.announced/zh-CN", json!({"subject": "停气", "body": "{area 停气"})).await;
        assert_eq!(e["error"]["code"], "template_unbalanced_braces");
        let (_, e) = put("outage.exploded/zh-CN", json!({"subject": "a", "body": "b"})).await;
        assert_eq!(e["error"]["code"], "template_unknown_topic");
        let (_, e) = put("outage.announced/fr", json!({"subject": "a", "body": "b"})).await;
        assert_eq!(e["error"]["code"], "invalid_locale");
        let en = axum::http::Request::builder()
            .method("PUT")
            .uri("/api/v1/admin/notification-templates/outage.announced/en")
            .header("authorization", format!("Bearer {}", t.token("admin")))
            .header("accept-language", "en")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(json!({"subject": "x", "body": "{customer_name}"}).to_string()))
            .unwrap();
        let (_, e) = t.raw(en).await;
        assert!(e["error"]["message"].as_str().unwrap().contains("{customer_name}"), "{e}");

        let (s, saved) = put("outage.announced/zh-CN", json!({"subject": "【停气】{area}", "body": "{area}停气，{{详询}}热线{hotline}。"})).await;
        assert_eq!((s, saved["source"].as_str()), (StatusCode::OK, Some("company")));

        let hook = WebhookSink::start(0).await;
        let (a, _, _) = three_customers(&t).await;
        queue(&t, &[a]).await;
        notifier(&t.app, None, Some(hook.config()), quick(3)).drain().await.unwrap();
        let body: Value = serde_json::from_str(&hook.hits()[0].body).unwrap();
        assert_eq!(body["content"], "城关镇停气，{详询}热线0356-96000。");
    }
}
