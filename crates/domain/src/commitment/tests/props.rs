//! Properties of hour-based clocks under any sequence of steps.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::{CAL, custom, sh};
use crate::commitment::{Clock, Ending, Outcome, SubjectEnd, Threshold, WithdrawKind};

#[derive(Debug, Clone)]
enum Step {
    Pause,
    Resume,
    Extend(i64),
    Fire,
    Stop,
    EndSubject,
    Withdraw,
}

fn step() -> impl Strategy<Value = (i64, Step)> {
    let kind = prop_oneof![
        3 => Just(Step::Pause),
        3 => Just(Step::Resume),
        1 => (1i64..600).prop_map(Step::Extend),
        2 => Just(Step::Fire),
        1 => Just(Step::Stop),
        1 => Just(Step::EndSubject),
        1 => Just(Step::Withdraw),
    ];
    (0i64..900, kind)
}

#[track_caller]
fn check_thresholds(c: &Clock) {
    let t = c.thresholds();
    assert!(t.windows(2).all(|w| w[0].1 <= w[1].1), "not in time order: {t:?}");
    assert!(t.iter().all(|(_, at)| *at >= c.started_at), "before the start: {t:?}");
    assert_eq!(t.last(), Some(&(Threshold::Breach, c.due_at)));
    if let Some((threshold, at)) = c.next_threshold() {
        assert!(t.contains(&(threshold, at)));
    }
}

/// A withdrawn clock is withdrawn and nothing else, ended no later than
/// its due time; every other ended clock is met exactly when it ended by
/// its due time.
#[track_caller]
fn check_outcome(c: &Clock) {
    match (c.stopped_at, c.outcome(), c.withdrawal()) {
        (None, None, None) => assert!(c.ending.is_none()),
        (Some(at), Some(Outcome::Withdrawn), Some(w)) => {
            assert!(!Outcome::Withdrawn.is_met());
            assert!(at <= c.due_at && w.at == at, "withdrawn after its due time: {c:?}");
            assert!(c.next_threshold().is_none());
        }
        (Some(at), Some(o), None) => {
            assert_eq!(o.is_met(), at <= c.due_at, "{c:?}");
            assert_ne!(o, Outcome::Withdrawn);
        }
        other => panic!("inconsistent ending {other:?}: {c:?}"),
    }
}

proptest! {
    #[test]
    fn hour_clocks_keep_their_thresholds_in_order(
        hours in 1u32..200,
        windowed in any::<bool>(),
        start_minutes in 0i64..(365 * 24 * 60),
        steps in proptest::collection::vec(step(), 0..25),
    ) {
        let duration = format!("duration = {{ hours = {hours} }}");
        let mut changes = vec![("duration", duration.as_str()), ("warn_at", "warn_at = [0.25, 0.5, 0.8, 0.95]")];
        if windowed {
            changes.push(("window", "window = { from = \"08:00\", to = \"20:00\" }"));
        }
        let rule = custom(&changes);
        let start: Timestamp = sh("2025-01-01T00:00") + SignedDuration::from_mins(start_minutes);
        let mut c = Clock::start(&rule, start, None, &CAL).unwrap();
        check_thresholds(&c);
        let mut now = start;
        for (gap, step) in steps {
            now += SignedDuration::from_mins(gap);
            let due_before = c.due_at;
            let was_paused = c.is_paused();
            let ok = match step {
                Step::Pause => c.pause(now).is_ok(),
                Step::Resume => c.resume(now).is_ok(),
                Step::Extend(mins) => c.extend(c.due_at + SignedDuration::from_mins(mins), "m", "r", now).is_ok(),
                Step::Fire => match c.next_threshold() {
                    Some((threshold, at)) if at <= now => { c.fire(threshold, now).unwrap(); true }
                    _ => false,
                },
                Step::Stop => c.stop(now).is_ok(),
                Step::EndSubject => c.end(now, Ending::SubjectEnded { how: SubjectEnd::Closed }).is_ok(),
                Step::Withdraw => {
                    let before = c.clone();
                    let ok = c.withdraw(now, WithdrawKind::Decision, "not needed", "7").is_ok();
                    // A refused withdrawal leaves the clock as it was.
                    prop_assert!(ok || c == before);
                    ok
                }
            };
            // The deadline never moves earlier, least of all on resume.
            prop_assert!(c.due_at >= due_before);
            if ok && was_paused && !c.is_paused() {
                prop_assert!(c.paused_total > SignedDuration::ZERO || c.due_at == due_before);
            }
            check_thresholds(&c);
            check_outcome(&c);
        }
    }

    #[test]
    fn resuming_moves_the_due_time_by_exactly_the_pause(
        hours in 1u32..200,
        pause_after in 0i64..12_000,
        pause_for in 0i64..12_000,
    ) {
        let duration = format!("duration = {{ hours = {hours} }}");
        let rule = custom(&[("duration", duration.as_str())]);
        let start = sh("2026-03-02T10:00");
        let mut c = Clock::start(&rule, start, None, &CAL).unwrap();
        let due = c.due_at;
        let paused = start + SignedDuration::from_mins(pause_after);
        prop_assume!(paused <= due);
        c.pause(paused).unwrap();
        c.resume(paused + SignedDuration::from_mins(pause_for)).unwrap();
        prop_assert_eq!(c.due_at, due + SignedDuration::from_mins(pause_for));
    }
}
