//! Storms folded, not repeated. When one integration floods — more than [`FLOOD_ALARMS`] alarms
//! (distinct fingerprints) or [`FLOOD_ALERTS`] alerts arrived from it in the last minute — the
//! Slack and webhook notices of its alerts are not sent one by one: they are folded into one
//! storm notice per target, sent when the storm is first seen and then at most once a minute
//! while it lasts ("312 more alerts from prometheus in the last minute, 41 alarms", with the
//! alarms that keep arriving). Only notices fold: every alert is still stored, routed and shown
//! (its outcome says its notice went into the storm notice), incidents still open and page, and
//! an alert that pages someone (engages a contact, or opens or joins by a plan's dedupe string an
//! incident of impact 1 or 2) keeps its own notice. A storm quiet for a minute is over: its
//! targets are told so, and notices go out one by one again.
//!
//! Each router counts what arrives as it looks (so a flood is seen before its alerts are
//! routed); the counts waiting for the next storm notice are kept in the database, written in
//! the transaction that routes the folded alerts, so a crash loses none and two replicas send
//! one notice a minute between them, not one each.

use std::collections::{HashMap, VecDeque};

use app::domain::incident::NotificationTarget;
use sqlx::{Any, Transaction};

use crate::error::ServerError;

/// More distinct alarms than this from one integration in a minute is a flood.
pub const FLOOD_ALARMS: usize = 20;

/// More alerts than this from one integration in a minute is a flood (one alarm flapping).
pub const FLOOD_ALERTS: usize = 120;

/// The span floods are judged over and storm notices are sent at most once in.
pub const MINUTE: i64 = 60;

/// How many of the storm's busiest alarms a notice lists.
const LISTED: i64 = 10;

/// What arrived from each integration in the last minute, as one router saw it.
#[derive(Default)]
pub struct Arrivals {
    by_integration: HashMap<String, Window>,
}

#[derive(Default)]
struct Window {
    /// (received at, fingerprint), oldest first.
    arrivals: VecDeque<(i64, String)>,
    /// How many of `arrivals` each fingerprint has.
    alarms: HashMap<String, usize>,
}

impl Arrivals {
    pub fn arrived(&mut self, integration: &str, fingerprint: &str, at: i64) {
        let window = self.by_integration.entry(integration.to_owned()).or_default();
        window.arrivals.push_back((at, fingerprint.to_owned()));
        *window.alarms.entry(fingerprint.to_owned()).or_default() += 1;
    }

    /// Whether the integration floods now: counts only the last minute.
    pub fn flooding(&mut self, integration: &str, now: i64) -> bool {
        let Some(window) = self.by_integration.get_mut(integration) else { return false };
        while window.arrivals.front().is_some_and(|(at, _)| *at <= now - MINUTE) {
            let Some((_, fingerprint)) = window.arrivals.pop_front() else { break };
            if let Some(n) = window.alarms.get_mut(&fingerprint) {
                *n -= 1;
                if *n == 0 {
                    window.alarms.remove(&fingerprint);
                }
            }
        }
        if window.arrivals.is_empty() {
            self.by_integration.remove(integration);
            return false;
        }
        window.alarms.len() > FLOOD_ALARMS || window.arrivals.len() > FLOOD_ALERTS
    }
}

/// One batch's folded notices of one integration.
#[derive(Default)]
pub struct Folded {
    /// Each alarm's alerts folded: fingerprint → (latest title, count).
    pub alarms: HashMap<String, (String, i64)>,
    pub targets: Vec<NotificationTarget>,
}

impl Folded {
    pub fn add(&mut self, fingerprint: &str, title: &str, targets: &[NotificationTarget]) {
        let entry = self.alarms.entry(fingerprint.to_owned()).or_insert_with(|| (String::new(), 0));
        title.clone_into(&mut entry.0);
        entry.1 += 1;
        for t in targets {
            if !self.targets.contains(t) {
                self.targets.push(t.clone());
            }
        }
    }
}

/// Adds a batch's folded notices to the integration's storm and sends the storm notice if the
/// storm is new or the last one went out a minute ago; in the batch's transaction.
pub async fn fold(
    tx: &mut Transaction<'static, Any>,
    integration_id: &str,
    folded: &Folded,
    now: i64,
) -> Result<(), ServerError> {
    let row: Option<(Option<i64>, String)> =
        sqlx::query_as("SELECT notified_at, targets_json FROM alert_storms WHERE integration_id = $1")
            .bind(integration_id)
            .fetch_optional(&mut **tx)
            .await?;
    let mut targets: Vec<NotificationTarget> = match &row {
        Some((_, json)) => serde_json::from_str(json).map_err(|e| ServerError::corrupt_json("storm targets", &e))?,
        None => Vec::new(),
    };
    for t in &folded.targets {
        if !targets.contains(t) {
            targets.push(t.clone());
        }
    }
    let targets_json = serde_json::to_string(&targets).unwrap_or_default();
    if row.is_none() {
        sqlx::query(
            "INSERT INTO alert_storms (integration_id, started_at, notified_at, targets_json) VALUES ($1, $2, NULL, $3)",
        )
        .bind(integration_id)
        .bind(now)
        .bind(&targets_json)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("UPDATE alert_storms SET targets_json = $1 WHERE integration_id = $2")
            .bind(&targets_json)
            .bind(integration_id)
            .execute(&mut **tx)
            .await?;
    }
    for (fingerprint, (title, n)) in &folded.alarms {
        sqlx::query(
            "INSERT INTO alert_storm_alarms (integration_id, fingerprint, title, alerts) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (integration_id, fingerprint) DO UPDATE SET alerts = alert_storm_alarms.alerts + $4, \
             title = $3",
        )
        .bind(integration_id)
        .bind(fingerprint)
        .bind(title)
        .bind(n)
        .execute(&mut **tx)
        .await?;
    }
    let notified_at = row.and_then(|(at, _)| at);
    if notified_at.is_none_or(|at| at <= now - MINUTE) {
        send(tx, integration_id, &targets, notified_at.is_none(), now).await?;
    }
    Ok(())
}

/// Sends the storm notices whose minute is up although nothing more was folded (the storm may
/// have ended), and forgets storms quiet for a minute; true when it wrote anything. Cheap when
/// there is nothing to do: one read.
pub async fn flush(db: &crate::db::Db, now: i64) -> Result<bool, ServerError> {
    let due: Vec<String> =
        sqlx::query_scalar("SELECT integration_id FROM alert_storms WHERE notified_at IS NULL OR notified_at <= $1")
            .bind(now - MINUTE)
            .fetch_all(&db.pool)
            .await?;
    if due.is_empty() {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    for integration_id in due {
        crate::db::lock_subject(&mut tx, db.dialect, &format!("storm:{integration_id}")).await?;
        let row: Option<(Option<i64>, String)> =
            sqlx::query_as("SELECT notified_at, targets_json FROM alert_storms WHERE integration_id = $1")
                .bind(&integration_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((notified_at, targets_json)) = row else { continue };
        if notified_at.is_some_and(|at| at > now - MINUTE) {
            continue;
        }
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alert_storm_alarms WHERE integration_id = $1")
            .bind(&integration_id)
            .fetch_one(&mut *tx)
            .await?;
        let targets: Vec<NotificationTarget> =
            serde_json::from_str(&targets_json).map_err(|e| ServerError::corrupt_json("storm targets", &e))?;
        if waiting == 0 {
            // Quiet for a minute: the storm is over, and its channels are told so.
            let name = integration_name(&mut tx, &integration_id).await?;
            let subject = format!("[STORM] {name} is quiet again: its notices go out one by one");
            crate::engine::incidents::notify(&mut tx, &targets, None, &subject, "", now).await?;
            sqlx::query("DELETE FROM alert_storms WHERE integration_id = $1")
                .bind(&integration_id)
                .execute(&mut *tx)
                .await?;
            continue;
        }
        send(&mut tx, &integration_id, &targets, notified_at.is_none(), now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The storm notice: how many alerts and alarms were folded since the last one, the busiest
/// alarms; then the counts start again.
async fn send(
    tx: &mut Transaction<'static, Any>,
    integration_id: &str,
    targets: &[NotificationTarget],
    first: bool,
    now: i64,
) -> Result<(), ServerError> {
    let (alarms, alerts): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(alerts) AS BIGINT) FROM alert_storm_alarms WHERE integration_id = $1",
    )
    .bind(integration_id)
    .fetch_one(&mut **tx)
    .await?;
    let busiest: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT fingerprint, title, alerts FROM alert_storm_alarms WHERE integration_id = $1 \
         ORDER BY alerts DESC, fingerprint LIMIT $2",
    )
    .bind(integration_id)
    .bind(LISTED)
    .fetch_all(&mut **tx)
    .await?;
    let name = integration_name(tx, integration_id).await?;
    let (subject, body) = notice(&name, first, alerts.unwrap_or_default(), alarms, &busiest);
    crate::engine::incidents::notify(tx, targets, None, &subject, &body, now).await?;
    sqlx::query("DELETE FROM alert_storm_alarms WHERE integration_id = $1")
        .bind(integration_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE alert_storms SET notified_at = $1, notices = notices + 1 WHERE integration_id = $2")
        .bind(now)
        .bind(integration_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn integration_name(tx: &mut Transaction<'static, Any>, integration_id: &str) -> Result<String, ServerError> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM integrations WHERE id = $1")
        .bind(integration_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(name.unwrap_or_else(|| integration_id.to_owned()))
}

/// A storm notice's subject and body.
pub fn notice(
    integration: &str,
    first: bool,
    alerts: i64,
    alarms: i64,
    busiest: &[(String, String, i64)],
) -> (String, String) {
    let plural = |n: i64, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    let counts = format!("{}, {}", plural(alerts, "alert", "alerts"), plural(alarms, "alarm", "alarms"));
    let subject = if first {
        format!("[STORM] {integration} is flooding: {counts}; its notices are folded into one a minute")
    } else {
        let noun = if alerts == 1 { "alert" } else { "alerts" };
        format!(
            "[STORM] {alerts} more {noun} from {integration} in the last minute, {}",
            plural(alarms, "alarm", "alarms")
        )
    };
    let mut lines = vec!["Busiest alarms:".to_owned()];
    lines.extend(busiest.iter().map(|(fingerprint, title, n)| format!("{n} × {title} ({fingerprint})")));
    let unlisted = alarms - i64::try_from(busiest.len()).unwrap_or(i64::MAX);
    if unlisted > 0 {
        lines.push(format!("and {unlisted} more alarms"));
    }
    lines.push("Every alert is kept on the console's Alerts page.".to_owned());
    (subject, lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_judged_over_the_last_minute() {
        let mut arrivals = Arrivals::default();
        for i in 0..=FLOOD_ALARMS {
            arrivals.arrived("prom", &format!("fp-{i}"), 100);
        }
        assert!(arrivals.flooding("prom", 100), "more alarms than the threshold in a minute");
        assert!(!arrivals.flooding("other", 100));
        assert!(!arrivals.flooding("prom", 160), "a minute later it is over");
        for _ in 0..=FLOOD_ALERTS {
            arrivals.arrived("prom", "flapping", 200);
        }
        assert!(arrivals.flooding("prom", 230), "one alarm repeating past the alert threshold");
        arrivals.arrived("prom", "flapping", 200);
        let mut calm = Arrivals::default();
        for i in 0..FLOOD_ALARMS {
            calm.arrived("prom", &format!("fp-{i}"), 100);
        }
        assert!(!calm.flooding("prom", 100), "at the threshold is not a flood");
    }

    #[test]
    fn the_notice_counts_and_lists_the_busiest() {
        let busiest = vec![("fp-1".to_owned(), "Disk full on db-1".to_owned(), 7)];
        let (subject, body) = notice("prometheus", false, 312, 41, &busiest);
        assert_eq!(subject, "[STORM] 312 more alerts from prometheus in the last minute, 41 alarms");
        assert!(body.contains("7 × Disk full on db-1 (fp-1)") && body.contains("and 40 more alarms"), "{body}");
        let (subject, _) = notice("prometheus", true, 1, 1, &[]);
        assert_eq!(
            subject,
            "[STORM] prometheus is flooding: 1 alert, 1 alarm; its notices are folded into one a minute"
        );
    }
}
