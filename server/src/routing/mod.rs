//! Routing: every stored alert, oldest first, through the rules in force. A firing alert opens
//! an incident from the matching rule's response plan (its engagements page people), or joins
//! the incident it opened before while that is still open, or engages a contact directly, or only
//! notifies, or is suppressed; a resolved alert tells the Slack and webhook targets of the rule
//! that handled its firing and, if that rule says so, resolves the incident and stops its
//! engagements. Works through the backend port, so the same in both modes.
//!
//! Before the rules, the maintenance windows in force: an alert one matches is suppressed by it
//! (a recovery that has an incident to resolve still resolves it). A rule may hold firing
//! alerts until working hours: the alert waits unrouted, `held_until` the hours open, and is
//! routed then through the rules in force; if it recovers first, nothing is sent for either.
//!
//! Most urgent first: each router reads the unrouted alerts as they arrive, sorts them by what
//! the rule they match would do (open an incident or page, then notify only, then suppress,
//! hold or no rule), and within a class by arrival; an alarm's own alerts always go in arrival
//! order (a recovery never before its firing). So a critical alert arriving in a storm of
//! repeats and notices is routed next, not after the storm. Rules are compiled once per saved
//! version, not per alert. Alerts the router's cursor passed without seeing (committed late,
//! held until hours that opened, left by a failed attempt) are found by a look behind it, from
//! the index alone, every second, and whenever its queue empties.
//!
//! Exactly once, across crashes and replicas: the backend calls are idempotent (the incident's
//! client token comes from the alert's integration, fingerprint and episode; an engagement's
//! from the alert's id), and the alert is marked routed, its incident link written and its
//! notices put in the delivery outbox in one transaction, guarded by `routed_at IS NULL`: a
//! second router that got there too writes nothing.

pub mod eval;
pub mod maintenance;
pub mod rules;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::auth::{CurrentUser, Role};
use app::domain::alert::{Alert, AlertStatus};
use app::domain::hours::Hours;
use app::domain::incident::{IncidentStatus, IncidentUpdate, NotificationTarget};
use app::domain::routing::{Firing, Rule};
use app::error::AppError;
use app::i18n::Locale;
use app::model::alerts::TraceStep;
use app::ports::{Backend, Clock, EngagementStart, IncidentStart};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::Db;
use crate::error::ServerError;
use eval::{Compiled, Evaluated};
use maintenance::Maintenance;
use rules::Rules;

/// How often a router looks for alerts when nothing woke it.
const POLL: Duration = Duration::from_millis(500);

/// How many new unrouted alerts one look at the backlog reads (and sorts by urgency).
const SCAN: i64 = 1000;

/// How often a busy router also looks behind its cursor for unrouted alerts it has not queued:
/// ones committed after a newer one (PostgreSQL commits the door's batches side by side), held
/// until hours that have now opened, or left by a failed attempt.
const BEHIND: Duration = Duration::from_secs(1);

/// Who routing acts as (the backends take a user; the audit log shows it).
fn router_user() -> CurrentUser {
    CurrentUser {
        id: 0,
        username: "routing".into(),
        display_name: "Alert routing".into(),
        role: Role::Manager,
        contact: None,
    }
}

#[derive(Clone)]
pub struct Router {
    pub db: Db,
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
    /// Woken by the ingestion door when it stores an alert.
    pub wake: Arc<tokio::sync::Notify>,
    backlog: Arc<Mutex<Backlog>>,
}

/// How urgent routing an alert is, most urgent first, by what the rule it matches would do:
/// 0 opens an incident or pages someone; 1 notifies, joins its alarm's open incident (a repeat)
/// or recovers; 2 is suppressed, held for working hours, or matched by no rule.
fn urgency(rule: Option<&Rule>, status: AlertStatus, joins_open_incident: bool) -> u8 {
    let Some(rule) = rule else { return 2 };
    if rule.hold.as_deref().is_some_and(|h| !h.trim().is_empty()) {
        return 2;
    }
    match (&rule.firing, status) {
        (Firing::Suppress, _) => 2,
        (Firing::Notify, _) | (_, AlertStatus::Resolved) => 1,
        (Firing::Incident { .. }, AlertStatus::Firing) if joins_open_incident => 1,
        (Firing::Incident { .. } | Firing::Engage { .. }, AlertStatus::Firing) => 0,
    }
}

/// The unrouted alerts this router has seen, most urgent first. Only what orders them is kept:
/// each is read again, as it is then, when its turn comes.
#[derive(Default)]
struct Backlog {
    /// The newest alert read (`seq`): the next look starts after it.
    cursor: i64,
    last_full_look: Option<Instant>,
    /// (urgency, seq), most urgent and oldest first.
    queue: BTreeSet<(u8, i64)>,
    /// Each queued alert's alarm (integration, fingerprint) and urgency.
    alarm_of: HashMap<i64, ((String, String), u8)>,
    /// Each alarm's queued alerts, oldest first.
    by_alarm: HashMap<(String, String), BTreeSet<i64>>,
    /// The rules compiled, with the version they were compiled from.
    compiled: Option<(u32, Arc<Compiled>)>,
}

impl Backlog {
    fn add(&mut self, seq: i64, alarm: (String, String), urgency: u8) {
        if self.alarm_of.contains_key(&seq) {
            return;
        }
        self.queue.insert((urgency, seq));
        self.by_alarm.entry(alarm.clone()).or_default().insert(seq);
        self.alarm_of.insert(seq, (alarm, urgency));
    }

    /// The next alert to route: the oldest queued alert of the most urgent alert's alarm.
    fn take(&mut self) -> Option<i64> {
        let &(_, most_urgent) = self.queue.first()?;
        let alarm = self.alarm_of.get(&most_urgent)?.0.clone();
        let seqs = self.by_alarm.get_mut(&alarm)?;
        let oldest = seqs.pop_first()?;
        if seqs.is_empty() {
            self.by_alarm.remove(&alarm);
        }
        if let Some((_, u)) = self.alarm_of.remove(&oldest) {
            self.queue.remove(&(u, oldest));
        }
        Some(oldest)
    }

    /// Starts the next look from the first unrouted alert again.
    fn look_again(&mut self) {
        self.cursor = 0;
    }
}

/// An alert waiting to be routed, with what its rules may look at.
struct Pending {
    seq: i64,
    id: String,
    integration_id: String,
    integration: (String, String),
    alert: Alert,
    payload: serde_json::Value,
    received_at: i64,
}

/// What routing did with one alert.
#[derive(Debug, Default)]
struct Outcome {
    rule: Option<String>,
    text: String,
    incident_id: Option<String>,
    /// A new link to write (episode) for the incident opened.
    opened: Option<i64>,
    /// The open link this resolve closes (episode).
    closed: Option<i64>,
    notices: Vec<NotificationTarget>,
    /// Held by its rule until then (the alert stays unrouted).
    held_until: Option<i64>,
    /// The alarm recovered while earlier firings were held: they are closed with it.
    closes_held: bool,
    /// The maintenance window that suppressed it.
    maintenance: Option<String>,
}

/// Outcome words routing records (the pages translate them).
const HELD: &str = "held until its hours";
const RECOVERED_WHILE_HELD: &str = "recovered while held: nothing was sent";
const IN_MAINTENANCE: &str = "suppressed by a maintenance window";

impl Router {
    pub fn new(db: Db, backend: Arc<dyn Backend>, clock: Arc<dyn Clock>, wake: Arc<tokio::sync::Notify>) -> Router {
        Router { db, backend, clock, wake, backlog: Arc::default() }
    }

    /// Routes until the process ends; each replica runs one.
    pub fn spawn(self) {
        tokio::spawn(async move {
            loop {
                match self.route_next().await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => tracing::error!(error = %e, "alert routing failed; retrying"),
                }
                let _ = tokio::time::timeout(POLL, self.wake.notified()).await;
            }
        });
    }

    /// Routes the most urgent unrouted alert, if any; true when there was one.
    pub async fn route_next(&self) -> Result<bool, ServerError> {
        let store = Rules { db: self.db.clone() };
        let rules = store.current().await?;
        self.look(&rules.rules, self.compiled(&rules).as_deref()).await?;
        let Some(seq) = self.lock().take() else { return Ok(false) };
        // Routed by another replica meanwhile, or held since: nothing to do with it here.
        let Some(pending) = self.pending(seq).await? else { return Ok(true) };
        // The rules in force are read after the alert: an alert stored after a save is never
        // routed by the rules it replaced.
        let rules = store.current().await?;
        let compiled = self.compiled(&rules);
        let routed = self.route(pending, &rules, compiled.as_deref()).await;
        if routed.is_err() {
            // Tried again from the next look at the whole backlog.
            self.lock().look_again();
        }
        routed.map(|()| true)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Backlog> {
        self.backlog.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The rules in force compiled, once per saved version (saved rules were compiled when
    /// saved; a build that reads them otherwise has none, and nothing matches).
    fn compiled(&self, rules: &app::domain::routing::RuleSet) -> Option<Arc<Compiled>> {
        let mut backlog = self.lock();
        if let Some((version, compiled)) = &backlog.compiled
            && *version == rules.version
        {
            return Some(compiled.clone());
        }
        let compiled = Arc::new(Compiled::new(&rules.rules).ok()?);
        backlog.compiled = Some((rules.version, compiled.clone()));
        Some(compiled)
    }

    /// Reads the unrouted alerts that arrived since the last look and queues them by urgency.
    async fn look(&self, rules: &[Rule], compiled: Option<&Compiled>) -> Result<(), ServerError> {
        let (cursor, look_behind) = {
            let mut backlog = self.lock();
            if backlog.queue.is_empty() {
                backlog.look_again();
            }
            let behind = backlog.cursor > 0 && backlog.last_full_look.is_none_or(|t| t.elapsed() > BEHIND);
            (backlog.cursor, behind)
        };
        let from = if look_behind { self.first_missed(cursor).await?.map_or(cursor, |s| s - 1) } else { cursor };
        let arrived = self.pending_after(from).await?;
        if arrived.is_empty() {
            return Ok(());
        }
        let open = self.open_alarms(&arrived).await?;
        let now = self.clock.now();
        let mut backlog = self.lock();
        for p in arrived {
            backlog.cursor = backlog.cursor.max(p.seq);
            if backlog.alarm_of.contains_key(&p.seq) {
                continue;
            }
            let integration = (p.integration.0.as_str(), p.integration.1.as_str());
            let matched = compiled.and_then(|c| c.evaluate(&p.alert, integration, &p.payload, now).matched);
            let alarm = (p.integration_id, p.alert.fingerprint);
            // An earlier alert of the alarm waiting here opens (or joins) its incident first.
            let joins = open.contains(&alarm) || backlog.by_alarm.contains_key(&alarm);
            let class = urgency(matched.and_then(|i| rules.get(i)), p.alert.status, joins);
            backlog.add(p.seq, alarm, class);
        }
        Ok(())
    }

    /// The oldest due unrouted alert up to `cursor` that this router has not queued (read
    /// from the index alone: sequence numbers only).
    async fn first_missed(&self, cursor: i64) -> Result<Option<i64>, ServerError> {
        let seqs: Vec<i64> = sqlx::query_scalar(
            "SELECT seq FROM alerts WHERE routed_at IS NULL AND (held_until IS NULL OR held_until <= $1) \
             AND seq <= $2 ORDER BY seq",
        )
        .bind(self.clock.now().timestamp())
        .bind(cursor)
        .fetch_all(&self.db.pool)
        .await?;
        let mut backlog = self.lock();
        backlog.last_full_look = Some(Instant::now());
        Ok(seqs.into_iter().find(|s| !backlog.alarm_of.contains_key(s)))
    }

    /// Which of these alerts' alarms have an open incident (a repeat only joins it): one read
    /// for the whole look.
    async fn open_alarms(
        &self,
        alerts: &[Pending],
    ) -> Result<std::collections::HashSet<(String, String)>, ServerError> {
        // Both lists, so the read goes through the links' primary key.
        let integrations: BTreeSet<&str> = alerts.iter().map(|p| p.integration_id.as_str()).collect();
        let fingerprints: BTreeSet<&str> = alerts.iter().map(|p| p.alert.fingerprint.as_str()).collect();
        let marks = |from: usize, n: usize| (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT integration_id, fingerprint FROM alert_incidents WHERE integration_id IN ({}) \
             AND fingerprint IN ({}) AND closed_at IS NULL",
            marks(1, integrations.len()),
            marks(1 + integrations.len(), fingerprints.len())
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for value in integrations.into_iter().chain(fingerprints) {
            query = query.bind(value);
        }
        Ok(query.fetch_all(&self.db.pool).await?.into_iter().collect())
    }

    /// Routes one alert through the rules in force and records what happened.
    async fn route(
        &self,
        pending: Pending,
        rules: &app::domain::routing::RuleSet,
        compiled: Option<&Compiled>,
    ) -> Result<(), ServerError> {
        let now = self.clock.now();
        let integration = (pending.integration.0.as_str(), pending.integration.1.as_str());
        let mut evaluated = match compiled {
            Some(c) => c.evaluate(&pending.alert, integration, &pending.payload, now),
            None => Evaluated { matched: None, trace: Vec::new() },
        };
        let matched = evaluated.matched.and_then(|i| rules.rules.get(i));
        let acted = match (self.quiet(&pending, &mut evaluated).await?, pending.alert.status) {
            (Some(window), AlertStatus::Firing) => Ok(window),
            (Some(window), AlertStatus::Resolved) if self.open_link(&pending).await?.is_none() => Ok(window),
            (_, AlertStatus::Firing) => self.fire(&pending, matched).await,
            (_, AlertStatus::Resolved) if self.held_before(&pending).await? => Ok(Outcome {
                rule: matched.map(|r| r.name.clone()),
                text: RECOVERED_WHILE_HELD.into(),
                closes_held: true,
                ..Outcome::default()
            }),
            (_, AlertStatus::Resolved) => self.resolve(&pending, matched, &rules.rules).await,
        };
        let outcome = match acted {
            Ok(outcome) => outcome,
            // A rule naming a plan or contact that no longer exists must not hold up every alert
            // behind this one: the alert says why it failed. Outages are retried.
            Err(ServerError::App(e @ (AppError::Invalid(_) | AppError::NotFound | AppError::InUse(_)))) => Outcome {
                rule: matched.map(|r| r.name.clone()),
                text: format!("failed: {}", e.message(Locale::En)),
                ..Outcome::default()
            },
            Err(e) => return Err(e),
        };
        self.record(&pending, &evaluated, outcome).await
    }

    /// The first maintenance window in force whose condition matches the alert, as an outcome;
    /// its answer leads the trace.
    async fn quiet(&self, p: &Pending, evaluated: &mut Evaluated) -> Result<Option<Outcome>, ServerError> {
        let now = self.clock.now();
        let windows = Maintenance { db: self.db.clone() }.in_force(now.timestamp()).await?;
        let Ok(compiled) = Compiled::conditions(windows.iter().map(|w| (w.note.as_str(), w.condition.as_str()))) else {
            return Ok(None);
        };
        let integration = (p.integration.0.as_str(), p.integration.1.as_str());
        let found = compiled.evaluate(&p.alert, integration, &p.payload, now);
        let Some(window) = found.matched.and_then(|i| windows.get(i)) else { return Ok(None) };
        let step = TraceStep { rule: format!("maintenance: {}", window.note), result: "matched".into(), problem: None };
        evaluated.trace.insert(0, step);
        Ok(Some(Outcome {
            rule: Some(format!("maintenance: {}", window.note)),
            text: IN_MAINTENANCE.into(),
            maintenance: Some(window.id.clone()),
            ..Outcome::default()
        }))
    }

    /// Whether an earlier firing of this alarm is still held by its rule.
    async fn held_before(&self, p: &Pending) -> Result<bool, ServerError> {
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM alerts WHERE integration_id = $1 AND fingerprint = $2 AND seq < $3 \
             AND routed_at IS NULL AND held_until IS NOT NULL",
        )
        .bind(&p.integration_id)
        .bind(&p.alert.fingerprint)
        .bind(p.seq)
        .fetch_one(&self.db.pool)
        .await?;
        Ok(held > 0)
    }

    /// Unrouted alerts that are due (not held until later) after `seq`, oldest first.
    async fn pending_after(&self, seq: i64) -> Result<Vec<Pending>, ServerError> {
        self.pending_where("a.seq > $2 ORDER BY a.seq LIMIT $3", seq, SCAN).await
    }

    /// The alert `seq`, if it is unrouted and due.
    async fn pending(&self, seq: i64) -> Result<Option<Pending>, ServerError> {
        Ok(self.pending_where("a.seq = $2 LIMIT $3", seq, 1).await?.pop())
    }

    async fn pending_where(&self, filter: &str, seq: i64, limit: i64) -> Result<Vec<Pending>, ServerError> {
        let sql = format!(
            "SELECT a.id, a.integration_id, a.fingerprint, a.status, a.title, a.summary, a.severity, a.labels_json, \
             a.links_json, a.occurred_at, a.received_at, a.seq, e.body, i.name, i.kind \
             FROM alerts a JOIN inbound_events e ON e.id = a.event_id JOIN integrations i ON i.id = a.integration_id \
             WHERE a.routed_at IS NULL AND (a.held_until IS NULL OR a.held_until <= $1) AND {filter}"
        );
        let rows =
            sqlx::query(&sql).bind(self.clock.now().timestamp()).bind(seq).bind(limit).fetch_all(&self.db.pool).await?;
        rows.iter().map(pending_of).collect()
    }

    /// The alarm's newest link to an incident: (episode, incident id, rule, still open). One read,
    /// so that two routers racing on one alarm compute the same episode (and so the same client
    /// token) or see each other's link; never a second incident.
    async fn latest_link(&self, p: &Pending) -> Result<Option<(i64, String, String, bool)>, ServerError> {
        let row = sqlx::query(
            "SELECT episode, incident_id, rule, closed_at FROM alert_incidents \
             WHERE integration_id = $1 AND fingerprint = $2 ORDER BY episode DESC LIMIT 1",
        )
        .bind(&p.integration_id)
        .bind(&p.alert.fingerprint)
        .fetch_optional(&self.db.pool)
        .await?;
        row.map(|r| {
            let closed: Option<i64> = r.try_get("closed_at")?;
            Ok((r.try_get("episode")?, r.try_get("incident_id")?, r.try_get("rule")?, closed.is_none()))
        })
        .transpose()
    }

    /// The open link only: (episode, incident id, rule).
    async fn open_link(&self, p: &Pending) -> Result<Option<(i64, String, String)>, ServerError> {
        Ok(self.latest_link(p).await?.filter(|l| l.3).map(|(e, i, r, _)| (e, i, r)))
    }

    async fn fire(&self, p: &Pending, rule: Option<&Rule>) -> Result<Outcome, ServerError> {
        let me = router_user();
        let Some(rule) = rule else { return Ok(Outcome { text: "no rule matched".into(), ..Outcome::default() }) };
        let named = |text: &str| Outcome { rule: Some(rule.name.clone()), text: text.to_owned(), ..Outcome::default() };
        if let Some(hours) = rule.hold.as_deref().and_then(|h| Hours::parse(h).ok()) {
            let now = self.clock.now();
            if let Some(opening) = hours.next_opening(now).filter(|at| *at > now) {
                return Ok(Outcome { held_until: Some(opening.timestamp()), ..named(HELD) });
            }
        }
        match &rule.firing {
            Firing::Suppress => Ok(named("suppressed")),
            Firing::Notify => Ok(Outcome { notices: rule.notify.clone(), ..named("notified") }),
            Firing::Engage { contact } => {
                let start = EngagementStart {
                    contact: contact.clone(),
                    sender: "alert routing".into(),
                    subject: p.alert.title.clone(),
                    content: p.alert.summary.clone(),
                    incident_id: None,
                    idempotency_token: Some(format!("alert-{}", p.id)),
                };
                self.backend.start_engagement(&me, start).await.map_err(ServerError::App)?;
                Ok(Outcome { notices: rule.notify.clone(), ..named("engaged") })
            }
            Firing::Incident { response_plan } => match self.latest_link(p).await? {
                Some((episode, incident, _, true)) => {
                    let open = self.backend.incident(&incident).await.map_err(ServerError::App)?;
                    if open.record.status == IncidentStatus::Open {
                        return Ok(Outcome { incident_id: Some(incident), ..named("fired again") });
                    }
                    // Resolved in the console or in AWS since: this firing is a new episode.
                    self.open_incident(p, rule, response_plan, episode + 1, Some(episode)).await
                }
                Some((episode, ..)) => self.open_incident(p, rule, response_plan, episode + 1, None).await,
                None => self.open_incident(p, rule, response_plan, 0, None).await,
            },
        }
    }

    async fn open_incident(
        &self,
        p: &Pending,
        rule: &Rule,
        plan: &str,
        episode: i64,
        closes: Option<i64>,
    ) -> Result<Outcome, ServerError> {
        let token = hex::encode(
            &Sha256::digest(format!("{}\n{}\n{episode}", p.integration_id, p.alert.fingerprint).as_bytes())[..16],
        );
        let start = IncidentStart {
            response_plan: plan.to_owned(),
            title: Some(p.alert.title.chars().take(200).collect()),
            impact: rule.impact,
            client_token: Some(format!("alert-{token}")),
        };
        let incident = self.backend.start_incident(&router_user(), start).await.map_err(ServerError::App)?;
        // A plan's dedupe string makes the backend hand back an open incident instead (as
        // Incident Manager does): say so rather than claim a new one.
        let linked: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM alert_incidents WHERE incident_id = $1 AND fingerprint <> $2")
                .bind(&incident)
                .bind(&p.alert.fingerprint)
                .fetch_one(&self.db.pool)
                .await?;
        let created_at = self.backend.incident(&incident).await.map_err(ServerError::App)?.record.created_at;
        let merged = linked > 0 || created_at < p.received_at;
        Ok(Outcome {
            rule: Some(rule.name.clone()),
            text: if merged { "merged into an open incident" } else { "incident opened" }.into(),
            incident_id: Some(incident),
            opened: Some(episode),
            closed: closes,
            notices: rule.notify.clone(),
            ..Outcome::default()
        })
    }

    async fn resolve(&self, p: &Pending, matched: Option<&Rule>, all: &[Rule]) -> Result<Outcome, ServerError> {
        let link = self.open_link(p).await?;
        // The rule that handled the firing decides; the matching one if none did.
        let rule = link.as_ref().and_then(|(_, _, name)| all.iter().find(|r| &r.name == name)).or(matched);
        let Some(rule) = rule else { return Ok(Outcome { text: "no rule matched".into(), ..Outcome::default() }) };
        let mut outcome = Outcome {
            rule: Some(rule.name.clone()),
            text: "recovery notified".into(),
            incident_id: link.as_ref().map(|(_, id, _)| id.clone()),
            notices: rule.notify.clone(),
            ..Outcome::default()
        };
        if let (true, Some((episode, incident, _))) = (rule.resolve_on_recovery, &link) {
            let me = router_user();
            let detail = self.backend.incident(incident).await.map_err(ServerError::App)?;
            for e in detail.engagements.iter().filter(|e| e.stopped_at.is_none()) {
                self.backend.stop_engagement(&me, &e.id).await.map_err(ServerError::App)?;
            }
            if detail.record.status == IncidentStatus::Open {
                let update = IncidentUpdate { status: Some(IncidentStatus::Resolved), ..IncidentUpdate::default() };
                self.backend.update_incident(&me, incident, update).await.map_err(ServerError::App)?;
            }
            outcome.text = "incident resolved".into();
            outcome.closed = Some(*episode);
        }
        Ok(outcome)
    }

    /// Marks the alert routed with what happened, in one transaction with its incident link and
    /// its notices; nothing if another router marked it first.
    async fn record(&self, p: &Pending, evaluated: &Evaluated, o: Outcome) -> Result<(), ServerError> {
        let now = self.clock.now().timestamp();
        let trace = serde_json::to_string(&evaluated.trace).unwrap_or_default();
        let mut tx = self.db.begin_write().await?;
        if let Some(until) = o.held_until {
            // Still unrouted: the router takes it up again when the hours open.
            sqlx::query(
                "UPDATE alerts SET held_until = $1, rule = $2, outcome = $3, trace_json = $4 \
                 WHERE id = $5 AND routed_at IS NULL",
            )
            .bind(until)
            .bind(&o.rule)
            .bind(&o.text)
            .bind(&trace)
            .bind(&p.id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(());
        }
        let marked = sqlx::query(
            "UPDATE alerts SET routed_at = $1, rule = $2, outcome = $3, trace_json = $4, incident_id = $5, \
             maintenance_id = $6, held_until = NULL WHERE id = $7 AND routed_at IS NULL",
        )
        .bind(now)
        .bind(&o.rule)
        .bind(&o.text)
        .bind(&trace)
        .bind(&o.incident_id)
        .bind(&o.maintenance)
        .bind(&p.id)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            return Ok(());
        }
        if o.closes_held {
            sqlx::query(
                "UPDATE alerts SET routed_at = $1, outcome = $2, held_until = NULL WHERE integration_id = $3 \
                 AND fingerprint = $4 AND seq < $5 AND routed_at IS NULL AND held_until IS NOT NULL",
            )
            .bind(now)
            .bind(RECOVERED_WHILE_HELD)
            .bind(&p.integration_id)
            .bind(&p.alert.fingerprint)
            .bind(p.seq)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(episode) = o.closed {
            sqlx::query(
                "UPDATE alert_incidents SET closed_at = $1 WHERE integration_id = $2 AND fingerprint = $3 AND episode = $4",
            )
            .bind(now)
            .bind(&p.integration_id)
            .bind(&p.alert.fingerprint)
            .bind(episode)
            .execute(&mut *tx)
            .await?;
        }
        if let (Some(episode), Some(incident)) = (o.opened, &o.incident_id) {
            sqlx::query(
                "INSERT INTO alert_incidents (integration_id, fingerprint, episode, incident_id, rule, opened_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (integration_id, fingerprint, episode) DO NOTHING",
            )
            .bind(&p.integration_id)
            .bind(&p.alert.fingerprint)
            .bind(episode)
            .bind(incident)
            .bind(o.rule.as_deref().unwrap_or_default())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let word = match p.alert.status {
            AlertStatus::Firing => "FIRING",
            AlertStatus::Resolved => "RESOLVED",
        };
        let subject = format!("[{word}] {}", p.alert.title);
        let body = [p.alert.summary.as_str(), &p.alert.links.join("\n")].join("\n");
        crate::engine::incidents::notify(&mut tx, &o.notices, o.incident_id.as_deref(), &subject, body.trim(), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An alert row as routing reads it.
fn pending_of(r: &sqlx::any::AnyRow) -> Result<Pending, ServerError> {
    let status: String = r.try_get("status")?;
    let labels: String = r.try_get("labels_json")?;
    let links: String = r.try_get("links_json")?;
    let body: String = r.try_get("body")?;
    Ok(Pending {
        seq: r.try_get("seq")?,
        id: r.try_get("id")?,
        integration_id: r.try_get("integration_id")?,
        integration: (r.try_get("name")?, r.try_get("kind")?),
        alert: Alert {
            fingerprint: r.try_get("fingerprint")?,
            status: AlertStatus::parse(&status).ok_or_else(|| ServerError::unknown_name("alert status", &status))?,
            title: r.try_get("title")?,
            summary: r.try_get("summary")?,
            severity: r.try_get("severity")?,
            labels: serde_json::from_str(&labels).map_err(|e| ServerError::corrupt_json("alert labels", &e))?,
            links: serde_json::from_str(&links).map_err(|e| ServerError::corrupt_json("alert links", &e))?,
            occurred_at: r.try_get("occurred_at")?,
        },
        payload: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        received_at: r.try_get("received_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm(name: &str) -> (String, String) {
        ("integration".to_owned(), name.to_owned())
    }

    #[test]
    fn the_most_urgent_alert_goes_first_and_an_alarm_keeps_its_order() {
        let mut backlog = Backlog::default();
        // A storm of notify-only alerts, then a critical one that opens an incident.
        for seq in 1..=500 {
            backlog.add(seq, alarm(&format!("noise-{}", seq % 40)), 1);
        }
        backlog.add(501, alarm("db-down"), 0);
        assert_eq!(backlog.take(), Some(501), "the critical alert is next, not 500 alerts later");
        assert_eq!(backlog.take(), Some(1), "then the storm, oldest first");
        // A suppressed firing, then its urgent recovery: the firing still goes first.
        backlog.add(600, alarm("disk"), 2);
        backlog.add(601, alarm("disk"), 0);
        assert_eq!((backlog.take(), backlog.take()), (Some(600), Some(601)));
        // Seen twice (a look again from the start): queued once.
        backlog.add(2, alarm("noise-2"), 1);
        let mut rest = Vec::new();
        while let Some(seq) = backlog.take() {
            rest.push(seq);
        }
        assert_eq!(rest, (2..=500).collect::<Vec<_>>());
        assert!(backlog.queue.is_empty() && backlog.alarm_of.is_empty() && backlog.by_alarm.is_empty());
    }

    #[test]
    fn urgency_follows_what_the_rule_would_do() {
        let rule = |firing: Firing, hold: Option<&str>| Rule {
            name: "r".into(),
            condition: String::new(),
            firing,
            impact: None,
            notify: vec![],
            resolve_on_recovery: false,
            hold: hold.map(str::to_owned),
        };
        let incident = Firing::Incident { response_plan: "p".into() };
        let (firing, resolved) = (AlertStatus::Firing, AlertStatus::Resolved);
        assert_eq!(urgency(Some(&rule(incident.clone(), None)), firing, false), 0, "opens an incident");
        assert_eq!(urgency(Some(&rule(incident.clone(), None)), firing, true), 1, "a repeat joins it");
        assert_eq!(urgency(Some(&rule(incident.clone(), None)), resolved, false), 1);
        assert_eq!(urgency(Some(&rule(Firing::Engage { contact: "c".into() }, None)), firing, true), 0, "pages");
        assert_eq!(urgency(Some(&rule(Firing::Notify, None)), firing, false), 1);
        assert_eq!(urgency(Some(&rule(Firing::Suppress, None)), firing, false), 2);
        assert_eq!(urgency(Some(&rule(incident, Some("Mon-Fri 09:00-18:00 UTC"))), firing, false), 2, "held");
        assert_eq!(urgency(None, firing, false), 2);
    }
}
