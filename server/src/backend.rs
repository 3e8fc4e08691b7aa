//! The local engine behind the console's backend interface.

use async_trait::async_trait;

use app::api::oncall::{
    ContactView, DeliveryEntry, EngagementView, IncidentDetail, PageEntry, ReceiptEntry, RotationView, ShiftSummary,
};
use app::domain::contact::ContactType;
use app::domain::incident::{IncidentRecord, IncidentStatus, NotificationTarget, ResponsePlan, redact_url};
use app::domain::rotation::{Shift, local_time};
use app::error::AppError;
use app::ports::Backend;
use chrono::Duration;

use crate::engine::paging::EngagementSummary;
use crate::engine::{Engine, EngineError, epoch};

impl From<EngineError> for AppError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Invalid(fields) => AppError::Invalid(fields),
            EngineError::NotFound(..) => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "local engine");
                AppError::Internal
            }
        }
    }
}

/// How far ahead "next on call" looks: past a monthly hand-off, with room for coverage gaps.
const NEXT_SHIFT_HORIZON_DAYS: i64 = 62;

pub struct LocalBackend {
    pub engine: Engine,
}

impl LocalBackend {
    async fn engagement_view(&self, e: EngagementSummary) -> Result<EngagementView, EngineError> {
        let pages = self.engine.pages(&e.id).await?;
        let receipts = self.engine.receipts(&e.id).await?;
        Ok(EngagementView {
            pages: pages
                .into_iter()
                .map(|p| PageEntry {
                    contact: p.contact,
                    stage: p.stage_index,
                    sent_at: epoch(p.sent_at),
                    read_at: p.read_at.map(epoch),
                })
                .collect(),
            receipts: receipts
                .into_iter()
                .map(|r| ReceiptEntry { contact: r.contact, kind: r.kind, info: r.info, at: epoch(r.at) })
                .collect(),
            id: e.id,
            contact: e.contact,
            sender: e.sender,
            subject: e.subject,
            incident_id: e.incident_id,
            started_at: epoch(e.started_at),
            stopped_at: e.stopped_at.map(epoch),
            stop_reason: e.stop_reason,
        })
    }
}

fn redacted(plan: ResponsePlan) -> ResponsePlan {
    let notification_targets = plan
        .notification_targets
        .iter()
        .map(|t| match t {
            NotificationTarget::Slack { .. } => NotificationTarget::Slack { url: t.redacted() },
            NotificationTarget::Webhook { .. } => NotificationTarget::Webhook { url: t.redacted() },
        })
        .collect();
    ResponsePlan { notification_targets, ..plan }
}

#[async_trait]
impl Backend for LocalBackend {
    async fn contacts(&self) -> Result<Vec<ContactView>, AppError> {
        let mut out = Vec::new();
        for contact in self.engine.contacts().await? {
            let channels = match contact.kind {
                ContactType::Personal => self.engine.channels_of(&contact.alias).await?,
                _ => Vec::new(),
            };
            out.push(ContactView { contact, channels });
        }
        Ok(out)
    }

    async fn rotations(&self) -> Result<Vec<RotationView>, AppError> {
        let now = self.engine.now();
        let mut out = Vec::new();
        for r in self.engine.rotations().await? {
            let overrides: Vec<_> = self.engine.override_list(&r.id, now).await?.into_iter().map(|o| o.value).collect();
            let (current, next) = r.rotation.now_and_next(now, Duration::days(NEXT_SHIFT_HORIZON_DAYS), &overrides);
            let summary = |s: Shift| ShiftSummary {
                start: local_time(s.start, &r.rotation.time_zone),
                end: local_time(s.end, &r.rotation.time_zone),
                members: s.members,
            };
            out.push(RotationView {
                current: current.map(summary),
                next: next.map(summary),
                upcoming_overrides: overrides.len(),
                id: r.id,
                name: r.name,
                rotation: r.rotation,
            });
        }
        Ok(out)
    }

    async fn response_plans(&self) -> Result<Vec<ResponsePlan>, AppError> {
        Ok(self.engine.response_plans().await?.into_iter().map(redacted).collect())
    }

    async fn engagements(&self, limit: u32) -> Result<Vec<EngagementView>, AppError> {
        let mut out = Vec::new();
        for e in self.engine.engagements(None, limit).await? {
            out.push(self.engagement_view(e).await?);
        }
        Ok(out)
    }

    async fn incidents(&self, status: Option<IncidentStatus>, limit: u32) -> Result<Vec<IncidentRecord>, AppError> {
        Ok(self.engine.incidents(status, limit).await?)
    }

    async fn incident(&self, id: &str) -> Result<IncidentDetail, AppError> {
        let record = self.engine.incident(id).await?;
        let timeline = self.engine.timeline(id).await?;
        let mut engagements = Vec::new();
        for e in self.engine.engagements(Some(id), u32::MAX).await? {
            engagements.push(self.engagement_view(e).await?);
        }
        Ok(IncidentDetail { record, timeline, engagements })
    }

    async fn deliveries(&self, limit: u32) -> Result<Vec<DeliveryEntry>, AppError> {
        let mut rows = self.engine.outbox(limit).await?;
        for d in rows.iter_mut().filter(|d| matches!(d.kind.as_str(), "slack" | "webhook")) {
            d.address = redact_url(&d.address);
        }
        Ok(rows)
    }
}
