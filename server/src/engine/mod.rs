//! The local engine: the Incident Manager model on the console's own database.
//!
//! `contacts` keeps people, plans and channels, `rotations` rotations and overrides (validated
//! with the shared domain types); `paging` starts engagements and advances them through durable
//! steps that a worker runs exactly once, whatever restarts or other replicas do; `incidents`
//! keeps response plans, incident records and their timelines; `outbox` sends what paging and
//! incidents enqueue. Imports run one way: leaves (`codec`, `receipts`, `timeline`) below
//! `outbox`, below `contacts`, below `rotations`, below `paging`, below `incidents`; this module
//! holds what they all share and imports none of them.

mod codec;
pub mod contacts;
pub mod incidents;
pub mod outbox;
pub mod paging;
mod receipts;
pub mod rotations;
mod timeline;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::{Clock, epoch};
use crate::db::Db;
use crate::error::ServerError;

#[derive(Clone)]
pub struct Engine {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Engine {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Engine { db, clock }
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
        .fetch_optional(&self.db.pool)
        .await?;
        Ok(set.is_some())
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
