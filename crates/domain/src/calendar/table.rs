//! One year's holiday arrangement as the State Council publishes it, and its
//! validation.

use std::fmt;

use jiff::civil::Date;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{CalendarError, MAX_YEAR, MIN_YEAR};

/// The arrangement for one calendar year.
///
/// Saturdays and Sundays are days off unless listed in `makeup_workdays`
/// (调休上班); every date covered by a [`Holiday`] is a day off, whatever
/// weekday it falls on. All other days are working days.
///
/// A table is checked before any calendar accepts it; see
/// [`YearTable::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearTable {
    pub year: i16,
    /// Where the dates come from: the notice's title, its document number
    /// and the day it was issued.
    pub source: String,
    pub holidays: Vec<Holiday>,
    pub makeup_workdays: Vec<MakeupWorkday>,
}

/// A named break: the statutory days plus the weekend days moved next to
/// them, all off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name_zh: String,
    pub name_en: String,
    pub dates: Vec<DaySpan>,
}

/// A Saturday or Sunday that is worked in exchange for a longer break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakeupWorkday {
    pub date: Date,
    #[serde(default)]
    pub note: String,
}

/// An inclusive run of days, `first..=last`.
///
/// In JSON a single day is written as a plain date (`"2024-06-10"`) and a run
/// as `{"first": "2026-02-15", "last": "2026-02-23"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySpan {
    pub first: Date,
    pub last: Date,
}

impl DaySpan {
    pub fn single(date: Date) -> Self {
        DaySpan { first: date, last: date }
    }

    /// Not checked here; a span that ends before it starts is refused when
    /// its table is validated.
    pub fn new(first: Date, last: Date) -> Self {
        DaySpan { first, last }
    }

    /// Every day of the span in order (none if it ends before it starts).
    pub fn dates(&self) -> impl Iterator<Item = Date> + use<> {
        let last = self.last;
        self.first.series(jiff::Span::new().days(1)).take_while(move |d| *d <= last)
    }
}

/// What a single day of a year is, before anyone asks about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayKind {
    /// Monday–Friday with nothing special.
    Weekday,
    /// Saturday or Sunday with nothing special.
    Weekend,
    /// Off, as part of the holiday at this index.
    Holiday(usize),
    /// A weekend day that is worked (index into `makeup_workdays`).
    Makeup(usize),
}

impl DayKind {
    pub(super) fn is_working(self) -> bool {
        matches!(self, DayKind::Weekday | DayKind::Makeup(_))
    }
}

impl YearTable {
    /// Reads a table from JSON (the format of the shipped
    /// `data/calendar/cn-YYYY.json` files) and validates it.
    pub fn from_json(json: &str) -> Result<YearTable, CalendarError> {
        let table: YearTable =
            serde_json::from_str(json).map_err(|e| CalendarError::InvalidData { detail: e.to_string() })?;
        table.validate()?;
        Ok(table)
    }

    /// Checks the table on its own: the year is acceptable, the source is
    /// recorded, every holiday has names and dates, every date belongs to
    /// the table's year, no date is listed twice, no date is both off and a
    /// makeup workday, and makeup workdays fall on a Saturday or Sunday.
    ///
    /// A notice occasionally reaches into the previous year (a makeup
    /// Saturday in late December, say); such dates belong in that year's
    /// table.
    pub fn validate(&self) -> Result<(), CalendarError> {
        self.classify().map(|_| ())
    }

    /// Validates the table and classifies each of its days, indexed by
    /// day of year − 1.
    pub(super) fn classify(&self) -> Result<Vec<DayKind>, CalendarError> {
        let year = self.year;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(CalendarError::YearOutOfRange { year });
        }
        let incomplete = |detail: String| CalendarError::IncompleteTable { year, detail };
        if self.source.trim().is_empty() {
            return Err(incomplete("the source notice is not recorded".into()));
        }

        let jan1 = Date::new(year, 1, 1).map_err(|_| CalendarError::YearOutOfRange { year })?;
        let offset = i16::from(jan1.weekday().to_monday_zero_offset());
        let mut kinds: Vec<DayKind> = (0..jan1.days_in_year())
            .map(|i| match (offset + i) % 7 {
                5 | 6 => DayKind::Weekend,
                _ => DayKind::Weekday,
            })
            .collect();
        let slot = |date: Date| usize::try_from(date.day_of_year() - 1).expect("day of year is ≥ 1");
        let in_year = |date: Date| {
            if date.year() == year { Ok(()) } else { Err(CalendarError::DateOutsideYear { year, date }) }
        };

        for (index, holiday) in self.holidays.iter().enumerate() {
            if holiday.name_zh.trim().is_empty() || holiday.name_en.trim().is_empty() {
                return Err(incomplete(format!("holiday #{} needs both a Chinese and an English name", index + 1)));
            }
            if holiday.dates.is_empty() {
                return Err(incomplete(format!("the holiday {} lists no dates", holiday.name_en)));
            }
            for span in &holiday.dates {
                if span.last < span.first {
                    return Err(CalendarError::InvalidSpan { first: span.first, last: span.last });
                }
                in_year(span.first)?;
                in_year(span.last)?;
                for date in span.dates() {
                    let kind = &mut kinds[slot(date)];
                    if matches!(kind, DayKind::Holiday(_)) {
                        return Err(CalendarError::DuplicateDay { year, date });
                    }
                    *kind = DayKind::Holiday(index);
                }
            }
        }

        for (index, makeup) in self.makeup_workdays.iter().enumerate() {
            let date = makeup.date;
            in_year(date)?;
            let kind = &mut kinds[slot(date)];
            match *kind {
                DayKind::Holiday(h) => {
                    return Err(CalendarError::ConflictingDay { date, holiday: self.holidays[h].name_en.clone() });
                }
                DayKind::Makeup(_) => return Err(CalendarError::DuplicateDay { year, date }),
                DayKind::Weekday => {
                    return Err(CalendarError::MakeupNotWeekend { date, weekday: date.weekday() });
                }
                DayKind::Weekend => *kind = DayKind::Makeup(index),
            }
        }
        Ok(kinds)
    }
}

impl Serialize for DaySpan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Run {
            first: Date,
            last: Date,
        }
        if self.first == self.last {
            self.first.serialize(serializer)
        } else {
            Run { first: self.first, last: self.last }.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for DaySpan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DaySpanVisitor)
    }
}

struct DaySpanVisitor;

impl<'de> Visitor<'de> for DaySpanVisitor {
    type Value = DaySpan;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"a date "YYYY-MM-DD" or a span {"first": "YYYY-MM-DD", "last": "YYYY-MM-DD"}"#)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<DaySpan, E> {
        value.parse::<Date>().map(DaySpan::single).map_err(|e| E::custom(format_args!("invalid date {value:?}: {e}")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DaySpan, A::Error> {
        const FIELDS: &[&str] = &["first", "last"];
        let (mut first, mut last) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            let target = match key.as_str() {
                "first" => &mut first,
                "last" => &mut last,
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            };
            if target.is_some() {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            *target = Some(map.next_value::<Date>()?);
        }
        let first = first.ok_or_else(|| de::Error::missing_field("first"))?;
        let last = last.ok_or_else(|| de::Error::missing_field("last"))?;
        Ok(DaySpan { first, last })
    }
}
