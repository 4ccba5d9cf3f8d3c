//! The form that enters a new outage.

use super::*;

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
    let mut out = Vec::new();
    for u in Utility::ALL {
        // Walk the tree; each label carries its path, so sorting by label
        // puts children under their parent. The guard bounds the queries.
        let mut level: Vec<(Option<NodeId>, String)> = vec![(None, String::new())];
        let mut guard = 0;
        while let Some((parent, prefix)) = level.pop() {
            guard += 1;
            if guard > 2000 {
                break;
            }
            for n in st.app.node_children(&who.actor, u, parent).await? {
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
