//! Post-incident reviews ([`app::ports::Reviews`]): one per incident, saved as numbered
//! versions. A save names the version it began from and is one `UPDATE … WHERE version = base
//! RETURNING` (the first one an `INSERT` that a concurrent first save loses), so of two saves
//! from the same version one is refused as stale, whichever replica wrote first.

use app::auth::CurrentUser;
use app::domain::review::{Review, SavedReview};
use app::error::AppError;
use app::ports::Clock;
use async_trait::async_trait;
use sqlx::Row;
use std::sync::Arc;

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::ServerError;

pub struct SqlReviews {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
}

#[async_trait]
impl app::ports::Reviews for SqlReviews {
    async fn review(&self, incident_id: &str) -> Result<Option<SavedReview>, AppError> {
        let row =
            sqlx::query("SELECT version, review_json, saved_by, saved_at FROM incident_reviews WHERE incident_id = $1")
                .bind(incident_id)
                .fetch_optional(&self.db.pool)
                .await
                .map_err(ServerError::from)?;
        Ok(row.map(|r| read(&r)).transpose()?)
    }

    async fn save_review(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        base: u32,
        review: Review,
    ) -> Result<u32, AppError> {
        let now = self.clock.now().timestamp();
        let json = serde_json::to_string(&review).unwrap_or_default();
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let saved: Option<i64> = if base == 0 {
            sqlx::query_scalar(
                "INSERT INTO incident_reviews (incident_id, version, review_json, saved_by, saved_at) \
                 VALUES ($1, 1, $2, $3, $4) ON CONFLICT (incident_id) DO NOTHING RETURNING version",
            )
            .bind(incident_id)
            .bind(&json)
            .bind(&actor.username)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
        } else {
            sqlx::query_scalar(
                "UPDATE incident_reviews SET version = version + 1, review_json = $1, saved_by = $2, saved_at = $3 \
                 WHERE incident_id = $4 AND version = $5 RETURNING version",
            )
            .bind(&json)
            .bind(&actor.username)
            .bind(now)
            .bind(incident_id)
            .bind(i64::from(base))
            .fetch_optional(&mut *tx)
            .await
        }
        .map_err(ServerError::from)?;
        let Some(version) = saved else {
            let current: Option<i64> =
                sqlx::query_scalar("SELECT version FROM incident_reviews WHERE incident_id = $1")
                    .bind(incident_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(ServerError::from)?;
            let current = u32::try_from(current.unwrap_or_default()).unwrap_or_default();
            return Err(AppError::StaleVersion { current });
        };
        audit::record(&mut tx, Actor::User(actor), now, Change::action("incident_review", incident_id, "save"))
            .await
            .map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(u32::try_from(version).unwrap_or_default())
    }
}

fn read(r: &sqlx::any::AnyRow) -> Result<SavedReview, ServerError> {
    let version: i64 = r.try_get("version")?;
    let json: String = r.try_get("review_json")?;
    Ok(SavedReview {
        version: u32::try_from(version).map_err(|_| ServerError::Corrupt("review version", version.to_string()))?,
        review: serde_json::from_str(&json).map_err(|e| ServerError::corrupt_json("review", &e))?,
        saved_by: r.try_get("saved_by")?,
        saved_at: r.try_get("saved_at")?,
    })
}
