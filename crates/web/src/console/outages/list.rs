//! The outage list with the suspected outages trouble calls raised.

use super::*;

/// One line of the outage list.
pub struct OutageRow {
    pub id: OutageId,
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
    pub id: SuspectId,
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

async fn node_name(st: &AppState, who: &Signed, id: NodeId) -> String {
    st.app.node(&who.actor, id).await.map(|n| n.name).unwrap_or_else(|_| format!("#{id}"))
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
            node: node_name(st, who, o.node_id).await,
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
    let restore_guess = crate::console::view::local_input(
        st.app.now().checked_add(jiff::SignedDuration::from_hours(4)).unwrap_or(st.app.now()),
    );
    let mut suspects = Vec::new();
    for s in &found.items {
        suspects.push(SuspectRow {
            id: s.id,
            utility: utility_name(s.utility, lang),
            node: node_name(st, who, s.node_id).await,
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
    /// The confirm form's "announce now" box (checked by default).
    announce: Option<String>,
}

async fn run_suspect(
    st: &AppState,
    who: &Signed,
    id: SuspectId,
    action: &str,
    f: SuspectForm,
) -> AppResult<Option<OutageId>> {
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
                announce: f.announce.is_some_and(|a| !a.is_empty() && a != "0"),
                override_reason: None,
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
    Path((id, action)): Path<(SuspectId, String)>,
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
