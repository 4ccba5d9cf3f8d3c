//! Everything that can go wrong when building or asking the working-day
//! calendar.

use jiff::civil::{Date, Weekday};

/// A refused year table, a refused calendar change, or a question the
/// calendar cannot answer.
///
/// Messages are written for the administrator who has to act on them; the
/// [`code`](CalendarError::code) is stable and meant for the API and logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The date lies in a year for which no table has been loaded.
    #[error(
        "the working-day calendar covers {}; {date} is outside it; an administrator must add the {} table",
        years_label(.first_year, .last_year),
        .date.year()
    )]
    NotCovered { date: Date, first_year: i16, last_year: i16 },

    /// The same date is declared a day off and a makeup workday.
    #[error("{date} is listed both as a day off ({holiday}) and as a makeup workday")]
    ConflictingDay { date: Date, holiday: String },

    /// The same date appears twice among the holidays, or twice among the
    /// makeup workdays.
    #[error("{date} is listed more than once in the {year} table")]
    DuplicateDay { year: i16, date: Date },

    /// A table lists a date that belongs to another year.
    #[error(
        "{date} is listed in the {year} table but belongs to {}; record it in that year's table",
        .date.year()
    )]
    DateOutsideYear { year: i16, date: Date },

    /// A holiday span whose last day comes before its first.
    #[error("the span {first} to {last} ends before it starts")]
    InvalidSpan { first: Date, last: Date },

    /// A makeup workday on Monday–Friday: such a day works anyway, so the
    /// entry is almost certainly a typing mistake.
    #[error("{date} is a {weekday:?} and already a working day; only a Saturday or Sunday can be a makeup workday")]
    MakeupNotWeekend { date: Date, weekday: Weekday },

    /// A required part of the table is blank.
    #[error("the {year} table is incomplete: {detail}")]
    IncompleteTable { year: i16, detail: String },

    /// The table's year is outside the range the calendar accepts.
    #[error(
        "{year} is not an acceptable table year; it must lie between {min} and {max}",
        min = super::MIN_YEAR,
        max = super::MAX_YEAR
    )]
    YearOutOfRange { year: i16 },

    /// A second table for a year the calendar already has.
    #[error("the calendar already has a {year} table; replace it explicitly if the notice was revised")]
    DuplicateYear { year: i16 },

    /// Adding the table would leave a year without a table inside the
    /// covered range.
    #[error(
        "a {year} table cannot join a calendar covering {}: the covered years must have no gaps",
        years_label(.first_year, .last_year)
    )]
    CoverageGap { year: i16, first_year: i16, last_year: i16 },

    /// A calendar needs at least one year.
    #[error("a working-day calendar needs at least one year table")]
    Empty,

    /// A date range whose end comes before its start.
    #[error("the range {from} to {to} ends before it starts")]
    InvalidRange { from: Date, to: Date },

    /// A year table that is not well-formed JSON of the expected shape.
    #[error("the year table could not be read: {detail}")]
    InvalidData { detail: String },

    /// The Asia/Shanghai zone is missing, or a local time could not be
    /// placed in it.
    #[error("could not work in the Asia/Shanghai time zone: {detail}")]
    TimeZone { detail: String },
}

impl CalendarError {
    /// Stable machine-readable code, e.g. `calendar_conflicting_day`.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::NotCovered { .. } => "calendar_not_covered",
            CalendarError::ConflictingDay { .. } => "calendar_conflicting_day",
            CalendarError::DuplicateDay { .. } => "calendar_duplicate_day",
            CalendarError::DateOutsideYear { .. } => "calendar_date_outside_year",
            CalendarError::InvalidSpan { .. } => "calendar_invalid_span",
            CalendarError::MakeupNotWeekend { .. } => "calendar_makeup_not_weekend",
            CalendarError::IncompleteTable { .. } => "calendar_incomplete_table",
            CalendarError::YearOutOfRange { .. } => "calendar_year_out_of_range",
            CalendarError::DuplicateYear { .. } => "calendar_duplicate_year",
            CalendarError::CoverageGap { .. } => "calendar_coverage_gap",
            CalendarError::Empty => "calendar_empty",
            CalendarError::InvalidRange { .. } => "calendar_invalid_range",
            CalendarError::InvalidData { .. } => "calendar_invalid_data",
            CalendarError::TimeZone { .. } => "calendar_time_zone",
        }
    }
}

/// "2024–2026", or just "2026" for a single year.
fn years_label(first: &i16, last: &i16) -> String {
    if first == last { first.to_string() } else { format!("{first}–{last}") }
}
