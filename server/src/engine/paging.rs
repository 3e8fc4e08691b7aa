//! Engagements and paging. Starting an engagement writes its first step; a worker claims due
//! steps one at a time, and each step's pages, deliveries, receipts, next step and completion
//! commit in one transaction. So a crash or restart never skips or repeats a page, and on
//! PostgreSQL (`FOR UPDATE SKIP LOCKED`) several replicas never run the same step twice.

use chrono::{DateTime, Utc};
use sqlx::{Any, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

use std::collections::HashMap;

use app::domain::contact::{Contact, ContactChannel, ContactType, Target};
use app::domain::delivery::{DeliveryKind, ReceiptKind};
use app::i18n::{Locale, Msg};

pub use super::EngagementRequest;
use super::contacts::{channels_in, contact_in};
use super::links::language_in;
use super::outbox::{Outgoing, enqueue};
use super::receipts::insert_receipt;
use super::rotations::on_call_in;
use super::timeline::add_event;
use super::{Engine, QueuedStart, Work, accept_code, new_id};
use crate::audit::{self, Actor, Change};
use crate::clock::{epoch, from_epoch};
use crate::db::Dialect;
use crate::error::{ServerError, stored};

/// Steps claimed and run in one transaction: large enough to drain a burst in few commits,
/// small enough that one transaction stays short.
const STEP_BATCH: i64 = 64;
/// Escalation workers per process on PostgreSQL.
const POSTGRES_STEP_WORKERS: usize = 4;
/// Engagement starts written in one transaction at most.
const START_BATCH: usize = 256;
/// The safety poll, for steps that come due with time rather than with a commit.
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptType {
    Delivered,
    Read,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageView {
    pub id: String,
    pub engagement_id: String,
    pub contact: String,
    pub stage_index: i64,
    pub sent_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub accept_code: String,
}

/// An engagement with its message, as DescribeEngagement shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngagementDetail {
    pub summary: EngagementSummary,
    pub public_subject: Option<String>,
    pub public_content: Option<String>,
}

const PAGE_COLUMNS: &str = "id, engagement_id, contact_alias, stage_index, sent_at, delivered_at, read_at, accept_code";

fn page_from_row(r: &sqlx::any::AnyRow) -> Result<PageView, sqlx::Error> {
    Ok(PageView {
        id: r.try_get("id")?,
        engagement_id: r.try_get("engagement_id")?,
        contact: r.try_get("contact_alias")?,
        stage_index: r.try_get("stage_index")?,
        sent_at: from_epoch(r.try_get("sent_at")?),
        delivered_at: r.try_get::<Option<i64>, _>("delivered_at")?.map(from_epoch),
        read_at: r.try_get::<Option<i64>, _>("read_at")?.map(from_epoch),
        accept_code: r.try_get("accept_code")?,
    })
}

const ENGAGEMENT_COLUMNS: &str = "id, contact_alias, sender, subject, content, public_subject, public_content, \
     incident_id, started_at, stopped_at, stop_reason";

fn engagement_from_row(r: &sqlx::any::AnyRow) -> Result<EngagementSummary, sqlx::Error> {
    Ok(EngagementSummary {
        id: r.try_get("id")?,
        contact: r.try_get("contact_alias")?,
        sender: r.try_get("sender")?,
        subject: r.try_get("subject")?,
        incident_id: r.try_get("incident_id")?,
        started_at: from_epoch(r.try_get("started_at")?),
        stopped_at: r.try_get::<Option<i64>, _>("stopped_at")?.map(from_epoch),
        stop_reason: r.try_get("stop_reason")?,
        content: r.try_get("content")?,
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryView {
    pub contact: String,
    pub channel_kind: String,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngagementSummary {
    pub id: String,
    pub contact: String,
    pub sender: String,
    pub subject: String,
    pub content: String,
    pub incident_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub stop_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptView {
    pub page_id: String,
    pub contact: String,
    /// The channel it concerns; none for acknowledgements and stops.
    pub channel_id: Option<String>,
    pub kind: ReceiptKind,
    pub info: Option<String>,
    pub at: DateTime<Utc>,
}

struct Step {
    id: i64,
    engagement_id: String,
    page_id: Option<String>,
    stage_index: i64,
    due_at: i64,
}

struct EngagementRow {
    id: String,
    contact_alias: String,
    subject: String,
    content: String,
    public_subject: Option<String>,
    public_content: Option<String>,
    incident_id: Option<String>,
    stopped: bool,
}

fn required(field: &str, value: &str, errors: &mut Vec<app::error::FieldError>) {
    if value.trim().is_empty() {
        errors.push(app::error::FieldError::new(field, Msg::ErrRequired));
    }
}

impl Engine {
    /// Starts engaging a contact; returns the engagement id (the existing one for a repeated
    /// token). The request is checked here, then written with whatever other starts are waiting
    /// (see `group_starts`).
    pub async fn start_engagement(&self, req: EngagementRequest) -> Result<String, ServerError> {
        self.check_engagement(&req).await?;
        let (reply, answer) = oneshot::channel();
        let queue = self.starts.get_or_init(|| {
            let (queue, waiting) = mpsc::unbounded_channel();
            tokio::spawn(self.clone().group_starts(waiting));
            queue
        });
        queue.send(QueuedStart { req, reply }).map_err(|_| ServerError::Stopped)?;
        answer.await.map_err(|_| ServerError::Stopped)?
    }

    /// Group commit: every start waiting when the previous commit ends goes into the next
    /// transaction. On SQLite each commit waits for the disk, so a burst of 1,000 costs a few
    /// dozen commits instead of 1,000; each start has its own savepoint, so one that fails is
    /// rolled back alone.
    async fn group_starts(self, mut waiting: mpsc::UnboundedReceiver<QueuedStart>) {
        let mut batch = Vec::new();
        while waiting.recv_many(&mut batch, START_BATCH).await > 0 {
            let now = epoch(self.now());
            match self.start_together(&batch, now).await {
                Ok(results) => {
                    for (queued, result) in batch.drain(..).zip(results) {
                        let _ = queued.reply.send(result);
                    }
                }
                // The transaction itself failed: each start alone, with its own answer.
                Err(e) => {
                    tracing::warn!(error = %e, starts = batch.len(), "a group of engagement starts failed; starting them one by one");
                    for queued in batch.drain(..) {
                        let _ = queued.reply.send(self.start_alone(&queued.req, now).await);
                    }
                }
            }
        }
    }

    async fn start_together(
        &self,
        batch: &[QueuedStart],
        now: i64,
    ) -> Result<Vec<Result<String, ServerError>>, ServerError> {
        let mut tx = self.db.begin_write().await?;
        let mut results = Vec::with_capacity(batch.len());
        for queued in batch {
            sqlx::query("SAVEPOINT start_engagement").execute(&mut *tx).await?;
            let result = start_in(&mut tx, &queued.req, now).await;
            if result.is_err() {
                sqlx::query("ROLLBACK TO SAVEPOINT start_engagement").execute(&mut *tx).await?;
            }
            sqlx::query("RELEASE SAVEPOINT start_engagement").execute(&mut *tx).await?;
            results.push(result);
        }
        self.commit(tx, Work::STEPS).await?;
        Ok(results)
    }

    async fn start_alone(&self, req: &EngagementRequest, now: i64) -> Result<String, ServerError> {
        let mut tx = self.db.begin_write().await?;
        let id = start_in(&mut tx, req, now).await?;
        self.commit(tx, Work::STEPS).await?;
        Ok(id)
    }

    /// The request's own mistakes, each against its field. An unknown contact is one; a
    /// database that does not answer is not (it is the server's failure, reported as such).
    pub(crate) async fn check_engagement(&self, req: &EngagementRequest) -> Result<(), ServerError> {
        let mut errors = Vec::new();
        required("sender", &req.sender, &mut errors);
        required("subject", &req.subject, &mut errors);
        required("content", &req.content, &mut errors);
        match self.contact(&req.contact).await {
            Ok(_) => {}
            Err(ServerError::NotFound(..)) => {
                errors.push(app::error::FieldError::new("contact", Msg::ErrUnknownContact));
            }
            Err(e) => return Err(e),
        }
        if errors.is_empty() { Ok(()) } else { Err(ServerError::Invalid(errors)) }
    }

    /// Runs every step that is due now, in batches; returns how many ran.
    pub async fn run_due(&self) -> Result<usize, ServerError> {
        let mut ran = 0;
        loop {
            let n = match self.run_batch(STEP_BATCH).await {
                Ok(n) => n,
                // One bad step must not hold up the others: run them one by one.
                Err(e) => {
                    tracing::warn!(error = %e, "a batch of escalation steps failed; running them one by one");
                    self.run_batch(1).await?
                }
            };
            ran += n;
            if n == 0 {
                return Ok(ran);
            }
            // A full batch: there is likely more, so a peer worker (if any) joins in.
            if i64::try_from(n).is_ok_and(|n| n == STEP_BATCH) {
                self.signals.steps.notify_one();
            }
        }
    }

    /// Claims up to `limit` due steps and runs them in one transaction: their pages,
    /// deliveries, receipts, next steps and completion commit together, or not at all.
    async fn run_batch(&self, limit: i64) -> Result<usize, ServerError> {
        let now = epoch(self.now());
        let lock = if self.db.dialect == Dialect::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        let claim = format!(
            "UPDATE engine_steps SET claimed_at = $1, done_at = $1 WHERE id IN (SELECT id FROM engine_steps \
             WHERE done_at IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2 {lock}) \
             RETURNING id, engagement_id, page_id, stage_index, due_at"
        );
        let mut tx = self.db.begin_write().await?;
        let rows = sqlx::query(&claim).bind(now).bind(limit).fetch_all(&mut *tx).await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(0);
        }
        let mut steps: Vec<Step> = rows
            .iter()
            .map(|row| {
                Ok(Step {
                    id: row.try_get("id")?,
                    engagement_id: row.try_get("engagement_id")?,
                    page_id: row.try_get("page_id")?,
                    stage_index: row.try_get("stage_index")?,
                    due_at: row.try_get("due_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        steps.sort_by_key(|s| (s.due_at, s.id));
        // The claim marked them done: that holds only if everything below commits with it.
        let mut work = Work::default();
        let mut known = Lookups::default();
        for step in &steps {
            let engagement = load_engagement(&mut tx, &step.engagement_id).await?;
            if !engagement.stopped {
                let made = match &step.page_id {
                    None => Self::contact_stage(&mut tx, &mut known, &engagement, step).await?,
                    Some(page_id) => Self::personal_stage(&mut tx, &mut known, &engagement, page_id, step).await?,
                };
                work.steps |= made.steps;
                work.deliveries |= made.deliveries;
            }
        }
        self.commit(tx, work).await?;
        Ok(steps.len())
    }

    /// A stage of the engaged contact's own plan: page people, schedule the next stage. Reads go
    /// through the step's transaction, so they never wait for the write lock it holds.
    async fn contact_stage(
        tx: &mut Transaction<'_, Any>,
        known: &mut Lookups,
        e: &EngagementRow,
        step: &Step,
    ) -> Result<Work, ServerError> {
        // A contact deleted since the engagement started has nobody left to page.
        let Some(contact) = known.contact(tx, &e.contact_alias).await? else { return Ok(Work::default()) };
        let at = from_epoch(step.due_at);
        let mut paged = false;
        match contact.kind {
            ContactType::Personal | ContactType::OncallSchedule if step.stage_index == 0 => {
                for person in known.on_call(tx, &contact, at).await? {
                    paged |= page_person(tx, e, &person, 0, true, step.due_at).await?;
                }
            }
            ContactType::Escalation => {
                let Some(stage) = usize::try_from(step.stage_index).ok().and_then(|i| contact.plan.stages.get(i))
                else {
                    return Ok(Work::default());
                };
                for target in &stage.targets {
                    let Target::Contact { contact_id, essential } = target else { continue };
                    let Some(target) = known.contact(tx, contact_id).await? else { continue };
                    for person in known.on_call(tx, &target, at).await? {
                        paged |= page_person(tx, e, &person, step.stage_index, *essential, step.due_at).await?;
                    }
                }
                if usize::try_from(step.stage_index + 1).is_ok_and(|next| next < contact.plan.stages.len()) {
                    let due = step.due_at + i64::from(stage.duration_minutes) * 60;
                    insert_step(tx, &e.id, None, step.stage_index + 1, due).await?;
                }
            }
            _ => {}
        }
        // A newly paged person's own plan starts with a step due now.
        Ok(Work { steps: paged, deliveries: false })
    }

    /// A stage of a paged person's engagement plan: one delivery per activated channel.
    async fn personal_stage(
        tx: &mut Transaction<'_, Any>,
        known: &mut Lookups,
        e: &EngagementRow,
        page_id: &str,
        step: &Step,
    ) -> Result<Work, ServerError> {
        let page = sqlx::query("SELECT contact_alias, read_at FROM pages WHERE id = $1")
            .bind(page_id)
            .fetch_one(&mut **tx)
            .await?;
        if page.try_get::<Option<i64>, _>("read_at")?.is_some() {
            return Ok(Work::default()); // acknowledged: the rest of their plan is not needed
        }
        let person: String = page.try_get("contact_alias")?;
        let Some(contact) = known.contact(tx, &person).await? else { return Ok(Work::default()) };
        let channels = known.channels(tx, &person).await?;
        let language = known.language(tx, &person).await?;
        let (stage, next) = stage_channels(&contact, step.stage_index, &channels);
        let mut work = Work::default();
        for channel in stage.into_iter().filter(|c| c.activated) {
            let sms = channel.kind == app::domain::contact::ChannelType::Sms;
            let subject = if sms { e.public_subject.as_ref().unwrap_or(&e.subject) } else { &e.subject };
            let content = if sms { e.public_content.as_ref().unwrap_or(&e.content) } else { &e.content };
            // The subject and content as given; the sender writes them into the person's
            // message with the code and their personal link (see `messages`).
            let message = Outgoing {
                page_id: Some(page_id),
                aws_page_arn: None,
                page_stage: step.stage_index,
                incident_id: None,
                channel_id: &channel.id,
                kind: DeliveryKind::from(channel.kind),
                address: &channel.address,
                subject,
                body: content,
                language,
            };
            enqueue(tx, message, step.due_at).await?;
            insert_receipt(tx, page_id, Some(&channel.id), ReceiptKind::Sent, None, step.due_at).await?;
            work.deliveries = true;
        }
        if let Some(minutes) = next {
            insert_step(tx, &e.id, Some(page_id), step.stage_index + 1, step.due_at + i64::from(minutes) * 60).await?;
        }
        Ok(work)
    }

    /// Acknowledges a page. With `enforce_code`, the code must be the one sent with the page.
    /// Reading an essential page stops the whole engagement. `note` says how (SSM's receipt
    /// info: "via link", "by SMS reply"); it goes on the receipts and the timeline.
    pub async fn accept_page(
        &self,
        page_id: &str,
        accept: AcceptType,
        code: &str,
        enforce_code: bool,
        note: Option<&str>,
    ) -> Result<(), ServerError> {
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "UPDATE pages SET delivered_at = COALESCE(delivered_at, $1) WHERE id = $2 \
             RETURNING engagement_id, contact_alias, essential, accept_code, read_at",
        )
        .bind(now)
        .bind(page_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ServerError::NotFound("page", page_id.to_owned()))?;
        let expected: String = row.try_get("accept_code")?;
        if enforce_code && code != expected {
            return Err(ServerError::invalid("accept_code", Msg::ErrAcceptCode));
        }
        let info = note.unwrap_or(code);
        insert_receipt(&mut tx, page_id, None, ReceiptKind::Delivered, Some(info), now).await?;
        if accept == AcceptType::Read {
            sqlx::query("UPDATE pages SET read_at = COALESCE(read_at, $1) WHERE id = $2")
                .bind(now)
                .bind(page_id)
                .execute(&mut *tx)
                .await?;
            insert_receipt(&mut tx, page_id, None, ReceiptKind::Read, Some(info), now).await?;
            let who: String = row.try_get("contact_alias")?;
            let engagement: String = row.try_get("engagement_id")?;
            let first_read = row.try_get::<Option<i64>, _>("read_at")?.is_none();
            let incident: Option<String> = sqlx::query_scalar("SELECT incident_id FROM engagements WHERE id = $1")
                .bind(&engagement)
                .fetch_one(&mut *tx)
                .await?;
            if let (true, Some(incident)) = (first_read, incident) {
                let data = serde_json::json!({"page_id": page_id, "contact": who, "note": note});
                add_event(&mut tx, &incident, "page_accepted", &data, Some(&who), now).await?;
            }
            if row.try_get::<i64, _>("essential")? != 0 {
                stop_in(&mut tx, &engagement, &app::domain::stop_reason::acknowledged_by(&who), now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends an engagement before its last stage; nobody further is engaged. Audited, with the
    /// reason, as `actor`'s.
    pub async fn stop_engagement(&self, actor: Actor<'_>, id: &str, reason: &str) -> Result<(), ServerError> {
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM engagements WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Err(ServerError::NotFound("engagement", id.to_owned()));
        }
        stop_in(&mut tx, id, reason, now).await?;
        let change = serde_json::json!({ "stopped": true, "reason": reason });
        audit::record(&mut tx, actor, now, Change { action: "stop", ..Change::created("engagement", id, &change) })
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn pages(&self, engagement_id: &str) -> Result<Vec<PageView>, ServerError> {
        let rows = sqlx::query(&format!(
            "SELECT {PAGE_COLUMNS} FROM pages WHERE engagement_id = $1 ORDER BY sent_at, contact_alias"
        ))
        .bind(engagement_id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows.iter().map(page_from_row).collect::<Result<_, _>>()?)
    }

    /// Every page a person received, newest first.
    pub async fn pages_of_contact(&self, alias: &str) -> Result<Vec<PageView>, ServerError> {
        let rows = sqlx::query(&format!(
            "SELECT {PAGE_COLUMNS} FROM pages WHERE contact_alias = $1 ORDER BY sent_at DESC, id"
        ))
        .bind(alias)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows.iter().map(page_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn page(&self, id: &str) -> Result<PageView, ServerError> {
        let row = sqlx::query(&format!("SELECT {PAGE_COLUMNS} FROM pages WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or_else(|| ServerError::NotFound("page", id.to_owned()))?;
        Ok(page_from_row(&row)?)
    }

    pub async fn engagement(&self, id: &str) -> Result<EngagementDetail, ServerError> {
        let row = sqlx::query(&format!("SELECT {ENGAGEMENT_COLUMNS} FROM engagements WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or_else(|| ServerError::NotFound("engagement", id.to_owned()))?;
        Ok(EngagementDetail {
            summary: engagement_from_row(&row)?,
            public_subject: row.try_get("public_subject")?,
            public_content: row.try_get("public_content")?,
        })
    }

    pub async fn deliveries(&self, engagement_id: &str) -> Result<Vec<DeliveryView>, ServerError> {
        let rows = sqlx::query(
            "SELECT p.contact_alias, d.channel_kind, d.address, d.subject, d.body, d.created_at \
             FROM deliveries d JOIN pages p ON p.id = d.page_id WHERE p.engagement_id = $1 \
             ORDER BY d.created_at, p.contact_alias, d.channel_kind",
        )
        .bind(engagement_id)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeliveryView {
                    contact: r.try_get("contact_alias")?,
                    channel_kind: r.try_get("channel_kind")?,
                    address: r.try_get("address")?,
                    subject: r.try_get("subject")?,
                    body: r.try_get("body")?,
                    at: from_epoch(r.try_get("created_at")?),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(ServerError::from)
    }

    /// The newest engagements first, optionally only those of one incident.
    pub async fn engagements(
        &self,
        incident_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<EngagementSummary>, ServerError> {
        let rows = sqlx::query(&format!(
            "SELECT {ENGAGEMENT_COLUMNS} FROM engagements WHERE (CAST($1 AS TEXT) IS NULL OR incident_id = $1) \
             ORDER BY started_at DESC, id LIMIT $2"
        ))
        .bind(incident_id)
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows.iter().map(engagement_from_row).collect::<Result<_, _>>()?)
    }

    /// Every receipt of an engagement's pages, in time order.
    pub async fn receipts(&self, engagement_id: &str) -> Result<Vec<ReceiptView>, ServerError> {
        let rows = sqlx::query(
            "SELECT r.page_id, p.contact_alias, r.channel_id, r.kind, r.info, r.at FROM receipts r JOIN pages p ON p.id = r.page_id \
             WHERE p.engagement_id = $1 ORDER BY r.at, r.id",
        )
        .bind(engagement_id)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReceiptView {
                    page_id: r.try_get("page_id")?,
                    contact: r.try_get("contact_alias")?,
                    channel_id: r.try_get("channel_id")?,
                    kind: stored("receipt kind", &r.try_get::<String, _>("kind")?, ReceiptKind::parse)?,
                    info: r.try_get("info")?,
                    at: from_epoch(r.try_get("at")?),
                })
            })
            .collect()
    }

    /// Runs due steps the moment a commit makes some due (and at least once a second, for
    /// steps that come due with time) until the process ends. On PostgreSQL several workers
    /// share a burst (`SKIP LOCKED` keeps them apart); SQLite has one writer, so one worker.
    pub fn spawn_worker(self) {
        let workers = if self.db.dialect == Dialect::Postgres { POSTGRES_STEP_WORKERS } else { 1 };
        for _ in 0..workers {
            let engine = self.clone();
            tokio::spawn(async move {
                loop {
                    match engine.run_due().await {
                        Ok(ran) => crate::metrics::steps_run(ran),
                        Err(e) => {
                            crate::metrics::database_error(crate::metrics::Component::Engine);
                            tracing::error!(error = %e, "engine step failed; retrying");
                        }
                    }
                    let _ = tokio::time::timeout(POLL, engine.signals.steps.notified()).await;
                }
            });
        }
    }
}

/// Contacts, channels and who is on call, read once per batch of steps: a burst's steps mostly
/// page the same people. Valid for one transaction only.
#[derive(Default)]
struct Lookups {
    contacts: HashMap<String, Option<Contact>>,
    channels: HashMap<String, Vec<ContactChannel>>,
    on_call: HashMap<(String, i64), Vec<String>>,
    languages: HashMap<String, Option<Locale>>,
}

impl Lookups {
    async fn contact(&mut self, tx: &mut Transaction<'_, Any>, alias: &str) -> Result<Option<Contact>, ServerError> {
        if let Some(found) = self.contacts.get(alias) {
            return Ok(found.clone());
        }
        let found = contact_in(tx, alias).await?;
        self.contacts.insert(alias.to_owned(), found.clone());
        Ok(found)
    }

    async fn channels(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        alias: &str,
    ) -> Result<Vec<ContactChannel>, ServerError> {
        if let Some(found) = self.channels.get(alias) {
            return Ok(found.clone());
        }
        let found = channels_in(tx, alias).await?;
        self.channels.insert(alias.to_owned(), found.clone());
        Ok(found)
    }

    async fn language(&mut self, tx: &mut Transaction<'_, Any>, alias: &str) -> Result<Option<Locale>, ServerError> {
        if let Some(found) = self.languages.get(alias) {
            return Ok(*found);
        }
        let found = language_in(tx, alias).await?;
        self.languages.insert(alias.to_owned(), found);
        Ok(found)
    }

    async fn on_call(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        contact: &Contact,
        at: DateTime<Utc>,
    ) -> Result<Vec<String>, ServerError> {
        let key = (contact.alias.clone(), epoch(at));
        if let Some(found) = self.on_call.get(&key) {
            return Ok(found.clone());
        }
        let found = on_call_in(tx, contact, at).await?;
        self.on_call.insert(key, found.clone());
        Ok(found)
    }
}

/// The channels of stage `index` of a person's plan, and the minutes until their next stage.
/// A person without a plan is reached on all their channels at once.
fn stage_channels<'a>(
    person: &Contact,
    index: i64,
    channels: &'a [app::domain::contact::ContactChannel],
) -> (Vec<&'a app::domain::contact::ContactChannel>, Option<u32>) {
    let stages = &person.plan.stages;
    if stages.is_empty() {
        let all = if index == 0 { channels.iter().collect() } else { Vec::new() };
        return (all, None);
    }
    let Some(stage) = usize::try_from(index).ok().and_then(|i| stages.get(i)) else { return (Vec::new(), None) };
    let picked = stage
        .targets
        .iter()
        .filter_map(|t| match t {
            Target::Channel { channel_id, .. } => channels.iter().find(|c| &c.id == channel_id),
            Target::Contact { .. } => None,
        })
        .collect();
    let has_next = usize::try_from(index + 1).is_ok_and(|n| n < stages.len());
    (picked, has_next.then_some(stage.duration_minutes))
}

/// Inserts an engagement (checked by `check_engagement`) and its first step, in the caller's
/// transaction; a repeated idempotency token returns the engagement it started.
pub(crate) async fn start_in(
    tx: &mut Transaction<'_, Any>,
    req: &EngagementRequest,
    now: i64,
) -> Result<String, ServerError> {
    let inserted: Option<String> = sqlx::query_scalar(
        "INSERT INTO engagements (id, contact_alias, sender, subject, content, public_subject, public_content, \
         incident_id, idempotency_token, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (idempotency_token) DO NOTHING RETURNING id",
    )
    .bind(new_id())
    .bind(&req.contact)
    .bind(&req.sender)
    .bind(&req.subject)
    .bind(&req.content)
    .bind(&req.public_subject)
    .bind(&req.public_content)
    .bind(&req.incident_id)
    .bind(&req.idempotency_token)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(id) = inserted else {
        let existing: String = sqlx::query_scalar("SELECT id FROM engagements WHERE idempotency_token = $1")
            .bind(&req.idempotency_token)
            .fetch_one(&mut **tx)
            .await?;
        return Ok(existing);
    };
    insert_step(tx, &id, None, 0, now).await?;
    if let Some(incident) = &req.incident_id {
        let data = serde_json::json!({"engagement_id": id, "contact": req.contact});
        add_event(tx, incident, "engagement_started", &data, Some(&req.sender), now).await?;
    }
    Ok(id)
}

async fn load_engagement(tx: &mut Transaction<'_, Any>, id: &str) -> Result<EngagementRow, ServerError> {
    let r = sqlx::query(
        "SELECT id, contact_alias, subject, content, public_subject, public_content, incident_id, stopped_at \
         FROM engagements WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(EngagementRow {
        id: r.try_get("id")?,
        contact_alias: r.try_get("contact_alias")?,
        subject: r.try_get("subject")?,
        content: r.try_get("content")?,
        public_subject: r.try_get("public_subject")?,
        public_content: r.try_get("public_content")?,
        incident_id: r.try_get("incident_id")?,
        stopped: r.try_get::<Option<i64>, _>("stopped_at")?.is_some(),
    })
}

async fn insert_step(
    tx: &mut Transaction<'_, Any>,
    engagement_id: &str,
    page_id: Option<&str>,
    stage_index: i64,
    due_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO engine_steps (engagement_id, page_id, stage_index, due_at) VALUES ($1, $2, $3, $4)")
        .bind(engagement_id)
        .bind(page_id)
        .bind(stage_index)
        .bind(due_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Pages a person once per engagement and starts their own plan; true if this paged them.
async fn page_person(
    tx: &mut Transaction<'_, Any>,
    e: &EngagementRow,
    person: &str,
    stage_index: i64,
    essential: bool,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let page_id: Option<String> = sqlx::query_scalar(
        "INSERT INTO pages (id, engagement_id, contact_alias, stage_index, essential, accept_code, sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (engagement_id, contact_alias) DO NOTHING RETURNING id",
    )
    .bind(new_id())
    .bind(&e.id)
    .bind(person)
    .bind(stage_index)
    .bind(i64::from(essential))
    .bind(accept_code())
    .bind(at)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(page_id) = &page_id {
        insert_step(tx, &e.id, Some(page_id), 0, at).await?;
        if let Some(incident) = &e.incident_id {
            let data = serde_json::json!({"page_id": page_id, "contact": person, "stage": stage_index});
            add_event(tx, incident, "page_sent", &data, None, at).await?;
        }
    }
    Ok(page_id.is_some())
}

/// Marks an engagement stopped (once) and gives every unacknowledged page a STOP receipt.
pub(crate) async fn stop_in(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    reason: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let stopped: Option<String> = sqlx::query_scalar(
        "UPDATE engagements SET stopped_at = $1, stop_reason = $2 WHERE id = $3 AND stopped_at IS NULL RETURNING id",
    )
    .bind(now)
    .bind(reason)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    if stopped.is_some() {
        let open: Vec<String> = sqlx::query_scalar("SELECT id FROM pages WHERE engagement_id = $1 AND read_at IS NULL")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
        for page in open {
            insert_receipt(tx, &page, None, ReceiptKind::Stop, Some(reason), now).await?;
        }
    }
    Ok(())
}
