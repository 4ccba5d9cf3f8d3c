//! The outage half of the conformance suite (issue 10): one row per outage
//! rule and utility pins which commitments an outage starts (C3, C4a/b, C5,
//! C24a/b) and which outages start none. Each row's clock starts saying what
//! started it, is met by its stop event, breaches through the sweeper when
//! that event is late, is withdrawn by a cancellation before its due time
//! (and stays breached after it), and ends when supply is restored.

use crate::on_both;
use crate::support::{Backend, START, TestApp};
use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

/// The event that starts a row's clock.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Start {
    /// Entering a planned outage (`outage.scheduled`).
    Scheduled,
    /// Entering an emergency, which runs from that moment (`outage.started`).
    Started,
    /// The restore notice: the cause is cleared (`outage.cause_cleared`).
    CauseCleared,
}

impl Start {
    fn event(self) -> &'static str {
        match self {
            Start::Scheduled => "outage.scheduled",
            Start::Started => "outage.started",
            Start::CauseCleared => "outage.cause_cleared",
        }
    }
}

/// The event that meets a row's clock.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Stop {
    Announce,
    ReportToAuthority,
    Restore,
}

/// What cancelling the outage does to the clock.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Cancel {
    /// Before due: withdrawn; after due: stays breached.
    Withdraws,
    /// The outage is running (an emergency from the moment it is entered,
    /// anything once the cause is cleared) and cannot be cancelled.
    Refused,
}

/// What restoring supply does to the clock.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Restored {
    /// A planned outage cannot start before it is announced: the clock has
    /// already ended by its stop event.
    AlreadyStopped,
    /// Restoring is the stop event.
    IsStop,
    /// An emergency is restored only once announced: the announcement,
    /// its stop event, ends the clock first.
    AnnouncedFirst,
    /// The clock still runs and ends with its outage: met in time, breached after due.
    EndsByTime,
}

/// One pinned outage commitment: rule, utility, outage kind and effect, its
/// expected length, the local time its start event happens, that event, the
/// event that meets it, what cancelling and restoring do, and its due time.
struct Pinned {
    rule: &'static str,
    utility: &'static str,
    kind: &'static str,
    effect: &'static str,
    hours: i64,
    at: &'static str,
    start: Start,
    stop: Stop,
    cancel: Cancel,
    restored: Restored,
    due: &'static str,
}

use {Cancel::*, Restored::*, Start::*, Stop::*};

/// Planned outages start on Mon 5 Oct 2026 09:00; emergencies half an hour before they are entered.
#[rustfmt::skip]
const PINNED: &[Pinned] = &[
    // rule          utility          kind                 effect                         length     start event at            started by             met by                     cancel             restored                  due
    Pinned { rule: "C3",   utility: "gas",  kind: "planned",   effect: "stop",               hours: 8, at: "2026-09-30T10:00", start: Scheduled,    stop: Announce,          cancel: Withdraws, restored: AlreadyStopped, due: "2026-10-03T09:00:00+08:00" },
    Pinned { rule: "C3",   utility: "gas",  kind: "planned",   effect: "pressure_reduction", hours: 4, at: "2026-09-30T10:00", start: Scheduled,    stop: Announce,          cancel: Withdraws, restored: AlreadyStopped, due: "2026-10-03T09:00:00+08:00" },
    Pinned { rule: "C4a",  utility: "gas",  kind: "emergency", effect: "stop",               hours: 8, at: "2026-09-30T10:00", start: Started,      stop: Announce,          cancel: Refused,   restored: AnnouncedFirst, due: "2026-09-30T11:00:00+08:00" },
    Pinned { rule: "C4b",  utility: "gas",  kind: "emergency", effect: "stop",               hours: 8, at: "2026-09-30T10:00", start: Started,      stop: ReportToAuthority, cancel: Refused,   restored: EndsByTime,     due: "2026-09-30T11:00:00+08:00" },
    Pinned { rule: "C5",   utility: "gas",  kind: "emergency", effect: "stop",               hours: 8, at: "2026-09-30T10:00", start: CauseCleared, stop: Restore,           cancel: Refused,   restored: IsStop,         due: "2026-09-30T14:00:00+08:00" },
    // cleared at 17:00: 4 h later is 21:00, after the 20:00 close, so due at the next 08:00
    Pinned { rule: "C5",   utility: "gas",  kind: "planned",   effect: "stop",               hours: 8, at: "2026-09-30T17:00", start: CauseCleared, stop: Restore,           cancel: Refused,   restored: IsStop,         due: "2026-10-01T08:00:00+08:00" },
    // National rules (C3 for the other utilities); C3p's 7 days are pinned in outage_rules.rs (due before this suite's start).
    Pinned { rule: "C3w",  utility: "water", kind: "planned",  effect: "stop",               hours: 8, at: "2026-09-30T10:00", start: Scheduled,    stop: Announce,          cancel: Withdraws, restored: AlreadyStopped, due: "2026-10-04T09:00:00+08:00" },
    Pinned { rule: "C3t",  utility: "power", kind: "temporary", effect: "stop",              hours: 8, at: "2026-09-30T10:00", start: Scheduled,    stop: Announce,          cancel: Withdraws, restored: AlreadyStopped, due: "2026-10-04T09:00:00+08:00" },
    Pinned { rule: "C4w",  utility: "water", kind: "emergency", effect: "stop",              hours: 8, at: "2026-09-30T10:00", start: Started,      stop: Announce,          cancel: Refused,   restored: AnnouncedFirst, due: "2026-09-30T11:00:00+08:00" },
    Pinned { rule: "C4w",  utility: "power", kind: "emergency", effect: "stop",              hours: 8, at: "2026-09-30T10:00", start: Started,      stop: Announce,          cancel: Refused,   restored: AnnouncedFirst, due: "2026-09-30T11:00:00+08:00" },
    Pinned { rule: "C24a", utility: "heat", kind: "planned",   effect: "stop",               hours: 9, at: "2026-09-30T10:00", start: Scheduled,    stop: Announce,          cancel: Withdraws, restored: AlreadyStopped, due: "2026-10-04T09:00:00+08:00" },
    Pinned { rule: "C24b", utility: "heat", kind: "emergency", effect: "stop",               hours: 9, at: "2026-09-30T10:00", start: Started,      stop: Announce,          cancel: Refused,   restored: AnnouncedFirst, due: "2026-09-30T11:00:00+08:00" },
];

/// Outages no outage rule covers: every step of their life starts no clock.
#[rustfmt::skip]
const UNPINNED: &[(&str, &str, i64)] = &[
    // utility  kind        length (h)
    ("heat",  "planned",    8), // C24a needs more than 8 hours
    ("heat",  "emergency",  8), // so does C24b
    ("heat",  "planned",    2),
];

fn at(local: &str) -> Timestamp {
    format!("{local}:00+08:00").parse().unwrap()
}

fn now(t: &TestApp) -> Timestamp {
    Timestamp::from_microsecond(t.now_us.load(Ordering::SeqCst)).unwrap()
}

fn advance_to(t: &TestApp, to: Timestamp) {
    t.advance(to.duration_since(now(t)));
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

async fn ok(t: &TestApp, who: &str, path: &str, body: Value) -> Value {
    let (s, b) = t.post(who, path, body).await;
    assert!(s.is_success(), "{path}: {s} {b}");
    b
}

async fn detail(t: &TestApp, id: i64) -> Value {
    let (s, d) = t.get("dispatcher", &format!("/api/v1/outages/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

fn clock_of(d: &Value, rule: &str) -> Value {
    let all: Vec<&Value> = d["clocks"].as_array().unwrap().iter().filter(|c| c["rule_id"] == rule).collect();
    assert_eq!(all.len(), 1, "one {rule} clock in {}", d["clocks"]);
    all[0].clone()
}

fn outcome(c: &Value) -> (&str, &str, &str) {
    (c["state"].as_str().unwrap(), c["outcome"].as_str().unwrap_or("-"), c["ending"]["by"].as_str().unwrap_or("-"))
}

/// Enters an outage on a network node of its own (so no two overlap).
async fn enter(t: &TestApp, utility: &str, kind: &str, effect: &str, hours: i64) -> Value {
    let (s, n) = t
        .post(
            "admin",
            "/api/v1/network/nodes",
            json!({"utility": utility, "parent_id": null, "level": "station", "name": format!("站 {}", next_node())}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let starts = if kind != "emergency" { at("2026-10-05T09:00") } else { now(t) - SignedDuration::from_mins(30) };
    let restore = starts + SignedDuration::from_hours(hours);
    let (s, o) = t
        .post(
            "dispatcher",
            "/api/v1/outages",
            json!({"utility": utility, "kind": kind, "effect": effect, "node_id": id(&n), "reason": "管网检修",
                   "area": "城东", "starts_at": starts.to_string(), "expected_restore_at": restore.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    o
}

fn next_node() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Announces; `late` announcements need a duty manager's override.
async fn announce(t: &TestApp, id: i64, late: bool) -> Value {
    let path = format!("/api/v1/outages/{id}/announce");
    if late {
        ok(t, "duty_manager", &path, json!({"override_reason": "施工单位临时通知"})).await
    } else {
        ok(t, "dispatcher", &path, json!({})).await
    }
}

/// Walks the outage through each step it still needs until supply is back.
async fn restore(t: &TestApp, id: i64) -> Value {
    let mut o = detail(t, id).await;
    if o["state"] == "draft" {
        o = announce(t, id, true).await;
    }
    if o["state"] == "announced" {
        o = ok(t, "dispatcher", &format!("/api/v1/outages/{id}/start"), json!({})).await;
    }
    if o["kind"] == "emergency" && o["announced_at"].is_null() {
        // An emergency is restored only once its customers were told.
        o = announce(t, id, false).await;
    }
    if o["state"] == "in_progress" && o["utility"] == "gas" {
        ok(t, "dispatcher", &format!("/api/v1/outages/{id}/restore-notice"), json!({})).await;
    }
    if o["state"] == "restore_notified" || (o["state"] == "in_progress" && o["utility"] == "gas") {
        // C5: gas comes back 30 minutes after the latest notice at the earliest.
        t.advance(SignedDuration::from_mins(30));
    }
    let o = ok(t, "dispatcher", &format!("/api/v1/outages/{id}/restore"), json!({})).await;
    assert_eq!(o["state"], "restored");
    o
}

/// An outage with the row's clock running.
async fn begin(t: &TestApp, p: &Pinned) -> i64 {
    let o = id(&enter(t, p.utility, p.kind, p.effect, p.hours).await);
    if p.start == CauseCleared {
        if p.kind != "emergency" {
            announce(t, o, false).await;
            ok(t, "dispatcher", &format!("/api/v1/outages/{o}/start"), json!({})).await;
        }
        ok(t, "dispatcher", &format!("/api/v1/outages/{o}/restore-notice"), json!({})).await;
    }
    o
}

/// Raises the row's stop event.
async fn stop(t: &TestApp, p: &Pinned, o: i64, late: bool) {
    match p.stop {
        Announce => {
            announce(t, o, late && p.kind != "emergency").await;
        }
        ReportToAuthority => {
            ok(t, "dispatcher", &format!("/api/v1/outages/{o}/report-to-authority"), json!({"note": "已电话报告"}))
                .await;
        }
        Restore => {
            restore(t, o).await;
        }
    }
}

async fn cancel(t: &TestApp, p: &Pinned, o: i64) {
    let (s, b) = t.post("dispatcher", &format!("/api/v1/outages/{o}/cancel"), json!({"reason": "施工改期"})).await;
    match p.cancel {
        Withdraws => assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("cancelled")), "{}: {b}", p.rule),
        Refused => assert_eq!(
            (s, b["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("illegal_outage_transition")),
            "{}: {b}",
            p.rule
        ),
    }
}

/// Everything one row pins, on a fresh application whose clock starts at the suite's start.
async fn pin(backend: Backend, p: &Pinned) {
    let t = crate::outages::staffed(TestApp::new(backend).await).await;
    let who = format!("{} {} {} {}", p.rule, p.utility, p.kind, p.effect);
    advance_to(&t, at(p.at));
    let due: Timestamp = p.due.parse().unwrap();

    // Starts: each outage's clock runs with the row's due time and says what started it.
    let (met, late, cancelled_early, cancelled_late, restored_early, restored_late) = (
        begin(&t, p).await,
        begin(&t, p).await,
        begin(&t, p).await,
        begin(&t, p).await,
        begin(&t, p).await,
        begin(&t, p).await,
    );
    let all = [met, late, cancelled_early, cancelled_late, restored_early, restored_late];
    for o in all {
        let c = clock_of(&detail(&t, o).await, p.rule);
        assert_eq!((c["state"].as_str(), c["due_at"].as_str()), (Some("running"), Some(p.due)), "{who}");
        assert_eq!(c["started_by"], json!({"rule_id": p.rule, "policy_version": 1, "event": p.start.event()}), "{who}");
    }

    // Met: its stop event, in time.
    stop(&t, p, met, false).await;
    assert_eq!(outcome(&clock_of(&detail(&t, met).await, p.rule)), ("stopped", "met", "stop_event"), "{who}");

    // Cancelled before due: withdrawn (or the running outage cannot be cancelled and the clock runs on).
    cancel(&t, p, cancelled_early).await;
    let c = clock_of(&detail(&t, cancelled_early).await, p.rule);
    match p.cancel {
        Withdraws => {
            assert_eq!(outcome(&c), ("stopped", "withdrawn", "withdrawn"), "{who}");
            assert_eq!(
                (c["ending"]["withdraw_kind"].as_str(), c["ending"]["reason"].as_str()),
                (Some("outage_cancelled"), Some("施工改期"))
            );
        }
        Refused => assert_eq!(c["state"], "running", "{who}"),
    }

    // Restored in time.
    restore(&t, restored_early).await;
    let c = clock_of(&detail(&t, restored_early).await, p.rule);
    match p.restored {
        AlreadyStopped | IsStop | AnnouncedFirst => assert_eq!(outcome(&c), ("stopped", "met", "stop_event"), "{who}"),
        EndsByTime => {
            assert_eq!(outcome(&c), ("stopped", "met", "subject_ended"), "{who}");
            assert_eq!(c["ending"]["how"], "restored", "{who}");
        }
    }

    // Past due the sweeper breaches every clock still running.
    advance_to(&t, due + SignedDuration::from_mins(1));
    assert!(t.app.sweep_clocks(1000).await.unwrap().breached >= 1, "{who}");
    for o in [late, cancelled_late, restored_late] {
        let c = clock_of(&detail(&t, o).await, p.rule);
        assert_eq!((c["state"].as_str(), c["breached"].as_bool()), (Some("running"), Some(true)), "{who}");
    }

    // A late stop event keeps it breached.
    stop(&t, p, late, true).await;
    assert_eq!(outcome(&clock_of(&detail(&t, late).await, p.rule)), ("stopped", "breached", "stop_event"), "{who}");

    // Cancelled after due: no withdrawal, it stays breached.
    cancel(&t, p, cancelled_late).await;
    let c = clock_of(&detail(&t, cancelled_late).await, p.rule);
    match p.cancel {
        Withdraws => {
            assert_eq!(outcome(&c), ("stopped", "breached", "subject_ended"), "{who}");
            assert_eq!(c["ending"]["how"], "cancelled", "{who}");
        }
        Refused => assert_eq!((c["state"].as_str(), c["breached"].as_bool()), (Some("running"), Some(true)), "{who}"),
    }

    // Restored after due.
    restore(&t, restored_late).await;
    let c = clock_of(&detail(&t, restored_late).await, p.rule);
    match p.restored {
        AlreadyStopped | IsStop | AnnouncedFirst => {
            assert_eq!(outcome(&c), ("stopped", "breached", "stop_event"), "{who}")
        }
        EndsByTime => {
            assert_eq!(outcome(&c), ("stopped", "breached", "subject_ended"), "{who}");
            assert_eq!(c["ending"]["how"], "restored", "{who}");
        }
    }

    // The due time never moved, and nothing is left running on a restored or cancelled outage.
    for o in all {
        let d = detail(&t, o).await;
        assert_eq!(clock_of(&d, p.rule)["due_at"], p.due, "{who}");
        if d["state"] == "restored" || d["state"] == "cancelled" {
            assert!(d["clocks"].as_array().unwrap().iter().all(|c| c["state"] == "stopped"), "{who}: {}", d["clocks"]);
        }
    }
    assert!(t.app.audit_verify().await.unwrap().is_clean(), "{who}");
}

on_both! {
    async fn conformance_every_pinned_outage_commitment_starts_meets_breaches_withdraws_and_ends_with_its_outage(t) {
        assert_eq!(now(&t), START.parse::<Timestamp>().unwrap());
        for p in PINNED {
            pin(t.backend, p).await;
        }
        let rules: std::collections::BTreeSet<_> = PINNED.iter().map(|p| p.rule).collect();
        assert_eq!(rules.into_iter().collect::<Vec<_>>(), ["C24a", "C24b", "C3", "C3t", "C3w", "C4a", "C4b", "C4w", "C5"], "every outage rule is pinned but C3p (outage_rules.rs)");
    }

    async fn short_heat_outages_start_no_outage_clock(t) {
        let t = crate::outages::staffed(t).await;
        for (utility, kind, hours) in UNPINNED {
            let o = enter(&t, utility, kind, "stop", *hours).await;
            assert_eq!(o["clocks"], json!([]), "{utility} {kind} {hours} h entered");
            let o = id(&o);
            announce(&t, o, false).await;
            if *kind == "emergency" {
                ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/report-to-authority"), json!({})).await;
            } else {
                ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/start"), json!({})).await;
            }
            let d = ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/restore-notice"), json!({})).await;
            assert_eq!((d["state"].as_str(), &d["clocks"]), (Some("restore_notified"), &json!([])), "{utility} {kind} {hours} h: cause cleared");
            let d = restore(&t, o).await;
            assert_eq!(d["clocks"], json!([]), "{utility} {kind} {hours} h restored");
            // A planned one that is called off starts nothing either.
            if *kind != "emergency" {
                let o = enter(&t, utility, kind, "stop", *hours).await;
                let d = ok(&t, "dispatcher", &format!("/api/v1/outages/{}/cancel", id(&o)), json!({"reason": "施工改期"})).await;
                assert_eq!(d["clocks"], json!([]), "{utility} {kind} {hours} h cancelled");
            }
        }
        let (_, stats) = t.get("duty_manager", "/api/v1/commitments/stats?from=2026-09-01&to=2026-10-31").await;
        for r in stats["rows"].as_array().unwrap() {
            if ["C3", "C4a", "C4b", "C5", "C24a", "C24b"].contains(&r["rule_id"].as_str().unwrap()) {
                assert_eq!((r["met"].as_u64(), r["breached"].as_u64(), r["withdrawn"].as_u64()), (Some(0), Some(0), Some(0)), "{r}");
            }
        }
    }

    async fn restoring_supply_ends_the_clocks_still_running_met_in_time_or_breached_after_due(t) {
        let t = crate::outages::staffed(t).await;
        // An emergency is restored only once announced, so C4a is met or
        // breached by the announcement; what still runs (C4b unreported) ends with the restoration.
        // In time: the restore notice goes out at 10:00 (C5: restore 30 minutes after it at the earliest),
        // reported at 10:10 (C4b met by its event), announced at 10:20; restored at 10:30.
        let o = id(&enter(&t, "gas", "emergency", "stop", 8).await);
        ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/restore-notice"), json!({})).await;
        t.advance(SignedDuration::from_mins(10));
        ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/report-to-authority"), json!({})).await;
        t.advance(SignedDuration::from_mins(10));
        announce(&t, o, false).await;
        t.advance(SignedDuration::from_mins(10));
        let d = ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/restore"), json!({})).await;
        assert_eq!(d["restored_at"], "2026-09-30T10:30:00+08:00");
        let c4a = clock_of(&d, "C4a");
        assert_eq!((outcome(&c4a), c4a["due_at"].as_str()), (("stopped", "met", "stop_event"), Some("2026-09-30T11:00:00+08:00")));
        assert_eq!(c4a["stopped_at"], "2026-09-30T10:20:00+08:00");
        assert_eq!(outcome(&clock_of(&d, "C4b")), ("stopped", "met", "stop_event"));
        let c5 = clock_of(&d, "C5");
        assert_eq!((outcome(&c5), c5["due_at"].as_str()), (("stopped", "met", "stop_event"), Some("2026-09-30T14:00:00+08:00")));

        // After due, never swept: entered at 10:30, due 11:30; restore notice at 12:00, announced late
        // at 12:30, never reported; restoring at 12:30 ends C4b breached by time.
        let o = id(&enter(&t, "gas", "emergency", "stop", 8).await);
        t.advance(SignedDuration::from_mins(90));
        ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/restore-notice"), json!({})).await;
        t.advance(SignedDuration::from_mins(30));
        announce(&t, o, false).await;
        let d = ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/restore"), json!({})).await;
        let c = clock_of(&d, "C4a");
        assert_eq!((c["outcome"].as_str(), c["due_at"].as_str()), (Some("breached"), Some("2026-09-30T11:30:00+08:00")), "{c}");
        let c = clock_of(&d, "C4b");
        assert_eq!((outcome(&c), c["due_at"].as_str()), (("stopped", "breached", "subject_ended"), Some("2026-09-30T11:30:00+08:00")));
        assert_eq!((c["ending"]["how"].as_str(), c["stopped_at"].as_str()), (Some("restored"), Some("2026-09-30T12:30:00+08:00")));
        assert_eq!(outcome(&clock_of(&d, "C5")), ("stopped", "met", "stop_event"));

        // Heat has no restore notice: announced at once, C24b is met by the announcement.
        let o = id(&enter(&t, "heat", "emergency", "stop", 12).await);
        announce(&t, o, false).await;
        let d = ok(&t, "dispatcher", &format!("/api/v1/outages/{o}/restore"), json!({})).await;
        assert_eq!(outcome(&clock_of(&d, "C24b")), ("stopped", "met", "stop_event"));
        assert_eq!(t.app.sweep_clocks(100).await.unwrap().breached, 0, "nothing left for the sweeper");

        let (_, stats) = t.get("duty_manager", "/api/v1/commitments/stats?from=2026-09-01&to=2026-10-31").await;
        let row = |r: &str| stats["rows"].as_array().unwrap().iter().find(|x| x["rule_id"] == r).unwrap().clone();
        assert_eq!((row("C4a")["met"].as_u64(), row("C4a")["breached"].as_u64()), (Some(1), Some(1)));
        assert_eq!((row("C4b")["met"].as_u64(), row("C4b")["breached"].as_u64()), (Some(1), Some(1)));
        assert_eq!((row("C24b")["met"].as_u64(), row("C24b")["breached"].as_u64()), (Some(1), Some(0)));
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }
}
