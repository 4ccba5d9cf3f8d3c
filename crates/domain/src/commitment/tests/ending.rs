//! How clocks end (stop event, subject end, withdrawal), upstream deadlines
//! and the stricter of several deadlines.

use jiff::SignedDuration;

use super::{CAL, SHIPPED, custom, sh, shipped};
use crate::commitment::*;
use crate::role::{Permission, Role};

fn two_hours() -> CommitmentRule {
    custom(&[])
}

fn closed() -> Ending {
    Ending::SubjectEnded { how: SubjectEnd::Closed }
}

// ---- the subject's end ---------------------------------------------------------

#[test]
fn a_subject_end_is_met_at_the_due_time_exactly_and_breached_after() {
    let start = sh("2026-03-02T10:00");
    let mut c = Clock::start(&two_hours(), start, None, &CAL).unwrap();
    assert_eq!(c.end(sh("2026-03-02T12:00"), closed()).unwrap(), Outcome::Met);
    assert_eq!(c.ending(), Some(closed()));
    assert_eq!(c.stopped_at, Some(sh("2026-03-02T12:00")));

    let mut c = Clock::start(&two_hours(), start, None, &CAL).unwrap();
    let late = sh("2026-03-02T12:00") + SignedDuration::from_secs(1);
    assert_eq!(c.end(late, Ending::SubjectEnded { how: SubjectEnd::Merged }).unwrap(), Outcome::Breached);
    assert_eq!(c.outcome(), Some(Outcome::Breached));
    // Ended is ended: nothing more happens to it.
    assert_eq!(c.stop(late).unwrap_err().code(), "clock_stopped");
    assert_eq!(c.end(late, closed()).unwrap_err().code(), "clock_stopped");
    assert!(c.next_threshold().is_none());
}

#[test]
fn a_subject_end_resumes_a_paused_clock_first() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    c.pause(sh("2026-03-02T11:00")).unwrap();
    // Paused for three hours: the due time moves from 12:00 to 15:00.
    assert_eq!(c.end(sh("2026-03-02T14:00"), closed()).unwrap(), Outcome::Met);
    assert_eq!((c.due_at, c.paused_at), (sh("2026-03-02T15:00"), None));
}

#[test]
fn a_stop_event_keeps_its_behaviour_and_reads_as_such() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    assert_eq!(c.ending(), None);
    assert_eq!(c.stop(sh("2026-03-02T13:00")).unwrap(), Outcome::Breached);
    assert_eq!(c.ending(), Some(Ending::StopEvent));
    assert!(c.ending().unwrap().by_time());
}

#[test]
fn a_clock_stored_before_endings_were_recorded_reads_as_stopped_by_an_event() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    c.stop(sh("2026-03-02T11:00")).unwrap();
    let mut json = serde_json::to_value(&c).unwrap();
    json.as_object_mut().unwrap().remove("ending");
    let old: Clock = serde_json::from_value(json).unwrap();
    assert_eq!((old.ending(), old.outcome()), (Some(Ending::StopEvent), Some(Outcome::Met)));
    // A running clock does not write the field at all.
    let running = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    assert!(serde_json::to_value(&running).unwrap().get("ending").is_none());
}

// ---- withdrawal ----------------------------------------------------------------

#[test]
fn a_withdrawn_clock_is_withdrawn_never_met() {
    let start = sh("2026-03-02T10:00");
    let mut c = Clock::start(&two_hours(), start, None, &CAL).unwrap();
    let at = sh("2026-03-02T10:30");
    c.withdraw(at, WithdrawKind::Decision, "  repair not needed: the customer fixed it  ", " 42 ").unwrap();
    assert_eq!(c.outcome(), Some(Outcome::Withdrawn));
    assert!(!c.outcome().unwrap().is_met());
    let w = c.withdrawal().unwrap();
    assert_eq!(
        (w.kind, w.reason.as_str(), w.by_id.as_str(), w.at),
        (WithdrawKind::Decision, "repair not needed: the customer fixed it", "42", at)
    );
    assert!(!c.ending().unwrap().by_time());
    assert!(c.is_stopped() && c.next_threshold().is_none());
    assert_eq!(c.fire(Threshold::Breach, sh("2026-03-02T13:00")).unwrap_err().code(), "clock_stopped");
    assert_eq!(c.stop(sh("2026-03-02T11:00")).unwrap_err().code(), "clock_stopped");

    // It survives storage as JSON.
    let back: Clock = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
    assert_eq!(back, c);
    assert_eq!(back.outcome(), Some(Outcome::Withdrawn));
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["ending"]["by"], "withdrawn");
    assert_eq!(json["ending"]["kind"], "decision");
}

#[test]
fn every_withdrawal_kind_gives_a_withdrawn_outcome() {
    for (i, kind) in WithdrawKind::ALL.into_iter().enumerate() {
        let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
        let w = Withdrawal { kind, reason: "r".into(), by_id: "1".into(), at: sh("2026-03-02T10:00") };
        let at = sh("2026-03-02T11:00") + SignedDuration::from_mins(i as i64);
        assert_eq!(c.end(at, Ending::Withdrawn(w)).unwrap(), Outcome::Withdrawn);
        // The recorded instant is the one the clock ended at.
        assert_eq!(c.withdrawal().unwrap().at, at);
        assert_eq!(WithdrawKind::parse(kind.code()), Some(kind));
    }
}

#[test]
fn a_withdrawal_needs_a_reason_and_who_decided() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    let before = c.clone();
    let at = sh("2026-03-02T10:30");
    for (reason, by) in [("", "42"), ("   ", "42"), ("reason", ""), ("reason", "  ")] {
        let e = c.withdraw(at, WithdrawKind::Decision, reason, by).unwrap_err();
        assert_eq!((e, &c), (ClockError::WithdrawalIncomplete, &before));
    }
    assert_eq!(ClockError::WithdrawalIncomplete.code(), "clock_withdrawal_incomplete");
}

#[test]
fn a_breach_that_happened_cannot_be_withdrawn() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    let before = c.clone();
    let e = c.withdraw(sh("2026-03-02T12:01"), WithdrawKind::Duplicate, "duplicate of GAS-1", "42").unwrap_err();
    assert_eq!(e.code(), "clock_overdue");
    assert_eq!(c, before, "a refusal changes nothing");
    // At the due time exactly it is still allowed.
    c.withdraw(sh("2026-03-02T12:00"), WithdrawKind::Duplicate, "duplicate of GAS-1", "42").unwrap();
    assert_eq!(c.outcome(), Some(Outcome::Withdrawn));
}

#[test]
fn a_paused_clock_is_withdrawn_against_its_moved_due_time() {
    let mut c = Clock::start(&two_hours(), sh("2026-03-02T10:00"), None, &CAL).unwrap();
    c.pause(sh("2026-03-02T11:00")).unwrap();
    // 13:00 is past the old due time (12:00) but the pause moves it to 14:00.
    c.withdraw(sh("2026-03-02T13:00"), WithdrawKind::OutageCancelled, "outage called off", "9").unwrap();
    assert_eq!((c.outcome(), c.due_at, c.paused_at), (Some(Outcome::Withdrawn), sh("2026-03-02T14:00"), None));
}

#[test]
fn only_duty_managers_and_admins_may_withdraw() {
    let allowed: Vec<Role> = Role::ALL.into_iter().filter(|r| r.can(Permission::ClockWithdraw)).collect();
    assert_eq!(allowed, [Role::DutyManager, Role::Admin]);
}

#[test]
fn outcome_and_subject_end_codes_round_trip() {
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.code()), Some(o));
        assert_eq!(serde_json::to_value(o).unwrap(), o.code());
    }
    for s in SubjectEnd::ALL {
        assert_eq!(SubjectEnd::parse(s.code()), Some(s));
    }
    assert_eq!(Outcome::Withdrawn.to_string(), "withdrawn");
}

// ---- upstream deadlines ----------------------------------------------------------

#[test]
fn an_upstream_clock_is_due_at_the_given_instant() {
    let at = sh("2026-09-30T10:00");
    // Across the National Day holiday: nothing is counted, the instant is taken as is.
    let due = sh("2026-10-03T17:30");
    let c = Clock::upstream(at, due).unwrap();
    assert_eq!((c.rule_id.as_str(), c.due_at, c.started_at, c.policy_version), (UPSTREAM, due, at, 0));
    assert_eq!(c.next_threshold().map(|(t, _)| t), Some(Threshold::Warn(50)));

    let rule = SHIPPED.rule(UPSTREAM).expect("the policy finds the built-in rule");
    assert_eq!(rule, upstream_rule());
    assert_eq!((rule.timing, rule.stop.as_slice()), (Timing::Fixed, &[Event::CaseAnswered][..]));
    assert!(rule.pause.is_empty() && rule.is_clock());
    assert!(SHIPPED.started_by(Event::CaseReceived).all(|r| r.id != UPSTREAM), "started only by the application");
}

#[test]
fn an_upstream_deadline_already_passed_starts_overdue() {
    let c = Clock::upstream(sh("2026-03-02T10:00"), sh("2026-03-02T09:00")).unwrap();
    assert_eq!(c.next_threshold(), Some((Threshold::Breach, sh("2026-03-02T09:00"))));
}

#[test]
fn fixed_and_computed_rules_are_started_their_own_way() {
    let e = Clock::start(upstream_rule(), sh("2026-03-02T10:00"), None, &CAL).unwrap_err();
    assert_eq!(e.code(), "clock_wrong_start");
    let e = Clock::start_fixed(shipped("C1"), sh("2026-03-02T10:00"), sh("2026-03-03T10:00")).unwrap_err();
    assert_eq!(e.code(), "clock_wrong_start");
}

#[test]
fn the_stricter_deadline_is_the_earliest_running_one() {
    let at = sh("2026-03-02T10:00");
    let own = Clock::start(shipped("C1"), at, None, &CAL).unwrap();
    let upstream = Clock::upstream(at, sh("2026-03-03T10:00")).unwrap();
    assert!(upstream.due_at < own.due_at);
    assert_eq!(strictest([&own, &upstream]), Some(&upstream));
    let later = Clock::upstream(at, sh("2026-03-20T10:00")).unwrap();
    assert_eq!(strictest([&own, &later]), Some(&own));
    // Equal deadlines: the first.
    let twin = own.clone();
    assert!(std::ptr::eq(strictest([&own, &twin]).unwrap(), &own));

    // Stopped and paused clocks have no deadline in force.
    let mut stopped = upstream.clone();
    stopped.stop(sh("2026-03-02T11:00")).unwrap();
    let mut paused = Clock::upstream(at, sh("2026-03-02T12:00")).unwrap();
    paused.pause(sh("2026-03-02T11:00")).unwrap();
    assert_eq!(strictest([&stopped, &paused, &own]), Some(&own));
    assert_eq!(strictest([&stopped, &paused]), None);
    assert_eq!(strictest(Vec::<&Clock>::new()), None);
}
