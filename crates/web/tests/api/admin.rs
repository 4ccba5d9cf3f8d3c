//! Administration of the commitment engine: the policy and the working-day
//! calendar are edited through the API, validated and versioned, and a
//! change goes into force whole, for new clocks only.

use crate::on_both;
use crate::support::{PASSWORD, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use jiff::Timestamp;
use pledge_domain::Role;
use pledge_domain::commitment::policy::SHIPPED_TOML;
use pledge_store::repo::*;
use serde_json::{Value, json};

/// Moves the test clock forward to `to` (RFC 3339).
fn move_to(t: &TestApp, to: &str) {
    let to: Timestamp = to.parse().unwrap();
    let now = t.app.now();
    assert!(to >= now, "the test clock only moves forward");
    t.advance(to.duration_since(now));
}

/// Signs in afresh (the TestApp's tokens expire when the clock moves far).
async fn sign_in(t: &TestApp, username: &str) -> String {
    let (s, b) = t
        .send(None, Method::POST, "/api/v1/auth/login", Some(json!({"username": username, "password": PASSWORD})))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["token"].as_str().unwrap().to_owned()
}

/// A request with a given token, body and Accept-Language.
async fn call(
    t: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    lang: &str,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("accept-language", lang);
    let req = match body {
        Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    t.raw(req.unwrap()).await
}

async fn put(t: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    call(t, token, Method::PUT, path, Some(body), "zh-CN").await
}

async fn get(t: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    call(t, token, Method::GET, path, None, "zh-CN").await
}

/// A consultation as `token`'s holder; returns status and body.
async fn consultation(t: &TestApp, token: &str) -> (StatusCode, Value) {
    let body = json!({"utility": "gas", "kind": "consultation", "channel": "phone", "subject": "咨询燃气价格", "description": "用户来电咨询阶梯气价"});
    call(t, token, Method::POST, "/api/v1/cases", Some(body), "zh-CN").await
}

/// The C1 clock of a case.
async fn c1(t: &TestApp, token: &str, case_id: i64) -> Value {
    let (s, d) = get(t, token, &format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "C1")
        .cloned()
        .unwrap_or_else(|| panic!("no C1 clock in {d}"))
}

/// The shipped policy with `version` set and one edit applied.
fn policy(version: u32, from: &str, to: &str) -> String {
    let s = SHIPPED_TOML.replacen("version = 1\n", &format!("version = {version}\n"), 1);
    assert!(s.contains(from), "the shipped policy has {from:?}");
    s.replacen(from, to, 1)
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(source: &str, needle: &str) -> usize {
    source.lines().position(|l| l.contains(needle)).expect("needle present") + 1
}

/// TEST FIXTURE, not the official 2027 arrangement: a plausible table in the
/// shape of the State Council's notice, made up for these tests. The real
/// table is transcribed from the notice once it is published.
fn table_2027() -> Value {
    json!({
        "year": 2027,
        "source": "TEST FIXTURE — invented for Pledge's tests, not the State Council's 2027 notice",
        "holidays": [
            {"name_zh": "元旦", "name_en": "New Year's Day", "dates": [{"first": "2027-01-01", "last": "2027-01-03"}]},
            {"name_zh": "春节", "name_en": "Spring Festival", "dates": [{"first": "2027-02-06", "last": "2027-02-13"}]},
            {"name_zh": "清明节", "name_en": "Qingming Festival", "dates": [{"first": "2027-04-03", "last": "2027-04-05"}]},
            {"name_zh": "劳动节", "name_en": "Labour Day", "dates": [{"first": "2027-05-01", "last": "2027-05-05"}]},
            {"name_zh": "端午节", "name_en": "Dragon Boat Festival", "dates": ["2027-06-09"]},
            {"name_zh": "中秋节", "name_en": "Mid-Autumn Festival", "dates": ["2027-09-15"]},
            {"name_zh": "国庆节", "name_en": "National Day", "dates": [{"first": "2027-10-01", "last": "2027-10-07"}]}
        ],
        "makeup_workdays": [
            {"date": "2027-02-20", "note": "Saturday worked for the Spring Festival break"},
            {"date": "2027-04-25", "note": "Sunday worked for the Labour Day break"},
            {"date": "2027-05-08", "note": "Saturday worked for the Labour Day break"},
            {"date": "2027-09-26", "note": "Sunday worked for the National Day break"},
            {"date": "2027-10-09", "note": "Saturday worked for the National Day break"}
        ]
    })
}

on_both! {
    async fn only_administrators_edit_the_policy_and_the_calendar(t) {
        let t = t.with_staff(Role::HotlineAgent).await.with_staff(Role::DutyManager).await;
        for who in ["hotline_agent", "duty_manager"] {
            let tok = t.token(who).to_owned();
            for (s, b) in [
                get(&t, &tok, "/api/v1/admin/policy").await,
                put(&t, &tok, "/api/v1/admin/policy", json!({"source": policy(2, "working_days = 3", "working_days = 5")})).await,
                get(&t, &tok, "/api/v1/admin/calendar").await,
                put(&t, &tok, "/api/v1/admin/calendar/2027", table_2027()).await,
            ] {
                assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{who}: {b}");
            }
        }
        let admin = t.token("admin").to_owned();
        let (s, p) = get(&t, &admin, "/api/v1/admin/policy").await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!((p["version"].as_u64(), p["source"].as_str(), p["stored"].as_bool()), (Some(1), Some(SHIPPED_TOML), Some(false)));
        // Any staff member reads the calendar's days.
        let (s, days) = get(&t, t.token("hotline_agent"), "/api/v1/calendar/days?from=2026-09-30&to=2026-10-11").await;
        assert_eq!(s, StatusCode::OK, "{days}");
        let days = days.as_array().unwrap();
        assert_eq!(days.len(), 12);
        assert_eq!(days[0], json!({"date": "2026-09-30", "working": true, "holiday_name_zh": null, "holiday_name_en": null, "makeup": false}));
        assert_eq!((days[1]["working"].as_bool(), days[1]["holiday_name_zh"].as_str()), (Some(false), Some("国庆节")));
        assert_eq!((days[10]["date"].as_str(), days[10]["working"].as_bool(), days[10]["makeup"].as_bool()), (Some("2026-10-10"), Some(true), Some(true)));
    }

    async fn a_bad_policy_is_refused_with_its_line_and_the_running_policy_stays(t) {
        let t = t.with_staff(Role::HotlineAgent).await;
        let admin = t.token("admin").to_owned();

        let unknown_event = policy(2, "stop = [\"case.answered\"]", "stop = [\"case.answerd\"]");
        let line = line_of(&unknown_event, "case.answerd");
        let (s, b) = put(&t, &admin, "/api/v1/admin/policy", json!({"source": unknown_event})).await;
        assert_eq!((s, b["error"]["code"].as_str(), b["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("policy_unknown_event"), Some("source")), "{b}");
        let msg = b["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with(&format!("第 {line} 行：")) && msg.contains("case.answerd"), "{msg}");
        let (_, b) = call(&t, &admin, Method::PUT, "/api/v1/admin/policy", Some(json!({"source": unknown_event})), "en").await;
        let msg = b["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with(&format!("line {line}: ")) && msg.contains("case.answerd"), "{msg}");

        let bad_window = policy(2, "window = { from = \"08:00\", to = \"20:00\" }", "window = { from = \"20:00\", to = \"08:00\" }");
        let line = line_of(&bad_window, "from = \"20:00\"");
        let (_, b) = call(&t, &admin, Method::PUT, "/api/v1/admin/policy", Some(json!({"source": bad_window})), "en").await;
        assert_eq!(b["error"]["code"], "policy_invalid_window", "{b}");
        assert!(b["error"]["message"].as_str().unwrap().starts_with(&format!("line {line}: ")), "{b}");

        let (s, b) = put(&t, &admin, "/api/v1/admin/policy", json!({"source": "version = 2\ncompany = \"x\"\n[[commitments]\n"})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("policy_syntax")), "{b}");

        // A valid policy that does not raise the version changes nothing either.
        let (s, b) = put(&t, &admin, "/api/v1/admin/policy", json!({"source": policy(1, "working_days = 3", "working_days = 5")})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("policy_version_not_newer")), "{b}");

        let (_, p) = get(&t, &admin, "/api/v1/admin/policy").await;
        assert_eq!((p["version"].as_u64(), p["stored"].as_bool()), (Some(1), Some(false)));
        let (s, c) = consultation(&t, t.token("hotline_agent")).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let clock = c1(&t, &admin, c["id"].as_i64().unwrap()).await;
        assert_eq!((clock["due_at"].as_str(), clock["policy_version"].as_u64()), (Some("2026-10-10T10:00:00+08:00"), Some(1)));
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_new_policy_applies_to_new_cases_only(t) {
        let t = t.with_staff(Role::HotlineAgent).await;
        let (admin, agent) = (t.token("admin").to_owned(), t.token("hotline_agent").to_owned());
        let before = consultation(&t, &agent).await.1["id"].as_i64().unwrap();

        let v2 = policy(2, "duration = { working_days = 3 }", "duration = { working_days = 5 }");
        let (s, b) = put(&t, &admin, "/api/v1/admin/policy", json!({"source": v2})).await;
        assert_eq!((s, b), (StatusCode::OK, json!({"version": 2})));
        let (_, p) = get(&t, &admin, "/api/v1/admin/policy").await;
        assert_eq!((p["version"].as_u64(), p["source"].as_str(), p["stored"].as_bool()), (Some(2), Some(v2.as_str()), Some(true)));
        let (_, served) = get(&t, &admin, "/api/v1/commitments/policy").await;
        assert_eq!(served["version"], 2);

        let after = consultation(&t, &agent).await.1["id"].as_i64().unwrap();
        let old = c1(&t, &admin, before).await;
        assert_eq!((old["due_at"].as_str(), old["policy_version"].as_u64()), (Some("2026-10-10T10:00:00+08:00"), Some(1)), "a running clock keeps its version");
        // 30 Sep 10:00 + 5 working days: 8, 9, 10 (make-up Saturday), 12 and 13 October.
        let new = c1(&t, &admin, after).await;
        assert_eq!((new["due_at"].as_str(), new["policy_version"].as_u64()), (Some("2026-10-13T10:00:00+08:00"), Some(2)));

        // Versions only go up; the same version again is refused.
        let (s, b) = put(&t, &admin, "/api/v1/admin/policy", json!({"source": v2})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("policy_version_not_newer")));

        // Another server (or a restart) loads the stored policy.
        let other = t.another_server().await;
        assert_eq!(other.policy().version, 2);
        assert_eq!(other.policy().rule("C1").unwrap().period_for(None), t.app.policy().rule("C1").unwrap().period_for(None));
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_server_already_running_picks_up_a_policy_stored_by_another_at_its_next_sweep(t) {
        let admin = t.token("admin").to_owned();
        let other = t.another_server().await;
        assert_eq!(other.policy().version, 1);
        let v2 = policy(2, "duration = { working_days = 3 }", "duration = { working_days = 5 }");
        let (s, b) = put(&t, &admin, "/api/v1/admin/policy", json!({"source": v2})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(other.policy().version, 1, "nothing has told the other server yet");
        other.sweep_clocks(100).await.unwrap();
        assert_eq!(other.policy().version, 2);
        assert!(!other.refresh_settings().await.unwrap(), "unchanged settings are not read again");
    }

    async fn a_2027_table_makes_deadlines_into_2027_computable(t) {
        let t = t.with_staff(Role::HotlineAgent).await;
        move_to(&t, "2026-12-29T10:00:00+08:00");
        let (admin, agent) = (sign_in(&t, "admin").await, sign_in(&t, "hotline_agent").await);

        // Three working days from Tuesday 29 December run past the calendar.
        let (s, b) = consultation(&t, &agent).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_not_covered")), "{b}");
        let (_, st) = get(&t, &admin, "/api/v1/admin/calendar").await;
        assert_eq!((st["last_covered_date"].as_str(), st["warning"].as_bool()), (Some("2026-12-31"), Some(true)), "{st}");
        let (s, b) = get(&t, &agent, "/api/v1/calendar/days?from=2026-12-30&to=2027-01-05").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_not_covered")), "{b}");

        let (s, b) = put(&t, &admin, "/api/v1/admin/calendar/2027", table_2027()).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!((b["year"].as_i64(), b["origin"].as_str(), b["replaced"].as_bool()), (Some(2027), Some("stored"), Some(false)));

        // 30 and 31 December, then the New Year break, then Monday 4 January.
        let (s, c) = consultation(&t, &agent).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        assert_eq!(c1(&t, &admin, c["id"].as_i64().unwrap()).await["due_at"], "2027-01-04T10:00:00+08:00");

        let (_, st) = get(&t, &admin, "/api/v1/admin/calendar").await;
        assert_eq!((st["last_covered_date"].as_str(), st["warning"].as_bool(), st["warning_en"].as_str()), (Some("2027-12-31"), Some(false), None), "{st}");
        let years: Vec<(i64, &str)> = st["years"].as_array().unwrap().iter().map(|y| (y["year"].as_i64().unwrap(), y["origin"].as_str().unwrap())).collect();
        assert_eq!(years, vec![(2024, "shipped"), (2025, "shipped"), (2026, "shipped"), (2027, "stored")]);
        assert!(st["years"][3]["source"].as_str().unwrap().starts_with("TEST FIXTURE"));

        let (s, days) = get(&t, &agent, "/api/v1/calendar/days?from=2026-12-30&to=2027-01-05").await;
        assert_eq!(s, StatusCode::OK, "{days}");
        let working: Vec<bool> = days.as_array().unwrap().iter().map(|d| d["working"].as_bool().unwrap()).collect();
        assert_eq!(working, vec![true, true, false, false, false, true, true]);
        assert_eq!(days[2]["holiday_name_zh"], "元旦");

        // Saving the year again replaces it; a restarted server has it.
        let (s, b) = put(&t, &admin, "/api/v1/admin/calendar/2027", table_2027()).await;
        assert_eq!((s, b["replaced"].as_bool()), (StatusCode::OK, Some(true)), "{b}");
        let other = t.another_server().await;
        assert_eq!(other.engine().calendar.covered_years(), 2024..=2027);
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_bad_year_table_is_refused_and_changes_nothing(t) {
        let admin = t.token("admin").to_owned();
        // 2 January is listed as a New Year day off and as a make-up workday.
        let mut conflicting = table_2027();
        conflicting["makeup_workdays"].as_array_mut().unwrap().push(json!({"date": "2027-01-02", "note": "typing mistake"}));
        let (s, b) = put(&t, &admin, "/api/v1/admin/calendar/2027", conflicting.clone()).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_conflicting_day")), "{b}");
        assert!(b["error"]["message"].as_str().unwrap().contains("2027-01-02"), "{b}");
        let (_, b) = call(&t, &admin, Method::PUT, "/api/v1/admin/calendar/2027", Some(conflicting), "en").await;
        assert_eq!(b["error"]["message"], "2027-01-02 is listed both as a day off (New Year's Day) and as a makeup workday");

        let (s, b) = put(&t, &admin, "/api/v1/admin/calendar/2028", table_2027()).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_year_mismatch")), "{b}");
        let mut gap = table_2027();
        gap["year"] = json!(2029);
        gap["holidays"] = json!([]);
        gap["makeup_workdays"] = json!([]);
        let (s, b) = put(&t, &admin, "/api/v1/admin/calendar/2029", gap).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_coverage_gap")), "{b}");
        let (s, b) = put(&t, &admin, "/api/v1/admin/calendar/2027", json!({"year": 2027})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_invalid_data")), "{b}");

        let (_, st) = get(&t, &admin, "/api/v1/admin/calendar").await;
        assert_eq!(st["last_covered_date"], "2026-12-31");
        assert_eq!(t.another_server().await.engine().calendar.covered_years(), 2024..=2026, "nothing was stored");

        // Day queries are bounded and checked.
        let (s, b) = get(&t, &admin, "/api/v1/calendar/days?from=2025-01-01&to=2026-01-02").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_range_too_long")), "{b}");
        let (s, b) = get(&t, &admin, "/api/v1/calendar/days?from=2025-01-01&to=2026-01-01").await;
        assert_eq!((s, b.as_array().map(Vec::len)), (StatusCode::OK, Some(366)));
        let (s, b) = get(&t, &admin, "/api/v1/calendar/days?from=2026-02-30&to=2026-03-01").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_date")), "{b}");
        let (s, b) = get(&t, &admin, "/api/v1/calendar/days?from=2026-03-02&to=2026-03-01").await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_invalid_range")), "{b}");
    }

    async fn the_calendar_status_warns_two_months_before_the_end(t) {
        let (s, st) = get(&t, t.token("admin"), "/api/v1/admin/calendar").await;
        assert_eq!(s, StatusCode::OK, "{st}");
        assert_eq!((st["first_covered_date"].as_str(), st["last_covered_date"].as_str()), (Some("2024-01-01"), Some("2026-12-31")));
        assert_eq!((st["warning"].as_bool(), st["warning_zh"].as_str()), (Some(false), None), "30 September: more than 60 days left");
        assert_eq!(st["years"].as_array().unwrap().len(), 3);
        assert!(st["years"][2]["source"].as_str().unwrap().contains("国办发明电"));

        move_to(&t, "2026-11-15T09:00:00+08:00");
        let admin = sign_in(&t, "admin").await;
        let (_, st) = get(&t, &admin, "/api/v1/admin/calendar").await;
        assert_eq!(st["warning"], true, "{st}");
        assert_eq!(st["warning_en"], "the working-day calendar ends on 2026-12-31; add the 2027 table");
        assert!(st["warning_zh"].as_str().unwrap().contains("2027"), "{st}");
    }

    async fn stored_settings_that_no_longer_read_leave_the_shipped_defaults(t) {
        // Written behind the API's back, as a damaged database or a stricter release would present them.
        let mut tx = t.store.begin().await.unwrap();
        let at = t.app.now().as_microsecond();
        tx.insert_policy(t.admin.staff.company_id, 7, "version = 7\n[[commitments]]\nid = 1\n", None, at).await.unwrap();
        tx.save_calendar_year(2027, "{\"year\": 2027, \"source\": \"\"}", None, at).await.unwrap();
        tx.commit().await.unwrap();
        let other = t.another_server().await;
        assert_eq!(other.policy().version, 1, "the shipped policy stays in force");
        assert_eq!(other.engine().calendar.covered_years(), 2024..=2026, "the shipped calendar stays in force");
        // The stored version still counts: the next one must be newer.
        let (s, b) = put(&t, t.token("admin"), "/api/v1/admin/policy", json!({"source": policy(3, "working_days = 3", "working_days = 4")})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("policy_version_not_newer")), "{b}");
    }
}
