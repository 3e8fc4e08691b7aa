//! The local engine: the Incident Manager model on the console's own database.
//!
//! `store` keeps contacts, channels, rotations and overrides (validated with the shared domain
//! types); `paging` starts engagements and advances them through durable steps that a worker
//! runs exactly once, whatever restarts or other replicas do; `incidents` keeps response plans,
//! incident records and their timelines; `outbox` sends what paging and incidents enqueue.

pub mod incidents;
pub mod outbox;
pub mod paging;
pub mod store;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};

use app::error::FieldError;

use crate::db::Db;

/// Where the engine gets the time: the system clock, or a hand-moved one in tests.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Arc<Self> {
        Arc::new(ManualClock(Mutex::new(at)))
    }
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("{0} {1} not found")]
    NotFound(&'static str, String),
    #[error("{0} {1} already exists")]
    Conflict(&'static str, String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored {0} is unreadable: {1}")]
    Corrupt(&'static str, serde_json::Error),
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Someone else changed the rotation's definition since the edit began.
    #[error("stale edit: the rotation is at version {current}")]
    Stale { current: u32 },
}

impl From<crate::roster::RosterError> for EngineError {
    fn from(e: crate::roster::RosterError) -> Self {
        use crate::roster::RosterError;
        match e {
            RosterError::Stale { current } => EngineError::Stale { current },
            RosterError::Unknown(id) => EngineError::NotFound("rotation", id),
            RosterError::Corrupt(e) => EngineError::Corrupt("roster version", e),
            RosterError::Db(e) => EngineError::Db(e),
        }
    }
}

impl EngineError {
    fn invalid(field: &str, msg: app::i18n::Msg) -> Self {
        EngineError::Invalid(vec![FieldError::new(field, msg)])
    }
}

#[derive(Clone)]
pub struct Engine {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl Engine {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Engine { db, clock }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Sets a once-per-database flag; true for the one caller that set it.
    pub async fn claim_flag(&self, name: &str) -> Result<bool, EngineError> {
        let set: Option<String> = sqlx::query_scalar(
            "INSERT INTO console_flags (name, set_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name",
        )
        .bind(name)
        .bind(epoch(self.now()))
        .fetch_optional(&self.db.pool)
        .await?;
        Ok(set.is_some())
    }

    /// The sender for what this engine enqueues, on the same database and clock.
    pub fn outbox_sender(&self, transports: outbox::Transports) -> outbox::Outbox {
        outbox::Outbox::new(self.db.clone(), self.clock.clone(), transports)
    }
}

pub fn epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub fn from_epoch(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// A random 128-bit identifier, hex.
pub(crate) fn new_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A random identifier in UUID form, where SSM's model asks for one (rotation overrides).
pub(crate) fn new_uuid() -> String {
    let hex = new_id();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
