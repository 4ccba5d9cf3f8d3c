//! The write path. Every change runs as a job on one writer task, which
//! commits jobs in groups: each job gets a savepoint inside a shared
//! transaction (left open until the commit if the job succeeds), and the
//! whole group is committed (one fsync) before any of its callers is
//! answered. A job that fails or panics is rolled back to its savepoint
//! without disturbing the others. This is the only place transactions begin.
//!
//! A job is a [`Command`] with a typed result, or a closure:
//! `writer.write(async move |tx| { … }).await`. A supervisor restarts the
//! writer task if it ever stops; [`Writer::is_up`] says whether it runs.
//! A job must not wait on another write: one issued from inside a job is
//! refused at once (it would wait on itself).

use crate::error::{AppError, AppResult};
use pledge_store::{Store, Tx};
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot, watch};

/// One unit of work for the writer, with a typed result.
pub trait Command: Send + 'static {
    type Output: Send + 'static;
    fn run(self, tx: &mut Tx) -> impl Future<Output = AppResult<Self::Output>> + Send;
}

/// A closure `FnOnce(&mut Tx) -> impl Future` whose future may borrow the
/// transaction; async closures (`async move |tx| …`) are the usual kind.
pub trait TxFn<'t, T>: FnOnce(&'t mut Tx) -> <Self as TxFn<'t, T>>::Fut {
    type Fut: Future<Output = AppResult<T>> + Send + 't;
}

impl<'t, T, F, Fut> TxFn<'t, T> for F
where
    F: FnOnce(&'t mut Tx) -> Fut,
    Fut: Future<Output = AppResult<T>> + Send + 't,
{
    type Fut = Fut;
}

/// Like [`TxFn`], with three more arguments (the step helpers' closures:
/// `async move |tx, case, at, engine| { … }`); call it with [`TxFn3::call`].
pub trait TxFn3<'t, A, B, C, T>: FnOnce(&'t mut Tx, A, B, C) -> <Self as TxFn3<'t, A, B, C, T>>::Fut {
    type Fut: Future<Output = AppResult<T>> + Send + 't;
    fn call(self, tx: &'t mut Tx, a: A, b: B, c: C) -> Self::Fut;
}

impl<'t, A, B, C, T, F, Fut> TxFn3<'t, A, B, C, T> for F
where
    F: FnOnce(&'t mut Tx, A, B, C) -> Fut,
    Fut: Future<Output = AppResult<T>> + Send + 't,
{
    type Fut = Fut;
    fn call(self, tx: &'t mut Tx, a: A, b: B, c: C) -> Fut {
        self(tx, a, b, c)
    }
}

/// A closure as a [`Command`].
struct FnCommand<F, T>(F, PhantomData<fn() -> T>);

impl<F, T> Command for FnCommand<F, T>
where
    F: for<'t> TxFn<'t, T> + Send + 'static,
    T: Send + 'static,
{
    type Output = T;
    fn run(self, tx: &mut Tx) -> impl Future<Output = AppResult<T>> + Send {
        (self.0)(tx)
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A queued command with its caller, its type erased.
trait Job: Send {
    /// Runs the command and keeps its result; says whether it succeeded.
    fn run<'a>(&'a mut self, tx: &'a mut Tx) -> BoxFuture<'a, bool>;
    /// Replaces the result with an error (the job panicked, or its work could not be undone).
    fn fail(&mut self, e: AppError);
    /// Answers the caller once the group's fate is known.
    fn answer(self: Box<Self>, commit: &AppResult<()>);
}

struct Pending<C: Command> {
    cmd: Option<C>,
    out: Option<AppResult<C::Output>>,
    done: oneshot::Sender<AppResult<C::Output>>,
}

impl<C: Command> Job for Pending<C> {
    fn run<'a>(&'a mut self, tx: &'a mut Tx) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let out = match self.cmd.take() {
                Some(cmd) => cmd.run(tx).await,
                None => Err(AppError::Internal("a write job ran twice".into())),
            };
            let ok = out.is_ok();
            self.out = Some(out);
            ok
        })
    }

    fn fail(&mut self, e: AppError) {
        self.out = Some(Err(e));
    }

    fn answer(self: Box<Self>, commit: &AppResult<()>) {
        let out = match (self.out, commit) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(_)), Err(e)) => Err(clone_err(e)),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (None, _) => Err(AppError::Internal("a write job was never run".into())),
        };
        let _ = self.done.send(out);
    }
}

tokio::task_local! {
    /// Set on the writer task while it runs jobs.
    static IN_WRITER: ();
}

/// What the writer task and its handles share.
struct Shared {
    /// The queue's receiving end, held by whichever writer task is running.
    queue: Arc<Mutex<mpsc::Receiver<Box<dyn Job>>>>,
    /// Whether a writer task is running, and how many have ended.
    state: watch::Sender<State>,
    /// Held to keep the supervisor from restarting the writer (tests).
    hold: Arc<Mutex<()>>,
    #[cfg(feature = "test-hooks")]
    task: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
}

#[derive(Debug, Clone, Copy)]
struct State {
    up: bool,
    ended: u64,
}

/// Handle to the writer; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Box<dyn Job>>,
    shared: Arc<Shared>,
}

/// The most jobs committed together.
const MAX_GROUP: usize = 256;

/// How long the supervisor waits before restarting a writer task that stopped.
const RESTART_DELAY: Duration = Duration::from_millis(100);

impl Writer {
    /// Starts the writer task and its supervisor on the current Tokio runtime.
    pub fn start(store: Store) -> Writer {
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>(4096);
        let shared = Arc::new(Shared {
            queue: Arc::new(Mutex::new(rx)),
            state: watch::Sender::new(State { up: true, ended: 0 }),
            hold: Arc::new(Mutex::new(())),
            #[cfg(feature = "test-hooks")]
            task: std::sync::Mutex::new(None),
        });
        let task = spawn_worker(&store, &shared);
        tokio::spawn(supervise(store, shared.clone(), task));
        Writer { tx, shared }
    }

    /// Runs `cmd` inside a write transaction and returns its result once the
    /// transaction is durably committed.
    pub fn run<C: Command>(&self, cmd: C) -> impl Future<Output = AppResult<C::Output>> + Send + '_ {
        // Erased before the first await, so callers' futures never hold `C`
        // (keeps `Send` provable for closures borrowing from their arguments).
        let (done, wait) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending { cmd: Some(cmd), out: None, done });
        self.send(job, wait, std::any::type_name::<C>())
    }

    /// Runs `f` as a command: `writer.write(async move |tx| { … }).await`.
    pub fn write<T, F>(&self, f: F) -> impl Future<Output = AppResult<T>> + Send + '_
    where
        T: Send + 'static,
        F: AsyncFnOnce(&mut Tx) -> AppResult<T> + for<'t> TxFn<'t, T> + Send + 'static,
    {
        self.run(FnCommand(f, PhantomData))
    }

    async fn send<T>(&self, job: Box<dyn Job>, wait: oneshot::Receiver<AppResult<T>>, what: &str) -> AppResult<T> {
        self.enqueue(job, what).await?;
        answer(wait).await
    }

    async fn enqueue(&self, job: Box<dyn Job>, what: &str) -> AppResult<()> {
        if IN_WRITER.try_with(|_| ()).is_ok() {
            let e = "a write was issued from inside a write job, where it would wait on itself";
            tracing::error!(command = what, "{e}");
            return Err(AppError::Internal(e.into()));
        }
        self.tx.send(job).await.map_err(|_| AppError::Unavailable("the writer has stopped".into()))
    }

    /// Whether the writer task is running (false between a crash and its restart).
    pub fn is_up(&self) -> bool {
        self.shared.state.borrow().up
    }
}

/// Test hooks.
#[cfg(feature = "test-hooks")]
impl Writer {
    /// Queues `cmd` and returns once it is queued; the returned future waits for its answer.
    pub async fn enqueue_for_tests<C: Command>(
        &self,
        cmd: C,
    ) -> AppResult<impl Future<Output = AppResult<C::Output>> + Send + 'static> {
        let (done, wait) = oneshot::channel();
        self.enqueue(Box::new(Pending { cmd: Some(cmd), out: None, done }), std::any::type_name::<C>()).await?;
        Ok(answer(wait))
    }

    /// Stops the writer task and keeps it stopped until the returned guard is
    /// dropped; writes sent meanwhile wait in the queue.
    pub async fn stop_for_tests(&self) -> tokio::sync::OwnedMutexGuard<()> {
        let hold = self.shared.hold.clone().lock_owned().await;
        // While it is up, the task's handle is stored; once down, the
        // supervisor cannot restart it without `hold`.
        let State { up, ended } = *self.shared.state.borrow();
        if up {
            if let Some(task) = self.shared.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
                task.abort();
            }
            let _ = self.shared.state.subscribe().wait_for(|s| s.ended > ended).await;
        }
        hold
    }

    /// Waits until a writer task is running.
    pub async fn wait_up_for_tests(&self) {
        let _ = self.shared.state.subscribe().wait_for(|s| s.up).await;
    }
}

async fn answer<T>(wait: oneshot::Receiver<AppResult<T>>) -> AppResult<T> {
    wait.await.map_err(|_| AppError::Unavailable("the writer stopped before answering".into()))?
}

/// Spawns a writer task; a job's future runs with [`IN_WRITER`] set.
fn spawn_worker(store: &Store, shared: &Shared) -> tokio::task::JoinHandle<()> {
    let task = tokio::spawn(IN_WRITER.scope((), work(store.clone(), shared.queue.clone())));
    #[cfg(feature = "test-hooks")]
    {
        *shared.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task.abort_handle());
    }
    task
}

/// Waits on the writer task and restarts it whenever it stops, for as long
/// as any [`Writer`] exists.
async fn supervise(store: Store, shared: Arc<Shared>, mut task: tokio::task::JoinHandle<()>) {
    loop {
        let end = task.await;
        shared.state.send_modify(|s| {
            s.up = false;
            s.ended += 1;
        });
        match end {
            // Every handle is gone and the queue is drained.
            Ok(()) => return,
            Err(e) => tracing::error!(error = %e, "the writer task stopped; restarting it"),
        }
        tokio::time::sleep(RESTART_DELAY).await;
        drop(shared.hold.lock().await);
        task = spawn_worker(&store, &shared);
        shared.state.send_modify(|s| s.up = true);
    }
}

async fn work(store: Store, queue: Arc<Mutex<mpsc::Receiver<Box<dyn Job>>>>) {
    let mut rx = queue.lock_owned().await;
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut batch, MAX_GROUP).await > 0 {
        commit_group(&store, std::mem::take(&mut batch)).await;
    }
}

async fn commit_group(store: &Store, mut jobs: Vec<Box<dyn Job>>) {
    let mut tx = match store.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a write transaction");
            let e = Err(AppError::from(e));
            for j in jobs {
                j.answer(&e);
            }
            return;
        }
    };
    let single = jobs.len() == 1;
    let mut any_ok = false;
    for job in &mut jobs {
        let job = job.as_mut();
        // A lone job needs no savepoint: its failure rolls the transaction back.
        if single {
            any_ok |= run_job(job, &mut tx).await;
            continue;
        }
        let mut sp = match tx.savepoint().await {
            Ok(sp) => sp,
            Err(e) => {
                job.fail(e.into());
                continue;
            }
        };
        // A job that succeeded leaves its savepoint open (nested under the
        // next job's); the commit releases them all, which saves a statement
        // per job. A job that failed is rolled back to its own savepoint, the
        // innermost one, since later jobs have not run yet.
        let mut ok = run_job(job, sp.tx()).await;
        if ok && sp.tx().is_broken() {
            tracing::error!("a write job left a savepoint unfinished; rolled back");
            job.fail(AppError::Internal("a write job left a savepoint unfinished".into()));
            ok = false;
        }
        if ok {
            sp.keep();
            any_ok = true;
        } else if let Err(e) = sp.rollback().await {
            job.fail(e.into());
        }
    }
    let commit = if any_ok { tx.commit().await } else { tx.rollback().await };
    let commit = commit.map_err(|e| {
        tracing::error!(error = %e, "group commit failed");
        AppError::from(e)
    });
    for job in jobs {
        job.answer(&commit);
    }
}

/// Runs one job; a panic fails that job alone.
async fn run_job(job: &mut dyn Job, tx: &mut Tx) -> bool {
    let ran = CatchUnwind(job.run(tx)).await;
    match ran {
        Ok(ok) => ok,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            tracing::error!(panic = %msg, "a write job panicked; rolled back");
            job.fail(AppError::Internal(format!("a write job panicked: {msg}")));
            false
        }
    }
}

/// Turns a panic while polling the inner future into an error.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

fn clone_err(e: &AppError) -> AppError {
    match e {
        AppError::Unavailable(m) => AppError::Unavailable(m.clone()),
        other => AppError::Internal(other.to_string()),
    }
}
