//! Staff console scenarios, driven through the router in-process like a
//! browser would: a session cookie, HTML forms posted from our own origin,
//! redirects followed by hand.

use crate::on_both;
use crate::support::{PASSWORD, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use pledge_domain::Role;
use tower::ServiceExt;

const HOST: &str = "desk.test";
pub(crate) const ORIGIN: &str = "http://desk.test";

/// What came back: status, the redirect target, the body as text.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) location: Option<String>,
    pub(crate) body: String,
}

fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// A browser with one cookie jar (the session and the language).
pub(crate) struct Browser<'a> {
    t: &'a TestApp,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) origin: Option<&'static str>,
}

impl<'a> Browser<'a> {
    fn new(t: &'a TestApp) -> Self {
        Browser { t, cookies: Vec::new(), origin: Some(ORIGIN) }
    }

    pub(crate) async fn signed_in(t: &'a TestApp, username: &str) -> Browser<'a> {
        let mut b = Browser::new(t);
        let p = b.post("/login", &[("username", username), ("password", PASSWORD)]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "sign-in of {username} failed: {}", p.body);
        b
    }

    async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Page {
        let mut req = req.header(header::HOST, HOST);
        if !self.cookies.is_empty() {
            let jar = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req = req.header(header::COOKIE, jar);
        }
        let res = self.t.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
        for c in res.headers().get_all(header::SET_COOKIE) {
            let first = c.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = first.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        let status = res.status();
        let location = res.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned());
        let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        Page { status, location, body }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path), Body::empty()).await
    }

    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = self.origin {
            req = req.header(header::ORIGIN, o);
        }
        self.send(req, Body::from(form(fields))).await
    }

    /// Posts a form and follows the redirect to the page it leads to.
    pub(crate) async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let p = self.post(path, fields).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "POST {path} was not accepted: {} {}", p.status, p.body);
        let to = p.location.clone().unwrap();
        self.get(&to).await
    }
}

/// The case id a `/cases/{id}?new=1` redirect names.
fn case_id(location: &str) -> i64 {
    location.trim_start_matches("/cases/").split('?').next().unwrap().parse().unwrap()
}

async fn staffed(t: TestApp) -> (TestApp, i64) {
    let csc = t.department("CSC", "客户服务中心").await;
    let ops = t.department("GAS-OPS", "燃气运行部").await;
    t.department("GMO2", "综合管理").await;
    let t = t
        .with_named_staff("agent", Role::HotlineAgent, Some(csc))
        .await
        .with_named_staff("handler", Role::DepartmentHandler, Some(ops))
        .await
        .with_named_staff("duty", Role::DutyManager, Some(csc))
        .await
        .with_named_staff("supervisor", Role::QualitySupervisor, None)
        .await;
    (t, ops.get())
}

pub(crate) fn assert_translated(p: &Page) {
    assert!(!p.body.contains("[?]"), "a UI string is missing its translation:\n{}", p.body);
}

#[test]
fn the_sign_in_page_is_pinned() {
    // The sign-in page needs no database: render it straight from the template.
    insta::assert_snapshot!("console_login", pledge_web::console::login_html(pledge_web::i18n::Lang::Zh).unwrap());
    let en = pledge_web::console::login_html(pledge_web::i18n::Lang::En).unwrap();
    assert!(en.contains("Staff sign-in") && en.contains("lang=\"en\""));
}

on_both! {
    async fn strangers_are_sent_to_sign_in_and_staff_to_their_home_screen(t) {
        let (t, _) = staffed(t).await;
        let mut anon = Browser::new(&t);
        for path in ["/", "/intake", "/cases/1", "/queues/mine", "/board", "/phrases"] {
            let p = anon.get(path).await;
            assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")), "{path}");
        }
        let p = anon.get("/login").await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("员工登录"));

        let wrong = anon.post("/login", &[("username", "agent"), ("password", "not-the-password")]).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("用户名或密码不正确"));

        let p = anon.post("/login", &[("username", "agent"), ("password", PASSWORD)]).await;
        assert_eq!(p.location.as_deref(), Some("/intake"));
        assert!(p.status == StatusCode::SEE_OTHER && anon.cookies.iter().any(|(k, _)| k == "pledge_session"));
        let home = anon.get("/intake").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("agent 测试") && home.body.contains("热线坐席") && home.body.contains("客户服务中心"), "name, role and department are shown");
        assert_translated(&home);

        let mut duty = Browser::signed_in(&t, "duty").await;
        assert_eq!(duty.get("/").await.location.as_deref(), Some("/board"));
        let mut handler = Browser::signed_in(&t, "handler").await;
        assert_eq!(handler.get("/").await.location.as_deref(), Some("/queues/mine"));
        let page = handler.get("/queues/mine").await;
        assert!(!page.body.contains("href=\"/intake\""), "a handler, who cannot receive cases, gets no intake link");

        let out = anon.post("/logout", &[]).await;
        assert_eq!(out.location.as_deref(), Some("/login"));
        assert_eq!(anon.get("/intake").await.location.as_deref(), Some("/login"), "the session is over");
    }

    async fn a_form_posted_from_another_site_is_refused_and_changes_nothing(t) {
        let (t, _) = staffed(t).await;
        let mut agent = Browser::signed_in(&t, "agent").await;
        let fields = [("utility", "gas"), ("kind", "consultation"), ("channel", "phone"), ("subject", "跨站"), ("description", "跨站提交")];
        agent.origin = None;
        assert_eq!(agent.post("/intake", &fields).await.status, StatusCode::FORBIDDEN, "no Origin or Referer");
        agent.origin = Some("http://evil.test");
        assert_eq!(agent.post("/intake", &fields).await.status, StatusCode::FORBIDDEN, "another site's Origin");
        let (_, list) = t.get("agent", "/api/v1/cases").await;
        assert_eq!(list["total"], 0, "nothing was created");
        agent.origin = Some(ORIGIN);
        assert_eq!(agent.post("/intake", &fields).await.status, StatusCode::SEE_OTHER, "our own origin is accepted");
    }

    async fn an_agent_finds_the_customer_receives_a_complaint_and_a_handler_answers_it(t) {
        let (t, ops) = staffed(t).await;
        let customer = t.customer("1000123456", "张秀英", "13912345678").await;
        let mut agent = Browser::signed_in(&t, "agent").await;

        let hits = agent.get("/intake/customers?q=3912345").await;
        assert_eq!(hits.status, StatusCode::OK);
        assert!(hits.body.contains("张秀英") && hits.body.contains(&format!("data-id=\"{customer}\"")), "{}", hits.body);
        assert!(!agent.get("/intake/customers?q=0000000").await.body.contains("张秀英"));
        for q in ["10001234", "139123", "%E5%BC%A0%E7%A7%80", "%E4%BA%BA%E6%B0%91%E8%B7%AF"] {
            // customer-number prefix, phone prefix, part of the name (张秀), part of the address (人民路)
            assert!(agent.get(&format!("/intake/customers?q={q}")).await.body.contains("张秀英"), "{q}");
        }
        assert!(!agent.get("/intake/customers?q=2000").await.body.contains("张秀英"), "a number that matches nothing");
        let panel = agent.get(&format!("/intake/customers/{customer}")).await;
        assert!(panel.body.contains("1000123456") && panel.body.contains("城关镇"), "{}", panel.body);

        let cid = customer.to_string();
        let p = agent
            .post("/intake", &[("customer_id", &cid), ("utility", "gas"), ("kind", "complaint"), ("channel", "phone"), ("subject", "维修人员未按约上门"),
                ("description", "用户反映约定上午上门，至今无人"), ("contact_name", "张秀英"), ("contact_phone", "13912345678")])
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let id = case_id(p.location.as_deref().unwrap());
        let page = agent.get(p.location.as_deref().unwrap()).await;
        assert!(page.body.contains("请告知用户答复期限") && page.body.contains("id=\"reply-due\">2026-"), "the deadline to tell the customer is stated");
        assert_translated(&page);
        let receipt = agent.get(&format!("/cases/{id}/receipt")).await;
        assert!(receipt.body.contains("0356-96000") && receipt.body.contains("受理回执") && receipt.body.contains("GAS-20260930-"), "{}", receipt.body);

        let ops_s = ops.to_string();
        let page = agent.submit(&format!("/cases/{id}/do/transfer"), &[("department_id", &ops_s), ("reason", "属燃气运行部职责")]).await;
        assert!(page.body.contains("已转办") && page.body.contains("燃气运行部"), "{}", page.body);
        let form = agent.get(&format!("/cases/{id}/complaint-form")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert_eq!(form.body.matches("class=\"form-copy\"").count(), 3, "three copies");
        assert!(form.body.contains("存档联") && form.body.contains("承办部门联") && form.body.contains("综合管理联"));
        assert!(agent.get("/queues/first-responder").await.body.contains("维修人员未按约上门"), "the first responder keeps seeing it");

        let mut handler = Browser::signed_in(&t, "handler").await;
        let queue = handler.get("/queues/department").await;
        assert!(queue.body.contains("维修人员未按约上门") && queue.body.contains("id=\"count-department\">1<"), "{}", queue.body);
        let page = handler.submit(&format!("/cases/{id}/do/start"), &[]).await;
        assert!(page.body.contains("id=\"case-state\">处理中<"), "work started");
        let page = handler.submit(&format!("/cases/{id}/do/wait_customer"), &[]).await;
        assert!(page.body.contains("id=\"case-state\">等待用户<") && page.body.contains("已暂停"), "waiting on the customer pauses the clock");
        let page = handler.submit(&format!("/cases/{id}/do/resume"), &[]).await;
        assert!(page.body.contains("id=\"case-state\">处理中<"));
        let page = handler.submit(&format!("/cases/{id}/do/reply"), &[("body", "已联系用户重新预约并上门处理"), ("final", "1")]).await;
        assert!(page.body.contains("已答复") && page.body.contains("已联系用户重新预约并上门处理"));
        let page = handler.submit(&format!("/cases/{id}/do/close"), &[("summary", "用户认可")]).await;
        assert!(page.body.contains("id=\"case-state\">已办结<"), "closed");
        assert!(!agent.get("/queues/first-responder").await.body.contains("维修人员未按约上门"), "closed cases leave 首问跟踪");

        let refused = handler.post(&format!("/cases/{id}/do/reply"), &[("body", "再次答复"), ("final", "1")]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "a closed case takes no reply");
        assert!(refused.body.contains("工单当前状态不允许此操作"));
    }

    async fn answered_on_the_spot_closes_at_once_and_bad_input_is_explained(t) {
        let (t, _) = staffed(t).await;
        let mut agent = Browser::signed_in(&t, "agent").await;
        let page = agent
            .submit("/intake", &[("utility", "water"), ("kind", "consultation"), ("channel", "phone"), ("subject", "营业时间"), ("description", "询问营业厅周末是否办公"),
                ("on_spot", "1"), ("answer", "周末正常办公，9:00–17:00")])
            .await;
        assert!(page.body.contains("已当场答复并办结") && page.body.contains("id=\"case-state\">已办结<"), "{}", page.body);

        let bad = agent.post("/intake", &[("utility", "water"), ("kind", "consultation"), ("channel", "phone"), ("subject", ""), ("description", "缺标题")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("请填写 1 至 100 个字符的标题") && bad.body.contains("缺标题"), "the message, and what was typed is kept");
        agent.cookies.push(("pledge_lang".into(), "en".into()));
        let bad = agent.post("/intake", &[("utility", "water"), ("kind", "consultation"), ("channel", "phone"), ("subject", ""), ("description", "x")]).await;
        assert!(bad.body.contains("a subject of 1–100 characters is required") && bad.body.contains("Record the matter"), "English on request");
        assert_translated(&bad);
    }

    async fn returns_duplicates_assignment_and_reopening_work_from_the_case_page(t) {
        let (t, ops) = staffed(t).await;
        let first = t.case("agent", "repair", serde_json::json!({"subkind": "inside_meter", "subject": "燃气表漏气"})).await;
        let repeat = t.case("agent", "repair", serde_json::json!({"subkind": "inside_meter", "subject": "燃气表漏气（再次来电）"})).await;
        let (id, rid) = (first["id"].as_i64().unwrap(), repeat["id"].as_i64().unwrap());
        let mut agent = Browser::signed_in(&t, "agent").await;
        let number = first["number"].as_str().unwrap();
        let page = agent.submit(&format!("/cases/{rid}/do/link"), &[("original", number)]).await;
        assert!(page.body.contains(&format!("href=\"/cases/{id}\"")), "the repeat call points at the original");
        let bad = agent.post(&format!("/cases/{rid}/do/link"), &[("original", "not-a-number")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("工单不存在"));

        let ops_s = ops.to_string();
        agent.submit(&format!("/cases/{id}/do/transfer"), &[("department_id", &ops_s), ("reason", "")]).await;
        let mut handler = Browser::signed_in(&t, "handler").await;
        let no_reason = handler.post(&format!("/cases/{id}/do/return"), &[("reason", "  ")]).await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.body.contains("请填写原因"));
        let page = handler.submit(&format!("/cases/{id}/do/return"), &[("reason", "表内漏气属计量部门")]).await;
        assert!(page.body.contains("已退单") && page.body.contains("表内漏气属计量部门"));
        let mut duty = Browser::signed_in(&t, "duty").await;
        let board = duty.get("/board").await;
        let returned = board.body.split("id=\"ret-h\"").nth(1).unwrap();
        assert!(returned.contains("燃气表漏气"), "the return waits for a decision on the board");

        let handler_id = t.id_of("handler").to_string();
        let page = duty.submit(&format!("/cases/{id}/do/assign"), &[("staff_id", &handler_id)]).await;
        assert!(page.body.contains("handler 测试"), "assigned");
        // The duty manager decides: the case is worked where it is.
        duty.submit(&format!("/cases/{id}/do/start"), &[]).await;
        duty.submit(&format!("/cases/{id}/do/reply"), &[("body", "已更换表具"), ("final", "1")]).await;
        duty.submit(&format!("/cases/{id}/do/close"), &[("summary", "已处理")]).await;
        let page = duty.submit(&format!("/cases/{id}/do/reopen"), &[("reason", "用户回访不满意")]).await;
        assert!(page.body.contains("用户回访不满意") && !page.body.contains("id=\"case-state\">已办结<"), "reopened");
    }

    async fn a_reporters_identity_is_masked_on_the_page_for_roles_without_the_right(t) {
        let (t, _) = staffed(t).await;
        let case = t.case("agent", "report", serde_json::json!({"contact_name": "李建华", "contact_phone": "13800001111"})).await;
        let id = case["id"].as_i64().unwrap();
        let mut handler = Browser::signed_in(&t, "handler").await;
        let page = handler.get(&format!("/cases/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("李建华") && !page.body.contains("13800001111") && page.body.contains("已隐藏"), "{}", page.body);
        let mut supervisor = Browser::signed_in(&t, "supervisor").await;
        let page = supervisor.get(&format!("/cases/{id}")).await;
        assert!(page.body.contains("李建华") && page.body.contains("13800001111"));
    }

    async fn the_duty_board_shows_breaches_and_decides_extension_requests(t) {
        let (t, _) = staffed(t).await;
        let case = t.case("agent", "consultation", serde_json::json!({"subject": "咨询开户资料"})).await;
        let id = case["id"].as_i64().unwrap();
        let mut duty = Browser::signed_in(&t, "duty").await;
        assert!(!duty.get("/board").await.body.contains("咨询开户资料"));

        // A handler asks for more time on the 3-working-day clock.
        let (_, detail) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        let clock = detail["clocks"][0]["id"].as_i64().expect("the case has a clock").to_string();
        let mut agent = Browser::signed_in(&t, "agent").await;
        let page = agent.submit(&format!("/cases/{id}/do/request_extension"), &[("clock_id", &clock), ("new_due", "2026-10-20T17:00"), ("reason", "需现场勘查")]).await;
        assert!(page.body.contains("待审批") && page.body.contains("需现场勘查"), "{}", page.body);
        let board = duty.get("/board").await;
        assert!(board.body.contains("需现场勘查") && board.body.contains("2026-10-20 17:00"), "the request waits on the board");
        let at_risk = |html: &str| html.split("id=\"at-risk\"").nth(1).unwrap().split("</ul>").next().unwrap().contains("咨询开户资料");
        assert!(!at_risk(&board.body), "due in days, not in the next 4 hours");
        assert!(duty.get("/board?hours=500").await.body.contains("(72 h)"), "the look-ahead is capped at 72 hours");
        let req = t.app.pending_extensions(&t.admin, 10).await.unwrap()[0].id.to_string();
        let refused = agent.post(&format!("/cases/{id}/do/decide_extension"), &[("request_id", &req), ("decision", "approve")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "an agent cannot approve");
        let page = duty.submit(&format!("/cases/{id}/do/decide_extension"), &[("request_id", &req), ("decision", "approve")]).await;
        assert!(page.body.contains("已批准") && page.body.contains("延期（已批准）"), "{}", page.body);
        let (_, detail) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        assert!(detail["clocks"][0]["due_at"].as_str().unwrap().starts_with("2026-10-20T17:00:00+08:00"), "the deadline moved: {}", detail["clocks"][0]);

        // Past the new deadline the sweeper breaches it and the board shows it.
        t.advance(jiff::SignedDuration::from_hours(24 * 30));
        t.app.sweep_clocks(100).await.unwrap();
        // A month later the morning's sessions have expired: sign in again.
        assert_eq!(duty.get("/board").await.location.as_deref(), Some("/login"));
        let mut duty = Browser::signed_in(&t, "duty").await;
        let mut agent = Browser::signed_in(&t, "agent").await;
        let board = duty.get("/board").await;
        let breached = board.body.split("id=\"breached\"").nth(1).unwrap().split("</ul>").next().unwrap();
        assert!(breached.contains("咨询开户资料") && breached.contains("已超时"), "{breached}");
        let queue = agent.get("/queues/first-responder").await;
        assert!(queue.body.contains("class=\"dl-breached\""), "the queue colours the breach");
        let audit = t.app.audit_verify().await.unwrap();
        assert!(audit.is_clean(), "requests and decisions replay cleanly: {:?}", audit.findings);
    }

    async fn administrators_edit_the_phrase_library_and_others_only_read_it(t) {
        let (t, _) = staffed(t).await;
        let mut agent = Browser::signed_in(&t, "agent").await;
        let page = agent.get("/phrases").await;
        assert!(page.body.contains("请您稍等片刻") && !page.body.contains("<textarea"), "defaults shown, no edit form");
        let refused = agent.post("/phrases/greeting", &[("text_zh", "喂"), ("text_en", "Hi")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let mut admin = Browser::signed_in(&t, "admin").await;
        let page = admin.submit("/phrases/greeting", &[("text_zh", "您好，青禾公用事业客服，请讲。"), ("text_en", "Hello, Qinghe utilities, how can I help?")]).await;
        assert!(page.body.contains("已保存") && page.body.contains("您好，青禾公用事业客服，请讲。"));
        let intake = agent.get("/intake").await;
        assert!(intake.body.contains("您好，青禾公用事业客服，请讲。"), "the panel on intake shows the company's wording");
        agent.cookies.push(("pledge_lang".into(), "en".into()));
        assert!(agent.get("/intake").await.body.contains("Hello, Qinghe utilities, how can I help?"));
        assert_eq!(admin.post("/phrases/no_such_situation", &[("text_zh", "x"), ("text_en", "x")]).await.status, StatusCode::NOT_FOUND);
    }

    async fn the_language_follows_the_switch_then_the_browser(t) {
        let (t, _) = staffed(t).await;
        let mut agent = Browser::signed_in(&t, "agent").await;
        let req = Request::get("/queues/mine").header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9");
        let p = agent.send(req, Body::empty()).await;
        assert!(p.body.contains("My cases") && p.body.contains("lang=\"en\""), "Accept-Language picks English");
        let switch = agent.send(Request::get("/lang/zh").header(header::REFERER, "http://desk.test/queues/mine"), Body::empty()).await;
        assert_eq!(switch.location.as_deref(), Some("/queues/mine"), "back to the page it came from");
        let req = Request::get("/queues/mine").header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9");
        assert!(agent.send(req, Body::empty()).await.body.contains("我的工单"), "the switch wins over the browser");
        let away = agent.send(Request::get("/lang/en").header(header::REFERER, "http://evil.test/x"), Body::empty()).await;
        assert_eq!(away.location.as_deref(), Some("/"), "never back to another site");
        let css = agent.get("/assets/console.css").await;
        assert!(css.status == StatusCode::OK && css.body.contains("@media print"));
        assert_eq!(agent.get("/assets/nothing.js").await.status, StatusCode::NOT_FOUND);
    }

    async fn a_duty_manager_withdraws_a_clock_from_the_case_page_and_others_cannot(t) {
        let (t, _) = staffed(t).await;
        let case = t.case("agent", "consultation", serde_json::json!({"subject": "咨询停水安排"})).await;
        let other = t.case("agent", "consultation", serde_json::json!({"subject": "咨询开户资料"})).await;
        let (id, other_id) = (case["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());
        let clock_of = |d: &serde_json::Value| d["clocks"][0]["id"].as_i64().expect("the case has a clock").to_string();
        let (_, detail) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        let clock = clock_of(&detail);
        let (_, detail) = t.get("agent", &format!("/api/v1/cases/{other_id}")).await;
        let other_clock = clock_of(&detail);
        let path = format!("/cases/{id}/do/withdraw_clock");
        let form_action = format!("action=\"{path}\"");

        let mut agent = Browser::signed_in(&t, "agent").await;
        let page = agent.get(&format!("/cases/{id}")).await;
        assert!(!page.body.contains(&form_action) && !page.body.contains("撤销时限"), "an agent is offered no withdrawal");
        let refused = agent.post(&path, &[("clock_id", &clock), ("reason", "用户已自行解决")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("您的角色无权执行此操作") && refused.body.contains("咨询停水安排"), "the page again, with why");

        let mut duty = Browser::signed_in(&t, "duty").await;
        let page = duty.get(&format!("/cases/{id}")).await;
        assert!(page.body.contains(&form_action) && page.body.contains("撤销时限") && page.body.contains(&format!("name=\"clock_id\" value=\"{clock}\"")), "{}", page.body);
        assert_translated(&page);
        let no_reason = duty.post(&path, &[("clock_id", &clock), ("reason", "  ")]).await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.body.contains("撤销时限须填写原因"), "{}", no_reason.body);
        let elsewhere = duty.post(&path, &[("clock_id", &other_clock), ("reason", "走错工单")]).await;
        assert_eq!(elsewhere.status, StatusCode::NOT_FOUND, "a clock of another case is not this page's to withdraw");
        let (_, detail) = t.get("agent", &format!("/api/v1/cases/{other_id}")).await;
        assert_eq!(detail["clocks"][0]["state"], "running", "and it keeps running");

        let page = duty.submit(&path, &[("clock_id", &clock), ("reason", "用户来电告知已自行解决，无需答复")]).await;
        let row = page.body.split(&format!("id=\"clock-{clock}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("已撤销") && row.contains("决定撤销 · 用户来电告知已自行解决，无需答复"), "the outcome and the reason: {row}");
        assert!(!row.contains(&form_action), "an ended clock cannot be withdrawn again");
        assert!(page.body.contains("<strong>撤销时限</strong>"), "the timeline says so");
        assert_translated(&page);
        let (_, detail) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        assert_eq!(detail["clocks"][0]["outcome"], "withdrawn");
        assert!(detail["deadline"].is_null(), "no deadline is left");
        let again = duty.post(&path, &[("clock_id", &clock), ("reason", "再次撤销")]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("该时限已结束，不能撤销"));
        duty.cookies.push(("pledge_lang".into(), "en".into()));
        let page = duty.get(&format!("/cases/{id}")).await;
        assert!(page.body.contains("withdrawn") && page.body.contains("By decision · 用户来电告知已自行解决") && page.body.contains("Deadline withdrawn"));
        let no_reason = duty.post(&format!("/cases/{other_id}/do/withdraw_clock"), &[("clock_id", &other_clock), ("reason", "")]).await;
        assert!(no_reason.body.contains("withdrawing a clock needs a reason") && no_reason.body.contains("Withdraw deadline"), "English on request");
        assert_translated(&no_reason);

        // Overdue: the breach happened and cannot be withdrawn; the page offers no form.
        t.advance(jiff::SignedDuration::from_hours(24 * 30));
        let mut duty = Browser::signed_in(&t, "duty").await;
        let page = duty.get(&format!("/cases/{other_id}")).await;
        assert!(!page.body.contains(&format!("action=\"/cases/{other_id}/do/withdraw_clock\"")), "no form on an overdue clock");
        let late = duty.post(&format!("/cases/{other_id}/do/withdraw_clock"), &[("clock_id", &other_clock), ("reason", "太晚了")]).await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        assert!(late.body.contains("该时限已到期，已发生的超时不能撤销"), "{}", late.body);
        let audit = t.app.audit_verify().await.unwrap();
        assert!(audit.is_clean(), "{:?}", audit.findings);
    }

    async fn intake_records_whether_the_customer_agrees_to_be_notified(t) {
        let (t, _) = staffed(t).await;
        let mut agent = Browser::signed_in(&t, "agent").await;
        let box_of = |html: &str| html.split("id=\"notify_consent\"").nth(1).unwrap().split('>').next().unwrap().to_owned();
        let page = agent.get("/intake").await;
        assert!(page.body.contains("同意接收办理进度通知") && page.body.contains("name=\"consent_for\" id=\"consent_for\" value=\"consultation\""), "{}", page.body);
        assert!(box_of(&page.body).contains("checked"), "ticked by default for the kind shown first");

        let mut consent_of = async |kind: &str, fields: &[(&str, &str)]| {
            let mut all = vec![("utility", "gas"), ("kind", kind), ("channel", "phone"), ("subject", "通知意愿"), ("description", "记录用户是否愿意接收通知")];
            all.extend_from_slice(fields);
            let p = agent.post("/intake", &all).await;
            assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
            let (_, d) = t.get("agent", &format!("/api/v1/cases/{}", case_id(p.location.as_deref().unwrap()))).await;
            d["case"]["notify_consent"].as_bool().unwrap()
        };
        // Without the box (another client's form): the API's default.
        assert!(consent_of("complaint", &[]).await);
        assert!(!consent_of("report", &[]).await, "a reporter is told only when they agree");
        // The box as ticked or not.
        assert!(!consent_of("complaint", &[("consent_for", "complaint")]).await, "unticked");
        assert!(consent_of("complaint", &[("consent_for", "complaint"), ("notify_consent", "1")]).await);
        assert!(consent_of("report", &[("consent_for", "report"), ("notify_consent", "1")]).await, "the reporter agreed");
        // Without the script the box keeps the default of the kind first shown: left as it was, the new kind's default.
        assert!(!consent_of("report", &[("consent_for", "consultation"), ("notify_consent", "1")]).await);
        assert!(consent_of("complaint", &[("consent_for", "report")]).await);
        // Changed by hand, it is the clerk's choice.
        assert!(!consent_of("complaint", &[("consent_for", "consultation")]).await);
        assert!(consent_of("consultation", &[("consent_for", "report"), ("notify_consent", "1")]).await);

        // A refusal shows the box as it was sent.
        let bad = [("utility", "gas"), ("kind", "report"), ("channel", "phone"), ("subject", ""), ("description", "缺标题"), ("consent_for", "report"), ("notify_consent", "1")];
        let page = agent.post("/intake", &bad).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(box_of(&page.body).contains("checked") && page.body.contains("id=\"consent_for\" value=\"report\""));
        let page = agent.post("/intake", &bad[..6]).await;
        assert!(!box_of(&page.body).contains("checked"), "unticked stays unticked");
        agent.cookies.push(("pledge_lang".into(), "en".into()));
        let page = agent.get("/intake").await;
        assert!(page.body.contains("Customer agrees to be notified"));
        assert_translated(&page);
    }

    async fn the_queue_and_the_case_page_show_the_deadline_the_api_gives(t) {
        let (t, _) = staffed(t).await;
        // A gas emergency repair: C7 (24 h, paused while waiting on the customer) and C8 (30 min, never paused).
        let case = t.case("agent", "repair", serde_json::json!({"subkind": "emergency", "subject": "燃气表箱异味"})).await;
        let id = case["id"].as_i64().unwrap();
        let number = case["number"].as_str().unwrap().to_owned();
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        let rule = |d: &serde_json::Value, r: &str| d["clocks"].as_array().unwrap().iter().find(|c| c["rule_id"] == r).unwrap().clone();
        // The crew's arrival clock is moved past the repair clock, then the case waits on the customer.
        let c8_id = rule(&d, "C8")["id"].as_i64().unwrap();
        let (s, b) = t.post("duty", &format!("/api/v1/cases/{id}/clocks/{c8_id}/extension"), serde_json::json!({"new_due": "2026-10-03T12:00:00+08:00", "reason": "用户约定后天上门"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        for (step, body) in [("start", serde_json::json!({})), ("wait", serde_json::json!({"on": "customer"}))] {
            let (s, b) = t.post("agent", &format!("/api/v1/cases/{id}/{step}"), body).await;
            assert_eq!(s, StatusCode::OK, "{step}: {b}");
        }
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        let (c7, c8) = (rule(&d, "C7"), rule(&d, "C8"));
        assert_eq!((c7["state"].as_str(), c8["state"].as_str()), (Some("paused"), Some("running")));
        assert!(c7["due_at"].as_str() < c8["due_at"].as_str(), "the earliest clock is the paused one");
        assert_eq!(d["deadline"]["rule_id"], "C8", "the API's deadline leaves the paused clock out");
        // "2026-10-03T12:00:00+08:00" → "2026-10-03 12:00", as the console writes Shanghai time.
        let shown = |rfc: &serde_json::Value| rfc.as_str().unwrap()[..16].replace('T', " ");
        let (deadline, paused_due) = (shown(&d["deadline"]["due_at"]), shown(&c7["due_at"]));

        let mut agent = Browser::signed_in(&t, "agent").await;
        // The last cell of the case's row in a queue: its deadline.
        let due_cell = |html: &str| {
            let row = html.split(&format!(">{number}</a>")).nth(1).unwrap().split("</tr>").next().unwrap();
            row.rsplit("<td>").next().unwrap().to_owned()
        };
        let cell = due_cell(&agent.get("/queues/first-responder").await.body);
        assert!(cell.contains(&deadline) && !cell.contains(&paused_due), "the queue shows the API's deadline: {cell}");
        let receipt = agent.get(&format!("/cases/{id}/receipt")).await;
        assert!(receipt.body.contains(&deadline) && !receipt.body.contains(&paused_due), "and so does the receipt");
        let page = agent.get(&format!("/cases/{id}?new=1")).await;
        assert!(page.body.contains(&format!("id=\"reply-due\">{deadline}<")), "and the case page");

        // Only a paused clock: no deadline anywhere.
        let (s, _) = t.post("agent", &format!("/api/v1/cases/{id}/resume"), serde_json::json!({})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, b) = t.post("duty", &format!("/api/v1/clocks/{c8_id}/withdraw"), serde_json::json!({"reason": "抢修已改为预约上门"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        t.post("agent", &format!("/api/v1/cases/{id}/wait"), serde_json::json!({"on": "customer"})).await;
        let (_, d) = t.get("agent", &format!("/api/v1/cases/{id}")).await;
        assert!(d["deadline"].is_null(), "{}", d["deadline"]);
        let cell = due_cell(&agent.get("/queues/first-responder").await.body);
        assert!(!cell.contains("2026-"), "no deadline in the queue either: {cell}");
    }
}
