//! The local engine behind the console's backend interface.

use async_trait::async_trait;

use app::auth::CurrentUser;
use app::domain::contact::{Contact, ContactChannel, ContactType};
use app::domain::incident::{
    IncidentRecord, IncidentStatus, IncidentUpdate, NotificationTarget, RelatedLink, ResponsePlan, redact_url,
};
use app::domain::roster::{Roster, has_gap};
use app::domain::rotation::Override;
use app::domain::rotation::{Rotation, Shift, local_time};
use app::error::{AppError, FieldError};
use app::i18n::Msg;
use app::model::oncall::{
    ContactView, DeliveryEntry, EngagementView, IncidentDetail, PageEntry, ReceiptEntry, RotationView, ShiftSummary,
};
use app::model::rotations::{OverrideEntry, RotationDetail};
use app::ports::{Backend, EngagementStart, IncidentStart};
use chrono::Duration;

use crate::audit::Actor;
use crate::clock::{epoch, from_epoch};
use crate::engine::Engine;
use crate::engine::incidents::StartIncident;
use crate::engine::paging::{AcceptType, EngagementRequest, EngagementSummary};
use crate::error::{ServerError, optional};
use app::model::me::MyPage;

/// How far ahead "next on call" looks: past a monthly hand-off, with room for coverage gaps.
pub(crate) const NEXT_SHIFT_HORIZON_DAYS: i64 = 62;
/// How far ahead the rotations list looks for coverage gaps.
pub(crate) const GAP_LOOKAHEAD_DAYS: i64 = 7;

pub struct LocalBackend {
    pub engine: Engine,
}

impl LocalBackend {
    async fn engagement_view(&self, e: EngagementSummary) -> Result<EngagementView, ServerError> {
        let pages = self.engine.pages(&e.id).await?;
        let receipts = self.engine.receipts(&e.id).await?;
        Ok(EngagementView {
            pages: pages
                .into_iter()
                .map(|p| PageEntry {
                    id: p.id,
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
            content: e.content,
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

/// Slack and webhook URLs are secrets: shown by host only.
fn redacted_deliveries(mut rows: Vec<DeliveryEntry>) -> Vec<DeliveryEntry> {
    for d in rows.iter_mut().filter(|d| matches!(d.kind.as_str(), "slack" | "webhook")) {
        d.address = redact_url(&d.address);
    }
    rows
}

#[async_trait]
impl Backend for LocalBackend {
    fn location(&self) -> Option<String> {
        None
    }

    /// Reads come straight from the database; there is nothing to forget.
    async fn refresh(&self) {}

    async fn engagement(&self, id: &str) -> Result<EngagementView, AppError> {
        let detail = self.engine.engagement(id).await?;
        Ok(self.engagement_view(detail.summary).await?)
    }

    /// From the roster history: the past as it was, the future as it stands now.
    async fn rotation_shifts(&self, rotation_id: &str, from: i64, to: i64) -> Result<Vec<Shift>, AppError> {
        Ok(self.roster(rotation_id).await?.shifts(from_epoch(from), from_epoch(to)))
    }

    async fn rotation(&self, id: &str) -> Result<RotationDetail, AppError> {
        let r = self.engine.named_rotation(id).await?;
        let head = self.engine.roster_head(id).await?;
        let overrides = self.engine.override_list(id, self.engine.now()).await?;
        Ok(RotationDetail {
            id: r.id,
            name: r.name,
            rotation: r.rotation,
            version: head.version,
            definition_version: head.definition_version,
            swap_approval: head.swap_approval,
            overrides: overrides.into_iter().map(|o| OverrideEntry { id: o.id, value: o.value }).collect(),
        })
    }

    async fn roster(&self, id: &str) -> Result<Roster, AppError> {
        self.engine.roster_head(id).await?;
        Ok(self.engine.roster(id).await?)
    }

    async fn update_rotation(
        &self,
        actor: &CurrentUser,
        id: &str,
        base: u32,
        name: &str,
        rotation: Rotation,
    ) -> Result<u32, AppError> {
        Ok(self.engine.update_rotation(Actor::User(actor), id, Some(base), name, rotation).await?)
    }

    async fn restore_rotation(&self, actor: &CurrentUser, id: &str, from: u32, base: u32) -> Result<u32, AppError> {
        Ok(self.engine.restore_rotation(Actor::User(actor), id, from, base).await?)
    }

    async fn add_override(&self, actor: &CurrentUser, rotation_id: &str, o: Override) -> Result<String, AppError> {
        Ok(self.engine.add_override(Actor::User(actor), rotation_id, o).await?)
    }

    async fn delete_override(&self, actor: &CurrentUser, rotation_id: &str, override_id: &str) -> Result<(), AppError> {
        Ok(self.engine.delete_override(Actor::User(actor), rotation_id, override_id).await?)
    }

    async fn set_swap_approval(&self, actor: &CurrentUser, rotation_id: &str, required: bool) -> Result<(), AppError> {
        Ok(self.engine.set_swap_approval(Actor::User(actor), rotation_id, required).await?)
    }

    async fn create_contact(&self, actor: &CurrentUser, contact: Contact) -> Result<(), AppError> {
        if optional(self.engine.contact(&contact.alias).await)?.is_some() {
            return Err(AppError::Invalid(vec![FieldError::new("alias", Msg::ErrAliasTaken)]));
        }
        Ok(self.engine.put_contact(Actor::User(actor), contact).await?)
    }

    async fn update_contact(&self, actor: &CurrentUser, contact: Contact, base: &str) -> Result<(), AppError> {
        Ok(self.engine.update_contact_from(Actor::User(actor), contact, base).await?)
    }

    async fn add_channel(&self, actor: &CurrentUser, channel: ContactChannel) -> Result<ContactChannel, AppError> {
        let channel =
            self.engine.add_channel(Actor::User(actor), ContactChannel { activated: false, ..channel }).await?;
        self.engine.send_activation_code(Actor::User(actor), &channel.id).await?;
        Ok(channel)
    }

    async fn activate_channel(&self, actor: &CurrentUser, channel_id: &str, code: &str) -> Result<(), AppError> {
        Ok(self.engine.activate_channel(Actor::User(actor), channel_id, code).await?)
    }

    async fn send_activation_code(&self, actor: &CurrentUser, channel_id: &str) -> Result<(), AppError> {
        Ok(self.engine.send_activation_code(Actor::User(actor), channel_id).await?)
    }

    async fn delete_channel(&self, actor: &CurrentUser, channel_id: &str) -> Result<(), AppError> {
        Ok(self.engine.delete_channel(Actor::User(actor), channel_id).await?)
    }

    async fn delete_contact(&self, actor: &CurrentUser, alias: &str) -> Result<(), AppError> {
        Ok(self.engine.delete_contact(Actor::User(actor), alias).await?)
    }

    async fn create_rotation(&self, actor: &CurrentUser, name: &str, rotation: Rotation) -> Result<String, AppError> {
        Ok(self.engine.create_rotation(Actor::User(actor), name, rotation).await?)
    }

    async fn start_engagement(&self, _actor: &CurrentUser, start: EngagementStart) -> Result<String, AppError> {
        self.engine.contact(&start.contact).await?;
        let request = EngagementRequest {
            contact: start.contact,
            sender: start.sender,
            subject: start.subject,
            content: start.content,
            public_subject: None,
            public_content: None,
            incident_id: start.incident_id,
            idempotency_token: start.idempotency_token,
        };
        Ok(self.engine.start_engagement(request).await?)
    }

    async fn stop_engagement(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError> {
        Ok(self
            .engine
            .stop_engagement(Actor::User(actor), id, &app::domain::stop_reason::stopped_by(&actor.username))
            .await?)
    }

    async fn stop_engagement_as_recipient(&self, id: &str, contact: &str) -> Result<(), AppError> {
        let reason = app::domain::stop_reason::stopped_after_acknowledging(contact);
        Ok(self.engine.stop_engagement(Actor::Recipient(contact), id, &reason).await?)
    }

    async fn accept_page(&self, actor: &CurrentUser, page_id: &str, code: &str) -> Result<(), AppError> {
        let how = format!("in the console by {}", actor.username);
        Ok(self.engine.accept_page(page_id, AcceptType::Read, code, true, Some(&how)).await?)
    }

    async fn pages_of(&self, contact: &str, limit: u32) -> Result<Vec<MyPage>, AppError> {
        let mut out = Vec::new();
        for page in self.engine.pages_of_contact(contact).await?.into_iter().take(limit as usize) {
            let e = self.engine.engagement(&page.engagement_id).await?.summary;
            out.push(MyPage {
                open: page.read_at.is_none() && e.stopped_at.is_none(),
                engagement_running: e.stopped_at.is_none(),
                ahead: None,
                page_id: page.id,
                engagement_id: page.engagement_id,
                subject: e.subject,
                incident_id: e.incident_id,
                sent_at: epoch(page.sent_at),
                read_at: page.read_at.map(epoch),
            });
        }
        Ok(out)
    }

    async fn accept_page_as_recipient(&self, page_id: &str, how: &str) -> Result<(), AppError> {
        Ok(self.engine.accept_page(page_id, AcceptType::Read, "", false, Some(how)).await?)
    }

    async fn create_response_plan(&self, actor: &CurrentUser, plan: ResponsePlan) -> Result<(), AppError> {
        if optional(self.engine.response_plan(&plan.name).await)?.is_some() {
            return Err(AppError::Invalid(vec![FieldError::new("name", Msg::ErrPlanNameTaken)]));
        }
        Ok(self.engine.put_response_plan(Actor::User(actor), plan).await?)
    }

    async fn update_response_plan(&self, actor: &CurrentUser, plan: ResponsePlan, base: &str) -> Result<(), AppError> {
        Ok(self.engine.update_response_plan_from(Actor::User(actor), plan, base).await?)
    }

    async fn start_incident(&self, _actor: &CurrentUser, start: IncidentStart) -> Result<String, AppError> {
        self.engine.response_plan(&start.response_plan).await?;
        let started = self
            .engine
            .start_incident(StartIncident {
                response_plan: start.response_plan,
                title: start.title,
                summary: start.summary,
                impact: start.impact,
                client_token: start.client_token,
                source: start.source.unwrap_or_else(|| "console".into()),
                raw_data: None,
            })
            .await?;
        Ok(started.id().to_owned())
    }

    async fn update_incident(&self, actor: &CurrentUser, id: &str, update: IncidentUpdate) -> Result<(), AppError> {
        self.engine.update_incident(Actor::User(actor), id, update).await?;
        Ok(())
    }

    async fn add_timeline_note(&self, actor: &CurrentUser, incident_id: &str, text: &str) -> Result<String, AppError> {
        Ok(self.engine.add_timeline_event(Actor::User(actor), incident_id, None, text).await?)
    }

    async fn edit_timeline_note(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        event_id: &str,
        text: &str,
    ) -> Result<(), AppError> {
        Ok(self.engine.update_timeline_event(Actor::User(actor), incident_id, event_id, None, text).await?)
    }

    async fn related_links(&self, incident_id: &str) -> Result<Vec<RelatedLink>, AppError> {
        Ok(self.engine.related_links(incident_id).await?)
    }

    async fn add_related_link(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        url: &str,
        title: &str,
    ) -> Result<RelatedLink, AppError> {
        Ok(self.engine.add_related_link(Actor::User(actor), incident_id, "OTHER", url, title).await?)
    }

    async fn remove_related_link(&self, actor: &CurrentUser, incident_id: &str, link_id: &str) -> Result<(), AppError> {
        Ok(self.engine.remove_related_link(Actor::User(actor), incident_id, link_id).await?)
    }

    async fn delete_timeline_note(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        event_id: &str,
    ) -> Result<(), AppError> {
        Ok(self.engine.delete_timeline_event(Actor::User(actor), incident_id, event_id).await?)
    }

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
            let week = now + Duration::days(GAP_LOOKAHEAD_DAYS);
            let gap_soon = has_gap(&r.rotation.shifts(now, week, &overrides), now, week);
            let next_handoff_in_secs = next.as_ref().map(|s| (s.start - now).num_seconds());
            let summary = |s: Shift| ShiftSummary {
                start: local_time(s.start, &r.rotation.time_zone),
                end: local_time(s.end, &r.rotation.time_zone),
                members: s.members,
                names: Vec::new(),
            };
            out.push(RotationView {
                current: current.map(summary),
                next: next.map(summary),
                upcoming_overrides: overrides.len(),
                gap_soon,
                next_handoff_in_secs,
                id: r.id,
                name: r.name,
                rotation: r.rotation,
                member_names: Vec::new(),
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

    async fn incident_record(&self, id: &str) -> Result<IncidentRecord, AppError> {
        Ok(self.engine.incident(id).await?)
    }

    async fn open_incidents(&self, ids: &[String]) -> Result<std::collections::HashSet<String>, AppError> {
        Ok(self.engine.open_incidents(ids).await?)
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

    async fn incident_facts(&self, from: i64, to: i64) -> Result<Vec<app::domain::analytics::IncidentFacts>, AppError> {
        Ok(self.engine.incident_facts(from, to).await?)
    }

    async fn deliveries(&self, limit: u32) -> Result<Vec<DeliveryEntry>, AppError> {
        Ok(redacted_deliveries(self.engine.outbox(limit).await?))
    }

    async fn incident_deliveries(&self, incident: &IncidentDetail) -> Result<Vec<DeliveryEntry>, AppError> {
        Ok(redacted_deliveries(self.engine.incident_outbox(&incident.record.id).await?))
    }
}
