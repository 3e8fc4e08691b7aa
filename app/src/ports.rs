//! Server-side services the `#[server]` functions call, implemented in the `server` crate and
//! provided through Leptos context. Compiled only with `ssr`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use crate::auth::{CurrentUser, NewUser, Role};
use crate::domain::analytics::{IncidentFacts, PageFacts};
use crate::domain::contact::{Contact, ContactChannel};
use crate::domain::incident::{IncidentRecord, IncidentStatus, IncidentUpdate, RelatedLink, ResponsePlan};
use crate::domain::roster::Roster;
use crate::domain::rotation::{Override, Rotation, Shift};
use crate::error::AppError;
use crate::model::admin::{ApiKeySummary, AuditEntry, AuditFilter, IssuedApiKey, UserSummary};
use crate::model::oncall::{ContactView, DeliveryEntry, EngagementView, IncidentDetail, RotationView};
use crate::model::rotations::{FeedKind, RotationDetail, SwapRequest, SwapView};
use crate::model::session::BackendMode;

/// Accounts, sign-in and the audit log. Implementations validate input, write the audit entry in
/// the same transaction as the change, and never half-apply a change.
#[async_trait::async_trait]
pub trait Accounts: Send + Sync {
    /// Checks credentials, applying the per-account and per-client attempt limits.
    async fn sign_in(&self, username: &str, password: &str, client: &str) -> Result<SignedIn, AppError>;
    async fn setup_link_valid(&self, token: &str) -> Result<bool, AppError>;
    /// Consumes the one-time setup token and creates the first administrator.
    async fn setup_first_admin(&self, token: &str, user: NewUser) -> Result<SignedIn, AppError>;
    async fn list_users(&self) -> Result<Vec<UserSummary>, AppError>;
    async fn create_user(&self, actor: &CurrentUser, user: NewUser) -> Result<UserSummary, AppError>;
    async fn set_role(&self, actor: &CurrentUser, user_id: i64, role: Role) -> Result<UserSummary, AppError>;
    /// Disabling also ends every session of that user at once.
    async fn set_disabled(&self, actor: &CurrentUser, user_id: i64, disabled: bool) -> Result<UserSummary, AppError>;
    async fn reset_password(&self, actor: &CurrentUser, user_id: i64, password: &str) -> Result<(), AppError>;
    /// Links a user to the person (contact alias) they are on the rotas, or unlinks them.
    async fn set_contact(
        &self,
        actor: &CurrentUser,
        user_id: i64,
        contact: Option<String>,
    ) -> Result<UserSummary, AppError>;
    async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, AppError>;
    /// Access keys for the console's SSM-compatible API.
    async fn list_api_keys(&self) -> Result<Vec<ApiKeySummary>, AppError>;
    async fn issue_api_key(&self, actor: &CurrentUser, name: &str) -> Result<IssuedApiKey, AppError>;
    async fn revoke_api_key(&self, actor: &CurrentUser, access_key_id: &str) -> Result<(), AppError>;
    /// The language a person's pages are written in, if chosen (kept by the console for both
    /// backends).
    async fn contact_language(&self, contact: &str) -> Result<Option<crate::i18n::Locale>, AppError>;
    async fn set_contact_language(
        &self,
        actor: &CurrentUser,
        contact: &str,
        language: crate::i18n::Locale,
    ) -> Result<(), AppError>;
}

/// The on-call model: the local engine, or SSM Contacts and SSM Incidents on AWS (or on anything
/// that speaks their API, such as another console). Every server function over the model goes
/// through this, so both backends behave alike.
///
/// Ids: contacts by alias; everything else by the id the backend gives (the local engine's ids, or
/// ARNs in AWS mode, except incidents, whose AWS ids are `<plan>.<id>` so they fit in a URL path).
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    /// Where the data lives, for the header: none for the local engine; region and account on AWS.
    fn location(&self) -> Option<String>;
    /// Forgets cached reads so the next ones come straight from the backend.
    async fn refresh(&self);

    async fn contacts(&self) -> Result<Vec<ContactView>, AppError>;
    /// Each rotation with who is on call now and next.
    async fn rotations(&self) -> Result<Vec<RotationView>, AppError>;
    /// Notification target URLs come back redacted (they are secrets).
    async fn response_plans(&self) -> Result<Vec<ResponsePlan>, AppError>;
    async fn engagements(&self, limit: u32) -> Result<Vec<EngagementView>, AppError>;
    async fn engagement(&self, id: &str) -> Result<EngagementView, AppError>;
    async fn incidents(&self, status: Option<IncidentStatus>, limit: u32) -> Result<Vec<IncidentRecord>, AppError>;
    async fn incident(&self, id: &str) -> Result<IncidentDetail, AppError>;
    /// The incident's record alone (no timeline, no engagements): what routing needs after it
    /// opens one. By default read with the rest and dropped.
    async fn incident_record(&self, id: &str) -> Result<IncidentRecord, AppError> {
        Ok(self.incident(id).await?.record)
    }
    /// Which of these incidents are open now: routing asks once for a whole batch of repeats.
    /// One by one unless the backend can answer in one read; one not found is not open.
    async fn open_incidents(&self, ids: &[String]) -> Result<std::collections::HashSet<String>, AppError> {
        let mut open = std::collections::HashSet::new();
        for id in ids {
            match self.incident(id).await {
                Ok(detail) if detail.record.status == IncidentStatus::Open => {
                    open.insert(id.clone());
                }
                Ok(_) | Err(AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(open)
    }
    /// The incidents opened in `[from, to)` (epoch seconds) with their pages, as analytics needs
    /// them. By default one read per incident (all Incident Manager's API offers); the local
    /// engine answers with two queries.
    async fn incident_facts(&self, from: i64, to: i64) -> Result<Vec<IncidentFacts>, AppError> {
        let mut facts = Vec::new();
        for record in self.incidents(None, u32::MAX).await? {
            if record.created_at < from || record.created_at >= to {
                continue;
            }
            let detail = self.incident(&record.id).await?;
            let pages = detail
                .engagements
                .iter()
                .flat_map(|e| &e.pages)
                .map(|p| PageFacts { contact: p.contact.clone(), sent_at: p.sent_at, acked_at: p.read_at })
                .collect();
            facts.push(IncidentFacts {
                plan: record.response_plan,
                created_at: record.created_at,
                resolved_at: record.resolved_at,
                pages,
            });
        }
        Ok(facts)
    }
    /// The console's outbox: every delivery of the local engine; in AWS mode only the console's
    /// own notices with acknowledge links (AWS's messages are not visible through its API).
    async fn deliveries(&self, limit: u32) -> Result<Vec<DeliveryEntry>, AppError>;
    /// The deliveries of one incident's pages and notices (redacted as [`Backend::deliveries`]),
    /// newest first: every message of the local engine; in AWS mode the console's own notices
    /// for the pages of the incident's engagements.
    async fn incident_deliveries(&self, incident: &IncidentDetail) -> Result<Vec<DeliveryEntry>, AppError>;
    /// The shifts of `[from, to)`, overrides applied.
    async fn rotation_shifts(&self, rotation_id: &str, from: i64, to: i64) -> Result<Vec<Shift>, AppError>;
    /// A rotation with its version and upcoming overrides.
    async fn rotation(&self, id: &str) -> Result<RotationDetail, AppError>;
    /// Every version the console recorded (see [`crate::domain::roster`]).
    async fn roster(&self, id: &str) -> Result<Roster, AppError>;

    async fn create_contact(&self, actor: &CurrentUser, contact: Contact) -> Result<(), AppError>;
    /// Replaces a contact's name and plan, edited from the version whose
    /// [`Contact::fingerprint`] is `base`; refused with [`AppError::StaleEdit`], nothing
    /// written, if it changed since. Audited.
    async fn update_contact(&self, actor: &CurrentUser, contact: Contact, base: &str) -> Result<(), AppError>;
    /// A new channel starts unactivated; the activation code is sent to it.
    async fn add_channel(&self, actor: &CurrentUser, channel: ContactChannel) -> Result<ContactChannel, AppError>;
    async fn activate_channel(&self, actor: &CurrentUser, channel_id: &str, code: &str) -> Result<(), AppError>;
    /// Sends a new activation code to a channel (the old one stops working).
    async fn send_activation_code(&self, actor: &CurrentUser, channel_id: &str) -> Result<(), AppError>;
    /// Deletes a channel. The caller has checked that its owner's plan no longer uses it
    /// ([`crate::domain::usage`]).
    async fn delete_channel(&self, actor: &CurrentUser, channel_id: &str) -> Result<(), AppError>;
    /// Deletes a contact with its channels. The caller has checked that nothing uses it
    /// ([`crate::domain::usage`]).
    async fn delete_contact(&self, actor: &CurrentUser, alias: &str) -> Result<(), AppError>;
    async fn create_rotation(&self, actor: &CurrentUser, name: &str, rotation: Rotation) -> Result<String, AppError>;
    /// Saves an edit made from definition version `base`; refused with
    /// [`AppError::StaleVersion`] if someone else saved since. Returns the new version.
    async fn update_rotation(
        &self,
        actor: &CurrentUser,
        id: &str,
        base: u32,
        name: &str,
        rotation: Rotation,
    ) -> Result<u32, AppError>;
    /// Makes version `from`'s definition current again (a new version), if `base` is still current.
    async fn restore_rotation(&self, actor: &CurrentUser, id: &str, from: u32, base: u32) -> Result<u32, AppError>;
    /// Only rotation members may be in an override (SSM's rule); add them first.
    async fn add_override(&self, actor: &CurrentUser, rotation_id: &str, o: Override) -> Result<String, AppError>;
    async fn delete_override(&self, actor: &CurrentUser, rotation_id: &str, override_id: &str) -> Result<(), AppError>;
    async fn set_swap_approval(&self, actor: &CurrentUser, rotation_id: &str, required: bool) -> Result<(), AppError>;
    async fn start_engagement(&self, actor: &CurrentUser, start: EngagementStart) -> Result<String, AppError>;
    /// Stops an engagement (nobody further is paged). Audited.
    async fn stop_engagement(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError>;
    /// Stops an engagement on behalf of a person it paged who acknowledged and asked that the
    /// others be paged no more (from their acknowledge link, which proves who they are).
    /// Audited as theirs.
    async fn stop_engagement_as_recipient(&self, id: &str, contact: &str) -> Result<(), AppError>;
    /// Acknowledges a page (READ) with the code that came with it.
    async fn accept_page(&self, actor: &CurrentUser, page_id: &str, code: &str) -> Result<(), AppError>;
    /// The newest pages sent to a person (at most `limit`), each with its engagement's subject.
    async fn pages_of(&self, contact: &str, limit: u32) -> Result<Vec<crate::model::me::MyPage>, AppError>;
    /// Acknowledges a page (READ) for the person it was sent to, who proved it to the console
    /// (their personal link, a reply from their number): the page's code is not checked.
    /// `how` ("via link") is kept with the acknowledgement.
    async fn accept_page_as_recipient(&self, page_id: &str, how: &str) -> Result<(), AppError>;
    async fn create_response_plan(&self, actor: &CurrentUser, plan: ResponsePlan) -> Result<(), AppError>;
    /// Replaces a response plan edited from the version whose fingerprint
    /// ([`crate::domain::names::fingerprint`]) is `base`; refused with [`AppError::StaleEdit`],
    /// nothing written, if it changed since. Audited.
    async fn update_response_plan(&self, actor: &CurrentUser, plan: ResponsePlan, base: &str) -> Result<(), AppError>;
    async fn start_incident(&self, actor: &CurrentUser, start: IncidentStart) -> Result<String, AppError>;
    async fn update_incident(&self, actor: &CurrentUser, id: &str, update: IncidentUpdate) -> Result<(), AppError>;
    async fn add_timeline_note(&self, actor: &CurrentUser, incident_id: &str, text: &str) -> Result<String, AppError>;
    /// Rewrites a note (a custom timeline event); automatic events are the record and are
    /// refused, nothing changed.
    async fn edit_timeline_note(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        event_id: &str,
        text: &str,
    ) -> Result<(), AppError>;
    /// The incident's related links (URLs), oldest first.
    async fn related_links(&self, incident_id: &str) -> Result<Vec<RelatedLink>, AppError>;
    /// Adds a link ([`crate::domain::incident::parse_link`]); the same URL twice is refused.
    async fn add_related_link(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        url: &str,
        title: &str,
    ) -> Result<RelatedLink, AppError>;
    async fn remove_related_link(&self, actor: &CurrentUser, incident_id: &str, link_id: &str) -> Result<(), AppError>;
    /// Deletes a note; automatic events are refused.
    async fn delete_timeline_note(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        event_id: &str,
    ) -> Result<(), AppError>;
}

/// What starting an engagement takes (after SSM Contacts `StartEngagement`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngagementStart {
    pub contact: String,
    pub sender: String,
    pub subject: String,
    pub content: String,
    pub incident_id: Option<String>,
    /// The same token twice starts one engagement.
    pub idempotency_token: Option<String>,
}

/// What starting an incident takes (after SSM Incidents `StartIncident`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentStart {
    pub response_plan: String,
    pub title: Option<String>,
    /// Overrides the plan's summary for a new incident (its pages carry it). Incident
    /// Manager's `StartIncident` takes none: routing sets it on the new record afterwards.
    pub summary: Option<String>,
    pub impact: Option<u8>,
    /// The same token twice gives one incident.
    pub client_token: Option<String>,
    /// What triggered it (an integration: `alertmanager (prometheus)`); the console when none.
    pub source: Option<String>,
}

/// A successful authentication, to be recorded in the session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: CurrentUser,
    pub session_epoch: i64,
    /// When the credentials were checked (epoch seconds): the start of the session's lifetime.
    pub at: i64,
}

/// What the session stores about who is signed in. The server checks it on every request:
/// a changed `epoch` (user disabled or password reset) or an expired absolute lifetime ends it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionClaims {
    pub user_id: i64,
    pub epoch: i64,
    pub authenticated_at: i64,
}

impl SessionClaims {
    pub const KEY: &'static str = "auth";
}

/// Shift swaps between responders, kept by the console in both modes. An accepted (and, where
/// the rotation asks for it, approved) swap becomes an override through the backend.
#[async_trait::async_trait]
pub trait Swaps: Send + Sync {
    async fn list(&self, rotation_id: &str) -> Result<Vec<SwapView>, AppError>;
    /// The caller must be one of the two people.
    async fn request(&self, actor: &CurrentUser, request: SwapRequest) -> Result<String, AppError>;
    /// The caller must be the person who did not ask.
    async fn answer(&self, actor: &CurrentUser, id: &str, accept: bool) -> Result<SwapView, AppError>;
    async fn approve(&self, actor: &CurrentUser, id: &str, approve: bool) -> Result<SwapView, AppError>;
}

/// Drills: plans engaged for real with every message marked as a drill, recorded by the console
/// in both modes, and their schedules (run by the server when due).
#[async_trait::async_trait]
pub trait Drills: Send + Sync {
    /// Engages `plan` as a drill now; returns the drill's id. Audited.
    async fn start(&self, actor: &CurrentUser, plan: &str) -> Result<String, AppError>;
    /// Newest first.
    async fn list(&self, limit: u32) -> Result<Vec<crate::model::drills::DrillRecord>, AppError>;
    async fn get(&self, id: &str) -> Result<crate::model::drills::DrillRecord, AppError>;
    async fn schedules(&self) -> Result<Vec<crate::model::drills::DrillScheduleView>, AppError>;
    /// Schedules drills of `plan` by `rule`; returns the schedule's id. Audited.
    async fn add_schedule(
        &self,
        actor: &CurrentUser,
        plan: &str,
        rule: crate::domain::drill::DrillRule,
    ) -> Result<String, AppError>;
    async fn delete_schedule(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError>;
}

/// Alerts in: integrations, what they received, and the routing rules (kept by the console in
/// both modes). Conditions are evaluated by the server only (dry runs and replays included).
#[async_trait::async_trait]
pub trait Alerts: Send + Sync {
    async fn integrations_page(&self) -> Result<crate::model::alerts::IntegrationsPage, AppError>;
    /// Creates an integration; its secret is in the answer and nowhere else. Audited.
    async fn create_integration(
        &self,
        actor: &CurrentUser,
        name: &str,
        kind: crate::domain::alert::IntegrationKind,
        topics: &[String],
    ) -> Result<crate::model::alerts::IssuedSecret, AppError>;
    /// A new secret; the previous one stays valid until the next rotation. Audited.
    async fn rotate_secret(
        &self,
        actor: &CurrentUser,
        id: &str,
    ) -> Result<crate::model::alerts::IssuedSecret, AppError>;
    /// Newest first; `status` "firing"/"resolved" or empty, `outcome` a substring or empty.
    async fn alerts(
        &self,
        status: &str,
        outcome: &str,
        limit: u32,
    ) -> Result<Vec<crate::model::alerts::AlertRow>, AppError>;
    async fn alert(&self, id: &str) -> Result<crate::model::alerts::AlertDetail, AppError>;
    /// How routing keeps up: what waits, how old, what was routed in the last minute, storms.
    async fn routing_status(&self) -> Result<crate::model::alerts::RoutingStatus, AppError>;
    async fn rules_page(&self) -> Result<crate::model::alerts::RulesPage, AppError>;
    /// Saves the rules as the version after `base` (a stale base is refused). Audited.
    async fn save_rules(
        &self,
        actor: &CurrentUser,
        base: u32,
        rules: Vec<crate::domain::routing::Rule>,
    ) -> Result<u32, AppError>;
    async fn restore_rules(&self, actor: &CurrentUser, version: u32, base: u32) -> Result<u32, AppError>;
    /// What `rules` would do with `event` as integration `integration` would receive it.
    async fn dry_run(
        &self,
        rules: &[crate::domain::routing::Rule],
        integration: &str,
        event: &str,
    ) -> Result<Vec<crate::model::alerts::DryRunAlert>, AppError>;
    /// The stored alerts of the last `days` days through `rules`, against what happened.
    async fn replay(
        &self,
        rules: &[crate::domain::routing::Rule],
        days: u32,
    ) -> Result<crate::model::alerts::Replay, AppError>;
    /// The alerts routed into `incident_id`, oldest first.
    async fn incident_alerts(&self, incident_id: &str) -> Result<Vec<crate::model::alerts::AlertRow>, AppError>;
    async fn maintenance_page(&self) -> Result<crate::model::alerts::MaintenancePage, AppError>;
    /// Saves a maintenance window (its condition compiled first). Audited.
    async fn create_maintenance(
        &self,
        actor: &CurrentUser,
        window: crate::model::alerts::NewMaintenance,
    ) -> Result<String, AppError>;
    /// Ends a window now (one not yet begun is ended before it starts). Audited.
    async fn end_maintenance(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError>;
}

/// Post-incident reviews: the console's own record in both modes (Incident Manager keeps its
/// analyses elsewhere).
#[async_trait::async_trait]
pub trait Reviews: Send + Sync {
    async fn review(&self, incident_id: &str) -> Result<Option<crate::domain::review::SavedReview>, AppError>;
    /// Saves the review as the version after `base` (0 for the first); a stale base is refused
    /// and nothing is written. Audited.
    async fn save_review(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        base: u32,
        review: crate::domain::review::Review,
    ) -> Result<u32, AppError>;
}

/// Secret iCalendar feed URLs.
#[async_trait::async_trait]
pub trait Feeds: Send + Sync {
    /// A fresh URL path (`/calendar/<token>.ics`) of `actor`'s for the feed; their old one stops.
    async fn regenerate(&self, actor: &CurrentUser, kind: FeedKind, subject: &str) -> Result<String, AppError>;
}

/// Where the console gets the time: the system clock, or one that tests move by hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Clone)]
pub struct Services {
    pub accounts: Arc<dyn Accounts>,
    pub backend: Arc<dyn Backend>,
    pub swaps: Arc<dyn Swaps>,
    pub drills: Arc<dyn Drills>,
    pub alerts: Arc<dyn Alerts>,
    pub reviews: Arc<dyn Reviews>,
    pub feeds: Arc<dyn Feeds>,
    pub clock: Arc<dyn Clock>,
    pub mode: BackendMode,
    /// The console's public base URL (`https://oncall.example.com`), for links it hands out.
    pub base_url: String,
    /// Which messages have a way out; channel health and plan timelines say when one has not.
    pub gateways: crate::domain::contact::Gateways,
}

pub fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>().ok_or(AppError::Internal)
}
