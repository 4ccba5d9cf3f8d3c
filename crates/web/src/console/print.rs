//! Printable pages: the receipt (回执, 80 mm) a customer takes home and the
//! three-copy complaint form (投诉处理单, A4) of a transferred complaint.

use super::case_page::copy_name;
use super::ctx::{Ctx, Signed};
use super::error::{ConsoleError, render};
use super::view::{kind_name, time, utility_name};
use crate::AppState;
use crate::i18n::Lang;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use pledge_app::cases::CaseDetail;
use pledge_domain::case::CaseKind;
use pledge_domain::ids::*;
use serde_json::Value;

#[derive(Template)]
#[template(path = "receipt.html")]
struct Receipt {
    c: Ctx,
    number: String,
    kind: String,
    subject: String,
    received: String,
    deadline: String,
    contact_staff: String,
    customer: String,
    closed: bool,
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn receipt(
    State(st): State<AppState>,
    who: Signed,
    Path(id): Path<CaseId>,
) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let err = |e| ConsoleError::new(e, lang);
    let CaseDetail { case, .. } = st.app.case(&who.actor, id).await.map_err(err)?;
    let clocks = st.app.case_clocks(&who.actor, id).await.map_err(err)?;
    let deadline = super::view::case_deadline(&clocks);
    let contact_id = case.assignee_id.unwrap_or(case.first_responder_id);
    let contact_staff = st.app.staff_member(&who.actor, contact_id).await.map(|s| s.display_name).unwrap_or_default();
    let c = Ctx::load(&st.app, &who, "case").await?;
    render(&Receipt {
        number: case.number.to_string(),
        kind: format!("{} · {}", utility_name(case.utility, lang), kind_name(case.kind, lang)),
        subject: case.subject.clone(),
        received: time(case.created_at),
        deadline,
        contact_staff,
        customer: case.contact_name.clone().unwrap_or_default(),
        closed: !case.state.is_open(),
        c,
    })
}

pub struct FormCopy {
    pub copy: &'static str,
    pub holder: String,
    pub acknowledged: String,
}

#[derive(Template)]
#[template(path = "complaint_form.html")]
struct ComplaintForm {
    c: Ctx,
    number: String,
    received: String,
    customer: String,
    phone: String,
    subject: String,
    description: String,
    from: String,
    to: String,
    reason: String,
    transferred: String,
    deadline: String,
    copies: Vec<FormCopy>,
}

/// The latest transfer's three copies, each on its own A4 page.
#[tracing::instrument(skip_all, fields(id))]
pub async fn complaint_form(
    State(st): State<AppState>,
    who: Signed,
    Path(id): Path<CaseId>,
) -> Result<Response, ConsoleError> {
    let lang = who.lang;
    let err = |e| ConsoleError::new(e, lang);
    let CaseDetail { case, distributions, timeline, .. } = st.app.case(&who.actor, id).await.map_err(err)?;
    let last = distributions.iter().map(|d| d.transfer_no).max();
    let (Some(last), CaseKind::Complaint) = (last, case.kind) else { return Err(ConsoleError::not_found(lang)) };
    let departments = st.app.departments(&who.actor).await.map_err(err)?;
    let dept = |id: Option<DepartmentId>| {
        id.and_then(|i| departments.iter().find(|d| d.id == i))
            .map(|d| if lang == Lang::En { d.name_en.clone() } else { d.name_zh.clone() })
            .unwrap_or_else(|| "—".into())
    };
    let transfer = timeline
        .iter()
        .rev()
        .find(|e| e.kind == "case.transferred" && e.payload.get("transfer_no").and_then(Value::as_i64) == Some(last));
    let p = transfer.map(|e| e.payload.clone()).unwrap_or(Value::Null);
    let clocks = st.app.case_clocks(&who.actor, id).await.map_err(err)?;
    let deadline = super::view::case_deadline(&clocks);
    let c = Ctx::load(&st.app, &who, "case").await?;
    render(&ComplaintForm {
        number: case.number.to_string(),
        received: time(case.created_at),
        customer: case.contact_name.clone().unwrap_or_default(),
        phone: case.contact_phone.clone().unwrap_or_default(),
        subject: case.subject.clone(),
        description: case.description.clone(),
        from: dept(p.get("from_department_id").and_then(Value::as_i64).map(DepartmentId)),
        to: dept(p.get("to_department_id").and_then(Value::as_i64).map(DepartmentId)),
        reason: p.get("reason").and_then(Value::as_str).unwrap_or_default().to_owned(),
        transferred: transfer.map(|e| time(e.at)).unwrap_or_default(),
        deadline,
        copies: distributions
            .iter()
            .filter(|d| d.transfer_no == last)
            .map(|d| FormCopy {
                copy: copy_name(&d.copy, lang),
                holder: dept(d.holder_department_id),
                acknowledged: d.acknowledged_at.map(time).unwrap_or_default(),
            })
            .collect(),
        c,
    })
}
