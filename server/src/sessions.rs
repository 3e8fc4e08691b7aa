//! Sessions in the console's own database, and the cookie rules.
//!
//! Reads go through the read pool and writes through the single write lane (see `db`). Using a
//! session is bookkeeping: it moves the idle timeout, which is remembered in memory and written
//! for all sessions at once, at most once a minute, so a page view never waits for the writer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::Row;
use time::OffsetDateTime;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::db::Db;

/// How often the idle timeouts of sessions in use are written.
const TOUCH_FLUSH: std::time::Duration = std::time::Duration::from_mins(1);

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    idle: time::Duration,
    /// Session id → the expiry its last use earned, not yet written.
    touched: Arc<Mutex<HashMap<String, i64>>>,
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl Store {
    pub fn new(db: &Db, idle_hours: u32) -> Store {
        Store { db: db.clone(), idle: time::Duration::hours(i64::from(idle_hours)), touched: Arc::default() }
    }

    /// Writes the idle timeouts of the sessions used since the last flush, in one transaction.
    /// On failure they are kept for the next flush.
    pub async fn flush_touched(&self) -> Result<(), sqlx::Error> {
        let touched = std::mem::take(&mut *self.touched.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        if touched.is_empty() {
            return Ok(());
        }
        let written = self.write_expiries(&touched).await;
        if written.is_err() {
            let mut pending = self.touched.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            for (id, expires_at) in touched {
                let kept = pending.entry(id).or_insert(expires_at);
                *kept = (*kept).max(expires_at);
            }
        }
        written
    }

    async fn write_expiries(&self, touched: &HashMap<String, i64>) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        for (id, expires_at) in touched {
            sqlx::query("UPDATE console_sessions SET expires_at = $1 WHERE id = $2 AND expires_at < $1")
                .bind(expires_at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Every minute: writes idle timeouts; every ten: removes expired sessions.
    pub fn spawn_upkeep(&self) {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(TOUCH_FLUSH);
            for round in 0u64.. {
                tick.tick().await;
                if let Err(e) = store.flush_touched().await {
                    crate::metrics::database_error(crate::metrics::Component::Upkeep);
                    tracing::error!(error = %e, "writing session timeouts failed; retrying");
                }
                if round % 10 == 0
                    && let Err(e) = store.delete_expired().await
                {
                    crate::metrics::database_error(crate::metrics::Component::Upkeep);
                    tracing::error!(error = %e, "removing expired sessions failed");
                }
            }
        });
    }
}

#[async_trait::async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        loop {
            let inserted = sqlx::query(
                "INSERT INTO console_sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(self.db.writer())
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query(
            "INSERT INTO console_sessions (id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = $2, expires_at = $3",
        )
        .bind(record.id.to_string())
        .bind(&data)
        .bind(record.expiry_date.unix_timestamp())
        .execute(self.db.writer())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        let row = sqlx::query("SELECT data, expires_at FROM console_sessions WHERE id = $1 AND expires_at > $2")
            .bind(id.to_string())
            .bind(now.unix_timestamp())
            .fetch_optional(&self.db.pool)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data").map_err(backend)?;
        let stored: i64 = row.try_get("expires_at").map_err(backend)?;
        // Using the session moves its idle timeout; remembered now, written with the others.
        let earned = (now + self.idle).unix_timestamp();
        let expires_at = self
            .touched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(id.to_string())
            .and_modify(|e| *e = (*e).max(earned))
            .or_insert(earned)
            .to_owned()
            .max(stored);
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp(expires_at).map_err(backend)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.touched.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&id.to_string());
        sqlx::query("DELETE FROM console_sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.writer())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
            .bind(OffsetDateTime::now_utc().unix_timestamp())
            .execute(self.db.writer())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-oncall_session" } else { "oncall_session" }
}

pub fn layer(store: Store, secure: bool, idle_hours: u32) -> SessionManagerLayer<Store> {
    // Lax so that a link from e-mail or chat arrives signed in; state changes are protected by
    // the same-origin check instead.
    SessionManagerLayer::new(store)
        .with_name(cookie_name(secure))
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(i64::from(idle_hours))))
}
