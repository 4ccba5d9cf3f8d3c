//! China's statutory working-day calendar.
//!
//! Each year the General Office of the State Council publishes which days
//! are off for the public holidays and which weekend days are worked in
//! exchange (调休). Service commitments such as "a result within 3 working
//! days" are counted on that calendar, so Pledge keeps one [`YearTable`] per
//! year, transcribed from the notice, and refuses to guess about years it
//! has no table for: an administrator must add each new year's table once
//! the notice is out (usually in October or November).
//!
//! The tables for 2024–2026 ship with the crate (`data/calendar/`) and are
//! loaded by [`WorkingCalendar::china_default`]. All arithmetic happens in
//! Asia/Shanghai.

mod error;
mod table;
#[cfg(test)]
mod tests;

use std::ops::RangeInclusive;

use jiff::Zoned;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::Serialize;

pub use error::CalendarError;
use table::DayKind;
pub use table::{DaySpan, Holiday, MakeupWorkday, YearTable};

/// The zone every calendar calculation happens in.
pub const TIME_ZONE: &str = "Asia/Shanghai";

/// Earliest year a table may describe.
pub const MIN_YEAR: i16 = 1900;
/// Latest year a table may describe (one below jiff's last year, so the day
/// after any covered day always exists).
pub const MAX_YEAR: i16 = 9998;

/// The shipped tables, embedded at compile time.
const SHIPPED: [(&str, &str); 3] = [
    ("cn-2024.json", include_str!("../../data/calendar/cn-2024.json")),
    ("cn-2025.json", include_str!("../../data/calendar/cn-2025.json")),
    ("cn-2026.json", include_str!("../../data/calendar/cn-2026.json")),
];

/// What the calendar says about one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    pub date: Date,
    pub working: bool,
    /// `(Chinese, English)` name of the break this day belongs to, if it is
    /// one of a holiday's days off.
    pub holiday_name: Option<(String, String)>,
    /// A Saturday or Sunday that is worked (调休上班).
    pub makeup: bool,
}

/// The working-day calendar over a run of consecutive years.
///
/// Built from [`YearTable`]s, each validated on the way in; the covered
/// years never have a gap. Any question about a day outside them fails with
/// [`CalendarError::NotCovered`] rather than guessing.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    first_year: i16,
    /// One entry per covered year, `first_year` first.
    years: Vec<CoveredYear>,
    tz: TimeZone,
}

#[derive(Debug, Clone)]
struct CoveredYear {
    table: YearTable,
    /// The kind of each day, indexed by day of year − 1.
    kinds: Vec<DayKind>,
}

impl CoveredYear {
    fn new(table: YearTable) -> Result<Self, CalendarError> {
        let kinds = table.classify()?;
        Ok(CoveredYear { table, kinds })
    }
}

impl WorkingCalendar {
    /// The calendar of the shipped tables (2024, 2025 and 2026).
    ///
    /// # Panics
    ///
    /// Only if the embedded data were invalid or the bundled time zone
    /// database lacked Asia/Shanghai; the crate's tests rule out both.
    pub fn china_default() -> Self {
        let tables = Self::shipped_tables().expect("the shipped calendar tables are valid");
        Self::new(tables).expect("the shipped calendar tables form a calendar")
    }

    /// The shipped tables, parsed and validated, oldest first.
    pub fn shipped_tables() -> Result<Vec<YearTable>, CalendarError> {
        SHIPPED
            .iter()
            .map(|(file, json)| {
                YearTable::from_json(json).map_err(|e| match e {
                    CalendarError::InvalidData { detail } => {
                        CalendarError::InvalidData { detail: format!("{file}: {detail}") }
                    }
                    other => other,
                })
            })
            .collect()
    }

    /// A calendar over the given tables, in any order. They must be valid,
    /// for distinct years, and cover consecutive years.
    pub fn new(tables: Vec<YearTable>) -> Result<Self, CalendarError> {
        let mut years = tables.into_iter().map(CoveredYear::new).collect::<Result<Vec<_>, _>>()?;
        years.sort_by_key(|y| y.table.year);
        let Some(first_year) = years.first().map(|y| y.table.year) else {
            return Err(CalendarError::Empty);
        };
        for pair in years.windows(2) {
            let (a, b) = (pair[0].table.year, pair[1].table.year);
            if a == b {
                return Err(CalendarError::DuplicateYear { year: b });
            }
            if b != a + 1 {
                return Err(CalendarError::CoverageGap { year: b, first_year, last_year: a });
            }
        }
        let tz = TimeZone::get(TIME_ZONE).map_err(|e| CalendarError::TimeZone { detail: e.to_string() })?;
        Ok(WorkingCalendar { first_year, years, tz })
    }

    /// Adds the table for a year the calendar does not cover yet, directly
    /// before or after the covered years. A year already covered is refused
    /// with [`CalendarError::DuplicateYear`]; use
    /// [`replace_year`](Self::replace_year) for a revised notice.
    pub fn add_year(&mut self, table: YearTable) -> Result<(), CalendarError> {
        let year = table.year;
        if self.year_index(year).is_some() {
            return Err(CalendarError::DuplicateYear { year });
        }
        let covered = self.covered_years();
        let joins_after = i32::from(year) == i32::from(*covered.end()) + 1;
        let joins_before = i32::from(year) == i32::from(*covered.start()) - 1;
        if !joins_after && !joins_before {
            return Err(CalendarError::CoverageGap { year, first_year: *covered.start(), last_year: *covered.end() });
        }
        let entry = CoveredYear::new(table)?;
        if joins_after {
            self.years.push(entry);
        } else {
            self.years.insert(0, entry);
            self.first_year = year;
        }
        Ok(())
    }

    /// Puts in the table for its year, replacing the one already there (and
    /// returning it), or adding it as [`add_year`](Self::add_year) would.
    pub fn replace_year(&mut self, table: YearTable) -> Result<Option<YearTable>, CalendarError> {
        match self.year_index(table.year) {
            Some(index) => {
                let entry = CoveredYear::new(table)?;
                Ok(Some(std::mem::replace(&mut self.years[index], entry).table))
            }
            None => self.add_year(table).map(|()| None),
        }
    }

    /// The years with a table.
    pub fn covered_years(&self) -> RangeInclusive<i16> {
        let last = self.first_year + (self.years.len() as i16) - 1;
        self.first_year..=last
    }

    /// The first day the calendar knows about (1 January of the first year).
    pub fn first_covered_date(&self) -> Date {
        Date::new(self.first_year, 1, 1).expect("covered years are valid")
    }

    /// The last day the calendar knows about (31 December of the last year).
    pub fn last_covered_date(&self) -> Date {
        Date::new(*self.covered_years().end(), 12, 31).expect("covered years are valid")
    }

    /// The table for a year, if covered.
    pub fn year_table(&self, year: i16) -> Option<&YearTable> {
        self.year_index(year).map(|i| &self.years[i].table)
    }

    /// All tables, oldest first.
    pub fn tables(&self) -> impl Iterator<Item = &YearTable> {
        self.years.iter().map(|y| &y.table)
    }

    /// If the calendar runs out within `days` days of `today` — or already
    /// has — the last covered date, so administrators can be warned to add
    /// the next year's table in time. `None` while coverage lasts longer.
    pub fn coverage_ends_within(&self, today: Date, days: u32) -> Option<Date> {
        let last = self.last_covered_date();
        let horizon = jiff::Span::new().try_days(i64::from(days)).and_then(|span| today.checked_add(span));
        match horizon {
            Ok(horizon) if horizon < last => None,
            // At or past the end, or so far ahead that jiff cannot represent it.
            _ => Some(last),
        }
    }

    /// What the calendar says about `date`.
    pub fn day(&self, date: Date) -> Result<DayInfo, CalendarError> {
        let (year, kind) = self.lookup(date)?;
        let holiday_name = match kind {
            DayKind::Holiday(index) => {
                let holiday = &year.table.holidays[index];
                Some((holiday.name_zh.clone(), holiday.name_en.clone()))
            }
            _ => None,
        };
        Ok(DayInfo { date, working: kind.is_working(), holiday_name, makeup: matches!(kind, DayKind::Makeup(_)) })
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        self.lookup(date).map(|(_, kind)| kind.is_working())
    }

    /// Every day from `from` to `to`, both included.
    pub fn days(&self, from: Date, to: Date) -> Result<Vec<DayInfo>, CalendarError> {
        if to < from {
            return Err(CalendarError::InvalidRange { from, to });
        }
        // Fail on the range's ends before doing any work.
        self.lookup(from)?;
        self.lookup(to)?;
        let mut out = Vec::new();
        for date in DaySpan::new(from, to).dates() {
            out.push(self.day(date)?);
        }
        Ok(out)
    }

    /// The deadline `n` working days after a request received at `start`.
    ///
    /// The rule, in Asia/Shanghai local time (`start` is converted first):
    ///
    /// 1. **Receipt.** If `start` falls on a working day, the clock starts at
    ///    `start`. If it falls on a day off, the request counts as received
    ///    at 00:00 of the next working day.
    /// 2. **Counting.** The receipt day itself does not count. The deadline
    ///    is the `n`-th working day after the receipt day, at the same
    ///    wall-clock time as the (possibly moved) receipt.
    ///
    /// So a request received on Wednesday at 10:00 with `n = 1` is due on
    /// the next working day at 10:00 — a full working day later — and one
    /// received on Sunday is due at the end of Monday (Tuesday 00:00), also
    /// one full working day. With `n = 0` the result is the receipt itself:
    /// `start` unchanged on a working day, otherwise 00:00 of the next one.
    ///
    /// Consequences the tests check for every start and `n`, `m`:
    /// the result always lies on a working day;
    /// `add(add(t, n), m) == add(t, n + m)`;
    /// and `t1 <= t2` implies `add(t1, n) <= add(t2, n)`. (Keeping the
    /// wall-clock time of a receipt on a day off would break the last one:
    /// Saturday 23:00 would then fall due after Sunday 08:00.)
    ///
    /// The result is expressed in Asia/Shanghai. Fails with
    /// [`CalendarError::NotCovered`] if the count runs past the covered
    /// years, or if `start` lies outside them.
    pub fn add_working_days(&self, start: &Zoned, n: u32) -> Result<Zoned, CalendarError> {
        let local = start.with_time_zone(self.tz.clone());
        let received_on = local.date();
        let (mut day, time) = if self.is_working_day(received_on)? {
            (received_on, local.time())
        } else {
            (self.next_working_day_after(received_on)?, Time::midnight())
        };
        for _ in 0..n {
            day = self.next_working_day_after(day)?;
        }
        if day == received_on {
            return Ok(local);
        }
        day.to_datetime(time).to_zoned(self.tz.clone()).map_err(|e| CalendarError::TimeZone { detail: e.to_string() })
    }

    /// The first working day strictly after `date`.
    fn next_working_day_after(&self, date: Date) -> Result<Date, CalendarError> {
        let mut day = date;
        loop {
            day = day.tomorrow().map_err(|_| self.not_covered(date))?;
            if self.lookup(day)?.1.is_working() {
                return Ok(day);
            }
        }
    }

    fn year_index(&self, year: i16) -> Option<usize> {
        let offset = usize::try_from(i32::from(year) - i32::from(self.first_year)).ok()?;
        (offset < self.years.len()).then_some(offset)
    }

    fn lookup(&self, date: Date) -> Result<(&CoveredYear, DayKind), CalendarError> {
        let year = self.year_index(date.year()).map(|i| &self.years[i]).ok_or_else(|| self.not_covered(date))?;
        let slot = usize::try_from(date.day_of_year() - 1).expect("day of year is ≥ 1");
        Ok((year, year.kinds[slot]))
    }

    fn not_covered(&self, date: Date) -> CalendarError {
        let covered = self.covered_years();
        CalendarError::NotCovered { date, first_year: *covered.start(), last_year: *covered.end() }
    }
}
