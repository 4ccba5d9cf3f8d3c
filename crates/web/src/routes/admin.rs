//! Administration of the commitment engine: the policy (服务承诺策略) and the
//! statutory working-day calendar (法定工作日历), validated and versioned;
//! and the calendar's days for any staff member.

use crate::AppState;
use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::i18n::{Lang, current_lang, zh_message};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use pledge_app::AppError;
use pledge_app::settings::{CalendarStatus, CalendarYear};
use pledge_app::shanghai;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An error whose English message carries details the administrator needs
/// (the policy line, the date at fault). In Chinese the stable message for
/// the code comes first and those details are kept: `第 12 行：…（…）`.
pub struct DetailedError(ApiError);

impl From<ApiError> for DetailedError {
    fn from(e: ApiError) -> Self {
        DetailedError(e)
    }
}

impl From<AppError> for DetailedError {
    fn from(e: AppError) -> Self {
        DetailedError(e.into())
    }
}

/// Splits `line N: rest` into `(Some(N), rest)`.
fn split_line(message: &str) -> (Option<usize>, &str) {
    if let Some(rest) = message.strip_prefix("line ")
        && let Some((n, detail)) = rest.split_once(": ")
        && let Ok(n) = n.parse()
    {
        return (Some(n), detail);
    }
    (None, message)
}

impl IntoResponse for DetailedError {
    fn into_response(self) -> Response {
        let e = self.0;
        let detailed = e.code.starts_with("policy_") || e.code.starts_with("calendar_");
        if detailed
            && current_lang() == Lang::Zh
            && let Some(zh) = zh_message(&e.code)
        {
            let (line, detail) = split_line(&e.message_en);
            let message = match line {
                Some(n) => format!("第 {n} 行：{zh}（{detail}）"),
                None => format!("{zh}（{detail}）"),
            };
            let body = ErrorBody { error: ErrorDetail { code: e.code, message, field: e.field } };
            return (e.status, Json(body)).into_response();
        }
        e.into_response()
    }
}

type AdminResult<T> = Result<T, DetailedError>;

/// The policy in force, as the TOML an administrator edits.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicySourceDto {
    pub version: u32,
    /// The policy file (TOML).
    pub source: String,
    /// False while the shipped default policy is in force.
    pub stored: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutPolicy {
    /// The whole policy file (TOML); its `version` must be newer than the one in force.
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersionDto {
    /// The version now in force; clocks started from now on record it.
    pub version: u32,
}

/// The commitment policy in force, as TOML with its version.
#[utoipa::path(get, path = "/api/v1/admin/policy", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = PolicySourceDto), (status = 403, body = ErrorBody)))]
pub async fn get_policy(State(st): State<AppState>, Authed(actor): Authed) -> AdminResult<Json<PolicySourceDto>> {
    let p = st.app.policy_source(&actor)?;
    Ok(Json(PolicySourceDto { version: p.version, source: p.source, stored: p.stored }))
}

/// Replaces the commitment policy with a newer version. A policy that does
/// not validate is refused with the line at fault and changes nothing;
/// running clocks keep the version they started under.
#[utoipa::path(put, path = "/api/v1/admin/policy", tag = "admin", security(("bearer" = [])), request_body = PutPolicy,
    responses((status = 200, body = PolicyVersionDto), (status = 403, body = ErrorBody),
        (status = 409, description = "policy_version_not_newer", body = ErrorBody),
        (status = 422, description = "policy_syntax, policy_unknown_event, … with the line at fault", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put_policy(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<PutPolicy>,
) -> AdminResult<Json<PolicyVersionDto>> {
    let version = st.app.put_policy(&actor, req.source).await?;
    Ok(Json(PolicyVersionDto { version }))
}

/// One covered year of the working-day calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYearDto {
    pub year: i16,
    /// The State Council notice the table transcribes.
    pub source: String,
    /// `shipped` (built in) or `stored` (saved by an administrator).
    pub origin: String,
}

impl From<CalendarYear> for CalendarYearDto {
    fn from(y: CalendarYear) -> Self {
        CalendarYearDto { year: y.year, source: y.source, origin: if y.stored { "stored" } else { "shipped" }.into() }
    }
}

/// What the working-day calendar covers, and whether it is about to run out.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarStatusDto {
    pub years: Vec<CalendarYearDto>,
    /// `YYYY-MM-DD`.
    pub first_covered_date: String,
    /// `YYYY-MM-DD`: working-day deadlines after it cannot be computed.
    pub last_covered_date: String,
    /// True when the calendar ends within 60 days (or has ended).
    pub warning: bool,
    pub warning_zh: Option<String>,
    pub warning_en: Option<String>,
}

impl From<CalendarStatus> for CalendarStatusDto {
    fn from(s: CalendarStatus) -> Self {
        CalendarStatusDto {
            years: s.years.into_iter().map(Into::into).collect(),
            first_covered_date: s.first_covered_date.to_string(),
            last_covered_date: s.last_covered_date.to_string(),
            warning: s.warning.is_some(),
            warning_zh: s.warning.as_ref().map(|w| w.message_zh.clone()),
            warning_en: s.warning.map(|w| w.message_en),
        }
    }
}

/// The working-day calendar's coverage.
#[utoipa::path(get, path = "/api/v1/admin/calendar", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = CalendarStatusDto), (status = 403, body = ErrorBody)))]
pub async fn calendar_status(
    State(st): State<AppState>,
    Authed(actor): Authed,
) -> AdminResult<Json<CalendarStatusDto>> {
    let today = st.app.now().to_zoned(shanghai()).date();
    Ok(Json(st.app.calendar_status(&actor, today)?.into()))
}

/// One year's holiday arrangement as the State Council publishes it (the
/// format of the shipped `data/calendar/cn-YYYY.json`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct YearTableDoc {
    pub year: i16,
    /// The notice's title, document number and issue date.
    pub source: String,
    pub holidays: Vec<HolidayDoc>,
    pub makeup_workdays: Vec<MakeupWorkdayDoc>,
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct HolidayDoc {
    pub name_zh: String,
    pub name_en: String,
    /// Each a date (`"2027-01-01"`) or a run (`{"first": "2027-01-01", "last": "2027-01-03"}`).
    #[schema(value_type = Vec<Object>)]
    pub dates: Vec<serde_json::Value>,
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct MakeupWorkdayDoc {
    /// A Saturday or Sunday that is worked (调休上班).
    pub date: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedYearDto {
    #[serde(flatten)]
    pub year: CalendarYearDto,
    /// Whether the table replaced one already in force for that year.
    pub replaced: bool,
}

/// Adds or replaces one year's working-day table. The table is checked on
/// its own (no day both off and worked, makeup days on weekends, …) and
/// against the calendar (covered years without gaps); it is used from the
/// moment the answer comes.
#[utoipa::path(put, path = "/api/v1/admin/calendar/{year}", tag = "admin", security(("bearer" = [])),
    params(("year" = i16, Path)), request_body = YearTableDoc,
    responses((status = 200, body = SavedYearDto), (status = 403, body = ErrorBody),
        (status = 422, description = "calendar_conflicting_day, calendar_coverage_gap, calendar_year_mismatch, …", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(year))]
pub async fn put_calendar_year(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiPath(year): ApiPath<i16>,
    ApiJson(table): ApiJson<serde_json::Value>,
) -> AdminResult<Json<SavedYearDto>> {
    tracing::Span::current().record("year", year);
    let saved = st.app.put_calendar_year(&actor, year, table.to_string()).await?;
    Ok(Json(SavedYearDto { year: saved.year.into(), replaced: saved.replaced }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD`; at most 366 days after `from`, counting both.
    pub to: String,
}

/// One day of the working-day calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayDto {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub working: bool,
    /// The holiday this day off belongs to.
    pub holiday_name_zh: Option<String>,
    pub holiday_name_en: Option<String>,
    /// A weekend day that is worked (调休上班).
    pub makeup: bool,
}

fn date(field: &str, raw: &str) -> Result<jiff::civil::Date, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::invalid("invalid_date", field, format!("{raw:?} is not a date (YYYY-MM-DD)")))
}

/// The statutory working-day calendar, day by day.
#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendar", security(("bearer" = [])), params(DaysQuery),
    responses((status = 200, body = Vec<DayDto>), (status = 422, description = "calendar_not_covered, calendar_range_too_long, invalid_date, …", body = ErrorBody)))]
pub async fn calendar_days(
    State(st): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<DaysQuery>,
) -> AdminResult<Json<Vec<DayDto>>> {
    let (from, to) = (date("from", &q.from)?, date("to", &q.to)?);
    let days = st.app.calendar_days(&actor, from, to)?;
    Ok(Json(
        days.into_iter()
            .map(|d| {
                let (zh, en) = d.holiday_name.unzip();
                DayDto {
                    date: d.date.to_string(),
                    working: d.working,
                    holiday_name_zh: zh,
                    holiday_name_en: en,
                    makeup: d.makeup,
                }
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_split_off_policy_messages() {
        assert_eq!(
            split_line("line 12: rule C1 names the unknown event \"x\""),
            (Some(12), "rule C1 names the unknown event \"x\"")
        );
        assert_eq!(split_line("2027-01-01 is listed twice"), (None, "2027-01-01 is listed twice"));
    }
}
