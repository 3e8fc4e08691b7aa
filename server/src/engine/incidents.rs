//! Response plans, incidents and timelines. Starting an incident is one transaction: the record,
//! its client token, the "created" event, an engagement per contact in the plan and a notice per
//! notification target; or, for a known token or an open incident with the same dedupe string,
//! nothing new but the merge noted on that incident's timeline.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use app::domain::analytics::{IncidentFacts, PageFacts};
use app::domain::incident::{
    IncidentRecord, IncidentStatus, IncidentUpdate, NotificationTarget, ResponsePlan, TimelineEvent,
    validate_event_data, validate_impact, validate_summary, validate_title,
};
use app::error::FieldError;
use app::i18n::Msg;

use super::codec::{parse, to_json};
use super::outbox::{Outgoing, enqueue};
use super::paging::{EngagementRequest, start_in, stop_in};
use super::timeline::add_event;
use super::{Engine, Work, new_id};
use crate::audit::{self, Actor, Change};
use crate::clock::epoch;
use crate::error::{ServerError, stored};

/// What `StartIncident` takes (after SSM Incidents).
#[derive(Clone, Debug, Default)]
pub struct StartIncident {
    pub response_plan: String,
    /// Overrides the plan's template when set.
    pub title: Option<String>,
    /// Overrides the plan's summary when set: what a new incident's pages and notices say.
    pub summary: Option<String>,
    pub impact: Option<u8>,
    /// The same token twice gives one incident.
    pub client_token: Option<String>,
    /// What triggered it: `aws.cloudwatch`, `console`, …
    pub source: String,
    /// The trigger's own data (an alarm's JSON, say), kept on the timeline.
    pub raw_data: Option<String>,
}

/// Whether `start_incident` made a new incident or found one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Started {
    Created(String),
    /// The client token was seen before, or an open incident has the same dedupe string.
    Existing(String),
}

impl Started {
    pub fn id(&self) -> &str {
        match self {
            Started::Created(id) | Started::Existing(id) => id,
        }
    }
}

fn incident_from_row(r: &AnyRow) -> Result<IncidentRecord, ServerError> {
    let status: String = r.try_get("status")?;
    Ok(IncidentRecord {
        id: r.try_get("id")?,
        response_plan: r.try_get("response_plan")?,
        title: r.try_get("title")?,
        summary: r.try_get("summary")?,
        impact: u8::try_from(r.try_get::<i64, _>("impact")?)
            .map_err(|_| ServerError::Corrupt("impact", "out of range".into()))?,
        status: stored("incident status", &status, IncidentStatus::parse)?,
        dedupe_string: r.try_get("dedupe_string")?,
        source: r.try_get("source")?,
        created_at: r.try_get("created_at")?,
        resolved_at: r.try_get("resolved_at")?,
    })
}

const INCIDENT_COLUMNS: &str =
    "id, response_plan, title, summary, impact, status, dedupe_string, source, created_at, resolved_at";

/// The pages of [`Engine::incident_facts`]'s folded text (aliases have no spaces or `;`).
fn unfold_pages(folded: &str) -> Result<Vec<PageFacts>, ServerError> {
    let bad = || ServerError::Corrupt("folded pages", folded.chars().take(80).collect());
    folded
        .split(';')
        .map(|page| {
            let mut parts = page.split(' ');
            let (Some(contact), Some(sent), Some(read)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad());
            };
            Ok(PageFacts {
                contact: contact.to_owned(),
                sent_at: sent.parse().map_err(|_| bad())?,
                acked_at: if read == "-" { None } else { Some(read.parse().map_err(|_| bad())?) },
            })
        })
        .collect()
}

fn is_unique_violation(e: &ServerError) -> bool {
    matches!(e, ServerError::Db(sqlx::Error::Database(d)) if d.is_unique_violation())
}

/// Stops every engagement of an incident that is still running.
async fn stop_engagements_of(
    tx: &mut Transaction<'_, Any>,
    incident_id: &str,
    reason: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let running: Vec<String> =
        sqlx::query_scalar("SELECT id FROM engagements WHERE incident_id = $1 AND stopped_at IS NULL")
            .bind(incident_id)
            .fetch_all(&mut **tx)
            .await?;
    for engagement in running {
        stop_in(tx, &engagement, reason, now).await?;
    }
    Ok(())
}

/// Enqueues a notice to each of a plan's notification targets.
/// Puts a notice to each target in the delivery outbox, in the caller's transaction.
pub(crate) async fn notify(
    tx: &mut Transaction<'_, Any>,
    targets: &[NotificationTarget],
    incident_id: Option<&str>,
    subject: &str,
    body: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    for (i, target) in targets.iter().enumerate() {
        // The same target for a second notice of one incident is a new row: key on the event.
        let channel_id = format!("{}:{i}:{}", target.kind(), new_id());
        let message = Outgoing {
            page_id: None,
            aws_page_arn: None,
            page_stage: 0,
            incident_id,
            channel_id: &channel_id,
            kind: target.kind(),
            address: target.url(),
            subject,
            body,
            language: None,
        };
        enqueue(tx, message, at).await?;
    }
    Ok(())
}

impl Engine {
    /// Creates a response plan or replaces it.
    pub async fn put_response_plan(&self, actor: Actor<'_>, plan: ResponsePlan) -> Result<(), ServerError> {
        self.put_plan(actor, plan, None).await
    }

    /// Replaces a plan edited from the version with fingerprint `base`; refused, nothing
    /// written, when it changed since (checked inside the write).
    pub async fn update_response_plan_from(
        &self,
        actor: Actor<'_>,
        plan: ResponsePlan,
        base: &str,
    ) -> Result<(), ServerError> {
        self.put_plan(actor, plan, Some(base)).await
    }

    async fn put_plan(&self, actor: Actor<'_>, plan: ResponsePlan, base: Option<&str>) -> Result<(), ServerError> {
        plan.validate(&self.references().await?).map_err(ServerError::Invalid)?;
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let before = self.response_plan_in(&mut tx, &plan.name).await?;
        if let Some(base) = base {
            match &before {
                None => return Err(ServerError::NotFound("response plan", plan.name)),
                Some(b) if app::domain::names::fingerprint(b) != base => {
                    return Err(ServerError::App(app::error::AppError::StaleEdit));
                }
                Some(_) => {}
            }
        }
        sqlx::query(
            "INSERT INTO response_plans (name, display_name, definition_json, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (name) DO UPDATE SET display_name = $2, definition_json = $3, \
             updated_at = $4",
        )
        .bind(&plan.name)
        .bind(&plan.display_name)
        .bind(to_json(&plan))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let change = Change::put("response_plan", plan.name.clone(), before.as_ref(), &plan);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn response_plan_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        name: &str,
    ) -> Result<Option<ResponsePlan>, ServerError> {
        let json: Option<String> = sqlx::query_scalar("SELECT definition_json FROM response_plans WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
        json.map(|j| parse("response plan", &j)).transpose()
    }

    pub async fn response_plan(&self, name: &str) -> Result<ResponsePlan, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        self.response_plan_in(&mut conn, name)
            .await?
            .ok_or_else(|| ServerError::NotFound("response plan", name.to_owned()))
    }

    pub async fn response_plans(&self) -> Result<Vec<ResponsePlan>, ServerError> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT definition_json FROM response_plans ORDER BY name")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(|j| parse("response plan", j)).collect()
    }

    pub async fn delete_response_plan(&self, actor: Actor<'_>, name: &str) -> Result<(), ServerError> {
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let before = self
            .response_plan_in(&mut tx, name)
            .await?
            .ok_or_else(|| ServerError::NotFound("response plan", name.to_owned()))?;
        sqlx::query("DELETE FROM response_plans WHERE name = $1").bind(name).execute(&mut *tx).await?;
        let change = Change::deleted("response_plan", name.to_owned(), &before);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts an incident from a response plan, or finds the one this request belongs to.
    pub async fn start_incident(&self, req: StartIncident) -> Result<Started, ServerError> {
        let plan = self.check_start(&req).await?;
        // A concurrent request with the same token or dedupe string makes one of two inserts
        // fail on a unique key; the retry then finds the winner's incident.
        match self.try_start_incident(&plan, &req).await {
            Err(e) if is_unique_violation(&e) => self.try_start_incident(&plan, &req).await,
            other => other,
        }
    }

    async fn check_start(&self, req: &StartIncident) -> Result<ResponsePlan, ServerError> {
        let mut errors = Vec::new();
        let plan = match self.response_plan(&req.response_plan).await {
            Ok(plan) => Some(plan),
            Err(ServerError::NotFound(..)) => {
                errors.push(FieldError::new("response_plan", Msg::ErrUnknownResponsePlan));
                None
            }
            Err(e) => return Err(e),
        };
        if let Some(title) = &req.title {
            validate_title(title, "title", &mut errors);
        }
        if let Some(impact) = req.impact {
            validate_impact(impact, "impact", &mut errors);
        }
        if let Some(summary) = &req.summary {
            validate_summary(summary, "summary", &mut errors);
        }
        if req.source.trim().is_empty() {
            errors.push(FieldError::new("source", Msg::ErrRequired));
        }
        if req.client_token.as_ref().is_some_and(|t| t.is_empty() || t.len() > 128) {
            errors.push(FieldError::new("client_token", Msg::ErrRequired));
        }
        match plan {
            Some(plan) if errors.is_empty() => Ok(plan),
            _ => Err(ServerError::Invalid(errors)),
        }
    }

    async fn try_start_incident(&self, plan: &ResponsePlan, req: &StartIncident) -> Result<Started, ServerError> {
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        if let Some(token) = &req.client_token {
            let seen: Option<String> =
                sqlx::query_scalar("SELECT incident_id FROM incident_requests WHERE client_token = $1")
                    .bind(token)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = seen {
                tx.commit().await?;
                return Ok(Started::Existing(id));
            }
        }
        let title = req.title.clone().unwrap_or_else(|| plan.template.title.clone());
        let dedupe = Some(plan.template.dedupe_string.clone()).filter(|d| !d.is_empty());
        let open: Option<String> = match &dedupe {
            Some(d) => {
                sqlx::query_scalar("SELECT id FROM incidents WHERE status = 'open' AND dedupe_string = $1")
                    .bind(d)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let started = match open {
            Some(id) => {
                let data = serde_json::json!({"source": req.source, "title": title, "raw_data": req.raw_data});
                add_event(&mut tx, &id, "trigger_merged", &data, Some(&req.source), now).await?;
                Started::Existing(id)
            }
            None => Started::Created(self.create_incident(&mut tx, plan, req, &title, dedupe.as_deref(), now).await?),
        };
        if let Some(token) = &req.client_token {
            sqlx::query("INSERT INTO incident_requests (client_token, incident_id, created_at) VALUES ($1, $2, $3)")
                .bind(token)
                .bind(started.id())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let work = match started {
            Started::Created(_) => Work::BOTH,
            Started::Existing(_) => Work::default(),
        };
        self.commit(tx, work).await?;
        Ok(started)
    }

    async fn create_incident(
        &self,
        tx: &mut Transaction<'_, Any>,
        plan: &ResponsePlan,
        req: &StartIncident,
        title: &str,
        dedupe: Option<&str>,
        now: i64,
    ) -> Result<String, ServerError> {
        let id = new_id();
        let impact = req.impact.unwrap_or(plan.template.impact);
        let summary = req.summary.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or(&plan.template.summary);
        sqlx::query(
            "INSERT INTO incidents (id, response_plan, title, summary, impact, status, dedupe_string, source, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(&plan.name)
        .bind(title)
        .bind(summary)
        .bind(i64::from(impact))
        .bind(dedupe)
        .bind(&req.source)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        let data = serde_json::json!({
            "title": title, "impact": impact, "response_plan": plan.name, "source": req.source, "raw_data": req.raw_data,
        });
        add_event(tx, &id, "incident_created", &data, Some(&req.source), now).await?;
        let content = if summary.is_empty() { title } else { summary };
        for contact in &plan.engagements {
            let engagement = EngagementRequest {
                contact: contact.clone(),
                sender: format!("incident {}", plan.name),
                subject: app::domain::incident::page_subject(impact, title),
                content: content.to_owned(),
                public_subject: None,
                public_content: None,
                incident_id: Some(id.clone()),
                idempotency_token: Some(format!("{id}:{contact}")),
            };
            start_in(tx, &engagement, now).await?;
        }
        let subject = format!("Incident opened [Impact {impact}]: {title}");
        notify(tx, &plan.notification_targets, Some(&id), &subject, content, now).await?;
        Ok(id)
    }

    pub async fn incident(&self, id: &str) -> Result<IncidentRecord, ServerError> {
        let row = sqlx::query(&format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or_else(|| ServerError::NotFound("incident", id.to_owned()))?;
        incident_from_row(&row)
    }

    /// Which of these incidents are open, in one read.
    pub async fn open_incidents(&self, ids: &[String]) -> Result<std::collections::HashSet<String>, ServerError> {
        if ids.is_empty() {
            return Ok(std::collections::HashSet::new());
        }
        let sql =
            format!("SELECT id FROM incidents WHERE status = 'open' AND id IN ({})", crate::db::marks(1, ids.len()));
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for id in ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(&self.db.pool).await?.into_iter().collect())
    }

    /// The newest incidents first; only open or resolved ones when `status` is set.
    pub async fn incidents(
        &self,
        status: Option<IncidentStatus>,
        limit: u32,
    ) -> Result<Vec<IncidentRecord>, ServerError> {
        let rows = sqlx::query(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE (CAST($1 AS TEXT) IS NULL OR status = $1) \
             ORDER BY created_at DESC, id LIMIT $2"
        ))
        .bind(status.map(IncidentStatus::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(incident_from_row).collect()
    }

    /// The incidents opened in `[from, to)` with their pages, in one query: each incident's
    /// pages come folded into one text (`alias sent read;…`), as a row per page costs more to
    /// hand over than to parse (analytics reads months of incidents at once).
    pub async fn incident_facts(&self, from: i64, to: i64) -> Result<Vec<IncidentFacts>, ServerError> {
        let fold = match self.db.dialect {
            crate::db::Dialect::Sqlite => "group_concat",
            crate::db::Dialect::Postgres => "string_agg",
        };
        let rows = sqlx::query(&format!(
            "SELECT i.response_plan, i.created_at, i.resolved_at, folded.pages FROM incidents i LEFT JOIN ( \
               SELECT e.incident_id, {fold}(p.contact_alias || ' ' || CAST(p.sent_at AS TEXT) || ' ' || \
                 COALESCE(CAST(p.read_at AS TEXT), '-'), ';') AS pages \
               FROM engagements e JOIN pages p ON p.engagement_id = e.id \
               WHERE e.incident_id IN (SELECT id FROM incidents WHERE created_at >= $1 AND created_at < $2) \
               GROUP BY e.incident_id) folded ON folded.incident_id = i.id \
             WHERE i.created_at >= $1 AND i.created_at < $2 ORDER BY i.created_at, i.id"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let folded: Option<String> = r.try_get("pages")?;
                Ok(IncidentFacts {
                    plan: r.try_get("response_plan")?,
                    created_at: r.try_get("created_at")?,
                    resolved_at: r.try_get("resolved_at")?,
                    pages: folded.as_deref().map_or(Ok(Vec::new()), unfold_pages)?,
                })
            })
            .collect()
    }

    /// Changes title, summary, impact or status. Resolving stops the incident's engagements and
    /// tells its notification targets; every change lands on the timeline.
    pub async fn update_incident(
        &self,
        actor: Actor<'_>,
        id: &str,
        update: IncidentUpdate,
    ) -> Result<IncidentRecord, ServerError> {
        let mut errors = Vec::new();
        if let Some(title) = &update.title {
            validate_title(title, "title", &mut errors);
        }
        if let Some(summary) = &update.summary {
            validate_summary(summary, "summary", &mut errors);
        }
        if let Some(impact) = update.impact {
            validate_impact(impact, "impact", &mut errors);
        }
        if !errors.is_empty() {
            return Err(ServerError::Invalid(errors));
        }
        let now = epoch(self.now());
        let who = actor.name();
        let mut tx = self.db.begin_write().await?;
        // Locked until the commit, so a summary edit's check and write are one step.
        let lock = match self.db.dialect {
            crate::db::Dialect::Postgres => " FOR UPDATE",
            crate::db::Dialect::Sqlite => "",
        };
        let row = sqlx::query(&format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1{lock}"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| ServerError::NotFound("incident", id.to_owned()))?;
        let before = incident_from_row(&row)?;
        if update.summary_base.as_ref().is_some_and(|base| *base != before.summary) {
            return Err(ServerError::App(app::error::AppError::StaleEdit));
        }
        let after = IncidentRecord {
            title: update.title.clone().unwrap_or_else(|| before.title.clone()),
            summary: update.summary.clone().unwrap_or_else(|| before.summary.clone()),
            impact: update.impact.unwrap_or(before.impact),
            status: update.status.unwrap_or(before.status),
            resolved_at: match update.status {
                Some(IncidentStatus::Resolved) => before.resolved_at.or(Some(now)),
                Some(IncidentStatus::Open) => None,
                None => before.resolved_at,
            },
            ..before.clone()
        };
        if after == before {
            tx.commit().await?;
            return Ok(before);
        }
        sqlx::query(
            "UPDATE incidents SET title = $1, summary = $2, impact = $3, status = $4, resolved_at = $5, updated_at = $6 \
             WHERE id = $7",
        )
        .bind(&after.title)
        .bind(&after.summary)
        .bind(i64::from(after.impact))
        .bind(after.status.as_str())
        .bind(after.resolved_at)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            // Reopening while another incident with the same dedupe string is open.
            sqlx::Error::Database(d) if d.is_unique_violation() => ServerError::Conflict("open incident", id.to_owned()),
            _ => ServerError::Db(e),
        })?;
        let changes = serde_json::json!({
            "title": (after.title != before.title).then_some(&after.title),
            "summary": (after.summary != before.summary).then_some(&after.summary),
            "impact": (after.impact != before.impact).then_some(after.impact),
        });
        if changes.as_object().is_some_and(|m| m.values().any(|v| !v.is_null())) {
            add_event(&mut tx, id, "incident_updated", &changes, Some(&who), now).await?;
        }
        if after.status != before.status {
            let data = serde_json::json!({"from": before.status.as_str(), "to": after.status.as_str()});
            add_event(&mut tx, id, "status_changed", &data, Some(&who), now).await?;
            if after.status == IncidentStatus::Resolved {
                self.on_resolved(&mut tx, &after, now).await?;
            }
        }
        let change = Change::updated("incident", id.to_owned(), &before, &after);
        audit::record(&mut tx, actor, now, change).await?;
        let resolved = after.status != before.status && after.status == IncidentStatus::Resolved;
        self.commit(tx, if resolved { Work::DELIVERIES } else { Work::default() }).await?;
        Ok(after)
    }

    /// Nobody is paged for a resolved incident; its chat and webhook targets hear of the recovery.
    async fn on_resolved(
        &self,
        tx: &mut Transaction<'_, Any>,
        incident: &IncidentRecord,
        now: i64,
    ) -> Result<(), ServerError> {
        stop_engagements_of(tx, &incident.id, app::domain::stop_reason::RESOLVED, now).await?;
        if let Some(plan) = self.response_plan_in(tx, &incident.response_plan).await? {
            let subject = format!("Incident resolved: {}", incident.title);
            notify(tx, &plan.notification_targets, Some(&incident.id), &subject, &incident.summary, now).await?;
        }
        Ok(())
    }

    /// Adds a custom event (a note, a finding, an action taken) to an incident's timeline.
    pub async fn add_timeline_event(
        &self,
        actor: Actor<'_>,
        incident_id: &str,
        event_time: Option<i64>,
        text: &str,
    ) -> Result<String, ServerError> {
        validate_event_data(text).map_err(ServerError::Invalid)?;
        self.incident(incident_id).await?;
        let now = epoch(self.now());
        let who = actor.name();
        let mut tx = self.db.begin_write().await?;
        let data = serde_json::json!({ "text": text });
        let id = add_event(&mut tx, incident_id, "custom", &data, Some(&who), event_time.unwrap_or(now)).await?;
        audit::record(&mut tx, actor, now, Change::created("timeline_event", &id, &data)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Rewrites a custom event's text or time; automatic events are the record and stay as written.
    pub async fn update_timeline_event(
        &self,
        actor: Actor<'_>,
        incident_id: &str,
        event_id: &str,
        event_time: Option<i64>,
        text: &str,
    ) -> Result<(), ServerError> {
        validate_event_data(text).map_err(ServerError::Invalid)?;
        let before = self.custom_event(incident_id, event_id).await?;
        let now = epoch(self.now());
        // The note keeps naming its author; who rewrote it is said beside it.
        let editor = actor.name();
        let data = if before.created_by.as_deref() == Some(editor.as_str()) {
            serde_json::json!({ "text": text })
        } else {
            serde_json::json!({ "text": text, "edited_by": editor })
        }
        .to_string();
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE timeline_events SET event_data = $1, event_time = $2 WHERE id = $3")
            .bind(&data)
            .bind(event_time.unwrap_or(before.event_time))
            .bind(event_id.parse::<i64>().unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        let after = TimelineEvent { data, event_time: event_time.unwrap_or(before.event_time), ..before.clone() };
        let change = Change::updated("timeline_event", event_id.to_owned(), &before, &after);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a custom event.
    pub async fn delete_timeline_event(
        &self,
        actor: Actor<'_>,
        incident_id: &str,
        event_id: &str,
    ) -> Result<(), ServerError> {
        let before = self.custom_event(incident_id, event_id).await?;
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM timeline_events WHERE id = $1")
            .bind(event_id.parse::<i64>().unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        let change = Change::deleted("timeline_event", event_id.to_owned(), &before);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn custom_event(&self, incident_id: &str, event_id: &str) -> Result<TimelineEvent, ServerError> {
        let event = self.timeline(incident_id).await?.into_iter().find(|e| e.id == event_id);
        match event {
            Some(e) if e.event_type == "custom" => Ok(e),
            Some(_) => Err(ServerError::invalid("event_id", Msg::ErrAutomaticEvent)),
            None => Err(ServerError::NotFound("timeline event", event_id.to_owned())),
        }
    }

    /// Deletes an incident record with its timeline. Its engagements stop and stay in the
    /// paging history, no longer tied to an incident.
    pub async fn delete_incident(&self, actor: Actor<'_>, id: &str) -> Result<(), ServerError> {
        let before = self.incident(id).await?;
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        stop_engagements_of(&mut tx, id, "incident deleted", now).await?;
        for sql in [
            "UPDATE engagements SET incident_id = NULL WHERE incident_id = $1",
            "UPDATE deliveries SET incident_id = NULL WHERE incident_id = $1",
            "DELETE FROM timeline_events WHERE incident_id = $1",
            "DELETE FROM incident_links WHERE incident_id = $1",
            "DELETE FROM incident_requests WHERE incident_id = $1",
            "DELETE FROM incidents WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let change = Change::deleted("incident", id.to_owned(), &before);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn timeline(&self, incident_id: &str) -> Result<Vec<TimelineEvent>, ServerError> {
        let rows = sqlx::query(
            "SELECT id, incident_id, event_type, event_time, event_data, created_by FROM timeline_events \
             WHERE incident_id = $1 ORDER BY event_time, id",
        )
        .bind(incident_id)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TimelineEvent {
                    id: r.try_get::<i64, _>("id")?.to_string(),
                    incident_id: r.try_get("incident_id")?,
                    event_type: r.try_get("event_type")?,
                    event_time: r.try_get("event_time")?,
                    data: r.try_get("event_data")?,
                    created_by: r.try_get("created_by")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(ServerError::from)
    }

    /// Whether any response plan engages `alias` (it may not be deleted then).
    pub(crate) async fn engaged_by_plan(&self, alias: &str) -> Result<bool, ServerError> {
        Ok(self.response_plans().await?.iter().any(|p| p.engages(alias)))
    }
}
