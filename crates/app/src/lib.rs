//! Pledge use cases. Each public method on [`App`] is one thing a user does;
//! writes run on the group-committing [`writer::Writer`], the only place a
//! transaction begins. Storage errors arrive as [`AppError`], never as driver
//! types.

pub mod audit;
pub mod auth;
mod case_flow;
pub mod cases;
pub mod commitments;
mod console;
mod directory;
mod engine;
pub mod error;
pub mod extensions;
mod ledger;
pub mod notices;
pub mod notify;
mod ops;
pub mod outages;
pub mod phrases;
pub mod registry;
pub mod routing;
pub mod search;
pub mod seed;
pub mod settings;
pub mod work_orders;
#[cfg(feature = "test-hooks")]
pub mod writer;
#[cfg(not(feature = "test-hooks"))]
mod writer;

pub use error::{AppError, AppResult};

use jiff::Timestamp;
use pledge_domain::ids::*;
use pledge_domain::model::Staff;
use pledge_domain::{Permission, Role};
use pledge_store::Store;
use std::sync::Arc;

/// Where the application reads the time; tests pin it.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a browser session lasts.
    pub session_ttl: jiff::SignedDuration,
    /// How long an API token lasts.
    pub token_ttl: jiff::SignedDuration,
    pub password: auth::PasswordCost,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_ttl: jiff::SignedDuration::from_hours(12),
            token_ttl: jiff::SignedDuration::from_hours(24 * 30),
            password: auth::PasswordCost::default(),
        }
    }
}

/// The application: store, writer, clock and settings.
#[derive(Clone)]
pub struct App {
    store: Store,
    writer: writer::Writer,
    clock: Clock,
    config: Arc<AppConfig>,
    /// The commitment engine in force, swapped whole when settings change (see [`settings`]).
    engine: Arc<settings::EngineHolder>,
}

impl App {
    /// Builds the application on a migrated store. Must run inside Tokio.
    /// The shipped policy and calendar are in force until [`App::load_settings`].
    pub fn new(store: Store, config: AppConfig) -> App {
        Self::with_clock(store, config, Arc::new(Timestamp::now))
    }

    pub fn with_clock(store: Store, config: AppConfig, clock: Clock) -> App {
        let writer = writer::Writer::start(store.clone());
        App { store, writer, clock, config: Arc::new(config), engine: Arc::new(settings::EngineHolder::shipped()) }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The current instant, at the microsecond precision everything is stored in
    /// (so a value read back compares equal to the one written).
    pub fn now(&self) -> Timestamp {
        let t = (self.clock)();
        Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Whether the database answers and the writer runs.
    pub async fn health(&self) -> Health {
        Health {
            database: self.store.backend().name(),
            database_ok: self.store.ping().await.is_ok(),
            writer_ok: self.writer.is_up(),
        }
    }

    /// The writer, for tests that drive it directly.
    #[cfg(feature = "test-hooks")]
    pub fn writer(&self) -> &writer::Writer {
        &self.writer
    }
}

/// What [`App::health`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// The database engine's name (`sqlite`, `postgres`).
    pub database: &'static str,
    pub database_ok: bool,
    /// False while the writer task is down (between a crash and its restart).
    pub writer_ok: bool,
}

impl Health {
    pub fn ok(&self) -> bool {
        self.database_ok && self.writer_ok
    }
}

/// The signed-in staff member a use case acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff: Staff,
}

impl Actor {
    pub fn id(&self) -> StaffId {
        self.staff.id
    }
    pub fn role(&self) -> Role {
        self.staff.role
    }
    pub fn can(&self, p: Permission) -> bool {
        self.staff.role.can(p)
    }
    /// Fails with `Forbidden` unless the actor's role grants `p`; `what` completes "your role may not …".
    pub fn require(&self, p: Permission, what: &'static str) -> AppResult<()> {
        if self.can(p) { Ok(()) } else { Err(AppError::Forbidden(what)) }
    }
}

/// Shanghai, where every civil date in Pledge is reckoned.
pub fn shanghai() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Shanghai").expect("the bundled time zone database has Asia/Shanghai")
}
