//! The work waiting in the database, for `/metrics`.

use sqlx::Row;

use super::Engine;
use crate::clock::epoch;
use crate::error::ServerError;
use crate::metrics::Backlog;

impl Engine {
    /// Due-but-unrun steps and unfinished deliveries, read in one go from the read pool.
    pub async fn backlog(&self) -> Result<Backlog, ServerError> {
        let now = epoch(self.now());
        let steps_due: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM engine_steps WHERE done_at IS NULL AND due_at <= $1")
                .bind(now)
                .fetch_one(&self.db.pool)
                .await?;
        let rows = sqlx::query(
            "SELECT channel_kind, COUNT(*) AS n, SUM(CASE WHEN status = 'sending' THEN 1 ELSE 0 END) AS sending, \
             MIN(created_at) AS oldest FROM deliveries WHERE status IN ('pending', 'sending') GROUP BY channel_kind",
        )
        .fetch_all(&self.db.pool)
        .await?;
        let mut backlog = Backlog { steps_due, ..Backlog::default() };
        let mut oldest: Option<i64> = None;
        for r in &rows {
            backlog.pending_by_kind.push((r.try_get("channel_kind")?, r.try_get("n")?));
            backlog.sending += r.try_get::<i64, _>("sending")?;
            let created: i64 = r.try_get("oldest")?;
            oldest = Some(oldest.map_or(created, |o| o.min(created)));
        }
        backlog.oldest_pending_secs = oldest.map_or(0, |o| (now - o).max(0));
        let (waiting, oldest_alert) = unrouted_alerts(&self.db, now).await?;
        backlog.alerts_waiting = waiting;
        backlog.routing_lag_secs = oldest_alert.map_or(0, |o| (now - o).max(0));
        Ok(backlog)
    }
}

/// How many alerts wait to be routed (due: not held for working hours) and when the oldest
/// arrived (epoch seconds); read through the unrouted index. Shown on `/metrics` and the Alerts
/// page.
pub async fn unrouted_alerts(db: &crate::db::Db, now: i64) -> Result<(i64, Option<i64>), ServerError> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), MIN(received_at) FROM alerts WHERE routed_at IS NULL AND (held_until IS NULL OR held_until <= $1)",
    )
    .bind(now)
    .fetch_one(&db.pool)
    .await?)
}
