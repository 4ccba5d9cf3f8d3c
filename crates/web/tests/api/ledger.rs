//! The ledger is append-only and tamper-evident: these scenarios change the
//! database behind Pledge's back, with a separate connection, and show that
//! `audit verify` names each kind of tampering.

use crate::on_both;
use crate::support::{Backend, TestApp};
use pledge_domain::CaseId;
use pledge_domain::ledger::Finding;
use pledge_store::repo::*;
use serde_json::json;

/// Runs SQL on the test database through its own connection, not through Pledge.
pub(crate) async fn tamper(t: &TestApp, sql: &str) -> Result<(), String> {
    use sqlx::{Connection, Executor};
    match t.backend {
        Backend::Sqlite => {
            let path = t.db_url.trim_start_matches("sqlite://");
            let mut c =
                sqlx::SqliteConnection::connect(&format!("sqlite://{path}")).await.map_err(|e| e.to_string())?;
            c.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))).await.map(|_| ()).map_err(|e| e.to_string())
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&t.db_url).await.map_err(|e| e.to_string())?;
            c.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))).await.map(|_| ()).map_err(|e| e.to_string())
        }
    }
}

/// Removes the append-only guards, as someone with direct file or superuser access could.
async fn drop_guards(t: &TestApp) {
    let sql = match t.backend {
        Backend::Sqlite => {
            "DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete; DROP TRIGGER cases_no_delete;"
        }
        Backend::Postgres => "ALTER TABLE ledger DISABLE TRIGGER USER; ALTER TABLE cases DISABLE TRIGGER USER;",
    };
    tamper(t, sql).await.expect("drop guards");
}

/// Three cases with a few events each; returns their ids.
async fn history(t: &TestApp) -> Vec<i64> {
    let mut ids = Vec::new();
    for subject in ["燃气泄漏", "水表损坏", "暖气不热"] {
        let c = t.case("admin", "repair", json!({"subject": subject})).await;
        let id = c["id"].as_i64().unwrap();
        t.post("admin", &format!("/api/v1/cases/{id}/notes"), json!({"body": "已联系用户"})).await;
        ids.push(id);
    }
    ids
}

async fn findings(t: &TestApp) -> Vec<Finding> {
    t.app.audit_verify().await.expect("verify runs").findings
}

async fn seq_of(t: &TestApp, case_id: i64, kind: &str) -> i64 {
    let events = t.store.read().case_events(CaseId(case_id)).await.unwrap();
    events.iter().find(|e| e.kind == kind).map(|e| e.seq.get()).expect("event")
}

on_both! {
    async fn an_untouched_ledger_verifies_clean(t) {
        history(&t).await;
        let r = t.app.audit_verify().await.unwrap();
        assert!(r.is_clean(), "{:?}", r.findings);
        assert_eq!(r.cases_checked, 3);
        assert!(r.events_checked >= 6);
    }

    async fn the_database_itself_refuses_to_edit_or_delete_events_and_cases(t) {
        let ids = history(&t).await;
        assert!(tamper(&t, "UPDATE ledger SET payload = '{}' WHERE seq = 1").await.is_err());
        assert!(tamper(&t, "DELETE FROM ledger WHERE seq = 1").await.is_err());
        assert!(tamper(&t, &format!("DELETE FROM cases WHERE id = {}", ids[0])).await.is_err());
        assert!(findings(&t).await.is_empty());
    }

    async fn an_edited_event_is_found(t) {
        let ids = history(&t).await;
        let seq = seq_of(&t, ids[1], "case.noted").await;
        drop_guards(&t).await;
        tamper(&t, &format!("UPDATE ledger SET payload = '{{\"body\":\"没有联系用户\"}}' WHERE seq = {seq}")).await.unwrap();
        assert_eq!(findings(&t).await, vec![Finding::Edited { seq }]);
    }

    async fn a_deleted_event_is_found(t) {
        let ids = history(&t).await;
        let seq = seq_of(&t, ids[0], "case.noted").await;
        drop_guards(&t).await;
        tamper(&t, &format!("DELETE FROM ledger WHERE seq = {seq}")).await.unwrap();
        let f = findings(&t).await;
        assert!(f.contains(&Finding::Gap { expected_seq: seq, found_seq: seq + 1 }), "{f:?}");
    }

    async fn reordered_events_are_found(t) {
        let ids = history(&t).await;
        let a = seq_of(&t, ids[1], "case.received").await;
        let b = seq_of(&t, ids[1], "case.noted").await;
        drop_guards(&t).await;
        // Swap what the two rows say while keeping their positions.
        tamper(&t, &format!(
            "UPDATE ledger SET kind = CASE seq WHEN {a} THEN 'case.noted' ELSE 'case.received' END, \
             payload = CASE seq WHEN {a} THEN (SELECT payload FROM ledger WHERE seq = {b}) ELSE (SELECT payload FROM ledger WHERE seq = {a}) END \
             WHERE seq IN ({a}, {b})"
        )).await.unwrap();
        let f = findings(&t).await;
        assert!(f.contains(&Finding::Edited { seq: a }) && f.contains(&Finding::Edited { seq: b }), "{f:?}");
    }

    async fn a_truncated_tail_is_found(t) {
        history(&t).await;
        let (head, _) = t.store.read().ledger_head().await.unwrap().unwrap();
        drop_guards(&t).await;
        tamper(&t, &format!("DELETE FROM ledger WHERE seq >= {}", head - 1)).await.unwrap();
        assert_eq!(findings(&t).await, vec![Finding::Truncated { head_seq: head, last_seq: head - 2 }]);
    }

    async fn a_case_whose_every_event_was_deleted_is_found(t) {
        let ids = history(&t).await;
        drop_guards(&t).await;
        tamper(&t, &format!("DELETE FROM ledger WHERE case_id = {}", ids[2])).await.unwrap();
        let f = findings(&t).await;
        assert!(f.contains(&Finding::CaseWithoutEvents { case_id: CaseId(ids[2]) }), "{f:?}");
    }

    async fn a_deleted_case_is_found(t) {
        let ids = history(&t).await;
        drop_guards(&t).await;
        tamper(&t, &format!("DELETE FROM cases WHERE id = {}", ids[2])).await.unwrap();
        assert_eq!(findings(&t).await, vec![Finding::CaseMissing { case_id: CaseId(ids[2]) }]);
    }

    async fn a_case_altered_in_place_is_found(t) {
        let ids = history(&t).await;
        tamper(&t, &format!("UPDATE cases SET state = 'closed' WHERE id = {}", ids[0])).await.unwrap();
        tamper(&t, &format!("UPDATE cases SET first_responder_id = first_responder_id WHERE id = {}", ids[1])).await.unwrap();
        assert_eq!(findings(&t).await, vec![Finding::CaseAltered { case_id: CaseId(ids[0]), field: "state" }]);
    }
}
