//! Daily windows and seasons.

use jiff::civil::{date, time};

use super::sh;
use crate::commitment::{DailyWindow, MonthDay, Season};

#[test]
fn a_daily_window_contains_both_ends() {
    let w = DailyWindow::new(time(8, 0, 0, 0), time(20, 0, 0, 0)).unwrap();
    assert!(w.contains(sh("2026-03-02T08:00")) && w.contains(sh("2026-03-02T20:00")));
    assert!(!w.contains(sh("2026-03-02T07:59")) && !w.contains(sh("2026-03-02T20:00:01")));
    assert_eq!(w.next_allowed(sh("2026-03-02T21:30")).unwrap(), sh("2026-03-03T08:00"));
    assert_eq!(w.next_allowed(sh("2026-12-31T23:00")).unwrap(), sh("2027-01-01T08:00"));
    assert_eq!(w.next_allowed(sh("2026-03-02T12:34")).unwrap(), sh("2026-03-02T12:34"));
    assert!(DailyWindow::new(time(20, 0, 0, 0), time(8, 0, 0, 0)).is_none());
    assert!(DailyWindow::new(time(8, 0, 0, 0), time(8, 0, 0, 0)).is_none());
}

#[test]
fn month_days_parse_strictly() {
    assert_eq!(MonthDay::parse("11-15"), Some(MonthDay { month: 11, day: 15 }));
    assert_eq!(MonthDay::parse("11-15").unwrap().to_string(), "11-15");
    for bad in ["2-28", "02-29", "13-01", "11-31", "1115", "11-15-01", ""] {
        assert_eq!(MonthDay::parse(bad), None, "{bad}");
    }
}

#[test]
fn a_season_within_one_year() {
    let s = Season { from: MonthDay::parse("06-01").unwrap(), to: MonthDay::parse("08-31").unwrap() };
    assert!(!s.wraps());
    assert!(s.contains(date(2026, 6, 1)) && s.contains(date(2026, 8, 31)));
    assert!(!s.contains(date(2026, 5, 31)) && !s.contains(date(2026, 9, 1)));
    assert_eq!(s.starting_in(2026).unwrap(), (date(2026, 6, 1), date(2026, 8, 31)));
}
