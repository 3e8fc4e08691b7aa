//! The local engine: the Incident Manager model on the console's own database.
//!
//! `contacts` keeps people, plans and channels, `rotations` rotations and overrides (validated
//! with the shared domain types); `paging` starts engagements and advances them through durable
//! steps that a worker runs exactly once, whatever restarts or other replicas do; `incidents`
//! keeps response plans, incident records and their timelines; `outbox` sends what paging and
//! incidents enqueue; `backlog` counts what waits, for `/metrics`. Imports run one way: leaves
//! (`backlog`, `codec`, `receipts`, `timeline`) below `outbox`, below `contacts`, below
//! `rotations`, below `paging`, below `incidents`; this module holds what they all share and
//! imports none of them.

pub mod backlog;
mod codec;
pub mod contacts;
pub mod incidents;
pub mod links;
pub mod messages;
pub mod outbox;
pub mod paging;
mod receipts;
pub mod related;
pub mod replies;
pub mod rotations;
mod smtp;
mod timeline;

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use sqlx::{Any, Transaction};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::clock::{Clock, epoch};
use crate::db::{Db, Dialect};
use crate::error::ServerError;

/// The PostgreSQL channel on which replicas tell each other about new work.
pub const WORK_CHANNEL: &str = "oncall_work";

/// What a committed change made due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Escalation steps (a new engagement, a paged person's plan).
    pub steps: bool,
    /// Messages in the outbox.
    pub deliveries: bool,
}

impl Work {
    pub const STEPS: Work = Work { steps: true, deliveries: false };
    pub const DELIVERIES: Work = Work { steps: false, deliveries: true };
    pub const BOTH: Work = Work { steps: true, deliveries: true };

    fn payload(self) -> &'static str {
        match (self.steps, self.deliveries) {
            (true, true) => "both",
            (true, false) => "steps",
            _ => "deliveries",
        }
    }

    /// The work a notification's payload announces.
    pub fn from_payload(payload: &str) -> Work {
        match payload {
            "steps" => Work::STEPS,
            "deliveries" => Work::DELIVERIES,
            _ => Work::BOTH,
        }
    }
}

/// Wakes this process's workers the moment work is committed (the once-a-second poll stays as a
/// safety net). A wake-up with no worker waiting is kept for the next wait, so none is lost.
#[derive(Debug, Default)]
pub struct Signals {
    pub steps: Notify,
    pub deliveries: Notify,
}

impl Signals {
    pub fn wake(&self, work: Work) {
        if work.steps {
            self.steps.notify_one();
        }
        if work.deliveries {
            self.deliveries.notify_one();
        }
    }
}

/// What `StartEngagement` takes (after SSM Contacts).
#[derive(Clone, Debug, Default)]
pub struct EngagementRequest {
    pub contact: String,
    pub sender: String,
    /// For e-mail and voice.
    pub subject: String,
    pub content: String,
    /// For SMS; falls back to `subject`/`content`.
    pub public_subject: Option<String>,
    pub public_content: Option<String>,
    pub incident_id: Option<String>,
    /// The same token twice starts one engagement.
    pub idempotency_token: Option<String>,
}

/// A checked engagement start waiting for the next group commit, and where its answer goes.
pub(crate) struct QueuedStart {
    pub req: EngagementRequest,
    pub reply: oneshot::Sender<Result<String, ServerError>>,
}

#[derive(Clone)]
pub struct Engine {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) signals: Arc<Signals>,
    /// Engagement starts on their way to the group-commit task (started on first use).
    pub(crate) starts: Arc<OnceLock<mpsc::UnboundedSender<QueuedStart>>>,
}

impl Engine {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Engine { db, clock, signals: Arc::default(), starts: Arc::default() }
    }

    /// The database the engine keeps its model in.
    pub fn database(&self) -> &Db {
        &self.db
    }

    /// The wake-ups this engine's workers wait on (a PostgreSQL listener feeds them too).
    pub fn signals(&self) -> Arc<Signals> {
        self.signals.clone()
    }

    /// Commits `tx` and wakes the workers for what it made due: here at once, and on PostgreSQL
    /// the other replicas too (the notification is sent with the commit, never before it).
    pub(crate) async fn commit(&self, mut tx: Transaction<'_, Any>, work: Work) -> Result<(), ServerError> {
        if self.db.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)").bind(WORK_CHANNEL).bind(work.payload()).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.signals.wake(work);
        Ok(())
    }

    /// On PostgreSQL, wakes this process's workers when another replica commits work. A lost
    /// connection is re-opened; meanwhile the once-a-second poll covers.
    pub fn spawn_listener(&self) {
        if self.db.dialect != Dialect::Postgres {
            return;
        }
        let (url, signals) = (self.db.url.clone(), self.signals.clone());
        tokio::spawn(async move {
            loop {
                if let Err(e) = listen(&url, &signals).await {
                    tracing::warn!(error = %e, "work notifications from other replicas paused; reconnecting");
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Sets a once-per-database flag; true for the one caller that set it.
    pub async fn claim_flag(&self, name: &str) -> Result<bool, ServerError> {
        let set: Option<String> = sqlx::query_scalar(
            "INSERT INTO console_flags (name, set_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name",
        )
        .bind(name)
        .bind(epoch(self.now()))
        .fetch_optional(self.db.writer())
        .await?;
        Ok(set.is_some())
    }
}

async fn listen(url: &str, signals: &Signals) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(WORK_CHANNEL).await?;
    // Whatever was committed while the connection was down.
    signals.wake(Work::BOTH);
    loop {
        let note = listener.recv().await?;
        signals.wake(Work::from_payload(note.payload()));
    }
}

/// A random 128-bit identifier, hex.
pub(crate) fn new_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A six-digit code a person types or says back: acknowledgement and activation codes.
pub(crate) fn accept_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000))
}

/// A random identifier in UUID form, where SSM's model asks for one (rotation overrides).
pub(crate) fn new_uuid() -> String {
    let hex = new_id();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
