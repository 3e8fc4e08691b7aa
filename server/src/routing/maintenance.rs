//! Maintenance windows: planned quiet. While one is in force, a firing alert its condition
//! matches (empty: every alert) is stored and shown as suppressed by it, and pages and notifies
//! nobody; so is a recovery that has no incident to resolve. Conditions are CEL like the
//! rules', judged by the same evaluator.

use app::error::{AppError, FieldError};
use app::i18n::Msg;
use app::model::alerts::{MaintenanceWindow, NewMaintenance};
use sqlx::Row;

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::ServerError;
use crate::routing::eval::Compiled;

#[derive(Clone)]
pub struct Maintenance {
    pub db: Db,
}

/// A window in force, as routing needs it.
pub struct InForce {
    pub id: String,
    pub note: String,
    pub condition: String,
}

/// Ended windows the page still lists.
const ENDED_SHOWN: i64 = 20;

fn read(r: &sqlx::any::AnyRow) -> Result<MaintenanceWindow, ServerError> {
    let suppressed: i64 = r.try_get("suppressed")?;
    Ok(MaintenanceWindow {
        id: r.try_get("id")?,
        note: r.try_get("note")?,
        condition: r.try_get("condition")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        created_by: r.try_get("created_by")?,
        suppressed: u64::try_from(suppressed).unwrap_or_default(),
    })
}

const SELECT: &str = "SELECT m.id, m.note, m.condition, m.starts_at, m.ends_at, m.created_by, \
     (SELECT COUNT(*) FROM alerts a WHERE a.maintenance_id = m.id) AS suppressed FROM maintenance_windows m";

impl Maintenance {
    /// The windows in force at `now`, oldest first (the first that matches an alert names it).
    pub async fn in_force(&self, now: i64) -> Result<Vec<InForce>, ServerError> {
        let rows = sqlx::query(
            "SELECT id, note, condition FROM maintenance_windows WHERE starts_at <= $1 AND ends_at > $1 \
             ORDER BY starts_at, id",
        )
        .bind(now)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(InForce { id: r.try_get("id")?, note: r.try_get("note")?, condition: r.try_get("condition")? }))
            .collect()
    }

    /// In force and upcoming windows, then the last ended ones.
    pub async fn list(&self, now: i64) -> Result<Vec<MaintenanceWindow>, ServerError> {
        let current = sqlx::query(&format!("{SELECT} WHERE m.ends_at > $1 ORDER BY m.starts_at, m.id"))
            .bind(now)
            .fetch_all(&self.db.pool)
            .await?;
        let ended = sqlx::query(&format!("{SELECT} WHERE m.ends_at <= $1 ORDER BY m.ends_at DESC, m.id LIMIT $2"))
            .bind(now)
            .bind(ENDED_SHOWN)
            .fetch_all(&self.db.pool)
            .await?;
        current.iter().chain(&ended).map(read).collect()
    }

    pub async fn create(&self, actor: Actor<'_>, w: NewMaintenance, now: i64) -> Result<String, ServerError> {
        let mut errors = w.check(now).err().unwrap_or_default();
        if Compiled::conditions([(w.note.as_str(), w.condition.as_str())]).is_err() {
            errors.push(FieldError::new("condition", Msg::ErrCondition));
        }
        if !errors.is_empty() {
            return Err(ServerError::Invalid(errors));
        }
        let id = crate::engine::new_id();
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO maintenance_windows (id, note, condition, starts_at, ends_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&w.note)
        .bind(&w.condition)
        .bind(w.starts_at)
        .bind(w.ends_at)
        .bind(actor.name())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record(&mut tx, actor, now, Change::created("maintenance_window", &id, &w)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ends the window at `now` (one that has not begun never will); an ended one is left alone.
    pub async fn end(&self, actor: Actor<'_>, id: &str, now: i64) -> Result<(), ServerError> {
        let mut tx = self.db.begin_write().await?;
        let ended = sqlx::query(
            "UPDATE maintenance_windows SET ends_at = $1, starts_at = CASE WHEN starts_at > $1 THEN $1 ELSE starts_at END \
             WHERE id = $2 AND ends_at > $1",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if ended.rows_affected() == 0 {
            let known: Option<String> = sqlx::query_scalar("SELECT id FROM maintenance_windows WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            return match known {
                Some(_) => Ok(()),
                None => Err(ServerError::App(AppError::NotFound)),
            };
        }
        audit::record(&mut tx, actor, now, Change::action("maintenance_window", id, "end")).await?;
        tx.commit().await?;
        Ok(())
    }
}
