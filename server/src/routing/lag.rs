//! The console watches its own routing. When the oldest alert waiting to be routed has waited
//! longer than [`BEHIND`], the console raises an alert of its own — "Alert routing is behind" —
//! and resolves it once the wait is back under [`CAUGHT_UP`]. It arrives through the integration
//! `console` (made on first need; nobody knows its secret, so nothing outside posts to it) and is
//! routed by the rules like any other, severity `critical`: under a rule that pages it goes
//! before the backlog it reports (most urgent first), so the people on call learn their pages may
//! be late from the console, not from the silence.
//!
//! Every replica watches; they agree on one alert per episode because each firing and each
//! recovery is stored under the door's idempotency key numbered by the episode, so a second
//! replica's copy of the same change is dropped by the same unique key that drops a sender's
//! redelivery.

use std::time::Duration;

use app::domain::alert::{Alert, AlertStatus};

use crate::db::Db;
use crate::engine::backlog::unrouted_alerts;
use crate::error::ServerError;
use crate::ingest::store::Integrations;

/// The wait (seconds, oldest unrouted alert) past which routing is behind.
pub const BEHIND: i64 = 60;
/// The wait under which it has caught up again (below [`BEHIND`], so it does not flap).
pub const CAUGHT_UP: i64 = 10;
/// How often each replica looks.
const EVERY: Duration = Duration::from_secs(10);
/// The integration the console's own alerts arrive through.
pub const INTEGRATION: &str = "console";
/// The alert's fingerprint.
pub const FINGERPRINT: &str = "console-routing-behind";

/// Looks every few seconds, for as long as the console runs.
pub fn spawn(db: Db, clock: std::sync::Arc<dyn app::ports::Clock>, wake: std::sync::Arc<tokio::sync::Notify>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(EVERY).await;
            match check(&db, clock.now().timestamp()).await {
                Ok(true) => wake.notify_one(),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "could not check the routing backlog"),
            }
        }
    });
}

/// Raises or resolves the console's alert as routing is behind or has caught up at `now`;
/// true when it stored one.
pub async fn check(db: &Db, now: i64) -> Result<bool, ServerError> {
    let (waiting, oldest) = unrouted_alerts(db, now).await?;
    let wait = oldest.map_or(0, |o| (now - o).max(0));
    let (raised, episodes) = last_state(db).await?;
    let status = match (raised, wait) {
        (false, w) if w > BEHIND => AlertStatus::Firing,
        (true, w) if w < CAUGHT_UP => AlertStatus::Resolved,
        _ => return Ok(false),
    };
    ensure_integration(db, now).await?;
    let alert = Alert {
        fingerprint: FINGERPRINT.into(),
        status,
        title: "Alert routing is behind".into(),
        summary: match status {
            AlertStatus::Firing => format!(
                "{waiting} alerts wait to be routed; the oldest arrived {wait} s ago. Pages and notices for them are late."
            ),
            AlertStatus::Resolved => "Routing has caught up: no alert waits longer than a few seconds.".into(),
        },
        severity: "critical".into(),
        labels: [("alertname".to_owned(), "RoutingBehind".to_owned()), ("service".to_owned(), "console".to_owned())]
            .into(),
        links: vec![],
        occurred_at: now,
    };
    // One key per change of state: replicas making the same change store it once.
    let key = format!("{FINGERPRINT}:{episodes}:{}", status.as_str());
    let body = serde_json::json!({ "waiting": waiting, "oldest_wait_secs": wait }).to_string();
    let accepted = Integrations { db: db.clone() }.accept(INTEGRATION, &key, &body, &[alert], now).await?;
    Ok(accepted.new)
}

/// Whether the console's alert is raised now, and how many times it was raised before.
async fn last_state(db: &Db) -> Result<(bool, i64), ServerError> {
    let (last, raised): (Option<String>, i64) = sqlx::query_as(
        "SELECT (SELECT status FROM alerts WHERE integration_id = $1 AND fingerprint = $2 ORDER BY seq DESC LIMIT 1), \
         (SELECT COUNT(*) FROM alerts WHERE integration_id = $1 AND fingerprint = $2 AND status = 'firing')",
    )
    .bind(INTEGRATION)
    .bind(FINGERPRINT)
    .fetch_one(&db.pool)
    .await?;
    let now_raised = last.as_deref() == Some(AlertStatus::Firing.as_str());
    // The episode counts firings: a recovery belongs to the episode its firing opened.
    Ok((now_raised, if now_raised { raised - 1 } else { raised }))
}

/// The integration `console`, made the first time it is needed with a secret nobody is shown
/// (named `console (self-monitoring)` if someone's integration is called `console` already).
async fn ensure_integration(db: &Db, now: i64) -> Result<(), ServerError> {
    let (_unknown_secret, hash) = crate::password::new_token();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO integrations (id, name, kind, secret_hash, created_by, created_at, topics) \
         VALUES ($1, CASE WHEN EXISTS (SELECT 1 FROM integrations WHERE name = $1) THEN $4 ELSE $1 END, \
         'webhook', $2, 'console', $3, '') ON CONFLICT DO NOTHING",
    )
    .bind(INTEGRATION)
    .bind(hash)
    .bind(now)
    .bind("console (self-monitoring)")
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
