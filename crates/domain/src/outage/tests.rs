//! Outage rules: schedule validation, the lifecycle, lead time from the
//! policy (C3, C24a), the gas restore window and notice (C5), grouping.

use super::*;
use crate::commitment::Policy;
use crate::ids::NodeId;
use crate::network::{NodeLevel, child_path};
use jiff::civil::DateTime;
use proptest::prelude::*;

fn sh(local: &str) -> Timestamp {
    local.parse::<DateTime>().unwrap().in_tz("Asia/Shanghai").unwrap().timestamp()
}

fn sched(from: &str, to: &str) -> Schedule {
    Schedule::new(sh(from), sh(to)).unwrap()
}

#[test]
fn restoration_before_or_at_the_start_is_refused() {
    assert_eq!(Schedule::new(sh("2026-10-10T09:00"), sh("2026-10-10T08:00")), Err(OutageError::RestoreBeforeStart));
    assert_eq!(Schedule::new(sh("2026-10-10T09:00"), sh("2026-10-10T09:00")), Err(OutageError::RestoreBeforeStart));
    assert_eq!(sched("2026-10-10T09:00", "2026-10-10T17:00").expected_length(), SignedDuration::from_hours(8));
}

#[test]
fn a_planned_gas_outage_needs_48_hours_notice() {
    let p = Policy::shipped();
    let s = sched("2026-10-10T09:00", "2026-10-10T17:00");
    assert!(
        lead_shortfalls(&p, Utility::Gas, OutageKind::Planned, &s, sh("2026-10-08T09:00")).is_empty(),
        "exactly 48 h is in time"
    );
    let late = lead_shortfalls(&p, Utility::Gas, OutageKind::Planned, &s, sh("2026-10-08T10:30"));
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].rule_id, "C3");
    assert_eq!(late[0].lead, SignedDuration::from_hours(48));
    assert_eq!(late[0].error().code(), "lead_time_too_short");
    assert!(late[0].error().to_string().contains("90 minutes"));
    // Emergencies have no lead-time rule; water has its own 24 h (C3w).
    assert!(lead_shortfalls(&p, Utility::Gas, OutageKind::Emergency, &s, sh("2026-10-10T08:00")).is_empty());
    assert!(lead_shortfalls(&p, Utility::Water, OutageKind::Planned, &s, sh("2026-10-09T09:00")).is_empty());
}

#[test]
fn a_heating_stop_needs_notice_only_when_longer_than_8_hours() {
    let p = Policy::shipped();
    let now = sh("2026-12-01T08:00");
    let eight = sched("2026-12-01T09:00", "2026-12-01T17:00");
    assert!(lead_shortfalls(&p, Utility::Heat, OutageKind::Planned, &eight, now).is_empty());
    let nine = sched("2026-12-01T09:00", "2026-12-01T18:00");
    let late = lead_shortfalls(&p, Utility::Heat, OutageKind::Planned, &nine, now);
    assert_eq!(late.iter().map(|l| l.rule_id.as_str()).collect::<Vec<_>>(), ["C24a"]);
}

#[test]
fn gas_is_restored_only_between_8_and_20_after_the_notice() {
    let p = Policy::shipped();
    let w = restore_window(&p, Utility::Gas).expect("C5 has a window");
    assert!(w.contains(sh("2026-10-10T08:00")) && w.contains(sh("2026-10-10T20:00")));
    assert_eq!(
        check_restore(&p, Utility::Gas, OutageState::InProgress, None, sh("2026-10-10T10:00")),
        Err(OutageError::RestoreNoticeFirst)
    );
    assert_eq!(check_restore(&p, Utility::Gas, OutageState::RestoreNotified, None, sh("2026-10-10T10:00")), Ok(()));
    let night =
        check_restore(&p, Utility::Gas, OutageState::RestoreNotified, None, sh("2026-10-10T21:30")).unwrap_err();
    assert_eq!(night.code(), "outside_restore_window");
    assert!(night.to_string().contains("08:00") && night.to_string().contains("20:00"));
    // Water has neither rule.
    assert_eq!(check_restore(&p, Utility::Water, OutageState::InProgress, None, sh("2026-10-10T23:00")), Ok(()));
}

#[test]
fn the_lifecycle_allows_only_its_own_steps() {
    use OutageAction as A;
    use OutageState as S;
    let p = OutageKind::Planned;
    assert_eq!(next_state(S::Draft, A::Announce, p, false), Ok(S::Announced));
    assert_eq!(next_state(S::Announced, A::Start, p, true), Ok(S::InProgress));
    assert_eq!(next_state(S::InProgress, A::NotifyRestore, p, true), Ok(S::RestoreNotified));
    assert_eq!(next_state(S::RestoreNotified, A::Restore, p, true), Ok(S::Restored));
    assert_eq!(next_state(S::Announced, A::Cancel, p, true), Ok(S::Cancelled));
    assert!(next_state(S::Draft, A::Start, p, false).is_err(), "a planned outage is announced before it starts");
    assert!(next_state(S::InProgress, A::Cancel, p, true).is_err());
    assert!(next_state(S::Restored, A::Restore, p, true).is_err());
    assert!(next_state(S::InProgress, A::Announce, p, true).is_err());
    // An emergency is announced while it runs, once.
    let e = OutageKind::Emergency;
    assert_eq!(next_state(S::InProgress, A::Announce, e, false), Ok(S::InProgress));
    assert!(next_state(S::InProgress, A::Announce, e, true).is_err());
    assert_eq!(next_state(S::InProgress, A::ReportAuthority, e, false), Ok(S::InProgress));
}

#[test]
fn texts_are_cleaned() {
    assert_eq!(reason("  管道改造 ").unwrap(), "管道改造");
    assert!(reason("").is_err());
    assert!(reason(&"长".repeat(201)).is_err());
    assert!(area("人民路\n解放路").is_ok());
}

#[test]
fn grouping_rules_are_bounded() {
    assert!(GroupingRule::new(1, 30, NodeLevel::Area).is_err());
    assert!(GroupingRule::new(3, 0, NodeLevel::Area).is_err());
    let r = GroupingRule::new(3, 30, NodeLevel::Area).unwrap();
    assert!(r.within(sh("2026-10-10T09:00"), sh("2026-10-10T09:30")));
    assert!(!r.within(sh("2026-10-10T09:00"), sh("2026-10-10T09:31")));
    assert!(!r.raises(2) && r.raises(3));
    assert_eq!(GroupingRule::default_for(Utility::Power).level, NodeLevel::Transformer);
}

#[test]
fn a_path_names_its_ancestors() {
    let a = child_path("", NodeId(7)).unwrap();
    let b = child_path(&a, NodeId(42)).unwrap();
    assert_eq!(path_ids(&b), vec![NodeId(7), NodeId(42)]);
    assert!(path_ids("").is_empty());
}

proptest! {
    #[test]
    fn overlap_is_symmetric_and_matches_the_intervals(a in 0i64..1000, la in 1i64..500, b in 0i64..1000, lb in 1i64..500) {
        let base = sh("2026-10-01T00:00");
        let at = |m: i64| base.checked_add(SignedDuration::from_mins(m)).unwrap();
        let x = Schedule::new(at(a), at(a + la)).unwrap();
        let y = Schedule::new(at(b), at(b + lb)).unwrap();
        prop_assert_eq!(x.overlaps(&y), y.overlaps(&x));
        let shared = (a.max(b)) < (a + la).min(b + lb);
        prop_assert_eq!(x.overlaps(&y), shared);
    }

    #[test]
    fn an_announcement_is_late_exactly_when_less_than_48_hours_remain(mins_before in 0i64..(96 * 60)) {
        let p = Policy::shipped();
        let s = sched("2026-10-10T09:00", "2026-10-10T17:00");
        let now = s.starts_at().checked_sub(SignedDuration::from_mins(mins_before)).unwrap();
        let late = !lead_shortfalls(&p, Utility::Gas, OutageKind::Planned, &s, now).is_empty();
        prop_assert_eq!(late, mins_before < 48 * 60);
    }

    #[test]
    fn no_step_leaves_a_finished_outage(action in prop::sample::select(vec![
        OutageAction::Announce, OutageAction::Update, OutageAction::Start, OutageAction::NotifyRestore,
        OutageAction::Restore, OutageAction::Cancel, OutageAction::ReportAuthority]),
        emergency in any::<bool>(), announced in any::<bool>()) {
        let kind = if emergency { OutageKind::Emergency } else { OutageKind::Planned };
        for s in [OutageState::Restored, OutageState::Cancelled] {
            let next = next_state(s, action, kind, announced);
            prop_assert!(next.is_err() || next == Ok(s));
            if action != OutageAction::ReportAuthority {
                prop_assert!(next.is_err());
            }
        }
    }
}

#[test]
fn a_restore_notice_names_a_time_in_the_window_and_restore_waits_the_gap() {
    let p = Policy::shipped();
    let e = check_restore_notice(&p, Utility::Gas, sh("2026-10-10T21:00")).unwrap_err();
    assert_eq!(e.code(), "restore_outside_window");
    assert!(e.to_string().contains("2026-10-11 08:00"), "{e}");
    assert_eq!(check_restore_notice(&p, Utility::Gas, sh("2026-10-10T19:00")), Ok(()));
    assert_eq!(check_restore_notice(&p, Utility::Water, sh("2026-10-10T23:00")), Ok(()));
    let notified = Some(sh("2026-10-10T10:00"));
    let soon =
        check_restore(&p, Utility::Gas, OutageState::RestoreNotified, notified, sh("2026-10-10T10:10")).unwrap_err();
    assert_eq!(soon.code(), "restore_too_soon");
    assert!(soon.to_string().contains("2026-10-10 10:30") && soon.to_string().contains("C5"), "{soon}");
    assert_eq!(check_restore(&p, Utility::Gas, OutageState::RestoreNotified, notified, sh("2026-10-10T10:30")), Ok(()));
}

#[test]
fn national_lead_times_read_from_the_policy() {
    let p = Policy::shipped();
    let now = sh("2026-10-10T10:00");
    let cases = [
        (Utility::Water, OutageKind::Planned, 23, Some("C3w")),
        (Utility::Water, OutageKind::Planned, 25, None),
        (Utility::Power, OutageKind::Planned, 24 * 7 - 1, Some("C3p")),
        (Utility::Power, OutageKind::Planned, 24 * 7 + 1, None),
        (Utility::Power, OutageKind::Temporary, 23, Some("C3t")),
        (Utility::Power, OutageKind::Temporary, 25, None),
    ];
    for (u, k, hours, want) in cases {
        let start = now.checked_add(SignedDuration::from_hours(hours)).unwrap();
        let s = Schedule::new(start, start.checked_add(SignedDuration::from_hours(2)).unwrap()).unwrap();
        let got = lead_shortfalls(&p, u, k, &s, now);
        assert_eq!(got.first().map(|s| s.rule_id.as_str()), want, "{u:?} {k:?} {hours}");
    }
    assert!(!OutageKind::Temporary.allowed_for(Utility::Gas));
    assert!(OutageKind::Temporary.allowed_for(Utility::Power));
}
