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
