//! How long a commitment allows: minutes, hours, working days or calendar
//! days.

use jiff::{SignedDuration, Span, Timestamp};
use serde::Serialize;

use super::{ClockError, shanghai};
use crate::calendar::WorkingCalendar;

/// An amount of time as a policy writes it.
///
/// Minutes and hours are elapsed time. Calendar days are whole days on the
/// Asia/Shanghai calendar (China keeps no daylight-saving time, so a calendar
/// day is always 24 hours). Working days are counted on the statutory
/// calendar by [`WorkingCalendar::add_working_days`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Minutes(u32),
    Hours(u32),
    WorkingDays(u32),
    CalendarDays(u32),
}

impl Period {
    /// The unit's name as written in policy files.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Minutes(_) => "minutes",
            Self::Hours(_) => "hours",
            Self::WorkingDays(_) => "working_days",
            Self::CalendarDays(_) => "calendar_days",
        }
    }

    /// The number of units.
    pub fn amount(self) -> u32 {
        match self {
            Self::Minutes(n) | Self::Hours(n) | Self::WorkingDays(n) | Self::CalendarDays(n) => n,
        }
    }

    /// The period as elapsed time, unless it counts working days (whose
    /// length depends on where it starts).
    pub fn fixed(self) -> Option<SignedDuration> {
        match self {
            Self::Minutes(n) => Some(SignedDuration::from_mins(i64::from(n))),
            Self::Hours(n) => Some(SignedDuration::from_hours(i64::from(n))),
            Self::CalendarDays(n) => Some(SignedDuration::from_hours(24 * i64::from(n))),
            Self::WorkingDays(_) => None,
        }
    }

    /// The instant this period after `at`.
    ///
    /// Working days follow [`WorkingCalendar::add_working_days`] (the day of
    /// receipt does not count; a receipt on a day off counts from 00:00 of
    /// the next working day); a date beyond the calendar's tables fails with
    /// [`ClockError::Calendar`].
    pub fn after(self, at: Timestamp, calendar: &WorkingCalendar) -> Result<Timestamp, ClockError> {
        let local = at.to_zoned(shanghai());
        let end = match self {
            Self::WorkingDays(n) => calendar.add_working_days(&local, n)?,
            Self::CalendarDays(n) => {
                local.checked_add(Span::new().days(i64::from(n))).map_err(ClockError::arithmetic)?
            }
            Self::Minutes(_) | Self::Hours(_) => {
                let elapsed = self.fixed().expect("minutes and hours are fixed");
                return at.checked_add(elapsed).map_err(ClockError::arithmetic);
            }
        };
        Ok(end.timestamp())
    }

    /// The instant this period before `at`. Working days are not supported
    /// here (the policy parser refuses lead times in working days).
    pub fn before(self, at: Timestamp) -> Result<Timestamp, ClockError> {
        let elapsed = self
            .fixed()
            .ok_or_else(|| ClockError::Arithmetic { detail: "a lead time cannot be counted in working days".into() })?;
        at.checked_sub(elapsed).map_err(ClockError::arithmetic)
    }
}
