//! Validation of a rule's timing: its period, daily window, season and
//! warning fractions.

use jiff::civil::Time;
use toml::Spanned;

use super::model::{Target, Timing};
use super::parse::{Cx, MAX_WARNINGS, percent_of};
use super::raw::{RawByZone, RawPeriod, RawRange, RawRule};
use crate::commitment::errors::PolicyError;
use crate::commitment::period::Period;
use crate::commitment::window::{DailyWindow, MonthDay, Season};

/// Builds a period from its amount.
type MakePeriod = fn(u32) -> Period;

impl Cx<'_> {
    pub(super) fn timing(&self, raw: &RawRule) -> Result<Timing, PolicyError> {
        let measured = raw.measured_only.as_ref().filter(|m| *m.get_ref());
        let found: Vec<(&str, usize)> = [
            ("duration", raw.duration.as_ref().map(|v| self.at(v))),
            ("duration_by_zone", raw.duration_by_zone.as_ref().map(|v| self.at(v))),
            ("lead_time", raw.lead_time.as_ref().map(|v| self.at(v))),
            ("interval", raw.interval.as_ref().map(|v| self.at(v))),
            ("season", raw.season.as_ref().map(|v| self.at(v))),
            ("measured_only", measured.map(|v| self.at(v))),
        ]
        .into_iter()
        .filter_map(|(name, line)| line.map(|l| (name, l)))
        .collect();
        match found.as_slice() {
            [] => {
                return Err(self.missing(
                    self.line,
                    "one of duration, duration_by_zone, lead_time, interval, season or measured_only = true",
                ));
            }
            [_] => {}
            [_, (_, line), ..] => {
                let names: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
                return Err(self.conflict(*line, format!("choose one of {}", names.join(", "))));
            }
        }
        if let Some(target) = &raw.target
            && measured.is_none()
        {
            return Err(self.conflict(self.at(target), "a target belongs to a measured_only rule"));
        }
        if let Some(d) = &raw.duration {
            return Ok(Timing::Duration(self.period("duration", d)?));
        }
        if let Some(z) = &raw.duration_by_zone {
            let RawByZone { urban, rural } = z.get_ref();
            return Ok(Timing::ByZone {
                urban: self.period("duration_by_zone.urban", urban)?,
                rural: self.period("duration_by_zone.rural", rural)?,
            });
        }
        if let Some(l) = &raw.lead_time {
            let period = self.period("lead_time", l)?;
            if period.fixed().is_none() {
                return Err(
                    self.conflict(self.at(l), "a lead_time counts minutes, hours or calendar_days, not working days")
                );
            }
            return Ok(Timing::LeadTime(period));
        }
        if let Some(i) = &raw.interval {
            return Ok(Timing::Interval(self.period("interval", i)?));
        }
        if let Some(s) = &raw.season {
            return Ok(Timing::Season(self.season(s)?));
        }
        let Some(target) = &raw.target else {
            return Err(self.missing(self.line, "a target, e.g. target = { rings = 3 }"));
        };
        let rings = target.get_ref().rings;
        let rings = u32::try_from(rings).ok().filter(|n| *n > 0).ok_or_else(|| PolicyError::NotPositive {
            line: self.at(target),
            rule: self.rule.clone(),
            field: "target.rings".into(),
        })?;
        Ok(Timing::Measured(Target::Rings(rings)))
    }

    pub(super) fn period(&self, field: &str, value: &Spanned<RawPeriod>) -> Result<Period, PolicyError> {
        let line = self.at(value);
        let RawPeriod { minutes, hours, working_days, calendar_days } = value.get_ref();
        let set: Vec<(i64, MakePeriod)> = [
            (*minutes, Period::Minutes as MakePeriod),
            (*hours, Period::Hours),
            (*working_days, Period::WorkingDays),
            (*calendar_days, Period::CalendarDays),
        ]
        .into_iter()
        .filter_map(|(n, make)| n.map(|n| (n, make)))
        .collect();
        let [(n, make)] = set.as_slice() else {
            return Err(PolicyError::DurationUnits { line, rule: self.rule.clone(), field: field.to_string() });
        };
        if *n <= 0 {
            return Err(PolicyError::NotPositive { line, rule: self.rule.clone(), field: field.to_string() });
        }
        let n = u32::try_from(*n).map_err(|_| self.conflict(line, format!("{field} is too large")))?;
        Ok(make(n))
    }

    pub(super) fn window(&self, value: &Spanned<RawRange>) -> Result<DailyWindow, PolicyError> {
        let RawRange { from, to } = value.get_ref();
        let invalid = |line, reason: String| PolicyError::InvalidWindow { line, rule: self.rule.clone(), reason };
        let time = |s: &Spanned<String>| {
            hhmm(s.get_ref())
                .ok_or_else(|| invalid(self.at(s), format!("{:?} is not a time of day HH:MM", s.get_ref())))
        };
        let (start, end) = (time(from)?, time(to)?);
        DailyWindow::new(start, end).ok_or_else(|| {
            invalid(self.at(to), format!("it must end after it starts ({} to {})", from.get_ref(), to.get_ref()))
        })
    }

    pub(super) fn season(&self, value: &Spanned<RawRange>) -> Result<Season, PolicyError> {
        let RawRange { from, to } = value.get_ref();
        let invalid = |line, reason: String| PolicyError::InvalidSeason { line, rule: self.rule.clone(), reason };
        let day = |s: &Spanned<String>| {
            MonthDay::parse(s.get_ref()).ok_or_else(|| {
                invalid(self.at(s), format!("{:?} is not a day of the year MM-DD (02-29 excluded)", s.get_ref()))
            })
        };
        let (start, end) = (day(from)?, day(to)?);
        if start == end {
            return Err(invalid(self.at(to), "a season needs two different days".into()));
        }
        Ok(Season { from: start, to: end })
    }

    pub(super) fn warn_at(&self, value: &Spanned<Vec<f64>>) -> Result<Vec<f64>, PolicyError> {
        let invalid =
            |reason: String| PolicyError::InvalidWarnAt { line: self.at(value), rule: self.rule.clone(), reason };
        let fractions = value.get_ref();
        if fractions.len() > MAX_WARNINGS {
            return Err(invalid(format!("at most {MAX_WARNINGS} warnings")));
        }
        let mut last_percent = 0;
        for &f in fractions {
            if !(f > 0.0 && f < 1.0) {
                return Err(invalid(format!("{f} is not strictly between 0 and 1")));
            }
            let percent = percent_of(f);
            if !(1..=99).contains(&percent) {
                return Err(invalid(format!("{f} rounds to {percent} %; use 0.01 to 0.99")));
            }
            if percent <= last_percent {
                return Err(invalid("the fractions must be strictly increasing (in whole percent)".into()));
            }
            last_percent = percent;
        }
        Ok(fractions.clone())
    }
}

/// Strict `HH:MM`.
fn hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.split_once(':')?;
    let two_digits = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return None;
    }
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}
