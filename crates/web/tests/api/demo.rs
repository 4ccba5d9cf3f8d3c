//! The demo company loads completely, verifies clean, and loads only once.

use crate::on_both;
use axum::http::{Method, StatusCode};
use pledge_app::auth::PasswordCost;
use pledge_demo::{DEMO_PASSWORD, DemoSize};
use pledge_domain::case::{CaseKind, CaseState};
use pledge_domain::model::{CaseFilter, CaseSort, PageRequest};
use pledge_domain::{Role, Utility};
use pledge_store::repo::*;
use serde_json::json;

on_both! {
    async fn the_demo_company_has_every_role_kind_and_state_and_loads_once(t) {
        let first = pledge_demo::load(&t.app, DemoSize::SMALL, PasswordCost::TESTING).await.unwrap();
        assert!(first.created);
        assert_eq!(first.accounts.len(), 40);
        for role in Role::ALL {
            assert!(first.accounts.iter().any(|a| a.role == role), "{role:?} missing");
        }
        assert_eq!(first.customers, DemoSize::SMALL.customers);

        let r = t.store.read();
        let cases = r.cases(&CaseFilter { company_id: Some(first.company_id), ..Default::default() }, CaseSort::NewestFirst, PageRequest::new(Some(200), None)).await.unwrap();
        assert_eq!(cases.total, DemoSize::SMALL.cases as u64);
        for kind in CaseKind::ALL {
            assert!(cases.items.iter().any(|c| c.kind == kind), "no {kind:?} case");
        }
        for state in [CaseState::Received, CaseState::Transferred, CaseState::InProgress, CaseState::Answered, CaseState::Closed] {
            assert!(cases.items.iter().any(|c| c.state == state), "no {state:?} case");
        }
        let done = pledge_domain::model::WorkOrderFilter { company_id: first.company_id, states: vec![pledge_domain::work_order::WorkOrderState::Done], ..Default::default() };
        assert!(r.work_orders(&done, PageRequest::new(None, None)).await.unwrap().total > 0, "repairs were carried out by crews");
        let utilities: std::collections::BTreeSet<Utility> = cases.items.iter().map(|c| c.utility).collect();
        assert_eq!(utilities.len(), 4, "cases for every utility");
        // The demo company sets its routing: each utility's engineering (or
        // operations) department investigates unknown outages; general
        // management holds the complaint form's management copy.
        let routing = r.routing_settings(first.company_id).await.unwrap();
        let depts = r.departments(Some(first.company_id)).await.unwrap();
        let code = |id| depts.iter().find(|d| d.id == id).unwrap().code.clone();
        let got: Vec<(String, Option<Utility>, String)> = routing.iter().map(|x| (x.purpose.clone(), x.utility, code(x.department_id))).collect();
        assert_eq!(got, vec![
            ("engineering".into(), Some(Utility::Gas), "GAS-ENG".into()),
            ("engineering".into(), Some(Utility::Heat), "HEAT-OPS".into()),
            ("engineering".into(), Some(Utility::Power), "POWER-OPS".into()),
            ("engineering".into(), Some(Utility::Water), "WATER-ENG".into()),
            ("management_copy".into(), None, "GMO".into()),
        ]);

        // A demo account signs in with the printed password.
        let (s, b) = t.send(None, Method::POST, "/api/v1/auth/login", Some(json!({"username": "hotline1", "password": DEMO_PASSWORD}))).await;
        assert_eq!(s, StatusCode::OK, "{b}");

        let report = t.app.audit_verify().await.unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);

        let events_before = t.store.read().ledger_head().await.unwrap();
        let again = pledge_demo::load(&t.app, DemoSize::SMALL, PasswordCost::TESTING).await.unwrap();
        assert!(!again.created);
        assert_eq!(again.accounts.len(), 40);
        assert_eq!(t.store.read().ledger_head().await.unwrap(), events_before, "a second load writes nothing");
    }
}
