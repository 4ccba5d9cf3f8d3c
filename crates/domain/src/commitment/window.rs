//! Time-of-day windows (C5: gas is restored only 08:00–20:00) and yearly
//! seasons (C21: the heating season).

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize, Serializer};

use super::{ClockError, shanghai};

/// The hours of the day, in Asia/Shanghai, within which a commitment may
/// fall due, both ends included.
///
/// The rule is deliberately simple: the clock runs on elapsed time as
/// usual, and a deadline that falls outside the window moves to the next
/// moment the window opens (21:30 → 08:00 the next day; 06:00 → 08:00 the
/// same day). Windows that span midnight are not supported: `to` must be
/// later than `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DailyWindow {
    pub from: Time,
    pub to: Time,
}

impl DailyWindow {
    /// A window, if `to` is strictly later than `from`.
    pub fn new(from: Time, to: Time) -> Option<Self> {
        (to > from).then_some(DailyWindow { from, to })
    }

    /// Whether `at` lies inside the window (so, for C5, supply may be
    /// restored at `at`).
    pub fn contains(&self, at: Timestamp) -> bool {
        let time = at.to_zoned(shanghai()).time();
        self.from <= time && time <= self.to
    }

    /// `at` itself if inside the window, otherwise the next opening.
    pub fn next_allowed(&self, at: Timestamp) -> Result<Timestamp, ClockError> {
        let local = at.to_zoned(shanghai());
        let time = local.time();
        let day = if time < self.from {
            local.date()
        } else if time > self.to {
            local.date().tomorrow().map_err(ClockError::arithmetic)?
        } else {
            return Ok(at);
        };
        let opening = day.to_datetime(self.from).to_zoned(shanghai()).map_err(ClockError::arithmetic)?;
        Ok(opening.timestamp())
    }
}

/// A day of the year, `MM-DD`. 29 February is not accepted (a season must
/// exist every year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonthDay {
    pub month: i8,
    pub day: i8,
}

impl MonthDay {
    pub fn new(month: i8, day: i8) -> Option<Self> {
        // 2001 is not a leap year, so 02-29 is refused.
        Date::new(2001, month, day).ok().map(|_| MonthDay { month, day })
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (m, d) = s.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        MonthDay::new(m.parse().ok()?, d.parse().ok()?)
    }

    fn of(date: Date) -> Self {
        MonthDay { month: date.month(), day: date.day() }
    }

    fn in_year(self, year: i16) -> Result<Date, ClockError> {
        Date::new(year, self.month, self.day).map_err(ClockError::arithmetic)
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl Serialize for MonthDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A season that comes back every year, both ends included; it may run
/// over the new year (C21: 11-15 to 03-15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Season {
    pub from: MonthDay,
    pub to: MonthDay,
}

impl Season {
    /// Whether the season runs over the new year.
    pub fn wraps(&self) -> bool {
        self.to < self.from
    }

    /// Whether `date` lies in the season.
    pub fn contains(&self, date: Date) -> bool {
        let md = MonthDay::of(date);
        if self.wraps() { md >= self.from || md <= self.to } else { self.from <= md && md <= self.to }
    }

    /// First and last day of the season that begins in `year`.
    pub fn starting_in(&self, year: i16) -> Result<(Date, Date), ClockError> {
        let end_year = if self.wraps() { year + 1 } else { year };
        Ok((self.from.in_year(year)?, self.to.in_year(end_year)?))
    }
}
