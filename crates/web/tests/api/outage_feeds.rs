//! The public outage notices, checked by independent tools: the Atom feed
//! with feedparser, the iCalendar feed with the icalendar package, and each
//! CAP 1.2 alert against the official OASIS schema with lxml (see
//! `crates/web/tests/py/check_feeds.py`; `./scripts/test` installs them).

use crate::on_both;
use crate::outages::{create, network, staffed};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::Path;

/// Runs our checker script with the test venv's Python; fails loudly when
/// the tools are missing rather than passing without checking anything.
fn check(dir: &Path, caps: &[std::path::PathBuf]) -> Value {
    let python = std::env::var("PLEDGE_TEST_PYTHON")
        .expect("PLEDGE_TEST_PYTHON is not set: run the feed tests with ./scripts/test, which installs the Python checkers (feedparser, icalendar, lxml and the CAP 1.2 schema)");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/check_feeds.py");
    let mut cmd = std::process::Command::new(python);
    cmd.arg(script).arg("--atom").arg(dir.join("outages.atom")).arg("--ics").arg(dir.join("outages.ics"));
    for c in caps {
        cmd.arg("--cap").arg(c);
    }
    let out = cmd.output().expect("run the feed checker");
    assert!(out.status.success(), "checker failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("checker output is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

async fn text(t: &crate::support::TestApp, path: &str) -> (StatusCode, String) {
    let (s, body) = t.send(None, Method::GET, path, None).await;
    (s, body.as_str().map(str::to_owned).unwrap_or_else(|| body.to_string()))
}

const REASON: &str = "中压管道改线 & 检修 <B段>, 含逗号; 分号\\反斜杠";
const AREA: &str = "人民路 1–2 号楼，解放路北段，以及城关镇东关街道所辖的幸福小区、和平小区、光明小区全部楼栋";

on_both! {
    async fn the_public_feeds_pass_independent_validators(t) {
        let t = staffed(t).await;
        let net = network(&t).await;
        let (_, planned) = create(&t, "dispatcher", json!({"node_id": net.a1, "reason": REASON, "area": AREA})).await;
        let planned = planned["id"].as_i64().unwrap();
        t.post("dispatcher", &format!("/api/v1/outages/{planned}/announce"), json!({})).await;
        let (_, emergency) = create(&t, "dispatcher", json!({"kind": "emergency", "node_id": net.a2, "starts_at": "2026-09-30T09:40:00+08:00",
                                                           "expected_restore_at": "2026-09-30T13:00:00+08:00"})).await;
        let emergency = emergency["id"].as_i64().unwrap();
        t.post("dispatcher", &format!("/api/v1/outages/{emergency}/announce"), json!({})).await;
        let (_, called_off) = create(&t, "dispatcher", json!({"node_id": net.b1, "starts_at": "2026-10-08T09:00:00+08:00", "expected_restore_at": "2026-10-08T11:00:00+08:00"})).await;
        let called_off = called_off["id"].as_i64().unwrap();
        t.post("dispatcher", &format!("/api/v1/outages/{called_off}/announce"), json!({})).await;
        t.post("dispatcher", &format!("/api/v1/outages/{called_off}/cancel"), json!({"reason": "施工改期"})).await;
        let (_, draft) = create(&t, "dispatcher", json!({"node_id": net.b1, "starts_at": "2026-10-09T09:00:00+08:00", "expected_restore_at": "2026-10-09T11:00:00+08:00"})).await;
        let draft = draft["id"].as_i64().unwrap();

        let dir = std::env::temp_dir().join(format!("pledge_feeds_{}_{}", std::process::id(), t.db_url.len() + t.backend.name().len() * 1000 + planned as usize));
        std::fs::create_dir_all(&dir).unwrap();
        let (s, page) = text(&t, "/public/outages").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("中压管道改线 &amp; 检修 &lt;B段&gt;") && !page.contains("<B段>"), "the page escapes what staff typed");
        assert!(!page.contains(&format!("outage-{draft}\"")), "a draft is not published");
        for name in ["outages.atom", "outages.ics"] {
            let (s, body) = text(&t, &format!("/feeds/{name}")).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            std::fs::write(dir.join(name), body).unwrap();
        }
        let mut caps = Vec::new();
        for id in [planned, emergency, called_off] {
            let (s, body) = text(&t, &format!("/feeds/outages/{id}.cap")).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            assert!(!body.contains("Z<"), "CAP times carry +08:00, never Z");
            let file = dir.join(format!("{id}.cap"));
            std::fs::write(&file, &body).unwrap();
            caps.push(file);
        }
        assert_eq!(text(&t, &format!("/feeds/outages/{draft}.cap")).await.0, StatusCode::NOT_FOUND);
        // A control the validator must reject: a UTC "Z" time is not CAP 1.2.
        let good = std::fs::read_to_string(&caps[0]).unwrap();
        let broken = dir.join("broken.cap");
        std::fs::write(&broken, good.replacen("+08:00</sent>", "Z</sent>", 1)).unwrap();
        caps.push(broken);

        let r = check(&dir, &caps);
        assert_eq!(r["atom"]["ok"], true, "{}", r["atom"]);
        assert_eq!(r["atom"]["entries"], 3);
        assert_eq!(r["atom"]["cap_links"].as_array().unwrap().len(), 3);
        assert_eq!(r["ics"]["ok"], true, "{}", r["ics"]);
        assert_eq!(r["ics"]["events"], 3);
        let ics = &r["ics"];
        assert!(ics["descriptions"].as_array().unwrap().iter().any(|d| d.as_str().unwrap().contains(REASON)), "escaping round-trips: {ics}");
        assert!(ics["locations"].as_array().unwrap().iter().any(|l| l == AREA), "{ics}");
        assert!(ics["statuses"].as_array().unwrap().iter().any(|s| s == "CANCELLED"));
        let cap = r["cap"].as_array().unwrap();
        for c in &cap[..3] {
            assert_eq!(c["valid"], true, "{c}");
            assert_eq!(c["languages"], json!(["zh-CN", "en-US"]));
        }
        assert_eq!(cap[0]["area"], AREA);
        assert_eq!(cap[2]["msg_type"], "Cancel");
        assert_eq!(cap[3]["valid"], false, "the schema rejects a Z time: {}", cap[3]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A station of `utility`'s network, for outages of that utility.
async fn station(t: &crate::support::TestApp, utility: &str) -> i64 {
    let (s, b) = t
        .post(
            "admin",
            "/api/v1/network/nodes",
            json!({"utility": utility, "parent_id": null, "level": "station", "name": format!("{utility} 站")}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

/// The dir the CAP files of one test go to.
fn scratch(t: &crate::support::TestApp, tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pledge_cap_{tag}_{}_{}", std::process::id(), t.backend.name()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn save(t: &crate::support::TestApp, dir: &Path, path: &str, file: &str) -> (std::path::PathBuf, String) {
    let (s, body) = text(t, path).await;
    assert_eq!(s, StatusCode::OK, "{path}: {body}");
    let f = dir.join(file);
    std::fs::write(&f, &body).unwrap();
    (f, body)
}

/// The SEQUENCE of the one event whose UID ends with `-{id}@pledge.invalid`.
fn ics_sequence(ics: &str, id: i64) -> Option<i64> {
    let unfolded = ics.replace("\r\n ", "");
    let uid = format!("-{id}@pledge.invalid");
    unfolded
        .split("BEGIN:VEVENT")
        .find(|e| e.lines().any(|l| l.starts_with("UID:") && l.ends_with(&uid)))?
        .lines()
        .find_map(|l| l.strip_prefix("SEQUENCE:")?.parse().ok())
}

const UTILITIES: [&str; 4] = ["gas", "water", "heat", "power"];

on_both! {
    async fn each_outage_keeps_one_cap_lineage_and_calendars_follow_it(t) {
        let t = staffed(t).await;
        let dir = scratch(&t, "lineage");
        let mut caps = Vec::new();
        let mut ids = Vec::new();
        for u in UTILITIES {
            let node = station(&t, u).await;
            let (s, o) = create(&t, "dispatcher", json!({"utility": u, "node_id": node, "starts_at": "2026-10-20T09:00:00+08:00",
                                                         "expected_restore_at": "2026-10-20T17:00:00+08:00"})).await;
            assert_eq!(s, StatusCode::CREATED, "{o}");
            let id = o["id"].as_i64().unwrap();
            ids.push(id);
            assert_eq!(text(&t, &format!("/feeds/outages/{id}.cap")).await.0, StatusCode::NOT_FOUND, "a draft publishes nothing");
            let (s, b) = t.post("dispatcher", &format!("/api/v1/outages/{id}/announce"), json!({})).await;
            assert_eq!(s, StatusCode::OK, "{u}: {b}");
            let (_, ics) = text(&t, "/feeds/outages.ics").await;
            assert_eq!(ics_sequence(&ics, id), Some(0), "{u}: the announced event is revision 0");
            t.advance(jiff::SignedDuration::from_mins(1));
            let (s, b) = t.patch("dispatcher", &format!("/api/v1/outages/{id}"), json!({"starts_at": "2026-10-21T09:00:00+08:00",
                                                                                     "expected_restore_at": "2026-10-21T17:00:00+08:00"})).await;
            assert_eq!(s, StatusCode::OK, "{u}: {b}");
            let (_, ics) = text(&t, "/feeds/outages.ics").await;
            assert_eq!(ics_sequence(&ics, id), Some(1), "{u}: a change bumps SEQUENCE");
            t.advance(jiff::SignedDuration::from_mins(1));
            let (s, b) = t.patch("dispatcher", &format!("/api/v1/outages/{id}"), json!({"reason": "更换阀门，工期调整"})).await;
            assert_eq!(s, StatusCode::OK, "{u}: {b}");
            t.advance(jiff::SignedDuration::from_mins(1));
            let (s, b) = t.post("dispatcher", &format!("/api/v1/outages/{id}/cancel"), json!({"reason": "施工改期"})).await;
            assert_eq!(s, StatusCode::OK, "{u}: {b}");
            for seq in 1..=4 {
                caps.push(save(&t, &dir, &format!("/feeds/outages/{id}/cap/{seq}.cap"), &format!("{id}-{seq}.cap")).await.0);
            }
            let (_, latest) = text(&t, &format!("/feeds/outages/{id}.cap")).await;
            assert_eq!(latest, std::fs::read_to_string(caps.last().unwrap()).unwrap(), "{u}: the stable URL serves the latest");
            assert_eq!(text(&t, &format!("/feeds/outages/{id}/cap/5.cap")).await.0, StatusCode::NOT_FOUND);
        }
        save(&t, &dir, "/feeds/outages.atom", "outages.atom").await;
        save(&t, &dir, "/feeds/outages.ics", "outages.ics").await;
        let r = check(&dir, &caps);
        assert_eq!(r["atom"]["ok"], true, "{}", r["atom"]);
        assert_eq!(r["ics"]["ok"], true, "{}", r["ics"]);
        let ics = &r["ics"];
        let cap = r["cap"].as_array().unwrap();
        for (k, (u, id)) in UTILITIES.iter().zip(&ids).enumerate() {
            let lineage = &cap[k * 4..k * 4 + 4];
            let types: Vec<&str> = lineage.iter().map(|c| c["msg_type"].as_str().unwrap()).collect();
            assert_eq!(types, ["Alert", "Update", "Update", "Cancel"], "{u}");
            for (i, c) in lineage.iter().enumerate() {
                assert_eq!(c["valid"], true, "{u}: {c}");
                let refs: Vec<Value> = c["references"].as_array().unwrap().clone();
                let earlier: Vec<Value> = lineage[..i].iter().map(|e| json!([e["sender"], e["identifier"], e["sent"]])).collect();
                assert_eq!(refs, earlier, "{u}: message {} references every earlier one", i + 1);
                for info in c["infos"].as_array().unwrap() {
                    assert!(info.get("expires").is_none_or(|e| e.is_null() || i == 3), "{u}: an open outage's alert holds: {info}");
                }
            }
            let ids_: Vec<&str> = lineage.iter().map(|c| c["identifier"].as_str().unwrap()).collect();
            assert!(ids_.windows(2).all(|w| w[0] != w[1]), "{u}: each message has its own identifier");
            let alert = &lineage[0]["infos"];
            let zh = &alert[0];
            assert!(zh["event"].as_str().unwrap().chars().all(|c| !c.is_ascii_alphabetic()), "{u}: the zh event is Chinese: {zh}");
            let en = &alert[1]["description"].as_str().unwrap();
            assert!(en.contains("2026-10-20 09:00") && en.contains("2026-10-20 17:00"), "{u}: the en description has the times: {en}");
            let moved = lineage[1]["infos"][1]["description"].as_str().unwrap();
            assert!(moved.contains("2026-10-21 09:00"), "{u}: the Update carries the new times: {moved}");
            let valve = alert[0]["instruction"].as_str().unwrap().contains("阀门");
            assert_eq!(valve, *u == "gas", "{u}: the valve instruction is for a gas stop only");
            assert_eq!(lineage[3]["infos"][0]["urgency"], "Past");
            let uid = format!("-{id}@pledge.invalid");
            let k_ev = ics["uids"].as_array().unwrap().iter().position(|x| x.as_str().unwrap().ends_with(&uid)).expect("the cancelled event stays");
            assert_eq!(ics["statuses"][k_ev], "CANCELLED", "{u}");
            assert_eq!(ics["sequences"][k_ev], 3, "{u}: one revision per change");
            let link = format!("/feeds/outages/{id}/cap/4.cap");
            assert!(r["atom"]["cap_links"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().ends_with(&link)), "{u}: Atom links the latest");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

on_both! {
    async fn a_restore_closes_the_alert_which_holds_until_then(t) {
        let t = staffed(t).await;
        let dir = scratch(&t, "restore");
        let mut nodes = Vec::new();
        for u in UTILITIES {
            nodes.push(station(&t, u).await);
        }
        let mut ids = Vec::new();
        for (u, node) in UTILITIES.iter().zip(&nodes) {
            let effect = if *u == "gas" { "pressure_reduction" } else { "stop" };
            let (s, o) = create(&t, "dispatcher", json!({"utility": u, "kind": "emergency", "effect": effect, "node_id": node,
                "starts_at": "2026-09-30T09:40:00+08:00", "expected_restore_at": "2026-09-30T12:00:00+08:00"})).await;
            assert_eq!(s, StatusCode::CREATED, "{o}");
            let id = o["id"].as_i64().unwrap();
            let (s, b) = t.post("dispatcher", &format!("/api/v1/outages/{id}/announce"), json!({})).await;
            assert_eq!(s, StatusCode::OK, "{u}: {b}");
            ids.push(id);
        }
        // Past the expected restore time, supply still off: the alerts hold.
        t.advance(jiff::SignedDuration::from_hours(3)); // 13:00
        let mut caps = Vec::new();
        for id in &ids {
            caps.push(save(&t, &dir, &format!("/feeds/outages/{id}.cap"), &format!("{id}-open.cap")).await.0);
            let (s, b) = t.post("dispatcher", &format!("/api/v1/outages/{id}/restore-notice"), json!({"restore_at": "2026-09-30T14:00:00+08:00"})).await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        t.advance(jiff::SignedDuration::from_mins(45)); // 13:45
        for id in &ids {
            let (s, b) = t.post("dispatcher", &format!("/api/v1/outages/{id}/restore"), json!({})).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            for seq in 1..=3 {
                caps.push(save(&t, &dir, &format!("/feeds/outages/{id}/cap/{seq}.cap"), &format!("{id}-{seq}.cap")).await.0);
            }
        }
        save(&t, &dir, "/feeds/outages.atom", "outages.atom").await;
        save(&t, &dir, "/feeds/outages.ics", "outages.ics").await;
        let r = check(&dir, &caps);
        let cap = r["cap"].as_array().unwrap();
        for c in cap {
            assert_eq!(c["valid"], true, "{c}");
        }
        for (k, u) in UTILITIES.iter().enumerate() {
            let open = &cap[k];
            assert_eq!(open["msg_type"], "Alert", "{u}");
            for info in open["infos"].as_array().unwrap() {
                assert!(info["expires"].is_null(), "{u}: no expiry while supply is off: {info}");
            }
            let lineage = &cap[4 + k * 3..4 + k * 3 + 3];
            let types: Vec<&str> = lineage.iter().map(|c| c["msg_type"].as_str().unwrap()).collect();
            assert_eq!(types, ["Alert", "Update", "Update"], "{u}: restore notice, then the closing Update");
            let closing = &lineage[2];
            assert_eq!(closing["references"].as_array().unwrap().len(), 2, "{u}: {closing}");
            for info in closing["infos"].as_array().unwrap() {
                assert_eq!(info["urgency"], "Past", "{u}");
                assert_eq!(info["expires"], "2026-09-30T13:45:00+08:00", "{u}: the closing message expires when supply came back");
            }
            assert!(closing["infos"][1]["description"].as_str().unwrap().contains("restored at 2026-09-30 13:45"), "{u}: {closing}");
            if *u == "gas" {
                for c in lineage {
                    for info in c["infos"].as_array().unwrap() {
                        let i = info["instruction"].as_str().unwrap();
                        assert!(!i.contains("阀门") && !i.to_lowercase().contains("valve"), "no valve instruction for a pressure reduction: {i}");
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

on_both! {
    async fn outages_announced_before_cap_messages_were_kept_get_their_lineage_rebuilt(t) {
        let t = staffed(t).await;
        let mut ids = Vec::new();
        for (u, end) in [("gas", None), ("water", Some("cancel")), ("heat", None)] {
            let node = station(&t, u).await;
            let (s, o) = create(&t, "dispatcher", json!({"utility": u, "node_id": node, "starts_at": "2026-10-20T09:00:00+08:00",
                                                         "expected_restore_at": "2026-10-20T17:00:00+08:00"})).await;
            assert_eq!(s, StatusCode::CREATED, "{o}");
            let id = o["id"].as_i64().unwrap();
            let (s, b) = t.post("dispatcher", &format!("/api/v1/outages/{id}/announce"), json!({})).await;
            assert_eq!(s, StatusCode::OK, "{u}: {b}");
            if let Some(step) = end {
                t.advance(jiff::SignedDuration::from_mins(1));
                let (s, b) = t.post("dispatcher", &format!("/api/v1/outages/{id}/{step}"), json!({"reason": "施工改期"})).await;
                assert_eq!(s, StatusCode::OK, "{u}: {b}");
            }
            ids.push((id, end.is_some()));
        }
        // As a database from before schema 11 would be: no messages kept.
        crate::ledger::tamper(&t, "DELETE FROM cap_messages").await.unwrap();
        let (gas, _) = ids[0];
        assert_eq!(text(&t, &format!("/feeds/outages/{gas}.cap")).await.0, StatusCode::NOT_FOUND);

        assert_eq!(t.app.backfill_cap_lineage().await.unwrap(), 3);
        assert_eq!(t.app.backfill_cap_lineage().await.unwrap(), 0, "a second run finds nothing to do");
        for (id, cancelled) in ids {
            let (s, alert) = text(&t, &format!("/feeds/outages/{id}/cap/1.cap")).await;
            assert_eq!(s, StatusCode::OK, "{alert}");
            assert!(alert.contains("<msgType>Alert</msgType>"), "{alert}");
            let (s, latest) = text(&t, &format!("/feeds/outages/{id}.cap")).await;
            assert_eq!(s, StatusCode::OK);
            if cancelled {
                assert!(latest.contains("<msgType>Cancel</msgType>") && latest.contains("<references>"), "{latest}");
            } else {
                assert_eq!(latest, alert, "an outage still announced has just its Alert");
            }
        }
    }
}
