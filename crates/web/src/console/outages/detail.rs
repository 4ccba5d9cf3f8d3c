//! One outage: clocks, affected customers, delivery counts and the steps its state allows.

use super::*;

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
    pub id: CaseId,
    pub number: String,
    pub subject: String,
}

#[derive(Template)]
#[template(path = "outage.html")]
struct DetailPage {
    c: Ctx,
    error: Option<String>,
    id: OutageId,
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

async fn render_detail(
    st: &AppState,
    who: &Signed,
    id: OutageId,
    error: Option<String>,
) -> Result<Response, ConsoleError> {
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
                state: crate::console::text::t(lang, v.state),
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
        .delivery_summary(a, pledge_app::outages::SUBJECT, id.get())
        .await
        .map_err(err)?
        .into_iter()
        .map(|x| Delivery { state: x.state.code(), channel: x.channel.code(), count: x.count })
        .collect();
    let ids: Vec<CaseId> = d.case_ids.iter().take(100).copied().collect();
    let mut found: std::collections::HashMap<CaseId, pledge_domain::model::Case> =
        app.cases_by_ids(a, &ids).await.map_err(err)?.into_iter().map(|c| (c.id, c)).collect();
    let cases: Vec<CaseLink> = ids
        .iter()
        .filter_map(|cid| found.remove(cid))
        .map(|c| CaseLink { id: c.id, number: c.number.to_string(), subject: c.subject })
        .collect();
    let t = |k| crate::console::text::t(lang, k);
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
        expected_input: crate::console::view::local_input(o.expected_restore_at),
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
pub async fn detail(
    State(st): State<AppState>,
    who: Signed,
    Path(id): Path<OutageId>,
) -> Result<Response, ConsoleError> {
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

async fn run(st: &AppState, who: &Signed, id: OutageId, action: &str, f: StepForm) -> AppResult<()> {
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
    Path((id, action)): Path<(OutageId, String)>,
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
