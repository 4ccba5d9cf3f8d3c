//! Reading policies: the shipped defaults, and every refusal with its line.

use jiff::SignedDuration;
use jiff::civil::date;

use super::{HEADER, SHIPPED, source};
use crate::case::{CaseKind, CaseSubkind};
use crate::commitment::policy::{DEFAULT_WARN_AT, SHIPPED_TOML};
use crate::commitment::*;
use crate::customer::{CustomerCategory, Zone};
use crate::role::Role;
use crate::utility::Utility;

// ---- the shipped policy ----------------------------------------------------

#[test]
fn shipped_policy_parses_with_every_timed_commitment() {
    let p = Policy::from_toml(SHIPPED_TOML).unwrap();
    assert_eq!(p.version, 1);
    let ids: Vec<&str> = p.commitments.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "C1", "C2", "C3", "C3w", "C3p", "C3t", "C4w", "C4a", "C4b", "C5", "C6", "C7", "C8", "C9", "C17", "D3",
            "C21", "C23", "C24a", "C24b", "C24c", "D4", "C26a", "C26b", "C27", "C33a", "D5", "D1", "D2"
        ]
    );
    for rule in &p.commitments {
        assert!(!rule.title_zh.is_empty() && !rule.title_en.is_empty(), "{}", rule.id);
        assert!(rule.title_zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{} zh", rule.id);
        assert_eq!(rule.policy_version, 1);
        if rule.is_clock() {
            assert!(rule.start.is_some(), "{}", rule.id);
        }
    }
}

#[test]
fn shipped_rules_say_what_the_spec_says() {
    let r = SHIPPED.rule("C1").unwrap();
    assert_eq!(r.utilities, Utility::ALL);
    assert_eq!(r.timing, Timing::Duration(Period::WorkingDays(3)));
    assert_eq!((r.start, r.stop.as_slice()), (Some(Event::CaseReceived), &[Event::CaseAnswered][..]));
    assert_eq!(
        (r.pause.as_slice(), r.resume.as_slice()),
        (&[Event::CaseWaitingCustomer][..], &[Event::CaseResumed][..])
    );
    assert_eq!(r.warn_at, DEFAULT_WARN_AT);
    assert_eq!(r.escalate_to, [EscalationTarget::Role(Role::DutyManager), EscalationTarget::DepartmentHead]);

    let r = SHIPPED.rule("C2").unwrap();
    assert_eq!(r.timing, Timing::Duration(Period::CalendarDays(3)));
    let (nc, nr) = (Some(CaseSubkind::NewConnection), Some(CustomerCategory::NonResidential));
    assert!(r.covers_case(Utility::Gas, CaseKind::BusinessApplication, nc, nr));
    assert!(!r.covers_case(Utility::Gas, CaseKind::BusinessApplication, nc, Some(CustomerCategory::Residential)));
    assert!(!r.covers_case(Utility::Heat, CaseKind::BusinessApplication, nc, nr));
    assert!(!r.covers_case(Utility::Gas, CaseKind::BusinessApplication, None, nr));

    let r = SHIPPED.rule("C3").unwrap();
    assert_eq!(r.timing, Timing::LeadTime(Period::Hours(48)));
    assert!(r.covers_outage(Utility::Gas, OutageKind::Planned, SignedDuration::from_hours(2)));
    assert!(!r.covers_outage(Utility::Gas, OutageKind::Emergency, SignedDuration::from_hours(2)));

    let r = SHIPPED.rule("C5").unwrap();
    let w = r.window.unwrap();
    assert_eq!((w.from.to_string(), w.to.to_string()), ("08:00:00".into(), "20:00:00".into()));

    let r = SHIPPED.rule("C6").unwrap();
    assert_eq!(r.timing, Timing::Interval(Period::CalendarDays(182)));
    assert!(r.stop.is_empty());
    assert!(r.covers_account(Utility::Gas, CustomerCategory::Residential));

    let r = SHIPPED.rule("C8").unwrap();
    assert_eq!(r.period_for(Some(Zone::Urban)), Some(Period::Minutes(30)));
    assert_eq!(r.period_for(Some(Zone::Rural)), Some(Period::Minutes(60)));
    assert_eq!(r.period_for(None), None);
    assert!(r.covers_case(Utility::Gas, CaseKind::Repair, Some(CaseSubkind::Emergency), None));
    assert!(!r.covers_case(Utility::Gas, CaseKind::Repair, Some(CaseSubkind::InsideMeter), None));

    let r = SHIPPED.rule("C9").unwrap();
    assert_eq!(r.timing, Timing::Duration(Period::Hours(1)));

    let r = SHIPPED.rule("C21").unwrap();
    let Timing::Season(season) = r.timing else { panic!("C21 is a season") };
    assert!(!r.is_clock() && r.start.is_none() && r.warn_at.is_empty() && r.escalate_to.is_empty());
    assert!(
        season.contains(date(2026, 11, 15)) && season.contains(date(2027, 1, 31)) && season.contains(date(2027, 3, 15))
    );
    assert!(!season.contains(date(2026, 11, 14)) && !season.contains(date(2027, 3, 16)));
    assert_eq!(season.starting_in(2026).unwrap(), (date(2026, 11, 15), date(2027, 3, 15)));

    let r = SHIPPED.rule("C23").unwrap();
    assert_eq!((r.timing, r.start), (Timing::Duration(Period::WorkingDays(2)), Some(Event::ConnectionContracted)));

    let a = SHIPPED.rule("C24a").unwrap();
    assert_eq!(a.timing, Timing::LeadTime(Period::Hours(24)));
    assert!(!a.covers_outage(Utility::Heat, OutageKind::Planned, SignedDuration::from_hours(8)));
    assert!(a.covers_outage(Utility::Heat, OutageKind::Planned, SignedDuration::from_hours(9)));

    let (a, b) = (SHIPPED.rule("C26a").unwrap(), SHIPPED.rule("C26b").unwrap());
    assert_eq!(a.timing, Timing::Duration(Period::CalendarDays(5)));
    assert_eq!(b.timing, Timing::Duration(Period::CalendarDays(7)));
    assert!(a.covers_case(Utility::Heat, CaseKind::Complaint, None, None));
    assert!(b.covers_case(Utility::Heat, CaseKind::Report, None, None));

    let r = SHIPPED.rule("C27").unwrap();
    assert!(r.measured_only() && !r.is_clock());
    assert_eq!(r.timing, Timing::Measured(Target::Rings(3)));
}

#[test]
fn rules_are_found_by_the_event_that_starts_them() {
    let ids: Vec<&str> = SHIPPED.started_by(Event::CaseReceived).map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["C1", "C2", "C7", "C8", "C9", "C17", "D3", "C24c", "D4", "C26a", "C26b", "C33a", "D5", "D1"]);
    let ids: Vec<&str> = SHIPPED.started_by(Event::CaseReopened).map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["D2"]);
    let ids: Vec<&str> = SHIPPED.started_by(Event::OutageScheduled).map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["C3", "C3w", "C3p", "C3t", "C24a"]);
}

#[test]
fn event_names_round_trip() {
    for e in Event::ALL {
        assert_eq!(Event::parse(e.code()), Some(e));
        assert_eq!(serde_json::to_value(e).unwrap(), e.code());
    }
    assert_eq!(Event::parse("case.recieved"), None);
}

#[test]
fn utilities_accept_all_as_a_string_or_a_list() {
    let one = |text: &str| {
        Policy::from_toml_unchecked(&source(&[("utilities", text)])).unwrap().commitments[0].utilities.clone()
    };
    assert_eq!(one("utilities = \"all\""), Utility::ALL);
    assert_eq!(one("utilities = [\"all\"]"), Utility::ALL);
    assert_eq!(one("utilities = [\"heat\", \"gas\", \"heat\"]"), [Utility::Heat, Utility::Gas]);
}

#[test]
fn an_empty_policy_reads_but_covers_nothing() {
    let src = "version = 2\ncompany = \"x\"\n";
    let p = Policy::from_toml_unchecked(src).unwrap();
    assert!(p.commitments.is_empty() && p.exemptions.is_empty());
    assert_eq!(p.utilities, Utility::ALL);
    let e = Policy::from_toml(src).unwrap_err();
    assert_eq!((e.code(), e.line()), ("policy_uncovered_case_kind", 1), "{e}");
    assert_eq!(
        e.to_string(),
        "line 1: no rule or exemption covers gas consultation cases: add a rule started by case.received that covers them, or an [[exemptions]] entry saying why they run no clock"
    );
}

// ---- refusals, each with its line ------------------------------------------

/// The error for a policy built by [`source`].
fn refused(changes: &[(&str, &str)]) -> PolicyError {
    let src = source(changes);
    Policy::from_toml_unchecked(&src).expect_err(&src)
}

#[track_caller]
fn assert_refused(changes: &[(&str, &str)], code: &str, line: usize) {
    let e = refused(changes);
    assert_eq!((e.code(), e.line()), (code, line), "{e}");
    assert!(e.to_string().starts_with(&format!("line {line}: ")), "{e}");
}

#[test]
fn the_base_rule_is_valid() {
    let p = Policy::from_toml_unchecked(&source(&[])).unwrap();
    assert_eq!((p.version, p.company.as_str(), p.commitments.len()), (3, "test", 1));
}

#[test]
fn unparsable_toml_is_refused_with_its_line() {
    assert_refused(&[("duration", "duration = { hours = 2")], "policy_syntax", 11);
    assert_refused(&[("title_en", "title_en = ")], "policy_syntax", 6);
    let e = Policy::from_toml_unchecked("version = 1\ncompany = \"x\"\n\n[[commitments]]\nid = \"A\"\nid = \"B\"\n")
        .unwrap_err();
    assert_eq!((e.code(), e.line()), ("policy_syntax", 6), "{e}");
}

#[test]
fn wrong_shapes_are_syntax_errors_with_their_line() {
    // An unknown field (a typo) is not silently ignored.
    assert_refused(&[("duration", "duraton = { hours = 2 }")], "policy_syntax", 11);
    // A unit the period does not know.
    assert_refused(&[("duration", "duration = { weeks = 2 }")], "policy_syntax", 11);
    // A string where a number belongs.
    assert_refused(&[("duration", "duration = { hours = \"2\" }")], "policy_syntax", 11);
    assert_eq!(Policy::from_toml("company = \"x\"\n").unwrap_err().code(), "policy_syntax");
}

#[test]
fn unknown_events_are_refused() {
    assert_refused(&[("stop", "stop = [\"case.answered\", \"case.anwsered\"]")], "policy_unknown_event", 10);
    assert_refused(&[("start", "start = \"case.opened\"")], "policy_unknown_event", 9);
    assert_refused(
        &[("pause", "pause = [\"case.waiting\"]"), ("resume", "resume = [\"case.resumed\"]")],
        "policy_unknown_event",
        12,
    );
    let e = refused(&[("start", "start = \"case.opened\"")]);
    assert_eq!(e, PolicyError::UnknownEvent { line: 9, rule: "T1".into(), event: "case.opened".into() });
}

#[test]
fn events_of_another_subject_are_refused() {
    assert_refused(&[("stop", "stop = [\"outage.restored\"]")], "policy_event_not_for_subject", 10);
}

#[test]
fn unknown_utilities_and_kinds_are_refused() {
    assert_refused(&[("utilities", "utilities = [\"gas\", \"oil\"]")], "policy_unknown_utility", 7);
    assert_refused(&[("utilities", "utilities = \"everything\"")], "policy_unknown_utility", 7);
    assert_refused(&[("utilities", "utilities = 3")], "policy_unknown_utility", 7);
    assert_refused(&[("utilities", "utilities = []")], "policy_missing", 7);
    let kind = |text: &'static str| [("applies_to", text)];
    assert_refused(&kind("applies_to = { subject = \"case\", kinds = [\"complaints\"] }"), "policy_unknown_kind", 8);
    assert_refused(&kind("applies_to = { subject = \"ticket\" }"), "policy_unknown_kind", 8);
    assert_refused(&kind("applies_to = { subject = \"case\", categories = [\"vip\"] }"), "policy_unknown_kind", 8);
    assert_refused(
        &kind("applies_to = { subject = \"case\", kinds = [\"complaint\"], subkinds = [\"emergency\"] }"),
        "policy_unknown_kind",
        8,
    );
    assert_refused(&kind("applies_to = { subject = \"case\", longer_than = { hours = 8 } }"), "policy_conflict", 8);
    assert_refused(&[("escalate_to", "escalate_to = [\"duty_manager\", \"mayor\"]")], "policy_unknown_kind", 12);
}

#[test]
fn zero_or_negative_durations_are_refused() {
    assert_refused(&[("duration", "duration = { hours = 0 }")], "policy_not_positive", 11);
    assert_refused(&[("duration", "duration = { minutes = -30 }")], "policy_not_positive", 11);
    assert_refused(
        &[("duration", "duration_by_zone = { urban = { minutes = 30 }, rural = { minutes = 0 } }")],
        "policy_not_positive",
        11,
    );
    assert_refused(&[("duration", "duration = { hours = 1, minutes = 30 }")], "policy_duration_units", 11);
    assert_refused(&[("duration", "duration = {}")], "policy_duration_units", 11);
    assert_refused(&[("duration", "duration = { hours = 9999999999 }")], "policy_conflict", 11);
}

#[test]
fn windows_must_end_after_they_start() {
    assert_refused(&[("window", "window = { from = \"20:00\", to = \"08:00\" }")], "policy_invalid_window", 12);
    assert_refused(&[("window", "window = { from = \"08:00\", to = \"08:00\" }")], "policy_invalid_window", 12);
    assert_refused(&[("window", "window = { from = \"8:00\", to = \"20:00\" }")], "policy_invalid_window", 12);
    assert_refused(&[("window", "window = { from = \"08:00\", to = \"24:00\" }")], "policy_invalid_window", 12);
    // A window belongs to a deadline, not to a lead time.
    assert_refused(
        &[
            ("applies_to", "applies_to = { subject = \"outage\" }"),
            ("start", "start = \"outage.scheduled\""),
            ("stop", "stop = [\"outage.announced\"]"),
            ("duration", "lead_time = { hours = 48 }"),
            ("window", "window = { from = \"08:00\", to = \"20:00\" }"),
        ],
        "policy_conflict",
        12,
    );
}

#[test]
fn warning_fractions_must_increase_within_zero_and_one() {
    let warn = |text: &'static str| [("warn_at", text)];
    assert_refused(&warn("warn_at = [0.8, 0.5]"), "policy_invalid_warn_at", 12);
    assert_refused(&warn("warn_at = [0.5, 0.5]"), "policy_invalid_warn_at", 12);
    assert_refused(&warn("warn_at = [0.5, 1.0]"), "policy_invalid_warn_at", 12);
    assert_refused(&warn("warn_at = [0.0, 0.5]"), "policy_invalid_warn_at", 12);
    assert_refused(&warn("warn_at = [-0.2]"), "policy_invalid_warn_at", 12);
    assert_refused(&warn("warn_at = [0.501, 0.504]"), "policy_invalid_warn_at", 12);
    assert_refused(&warn("warn_at = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]"), "policy_invalid_warn_at", 12);
    let p = Policy::from_toml_unchecked(&source(&warn("warn_at = []"))).unwrap();
    assert!(p.commitments[0].warn_at.is_empty());
}

#[test]
fn duplicate_rule_ids_are_refused_at_the_second() {
    let mut src = source(&[]);
    src.push_str("\n[[commitments]]\n");
    src.push_str(&super::BASE.join("\n"));
    let e = Policy::from_toml_unchecked(&src).unwrap_err();
    // Line 12 is blank, 13 the header, 14 the second id.
    assert_eq!((e.code(), e.line()), ("policy_duplicate_rule", 14), "{e}");
    assert_eq!(e, PolicyError::DuplicateRule { line: 14, rule: "T1".into() });
}

#[test]
fn a_start_event_cannot_also_stop() {
    assert_refused(&[("stop", "stop = [\"case.answered\", \"case.received\"]")], "policy_start_is_stop", 10);
    assert_refused(
        &[("pause", "pause = [\"case.answered\"]"), ("resume", "resume = [\"case.resumed\"]")],
        "policy_conflict",
        12,
    );
}

#[test]
fn clock_rules_need_their_events() {
    assert_refused(&[("stop", "")], "policy_missing", 4);
    assert_refused(&[("stop", "stop = []")], "policy_missing", 10);
    assert_refused(&[("start", "")], "policy_missing", 4);
    assert_refused(&[("applies_to", "")], "policy_missing", 4);
    assert_refused(&[("pause", "pause = [\"case.waiting_customer\"]")], "policy_conflict", 12);
    assert_refused(&[("title_zh", "title_zh = \"  \"")], "policy_missing", 5);
}

#[test]
fn a_rule_has_exactly_one_timing() {
    assert_refused(&[("duration", "")], "policy_missing", 4);
    assert_refused(&[("interval", "interval = { calendar_days = 10 }")], "policy_conflict", 12);
    // Interval rules restart on their start event.
    assert_refused(&[("duration", "interval = { calendar_days = 10 }")], "policy_conflict", 10);
    // Lead times cannot count working days.
    assert_refused(&[("duration", "lead_time = { working_days = 2 }")], "policy_conflict", 11);
}

#[test]
fn measured_figures_and_seasons_run_no_clock() {
    let measured = [
        ("applies_to", "applies_to = { subject = \"call\" }"),
        ("start", ""),
        ("stop", ""),
        ("duration", "measured_only = true"),
    ];
    let mut with_target = measured.to_vec();
    with_target.push(("target", "target = { rings = 3 }"));
    assert!(Policy::from_toml_unchecked(&source(&with_target)).is_ok());
    assert_refused(&measured, "policy_missing", 4);
    let mut zero = measured.to_vec();
    zero.push(("target", "target = { rings = 0 }"));
    assert_refused(&zero, "policy_not_positive", 12);
    let mut with_start = with_target.clone();
    with_start[1] = ("start", "start = \"case.received\"");
    assert_refused(&with_start, "policy_event_not_for_subject", 9);
    assert_refused(&[("target", "target = { rings = 3 }")], "policy_conflict", 12);

    let season = [
        ("applies_to", ""),
        ("start", ""),
        ("stop", ""),
        ("duration", "season = { from = \"11-15\", to = \"03-15\" }"),
    ];
    assert!(Policy::from_toml_unchecked(&source(&season)).is_ok());
    let mut bad = season.to_vec();
    bad[3] = ("duration", "season = { from = \"11-15\", to = \"02-29\" }");
    assert_refused(&bad, "policy_invalid_season", 11);
    bad[3] = ("duration", "season = { from = \"11-15\", to = \"11-15\" }");
    assert_refused(&bad, "policy_invalid_season", 11);
    let mut with_stop = season.to_vec();
    with_stop[2] = ("stop", "stop = [\"case.answered\"]");
    with_stop[0] = ("applies_to", "applies_to = { subject = \"case\" }");
    assert_refused(&with_stop, "policy_conflict", 10);
}

#[test]
fn errors_name_the_rule() {
    let src = format!("{HEADER}id = \"C99\"\n");
    let e = Policy::from_toml_unchecked(&src).unwrap_err();
    assert_eq!(e.code(), "policy_syntax");
    let e = refused(&[("id", "id = \"C42\""), ("duration", "duration = { hours = -1 }")]);
    assert!(e.to_string().contains("C42"), "{e}");
}
