//! The actions on the case page, one form each, posted to
//! `/cases/{id}/do/{action}`. Success goes back to the case page; a refusal
//! shows the page again with the reason.

use super::case_page::render_case;
use super::ctx::Signed;
use super::error::{ConsoleError, message};
use crate::AppState;
use crate::error::ApiError;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use pledge_app::cases::WaitFor;
use pledge_app::{AppError, AppResult};
use pledge_domain::CaseNumber;
use pledge_domain::ids::*;
use serde::Deserialize;

/// Every field any action form sends; each action reads the ones it needs.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    body: Option<String>,
    #[serde(rename = "final")]
    final_answer: Option<String>,
    department_id: Option<DepartmentId>,
    reason: Option<String>,
    staff_id: Option<StaffId>,
    summary: Option<String>,
    original: Option<String>,
    clock_id: Option<ClockId>,
    new_due: Option<String>,
    request_id: Option<ExtensionRequestId>,
    decision: Option<String>,
    copy_id: Option<DistributionId>,
}

fn need<T>(v: Option<T>, field: &'static str) -> AppResult<T> {
    v.ok_or_else(|| AppError::invalid("missing_field", field, format!("{field} is required")))
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A `datetime-local` value, read as Shanghai time.
fn local_time(s: &str) -> AppResult<jiff::Timestamp> {
    let bad = || AppError::invalid("invalid_time", "new_due", "enter the new deadline as a date and time");
    let dt: jiff::civil::DateTime = s.trim().parse().map_err(|_| bad())?;
    dt.to_zoned(pledge_app::shanghai()).map(|z| z.timestamp()).map_err(|_| bad())
}

async fn run(st: &AppState, who: &Signed, id: CaseId, action: &str, f: ActionForm) -> AppResult<()> {
    let app = &st.app;
    let a = &who.actor;
    match action {
        "reply" => app.reply_case(a, id, need(text(f.body), "body")?, f.final_answer.is_some()).await.map(drop),
        "transfer" => app.transfer_case(a, id, need(f.department_id, "department_id")?, text(f.reason)).await.map(drop),
        "start" => app.start_case(a, id).await.map(drop),
        "wait_customer" => app.wait_case(a, id, WaitFor::Customer).await.map(drop),
        "resume" => app.resume_case(a, id).await.map(drop),
        "callback" => app.start_callback(a, id).await.map(drop),
        "return" => app.return_case(a, id, f.reason.unwrap_or_default()).await.map(drop),
        "assign" => app.assign_case(a, id, need(f.staff_id, "staff_id")?).await.map(drop),
        "note" => app.note_case(a, id, need(text(f.body), "body")?).await.map(drop),
        "close" => app.close_case(a, id, text(f.summary)).await.map(drop),
        "reopen" => app.reopen_case(a, id, f.reason.unwrap_or_default()).await.map(drop),
        "link" => {
            let raw = need(text(f.original), "original")?;
            let number =
                CaseNumber::parse(&raw).map_err(|_| AppError::invalid("unknown_case", "original", "no such case"))?;
            let original = app
                .case_id_by_number(a, &number)
                .await
                .map_err(|_| AppError::invalid("unknown_case", "original", "no such case"))?;
            app.link_duplicate(a, id, original).await.map(drop)
        }
        "acknowledge" => app.acknowledge_form_copy(a, id, need(f.copy_id, "copy_id")?).await.map(drop),
        "request_extension" => {
            let due = local_time(&need(f.new_due, "new_due")?)?;
            app.request_extension(a, id, need(f.clock_id, "clock_id")?, due, f.reason.unwrap_or_default())
                .await
                .map(drop)
        }
        "withdraw_clock" => {
            app.withdraw_case_clock(a, id, need(f.clock_id, "clock_id")?, f.reason.unwrap_or_default()).await.map(drop)
        }
        "decide_extension" => {
            let req = need(f.request_id, "request_id")?;
            app.decide_case_extension(a, id, req, f.decision.as_deref() == Some("approve")).await.map(drop)
        }
        _ => Err(AppError::NotFound("action")),
    }
}

#[tracing::instrument(skip_all, fields(id, action = %action))]
pub async fn act(
    State(st): State<AppState>,
    who: Signed,
    Path((id, action)): Path<(CaseId, String)>,
    Form(f): Form<ActionForm>,
) -> Result<Response, ConsoleError> {
    match run(&st, &who, id, &action, f).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::Transition(_)
            | AppError::Conflict { .. }
            | AppError::Forbidden(_)),
        ) => {
            let status = ApiError::from(e);
            let msg = message(&status, who.lang);
            let mut res = render_case(&st, &who, id, Some(msg), false).await?;
            *res.status_mut() = status.status;
            Ok(res)
        }
        Err(e) => Err(ConsoleError::new(e, who.lang)),
    }
}
