//! The outbox: every message the console sends is first a `deliveries` row, written in the same
//! transaction as the page, notice or activation that caused it. A sender marks due rows
//! `sending` with a deadline before handing them over, sends outside any transaction (so a slow
//! target holds one sending slot, never the engine or the database), and records outcomes in
//! batches. Every attempt of a delivery carries the same idempotency key (the e-mail Message-ID,
//! an `Idempotency-Key` header for webhooks), so after a crash the deliveries that were in flight
//! go again and a receiver can drop the repeat. Failures are retried with backoff and end as
//! `failed`, with an ERROR receipt on the page. Kinds without a configured transport are kept as
//! `outbox`: recorded for the Deliveries page, sent nowhere.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use lettre::message::{Mailbox, Message, MultiPart, header::ContentType};
use sqlx::{Any, Row, Transaction};

use app::domain::delivery::{DeliveryKind, DeliveryStatus, ReceiptKind};
use app::i18n::Locale;
use app::model::oncall::DeliveryEntry;

use tokio::sync::{Semaphore, mpsc};

use super::links::{self, LINK_PATH, LinkKey, NewLink};
use super::messages::PageMessage;
use super::receipts::insert_receipt;
pub use super::smtp::{Smtp, SmtpConfigError};
use super::{Signals, new_id};
use crate::clock::{Clock, epoch};
use crate::db::{Db, Dialect};
use crate::error::{ServerError, stored};
use crate::metrics::{self, Component};
use crate::outbound::Outbound;

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 5;
/// The first retry waits this long; each further one twice as long (30 s, 1, 2, 4 min).
pub const FIRST_RETRY_SECS: i64 = 30;
/// How long one send may take before it counts as failed.
pub const SEND_TIMEOUT: StdDuration = StdDuration::from_secs(SEND_TIMEOUT_SECS as u64);
const SEND_TIMEOUT_SECS: i64 = 15;
/// A delivery being sent that has no outcome this long after its claim is sent again (with the
/// same key): its sender crashed. Twice the send timeout, so a slow send is never doubled.
const LEASE_SECS: i64 = 30;
/// Sends in flight at once per process.
const SENDING_SLOTS: usize = 32;
/// Deliveries claimed per write: enough to keep every slot busy while the next claim is made.
const CLAIM_BATCH: usize = 2 * SENDING_SLOTS;
/// Outcomes written per transaction at most.
const RECORD_BATCH: usize = 256;
/// The safety poll: work is normally picked up the moment it is committed.
const POLL: StdDuration = StdDuration::from_secs(1);

/// A message to enqueue.
pub struct Outgoing<'a> {
    /// An engine page's id.
    pub page_id: Option<&'a str>,
    /// An Incident Manager page's ARN (AWS mode: `aws_backend::notices`).
    pub aws_page_arn: Option<&'a str>,
    /// The stage of the person's own plan that sends it (0 for anything else): a plan may name
    /// a channel in several stages, and each sends again.
    pub page_stage: i64,
    pub incident_id: Option<&'a str>,
    pub channel_id: &'a str,
    pub kind: DeliveryKind,
    pub address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The recipient's language, for a page (its message is written when it is sent).
    pub language: Option<Locale>,
}

/// Writes a delivery in the caller's transaction; a repeat for the same page, channel and stage
/// is ignored.
pub(crate) async fn enqueue(tx: &mut Transaction<'_, Any>, m: Outgoing<'_>, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO deliveries (page_id, incident_id, channel_id, channel_kind, address, subject, body, created_at, \
         status, attempts, next_attempt_at, idempotency_key, language, aws_page_arn, page_stage) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $8, $9, $10, $11, $12) \
         ON CONFLICT (page_id, channel_id, page_stage) DO NOTHING",
    )
    .bind(m.page_id)
    .bind(m.incident_id)
    .bind(m.channel_id)
    .bind(m.kind.as_str())
    .bind(m.address)
    .bind(m.subject)
    .bind(m.body)
    .bind(at)
    .bind(new_id())
    .bind(m.language.map(Locale::code))
    .bind(m.aws_page_arn)
    .bind(m.page_stage)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Where each kind of message goes. Unset transports leave their messages in the outbox.
#[derive(Clone)]
pub struct Transports {
    pub smtp: Option<Smtp>,
    /// Receives SMS and voice pages as JSON, for a gateway of the team's choice.
    pub page_webhook: Option<String>,
    pub http: reqwest::Client,
    /// Where webhook, Slack and gateway requests may go (see [`crate::outbound`]).
    pub outbound: Outbound,
    /// The console's address, for the acknowledge links in pages.
    pub base_url: String,
    send_timeout: StdDuration,
}

/// The relay for e-mail pages, with a pooled connection per sending slot.
pub fn smtp(url: &str, from: &str) -> Result<Smtp, SmtpConfigError> {
    Smtp::new(url, from, SEND_TIMEOUT, SENDING_SLOTS)
}

impl Transports {
    /// Transports whose requests reach only the public internet (see [`Transports::with_outbound`]).
    pub fn new(smtp: Option<Smtp>, page_webhook: Option<String>) -> Self {
        let base_url = "http://127.0.0.1:3000".to_owned();
        let outbound = Outbound::default();
        let http = outbound.client(SEND_TIMEOUT);
        Transports { smtp, page_webhook, http, outbound, base_url, send_timeout: SEND_TIMEOUT }
    }

    /// Where webhook, Slack and gateway requests may go (`--outbound-allow`).
    #[must_use]
    pub fn with_outbound(self, outbound: Outbound) -> Self {
        Transports { http: outbound.client(self.send_timeout), outbound, ..self }
    }

    /// Where acknowledge links point (the console's `--base-url`).
    #[must_use]
    pub fn with_base_url(self, base_url: &str) -> Self {
        Transports { base_url: base_url.trim_end_matches('/').to_owned(), ..self }
    }

    /// How long one webhook call may take before it counts as failed.
    #[must_use]
    pub fn with_send_timeout(self, timeout: StdDuration) -> Self {
        Transports { http: self.outbound.client(timeout), send_timeout: timeout, ..self }
    }
}

/// A claimed delivery.
#[derive(Clone, Debug)]
struct Claimed {
    id: i64,
    /// An engine page's id (its receipts are the engine's).
    page_id: Option<String>,
    /// An Incident Manager page's ARN, for a notice sent in AWS mode.
    aws_page_arn: Option<String>,
    kind: DeliveryKind,
    address: String,
    subject: String,
    body: String,
    attempts: i64,
    lease_until: i64,
    /// The same for every attempt: receivers drop a repeat by it.
    key: String,
    /// For a page: what its message needs besides subject and content.
    page: Option<PageFacts>,
}

/// Whose page a delivery carries.
#[derive(Clone, Copy, Debug)]
enum PageRef<'a> {
    /// The local engine's (`pages`).
    Engine(&'a str),
    /// Incident Manager's, noticed in AWS mode (`aws_pages`).
    Aws(&'a str),
}

/// A paged person's code, link and language.
#[derive(Clone, Debug)]
struct PageFacts {
    /// None for a page Incident Manager made: AWS's own message carries its code.
    code: Option<String>,
    link: String,
    locale: Locale,
}

impl Claimed {
    fn page_message(&self) -> Option<PageMessage<'_>> {
        self.page.as_ref().map(|p| PageMessage {
            locale: p.locale,
            subject: &self.subject,
            content: &self.body,
            code: p.code.as_deref(),
            link: &p.link,
        })
    }
}

enum Outcome {
    Sent,
    NoTransport,
    Failed(String),
    /// The target is not one the console may send to: failed at once, never retried.
    Refused,
}

impl Outcome {
    fn label(&self, attempts: i64) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::NoTransport => "outbox",
            Outcome::Failed(_) if attempts >= MAX_ATTEMPTS => "failed",
            Outcome::Failed(_) => "retry",
            Outcome::Refused => "refused",
        }
    }
}

#[derive(Clone)]
pub struct Outbox {
    db: Db,
    clock: Arc<dyn Clock>,
    transports: Transports,
    signals: Arc<Signals>,
    link_key: Arc<tokio::sync::OnceCell<LinkKey>>,
}

impl Outbox {
    pub fn new(db: Db, clock: Arc<dyn Clock>, transports: Transports, signals: Arc<Signals>) -> Self {
        Outbox { db, clock, transports, signals, link_key: Arc::default() }
    }

    /// Sends everything due now and records the outcomes, batch by batch, with the same claim,
    /// send and record the worker uses; returns how many were attempted. For tests and tools
    /// that drive the clock themselves.
    pub async fn run_due(&self) -> Result<usize, ServerError> {
        self.requeue_lapsed().await?;
        let mut total = 0;
        loop {
            let batch = self.claim(SENDING_SLOTS).await?;
            if batch.is_empty() {
                return Ok(total);
            }
            total += batch.len();
            let mut sends = tokio::task::JoinSet::new();
            for d in batch {
                let outbox = self.clone();
                sends.spawn(async move {
                    let outcome = outbox.send(&d).await;
                    (d, outcome)
                });
            }
            self.record(&sends.join_all().await).await?;
        }
    }

    /// The production sender: a claimer fills `SENDING_SLOTS` sending tasks whenever work is
    /// committed (or at the once-a-second safety poll), and one recorder writes their outcomes
    /// in batches, retrying a busy database until each outcome is written.
    pub fn spawn_worker(self) {
        let (done, outcomes) = mpsc::unbounded_channel();
        tokio::spawn(self.clone().record_outcomes(outcomes));
        tokio::spawn(self.claim_and_send(done));
    }

    /// Claims due deliveries a batch at a time (one write for many, not one per free slot) and
    /// hands each to a sending slot as one frees up.
    async fn claim_and_send(self, done: mpsc::UnboundedSender<(Claimed, Outcome)>) {
        let slots = Arc::new(Semaphore::new(SENDING_SLOTS));
        let mut claimed = std::collections::VecDeque::new();
        loop {
            if claimed.is_empty() {
                match self.claim(CLAIM_BATCH).await {
                    Ok(batch) if batch.is_empty() => self.wait_for_work().await,
                    Ok(batch) => claimed.extend(batch),
                    Err(e) => {
                        metrics::database_error(Component::Outbox);
                        tracing::error!(error = %e, "claiming deliveries failed; retrying");
                        tokio::time::sleep(POLL).await;
                    }
                }
                continue;
            }
            let Ok(permit) = slots.clone().acquire_owned().await else { return };
            let Some(d) = claimed.pop_front() else { continue };
            // Too close to its deadline to finish before another sender may take it over:
            // leave it to be requeued rather than risk two senders at once.
            if epoch(self.clock.now()) + SEND_TIMEOUT_SECS >= d.lease_until {
                continue;
            }
            let (outbox, done) = (self.clone(), done.clone());
            tokio::spawn(async move {
                let outcome = outbox.send(&d).await;
                // The recorder outlives every sender; if it is gone the process is ending.
                let _ = done.send((d, outcome));
                drop(permit);
            });
        }
    }

    /// Until work is committed here (or, on PostgreSQL, by another replica), or the safety poll,
    /// which also puts lapsed deliveries back in line.
    async fn wait_for_work(&self) {
        if tokio::time::timeout(POLL, self.signals.deliveries.notified()).await.is_err()
            && let Err(e) = self.requeue_lapsed().await
        {
            metrics::database_error(Component::Outbox);
            tracing::error!(error = %e, "requeueing lapsed deliveries failed; retrying at the next poll");
        }
    }

    async fn record_outcomes(self, mut outcomes: mpsc::UnboundedReceiver<(Claimed, Outcome)>) {
        let mut batch = Vec::new();
        while outcomes.recv_many(&mut batch, RECORD_BATCH).await > 0 {
            let mut wait = StdDuration::from_millis(50);
            while let Err(e) = self.record(&batch).await {
                // Never dropped: an unrecorded outcome would be sent again when its deadline passes.
                metrics::database_error(Component::Outbox);
                tracing::error!(error = %e, pending = batch.len(), "recording delivery outcomes failed; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(StdDuration::from_secs(2));
            }
            batch.clear();
        }
    }

    /// Puts deliveries whose deadline passed while being sent (their sender crashed or was
    /// killed) back in line, first in line as they are the oldest: they go again, with the same
    /// key. Run at start-up and at each safety poll, not with every claim.
    async fn requeue_lapsed(&self) -> Result<(), ServerError> {
        let now = epoch(self.clock.now());
        let requeued = sqlx::query(
            "UPDATE deliveries SET status = 'pending', lease_until = NULL WHERE status = 'sending' AND lease_until <= $1",
        )
        .bind(now)
        .execute(self.db.writer())
        .await?;
        if requeued.rows_affected() > 0 {
            tracing::warn!(deliveries = requeued.rows_affected(), "sending again what a stopped sender left in flight");
        }
        Ok(())
    }

    /// Marks due deliveries as being sent, with a deadline, before any is handed to a transport;
    /// for pages, records the acknowledge link their message will carry, in the same commit.
    async fn claim(&self, limit: usize) -> Result<Vec<Claimed>, ServerError> {
        let now = epoch(self.clock.now());
        let lease_until = now + LEASE_SECS;
        let lock = if self.db.dialect == Dialect::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        // In index order (status, next_attempt_at, id): no sort of everything that is due.
        let sql = format!(
            "UPDATE deliveries SET status = 'sending', lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $3 {lock}) \
             RETURNING id, page_id, aws_page_arn, channel_kind, address, subject, body, attempts, idempotency_key, language"
        );
        let key = self.link_key().await?;
        let mut tx = self.db.begin_write().await?;
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(lease_until)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&mut *tx)
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for r in &rows {
            let page_id: Option<String> = r.try_get("page_id")?;
            let aws_page_arn: Option<String> = r.try_get("aws_page_arn")?;
            let language = r.try_get::<Option<String>, _>("language")?.as_deref().and_then(Locale::parse);
            let page = match (&page_id, &aws_page_arn) {
                (Some(id), _) => Some(self.page_facts(&mut tx, &key, PageRef::Engine(id), language, now).await?),
                (None, Some(arn)) => Some(self.page_facts(&mut tx, &key, PageRef::Aws(arn), language, now).await?),
                (None, None) => None,
            };
            claimed.push(Claimed {
                id: r.try_get("id")?,
                page_id,
                aws_page_arn,
                kind: stored("delivery kind", &r.try_get::<String, _>("channel_kind")?, DeliveryKind::parse)?,
                address: r.try_get("address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                attempts: r.try_get("attempts")?,
                lease_until,
                key: r.try_get("idempotency_key")?,
                page,
            });
        }
        tx.commit().await?;
        claimed.sort_by_key(|d| d.id);
        Ok(claimed)
    }

    /// The key for acknowledge links, read (or made) once.
    async fn link_key(&self) -> Result<LinkKey, ServerError> {
        let now = epoch(self.clock.now());
        self.link_key.get_or_try_init(|| LinkKey::load_or_create(&self.db, now)).await.cloned()
    }

    /// A page's code, its person's link (recorded here, before any message carries it) and the
    /// language to write in.
    async fn page_facts(
        &self,
        tx: &mut Transaction<'_, Any>,
        key: &LinkKey,
        page: PageRef<'_>,
        locale: Option<Locale>,
        now: i64,
    ) -> Result<PageFacts, ServerError> {
        let (sql, page_id) = match page {
            PageRef::Engine(id) => {
                ("SELECT engagement_id, contact_alias, accept_code, sent_at FROM pages WHERE id = $1", id)
            }
            // Incident Manager's page: only AWS's own message carries its code.
            PageRef::Aws(arn) => (
                "SELECT engagement_arn AS engagement_id, contact_alias, sent_at FROM aws_pages WHERE page_arn = $1",
                arn,
            ),
        };
        let row = sqlx::query(sql).bind(page_id).fetch_one(&mut **tx).await?;
        let code = match page {
            PageRef::Engine(_) => Some(row.try_get("accept_code")?),
            PageRef::Aws(_) => None,
        };
        let token = key.token(page_id);
        let contact: String = row.try_get("contact_alias")?;
        let engagement: String = row.try_get("engagement_id")?;
        let link = NewLink {
            token: &token,
            page_id,
            engagement_id: &engagement,
            contact_id: &contact,
            language: locale,
            sent_at: row.try_get("sent_at")?,
        };
        links::record(tx, link, now).await?;
        Ok(PageFacts {
            code,
            link: format!("{}{LINK_PATH}{token}", self.transports.base_url),
            locale: locale.unwrap_or_default(),
        })
    }

    async fn send(&self, d: &Claimed) -> Outcome {
        let t = &self.transports;
        let result = match d.kind {
            DeliveryKind::Email => match &t.smtp {
                Some(smtp) => send_email(smtp, d).await.map_err(Failure::Other),
                None => return Outcome::NoTransport,
            },
            DeliveryKind::Sms | DeliveryKind::Voice => match &t.page_webhook {
                Some(url) => post_json(t, url, &d.key, &gateway_json(d, &t.base_url)).await,
                None => return Outcome::NoTransport,
            },
            DeliveryKind::Slack => {
                let text = format!("*{}*\n{}", slack_text(&d.subject), slack_text(&d.body));
                post_json(t, &d.address, &d.key, &serde_json::json!({ "text": text })).await
            }
            DeliveryKind::Webhook => {
                let json = serde_json::json!({"subject": d.subject, "body": d.body, "idempotency_key": d.key});
                post_json(t, &d.address, &d.key, &json).await
            }
        };
        match result {
            Ok(()) => Outcome::Sent,
            Err(Failure::Refused) => Outcome::Refused,
            Err(Failure::Other(e)) => Outcome::Failed(e),
        }
    }

    /// Records outcomes in one transaction, each unless its deadline passed and another sender
    /// took the row over (that sender records its own).
    async fn record(&self, outcomes: &[(Claimed, Outcome)]) -> Result<(), ServerError> {
        let now = epoch(self.clock.now());
        let mut tx = self.db.begin_write().await?;
        for (d, outcome) in outcomes {
            let (status, error, next) = match outcome {
                Outcome::Sent => (DeliveryStatus::Sent, None, now),
                Outcome::NoTransport => (DeliveryStatus::Outbox, None, now),
                Outcome::Failed(e) if d.attempts >= MAX_ATTEMPTS => (DeliveryStatus::Failed, Some(e.as_str()), now),
                Outcome::Failed(e) => (DeliveryStatus::Pending, Some(e.as_str()), now + retry_delay(d.attempts)),
                Outcome::Refused => (DeliveryStatus::Failed, Some(crate::outbound::REFUSED), now),
            };
            let finished = (status != DeliveryStatus::Pending).then_some(now);
            let updated = sqlx::query(
                "UPDATE deliveries SET status = $1, last_error = $2, next_attempt_at = $3, finished_at = $4, \
                 lease_until = NULL WHERE id = $5 AND status = 'sending' AND lease_until = $6",
            )
            .bind(status.as_str())
            .bind(error)
            .bind(next)
            .bind(finished)
            .bind(d.id)
            .bind(d.lease_until)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 1
                && status == DeliveryStatus::Failed
                && let Some(page_id) = &d.page_id
            {
                let info = format!("{} to {}: {}", d.kind, d.address, error.unwrap_or_default());
                insert_receipt(&mut tx, page_id, None, ReceiptKind::Error, Some(&info), now).await?;
            }
        }
        tx.commit().await?;
        for (d, outcome) in outcomes {
            metrics::delivery_outcome(d.kind.as_str(), outcome.label(d.attempts));
        }
        Ok(())
    }
}

/// 30 s after the first failure, then doubling.
pub fn retry_delay(attempts: i64) -> i64 {
    FIRST_RETRY_SECS << (attempts - 1).clamp(0, 10)
}

/// What the SMS/voice gateway receives: `body` is the text to send or speak, in `language`.
fn gateway_json(d: &Claimed, base_url: &str) -> serde_json::Value {
    let mut json = serde_json::json!({
        "kind": d.kind, "to": d.address, "subject": d.subject, "body": d.body, "idempotency_key": d.key,
    });
    if let Some(m) = d.page_message() {
        json["body"] = serde_json::json!(if d.kind == DeliveryKind::Voice { m.speech() } else { m.sms() });
        json["language"] = serde_json::json!(m.locale.code());
        json["page_id"] = serde_json::json!(d.page_id.as_ref().or(d.aws_page_arn.as_ref()));
        json["link"] = serde_json::json!(m.link);
        json["code"] = serde_json::json!(m.code);
        json["reply_url"] = serde_json::json!(format!("{base_url}/hooks/gateway"));
        if d.kind == DeliveryKind::Voice {
            // What the gateway sends back with a key press during this call.
            json["call_id"] = serde_json::json!(d.key);
        }
    }
    json
}

async fn send_email(smtp: &Smtp, d: &Claimed) -> Result<(), String> {
    let to: Mailbox = d.address.parse().map_err(|e| format!("address: {e}"))?;
    // The same Message-ID on every attempt: mail systems drop a repeat of one they delivered.
    let message_id = format!("<{}@{}>", d.key, smtp.from.email.domain());
    let builder = Message::builder().message_id(Some(message_id)).from(smtp.from.clone()).to(to);
    let message = match d.page_message() {
        Some(m) => builder
            .subject(m.email_subject())
            .multipart(MultiPart::alternative_plain_html(m.email_text(), m.email_html())),
        None => builder.subject(&d.subject).header(ContentType::TEXT_PLAIN).body(d.body.clone()),
    }
    .map_err(|e| e.to_string())?;
    smtp.send(&message).await.map_err(|e| e.to_string())
}

/// Why a webhook call did not succeed.
enum Failure {
    /// The outbound policy does not allow the target (never retried, and said without detail).
    Refused,
    Other(String),
}

async fn post_json(t: &Transports, url: &str, key: &str, json: &serde_json::Value) -> Result<(), Failure> {
    let url = t.outbound.check(url).map_err(|_| Failure::Refused)?;
    let response = t.http.post(url).header("Idempotency-Key", key).json(json).send().await.map_err(|e| {
        if crate::outbound::is_refusal(&e) { Failure::Refused } else { Failure::Other(describe(&e.without_url())) }
    })?;
    let status = response.status();
    if status.is_success() { Ok(()) } else { Err(Failure::Other(format!("HTTP {}", status.as_u16()))) }
}

/// Slack's mrkdwn reads `<…>` as links and mentions (`<!channel>`): text from alerts and people
/// is escaped the way Slack asks, so it shows as written.
fn slack_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An error with its causes, which is where reqwest says "timed out" or "connection refused".
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

impl super::Engine {
    /// The sender for what this engine enqueues, on the same database and clock.
    pub fn outbox_sender(&self, transports: Transports) -> Outbox {
        Outbox::new(self.db.clone(), self.clock.clone(), transports, self.signals.clone())
    }

    /// The newest deliveries first, at most `limit`, with addresses as stored (unredacted).
    pub async fn outbox(&self, limit: u32) -> Result<Vec<DeliveryEntry>, ServerError> {
        newest(&self.db, limit).await
    }

    pub async fn incident_outbox(&self, incident_id: &str) -> Result<Vec<DeliveryEntry>, ServerError> {
        of_incident(&self.db, incident_id).await
    }
}

/// The newest deliveries in `db` first, at most `limit`, with addresses as stored (unredacted):
/// the engine's, and in AWS mode the console's own notices for Incident Manager's pages.
pub async fn newest(db: &Db, limit: u32) -> Result<Vec<DeliveryEntry>, ServerError> {
    deliveries_where(db, &Which::All, limit).await
}

/// Every delivery of one incident of the local engine: its pages' messages and its notices,
/// newest first.
pub async fn of_incident(db: &Db, incident_id: &str) -> Result<Vec<DeliveryEntry>, ServerError> {
    deliveries_where(db, &Which::Incident(incident_id), u32::MAX).await
}

/// AWS mode: the console's notices for Incident Manager's pages of these engagements.
pub async fn of_aws_engagements(db: &Db, engagement_arns: &[String]) -> Result<Vec<DeliveryEntry>, ServerError> {
    if engagement_arns.is_empty() {
        return Ok(Vec::new());
    }
    deliveries_where(db, &Which::AwsEngagements(engagement_arns), u32::MAX).await
}

enum Which<'a> {
    All,
    Incident(&'a str),
    AwsEngagements(&'a [String]),
}

async fn deliveries_where(db: &Db, which: &Which<'_>, limit: u32) -> Result<Vec<DeliveryEntry>, ServerError> {
    let (filter, binds): (String, Vec<&str>) = match which {
        Which::All => ("TRUE".into(), Vec::new()),
        Which::Incident(id) => ("d.incident_id = $1 OR e.incident_id = $1".into(), vec![*id]),
        Which::AwsEngagements(arns) => {
            let marks: Vec<String> = (1..=arns.len()).map(|i| format!("${i}")).collect();
            (format!("a.engagement_arn IN ({})", marks.join(", ")), arns.iter().map(String::as_str).collect())
        }
    };
    let limit_mark = binds.len() + 1;
    let sql = format!(
        "SELECT d.id, COALESCE(p.contact_alias, a.contact_alias) AS contact_alias, \
         COALESCE(d.incident_id, e.incident_id) AS incident_id, d.channel_kind, d.address, d.subject, d.body, \
         d.created_at, d.status, d.attempts, d.last_error FROM deliveries d \
         LEFT JOIN pages p ON p.id = d.page_id LEFT JOIN engagements e ON e.id = p.engagement_id \
         LEFT JOIN aws_pages a ON a.page_arn = d.aws_page_arn \
         WHERE {filter} ORDER BY d.created_at DESC, d.id DESC LIMIT ${limit_mark}"
    );
    let mut query = sqlx::query(&sql);
    for value in binds {
        query = query.bind(value);
    }
    let rows = query.bind(i64::from(limit)).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(DeliveryEntry {
                id: r.try_get("id")?,
                contact: r.try_get("contact_alias")?,
                incident_id: r.try_get("incident_id")?,
                kind: stored("delivery kind", &r.try_get::<String, _>("channel_kind")?, DeliveryKind::parse)?,
                address: r.try_get("address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
                status: stored("delivery status", &r.try_get::<String, _>("status")?, DeliveryStatus::parse)?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
            })
        })
        .collect()
}
