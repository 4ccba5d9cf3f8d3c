//! Outage pages: the list (with the suspected outages that trouble calls
//! raised), one outage with its clocks, affected customers, delivery counts
//! and the steps its state allows, and the form that enters a new one.
//! Steps post to `/outages/{id}/do/{action}`; a refusal shows the page
//! again with the reason in the reader's language.

use super::ctx::{Ctx, Signed};
use super::error::{ConsoleError, message, render};
use super::intake::Opt;
use super::view::{deadline_class, remaining, time, utility_name};
use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use pledge_app::outages::OutageInput;
use pledge_app::outages::suspects::Confirmation;
use pledge_app::store::repo::*;
use pledge_app::store::{Outage, OutageFilter, PageRequest};
use pledge_app::{AppError, AppResult};
use pledge_domain::commitment::OutageKind;
use pledge_domain::outage::{Effect, OutageAction, OutageState, SuspectState, next_state};
use pledge_domain::{Permission, Utility};
use serde::Deserialize;

const PAGE: u32 = 25;
/// How many affected customers the outage page lists.
const CUSTOMERS: u32 = 20;

pub fn kind_name(k: OutageKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (OutageKind::Planned, Lang::Zh) => "计划停供",
        (OutageKind::Emergency, Lang::Zh) => "抢修停供",
        (OutageKind::Planned, Lang::En) => "Planned",
        (OutageKind::Emergency, Lang::En) => "Emergency",
    }
}

pub fn state_name(s: OutageState, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.name_zh(),
        Lang::En => match s {
            OutageState::Draft => "Draft",
            OutageState::Announced => "Announced",
            OutageState::InProgress => "Supply off",
            OutageState::RestoreNotified => "Restoration notified",
            OutageState::Restored => "Restored",
            OutageState::Cancelled => "Cancelled",
        },
    }
}

pub fn effect_name(e: Effect, u: Utility, lang: Lang) -> &'static str {
    match (lang, e) {
        (Lang::Zh, _) => e.name_zh(u),
        (Lang::En, Effect::Stop) => "Supply stopped",
        (Lang::En, Effect::PressureReduction) => "Reduced pressure",
    }
}

fn suspect_state_name(s: SuspectState, lang: Lang) -> &'static str {
    let key = match s {
        SuspectState::Gathering => "sus_gathering",
        SuspectState::Raised => "sus_raised",
        SuspectState::Confirmed => "sus_confirmed",
        SuspectState::Dismissed => "sus_dismissed",
    };
    super::text::t(lang, key)
}

/// A `datetime-local` value, read as Shanghai time.
fn local_time(field: &'static str, s: &str) -> AppResult<Timestamp> {
    let bad = || AppError::invalid("invalid_time", field, "enter a date and time");
    let dt: jiff::civil::DateTime = s.trim().parse().map_err(|_| bad())?;
    dt.to_zoned(pledge_app::shanghai()).map(|z| z.timestamp()).map_err(|_| bad())
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A refusal the page can explain (shown again with the message), as
/// opposed to a failure that gets the error page.
fn explainable(e: &AppError) -> bool {
    matches!(e, AppError::Invalid { .. } | AppError::Transition(_) | AppError::Conflict { .. } | AppError::Forbidden(_))
}

/// One line of the outage list.
pub struct OutageRow {
    pub id: i64,
    pub utility: String,
    pub kind: &'static str,
    pub node: String,
    pub area: String,
    pub reason: String,
    pub starts: String,
    pub expected: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub affected: u64,
}

pub struct SuspectRow {
    pub id: i64,
    pub utility: String,
    pub node: String,
    pub calls: u64,
    pub first_call: String,
    pub last_call: String,
    pub state: &'static str,
    /// The expected restoration offered in the confirm form.
    pub restore_input: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    utility: String,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "outages.html")]
struct ListPage {
    c: Ctx,
    can_manage: bool,
    error: Option<String>,
    rows: Vec<OutageRow>,
    suspects: Vec<SuspectRow>,
    total: u64,
    page: u64,
    pages: u64,
    utilities: Vec<Opt>,
    state: String,
    utility: String,
    base: String,
}

async fn node_name(st: &AppState, id: i64) -> String {
    st.app.store().read().node(id).await.map(|n| n.name).unwrap_or_else(|_| format!("#{id}"))
}

async fn render_list(
    st: &AppState,
    who: &Signed,
    q: ListQuery,
    error: Option<String>,
) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let err = |e| ConsoleError::new(e, lang);
    let a = &who.actor;
    let filter = OutageFilter {
        company_id: None,
        utility: Utility::parse(&q.utility),
        states: vec![],
        kind: None,
        node_id: None,
        open_only: q.state != "all",
    };
    let page_no = q.page.unwrap_or(1).max(1);
    let result = st
        .app
        .outages(a, filter, PageRequest::new(Some(PAGE), Some((page_no - 1) * PAGE as u64)))
        .await
        .map_err(err)?;
    let mut rows = Vec::new();
    for o in &result.items {
        rows.push(OutageRow {
            id: o.id,
            utility: utility_name(o.utility, lang),
            kind: kind_name(o.kind, lang),
            node: node_name(st, o.node_id).await,
            area: o.area.clone(),
            reason: o.reason.clone(),
            starts: time(o.starts_at),
            expected: time(o.expected_restore_at),
            state: state_name(o.state, lang),
            state_code: o.state.code(),
            affected: o.affected_count,
        });
    }
    // Groups still gathering are below the threshold: not shown yet.
    let open = vec![SuspectState::Raised];
    let found = st.app.suspected_outages(a, open, PageRequest::new(Some(50), None)).await.map_err(err)?;
    let restore_guess =
        super::view::local_input(st.app.now().checked_add(jiff::SignedDuration::from_hours(4)).unwrap_or(st.app.now()));
    let mut suspects = Vec::new();
    for s in &found.items {
        suspects.push(SuspectRow {
            id: s.id,
            utility: utility_name(s.utility, lang),
            node: node_name(st, s.node_id).await,
            calls: s.calls,
            first_call: time(s.first_call_at),
            last_call: time(s.last_call_at),
            state: suspect_state_name(s.state, lang),
            restore_input: restore_guess.clone(),
        });
    }
    let c = Ctx::load(&st.app, who, "outages").await?;
    let base = format!("state={}&utility={}", enc(&q.state), enc(&q.utility));
    render(&ListPage {
        can_manage: a.can(Permission::OutageManage),
        error,
        rows,
        suspects,
        total: result.total,
        page: page_no,
        pages: result.total.div_ceil(PAGE as u64).max(1),
        utilities: Utility::ALL
            .into_iter()
            .map(|u| Opt { code: u.code(), name: utility_name(u, lang), key: String::new() })
            .collect(),
        state: q.state,
        utility: q.utility,
        base,
        c,
    })
}

/// `GET /outages`: open outages by default, or all; by utility; paged.
#[tracing::instrument(skip_all)]
pub async fn list(
    State(st): State<AppState>,
    who: Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ConsoleError> {
    render_list(&st, &who, q, None).await
}

/// Every field the suspected-outage forms send.
#[derive(Debug, Default, Deserialize)]
pub struct SuspectForm {
    reason: Option<String>,
    area: Option<String>,
    expected_restore_at: Option<String>,
    effect: Option<String>,
    note: Option<String>,
}

async fn run_suspect(st: &AppState, who: &Signed, id: i64, action: &str, f: SuspectForm) -> AppResult<Option<i64>> {
    match action {
        "confirm" => {
            let c = Confirmation {
                reason: f.reason.unwrap_or_default(),
                area: f.area.unwrap_or_default(),
                expected_restore_at: local_time(
                    "expected_restore_at",
                    f.expected_restore_at.as_deref().unwrap_or_default(),
                )?,
                effect: f.effect.as_deref().and_then(Effect::parse).unwrap_or(Effect::Stop),
            };
            Ok(Some(st.app.confirm_suspected(&who.actor, id, c).await?.outage.id))
        }
        "dismiss" => st.app.dismiss_suspected(&who.actor, id, f.note.unwrap_or_default()).await.map(|_| None),
        _ => Err(AppError::NotFound("action")),
    }
}

/// `POST /outages/suspected/{id}/{action}`: confirm (opens the new outage) or dismiss.
#[tracing::instrument(skip_all, fields(id, action = %action))]
pub async fn suspect_act(
    State(st): State<AppState>,
    who: Signed,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<SuspectForm>,
) -> Result<Response, ConsoleError> {
    match run_suspect(&st, &who, id, &action, f).await {
        Ok(Some(outage)) => Ok(Redirect::to(&format!("/outages/{outage}")).into_response()),
        Ok(None) => Ok(Redirect::to("/outages").into_response()),
        Err(e) if explainable(&e) => {
            let api = ApiError::from(e);
            let mut res = render_list(&st, &who, ListQuery::default(), Some(message(&api, who.lang))).await?;
            *res.status_mut() = api.status;
            Ok(res)
        }
        Err(e) => Err(ConsoleError::new(e, who.lang)),
    }
}

pub struct ClockLine {
    pub title: String,
    pub due: String,
    pub remaining: String,
    pub state: &'static str,
    pub class: &'static str,
}

pub struct Delivery {
    pub state: &'static str,
    pub channel: &'static str,
    pub count: u64,
}

pub struct CustomerLine {
    pub number: String,
    pub name: String,
    pub address: String,
}

pub struct CaseLink {
    pub id: i64,
    pub number: String,
    pub subject: String,
}

#[derive(Template)]
#[template(path = "outage.html")]
struct DetailPage {
    c: Ctx,
    error: Option<String>,
    id: i64,
    utility: String,
    kind: &'static str,
    effect: &'static str,
    state: &'static str,
    state_code: &'static str,
    node: String,
    reason: String,
    area: String,
    starts: String,
    expected: String,
    expected_input: String,
    facts: Vec<(&'static str, String)>,
    affected: u64,
    customers: Vec<CustomerLine>,
    clocks: Vec<ClockLine>,
    deliveries: Vec<Delivery>,
    cases: Vec<CaseLink>,
    /// Step codes the state allows, for a reader who may take them.
    actions: Vec<&'static str>,
    can_override: bool,
}

impl DetailPage {
    fn allows(&self, action: &str) -> bool {
        self.actions.contains(&action)
    }
}

/// The steps an outage in this state may take next.
fn allowed(o: &Outage) -> Vec<&'static str> {
    let mut out = Vec::new();
    let steps = [
        (OutageAction::Announce, "announce"),
        (OutageAction::Start, "start"),
        (OutageAction::NotifyRestore, "restore_notice"),
        (OutageAction::Restore, "restore"),
        (OutageAction::Cancel, "cancel"),
    ];
    for (a, code) in steps {
        if next_state(o.state, a, o.kind, o.announced_at.is_some()).is_ok() {
            out.push(code);
        }
    }
    if o.kind == OutageKind::Emergency && o.authority_reported_at.is_none() && o.state != OutageState::Cancelled {
        out.push("report_authority");
    }
    out
}

async fn render_detail(st: &AppState, who: &Signed, id: i64, error: Option<String>) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let err = |e| ConsoleError::new(e, lang);
    let app = &st.app;
    let a = &who.actor;
    let d = app.outage(a, id).await.map_err(err)?;
    let o = &d.outage;
    let clocks = app.outage_clocks(a, id).await.map_err(err)?;
    let now = app.now();
    let clocks = clocks
        .iter()
        .map(|v| {
            let running = !v.clock.is_stopped();
            ClockLine {
                title: format!("{} {}", v.rule_id, if lang == Lang::En { &v.title_en } else { &v.title_zh }),
                due: time(v.clock.due_at),
                remaining: if running { remaining(v.clock.due_at, now, lang) } else { String::new() },
                state: super::text::t(lang, v.state),
                class: match (running, v.clock.breached) {
                    (true, _) => deadline_class(v.clock.due_at, v.clock.breached, now),
                    (false, true) => "breached",
                    (false, false) => "none",
                },
            }
        })
        .collect();
    let customers = app
        .outage_customers(a, id, PageRequest::new(Some(CUSTOMERS), None))
        .await
        .map_err(err)?
        .items
        .into_iter()
        .map(|c| CustomerLine {
            number: c.number.as_str().to_owned(),
            name: c.account_name.as_str().to_owned(),
            address: c.premises.as_ref().map(|p| p.address.clone()).unwrap_or_default(),
        })
        .collect();
    let deliveries = app
        .delivery_summary(a, pledge_app::outages::SUBJECT, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|x| Delivery { state: x.state.code(), channel: x.channel.code(), count: x.count })
        .collect();
    let mut cases = Vec::new();
    for cid in d.case_ids.iter().take(100) {
        if let Ok(c) = app.store().read().case(*cid).await {
            cases.push(CaseLink { id: c.id, number: c.number.to_string(), subject: c.subject });
        }
    }
    let t = |k| super::text::t(lang, k);
    let mut facts = Vec::new();
    let mut fact = |k: &'static str, v: Option<Timestamp>| {
        if let Some(v) = v {
            facts.push((t(k), time(v)));
        }
    };
    fact("o_announced_at", o.announced_at);
    fact("o_restore_notified_at", o.restore_notified_at);
    fact("o_restored_at", o.restored_at);
    fact("o_authority_reported_at", o.authority_reported_at);
    fact("o_cancelled_at", o.cancelled_at);
    if let Some(r) = &o.override_reason {
        facts.push((t("o_override_reason"), r.clone()));
    }
    let can_manage = a.can(Permission::OutageManage);
    let c = Ctx::load(app, who, "outages").await?;
    render(&DetailPage {
        error,
        id,
        utility: utility_name(o.utility, lang),
        kind: kind_name(o.kind, lang),
        effect: effect_name(o.effect, o.utility, lang),
        state: state_name(o.state, lang),
        state_code: o.state.code(),
        node: d.node.name.clone(),
        reason: o.reason.clone(),
        area: o.area.clone(),
        starts: time(o.starts_at),
        expected: time(o.expected_restore_at),
        expected_input: super::view::local_input(o.expected_restore_at),
        facts,
        affected: d.affected_now,
        customers,
        clocks,
        deliveries,
        cases,
        actions: if can_manage { allowed(o) } else { Vec::new() },
        can_override: a.can(Permission::ExtensionApprove) && can_manage,
        c,
    })
}

/// `GET /outages/{id}`.
#[tracing::instrument(skip_all, fields(id))]
pub async fn detail(State(st): State<AppState>, who: Signed, Path(id): Path<i64>) -> Result<Response, ConsoleError> {
    render_detail(&st, &who, id, None).await
}

/// Every field any outage step form sends.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    override_reason: Option<String>,
    restore_at: Option<String>,
    reason: Option<String>,
    note: Option<String>,
}

async fn run(st: &AppState, who: &Signed, id: i64, action: &str, f: StepForm) -> AppResult<()> {
    let (app, a) = (&st.app, &who.actor);
    match action {
        "announce" => app.announce_outage(a, id, text(f.override_reason)).await.map(drop),
        "start" => app.start_outage(a, id).await.map(drop),
        "restore_notice" => {
            let at = text(f.restore_at).map(|s| local_time("restore_at", &s)).transpose()?;
            app.notify_restore(a, id, at).await.map(drop)
        }
        "restore" => app.restore_outage(a, id).await.map(drop),
        "cancel" => app.cancel_outage(a, id, f.reason.unwrap_or_default()).await.map(drop),
        "report_authority" => app.report_outage_to_authority(a, id, text(f.note)).await.map(drop),
        _ => Err(AppError::NotFound("action")),
    }
}

/// `POST /outages/{id}/do/{action}`.
#[tracing::instrument(skip_all, fields(id, action = %action))]
pub async fn act(
    State(st): State<AppState>,
    who: Signed,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<StepForm>,
) -> Result<Response, ConsoleError> {
    match run(&st, &who, id, &action, f).await {
        Ok(()) => Ok(Redirect::to(&format!("/outages/{id}")).into_response()),
        Err(e) if explainable(&e) => {
            let api = ApiError::from(e);
            let mut res = render_detail(&st, &who, id, Some(message(&api, who.lang))).await?;
            *res.status_mut() = api.status;
            Ok(res)
        }
        Err(e) => Err(ConsoleError::new(e, who.lang)),
    }
}

/// What the new-outage form sends (and shows again after a refusal).
#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    utility: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    effect: String,
    #[serde(default)]
    node_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    expected_restore_at: String,
}

#[derive(Template)]
#[template(path = "outage_new.html")]
struct NewPage {
    c: Ctx,
    error: Option<String>,
    f: NewForm,
    utilities: Vec<Opt>,
    kinds: Vec<Opt>,
    effects: Vec<Opt>,
    nodes: Vec<NodeOpt>,
}

pub struct NodeOpt {
    pub id: String,
    pub name: String,
}

/// The nodes offered in the form: every node of every utility, by path.
async fn node_options(st: &AppState, who: &Signed) -> AppResult<Vec<NodeOpt>> {
    let r = st.app.store().read();
    let company = who.actor.staff.company_id;
    let mut out = Vec::new();
    for u in Utility::ALL {
        // Walk the tree; each label carries its path, so sorting by label
        // puts children under their parent. The guard bounds the queries.
        let mut level: Vec<(Option<i64>, String)> = vec![(None, String::new())];
        let mut guard = 0;
        while let Some((parent, prefix)) = level.pop() {
            guard += 1;
            if guard > 2000 {
                break;
            }
            for n in r.node_children(company, u, parent).await? {
                let label = if prefix.is_empty() {
                    format!("{} · {}", utility_name(u, who.lang), n.name)
                } else {
                    format!("{prefix} › {}", n.name)
                };
                out.push(NodeOpt { id: n.id.to_string(), name: label.clone() });
                level.push((Some(n.id), label));
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

async fn render_new(st: &AppState, who: &Signed, f: NewForm, error: Option<String>) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let nodes = node_options(st, who).await.map_err(|e| ConsoleError::new(e, lang))?;
    let c = Ctx::load(&st.app, who, "outages").await?;
    render(&NewPage {
        error,
        f,
        utilities: Utility::ALL
            .into_iter()
            .map(|u| Opt { code: u.code(), name: utility_name(u, lang), key: String::new() })
            .collect(),
        kinds: OutageKind::ALL
            .into_iter()
            .map(|k| Opt { code: k.code(), name: kind_name(k, lang).to_owned(), key: String::new() })
            .collect(),
        effects: Effect::ALL
            .into_iter()
            .map(|e| Opt { code: e.code(), name: effect_name(e, Utility::Gas, lang).to_owned(), key: String::new() })
            .collect(),
        nodes,
        c,
    })
}

/// `GET /outages/new`: only for those who manage outages.
#[tracing::instrument(skip_all)]
pub async fn new_page(State(st): State<AppState>, who: Signed) -> Result<Response, ConsoleError> {
    who.actor.require(Permission::OutageManage, "manage outages").map_err(|e| ConsoleError::new(e, who.lang))?;
    render_new(&st, &who, NewForm { kind: "planned".into(), ..NewForm::default() }, None).await
}

fn input(f: &NewForm) -> AppResult<OutageInput> {
    let bad = |code: &'static str, field: &'static str, msg: &str| AppError::invalid(code, field, msg.to_owned());
    Ok(OutageInput {
        utility: Utility::parse(&f.utility).ok_or_else(|| bad("invalid_utility", "utility", "choose a utility"))?,
        kind: OutageKind::parse(&f.kind)
            .ok_or_else(|| bad("invalid_outage_kind", "kind", "choose planned or emergency"))?,
        effect: Effect::parse(&f.effect).unwrap_or(Effect::Stop),
        node_id: f.node_id.trim().parse().map_err(|_| bad("unknown_node", "node_id", "no such network node"))?,
        reason: f.reason.clone(),
        area: f.area.clone(),
        starts_at: local_time("starts_at", &f.starts_at)?,
        expected_restore_at: local_time("expected_restore_at", &f.expected_restore_at)?,
    })
}

/// `POST /outages/new`: enters the outage and opens its page.
#[tracing::instrument(skip_all)]
pub async fn create(State(st): State<AppState>, who: Signed, Form(f): Form<NewForm>) -> Result<Response, ConsoleError> {
    let result = match input(&f) {
        Ok(i) => st.app.create_outage(&who.actor, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(Redirect::to(&format!("/outages/{}", d.outage.id)).into_response()),
        Err(e) if explainable(&e) => {
            let api = ApiError::from(e);
            let status = api.status;
            let mut res = render_new(&st, &who, f, Some(message(&api, who.lang))).await?;
            *res.status_mut() = if status == StatusCode::OK { StatusCode::UNPROCESSABLE_ENTITY } else { status };
            Ok(res)
        }
        Err(e) => Err(ConsoleError::new(e, who.lang)),
    }
}

/// The line the intake panel shows for a customer under an active outage.
pub struct OutageLine {
    pub id: i64,
    pub text: String,
}

/// What the agent tells the caller: cause, area and expected restoration.
pub fn outage_line(o: &Outage, lang: Lang) -> OutageLine {
    let text = match lang {
        Lang::Zh => format!(
            "{}：{}（{}），原因：{}；影响范围：{}；预计恢复时间：{}",
            kind_name(o.kind, lang),
            state_name(o.state, lang),
            effect_name(o.effect, o.utility, lang),
            o.reason,
            o.area,
            time(o.expected_restore_at)
        ),
        Lang::En => format!(
            "{} outage: {} ({}). Cause: {}; area: {}; expected back by {}",
            kind_name(o.kind, lang),
            state_name(o.state, lang),
            effect_name(o.effect, o.utility, lang),
            o.reason,
            o.area,
            time(o.expected_restore_at)
        ),
    };
    OutageLine { id: o.id, text }
}
