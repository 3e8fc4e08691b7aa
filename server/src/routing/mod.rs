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
mod known;
pub mod lag;
pub mod maintenance;
mod outcome;
pub mod rules;
pub mod storms;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::auth::{CurrentUser, Role};
use app::domain::alert::{Alert, AlertStatus};
use app::domain::hours::Hours;
use app::domain::incident::{IncidentStatus, IncidentUpdate};
use app::domain::routing::{Firing, Rule};
use app::error::AppError;
use app::i18n::Locale;
use app::ports::{Backend, Clock, EngagementStart, IncidentStart};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use crate::db::{Db, Dialect, marks};
use crate::error::ServerError;
use eval::{Compiled, Evaluated};
use known::{Known, alarm_filter};
use outcome::{Alarm, HELD, NOTIFIED_IN_STORM, Notice, Outcome, Pending, RECOVERED_WHILE_HELD, RECOVERY_IN_STORM};
use rules::Rules;

/// How often a router looks for alerts when nothing woke it.
const POLL: Duration = Duration::from_millis(500);

/// How many new unrouted alerts one look at the backlog reads (and sorts by urgency).
const SCAN: i64 = 1000;

/// How often an idle router looks for storm notices whose minute is up.
const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// How long the plans' impacts that order the backlog are used before they are read again.
const PLANS_FRESH: Duration = Duration::from_secs(10);

/// At most this many alerts are routed in one batch (one transaction).
const BATCH: usize = 256;

/// At most this many alerts that open an incident or page go in one batch (each calls the
/// backend, a few milliseconds): all are routed, since claiming them again costs more than
/// routing them; an urgent alert arriving meanwhile waits for at most this many.
const URGENT_BATCH: usize = 4;

/// A batch of cheap alerts stops taking them up after this long working out what to do with
/// them (they are then written, the rest go back): an urgent alert that arrives meanwhile waits
/// about this long at most.
const BATCH_TIME: Duration = Duration::from_millis(10);

/// Incidents of this impact or worse page people: their alerts' notices are never folded into a
/// storm's.
const PAGING_IMPACT: u8 = 2;

/// How often a busy router also looks behind its cursor for unrouted alerts it has not queued:
/// ones committed after a newer one (PostgreSQL commits the door's batches side by side), held
/// until hours that have now opened, or left by a failed attempt.
const BEHIND: Duration = Duration::from_secs(1);

/// How long a skipped sequence number is looked for again in every look (after that, the look
/// behind finds it, within [`BEHIND`]).
const GAP_WAIT: Duration = Duration::from_secs(2);

/// At most this many skipped sequence numbers are looked for again.
const MAX_GAPS: usize = 2000;

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
/// paging someone directly or opening an incident comes first, by the incident's impact
/// (1 critical → 0, … 5 → 4); then notifying only, a repeat joining its alarm's open incident, or
/// a recovery ([`NOTIFIES`]); last what is suppressed, held for working hours, or matched by no
/// rule ([`QUIET`]). `impact` is the incident's, from the rule or else its plan.
fn urgency(rule: Option<&Rule>, status: AlertStatus, joins_open_incident: bool, impact: Option<u8>) -> u8 {
    let Some(rule) = rule else { return QUIET };
    if rule.hold.as_deref().is_some_and(|h| !h.trim().is_empty()) {
        return QUIET;
    }
    match (&rule.firing, status) {
        (Firing::Suppress, _) => QUIET,
        (Firing::Notify, _) | (_, AlertStatus::Resolved) => NOTIFIES,
        (Firing::Incident { .. }, AlertStatus::Firing) if joins_open_incident => NOTIFIES,
        (Firing::Engage { .. }, AlertStatus::Firing) => 0,
        (Firing::Incident { .. }, AlertStatus::Firing) => rule.impact.or(impact).unwrap_or(1).clamp(1, 5) - 1,
    }
}

/// The urgency of notifying only, a repeat, or a recovery.
const NOTIFIES: u8 = 5;
/// The urgency of what pages and notifies nobody.
const QUIET: u8 = 6;

/// The unrouted alerts this router has seen, most urgent first. Only what orders them is kept:
/// each is read again, as it is then, when its turn comes.
#[derive(Default)]
struct Backlog {
    /// The newest alert read (`seq`): the next look starts after it.
    cursor: i64,
    last_full_look: Option<Instant>,
    /// Sequence numbers a look skipped (not yet committed, on PostgreSQL, whose door commits
    /// its batches side by side), with when: the next looks read them again for a while.
    gaps: BTreeMap<i64, Instant>,
    /// (urgency, seq), most urgent and oldest first.
    queue: BTreeSet<(u8, i64)>,
    /// Each queued alert's alarm (integration, fingerprint) and urgency.
    alarm_of: HashMap<i64, ((String, String), u8)>,
    /// Each alarm's queued alerts, oldest first.
    by_alarm: HashMap<(String, String), BTreeSet<i64>>,
    /// The rules compiled, with the version they were compiled from.
    compiled: Option<(u32, Arc<Compiled>)>,
    /// Each response plan's impact, with when it was read.
    impacts: Option<(Instant, Arc<HashMap<String, u8>>)>,
    /// What arrived from each integration in the last minute (floods are judged by it).
    arrivals: storms::Arrivals,
    /// When storm notices whose minute is up were last looked for.
    last_flush: Option<Instant>,
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
    fn take(&mut self) -> Option<Taken> {
        let &(_, most_urgent) = self.queue.first()?;
        let alarm = self.alarm_of.get(&most_urgent)?.0.clone();
        let seqs = self.by_alarm.get_mut(&alarm)?;
        let oldest = seqs.pop_first()?;
        if seqs.is_empty() {
            self.by_alarm.remove(&alarm);
        }
        let (alarm, urgency) = self.alarm_of.remove(&oldest)?;
        self.queue.remove(&(urgency, oldest));
        Some(Taken { seq: oldest, alarm, urgency })
    }

    /// The next batch to route, in the order [`Backlog::take`] gives them: up to [`BATCH`]
    /// alerts that only notify, join or are quiet (cheap: decided from what the batch reads), or
    /// up to [`URGENT_BATCH`] that open incidents or page (each a backend call), never both, so
    /// a batch's reads are never spent on alerts its time budget will not reach.
    fn take_batch(&mut self) -> Vec<Taken> {
        let mut batch: Vec<Taken> = Vec::new();
        while let Some(&(head, _)) = self.queue.first() {
            let urgent = head < NOTIFIES;
            let full = if urgent { URGENT_BATCH } else { BATCH };
            if batch.len() >= full || batch.first().is_some_and(|first| (first.urgency < NOTIFIES) != urgent) {
                break;
            }
            let Some(taken) = self.take() else { break };
            batch.push(taken);
        }
        batch
    }

    /// Remembers the sequence numbers a look from `cursor` skipped: on PostgreSQL an alert
    /// committed a moment after a newer one. Not after a full look (from the start), and at
    /// most [`MAX_GAPS`].
    fn note_gaps(&mut self, cursor: i64, arrived: &[Pending]) {
        if cursor == 0 {
            return;
        }
        let now = Instant::now();
        let mut expected = cursor + 1;
        for p in arrived {
            for seq in expected..p.seq {
                if self.gaps.len() >= MAX_GAPS {
                    return;
                }
                self.gaps.insert(seq, now);
            }
            expected = expected.max(p.seq + 1);
        }
    }

    /// Alerts taken but not routed: queued again where they were.
    fn put_back(&mut self, taken: Vec<Taken>) {
        for t in taken {
            self.add(t.seq, t.alarm, t.urgency);
        }
    }

    /// Starts the next look from the first unrouted alert again.
    fn look_again(&mut self) {
        self.cursor = 0;
    }
}

/// An alert taken from the backlog to route.
struct Taken {
    seq: i64,
    alarm: Alarm,
    urgency: u8,
}

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

    /// Routes the next batch of unrouted alerts, most urgent first; true when there was one.
    pub async fn route_next(&self) -> Result<bool, ServerError> {
        let rules = Rules { db: self.db.clone() }.current().await?;
        self.look(&rules.rules, self.compiled(&rules).as_deref()).await?;
        let taken = self.lock().take_batch();
        if taken.is_empty() {
            self.flush_storms().await?;
            return Ok(false);
        }
        let routed = self.route_batch(taken).await;
        if routed.is_err() {
            // Tried again from the next look at the whole backlog.
            self.lock().look_again();
        }
        routed.map(|()| true)
    }

    /// Sends the storm notices whose minute is up once alerts stopped coming (every few
    /// seconds while idle).
    async fn flush_storms(&self) -> Result<(), ServerError> {
        {
            let mut backlog = self.lock();
            if backlog.last_flush.is_some_and(|t| t.elapsed() < FLUSH_EVERY) {
                return Ok(());
            }
            backlog.last_flush = Some(Instant::now());
        }
        storms::flush(&self.db, self.clock.now().timestamp()).await?;
        Ok(())
    }

    /// Folds the notices of alerts from flooding integrations (see [`storms`]): they are sent
    /// in the storm's notice instead, unless the alert pages someone.
    fn fold(&self, done: &mut [(Pending, Evaluated, Outcome)]) {
        let now = self.clock.now().timestamp();
        let mut backlog = self.lock();
        for (p, _, o) in done.iter_mut() {
            if o.notices.is_empty() || o.notice == Notice::Pages || !backlog.arrivals.flooding(&p.integration_id, now) {
                continue;
            }
            o.notice = Notice::Folded;
            if o.text == "notified" {
                o.text = NOTIFIED_IN_STORM.into();
            } else if o.text == "recovery notified" {
                o.text = RECOVERY_IN_STORM.into();
            }
        }
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
        let (cursor, look_behind, mut again) = {
            let mut backlog = self.lock();
            if backlog.queue.is_empty() {
                backlog.look_again();
            }
            let behind = backlog.cursor > 0 && backlog.last_full_look.is_none_or(|t| t.elapsed() > BEHIND);
            backlog.gaps.retain(|_, seen| seen.elapsed() < GAP_WAIT);
            (backlog.cursor, behind, backlog.gaps.keys().copied().collect::<Vec<i64>>())
        };
        if look_behind {
            again.extend(self.missed(cursor).await?);
        }
        let mut arrived = self.pending_after(cursor).await?;
        self.lock().note_gaps(cursor, &arrived);
        if !again.is_empty() {
            again.sort_unstable();
            again.dedup();
            let filter = format!("a.seq IN ({}) ORDER BY a.seq", marks(2, again.len()));
            let found = self.pending_where(&self.db.pool, &filter, &again).await?;
            let mut backlog = self.lock();
            for p in &found {
                backlog.gaps.remove(&p.seq);
            }
            arrived.extend(found);
            arrived.sort_by_key(|p| p.seq);
        }
        if arrived.is_empty() {
            return Ok(());
        }
        let open = self.open_alarms(&arrived).await?;
        let impacts = self.plan_impacts().await?;
        let now = self.clock.now();
        let mut backlog = self.lock();
        for p in arrived {
            backlog.cursor = backlog.cursor.max(p.seq);
            if backlog.alarm_of.contains_key(&p.seq) {
                continue;
            }
            let integration = (p.integration.0.as_str(), p.integration.1.as_str());
            let matched = compiled.and_then(|c| c.evaluate(&p.alert, integration, &p.payload, now).matched);
            let alarm = p.alarm();
            // An earlier alert of the alarm waiting here opens (or joins) its incident first.
            let joins = open.contains(&alarm) || backlog.by_alarm.contains_key(&alarm);
            let rule = matched.and_then(|i| rules.get(i));
            let plan_impact = match rule.map(|r| &r.firing) {
                Some(Firing::Incident { response_plan }) => impacts.get(response_plan).copied(),
                _ => None,
            };
            let class = urgency(rule, p.alert.status, joins, plan_impact);
            backlog.arrivals.arrived(&p.integration_id, &p.alert.fingerprint, p.received_at);
            backlog.add(p.seq, alarm, class);
        }
        Ok(())
    }

    /// Each response plan's impact (an incident opened without one from its rule gets it),
    /// read again every [`PLANS_FRESH`].
    async fn plan_impacts(&self) -> Result<Arc<HashMap<String, u8>>, ServerError> {
        if let Some((at, impacts)) = &self.lock().impacts
            && at.elapsed() < PLANS_FRESH
        {
            return Ok(impacts.clone());
        }
        let plans = self.backend.response_plans().await.map_err(ServerError::App)?;
        let impacts: Arc<HashMap<String, u8>> =
            Arc::new(plans.into_iter().map(|p| (p.name, p.template.impact)).collect());
        self.lock().impacts = Some((Instant::now(), impacts.clone()));
        Ok(impacts)
    }

    /// The due unrouted alerts up to `cursor` this router has not queued, oldest first, up to
    /// a look's worth (read from the index alone: sequence numbers only).
    async fn missed(&self, cursor: i64) -> Result<Vec<i64>, ServerError> {
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
        let missed = seqs.into_iter().filter(|s| !backlog.alarm_of.contains_key(s));
        Ok(missed.take(usize::try_from(SCAN).unwrap_or(1000)).collect())
    }

    /// Which of these alerts' alarms have an open incident (a repeat only joins it): one read
    /// for the whole look.
    async fn open_alarms(&self, alerts: &[Pending]) -> Result<HashSet<Alarm>, ServerError> {
        let alarms: BTreeSet<Alarm> = alerts.iter().map(Pending::alarm).collect();
        let rows = known::alarm_rows(
            &self.db.pool,
            "SELECT integration_id, fingerprint FROM alert_incidents WHERE closed_at IS NULL AND",
            &alarms,
        )
        .await?;
        let mut open = HashSet::new();
        for r in rows {
            let alarm: Alarm = (r.try_get("integration_id")?, r.try_get("fingerprint")?);
            if alarms.contains(&alarm) {
                open.insert(alarm);
            }
        }
        Ok(open)
    }

    /// Routes a batch taken from the backlog: claims what is still unrouted, reads what the
    /// batch needs once, works out each alert's outcome in the order taken (calling the
    /// backend where an incident opens, a contact is engaged or an incident resolves), and
    /// writes every outcome in one transaction. Alerts left when the batch's time is up go
    /// back to the backlog.
    async fn route_batch(&self, taken: Vec<Taken>) -> Result<(), ServerError> {
        let order: HashMap<i64, usize> = taken.iter().enumerate().map(|(i, t)| (t.seq, i)).collect();
        let urgent = taken.first().is_some_and(|t| t.urgency < NOTIFIES);
        // Taken but not claimed: routed by another replica meanwhile, held since, or waiting
        // behind an earlier alert of its alarm that another replica is routing (found again by
        // the look behind).
        let (claim, mut pending) = self.claim(&taken).await?;
        pending.sort_by_key(|p| order.get(&p.seq).copied());
        // The rules in force are read after the alerts: an alert stored after a save is never
        // routed by the rules it replaced.
        let rules = Rules { db: self.db.clone() }.current().await?;
        let compiled = self.compiled(&rules);
        let alarms: BTreeSet<Alarm> = pending.iter().map(Pending::alarm).collect();
        let recovers = pending.iter().any(|p| p.alert.status == AlertStatus::Resolved);
        let mut known = Known::read(&self.db, self.backend.as_ref(), self.clock.now(), &alarms, recovers).await?;
        let started = Instant::now();
        let mut done = Vec::with_capacity(pending.len());
        let mut failed = None;
        let mut rest = pending.into_iter();
        for p in rest.by_ref() {
            match self.route(&p, &rules, compiled.as_deref(), &mut known).await {
                Ok((evaluated, outcome)) => done.push((p, evaluated, outcome)),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
            if !urgent && started.elapsed() > BATCH_TIME {
                break;
            }
        }
        let left: HashSet<i64> = rest.map(|p| p.seq).collect();
        let left: Vec<Taken> = taken.into_iter().filter(|t| left.contains(&t.seq)).collect();
        self.fold(&mut done);
        self.record(claim, &done, urgent).await?;
        if !left.is_empty() {
            self.lock().put_back(left);
        }
        failed.map_or(Ok(()), Err)
    }

    /// The batch's alerts that are still unrouted and due, read in one query. On PostgreSQL
    /// they are claimed (`FOR UPDATE SKIP LOCKED`, so replicas share a storm instead of routing
    /// the same alerts side by side) in the transaction that records them, and an alert whose
    /// alarm has an earlier alert another replica holds is left to it: an alarm's alerts are
    /// routed in order. On SQLite one router runs; its transaction begins when it records.
    async fn claim(&self, taken: &[Taken]) -> Result<(Option<Transaction<'static, Any>>, Vec<Pending>), ServerError> {
        let seqs: Vec<i64> = taken.iter().map(|t| t.seq).collect();
        let filter = format!("a.seq IN ({}) ORDER BY a.seq", marks(2, seqs.len()));
        if self.db.dialect == Dialect::Sqlite {
            return Ok((None, self.pending_where(&self.db.pool, &filter, &seqs).await?));
        }
        let mut tx = self.db.begin_write().await?;
        // Locked through the primary key alone, then read.
        let lock = format!(
            "SELECT seq FROM alerts WHERE seq IN ({}) AND routed_at IS NULL FOR UPDATE SKIP LOCKED",
            marks(1, seqs.len())
        );
        let mut query = sqlx::query_scalar::<_, i64>(&lock);
        for seq in &seqs {
            query = query.bind(*seq);
        }
        let mut mine: BTreeSet<i64> = query.fetch_all(&mut *tx).await?.into_iter().collect();
        if mine.is_empty() {
            return Ok((Some(tx), Vec::new()));
        }
        let mut newest: BTreeMap<Alarm, i64> = BTreeMap::new();
        for t in taken.iter().filter(|t| mine.contains(&t.seq)) {
            let seq = newest.entry(t.alarm.clone()).or_insert(t.seq);
            *seq = (*seq).max(t.seq);
        }
        mine.extend(self.claim_earlier(&mut tx, &newest).await?);
        let first = self.first_unrouted(&mut tx, newest.keys()).await?;
        let mine: Vec<i64> = mine.into_iter().collect();
        let filter = format!("a.seq IN ({}) ORDER BY a.seq", marks(2, mine.len()));
        let claimed = self.pending_where(&mut *tx, &filter, &mine).await?;
        let mine: HashSet<i64> = mine.into_iter().collect();
        let claimed = claimed.into_iter().filter(|p| first.get(&p.alarm()).is_none_or(|s| mine.contains(s))).collect();
        Ok((Some(tx), claimed))
    }

    /// Claims (PostgreSQL) the unrouted alerts of these alarms older than the newest claimed,
    /// unless another replica holds them: an alarm's alerts go in order, and one this router
    /// never queued — the door commits its batches side by side, so an alert can land behind
    /// the cursor — goes with its alarm's next batch instead of waiting for the look behind.
    async fn claim_earlier(
        &self,
        tx: &mut Transaction<'static, Any>,
        newest: &BTreeMap<Alarm, i64>,
    ) -> Result<Vec<i64>, ServerError> {
        let (filter, values) = alarm_filter(newest.keys(), 3);
        let sql = format!(
            "SELECT seq, integration_id, fingerprint FROM alerts WHERE routed_at IS NULL \
             AND (held_until IS NULL OR held_until <= $1) AND seq < $2 AND {filter} FOR UPDATE SKIP LOCKED"
        );
        let before = newest.values().max().copied().unwrap_or_default();
        let mut query =
            sqlx::query_as::<_, (i64, String, String)>(&sql).bind(self.clock.now().timestamp()).bind(before);
        for value in values {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&mut **tx).await?;
        Ok(rows
            .into_iter()
            .filter(|(seq, i, f)| newest.get(&(i.clone(), f.clone())).is_some_and(|n| seq < n))
            .map(|r| r.0)
            .collect())
    }

    /// The first unrouted due alert of each of these alarms, whoever holds it.
    async fn first_unrouted(
        &self,
        tx: &mut Transaction<'static, Any>,
        alarms: impl Iterator<Item = &Alarm>,
    ) -> Result<HashMap<Alarm, i64>, ServerError> {
        let (filter, values) = alarm_filter(alarms, 2);
        let sql = format!(
            "SELECT integration_id, fingerprint, MIN(seq) FROM alerts WHERE routed_at IS NULL \
             AND (held_until IS NULL OR held_until <= $1) AND {filter} GROUP BY integration_id, fingerprint"
        );
        let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql).bind(self.clock.now().timestamp());
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_all(&mut **tx).await?.into_iter().map(|(i, f, s)| ((i, f), s)).collect())
    }

    /// Works out what routing one alert does (calling the backend where that acts) and takes
    /// it into what the batch knows.
    async fn route(
        &self,
        p: &Pending,
        rules: &app::domain::routing::RuleSet,
        compiled: Option<&Compiled>,
        known: &mut Known,
    ) -> Result<(Evaluated, Outcome), ServerError> {
        let now = self.clock.now();
        let integration = (p.integration.0.as_str(), p.integration.1.as_str());
        let mut evaluated = match compiled {
            Some(c) => c.evaluate(&p.alert, integration, &p.payload, now),
            None => Evaluated { matched: None, trace: Vec::new() },
        };
        let matched = evaluated.matched.and_then(|i| rules.rules.get(i));
        let alarm = p.alarm();
        let acted = match (known.quiet(p, &mut evaluated, now), p.alert.status) {
            (Some(window), AlertStatus::Firing) => Ok(window),
            (Some(window), AlertStatus::Resolved) if known.open_link(&alarm).is_none() => Ok(window),
            (_, AlertStatus::Firing) => self.fire(p, matched, known).await,
            (_, AlertStatus::Resolved) if known.held_before(&alarm, p.seq) => Ok(Outcome {
                rule: matched.map(|r| r.name.clone()),
                text: RECOVERED_WHILE_HELD.into(),
                closes_held: true,
                ..Outcome::default()
            }),
            (_, AlertStatus::Resolved) => self.resolve(p, matched, &rules.rules, known).await,
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
        known.learn(&alarm, p.seq, &outcome);
        Ok((evaluated, outcome))
    }

    /// Unrouted alerts that are due (not held until later) after `seq`, oldest first.
    async fn pending_after(&self, seq: i64) -> Result<Vec<Pending>, ServerError> {
        self.pending_where(&self.db.pool, "a.seq > $2 ORDER BY a.seq LIMIT $3", &[seq, SCAN]).await
    }

    /// Unrouted due alerts by `filter`, whose placeholders from `$2` take `values`.
    async fn pending_where<'e, E: sqlx::Executor<'e, Database = Any>>(
        &self,
        executor: E,
        filter: &str,
        values: &[i64],
    ) -> Result<Vec<Pending>, ServerError> {
        let sql = format!(
            "SELECT a.id, a.integration_id, a.fingerprint, a.status, a.title, a.summary, a.severity, a.labels_json, \
             a.links_json, a.occurred_at, a.received_at, a.seq, e.body, i.name, i.kind \
             FROM alerts a JOIN inbound_events e ON e.id = a.event_id JOIN integrations i ON i.id = a.integration_id \
             WHERE a.routed_at IS NULL AND (a.held_until IS NULL OR a.held_until <= $1) AND {filter}"
        );
        let mut query = sqlx::query(&sql).bind(self.clock.now().timestamp());
        for value in values {
            query = query.bind(*value);
        }
        let rows = query.fetch_all(executor).await?;
        rows.iter().map(pending_of).collect()
    }

    async fn fire(&self, p: &Pending, rule: Option<&Rule>, known: &Known) -> Result<Outcome, ServerError> {
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
                Ok(Outcome { notices: rule.notify.clone(), notice: Notice::Pages, ..named("engaged") })
            }
            Firing::Incident { response_plan } => match known.link(&p.alarm()) {
                Some(link) if link.open && known.incident_open(&link.incident) => {
                    Ok(Outcome { incident_id: Some(link.incident.clone()), ..named("fired again") })
                }
                // Resolved in the console or in AWS since: this firing is a new episode.
                Some(link) if link.open => {
                    self.open_incident(p, rule, response_plan, link.episode + 1, Some(link.episode), known).await
                }
                Some(link) => self.open_incident(p, rule, response_plan, link.episode + 1, None, known).await,
                None => self.open_incident(p, rule, response_plan, 0, None, known).await,
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
        known: &Known,
    ) -> Result<Outcome, ServerError> {
        let token = hex::encode(
            &Sha256::digest(format!("{}\n{}\n{episode}", p.integration_id, p.alert.fingerprint).as_bytes())[..16],
        );
        let summary = app::domain::alert::incident_summary(&p.alert);
        let start = IncidentStart {
            response_plan: plan.to_owned(),
            title: Some(p.alert.title.chars().take(200).collect()),
            summary: Some(summary.clone()),
            impact: rule.impact,
            client_token: Some(format!("alert-{token}")),
            source: Some(format!("{} ({})", p.integration.1, p.integration.0)),
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
        let record = self.backend.incident_record(&incident).await.map_err(ServerError::App)?;
        let merged = linked > 0 || known.shared(&incident, &p.alarm()) || record.created_at < p.received_at;
        if !merged && record.summary != summary {
            // A backend whose start takes no summary (Incident Manager): the new incident says
            // what broke all the same.
            let update = IncidentUpdate { summary: Some(summary), ..IncidentUpdate::default() };
            self.backend.update_incident(&router_user(), &incident, update).await.map_err(ServerError::App)?;
        }
        Ok(Outcome {
            rule: Some(rule.name.clone()),
            text: if merged { "merged into an open incident" } else { "incident opened" }.into(),
            incident_id: Some(incident),
            opened: Some(episode),
            closed: closes,
            notices: rule.notify.clone(),
            // Merged or not, an incident that pages keeps its alerts' own notices.
            notice: if record.impact <= PAGING_IMPACT { Notice::Pages } else { Notice::Own },
            ..Outcome::default()
        })
    }

    async fn resolve(
        &self,
        p: &Pending,
        matched: Option<&Rule>,
        all: &[Rule],
        known: &Known,
    ) -> Result<Outcome, ServerError> {
        let link = known.open_link(&p.alarm());
        // The rule that handled the firing decides; the matching one if none did.
        let rule = link.and_then(|l| all.iter().find(|r| r.name == l.rule)).or(matched);
        let Some(rule) = rule else { return Ok(Outcome { text: "no rule matched".into(), ..Outcome::default() }) };
        let mut outcome = Outcome {
            rule: Some(rule.name.clone()),
            text: "recovery notified".into(),
            incident_id: link.map(|l| l.incident.clone()),
            notices: rule.notify.clone(),
            ..Outcome::default()
        };
        if let (true, Some(link)) = (rule.resolve_on_recovery, link) {
            let me = router_user();
            let detail = self.backend.incident(&link.incident).await.map_err(ServerError::App)?;
            for e in detail.engagements.iter().filter(|e| e.stopped_at.is_none()) {
                self.backend.stop_engagement(&me, &e.id).await.map_err(ServerError::App)?;
            }
            if detail.record.status == IncidentStatus::Open {
                let update = IncidentUpdate { status: Some(IncidentStatus::Resolved), ..IncidentUpdate::default() };
                self.backend.update_incident(&me, &link.incident, update).await.map_err(ServerError::App)?;
            }
            outcome.text = "incident resolved".into();
            outcome.closed = Some(link.episode);
            outcome.resolved_incident = true;
        }
        Ok(outcome)
    }

    /// Writes the batch's outcomes in one transaction (the claim's, on PostgreSQL): each alert
    /// marked routed with what happened, its incident link and its notices; nothing for an
    /// alert another router marked first. A batch of repeats and notices is a bulk write: on
    /// SQLite it gives way to the writes a page waits on.
    async fn record(
        &self,
        claim: Option<Transaction<'static, Any>>,
        done: &[(Pending, Evaluated, Outcome)],
        urgent: bool,
    ) -> Result<(), ServerError> {
        let mut tx = match claim {
            Some(tx) => tx,
            None if done.is_empty() => return Ok(()),
            None if urgent => self.db.begin_write().await?,
            None => self.db.begin_bulk_write().await?,
        };
        let now = self.clock.now().timestamp();
        let mut folded: BTreeMap<&str, storms::Folded> = BTreeMap::new();
        let mut routed = 0;
        for (p, evaluated, outcome) in done {
            if !record_one(&mut tx, p, evaluated, outcome, now).await? {
                continue;
            }
            routed += 1;
            if outcome.notice == Notice::Folded {
                let storm = folded.entry(&p.integration_id).or_default();
                storm.add(&p.alert.fingerprint, &p.alert.title, &outcome.notices);
            }
        }
        for (integration, storm) in folded {
            storms::fold(&mut tx, integration, &storm, now).await?;
        }
        tx.commit().await?;
        crate::metrics::alerts_routed(routed);
        Ok(())
    }
}

/// Marks one alert routed with what happened, with its incident link and its notices (unless
/// folded into a storm's); nothing if another router marked it first. True when it marked it.
async fn record_one(
    tx: &mut Transaction<'static, Any>,
    p: &Pending,
    evaluated: &Evaluated,
    o: &Outcome,
    now: i64,
) -> Result<bool, ServerError> {
    let trace = serde_json::to_string(&evaluated.trace).unwrap_or_default();
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
        .execute(&mut **tx)
        .await?;
        return Ok(false);
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
    .execute(&mut **tx)
    .await?;
    if marked.rows_affected() == 0 {
        return Ok(false);
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
        .execute(&mut **tx)
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
        .execute(&mut **tx)
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
        .execute(&mut **tx)
        .await?;
    }
    let word = match p.alert.status {
        AlertStatus::Firing => "FIRING",
        AlertStatus::Resolved => "RESOLVED",
    };
    if o.notice != Notice::Folded {
        let subject = format!("[{word}] {}", p.alert.title);
        let body = [p.alert.summary.as_str(), &p.alert.links.join("\n")].join("\n");
        crate::engine::incidents::notify(tx, &o.notices, o.incident_id.as_deref(), &subject, body.trim(), now).await?;
    }
    Ok(true)
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
        assert_eq!(backlog.take().map(|t| t.seq), Some(501), "the critical alert is next, not 500 alerts later");
        assert_eq!(backlog.take().map(|t| t.seq), Some(1), "then the storm, oldest first");
        // A suppressed firing, then its urgent recovery: the firing still goes first.
        backlog.add(600, alarm("disk"), 2);
        backlog.add(601, alarm("disk"), 0);
        assert_eq!((backlog.take().map(|t| t.seq), backlog.take().map(|t| t.seq)), (Some(600), Some(601)));
        // Seen twice (a look again from the start): queued once.
        backlog.add(2, alarm("noise-2"), 1);
        let mut rest = Vec::new();
        while let Some(seq) = backlog.take().map(|t| t.seq) {
            rest.push(seq);
        }
        assert_eq!(rest, (2..=500).collect::<Vec<_>>());
        assert!(backlog.queue.is_empty() && backlog.alarm_of.is_empty() && backlog.by_alarm.is_empty());
    }

    #[test]
    fn a_batch_holds_a_few_urgent_alerts_or_many_cheap_ones_never_both() {
        let mut backlog = Backlog::default();
        for seq in 1..=300 {
            backlog.add(seq, alarm(&format!("noise-{seq}")), NOTIFIES);
        }
        for seq in 301..=310 {
            backlog.add(seq, alarm(&format!("down-{seq}")), 0);
        }
        let mut batch = || backlog.take_batch().into_iter().map(|t| t.seq).collect::<Vec<_>>();
        assert_eq!(batch(), [301, 302, 303, 304]);
        assert_eq!(batch(), [305, 306, 307, 308]);
        assert_eq!(batch(), [309, 310], "the urgent ones only");
        assert_eq!(batch(), (1..=256).collect::<Vec<_>>());
        assert_eq!(batch(), (257..=300).collect::<Vec<_>>());
        assert!(batch().is_empty());
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
        assert_eq!(
            urgency(Some(&rule(incident.clone(), None)), firing, false, Some(1)),
            0,
            "opens a critical incident"
        );
        assert_eq!(urgency(Some(&rule(incident.clone(), None)), firing, false, Some(3)), 2, "a lesser one after");
        let mut critical = rule(incident.clone(), None);
        critical.impact = Some(1);
        assert_eq!(urgency(Some(&critical), firing, false, Some(3)), 0, "the rule's impact wins over the plan's");
        assert_eq!(urgency(Some(&rule(incident.clone(), None)), firing, true, Some(1)), NOTIFIES, "a repeat joins it");
        assert_eq!(urgency(Some(&rule(incident.clone(), None)), resolved, false, Some(1)), NOTIFIES);
        assert_eq!(urgency(Some(&rule(Firing::Engage { contact: "c".into() }, None)), firing, true, None), 0, "pages");
        assert_eq!(urgency(Some(&rule(Firing::Notify, None)), firing, false, None), NOTIFIES);
        assert_eq!(urgency(Some(&rule(Firing::Suppress, None)), firing, false, None), QUIET);
        assert_eq!(
            urgency(Some(&rule(incident, Some("Mon-Fri 09:00-18:00 UTC"))), firing, false, Some(1)),
            QUIET,
            "held"
        );
        assert_eq!(urgency(None, firing, false, None), QUIET);
    }
}
