//! The intake screen's customer search as the clerk types (an HTML fragment
//! the page's script swaps in) and the customer panel of the chosen one.

use super::ctx::Signed;
use super::error::{ConsoleError, render};
use super::view::{CaseRow, care_name, case_rows, utility_name};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use pledge_domain::CustomerCategory;
use pledge_domain::ids::*;
use pledge_domain::model::{CaseFilter, CaseSort, PageRequest};
use serde::Deserialize;

/// How many matches the search shows.
const HITS: u32 = 8;

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub struct Hit {
    pub id: CustomerId,
    pub number: String,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub utility: String,
    pub care: bool,
}

#[derive(Template)]
#[template(path = "fragments/customer_results.html")]
struct Results {
    hits: Vec<Hit>,
    more: bool,
    searched: bool,
    t_none: &'static str,
    t_more: &'static str,
}

/// Matches by customer number (prefix), phone, account name or address.
#[tracing::instrument(skip_all)]
pub async fn results(
    State(st): State<AppState>,
    who: Signed,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ConsoleError> {
    let text = q.q.trim();
    let lang = who.lang;
    let (hits, more) = if text.chars().count() < 2 {
        (Vec::new(), false)
    } else {
        let found =
            st.app.search_customers(&who.actor, text, HITS + 1).await.map_err(|e| ConsoleError::new(e, lang))?;
        let more = found.len() > HITS as usize;
        let hits = found
            .into_iter()
            .take(HITS as usize)
            .map(|c| Hit {
                id: c.id,
                number: c.number.as_str().to_owned(),
                name: c.account_name.as_str().to_owned(),
                phone: c.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
                address: c.premises.as_ref().map(|p| p.address.clone()).unwrap_or_default(),
                utility: utility_name(c.utility, lang),
                care: !c.special_care.is_empty(),
            })
            .collect();
        (hits, more)
    };
    render(&Results {
        searched: text.chars().count() >= 2,
        hits,
        more,
        t_none: super::text::t(lang, "search_none"),
        t_more: super::text::t(lang, "search_more"),
    })
}

#[derive(Template)]
#[template(path = "fragments/customer_panel.html")]
struct Panel {
    c: super::Ctx,
    id: CustomerId,
    number: String,
    name: String,
    phone: String,
    utility_code: &'static str,
    utility: String,
    category: &'static str,
    address: String,
    zone: &'static str,
    area: String,
    care: Vec<String>,
    open: Vec<CaseRow>,
    recent: Vec<CaseRow>,
    /// Active outages over the customer's premises (C16).
    outages: Vec<super::outages::OutageLine>,
}

/// The chosen customer: account, premises, special care, open and recent cases.
#[tracing::instrument(skip_all, fields(id))]
pub async fn panel(
    State(st): State<AppState>,
    who: Signed,
    Path(id): Path<CustomerId>,
) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let err = |e| ConsoleError::new(e, lang);
    let cust = st.app.customer(&who.actor, id).await.map_err(err)?;
    if cust.company_id != who.actor.staff.company_id {
        return Err(ConsoleError::not_found(lang));
    }
    let filter = CaseFilter { customer_id: Some(id), ..CaseFilter::default() };
    let cases = st
        .app
        .cases(&who.actor, filter, CaseSort::NewestFirst, PageRequest::new(Some(20), None))
        .await
        .map_err(err)?
        .items;
    let rows = case_rows(&st.app, &who.actor, &cases, lang).await.map_err(err)?;
    let (mut open, mut recent) = (Vec::new(), Vec::new());
    for (row, case) in rows.into_iter().zip(&cases) {
        if case.state.is_open() { open.push(row) } else { recent.push(row) }
    }
    let outages = st
        .app
        .customer_outages(&who.actor, id)
        .await
        .map_err(err)?
        .iter()
        .map(|o| super::outages::outage_line(o, lang))
        .collect();
    let c = super::Ctx::load(&st.app, &who, "intake").await?;
    let t = |k| super::text::t(lang, k);
    render(&Panel {
        id,
        number: cust.number.as_str().to_owned(),
        name: cust.account_name.as_str().to_owned(),
        phone: cust.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        utility_code: cust.utility.code(),
        utility: utility_name(cust.utility, lang),
        category: match cust.category {
            CustomerCategory::Residential => t("residential"),
            _ => t("non_residential"),
        },
        address: cust.premises.as_ref().map(|p| p.address.clone()).unwrap_or_default(),
        zone: match cust.premises.as_ref().map(|p| p.zone) {
            Some(pledge_domain::Zone::Rural) => t("rural"),
            Some(_) => t("urban"),
            None => "",
        },
        area: cust.premises.as_ref().and_then(|p| p.floor_area_m2).map(|a| format!("{a} m²")).unwrap_or_default(),
        care: cust.special_care.iter().map(|f| care_name(*f, lang)).collect(),
        open,
        recent: recent.into_iter().take(5).collect(),
        outages,
        c,
    })
}
