//! The write path. Every change runs as a job on one writer task, which
//! commits jobs in groups: each job gets a savepoint inside a shared
//! transaction (left open until the commit if the job succeeds), and the
//! whole group is committed (one fsync) before any of its callers is
//! answered. A job that fails is rolled back to its savepoint without
//! disturbing the others. This is the only place transactions begin.

use crate::error::{AppError, AppResult};
use pledge_store::{Store, Tx};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

type Output = AppResult<Box<dyn Any + Send>>;
type JobFn = Box<dyn for<'t> FnOnce(&'t mut Tx) -> Pin<Box<dyn Future<Output = Output> + Send + 't>> + Send>;

struct Job {
    run: JobFn,
    done: oneshot::Sender<Output>,
}

/// Handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

/// The most jobs committed together.
const MAX_GROUP: usize = 256;

impl Writer {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(store: Store) -> Writer {
        let (tx, rx) = mpsc::channel::<Job>(4096);
        tokio::spawn(run(store, rx));
        Writer { tx }
    }

    /// Runs `f` inside a write transaction and returns its result once the
    /// transaction is durably committed.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> Pin<Box<dyn Future<Output = AppResult<T>> + Send + 't>> + Send + 'static,
    {
        let (done, wait) = oneshot::channel();
        let run: JobFn = Box::new(move |tx| {
            let fut = f(tx);
            Box::pin(async move { fut.await.map(|v| Box::new(v) as Box<dyn Any + Send>) })
        });
        self.tx.send(Job { run, done }).await.map_err(|_| AppError::Unavailable("the writer has stopped".into()))?;
        let out = wait.await.map_err(|_| AppError::Unavailable("the writer stopped before answering".into()))??;
        out.downcast::<T>().map(|b| *b).map_err(|_| AppError::Internal("writer returned the wrong type".into()))
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut batch, MAX_GROUP).await > 0 {
        commit_group(&store, std::mem::take(&mut batch)).await;
    }
}

async fn commit_group(store: &Store, jobs: Vec<Job>) {
    let mut tx = match store.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a write transaction");
            let e = AppError::from(e);
            for j in jobs {
                let _ = j.done.send(Err(clone_err(&e)));
            }
            return;
        }
    };
    let single = jobs.len() == 1;
    let mut results: Vec<(oneshot::Sender<Output>, Output)> = Vec::with_capacity(jobs.len());
    for job in jobs {
        // A lone job needs no savepoint: its failure rolls the transaction back.
        if !single && let Err(e) = tx.savepoint().await {
            results.push((job.done, Err(e.into())));
            continue;
        }
        let out = (job.run)(&mut tx).await;
        // A job that succeeded leaves its savepoint open (nested under the
        // next job's); the commit releases them all, which saves a statement
        // per job. A job that failed is rolled back to its own savepoint, the
        // innermost one, since later jobs have not run yet.
        let undo = match (&out, single) {
            (Err(_), false) => tx.rollback_to_savepoint().await,
            _ => Ok(()),
        };
        let out = match undo {
            Ok(()) => out,
            Err(e) => Err(e.into()),
        };
        results.push((job.done, out));
    }
    let all_failed = results.iter().all(|(_, o)| o.is_err());
    let commit = if all_failed { tx.rollback().await } else { tx.commit().await };
    match commit {
        Ok(()) => {
            for (done, out) in results {
                let _ = done.send(out);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "group commit failed");
            let e = AppError::from(e);
            for (done, out) in results {
                let _ = done.send(match out {
                    Ok(_) => Err(clone_err(&e)),
                    Err(orig) => Err(orig),
                });
            }
        }
    }
}

fn clone_err(e: &AppError) -> AppError {
    match e {
        AppError::Unavailable(m) => AppError::Unavailable(m.clone()),
        other => AppError::Internal(other.to_string()),
    }
}
