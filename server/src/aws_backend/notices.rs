//! AWS mode: the console's own notice, carrying the personal acknowledge link, for each page
//! that Incident Manager creates for an engagement the console started (directly, or through an
//! incident it started). AWS's own messages cannot carry the link.
//!
//! What the console starts is recorded in `aws_watched`. A watcher in every replica polls what
//! was started in the last 24 hours (the links' lifetime). A new page is recorded once in
//! `aws_pages` (the first replica to insert it does the rest), together with one delivery per
//! activated e-mail and SMS channel of the paged contact, in one transaction; the outbox writes
//! the message in the person's language with their link, as for the local engine's pages.
//! Voice channels get none: a call cannot carry a link, and Incident Manager places its own
//! calls on the contact's plan (the console calling too would ring twice).

use std::sync::Arc;
use std::time::Duration as StdDuration;

use aws_sdk_ssmcontacts as contacts;

use app::domain::contact::ChannelType;
use app::domain::delivery::DeliveryKind;

use super::calls;
use super::convert::{channel_kind_from_aws, last_segment, secs};
use super::errors::aws_error;
use crate::clock::{Clock, epoch};
use crate::db::Db;
use crate::engine::links::{LINK_LIFETIME_SECS, language_in};
use crate::engine::outbox::{Outgoing, enqueue};
use crate::error::ServerError;

/// How often the watcher asks Incident Manager for new pages. Its own first message goes out
/// at once; the link follows within this.
pub const POLL: StdDuration = StdDuration::from_secs(15);

/// What the console started in Incident Manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Started {
    Engagement,
    Incident,
}

impl Started {
    fn as_str(self) -> &'static str {
        match self {
            Started::Engagement => "engagement",
            Started::Incident => "incident",
        }
    }
}

/// Records an engagement or incident the console started, to be watched for pages.
pub(super) async fn watch(db: &Db, arn: &str, kind: Started, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO aws_watched (arn, kind, started_at) VALUES ($1, $2, $3) ON CONFLICT (arn) DO NOTHING")
        .bind(arn)
        .bind(kind.as_str())
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// A page of a watched engagement, with what its notice needs.
struct NewPage {
    page_arn: String,
    contact_arn: String,
    sent_at: i64,
}

/// The watcher.
#[derive(Clone)]
pub struct Notices {
    pub(super) contacts: contacts::Client,
    pub(super) db: Db,
    pub(super) clock: Arc<dyn Clock>,
}

impl Notices {
    /// Polls every [`POLL`] for as long as the process runs; a failed round is logged and the
    /// next one tries again (nothing is marked done until its deliveries are written).
    pub fn spawn(self) {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.run_once().await {
                    e.log_internal("AWS page notices");
                }
                tokio::time::sleep(POLL).await;
            }
        });
    }

    /// One round: every new page of every watched engagement gets its notice. Returns how many
    /// pages were noticed.
    pub async fn run_once(&self) -> Result<usize, ServerError> {
        let now = epoch(self.clock.now());
        let watched: Vec<(String, String)> =
            sqlx::query_as("SELECT arn, kind FROM aws_watched WHERE started_at > $1 ORDER BY started_at")
                .bind(now - LINK_LIFETIME_SECS)
                .fetch_all(&self.db.pool)
                .await?;
        let mut noticed = 0;
        for (arn, kind) in watched {
            let engagements =
                if kind == Started::Incident.as_str() { self.engagements_of(&arn).await? } else { vec![arn] };
            for engagement in engagements {
                noticed += self.notice_new_pages(&engagement, now).await?;
            }
        }
        Ok(noticed)
    }

    async fn engagements_of(&self, incident_arn: &str) -> Result<Vec<String>, ServerError> {
        let list = calls::engagements(&self.contacts, Some(incident_arn.to_owned())).await?;
        Ok(list.iter().filter(|e| e.stop_time().is_none()).map(|e| e.engagement_arn().to_owned()).collect())
    }

    async fn notice_new_pages(&self, engagement_arn: &str, now: i64) -> Result<usize, ServerError> {
        let pages = calls::pages_of_engagement(&self.contacts, engagement_arn).await?;
        let mut new = Vec::new();
        for p in pages.iter().filter(|p| p.read_time().is_none()) {
            let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM aws_pages WHERE page_arn = $1")
                .bind(p.page_arn())
                .fetch_optional(&self.db.pool)
                .await?;
            if known.is_none() {
                let sent_at = p.sent_time().map_or(now, secs);
                new.push(NewPage {
                    page_arn: p.page_arn().to_owned(),
                    contact_arn: p.contact_arn().to_owned(),
                    sent_at,
                });
            }
        }
        if new.is_empty() {
            return Ok(0);
        }
        let e = self
            .contacts
            .describe_engagement()
            .engagement_id(engagement_arn)
            .send()
            .await
            .map_err(|err| aws_error("ssm-contacts:DescribeEngagement", &err))?;
        if e.stop_time().is_some() {
            return Ok(0);
        }
        let mut noticed = 0;
        for page in new {
            let channels = self.text_channels(&page.contact_arn).await?;
            let message = Message { engagement_arn, subject: e.subject(), content: e.content() };
            noticed += usize::from(self.record(&page, &message, &channels, now).await?);
        }
        Ok(noticed)
    }

    /// The contact's activated e-mail and SMS channels: (ARN, kind, address).
    async fn text_channels(&self, contact_arn: &str) -> Result<Vec<(String, DeliveryKind, String)>, ServerError> {
        let list = calls::channels_of(&self.contacts, contact_arn).await?;
        let mut out = Vec::new();
        for ch in &list {
            let kind = channel_kind_from_aws(ch.r#type())?;
            let activated = *ch.activation_status() == contacts::types::ActivationStatus::Activated;
            let address = ch.delivery_address().and_then(|a| a.simple_address()).unwrap_or_default();
            if activated && kind != ChannelType::Voice && !address.is_empty() {
                out.push((ch.contact_channel_arn().to_owned(), DeliveryKind::from(kind), address.to_owned()));
            }
        }
        Ok(out)
    }

    /// Records the page and its deliveries in one transaction; false if another replica
    /// already did.
    async fn record(
        &self,
        page: &NewPage,
        message: &Message<'_>,
        channels: &[(String, DeliveryKind, String)],
        now: i64,
    ) -> Result<bool, ServerError> {
        let alias = last_segment(&page.contact_arn);
        let mut tx = self.db.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO aws_pages (page_arn, engagement_arn, contact_alias, sent_at, noticed_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (page_arn) DO NOTHING",
        )
        .bind(&page.page_arn)
        .bind(message.engagement_arn)
        .bind(&alias)
        .bind(page.sent_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(false);
        }
        let language = language_in(&mut tx, &alias).await?;
        for (channel_arn, kind, address) in channels {
            let outgoing = Outgoing {
                page_id: None,
                aws_page_arn: Some(&page.page_arn),
                page_stage: 0,
                incident_id: None,
                channel_id: channel_arn,
                kind: *kind,
                address,
                subject: message.subject,
                body: message.content,
                language,
            };
            enqueue(&mut tx, outgoing, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// The engagement's words, as the console's notice repeats them.
struct Message<'a> {
    engagement_arn: &'a str,
    subject: &'a str,
    content: &'a str,
}
