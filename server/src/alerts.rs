//! The alert pages' port ([`app::ports::Alerts`]): integrations and their secrets, the alerts
//! with what routing did, the quarantine, and the rules with dry runs and replays. Dry runs and
//! replays read events with the door's reader and judge them with the router's evaluator, so
//! what they show is what routing would do.

use std::collections::BTreeSet;
use std::sync::Arc;

use app::auth::CurrentUser;
use app::domain::alert::{Alert, AlertStatus, IntegrationKind};
use app::domain::routing::{Firing, Rule, check_rules};
use app::error::{AppError, FieldError};
use app::i18n::Msg;
use app::model::alerts::{
    Action, ActionText, AlertDetail, AlertRow, DryRunAlert, IntegrationsPage, IssuedSecret, MaintenancePage,
    NewMaintenance, QuarantineRow, Replay, ReplayChange, RuleVersion, RulesPage,
};
use app::ports::{Backend, Clock};
use async_trait::async_trait;
use sqlx::Row;

use crate::audit::Actor;
use crate::db::Db;
use crate::error::ServerError;
use crate::ingest::normalize;
use crate::ingest::store::Integrations;
use crate::routing::eval::Compiled;
use crate::routing::maintenance::Maintenance;
use crate::routing::rules::Rules;

pub struct SqlAlerts {
    pub db: Db,
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
    pub base_url: String,
}

/// What a rule does with an alert (dry runs and replays).
pub fn action(rule: &Rule, status: AlertStatus) -> ActionText {
    let (action, hold) = match status {
        AlertStatus::Resolved if rule.resolve_on_recovery => (Action::ResolveIncident, None),
        AlertStatus::Resolved => (Action::RecoveryNotify, None),
        AlertStatus::Firing => {
            let action = match &rule.firing {
                Firing::Incident { response_plan } => Action::Incident { plan: response_plan.clone() },
                Firing::Engage { contact } => Action::Engage { contact: contact.clone() },
                Firing::Notify => Action::Notify,
                Firing::Suppress => Action::Suppress,
            };
            (action, rule.hold.clone())
        }
    };
    let targets = if action == Action::Suppress { 0 } else { rule.notify.len() };
    ActionText { action, targets, hold }
}

/// No rule matched: nothing happens.
fn nothing() -> ActionText {
    ActionText { action: Action::Nothing, targets: 0, hold: None }
}

fn row(r: &sqlx::any::AnyRow) -> Result<AlertRow, ServerError> {
    let status: String = r.try_get("status")?;
    Ok(AlertRow {
        id: r.try_get("id")?,
        integration: r.try_get("integration")?,
        title: r.try_get("title")?,
        status: AlertStatus::parse(&status).ok_or_else(|| ServerError::unknown_name("alert status", &status))?,
        severity: r.try_get("severity")?,
        rule: r.try_get("rule")?,
        outcome: r.try_get("outcome")?,
        incident_id: r.try_get("incident_id")?,
        received_at: r.try_get("received_at")?,
    })
}

const ROW: &str = "SELECT a.id, i.name AS integration, a.title, a.status, a.severity, a.rule, a.outcome, a.incident_id, \
     a.received_at FROM alerts a JOIN integrations i ON i.id = a.integration_id";

impl SqlAlerts {
    fn issued(&self, name: String, id: &str, secret: String) -> IssuedSecret {
        IssuedSecret { name, url: format!("{}/ingest/{id}", self.base_url), secret }
    }

    fn compiled(rules: &[Rule]) -> Result<Compiled, AppError> {
        check_rules(rules).map_err(AppError::Invalid)?;
        Compiled::new(rules).map_err(AppError::Invalid)
    }

    async fn quarantine(&self) -> Result<Vec<QuarantineRow>, ServerError> {
        let rows = sqlx::query(
            "SELECT i.name, q.received_at, q.reason, q.body FROM quarantine q JOIN integrations i ON i.id = q.integration_id \
             ORDER BY q.received_at DESC LIMIT 50",
        )
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                Ok(QuarantineRow {
                    integration: r.try_get("name")?,
                    received_at: r.try_get("received_at")?,
                    reason: r.try_get("reason")?,
                    body: body.chars().take(2_000).collect(),
                })
            })
            .collect()
    }
}

#[async_trait]
impl app::ports::Alerts for SqlAlerts {
    async fn integrations_page(&self) -> Result<IntegrationsPage, AppError> {
        let integrations = Integrations { db: self.db.clone() }.list().await?;
        Ok(IntegrationsPage { integrations, base_url: self.base_url.clone(), quarantine: self.quarantine().await? })
    }

    async fn create_integration(
        &self,
        actor: &CurrentUser,
        name: &str,
        kind: IntegrationKind,
        topics: &[String],
    ) -> Result<IssuedSecret, AppError> {
        let now = self.clock.now().timestamp();
        let created = Integrations { db: self.db.clone() }.create(Actor::User(actor), name, kind, topics, now).await?;
        Ok(self.issued(name.trim().to_owned(), &created.id, created.secret))
    }

    async fn rotate_secret(&self, actor: &CurrentUser, id: &str) -> Result<IssuedSecret, AppError> {
        let store = Integrations { db: self.db.clone() };
        let name = store.list().await?.into_iter().find(|i| i.id == id).ok_or(AppError::NotFound)?.name;
        let secret = store.rotate_secret(Actor::User(actor), id, self.clock.now().timestamp()).await?;
        Ok(self.issued(name, id, secret))
    }

    async fn alerts(&self, status: &str, outcome: &str, limit: u32) -> Result<Vec<AlertRow>, AppError> {
        let sql = format!(
            "{ROW} WHERE ($1 = '' OR a.status = $1) AND ($2 = '' OR a.outcome LIKE $3) ORDER BY a.seq DESC LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(status)
            .bind(outcome)
            .bind(format!("%{outcome}%"))
            .bind(i64::from(limit.min(500)))
            .fetch_all(&self.db.pool)
            .await
            .map_err(ServerError::from)?;
        Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
    }

    async fn routing_status(&self) -> Result<app::model::alerts::RoutingStatus, AppError> {
        let now = self.clock.now().timestamp();
        let (waiting, oldest) = crate::engine::backlog::unrouted_alerts(&self.db, now).await?;
        let routed_last_minute: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE routed_at > $1")
            .bind(now - crate::routing::storms::MINUTE)
            .fetch_one(&self.db.pool)
            .await
            .map_err(ServerError::from)?;
        let storms: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT i.name, s.started_at, s.notices FROM alert_storms s JOIN integrations i ON i.id = s.integration_id \
             ORDER BY s.started_at, i.name",
        )
        .fetch_all(&self.db.pool)
        .await
        .map_err(ServerError::from)?;
        Ok(app::model::alerts::RoutingStatus {
            waiting,
            lag_secs: oldest.map_or(0, |o| (now - o).max(0)),
            routed_last_minute,
            storms: storms
                .into_iter()
                .map(|(integration, started_at, notices)| app::model::alerts::StormView {
                    integration,
                    started_at,
                    notices,
                })
                .collect(),
        })
    }

    async fn alert(&self, id: &str) -> Result<AlertDetail, AppError> {
        let r = sqlx::query(
            "SELECT a.id, i.name AS integration, a.title, a.status, a.severity, a.rule, a.outcome, a.incident_id, \
             a.received_at, a.fingerprint, a.summary, a.labels_json, a.links_json, a.trace_json, e.body \
             FROM alerts a JOIN integrations i ON i.id = a.integration_id JOIN inbound_events e ON e.id = a.event_id \
             WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await
        .map_err(ServerError::from)?
        .ok_or(AppError::NotFound)?;
        let labels: String = r.try_get("labels_json").map_err(ServerError::from)?;
        let links: String = r.try_get("links_json").map_err(ServerError::from)?;
        let trace: Option<String> = r.try_get("trace_json").map_err(ServerError::from)?;
        let labels: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&labels).map_err(|e| ServerError::corrupt_json("alert labels", &e))?;
        Ok(AlertDetail {
            row: row(&r)?,
            fingerprint: r.try_get("fingerprint").map_err(ServerError::from)?,
            summary: r.try_get("summary").map_err(ServerError::from)?,
            labels: labels.into_iter().collect(),
            links: serde_json::from_str(&links).map_err(|e| ServerError::corrupt_json("alert links", &e))?,
            trace: trace.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default(),
            payload: r.try_get("body").map_err(ServerError::from)?,
        })
    }

    async fn rules_page(&self) -> Result<RulesPage, AppError> {
        let rules = Rules { db: self.db.clone() };
        let history = rules
            .history()
            .await?
            .into_iter()
            .map(|v| RuleVersion {
                version: v.version,
                saved_by: v.saved_by,
                saved_at: v.saved_at,
                rules: v.rules.len(),
            })
            .collect();
        Ok(RulesPage {
            current: rules.current().await?,
            history,
            integrations: Integrations { db: self.db.clone() }.list().await?,
            plans: self.backend.response_plans().await?.into_iter().map(|p| p.name).collect(),
            contacts: self.backend.contacts().await?.into_iter().map(|c| c.contact.alias).collect(),
        })
    }

    async fn save_rules(&self, actor: &CurrentUser, base: u32, rules: Vec<Rule>) -> Result<u32, AppError> {
        let now = self.clock.now().timestamp();
        Ok(Rules { db: self.db.clone() }.save(Actor::User(actor), base, rules, now).await?)
    }

    async fn restore_rules(&self, actor: &CurrentUser, version: u32, base: u32) -> Result<u32, AppError> {
        let now = self.clock.now().timestamp();
        Ok(Rules { db: self.db.clone() }.restore(Actor::User(actor), version, base, now).await?)
    }

    async fn dry_run(&self, rules: &[Rule], integration: &str, event: &str) -> Result<Vec<DryRunAlert>, AppError> {
        let compiled = Self::compiled(rules)?;
        let all = Integrations { db: self.db.clone() }.list().await?;
        let chosen = all
            .iter()
            .find(|i| i.id == integration)
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("integration", Msg::ErrRequired)]))?;
        let now = self.clock.now();
        let inbound = normalize::read(chosen.kind, event.as_bytes(), None, now.timestamp())
            .map_err(|_| AppError::Invalid(vec![FieldError::new("event", Msg::ErrDryRunEvent)]))?;
        let payload: serde_json::Value = serde_json::from_str(event).unwrap_or(serde_json::Value::Null);
        Ok(inbound
            .alerts
            .into_iter()
            .map(|alert| {
                let judged = compiled.evaluate(&alert, (&chosen.name, chosen.kind.as_str()), &payload, now);
                let rule = judged.matched.and_then(|i| rules.get(i));
                DryRunAlert {
                    action: rule.map_or_else(nothing, |r| action(r, alert.status)),
                    matched: rule.map(|r| r.name.clone()),
                    title: alert.title,
                    summary: alert.summary,
                    status: alert.status,
                    severity: alert.severity,
                    fingerprint: alert.fingerprint,
                    labels: alert.labels,
                    trace: judged.trace,
                }
            })
            .collect())
    }

    async fn replay(&self, rules: &[Rule], days: u32) -> Result<Replay, AppError> {
        let compiled = Self::compiled(rules)?;
        let days = days.clamp(1, 31);
        let since = self.clock.now().timestamp() - i64::from(days) * 86_400;
        let rows = sqlx::query(
            "SELECT a.id, a.title, a.status, a.severity, a.fingerprint, a.summary, a.labels_json, a.links_json, \
             a.occurred_at, a.received_at, a.rule, a.outcome, a.integration_id, i.name, i.kind, e.body \
             FROM alerts a JOIN integrations i ON i.id = a.integration_id JOIN inbound_events e ON e.id = a.event_id \
             WHERE a.received_at >= $1 ORDER BY a.seq LIMIT 5000",
        )
        .bind(since)
        .fetch_all(&self.db.pool)
        .await
        .map_err(ServerError::from)?;
        let mut replay = Replay { days, alerts: rows.len(), ..Replay::default() };
        let mut opened = BTreeSet::new();
        for r in &rows {
            let get = |c: &str| r.try_get::<String, _>(c).map_err(ServerError::from);
            let status = AlertStatus::parse(&get("status")?).unwrap_or(AlertStatus::Firing);
            let alert = Alert {
                fingerprint: get("fingerprint")?,
                status,
                title: get("title")?,
                summary: get("summary")?,
                severity: get("severity")?,
                labels: serde_json::from_str(&get("labels_json")?).unwrap_or_default(),
                links: serde_json::from_str(&get("links_json")?).unwrap_or_default(),
                occurred_at: r.try_get("occurred_at").map_err(ServerError::from)?,
            };
            let received: i64 = r.try_get("received_at").map_err(ServerError::from)?;
            let at = chrono::DateTime::from_timestamp(received, 0).unwrap_or_default();
            let payload = serde_json::from_str(&get("body")?).unwrap_or(serde_json::Value::Null);
            let judged = compiled.evaluate(&alert, (&get("name")?, &get("kind")?), &payload, at);
            let rule = judged.matched.and_then(|i| rules.get(i));
            let before_rule: Option<String> = r.try_get("rule").map_err(ServerError::from)?;
            let outcome: Option<String> = r.try_get("outcome").map_err(ServerError::from)?;
            replay.incidents_before += usize::from(outcome.as_deref() == Some("incident opened"));
            if let Some(rule) = rule {
                replay.notices_after += rule.notify.len();
                let key = (get("integration_id")?, alert.fingerprint.clone());
                if status == AlertStatus::Firing && matches!(rule.firing, Firing::Incident { .. }) && opened.insert(key)
                {
                    replay.incidents_after += 1;
                }
            }
            if before_rule.as_deref() != rule.map(|r| r.name.as_str()) {
                replay.changes.push(ReplayChange {
                    alert_id: get("id")?,
                    title: alert.title.clone(),
                    received_at: received,
                    before_rule,
                    before_outcome: outcome,
                    after_rule: rule.map(|r| r.name.clone()),
                    after: rule.map_or_else(nothing, |r| action(r, status)),
                });
            }
        }
        replay.notices_before = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM deliveries WHERE page_id IS NULL AND created_at >= $1 \
             AND (subject LIKE '[FIRING]%' OR subject LIKE '[RESOLVED]%')",
        )
        .bind(since)
        .fetch_one(&self.db.pool)
        .await
        .map_err(ServerError::from)
        .map(|n| usize::try_from(n).unwrap_or_default())?;
        Ok(replay)
    }
    async fn incident_alerts(&self, incident_id: &str) -> Result<Vec<AlertRow>, AppError> {
        let rows = sqlx::query(&format!("{ROW} WHERE a.incident_id = $1 ORDER BY a.seq LIMIT 500"))
            .bind(incident_id)
            .fetch_all(&self.db.pool)
            .await
            .map_err(ServerError::from)?;
        Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
    }

    async fn maintenance_page(&self) -> Result<MaintenancePage, AppError> {
        let now = self.clock.now().timestamp();
        let windows = Maintenance { db: self.db.clone() }.list(now).await?;
        Ok(MaintenancePage { windows, now })
    }

    async fn create_maintenance(&self, actor: &CurrentUser, window: NewMaintenance) -> Result<String, AppError> {
        let now = self.clock.now().timestamp();
        Ok(Maintenance { db: self.db.clone() }.create(Actor::User(actor), window, now).await?)
    }

    async fn end_maintenance(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError> {
        let now = self.clock.now().timestamp();
        Ok(Maintenance { db: self.db.clone() }.end(Actor::User(actor), id, now).await?)
    }
}
