//! The writer: typed results, group commits where one job fails or panics
//! alone, nested writes refused, and the supervisor restarting the writer
//! while `/healthz` says it is down.

use crate::on_both;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use pledge_app::writer::Command;
use pledge_app::{App, AppError, AppResult};
use pledge_domain::model::NewEvent;
use pledge_domain::{CompanyId, DepartmentId};
use pledge_store::Tx;
use pledge_store::repo::*;
use std::time::Duration;
use tokio::sync::oneshot;

/// A safety net against a hang; never the thing asserted.
const NET: Duration = Duration::from_secs(30);

#[derive(Debug, PartialEq)]
struct Made {
    id: DepartmentId,
    code: String,
}

/// What a [`Dept`] does after adding its department and ledger event.
enum Then {
    Succeed,
    Fail,
    Panic,
    /// Leaves a savepoint of its own unfinished.
    Abandon,
    /// Writes again through the app's writer and returns that result.
    Nest(App),
    /// Says it has started, then waits to be released (holds the writer).
    Gate(oneshot::Sender<()>, oneshot::Receiver<()>),
}

/// Adds a department and a ledger event, then does `then`.
struct Dept {
    company: CompanyId,
    at: i64,
    code: &'static str,
    then: Then,
}

impl Command for Dept {
    type Output = (Made, Option<AppResult<Made>>);

    async fn run(self, tx: &mut Tx) -> AppResult<Self::Output> {
        let id = tx.insert_department(self.company, self.code, "测试", "Test", None).await?;
        let payload = serde_json::json!({"department_id": id, "code": self.code});
        tx.append_event(NewEvent {
            case_id: None,
            actor_id: None,
            kind: "department.created",
            payload,
            at_us: self.at,
        })
        .await?;
        let made = Made { id, code: self.code.to_owned() };
        match self.then {
            Then::Succeed => Ok((made, None)),
            Then::Fail => Err(AppError::conflict("test_refused", "refused on purpose")),
            Then::Panic => panic!("job {} panics on purpose", self.code),
            Then::Abandon => {
                let mut sp = tx.savepoint().await?;
                sp.tx().insert_department(self.company, "ABANDONED", "测试", "Test", None).await?;
                drop(sp);
                Ok((made, None))
            }
            Then::Nest(app) => {
                let inner = Dept { company: self.company, at: self.at, code: "NESTED", then: Then::Succeed };
                let r = tokio::time::timeout(NET, app.writer().run(inner)).await.expect("nested write hung");
                Ok((made, Some(r.map(|(m, _)| m))))
            }
            Then::Gate(started, release) => {
                let _ = started.send(());
                let _ = release.await;
                Ok((made, None))
            }
        }
    }
}

fn dept(t: &TestApp, code: &'static str, then: Then) -> Dept {
    Dept { company: t.admin.staff.company_id, at: t.app.now().as_microsecond(), code, then }
}

/// The department codes the API lists.
async fn codes(t: &TestApp) -> Vec<String> {
    let (s, b) = t.get("admin", "/api/v1/departments").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut v: Vec<String> = b.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect();
    v.sort();
    v
}

fn has(codes: &[String], c: &str) -> bool {
    codes.iter().any(|x| x == c)
}

type Answer = AppResult<(Made, Option<AppResult<Made>>)>;

/// Runs `jobs` as one group: a gate job holds the writer while they are
/// queued, so its next group takes them all.
async fn group(t: &TestApp, jobs: Vec<Dept>) -> Vec<Answer> {
    let w = t.app.writer();
    let (started_tx, started) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    let gate = w.enqueue_for_tests(dept(t, "GATE", Then::Gate(started_tx, release_rx))).await.unwrap();
    started.await.expect("the gate job runs");
    let mut waits = Vec::new();
    for j in jobs {
        waits.push(w.enqueue_for_tests(j).await.unwrap());
    }
    release.send(()).unwrap();
    tokio::time::timeout(NET, gate).await.unwrap().expect("the gate job commits");
    let mut out = Vec::new();
    for w in waits {
        out.push(tokio::time::timeout(NET, w).await.expect("answered"));
    }
    out
}

async fn healthz(t: &TestApp) -> (StatusCode, serde_json::Value) {
    t.send(None, Method::GET, "/healthz", None).await
}

on_both! {
    async fn commands_and_closures_return_typed_results(t) {
        let (made, nested) = t.app.writer().run(dept(&t, "TYPED", Then::Succeed)).await.unwrap();
        assert_eq!((made.code.as_str(), nested.is_none()), ("TYPED", true));
        let company = t.admin.staff.company_id;
        let (id, code): (DepartmentId, String) = t
            .app
            .writer()
            .write(async move |tx| {
                let id = tx.insert_department(company, "CLOSURE", "测试", "Test", None).await?;
                Ok((id, "CLOSURE".to_owned()))
            })
            .await
            .unwrap();
        assert!(id > made.id);
        assert_eq!(code, "CLOSURE");
        let c = codes(&t).await;
        assert!(has(&c, "TYPED") && has(&c, "CLOSURE"), "{c:?}");
    }

    async fn a_failing_job_leaves_the_rest_of_its_group_committed(t) {
        let r = group(&t, vec![dept(&t, "A", Then::Succeed), dept(&t, "B", Then::Fail), dept(&t, "C", Then::Succeed)]).await;
        assert_eq!(r[0].as_ref().unwrap().0.code, "A");
        assert!(matches!(r[1], Err(AppError::Conflict { code: "test_refused", .. })), "{:?}", r[1]);
        assert_eq!(r[2].as_ref().unwrap().0.code, "C");
        let c = codes(&t).await;
        assert!(has(&c, "A") && has(&c, "C") && !has(&c, "B"), "{c:?}");
        // B's ledger event was undone with its savepoint, so C's chains onto A's.
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_job_that_leaves_a_savepoint_unfinished_fails_alone(t) {
        let r = group(&t, vec![dept(&t, "A", Then::Succeed), dept(&t, "B", Then::Abandon), dept(&t, "C", Then::Succeed)]).await;
        assert!(r[0].is_ok() && r[2].is_ok(), "{r:?}");
        assert!(matches!(r[1], Err(AppError::Internal(_))), "{:?}", r[1]);
        let c = codes(&t).await;
        assert!(has(&c, "A") && has(&c, "C") && !has(&c, "B") && !has(&c, "ABANDONED"), "{c:?}");
        // Alone, the commit refuses.
        let r = t.app.writer().run(dept(&t, "D", Then::Abandon)).await;
        assert!(matches!(r, Err(AppError::Internal(_))), "{r:?}");
        assert!(!has(&codes(&t).await, "D"));
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_panicking_job_fails_alone_and_the_writer_goes_on(t) {
        let r = group(&t, vec![dept(&t, "A", Then::Succeed), dept(&t, "P", Then::Panic), dept(&t, "C", Then::Succeed)]).await;
        assert!(r[0].is_ok() && r[2].is_ok(), "{r:?}");
        match &r[1] {
            Err(AppError::Internal(m)) => assert!(m.contains("job P panics on purpose"), "{m}"),
            other => panic!("expected an internal error, got {other:?}"),
        }
        // A lone panicking job, then the writer still works.
        let r = t.app.writer().run(dept(&t, "Q", Then::Panic)).await;
        assert!(matches!(r, Err(AppError::Internal(_))), "{r:?}");
        assert!(t.app.writer().run(dept(&t, "D", Then::Succeed)).await.is_ok());
        assert!(t.app.health().await.writer_ok);
        let c = codes(&t).await;
        assert!(has(&c, "A") && has(&c, "C") && has(&c, "D") && !has(&c, "P") && !has(&c, "Q"), "{c:?}");
        assert!(t.app.audit_verify().await.unwrap().is_clean());
    }

    async fn a_write_from_inside_a_job_is_refused(t) {
        let (made, nested) = tokio::time::timeout(NET, t.app.writer().run(dept(&t, "OUTER", Then::Nest(t.app.clone()))))
            .await
            .expect("no deadlock")
            .unwrap();
        assert_eq!(made.code, "OUTER");
        match nested {
            Some(Err(AppError::Internal(m))) => assert!(m.contains("inside a write job"), "{m}"),
            other => panic!("expected the nested write refused, got {other:?}"),
        }
        let c = codes(&t).await;
        assert!(has(&c, "OUTER") && !has(&c, "NESTED"), "{c:?}");
    }

    async fn the_writer_is_restarted_and_healthz_says_when_it_is_down(t) {
        let (s, h) = healthz(&t).await;
        assert_eq!((s, h["status"].as_str(), h["writer"].as_str()), (StatusCode::OK, Some("ok"), Some("ok")), "{h}");

        let held = t.app.writer().stop_for_tests().await;
        let health = t.app.health().await;
        assert!(health.database_ok && !health.writer_ok, "{health:?}");
        let (s, h) = healthz(&t).await;
        assert_eq!((s, h["status"].as_str(), h["writer"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("degraded"), Some("down")), "{h}");
        // A write sent while the writer is down waits in the queue.
        let queued = t.app.writer().enqueue_for_tests(dept(&t, "QUEUED", Then::Succeed)).await.unwrap();

        drop(held);
        tokio::time::timeout(NET, t.app.writer().wait_up_for_tests()).await.expect("the writer restarts");
        let (made, _) = tokio::time::timeout(NET, queued).await.expect("answered").unwrap();
        assert_eq!(made.code, "QUEUED");
        assert!(t.app.health().await.ok());
        let (s, h) = healthz(&t).await;
        assert_eq!((s, h["writer"].as_str()), (StatusCode::OK, Some("ok")), "{h}");
        // Writes through the API work again.
        let (s, b) = t.post("admin", "/api/v1/departments", serde_json::json!({"code": "AFTER", "name_zh": "之后", "name_en": "After"})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert!(has(&codes(&t).await, "QUEUED"));
    }
}
