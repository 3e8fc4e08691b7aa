//! What routing a batch of alerts needs to know beyond the alerts themselves: each alarm's newest
//! incident link, which of those incidents are open, the firings held for working hours and the
//! maintenance windows in force. Read once per batch (a few queries, whatever its size) after
//! the batch is claimed, and kept up to date as its alerts are routed, so a repeat routed after
//! the firing that opened an incident in the same batch joins that incident.

use std::collections::{BTreeSet, HashMap, HashSet};

use app::model::alerts::TraceStep;
use sqlx::Row;

use super::eval::{Compiled, Evaluated};
use super::maintenance::{InForce, Maintenance};
use super::outcome::{Alarm, IN_MAINTENANCE, Outcome, Pending};
use crate::db::marks;
use crate::error::ServerError;

/// An alarm's newest link to an incident.
#[derive(Clone, Debug)]
pub struct Link {
    pub episode: i64,
    pub incident: String,
    /// The rule that opened it (its recovery follows that rule).
    pub rule: String,
    /// Not closed by a recovery yet.
    pub open: bool,
}

pub struct Known {
    links: HashMap<Alarm, Link>,
    /// The linked incidents that are open in the backend.
    open_incidents: HashSet<String>,
    /// Each alarm's firings held for working hours (seq).
    held: HashMap<Alarm, BTreeSet<i64>>,
    windows: Vec<InForce>,
    /// The windows' conditions compiled (none when there are none, or one does not compile).
    windows_compiled: Option<Compiled>,
}

impl Known {
    /// Reads what routing these alarms needs: one query each for links, held firings (only if
    /// one of them recovers) and windows, and one backend call for the incidents' status.
    pub async fn read(
        db: &crate::db::Db,
        backend: &dyn app::ports::Backend,
        now: chrono::DateTime<chrono::Utc>,
        alarms: &BTreeSet<Alarm>,
        any_recovery: bool,
    ) -> Result<Known, ServerError> {
        let pool = &db.pool;
        let mut links: HashMap<Alarm, Link> = HashMap::new();
        for r in alarm_rows(
            pool,
            "SELECT integration_id, fingerprint, episode, incident_id, rule, closed_at FROM alert_incidents WHERE",
            alarms,
        )
        .await?
        {
            let alarm: Alarm = (r.try_get("integration_id")?, r.try_get("fingerprint")?);
            if !alarms.contains(&alarm) {
                continue;
            }
            let closed: Option<i64> = r.try_get("closed_at")?;
            let link = Link {
                episode: r.try_get("episode")?,
                incident: r.try_get("incident_id")?,
                rule: r.try_get("rule")?,
                open: closed.is_none(),
            };
            if links.get(&alarm).is_none_or(|l| l.episode < link.episode) {
                links.insert(alarm, link);
            }
        }
        let linked: Vec<String> = links
            .values()
            .filter(|l| l.open)
            .map(|l| l.incident.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let open_incidents = backend.open_incidents(&linked).await.map_err(ServerError::App)?;
        let mut held: HashMap<Alarm, BTreeSet<i64>> = HashMap::new();
        if any_recovery {
            let rows = alarm_rows(
                pool,
                "SELECT integration_id, fingerprint, seq FROM alerts WHERE routed_at IS NULL AND held_until IS NOT NULL AND",
                alarms,
            )
            .await?;
            for r in rows {
                let alarm: Alarm = (r.try_get("integration_id")?, r.try_get("fingerprint")?);
                if alarms.contains(&alarm) {
                    held.entry(alarm).or_default().insert(r.try_get("seq")?);
                }
            }
        }
        let windows = Maintenance { db: db.clone() }.in_force(now.timestamp()).await?;
        let windows_compiled = if windows.is_empty() {
            None
        } else {
            Compiled::conditions(windows.iter().map(|w| (w.note.as_str(), w.condition.as_str()))).ok()
        };
        Ok(Known { links, open_incidents, held, windows, windows_compiled })
    }

    pub fn link(&self, alarm: &Alarm) -> Option<&Link> {
        self.links.get(alarm)
    }

    /// The alarm's open link, if its newest one is.
    pub fn open_link(&self, alarm: &Alarm) -> Option<&Link> {
        self.links.get(alarm).filter(|l| l.open)
    }

    pub fn incident_open(&self, incident: &str) -> bool {
        self.open_incidents.contains(incident)
    }

    /// Another alarm linked to this incident (a plan's dedupe string merged them).
    pub fn shared(&self, incident: &str, alarm: &Alarm) -> bool {
        self.links.iter().any(|(a, l)| a != alarm && l.incident == incident)
    }

    /// Whether an earlier firing of this alarm is still held by its rule.
    pub fn held_before(&self, alarm: &Alarm, seq: i64) -> bool {
        self.held.get(alarm).is_some_and(|h| h.range(..seq).next().is_some())
    }

    /// The first maintenance window in force whose condition matches the alert, as an outcome;
    /// its answer leads the trace.
    pub fn quiet(&self, p: &Pending, evaluated: &mut Evaluated, now: chrono::DateTime<chrono::Utc>) -> Option<Outcome> {
        let compiled = self.windows_compiled.as_ref()?;
        let integration = (p.integration.0.as_str(), p.integration.1.as_str());
        let found = compiled.evaluate(&p.alert, integration, &p.payload, now);
        let window = found.matched.and_then(|i| self.windows.get(i))?;
        let step = TraceStep { rule: format!("maintenance: {}", window.note), result: "matched".into(), problem: None };
        evaluated.trace.insert(0, step);
        Some(Outcome {
            rule: Some(format!("maintenance: {}", window.note)),
            text: IN_MAINTENANCE.into(),
            maintenance: Some(window.id.clone()),
            ..Outcome::default()
        })
    }

    /// Takes in what routing one alert did, for the alerts after it.
    pub fn learn(&mut self, alarm: &Alarm, seq: i64, o: &Outcome) {
        if o.held_until.is_some() {
            self.held.entry(alarm.clone()).or_default().insert(seq);
        }
        if o.closes_held
            && let Some(held) = self.held.get_mut(alarm)
        {
            held.retain(|s| *s > seq);
        }
        if let (Some(closed), Some(link)) = (o.closed, self.links.get_mut(alarm))
            && link.episode == closed
        {
            link.open = false;
            if o.resolved_incident {
                self.open_incidents.remove(&link.incident);
            }
        }
        if let (Some(episode), Some(incident)) = (o.opened, &o.incident_id) {
            let rule = o.rule.clone().unwrap_or_default();
            self.links.insert(alarm.clone(), Link { episode, incident: incident.clone(), rule, open: true });
            self.open_incidents.insert(incident.clone());
        }
    }
}

/// Rows of `select … WHERE` narrowed to these alarms (both lists, so the read goes through the
/// (integration, fingerprint) indexes); the caller drops pairs that are not among them.
pub(super) async fn alarm_rows(
    pool: &sqlx::AnyPool,
    select_where: &str,
    alarms: &BTreeSet<Alarm>,
) -> Result<Vec<sqlx::any::AnyRow>, ServerError> {
    if alarms.is_empty() {
        return Ok(Vec::new());
    }
    let (filter, values) = alarm_filter(alarms.iter(), 1);
    let sql = format!("{select_where} {filter}");
    let mut query = sqlx::query(&sql);
    for value in values {
        query = query.bind(value);
    }
    Ok(query.fetch_all(pool).await?)
}

/// `integration_id IN (…) AND fingerprint IN (…)` for these alarms, placeholders from `$from`,
/// and the values to bind (a superset when several integrations are involved: callers keep
/// only their alarms' rows).
pub(super) fn alarm_filter<'a>(alarms: impl Iterator<Item = &'a Alarm>, from: usize) -> (String, Vec<&'a str>) {
    let mut integrations = BTreeSet::new();
    let mut fingerprints = BTreeSet::new();
    for (i, f) in alarms {
        integrations.insert(i.as_str());
        fingerprints.insert(f.as_str());
    }
    let filter = format!(
        "integration_id IN ({}) AND fingerprint IN ({})",
        marks(from, integrations.len()),
        marks(from + integrations.len(), fingerprints.len())
    );
    (filter, integrations.into_iter().chain(fingerprints).collect())
}
