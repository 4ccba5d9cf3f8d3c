//! Administrator settings: the commitment policy and the working-day calendar,
//! edited through the API, validated by the domain and stored as versioned
//! text. The engine in force is swapped as a whole, and only after the change
//! is durably committed: a request always computes with one complete engine,
//! never with a half-applied one.
//!
//! Clocks keep the policy version they started under (it is part of the
//! stored clock), so a new policy applies to new clocks only.

use crate::engine::Engine;
use crate::error::{AppError, AppResult};
use crate::ledger::event;
use crate::{Actor, App};
use jiff::civil::Date;
use pledge_domain::Permission;
use pledge_domain::calendar::{CalendarError, DayInfo, WorkingCalendar, YearTable};
use pledge_domain::commitment::Policy;
use pledge_domain::commitment::policy::SHIPPED_TOML;
use pledge_domain::model::SettingsMark;
use pledge_store::repo::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

/// How many days one calendar query may return.
pub const MAX_CALENDAR_DAYS: i32 = 366;

/// Warn administrators this many days before the calendar runs out.
pub const COVERAGE_WARNING_DAYS: u32 = 60;

/// The engine in force and where its parts came from.
#[derive(Debug)]
struct InForce {
    engine: Arc<Engine>,
    /// The TOML of the policy in force (the shipped file until one is stored).
    policy_source: Arc<str>,
    policy_stored: bool,
    /// Years whose table comes from the database rather than the shipped data.
    stored_years: BTreeSet<i16>,
}

/// Holds the engine in force; cheap to read, swapped atomically.
#[derive(Debug)]
pub(crate) struct EngineHolder {
    current: RwLock<Arc<InForce>>,
    /// Serialises changes in this process: read, validate, store, commit, swap.
    change: tokio::sync::Mutex<()>,
    /// The stored settings' mark when they were last loaded; `None` before the first load.
    loaded: std::sync::Mutex<Option<SettingsMark>>,
}

impl EngineHolder {
    /// The shipped policy on the shipped calendar.
    pub(crate) fn shipped() -> EngineHolder {
        let now = InForce {
            engine: Arc::new(Engine::shipped()),
            policy_source: SHIPPED_TOML.into(),
            policy_stored: false,
            stored_years: BTreeSet::new(),
        };
        EngineHolder {
            current: RwLock::new(Arc::new(now)),
            change: tokio::sync::Mutex::new(()),
            loaded: std::sync::Mutex::new(None),
        }
    }

    fn get(&self) -> Arc<InForce> {
        // A poisoned lock still holds a whole engine: the swap is one assignment.
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn swap(&self, next: InForce) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
    }

    pub(crate) fn engine(&self) -> Arc<Engine> {
        self.get().engine.clone()
    }
}

/// The policy in force, read through [`App::policy`]: derefs to [`Policy`]
/// and serialises as it, and keeps the engine it belongs to alive.
#[derive(Debug, Clone)]
pub struct PolicyInForce(Arc<Engine>);

impl PolicyInForce {
    pub(crate) fn of(engine: Arc<Engine>) -> Self {
        PolicyInForce(engine)
    }
}

impl std::ops::Deref for PolicyInForce {
    type Target = Policy;
    fn deref(&self) -> &Policy {
        &self.0.policy
    }
}

impl serde::Serialize for PolicyInForce {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.policy.serialize(s)
    }
}

/// The policy source in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    pub version: u32,
    /// The TOML text.
    pub source: String,
    /// False while the shipped default is in force.
    pub stored: bool,
}

/// One year of the calendar in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYear {
    pub year: i16,
    /// The notice the table transcribes.
    pub source: String,
    /// True when the table was saved by an administrator, false when shipped.
    pub stored: bool,
}

/// A warning that the calendar is about to run out (or has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageWarning {
    pub ends_on: Date,
    /// The year whose table is needed next.
    pub next_year: i16,
    pub message_zh: String,
    pub message_en: String,
}

/// What the calendar in force covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarStatus {
    pub years: Vec<CalendarYear>,
    pub first_covered_date: Date,
    pub last_covered_date: Date,
    /// Present when coverage ends within [`COVERAGE_WARNING_DAYS`] of today.
    pub warning: Option<CoverageWarning>,
}

/// What saving a year table did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedYear {
    pub year: CalendarYear,
    /// Whether a table for that year was in force before (and was replaced).
    pub replaced: bool,
}

fn calendar_invalid(e: CalendarError) -> AppError {
    AppError::Invalid { code: e.code(), field: None, message: e.to_string() }
}

/// The calendar from the shipped tables with the stored ones put over them
/// (a stored year replaces the shipped table for that year or extends the
/// covered run). A stored table that no longer reads is skipped; a set that
/// no longer forms a calendar falls back to the shipped one. Both are logged.
fn calendar_with(stored: &[(i16, String)]) -> (WorkingCalendar, BTreeSet<i16>) {
    let shipped = WorkingCalendar::china_default();
    let mut tables: BTreeMap<i16, YearTable> = shipped.tables().map(|t| (t.year, t.clone())).collect();
    let mut years = BTreeSet::new();
    for (year, json) in stored {
        match YearTable::from_json(json) {
            Ok(t) if t.year == *year => {
                tables.insert(t.year, t);
                years.insert(*year);
            }
            Ok(t) => tracing::error!(
                year,
                table_year = t.year,
                "stored calendar table is filed under the wrong year; skipped"
            ),
            Err(e) => {
                tracing::error!(year, code = e.code(), error = %e, "stored calendar table no longer reads; the shipped table (if any) stays in force")
            }
        }
    }
    match WorkingCalendar::new(tables.into_values().collect()) {
        Ok(cal) => (cal, years),
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "stored calendar tables do not form a calendar; using the shipped calendar");
            (shipped, BTreeSet::new())
        }
    }
}

impl App {
    /// The policy in force (it keeps its engine alive; a later swap does not change it).
    pub fn policy(&self) -> PolicyInForce {
        PolicyInForce::of(self.engine())
    }

    /// The engine in force. Take it once per operation: a later swap does not
    /// change the engine an operation already holds.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.engine()
    }

    /// Builds the engine from the stored settings: the newest stored policy of
    /// the company (Pledge serves one company per database; the first one) and
    /// the stored calendar years over the shipped ones. Stored data that no
    /// longer reads is logged and the shipped default kept in its place; only
    /// a storage failure is an error.
    #[tracing::instrument(skip(self))]
    pub async fn load_settings(&self) -> AppResult<()> {
        let _change = self.engine.change.lock().await;
        let read = self.store().read();
        // Read before the settings: a change landing in between moves the mark
        // again, so the next refresh loads once more rather than missing it.
        let mark = read.settings_mark().await?;
        let company = read.companies().await?.into_iter().next();
        let stored_policy = match &company {
            Some(c) => read.latest_policy(c.id).await?,
            None => None,
        };
        let stored_years: Vec<(i16, String)> = read
            .calendar_years()
            .await?
            .into_iter()
            .filter_map(|y| match i16::try_from(y.year) {
                Ok(year) => Some((year, y.source_json)),
                Err(_) => {
                    tracing::error!(year = y.year, "stored calendar year out of range; skipped");
                    None
                }
            })
            .collect();

        let (policy, policy_source, policy_stored) = match stored_policy {
            None => (Policy::shipped(), Arc::<str>::from(SHIPPED_TOML), false),
            Some(p) => match Policy::from_toml(&p.source).and_then(|policy| {
                // A policy stored before coverage was checked may leave a kind of the company's utilities unruled.
                let utilities = company.as_ref().map(|c| c.utilities.clone()).unwrap_or_default();
                policy.check_coverage(&utilities).map(|()| policy)
            }) {
                Ok(policy) => (policy, Arc::<str>::from(p.source), true),
                Err(e) => {
                    tracing::error!(version = p.version, code = e.code(), error = %e, "the stored policy no longer reads; the shipped policy is in force");
                    (Policy::shipped(), Arc::<str>::from(SHIPPED_TOML), false)
                }
            },
        };
        let (calendar, stored_years) = calendar_with(&stored_years);
        tracing::info!(
            policy_version = policy.version,
            policy_stored,
            calendar_first = *calendar.covered_years().start(),
            calendar_last = *calendar.covered_years().end(),
            stored_years = stored_years.len(),
            "commitment engine loaded"
        );
        self.engine.swap(InForce {
            engine: Arc::new(Engine { policy, calendar }),
            policy_source,
            policy_stored,
            stored_years,
        });
        *self.engine.loaded.lock().unwrap_or_else(|p| p.into_inner()) = Some(mark);
        Ok(())
    }

    /// Reloads the settings if they were changed since they were last loaded
    /// — by this server or by another sharing the database. One small query
    /// when nothing changed; the sweeper calls it before every sweep, so a
    /// policy or calendar stored on one server is in force on all within a
    /// sweep interval. Returns whether it reloaded.
    #[tracing::instrument(skip(self))]
    pub async fn refresh_settings(&self) -> AppResult<bool> {
        let mark = self.store().read().settings_mark().await?;
        if *self.engine.loaded.lock().unwrap_or_else(|p| p.into_inner()) == Some(mark) {
            return Ok(false);
        }
        self.load_settings().await?;
        Ok(true)
    }

    /// The policy in force as TOML, with its version.
    pub fn policy_source(&self, actor: &Actor) -> AppResult<PolicySource> {
        actor.require(Permission::RegistryWrite, "read the commitment policy source")?;
        let now = self.engine.get();
        Ok(PolicySource {
            version: now.engine.policy.version,
            source: now.policy_source.to_string(),
            stored: now.policy_stored,
        })
    }

    /// Replaces the policy with a new version. The TOML must parse and
    /// validate, and its `version` must be newer than the one in force and
    /// than any stored; otherwise nothing changes. New clocks start under the
    /// new version; running clocks keep theirs.
    #[tracing::instrument(skip(self, actor, source))]
    pub async fn put_policy(&self, actor: &Actor, source: String) -> AppResult<u32> {
        actor.require(Permission::RegistryWrite, "change the commitment policy")?;
        let invalid = |e: pledge_domain::commitment::PolicyError| AppError::Invalid {
            code: e.code(),
            field: Some("source"),
            message: e.to_string(),
        };
        let policy = Policy::from_toml(&source).map_err(invalid)?;
        // Every case kind of every utility the company serves needs a rule or an explicit "no rule".
        let company = self.store().read().companies().await?.into_iter().find(|c| c.id == actor.staff.company_id);
        if let Some(c) = &company {
            policy.check_coverage(&c.utilities).map_err(invalid)?;
        }
        let version = policy.version;
        let _change = self.engine.change.lock().await;
        let now = self.engine.get();
        let running = now.engine.policy.version;
        if version <= running {
            return Err(not_newer(version, running));
        }
        let (company, who, at) = (actor.staff.company_id, actor.id(), self.now().as_microsecond());
        let text = source.clone();
        self.writer
            .write(async move |tx| {
                if let Some(latest) = tx.exec().latest_policy(company).await?
                    && i64::from(version) <= latest.version
                {
                    return Err(not_newer(version, latest.version));
                }
                tx.insert_policy(company, i64::from(version), &text, Some(who), at).await?;
                event(tx, Some(who), None, "policy.updated", json!({"version": version}), at).await?;
                Ok(())
            })
            .await?;
        // Committed: now, and only now, the new engine goes into force.
        let engine = Engine { policy, calendar: now.engine.calendar.clone() };
        self.engine.swap(InForce {
            engine: Arc::new(engine),
            policy_source: source.into(),
            policy_stored: true,
            stored_years: now.stored_years.clone(),
        });
        tracing::info!(version, "commitment policy updated");
        Ok(version)
    }

    /// Adds or replaces the working-day table for `year` (the table's own
    /// `year` must match). The table is validated on its own and then against
    /// the calendar in force (the covered years must stay without gaps).
    #[tracing::instrument(skip(self, actor, json))]
    pub async fn put_calendar_year(&self, actor: &Actor, year: i16, json: String) -> AppResult<SavedYear> {
        actor.require(Permission::RegistryWrite, "change the working-day calendar")?;
        let table = YearTable::from_json(&json).map_err(calendar_invalid)?;
        if table.year != year {
            return Err(AppError::Invalid {
                code: "calendar_year_mismatch",
                field: Some("year"),
                message: format!("the table is for {}, but it was sent for {year}", table.year),
            });
        }
        let _change = self.engine.change.lock().await;
        let now = self.engine.get();
        let mut calendar = now.engine.calendar.clone();
        let replaced = calendar.replace_year(table.clone()).map_err(calendar_invalid)?.is_some();
        let (who, at) = (actor.id(), self.now().as_microsecond());
        let notice = table.source.clone();
        self.writer
            .write(async move |tx| {
                tx.save_calendar_year(i64::from(year), &json, Some(who), at).await?;
                event(
                    tx,
                    Some(who),
                    None,
                    "calendar.year_saved",
                    json!({"year": year, "replaced": replaced, "source": notice}),
                    at,
                )
                .await?;
                Ok(())
            })
            .await?;
        let mut stored_years = now.stored_years.clone();
        stored_years.insert(year);
        let engine = Engine { policy: now.engine.policy.clone(), calendar };
        self.engine.swap(InForce {
            engine: Arc::new(engine),
            policy_source: now.policy_source.clone(),
            policy_stored: now.policy_stored,
            stored_years,
        });
        tracing::info!(year, replaced, "working-day calendar year saved");
        Ok(SavedYear { year: CalendarYear { year, source: table.source, stored: true }, replaced })
    }

    /// The years the calendar in force covers, and a warning when it runs out
    /// within two months of `today`.
    pub fn calendar_status(&self, actor: &Actor, today: Date) -> AppResult<CalendarStatus> {
        actor.require(Permission::RegistryWrite, "manage the working-day calendar")?;
        let now = self.engine.get();
        let cal = &now.engine.calendar;
        let years = cal
            .tables()
            .map(|t| CalendarYear {
                year: t.year,
                source: t.source.clone(),
                stored: now.stored_years.contains(&t.year),
            })
            .collect();
        let last = cal.last_covered_date();
        let warning =
            cal.coverage_ends_within(today, COVERAGE_WARNING_DAYS).map(|ends_on| coverage_warning(ends_on, today));
        Ok(CalendarStatus { years, first_covered_date: cal.first_covered_date(), last_covered_date: last, warning })
    }

    /// What the calendar in force says about each day from `from` to `to`
    /// (both included, at most [`MAX_CALENDAR_DAYS`] days). Any staff member.
    pub fn calendar_days(&self, _actor: &Actor, from: Date, to: Date) -> AppResult<Vec<DayInfo>> {
        if to < from {
            return Err(calendar_invalid(CalendarError::InvalidRange { from, to }));
        }
        let days = from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX);
        if days >= MAX_CALENDAR_DAYS {
            return Err(AppError::invalid(
                "calendar_range_too_long",
                "to",
                format!("ask for at most {MAX_CALENDAR_DAYS} days at a time"),
            ));
        }
        self.engine().calendar.days(from, to).map_err(calendar_invalid)
    }
}

fn not_newer(version: u32, current: impl std::fmt::Display) -> AppError {
    AppError::conflict(
        "policy_version_not_newer",
        format!("the policy's version {version} is not newer than version {current}; raise `version`"),
    )
}

fn coverage_warning(ends_on: Date, today: Date) -> CoverageWarning {
    let next_year = ends_on.year().saturating_add(1);
    let (message_zh, message_en) = if ends_on < today {
        (
            format!("法定工作日历已于 {ends_on} 结束，此后的期限无法计算；请添加 {next_year} 年的节假日安排表"),
            format!(
                "the working-day calendar ended on {ends_on} and later deadlines cannot be computed; add the {next_year} table"
            ),
        )
    } else {
        (
            format!("法定工作日历截至 {ends_on}，请添加 {next_year} 年的节假日安排表"),
            format!("the working-day calendar ends on {ends_on}; add the {next_year} table"),
        )
    };
    CoverageWarning { ends_on, next_year, message_zh, message_en }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_years_extend_and_override_the_shipped_calendar() {
        let mut t2027 = WorkingCalendar::china_default().year_table(2026).unwrap().clone();
        t2027.year = 2027;
        t2027.holidays.clear();
        t2027.makeup_workdays.clear();
        let (cal, stored) = calendar_with(&[(2027, serde_json::to_string(&t2027).unwrap())]);
        assert_eq!(cal.covered_years(), 2024..=2027);
        assert_eq!(stored, BTreeSet::from([2027]));
    }

    #[test]
    fn unreadable_or_gapped_stored_years_fall_back_to_the_shipped_tables() {
        let (cal, stored) = calendar_with(&[(2027, "{not json".into())]);
        assert_eq!((cal.covered_years(), stored.len()), (2024..=2026, 0));
        let mut t2029 = WorkingCalendar::china_default().year_table(2026).unwrap().clone();
        t2029.year = 2029;
        t2029.holidays.clear();
        t2029.makeup_workdays.clear();
        let (cal, stored) = calendar_with(&[(2029, serde_json::to_string(&t2029).unwrap())]);
        assert_eq!((cal.covered_years(), stored.len()), (2024..=2026, 0));
    }

    #[test]
    fn the_warning_names_the_last_day_and_the_next_year() {
        let w = coverage_warning(jiff::civil::date(2026, 12, 31), jiff::civil::date(2026, 11, 15));
        assert_eq!(w.message_en, "the working-day calendar ends on 2026-12-31; add the 2027 table");
        assert_eq!(w.next_year, 2027);
    }
}
