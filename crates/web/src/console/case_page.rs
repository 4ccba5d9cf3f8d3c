//! The case page: the case, its clocks with remaining time, the complaint
//! form copies, extension requests, the timeline from the ledger, and the
//! forms for every action.

use super::ctx::{Ctx, Signed};
use super::error::{ConsoleError, render};
use super::phrases::{PhraseView, phrase_views};
use super::view::{
    channel_name, deadline_class, kind_name, local_input, remaining, state_name, subkind_name, time, utility_name,
};
use crate::AppState;
use crate::i18n::Lang;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use pledge_app::cases::CaseDetail;
use pledge_domain::Permission;
use pledge_domain::case::{CaseKind, CaseState};
use pledge_domain::commitment::WithdrawKind;
use pledge_domain::ids::*;
use pledge_domain::model::{Department, Event, PageRequest, Staff};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

pub struct ClockLine {
    pub id: ClockId,
    pub title: String,
    pub due: String,
    pub due_input: String,
    pub remaining: String,
    pub state: &'static str,
    pub class: &'static str,
    pub running: bool,
    /// Not ended and not overdue: a duty manager may still withdraw it.
    pub withdrawable: bool,
    /// For a withdrawn clock: how and why.
    pub note: String,
}

pub struct CopyLine {
    pub id: DistributionId,
    pub transfer_no: i64,
    pub copy: &'static str,
    pub holder: String,
    pub acknowledged: String,
}

pub struct RequestLine {
    pub id: ExtensionRequestId,
    pub by: String,
    pub new_due: String,
    pub reason: String,
    pub state: &'static str,
    pub pending: bool,
}

pub struct TimelineLine {
    pub at: String,
    pub who: String,
    pub what: String,
    pub detail: String,
}

pub struct Choice {
    pub id: i64,
    pub name: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub c: Ctx,
    pub id: CaseId,
    pub number: String,
    pub title_line: String,
    pub state: String,
    pub open: bool,
    pub subject: String,
    pub description: String,
    pub contact: String,
    pub contact_phone: String,
    pub masked: bool,
    pub first_responder: String,
    pub assignee: String,
    pub department: String,
    pub received: String,
    pub duplicate_of: Option<CaseId>,
    pub duplicates: Vec<Choice>,
    pub clocks: Vec<ClockLine>,
    pub copies: Vec<CopyLine>,
    pub requests: Vec<RequestLine>,
    pub timeline: Vec<TimelineLine>,
    pub departments: Vec<Choice>,
    pub staff: Vec<Choice>,
    pub phrases: Vec<PhraseView>,
    pub error: Option<String>,
    /// Just received at intake: say the deadline to the customer.
    pub fresh: bool,
    pub reply_due: String,
    pub is_complaint: bool,
    pub closed: bool,
    /// The reader may withdraw clocks (duty managers and admins).
    pub can_withdraw: bool,
}

#[derive(Deserialize)]
pub struct PageQuery {
    new: Option<String>,
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn page(
    State(st): State<AppState>,
    who: Signed,
    Path(id): Path<CaseId>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ConsoleError> {
    render_case(&st, &who, id, None, q.new.is_some()).await
}

pub fn copy_name(copy: &str, lang: Lang) -> &'static str {
    match (copy, lang) {
        ("archive", Lang::Zh) => "存档联",
        ("archive", Lang::En) => "Archive copy",
        ("department", Lang::Zh) => "承办部门联",
        ("department", Lang::En) => "Receiving department copy",
        (_, Lang::Zh) => "综合管理联",
        (_, Lang::En) => "General management copy",
    }
}

fn withdraw_kind_name(k: WithdrawKind, lang: Lang) -> String {
    match lang {
        Lang::Zh => k.name_zh().to_owned(),
        Lang::En => match k {
            WithdrawKind::Decision => "By decision",
            WithdrawKind::OutageCancelled => "Outage cancelled",
            WithdrawKind::Duplicate => "Duplicate case",
        }
        .to_owned(),
    }
}

fn str_of<'a>(p: &'a Value, k: &str) -> Option<&'a str> {
    p.get(k).and_then(Value::as_str)
}

/// One line of the timeline: who did what, with the words they wrote.
fn timeline_line(
    e: &Event,
    names: &HashMap<StaffId, String>,
    depts: &HashMap<DepartmentId, String>,
    lang: Lang,
) -> TimelineLine {
    let key = format!("ev_{}", e.kind.replace('.', "_"));
    let what = match super::text::lookup(lang, &key) {
        Some(s) => s.to_owned(),
        None => e.kind.clone(),
    };
    let p = &e.payload;
    let mut detail = Vec::new();
    if let Some(to) = p.get("to_department_id").and_then(Value::as_i64).map(DepartmentId) {
        detail.push(format!("→ {}", depts.get(&to).cloned().unwrap_or_else(|| to.to_string())));
    }
    for k in ["body", "reason", "summary"] {
        if let Some(s) = str_of(p, k) {
            detail.push(s.to_owned());
        }
    }
    if e.kind == "case.received"
        && let Some(s) = str_of(p, "subject")
    {
        detail.push(s.to_owned());
    }
    if let Some(due) =
        p.get("due_at").or_else(|| p.get("to")).and_then(Value::as_str).and_then(|s| s.parse::<jiff::Timestamp>().ok())
    {
        detail.push(format!("{} {}", super::text::t(lang, "due"), time(due)));
    }
    if matches!(e.kind.as_str(), "clock.breached" | "clock.escalated" | "clock.warned")
        && let Some(r) = str_of(p, "rule_id")
    {
        detail.push(r.to_owned());
    }
    TimelineLine {
        at: time(e.at),
        who: e
            .actor_id
            .and_then(|a| names.get(&a).cloned())
            .unwrap_or_else(|| super::text::t(lang, "system").to_owned()),
        what,
        detail: detail.join(" · "),
    }
}

/// Everything the case page shows, for `who`.
pub async fn render_case(
    st: &AppState,
    who: &Signed,
    id: CaseId,
    error: Option<String>,
    fresh: bool,
) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let err = |e| ConsoleError::new(e, lang);
    let app = &st.app;
    let CaseDetail { case, distributions, duplicates, timeline, masked } =
        app.case(&who.actor, id).await.map_err(err)?;
    let clocks = app.case_clocks(&who.actor, id).await.map_err(err)?;
    let requests = app.extension_requests_of(&who.actor, id).await.map_err(err)?;
    let staff: Vec<Staff> = app
        .staff_list(&who.actor, None, None, PageRequest::new(Some(PageRequest::MAX_LIMIT), None))
        .await
        .map_err(err)?
        .items;
    let departments: Vec<Department> = app.departments(&who.actor).await.map_err(err)?;
    let names: HashMap<StaffId, String> = staff.iter().map(|s| (s.id, s.display_name.clone())).collect();
    let dept_name = |d: &Department| if lang == Lang::En { d.name_en.clone() } else { d.name_zh.clone() };
    let depts: HashMap<DepartmentId, String> = departments.iter().map(|d| (d.id, dept_name(d))).collect();
    let now = app.now();
    let name_of = |id: Option<StaffId>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_else(|| "—".into());
    let clock_lines: Vec<ClockLine> = clocks
        .iter()
        .map(|v| {
            let running = !v.clock.is_stopped();
            // A paused clock's due time moves on with the pause: it cannot be overdue.
            let withdrawable = running && (v.clock.is_paused() || now <= v.clock.due_at);
            let state = match v.clock.outcome() {
                Some(o) => super::text::t(lang, &format!("outcome_{}", o.code())),
                None => super::text::t(lang, v.state),
            };
            let note = v
                .clock
                .withdrawal()
                .map(|w| format!("{} · {}", withdraw_kind_name(w.kind, lang), w.reason))
                .unwrap_or_default();
            ClockLine {
                id: v.id,
                title: if lang == Lang::En { v.title_en.clone() } else { v.title_zh.clone() },
                due: time(v.clock.due_at),
                due_input: local_input(v.clock.due_at),
                remaining: if running { remaining(v.clock.due_at, now, lang) } else { String::new() },
                state,
                class: match (running, deadline_class(v.clock.due_at, v.clock.breached, now)) {
                    // A warning the sweeper fired colours the clock even far from the deadline.
                    (true, "ok") if v.clock.warned > 0 => "warned",
                    (true, class) => class,
                    (false, _) if v.clock.breached => "breached",
                    (false, _) => "none",
                },
                running,
                withdrawable,
                note,
            }
        })
        .collect();
    let reply_due = super::view::case_deadline(&clocks);
    let phrases = phrase_views(app, &who.actor, lang).await.map_err(err)?;
    let c = Ctx::load(app, who, "case").await?;
    let mut title = vec![utility_name(case.utility, lang), kind_name(case.kind, lang)];
    if let Some(s) = case.subkind {
        title.push(subkind_name(s, lang));
    }
    title.push(channel_name(case.channel, lang));
    let page = CasePage {
        id: case.id,
        number: case.number.to_string(),
        title_line: title.join(" · "),
        state: state_name(case.state, lang),
        open: case.state.is_open(),
        subject: case.subject.clone(),
        description: case.description.clone(),
        contact: case.contact_name.clone().unwrap_or_default(),
        contact_phone: case.contact_phone.clone().unwrap_or_default(),
        masked,
        first_responder: name_of(Some(case.first_responder_id)),
        assignee: name_of(case.assignee_id),
        department: case.department_id.and_then(|d| depts.get(&d).cloned()).unwrap_or_else(|| "—".into()),
        received: time(case.created_at),
        duplicate_of: case.duplicate_of,
        duplicates: duplicates.iter().map(|d| Choice { id: d.id.get(), name: d.number.to_string() }).collect(),
        clocks: clock_lines,
        copies: distributions
            .iter()
            .map(|d| CopyLine {
                id: d.id,
                transfer_no: d.transfer_no,
                copy: copy_name(&d.copy, lang),
                holder: d.holder_department_id.and_then(|h| depts.get(&h).cloned()).unwrap_or_else(|| "—".into()),
                acknowledged: d
                    .acknowledged_at
                    .map(|t| format!("{} {}", time(t), name_of(d.acknowledged_by)))
                    .unwrap_or_default(),
            })
            .collect(),
        requests: requests
            .iter()
            .map(|x| RequestLine {
                id: x.id,
                by: name_of(Some(x.requested_by)),
                new_due: time(x.new_due),
                reason: x.reason.clone(),
                state: super::text::t(lang, &x.state),
                pending: x.state == "pending",
            })
            .collect(),
        timeline: timeline.iter().rev().map(|e| timeline_line(e, &names, &depts, lang)).collect(),
        departments: departments.iter().map(|d| Choice { id: d.id.get(), name: dept_name(d) }).collect(),
        staff: staff
            .iter()
            .filter(|s| s.active)
            .map(|s| Choice {
                id: s.id.get(),
                name: format!("{} ({})", s.display_name, super::view::role_name(s.role, lang)),
            })
            .collect(),
        phrases,
        error: error.clone(),
        fresh,
        reply_due,
        is_complaint: case.kind == CaseKind::Complaint,
        closed: case.state == CaseState::Closed,
        can_withdraw: who.actor.can(Permission::ClockWithdraw),
        c,
    };
    let mut res = render(&page)?;
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}
