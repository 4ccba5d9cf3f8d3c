//! Outage pages of the staff console, driven in-process like a browser:
//! a dispatcher enters, announces and restores an outage through the forms,
//! a hotline agent sees the outage on the customer panel, and the pages
//! refuse cross-site posts and steps by roles that do not manage outages.

use crate::console::{Browser, assert_translated};
use crate::on_both;
use crate::outages::{create, network, staffed};
use axum::http::StatusCode;
use serde_json::json;

/// The outage id a `/outages/{id}` redirect names.
fn outage_id(location: &str) -> i64 {
    location.trim_start_matches("/outages/").parse().unwrap_or_else(|_| panic!("not an outage page: {location}"))
}

/// The state shown in the page heading.
fn state_of(body: &str) -> &str {
    body.split("id=\"outage-state\"")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap_or("")
}

on_both! {
    async fn a_dispatcher_enters_announces_and_restores_an_outage_from_the_console(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let mut disp = Browser::signed_in(&t, "dispatcher").await;
        let list = disp.get("/outages").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("href=\"/outages\"") && list.body.contains("id=\"new-outage\""), "nav link and the new-outage link");
        let form = disp.get("/outages/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains(&format!("value=\"{}\"", net.b1)) && form.body.contains("1 号楼"), "the node select offers the network");
        assert_translated(&form);

        // Now is 30 Sep 10:00 in Shanghai; this starts 23 hours from now.
        let b1 = net.b1.to_string();
        let fields = [("utility", "gas"), ("kind", "planned"), ("effect", "stop"), ("node_id", b1.as_str()), ("reason", "中压管道改线施工"),
            ("area", "人民路 1 号楼"), ("starts_at", "2026-10-01T09:00"), ("expected_restore_at", "2026-10-01T12:00")];
        let p = disp.post("/outages/new", &fields).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let id = outage_id(p.location.as_deref().unwrap());
        let page = disp.get(&format!("/outages/{id}")).await;
        assert_eq!(state_of(&page.body), "草稿");
        assert!(page.body.contains("2026-10-01 09:00") && page.body.contains("2026-10-01 12:00"), "times read back in Shanghai time");
        assert!(page.body.contains("id=\"outage-affected\">3<"), "three customers below building 1");
        assert!(page.body.contains("id=\"do-announce\"") && !page.body.contains("id=\"do-restore\""), "a draft can be announced, not restored");
        assert!(!page.body.contains("id=\"announce-override\""), "a dispatcher may not override the lead time");
        assert_translated(&page);

        let list = disp.get("/outages").await;
        assert!(list.body.contains("中压管道改线施工") && list.body.contains("人民路 1 号楼") && list.body.contains(&format!("href=\"/outages/{id}\"")), "{}", list.body);
        assert!(!disp.get("/outages?utility=water").await.body.contains("中压管道改线施工"), "the utility filter");

        let refused = disp.post(&format!("/outages/{id}/do/announce"), &[]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.body.contains("id=\"outage-error\"") && refused.body.contains("C3：燃气用户须在停供开始前 48 小时得到通知"), "{}", refused.body);
        assert_eq!(state_of(&refused.body), "草稿", "nothing changed");
        disp.cookies.push(("pledge_lang".into(), "en".into()));
        let refused = disp.post(&format!("/outages/{id}/do/announce"), &[]).await;
        assert!(refused.body.contains("48") && refused.body.contains("Announce"), "the refusal in English: {}", refused.body);
        disp.cookies.retain(|(k, _)| k != "pledge_lang");

        let mut duty = Browser::signed_in(&t, "duty_manager").await;
        let page = duty.get(&format!("/outages/{id}")).await;
        assert!(page.body.contains("id=\"announce-override\""), "a duty manager may give a reason to announce late");
        let page = duty.submit(&format!("/outages/{id}/do/announce"), &[("override_reason", "抢修后必须立即改线")]).await;
        assert_eq!(state_of(&page.body), "已公告");
        assert!(page.body.contains("抢修后必须立即改线"), "the override reason is shown");
        assert!(page.body.contains("id=\"deliveries\"") && page.body.contains("<td>3</td>"), "three notices queued: {}", page.body);
        assert!(page.body.contains("200001") || page.body.contains("200002"), "the affected customers are listed");

        let page = disp.submit(&format!("/outages/{id}/do/start"), &[]).await;
        assert_eq!(state_of(&page.body), "停供中");
        let page = disp.submit(&format!("/outages/{id}/do/restore_notice"), &[("restore_at", "2026-10-01T11:00")]).await;
        assert_eq!(state_of(&page.body), "已通知恢复");
        assert!(page.body.contains("id=\"outage-expected\">2026-10-01 11:00<"), "the new restoration time");
        t.advance(jiff::SignedDuration::from_mins(30)); // C5: 30 minutes after the notice
        let page = disp.submit(&format!("/outages/{id}/do/restore"), &[]).await;
        assert_eq!(state_of(&page.body), "已恢复");
        assert!(!page.body.contains("/do/"), "a restored outage takes no more steps");
        assert!(!disp.get("/outages").await.body.contains("中压管道改线施工"), "the list shows open outages by default");
        assert!(disp.get("/outages?state=all").await.body.contains("中压管道改线施工"), "and all on request");
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn bad_input_on_the_new_outage_form_is_explained_and_kept(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let mut disp = Browser::signed_in(&t, "dispatcher").await;
        let a1 = net.a1.to_string();
        let bad = disp.post("/outages/new", &[("utility", "gas"), ("kind", "planned"), ("node_id", a1.as_str()), ("reason", "阀门检修"),
            ("area", "人民路片区"), ("starts_at", "2026-10-05T09:00"), ("expected_restore_at", "2026-10-05T08:00")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("value=\"阀门检修\""), "a message, and what was typed is kept");
        let (_, list) = t.get("dispatcher", "/api/v1/outages").await;
        assert_eq!(list["total"], 0);
    }

    async fn a_hotline_agent_sees_the_outage_on_the_customer_panel(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let (s, o) = create(&t, "dispatcher", json!({"kind": "emergency", "node_id": net.b1, "reason": "燃气管道被施工挖断", "area": "人民路 1 号楼",
            "starts_at": "2026-09-30T09:30:00+08:00", "expected_restore_at": "2026-09-30T18:00:00+08:00"})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let mut agent = Browser::signed_in(&t, "hotline_agent").await;
        let panel = agent.get(&format!("/intake/customers/{}", net.in_b1[0])).await;
        assert_eq!(panel.status, StatusCode::OK);
        assert!(panel.body.contains("该用户所在区域正在停供"), "{}", panel.body);
        assert!(panel.body.contains("燃气管道被施工挖断") && panel.body.contains("人民路 1 号楼") && panel.body.contains("预计恢复时间：2026-09-30 18:00"), "{}", panel.body);
        assert_translated(&panel);
        let elsewhere = agent.get(&format!("/intake/customers/{}", net.in_a2[0])).await;
        assert!(!elsewhere.body.contains("该用户所在区域正在停供") && !elsewhere.body.contains("燃气管道被施工挖断"), "a customer on another branch is not affected");
        agent.cookies.push(("pledge_lang".into(), "en".into()));
        let panel = agent.get(&format!("/intake/customers/{}", net.in_b1[0])).await;
        assert!(panel.body.contains("under an outage") && panel.body.contains("expected back by 2026-09-30 18:00"), "{}", panel.body);
    }

    async fn outage_forms_refuse_other_sites_and_roles_that_do_not_manage_outages(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let mut disp = Browser::signed_in(&t, "dispatcher").await;
        let a1 = net.a1.to_string();
        let fields = [("utility", "gas"), ("kind", "planned"), ("node_id", a1.as_str()), ("reason", "阀门检修"), ("area", "人民路片区"),
            ("starts_at", "2026-10-05T09:00"), ("expected_restore_at", "2026-10-05T17:00")];
        disp.origin = Some("http://evil.test");
        assert_eq!(disp.post("/outages/new", &fields).await.status, StatusCode::FORBIDDEN, "another site's Origin");
        disp.origin = None;
        assert_eq!(disp.post("/outages/new", &fields).await.status, StatusCode::FORBIDDEN, "no Origin at all");
        let (_, list) = t.get("dispatcher", "/api/v1/outages").await;
        assert_eq!(list["total"], 0, "nothing was created");
        disp.origin = Some(crate::console::ORIGIN);
        let p = disp.post("/outages/new", &fields).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let id = outage_id(p.location.as_deref().unwrap());
        disp.origin = Some("http://evil.test");
        assert_eq!(disp.post(&format!("/outages/{id}/do/cancel"), &[("reason", "跨站")]).await.status, StatusCode::FORBIDDEN);

        let mut agent = Browser::signed_in(&t, "hotline_agent").await;
        let list = agent.get("/outages").await;
        assert!(list.status == StatusCode::OK && list.body.contains("阀门检修"), "others can read the list");
        assert!(!list.body.contains("id=\"new-outage\""), "but get no new-outage link");
        let page = agent.get(&format!("/outages/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("阀门检修") && !page.body.contains("/do/"), "read-only: no step forms");
        assert_eq!(agent.get("/outages/new").await.status, StatusCode::FORBIDDEN);
        let refused = agent.post(&format!("/outages/{id}/do/cancel"), &[("reason", "不需要了")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("您的角色无权执行此操作"), "{}", refused.body);
        let refused = agent.post("/outages/new", &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let (_, o) = t.get("dispatcher", &format!("/api/v1/outages/{id}")).await;
        assert_eq!(o["state"], "draft", "still a draft");
        let (_, list) = t.get("dispatcher", "/api/v1/outages").await;
        assert_eq!(list["total"], 1, "the agent created nothing");
    }

    async fn a_dispatcher_decides_suspected_outages_on_the_list(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        for c in [net.in_b1[0], net.in_b1[1], net.in_b2[0]] {
            t.case("hotline_agent", "repair", json!({"customer_id": c, "subkind": "no_supply"})).await;
        }
        let (_, raised) = t.get("dispatcher", "/api/v1/outages/suspected").await;
        let sid = raised["items"][0]["id"].as_i64().expect("three calls below one area raise a suspected outage");
        let mut agent = Browser::signed_in(&t, "hotline_agent").await;
        let list = agent.get("/outages").await;
        assert!(list.body.contains(&format!("id=\"suspect-{sid}\"")) && !list.body.contains("/outages/suspected/"), "agents see it without the buttons");
        let mut disp = Browser::signed_in(&t, "dispatcher").await;
        let list = disp.get("/outages").await;
        let section = list.body.split(&format!("id=\"suspect-{sid}\"")).nth(1).expect("the suspected outage is listed");
        assert!(section.contains("人民路片区") && section.contains("<strong>3</strong>") && section.contains("待确认"), "{section}");
        assert!(section.contains(&format!("action=\"/outages/suspected/{sid}/confirm\"")) && section.contains(&format!("action=\"/outages/suspected/{sid}/dismiss\"")));

        let bad = disp.post(&format!("/outages/suspected/{sid}/dismiss"), &[("note", " ")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "a dismissal needs a note");
        assert!(bad.body.contains("role=\"alert\"") && bad.body.contains(&format!("id=\"suspect-{sid}\"")), "explained on the list, still open");

        assert!(section.contains(&format!("id=\"sc-announce-{sid}\" name=\"announce\" type=\"checkbox\" value=\"1\" checked")) && section.contains("同时发布停供通知"),
            "confirming offers announcing in the same step, checked by default: {section}");
        let p = disp.post(&format!("/outages/suspected/{sid}/confirm"), &[("reason", "调压箱故障"), ("area", "人民路片区"), ("expected_restore_at", "2026-09-30T16:00"), ("announce", "1")]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let outage: i64 = p.location.as_deref().unwrap().rsplit('/').next().unwrap().parse().unwrap();
        let (_, d) = t.get("dispatcher", &format!("/api/v1/outages/{outage}")).await;
        assert!(d["announced_at"].is_string(), "announced with the confirmation: {d}");
        let page = disp.get(p.location.as_deref().unwrap()).await;
        assert_eq!(state_of(&page.body), "停供中");
        assert!(page.body.contains("调压箱故障") && page.body.contains("id=\"outage-expected\">2026-09-30 16:00<"));
        assert_eq!(page.body.matches("<li><a href=\"/cases/").count(), 3, "the three calls hang under it");
        assert!(!disp.get("/outages").await.body.contains(&format!("id=\"suspect-{sid}\"")), "a decided group leaves the list");
    }
}
