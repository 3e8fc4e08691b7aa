//! Integrations and what arrives through them: the secrets (kept as SHA-256, two accepted while
//! a new one is rolled out), each accepted event with its alerts written in one transaction
//! before the sender is answered, and the quarantine of bodies that could not be read.

use app::domain::alert::{Alert, IntegrationKind, IntegrationView};
use app::i18n::Msg;
use std::sync::Arc;

use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Dialect};
use crate::engine::new_id;
use crate::error::ServerError;
use crate::password::{new_token, token_digest};

const MAX_NAME_CHARS: usize = 100;

/// An integration as the door needs it.
pub struct Door {
    pub kind: IntegrationKind,
    /// SNS: the allowed topic ARNs.
    pub topics: Vec<String>,
    secret_hash: String,
    previous_hash: Option<String>,
}

impl Door {
    /// Whether `secret` is the integration's, or the one before it while it is rolled out.
    /// Digests are compared without an early exit.
    pub fn accepts(&self, secret: &str) -> bool {
        let given = token_digest(secret);
        let current = crate::gateway::same_secret(given.as_bytes(), self.secret_hash.as_bytes());
        let previous =
            self.previous_hash.as_ref().is_some_and(|p| crate::gateway::same_secret(given.as_bytes(), p.as_bytes()));
        current | previous
    }
}

/// An integration just made, with its secret (shown once).
pub struct Created {
    pub id: String,
    pub secret: String,
}

/// What became of an accepted event.
#[derive(Debug, PartialEq, Eq)]
pub struct Accepted {
    pub event_id: String,
    /// False when the event had come before (a redelivery): nothing was added.
    pub new: bool,
    pub alerts: usize,
}

#[derive(Clone)]
pub struct Integrations {
    pub db: Db,
}

impl Integrations {
    pub async fn create(
        &self,
        actor: Actor<'_>,
        name: &str,
        kind: IntegrationKind,
        topics: &[String],
        now: i64,
    ) -> Result<Created, ServerError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(ServerError::invalid("name", Msg::ErrIntegrationName));
        }
        let topics: Vec<&str> = topics.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
        let arn_ok =
            |t: &&str| t.starts_with("arn:aws") && t.split(':').count() == 6 && !t.contains(char::is_whitespace);
        if kind == IntegrationKind::Sns && (topics.is_empty() || !topics.iter().all(arn_ok)) {
            return Err(ServerError::invalid("topic", Msg::ErrSnsTopics));
        }
        let id = new_id();
        let (secret, hash) = new_token();
        let mut tx = self.db.begin_write().await?;
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM integrations WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(ServerError::invalid("name", Msg::ErrIntegrationNameTaken));
        }
        sqlx::query(
            "INSERT INTO integrations (id, name, kind, secret_hash, created_by, created_at, topics) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(name)
        .bind(kind.as_str())
        .bind(&hash)
        .bind(actor.name())
        .bind(now)
        .bind(topics.join("\n"))
        .execute(&mut *tx)
        .await?;
        let audited = serde_json::json!({ "name": name, "kind": kind.as_str(), "topics": topics });
        audit::record(&mut tx, actor, now, Change::created("integration", &id, &audited)).await?;
        tx.commit().await?;
        Ok(Created { id, secret })
    }

    /// A new secret; the one it replaces is still accepted until the next rotation, so senders
    /// can be moved over one by one.
    pub async fn rotate_secret(&self, actor: Actor<'_>, id: &str, now: i64) -> Result<String, ServerError> {
        let (secret, hash) = new_token();
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE integrations SET previous_hash = secret_hash, secret_hash = $1, rotated_at = $2 WHERE id = $3",
        )
        .bind(&hash)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(ServerError::NotFound("integration", id.to_owned()));
        }
        audit::record(&mut tx, actor, now, Change::action("integration", id, "rotate_secret")).await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// The integration with id `id` as the door needs it.
    pub async fn door(&self, id: &str) -> Result<Option<Door>, ServerError> {
        let row = sqlx::query("SELECT kind, secret_hash, previous_hash, topics FROM integrations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let kind: String = row.try_get("kind")?;
        let topics: String = row.try_get("topics")?;
        Ok(Some(Door {
            kind: IntegrationKind::parse(&kind).ok_or_else(|| ServerError::unknown_name("integration kind", &kind))?,
            topics: topics.lines().map(str::to_owned).collect(),
            secret_hash: row.try_get("secret_hash")?,
            previous_hash: row.try_get("previous_hash")?,
        }))
    }

    pub async fn list(&self) -> Result<Vec<IntegrationView>, ServerError> {
        let rows = sqlx::query(
            "SELECT i.id, i.name, i.kind, i.created_by, i.created_at, i.rotated_at, i.topics, \
               (SELECT COUNT(*) FROM inbound_events e WHERE e.integration_id = i.id) AS events, \
               (SELECT MAX(e.received_at) FROM inbound_events e WHERE e.integration_id = i.id) AS last_event_at, \
               (SELECT COUNT(*) FROM quarantine q WHERE q.integration_id = i.id) AS quarantined \
             FROM integrations i ORDER BY i.name",
        )
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let topics: String = r.try_get("topics")?;
                Ok(IntegrationView {
                    topics: topics.lines().map(str::to_owned).collect(),
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    kind: IntegrationKind::parse(&kind)
                        .ok_or_else(|| ServerError::unknown_name("integration kind", &kind))?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                    rotated_at: r.try_get("rotated_at")?,
                    events: r.try_get("events")?,
                    last_event_at: r.try_get("last_event_at")?,
                    quarantined: r.try_get("quarantined")?,
                })
            })
            .collect()
    }

    /// Stores the event and its alerts in one transaction, unless an event with the same key
    /// came before (then nothing is written, and the first one's id is returned). The door
    /// goes through [`Intake`], which writes many such events per transaction.
    pub async fn accept(
        &self,
        integration: &str,
        dedup_key: &str,
        body: &str,
        alerts: &[Alert],
        now: i64,
    ) -> Result<Accepted, ServerError> {
        let mut tx = self.db.begin_write().await?;
        let accepted = write_event(&mut tx, integration, dedup_key, body, alerts, now).await?;
        tx.commit().await?;
        Ok(accepted)
    }

    /// Writes a batch in one transaction and answers each sender: all stored, or none.
    async fn write_batch(&self, batch: Vec<Job>) {
        let written = async {
            let mut tx = self.db.begin_bulk_write().await?;
            let mut answers = Vec::with_capacity(batch.len());
            for j in &batch {
                answers.push(write_event(&mut tx, &j.integration, &j.dedup_key, &j.body, &j.alerts, j.now).await?);
            }
            tx.commit().await?;
            Ok::<_, ServerError>(answers)
        }
        .await;
        match written {
            Ok(answers) => {
                for (job, answer) in batch.into_iter().zip(answers) {
                    let _ = job.reply.send(Ok(answer));
                }
            }
            Err(e) => {
                let why = e.to_string();
                for job in batch {
                    let _ = job.reply.send(Err(ServerError::Unavailable(why.clone())));
                }
            }
        }
    }

    /// Keeps a body that could not be read, with the reason it was refused.
    pub async fn quarantine(&self, integration: &str, reason: &str, body: &[u8], now: i64) -> Result<(), ServerError> {
        // Kept as text: invalid UTF-8 replaced, and NUL too (PostgreSQL text cannot hold it).
        let text = String::from_utf8_lossy(body).replace('\0', "\u{FFFD}");
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO quarantine (id, integration_id, received_at, reason, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new_id())
        .bind(integration)
        .bind(now)
        .bind(reason)
        .bind(text)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The event (unless its key came before: then the first one's id) and its alerts, in `tx`.
async fn write_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    integration: &str,
    dedup_key: &str,
    body: &str,
    alerts: &[Alert],
    now: i64,
) -> Result<Accepted, ServerError> {
    let event_id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO inbound_events (id, integration_id, dedup_key, received_at, body) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (integration_id, dedup_key) DO NOTHING",
    )
    .bind(&event_id)
    .bind(integration)
    .bind(dedup_key)
    .bind(now)
    .bind(body)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        let first: String =
            sqlx::query_scalar("SELECT id FROM inbound_events WHERE integration_id = $1 AND dedup_key = $2")
                .bind(integration)
                .bind(dedup_key)
                .fetch_one(&mut **tx)
                .await?;
        return Ok(Accepted { event_id: first, new: false, alerts: 0 });
    }
    for alert in alerts {
        sqlx::query(
            "INSERT INTO alerts (id, event_id, integration_id, fingerprint, status, title, summary, severity, \
             labels_json, links_json, occurred_at, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new_id())
        .bind(&event_id)
        .bind(integration)
        .bind(&alert.fingerprint)
        .bind(alert.status.as_str())
        .bind(&alert.title)
        .bind(&alert.summary)
        .bind(&alert.severity)
        .bind(serde_json::to_string(&alert.labels).unwrap_or_default())
        .bind(serde_json::to_string(&alert.links).unwrap_or_default())
        .bind(alert.occurred_at)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Accepted { event_id, new: true, alerts: alerts.len() })
}

/// The waiting events, up to a batch; `None` once the door is gone. One writer takes them at a
/// time, the others wait their turn (or commit meanwhile).
async fn next_batch(queue: &tokio::sync::Mutex<mpsc::Receiver<Job>>) -> Option<Vec<Job>> {
    let mut queue = queue.lock().await;
    let mut batch = vec![queue.recv().await?];
    while batch.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// How many events one transaction takes at most.
const MAX_BATCH: usize = 256;

/// One event waiting for the next transaction, and where its answer goes.
struct Job {
    integration: String,
    dedup_key: String,
    body: String,
    alerts: Vec<Alert>,
    now: i64,
    reply: oneshot::Sender<Result<Accepted, ServerError>>,
}

/// Group commit at the door: events that arrive while a transaction is committing are written
/// together in the next one, so a burst costs one commit per batch instead of one per event
/// (on SQLite, one writer, that is the limit). Each sender is still answered only after the
/// transaction holding its event committed; if it fails, every event in it is refused (503)
/// and nothing of them was written.
#[derive(Clone)]
pub struct Intake {
    jobs: mpsc::Sender<Job>,
}

impl Intake {
    /// Starts this process's writers; call inside the runtime. SQLite has one writer, so one
    /// batch at a time; PostgreSQL commits several transactions at once, so several.
    pub fn spawn(store: Integrations) -> Intake {
        let writers = match store.db.dialect {
            Dialect::Sqlite => 1,
            Dialect::Postgres => 4,
        };
        let (jobs, queue) = mpsc::channel::<Job>(4 * MAX_BATCH);
        let queue = Arc::new(tokio::sync::Mutex::new(queue));
        for _ in 0..writers {
            let (store, queue) = (store.clone(), queue.clone());
            tokio::spawn(async move {
                while let Some(batch) = next_batch(&queue).await {
                    store.write_batch(batch).await;
                }
            });
        }
        Intake { jobs }
    }

    /// Stores the event and its alerts (see [`Integrations::accept`]), in the next batch.
    pub async fn accept(
        &self,
        integration: &str,
        dedup_key: &str,
        body: &str,
        alerts: Vec<Alert>,
        now: i64,
    ) -> Result<Accepted, ServerError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            integration: integration.to_owned(),
            dedup_key: dedup_key.to_owned(),
            body: body.to_owned(),
            alerts,
            now,
            reply,
        };
        self.jobs.send(job).await.map_err(|_| ServerError::Stopped)?;
        answer.await.map_err(|_| ServerError::Stopped)?
    }
}
