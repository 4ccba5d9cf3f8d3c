//! The clock state machine, pinned on real dates.

use jiff::SignedDuration;

use super::{CAL, custom, sh, shipped};
use crate::commitment::*;
use crate::customer::Zone;

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

/// The shipped two-hour test rule (50 % and 80 % warnings).
fn two_hours() -> CommitmentRule {
    custom(&[])
}

// ---- due times ---------------------------------------------------------------

#[test]
fn c1_counts_working_days_across_national_day() {
    // Wednesday before the National Day break; 8 and 9 October are working
    // days and Saturday 10 October is a makeup working day.
    let c = Clock::start(shipped("C1"), sh("2026-09-30T10:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-10-10T10:00"));
    assert_eq!((c.rule_id.as_str(), c.policy_version), ("C1", 1));
    // Received on Friday 25 September, a Mid-Autumn day off: counted from
    // Monday 28 September 00:00; the three working days after it are 29
    // and 30 September and 8 October.
    let c = Clock::start(shipped("C1"), sh("2026-09-25T16:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-10-08T00:00"));
}

#[test]
fn working_days_beyond_the_calendar_are_refused() {
    let e = Clock::start(shipped("C1"), sh("2026-12-30T10:00"), None, &CAL).unwrap_err();
    assert!(matches!(e, ClockError::Calendar(crate::calendar::CalendarError::NotCovered { .. })), "{e}");
    assert_eq!(e.code(), "calendar_not_covered");
    assert!(e.to_string().contains("2027"), "{e}");
}

#[test]
fn c8_depends_on_the_zone() {
    let at = sh("2026-03-02T09:00");
    let urban = Clock::start(shipped("C8"), at, Some(Zone::Urban), &CAL).unwrap();
    let rural = Clock::start(shipped("C8"), at, Some(Zone::Rural), &CAL).unwrap();
    assert_eq!(urban.due_at, sh("2026-03-02T09:30"));
    assert_eq!(rural.due_at, sh("2026-03-02T10:00"));
    let e = Clock::start(shipped("C8"), at, None, &CAL).unwrap_err();
    assert_eq!(e.code(), "clock_zone_required");
}

#[test]
fn hours_and_calendar_days_are_elapsed_time_even_over_holidays() {
    let c = Clock::start(shipped("C7"), sh("2026-09-30T18:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-10-01T18:00"));
    let c = Clock::start(shipped("C26a"), sh("2026-09-30T18:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-10-05T18:00"));
    // C6 recurs every 182 days after an inspection.
    let c = Clock::start(shipped("C6"), sh("2026-01-10T10:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-07-11T10:00"));
    assert_eq!(c.next_threshold().unwrap().0, Threshold::Warn(90));
}

#[test]
fn a_window_moves_a_late_deadline_to_the_next_opening() {
    let rule = custom(&[("window", "window = { from = \"08:00\", to = \"20:00\" }")]);
    let c = Clock::start(&rule, sh("2026-03-02T19:00"), None, &CAL).unwrap();
    assert_eq!((c.base_due, c.due_at), (sh("2026-03-02T21:00"), sh("2026-03-03T08:00")));
    // Before the opening it moves to the same day's opening; inside, and at
    // the closing minute itself, it stays.
    let c = Clock::start(&rule, sh("2026-03-02T04:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-03-02T08:00"));
    let c = Clock::start(&rule, sh("2026-03-02T18:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-03-02T20:00"));
    // Shipped C5: four hours after the cause is cleared, within 08–20.
    let c = Clock::start(shipped("C5"), sh("2026-03-02T17:30"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-03-03T08:00"));
    let c = Clock::start(shipped("C5"), sh("2026-03-02T09:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-03-02T13:00"));
}

#[test]
fn a_lead_time_counts_back_from_the_outage_start() {
    let c3 = shipped("C3");
    // Entered Monday 10:00 for an outage on Thursday 10:00: announce by
    // Tuesday 10:00.
    let mut c = Clock::start_before(c3, sh("2026-03-02T10:00"), sh("2026-03-05T10:00")).unwrap();
    assert_eq!(c.due_at, sh("2026-03-03T10:00"));
    assert_eq!(c.next_threshold(), Some((Threshold::Warn(50), sh("2026-03-02T22:00"))));
    assert_eq!(c.stop(sh("2026-03-03T09:00")).unwrap(), Outcome::Met);

    // Entered only 24 h ahead: overdue from the start, the breach is all
    // that is left.
    let mut c = Clock::start_before(c3, sh("2026-03-04T10:00"), sh("2026-03-05T10:00")).unwrap();
    assert_eq!(c.due_at, sh("2026-03-03T10:00"));
    assert_eq!(c.next_threshold(), Some((Threshold::Breach, sh("2026-03-03T10:00"))));
    c.fire(Threshold::Breach, sh("2026-03-04T10:00")).unwrap();
    assert_eq!(c.stop(sh("2026-03-04T10:05")).unwrap(), Outcome::Breached);

    assert_eq!(Clock::start(c3, sh("2026-03-02T10:00"), None, &CAL).unwrap_err().code(), "clock_wrong_start");
    let e = Clock::start_before(shipped("C7"), sh("2026-03-02T10:00"), sh("2026-03-05T10:00")).unwrap_err();
    assert_eq!(e.code(), "clock_wrong_start");
}

#[test]
fn measured_figures_and_seasons_start_no_clock() {
    for id in ["C21", "C27"] {
        let e = Clock::start(shipped(id), sh("2026-03-02T10:00"), None, &CAL).unwrap_err();
        assert_eq!(e.code(), "clock_not_a_clock", "{id}");
    }
}

// ---- pause, resume, stop -----------------------------------------------------

#[test]
fn pausing_shifts_the_due_time_by_the_paused_span() {
    let mut c = Clock::start(shipped("C7"), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-03-03T10:00"));
    c.pause(sh("2026-03-02T12:00")).unwrap();
    assert!(c.is_paused());
    assert_eq!(c.next_threshold(), None, "nothing fires while paused");
    assert_eq!(c.fire(Threshold::Warn(50), sh("2026-03-03T00:00")).unwrap_err().code(), "clock_paused");
    assert_eq!(c.pause(sh("2026-03-02T13:00")).unwrap_err().code(), "clock_paused");
    c.resume(sh("2026-03-02T15:00")).unwrap();
    assert_eq!((c.paused_total, c.due_at), (hours(3), sh("2026-03-03T13:00")));
    assert_eq!(c.resume(sh("2026-03-02T16:00")).unwrap_err().code(), "clock_not_paused");

    // A second pause adds up; stopping while paused ends the pause first.
    c.pause(sh("2026-03-03T08:00")).unwrap();
    assert_eq!(c.stop(sh("2026-03-03T20:00")).unwrap(), Outcome::Met);
    assert_eq!((c.paused_total, c.due_at), (hours(15), sh("2026-03-04T01:00")));
    assert_eq!(c.outcome(), Some(Outcome::Met));
    assert_eq!(c.stop(sh("2026-03-04T00:00")).unwrap_err().code(), "clock_stopped");
    assert_eq!(c.pause(sh("2026-03-04T00:00")).unwrap_err().code(), "clock_stopped");
}

#[test]
fn a_working_day_clock_shifts_by_the_elapsed_pause() {
    let mut c = Clock::start(shipped("C1"), sh("2026-09-30T10:00"), None, &CAL).unwrap();
    c.pause(sh("2026-09-30T11:00")).unwrap();
    c.resume(sh("2026-10-01T11:00")).unwrap();
    assert_eq!(c.due_at, sh("2026-10-11T10:00"));
}

#[test]
fn a_window_applies_again_after_a_pause() {
    let mut c = Clock::start(shipped("C5"), sh("2026-03-02T09:00"), None, &CAL).unwrap();
    c.pause(sh("2026-03-02T10:00")).unwrap();
    c.resume(sh("2026-03-02T18:00")).unwrap();
    // 13:00 + 8 h = 21:00, outside the window.
    assert_eq!((c.base_due, c.due_at), (sh("2026-03-02T21:00"), sh("2026-03-03T08:00")));
}

#[test]
fn a_passed_deadline_cannot_be_paused_away() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    let e = c.pause(sh("2026-03-02T12:01")).unwrap_err();
    assert_eq!(e.code(), "clock_overdue");
    c.pause(sh("2026-03-02T12:00")).unwrap();
}

#[test]
fn steps_must_come_in_time_order() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    assert_eq!(c.pause(sh("2026-03-02T09:59")).unwrap_err().code(), "clock_out_of_order");
    c.pause(sh("2026-03-02T10:30")).unwrap();
    assert_eq!(c.resume(sh("2026-03-02T10:29")).unwrap_err().code(), "clock_out_of_order");
    c.resume(sh("2026-03-02T10:30")).unwrap();
    assert_eq!(c.stop(sh("2026-03-02T10:00")).unwrap_err().code(), "clock_out_of_order");
}

#[test]
fn stopping_late_is_a_breach() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    assert_eq!(c.outcome(), None);
    assert_eq!(c.stop(sh("2026-03-02T12:00:01")).unwrap(), Outcome::Breached);
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    assert_eq!(c.stop(sh("2026-03-02T12:00")).unwrap(), Outcome::Met, "on the minute is on time");
}

// ---- extensions ----------------------------------------------------------------

#[test]
fn an_extension_moves_the_deadline_and_records_the_approver() {
    let mut c = Clock::start(shipped("C1"), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    assert_eq!(c.due_at, sh("2026-03-05T10:00"));
    c.extend(sh("2026-03-10T10:00"), "staff-17", "parts on order", sh("2026-03-04T09:00")).unwrap();
    assert_eq!(c.due_at, sh("2026-03-10T10:00"));
    assert_eq!(
        c.extended,
        [Extension {
            new_due: sh("2026-03-10T10:00"),
            approver_id: "staff-17".into(),
            reason: "parts on order".into(),
            at: sh("2026-03-04T09:00"),
        }]
    );
    let e = c.extend(sh("2026-03-09T10:00"), "staff-17", "shorter", sh("2026-03-04T10:00")).unwrap_err();
    assert_eq!(e.code(), "clock_extension_not_later");
    let e = c.extend(sh("2026-03-11T10:00"), "staff-17", "  ", sh("2026-03-04T10:00")).unwrap_err();
    assert_eq!(e.code(), "clock_extension_incomplete");
    let e = c.extend(sh("2026-03-11T10:00"), "", "why", sh("2026-03-04T10:00")).unwrap_err();
    assert_eq!(e.code(), "clock_extension_incomplete");
    assert_eq!(c.stop(sh("2026-03-09T10:00")).unwrap(), Outcome::Met);
    let e = c.extend(sh("2026-03-12T10:00"), "staff-17", "again", sh("2026-03-09T11:00")).unwrap_err();
    assert_eq!(e.code(), "clock_stopped");
}

#[test]
fn an_extension_comes_before_the_deadline_and_not_while_paused() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    let e = c.extend(sh("2026-03-02T18:00"), "m1", "late", sh("2026-03-02T12:30")).unwrap_err();
    assert_eq!(e.code(), "clock_overdue");
    c.pause(sh("2026-03-02T11:00")).unwrap();
    let e = c.extend(sh("2026-03-02T18:00"), "m1", "paused", sh("2026-03-02T11:30")).unwrap_err();
    assert_eq!(e.code(), "clock_paused");
}

// ---- thresholds ----------------------------------------------------------------

#[test]
fn thresholds_fire_in_order_each_once() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    assert_eq!(
        c.thresholds(),
        [
            (Threshold::Warn(50), sh("2026-03-02T11:00")),
            (Threshold::Warn(80), sh("2026-03-02T11:36")),
            (Threshold::Breach, sh("2026-03-02T12:00")),
        ]
    );
    let mut fired = Vec::new();
    while let Some((threshold, at)) = c.next_threshold() {
        let e = c.fire(threshold, at - SignedDuration::from_secs(1)).unwrap_err();
        assert_eq!(e.code(), "clock_threshold_not_yet");
        c.fire(threshold, at).unwrap();
        assert_eq!(c.fire(threshold, at).unwrap_err().code(), "clock_already_fired");
        fired.push((threshold, at));
    }
    assert_eq!(fired, c.thresholds());
    assert!(c.breached);
    assert_eq!(c.fire(Threshold::Warn(50), sh("2026-03-02T13:00")).unwrap_err().code(), "clock_already_fired");
    assert_eq!(c.stop(sh("2026-03-02T13:00")).unwrap(), Outcome::Breached);
    assert_eq!(c.next_threshold(), None);
    assert_eq!(c.fire(Threshold::Breach, sh("2026-03-02T14:00")).unwrap_err().code(), "clock_stopped");
}

#[test]
fn a_late_sweeper_may_skip_straight_to_the_breach() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    c.fire(Threshold::Breach, sh("2026-03-02T12:30")).unwrap();
    assert_eq!(c.warned, 0b11);
    assert_eq!(c.next_threshold(), None);
    assert_eq!(c.fire(Threshold::Warn(80), sh("2026-03-02T12:30")).unwrap_err().code(), "clock_already_fired");
    // Firing the 80 % warning passes over the 50 % one.
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    c.fire(Threshold::Warn(80), sh("2026-03-02T11:40")).unwrap();
    assert_eq!(c.next_threshold(), Some((Threshold::Breach, sh("2026-03-02T12:00"))));
    assert_eq!(c.fire(Threshold::Warn(50), sh("2026-03-02T11:40")).unwrap_err().code(), "clock_already_fired");
    assert_eq!(c.fire(Threshold::Warn(70), sh("2026-03-02T11:40")).unwrap_err().code(), "clock_unknown_threshold");
}

#[test]
fn thresholds_follow_pauses_and_extensions_without_firing_twice() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    c.fire(Threshold::Warn(50), sh("2026-03-02T11:00")).unwrap();
    c.pause(sh("2026-03-02T11:10")).unwrap();
    c.resume(sh("2026-03-02T12:10")).unwrap();
    // Span is now 3 h: 80 % at 12:24, breach at 13:00.
    assert_eq!(c.next_threshold(), Some((Threshold::Warn(80), sh("2026-03-02T12:24"))));
    c.extend(sh("2026-03-02T15:00"), "m1", "customer asked", sh("2026-03-02T12:20")).unwrap();
    assert_eq!(c.next_threshold(), Some((Threshold::Warn(80), sh("2026-03-02T14:00"))));
}

#[test]
fn a_stop_reported_late_still_counts_by_its_time() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    c.fire(Threshold::Breach, sh("2026-03-02T12:00:05")).unwrap();
    // The answer was given at 11:59 and recorded after the sweeper ran.
    assert_eq!(c.stop(sh("2026-03-02T11:59")).unwrap(), Outcome::Met);
    assert!(c.breached, "the escalation did go out");
}

#[test]
fn a_clock_survives_json() {
    let mut c = Clock::start(shipped("C5"), sh("2026-03-02T17:30"), None, &CAL).unwrap();
    c.extend(sh("2026-03-03T09:00"), "m1", "crew delayed", sh("2026-03-02T23:00")).unwrap();
    c.fire(Threshold::Warn(50), sh("2026-03-03T02:00")).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    let back: Clock = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
}
