use std::sync::LazyLock;

use jiff::Zoned;
use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::*;

static CAL: LazyLock<WorkingCalendar> = LazyLock::new(WorkingCalendar::china_default);

/// `"2026-09-30T10:00"` in Asia/Shanghai.
fn sh(local: &str) -> Zoned {
    local.parse::<jiff::civil::DateTime>().unwrap().in_tz(TIME_ZONE).unwrap()
}

fn add(start: &str, n: u32) -> Zoned {
    CAL.add_working_days(&sh(start), n).unwrap()
}

fn table(year: i16) -> YearTable {
    YearTable { year, source: "test notice".into(), holidays: vec![], makeup_workdays: vec![] }
}

fn holiday(name: &str, dates: Vec<DaySpan>) -> Holiday {
    Holiday { name_zh: name.into(), name_en: name.into(), dates }
}

fn makeup(date: Date) -> MakeupWorkday {
    MakeupWorkday { date, note: String::new() }
}

// ---- shipped data ----------------------------------------------------------

#[test]
fn shipped_tables_load_and_cover_2024_to_2026() {
    assert_eq!(CAL.covered_years(), 2024..=2026);
    assert_eq!(CAL.first_covered_date(), date(2024, 1, 1));
    assert_eq!(CAL.last_covered_date(), date(2026, 12, 31));
    let sources: Vec<&str> = CAL.tables().map(|t| t.source.as_str()).collect();
    assert!(sources[0].contains("国办发明电〔2023〕7号") && sources[0].contains("2023-10-25"));
    assert!(sources[1].contains("国办发明电〔2024〕12号") && sources[1].contains("2024-11-12"));
    assert!(sources[2].contains("国办发明电〔2025〕7号") && sources[2].contains("2025-11-04"));
}

/// Working days per year follow from the statutory holiday count: 11 days
/// before 2025, 13 from 2025 on (two days were added that year), and every
/// weekday taken off is paid back by a makeup weekend day beyond that.
#[test]
fn yearly_totals_match_the_statutory_holiday_count() {
    for (year, working, off_in_holidays, makeups) in [(2024, 251, 28, 8), (2025, 248, 28, 5), (2026, 248, 33, 6)] {
        let days = CAL.days(date(year, 1, 1), date(year, 12, 31)).unwrap();
        assert_eq!(days.iter().filter(|d| d.working).count(), working, "{year} working days");
        assert_eq!(
            days.iter().filter(|d| d.holiday_name.is_some()).count(),
            off_in_holidays,
            "{year} holiday days off"
        );
        assert_eq!(days.iter().filter(|d| d.makeup).count(), makeups, "{year} makeup days");
    }
}

#[test]
fn known_days() {
    let off = |d: Date| !CAL.is_working_day(d).unwrap();
    // 2024: New Year's Eve was only a recommended rest day, not an official one.
    assert!(!off(date(2024, 2, 9)));
    assert!(off(date(2024, 2, 10)) && off(date(2024, 2, 17)));
    assert!(!off(date(2024, 2, 4)) && !off(date(2024, 2, 18)));
    assert!(off(date(2024, 6, 10)));
    // 2025: National Day and Mid-Autumn merged into eight days.
    assert!(off(date(2025, 10, 8)) && !off(date(2025, 10, 9)));
    assert!(!off(date(2025, 10, 11)));
    // 2026.
    assert!(off(date(2026, 1, 2)) && !off(date(2026, 1, 4)));
    assert!(off(date(2026, 2, 23)) && !off(date(2026, 2, 24)));
    // An ordinary weekend and an ordinary weekday.
    assert!(off(date(2026, 3, 7)) && !off(date(2026, 3, 9)));

    let spring = CAL.day(date(2026, 2, 17)).unwrap();
    assert_eq!(spring.holiday_name, Some(("春节".into(), "Spring Festival".into())));
    assert!(!spring.working && !spring.makeup);
    let swapped = CAL.day(date(2026, 2, 14)).unwrap();
    assert!(swapped.working && swapped.makeup && swapped.holiday_name.is_none());
}

#[test]
fn shipped_json_round_trips() {
    for table in WorkingCalendar::shipped_tables().unwrap() {
        let json = serde_json::to_string_pretty(&table).unwrap();
        assert_eq!(YearTable::from_json(&json).unwrap(), table);
    }
}

// ---- add_working_days --------------------------------------------------------

#[test]
fn three_working_days_across_national_day_2026() {
    // Wednesday 30 September is the last working day before the break
    // (1–7 October); 8 and 9 October are working, and Saturday 10 October
    // is a makeup workday.
    assert_eq!(add("2026-09-30T10:00", 1), sh("2026-10-08T10:00"));
    assert_eq!(add("2026-09-30T10:00", 2), sh("2026-10-09T10:00"));
    assert_eq!(add("2026-09-30T10:00", 3), sh("2026-10-10T10:00"));
    assert_eq!(add("2026-09-30T10:00", 4), sh("2026-10-12T10:00"));
}

#[test]
fn received_on_a_makeup_saturday_before_spring_festival() {
    // 14 February 2026 is worked; 15–23 February are off.
    assert_eq!(add("2026-02-14T09:00", 1), sh("2026-02-24T09:00"));
}

#[test]
fn received_on_a_day_off_starts_at_midnight_of_the_next_working_day() {
    // Sunday → Monday 00:00 is the receipt; one working day ends Tuesday 00:00.
    assert_eq!(add("2026-03-01T15:00", 0), sh("2026-03-02T00:00"));
    assert_eq!(add("2026-03-01T15:00", 1), sh("2026-03-03T00:00"));
    // During National Day: receipt moves to Thursday 8 October.
    assert_eq!(add("2026-10-03T11:00", 3), sh("2026-10-12T00:00"));
}

#[test]
fn zero_days_on_a_working_day_is_the_start_itself() {
    let start = sh("2026-03-04T13:37:21.5");
    assert_eq!(CAL.add_working_days(&start, 0).unwrap(), start);
}

#[test]
fn crosses_the_year_boundary() {
    // 1–3 January 2026 are off and Sunday 4 January is worked.
    assert_eq!(add("2025-12-31T16:00", 1), sh("2026-01-04T16:00"));
}

#[test]
fn other_time_zones_are_read_in_shanghai() {
    // 18:30 UTC on the 29th is 02:30 on the 30th in Shanghai.
    let utc: Zoned = "2026-09-29T18:30:00+00:00[UTC]".parse().unwrap();
    let due = CAL.add_working_days(&utc, 1).unwrap();
    assert_eq!(due, sh("2026-10-08T02:30"));
    assert_eq!(due.time_zone().iana_name(), Some(TIME_ZONE));
}

#[test]
fn running_past_the_last_table_is_not_covered() {
    let err = CAL.add_working_days(&sh("2026-12-31T09:00"), 1).unwrap_err();
    assert_eq!(err, CalendarError::NotCovered { date: date(2027, 1, 1), first_year: 2024, last_year: 2026 });
    let err = CAL.add_working_days(&sh("2023-12-29T09:00"), 1).unwrap_err();
    assert_eq!(err.code(), "calendar_not_covered");
}

// ---- day, days, coverage ---------------------------------------------------------

#[test]
fn not_covered_message() {
    let err = CAL.day(date(2027, 1, 4)).unwrap_err();
    assert_eq!(err.code(), "calendar_not_covered");
    assert_eq!(
        err.to_string(),
        "the working-day calendar covers 2024–2026; 2027-01-04 is outside it; \
         an administrator must add the 2027 table"
    );
    assert_eq!(CAL.is_working_day(date(2023, 12, 31)).unwrap_err().code(), "calendar_not_covered");
}

#[test]
fn days_over_national_day_2026() {
    let rows: Vec<(Date, bool, Option<&str>, bool)> = CAL
        .days(date(2026, 9, 26), date(2026, 10, 12))
        .unwrap()
        .iter()
        .map(|d| {
            let name = d.holiday_name.as_ref().map(|(_, en)| match en.as_str() {
                "Mid-Autumn Festival" => "Mid-Autumn Festival",
                "National Day" => "National Day",
                other => panic!("unexpected holiday {other}"),
            });
            (d.date, d.working, name, d.makeup)
        })
        .collect();
    let mid = Some("Mid-Autumn Festival");
    let nat = Some("National Day");
    assert_eq!(
        rows,
        vec![
            (date(2026, 9, 26), false, mid, false),
            (date(2026, 9, 27), false, mid, false),
            (date(2026, 9, 28), true, None, false),
            (date(2026, 9, 29), true, None, false),
            (date(2026, 9, 30), true, None, false),
            (date(2026, 10, 1), false, nat, false),
            (date(2026, 10, 2), false, nat, false),
            (date(2026, 10, 3), false, nat, false),
            (date(2026, 10, 4), false, nat, false),
            (date(2026, 10, 5), false, nat, false),
            (date(2026, 10, 6), false, nat, false),
            (date(2026, 10, 7), false, nat, false),
            (date(2026, 10, 8), true, None, false),
            (date(2026, 10, 9), true, None, false),
            (date(2026, 10, 10), true, None, true),
            (date(2026, 10, 11), false, None, false),
            (date(2026, 10, 12), true, None, false),
        ]
    );
}

#[test]
fn days_refuses_backwards_and_uncovered_ranges() {
    let err = CAL.days(date(2026, 3, 2), date(2026, 3, 1)).unwrap_err();
    assert_eq!(err.code(), "calendar_invalid_range");
    let err = CAL.days(date(2026, 12, 30), date(2027, 1, 2)).unwrap_err();
    assert_eq!(err.code(), "calendar_not_covered");
    assert_eq!(CAL.days(date(2026, 3, 2), date(2026, 3, 2)).unwrap().len(), 1);
}

#[test]
fn coverage_warning() {
    let last = Some(date(2026, 12, 31));
    assert_eq!(CAL.coverage_ends_within(date(2026, 10, 1), 60), None);
    assert_eq!(CAL.coverage_ends_within(date(2026, 12, 1), 30), last);
    assert_eq!(CAL.coverage_ends_within(date(2026, 12, 1), 29), None);
    assert_eq!(CAL.coverage_ends_within(date(2027, 2, 1), 0), last);
    assert_eq!(CAL.coverage_ends_within(date(2026, 1, 1), u32::MAX), last);
}

// ---- table validation ------------------------------------------------------------

#[test]
fn refuses_a_day_that_is_both_off_and_worked() {
    let mut t = table(2026);
    t.holidays.push(holiday("Spring Festival", vec![DaySpan::new(date(2026, 2, 14), date(2026, 2, 23))]));
    t.makeup_workdays.push(makeup(date(2026, 2, 14)));
    let err = t.validate().unwrap_err();
    assert_eq!(err.code(), "calendar_conflicting_day");
    assert_eq!(err.to_string(), "2026-02-14 is listed both as a day off (Spring Festival) and as a makeup workday");
    assert_eq!(WorkingCalendar::new(vec![t]).unwrap_err().code(), "calendar_conflicting_day");
}

#[test]
fn refuses_dates_outside_the_year() {
    let mut t = table(2026);
    t.makeup_workdays.push(makeup(date(2025, 12, 27)));
    assert_eq!(t.validate().unwrap_err(), CalendarError::DateOutsideYear { year: 2026, date: date(2025, 12, 27) });
    let mut t = table(2026);
    t.holidays.push(holiday("New Year", vec![DaySpan::new(date(2025, 12, 31), date(2026, 1, 1))]));
    assert_eq!(t.validate().unwrap_err().code(), "calendar_date_outside_year");
}

#[test]
fn refuses_duplicated_dates() {
    let mut t = table(2026);
    t.holidays.push(holiday("A", vec![DaySpan::new(date(2026, 5, 1), date(2026, 5, 5))]));
    t.holidays.push(holiday("B", vec![DaySpan::single(date(2026, 5, 5))]));
    assert_eq!(t.validate().unwrap_err(), CalendarError::DuplicateDay { year: 2026, date: date(2026, 5, 5) });
    let mut t = table(2026);
    t.makeup_workdays.push(makeup(date(2026, 5, 9)));
    t.makeup_workdays.push(makeup(date(2026, 5, 9)));
    assert_eq!(t.validate().unwrap_err().code(), "calendar_duplicate_day");
}

#[test]
fn refuses_other_malformed_tables() {
    let mut t = table(2026);
    t.makeup_workdays.push(makeup(date(2026, 5, 8))); // a Friday
    assert_eq!(t.validate().unwrap_err().code(), "calendar_makeup_not_weekend");

    let mut t = table(2026);
    t.holidays.push(holiday("X", vec![DaySpan::new(date(2026, 5, 5), date(2026, 5, 1))]));
    assert_eq!(t.validate().unwrap_err().code(), "calendar_invalid_span");

    let mut t = table(2026);
    t.holidays.push(holiday("X", vec![]));
    assert_eq!(t.validate().unwrap_err().code(), "calendar_incomplete_table");

    let mut t = table(2026);
    t.source = "  ".into();
    assert_eq!(t.validate().unwrap_err().code(), "calendar_incomplete_table");

    assert_eq!(table(9999).validate().unwrap_err().code(), "calendar_year_out_of_range");
}

#[test]
fn json_forms_and_errors() {
    let t = YearTable::from_json(
        r#"{"year": 2027, "source": "s",
            "holidays": [{"name_zh": "元旦", "name_en": "New Year's Day",
                          "dates": ["2027-01-01", {"first": "2027-02-05", "last": "2027-02-07"}]}],
            "makeup_workdays": [{"date": "2027-01-09"}]}"#,
    )
    .unwrap();
    assert_eq!(
        t.holidays[0].dates,
        vec![DaySpan::single(date(2027, 1, 1)), DaySpan::new(date(2027, 2, 5), date(2027, 2, 7))]
    );
    assert_eq!(t.makeup_workdays[0].note, "");

    let bad_date = r#"{"year": 2027, "source": "s", "holidays": [
        {"name_zh": "x", "name_en": "x", "dates": ["2027-02-30"]}], "makeup_workdays": []}"#;
    let err = YearTable::from_json(bad_date).unwrap_err();
    assert_eq!(err.code(), "calendar_invalid_data");
    assert!(err.to_string().contains("2027-02-30"), "{err}");

    let typo = r#"{"year": 2027, "source": "s", "holidays": [], "makeup_workday": []}"#;
    assert_eq!(YearTable::from_json(typo).unwrap_err().code(), "calendar_invalid_data");
}

// ---- building calendars ---------------------------------------------------------

#[test]
fn refuses_duplicate_years() {
    let mut cal = WorkingCalendar::china_default();
    let err = cal.add_year(table(2026)).unwrap_err();
    assert_eq!(err, CalendarError::DuplicateYear { year: 2026 });
    assert_eq!(err.code(), "calendar_duplicate_year");
    assert_eq!(WorkingCalendar::new(vec![table(2026), table(2026)]).unwrap_err().code(), "calendar_duplicate_year");
}

#[test]
fn replacing_a_year_is_explicit() {
    let mut cal = WorkingCalendar::china_default();
    let old = cal.replace_year(table(2026)).unwrap().unwrap();
    assert_eq!(old.year, 2026);
    assert!(CAL.day(date(2026, 10, 1)).unwrap().holiday_name.is_some());
    assert!(cal.is_working_day(date(2026, 10, 1)).unwrap());
    // Replacing a year that is not there adds it.
    assert_eq!(cal.replace_year(table(2027)).unwrap(), None);
    assert_eq!(cal.covered_years(), 2024..=2027);
}

#[test]
fn adding_years_extends_coverage_without_gaps() {
    let mut cal = WorkingCalendar::china_default();
    let err = cal.add_year(table(2028)).unwrap_err();
    assert_eq!(err.code(), "calendar_coverage_gap");
    assert_eq!(
        err.to_string(),
        "a 2028 table cannot join a calendar covering 2024–2026: the covered years must have no gaps"
    );
    cal.add_year(table(2027)).unwrap();
    cal.add_year(table(2023)).unwrap();
    assert_eq!(cal.covered_years(), 2023..=2027);
    assert!(!cal.is_working_day(date(2027, 1, 2)).unwrap()); // plain Saturday
    assert!(cal.is_working_day(date(2023, 12, 29)).unwrap()); // plain Friday
    assert_eq!(WorkingCalendar::new(vec![table(2026), table(2024)]).unwrap_err().code(), "calendar_coverage_gap");
    assert_eq!(WorkingCalendar::new(vec![]).unwrap_err(), CalendarError::Empty);
    // An invalid table never gets in.
    let mut bad = table(2027);
    bad.makeup_workdays.push(makeup(date(2027, 1, 4)));
    let mut cal = WorkingCalendar::china_default();
    assert_eq!(cal.add_year(bad).unwrap_err().code(), "calendar_makeup_not_weekend");
    assert_eq!(cal.covered_years(), 2024..=2026);
}

#[test]
fn error_codes_are_distinct() {
    let d = date(2026, 1, 1);
    let all = [
        CalendarError::NotCovered { date: d, first_year: 2024, last_year: 2026 },
        CalendarError::ConflictingDay { date: d, holiday: "x".into() },
        CalendarError::DuplicateDay { year: 2026, date: d },
        CalendarError::DateOutsideYear { year: 2025, date: d },
        CalendarError::InvalidSpan { first: d, last: d },
        CalendarError::MakeupNotWeekend { date: d, weekday: d.weekday() },
        CalendarError::IncompleteTable { year: 2026, detail: "x".into() },
        CalendarError::YearOutOfRange { year: 9999 },
        CalendarError::DuplicateYear { year: 2026 },
        CalendarError::CoverageGap { year: 2028, first_year: 2024, last_year: 2026 },
        CalendarError::Empty,
        CalendarError::InvalidRange { from: d, to: d },
        CalendarError::InvalidData { detail: "x".into() },
        CalendarError::TimeZone { detail: "x".into() },
    ];
    let mut codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
    assert!(codes.iter().all(|c| c.starts_with("calendar_")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
}

// ---- properties ------------------------------------------------------------------

/// Start instants from 2024-01-01 to 2026-10-31 in Shanghai, to the
/// nanosecond.
fn any_start() -> impl Strategy<Value = Zoned> {
    let from = sh("2024-01-01T00:00").timestamp().as_second();
    let to = sh("2026-10-31T00:00").timestamp().as_second();
    (from..to, 0..1_000_000_000i32).prop_map(|(s, ns)| jiff::Timestamp::new(s, ns).unwrap().in_tz(TIME_ZONE).unwrap())
}

/// `None` when the count runs past 2026; any other error fails the test.
fn try_add(t: &Zoned, n: u32) -> Option<Zoned> {
    match CAL.add_working_days(t, n) {
        Ok(z) => Some(z),
        Err(CalendarError::NotCovered { .. }) => None,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

proptest! {
    #[test]
    fn adding_is_additive(t in any_start(), n in 0u32..30, m in 0u32..30) {
        let (Some(tn), Some(whole)) = (try_add(&t, n), try_add(&t, n + m)) else {
            return Ok(());
        };
        prop_assert_eq!(try_add(&tn, m), Some(whole));
    }

    #[test]
    fn results_land_on_working_days(t in any_start(), n in 0u32..30) {
        if let Some(due) = try_add(&t, n) {
            prop_assert!(CAL.is_working_day(due.date()).unwrap());
            prop_assert!(due >= t);
            if n >= 1 {
                prop_assert!(due > t);
            }
        }
    }

    #[test]
    fn exactly_n_working_days_are_counted(t in any_start(), n in 1u32..30) {
        if let Some(due) = try_add(&t, n) {
            // Working days after the receipt day, up to and including the due day.
            let from = t.date().tomorrow().unwrap();
            let counted = CAL.days(from, due.date()).unwrap().iter().filter(|d| d.working).count();
            let received_on_working_day = CAL.is_working_day(t.date()).unwrap();
            // A receipt on a day off moves to the next working day, which then
            // is the receipt day and not counted.
            let expected = n as usize + usize::from(!received_on_working_day);
            prop_assert_eq!(counted, expected);
        }
    }

    #[test]
    fn adding_is_monotonic(a in any_start(), b in any_start(), n in 0u32..30) {
        let (t1, t2) = if a <= b { (a, b) } else { (b, a) };
        if let (Some(r1), Some(r2)) = (try_add(&t1, n), try_add(&t2, n)) {
            prop_assert!(r1 <= r2, "{} -> {}, {} -> {}", t1, r1, t2, r2);
        }
    }

    #[test]
    fn nearby_starts_stay_monotonic(t in any_start(), gap in 0i64..(3 * 86_400), n in 0u32..30) {
        // Independent random starts are usually days apart; this probes
        // pairs a few hours apart, around day-off boundaries.
        let later = t.checked_add(jiff::Span::new().seconds(gap)).unwrap();
        if let (Some(r1), Some(r2)) = (try_add(&t, n), try_add(&later, n)) {
            prop_assert!(r1 <= r2, "{} -> {}, {} -> {}", t, r1, later, r2);
        }
    }
}
